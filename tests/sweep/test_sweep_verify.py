"""``sweep --verify``: a swept repository holding one accepted and one rejected GitHub token, with
``github`` pointed at a loopback stand-in of the REST API (``[verify] endpoints`` in ``--config``).
Results are kept in the datastore (``verification_results``) with the time checked; a re-sweep asks
again only when a result is older than ``--verify-recheck-after``; a credential marked revoked that
its provider still accepts is reopened; ``triage list --verified`` filters by the result; the
identity report over the datastore shows it; the token is never stored nor sent anywhere but the
Authorization header of the stand-in."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
from gitutil import GitRepo, cli_inprocess
from sweeputil import sweep
from triageutil import listed, shown, triage
from verifyfakes import ByToken

from fixtures.fakecreds import GENERATORS

RULE = "github-pat-classic"


@pytest.fixture
def tokens() -> tuple[str, str]:
    rng = random.Random(1717)
    return GENERATORS[RULE](rng), GENERATORS[RULE](rng)


@pytest.fixture
def server(tokens: tuple[str, str]) -> Iterator[ByToken]:
    with ByToken(tokens[0]) as stand_in:
        yield stand_in


@pytest.fixture
def org(tmp_path: Path, tokens: tuple[str, str]) -> Path:
    repo = GitRepo(tmp_path / "org" / "app")
    repo.write("good.env", f"GITHUB_TOKEN={tokens[0]}\n")
    repo.write("bad.env", f"GITHUB_TOKEN={tokens[1]}\n")
    repo.write("db.env", "DATABASE_URL=postgres://app:Zq8vLr2mXc4TpW9e@db.internal:5432/app\n")
    repo.commit("config")
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{repo.path}\n")
    return listing


def config(tmp_path: Path, server: ByToken, extra: str = "") -> Path:
    path = tmp_path / "cfg.toml"
    path.write_text(f'[verify]\nendpoints = {{ github = "{server.base}/api/v3" }}\n{extra}')
    return path


def stored(ds: Path) -> dict[str, dict[str, object]]:
    db = sqlite3.connect(ds)
    try:
        rows = db.execute("SELECT fingerprint, provider, status, checked_at, identity, permissions, reason "
                          "FROM verification_results").fetchall()
    finally:
        db.close()
    return {r[0]: {"provider": r[1], "status": r[2], "checked_at": r[3], "identity": json.loads(r[4]),
                   "permissions": json.loads(r[5]), "reason": r[6]} for r in rows}


def by_path(ds: Path) -> dict[str, str]:
    """fingerprint of each token's file"""
    from scanner.report.datastore import load_finding_objects

    return {f["path"]: f["fingerprint"] for f in load_finding_objects(ds) if f["rule_id"] == RULE}


def test_sweep_verify_stores_results_and_rechecks_by_age(tmp_path: Path, org: Path, server: ByToken,
                                                        tokens: tuple[str, str]) -> None:
    ds = tmp_path / "ds.sqlite"
    cfg = config(tmp_path, server)
    run = sweep(str(org), "--verify", "--config", str(cfg), datastore=ds, jobs="1")
    assert run.code == 1, run.stderr
    fps = by_path(ds)
    results = stored(ds)
    good, bad = results[fps["good.env"]], results[fps["bad.env"]]
    assert good["status"] == "live" and good["provider"] == "github"
    assert good["identity"] == {"login": "octocat", "user_id": "1", "type": "User"} or \
        good["identity"].get("login") == "octocat"
    assert good["permissions"] == ["repo", "gist"] and str(good["checked_at"]).endswith("Z")
    assert bad["status"] == "invalid" and bad["identity"] == {} and bad["permissions"] == []
    assert len(results) == 2  # the connection string has no verifier: no row
    assert len(server.requests) == 2
    assert {h["authorization"] for _, h in server.requests} == {f"Bearer {t}" for t in tokens}
    assert all(t not in path for path, _ in server.requests for t in tokens)
    for token in tokens:  # never stored, never said
        assert token.encode() not in ds.read_bytes() and token not in run.stderr
    summary = run.summary
    assert summary["verified"] == {"invalid": 1, "live": 1}

    # swept again at once: the results are fresh, nobody is asked
    again = sweep(str(org), "--verify", "--config", str(cfg), datastore=ds, jobs="1")
    assert again.code == 1 and len(server.requests) == 2
    assert stored(ds) == results
    # [verify] recheck_after in the config, or the flag: older results are asked again
    cfg = config(tmp_path, server, 'recheck_after = "0s"\n')
    sweep(str(org), "--verify", "--config", str(cfg), datastore=ds, jobs="1")
    assert len(server.requests) == 4
    assert stored(ds)[fps["good.env"]]["checked_at"] >= str(good["checked_at"])
    sweep(str(org), "--verify", "--config", str(config(tmp_path, server)), "--verify-recheck-after", "0",
          datastore=ds, jobs="1")
    assert len(server.requests) == 6


def test_live_after_revoked_reopens_and_triage_filters_by_verification(
        tmp_path: Path, org: Path, server: ByToken) -> None:
    ds = tmp_path / "ds.sqlite"
    cfg = config(tmp_path, server)
    assert sweep(str(org), "--verify", "--config", str(cfg), datastore=ds, jobs="1").code == 1
    fps = by_path(ds)
    live = [r["fingerprint"] for r in listed(ds, "--verified", "live")]
    invalid = [r["fingerprint"] for r in listed(ds, "--verified", "invalid")]
    unverified = listed(ds, "--verified", "unverified")
    assert live == [fps["good.env"]] and invalid == [fps["bad.env"]]
    assert [r["rule_id"] for r in unverified] != [] and all(r["rule_id"] != RULE for r in unverified)
    assert len(listed(ds, "--verified", "live", "--verified", "invalid")) == 2
    row = next(r for r in listed(ds) if r["fingerprint"] == fps["good.env"])
    assert row["verification"] == "live" and row["verified_by"] == "github"
    code, out, _ = triage(ds, "list")
    assert code == 0 and " live " in out and " invalid " in out and " unverified " in out

    # both marked revoked; the provider still accepts the first at the next check: it is open again
    for fp in fps.values():
        assert triage(ds, "set", fp, "--state", "revoked", "--reason", "rotated in the console", "--as", "alice")[0] == 0
    run = sweep(str(org), "--verify", "--config", str(cfg), "--verify-recheck-after", "0", datastore=ds, jobs="1")
    assert run.code == 1
    states = {r["fingerprint"]: r["state"] for r in listed(ds)}
    assert states[fps["good.env"]] == "open" and states[fps["bad.env"]] == "revoked"
    last = shown(ds, fps["good.env"])["audit"][-1]
    assert last["new"] == "open" and "verified live by github" in last["reason"]
    assert last["who"].startswith("credsprawl sweep")
    assert "reopened" in run.stderr or run.summary["reopened"] == 1


def test_only_verified_counts_live_credentials_and_report_shows_stored_verification(
        tmp_path: Path, org: Path, server: ByToken) -> None:
    ds = tmp_path / "ds.sqlite"
    cfg = config(tmp_path, server)
    run = sweep(str(org), "--only-verified", "--config", str(cfg), datastore=ds, jobs="1")
    assert run.code == 1 and run.summary["findings"] == 1  # the live token's one occurrence
    # the identity report over the datastore carries what the provider said
    code, out, err = cli_inprocess("report", "--datastore", str(ds), "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    statuses = {c["rule_id"] + ":" + c["locations"][0]["path"]: c["verification"]["status"] if c["verification"]
                else None for c in doc["credentials"]}
    assert statuses[f"{RULE}:good.env"] == "live" and statuses[f"{RULE}:bad.env"] == "invalid"


def test_without_verify_a_sweep_sends_nothing(tmp_path: Path, org: Path, server: ByToken) -> None:
    ds = tmp_path / "ds.sqlite"
    assert sweep(str(org), "--config", str(config(tmp_path, server)), datastore=ds, jobs="1").code == 1
    assert server.requests == [] and stored(ds) == {}
