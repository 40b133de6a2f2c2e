"""Keyword prefilter: one Aho-Corasick pass over the lowercased content says which rules may match
and where. Only those rules run their regexes, and only on windows around the hits.

Besides the rules' keywords, the automaton holds the base64 forms of each keyword (in all three
alignments), so a keyword hidden inside base64-encoded text marks that text for decoding without a
second pass over the content.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Sequence

import ahocorasick

from scanner.model import Rule

# Payload of a base64-variant keyword: no rule index, only "decode around here".
B64_MARK = -1
_MIN_B64_VARIANT = 4


def base64_variants(keyword: str) -> set[str]:
    """The stable middle of base64(keyword) at each of the three byte alignments, lowercased."""
    raw = keyword.encode("utf-8")
    out: set[str] = set()
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + raw).decode("ascii")
        start = (pad * 4 + 2) // 3  # first character not influenced by the padding bytes
        end = ((pad + len(raw)) * 4) // 3  # last character fully determined by keyword bytes
        stable = enc[start:end]
        if len(stable) >= _MIN_B64_VARIANT:
            out.add(stable.lower())
    return out


@dataclass(frozen=True)
class Hits:
    by_rule: dict[int, list[int]]  # rule index -> end offsets of keyword hits
    base64: list[int]  # offsets of base64-encoded keyword hits


class Prefilter:
    def __init__(self, rules: Sequence[Rule], *, decode_base64: bool = True) -> None:
        table: dict[str, set[int]] = {}
        for index, rule in enumerate(rules):
            for kw in rule.keywords:
                table.setdefault(kw, set()).add(index)
                if decode_base64:
                    for variant in base64_variants(kw):
                        table.setdefault(variant, set()).add(B64_MARK)
        self._automaton = ahocorasick.Automaton()
        for word, indices in table.items():
            self._automaton.add_word(word, tuple(sorted(indices)))
        self._empty = not table
        if table:
            self._automaton.make_automaton()

    def scan(self, lowered: str) -> Hits:
        by_rule: dict[int, list[int]] = {}
        b64: list[int] = []
        if self._empty:
            return Hits(by_rule, b64)
        for end, indices in self._automaton.iter(lowered):
            for index in indices:
                if index == B64_MARK:
                    b64.append(end)
                else:
                    hits = by_rule.get(index)
                    if hits is None:
                        by_rule[index] = [end]
                    else:
                        hits.append(end)
        return Hits(by_rule, b64)
