"""Line numbers for inventory errors: where a key, table or value sits in the TOML (or JSON) text.

``tomllib`` and ``json`` give values without positions, so a small scan of the text maps each key
path (``("identity", 2, "selectors", "aws_key_ids")``) to the line that defines it. Array-of-tables
headers (``[[identity]]``) are counted, so the third ``[[identity]]`` is index 2. When a path is not
found its nearest recorded parent answers; line 1 when nothing does.
"""

from __future__ import annotations

import re
from typing import Protocol, Sequence

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")


class Locator(Protocol):
    def line(self, path: Path, value: str | None = None) -> int:
        """The line (1-based) of ``path``; of ``value`` inside it when given and found."""


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in _PART.findall(dotted)]


class TomlLocator:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.where: dict[Path, int] = {}
        counts: dict[tuple[str, ...], int] = {}
        current: Path = ()
        for number, raw in enumerate(self.lines, 1):
            header = _HEADER.match(raw)
            if header and not raw.lstrip().startswith("#"):
                names = _parts(header.group(2))
                if header.group(1) == "[[":
                    counts[tuple(names)] = counts.get(tuple(names), 0) + 1
                current = self._resolve(names, counts)
                if header.group(1) == "[[":
                    current = (*current, counts[tuple(names)] - 1)
                self.where.setdefault(current, number)
                continue
            key = _KEY.match(raw)
            if key:
                path: Path = current
                for part in _parts(key.group(1)):
                    path = (*path, part)
                    self.where.setdefault(path, number)

    @staticmethod
    def _resolve(names: Sequence[str], counts: dict[tuple[str, ...], int]) -> Path:
        """``identity.selectors`` -> ``("identity", <index of the last [[identity]]>, "selectors")``."""
        path: list[str | int] = []
        for i, name in enumerate(names):
            path.append(name)
            seen = counts.get(tuple(names[: i + 1]))
            if seen and i < len(names) - 1:
                path.append(seen - 1)
        return tuple(path)

    def line(self, path: Path, value: str | None = None) -> int:
        probe = path
        while probe and probe not in self.where:
            probe = probe[:-1]
        start = self.where.get(probe, 1)
        if value is not None and probe == path:
            for offset, raw in enumerate(self.lines[start - 1 : start + 500]):
                if value in raw:
                    return start + offset
        return start


class JsonLocator:
    """Best effort for JSON: the n-th object of a list is found by the n-th occurrence of its first
    required key (``"id"`` for identities, ``"pattern"`` for path owners), a key inside it by the first
    occurrence of ``"key":`` after that."""

    ANCHORS = {"identity": "id", "path_owner": "pattern"}

    def __init__(self, text: str) -> None:
        self.text = text

    def _lineno(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def line(self, path: Path, value: str | None = None) -> int:
        pos = 0
        rest = list(path)
        if len(rest) >= 2 and isinstance(rest[1], int) and str(rest[0]) in self.ANCHORS:
            anchor = re.compile(r'"%s"\s*:' % re.escape(self.ANCHORS[str(rest[0])]))
            found = list(anchor.finditer(self.text))
            if rest[1] < len(found):
                pos = found[rest[1]].start()
            rest = rest[2:]
        else:
            m = re.search(r'"%s"\s*:' % re.escape(str(rest[0])), self.text) if rest else None
            pos = m.start() if m else 0
            rest = rest[1:]
        for key in rest:
            if isinstance(key, int):
                continue
            m = re.compile(r'"%s"\s*:' % re.escape(key)).search(self.text, pos)
            if m is None:
                break
            pos = m.start()
        if value is not None:
            found_at = self.text.find(value, pos)
            if found_at >= 0:
                pos = found_at
        return self._lineno(pos)
