"""The walk of every ref started before the scanner loads (``credsprawl history`` with no commits
chosen): the same report as a walk started by the scan, and a started walk the scan does not take
(another repository, commits chosen, a failure before the scan) is stopped, never left running."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess
from scanner import api
from scanner.errors import UsageError
from scanner.sources import gitlog


def _repo(path: Path) -> GitRepo:
    rng = random.Random(4)
    repo = GitRepo(path)
    for n in range(12):
        repo.write(f"src/mod_{n % 4}.py", f"VALUE_{n} = {n}\n" + (f"TOKEN = '{fakecreds.github_token(rng)}'\n" if n % 5 == 0 else ""))
        repo.commit(f"change {n}")
    repo.git("checkout", "-q", "-b", "side", "HEAD~3")
    repo.write("side.env", f"SLACK_TOKEN={fakecreds.slack_bot_token(rng)}\n")
    repo.commit("on a side branch")
    repo.git("checkout", "-q", "main")
    return repo


def _findings(report: api.Report) -> list[tuple[str, str, str, str]]:
    return [(f.rule_id, f.origin.path, f.fingerprint, dict(f.origin.extra).get("commit", "")) for f in report.findings]


def test_an_early_walk_gives_the_report_of_a_walk_the_scan_starts(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    request = api.history_request(str(repo.path), jobs=1)
    plain = api.report_of_history(request)[0]
    early = gitlog.start_walk(str(repo.path))
    taken = api.report_of_history(request, early=early)[0]
    assert _findings(plain) and _findings(taken) == _findings(plain)
    assert {f.origin.path for f in taken.findings} >= {"side.env", "src/mod_0.py"}
    assert early.log.proc.returncode == 0  # read to its end by the scan


@pytest.mark.parametrize("choice", [{"branches": ("main",)}, {"since": "HEAD~2"}])
def test_a_walk_the_request_does_not_want_is_stopped(tmp_path: Path, choice: dict[str, object]) -> None:
    repo = _repo(tmp_path / "repo")
    request = api.history_request(str(repo.path), jobs=1, **choice)  # type: ignore[arg-type]
    early = gitlog.start_walk(str(repo.path))
    report = api.report_of_history(request, early=early)[0]
    assert _findings(report) == _findings(api.report_of_history(request)[0])
    assert early.log.proc.poll() is not None and early.log.proc.stdout is not None and early.log.proc.stdout.closed


def test_a_walk_of_another_repository_is_stopped_and_not_used(tmp_path: Path) -> None:
    repo, other = _repo(tmp_path / "repo"), GitRepo(tmp_path / "other")
    other.write("a.txt", "nothing here\n")
    other.commit("one")
    early = gitlog.start_walk(str(other.path))
    report = api.report_of_history(api.history_request(str(repo.path), jobs=1), early=early)[0]
    assert "side.env" in {f.origin.path for f in report.findings}
    assert early.log.proc.poll() is not None and early.log.proc.stdout is not None and early.log.proc.stdout.closed


def test_closing_a_walk_nobody_read_stops_git(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    early = gitlog.start_walk(str(repo.path))
    early.close()
    early.close()  # twice is fine
    assert early.log.proc.poll() is not None
    with pytest.raises(UsageError, match="not a git repository"):
        gitlog.start_walk(str(tmp_path))


def test_the_command_line_scans_every_ref_the_same_with_its_early_walk(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    code, out, err = cli_inprocess("history", str(repo.path), "-f", "json", "-q", "--jobs", "1")
    assert code == 1, err
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert paths == {f.origin.path for f in api.report_of_history(api.history_request(str(repo.path), jobs=1))[0].findings}
    # a failure before the scan (a config file that does not load) leaves no git behind
    (repo.path / ".credsprawl.toml").write_text("[rules\n")
    code, _, err = cli_inprocess("history", str(repo.path), "-q")
    assert code == 2 and "credsprawl: error:" in err
