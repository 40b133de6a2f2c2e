"""Offsets to 1-based lines and columns (columns count characters, not bytes)."""

from __future__ import annotations

import bisect

from scanner.match.content import display

_MAX_CONTEXT = 240


class LineIndex:
    """Newline positions of a text, built on first use (only texts with findings pay for it)."""

    def __init__(self, text: str, first_line: int = 1, first_column: int = 0) -> None:
        self.text = text
        self.first_line = first_line
        self.first_column = first_column  # characters of the first line before the text starts (a chunk)
        self._newlines: list[int] | None = None

    def _lines(self) -> list[int]:
        if self._newlines is None:
            out, find, pos = [], self.text.find, self.text.find("\n")
            while pos != -1:
                out.append(pos)
                pos = find("\n", pos + 1)
            self._newlines = out
        return self._newlines

    def line_start(self, offset: int) -> tuple[int, int]:
        """(line number, offset where that line starts) for an offset."""
        nl = self._lines()
        i = bisect.bisect_left(nl, offset)
        return self.first_line + i, (nl[i - 1] + 1 if i else 0)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of an offset; the column counts characters from 1."""
        line, start = self.line_start(offset)
        before = self.first_column if line == self.first_line else 0
        return line, before + len(display(self.text[start:offset])) + 1

    def window(self, offset: int) -> tuple[int, int]:
        """(start, end) of the line holding ``offset``, cut to a readable width around it on minified files."""
        _, start = self.line_start(offset)
        end = self.text.find("\n", offset)
        end = len(self.text) if end == -1 else end
        if end - start > _MAX_CONTEXT:
            start = max(start, offset - _MAX_CONTEXT // 2)
            end = min(end, start + _MAX_CONTEXT)
        return start, end

    def line_text(self, offset: int) -> str:
        """The line holding ``offset``, cut to a readable width around it on minified files."""
        start, end = self.window(offset)
        return display(self.text[start:end]).rstrip("\r")
