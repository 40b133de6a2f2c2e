"""Inputs that change under the scanner or never end: a file swapped for a FIFO after the walk,
stdin streamed with bounded memory, the same file named twice."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from conftest import run_cli, scan_json
from scanner.pipeline.route import ContentOptions
from scanner.pipeline.engine import EngineSettings
from scanner.pipeline.pool import EngineSpec
from scanner.rules.load import load_rules
from scanner.sources.filesystem import FileItem, FileWalker, WalkOptions
from scanner.pipeline.files import WorkSpec, plan, run, summarise


def test_file_swapped_for_a_fifo_after_the_walk_is_skipped_with_a_warning(tmp_path: Path, gh: str) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"t={gh}\n")
    items = [e for e in FileWalker(WalkOptions()).walk([str(tmp_path)]) if isinstance(e, FileItem)]
    units, skips = plan(items, ContentOptions())
    (tmp_path / "b.txt").unlink()
    os.mkfifo(tmp_path / "b.txt")  # no writer ever comes: a blocking open would wait forever
    spec = WorkSpec(EngineSpec(load_rules().rules, EngineSettings()), ContentOptions())
    spec.build()  # the compiled-database cache is warm before the clock starts
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(summarise(run(units, spec, jobs=1), skips, 0.1)),
                              daemon=True)
    worker.start()
    worker.join(60)
    if worker.is_alive():  # unblock the stuck open before failing
        os.close(os.open(tmp_path / "b.txt", os.O_WRONLY | os.O_NONBLOCK))
        worker.join(5)
    assert done, "the scan hung on a FIFO"
    findings, summary = done[0]  # type: ignore[misc]
    assert sorted(f.path for f in findings) == ["a.txt", "c.txt"]
    assert [(s.path, s.reason) for s in summary.skipped] == [("b.txt", "special")]
    assert any("b.txt: not a regular file any more: a FIFO" in w for w in summary.warnings)


def test_a_file_named_twice_is_scanned_once(tmp_path: Path, gh: str) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(f"t={gh}\n")
    (tmp_path / "sub" / "b.txt").write_text(f"u={gh}\n")
    (tmp_path / "sub" / "blob.bin").write_bytes(b"\x7fELF\0\0\0")
    (tmp_path / "link").symlink_to(tmp_path / "a.txt")
    a, sub, top = str(tmp_path / "a.txt"), str(tmp_path / "sub"), str(tmp_path)
    cases = {
        (a, a): 1,
        (a, str(tmp_path / "link")): 1,  # a symlink to a file named before
        (top, sub): 2,  # a.txt and sub/b.txt, not sub/b.txt again
        (sub, f"{sub}/../sub/b.txt"): 1,
    }
    for args, count in cases.items():
        code, report = scan_json(*args)
        assert code == 1 and len(report["findings"]) == count, (args, [f["path"] for f in report["findings"]])
        skipped = [(s["path"], s["reason"]) for s in report["summary"]["skipped"]]
        assert len(skipped) == len(set(skipped)), args
    code, report = scan_json(top, "--follow-symlinks")  # within one root, a followed symlink is a path of its own
    assert sorted(f["path"] for f in report["findings"]) == ["a.txt", "link", "sub/b.txt"]


class _Pipe:
    """A pipe of ``size`` bytes of text made as it is read, with ``tail`` at its end; a read of it all
    at once (or of more than ``most`` bytes) fails the test."""

    def __init__(self, size: int, tail: bytes, most: int) -> None:
        self.left, self.tail, self.most = size, tail, most
        self.line = b"abcdefghij\n"
        self.phase = 0  # where in ``line`` the next byte of filler is

    def read(self, n: int = -1) -> bytes:
        assert 0 <= n <= self.most, f"stdin read whole or in a piece of {n} bytes"
        if self.left <= 0:
            out, self.tail = self.tail[:n], self.tail[n:]
            return out
        take = min(n, self.left)
        self.left -= take
        reps = -(-(take + self.phase) // len(self.line))
        out = (self.line * reps)[self.phase:self.phase + take]
        self.phase = (self.phase + take) % len(self.line)
        return out


def test_stdin_is_read_in_bounded_pieces_and_located(monkeypatch, gh: str) -> None:
    import sys
    from types import SimpleNamespace

    from scanner.pipeline import scan as scan_mod

    settings = EngineSettings(chunk_size=64 * 1024, chunk_overlap=4096)
    size = 3 * 1024 * 1024 + 5  # the secret's line starts with 5 bytes of filler
    tail = f' t="{gh}"\n'.encode()
    pipe = _Pipe(size, tail, most=1024 * 1024)
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=pipe))
    spec = WorkSpec(EngineSpec(load_rules().rules, settings), ContentOptions())
    result = scan_mod._scan_stdin(spec)
    [f] = result.findings
    assert (f.path, f.start_line, f.start_column) == ("<stdin>", size // 11 + 1, size % 11 + 5)
    assert result.bytes_scanned == size + len(tail)


def test_a_tar_stream_on_stdin_is_opened_as_an_archive(tmp_path: Path, gh: str) -> None:
    """``docker save | credsprawl scan -``: a tar bigger than a chunk still has its members scanned."""
    import io
    import random
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("layer/filler.bin", random.Random(1).randbytes(9 * 1024 * 1024)),
                           ("layer/app.env", f"TOKEN={gh}\n".encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    proc = run_cli("scan", "-", "-f", "json", "-q", stdin=buf.getvalue())
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [(f["path"], f["start_line"]) for f in report["findings"]] == [("<stdin>!layer/app.env", 1)]
    # over --max-archive-size: what came before the limit is still scanned, and the limit is a warning
    proc = run_cli("scan", "-", "-f", "json", "-q", "--max-archive-size", "9MB", stdin=buf.getvalue())
    report = json.loads(proc.stdout)
    assert any("--max-archive-size" in w for w in report["summary"]["warnings"]), report["summary"]


_PEAK_RSS = """
import resource, subprocess, sys
proc = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "-", "-q"], stdin=subprocess.PIPE,
                        stdout=subprocess.DEVNULL)
piece = b"abcdefghij\\n" * 100_000
for _ in range(int(sys.argv[1]) * 1024 * 1024 // len(piece)):
    proc.stdin.write(piece)
proc.stdin.close()
code = proc.wait()
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def test_stdin_memory_stays_bounded() -> None:
    """300 MB through stdin: the scanner's peak memory stays far below the input's size."""
    import subprocess
    import sys

    from conftest import ROOT

    out = subprocess.run([sys.executable, "-c", _PEAK_RSS, "300"], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout.split()
    code, peak_mb = int(out[0]), int(out[1])
    assert code == 0 and peak_mb < 220, f"exit {code}, peak {peak_mb} MB for 300 MB of input"
