"""The matcher: text in, raw matches out. No I/O, no global state; what worker processes run.

It is given everything it uses: the compiled rules (``match.compiled``, built by the rules layer) and
a prefilter over the same rules (``match.backends``). It reads no rule file and no cache.

Text is scanned as a ``str`` whose characters are the content's bytes (a latin-1 view), so offsets
are byte offsets and no decoding cost is paid on the hot path. One Aho-Corasick pass finds keyword
hits; each hit rule runs its regex on merged windows around its hits, with a time bound.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from itertools import accumulate, chain
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import regex

from scanner.match import decoders
from scanner.match.compiled import CompiledRule
from scanner.match.doccontext import documentation
from scanner.match.entropy import shannon
from scanner.match.prefilter import Prefilter, Sparse
from scanner.match.safelist import is_documented_example, is_placeholder
from scanner.match.validators import VALIDATORS
from scanner.model import Confidence, Validation

if TYPE_CHECKING:
    from scanner.match.trace import Step, TraceSink


@dataclass(frozen=True)
class RawMatch:
    """A match the matcher kept, before it is located and fingerprinted (``Finding``)."""

    rule_index: int
    start: int  # span of the secret (or of the encoded text it was decoded from) in the scanned text
    end: int
    secret: str  # in the latin-1 view: characters are bytes
    entropy: float
    validation: Validation
    confidence: Confidence
    decoded: tuple[str, ...] = ()
    companion: tuple[str, str] | None = None


@dataclass(frozen=True)
class MatchResult:
    """The matches of one text, and warnings (a regex over its time bound)."""

    matches: tuple[RawMatch, ...]
    warnings: tuple[str, ...] = ()


class Matcher:
    """Runs ``rules`` (each ``CompiledRule.index`` its position there) where ``prefilter``, built over the
    same rules, finds their keywords; ``prefilter`` looks for encoded keywords when ``max_decode_depth``
    is above 0."""

    def __init__(
        self, rules: Sequence[CompiledRule], prefilter: Prefilter, *, regex_timeout: float = 2.0,
        max_decode_depth: int = 2,
    ) -> None:
        self.rules: tuple[CompiledRule, ...] = tuple(rules)
        self.prefilter = prefilter
        self.regex_timeout = regex_timeout
        self.max_decode_depth = max_decode_depth
        self._index_by_id = {c.rule.id: c.index for c in self.rules}
        self._identifier_indices = frozenset(c.index for c in self.rules if c.rule.kind == "identifier")

    def compile_all(self) -> None:
        """Compile every rule's patterns now (they are compiled on first use otherwise)."""
        for crule in self.rules:
            crule.pattern, crule.allow, crule.deny_key  # noqa: B018 - cached properties

    def scan(self, text: str, raw: bytes | None = None, trace: TraceSink | None = None) -> MatchResult:
        """``text`` is the latin-1 view of ``raw``; pass ``raw`` when you have it (saves a copy).
        ``trace`` receives every candidate and the step that kept or dropped it (``match.trace``)."""
        warnings: list[str] = []
        found = self._scan(text, 0, warnings, raw, trace)
        found = self._pair_companions(found, trace)
        # identifiers take part in the overlaps (a generic rule does not report an identifier's text
        # as a secret), then leave: a secret's finding carries them
        found = _resolve_overlaps(found, self.rules, trace, quiet=self._identifier_indices)
        return MatchResult(tuple(self._carry_identifiers(found, trace)), tuple(warnings))

    # -- one level: keywords, windows, regexes, then decoded sub-texts --------------------------
    def _scan(self, text: str, depth: int, warnings: list[str], raw: bytes | None = None,
              trace: TraceSink | None = None) -> list[RawMatch]:
        hits = self.prefilter.scan_sparse(text, raw)
        if hits.nothing():
            return []
        out: list[RawMatch] = []
        n = len(text)
        patterns = self.prefilter.pattern_rules
        sparse = hits.sparse
        keyword_hits: Iterable[tuple[int, list[int]]] = hits.by_rule.items()
        if sparse is not None:
            # rules with whole patterns: their keyword hits only matter where a candidate is
            keyword_hits = chain(keyword_hits, ((i, self._ends_near(text, sparse, i, ends))
                                                for i, ends in hits.candidates.items() if i not in hits.by_rule))
        for index, ends in keyword_hits:
            if not ends:
                continue
            crule = self.rules[index]
            rule = crule.rule
            before = rule.window if rule.window_before is None else rule.window_before
            windows = _windows(ends, before, rule.window, n)
            if index in patterns:
                if crule.line_bound:
                    windows = _candidate_lines(text, windows, hits.candidates.get(index))
                else:
                    windows = _with_candidates(windows, hits.candidates.get(index))
            if trace is not None:
                for start, stop in windows:
                    trace.add(_step(index, start, stop, "keyword", True, f"{len(ends)} keyword hit(s)"))
            for start, stop in windows:
                out.extend(self._run_rule(crule, text, start, stop, warnings, trace))
        if depth < self.max_decode_depth:
            for run in decoders.candidates(text, hits.base64, hits.keywords, sparse):
                sub_trace = None if trace is None else _located(trace, run.locate, run.name)
                for sub in self._scan(run.text, depth + 1, warnings, None, sub_trace):
                    start, end = run.locate(sub.start, sub.end)
                    out.append(replace(sub, start=start, end=end, decoded=(run.name, *sub.decoded)))
        return out

    def _ends_near(self, text: str, sparse: Sparse, index: int, candidates: list[int]) -> list[int]:
        """The keyword hits of rule ``index`` (searched as a whole pattern) that its windows around
        ``candidates`` are made of: the windows and lines these give are those all its hits give
        (``_windows`` then ``_candidate_lines`` or ``_with_candidates``), but only the text near the
        candidates is searched."""
        crule = self.rules[index]
        after = crule.rule.window
        before = after if crule.rule.window_before is None else crule.rule.window_before
        n = len(text)
        if crule.line_bound:
            # a hit matters only if its window reaches a candidate's line: it ends within ``after``
            # before the line or ``before`` after it (the line as ``_candidate_lines`` takes it)
            spans: list[tuple[int, int]] = []
            for end in candidates:
                start = text.rfind("\n", 0, end - 1 if end > 0 and text[end - 1:end] == "\n" else end) + 1
                stop = text.find("\n", end)
                spans.append((max(0, start - after), min(n, (n if stop < 0 else stop) + before)))
            todo = _merged(spans)
            return sparse.rule_ends_in(index, todo) if _length(todo) * 2 < n else sparse.rule_ends(index)
        # whole windows count: grow each window holding a candidate until no hit outside what was
        # searched can join it (a hit joins a window when their spans touch)
        todo = _merged([(max(0, end - after), min(n, end + before)) for end in candidates])
        covered: list[tuple[int, int]] = []
        ends: list[int] = []
        while todo:
            if _length(covered) + _length(todo) * 2 >= n:
                return sparse.rule_ends(index)
            ends.extend(sparse.rule_ends_in(index, todo))
            covered = _merged(covered + todo)
            reach = _merged([(max(0, a - after), min(n, b + before)) for a, b in _windows(ends, before, after, n)])
            todo = _outside(reach, covered)
        return ends

    def _run_rule(self, crule: CompiledRule, text: str, start: int, stop: int, warnings: list[str],
                  trace: TraceSink | None = None) -> list[RawMatch]:
        out: list[RawMatch] = []
        matched = False
        try:
            for m in crule.pattern.finditer(text, start, stop, timeout=self.regex_timeout):
                accepted = self._accept(crule, m)
                if type(accepted) is RawMatch:
                    out.append(accepted)
                    matched = True
                elif trace is not None:
                    matched = True
                    detail, value = _dropped(crule, m, accepted)  # type: ignore[arg-type]
                    a, b = m.span("secret") if m.group("secret") else m.span()
                    trace.add(_step(crule.index, a, b, accepted, False, detail, value))  # type: ignore[arg-type]
        except TimeoutError:
            warnings.append(f"rule '{crule.rule.id}' gave up after {self.regex_timeout:g}s on a pathological input")
        if trace is not None and not matched:
            trace.add(_step(crule.index, start, stop, "pattern", False, "the regex matched nothing here"))
        return out

    def _accept(self, crule: CompiledRule, m: regex.Match[str]) -> RawMatch | str:
        """The match as a RawMatch, or the step that drops it (``match.trace.STEPS``); ``_dropped``
        says why, only when a trace asks."""
        rule = crule.rule
        raw_secret = m.group("secret")
        if not raw_secret:
            return "pattern"
        deny_key = crule.deny_key
        if deny_key is not None and deny_key.search(m.group("key") or ""):
            return "deny_key"
        secret = decoders.decode_value(rule.decode, raw_secret) if rule.decode else raw_secret
        if secret is None:
            return "decode"
        if any(a.search(secret) for a in crule.allow):
            return "allowlist"
        # a placeholder is a guess from the value's look; a checksum that matches is proof, and wins
        # (a real token's random part may hold "xxxx"): only a documented example stays out then
        guessed = is_placeholder(secret)
        if guessed and (rule.validator is None or is_documented_example(secret)):
            return "placeholder"
        entropy = shannon(secret)
        if entropy < rule.min_entropy:
            return "entropy"
        validation = Validation.UNCHECKED
        if rule.validator is not None:
            checked = VALIDATORS[rule.validator](secret)
            if checked is None:
                return "validator"
            validation = checked
        if guessed and validation is not Validation.CHECKSUM:
            return "placeholder"
        start, end = m.span("secret")
        if rule.generic and documentation(m.string, start) is not None:
            return "context"  # a value with no shape of its own, shown in a docstring or a doctest
        # a value the rule decodes itself (``decode``) carries that step in its chain
        chain = (rule.decode,) if rule.decode and secret != raw_secret else ()
        return RawMatch(crule.index, start, end, secret, entropy, validation, rule.confidence, chain)

    # -- pairs: a secret that needs a companion near it --------------------------------------
    def _pair_companions(self, found: list[RawMatch], trace: TraceSink | None = None) -> list[RawMatch]:
        if not any(self.rules[m.rule_index].rule.companion for m in found):
            return found
        by_rule: dict[int, list[RawMatch]] = {}
        for m in found:
            by_rule.setdefault(m.rule_index, []).append(m)
        out: list[RawMatch] = []
        for m in found:
            companion = self.rules[m.rule_index].rule.companion
            if companion is None:
                out.append(m)
                continue
            partner_index = self._index_by_id.get(companion.rule)
            near = [
                p for p in by_rule.get(partner_index, []) if abs(p.start - m.start) <= companion.within
            ] if partner_index is not None else []
            if near:
                best = min(near, key=lambda p: abs(p.start - m.start))
                out.append(replace(m, companion=(companion.rule, best.secret)))
            elif not companion.required:
                out.append(replace(m, confidence=m.confidence.lowered()))
                if trace is not None:
                    trace.add(_step(m.rule_index, m.start, m.end, "pairing", True,
                                    f"no {companion.rule} within {companion.within} characters: confidence lowered",
                                    m.secret, m.decoded))
            elif trace is not None:
                trace.add(_step(m.rule_index, m.start, m.end, "pairing", False,
                                f"needs {companion.rule} within {companion.within} characters; none there",
                                m.secret, m.decoded))
        return out

    def _carry_identifiers(self, found: list[RawMatch], trace: TraceSink | None = None) -> list[RawMatch]:
        """Identifiers (``kind = "identifier"``: an account SID, a tenant id, an org URL) are never
        findings of their own: a secret's finding carries the one beside it as its companion."""
        rules = self.rules
        if not any(rules[m.rule_index].rule.kind == "identifier" for m in found):
            return found
        if trace is not None:
            carried = {(c[0], c[1]) for m in found if (c := m.companion) is not None}
            for m in found:
                rule = rules[m.rule_index].rule
                if rule.kind == "identifier":
                    how = "carried by the finding of the secret beside it" if (rule.id, m.secret) in carried \
                        else "an identifier alone is not a secret"
                    trace.add(_step(m.rule_index, m.start, m.end, "identifier", False, how, m.secret, m.decoded))
        return [m for m in found if rules[m.rule_index].rule.kind != "identifier"]


def _dropped(crule: CompiledRule, m: regex.Match[str], step: str) -> tuple[str, str]:
    """Why ``_accept`` dropped ``m`` at ``step``, and the value it judged: for a trace only."""
    rule = crule.rule
    raw = m.group("secret") or ""
    value = (decoders.decode_value(rule.decode, raw) or raw) if rule.decode and raw else raw
    if step == "pattern":
        return "empty secret group", ""
    if step == "deny_key":
        return f"the name {m.group('key')!r} holds a word deny_key excludes", raw
    if step == "decode":
        return f"the value does not decode as {rule.decode}", raw
    if step == "allowlist":
        return "the value matches one of the rule's allow patterns", value
    if step == "placeholder":
        return "a placeholder, template, reference, mask or documented example", value
    if step == "entropy":
        return f"{shannon(value):.2f} bits per character, below the rule's {rule.min_entropy:g}", value
    if step == "validator":
        return f"rejected by the {rule.validator} validator", value
    if step == "context":
        return documentation(m.string, m.start("secret")) or "documentation", value
    return step, value


def _windows(ends: list[int], before: int, after: int, limit: int) -> list[tuple[int, int]]:
    """Merged ``[end - before, end + after]`` windows around keyword hits, in order. Dense hits
    (a keyword on every line) are merged by bisection, not one by one."""
    if not ends:
        return []
    ends = sorted(ends)  # linear for the already-sorted lists both backends produce
    out: list[tuple[int, int]] = []
    i, n = 0, len(ends)
    while i < n:
        a = max(0, ends[i] - before)
        b = ends[i] + after
        # every hit whose window starts at or before b joins this window
        while True:
            j = bisect.bisect_right(ends, b + before, i) - 1
            if j <= i or ends[j] + after <= b:
                break
            b, i = ends[j] + after, j
        out.append((a, min(limit, b)))
        i = bisect.bisect_right(ends, b + before, i)
    return out


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of offsets (both ends included) sorted, with overlapping and adjacent ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _length(spans: list[tuple[int, int]]) -> int:
    return sum(b - a + 1 for a, b in spans)


def _outside(spans: list[tuple[int, int]], covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``spans`` that ``covered`` does not hold (both merged)."""
    out: list[tuple[int, int]] = []
    j = 0
    for a, b in spans:
        while j < len(covered) and covered[j][1] < a:
            j += 1
        k = j
        while a <= b:
            if k == len(covered) or covered[k][0] > b:
                out.append((a, b))
                break
            c, d = covered[k]
            if c > a:
                out.append((a, c - 1))
            a = max(a, d + 1)
            k += 1
    return out


def _with_candidates(windows: list[tuple[int, int]], ends: list[int] | None) -> list[tuple[int, int]]:
    """The windows in which a whole-pattern candidate match ends; a window without one cannot
    hold a match."""
    if not ends:
        return []
    ends = sorted(ends)
    return [(a, b) for a, b in windows if (i := bisect.bisect_right(ends, a)) < len(ends) and ends[i] <= b]


def _candidate_lines(text: str, windows: list[tuple[int, int]], ends: list[int] | None) -> list[tuple[int, int]]:
    """For a rule whose matches never span lines: the part of each window on a line where a
    whole-pattern candidate ends. A match ends where a candidate does, so it lies on one of those
    lines; the regex runs there and nowhere else in the window (``linebound``). A candidate that
    ends right at a line start also keeps the line before it."""
    if not ends or not windows:
        return []
    out: list[tuple[int, int]] = []
    last_stop = -1
    w = 0
    for end in sorted(ends):
        while w < len(windows) and windows[w][1] < end:
            w += 1
        if w == len(windows):
            break
        a, b = windows[w]
        if end < a:
            continue
        line_start = text.rfind("\n", 0, end - 1 if end > 0 and text[end - 1:end] == "\n" else end) + 1
        line_stop = text.find("\n", end)
        if line_stop < 0:
            line_stop = len(text)
        start, stop = max(a, line_start), min(b, line_stop)
        if stop <= last_stop:
            continue  # this line is already in
        start = max(start, last_stop)
        if start < stop:  # a match holds a secret: never empty
            out.append((start, stop))
            last_stop = stop
    return out


class _Kept:
    """The matches of one rule kept so far, by start: which of them overlap a span, in about log n
    (matches are short: only those starting within the longest match's length before its end can)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.matches: list[RawMatch] = []
        self.longest = 0

    def clashes(self, m: RawMatch) -> bool:
        """Whether a kept match overlaps ``m`` and wins over it (``m`` decoded, or the same secret)."""
        starts, j = self.starts, bisect.bisect_left(self.starts, m.end) - 1
        while j >= 0 and starts[j] + self.longest > m.start:
            o = self.matches[j]
            if o.end > m.start and (m.decoded or o.secret == m.secret):
                return True
            j -= 1
        return False

    def add(self, m: RawMatch) -> None:
        i = bisect.bisect_right(self.starts, m.start)
        self.starts.insert(i, m.start)
        self.matches.insert(i, m)
        self.longest = max(self.longest, m.end - m.start)


def _resolve_overlaps(found: list[RawMatch], rules: tuple[CompiledRule, ...],
                      trace: TraceSink | None = None, quiet: frozenset[int] = frozenset()) -> list[RawMatch]:
    """A specific rule wins over a generic one on the same text, and a match in decoded text
    loses to any match of the same rule found directly (or less deeply decoded) on overlapping
    text: ``p%40ss`` matched and decoded by the rule itself is not reported again from the
    percent-decoded copy. Linear but for a log factor: 30,000 matches in one text must not cost
    30,000 squared comparisons."""
    specific = sorted((m.start, m.end) for m in found if not rules[m.rule_index].rule.generic)
    specific_starts = [a for a, _ in specific]
    reach = list(accumulate((b for _, b in specific), max))  # the furthest end of specific[:k + 1]
    kept: list[RawMatch] = []
    by_rule: dict[int, _Kept] = {}
    for m in sorted(found, key=lambda m: (len(m.decoded), m.start, m.end, m.rule_index)):
        if rules[m.rule_index].rule.generic:
            k = bisect.bisect_left(specific_starts, m.end)  # the specific spans starting before m ends
            if k and reach[k - 1] > m.start:
                if trace is not None:
                    trace.add(_step(m.rule_index, m.start, m.end, "overlap", False,
                                    "a more specific rule matched the same text", m.secret, m.decoded))
                continue
        same = by_rule.setdefault(m.rule_index, _Kept())
        if same.clashes(m):
            if trace is not None:
                trace.add(_step(m.rule_index, m.start, m.end, "overlap", False,
                                "the same rule found it already (directly or less deeply decoded)", m.secret, m.decoded))
            continue
        same.add(m)
        kept.append(m)
        if trace is not None and m.rule_index not in quiet:  # ``quiet`` rules say their own last step
            trace.add(_step(m.rule_index, m.start, m.end, "kept", True, "", m.secret, m.decoded))
    return sorted(kept, key=lambda m: (m.start, m.end, m.rule_index))


# A trace (``credsprawl explain``) is rare: its module loads only when a run keeps one.
def _step(rule_index: int, start: int, end: int, step: str, kept: bool, detail: str = "", secret: str = "",
          decoded: tuple[str, ...] = ()) -> Step:
    from scanner.match.trace import Step

    return Step(rule_index, start, end, step, kept, detail, secret, decoded)


def _located(trace: TraceSink, locate: Callable[[int, int], tuple[int, int]], name: str) -> TraceSink:
    from scanner.match.trace import Located

    return Located(trace, locate, name)
