"""Write a JSON document laid out for people and tools alike: one key of an object per line, one
element of a list per line, down to ``depth`` levels; below that each value is one compact line.

Every line is encoded by ``json``'s C encoder (an indented ``json.dump`` runs the pure-Python one,
several times slower on tens of thousands of findings or skipped files), and a line per element stays
easy to grep, diff and page through. The text is plain JSON (ASCII, non-ASCII escaped): any parser
reads it.
"""

from __future__ import annotations

import json
from typing import Any, TextIO


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def _write(value: Any, out: TextIO, indent: str, depth: int) -> None:
    if depth > 0 and isinstance(value, dict) and value:
        inner = indent + "  "
        out.write("{\n")
        last = len(value) - 1
        for n, (key, item) in enumerate(value.items()):
            out.write(f"{inner}{_dumps(key)}: ")
            _write(item, out, inner, depth - 1)
            out.write(",\n" if n < last else "\n")
        out.write(indent + "}")
    elif depth > 0 and isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        inner = indent + "  "
        out.write("[\n")
        last = len(value) - 1
        for i, item in enumerate(value):
            out.write(inner)
            _write(item, out, inner, 0)
            out.write(",\n" if i < last else "\n")
        out.write(indent + "]")
    else:
        out.write(_dumps(value))


def write_document(doc: dict[str, Any], out: TextIO, depth: int = 2) -> None:
    """``doc`` as JSON text: objects opened ``depth`` levels deep, list elements one per line."""
    _write(doc, out, "", depth)
    out.write("\n")
