"""``credsprawl sweep``: many repositories into one datastore, each blob scanned once across
repositories, forks and runs; resumable after a kill; failures recorded, never fatal."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes

from conftest import ROOT
from fixtures import fakecreds
from gitutil import GitRepo, history_json
from scanner.sweep.targets.repospec import name_for_url
from scanner.report.datastore import load_finding_objects
from scanner.store.db import Store
from sweeputil import Org, fork, make_org, make_repo, sweep, unique_blobs, without_repository


@pytest.fixture
def org(tmp_path: Path) -> Org:
    return make_org(tmp_path / "org")


def test_first_sweep_scans_each_blob_once_and_attributes_like_history(org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    run = sweep(str(org.list_file()), datastore=ds, engine="auto")  # the default engine, as history runs it
    assert run.code == 1, run.stderr  # findings
    done = run.done()
    assert {e["status"] for e in done.values()} == {"scanned"}
    unique = unique_blobs(*org.repos.values())
    # the fork shares alpha's blobs: across the three repositories every blob is scanned exactly once
    assert sum(e["blobs_scanned"] for e in done.values()) == len(unique) == run.summary["blobs_scanned"]
    assert run.summary["blobs_reused"] == sum(e["blobs"] for e in done.values()) - len(unique) > 0
    with Store(ds) as store:
        assert store.counts()["blobs"] == len(unique)
    # each repository's findings are what `credsprawl history` reports for it, plus the repository
    found = load_finding_objects(ds)
    for name, repo in org.repos.items():
        mine = [f for f in found if f["origin"][0]["extra"]["repository"] == name]
        assert all(f["origin"][0]["extra"]["repository_url"] == str(repo.path) for f in mine)
        expected = history_json(repo.path)["findings"]
        for f in expected:
            f.pop("occurrences")
        assert [without_repository(f) for f in mine] == expected and expected
    # never a secret in clear, anywhere in the datastore
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("ds.sqlite*"))
    assert not any(token.encode() in raw for token in org.tokens.values())


def test_resweep_without_changes_scans_nothing(org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    first = sweep(listing, datastore=ds)
    before = load_finding_objects(ds)
    again = sweep(listing, datastore=ds)
    assert again.code == 1  # the findings are still there
    assert {e["status"] for e in again.done().values()} == {"unchanged"}
    assert again.summary["blobs_scanned"] == 0 and again.summary["new_findings"] == 0
    assert again.summary["findings"] == first.summary["findings"] == len(before)
    assert load_finding_objects(ds) == before


def test_a_new_commit_scans_only_its_new_blobs(org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    sweep(listing, datastore=ds)
    beta = org.repos["beta"]
    token = fakecreds.slack_bot_token(random.Random(5))
    beta.write("ops/notify.sh", f"export SLACK_TOKEN={token}\n")
    beta.write("README.md", "# beta, now with notifications\n")
    beta.commit("beta: notifications")
    run = sweep(listing, datastore=ds)
    done = run.done()
    assert done["alpha"]["status"] == done["alpha-fork"]["status"] == "unchanged"
    assert done["beta"]["status"] == "scanned" and done["beta"]["blobs_scanned"] == 2
    assert done["beta"]["blobs_reused"] == done["beta"]["blobs"] - 2
    assert run.summary["new_findings"] == 1
    new = load_finding_objects(ds, new_since="1")
    assert [(f["path"], f["origin"][0]["extra"]["repository"]) for f in new] == [("ops/notify.sh", "beta")]
    assert len(load_finding_objects(ds, new_since="2")) == 0


def test_a_fork_added_later_scans_only_its_own_blobs(org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    sweep(str(org.list_file("alpha", "beta")), datastore=ds)
    run = sweep(str(org.list_file()), datastore=ds)
    done = run.done()
    assert done["alpha"]["status"] == done["beta"]["status"] == "unchanged"
    fork_only = unique_blobs(org.repos["alpha-fork"]) - unique_blobs(org.repos["alpha"])
    assert done["alpha-fork"]["blobs_scanned"] == len(fork_only) == 1
    assert done["alpha-fork"]["blobs_reused"] == done["alpha-fork"]["blobs"] - 1
    fork_findings = [f for f in load_finding_objects(ds) if f["origin"][0]["extra"]["repository"] == "alpha-fork"]
    assert sorted(f["path"] for f in fork_findings) == ["deploy/.env", "src/fork_only.py", "src/settings.py"]


def test_a_ruleset_change_rescans(org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    first = sweep(listing, datastore=ds)
    rules = tmp_path / "extra.toml"
    rules.write_text('''
[[rules]]
id = "acme-internal-key"
name = "ACME internal key"
kind = "api-key"
provider = "acme"
severity = "high"
confidence = "high"
keywords = ["acmekey_"]
regex = '(?P<secret>acmekey_[a-z0-9]{24})'
examples = [{ text = "k = acmekey_0123456789abcdefghijklmn", secret = "acmekey_0123456789abcdefghijklmn" }]
negatives = ["acmekey_short"]
''')
    beta = org.repos["beta"]
    beta.write("ops/acme.cfg", "key = acmekey_" + "q7" * 12 + "\n")
    beta.commit("beta: acme")
    run = sweep(listing, "--rules", str(rules), datastore=ds)
    assert run.code == 1, run.stderr
    assert {e["status"] for e in run.done().values()} == {"scanned"}  # a new rule set: every repository again
    assert run.summary["blobs_scanned"] == first.summary["blobs_scanned"] + 1  # every blob again, plus the new one
    assert any(f["rule_id"] == "acme-internal-key" for f in load_finding_objects(ds))
    # back to the shipped rules: the blobs scanned under them are still known
    back = sweep(listing, datastore=ds)
    assert back.summary["blobs_scanned"] == 1 and back.done()["beta"]["blobs_scanned"] == 1


def _corrupt(repo: GitRepo, path: str) -> str:
    sha = repo.blob(f"HEAD:{path}")
    loose = repo.path / ".git" / "objects" / sha[:2] / sha[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not a zlib stream")
    return sha


def test_failing_repositories_are_recorded_and_the_sweep_goes_on(org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    broken = tmp_path / "org" / "broken"
    broken.mkdir()
    (broken / ".git").write_text("gitdir: /nonexistent/credsprawl/.git\n")
    corrupt, _ = make_repo(tmp_path / "org", "corrupt", random.Random(3))
    bad = _corrupt(corrupt, "README.md")
    org.repos["corrupt"] = corrupt
    gone = (tmp_path / "nowhere" / "repo.git").as_uri()
    listing = org.list_file(extra=(str(broken), gone))
    run = sweep(str(listing), datastore=ds)
    assert run.code == 1  # findings first (docs/exit-codes.md); the failures are named on stderr
    done = run.done()
    assert {n: e["status"] for n, e in done.items()} == {
        "alpha": "scanned", "beta": "scanned", "alpha-fork": "scanned", "corrupt": "failed",
        str(broken): "failed", name_for_url(gone): "failed"}
    assert bad in done["corrupt"]["reason"] and "missing or corrupt" in done["corrupt"]["reason"]
    assert "not a git repository" in done[str(broken)]["reason"] or "cannot open" in done[str(broken)]["reason"]
    assert len(run.summary["failed"]) == 3
    assert run.stderr.count("credsprawl: failed: ") == 3
    with Store(ds) as store:
        states = {r["name"]: (r["status"], r["reason"]) for r in store.repositories()}
    assert states["corrupt"][0] == states[str(broken)][0] == "failed" and states["alpha"] == ("ok", "")
    # the good repositories' findings, and the corrupt one's readable part, are written
    repos = {f["origin"][0]["extra"]["repository"] for f in load_finding_objects(ds)}
    assert repos == {"alpha", "beta", "alpha-fork", "corrupt"}
    # failed repositories are tried again; the others are unchanged
    again = sweep(str(listing), datastore=ds)
    statuses = {n: e["status"] for n, e in again.done().items()}
    assert statuses["alpha"] == "unchanged" and statuses["corrupt"] == "failed" and again.code == 1


def test_stale_lines_of_a_list_fail_their_repository_and_the_sweep_goes_on(org: Org, tmp_path: Path) -> None:
    (org.root / "notes").mkdir()  # a folder, not a repository
    (org.root / "moved.txt").write_text("this repository moved\n")
    listing = org.list_file(extra=("gone", "notes", "moved.txt"))
    ds = tmp_path / "ds.sqlite"
    run = sweep(str(listing), datastore=ds)
    assert run.code == 1, run.stderr  # findings first; the failed lines are named on stderr
    assert {n: e["status"] for n, e in run.done().items()} == {
        "alpha": "scanned", "beta": "scanned", "alpha-fork": "scanned",
        "gone": "failed", "notes": "failed", "moved.txt": "failed"}
    only_stale = tmp_path / "stale.txt"
    only_stale.write_text("\n".join(str(org.root / n) for n in ("gone", "notes")) + "\n")
    nothing_found = sweep(str(only_stale), datastore=tmp_path / "ds2.sqlite")
    assert nothing_found.code == 2, nothing_found.stderr  # nothing found, and inputs that could not be swept
    reasons = {f["repository"]: f["reason"] for f in run.summary["failed"]}
    assert reasons == {"gone": f"not a git repository: {org.root / 'gone'} (no such folder)",
                       "notes": reasons["notes"],
                       "moved.txt": f"not a git repository: {org.root / 'moved.txt'} (not a folder)"}
    assert reasons["notes"].startswith(f"not a git repository: {org.root / 'notes'} (")
    assert run.stderr.count("credsprawl: failed: ") == 3 and f"failed: gone: {reasons['gone']}" in run.stderr
    with Store(ds) as store:
        states = {r["name"]: (r["status"], r["reason"]) for r in store.repositories()}
    assert {n: states[n] for n in reasons} == {n: ("failed", r) for n, r in reasons.items()}
    assert {f["origin"][0]["extra"]["repository"] for f in load_finding_objects(ds)} == set(org.repos)


def test_one_sweep_at_a_time_per_datastore(org: Org, tmp_path: Path) -> None:
    from scanner.sweep.lock import sweep_lock

    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    with sweep_lock(ds):  # another sweep, running right now
        with Store(ds) as store:
            store.begin_sweep(store.ruleset_id("other", ()), 3)
        blocked = sweep(listing, datastore=ds)
        assert blocked.code == 2 and blocked.events == []
        assert blocked.stderr == (f"credsprawl: error: datastore {ds} is in use by another sweep (pid {os.getpid()}): "
                                  "wait for it to finish, or give another --datastore\n")
        with Store(ds) as store:
            assert [s["status"] for s in store.sweeps()] == ["running"]  # not taken for a killed one
    run = sweep(listing, datastore=ds)  # the other sweep is gone and never finished: it was interrupted
    assert run.code == 1, run.stderr
    with Store(ds) as store:
        assert [s["status"] for s in store.sweeps()] == ["interrupted", "done"]


def test_report_over_the_datastore_lists_certificates(org: Org, tmp_path: Path) -> None:
    from gitutil import cli_inprocess
    from keyutil import cert_pem, make_cert, new_key

    from scanner.report.datastore import load_certificate_objects

    cert = make_cert(new_key("ec"), "api.example.test", days=30)
    beta = org.repos["beta"]
    beta.write("tls/server.pem", cert_pem(cert))
    beta.commit("beta: tls certificate")
    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    first = sweep(listing, datastore=ds)
    [stored] = load_certificate_objects(ds)
    assert stored["path"] == "tls/server.pem" and stored["origin"][0]["extra"]["repository"] == "beta"
    assert first.summary["findings"] == len(load_finding_objects(ds))  # listed, not counted as a finding
    code, out, err = cli_inprocess("report", "--datastore", str(ds), "--format", "json", "--quiet")
    assert code == 1, err
    doc = json.loads(out)
    [listed] = doc["certificates"]
    assert listed["fingerprint"] == stored["attributes"]["cert.sha256"] == cert.fingerprint(hashes.SHA256()).hex()
    assert (listed["repository"], listed["path"], listed["expired"]) == ("beta", "tls/server.pem", False)
    assert listed["subject"] == cert.subject.rfc4514_string() and 28 <= listed["expires_in_days"] <= 30
    assert all(c["fingerprint"] != listed["fingerprint"] for c in doc["credentials"])
    # --new-since filters certificates as it filters findings
    assert load_certificate_objects(ds, new_since=str(first.summary["sweep"])) == []
    assert load_certificate_objects(ds, new_since="2000-01-01") == [stored]


def test_serial_and_pool_give_the_same_datastore(org: Org, tmp_path: Path) -> None:
    listing = str(org.list_file())
    sweep(listing, datastore=tmp_path / "serial.sqlite", jobs="1")
    sweep(listing, datastore=tmp_path / "pool.sqlite", jobs="2")
    assert load_finding_objects(tmp_path / "serial.sqlite") == load_finding_objects(tmp_path / "pool.sqlite")


def test_sigkill_midway_loses_nothing_and_a_rerun_matches_an_uninterrupted_sweep(tmp_path: Path) -> None:
    rng = random.Random(21)
    root = tmp_path / "org"
    repos = [make_repo(root, f"svc{i:02d}", rng, files=6)[0] for i in range(10)]
    listing = tmp_path / "repos.txt"
    listing.write_text("".join(f"{r.path}\n" for r in repos))
    killed = tmp_path / "killed.sqlite"
    argv = [sys.executable, "-m", "scanner", "sweep", str(listing), "--datastore", str(killed), "--progress", "jsonl",
            "--jobs", "2", "--engine", "ahocorasick"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    assert proc.stdout is not None
    committed = 0
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "repository-done" and event["status"] == "scanned":
            committed += 1
            if committed == 2:
                os.killpg(proc.pid, signal.SIGKILL)  # the sweep, its pool workers and their git processes
                break
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with Store(killed) as store:
        done_before = {r["name"] for r in store.repositories() if r["status"] == "ok"}
        assert [s["status"] for s in store.sweeps()] == ["running"]
    assert 2 <= len(done_before) < len(repos)
    rerun = sweep(str(listing), datastore=killed)
    assert rerun.code == 1
    assert {n for n, e in rerun.done().items() if e["status"] == "unchanged"} == done_before
    with Store(killed) as store:  # the killed sweep is no longer "running": its lock went with its process
        first, second = store.sweeps()
    assert (first["status"], second["status"]) == ("interrupted", "done")
    assert first["started"] < first["finished"] <= second["started"]
    assert "sweep 1 in " in rerun.stderr and "was interrupted" in rerun.stderr
    whole = tmp_path / "whole.sqlite"
    sweep(str(listing), datastore=whole)
    assert load_finding_objects(killed) == load_finding_objects(whole)
    with Store(killed) as a, Store(whole) as b:
        assert a.counts()["blobs"] == b.counts()["blobs"] and a.counts()["occurrences"] == b.counts()["occurrences"]


def test_large_repositories_go_out_as_blob_batches_with_the_same_result(org: Org, tmp_path: Path) -> None:
    """Forced through blob-batch tasks (and forks waiting on them), the result is the same."""
    from scanner.cli.app import build_parser
    from scanner.cli.sweep import _request, _specs
    from scanner.sweep.driver import run_sweep
    from scanner.sweep.executors import make_executor
    from scanner.sweep.progress import NoProgress
    from dataclasses import replace

    listing = str(org.list_file())
    sweep(listing, datastore=tmp_path / "normal.sqlite")
    args = build_parser().parse_args(["sweep", listing, "--engine", "ahocorasick"])
    request = replace(_request(args, _specs(args)), split_bytes=0)
    executor = make_executor(request.spec, 2, None)
    try:
        with Store(tmp_path / "split.sqlite") as store:
            summary = run_sweep(request, store, executor, NoProgress())
    finally:
        executor.close()
    assert summary.blobs_scanned == len(unique_blobs(*org.repos.values())) and not summary.failed
    assert load_finding_objects(tmp_path / "split.sqlite") == load_finding_objects(tmp_path / "normal.sqlite")


def test_sources_folder_and_usage_errors(org: Org, tmp_path: Path) -> None:
    run = sweep(str(org.root), datastore=tmp_path / "ds.sqlite")
    assert set(run.done()) == {"alpha", "beta", "alpha-fork"} and run.code == 1
    code_none = sweep(datastore=tmp_path / "ds2.sqlite")
    assert code_none.code == 2 and "no repositories to sweep" in code_none.stderr
    missing = sweep(str(tmp_path / "no-such-list.txt"), datastore=tmp_path / "ds2.sqlite")
    assert missing.code == 2 and "no such file or folder" in missing.stderr


def test_clean_repositories_exit_zero(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "clean")
    repo.write("a.txt", "nothing to see\n")
    repo.commit("clean")
    empty = GitRepo(tmp_path / "empty")  # no commits at all
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{repo.path}\n{empty.path}\n")
    run = sweep(str(listing), datastore=tmp_path / "ds.sqlite")
    assert run.code == 0, run.stderr
    assert run.summary["findings"] == 0 and {e["status"] for e in run.done().values()} == {"scanned"}


def test_remote_repositories_are_mirrored_once_and_fetched_after(org: Org, tmp_path: Path) -> None:
    mirrors = tmp_path / "mirrors"
    listing = org.list_file(extra=tuple(r.path.as_uri() for r in org.repos.values()))
    listing.write_text("".join(f"{r.path.as_uri()}\n" for r in org.repos.values()))
    ds = tmp_path / "ds.sqlite"
    run = sweep(str(listing), "--mirrors", str(mirrors), datastore=ds)
    assert run.code == 1 and {e["status"] for e in run.done().values()} == {"scanned"}
    assert len([p for p in mirrors.iterdir() if p.name.endswith(".git")]) == 3
    beta = org.repos["beta"]
    beta.write("notes.txt", "more\n")
    beta.commit("beta: notes")
    again = sweep(str(listing), "--mirrors", str(mirrors), datastore=ds)
    statuses = {n.rsplit("/", 1)[-1]: e["status"] for n, e in again.done().items()}
    assert statuses == {"alpha": "unchanged", "beta": "scanned", "alpha-fork": "unchanged"}
    assert again.summary["blobs_scanned"] == 1


def test_report_over_the_datastore_shows_sprawl_and_what_is_new(org: Org, tmp_path: Path) -> None:
    from gitutil import cli_inprocess

    gamma = GitRepo(org.root / "gamma")  # a third repository that copied alpha's token
    gamma.write("scripts/deploy.sh", f"export API_TOKEN={org.tokens['alpha']}\n")
    gamma.commit("gamma: deploy script")
    org.repos["gamma"] = gamma
    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    sweep(listing, datastore=ds)

    def report(*args: str) -> dict[str, Any]:
        code, out, err = cli_inprocess("report", "--datastore", str(ds), "--format", "json", "--quiet", *args)
        assert code in (0, 1), err
        return json.loads(out)

    everything = report()
    copied = fingerprint_of(everything, "alpha", "src/settings.py")
    [cred] = [c for c in everything["credentials"] if c["fingerprint"] == copied]
    assert cred["sprawl"]["repositories"] == 3
    assert {loc["repository"] for loc in cred["locations"]} == {"alpha", "alpha-fork", "gamma"}
    beta = org.repos["beta"]
    beta.write("ops/notify.sh", f"export SLACK_TOKEN={fakecreds.slack_bot_token(random.Random(8))}\n")
    beta.commit("beta: notifications")
    sweep(listing, datastore=ds)
    new = report("--new-since", "1")
    assert [(loc["repository"], loc["path"]) for c in new["credentials"] for loc in c["locations"]] == [
        ("beta", "ops/notify.sh")]
    assert len(report()["credentials"]) == len(everything["credentials"]) + 1


def fingerprint_of(doc: dict[str, Any], repository: str, path: str) -> str:
    return next(c["fingerprint"] for c in doc["credentials"]
                if any(loc["repository"] == repository and loc["path"] == path for loc in c["locations"]))


def _dies_once(task: Any, spec: Any = None) -> Any:
    """A task runner whose worker process dies on the first inventory (as if killed out of memory)."""
    from scanner.sweep import tasks as sweep_tasks

    marker = Path(os.environ["CREDSPRAWL_TEST_DIE_ONCE"])
    if isinstance(task, sweep_tasks.InventoryTask) and not marker.exists():
        marker.touch()
        os._exit(9)
    return sweep_tasks.run(task, spec)


def test_a_worker_that_dies_is_replaced_and_its_task_tried_again(org: Org, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.sweep import executors as sweep_exec

    monkeypatch.setattr(sweep_exec, "run", _dies_once)
    monkeypatch.setenv("CREDSPRAWL_TEST_DIE_ONCE", str(tmp_path / "died"))
    run = sweep(str(org.list_file()), datastore=tmp_path / "ds.sqlite")
    assert (tmp_path / "died").exists()
    assert run.code == 1, run.stderr
    assert {e["status"] for e in run.done().values()} == {"scanned"}


def test_a_worker_without_the_mirror_makes_its_own(org: Org, tmp_path: Path) -> None:
    """A Dask worker on another machine, without a shared mirror folder, mirrors the repository itself."""
    from scanner.sweep import tasks as sweep_tasks
    from scanner.pipeline.blobs import BlobTask
    from scanner.pipeline.engine import EngineSettings
    from scanner.pipeline.pool import EngineSpec
    from scanner.rules.load import load_rules
    from scanner.sources.git import Repo
    from scanner.sweep.driver import identity_of
    from scanner.sweep.targets import RepoSpec

    alpha = org.repos["alpha"]
    spec = RepoSpec("alpha", url=alpha.path.as_uri())
    target = sweep_tasks.Target(identity_of(spec), spec, str(tmp_path / "this-machine-mirrors"))
    blob = alpha.blob("HEAD:deploy/.env")
    size = int(alpha.git("cat-file", "-s", blob))
    task = sweep_tasks.ScanTask(Repo(str(tmp_path / "driver-machine" / "alpha.git"), None),
                                ((BlobTask(blob, size, "deploy/.env"),),), target)
    engine = EngineSpec(load_rules().rules, EngineSettings(engine="ahocorasick"))
    scanned = sweep_tasks.run(task, sweep_tasks.SweepSpec(engine, "test"))
    assert [b.sha for b in scanned.blobs] == [blob] and len(scanned.blobs[0].findings) == 1
    assert any(p.name.endswith(".git") for p in (tmp_path / "this-machine-mirrors").iterdir())


def test_a_larger_max_file_size_rescans_what_was_skipped(org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    small = sweep(listing, "--max-file-size", "40", datastore=ds)  # the settings files are bigger than that
    assert not [f for f in load_finding_objects(ds) if f["path"] == "src/settings.py"]
    again = sweep(listing, datastore=ds)
    assert {e["status"] for e in again.done().values()} == {"scanned"}  # not "unchanged": the limit changed
    # only what the limit skipped is scanned now: every blob once over the two sweeps
    assert again.summary["blobs_scanned"] > 0
    assert small.summary["blobs_scanned"] + again.summary["blobs_scanned"] == len(unique_blobs(*org.repos.values()))
    assert [f for f in load_finding_objects(ds) if f["path"] == "src/settings.py"]


def test_every_task_kind_has_its_result_handler() -> None:
    from typing import get_args

    from scanner.sweep.driver import ON_RESULT, Kind

    assert set(ON_RESULT) == set(get_args(Kind))
