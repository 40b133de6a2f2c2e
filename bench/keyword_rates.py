"""How often each rule keyword turns up in real code: the table the Hyperscan backend uses to decide
which rules it searches as whole patterns.

    python bench/keyword_rates.py [TREE ...]   # default: bench/.cache/pkgtree and bench/.cache/corpus-300-s1/tree

Counts every (case-insensitive, overlapping) occurrence of every shipped rule's keywords in the text
files of each TREE and writes ``scanner/match/keyword_rates.py``: hits per 100 MB of text (the
highest over the trees: real library code from bench/pkgtree.py, and the application-like code of
bench/corpus.py, dense in configuration), for keywords seen at least ``--min-rate`` times per 100 MB. Whole-pattern search pays where a rule's keywords are
common (``token``, ``password``, ``://``: a candidate of the whole pattern must be near before any
regex runs); for a rule with rare keywords it only slows the Hyperscan pass down. Which rules get
which treatment never changes findings, only speed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

import hyperscan  # noqa: E402

from scanner import content  # noqa: E402
from scanner.match.hyperscan_backend import _literal  # noqa: E402
from scanner.rules import load_rules  # noqa: E402

OUT = ROOT / "scanner" / "match" / "keyword_rates.py"


def count(tree: Path) -> tuple[Counter[str], int]:
    words = sorted({k for r in load_rules().rules for k in r.keywords})
    db = hyperscan.Database()
    db.compile(expressions=[_literal(w) for w in words], ids=list(range(len(words))), elements=len(words),
               flags=[hyperscan.HS_FLAG_CASELESS] * len(words))
    hits: Counter[str] = Counter()
    total = 0

    def on_match(i: int, start: int, end: int, flags: int, context: object) -> None:
        hits[words[i]] += 1

    for folder, _dirs, names in os.walk(tree):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            if content.sniff(data[: content.SNIFF_BYTES]) != "utf-8":
                continue
            total += len(data)
            db.scan(data, match_event_handler=on_match)
    return hits, total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trees", nargs="*", type=Path,
                   default=[BENCH / ".cache" / "pkgtree", BENCH / ".cache" / "corpus-300-s1" / "tree"])
    p.add_argument("--min-rate", type=float, default=5.0, help="keep keywords seen this often per 100 MB")
    p.add_argument("--output", type=Path, default=OUT)
    a = p.parse_args(argv)
    rates: dict[str, int] = {}
    sizes = []
    for tree in a.trees:
        hits, total = count(tree)
        sizes.append(f"{tree.relative_to(ROOT) if tree.is_relative_to(ROOT) else tree} ({total / 1e6:.0f} MB)")
        per = 100e6 / max(1, total)
        for w, n in hits.items():
            if n * per >= a.min_rate:
                rates[w] = max(rates.get(w, 0), round(n * per))
    lines = [
        '"""Hits per 100 MB of code of the rule keywords seen at least that often (the highest rate over',
        f"{', '.join(sizes)}; written by ``bench/keyword_rates.py``).",
        'Used to choose which rules Hyperscan searches as whole patterns; never changes what is found."""',
        "",
        "RATES: dict[str, int] = {",
    ]
    lines += [f"    {w!r}: {r}," for w, r in sorted(rates.items(), key=lambda x: (-x[1], x[0]))]
    lines += ["}", ""]
    a.output.write_text("\n".join(lines))
    print(f"{a.output}: {len(rates)} keywords from {', '.join(sizes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
