"""The scan command's options, config files and the rules commands, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli, scan_json
from fixtures import fakecreds


def _tree(root: Path, rng, files: int = 40) -> None:
    for i in range(files):
        d = root / f"pkg{i % 5}" / f"mod{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        lines = [f"def f{j}(x):\n    return x + {j}\n" for j in range(50)]
        if i % 4 == 0:
            lines.insert(i % 50, f"TOKEN = '{fakecreds.github_token(rng)}'\n")
        if i % 7 == 0:
            lines.insert(3, f'db_password = "{fakecreds.password(rng)}"\n')
        (d / f"file{i}.py").write_text("".join(lines))


def test_jobs_1_and_jobs_2_give_identical_reports(tmp_path: Path, rng) -> None:
    _tree(tmp_path, rng)
    _, one = scan_json(str(tmp_path), "--jobs", "1")
    _, two = scan_json(str(tmp_path), "--jobs", "2")
    assert len(one["findings"]) >= 10
    assert one["findings"] == two["findings"]
    assert one["summary"]["files_scanned"] == two["summary"]["files_scanned"] == 40


def test_exclude_ignore_file_and_gitignore(tmp_path: Path, gh: str) -> None:
    for name in ("keep.py", "skip.log", "vendor/lib.py", "build/out.py", "gen/x.py"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"t = '{gh}'\n")
    (tmp_path / ".credsprawlignore").write_text("vendor/\n")
    (tmp_path / ".gitignore").write_text("build/\n")
    _, report = scan_json(str(tmp_path), "--exclude", "*.log")
    assert sorted(f["path"] for f in report["findings"]) == ["build/out.py", "gen/x.py", "keep.py"]
    _, report = scan_json(str(tmp_path), "--exclude", "*.log", "--respect-gitignore")
    assert sorted(f["path"] for f in report["findings"]) == ["gen/x.py", "keep.py"]
    skipped = {s["path"]: s["reason"] for s in report["summary"]["skipped"]}
    assert skipped == {"build": "ignored", "skip.log": "ignored", "vendor": "ignored"}


def test_max_file_size(tmp_path: Path, gh: str) -> None:
    (tmp_path / "big.txt").write_text("x\n" * 2000 + f"t = '{gh}'\n")
    _, report = scan_json(str(tmp_path), "--max-file-size", "1KB")
    assert report["findings"] == [] and report["summary"]["skipped"][0]["reason"] == "too-large"
    _, report = scan_json(str(tmp_path), "--max-file-size", "0")
    assert len(report["findings"]) == 1


def test_config_file_disables_allowlists_and_adds_rules(tmp_path: Path, gh: str) -> None:
    (tmp_path / "a.py").write_text(f"t = '{gh}'\ndb_password = 'Zq8!kP2#vL9x'\ncustom = 'tok_Zk3mQ9pLw2Xv'\n")
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "b.py").write_text(f"t = '{gh}'\n")
    (tmp_path / "extra.toml").write_text(
        '[[rules]]\nid = "acme-token"\nname = "Acme token"\nkind = "token"\nprovider = "acme"\n'
        'severity = "medium"\nconfidence = "high"\nkeywords = ["tok_"]\n'
        "regex = '''\\b(?P<secret>tok_[A-Za-z0-9]{12})\\b'''\n"
        'negatives = ["tok_short"]\nexamples = [{text = "x = tok_Zk3mQ9pLw2Xv", secret = "tok_Zk3mQ9pLw2Xv"}]\n'
    )
    _, report = scan_json(str(tmp_path), "--exclude", "extra.toml")
    assert {f["rule_id"] for f in report["findings"]} == {"github-pat-classic", "generic-password"}
    (tmp_path / ".credsprawl.toml").write_text(
        'rules = ["extra.toml"]\ndisable = ["generic-password"]\n'
        '[allowlist]\npaths = ["fixtures/**", "extra.toml", ".credsprawl.toml"]\n'
    )
    _, report = scan_json(str(tmp_path))
    assert sorted((f["path"], f["rule_id"]) for f in report["findings"]) == [
        ("a.py", "acme-token"), ("a.py", "github-pat-classic")]
    (tmp_path / ".credsprawl.toml").write_text(
        '[allowlist]\npaths = ["fixtures/**", "extra.toml", ".credsprawl.toml"]\n'
        f'regexes = ["^{gh[:8]}"]\nstopwords = ["zq8!"]\n'
    )
    _, report = scan_json(str(tmp_path))
    assert report["findings"] == []


def test_pyproject_tool_section_and_min_confidence(tmp_path: Path, gh: str) -> None:
    (tmp_path / "a.py").write_text(f"t = '{gh}'\ndb_password = 'Zq8!kP2#vL9x'\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.credsprawl]\nmin_confidence = "high"\n')
    _, report = scan_json(str(tmp_path))
    assert [f["rule_id"] for f in report["findings"]] == ["github-pat-classic"]
    _, report = scan_json(str(tmp_path), "--min-confidence", "low")
    assert len(report["findings"]) == 2


def test_output_file_and_formats(tmp_path: Path, gh: str) -> None:
    (tmp_path / "a.py").write_text(f"t = '{gh}'\n")
    out = tmp_path / "out" 
    out.mkdir()
    for fmt in ("text", "json", "jsonl", "csv", "sarif"):
        proc = run_cli("scan", str(tmp_path / "a.py"), "-f", fmt, "-o", str(out / f"r.{fmt}"), "-q")
        assert proc.returncode == 1 and proc.stdout == ""
        body = (out / f"r.{fmt}").read_text()
        assert gh not in body and gh[:6] in body
    shown = run_cli("scan", str(tmp_path / "a.py"), "-f", "jsonl", "--show-secrets")
    assert json.loads(shown.stdout)["secret"] == gh
    bad = run_cli("scan", str(tmp_path), "-o", str(tmp_path / "missing-dir" / "r.json"))
    assert bad.returncode == 2 and "cannot write" in bad.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("scan", "--jobs", "0", str(tmp_path)).returncode == 2
    assert run_cli("scan", "--format", "xml", str(tmp_path)).returncode == 2
    assert run_cli("frobnicate").returncode == 2
    proc = run_cli("scan", str(tmp_path), "--disable", "no-such-rule")
    assert proc.returncode == 2 and "no-such-rule" in proc.stderr


def test_rules_list_and_check() -> None:
    listing = run_cli("rules", "list", "--format", "json")
    rows = json.loads(listing.stdout)
    assert listing.returncode == 0 and len(rows) >= 3
    assert {"id", "name", "kind", "provider", "severity", "keywords"} <= set(rows[0])
    check = run_cli("rules", "check")
    assert check.returncode == 0 and check.stdout.startswith(f"ok: {len(rows)} rules")


def test_rules_check_reports_failing_example(tmp_path: Path) -> None:
    bad = tmp_path / "r.toml"
    bad.write_text(
        '[[rules]]\nid = "acme-token"\nname = "Acme"\nkind = "token"\nprovider = "acme"\n'
        'severity = "medium"\nconfidence = "high"\nkeywords = ["tok_"]\n'
        "regex = '''\\b(?P<secret>tok_[A-Za-z0-9]{12})\\b'''\n"
        'negatives = ["tok_Zk3mQ9pLw2Xv"]\nexamples = [{text = "tok_short", secret = "tok_short"}]\n'
    )
    proc = run_cli("rules", "check", str(bad))
    assert proc.returncode == 2
    assert "acme-token" in proc.stderr and "example not found" in proc.stderr and "negative matched" in proc.stderr
