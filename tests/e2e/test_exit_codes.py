"""Exit codes in one order, and one error boundary.

1 when anything was found; otherwise 2 when an input that could hold a secret could not be scanned
(unreadable, damaged, over a limit the user did not choose) or the run failed; otherwise 0. A failure
is one line on stderr, never a traceback (docs/exit-codes.md).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from archiveutil import zip_bytes
from conftest import ROOT, run_cli
from gitutil import cli_inprocess


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


# ---- the error boundary ------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_for_the_report_is_one_line_and_exit_2(tmp_path: Path, gh: str) -> None:
    (tmp_path / "a.txt").write_text(f"t = '{gh}'\n")
    for fmt in ("json", "text", "sarif"):
        proc = run_cli("scan", str(tmp_path / "a.txt"), "-q", "-f", fmt, "-o", "/dev/full")
        assert proc.returncode == 2, proc.stderr
        assert "/dev/full" in one_line(proc.stderr) and "No space left" in proc.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_line_and_exit_2(tmp_path: Path, gh: str) -> None:
    (tmp_path / "a.txt").write_text(f"t = '{gh}'\n" * 50)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "scanner", "scan", str(tmp_path / "a.txt"), "-q", "-f", "json"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    assert "standard output" in one_line(proc.stderr) and "No space left" in proc.stderr
    with open("/dev/full", "w") as full:  # a command that prints directly: the same boundary
        proc = subprocess.run([sys.executable, "-m", "scanner", "rules", "list"], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2 and "cannot write the output: No space left" in one_line(proc.stderr)


def _killed(*work: object) -> None:
    """A worker's batch, as the kernel's OOM killer ends it (module level: sent to the pool by name)."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_worker_is_one_line_and_exit_2(tmp_path: Path, gh: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.pipeline import files as workplan
    from scanner.pipeline.pool import pool_context

    if pool_context().get_start_method() != "fork":
        pytest.skip("the dying worker is planted by forking")
    for i in range(60):
        (tmp_path / f"f{i:02}.txt").write_text(f"line {i}\n" + (f"t = '{gh}'\n" if i == 30 else ""))

    monkeypatch.setattr(workplan, "_scan_batch", _killed)
    code, out, err = cli_inprocess("scan", str(tmp_path), "-q", "-f", "json", "--jobs", "2")
    assert code == 2 and out == ""
    assert "worker process died" in one_line(err)


def test_an_unexpected_error_is_one_line_without_its_message(tmp_path: Path, gh: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.pipeline import scan

    (tmp_path / "a.txt").write_text(f"t = '{gh}'\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError(f"invalid literal: {gh!r}")  # a message may quote the input: never shown

    monkeypatch.setattr(scan, "run_scan", broken)
    code, _, err = cli_inprocess("scan", str(tmp_path), "-q")
    line = one_line(err)
    assert code == 2 and "internal error (ValueError at test_exit_codes.py:" in line and gh not in err
    monkeypatch.setenv("CREDSPRAWL_DEBUG", "1")
    code, _, err = cli_inprocess("scan", str(tmp_path), "-q")
    assert code == 2 and "Traceback" in err


@pytest.mark.parametrize("field, value", [
    ("start_line", "NaN"), ("start_line", 1.5), ("start_column", -3), ("end_line", True), ("path", 7),
    ("origin", "a"), ("origin", [{"path": "a", "kind": "file", "extra": {"refs": "many"}}]),
    ("origin", [{"path": "a", "kind": "file", "extra": {"date": 20260101}}]), ("attributes", []),
    ("entropy", "high"), ("decoded", "percent"),
])
def test_report_on_odd_input_is_one_line_and_exit_2(tmp_path: Path, field: str, value: object) -> None:
    finding = {"rule_id": "x", "fingerprint": "f", "path": "a", "start_line": 1,
               "origin": [{"path": "a", "kind": "file", "extra": {}}], field: value}
    (tmp_path / "odd.json").write_text(json.dumps({"version": 1, "findings": [finding]}))
    (tmp_path / "odd.jsonl").write_text(json.dumps(finding) + "\n" + json.dumps(finding) + "\n")
    for name, where in (("odd.json", "odd.json: finding 1"), ("odd.jsonl", "odd.jsonl:1")):
        code, out, err = cli_inprocess("report", str(tmp_path / name), "-q", "-f", "json")
        line = one_line(err)
        assert code == 2 and out == "" and where in line and f"'{field}" in line


@pytest.mark.parametrize("value", ["0", "inf", "-1", "nan", "-inf", "soon", "1e400"])
def test_regex_timeout_must_be_a_positive_number(tmp_path: Path, gh: str, value: str) -> None:
    (tmp_path / "a.txt").write_text(f"t = '{gh}'\n")
    for command in (["scan", str(tmp_path)], ["staged", str(tmp_path)], ["history", str(tmp_path)]):
        proc = run_cli(*command, "-q", f"--regex-timeout={value}")
        assert proc.returncode == 2 and "--regex-timeout" in proc.stderr and "positive" in proc.stderr
        assert "Traceback" not in proc.stderr
    proc = run_cli("scan", str(tmp_path), "-q", "--regex-timeout", "0.5")
    assert proc.returncode == 1


# ---- inputs that cannot be scanned ---------------------------------------------------------------


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder an unprivileged user can enter (pytest's own are private to root)."""
    base = Path(tempfile.mkdtemp(prefix="credsprawl-exit-"))
    base.chmod(0o777)
    try:
        yield base
    finally:
        for p in sorted(base.rglob("*"), reverse=True):
            os.chmod(p, 0o755)
        for p in sorted(base.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        base.rmdir()


def as_unprivileged(base: Path, *args: str) -> tuple[int, str, str]:
    """``credsprawl ARGS`` in a forked child that has dropped to ``nobody`` (root reads everything):
    (exit code, stdout, stderr)."""
    import scanner.cli
    import scanner.report
    import scanner.report.text
    import scanner.pipeline.scan  # noqa: F401 - imported before privileges drop

    out, err = base / "stdout", base / "stderr"
    for p in (out, err):
        p.write_text("")
        p.chmod(0o666)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 3
        try:
            os.dup2(os.open(out, os.O_WRONLY), 1)
            os.dup2(os.open(err, os.O_WRONLY), 2)
            sys.stdout = open(1, "w", closefd=False)
            sys.stderr = open(2, "w", closefd=False)
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            code = scanner.cli.main(list(args))
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.read_text(), err.read_text()


def test_a_path_under_a_folder_that_cannot_be_searched(open_dir: Path, gh: str) -> None:
    locked = open_dir / "locked"
    locked.mkdir()
    (locked / "f.txt").write_text(f"t = '{gh}'\n")
    (open_dir / "good.txt").write_text(f"t = '{gh}'\n")
    locked.chmod(0)
    code, out, err = as_unprivileged(open_dir, "scan", str(locked / "f.txt"), "-q")
    assert code == 2 and "Traceback" not in err
    assert "f.txt: unreadable: Permission denied" in err and "No secrets found." not in out
    code, out, err = as_unprivileged(open_dir, "scan", str(locked), "-q", "-f", "json", "--list-skipped")
    assert code == 2 and "Traceback" not in err
    assert json.loads(out)["summary"]["skipped"][0]["reason"] == "unreadable"
    # what can be read is still scanned and reported: findings decide the exit code
    code, out, err = as_unprivileged(open_dir, "scan", str(open_dir / "good.txt"), str(locked / "f.txt"), "-q", "-f", "json")
    assert code == 1 and [f["path"] for f in json.loads(out)["findings"]] == [f"{open_dir.as_posix()}/good.txt"]


def test_an_unreadable_file_given_alone_is_named_and_exit_2(open_dir: Path, gh: str) -> None:
    (open_dir / "locked.txt").write_text(f"t = '{gh}'\n")
    (open_dir / "locked.txt").chmod(0)
    code, out, err = as_unprivileged(open_dir, "scan", str(open_dir / "locked.txt"))
    assert code == 2
    assert "No secrets found." not in out and "1 input(s) not scanned" in out
    assert "locked.txt: unreadable: Permission denied" in out  # in the report's warnings
    assert "credsprawl: warning: not scanned: locked.txt: unreadable: Permission denied" in err
    assert err.strip().splitlines()[-1].startswith("credsprawl: error: no secrets found, but 1 input(s)")
    code, out, err = as_unprivileged(open_dir, "scan", str(open_dir / "locked.txt"), "-q", "-f", "json")
    assert code == 2 and json.loads(out)["summary"]["warnings"] == ["locked.txt: unreadable: Permission denied"]


def test_the_order_found_then_unscanned_then_clean(tmp_path: Path, gh: str) -> None:
    (tmp_path / "corrupt.zip").write_bytes(b"PK\x03\x04" + os.urandom(200))
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))  # binary: counted
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = run_cli("scan", str(tmp_path), "-q", "-f", "json")
    assert proc.returncode == 2  # damaged: could hold a secret
    assert "credsprawl: warning: not scanned: corrupt.zip: corrupt:" in proc.stderr
    assert "corrupt.zip: corrupt:" in "\n".join(json.loads(proc.stdout)["summary"]["warnings"])
    assert run_cli("scan", str(tmp_path), "-q", "--exclude", "corrupt.zip").returncode == 0  # excluded: counted
    (tmp_path / "app.env").write_text(f"T={gh}\n")
    assert run_cli("scan", str(tmp_path), "-q").returncode == 1  # found: 1 beats 2
    # --exit-zero turns findings into 0, never an incomplete scan into 0
    assert run_cli("scan", str(tmp_path), "-q", "--exit-zero").returncode == 2
    assert run_cli("scan", str(tmp_path), "-q", "--exit-zero", "--exclude", "corrupt.zip").returncode == 0


def test_a_default_limit_is_an_error_a_chosen_one_is_counted(tmp_path: Path) -> None:
    nest = zip_bytes({"readme.txt": b"nothing here\n"})
    for level in range(4):  # one level deeper than the default --max-archive-depth 3
        nest = zip_bytes({f"level{level}.zip": nest})
    (tmp_path / "nest.zip").write_bytes(nest)
    (tmp_path / "zeros.gz").write_bytes(gzip.compress(b"\0" * (4 * 1024 * 1024)))  # over 200:1
    proc = run_cli("scan", str(tmp_path), "-q", "-f", "json")
    assert proc.returncode == 2
    assert "--max-archive-depth" in proc.stderr and "--max-compression-ratio" in proc.stderr
    proc = run_cli("scan", str(tmp_path), "-q", "--max-archive-depth", "3", "--max-compression-ratio", "200")
    assert proc.returncode == 0 and proc.stderr == ""
    proc = run_cli("scan", str(tmp_path), "-q", "--max-archive-depth", "3")
    assert proc.returncode == 2 and "zeros.gz" in proc.stderr and "nest.zip" not in proc.stderr


def test_an_explicit_max_file_size_is_counted_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("nothing to see\n" * 200)
    proc = run_cli("scan", str(tmp_path), "-f", "json", "-q", "--max-file-size", "1KB")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["summary"]["skipped_by_reason"] == {"too-large": 1}
    assert [w for w in report["summary"]["warnings"] if w.startswith("big.txt: too-large")]  # still named
