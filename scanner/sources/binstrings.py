"""``--binary-strings``: the printable runs of a binary (ELF, class, pyc, SQLite ...), scanned as text
and reported at their byte offset in the binary (origin fact ``offset``)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.sources.views import View

MIN_LENGTH = 8


@lru_cache(maxsize=8)
def _runs(min_length: int) -> re.Pattern[bytes]:
    return re.compile(rb"[\x20-\x7e\t]{%d,}" % max(1, min_length))


def strings_view(data: bytes, min_length: int = MIN_LENGTH) -> View:
    """Every run of at least ``min_length`` printable ASCII characters, one per line. The view starts
    with a newline, so a run that is a file signature (``SQLite format 3``) is not taken for binary."""
    from scanner.sources.views import View

    parts: list[bytes] = [b""]
    view_starts: list[int] = []
    orig_starts: list[int] = []
    size = 1
    for m in _runs(min_length).finditer(data):
        view_starts.append(size)
        orig_starts.append(m.start())
        run = m.group()
        parts.append(run)
        size += len(run) + 1
    return View(b"\n".join(parts), tuple(view_starts), tuple(orig_starts))
