"""How a sweep shows its progress: a rich bar on a terminal, JSON Lines events for automation, or nothing.

Events (``--progress jsonl``: one JSON object per line on stdout, flushed as it happens; ``event``
names the kind, ``time`` is UTC)::

    sweep-start      sweep, repositories, ruleset, executor
    repository-done  repository, key, status (scanned | unchanged | failed), reason (when failed),
                     blobs, blobs_scanned, bytes_scanned, blobs_reused, bytes_reused, findings,
                     new_findings (when it was inventoried), and the progress fields
    (progress fields: done, total (repositories), sweep_blobs_scanned, sweep_bytes_scanned, mb_per_s,
     eta_seconds)
    progress         the progress fields alone (about once a second while tasks run)
    sweep-done       sweep, repositories, scanned, unchanged, failed [{repository, reason}], blobs,
                     blobs_scanned, bytes_scanned, blobs_reused, bytes_reused, findings,
                     new_findings, seconds, exit_code

``blobs_reused``/``bytes_reused``: blobs not scanned because the datastore already had them for the
same rule set, or another repository of the sweep (a fork, an upstream) scanned them.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any, Protocol, TextIO

MODES = ("auto", "bar", "jsonl", "none")


class ProgressSink(Protocol):
    def event(self, name: str, fields: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def event(self, name: str, fields: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        pass


class JsonlProgress:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def event(self, name: str, fields: dict[str, Any]) -> None:
        stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        self.out.write(json.dumps({"event": name, "time": stamp, **fields}, separators=(",", ":")) + "\n")
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA -:--:--"
    whole = int(seconds)
    return f"ETA {whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class BarProgress:
    """Repositories done/total, blobs scanned, MB/s and ETA on stderr; gone when the sweep ends."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(TextColumn("repositories"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[detail]}"), console=Console(stderr=True), transient=True)
        self.task = self.bar.add_task("sweep", total=None, detail="")
        self.bar.start()

    def event(self, name: str, fields: dict[str, Any]) -> None:
        if name == "sweep-start":
            self.bar.update(self.task, total=fields["repositories"])
            return
        if "done" in fields:
            detail = (f"{fields['sweep_blobs_scanned']:,} blobs  {fields['mb_per_s']:.1f} MB/s  "
                      f"{_eta(fields['eta_seconds'])}")
            self.bar.update(self.task, completed=fields["done"], detail=detail)

    def close(self) -> None:
        self.bar.stop()


def make_progress(mode: str, out: TextIO | None = None) -> ProgressSink:
    """``auto``: a bar when stderr is a terminal, else nothing."""
    if mode == "jsonl":
        return JsonlProgress(out or sys.stdout)
    if mode == "bar" or (mode == "auto" and sys.stderr.isatty()):
        return BarProgress()
    return NoProgress()
