"""Run an Engine over many files: serially (``--jobs 1``) or on a process pool, with the same code.

The parent enumerates work and merges results; workers build their Engine once (pool
initializer) and receive batches of file descriptors, never file contents. Output order is
deterministic whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from scanner.engine import BlobScan, Engine, EngineSettings
from scanner.model import Finding, Origin, Rule
from scanner.results import ScanSummary, Skip
from scanner.rules import RuleSet
from scanner.sources.filesystem import FileItem

_BATCH_BYTES = 4 * 1024 * 1024
_BATCH_FILES = 256
_SERIAL_BELOW = 8  # fewer files than this: no pool, it would cost more than it saves

Progress = Callable[[int, int], None]  # (files done, bytes done)


@dataclass(frozen=True)
class EngineSpec:
    """What a worker needs to build its Engine: sent once, through the pool initializer."""

    rules: tuple[Rule, ...]
    settings: EngineSettings

    def build(self) -> Engine:
        return Engine(RuleSet(self.rules), self.settings)


@dataclass(frozen=True)
class ItemResult:
    item: FileItem
    scan: BlobScan | None
    skip: Skip | None


def scan_item(engine: Engine, item: FileItem) -> ItemResult:
    """Scan one file; a file that cannot be read is a skip with its reason, never a crash."""
    try:
        result = engine.scan_path(item.path, Origin(item.display))
    except FileNotFoundError:
        return ItemResult(item, None, Skip(item.display, "vanished", "deleted during the scan"))
    except OSError as exc:
        return ItemResult(item, None, Skip(item.display, "unreadable", exc.strerror or str(exc)))
    if result.skipped:
        return ItemResult(item, None, Skip(item.display, result.skipped))
    return ItemResult(item, result, None)


_WORKER_ENGINE: Engine | None = None


def _init_worker(spec: EngineSpec) -> None:
    """Build the worker's engine once; a forked worker already has the parent's."""
    global _WORKER_ENGINE
    if _WORKER_ENGINE is None:
        _WORKER_ENGINE = spec.build()


def _scan_batch(batch: Sequence[FileItem]) -> list[ItemResult]:
    assert _WORKER_ENGINE is not None, "worker used before its initializer ran"
    return [scan_item(_WORKER_ENGINE, item) for item in batch]


def batches(items: Iterable[FileItem]) -> list[list[FileItem]]:
    out: list[list[FileItem]] = []
    current: list[FileItem] = []
    size = 0
    for item in items:
        if item.size >= _BATCH_BYTES:
            out.append([item])
            continue
        current.append(item)
        size += item.size
        if size >= _BATCH_BYTES or len(current) >= _BATCH_FILES:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork shares the parent's loaded rules copy-on-write and starts in milliseconds
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


def run(
    items: Sequence[FileItem], spec: EngineSpec, jobs: int, progress: Progress | None = None
) -> list[ItemResult]:
    """Scan every item; results come back in a deterministic order (the order of ``items``)."""
    work = batches(items)
    results: list[list[ItemResult]] = [[] for _ in work]
    done_files = done_bytes = 0

    def record(i: int, batch_results: list[ItemResult]) -> None:
        nonlocal done_files, done_bytes
        results[i] = batch_results
        done_files += len(batch_results)
        done_bytes += sum(r.item.size for r in batch_results)
        if progress:
            progress(done_files, done_bytes)

    # built in the parent in every case: it fills the compiled-database cache once, and forked
    # workers inherit it instead of each loading rules and compiling patterns again
    engine = spec.build()
    if jobs <= 1 or len(items) < _SERIAL_BELOW or len(work) < 2:
        for i, batch in enumerate(work):
            record(i, [scan_item(engine, item) for item in batch])
    else:
        global _WORKER_ENGINE
        context = _pool_context()
        if context.get_start_method() == "fork":
            engine.matcher.compile_all()  # once here rather than once in every worker
            _WORKER_ENGINE = engine
        else:
            _WORKER_ENGINE = None
        try:
            with ProcessPoolExecutor(min(jobs, len(work)), mp_context=context, initializer=_init_worker,
                                     initargs=(spec,)) as pool:
                pending: dict[Future[list[ItemResult]], int] = {
                    pool.submit(_scan_batch, batch): i for i, batch in enumerate(work)
                }
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        record(pending.pop(fut), fut.result())
        finally:
            _WORKER_ENGINE = None
    order = {item.display: n for n, item in enumerate(items)}
    flat = [r for batch in results for r in batch]
    flat.sort(key=lambda r: order[r.item.display])
    return flat


def summarise(
    results: Sequence[ItemResult], walk_skips: Sequence[Skip], seconds: float, extra_warnings: Sequence[str] = ()
) -> tuple[list[Finding], ScanSummary]:
    findings: list[Finding] = []
    warnings: list[str] = list(extra_warnings)
    skipped: list[Skip] = list(walk_skips)
    files = total = 0
    for r in results:
        if r.scan is not None:
            files += 1
            total += r.scan.bytes_scanned
            findings.extend(r.scan.findings)
            warnings.extend(r.scan.warnings)
        elif r.skip is not None:
            skipped.append(r.skip)
    findings.sort(key=Finding.sort_key)
    skipped.sort(key=lambda s: (s.path, s.reason))
    return findings, ScanSummary(files, total, seconds, tuple(skipped), tuple(warnings))


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def clock() -> float:
    return time.perf_counter()
