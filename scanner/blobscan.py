"""Scan git blobs by id: serially (``--jobs 1``) or on a process pool, with the same code.

The parent sends batches of small descriptors (blob id, size, a path it was seen at); each worker
builds its Engine once and starts one persistent ``git cat-file --batch`` in the pool initializer,
and streams every blob of its batches through it. Contents never cross a process boundary; results
come back in the order of the tasks, whatever the number of workers.
"""

from __future__ import annotations

import io
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable, Sequence

from scanner.engine import Engine
from scanner.model import Finding, Origin
from scanner.pipeline import EngineSpec
from scanner.sources.git import BlobReader, BlobUnavailable, Repo

_BATCH_BYTES = 4 * 1024 * 1024
_BATCH_BLOBS = 512
_SERIAL_BELOW = 16  # fewer blobs than this: no pool

Progress = Callable[[int, int], None]  # (blobs done, bytes done)


@dataclass(frozen=True)
class BlobTask:
    sha: str
    size: int
    path: str  # one path the blob was seen at: for warnings and the provisional origin


@dataclass(frozen=True)
class BlobResult:
    sha: str
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    bytes_scanned: int = 0
    skipped: str | None = None  # "binary", "unreadable"
    detail: str = ""


def scan_blob(engine: Engine, reader: BlobReader, task: BlobTask) -> BlobResult:
    """Read one blob through ``reader`` and scan it; an unreadable object is a result, never a crash."""
    try:
        data = reader.read(task.sha)
    except BlobUnavailable as exc:
        return BlobResult(task.sha, skipped="unreadable", detail=str(exc))
    origin = Origin(task.path, kind="git-blob", extra=(("blob", task.sha),))
    s = engine.settings
    if len(data) > s.chunk_size + s.chunk_overlap:
        scan = engine.scan_stream(io.BytesIO(data), origin, len(data))
    else:
        scan = engine.scan_bytes(data, origin)
    if scan.skipped:
        return BlobResult(task.sha, skipped=scan.skipped)
    return BlobResult(task.sha, scan.findings, scan.warnings, scan.bytes_scanned)


_WORKER: tuple[Engine, BlobReader] | None = None


def _init_worker(spec: EngineSpec, repo: Repo) -> None:
    global _WORKER
    from multiprocessing import util

    reader = BlobReader(repo)
    util.Finalize(reader, reader.close, exitpriority=10)  # runs when the worker process exits
    _WORKER = (spec.build(), reader)


def _scan_batch(batch: Sequence[BlobTask]) -> list[BlobResult]:
    assert _WORKER is not None, "worker used before its initializer ran"
    engine, reader = _WORKER
    return [scan_blob(engine, reader, task) for task in batch]


def batches(tasks: Sequence[BlobTask], jobs: int = 1) -> list[list[BlobTask]]:
    """Batches of at most 4 MB or 512 blobs, and at least about four per worker so the pool
    stays balanced on small inputs."""
    most = max(1, min(_BATCH_BLOBS, -(-len(tasks) // (4 * max(1, jobs)))))
    out: list[list[BlobTask]] = []
    current: list[BlobTask] = []
    size = 0
    for task in tasks:
        current.append(task)
        size += task.size
        if size >= _BATCH_BYTES or len(current) >= most:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


def run_blobs(
    tasks: Sequence[BlobTask], spec: EngineSpec, repo: Repo, jobs: int, progress: Progress | None = None
) -> list[BlobResult]:
    """Scan every blob; results in the order of ``tasks``."""
    work = batches(tasks, jobs)
    results: list[list[BlobResult]] = [[] for _ in work]
    done_blobs = done_bytes = 0

    def record(i: int, batch_results: list[BlobResult]) -> None:
        nonlocal done_blobs, done_bytes
        results[i] = batch_results
        done_blobs += len(batch_results)
        done_bytes += sum(t.size for t in work[i])
        if progress:
            progress(done_blobs, done_bytes)

    if jobs <= 1 or len(tasks) < _SERIAL_BELOW or len(work) < 2:
        engine = spec.build()
        with BlobReader(repo) as reader:
            for i, batch in enumerate(work):
                record(i, [scan_blob(engine, reader, task) for task in batch])
    else:
        import multiprocessing
        import sys

        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        workers = min(jobs, len(work))
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(spec, repo)) as pool:
            pending: dict[Future[list[BlobResult]], int] = {
                pool.submit(_scan_batch, batch): i for i, batch in enumerate(work)
            }
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    record(pending.pop(fut), fut.result())
    return [r for batch in results for r in batch]
