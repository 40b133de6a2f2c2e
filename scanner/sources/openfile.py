"""Open a file that is still a regular file when it is read (never a FIFO swapped in after the walk)."""

from __future__ import annotations

import os
import stat
from typing import BinaryIO


class NotRegularFile(OSError):
    """A path that is no longer a regular file when it is opened (swapped for a FIFO, a socket or a
    device between the walk and the read)."""

    def __init__(self, path: str, mode: int) -> None:
        kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else \
            "directory" if stat.S_ISDIR(mode) else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file"
        super().__init__(f"not a regular file any more: a {kind} (replaced after the walk)")
        self.strerror = str(self)
        self.filename = path


def open_regular(path: str) -> BinaryIO:
    """Open a file for reading, only if it is a regular file. Opened non-blocking, so a path swapped for
    a FIFO after the walk fails at once instead of waiting forever for a writer; the type is checked on
    the opened descriptor (``fstat``), so no swap can come between the check and the read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, mode)
        return os.fdopen(fd, "rb")  # O_NONBLOCK changes nothing for a regular file's reads
    except BaseException:
        os.close(fd)
        raise
