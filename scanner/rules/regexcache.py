"""An on-disk cache of the shipped rules' compiled regexes.

The ``regex`` module parses a pattern in Python: compiling the shipped rules' regexes, allow lists
and ``deny_key`` lists costs about a quarter of a second, paid again by every process that needs
them (each scan worker, each run of a hook). A compiled ``regex`` pattern pickles to its compiled
form (``_regex.compile`` and its code, the module's own pickle support), so loading them all back
takes some 15 ms; each rule's patterns are stored apart and loaded on the rule's first use, so a
run that meets few rules (the pre-commit hook) loads few. The cache holds the shipped rules only, keyed by their definitions and the
``regex`` and Python versions; a rule a user adds or changes is compiled on first use, as usual.
A cache that cannot be read or written only costs that compile time.

Loading a pickled pattern calls ``regex._regex.compile`` with the stored code: the file is an
authenticated cache file (:mod:`scanner.cachefile`), read only when this user's key verifies it
(crafted ``regex`` code would reach a C engine), and its pickle may name ``_regex.compile`` and
nothing else, so a file planted in a shared or CI-restored cache folder runs no code: it is
ignored and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import sys
from pathlib import Path
from typing import Callable, Iterable

import regex

from scanner import cachefile
from scanner.match.compiled import Compiled, CompiledRule
from scanner.model import Rule
from scanner.rules.cache import cache_dir, load_rules_cached, shipped_key
from scanner.rules.load import RuleSet

Key = tuple[str, tuple[str, ...], str | None]  # (regex, allow, deny_key) of a rule


def _key(rule: Rule) -> Key:
    return rule.regex, rule.allow, rule.deny_key


_FORMAT = "4"  # bump when what is stored per rule changes


def _file_for(rules: Iterable[Rule]) -> Path:
    h = hashlib.sha256(f"{_FORMAT}|{regex.__version__}|{sys.version}".encode())
    for r in rules:
        h.update(repr(_key(r)).encode())
    return cache_dir() / f"regex-{h.hexdigest()[:32]}.cache"


def _file_for_stamps(stamps: str) -> Path:
    h = hashlib.sha256(f"{_FORMAT}|{regex.__version__}|{sys.version}|shipped|{stamps}".encode())
    return cache_dir() / f"regex-{h.hexdigest()[:32]}.cache"


# the only global the regex cache's pickle may name: what a compiled ``regex`` pattern pickles to
_REGEX_GLOBALS = frozenset({("regex._regex", "compile")})


@functools.lru_cache(maxsize=1)
def shipped_patterns() -> dict[Key, bytes]:
    """The compiled patterns (and whether the regex is line-bound) of every shipped rule, each
    pickled apart: from the cache, else compiled now and stored."""
    shipped = load_rules_cached().rules
    stamps = shipped_key()  # the rule files' stamps: no digest of every rule needed to name the file
    path = _file_for(shipped) if stamps is None else _file_for_stamps(stamps)
    payload = cachefile.load(path, "regex")
    if payload is not None:
        try:
            loaded = cachefile.restricted_loads(payload)  # keys and bytes: no global at all
            if isinstance(loaded, dict) and all(isinstance(v, bytes) for v in loaded.values()):
                return loaded
        except Exception:  # noqa: BLE001 - a file this user wrote that does not load: rebuilt
            pass
    stored: dict[Key, bytes] = {}
    for crule in RuleSet(shipped).compiled:
        compiled = (crule.pattern, crule.allow, crule.deny_key, crule.line_bound)
        stored[_key(crule.rule)] = pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL)
    cachefile.store(path, "regex", [pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)])
    return stored


def shipped_file() -> tuple[Path, str, None] | None:
    """The shipped rules' regex cache file as ``cachefile.read_ahead`` takes it (None: not named by stamps)."""
    stamps = shipped_key()
    return None if stamps is None else (_file_for_stamps(stamps), "regex", None)


def _loader(blob: bytes, crule: CompiledRule) -> Callable[[], Compiled]:
    def load() -> Compiled:
        try:
            compiled = cachefile.restricted_loads(blob, _REGEX_GLOBALS)
            if isinstance(compiled, tuple) and len(compiled) == 4:
                return compiled  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - a stored value that does not load: compiled instead
            pass
        fresh = CompiledRule(crule.rule, crule.index)
        return fresh.pattern, fresh.allow, fresh.deny_key, fresh.line_bound

    return load


def preload(rules: Iterable[CompiledRule]) -> int:
    """Give every rule defined as a shipped one its compiled patterns from the cache (loaded on the
    rule's first use); returns how many."""
    known = shipped_patterns()
    done = 0
    for crule in rules:
        found = known.get(_key(crule.rule))
        if found is not None:
            crule.store(_loader(found, crule))
            done += 1
    return done
