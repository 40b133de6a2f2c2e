"""The one thread that holds the app's datastore connection.

SQLite connections belong to the thread that opened them, and the queue's summary (``temp.cred``)
lives in one connection; so every read and write of the app runs, in arrival order, on one thread
that owns one ``Store``. The datastore itself is in WAL mode with a busy timeout (``scanner.store``):
sweeps and ``credsprawl triage`` in other processes read and write it meanwhile, and each triage
write is one transaction (``scanner.triage.writes``).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from scanner.serve.rank import Summary
from scanner.store.db import Store, open_existing

T = TypeVar("T")


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="credsprawl-serve-db")
        self._store: Store | None = None
        self.summary = Summary()

    def _open(self) -> Store:
        if self._store is None:
            self._store = open_existing(self.path)
        return self._store

    def check(self) -> None:
        """Open the datastore and build the queue's summary now, before the first request (a missing
        or unusable datastore is a usage error at start)."""
        self._pool.submit(lambda: self.summary.ensure(self._open().db)).result()

    def _run(self, fn: Callable[[Store], T], summary: bool) -> T:
        store = self._open()
        if summary:
            self.summary.ensure(store.db)
        return fn(store)

    async def read(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` on the database thread, with the queue's summary current."""
        return await asyncio.wrap_future(self._pool.submit(self._run, fn, True))

    async def write(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` (a triage write: its own transaction) on the database thread."""
        return await asyncio.wrap_future(self._pool.submit(self._run, fn, False))

    def close(self) -> None:
        def shut() -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._pool.submit(shut).result()
        self._pool.shutdown(wait=True)
