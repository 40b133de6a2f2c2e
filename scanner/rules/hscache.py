"""The shipped rules' Hyperscan database, compiled once per install and kept in the cache folder.

Compiling the shipped rules' database takes seconds; loading it back costs one file read. The file
is keyed by what the database depends on (``hyperscan_backend.database_key``: the rules' patterns
and keywords, the decoders' triggers, the Hyperscan version; for the shipped rules, without reading
them: the rule files' stamps and those of the matcher code that builds the database) and holds what
each expression stands for beside the databases, so a load needs no keyword table.

The cache is one authenticated cache file (:mod:`scanner.cachefile`): the tables (a pickle of plain
values, which may name no global) and the two serialised databases, which reach ``hyperscan.loadb``
(a C deserialiser) only after this user's key verified the file; a file planted in a shared or
CI-restored cache folder is ignored and the database rebuilt. A cache that cannot be read or written
only costs start-up time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import struct
from pathlib import Path
from typing import Sequence

from scanner import cachefile
from scanner.match.hyperscan_backend import Database, Prebuilt, database_key
from scanner.model import Rule
from scanner.rules.cache import cache_dir, load_rules_cached, shipped_key

# the payload: the sizes of the tables, the database and the keyword database, then each (the file
# name holds ``database_key``, whose format tag changes with this layout too)
_SIZES = struct.Struct("<QQQ")


def path_for(rules: Sequence[Rule], triggers: bool) -> Path:
    return cache_dir() / f"hs-{database_key(rules)}{'-t' if triggers else ''}.cache"


def load(path: Path) -> Database | None:
    """The database stored at ``path``, or None when there is none this user wrote or it does not load."""
    # each part read as its own bytes: hyperscan.loadb takes bytes only, and a slice of the whole
    # would copy the database once more
    parts = cachefile.load_parts(path, "hyperscan", _SIZES.size, _SIZES.unpack)
    if parts is None:
        return None
    try:
        _sizes, blob, db, kw_db = parts
        return Database.load(cachefile.restricted_loads(blob), db, kw_db)
    except Exception:  # noqa: BLE001 - a file this user wrote that does not load: rebuilt
        return None


def store(path: Path, database: Database) -> None:
    """Write the databases and their tables atomically (a failure is silent: only start-up pays)."""
    tables, db, kw_db = database.dump()
    blob = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
    cachefile.store(path, "hyperscan", [_SIZES.pack(len(blob), len(db), len(kw_db)), blob, db, kw_db])


def _shipped_path(rules_key: str) -> Path:
    """The shipped database's file, named without reading the rules: by the rule files' stamps (the rule
    cache's key) and the stamps of the code that decides what the database holds (this module's
    matcher side: the backend, its keyword rates, the keyword table and its encoded forms, the decoders'
    triggers, the whole patterns' sources), beside the Hyperscan version."""
    from scanner.match import decoders, hyperscan_backend, keyword_rates, prefilter, secretgroup

    h = hashlib.sha256(f"shipped|{rules_key}|{hyperscan_backend.hyperscan.__version__}".encode())
    for module in (hyperscan_backend, keyword_rates, prefilter, decoders, secretgroup):
        st = os.stat(str(module.__file__))
        h.update(f"|{module.__name__}|{st.st_size}|{st.st_mtime_ns}".encode())
    return cache_dir() / f"hs-{h.hexdigest()[:32]}-t.cache"


def cached_database(rules: Sequence[Rule], *, triggers: bool = False, path: Path | None = None) -> Database:
    """The database of ``rules`` (whole patterns included): from the cache, else compiled and stored."""
    path = path or path_for(rules, triggers)
    database = load(path)
    if database is None:
        database = Database.compile(rules, patterns=True, triggers=triggers)
        store(path, database)
    return database


def shipped_file() -> tuple[Path, str, tuple[int, cachefile.Lengths]] | None:
    """The shipped database's cache file as ``cachefile.read_ahead`` takes it (None: not named by stamps)."""
    key = shipped_key()
    return None if key is None else (_shipped_path(key), "hyperscan", (_SIZES.size, _SIZES.unpack))


@functools.lru_cache(maxsize=1)
def shipped_database() -> Prebuilt:
    """The shipped rules (from the start-up cache when unchanged) and their database, once per process:
    what ``make_prefilter`` is given for the Hyperscan backend."""
    shipped = load_rules_cached().rules
    key = shipped_key()
    path = _shipped_path(key) if key is not None else None
    return Prebuilt(cached_database(shipped, triggers=True, path=path), shipped)
