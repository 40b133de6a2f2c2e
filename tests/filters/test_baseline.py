"""Baselines: known findings by fingerprint, suppressed on every command, stable when code moves."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conftest import run_cli
from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess, history_json


@pytest.fixture
def tokens() -> list[str]:
    rng = random.Random(23)
    return [fakecreds.github_token(rng) for _ in range(3)]


def scan(*args: str) -> tuple[int, dict]:
    code, out, err = cli_inprocess("scan", *args, "-f", "json", "-q", "--jobs", "1")
    assert code in (0, 1), err
    return code, json.loads(out)


def test_create_records_fingerprints_never_secrets(tmp_path: Path, tokens: list[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.py").write_text(f"T = '{tokens[0]}'\n")
    (tree / "b.env").write_text(f"T={tokens[0]}\nU={tokens[1]}\n")
    out = tmp_path / "baseline.json"
    code, _, err = cli_inprocess("baseline", "create", str(tree), "-o", str(out))
    assert code == 0 and "2 finding(s) recorded" in err
    text = out.read_text()
    for t in tokens:
        assert t not in text and t[4:20] not in text
    doc = json.loads(text)
    assert doc["version"] == 1
    entries = {e["fingerprint"]: e for e in doc["findings"]}
    _, report = scan(str(tree))
    assert set(entries) == {f["fingerprint"] for f in report["findings"]}
    shared = next(e for e in doc["findings"] if len(e["paths"]) == 2)
    assert shared["paths"] == ["a.py", "b.env"] and shared["rule_id"] == "github-pat-classic"


def test_scan_with_baseline_reports_only_new_and_survives_moves(tmp_path: Path, tokens: list[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "config.py").write_text(f"T = '{tokens[0]}'\n")
    baseline = tmp_path / "b.json"
    cli_inprocess("baseline", "create", str(tree), "-o", str(baseline), "-q")
    assert scan(str(tree), "--baseline", str(baseline))[0] == 0
    # the code moves: another folder, other lines around it
    (tree / "config.py").unlink()
    (tree / "pkg").mkdir()
    (tree / "pkg" / "settings.py").write_text(f"# moved\n\n\nclass S:\n    T = '{tokens[0]}'\n")
    assert scan(str(tree), "--baseline", str(baseline))[0] == 0
    (tree / "pkg" / "new.py").write_text(f"N = '{tokens[1]}'\n")
    code, report = scan(str(tree), "--baseline", str(baseline))
    assert code == 1 and [f["path"] for f in report["findings"]] == ["pkg/new.py"]
    proc = run_cli("scan", str(tree), "--baseline", str(baseline))
    assert proc.returncode == 1 and "1 known finding(s) suppressed" in proc.stderr


def test_update_adds_and_drops_and_keeps_marks(tmp_path: Path, tokens: list[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "one.py").write_text(f"A = '{tokens[0]}'\n")
    (tree / "two.py").write_text(f"B = '{tokens[1]}'\n")
    baseline = tmp_path / "b.json"
    cli_inprocess("baseline", "create", str(tree), "-o", str(baseline), "-q")
    doc = json.loads(baseline.read_text())
    fp_one = next(e["fingerprint"] for e in doc["findings"] if e["paths"] == ["one.py"])
    fp_two = next(e["fingerprint"] for e in doc["findings"] if e["paths"] == ["two.py"])
    code, _, err = cli_inprocess("baseline", "mark", fp_one[:10], "-b", str(baseline), "--false-positive",
                                 "--reason", "a test fixture")
    assert code == 0 and "marked false-positive" in err
    # one.py and two.py both go away; three.py arrives
    (tree / "one.py").unlink()
    (tree / "two.py").unlink()
    (tree / "three.py").write_text(f"C = '{tokens[2]}'\n")
    code, _, err = cli_inprocess("baseline", "update", str(tree), "-b", str(baseline))
    assert code == 0 and "1 added, 1 dropped, 1 marked kept" in err
    entries = {e["fingerprint"]: e for e in json.loads(baseline.read_text())["findings"]}
    assert fp_two not in entries
    assert entries[fp_one]["mark"] == "false-positive" and entries[fp_one]["reason"] == "a test fixture"
    assert len(entries) == 2
    # the marked one comes back elsewhere: mark and scope unchanged after another update, so it is
    # reported there (the mark was made for one.py: test_baseline_scope.py)
    (tree / "back.py").write_text(f"A = '{tokens[0]}'\n")
    cli_inprocess("baseline", "update", str(tree), "-b", str(baseline), "-q")
    entries = {e["fingerprint"]: e for e in json.loads(baseline.read_text())["findings"]}
    assert entries[fp_one]["mark"] == "false-positive" and entries[fp_one]["paths"] == ["back.py"]
    assert entries[fp_one]["scope"] == {"paths": ["one.py"], "repositories": []}
    assert scan(str(tree), "--baseline", str(baseline))[0] == 1


def test_accepted_risk_and_bad_marks(tmp_path: Path, tokens: list[str]) -> None:
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "x.py").write_text(f"X = '{tokens[0]}'\n")
    baseline = tmp_path / "b.json"
    cli_inprocess("baseline", "create", str(tree), "-o", str(baseline), "-q")
    fp = json.loads(baseline.read_text())["findings"][0]["fingerprint"]
    assert cli_inprocess("baseline", "mark", fp, "-b", str(baseline), "--accepted-risk", "--reason", "rotated")[0] == 0
    assert json.loads(baseline.read_text())["findings"][0]["mark"] == "accepted-risk"
    assert cli_inprocess("baseline", "mark", "abc", "-b", str(baseline), "--accepted-risk", "--reason", "r")[0] == 2
    assert cli_inprocess("baseline", "mark", "f" * 12, "-b", str(baseline), "--accepted-risk", "--reason", "r")[0] == 2


def test_history_with_baseline_and_from_report(tmp_path: Path, tokens: list[str]) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("old.env", f"T={tokens[0]}\n")
    repo.commit("old")
    repo.write("old.env", "T=\n")
    repo.commit("drop")
    report_file = tmp_path / "history.json"
    code, out, _ = cli_inprocess("history", str(repo.path), "-f", "json", "-q", "-o", str(report_file))
    assert code == 1
    baseline = tmp_path / "b.json"
    assert cli_inprocess("baseline", "create", "--from-report", str(report_file), "-o", str(baseline), "-q")[0] == 0
    assert json.loads(baseline.read_text())["findings"][0]["paths"] == ["old.env"]
    assert history_json(repo.path, "--baseline", str(baseline), code=(0,))["findings"] == []
    repo.write("new.env", f"T={tokens[1]}\n")
    repo.commit("new")
    report = history_json(repo.path, "--baseline", str(baseline))
    assert [f["path"] for f in report["findings"]] == ["new.env"]


def test_bad_baseline_files_are_usage_errors(tmp_path: Path) -> None:
    missing = run_cli("scan", str(tmp_path), "--baseline", str(tmp_path / "nope.json"), "-q")
    assert missing.returncode == 2 and "baseline not found" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    proc = run_cli("scan", str(tmp_path), "--baseline", str(broken), "-q")
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    broken.write_text(json.dumps({"findings": [{"fingerprint": "x", "mark": "maybe"}]}))
    proc = run_cli("scan", str(tmp_path), "--baseline", str(broken), "-q")
    assert proc.returncode == 2 and "mark must be one of" in proc.stderr
