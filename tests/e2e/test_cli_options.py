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


# ------------------------------------------------------------------------------------------------
# habits, colour, quiet and the summary line


def _walk(parser, path=()):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                assert helps.get(name), f"command {' '.join((*path, name))} has no help"
                yield from _walk(sub, (*path, name))
        else:
            yield path, action


def test_every_option_and_argument_has_help() -> None:
    from scanner.cli.app import build_parser

    missing = [f"{' '.join(path)} {'/'.join(a.option_strings) or a.dest}" for path, a in _walk(build_parser())
               if not a.help]
    assert missing == []


def test_gitleaks_habits_get_one_line_naming_the_credsprawl_option(tmp_path: Path) -> None:
    from scanner.cli.app import build_parser
    from scanner.cli.hints import COMMANDS, OPTIONS

    ours = {s for _path, a in _walk(build_parser()) for s in a.option_strings}
    assert not set(OPTIONS) & ours  # a hint never shadows a real option
    for option, args in [("--report-format", ["json"]), ("--redact", []), ("--no-git", []), ("--exit-code", ["0"]),
                         ("--log-opts", ["--all"]), ("--since-commit", ["abc123"]), ("--report-path", ["r.json"])]:
        proc = run_cli("scan", str(tmp_path), option, *args)
        assert proc.returncode == 2, option
        assert proc.stderr.count("\n") == 1 and "usage:" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"credsprawl: {option} is gitleaks' option; "), proc.stderr
    assert "use -f/--format" in run_cli("history", "--report-format=sarif").stderr
    assert "--show-secrets" in run_cli("scan", ".", "--redact").stderr
    proc = run_cli("detect", "--source", ".")
    assert proc.returncode == 2 and proc.stderr == f"credsprawl: detect is a gitleaks command; {COMMANDS['detect']}\n"
    # after --, the words are paths, not options
    (tmp_path / "--redact").write_text("x = 1\n")
    after = run_cli("scan", "-q", "--", "--redact", cwd=tmp_path)
    assert after.returncode == 0 and after.stderr == "", after.stderr


def _tty_run(*args: str, env: dict[str, str]) -> str:
    """``credsprawl ARGS`` with stdout on a pseudo-terminal; what it printed there."""
    import os
    import pty
    import subprocess
    import sys

    from conftest import ROOT

    main, side = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "scanner", *args], stdout=side, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", **env})
    os.close(side)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_no_color_environment_variable_is_honoured(tmp_path: Path, gh: str) -> None:
    import os

    (tmp_path / "a.py").write_text(f"t = '{gh}'\n")
    env = {k: "" for k in ("NO_COLOR", "FORCE_COLOR") if k in os.environ}
    coloured = _tty_run("scan", str(tmp_path / "a.py"), env={**env})
    assert "\x1b[" in coloured and "github-pat-classic" in coloured
    plain = _tty_run("scan", str(tmp_path / "a.py"), env={**env, "NO_COLOR": "1"})
    assert "\x1b[" not in plain and "github-pat-classic" in plain


def test_quiet_prints_only_the_findings(tmp_path: Path, gh: str) -> None:
    (tmp_path / "a.py").write_text(f"t = '{gh}'\n")
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "b.py").write_text("x = 1\n")
    loud = run_cli("scan", str(tmp_path / "a.py"))
    assert "Files scanned" in loud.stdout
    quiet = run_cli("scan", str(tmp_path / "a.py"), "-q")
    assert quiet.returncode == 1 and "github-pat-classic" in quiet.stdout
    assert "Files scanned" not in quiet.stdout and "Time" not in quiet.stdout and quiet.stderr == ""
    clean = run_cli("scan", str(tmp_path / "clean"), "-q")
    assert clean.returncode == 0 and clean.stdout == "" and clean.stderr == ""


def test_output_file_says_one_line_on_stderr(tmp_path: Path, gh: str) -> None:
    """CI logs (no terminal) get one count line when the report goes to a file; -q drops it."""
    (tmp_path / "a.py").write_text(f"t = '{gh}'\n")
    report = tmp_path / "r.sarif"
    proc = run_cli("scan", str(tmp_path / "a.py"), "-f", "sarif", "-o", str(report))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == f"credsprawl: 1 finding(s) in 1 file(s); report written to {report}\n"
    text = run_cli("scan", str(tmp_path / "a.py"), "-o", str(tmp_path / "r.txt"))
    assert text.stderr.startswith("credsprawl: 1 finding(s) in 1 file(s); report written to ")
    assert run_cli("scan", str(tmp_path / "a.py"), "-o", str(report), "-q").stderr == ""
    # a text report on stdout carries its own summary: no extra line
    assert run_cli("scan", str(tmp_path / "a.py")).stderr == ""


def test_rules_list_is_sorted_by_id() -> None:
    rows = json.loads(run_cli("rules", "list", "--format", "json").stdout)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids) and len(ids) >= 3
    text = run_cli("rules", "list").stdout.splitlines()
    listed = [line.split()[0] for line in text[:-1]]
    assert listed == sorted(listed) == ids
