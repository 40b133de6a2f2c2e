"""Transformed views of a blob, and the way back to the original's positions (the pipeline scans them).

A view is what the matcher should see (a CI log without timestamps and colour codes, the printable
strings of a binary); an offset map leads back. Findings are re-located on the original: line,
column and context line are the original's, so a user sees the line as it is in the file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Callable

from scanner.match.locate import LineIndex
from scanner.match.masking import LineMasker
from scanner.model import Finding, Origin


@dataclass(frozen=True)
class View:
    """``data`` is scanned; run ``i`` of it starts at ``view_starts[i]`` and comes from the original
    at ``orig_starts[i]`` (runs are copied verbatim; what lies between them was dropped)."""

    data: bytes
    view_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]

    def to_original(self, offset: int) -> int:
        i = max(0, bisect.bisect_right(self.view_starts, offset) - 1)
        return self.orig_starts[i] + offset - self.view_starts[i] if self.view_starts else offset


def with_extra(origin: Origin, extra: tuple[tuple[str, str], ...]) -> Origin:
    """The same place with more source facts (the leaf node gets them)."""
    return Origin(origin.path, origin.kind, origin.parent, origin.extra + extra) if extra else origin


class Lines:
    """Line starts of a latin-1 view: (line, column) <-> offset, columns in characters as LineIndex."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts, pos = [0], text.find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = text.find("\n", pos + 1)
        self.starts = starts

    def offset(self, line: int, column: int) -> int:
        start = self.starts[min(max(line, 1), len(self.starts)) - 1]
        end = self.text.find("\n", start)
        raw = self.text[start : len(self.text) if end == -1 else end].encode("latin-1")
        try:
            shown = raw.decode("utf-8")
        except UnicodeDecodeError:
            return start + column - 1
        return start + len(shown[: column - 1].encode("utf-8"))


def relocate(
    findings: tuple[Finding, ...],
    view: View,
    original: bytes,
    context_from_view: bool = False,
    extra: Callable[[Finding, int], tuple[tuple[str, str], ...]] | None = None,
    keep: Callable[[Finding], bool] | None = None,
) -> tuple[Finding, ...]:
    """Move the findings of a scan of ``view.data`` to the original's lines and columns."""
    if not findings:
        return findings
    view_lines = Lines(view.data.decode("latin-1"))
    orig_text = original.decode("latin-1")
    orig_index = LineIndex(orig_text)
    view_index = LineIndex(view_lines.text) if context_from_view else None
    spans = [(view.to_original(f.offset),
              view.to_original(max(f.offset, view_lines.offset(f.end_line, f.end_column) - 1)) + 1) for f in findings]
    # the original's context lines hide every finding of the view on them (the view's own lines already do)
    masker = None if view_index else LineMasker(orig_index, [(s, e, f.secret) for (s, e), f in zip(spans, findings)])
    out: list[Finding] = []
    for f, (start, end) in zip(findings, spans):
        if keep is not None and not keep(f):
            continue
        start_line, start_col = orig_index.position(start)
        end_line, end_col = orig_index.position(end)
        context = view_index.line_text(f.offset) if view_index else orig_index.line_text(start)
        own = [f.secret, f.companion[1]] if f.companion else [f.secret]
        masked = f.masked_line if masker is None else masker.line(start, own)
        facts = extra(f, start) if extra else ()
        out.append(replace(
            f, origin=with_extra(f.origin, facts), start_line=start_line, start_column=start_col,
            end_line=end_line, end_column=end_col, line_text=context, masked_line=masked, offset=start,
        ))
    return tuple(out)
