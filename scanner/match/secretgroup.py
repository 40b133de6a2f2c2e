"""A rule's regex with its ``secret`` group's body replaced: the pattern the whole-pattern prefilter
searches when the rule gives ``prefilter_secret`` (Hyperscan's prefilter mode drops lookarounds, so a
group that says what a value is *not* only with lookaheads lets through every value; the rule can
say it without them, as a superset of what the group matches)."""

from __future__ import annotations

import re

_OPEN = "(?P<secret>"
_VERBOSE = re.compile(r"\(\?[a-zA-Z]*x")  # leading flags holding ``x``: ``#`` starts a comment


def with_secret(pattern: str, body: str) -> str:
    """``pattern`` with the body of its ``(?P<secret>...)`` group replaced by ``body``. Raises
    ValueError when the pattern has no such group or it does not close."""
    start = pattern.find(_OPEN)
    if start < 0:
        raise ValueError("the regex has no named group 'secret'")
    i = start + len(_OPEN)
    depth, in_class, n = 1, False, len(pattern)
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
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return pattern[:start + len(_OPEN)] + body + pattern[i:]
        elif c == "#" and verbose:
            end = pattern.find("\n", i)  # a verbose-mode comment
            i = n if end < 0 else end
            continue
        i += 1
    raise ValueError("the regex's group 'secret' does not close")
