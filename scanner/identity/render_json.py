"""The identity report as JSON: the document of ``scanner.identity.document``, one top-level key per
line and one list element (credential, identity, owner ...) per line.

Every element is encoded by ``json``'s C encoder (an indented dump runs the pure-Python one, many times
slower on 100,000 credentials), and a line per credential stays easy to grep, diff and page through.
The text is plain JSON: any parser reads it.
"""

from __future__ import annotations

import json
from typing import Any, TextIO


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def write_report_json(doc: dict[str, Any], out: TextIO) -> None:
    out.write("{\n")
    keys = list(doc)
    for n, key in enumerate(keys):
        value = doc[key]
        out.write(f"  {_dumps(key)}: ")
        if isinstance(value, list) and value:
            out.write("[\n")
            last = len(value) - 1
            for i, item in enumerate(value):
                out.write("    " + _dumps(item) + (",\n" if i < last else "\n"))
            out.write("  ]")
        else:
            out.write(_dumps(value))
        out.write(",\n" if n < len(keys) - 1 else "\n")
    out.write("}\n")
