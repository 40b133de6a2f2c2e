"""One Settings value for every scanning command: a team's gitleaks rules (``[extend] gitleaks`` in
``.credsprawl.toml``, or ``--gitleaks-config``) and the shared filter options mean the same under
``scan``, ``history``, ``staged``, the GitHub Action, ``ci github`` and ``sweep``."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess
from sweeputil import sweep

GITLEAKS = """\
[[rules]]
id = "team-token"
description = "Our team's internal token"
regex = '''teamtok_[a-z0-9]{24}'''
keywords = ["teamtok_"]
"""


def _team_token(rng: random.Random) -> str:
    return "teamtok_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))


@pytest.fixture
def team(tmp_path: Path) -> tuple[GitRepo, str]:
    """A repository whose config extends a gitleaks file with one rule, and a commit holding its token."""
    token = _team_token(random.Random(14))
    repo = GitRepo(tmp_path / "work")
    repo.write("ci/gitleaks.toml", GITLEAKS)
    repo.write(".credsprawl.toml", '[extend]\ngitleaks = "ci/gitleaks.toml"\n')
    repo.commit("config")
    repo.write("app.env", f"TEAM={token}\n")
    repo.commit("token")
    return repo, token


def _rules(stdout: str) -> list[str]:
    doc, _ = json.JSONDecoder().raw_decode(stdout)
    return [f["rule_id"] for f in doc["findings"]]


def _cli(*args: str) -> list[str]:
    code, out, err = cli_inprocess(*args, "-f", "json", "--engine", "ahocorasick")
    assert code in (0, 1), err
    return _rules(out)


def test_config_gitleaks_rules_apply_to_scan_history_and_staged(team: tuple[GitRepo, str]) -> None:
    repo, _ = team
    found = _cli("scan", str(repo.path))
    assert len(found) == 1 and "team-token" in found[0]
    assert _cli("history", str(repo.path)) == found
    repo.write("more.env", f"TEAM={_team_token(random.Random(15))}\n")
    repo.git("add", "more.env")
    assert _cli("staged", str(repo.path)) == found


def test_gitleaks_config_flag_on_every_git_command(tmp_path: Path) -> None:
    config = tmp_path / "gitleaks.toml"
    config.write_text(GITLEAKS)
    repo = GitRepo(tmp_path / "work")
    repo.write("app.env", f"TEAM={_team_token(random.Random(16))}\n")
    repo.commit("token")
    flag = ("--gitleaks-config", str(config))
    found = _cli("scan", str(repo.path), *flag)
    assert len(found) == 1
    assert _cli("history", str(repo.path), *flag) == found
    repo.write("b.env", f"TEAM={_team_token(random.Random(17))}\n")
    repo.git("add", "b.env")
    assert _cli("staged", str(repo.path), *flag) == found


def _action(repo: GitRepo, tmp_path: Path, **inputs: str) -> list[str]:
    env = {"GITHUB_EVENT_NAME": "schedule", "GITHUB_WORKSPACE": str(repo.path), "RUNNER_TEMP": str(tmp_path),
           "INPUT_MODE": "full", "INPUT_FORMAT": "json", "INPUT_UPLOAD_SARIF": "false",
           **{f"INPUT_{k.upper()}": v for k, v in inputs.items()}}
    code, out, err = cli_inprocess("action", env=env)
    assert code in (0, 1), err
    return _rules(out)


def test_the_action_applies_the_config_gitleaks_rules(team: tuple[GitRepo, str], tmp_path: Path) -> None:
    repo, _ = team
    assert _action(repo, tmp_path) == _cli("scan", str(repo.path)) != []


def test_the_action_takes_the_shared_options_as_inputs(team: tuple[GitRepo, str], tmp_path: Path) -> None:
    repo, _ = team
    [rule] = _cli("scan", str(repo.path))
    assert _action(repo, tmp_path, disable=rule) == []
    assert _action(repo, tmp_path, exclude="*.env") == []
    with pytest.raises(AssertionError):
        _action(repo, tmp_path, min_confidence="sometimes")


def test_sweep_applies_gitleaks_rules_and_excludes(team: tuple[GitRepo, str], tmp_path: Path) -> None:
    repo, _ = team
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{repo.path}\n")
    [rule] = _cli("scan", str(repo.path))
    run = sweep(str(listing), "--config", str(repo.path / ".credsprawl.toml"), datastore=tmp_path / "a.sqlite", jobs="1")
    assert run.code == 1, run.stderr
    assert run.summary["findings"] == 1
    plain = tmp_path / "gitleaks.toml"
    plain.write_text(GITLEAKS)
    empty = tmp_path / "empty.toml"  # so only the flag brings the rule
    empty.write_text("")
    run = sweep(str(listing), "--config", str(empty), "--gitleaks-config", str(plain),
                datastore=tmp_path / "b.sqlite", jobs="1")
    assert run.code == 1 and run.summary["findings"] == 1, run.stderr
    run = sweep(str(listing), "--config", str(empty), "--gitleaks-config", str(plain), "--exclude", "*.env",
                datastore=tmp_path / "c.sqlite", jobs="1")
    assert run.code == 0 and run.summary["findings"] == 0, run.stderr
    code, out, _ = cli_inprocess("report", "--datastore", str(tmp_path / "b.sqlite"), "--format", "json", "--quiet")
    assert code == 1 and "team-token" in out


def test_history_and_staged_exclude_config_allow_paths(team: tuple[GitRepo, str]) -> None:
    repo, _ = team
    repo.write(".credsprawl.toml", '[extend]\ngitleaks = "ci/gitleaks.toml"\n[allowlist]\npaths = ["*.env"]\n')
    repo.commit("allow env files")
    assert _cli("scan", str(repo.path)) == _cli("history", str(repo.path)) == []


# ---- sweep: each repository's own config, at its default-branch tip --------------------------------


def _sweep_one(repo: GitRepo, tmp_path: Path, name: str, *args: str) -> Any:
    listing = tmp_path / f"{name}.txt"
    listing.write_text(f"{repo.path}\n")
    return sweep(str(listing), *args, datastore=tmp_path / f"{name}.sqlite", jobs="1")


def test_sweep_reads_each_repository_config_at_its_tip(team: tuple[GitRepo, str], tmp_path: Path) -> None:
    repo, _ = team
    run = _sweep_one(repo, tmp_path, "own")
    assert run.code == 1 and run.summary["findings"] == 1, run.stderr
    # --config overrides it: an empty config, so the team's rule is not loaded
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    run = _sweep_one(repo, tmp_path, "override", "--config", str(empty))
    assert run.code == 0 and run.summary["findings"] == 0, run.stderr
    # what the working tree says (uncommitted) does not count: the tip's config does
    (repo.path / ".credsprawl.toml").write_text("")
    run = _sweep_one(repo, tmp_path, "tip")
    assert run.code == 1 and run.summary["findings"] == 1, run.stderr


def test_sweep_applies_a_repository_config_allowlist(tmp_path: Path) -> None:
    rng = random.Random(18)
    repo = GitRepo(tmp_path / "work")
    repo.write(".credsprawl.toml", '[allowlist]\npaths = ["*.env"]\n')
    repo.write("b.env", f"GH={fakecreds.github_token(rng)}\n")
    repo.write("keep.py", f"GH = '{fakecreds.github_token(rng)}'\n")
    repo.commit("two tokens, one in an allowlisted file")
    run = _sweep_one(repo, tmp_path, "allow")
    assert run.code == 1 and run.summary["findings"] == 1, run.stderr


def test_a_repository_config_may_not_name_files_outside_it(team: tuple[GitRepo, str], tmp_path: Path) -> None:
    repo, _ = team
    outside = tmp_path / "outside.toml"
    outside.write_text(GITLEAKS)
    for named in (str(outside), "../outside.toml", "../../outside.toml"):
        repo.write(".credsprawl.toml", f'[extend]\ngitleaks = "{named}"\n')
        repo.commit("point outside")
        run = _sweep_one(repo, tmp_path, f"out{len(named)}")
        assert run.code == 2, run.stderr
        [event] = run.done().values()
        assert event["status"] == "failed" and "inside the repository" in event["reason"], event
        assert event["findings"] == 0  # the sweep's own rules ran; the outside file was never loaded
