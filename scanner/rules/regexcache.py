"""An on-disk cache of the shipped rules' compiled regexes.

The ``regex`` module parses a pattern in Python: compiling the shipped rules' regexes, allow lists
and ``deny_key`` lists costs about a quarter of a second, paid again by every process that needs
them (each scan worker, each run of a hook). A compiled ``regex`` pattern pickles to its compiled
form (``_regex.compile`` and its code, the module's own pickle support), so loading them all back
takes some 15 ms. The cache holds the shipped rules only, keyed by their definitions and the
``regex`` and Python versions; a rule a user adds or changes is compiled on first use, as usual.
A cache that cannot be read or written only costs that compile time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Iterable

import regex

from scanner.model import Rule
from scanner.rules.cache import cache_dir, load_rules_cached
from scanner.rules.load import CompiledRule, RuleSet

Compiled = tuple[regex.Pattern[str], tuple[regex.Pattern[str], ...], regex.Pattern[str] | None, bool]
Key = tuple[str, tuple[str, ...], str | None]  # (regex, allow, deny_key) of a rule


def _key(rule: Rule) -> Key:
    return rule.regex, rule.allow, rule.deny_key


_FORMAT = "2"  # bump when what is stored per rule changes


def _file_for(rules: Iterable[Rule]) -> Path:
    h = hashlib.sha256(f"{_FORMAT}|{regex.__version__}|{sys.version}".encode())
    for r in rules:
        h.update(repr(_key(r)).encode())
    return cache_dir() / f"regex-{h.hexdigest()[:32]}.pickle"


@functools.lru_cache(maxsize=1)
def shipped_patterns() -> dict[Key, Compiled]:
    """The compiled patterns (and whether the regex is line-bound) of every shipped rule: from the
    cache, else compiled now and stored."""
    shipped = load_rules_cached().rules
    path = _file_for(shipped)
    try:
        with open(path, "rb") as fh:
            loaded = pickle.load(fh)
        if isinstance(loaded, dict) and all(len(v) == 4 for v in loaded.values()):
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError, ImportError):
        pass
    compiled: dict[Key, Compiled] = {}
    for crule in RuleSet(shipped).compiled:
        compiled[_key(crule.rule)] = (crule.pattern, crule.allow, crule.deny_key, crule.line_bound)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".regex-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(compiled, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
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
