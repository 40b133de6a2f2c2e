"""Prefilter: one pass over the content says which rules may match and where. Only those rules run
their regexes, and only on windows around the hits. This module holds the shared parts and the
portable Aho-Corasick backend; ``hyperscan_backend`` holds the fast one.

Besides the rules' keywords, the automaton holds the base64 forms of each keyword (in all three
alignments; in lower and upper case, as the rule's pattern spells it and as its examples write it) and
the hex and backslash-escaped forms of the longer ones, so a keyword hidden inside
encoded text marks that text for decoding without a second pass over the content.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

import ahocorasick

from scanner.match.decoders import Triggers, encoded_variants
from scanner.model import Rule

# The payload of an encoded (base64 or hex) form of a keyword: no rule index, only "decode around here".
B64_MARK = -1
_MIN_B64_VARIANT = 4


def base64_variants(keyword: str, exact: bool = False) -> set[str]:
    """The stable middle of base64(keyword) at each of the three byte alignments, lowercased, for
    the keyword written in lower and in upper case (``akia`` is ``AKIA`` in the text), or only as
    written (``exact``: ``eyJ``, whose base64 differs from that of ``eyj`` and ``EYJ``)."""
    out: set[str] = set()
    for form in ({keyword} if exact else {keyword.lower(), keyword.upper()}):
        raw = form.encode("utf-8")
        for pad in range(3):
            enc = base64.b64encode(b"\0" * pad + raw).decode("ascii")
            start = (pad * 4 + 2) // 3  # first character not influenced by the padding bytes
            end = ((pad + len(raw)) * 4) // 3  # last character fully determined by keyword bytes
            stable = enc[start:end]
            if len(stable) >= _MIN_B64_VARIANT:
                out.add(stable.lower())
    return out


class Sparse(Triggers, Protocol):
    """What a sparse scan left to be asked: the keyword hits of a rule searched as a whole pattern, and
    the decoders' plain keyword hits (``decoders.Triggers``)."""

    def rule_ends(self, index: int) -> list[int]:
        """End offsets of the keywords of rule ``index``, as ``Hits.by_rule`` would hold them."""
        ...

    def rule_ends_in(self, index: int, spans: Sequence[tuple[int, int]]) -> list[int]:
        """The end offsets of ``rule_ends(index)`` that lie in ``spans`` (sorted, disjoint, both ends
        included), in order: only the text around them is searched."""
        ...


@dataclass(frozen=True)
class Hits:
    """Where the prefilter saw each rule's keywords (and candidates) in a text."""

    by_rule: dict[int, list[int]]  # rule index -> end offsets (exclusive) of its keywords
    base64: list[int]  # end offsets of base64-encoded keywords
    keywords: list[int]  # end offsets of every plain keyword, whatever rule it serves
    candidates: dict[int, list[int]]  # rule index -> ends of whole-pattern candidate matches
    # from ``scan_sparse`` only: by_rule and keywords leave out the rules searched as whole patterns,
    # whose keyword hits (only needed where a candidate is) come from here
    sparse: Sparse | None = None

    @classmethod
    def empty(cls) -> Hits:
        return cls({}, [], [], {})

    def nothing(self) -> bool:
        """No keyword, encoded keyword, candidate or decoder trigger: no rule and no decoder can find
        anything in the text (most texts)."""
        sparse = self.sparse
        return not (self.by_rule or self.candidates or self.base64 or self.keywords
                    or (sparse is not None and (sparse.lines or sparse.percent or sparse.json)))

    def add(self, end: int, entry: Entry) -> None:
        """Record one hit ending at ``end`` (exclusive)."""
        rules, encoded, patterns = entry
        if rules:
            self.keywords.append(end)
            for index in rules:
                found = self.by_rule.get(index)
                if found is None:
                    self.by_rule[index] = [end]
                else:
                    found.append(end)
        if encoded:
            self.base64.append(end)
        for index in patterns:
            found = self.candidates.get(index)
            if found is None:
                self.candidates[index] = [end]
            else:
                found.append(end)


# What one literal or pattern of a backend stands for: (rules it is a keyword of, is a base64 form
# of a keyword, rules it is the whole pattern of)
Entry = tuple[tuple[int, ...], bool, tuple[int, ...]]


def keyword_entry(indices: set[int]) -> Entry:
    return tuple(sorted(i for i in indices if i >= 0)), B64_MARK in indices, ()


def escaped_slash_variants(keyword: str) -> set[str]:
    """A keyword with ``/`` as JSON encoders may write it (``hooks.slack.com\\/workflows\\/``)."""
    return {keyword.replace("/", "\\/")} if "/" in keyword and len(keyword) >= 4 else set()


def percent_variants(keyword: str) -> set[str]:
    """The percent-encoded form of a keyword holding URL punctuation (``:apa91b`` is ``%3aapa91b`` in
    a query string), lowercased; none for a keyword of letters and digits."""
    from urllib.parse import quote

    form = quote(keyword, safe="").lower()
    return {form} if form != keyword and len(keyword) >= 4 else set()


# Text whose encoded form is worth a decode although no rule has it as a keyword: a URL scheme, where
# the rules' keyword (``://``) is too short for its base64 forms to be told from chance.
# ``eyJ`` (a JWT's first characters, in the case they are always written) for a base64-encoded JWT.
DECODE_HINTS = ("https://", "http://", "eyJ")
# ``://`` in hex (``3a2f2f``): any URL scheme of a hex-encoded connection string (``sb://``, ``amqps://``)
HEX_HINTS = ("://",)
ENCODED_FORMS = ("base64", "hex", "escapes", "percent", "escaped-slash", "spelled", "example-spelled", HEX_HINTS)  # which encoded forms of keywords the table holds


def spelled_forms(keyword: str, pattern: str) -> set[str]:
    """The keyword as the rule's pattern spells it, where that is neither its lower nor its upper case
    (``:APA91b``, ``AKCp``, ``AccountKey=``): the prefilter matches keywords in any case, but their
    base64 and hex forms differ with the case of every letter, so the form a token is written in is
    the one whose encoded forms are looked for."""
    plain = _UNESCAPE.sub(r"\1", pattern)  # ``SG\.`` is ``SG.``
    lowered, kw, n = plain.lower(), keyword.lower(), len(keyword)
    out: set[str] = set()
    if len(lowered) != len(plain):  # a character whose lower case is longer: offsets would not line up
        return out
    at = lowered.find(kw)
    while at >= 0:
        out.add(plain[at:at + n])
        at = lowered.find(kw, at + 1)
    return out - {kw, keyword.upper()}


_UNESCAPE = re.compile(r"\\(.)")


def _encoded_forms(keyword: str, rule: Rule) -> set[str]:
    """What the automaton holds for a keyword besides itself: its base64, hex, escaped and
    percent-encoded forms, in lower and upper case and as the rule's pattern spells it, and the base64
    forms of it as the rule's examples write it."""
    out = base64_variants(keyword) | encoded_variants(keyword) | percent_variants(keyword) | escaped_slash_variants(keyword)
    spelled = spelled_forms(keyword, rule.regex)
    for form in spelled:
        out |= base64_variants(form, exact=True) | encoded_variants(form, exact=True)
    for form in rule.spellings:
        if form.lower() == keyword and form not in spelled:
            out |= base64_variants(form, exact=True)
    return out


def keyword_table(rules: Sequence[Rule], decode_base64: bool) -> dict[str, set[int]]:
    """Every literal to look for, mapped to the rule indices it serves (``B64_MARK`` for the
    base64 forms of keywords and of ``DECODE_HINTS``)."""
    table: dict[str, set[int]] = {}
    for index, rule in enumerate(rules):
        for kw in rule.keywords:
            table.setdefault(kw, set()).add(index)
            if decode_base64:
                for variant in _encoded_forms(kw, rule):
                    table.setdefault(variant, set()).add(B64_MARK)
    if decode_base64 and rules:
        for hint in DECODE_HINTS:
            for variant in base64_variants(hint, exact=True) | encoded_variants(hint):
                table.setdefault(variant, set()).add(B64_MARK)
        for hint in HEX_HINTS:
            table.setdefault(hint.encode().hex(), set()).add(B64_MARK)
    return table


class Prefilter(Protocol):
    """Finds where rules may match. Both backends return the same hits for the same content."""

    name: str
    pattern_rules: frozenset[int]  # rules searched as whole patterns: their keyword windows are
    # confirmed only where a candidate match ends (``Hits.candidates``)

    def scan(self, text: str, raw: bytes | None = None) -> Hits:
        """``text`` is the latin-1 view of ``raw`` (the content's bytes, when the caller has them)."""
        ...

    def scan_sparse(self, text: str, raw: bytes | None = None) -> Hits:
        """What the matcher needs, which may leave work to ``Hits.sparse`` (the same matches result)."""
        ...


class AutomatonStore(Protocol):
    """Keeps built automata between processes (``scanner.rules.accache``: an authenticated cache file).
    A state is what ``Automaton.__reduce__`` gives: plain values that rebuild the same automaton."""

    def load(self, key: str) -> tuple[Any, ...] | None: ...

    def store(self, key: str, state: tuple[Any, ...]) -> None: ...


def automaton_key(rules: Sequence[Rule], decode_base64: bool) -> str:
    """What an automaton depends on: each rule's keywords in rule order, the encoded forms, and the
    pyahocorasick build that lays out its state (a format tag changes with :func:`keyword_table`)."""
    built = os.stat(ahocorasick.__file__)  # the extension module itself: an upgrade changes it
    h = hashlib.sha256(f"ac2|{ahocorasick.__file__}|{built.st_size}|{built.st_mtime_ns}|{decode_base64}".encode())
    for rule in rules:
        h.update("\0".join(rule.keywords).encode("utf-8", "surrogatepass") + b"\1")
        if decode_base64:  # the keywords as the pattern and the examples spell them have encoded forms of their own
            h.update(rule.regex.encode("utf-8", "surrogatepass") + b"\2")
            h.update("\0".join(rule.spellings).encode("utf-8", "surrogatepass") + b"\3")
    return h.hexdigest()[:32]


def _build(rules: Sequence[Rule], decode_base64: bool) -> ahocorasick.Automaton | None:
    table = keyword_table(rules, decode_base64)
    if not table:
        return None
    automaton = ahocorasick.Automaton()
    for word, indices in table.items():
        automaton.add_word(word, keyword_entry(indices))
    automaton.make_automaton()
    return automaton


class AhoCorasickPrefilter:
    """The portable backend: pyahocorasick over the lowercased text. With a ``store``, the automaton
    of the same keywords is taken from it (building one for the shipped rules costs more than the
    pre-commit hook's whole scan) and stored there when built."""

    name = "ahocorasick"
    pattern_rules: frozenset[int] = frozenset()

    def __init__(self, rules: Sequence[Rule], *, decode_base64: bool = True, store: AutomatonStore | None = None) -> None:
        self._automaton = _restored(rules, decode_base64, store)
        self._empty = self._automaton is None

    def scan(self, text: str, raw: bytes | None = None) -> Hits:
        hits = Hits.empty()
        if self._automaton is not None:
            for end, indices in self._automaton.iter(text.lower()):
                hits.add(end + 1, indices)
        return hits

    scan_sparse = scan


def _restored(rules: Sequence[Rule], decode_base64: bool, store: AutomatonStore | None) -> ahocorasick.Automaton | None:
    if store is None or not any(r.keywords for r in rules):
        return _build(rules, decode_base64)
    key = automaton_key(rules, decode_base64)
    state = store.load(key)
    if state is not None:
        try:
            return ahocorasick.Automaton(*state)
        except Exception:  # noqa: BLE001 - a state this user stored that does not load: rebuilt
            pass
    automaton = _build(rules, decode_base64)
    if automaton is not None:
        store.store(key, automaton.__reduce__()[1])
    return automaton


