"""The shipped rules' cache files read ahead, for a command that has a start-up to hide them behind.

The pre-commit hook loads three cache files (the rules, their compiled regexes and, with Hyperscan,
the database: some 10 MB to read and authenticate) after it has imported most of its modules. Asked
early, :func:`read_shipped_ahead` has :func:`scanner.cachefile.read_ahead` read and verify them in a
thread meanwhile; the loads later take what it read, or read the files themselves as before.
"""

from __future__ import annotations

from scanner import cachefile
from scanner.rules import cache, regexcache


def read_shipped_ahead(hyperscan: bool) -> None:
    """Start reading the shipped rules' cache files, with the Hyperscan database's when ``hyperscan``
    (the backend the run will use), in the order a scan loads them."""
    files = [cache.shipped_file(), regexcache.shipped_file()]
    if hyperscan:
        from scanner.rules import hscache  # imports Hyperscan: only for that backend

        files.append(hscache.shipped_file())
    cachefile.read_ahead([f for f in files if f is not None])
