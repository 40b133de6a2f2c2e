"""Many gitignore-style path globs matched against many paths without trying every glob on every path.

Each glob is filed under its literal directory prefix (``services/billing/**`` under
``services/billing``; ``*.pem`` and other unanchored globs under ``""``). A path is tried only against
the globs filed under one of its own prefixes, and each glob's regex (from ``pathspec``, the same
dialect as ``--exclude``) is compiled once, the first time it is needed. Results are cached per path.
"""

from __future__ import annotations

import re
from typing import Generic, Iterable, TypeVar

T = TypeVar("T")
_WILD = re.compile(r"[*?\[\\]")


def literal_prefix(pattern: str) -> str:
    """The directories a path must start with to match ``pattern`` ("" when it can match anywhere)."""
    body = pattern.strip()
    anchored = body.startswith("/") or "/" in body.rstrip("/")
    if not anchored:
        return ""
    parts = [p for p in body.strip("/").split("/")]
    literal: list[str] = []
    for part in parts:
        if not part or _WILD.search(part):
            break
        literal.append(part)
    return "/".join(literal)


def _compile(pattern: str) -> re.Pattern[str]:
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines([pattern])
    regex = spec.patterns[0].regex if spec.patterns else None
    if regex is None:
        return re.compile(r"(?!x)x")
    return regex if isinstance(regex, re.Pattern) else re.compile(str(regex))


class GlobIndex(Generic[T]):
    """Globs with a payload each; ``matches(path)`` gives (order, payload) of every glob that matches."""

    def __init__(self, globs: Iterable[tuple[str, T]]) -> None:
        self.buckets: dict[str, list[tuple[int, str, T]]] = {}
        self.compiled: dict[str, re.Pattern[str]] = {}
        self.cache: dict[str, list[tuple[int, T]]] = {}
        for order, (pattern, payload) in enumerate(globs):
            self.buckets.setdefault(literal_prefix(pattern), []).append((order, pattern, payload))

    def __bool__(self) -> bool:
        return bool(self.buckets)

    def _regex(self, pattern: str) -> re.Pattern[str]:
        regex = self.compiled.get(pattern)
        if regex is None:
            regex = self.compiled[pattern] = _compile(pattern)
        return regex

    def matches(self, path: str) -> list[tuple[int, T]]:
        hit = self.cache.get(path)
        if hit is not None:
            return hit
        clean = path.lstrip("/")
        prefixes = [""]
        parts = clean.split("/")
        for i in range(1, len(parts) + 1):
            prefixes.append("/".join(parts[:i]))
        out: list[tuple[int, T]] = []
        for prefix in prefixes:
            for order, pattern, payload in self.buckets.get(prefix, ()):
                if self._regex(pattern).match(clean):
                    out.append((order, payload))
        out.sort(key=lambda hit: hit[0])
        self.cache[path] = out
        return out
