"""Whether a rule's regex can only ever match inside one line.

A regex none of whose parts (lookarounds included) can match a newline finds the same matches in a
text as in each of its lines searched on its own (``pos`` at the line start, ``endpos`` at its
newline): ``^``/``$`` and ``\\b`` see a line start or end either way, and no part can look across.
For such a rule, a whole-pattern candidate that ends at offset ``e`` can only be confirmed on the
line holding ``e``, so the regex runs on that line instead of the keyword window around it.

The analysis is conservative: a pattern Python's own parser cannot read (``regex``-only syntax such
as ``\\p{L}``) or any construct it is unsure of counts as "may match a newline".
"""

from __future__ import annotations

import functools
import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P
from typing import Any

_NL = 10
_NL_CATEGORIES = frozenset({C.CATEGORY_SPACE, C.CATEGORY_NOT_WORD, C.CATEGORY_NOT_DIGIT, C.CATEGORY_LINEBREAK,
                            C.CATEGORY_UNI_SPACE, C.CATEGORY_UNI_NOT_WORD, C.CATEGORY_UNI_NOT_DIGIT,
                            C.CATEGORY_UNI_LINEBREAK})
_SAFE_CATEGORIES = frozenset({C.CATEGORY_NOT_SPACE, C.CATEGORY_WORD, C.CATEGORY_DIGIT, C.CATEGORY_NOT_LINEBREAK,
                              C.CATEGORY_UNI_NOT_SPACE, C.CATEGORY_UNI_WORD, C.CATEGORY_UNI_DIGIT,
                              C.CATEGORY_UNI_NOT_LINEBREAK})
_REPEATS = frozenset({C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT})
_ZERO_WIDTH = frozenset({C.AT})


class _Unsure(Exception):
    pass


@functools.lru_cache(maxsize=1024)
def line_bound(pattern: str, flags: int = 0) -> bool:
    """True when no part of ``pattern`` (compiled with ``flags``) can match a newline character."""
    try:
        parsed = P.parse(pattern, flags)
    except (re.error, ValueError, TypeError, OverflowError, RecursionError):
        return False
    try:
        return not _may_match_newline(parsed, bool(parsed.state.flags & re.DOTALL))
    except (_Unsure, RecursionError):
        return False


def _may_match_newline(items: Any, dotall: bool) -> bool:
    for op, av in items:
        if _item(op, av, dotall):
            return True
    return False


def _item(op: Any, av: Any, dotall: bool) -> bool:  # noqa: PLR0911 - one case per opcode
    if op is C.LITERAL:
        return bool(av == _NL)
    if op is C.NOT_LITERAL:
        return bool(av != _NL)
    if op is C.ANY:
        return dotall
    if op is C.IN:
        return _set_matches_newline(av)
    if op in _ZERO_WIDTH:
        return False
    if op is C.GROUPREF:
        return False  # repeats text a group already matched, itself checked
    if op is C.SUBPATTERN:
        _group, add, remove, sub = av
        here = (dotall or bool(add & re.DOTALL)) and not remove & re.DOTALL
        return _may_match_newline(sub, here)
    if op in _REPEATS:
        return _may_match_newline(av[2], dotall)
    if op is C.ATOMIC_GROUP:
        return _may_match_newline(av, dotall)
    if op in (C.ASSERT, C.ASSERT_NOT):
        return _may_match_newline(av[1], dotall)
    if op is C.BRANCH:
        return any(_may_match_newline(branch, dotall) for branch in av[1])
    if op is C.GROUPREF_EXISTS:
        _group, yes, no = av
        return _may_match_newline(yes, dotall) or (no is not None and _may_match_newline(no, dotall))
    raise _Unsure(op)


def _set_matches_newline(items: list[tuple[Any, Any]]) -> bool:
    negate = False
    holds = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            holds |= av == _NL
        elif op is C.NOT_LITERAL:
            holds |= av != _NL
        elif op is C.RANGE:
            holds |= av[0] <= _NL <= av[1]
        elif op is C.RANGE_UNI_IGNORE:
            holds |= av[0] <= _NL <= av[1]
        elif op is C.CATEGORY:
            if av in _NL_CATEGORIES:
                holds = True
            elif av not in _SAFE_CATEGORIES:
                raise _Unsure(av)
        else:
            raise _Unsure(op)
    return holds != negate
