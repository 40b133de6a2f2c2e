"""``credsprawl triage`` over a real datastore written by a real sweep: states, owners, notes, the
append-only audit log, filters, exports, and states kept across re-sweeps (with the reopen rule)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from gitutil import GitRepo
from scanner.filters.baseline import load as load_baseline
from sweeputil import Org, make_org, sweep
from triageutil import commit_from_now_on, fingerprint_of, listed, shown, triage


@pytest.fixture
def org(tmp_path: Path) -> Org:
    return make_org(tmp_path / "org")


@pytest.fixture
def ds(org: Org, tmp_path: Path) -> Path:
    path = tmp_path / "ds.sqlite"
    assert sweep(str(org.list_file()), datastore=path).code == 1
    return path


def test_every_credential_starts_open(ds: Path) -> None:
    rows = listed(ds)
    assert len(rows) == 5 and {r["state"] for r in rows} == {"open"}
    assert all(r["assignee"] is None and r["occurrences"] >= 1 for r in rows)
    # most severe first
    assert [r["severity"] for r in rows] == sorted((r["severity"] for r in rows), key=["critical", "high"].index)


def test_set_assign_note_and_the_audit_log(ds: Path) -> None:
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    code, out, _ = triage(ds, "set", fp[:10], "--state", "acknowledged", "--as", "alice")
    assert code == 0 and "open -> acknowledged" in out
    assert triage(ds, "set", fp, "--state", "revoked", "--reason", "revoked in GitHub", "--as", "bob")[0] == 0
    code, _, err = triage(ds, "assign", fp, "--owner", "@acme/Platform", "--as", "alice")
    assert code == 0, err
    assert triage(ds, "note", fp, "ticket SEC-12", "--as", "carol")[0] == 0
    row = shown(ds, fp)
    assert (row["state"], row["reason"], row["assignee"]) == ("revoked", "revoked in GitHub", "platform")
    assert [(e["who"], e["action"], e["old"], e["new"], e["reason"]) for e in row["audit"]] == [
        ("alice", "state", "open", "acknowledged", ""),
        ("bob", "state", "acknowledged", "revoked", "revoked in GitHub"),
        ("alice", "assign", None, "platform", ""),
        ("carol", "note", None, "ticket SEC-12", ""),
    ]
    assert [n["new"] for n in row["notes"]] == ["ticket SEC-12"]
    assert all(e["at"].endswith("+00:00") for e in row["audit"])  # UTC
    assert row["locations"] and {loc["repository"] for loc in row["locations"]} == {"beta"}
    # setting what is already set writes nothing
    code, out, _ = triage(ds, "set", fp, "--state", "revoked", "--reason", "revoked in GitHub")
    assert code == 0 and "already revoked" in out and len(shown(ds, fp)["audit"]) == 4
    # the log of every credential, and without --as the OS user acts
    assert triage(ds, "set", fp, "--state", "closed")[0] == 0
    code, out, _ = triage(ds, "log")
    assert code == 0 and len(out.splitlines()) == 5 and "closed" in out.splitlines()[-1]


@pytest.mark.parametrize("args, message", [
    (("--state", "false-positive"), "needs a reason"),
    (("--state", "accepted-risk", "--reason", "legacy"), "needs an expiry date"),
    (("--state", "accepted-risk", "--reason", "legacy", "--expires", "soon"), "not a date"),
    (("--state", "revoked", "--expires", "2027-01-01"), "accepted-risk only"),
    (("--state", "revoked", "--as", " "), "--as needs a name"),
])
def test_a_state_that_lacks_what_it_needs_is_refused(ds: Path, args: tuple[str, ...], message: str) -> None:
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    code, _, err = triage(ds, "set", fp, *args)
    assert code == 2 and message in err
    assert shown(ds, fp)["audit"] == []


def test_unknown_fingerprints_and_empty_owners_are_refused(ds: Path) -> None:
    code, _, err = triage(ds, "show", "0" * 64)
    assert code == 2 and "no credential" in err
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    assert triage(ds, "assign", fp, "--owner", "  ")[0] == 2
    assert triage(ds, "note", fp, "")[0] == 2
    # one bad fingerprint among several: nothing is written
    assert triage(ds, "set", fp, "f" * 64, "--state", "closed")[0] == 2
    assert shown(ds, fp)["state"] == "open"
    code, _, err = triage(ds.parent / "none.sqlite", "list")
    assert code == 2 and "no datastore" in err


def test_the_audit_log_refuses_edits(ds: Path) -> None:
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    assert triage(ds, "set", fp, "--state", "revoked", "--as", "alice")[0] == 0
    db = sqlite3.connect(ds)
    for statement in ("UPDATE triage_audit SET who='mallory'", "DELETE FROM triage_audit",
                      "UPDATE triage_audit SET new='open' WHERE fingerprint='" + fp + "'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(statement)
    db.close()
    assert [e["who"] for e in shown(ds, fp)["audit"]] == ["alice"]


def test_filters(ds: Path) -> None:
    beta_token = fingerprint_of(ds, "beta", "github-pat-classic")
    beta_key = fingerprint_of(ds, "beta", "aws-access-key-id")
    triage(ds, "set", beta_token, "--state", "revoked")
    triage(ds, "assign", beta_token, beta_key, "--owner", "@acme/data")
    assert [r["fingerprint"] for r in listed(ds, "--state", "revoked")] == [beta_token]
    assert {r["fingerprint"] for r in listed(ds, "--owner", "Data")} == {beta_token, beta_key}
    assert {r["fingerprint"] for r in listed(ds, "--owner", "data", "--severity", "high")} == {beta_key}
    assert {r["rule_id"] for r in listed(ds, "--severity", "critical")} == {"github-pat-classic"}
    assert len(listed(ds, "--repository", "alpha-fork")) == 3
    assert len(listed(ds, "--state", "open", "--repository", "beta")) == 1
    assert listed(ds, "--since", "2999-01-01") == [] and len(listed(ds, "--until", "2999-01-01")) == 5
    assert listed(ds, "--until", "2000-01-01") == []


def test_csv_and_json_exports_are_safe_for_ticketing(org: Org, ds: Path, tmp_path: Path) -> None:
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    hostile = "=HYPERLINK(\"http://evil\")\n::set-output name=x::y"
    assert triage(ds, "set", fp, "--state", "false-positive", "--reason", hostile)[0] == 0
    code, out, err = triage(ds, "export", "--format", "csv")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 6 and not any(line.startswith("::") for line in lines)
    rows = list(csv.DictReader(io.StringIO(out)))
    [mine] = [r for r in rows if r["fingerprint"] == fp]
    assert mine["reason"].startswith("'=HYPERLINK") and "\\n::set-output" in mine["reason"]
    assert mine["state"] == "false-positive" and mine["repositories"] == "beta"
    target = tmp_path / "out.json"
    assert triage(ds, "export", "--format", "json", "--state", "false-positive", "-o", str(target))[0] == 0
    [exported] = json.loads(target.read_text())["credentials"]
    assert exported["reason"] == hostile  # JSON carries the text as it is
    # never a secret, in any output
    for text in (out, target.read_text(), triage(ds, "show", fp)[1], triage(ds, "list", "--format", "json")[1]):
        assert not any(token in text for token in org.tokens.values())


def test_baseline_export_and_import_are_one_list(org: Org, ds: Path, tmp_path: Path) -> None:
    fp_fixture = fingerprint_of(ds, "beta", "github-pat-classic")
    fp_risk = fingerprint_of(ds, "beta", "aws-access-key-id")
    triage(ds, "set", fp_fixture, "--state", "false-positive", "--reason", "test fixture")
    triage(ds, "set", fp_risk, "--state", "accepted-risk", "--reason", "sandbox account", "--expires", "2999-12-31")
    baseline_file = tmp_path / "baseline.json"
    code, _, err = triage(ds, "export", "--baseline", str(baseline_file))
    assert code == 0, err
    baseline = load_baseline(baseline_file)
    assert {(e.fingerprint, e.mark, e.reason) for e in baseline.entries} == {
        (fp_fixture, "false-positive", "test fixture"), (fp_risk, "accepted-risk", "sandbox account")}
    assert all(e.scope_paths and e.scope_repositories == ("beta",) for e in baseline.entries)
    # the baseline file does what a baseline does: the marked findings of beta are no longer reported
    from gitutil import history_json

    assert history_json(org.repos["beta"].path, "--baseline", str(baseline_file), code=(0,))["findings"] == []
    # and a fresh datastore takes the marks back as states
    other = tmp_path / "other.sqlite"
    assert sweep(str(org.list_file()), datastore=other).code == 1
    code, _, err = triage(other, "import-baseline", str(baseline_file))
    assert code == 2 and "--expires" in err  # a baseline holds no expiry date
    code, _, err = triage(other, "import-baseline", str(baseline_file), "--expires", "2999-12-31", "--as", "ci")
    assert code == 0 and "2 state(s) set" in err
    got = {r["fingerprint"]: (r["state"], r["reason"], r["expires"], r["changed_by"]) for r in listed(other)
           if r["state"] != "open"}
    assert got == {fp_fixture: ("false-positive", "test fixture", None, "ci"),
                   fp_risk: ("accepted-risk", "sandbox account", "2999-12-31", "ci")}
    code, _, err = triage(other, "import-baseline", str(baseline_file), "--expires", "2999-12-31")
    assert code == 0 and "0 state(s) set, 2 already so" in err
    # an accepted risk past its expiry is shown as expired and left out of the baseline
    triage(ds, "set", fp_risk, "--state", "accepted-risk", "--reason", "sandbox account", "--expires", "2020-01-01")
    assert [r["expired"] for r in listed(ds, "--state", "accepted-risk")] == [True]
    triage(ds, "export", "--baseline", str(baseline_file))
    assert [e.fingerprint for e in load_baseline(baseline_file).entries] == [fp_fixture]


def test_states_survive_a_resweep(org: Org, ds: Path) -> None:
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    triage(ds, "set", fp, "--state", "acknowledged")
    triage(ds, "assign", fp, "--owner", "platform")
    beta = org.repos["beta"]
    beta.write("README.md", "# beta, again\n")
    beta.commit("beta: readme")
    assert sweep(str(org.list_file()), datastore=ds).code == 1
    row = shown(ds, fp)
    assert (row["state"], row["assignee"], len(row["audit"])) == ("acknowledged", "platform", 2)


def test_a_revoked_credential_reopens_when_leaked_again_in_a_new_commit(org: Org, ds: Path, tmp_path: Path) -> None:
    token_fp = fingerprint_of(ds, "beta", "github-pat-classic")
    key_fp = fingerprint_of(ds, "beta", "aws-access-key-id")
    assert triage(ds, "set", token_fp, "--state", "revoked", "--reason", "revoked", "--as", "alice")[0] == 0
    assert triage(ds, "set", key_fp, "--state", "rotated", "--as", "alice")[0] == 0
    # found again only where it was known: a mirror of beta (the same commits), and a commit of the
    # mirror dated before the mark (history rewritten, say): both stay closed
    beta = org.repos["beta"]
    beta.git("clone", "-q", str(beta.path), str(org.root / "beta-mirror"))
    mirror = GitRepo(org.root / "beta-mirror", init=False)
    mirror.tick = beta.tick
    mirror.write("old/settings.py", f"TOKEN = '{org.tokens['beta']}'\n")
    mirror.commit("mirror: an old-dated copy")
    listing = str(org.list_file("alpha", "beta", "alpha-fork", "beta-mirror"))
    assert sweep(listing, datastore=ds).code == 1
    assert [r["state"] for r in listed(ds) if r["fingerprint"] in (token_fp, key_fp)] == ["revoked", "rotated"]
    assert len(shown(ds, token_fp)["audit"]) == 1
    # committed again, in a commit dated after the mark: it reopens, with its reason in the log
    commit_from_now_on(beta)
    beta.write("src/again.py", f"TOKEN = '{org.tokens['beta']}'\n")
    new_commit = beta.commit("beta: the token, again")
    run = sweep(listing, datastore=ds)
    assert run.code == 1
    row = shown(ds, token_fp)
    assert row["state"] == "open" and new_commit[:12] in row["reason"] and "after it was marked revoked" in row["reason"]
    last = row["audit"][-1]
    assert (last["action"], last["old"], last["new"]) == ("state", "revoked", "open")
    assert last["who"] == f"credsprawl sweep {run.summary['sweep']}"
    assert shown(ds, key_fp)["state"] == "rotated"  # not leaked again
    # once reopened, re-sweeping changes nothing more; marked revoked again, the known commits grow
    assert triage(ds, "set", token_fp, "--state", "revoked", "--reason", "revoked again")[0] == 0
    beta.write("README.md", "# beta\n")
    beta.commit("beta: readme")
    assert sweep(listing, datastore=ds).code == 1
    assert shown(ds, token_fp)["state"] == "revoked"


_WRITER = """
import sys
from pathlib import Path
from scanner.store.db import Store
from scanner.triage.states import Change
from scanner.triage.writes import set_state
ds, who, fingerprints = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
with Store(ds) as store:
    for i in range(40):
        state = ("acknowledged", "closed")[i % 2]
        set_state(store, fingerprints, Change.of(state, f"{who} {i}"), who)
"""


def test_concurrent_writers_keep_the_audit_log_complete(ds: Path) -> None:
    rows = listed(ds)
    shared, *rest = [r["fingerprint"] for r in rows]
    env = {"PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(ds), who, shared, mine], env=env,
                              stderr=subprocess.PIPE, text=True)
             for who, mine in (("p1", rest[0]), ("p2", rest[1]))]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    db = sqlite3.connect(ds)
    by_who = dict(db.execute("SELECT who, COUNT(*) FROM triage_audit GROUP BY who").fetchall())
    # every write changed its reason, so each is one entry per credential: 40 writes x 2 credentials each
    assert by_who == {"p1": 80, "p2": 80}
    ids = [r[0] for r in db.execute("SELECT id FROM triage_audit ORDER BY id")]
    assert ids == list(range(1, 161))
    # the shared credential's log chains: each entry starts from the state the one before ended in
    chain = db.execute("SELECT old, new FROM triage_audit WHERE fingerprint=? ORDER BY id", (shared,)).fetchall()
    assert chain[0][0] == "open" and all(a[1] == b[0] for a, b in zip(chain, chain[1:]))
    db.close()
