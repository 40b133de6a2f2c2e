"""The identity report as JSON: the document of ``scanner.identity.document``, one top-level key per
line and one list element (credential, identity, owner ...) per line.

Every element is encoded by ``json``'s C encoder (an indented dump runs the pure-Python one, many times
slower on 100,000 credentials), and a line per credential stays easy to grep, diff and page through.
The text is plain JSON: any parser reads it.
"""

from __future__ import annotations

from typing import Any, TextIO

from scanner.report.jsondoc import write_document


def write_report_json(doc: dict[str, Any], out: TextIO) -> None:
    write_document(doc, out, depth=1)
