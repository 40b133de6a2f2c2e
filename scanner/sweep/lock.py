"""One sweep at a time per datastore: an exclusive ``flock`` on a lock file beside it (``PATH.lock``).

Two sweeps writing one datastore would interleave: each would take the blobs the other has claimed
for unscanned, and a sweep that finds another's ``running`` row could not tell a live sweep from a
killed one. Under the lock it can: a ``running`` row it finds belongs to a sweep that died
(``Store.interrupt_running``). The kernel releases the lock when the holding process ends, however
it ends (SIGKILL included), so a lock file left behind never blocks anyone; it holds the pid of the
last sweep that took it, for the message. Where ``fcntl`` is missing (Windows) there is no lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from scanner.errors import UsageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locking between processes
    fcntl = None  # type: ignore[assignment]


def lock_path(datastore: Path) -> Path:
    """The lock file of the datastore's real path: a datastore reached through a symlink (to the file
    or to a folder above it) or a relative path has the same lock as through its real path."""
    real = Path(os.path.realpath(datastore))
    return real.with_name(real.name + ".lock")


@contextlib.contextmanager
def sweep_lock(datastore: Path) -> Iterator[None]:
    """Hold the datastore's sweep lock, or raise a UsageError naming it when another sweep holds it."""
    path = lock_path(datastore)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot lock datastore {datastore}: {exc.strerror or exc} ({path})") from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UsageError(f"datastore {datastore} is in use by another sweep{_holder(fd)}: wait for it "
                                 "to finish, or give another --datastore") from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
