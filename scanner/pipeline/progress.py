"""How a scan shows its progress: a rich bar on stderr (gone when the scan ends), or nothing.

The caller decides whether it is shown (stderr a terminal, not ``--quiet``); a hidden one costs a
method call. A bar draws from a thread of its own: enter it only after the workers are forked."""

from __future__ import annotations

from typing import Any


class Progress:
    """Nothing shown: what a scan in a pipe, in CI or with ``--quiet`` gets."""

    def update(self, count: int, done_bytes: int) -> None:
        """``count`` inputs (files, blobs) and ``done_bytes`` of input done so far."""

    def set_total(self, total_bytes: int) -> None:
        """The input's size, once it is known."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class ProgressBar(Progress):
    """Inputs done, bytes done of the total, speed and time left, on stderr."""

    def __init__(self, noun: str, total_bytes: int | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, TimeRemainingColumn, TransferSpeedColumn
        from rich.progress import Progress as Bar

        self.noun = noun
        self._bar: Any = Bar("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                             TransferSpeedColumn(), TimeRemainingColumn(), console=Console(stderr=True),
                             transient=True)
        self._task = self._bar.add_task(f"scanning {noun}", total=total_bytes)

    def update(self, count: int, done_bytes: int) -> None:
        self._bar.update(self._task, completed=done_bytes, description=f"scanning {count} {self.noun}")

    def set_total(self, total_bytes: int) -> None:
        self._bar.update(self._task, total=total_bytes)

    def __enter__(self) -> ProgressBar:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()


def progress(shown: bool, noun: str, total_bytes: int | None = None) -> Progress:
    """A bar when ``shown``, else nothing."""
    return ProgressBar(noun, total_bytes) if shown else Progress()
