#!/usr/bin/env python3
"""Print the table of hosts each verifying provider contacts, or with --write put it into
docs/verification.md between its markers (scanner.verify.hosts; tests/verify checks they agree)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.verify.hosts import BEGIN, END, block, table  # noqa: E402


def main(argv: list[str]) -> int:
    if argv[1:] != ["--write"]:
        print(table())
        return 0
    doc = ROOT / "docs" / "verification.md"
    text = doc.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    doc.write_text(text[:start] + block() + text[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
