"""Inputs that change under the scanner or never end: a file swapped for a FIFO after the walk,
stdin streamed with bounded memory, the same file named twice."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from conftest import run_cli, scan_json
from scanner.deepscan import ContentOptions
from scanner.engine import EngineSettings
from scanner.pipeline import EngineSpec
from scanner.rules import load_rules
from scanner.sources.filesystem import FileItem, FileWalker, WalkOptions
from scanner.workplan import WorkSpec, plan, run, summarise


def test_file_swapped_for_a_fifo_after_the_walk_is_skipped_with_a_warning(tmp_path: Path, gh: str) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"t={gh}\n")
    items = [e for e in FileWalker(WalkOptions()).walk([str(tmp_path)]) if isinstance(e, FileItem)]
    units, skips = plan(items, ContentOptions())
    (tmp_path / "b.txt").unlink()
    os.mkfifo(tmp_path / "b.txt")  # no writer ever comes: a blocking open would wait forever
    spec = WorkSpec(EngineSpec(load_rules().rules, EngineSettings()), ContentOptions())
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(summarise(run(units, spec, jobs=1), skips, 0.1)),
                              daemon=True)
    worker.start()
    worker.join(20)
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
    code, report = scan_json(top, "--follow-symlinks")
    assert sorted(f["path"] for f in report["findings"]) == ["a.txt", "sub/b.txt"]
