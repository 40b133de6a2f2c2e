"""How far and how much archives are opened: the limits of one scan and the budget of one unit of work.

Values only (no archive reader is imported), so a scan that meets no archive never loads one.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Origin

MB = 1024 * 1024
GB = 1024 * MB
TRUNCATED = "truncated_at"  # origin fact of a stream's head kept when a limit or damage stopped it: its size


@dataclass(frozen=True)
class ArchiveLimits:
    """How far and how much archives are opened. One value per scan; sent to workers once."""

    max_depth: int = 3  # archive levels opened: 3 opens a.tar.gz!b.jar!c.zip, not what c.zip holds
    max_member_size: int = 50 * MB  # uncompressed bytes of one member (0: no limit)
    max_archive_size: int = 1 * GB  # uncompressed bytes out of one top-level archive, all levels (0: none)
    max_ratio: int = 200  # uncompressed / compressed, judged once ``ratio_floor`` bytes came out (0: none)
    max_members: int = 100_000  # members of one archive (0: no limit)
    ratio_floor: int = 1 * MB

    def can_open(self, origin: Origin) -> bool:
        """Whether an archive at ``origin`` may be opened: its members would be at depth len(chain)."""
        return len(origin.chain()) <= self.max_depth


class LimitExceeded(Exception):
    """A limit tripped. ``whole`` says the rest of the archive is abandoned, not only one member."""

    def __init__(self, option: str, message: str, whole: bool = False) -> None:
        super().__init__(f"{message} ({option})")
        self.option = option
        self.whole = whole


class Budget:
    """Uncompressed bytes one top-level unit of work may still read, over every nesting level.

    Local to one unit of work (one file, one slice of a big archive, one stdin): never shared."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0

    def take(self, n: int) -> None:
        self.used += n
        if self.total and self.used > self.total:
            raise LimitExceeded("--max-archive-size", f"more than {self.total} uncompressed bytes", whole=True)
