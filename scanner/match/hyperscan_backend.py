"""The Hyperscan prefilter backend: one Hyperscan pass over the raw bytes.

Two kinds of entries share one database:
- **keywords**: every rule's keywords and their encoded forms, as caseless literals: the same hits
  the Aho-Corasick backend finds.
- **patterns**: each rule whose regex Hyperscan can compile in prefilter mode (a superset of what
  the regex matches, see ``prefilter_pattern``) is also searched as a whole pattern. Its keyword
  windows are then confirmed by Python's ``regex`` only where a candidate match ends inside them:
  a window with no candidate cannot hold a match, so findings are exactly those of the keyword
  backend, at a fraction of the regex work for rules with common keywords (``password``, ``://``).

Compiling is the expensive part, so the serialised database of the shipped rules is cached on
disk, keyed by a hash of those rules: start-up then costs one file read.
"""

from __future__ import annotations

import functools
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
from scanner.rules import is_shipped, load_rules

_FORMAT = "8"  # bump when what goes into the database changes
_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _literal(word: str) -> bytes:
    """A keyword as a Hyperscan pattern: every non-alphanumeric byte escaped."""
    return b"".join(bytes([b]) if b in _WORD else b"\\x%02x" % b for b in word.encode("utf-8"))


_BIG_REPEAT = 255  # bounded repeats above this compile very slowly in Hyperscan: made unbounded
_NAMED_GROUP = re.compile(r"\(\?P?<(?![=!])([A-Za-z_][A-Za-z0-9_]*)>")
_REPEAT = re.compile(r"\{(\d*),(\d+)\}")
_LEADING_FLAGS = re.compile(r"^\(\?([a-zA-Z]+)\)")


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


def _compiles(pattern: bytes) -> bool:
    try:
        hyperscan.Database().compile(expressions=[pattern], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_PREFILTER])
    except hyperscan.HyperscanError:
        return False
    return True


def pattern_rules(rules: Sequence[Rule]) -> frozenset[int]:
    """Indices of the rules Hyperscan can search as whole patterns (prefilter mode)."""
    return frozenset(i for i, rule in enumerate(rules) if _compiles(prefilter_pattern(rule.regex)))


def cache_dir() -> Path:
    explicit = os.environ.get("CREDSPRAWL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "credsprawl"


def _cache_key(rules: Sequence[Rule]) -> str:
    h = hashlib.sha256(f"{_FORMAT}|{hyperscan.__version__}".encode())
    for r in rules:
        h.update(repr((r.id, r.regex, r.keywords)).encode())
    return h.hexdigest()[:32]


class _Part:
    """One Hyperscan database over a list of rules; its entries use indices into that list."""

    def __init__(self, rules: Sequence[Rule], patterns: bool, cache: bool) -> None:
        folder = cache_dir() / f"hs-{_cache_key(rules)}"
        loaded = self._load(folder) if cache else None
        if loaded is not None:
            self.pattern_rules = loaded[1]
        else:
            self.pattern_rules = pattern_rules(rules) if patterns else frozenset()
        expressions: list[bytes] = []
        flags: list[int] = []
        self.entries: list[Entry] = []
        for index in sorted(self.pattern_rules):
            expressions.append(prefilter_pattern(rules[index].regex))
            flags.append(hyperscan.HS_FLAG_PREFILTER)
            self.entries.append(((), False, (index,)))
        for word, indices in sorted(keyword_table(rules, decode_base64=True).items()):
            expressions.append(_literal(word))
            flags.append(hyperscan.HS_FLAG_CASELESS)
            self.entries.append(keyword_entry(indices))
        if loaded is not None:
            self.db = loaded[0]
            return
        self.db = hyperscan.Database()
        try:
            self.db.compile(expressions=expressions, ids=list(range(len(expressions))),
                            elements=len(expressions), flags=flags)
        except hyperscan.HyperscanError:
            if not self.pattern_rules:
                raise
            # together the patterns are too much for one database: search these rules by keyword
            self.__init__(rules, patterns=False, cache=False)  # type: ignore[misc]
            return
        if cache:
            self._store(folder)

    def remapped(self, to_global: Sequence[int | None], decode_base64: bool) -> list[Entry]:
        """The entries in the caller's rule indices; rules it does not use (None) drop out."""
        out: list[Entry] = []
        for rules, encoded, patterns in self.entries:
            out.append((
                tuple(g for i in rules if (g := to_global[i]) is not None),
                encoded and decode_base64,
                tuple(g for i in patterns if (g := to_global[i]) is not None),
            ))
        return out

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


@functools.lru_cache(maxsize=1)
def _shipped_part(cache: bool) -> tuple[_Part, tuple[str, ...]]:
    shipped = load_rules().rules
    return _Part(shipped, patterns=True, cache=cache), tuple(r.id for r in shipped)


class HyperscanPrefilter:
    """Every shipped rule lives in one database, compiled once per install and cached on disk
    whatever rules are disabled or added; rules a user adds are searched by keyword in a second,
    small database compiled at start-up (literals compile in milliseconds)."""

    name = "hyperscan"

    def __init__(self, rules: Sequence[Rule], *, decode_base64: bool = True, use_cache: bool = True) -> None:
        position = {r.id: i for i, r in enumerate(rules)}
        shipped_part, shipped_ids = _shipped_part(use_cache)
        shipped_rules = set(shipped_ids)
        extra = [i for i, r in enumerate(rules) if not (is_shipped(r) and r.id in shipped_rules)]
        self._parts: list[tuple[hyperscan.Database, list[Entry]]] = []
        to_global = [position.get(rid) for rid in shipped_ids]
        if any(g is not None for g in to_global):
            self._parts.append((shipped_part.db, shipped_part.remapped(to_global, decode_base64)))
        if extra:
            part = _Part([rules[i] for i in extra], patterns=False, cache=False)
            self._parts.append((part.db, part.remapped(extra, decode_base64)))
        self.pattern_rules = frozenset(
            g for i in shipped_part.pattern_rules if (g := to_global[i]) is not None
        )

    def scan(self, text: str, raw: bytes | None = None) -> Hits:
        hits = Hits.empty()
        data = raw if raw is not None else text.encode("latin-1")
        add = hits.add
        for db, entries in self._parts:

            def on_match(expr_id: int, start: int, end: int, flags: int, context: object,
                         entries: list[Entry] = entries) -> None:
                add(end, entries[expr_id])

            db.scan(data, match_event_handler=on_match)
        return hits
