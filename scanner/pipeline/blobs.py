"""Scan git blobs by id on the one worker pool (``scanner.pipeline.pool``): inline (``--jobs 1``) or
on worker processes, with the same code.

The parent sends batches of small descriptors (blob id, size, a path it was seen at, the id of the
previous version at that path); each worker has its Engine (the parent's, when forked) and starts one
persistent ``git cat-file --batch`` once, and streams every blob of its batches through it.
Contents never cross a process boundary; results are by blob id, whatever the number of workers.

``batches`` keeps the versions of a file together, oldest first, so a worker scans a new version by
what changed since the previous one (``scanner.pipeline.delta``); findings are the same either way.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from typing import Callable, Sequence

from scanner.pipeline.delta import Version, scan_version, wide_hits
from scanner.pipeline.engine import BlobScan, Engine, with_document_facts
from scanner.pipeline import route as deepscan
from scanner.match import content
from scanner.model import Blob, Finding, Origin
from scanner.pipeline.pool import EngineSpec, WorkerPool
from scanner.sources import archives
from scanner.sources.git import BlobReader, Repo

_BATCH_BYTES = 4 * 1024 * 1024
_BATCH_BLOBS = 512
_MIN_BATCHES = 16  # small inputs still make several batches, so a pool has work to share
# a file's versions stay in one batch up to this many bytes: a version that starts a batch is scanned
# whole, every other one by its change since the version before it
_GROUP_BYTES = 256 * 1024 * 1024
NO_DELTA_ENV = "CREDSPRAWL_NO_DELTA"  # set: scan every blob whole (for checking scan_delta)
# A version of a file is scanned by its change only from this size on: below it, one scan of the whole
# blob (a Hyperscan pass, regexes only near candidates) costs less than finding the change (the
# findings are the same either way).
DELTA_MIN_SIZE = int(os.environ.get("CREDSPRAWL_DELTA_MIN_SIZE", str(16 * 1024)))

Progress = Callable[[int, int], None]  # (blobs done, bytes done)


@dataclass(frozen=True)
class BlobTask:
    sha: str
    size: int
    path: str  # one path the blob was seen at: for warnings and the provisional origin
    pred: str = ""  # the previous version at that path, when it is earlier in the same batch


@dataclass(frozen=True)
class BlobResult:
    sha: str
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    bytes_scanned: int = 0
    skipped: str | None = None  # "binary", "unreadable"
    detail: str = ""


def _scan_whole(engine: Engine, data: bytes, origin: Origin, archive: bool) -> BlobScan:
    if archive:
        # an archive committed to the repository: opened like one found on disk
        found = deepscan.scan_blob(engine, Blob(data, origin))
        if not found.files:
            return BlobScan(skipped="binary")
        return BlobScan(found.findings, found.warnings, found.bytes_scanned)
    s = engine.settings
    if len(data) > s.chunk_size + s.chunk_overlap:
        return engine.scan_stream(io.BytesIO(data), origin, len(data))
    return engine.scan_bytes(data, origin)


def scan_batch(engine: Engine, reader: BlobReader, batch: Sequence[BlobTask]) -> list[BlobResult]:
    """Read and scan a batch's blobs in order; a blob whose previous version came earlier in the
    batch is scanned by its change. An unreadable object is a result, never a crash."""
    delta = not os.environ.get(NO_DELTA_ENV)
    uses: dict[str, int] = {}  # versions still to be scanned after each kept version
    for t in batch:
        if t.pred:
            uses[t.pred] = uses.get(t.pred, 0) + 1
    previous: dict[str, Version] = {}
    out: list[BlobResult] = []
    # the reader first: it runs to its end (zip stops on it), so git's process is kept for the next batch
    answers = reader.read_many([t.sha for t in batch], sizes=[t.size for t in batch])
    for (_sha, data, reason), task in zip(answers, batch):
        if data is None:
            out.append(BlobResult(task.sha, skipped="unreadable", detail=reason))
            continue
        origin = Origin(task.path, kind="git-blob", extra=(("blob", task.sha),))
        scan = None
        hits = None
        archive = archives.sniff(data[:512]) is not None
        before = _take(previous, uses, task.pred)
        if delta and len(data) >= DELTA_MIN_SIZE and before is not None and not archive:
            changed = scan_version(engine, before, data, origin)
            if changed is not None:
                scan, hits = changed
        if scan is None:
            scan = _scan_whole(engine, data, origin, archive)
        if scan.skipped:
            out.append(BlobResult(task.sha, skipped=scan.skipped))
            continue
        if task.sha in uses and delta and not archive:
            # without document facts: a delta scan carries them
            if hits is not None:  # scanned by its change: plain text
                previous[task.sha] = Version(data, scan.findings, hits)
            elif content.sniff(data) == "utf-8":
                previous[task.sha] = Version(data, scan.findings, wide_hits(engine).find(data))
        if scan.findings and not archive:  # an archive's members got theirs in the content router
            scan = with_document_facts(scan, data)  # from the whole blob, whether scanned whole or by its change
        out.append(BlobResult(task.sha, scan.findings, scan.warnings, scan.bytes_scanned))
    return out


def _take(previous: dict[str, Version], uses: dict[str, int], sha: str) -> Version | None:
    """The kept version ``sha``, forgotten once its last successor in the batch has it."""
    version = previous.get(sha)
    if version is not None:
        uses[sha] -= 1
        if not uses[sha]:
            del previous[sha]
    return version


# a batch's results as they cross back: the results that hold something (a finding, a warning, a
# skip), and the number and bytes of the quiet rest (most blobs), which need no object each
_Folded = tuple[list[BlobResult], int, int]


def _fold(results: Sequence[BlobResult]) -> _Folded:
    notable: list[BlobResult] = []
    quiet = scanned = 0
    for r in results:
        if r.findings or r.warnings or r.skipped:
            notable.append(r)
        else:
            quiet += 1
            scanned += r.bytes_scanned
    return notable, quiet, scanned


def _scan_batch(engine: Engine, reader: BlobReader, batch: Sequence[BlobTask]) -> _Folded:
    return _fold(scan_batch(engine, reader, batch))


def batches(tasks: Sequence[BlobTask], preds: dict[str, str] | None = None) -> list[list[BlobTask]]:
    """Batches of about 4 MB or 512 blobs (fewer for small inputs) that keep each file's versions
    together, oldest first (a file's versions are split only past ``_GROUP_BYTES``). ``preds`` maps a blob to its previous version; a task's ``pred`` is
    set when that version is earlier in the same batch. ``tasks`` come in walk order."""
    preds = preds or {}
    known = {t.sha for t in tasks}
    root: dict[str, str] = {}
    for t in tasks:  # walk order: a previous version comes before the next
        before = preds.get(t.sha, "")
        root[t.sha] = root.get(before, before) if before in known else t.sha
    groups: dict[str, list[BlobTask]] = {}
    for t in tasks:
        groups.setdefault(root[t.sha], []).append(t)
    most = max(1, min(_BATCH_BLOBS, -(-len(tasks) // _MIN_BATCHES)))
    out: list[list[BlobTask]] = []
    current: list[BlobTask] = []
    in_batch: set[str] = set()
    size = 0
    for group in groups.values():
        for t in group:
            before = preds.get(t.sha, "")
            current.append(BlobTask(t.sha, t.size, t.path, before if before in in_batch else ""))
            in_batch.add(t.sha)
            size += t.size
            if size >= _GROUP_BYTES:
                out.append(current)
                current, in_batch, size = [], set(), 0
        if size >= _BATCH_BYTES or len(current) >= most:
            out.append(current)
            current, in_batch, size = [], set(), 0
    if current:
        out.append(current)
    return out


class BlobScanner:
    """Scans batches of blob tasks as they are handed in, on a :class:`WorkerPool`: inline (``jobs``
    1) or on forked workers, each with its engine and its own ``git cat-file``. A history scan hands
    in batches while ``git log`` is still running; ``finish`` waits for every result. The results
    that hold something (findings, warnings, a skip) are kept by blob id; the other blobs are only
    counted (``quiet_blobs``, ``quiet_bytes``): they cross back from a worker as two numbers.

    The pool's workers are forked by ``start`` (or the first submit): no other thread may run in the
    process then."""

    def __init__(self, spec: EngineSpec, repo: Repo, jobs: int, progress: Progress | None = None,
                 make_engine: Callable[[], Engine | None] | None = None,
                 on_findings: Callable[[Sequence[Finding]], None] | None = None) -> None:
        self.progress = progress
        self.on_findings = on_findings  # sees each blob's findings as its batch's results come in
        self.results: dict[str, BlobResult] = {}
        self.quiet_blobs = self.quiet_bytes = 0
        self._done_blobs = self._done_bytes = 0

        def engine() -> Engine:
            built = (make_engine() if make_engine else None) or spec.build()
            if jobs > 1:
                wide_hits(built)  # the delta scan's keyword search, built before workers fork: they share it
            return built

        self._pool: WorkerPool[list[BlobTask], _Folded, list[BlobTask]] = WorkerPool(
            spec, _scan_batch, jobs, functools.partial(BlobReader, repo), BlobReader.close, engine)

    def start(self) -> None:
        """Fork the pool's workers now (before any thread starts), when ``jobs`` asks for a pool."""
        self._pool.start()

    def submit(self, batch: list[BlobTask]) -> None:
        if batch:
            self._pool.submit(batch, batch)
            self.poll()

    def poll(self, block: bool = False) -> None:
        """Take in the results of finished batches (``block``: wait for at least one)."""
        for batch, folded in self._pool.ready(block):
            self._record(batch, folded)

    def finish(self) -> dict[str, BlobResult]:
        for batch, folded in self._pool.drain():
            self._record(batch, folded)
        return self.results

    def _record(self, batch: list[BlobTask], folded: _Folded) -> None:
        notable, quiet, scanned = folded
        for r in notable:
            self.results[r.sha] = r
            if r.findings and self.on_findings is not None:
                self.on_findings(r.findings)
        self.quiet_blobs += quiet
        self.quiet_bytes += scanned
        self._done_blobs += len(batch)
        self._done_bytes += sum(t.size for t in batch)
        if self.progress:
            self.progress(self._done_blobs, self._done_bytes)

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> BlobScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
