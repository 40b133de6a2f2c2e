"""The one worker pool every scan runs on, and what it shares: the engine a worker builds, the default
number of workers, and the clock.

A :class:`WorkerPool` runs one work function, ``work(engine, local, descriptor)``, over small
descriptors (a batch of paths, a batch of blob ids): contents never cross a process boundary, and a
function returns only what the parent needs (the results that hold something, and counts for the
rest). ``jobs`` 1 runs the same function on the same descriptors in this process; more runs them on
worker processes:

- forked (on Linux) from a parent that built the engine first, every rule compiled, and moved
  everything allocated so far out of the garbage collector's sight (``gc.freeze``): workers share the
  parent's compiled rules page for page, and a collection in a worker copies none of them;
- spawned elsewhere, each worker building its engine once, in the pool initializer.

``local`` is what each process keeps beside its engine (the content options, a persistent ``git
cat-file``): made once per process by the ``local`` factory, and released when the process ends.
Results come back tagged, as they finish; the callers put them in order.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, TypeVar

from scanner.model import Rule
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.rules.load import RuleSet

D = TypeVar("D")  # a descriptor of work
R = TypeVar("R")  # what the work function gives for one descriptor
T = TypeVar("T")  # the caller's tag for a descriptor (its index, its batch)
V = TypeVar("V")

Work = Callable[[Engine, Any, D], R]


@dataclass(frozen=True)
class EngineSpec:
    """What a worker needs to build its Engine: sent once, through the pool initializer."""

    rules: tuple[Rule, ...]
    settings: EngineSettings

    def build(self) -> Engine:
        return Engine(RuleSet(self.rules), self.settings)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def clock() -> float:
    return time.perf_counter()


def pool_context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe and cheap (Linux), spawn elsewhere."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


def _same(value: V) -> V:
    return value


def constant(value: V) -> Callable[[], V]:
    """A ``local`` factory that gives every process the same value (sent once, by the initializer)."""
    return functools.partial(_same, value)


_INHERITED: Engine | None = None  # the parent's engine while it forks its workers
_WORKER: tuple[Engine, Any] | None = None  # a worker process's engine and local


def _init_worker(spec: EngineSpec, local: Callable[[], Any], release: Callable[[Any], None] | None) -> None:
    """A worker's engine (the parent's when forked, else built once) and its local."""
    global _WORKER
    mine = local()
    if release is not None:
        from multiprocessing import util

        util.Finalize(mine, release, args=(mine,), exitpriority=10)  # runs when the worker process exits
    _WORKER = (_INHERITED or spec.build(), mine)


def _run(work: Work[D, R], descriptor: D) -> R:
    assert _WORKER is not None, "worker used before its initializer ran"
    engine, local = _WORKER
    return work(engine, local, descriptor)


def _nothing() -> None:
    return None


class WorkerPool(Generic[D, R, T]):
    """Runs ``work`` over descriptors, inline (``jobs`` <= 1) or on ``jobs`` worker processes.

    ``submit`` hands in a descriptor with a tag; ``ready`` and ``drain`` give ``(tag, result)`` pairs
    as they finish (inline: in the order submitted, each computed when it is asked for). ``engine``
    gives the parent's engine (default: built from ``spec``); workers are forked by ``start`` or the
    first ``submit``, all at once: no other thread may run in the process then."""

    def __init__(self, spec: EngineSpec, work: Work[D, R], jobs: int, local: Callable[[], Any] = _nothing,
                 release: Callable[[Any], None] | None = None, engine: Callable[[], Engine] | None = None) -> None:
        self.spec, self.work, self.jobs = spec, work, jobs
        self._local_factory, self._release = local, release
        self._make_engine = engine or spec.build
        self._engine: Engine | None = None
        self._local: Any = None
        self._has_local = False
        self._queue: deque[tuple[T, D]] = deque()  # inline: submitted, not yet run
        self._pending: dict[Future[R], T] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._frozen = False

    @property
    def inline(self) -> bool:
        return self.jobs <= 1

    def engine(self) -> Engine:
        """The parent's engine, built on first use."""
        if self._engine is None:
            self._engine = self._make_engine()
        return self._engine

    def start(self) -> None:
        """Fork the workers now (before any thread starts), when there are to be workers."""
        if not self.inline and self._pool is None:
            self._start_pool()

    def _start_pool(self) -> ProcessPoolExecutor:
        global _INHERITED
        context = pool_context()
        if context.get_start_method() == "fork":
            # the engine built once, here, and shared; each rule's patterns load when a worker first
            # needs them (from the regex cache the engine holds: a few ms for the rules a scan meets,
            # where loading them all before the fork would hold every worker back for 70 ms); nothing
            # the workers inherit is traversed (and its pages copied) by their garbage collector
            _INHERITED = self.engine()
            gc.freeze()
            self._frozen = True
        try:
            pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_init_worker,
                                       initargs=(self.spec, self._local_factory, self._release))
            pool.submit(_nothing)  # a forking pool starts every worker on its first submit
        finally:
            _INHERITED = None
        self._pool = pool
        return pool

    def submit(self, descriptor: D, tag: T) -> None:
        if self.inline:
            self._queue.append((tag, descriptor))
            return
        pool = self._pool or self._start_pool()
        self._pending[pool.submit(_run, self.work, descriptor)] = tag

    def _run_inline(self) -> tuple[T, R]:
        tag, descriptor = self._queue.popleft()
        if not self._has_local:
            self._local, self._has_local = self._local_factory(), True
        return tag, self.work(self.engine(), self._local, descriptor)

    def ready(self, block: bool = False) -> list[tuple[T, R]]:
        """The results finished so far (``block``: wait for at least one, if any is pending)."""
        if self.inline:
            return [self._run_inline() for _ in range(len(self._queue))]
        if not self._pending:
            return []
        finished = wait(self._pending, timeout=None if block else 0, return_when=FIRST_COMPLETED)[0]
        return [(self._pending.pop(fut), fut.result()) for fut in finished]

    def drain(self) -> Iterator[tuple[T, R]]:
        """Every result still to come, as each finishes."""
        while self._queue:
            yield self._run_inline()
        while self._pending:
            yield from self.ready(block=True)

    def close(self) -> None:
        if self._has_local and self._release is not None:
            self._release(self._local)
        self._local, self._has_local = None, False
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def __enter__(self) -> WorkerPool[D, R, T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
