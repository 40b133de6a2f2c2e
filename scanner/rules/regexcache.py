"""An on-disk cache of the shipped rules' compiled regexes.

The ``regex`` module parses a pattern in Python: compiling the shipped rules' regexes, allow lists
and ``deny_key`` lists costs about a quarter of a second, paid again by every process that needs
them (each scan worker, each run of a hook). A compiled ``regex`` pattern pickles to its compiled
form (``_regex.compile`` and its code, the module's own pickle support), so loading them all back
takes some 15 ms. The cache holds the shipped rules only, keyed by their definitions and the
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
from typing import Iterable

import regex

from scanner import cachefile
from scanner.match.compiled import CompiledRule
from scanner.model import Rule
from scanner.rules.cache import cache_dir, load_rules_cached
from scanner.rules.load import RuleSet

Compiled = tuple[regex.Pattern[str], tuple[regex.Pattern[str], ...], regex.Pattern[str] | None, bool]
Key = tuple[str, tuple[str, ...], str | None]  # (regex, allow, deny_key) of a rule


def _key(rule: Rule) -> Key:
    return rule.regex, rule.allow, rule.deny_key


_FORMAT = "3"  # bump when what is stored per rule changes


def _file_for(rules: Iterable[Rule]) -> Path:
    h = hashlib.sha256(f"{_FORMAT}|{regex.__version__}|{sys.version}".encode())
    for r in rules:
        h.update(repr(_key(r)).encode())
    return cache_dir() / f"regex-{h.hexdigest()[:32]}.cache"


# the only global the regex cache's pickle may name: what a compiled ``regex`` pattern pickles to
_REGEX_GLOBALS = frozenset({("regex._regex", "compile")})


@functools.lru_cache(maxsize=1)
def shipped_patterns() -> dict[Key, Compiled]:
    """The compiled patterns (and whether the regex is line-bound) of every shipped rule: from the
    cache, else compiled now and stored."""
    shipped = load_rules_cached().rules
    path = _file_for(shipped)
    payload = cachefile.load(path, "regex")
    if payload is not None:
        try:
            loaded = cachefile.restricted_loads(payload, _REGEX_GLOBALS)
            if isinstance(loaded, dict) and all(len(v) == 4 for v in loaded.values()):
                return loaded
        except Exception:  # noqa: BLE001 - a file this user wrote that does not load: rebuilt
            pass
    compiled: dict[Key, Compiled] = {}
    for crule in RuleSet(shipped).compiled:
        compiled[_key(crule.rule)] = (crule.pattern, crule.allow, crule.deny_key, crule.line_bound)
    cachefile.store(path, "regex", [pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL)])
    return compiled


def preload(rules: Iterable[CompiledRule]) -> int:
    """Give every rule defined as a shipped one its compiled patterns from the cache; returns how many."""
    known = shipped_patterns()
    done = 0
    for crule in rules:
        found = known.get(_key(crule.rule))
        if found is not None:
            # the values of CompiledRule's cached properties, set as functools.cached_property would
            fields = crule.__dict__
            fields["pattern"], fields["allow"], fields["deny_key"], fields["line_bound"] = found
            done += 1
    return done
