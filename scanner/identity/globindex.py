"""Many gitignore-style path globs matched against many paths without trying every glob on every path.

Each glob is filed under its literal part: the directories before its first wildcard component, and
the literal head of that component (``services/svc-12*/**`` under ``("services", "svc-12")``;
``*.pem`` and other unanchored globs under ``("", "")``). A path is tried only against the globs filed
under one of its own prefixes, found with a few dict look-ups, and each glob's regex (``pathspec``'s
translation, the same dialect as ``--exclude``) is compiled once, the first time it is needed. Results
are cached per path.
"""

from __future__ import annotations

import re
from typing import Generic, Iterable, TypeVar

T = TypeVar("T")
_WILD = re.compile(r"[*?\[\\]")
Key = tuple[str, str]  # (literal directories, literal head of the next component)


def literal_key(pattern: str) -> Key:
    """Where ``pattern`` is filed: a path can only match it if it starts with these directories and
    its next component starts with the head (``("", "")`` when it can match anywhere)."""
    body = pattern.strip()
    anchored = body.startswith("/") or "/" in body.rstrip("/")
    if not anchored:
        return ("", "")
    literal: list[str] = []
    head = ""
    for part in body.strip("/").split("/"):
        wild = _WILD.search(part)
        if not part:
            break
        if wild:
            head = part[: wild.start()]
            break
        literal.append(part)
    return ("/".join(literal), head)


def literal_prefix(pattern: str) -> str:
    """The directories a path must start with to match ``pattern`` ("" when it can match anywhere)."""
    return literal_key(pattern)[0]


def _regex(pattern: str) -> re.Pattern[str]:
    try:
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern as Pattern
    except ImportError:  # pathspec < 1.0
        from pathspec.patterns.gitwildmatch import GitWildMatchPattern as Pattern  # type: ignore[no-redef,unused-ignore]
    regex, include = Pattern.pattern_to_regex(pattern)
    if regex is None or not include:
        return re.compile(r"(?!x)x")  # matches nothing: a comment, or a negation
    return re.compile(regex)


_ALL = frozenset({"*", "**", "/**"})
_LITERAL, _ANY, _REGEX = 0, 1, 2  # how a filed glob is decided once its bucket is reached


class GlobIndex(Generic[T]):
    """Globs with a payload each; ``matches(path)`` gives (order, payload) of every glob that matches.

    Reaching a glob's bucket already decides the fully literal ones (``/services/billing/``: the path
    starts with those directories) and the match-all ones (``*``); only the others run a regex, and a
    bucket with many of them is screened first by one combined regex."""

    SCREEN_FROM = 4  # regex globs in one bucket from which a combined screening regex is worth it

    def __init__(self, globs: Iterable[tuple[str, T]]) -> None:
        self.buckets: dict[Key, list[tuple[int, str, T, int, bool]]] = {}
        self.head_lengths: dict[str, set[int]] = {}  # per literal directories: the lengths of heads filed
        self.compiled: dict[str, re.Pattern[str]] = {}
        self.screens: dict[Key, re.Pattern[str] | None] = {}
        self.cache: dict[str, list[tuple[int, T]]] = {}
        for order, (pattern, payload) in enumerate(globs):
            key = literal_key(pattern)
            body = pattern.strip()
            if body in _ALL:
                how = _ANY
            elif key[1] == "" and key[0] == body.strip("/") and key[0] and ("/" in body.rstrip("/")
                                                                           or body.startswith("/")):
                how = _LITERAL
            else:
                how = _REGEX
            self.buckets.setdefault(key, []).append((order, pattern, payload, how, body.endswith("/")))
            self.head_lengths.setdefault(key[0], set()).add(len(key[1]))

    def __bool__(self) -> bool:
        return bool(self.buckets)

    def _regex(self, pattern: str) -> re.Pattern[str]:
        regex = self.compiled.get(pattern)
        if regex is None:
            regex = self.compiled[pattern] = _regex(pattern)
        return regex

    def _screen(self, key: Key) -> re.Pattern[str] | None:
        """One regex that matches whenever any regex glob of the bucket does (None: not worth it)."""
        if key in self.screens:
            return self.screens[key]
        sources = [self._regex(p).pattern for _o, p, _t, how, _d in self.buckets[key] if how == _REGEX]
        screen = None
        if len(sources) >= self.SCREEN_FROM:
            screen = re.compile("|".join(f"(?:{src.replace('(?P<ps_d>', '(?:')})" for src in sources))
        self.screens[key] = screen
        return screen

    def matches(self, path: str) -> list[tuple[int, T]]:
        hit = self.cache.get(path)
        if hit is not None:
            return hit
        clean = path.lstrip("/")
        parts = clean.split("/")
        out: list[tuple[int, T]] = []
        base = ""
        for depth in range(len(parts) + 1):
            lengths = self.head_lengths.get(base)
            if lengths:
                below = depth < len(parts)  # the path goes on below ``base``
                nxt = parts[depth] if below else ""
                for n in lengths:
                    if n > len(nxt):
                        continue
                    key = (base, nxt[:n])
                    bucket = self.buckets.get(key)
                    if not bucket:
                        continue
                    screened = None
                    for order, pattern, payload, how, dir_only in bucket:
                        if how == _LITERAL:
                            if below or not dir_only:
                                out.append((order, payload))
                        elif how == _ANY:
                            out.append((order, payload))
                        else:
                            if screened is None:
                                screen = self._screen(key)
                                screened = screen is None or screen.match(clean) is not None
                            if screened and self._regex(pattern).match(clean):
                                out.append((order, payload))
            if depth < len(parts):
                base = f"{base}/{parts[depth]}" if depth else parts[0]
        if len(out) > 1:
            out.sort(key=lambda hit: hit[0])
        self.cache[path] = out
        return out
