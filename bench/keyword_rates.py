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

It also times the Hyperscan pass over a 40 MB sample of the first tree with the whole patterns of those
rules, and without each one in turn: a pattern that costs more than ``--costly`` of that pass alone
(``ai-provider-context-key``: its ``co`` alternative leaves Hyperscan no literal to anchor on) is listed
in ``COSTLY``, and its rule is searched by keyword (its regex costs less on its keyword windows).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

import hyperscan  # noqa: E402

from scanner.match import content  # noqa: E402
from scanner.match.hyperscan_backend import WHOLE_PATTERN_RATE, _compiles, _literal, whole_pattern  # noqa: E402
from scanner.rules.load import load_rules  # noqa: E402

OUT = ROOT / "scanner" / "match" / "keyword_rates.py"


def texts(tree: Path):  # type: ignore[no-untyped-def]
    for folder, _dirs, names in os.walk(tree):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            if content.sniff(data[: content.SNIFF_BYTES]) == "utf-8":
                yield data


def costly(tree: Path, rates: dict[str, int], share: float) -> list[str]:
    """Rules with common keywords whose whole pattern alone costs more than ``share`` of the pass."""
    rules = [r for r in load_rules().rules
             if sum(rates.get(k, 0) for k in r.keywords) >= WHOLE_PATTERN_RATE and _compiles(whole_pattern(r))]
    sample = list(texts(tree))
    random.Random(2).shuffle(sample)
    kept, size = [], 0
    for data in sample:
        if size > 40e6:
            break
        kept.append(data)
        size += len(data)

    def seconds(chosen: list[object]) -> float:
        db = hyperscan.Database()
        expressions = [whole_pattern(r) for r in chosen]  # type: ignore[attr-defined]
        db.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
                   flags=[hyperscan.HS_FLAG_PREFILTER] * len(expressions))
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for data in kept:
                db.scan(data)
            best = min(best, time.process_time() - started)
        return best

    whole = seconds(rules)
    return sorted(r.id for r in rules if whole - seconds([o for o in rules if o is not r]) > share * whole)


def count(tree: Path) -> tuple[Counter[str], int]:
    words = sorted({k for r in load_rules().rules for k in r.keywords})
    db = hyperscan.Database()
    db.compile(expressions=[_literal(w) for w in words], ids=list(range(len(words))), elements=len(words),
               flags=[hyperscan.HS_FLAG_CASELESS] * len(words))
    hits: Counter[str] = Counter()
    total = 0

    def on_match(i: int, start: int, end: int, flags: int, context: object) -> None:
        hits[words[i]] += 1

    for data in texts(tree):
        total += len(data)
        db.scan(data, match_event_handler=on_match)
    return hits, total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trees", nargs="*", type=Path,
                   default=[BENCH / ".cache" / "pkgtree", BENCH / ".cache" / "corpus-300-s1" / "tree"])
    p.add_argument("--min-rate", type=float, default=5.0, help="keep keywords seen this often per 100 MB")
    p.add_argument("--output", type=Path, default=OUT)
    p.add_argument("--costly", type=float, default=0.15, help="share of the pattern pass that makes one pattern costly")
    a = p.parse_args(argv)
    rates: dict[str, int] = {}
    sizes = []
    for tree in a.trees:
        hits, total = count(tree)
        # a tree outside the project (another checkout's cache) by its last parts: no machine's paths
        shown = tree.relative_to(ROOT) if tree.is_relative_to(ROOT) else Path(*tree.parts[-3:])
        sizes.append(f"{shown} ({total / 1e6:.0f} MB)")
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
    lines += ["}", "", f"# rules whose whole pattern alone takes more than {a.costly:.0%} of the Hyperscan pass of all of them: searched by keyword",
              f"COSTLY: frozenset[str] = frozenset({costly(a.trees[0], rates, a.costly)!r})", ""]
    a.output.write_text("\n".join(lines))
    print(f"{a.output}: {len(rates)} keywords from {', '.join(sizes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
