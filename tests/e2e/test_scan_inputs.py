"""Bad and unusual input gets a clear answer and loses nothing."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import run_cli, scan_json
from fixtures import fakecreds


def secrets_of(report: dict) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["path"], f["start_line"]) for f in report["findings"]]


def test_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = run_cli("scan", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "does not exist" in proc.stderr and "nope" in proc.stderr


def test_clean_tree_exits_0_and_findings_exit_1(tmp_path: Path, gh: str) -> None:
    (tmp_path / "clean.py").write_text("print('hello')\n")
    assert run_cli("scan", str(tmp_path), "-q").returncode == 0
    (tmp_path / "dirty.py").write_text(f"TOKEN = '{gh}'\n")
    assert run_cli("scan", str(tmp_path), "-q").returncode == 1
    assert run_cli("scan", str(tmp_path), "-q", "--exit-zero").returncode == 0


def test_unusual_encodings_are_all_found(tmp_path: Path, gh: str) -> None:
    body = f"first line\nTOKEN = '{gh}'\n"
    (tmp_path / "utf16bom.txt").write_bytes(b"\xff\xfe" + body.encode("utf-16-le"))
    (tmp_path / "utf16le.txt").write_bytes(body.encode("utf-16-le"))
    (tmp_path / "utf16be.txt").write_bytes(body.encode("utf-16-be"))
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 \xff\xfe bad utf8\n".encode("latin-1") + f"TOKEN = '{gh}'\n".encode())
    (tmp_path / "crlf.txt").write_bytes(body.replace("\n", "\r\n").encode())
    (tmp_path / "bom8.txt").write_bytes(b"\xef\xbb\xbf" + body.encode())
    code, report = scan_json(str(tmp_path))
    assert code == 1
    found = {(f["path"], f["start_line"], f["start_column"]) for f in report["findings"]}
    for name in ("utf16bom.txt", "utf16le.txt", "utf16be.txt", "latin1.txt", "crlf.txt", "bom8.txt"):
        assert (name, 2, 10) in found, (name, found)
    assert {f["secret"] for f in report["findings"]} == {report["findings"][0]["secret"]}


def test_binary_and_empty_files_are_skipped_with_reason(tmp_path: Path, gh: str) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02\x03" * 100 + gh.encode() + b"\x00" * 100)
    (tmp_path / "real.txt").write_text(f"t={gh}\n")
    code, report = scan_json(str(tmp_path))
    assert code == 1
    assert secrets_of(report) == [("github-pat-classic", "real.txt", 1)]
    reasons = {s["path"]: s["reason"] for s in report["summary"]["skipped"]}
    assert reasons == {"empty.txt": "empty", "blob.bin": "binary"}


def test_long_single_line_file_is_scanned(tmp_path: Path, gh: str, rng) -> None:
    minified = "".join(f"var a{i}=function(t){{return t*{i}}};" for i in range(300_000))
    assert len(minified) > 10_000_000
    (tmp_path / "app.min.js").write_text(minified[:5_000_000] + f'k="{gh}";' + minified[5_000_000:] + "\n")
    code, report = scan_json(str(tmp_path))
    assert code == 1
    [finding] = report["findings"]
    assert finding["start_line"] == 1 and finding["start_column"] == 5_000_000 + 4
    assert len(finding["line"]) < 400  # the context line is cut around the secret


def test_symlinks_are_not_followed_by_default_and_loops_end(tmp_path: Path, gh: str) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text(f"t={gh}\n")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    (tmp_path / "link.txt").symlink_to(tmp_path / "d" / "a.txt")
    code, report = scan_json(str(tmp_path))
    assert secrets_of(report) == [("github-pat-classic", "d/a.txt", 1)]
    reasons = {s["path"]: s["reason"] for s in report["summary"]["skipped"]}
    assert reasons == {"d/loop": "symlink", "link.txt": "symlink"}
    code, report = scan_json(str(tmp_path), "--follow-symlinks")
    paths = sorted(f["path"] for f in report["findings"])
    assert paths == ["d/a.txt", "link.txt"]
    assert any(s["reason"] == "symlink-loop" for s in report["summary"]["skipped"])


def test_fifo_is_skipped_without_blocking(tmp_path: Path, gh: str) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.txt").write_text(f"t={gh}\n")
    code, report = scan_json(str(tmp_path))
    assert secrets_of(report) == [("github-pat-classic", "a.txt", 1)]
    assert report["summary"]["skipped"] == [
        {"path": "pipe", "reason": "special", "detail": "not a regular file (FIFO, socket or device)"}
    ]


def _scan_as_unprivileged(base: Path, out: Path) -> int:
    """Run the real CLI in a forked child that can no longer read mode-000 files (root reads
    everything, so the child drops to ``nobody`` once every module it needs is imported)."""
    import json  # noqa: F401 - imported before privileges drop
    import scanner.cli.app
    import scanner.report
    import scanner.pipeline.scan  # noqa: F401

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 3
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            code = scanner.cli.app.main(["scan", str(base), "-f", "json", "-q", "--list-skipped", "--jobs", "1", "-o", str(out),
                                     "--exclude", out.name])
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_unreadable_file_is_a_warning_and_other_findings_survive(gh: str) -> None:
    import json

    base = Path(tempfile.mkdtemp(prefix="credsprawl-perm-"))
    try:
        base.chmod(0o777)
        (base / "secret.txt").write_text(f"t={gh}\n")
        (base / "locked.txt").write_text(f"t={gh}\n")
        (base / "locked.txt").chmod(0)
        out = base / "report.json"
        out.touch()
        out.chmod(0o666)
        assert _scan_as_unprivileged(base, out) == 1
        report = json.loads(out.read_text())
        assert secrets_of(report) == [("github-pat-classic", "secret.txt", 1)]
        skipped = [(s["path"], s["reason"]) for s in report["summary"]["skipped"]]
        assert ("locked.txt", "unreadable") in skipped
        assert "ermission" in next(s["detail"] for s in report["summary"]["skipped"] if s["path"] == "locked.txt")
    finally:
        for p in base.iterdir():
            p.chmod(0o644)
            p.unlink()
        base.rmdir()


def test_file_deleted_during_scan_is_counted_not_fatal(tmp_path: Path, gh: str) -> None:
    from scanner.pipeline.route import ContentOptions
    from scanner.pipeline.engine import EngineSettings
    from scanner.pipeline.pool import EngineSpec
    from scanner.rules.load import load_rules
    from scanner.sources.filesystem import FileItem, FileWalker, WalkOptions
    from scanner.pipeline.files import WorkSpec, plan, run, summarise

    for i in range(3):
        (tmp_path / f"f{i}.txt").write_text(f"t={gh}\n")
    items = [e for e in FileWalker(WalkOptions()).walk([str(tmp_path)]) if isinstance(e, FileItem)]
    units, skips = plan(items, ContentOptions())
    (tmp_path / "f1.txt").unlink()  # gone between the walk and the read
    spec = WorkSpec(EngineSpec(load_rules().rules, EngineSettings()), ContentOptions())
    findings, summary = summarise(run(units, spec, jobs=1), skips, 0.1)
    assert sorted(f.path for f in findings) == ["f0.txt", "f2.txt"]
    assert [(s.path, s.reason) for s in summary.skipped] == [("f1.txt", "vanished")]


def test_stdin_is_scanned(gh: str) -> None:
    proc = run_cli("scan", "-", "-f", "json", "-q", stdin=f"a\nb={gh}\n".encode())
    assert proc.returncode == 1
    import json

    [f] = json.loads(proc.stdout)["findings"]
    assert (f["path"], f["start_line"]) == ("<stdin>", 2)


def test_malformed_rule_file_names_file_and_rule(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[rules]]\nid = "my-rule"\nname = "x"\nkind = "token"\nprovider = "me"\nseverity = "high"\n'
        'confidence = "high"\nkeywords = ["tok_"]\nregex = \'\'\'(?P<secret>tok_[a-z]{10\'\'\'\n'
        'negatives = ["x"]\nexamples = [{text = "tok_abcdefghij", secret = "tok_abcdefghij"}]\n'
    )
    proc = run_cli("scan", str(tmp_path), "--rules", str(bad))
    assert proc.returncode == 2
    assert "bad.toml" in proc.stderr and "my-rule" in proc.stderr and "does not compile" in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    not_toml = tmp_path / "broken.toml"
    not_toml.write_text("[[rules]\nid=")
    proc = run_cli("rules", "check", str(not_toml))
    assert proc.returncode == 2 and "broken.toml" in proc.stderr and "not valid TOML" in proc.stderr


def test_malformed_config_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".credsprawl.toml").write_text('min_confidence = "extreme"\n')
    proc = run_cli("scan", str(tmp_path))
    assert proc.returncode == 2 and ".credsprawl.toml" in proc.stderr and "min_confidence" in proc.stderr
    (tmp_path / ".credsprawl.toml").write_text('unknown_key = 1\n')
    proc = run_cli("scan", str(tmp_path))
    assert proc.returncode == 2 and "unknown key" in proc.stderr


def test_pathological_regex_is_reported_and_other_findings_kept(tmp_path: Path, gh: str) -> None:
    rule = tmp_path / "slow.toml"
    rule.write_text(
        '[[rules]]\nid = "slow-rule"\nname = "slow"\nkind = "token"\nprovider = "me"\nseverity = "low"\n'
        'confidence = "low"\nkeywords = ["aaaa"]\nwindow = 20000\n'
        'regex = \'\'\'(?P<secret>(?:a|aa)+b)\'\'\'\n'
        'negatives = ["c"]\nexamples = [{text = "aab", secret = "aab"}]\n'
    )
    (tmp_path / "trap.txt").write_text("a" * 5000 + "\n")
    (tmp_path / "ok.txt").write_text(f"t={gh}\n")
    # Hyperscan's whole-pattern prefilter already knows this input cannot match, so the regex never
    # runs there: the keyword backend is the one that meets the pathological case.
    proc = run_cli("scan", str(tmp_path), "--rules", str(rule), "--regex-timeout", "0.2", "-f", "json", "-q",
                   "--exclude", "slow.toml", "--engine", "ahocorasick")
    assert proc.returncode == 1, proc.stderr
    import json

    report = json.loads(proc.stdout)
    assert secrets_of(report) == [("github-pat-classic", "ok.txt", 1)]
    assert any("slow-rule" in w and "trap.txt" in w for w in report["summary"]["warnings"])
