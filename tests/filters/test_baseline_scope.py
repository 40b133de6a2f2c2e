"""Baseline marks apply where they were made (paths, and repositories for sweep results) unless marked
global; old marks keep loading; a ``.gitleaksignore`` at the scan root suppresses what it names."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess, history_json
from scanner.filters import baseline
from scanner.filters import gitleaks_ignore
from scanner.model import Confidence, Finding, Origin, Severity, Validation
from scanner.results import ScanReport


@pytest.fixture
def tokens() -> list[str]:
    rng = random.Random(41)
    return [fakecreds.github_token(rng) for _ in range(2)]


def scan(*args: str) -> tuple[int, list[dict], str]:
    code, out, err = cli_inprocess("scan", *args, "-f", "json", "--jobs", "1")
    assert code in (0, 1), err
    return code, json.loads(out)["findings"], err


def _fixture_tree(tmp_path: Path, token: str) -> tuple[Path, Path, str]:
    tree = tmp_path / "tree"
    (tree / "tests").mkdir(parents=True)
    (tree / "tests" / "fixture.py").write_text(f"TOKEN = '{token}'\n")
    b = tmp_path / "b.json"
    assert cli_inprocess("baseline", "create", str(tree), "-o", str(b), "-q")[0] == 0
    fp = json.loads(b.read_text())["findings"][0]["fingerprint"]
    return tree, b, fp


def test_a_mark_applies_only_where_it_was_made(tmp_path: Path, tokens: list[str]) -> None:
    tree, b, fp = _fixture_tree(tmp_path, tokens[0])
    code, _, err = cli_inprocess("baseline", "mark", fp[:12], "-b", str(b), "--accepted-risk", "--reason", "fixture")
    assert code == 0 and "at tests/fixture.py" in err
    assert scan(str(tree), "--baseline", str(b))[0] == 0
    # the same key leaks into production config: reported there, still hidden in the fixture
    (tree / "prod").mkdir()
    (tree / "prod" / "config.py").write_text(f"TOKEN = '{tokens[0]}'\n")
    code, findings, _ = scan(str(tree), "--baseline", str(b))
    assert code == 1 and [f["path"] for f in findings] == ["prod/config.py"]
    # an update records the new place but does not spread the mark to it
    cli_inprocess("baseline", "update", str(tree), "-b", str(b), "-q")
    entry = json.loads(b.read_text())["findings"][0]
    assert entry["paths"] == ["prod/config.py", "tests/fixture.py"] and entry["scope"]["paths"] == ["tests/fixture.py"]
    assert [f["path"] for f in scan(str(tree), "--baseline", str(b))[1]] == ["prod/config.py"]


def test_a_global_mark_applies_everywhere(tmp_path: Path, tokens: list[str]) -> None:
    tree, b, fp = _fixture_tree(tmp_path, tokens[0])
    code, _, err = cli_inprocess("baseline", "mark", fp, "-b", str(b), "--false-positive", "--reason", "not a token",
                                 "--global")
    assert code == 0 and "everywhere" in err
    assert json.loads(b.read_text())["findings"][0]["scope"] == "global"
    (tree / "prod").mkdir()
    (tree / "prod" / "config.py").write_text(f"TOKEN = '{tokens[0]}'\n")
    assert scan(str(tree), "--baseline", str(b))[0] == 0
    # or at paths chosen by hand
    cli_inprocess("baseline", "mark", fp, "-b", str(b), "--false-positive", "--reason", "r", "--path", "prod/config.py")
    assert [f["path"] for f in scan(str(tree), "--baseline", str(b))[1]] == ["tests/fixture.py"]


def test_old_marks_keep_loading(tmp_path: Path, tokens: list[str]) -> None:
    tree, b, fp = _fixture_tree(tmp_path, tokens[0])
    (tree / "prod").mkdir()
    (tree / "prod" / "config.py").write_text(f"TOKEN = '{tokens[0]}'\n")
    old = {"version": 1, "tool": "credsprawl", "findings": [
        {"fingerprint": fp, "rule_id": "github-pat-classic", "paths": ["tests/fixture.py"], "mark": "false-positive",
         "reason": "made before scopes"}]}
    b.write_text(json.dumps(old))
    code, findings, err = scan(str(tree), "--baseline", str(b))  # scoped to the recorded paths
    assert code == 1 and [f["path"] for f in findings] == ["prod/config.py"] and "warning" not in err
    old["findings"][0]["paths"] = []
    b.write_text(json.dumps(old))
    code, findings, err = scan(str(tree), "--baseline", str(b))  # nothing recorded: everywhere, said once
    assert code == 0 and "applies everywhere" in err
    code, _, err = cli_inprocess("baseline", "mark", fp, "-b", str(b), "--false-positive", "--reason", "r")
    assert code == 2 and "--global" in err


def _finding(path: str, repository: str | None, fp: str = "f" * 64, line: int = 1, rule: str = "github-pat-classic",
             commit: str | None = None) -> Finding:
    extra = tuple(sorted({**({"repository": repository} if repository else {}),
                          **({"commit": commit} if commit else {})}.items()))
    return Finding(rule, "x", Origin(path, "git-blob", extra=extra), line, 1, line, 5, fp, Severity.HIGH,
                   Confidence.HIGH, 4.0, Validation.UNCHECKED)


def test_marks_made_on_sweep_results_apply_to_their_repositories() -> None:
    made = baseline.create(baseline.seen_in([_finding("tests/fixture.py", "org/app")]))
    marked, entry = baseline.mark(made, "f" * 12, "accepted-risk", "fixture")
    assert entry.scope_repositories == ("org/app",)
    found = [_finding("tests/fixture.py", "org/app"), _finding("tests/fixture.py", "org/billing"),
             _finding("tests/fixture.py", None)]
    report, hidden = baseline.apply(ScanReport(tuple(found)), marked)
    assert hidden == 2 and [f.origin.root.get("repository") for f in report.findings] == ["org/billing"]
    again = baseline._entry(marked.entries[0].to_json(), "b.json", 0)[0]
    assert again == marked.entries[0]


# -- .gitleaksignore ------------------------------------------------------------------------------


def test_parse_gitleaksignore_lines() -> None:
    c = "a" * 40
    assert gitleaks_ignore.parse_line(f"{c}:src/app.py:github-pat:12") == gitleaks_ignore.Ignore("src/app.py", "github-pat", 12, c)
    assert gitleaks_ignore.parse_line("src/a:b.py:generic-api-key:3") == gitleaks_ignore.Ignore("src/a:b.py", "generic-api-key", 3)
    assert gitleaks_ignore.parse_line("./x.env:aws:1") == gitleaks_ignore.Ignore("x.env", "aws", 1)
    for junk in ("", "# comment", "x.py:rule", "x.py:rule:abc"):
        assert gitleaks_ignore.parse_line(junk) is None


def test_gitleaksignore_at_the_scan_root(tmp_path: Path, tokens: list[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text(f"# header\nA = '{tokens[0]}'\n")
    (tree / "b.py").write_text(f"B = '{tokens[1]}'\n")
    (tree / "c.py").write_text(f"C = '{tokens[1]}'\n")
    assert len(scan(str(tree))[1]) == 3
    (tree / ".gitleaksignore").write_text(
        "# gitleaks rule ids are not credsprawl's: path and line decide\n"
        "a.py:github-pat:2\n"
        "b.py:stripe-secret-key:1\n"      # a credsprawl rule id that is not this finding's: kept
        "c.py:github-pat-classic:1\n"     # a credsprawl rule id that is: suppressed
        "a.py:github-pat:1\n")            # another line: nothing there
    code, findings, err = scan(str(tree))
    assert code == 1 and [f["path"] for f in findings] == ["b.py"]
    assert "2 finding(s) suppressed by" in err


def test_gitleaksignore_in_history_matches_the_commit(tmp_path: Path, tokens: list[str]) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("app.env", f"T={tokens[0]}\n")
    first = repo.commit("one")
    repo.write("other.env", f"T={tokens[1]}\n")
    repo.commit("two")
    assert len(history_json(repo.path)["findings"]) == 2
    repo.write(".gitleaksignore", f"{first}:app.env:github-pat:1\n{'b' * 40}:other.env:github-pat:1\n")
    repo.commit("ignore")
    assert [f["path"] for f in history_json(repo.path)["findings"]] == ["other.env"]
