"""A start-up cache of loaded rules for the pre-commit hook's path.

Parsing and validating some seventy TOML rule files costs more than the rest of a hook run. The
loaded rules (plain frozen dataclasses) are pickled in the user's cache folder, keyed by the path,
size and modification time of every rule file read, and by the credsprawl and Python versions; any
change to a rule file means a miss, and a miss is simply ``rules.load_rules``. A cache that cannot
be read or written only costs start-up time.

The rules are kept without their examples and negatives (half the file): only ``rules check``
reads those, and it reads the files.

The file is an authenticated cache file (:mod:`scanner.cachefile`): it is read only when this user's
key verifies it, and its pickle may name only the rule dataclasses and enums (no other global, so no
code), so a file planted in a shared or CI-restored cache folder is ignored and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from scanner import __version__, cachefile
from scanner.model import Rule
from scanner.rules.load import RuleSet, default_rules_dir, load_rules, rule_files

_FORMAT = "3"  # bump when what is stored changes (2: rules without examples and negatives; 3: spellings)

# the only globals the rule cache's pickle may name: the rule dataclasses and their enums
_RULE_CLASSES = frozenset(("scanner.model", name) for name in ("Rule", "Severity", "Confidence", "Example", "Companion"))


def cache_dir() -> Path:
    """credsprawl's cache folder: ``$CREDSPRAWL_CACHE_DIR``, else ``$XDG_CACHE_HOME/credsprawl`` (``~/.cache``)."""
    explicit = os.environ.get("CREDSPRAWL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "credsprawl"


def _stamps(files: Iterable[Path], resolved: bool = False) -> str | None:
    """Path, size and modification time of each file, one line each; None when one cannot be read.
    ``resolved``: the paths are already absolute and free of links (the shipped rules' folder)."""
    lines: list[str] = []
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            return None
        lines.append(f"{f if resolved else f.resolve()}|{st.st_size}|{st.st_mtime_ns}\n")
    return "".join(lines)


@functools.lru_cache(maxsize=1)
def _shipped_stamps() -> str | None:
    """The shipped rule files' stamps, read once per process (a scan asks for the rules more than once)."""
    return _stamps(rule_files(default_rules_dir()), resolved=True)


# the rule sets this process loaded, by cache folder and key: the settings, the Hyperscan database
# and the regex cache each ask for the shipped rules, and get one object
_LOADED: dict[tuple[Path, str], RuleSet] = {}


def forget_loaded() -> None:
    """Drop the rule sets this process loaded: the next load reads the cache file again."""
    _LOADED.clear()


def _key(extra: Iterable[Path]) -> str | None:
    files: list[Path] = []
    for p in extra:
        if not p.exists():
            return None  # let load_rules say what is wrong
        files.extend(rule_files(p) if p.is_dir() else [p])
    shipped, added = _shipped_stamps(), _stamps(files)
    if shipped is None or added is None:
        return None
    h = hashlib.sha256(f"{_FORMAT}|{__version__}|{sys.version}".encode())
    h.update((shipped + added).encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:32]


def for_scanning(ruleset: RuleSet) -> RuleSet:
    """``ruleset`` without its rules' examples and negatives, which no scan reads."""
    return RuleSet(tuple(replace(r, examples=(), negatives=()) for r in ruleset.rules), ruleset.files)


def shipped_key() -> str | None:
    """The cache key of the shipped rules (their files' stamps), or None when one cannot be read."""
    return _key([])


def shipped_file() -> tuple[Path, str, None] | None:
    """The shipped rules' cache file as ``cachefile.read_ahead`` takes it (None: none is used)."""
    key = shipped_key()
    if key is None or os.environ.get("CREDSPRAWL_NO_RULE_CACHE"):
        return None
    return cache_dir() / f"rules-{key}.cache", "rules", None


def load_rules_cached(extra: Iterable[Path] = ()) -> RuleSet:
    """The RuleSet of ``load_rules(extra=extra)`` for scanning (:func:`for_scanning`), from the cache
    when the files are unchanged."""
    extra = list(extra)
    key = _key(extra)
    if key is None or os.environ.get("CREDSPRAWL_NO_RULE_CACHE"):
        return for_scanning(load_rules(extra=extra))
    memo = (cache_dir(), key)
    if memo not in _LOADED:
        _LOADED[memo] = _load(key, extra)
    return _LOADED[memo]


def _load(key: str, extra: list[Path]) -> RuleSet:
    path = cache_dir() / f"rules-{key}.cache"
    payload = cachefile.load(path, "rules")
    if payload is not None:
        try:
            rules, files = cachefile.restricted_loads(payload, _RULE_CLASSES)
            if isinstance(rules, tuple) and all(type(r) is Rule for r in rules):
                return RuleSet(rules, files)
        except Exception:  # noqa: BLE001 - a file this user wrote that does not load: rebuilt
            pass
    ruleset = for_scanning(load_rules(extra=extra))
    cachefile.store(path, "rules", [pickle.dumps((ruleset.rules, ruleset.files), protocol=pickle.HIGHEST_PROTOCOL)])
    return ruleset
