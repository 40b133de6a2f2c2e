"""A rule searched as a whole pattern looks for its keywords only near its candidate matches
(``Matcher._ends_near``): the windows and lines the regex then runs on are exactly those that every
keyword hit of the text gives."""

from __future__ import annotations

import random
from typing import Sequence

import pytest

from scanner.match.compiled import CompiledRule
from scanner.match.matcher import Matcher, _candidate_lines, _windows, _with_candidates
from scanner.match.prefilter import AhoCorasickPrefilter
from scanner.model import Confidence, Rule, Severity


class _AllEnds:
    """A sparse scan's answers from a list of every keyword end; counts which question was asked."""

    def __init__(self, ends: list[int]) -> None:
        self.ends = sorted(ends)
        self.asked = {"all": 0, "near": 0}
        self.lines: list[int] = []
        self.percent = self.json = False

    def rule_ends(self, index: int) -> list[int]:
        self.asked["all"] += 1
        return list(self.ends)

    def rule_ends_in(self, index: int, spans: Sequence[tuple[int, int]]) -> list[int]:
        self.asked["near"] += 1
        assert list(spans) == sorted(spans) and all(a <= b for a, b in spans)
        assert all(b1 < a2 for (_, b1), (a2, _) in zip(spans, spans[1:])), "spans overlap"
        return [e for e in self.ends if any(a <= e <= b for a, b in spans)]

    def keyword_ends(self) -> list[int]:
        return list(self.ends)

    def first_keyword_end(self, start: int, end: int) -> int | None:
        return next((e for e in self.ends if start < e <= end), None)


def _matcher(regex: str, window: int, before: int | None) -> Matcher:
    rule = Rule(id="r", name="r", kind="api-key", provider="p", severity=Severity.HIGH,
                confidence=Confidence.HIGH, keywords=("kw",), regex=regex, window=window, window_before=before)
    return Matcher([CompiledRule(rule, 0)], AhoCorasickPrefilter([rule]))


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("abc \n") if rng.random() < 0.97 else "\n" for _ in range(n))


@pytest.mark.parametrize("line_bound", [True, False])
def test_windows_near_candidates_are_those_all_hits_give(line_bound: bool) -> None:
    rng = random.Random(11 if line_bound else 12)
    asked = {"all": 0, "near": 0}
    for _ in range(1500):
        n = rng.choice((60, 400, 3000, 20000))
        text = _text(rng, n)
        window = rng.choice((3, 16, 40, 256))
        before = rng.choice((None, 0, 10, 100))
        matcher = _matcher(r"k[^\n]*" if line_bound else r"k[\s\S]*", window, before)
        assert matcher.rules[0].line_bound is line_bound
        b = window if before is None else before
        dense = rng.random() < 0.3
        ends = sorted({rng.randrange(n + 1) for _ in range(rng.randrange(1, (n // 4 if dense else 12) + 2))})
        candidates = sorted({rng.randrange(n + 1) for _ in range(rng.randrange(1, 6))})
        sparse = _AllEnds(ends)
        near = matcher._ends_near(text, sparse, 0, candidates)  # type: ignore[arg-type]
        for key in asked:
            asked[key] += sparse.asked[key]
        whole, part = _windows(ends, b, window, n), _windows(near, b, window, n)
        if line_bound:
            assert _candidate_lines(text, part, candidates) == _candidate_lines(text, whole, candidates)
        else:
            assert _with_candidates(part, candidates) == _with_candidates(whole, candidates)
    assert asked["near"] > 500 and asked["all"] > 50  # both ways were taken


def test_hyperscan_hits_near_spans_are_those_of_the_whole_text() -> None:
    pytest.importorskip("hyperscan")
    from scanner.match.hyperscan_backend import HyperscanPrefilter
    from scanner.rules.hscache import shipped_database
    from scanner.rules.load import load_rules

    rules = load_rules().rules
    prefilter = HyperscanPrefilter(rules, prebuilt=shipped_database())
    rng = random.Random(5)
    lines = [f"password_{i} = value{i}\nTOKEN: abc{i}\npass: x\n" if rng.random() < 0.5 else "nothing here\n"
             for i in range(400)]
    text = "".join(lines)
    hits = prefilter.scan_sparse(text)
    assert hits.sparse is not None and hits.candidates
    for index in hits.candidates:
        every = hits.sparse.rule_ends(index)
        for _ in range(20):
            points = sorted(rng.randrange(len(text)) for _ in range(6))
            spans = [(points[i], points[i + 1]) for i in range(0, 6, 2)]
            got = hits.sparse.rule_ends_in(index, spans)
            assert got == [e for e in every if any(a <= e <= b for a, b in spans)]
