"""Plan and run a filesystem scan's work: files, and big archives spread over the workers.

A unit of work is a file (whatever it holds: an archive is expanded by the worker that opens it) or a
slice of a big archive:

- a zip of ``SPLIT_BYTES`` or more: the parent reads its central directory (nothing is inflated)
  and cuts the entries into slices of about ``SLICE_BYTES`` uncompressed; each worker re-opens the
  zip and reads only its slice's entries, so a 2 GB jar keeps every core busy;
- a tar (plain or gzip/bzip2/xz) of ``TAR_SPLIT_BYTES`` or more: a compressed stream cannot be
  entered in the middle, so it is cut into ``n`` parts (one per ``TAR_SLICE_BYTES`` on disk, at most
  ``MAX_TAR_PARTS``); the worker of part ``k`` inflates the whole stream (cheap) but reads and scans
  only the members whose index % n == k (the expensive part). A container image is not split (layer
  order decides what later layers delete): its first part does all of it.

Descriptors (path, entry indices, part) cross the process boundary, never contents. The plan does
not depend on ``--jobs``: ``--jobs 1`` runs the same units serially, and results (ordered by unit,
then sorted) are identical for any number of workers. (Each slice has its own ``--max-archive-size``
budget, like a whole archive.)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from scanner.pipeline.route import ContentOptions, scan_file
from scanner.pipeline.engine import Engine
from scanner.model import Finding, Origin
from scanner.pipeline.outcome import Outcome
from scanner.pipeline.pool import EngineSpec, WorkerPool, constant, pool_context
from scanner.results import ScanSummary, Skip
from scanner.sources import archives
from scanner.sources.archives import Source
from scanner.sources.filesystem import FileItem
from scanner.sources.openfile import NotRegularFile

MB = 1024 * 1024
SPLIT_BYTES = 8 * MB  # zips this big or bigger are split into slices
SLICE_BYTES = 16 * MB  # uncompressed bytes per slice, about
SLICE_MEMBERS = 2048
TAR_SPLIT_BYTES = 32 * MB  # tars this big or bigger (on disk) are split into parts
TAR_SLICE_BYTES = 16 * MB
MAX_TAR_PARTS = 8
_BATCH_BYTES = 4 * MB
_BATCH_UNITS = 256
_FIRST_UNITS = 16
_SERIAL_BELOW = 8

Progress = Callable[[int, int], None]  # (texts scanned, bytes of input done)
OnResults = Callable[[Outcome], None]  # a batch's outcome, in the parent as it comes


@dataclass(frozen=True)
class Unit:
    item: FileItem
    members: tuple[int, ...] | None = None  # zip entry indices of a slice; None: the whole file
    weight: int = 0  # input bytes this unit stands for (batching, progress)
    part: tuple[int, int] | None = None  # (k, n): part k of n of a big tar

    @property
    def sliced(self) -> bool:
        return self.members is not None or self.part is not None


@dataclass(frozen=True)
class WorkSpec:
    """What a worker needs: sent once, through the pool initializer."""

    engine: EngineSpec
    content: ContentOptions

    def build(self) -> Engine:
        return self.engine.build()


def _slices(item: FileItem, options: ContentOptions) -> tuple[list[Unit], list[Skip]]:
    """A big zip's entries cut into slices, or the whole file as one unit."""
    whole = [Unit(item, None, item.size)]
    limits = options.limits
    if item.size < min(SPLIT_BYTES, TAR_SPLIT_BYTES) or limits.max_depth < 1:
        return whole, []
    source = Source.from_path(item.path, Origin(item.display), item.size)
    try:
        fmt = archives.inner_format(source)
        if fmt is not None and fmt.startswith("tar"):
            n = min(MAX_TAR_PARTS, -(-item.size // TAR_SLICE_BYTES)) if item.size >= TAR_SPLIT_BYTES else 1
            return ([Unit(item, None, item.size // n, (k, n)) for k in range(n)] if n > 1 else whole), []
        if fmt != "zip" or item.size < SPLIT_BYTES:
            return whole, []
        infos = archives.zip_members(source)
    except archives.CORRUPT:
        return whole, []  # the worker reports what is wrong with it
    skips: list[Skip] = []
    if limits.max_members and len(infos) > limits.max_members:
        skips.append(archives._too_many(source.origin, limits, len(infos)))
        infos = infos[: limits.max_members]
    units: list[Unit] = []
    current: list[int] = []
    size = weight = 0
    for index, info in enumerate(infos):
        if archives.zip_entry_is_dir(info):
            continue
        current.append(index)
        size += info.file_size
        weight += info.compress_size
        if size >= SLICE_BYTES or len(current) >= SLICE_MEMBERS:
            units.append(Unit(item, tuple(current), weight))
            current, size, weight = [], 0, 0
    if current:
        units.append(Unit(item, tuple(current), weight))
    if len(units) < 2:
        return whole, []
    return units, skips


def plan(items: Sequence[FileItem], options: ContentOptions) -> tuple[list[Unit], list[Skip]]:
    """Units of work in a deterministic order, and skips the planning itself decided."""
    units: list[Unit] = []
    skips: list[Skip] = []
    for item in items:
        got, skipped = _slices(item, options)
        units.extend(got)
        skips.extend(skipped)
    return units, skips


def scan_unit(engine: Engine, unit: Unit, options: ContentOptions) -> Outcome:
    """Scan one unit; a file that cannot be read is a skip with its reason, never a crash."""
    item = unit.item
    try:
        result = scan_file(engine, item.path, Origin(item.display), options, unit.members, unit.part)
    except FileNotFoundError:
        return Outcome(skips=(Skip(item.display, "vanished", "deleted during the scan"),))
    except NotRegularFile as exc:  # swapped for a FIFO or a device after the walk: skipped, with a warning
        return Outcome(warnings=(f"{item.display}: {exc.strerror}, skipped",),
                       skips=(Skip(item.display, "special", exc.strerror or ""),))
    except OSError as exc:
        return Outcome(skips=(Skip(item.display, "unreadable", exc.strerror or str(exc)),))
    except Exception as exc:  # noqa: BLE001 - a bug on one input must not cost the findings of the others
        detail = f"internal error, please report: {type(exc).__name__}: {exc}"
        return Outcome(warnings=(f"{item.display}: {detail}",), skips=(Skip(item.display, "error", detail),))
    return Outcome.of(result)


def _scan_batch(engine: Engine, options: ContentOptions, batch: Sequence[Unit]) -> Outcome:
    """A worker's batch: one outcome for all its units (most of them only counted)."""
    return Outcome.folded(scan_unit(engine, unit, options) for unit in batch)


def _batched(units: Iterable[Unit]) -> Iterator[list[Unit]]:
    """Units grouped into batches of about ``_BATCH_BYTES`` (a big or sliced unit alone), in order.
    The first batches are small (``_FIRST_UNITS``, doubling up to ``_BATCH_UNITS``): workers start
    after a few files are walked, not a few hundred."""
    current: list[Unit] = []
    size = 0
    most = _FIRST_UNITS
    for unit in units:
        if unit.weight >= _BATCH_BYTES or unit.sliced:
            yield [unit]
            continue
        current.append(unit)
        size += unit.weight
        if size >= _BATCH_BYTES or len(current) >= most:
            yield current
            current, size = [], 0
            most = min(_BATCH_UNITS, most * 2)
    if current:
        yield current


def batches(units: Sequence[Unit]) -> list[list[Unit]]:
    return list(_batched(units))


def _pool(spec: WorkSpec, jobs: int) -> WorkerPool[list[Unit], Outcome, int]:
    # the work function is looked up when the pool is made (a test plants a dying one)
    return WorkerPool(spec.engine, _scan_batch, jobs, constant(spec.content))


def run(units: Sequence[Unit], spec: WorkSpec, jobs: int, progress: Progress | None = None,
        on_results: OnResults | None = None) -> Outcome:
    """Scan every unit; the same outcome (in the order of ``units``) whatever the number of workers.
    ``on_results`` sees each batch's outcome as it comes."""
    work = batches(units)
    folded: list[Outcome | None] = [None for _ in work]
    done_files = done_bytes = 0

    def record(i: int, batch: Outcome) -> None:
        nonlocal done_files, done_bytes
        folded[i] = batch
        if on_results:
            on_results(batch)
        done_files += batch.scanned
        done_bytes += sum(u.weight for u in work[i])
        if progress:
            progress(done_files, done_bytes)

    serial = jobs <= 1 or len(units) < _SERIAL_BELOW or len(work) < 2
    with _pool(spec, 1 if serial else min(jobs, len(work))) as pool:
        # the engine is built in the parent in every case: it fills the compiled-database cache once, and
        # forked workers inherit it instead of each loading rules and compiling patterns again
        pool.engine()
        # on workers, heaviest first, so a big archive does not start last and leave the others idle
        order = range(len(work)) if pool.inline else sorted(range(len(work)), key=lambda i: -sum(u.weight for u in work[i]))
        for i in order:
            pool.submit(work[i], i)
        for index, got in pool.drain():  # inline: each batch run as it is asked for
            record(index, got)
    done = [got for got in folded if got is not None]
    assert len(done) == len(work), "a batch without its result"
    return Outcome.folded(done)


def _units_of(entries: Iterable[FileItem | Skip], options: ContentOptions, walk_skips: list[Skip],
              planned: list[Skip]) -> Iterator[Unit]:
    for entry in entries:
        if isinstance(entry, Skip):
            walk_skips.append(entry)
            continue
        got, skipped = _slices(entry, options)
        planned.extend(skipped)
        yield from got


def run_walk(entries: Iterable[FileItem | Skip], spec: WorkSpec, jobs: int,
             on_results: OnResults | None = None) -> tuple[Outcome, list[Skip], list[Skip]]:
    """Walk, plan and scan at once: batches go to the workers while the parent is still walking.

    Returns the outcome (as :func:`run` gives it for the same units), the walk's skips and the
    planning's skips; ``on_results`` sees each batch's outcome as it comes. Forked workers start with
    the parent's engine, every rule compiled, so the walk is no serial prefix of the scan. Where
    workers cannot be forked, or the walk yields fewer than two batches, this is :func:`run` over the
    walked units."""
    walk_skips: list[Skip] = []
    planned: list[Skip] = []
    stream = _batched(_units_of(entries, spec.content, walk_skips, planned))
    first = list(itertools.islice(stream, 2))
    if jobs <= 1 or len(first) < 2 or pool_context().get_start_method() != "fork":
        units = [u for batch in itertools.chain(first, stream) for u in batch]
        return run(units, spec, jobs, on_results=on_results), walk_skips, planned
    folded: dict[int, Outcome] = {}
    with _pool(spec, jobs) as pool:
        pool.start()
        for i, batch in enumerate(itertools.chain(first, stream)):
            pool.submit(batch, i)
        for i, got in pool.drain():
            folded[i] = got
            if on_results:
                on_results(got)
    return Outcome.folded(folded[i] for i in range(len(folded))), walk_skips, planned


def summarise(outcome: Outcome, skips: Sequence[Skip], seconds: float,
              warnings: Sequence[str] = ()) -> tuple[list[Finding], ScanSummary]:
    """The report's findings (sorted) and summary; every input left unscanned is named by a warning."""
    whole = Outcome.folded([Outcome(warnings=tuple(warnings), skips=tuple(skips)), outcome]).with_skip_warnings()
    return list(whole.sorted_findings()), whole.summary(seconds)
