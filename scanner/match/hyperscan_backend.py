"""The Hyperscan prefilter backend: one Hyperscan pass over the raw bytes.

Two kinds of entries share one database:
- **keywords**: every rule's keywords and their encoded forms, as caseless literals: the same hits
  the Aho-Corasick backend finds.
- **patterns**: each rule whose regex Hyperscan can compile in prefilter mode (a superset of what
  the regex matches, see ``prefilter_pattern``) is also searched as a whole pattern. Its keyword
  windows are then confirmed by Python's ``regex`` only where a candidate match ends inside them:
  a window with no candidate cannot hold a match, so findings are exactly those of the keyword
  backend, at a fraction of the regex work for rules with common keywords (``password``, ``://``).

Compiling is the expensive part, so the database of the shipped rules is compiled ahead and handed
in (``Prebuilt``): the rules layer keeps it in a cache file (``rules.hscache``), whatever rules a scan
disables or adds. This module does no I/O: a database goes out as plain values and bytes
(``Database.dump``) and comes back from them (``Database.load``).
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Sequence

import hyperscan

from scanner.match.decoders import TRIGGER_PATTERNS
from scanner.match.prefilter import DECODE_HINTS, ENCODED_FORMS
from scanner.match.keyword_rates import COSTLY, RATES
from scanner.match.lazy import Lazy
from scanner.match.secretgroup import prefilter_source
from scanner.match.prefilter import B64_MARK, Entry, Hits, keyword_table
from scanner.model import Rule

_FORMAT = "15"  # bump when what goes into the database, or its cache file (rules.hscache), changes
_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _literal(word: str) -> bytes:
    """A keyword as a Hyperscan pattern: every non-alphanumeric byte escaped."""
    return b"".join(bytes([b]) if b in _WORD else b"\\x%02x" % b for b in word.encode("utf-8"))


_BIG_REPEAT = 255  # bounded repeats above this compile very slowly in Hyperscan: made unbounded
_NAMED_GROUP = Lazy(re.compile, r"\(\?P?<(?![=!])([A-Za-z_][A-Za-z0-9_]*)>")
_REPEAT = Lazy(re.compile, r"\{(\d*),(\d+)\}")
_LEADING_FLAGS = Lazy(re.compile, r"^\(\?([a-zA-Z]+)\)")


def prefilter_pattern(pattern: str) -> bytes:
    """A rule's regex as a Hyperscan prefilter pattern that matches at least what it matches:
    verbose-mode whitespace and comments are removed, a group name used twice is renamed
    (Hyperscan rejects duplicates), and large bounded repeats (a PEM body of ``{64,16000}``)
    become unbounded, which compiles in milliseconds instead of seconds."""
    verbose = False
    flags = _LEADING_FLAGS.match(pattern)
    if flags and "x" in flags.group(1):
        verbose = True
        rest = flags.group(1).replace("x", "")
        pattern = (f"(?{rest})" if rest else "") + pattern[flags.end():]
    out: list[str] = []
    names: set[str] = set()
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif in_class:
            in_class = c != "]"
            out.append(c)
            i += 1
        elif c == "[":
            in_class = True
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"  # a ']' first in a class is a literal
            out.append(pattern[i:j])
            i = j
        elif verbose and c in " \t\r\n":
            i += 1
        elif verbose and c == "#":
            end = pattern.find("\n", i)
            i = n if end == -1 else end + 1
        elif c == "(" and (m := _NAMED_GROUP.match(pattern, i)):
            name = m.group(1)
            while name in names:
                name += "_"
            names.add(name)
            out.append(f"(?P<{name}>")
            i = m.end()
        elif c == "{" and (m := _REPEAT.match(pattern, i)) and int(m.group(2)) > _BIG_REPEAT:
            out.append("{" + (m.group(1) or "0") + ",}")
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out).encode("utf-8")


def whole_pattern(rule: Rule) -> bytes:
    """What the prefilter searches for a rule with common keywords: its regex, with the secret group
    the rule gives for it (``prefilter_secret``), from its ``key`` group on (``match.secretgroup``), as
    a Hyperscan prefilter pattern."""
    return prefilter_pattern(prefilter_source(rule.regex, rule.prefilter_secret))


def _compiles(pattern: bytes) -> bool:
    try:
        hyperscan.Database().compile(expressions=[pattern], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_PREFILTER])
    except hyperscan.HyperscanError:
        return False
    return True


# A rule is searched as a whole pattern when its keywords are common in real code: there the whole
# pattern spares the regex most keyword windows (``token`` on every other line). A rule with rare
# keywords gains nothing from it and slows the one pass down (patterns cost far more than literals).
WHOLE_PATTERN_RATE = int(os.environ.get("CREDSPRAWL_WHOLE_PATTERN_RATE", "200"))  # keyword hits per 100 MB


def common_keywords(rule: Rule) -> bool:
    """Whether the rule's keywords turn up at least ``WHOLE_PATTERN_RATE`` times per 100 MB of real code
    (and its whole pattern is not one that slows the pass down more than its regex would cost)."""
    return sum(RATES.get(k, 0) for k in rule.keywords) >= WHOLE_PATTERN_RATE and rule.id not in COSTLY


def pattern_rules(rules: Sequence[Rule]) -> frozenset[int]:
    """Indices of the rules searched as whole patterns (prefilter mode): those with common keywords
    that Hyperscan can compile."""
    return frozenset(i for i, rule in enumerate(rules)
                     if common_keywords(rule) and _compiles(whole_pattern(rule)))


def database_key(rules: Sequence[Rule]) -> str:
    """What a database compiled for ``rules`` depends on, as a short hash (a cache key for it)."""
    h = hashlib.sha256(f"{_FORMAT}|{hyperscan.__version__}".encode())
    h.update(repr(sorted(TRIGGER_PATTERNS.items())).encode())  # a changed decoder trigger is a new database
    h.update(repr((DECODE_HINTS, ENCODED_FORMS)).encode())  # the encoded forms the keyword table holds
    for r in rules:
        common = common_keywords(r)
        # a rule searched as a whole pattern: that pattern as it is built (``whole_pattern``)
        h.update(repr((r.id, r.regex, whole_pattern(r) if common else None, r.keywords, r.spellings, common)).encode())
    return h.hexdigest()[:32]


# What a database's expressions stand for, as plain values: pattern rules, entries, kw_entries,
# first trigger
Tables = tuple[frozenset[int], list[Entry], list[Entry], int]


@dataclass(frozen=True)
class Database:
    """The Hyperscan databases of a list of rules; entries use indices into that list.

    ``db`` is the one pass over the content: the whole patterns, the encoded forms of keywords, the
    keywords of rules that are not searched as whole patterns, and (``compile(triggers=True)``) the
    decoders' triggers. ``kw_db`` holds every plain keyword: the keyword hits of a rule with a whole
    pattern matter only where a candidate of it is, so they are searched for later, only there (most
    keyword hits in real code, ``token`` or ``password`` on every other line, then cost nothing)."""

    db: hyperscan.Database
    kw_db: hyperscan.Database | None
    pattern_rules: frozenset[int]
    entries: list[Entry]  # what each expression of ``db`` reports
    kw_entries: list[Entry]  # the same for ``kw_db``
    first_trigger: int  # db's expressions from here on are the decoders' triggers

    @classmethod
    def compile(cls, rules: Sequence[Rule], *, patterns: bool, triggers: bool = False,
                encoded: bool = True) -> Database:
        """Compile the databases of ``rules``: with ``patterns``, rules with common keywords are also
        searched as whole patterns (``pattern_rules``); without ``encoded``, the keywords alone, not
        their encoded forms (for a search that decodes nothing: a tenth of the expressions to compile)."""
        chosen = pattern_rules(rules) if patterns else frozenset()
        expressions: list[bytes] = []
        flags: list[int] = []
        entries: list[Entry] = []
        for index in sorted(chosen):
            expressions.append(whole_pattern(rules[index]))
            flags.append(hyperscan.HS_FLAG_PREFILTER)
            entries.append(((), False, (index,)))
        kw_expressions: list[bytes] = []
        kw_entries: list[Entry] = []
        for word, indices in sorted(keyword_table(rules, decode_base64=encoded).items()):
            plain = tuple(sorted(i for i in indices if i >= 0))
            if plain:
                kw_expressions.append(_literal(word))
                kw_entries.append((plain, False, ()))
            own = tuple(i for i in plain if i not in chosen)
            if own or B64_MARK in indices:
                expressions.append(_literal(word))
                flags.append(hyperscan.HS_FLAG_CASELESS)
                entries.append((own, B64_MARK in indices, ()))
        first_trigger = len(entries)
        ids = list(range(first_trigger))
        if triggers:  # a trigger's expressions report under one id: first_trigger + its place
            for place, (name, patterns) in enumerate(TRIGGER_PATTERNS.items()):
                for pattern in patterns:
                    expressions.append(pattern)
                    flags.append(0 if name == "line" else hyperscan.HS_FLAG_SINGLEMATCH)
                    ids.append(first_trigger + place)
        db = hyperscan.Database()
        try:
            db.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
        except hyperscan.HyperscanError:
            if not chosen:
                raise
            # together the patterns are too much for one database: search these rules by keyword
            return cls.compile(rules, patterns=False, triggers=triggers, encoded=encoded)
        kw_db = _literal_db(kw_expressions) if chosen else None
        return cls(db, kw_db, chosen, entries, kw_entries, first_trigger)

    def dump(self) -> tuple[Tables, bytes, bytes]:
        """The tables (plain values: no class of this module) and the serialised databases (``b""``: none).
        Equal entries are one object (most expressions are encoded forms sharing one entry): their pickle
        holds each once, and loads ten times faster."""
        same: dict[Entry, Entry] = {}
        entries = [same.setdefault(e, e) for e in self.entries]
        kw_entries = [same.setdefault(e, e) for e in self.kw_entries]
        tables = (self.pattern_rules, entries, kw_entries, self.first_trigger)
        kw_db = hyperscan.dumpb(self.kw_db) if self.kw_db is not None else b""
        return tables, hyperscan.dumpb(self.db), kw_db

    @classmethod
    def load(cls, tables: Tables, db: bytes, kw_db: bytes) -> Database:
        """The database ``dump`` gave. The bytes reach ``hyperscan.loadb`` (a C deserialiser): give only
        bytes this process or a verified cache file holds. Raises on tables of the wrong shape."""
        pattern_indices, entries, kw_entries, first_trigger = tables
        if not (isinstance(pattern_indices, frozenset) and isinstance(entries, list)
                and isinstance(kw_entries, list) and isinstance(first_trigger, int)):
            raise ValueError("not the tables of a Hyperscan database")
        return cls(_loaded(db), _loaded(kw_db) if kw_db else None, pattern_indices, entries, kw_entries,
                   first_trigger)

    def remapped(self, to_global: Sequence[int | None], decode_base64: bool,
                 entries: list[Entry] | None = None) -> list[Entry]:
        """The entries in the caller's rule indices; rules it does not use (None) drop out."""
        out: list[Entry] = []
        for rules, encoded, patterns in self.entries if entries is None else entries:
            out.append((
                tuple(g for i in rules if (g := to_global[i]) is not None),
                encoded and decode_base64,
                tuple(g for i in patterns if (g := to_global[i]) is not None),
            ))
        return out


def _loaded(blob: bytes) -> hyperscan.Database:
    db = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
    db.scratch = hyperscan.Scratch(db)  # a loaded database comes without scratch space
    return db


def _literal_db(expressions: list[bytes], caseless: bool = True) -> hyperscan.Database | None:
    if not expressions:
        return None
    db = hyperscan.Database()
    db.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
               flags=[hyperscan.HS_FLAG_CASELESS if caseless else 0] * len(expressions))
    return db


def _definition(rule: Rule) -> bytes:
    """A digest of what a rule's part of a database depends on besides its id (``database_key``)."""
    parts = "".join(f"{len(p)}:{p}" for p in (rule.regex, rule.prefilter_secret or "", *rule.keywords, "\0", *rule.spellings))
    return hashlib.blake2b(parts.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Prebuilt:
    """A database compiled ahead, with the decoders' triggers, for a list of rules (the shipped ones): a
    prefilter uses it for each of its rules defined as one of them, whichever others it drops."""

    def __init__(self, database: Database, rules: Sequence[Rule]) -> None:
        self.database = database
        self.rules = tuple(rules)
        self.ids = tuple(r.id for r in rules)  # the database's rule indices
        self._definitions: dict[str, bytes] | None = None  # worked out only when another rule list asks

    def covers(self, rule: Rule) -> bool:
        """Whether ``rule`` is one of these rules, as the database was compiled for it."""
        if self._definitions is None:
            self._definitions = {r.id: _definition(r) for r in self.rules}
        return self._definitions.get(rule.id) == _definition(rule)

    def covered(self, rules: Sequence[Rule]) -> dict[str, int]:
        """The rules of ``rules`` defined as one of these (id -> their index in ``rules``). The same rule
        objects (the shipped rules, loaded once per process, a few of them dropped) need no digest."""
        mine = {r.id: r for r in self.rules}
        if all(mine.get(r.id) is r for r in rules):
            return {r.id: i for i, r in enumerate(rules)}
        return {r.id: i for i, r in enumerate(rules) if self.covers(r)}


class _ScanPart:
    """One database of a prefilter and what its expressions stand for."""

    def __init__(self, db: hyperscan.Database, entries: list[Entry], first_trigger: int,
                 kw_db: hyperscan.Database | None, kw_entries: list[Entry]) -> None:
        self.db = db
        self.entries = entries  # of db's expressions, in the caller's rule indices
        self.first_trigger = first_trigger  # db's expressions from here on are the decoders' triggers
        self.kw_db = kw_db  # every plain keyword, when ``db`` leaves some out (sparse scans)
        self.kw_entries = kw_entries
        self._full: list[Entry] | None = None

    @property
    def full_entries(self) -> list[Entry]:
        """``entries`` less the plain keywords that kw_db reports in a full scan (made on first use:
        a sparse scan never needs them)."""
        if self._full is None:
            self._full = self.entries if self.kw_db is None else [((), e, p) for _r, e, p in self.entries]
        return self._full


class HyperscanPrefilter:
    """The rules ``prebuilt`` covers (the shipped ones) are searched with its database, whatever rules
    are dropped; the others (rules a user adds) by keyword in a second, small database compiled here
    (literals compile in milliseconds). Without ``prebuilt`` every rule is searched by keyword."""

    name = "hyperscan"

    def __init__(self, rules: Sequence[Rule], *, decode_base64: bool = True, prebuilt: Prebuilt | None = None) -> None:
        covered = prebuilt.covered(rules) if prebuilt is not None else {}
        extra = [i for i, r in enumerate(rules) if r.id not in covered]
        self._parts: list[_ScanPart] = []
        self.pattern_rules: frozenset[int] = frozenset()
        if prebuilt is not None and covered:
            part = prebuilt.database
            to_global = [covered.get(rid) for rid in prebuilt.ids]
            if decode_base64 and to_global == list(range(len(to_global))):  # the prebuilt rules, as they are
                entries, kw_entries = part.entries, part.kw_entries
            else:
                entries = part.remapped(to_global, decode_base64)
                kw_entries = part.remapped(to_global, False, part.kw_entries)
            self._parts.append(_ScanPart(part.db, entries, part.first_trigger, part.kw_db, kw_entries))
            self.pattern_rules = frozenset(g for i in part.pattern_rules if (g := to_global[i]) is not None)
        if extra:
            part = Database.compile([rules[i] for i in extra], patterns=False, encoded=decode_base64)
            entries = part.remapped(extra, decode_base64)
            self._parts.append(_ScanPart(part.db, entries, part.first_trigger, None, []))
        self._rules = rules
        self._rule_dbs: dict[int, tuple[hyperscan.Database | None, int]] = {}
        # a sparse scan needs the decoders' triggers: the prebuilt database has them
        self._sparse = bool(self.pattern_rules) and self._parts[0].kw_db is not None

    def scan(self, text: str, raw: bytes | None = None) -> Hits:
        """Every hit: keywords of every rule, encoded keywords and whole-pattern candidates."""
        hits = Hits.empty()
        data = raw if raw is not None else text.encode("latin-1")
        add = hits.add
        for part in self._parts:

            def on_match(expr_id: int, start: int, end: int, flags: int, context: object,
                         entries: list[Entry] = part.full_entries, first: int = part.first_trigger) -> None:
                if expr_id < first:
                    add(end, entries[expr_id])

            part.db.scan(data, match_event_handler=on_match)
            if part.kw_db is not None:

                def on_keyword(expr_id: int, start: int, end: int, flags: int, context: object,
                               entries: list[Entry] = part.kw_entries) -> None:
                    add(end, entries[expr_id])

                part.kw_db.scan(data, match_event_handler=on_keyword)
        return hits

    def scan_sparse(self, text: str, raw: bytes | None = None) -> Hits:
        if not self._sparse:
            return self.scan(text, raw)
        data = raw if raw is not None else text.encode("latin-1")
        sparse = _SparseHits(self, data)
        hits = Hits({}, [], [], {}, sparse)
        by_rule, base64, candidates = hits.by_rule, hits.base64, hits.candidates
        lines = sparse.lines
        seen = [False, False]
        for part in self._parts:
            if part.kw_db is None:
                # a part without whole patterns (the user's rules): its keyword hits are all here
                def on_match(expr_id: int, start: int, end: int, flags: int, context: object,
                             entries: list[Entry] = part.entries, add: object = hits.add) -> None:
                    add(end, entries[expr_id])  # type: ignore[operator]

                part.db.scan(data, match_event_handler=on_match)
                continue

            def on_sparse(expr_id: int, start: int, end: int, flags: int, context: object,
                          entries: list[Entry] = part.entries, first: int = part.first_trigger) -> None:
                if expr_id < first:
                    rules, encoded, patterns = entries[expr_id]
                    for index in patterns:
                        found = candidates.get(index)
                        if found is None:
                            candidates[index] = [end]
                        else:
                            found.append(end)
                    if encoded:
                        base64.append(end)
                    for index in rules:  # a rule without a whole pattern (its plain hits come from kw_db)
                        found = by_rule.get(index)
                        if found is None:
                            by_rule[index] = [end]
                        else:
                            found.append(end)
                elif expr_id == first + 2:
                    lines.append(end)
                else:
                    seen[expr_id - first] = True

            part.db.scan(data, match_event_handler=on_sparse)
        sparse.percent, sparse.json = seen
        # hits.keywords holds only the user's rules' keywords here: kw_db has the others
        sparse.own_keywords = hits.keywords
        return hits

    def _rule_db(self, index: int) -> tuple[hyperscan.Database | None, int]:
        """The database of rule ``index``'s keywords and the byte length of its longest keyword."""
        found = self._rule_dbs.get(index)
        if found is None:
            words = sorted(set(self._rules[index].keywords))
            longest = max((len(w.encode("utf-8")) for w in words), default=0)
            found = self._rule_dbs[index] = (_literal_db([_literal(w) for w in words]), longest)
        return found


class _SparseHits:
    """The keyword hits a sparse scan left out, found when asked (``prefilter.Sparse``)."""

    def __init__(self, owner: HyperscanPrefilter, data: bytes) -> None:
        self._owner = owner
        self._data = data
        self.percent = False
        self.json = False
        self.lines: list[int] = []
        self.own_keywords: list[int] = []  # plain keyword hits the sparse scan did report
        self._all: list[int] | None = None
        self._sorted: list[int] | None = None

    def rule_ends(self, index: int) -> list[int]:
        db, _longest = self._owner._rule_db(index)
        ends: list[int] = []
        if db is not None:
            add = ends.append
            db.scan(self._data, match_event_handler=lambda i, s, e, f, c: add(e))
        return ends

    def rule_ends_in(self, index: int, spans: Sequence[tuple[int, int]]) -> list[int]:
        db, longest = self._owner._rule_db(index)
        ends: list[int] = []
        if db is None:
            return ends
        data = self._data
        for lo, hi in spans:
            # a keyword ending at ``lo`` or later starts at ``lo - longest`` or later
            at = max(0, lo - longest)
            found: list[int] = []
            add = found.append
            db.scan(data[at:hi], match_event_handler=lambda i, s, e, f, c: add(e))
            ends.extend(at + e for e in found if at + e >= lo)
        return ends

    def keyword_ends(self) -> list[int]:
        if self._all is None:
            ends = list(self.own_keywords)
            add = ends.append
            for part in self._owner._parts:
                if part.kw_db is None:
                    continue

                def on_keyword(expr_id: int, start: int, end: int, flags: int, context: object,
                               entries: list[Entry] = part.kw_entries) -> None:
                    if entries[expr_id][0]:
                        add(end)

                part.kw_db.scan(self._data, match_event_handler=on_keyword)
            self._all = ends
        return self._all

    def first_keyword_end(self, start: int, end: int) -> int | None:
        if self._all is not None:
            if self._sorted is None:
                self._sorted = sorted(self._all)
            ordered = self._sorted
            i = bisect.bisect_right(ordered, start)
            return ordered[i] if i < len(ordered) and ordered[i] <= end else None
        best: int | None = None
        i = bisect.bisect_right(self.own_keywords, start)
        if i < len(self.own_keywords) and self.own_keywords[i] <= end:
            best = self.own_keywords[i]
        piece = self._data[start:end]
        for part in self._owner._parts:
            if part.kw_db is None:
                continue
            found: list[int] = []

            def on_keyword(expr_id: int, s: int, e: int, flags: int, context: object,
                           entries: list[Entry] = part.kw_entries) -> bool:
                if entries[expr_id][0]:
                    found.append(e)
                    return True  # matches come in order of their ends: the first is the one
                return False

            try:
                part.kw_db.scan(piece, match_event_handler=on_keyword)
            except hyperscan.ScanTerminated:
                pass
            if found and (best is None or start + found[0] < best):
                best = start + found[0]
        return best
