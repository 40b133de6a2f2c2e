"""The source of the pattern the whole-pattern prefilter searches for a rule: its regex, made a
superset of it with the same match ends (the prefilter keeps a window only where a candidate ends).

- ``prefilter_secret``: the body of the ``secret`` group replaced (Hyperscan's prefilter mode drops
  lookarounds, so a group that says what a value is *not* only with lookaheads lets through every
  value; the rule can say it without them, as a superset of what the group matches);
- from the ``key`` group on (:func:`from_key`): what a regex requires before the name that holds
  its keyword (a line start, a CI log's timestamp, ``export``) is left out. Every match of the
  regex ends where a match of the rest ends, and the rest starts at the keyword: Hyperscan anchors
  it there instead of running the leading part at every line of every file.
"""

from __future__ import annotations

import re
from typing import Iterator

from scanner.match.lazy import Lazy

_SECRET = "(?P<secret>"
_KEY = "(?P<key>"
_VERBOSE = Lazy(re.compile, r"\(\?[a-zA-Z]*x")  # leading flags holding ``x``: ``#`` starts a comment
_LEADING_FLAGS = Lazy(re.compile, r"\(\?[a-zA-Z]+\)")
_BACKREFERENCE = Lazy(re.compile, r"\(\?P=|\\[1-9]|\\g<|\\k<")  # (may see one in an escaped backslash: then no cut)


def structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """The positions and characters of ``pattern``'s ``(``, ``)`` and ``|`` from ``start`` on, outside
    escapes, character classes and verbose-mode comments (what finds a pattern's groups, here and in
    ``rules.gitleaks``)."""
    i, n, in_class = start, len(pattern), False
    verbose = _VERBOSE.match(pattern) is not None
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1 + (pattern[i + 1:i + 2] == "^")
            i += pattern[i:i + 1] == "]"  # a ']' first in a class is a literal
            continue
        elif c in "()|":
            yield i, c
        elif c == "#" and verbose:
            end = pattern.find("\n", i)  # a verbose-mode comment
            i = n if end < 0 else end
            continue
        i += 1


def with_secret(pattern: str, body: str) -> str:
    """``pattern`` with the body of its ``(?P<secret>...)`` group replaced by ``body``. Raises
    ValueError when the pattern has no such group or it does not close."""
    start = pattern.find(_SECRET)
    if start < 0:
        raise ValueError("the regex has no named group 'secret'")
    depth = 1
    for i, c in structure(pattern, start + len(_SECRET)):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return pattern[:start + len(_SECRET)] + body + pattern[i:]
    raise ValueError("the regex's group 'secret' does not close")


def from_key(pattern: str) -> str:
    """``pattern`` from its ``key`` group on (its leading flags kept), when everything before that group
    is a sequence the match must pass through: the group outside every other group, no ``|`` before it
    at the top level, and no backreference after it (to a group left out). Otherwise ``pattern``
    unchanged."""
    start = pattern.find(_KEY)
    if start < 0 or _BACKREFERENCE.search(pattern, start):
        return pattern
    depth = 0
    for i, c in structure(pattern):
        if i >= start:
            if i > start or depth != 0:  # the text found is in a class or a comment, or inside a group
                return pattern
            break
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif depth == 0:  # "|" at the top level: the key group is on one branch only
            return pattern
    else:
        return pattern
    flags = _LEADING_FLAGS.match(pattern)
    if flags is None:
        return pattern[start:]
    return pattern[start:] if start < flags.end() else flags.group(0) + pattern[start:]


def prefilter_source(regex: str, prefilter_secret: str | None) -> str:
    """The regex source of a rule's whole pattern (before Hyperscan's own rewriting): its regex with
    ``prefilter_secret`` in its secret group, from its ``key`` group on."""
    return from_key(regex if prefilter_secret is None else with_secret(regex, prefilter_secret))
