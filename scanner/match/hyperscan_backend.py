"""The Hyperscan prefilter backend: one Hyperscan pass over the raw bytes.

Two kinds of entries share one database:
- **patterns**: each rule whose regex Hyperscan can compile in prefilter mode (a superset of what
  the regex matches) is searched as a whole pattern; its hits are the ends of candidate matches, so
  Python's ``regex`` only confirms and extracts the secret on spans Hyperscan already matched.
- **keywords**: rules whose regex Hyperscan cannot take, and the base64 forms of every keyword, are
  searched as caseless literals, exactly as the Aho-Corasick backend does.

Compiling is the expensive part, so the serialised database is cached on disk, keyed by a hash of
the rules: start-up then costs one file read.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Sequence

import hyperscan

from scanner.match.prefilter import Entry, Hits, keyword_entry, keyword_table
from scanner.model import Rule
from scanner.rules import is_shipped

_FORMAT = "3"  # bump when what goes into the database changes
_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _literal(word: str) -> bytes:
    """A keyword as a Hyperscan pattern: every non-alphanumeric byte escaped."""
    return b"".join(bytes([b]) if b in _WORD else b"\\x%02x" % b for b in word.encode("utf-8"))


def _compiles(pattern: bytes) -> bool:
    try:
        hyperscan.Database().compile(expressions=[pattern], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_PREFILTER])
    except hyperscan.HyperscanError:
        return False
    return True


# Hyperscan compiles large bounded repeats (a PEM body of {64,16000}) very slowly; such rules are
# found by keyword, which is as fast for them since their keywords are rare.
_LARGE_REPEAT = re.compile(r"\{\d*,?(\d{4,}|[5-9]\d{2})\}")


def pattern_rules(rules: Sequence[Rule]) -> frozenset[int]:
    """Indices of the rules Hyperscan can search as whole patterns (prefilter mode)."""
    out = set()
    for i, rule in enumerate(rules):
        if _LARGE_REPEAT.search(rule.regex):
            continue
        try:
            pattern = rule.regex.encode("latin-1")
        except UnicodeEncodeError:
            continue
        if _compiles(pattern):
            out.add(i)
    return frozenset(out)


def cache_dir() -> Path:
    explicit = os.environ.get("CREDSPRAWL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "credsprawl"


def _cache_key(rules: Sequence[Rule], indices: Sequence[int], decode_base64: bool) -> str:
    h = hashlib.sha256(f"{_FORMAT}|{decode_base64}|{hyperscan.__version__}".encode())
    for i in indices:
        r = rules[i]
        h.update(repr((i, r.id, r.regex, r.keywords)).encode())
    return h.hexdigest()[:32]


class _Part:
    """One Hyperscan database over some of the rules, with what each of its expressions stands for."""

    def __init__(self, rules: Sequence[Rule], indices: Sequence[int], decode_base64: bool, patterns: bool,
                 cache: bool) -> None:
        folder = cache_dir() / f"hs-{_cache_key(rules, indices, decode_base64)}"
        loaded = self._load(folder) if cache else None
        if loaded is not None:
            self.pattern_rules = loaded[1]
        elif patterns:
            self.pattern_rules = frozenset(indices[n] for n in pattern_rules([rules[i] for i in indices]))
        else:
            self.pattern_rules = frozenset()
        expressions: list[bytes] = []
        flags: list[int] = []
        self.entries: list[Entry] = []
        for index in sorted(self.pattern_rules):
            expressions.append(rules[index].regex.encode("latin-1"))
            flags.append(hyperscan.HS_FLAG_PREFILTER)
            self.entries.append(((), False, (index,)))
        subset = [rules[i] for i in indices]
        for word, local in sorted(keyword_table(subset, decode_base64).items()):
            expressions.append(_literal(word))
            flags.append(hyperscan.HS_FLAG_CASELESS)
            self.entries.append(keyword_entry({indices[n] if n >= 0 else n for n in local}))
        if loaded is not None:
            self.db = loaded[0]
            return
        self.db = hyperscan.Database()
        if not expressions:
            return
        try:
            self.db.compile(expressions=expressions, ids=list(range(len(expressions))),
                            elements=len(expressions), flags=flags)
        except hyperscan.HyperscanError:
            if not self.pattern_rules:
                raise
            # together the patterns are too much for one database: search these rules by keyword
            self.__init__(rules, indices, decode_base64, patterns=False, cache=False)  # type: ignore[misc]
            return
        if cache:
            self._store(folder)

    @staticmethod
    def _load(folder: Path) -> tuple[hyperscan.Database, frozenset[int]] | None:
        try:
            blob = (folder / "db").read_bytes()
            indices = frozenset(int(x) for x in (folder / "patterns").read_text().split())
            db = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
            db.scratch = hyperscan.Scratch(db)  # a loaded database comes without scratch space
            return db, indices
        except (OSError, ValueError, hyperscan.HyperscanError):
            return None

    def _store(self, folder: Path) -> None:
        """Write the database atomically; a cache that cannot be written only costs start-up time."""
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-hs-"))
            (tmp / "db").write_bytes(hyperscan.dumpb(self.db))
            (tmp / "patterns").write_text(" ".join(str(i) for i in sorted(self.pattern_rules)))
            try:
                os.rename(tmp, folder)
            except OSError:  # another process stored it first
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            return


class HyperscanPrefilter:
    """Shipped rules live in one database, compiled once and cached on disk; rules a user adds are
    searched by keyword in a second, small database compiled at start-up (literals compile fast),
    so adding a rule never costs a full recompile."""

    name = "hyperscan"

    def __init__(self, rules: Sequence[Rule], *, decode_base64: bool = True, use_cache: bool = True) -> None:
        shipped = [i for i, r in enumerate(rules) if is_shipped(r)]
        extra = [i for i, r in enumerate(rules) if not is_shipped(r)]
        self._parts = [p for p in (
            _Part(rules, shipped, decode_base64, patterns=True, cache=use_cache) if shipped else None,
            _Part(rules, extra, decode_base64, patterns=False, cache=False) if extra else None,
        ) if p is not None and p.entries]
        self.pattern_rules = frozenset(i for p in self._parts for i in p.pattern_rules)

    def scan(self, text: str, raw: bytes | None = None) -> Hits:
        hits = Hits.empty()
        data = raw if raw is not None else text.encode("latin-1")
        add = hits.add
        for part in self._parts:
            entries = part.entries

            def on_match(expr_id: int, start: int, end: int, flags: int, context: object) -> None:
                add(end, entries[expr_id])

            part.db.scan(data, match_event_handler=on_match)
        return hits
