"""Built Aho-Corasick automata, kept in the cache folder between processes.

Building the automaton of the shipped rules (every keyword and its encoded forms) costs more than the
pre-commit hook's whole scan of a small change; restoring it costs one file read. The file is keyed
by what the automaton depends on (``prefilter.automaton_key``: the rules' keywords in order, the
encoded forms, the pyahocorasick build) and is one authenticated cache file
(:mod:`scanner.cachefile`): a pickle of plain values (which may name no global) that reaches
pyahocorasick's C constructor only after this user's key verified the file; a file planted in a
shared or CI-restored cache folder is ignored and the automaton rebuilt. A cache that cannot be read
or written only costs start-up time.
"""

from __future__ import annotations

import pickle
from typing import Any

from scanner import cachefile
from scanner.rules.cache import cache_dir

_KIND = "ahocorasick"


class AutomatonCache:
    """The cache folder as a ``prefilter.AutomatonStore``."""

    def load(self, key: str) -> tuple[Any, ...] | None:
        payload = cachefile.load(cache_dir() / f"ac-{key}.cache", _KIND)
        if payload is None:
            return None
        try:
            state = cachefile.restricted_loads(payload)
        except Exception:  # noqa: BLE001 - a file this user wrote that does not load: rebuilt
            return None
        return tuple(state) if isinstance(state, (tuple, list)) else None

    def store(self, key: str, state: tuple[Any, ...]) -> None:
        cachefile.store(cache_dir() / f"ac-{key}.cache", _KIND,
                        [pickle.dumps(tuple(state), protocol=pickle.HIGHEST_PROTOCOL)])


STORE = AutomatonCache()
