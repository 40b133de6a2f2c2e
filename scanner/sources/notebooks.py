"""Jupyter notebooks: cell sources and outputs are scanned as the text they are, not as escaped JSON.

Each cell's source, each text output (stream text, ``text/*`` and JSON/JavaScript/SVG data, error
tracebacks) and the metadata are scanned one by one. A finding is reported at its line and column in
the ``.ipynb`` file (where GitHub code scanning shows it), with origin facts ``cell`` (index in
``cells``, from 0), ``cell_line`` (line within that cell's text, from 1) and ``part`` (``source``,
``outputs[0].text``, ``outputs[1].data.text/plain``, ``metadata`` ...). The context line is the
cell's line, unescaped. nbformat 4 and 3 (``worksheets``, ``input``) are read; a file that is not
valid JSON is scanned as plain text by the caller.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, replace
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, Iterator

from scanner.model import Blob, Finding
from scanner.sources.views import Lines, with_extra

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_TEXT_MIME_EXTRA = {"application/json", "application/javascript", "image/svg+xml", "application/x-latex"}


@dataclass(frozen=True)
class Str:
    """A JSON string and where its token (opening quote to closing quote) lies in the document."""

    value: str
    start: int
    end: int


class JsonError(ValueError):
    pass


def parse(text: str) -> Any:
    """JSON with positions: strings become :class:`Str`; objects, arrays and scalars as ``json``."""
    value, end = _value(text, _WS.match(text, 0).end())  # type: ignore[union-attr]
    if _WS.match(text, end).end() != len(text):  # type: ignore[union-attr]
        raise JsonError(f"extra data at {end}")
    return value


def _value(s: str, i: int) -> tuple[Any, int]:
    if i >= len(s):
        raise JsonError("unexpected end")
    c = s[i]
    if c == '"':
        value, end = scanstring(s, i + 1)
        return Str(value, i, end), end
    if c == "{":
        obj: dict[str, Any] = {}
        i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
        if s.startswith("}", i):
            return obj, i + 1
        while True:
            if not s.startswith('"', i):
                raise JsonError(f"expected a key at {i}")
            key, i = scanstring(s, i + 1)
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            if not s.startswith(":", i):
                raise JsonError(f"expected ':' at {i}")
            obj[key], i = _value(s, _WS.match(s, i + 1).end())  # type: ignore[union-attr]
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            if s.startswith("}", i):
                return obj, i + 1
            if not s.startswith(",", i):
                raise JsonError(f"expected ',' at {i}")
            i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
    if c == "[":
        arr: list[Any] = []
        i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
        if s.startswith("]", i):
            return arr, i + 1
        while True:
            item, i = _value(s, i)
            arr.append(item)
            i = _WS.match(s, i).end()  # type: ignore[union-attr]
            if s.startswith("]", i):
                return arr, i + 1
            if not s.startswith(",", i):
                raise JsonError(f"expected ',' at {i}")
            i = _WS.match(s, i + 1).end()  # type: ignore[union-attr]
    for word, literal in _LITERALS.items():
        if s.startswith(word, i):
            return literal, i + len(word)
    m = _NUMBER.match(s, i)
    if m is None:
        raise JsonError(f"unexpected character at {i}")
    return json.loads(m.group()), m.end()


# ------------------------------------------------------------------------------------------------
# the texts of a notebook


Piece = Str | str  # a str is a separator the notebook does not hold (between traceback lines)


@dataclass(frozen=True)
class Segment:
    cell: int | None  # None: notebook-level metadata
    part: str
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return "".join(p.value if isinstance(p, Str) else p for p in self.pieces)


def _pieces(value: Any, sep: str = "") -> tuple[Piece, ...]:
    if isinstance(value, Str):
        return (value,)
    if isinstance(value, list):
        out: list[Piece] = []
        for item in value:
            if isinstance(item, Str):
                if out and sep:
                    out.append(sep)
                out.append(item)
        return tuple(out)
    return ()


def _leaves(value: Any) -> Iterator[Str]:
    if isinstance(value, Str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)


def _text_mime(mime: str) -> bool:
    return mime.startswith("text/") or mime.endswith("+json") or mime in _TEXT_MIME_EXTRA


def _output_segments(cell: int, j: int, output: dict[str, Any]) -> Iterator[Segment]:
    for key in ("text", "evalue"):
        if key in output:
            yield Segment(cell, f"outputs[{j}].{key}", _pieces(output[key]))
    if "traceback" in output:
        yield Segment(cell, f"outputs[{j}].traceback", _pieces(output["traceback"], "\n"))
    data = output.get("data")
    if isinstance(data, dict):
        for mime, value in data.items():
            if _text_mime(mime):
                pieces = _pieces(value) or _pieces(list(_leaves(value)), "\n")
                yield Segment(cell, f"outputs[{j}].data.{mime}", pieces)


def segments(doc: Any) -> Iterator[Segment]:
    """Every text of a parsed notebook, in document order."""
    if not isinstance(doc, dict):
        return
    cells = doc.get("cells")
    if cells is None and isinstance(doc.get("worksheets"), list):  # nbformat 3
        cells = [c for ws in doc["worksheets"] if isinstance(ws, dict) for c in ws.get("cells", [])]
    for i, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", cell.get("input"))
        yield Segment(i, "source", _pieces(source))
        for j, output in enumerate(cell.get("outputs") or []):
            if isinstance(output, dict):
                yield from _output_segments(i, j, output)
        if cell.get("metadata"):
            yield Segment(i, "metadata", _pieces(list(_leaves(cell["metadata"])), "\n"))
    if doc.get("metadata"):
        yield Segment(None, "metadata", _pieces(list(_leaves(doc["metadata"])), "\n"))


# ------------------------------------------------------------------------------------------------
# positions: a place in a segment's text -> a place in the file


class _FilePositions:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line_col(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.newlines, pos)
        start = self.newlines[i - 1] + 1 if i else 0
        return i + 1, pos - start + 1


def _escaped(piece: Str, doc: str) -> bool:
    """Whether the file escaped non-ASCII characters (``ensure_ascii``) in this string."""
    return len(json.dumps(piece.value, ensure_ascii=False)) != piece.end - piece.start


def _file_pos(segment: Segment, byte_offset: int, doc: str) -> int:
    """Where the character at ``byte_offset`` of the segment's UTF-8 text is in the file."""
    seen = 0
    last: Str | None = None
    for piece in segment.pieces:
        value = piece.value if isinstance(piece, Str) else piece
        size = len(value.encode("utf-8"))
        if isinstance(piece, Str):
            last = piece
            if byte_offset < seen + size or piece is segment.pieces[-1]:
                prefix = value.encode("utf-8")[: max(0, byte_offset - seen)].decode("utf-8", "ignore")
                encoded = json.dumps(prefix, ensure_ascii=_escaped(piece, doc))[1:-1]
                return min(piece.start + 1 + len(encoded), piece.end - 1)
        elif byte_offset < seen + size and last is not None:
            return last.end - 1
        seen += size
    return last.end - 1 if last is not None else 0


@dataclass(frozen=True)
class NotebookView:
    """A parsed notebook: the texts to scan (``segments``, each as ``data(segment)``) and the way back
    from a finding in one of them to the ``.ipynb`` file (``place``). The pipeline scans the texts."""

    doc_text: str
    positions: _FilePositions
    segments: tuple[Segment, ...]

    @staticmethod
    def data(segment: Segment) -> bytes:
        return segment.text.encode("utf-8", "surrogatepass")

    def place(self, segment: Segment, data: bytes, findings: tuple[Finding, ...]) -> list[Finding]:
        """Findings of a scan of ``data`` (the segment's text) at their positions in the file, with the
        ``cell``, ``cell_line`` and ``part`` facts."""
        if not findings:
            return []
        facts = (("cell", str(segment.cell)),) if segment.cell is not None else ()
        lines = Lines(data.decode("latin-1"))
        out = []
        for f in findings:
            end = max(f.offset, lines.offset(f.end_line, f.end_column) - 1)
            start_line, start_col = self.positions.line_col(_file_pos(segment, f.offset, self.doc_text))
            end_line, end_col = self.positions.line_col(_file_pos(segment, end, self.doc_text))
            extra = facts + (("cell_line", str(f.start_line)), ("part", segment.part))
            out.append(replace(
                f, origin=with_extra(f.origin, extra), start_line=start_line, start_column=start_col,
                end_line=end_line, end_column=max(end_col + 1, start_col + 1) if end_line == start_line else end_col + 1,
            ))
        return out


def notebook_view(blob: Blob) -> NotebookView | None:
    """The notebook's texts and positions; None when it is not a notebook after all."""
    try:
        doc_text = blob.data.decode("utf-8-sig")
        doc = parse(doc_text)
    except (UnicodeDecodeError, JsonError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not ("cells" in doc or "worksheets" in doc):
        return None
    texts = tuple(seg for seg in segments(doc) if seg.text.strip())
    return NotebookView(doc_text, _FilePositions(doc_text), texts)
