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
from typing import Callable, Iterable, NamedTuple

import regex

from scanner import cachefile
from scanner.match import safelist, validators
from scanner.match.compiled import Compiled, CompiledRule
from scanner.match.lazy import Lazy
from scanner.model import Rule
from scanner.rules.cache import cache_dir, load_rules_cached, shipped_key
from scanner.rules.load import RuleSet

Key = tuple[str, tuple[str, ...], str | None]  # (regex, allow, deny_key) of a rule


def _key(rule: Rule) -> Key:
    return rule.regex, rule.allow, rule.deny_key


_FORMAT = "5"  # bump when what is stored changes (5: the matcher's own patterns beside the rules')

# the matcher's own ``regex`` patterns, kept beside the rules' (each compiled on first use without the cache)
MATCHER_PATTERNS: tuple[Lazy[str], ...] = (*safelist.PATTERNS, *validators.PATTERNS)
PatternKey = tuple[str, int]  # (source, flags) of a matcher pattern


def _pattern_key(pattern: Lazy[str]) -> PatternKey:
    return pattern.pattern, int(pattern.flags)


def _matcher_sources() -> str:
    return repr([_pattern_key(p) for p in MATCHER_PATTERNS])


def _file_for(rules: Iterable[Rule]) -> Path:
    h = hashlib.sha256(f"{_FORMAT}|{regex.__version__}|{sys.version}|{_matcher_sources()}".encode())
    for r in rules:
        h.update(repr(_key(r)).encode())
    return cache_dir() / f"regex-{h.hexdigest()[:32]}.cache"


def _file_for_stamps(stamps: str) -> Path:
    h = hashlib.sha256(f"{_FORMAT}|{regex.__version__}|{sys.version}|{_matcher_sources()}|shipped|{stamps}".encode())
    return cache_dir() / f"regex-{h.hexdigest()[:32]}.cache"


# the only global the regex cache's pickle may name: what a compiled ``regex`` pattern pickles to
_REGEX_GLOBALS = frozenset({("regex._regex", "compile")})


class Stored(NamedTuple):
    """What the cache file holds, each compiled pattern pickled apart: by rule (its compiled regex,
    allow list and deny_key, and whether the regex is line-bound), and the matcher's own patterns."""

    rules: dict[Key, bytes]
    matcher: dict[PatternKey, bytes]


def _valid(loaded: object) -> bool:
    return (isinstance(loaded, tuple) and len(loaded) == 2 and all(isinstance(d, dict) for d in loaded)
            and all(isinstance(v, bytes) for d in loaded for v in d.values()))


@functools.lru_cache(maxsize=1)
def shipped_patterns() -> Stored:
    """The compiled patterns of every shipped rule and of the matcher's own checks: from the cache,
    else compiled now and stored."""
    shipped = load_rules_cached().rules
    stamps = shipped_key()  # the rule files' stamps: no digest of every rule needed to name the file
    path = _file_for(shipped) if stamps is None else _file_for_stamps(stamps)
    payload = cachefile.load(path, "regex")
    if payload is not None:
        try:
            loaded = cachefile.restricted_loads(payload)  # keys and bytes: no global at all
            if _valid(loaded):
                return Stored(*loaded)
        except Exception:  # noqa: BLE001 - a file this user wrote that does not load: rebuilt
            pass
    rules: dict[Key, bytes] = {}
    for crule in RuleSet(shipped).compiled:
        compiled = (crule.pattern, crule.allow, crule.deny_key, crule.line_bound)
        rules[_key(crule.rule)] = pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL)
    matcher = {_pattern_key(p): pickle.dumps(p.compiled, protocol=pickle.HIGHEST_PROTOCOL) for p in MATCHER_PATTERNS}
    stored = Stored(rules, matcher)
    cachefile.store(path, "regex", [pickle.dumps((rules, matcher), protocol=pickle.HIGHEST_PROTOCOL)])
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


def give_matcher_patterns(matcher: dict[PatternKey, bytes]) -> int:
    """Give the matcher's own patterns their compiled form from the cache (a pattern whose source or
    flags changed is not there: it compiles itself on first use); returns how many."""
    done = 0
    for pattern in MATCHER_PATTERNS:
        blob = matcher.get(_pattern_key(pattern))
        if blob is None:
            continue
        try:
            compiled = cachefile.restricted_loads(blob, _REGEX_GLOBALS)
        except Exception:  # noqa: BLE001 - a stored value that does not load: compiled on first use
            continue
        if isinstance(compiled, regex.Pattern) and compiled.pattern == pattern.pattern:
            pattern.give(compiled)
            done += 1
    return done


def preload(rules: Iterable[CompiledRule]) -> int:
    """Give every rule defined as a shipped one its compiled patterns from the cache (loaded on the
    rule's first use), and the matcher's own patterns theirs; returns how many rules."""
    stored = shipped_patterns()
    give_matcher_patterns(stored.matcher)
    known = stored.rules
    done = 0
    for crule in rules:
        found = known.get(_key(crule.rule))
        if found is not None:
            crule.store(_loader(found, crule))
            done += 1
    return done
