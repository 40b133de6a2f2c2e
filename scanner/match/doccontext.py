"""Documentation around a match: a value shown in a Python docstring or a doctest is an example for a
reader, not a credential of a running system.

Asked only of generic rules' matches that passed every other step (a handful per file), so the
look-backs here cost nothing on the scan's hot path.
"""

from __future__ import annotations

import re

_LOOK_BACK = 16384  # characters searched back for the docstring's opening quotes
_DOCTEST_LINES = 15  # lines searched back for a doctest prompt,
_DOCTEST_REACH = 2048  # and at most this many characters
# a doctest prompt at the start of a line: ">>> call()"
_PROMPT = re.compile(r"(?m)^[ \t]*>>>(?:[ \t]|$)")
# what may stand before a docstring's opening quotes on its line: indentation and a string prefix
_OPENER_PREFIX = re.compile(r"[ \t]*[rRuU]?\Z")
# the last line of a def or class header (a one-line header, or the end of one split over lines)
_HEADER = re.compile(r"(?:(?:async[ \t]+)?def|class)[ \t].*:\Z|.*\)[ \t]*(?:->[^:]*)?:\Z")


def documentation(text: str, pos: int) -> str | None:
    """Why the text at ``pos`` is documentation (a doctest, a docstring), or None."""
    if _in_doctest(text, pos):
        return "in a doctest (a '>>>' prompt on the lines above)"
    if _in_docstring(text, pos):
        return "in a Python docstring"
    return None


def _in_doctest(text: str, pos: int) -> bool:
    """A ``>>>`` prompt on one of the lines above, and no triple quote (the end of the docstring that
    held it) between it and ``pos``."""
    floor = max(0, pos - _DOCTEST_REACH)  # a minified line holds no doctest: never search it whole
    start = pos
    for _ in range(_DOCTEST_LINES + 1):
        if start <= floor:
            break
        start = text.rfind("\n", floor, start - 1) + 1 if start > 1 else 0
    start = max(start, floor)
    prompt = None
    for prompt in _PROMPT.finditer(text, start, pos):
        pass
    if prompt is None:
        return False
    after = prompt.end()
    return text.find('"""', after, pos) < 0 and text.find("'''", after, pos) < 0


def _in_docstring(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside a triple-quoted string that opens a block: its quotes begin their line
    (after indentation) and the line before ends a ``def`` or ``class`` header, or nothing but blank
    lines stands before it (a module docstring)."""
    lo = max(0, pos - _LOOK_BACK)
    quote_at = max(text.rfind('"""', lo, pos), text.rfind("'''", lo, pos))
    if quote_at < 0:
        return False
    line_start = text.rfind("\n", 0, quote_at) + 1
    if not _OPENER_PREFIX.match(text, line_start, quote_at):
        return False
    end = line_start - 1  # the newline before the quotes' line
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        header = text[start:end].strip()
        if header:
            return _HEADER.match(header) is not None  # a def or class header: the block's docstring
        end = start - 1
    return True  # only blank lines before: a module docstring
