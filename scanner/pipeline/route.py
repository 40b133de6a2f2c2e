"""Scan whatever a Blob or a file holds: the one entry point every source calls.

``scan_blob(engine, blob, options)`` (bytes in memory: stdin, git blobs, CI downloads) and
``scan_file(engine, path, origin, options)`` (a file on disk, opened without reading it whole) look at
the content, not the name, and route it:

- an archive (zip and kin, tar, gzip/bzip2/xz; a container image tarball) is expanded and every
  member scanned the same way, nested up to ``--max-archive-depth``, within the archive limits;
- a Jupyter notebook is scanned cell by cell (:mod:`scanner.sources.notebooks`);
- a CI log is normalised first (:mod:`scanner.sources.cilogs`);
- a binary is skipped, or with ``--binary-strings`` its printable runs are scanned; a PKCS#12
  keystore or a DER certificate (by name, then content) is reported (:mod:`scanner.sources.credfiles`);
- any other text goes to the Engine as it is, and findings whose facts live elsewhere in the same
  file get them while the bytes are at hand (:func:`scanner.pipeline.engine.with_document_facts`, the
  step git blobs, staged changes, notebooks and CI logs go through too).

This happens before the Engine would call a blob "binary". Nothing here raises for bad input: a
damaged member, a limit or an unreadable file becomes a Skip (and a warning for limits and damage),
and what was found before it is kept.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, BinaryIO, Sequence

from scanner.match import content as content_mod
from scanner.sources import credfiles
from scanner.pipeline.engine import BlobScan, Engine
from scanner.model import Blob, Finding, Origin
from scanner.results import Skip
from scanner.sources import binstrings, cilogs, sniff
from scanner.sources.limits import TRUNCATED, ArchiveLimits, Budget
from scanner.sources.openfile import open_regular

if TYPE_CHECKING:  # the archive readers load only when content is an archive
    from scanner.sources.archives import Peek, Relabel, Source, TarLayout

SNIFF_BYTES = content_mod.SNIFF_BYTES


def _layouts() -> tuple[TarLayout, ...]:
    from scanner.sources import images

    return (images.ImageLayout(),)


@dataclass(frozen=True)
class ContentOptions:
    """How deep content is opened. One value per scan, sent to workers once."""

    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    binary_strings: bool = False
    min_string_length: int = binstrings.MIN_LENGTH


@dataclass(frozen=True)
class ContentScan:
    """What one unit of work (a file, a slice of an archive, a blob) gave."""

    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    skips: tuple[Skip, ...] = ()
    files: int = 0  # texts scanned (a file, each member of an archive, ...)
    bytes_scanned: int = 0


def warning_for(skip: Skip) -> str | None:
    """The warning line of a skip that deserves one (an input that could hold a secret and was not
    scanned: a limit that tripped, damage, encryption), else None."""
    return skip.warning() if skip.noteworthy else None


class _Collector:
    """Results of one unit of work as they come (local to one call, never shared)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.warnings: list[str] = []
        self.skips: list[Skip] = []
        self.files = 0
        self.bytes = 0

    def add(self, scan: BlobScan) -> None:
        self.files += 1
        self.bytes += scan.bytes_scanned
        self.findings.extend(scan.findings)
        self.warnings.extend(scan.warnings)

    def skip(self, skip: Skip) -> None:
        self.skips.append(skip)
        note = warning_for(skip)
        if note:
            self.warnings.append(note)

    def relabel(self, relabel: Relabel, first_finding: int, first_skip: int) -> None:
        marks = dict(relabel.marks)
        if not marks:
            return
        for i in range(first_finding, len(self.findings)):
            origin = _marked(self.findings[i].origin, marks)
            if origin is not self.findings[i].origin:
                self.findings[i] = replace(self.findings[i], origin=origin)
        by_path = {o.render(): extra for o, extra in marks.items()}
        for i in range(first_skip, len(self.skips)):
            extra = by_path.get(self.skips[i].path)
            if extra:
                note = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in extra)
                self.skips[i] = replace(self.skips[i], detail=f"{self.skips[i].detail} ({note})".strip())

    def result(self) -> ContentScan:
        return ContentScan(tuple(self.findings), tuple(dict.fromkeys(self.warnings)), tuple(self.skips),
                           self.files, self.bytes)


def _marked(origin: Origin, marks: dict[Origin, tuple[tuple[str, str], ...]]) -> Origin:
    """``origin`` with the marks' extra facts added to the marked nodes of its chain."""
    chain = origin.chain()
    if not any(node in marks for node in chain):
        return origin
    parent: Origin | None = None
    for node in chain:
        extra = node.extra + marks.get(node, ())
        parent = Origin(node.path, node.kind, parent, extra)
    assert parent is not None
    return parent


# ------------------------------------------------------------------------------------------------
# routing


def _expand(engine: Engine, source: Source, options: ContentOptions, budget: Budget, out: _Collector,
            select: Sequence[int] | None = None, part: tuple[int, int] | None = None) -> None:
    limits = options.limits
    if not limits.can_open(source.origin):
        out.skip(Skip(source.origin.render(), "archive-limit",
                      f"archive nested deeper than {limits.max_depth} levels, not opened (--max-archive-depth)",
                      "--max-archive-depth"))
        return
    from scanner.sources import archives

    first_finding, first_skip = len(out.findings), len(out.skips)
    for item in archives.expand(source, limits, budget, select, _layouts(), _peek(options), part):
        if isinstance(item, Blob):
            _scan(engine, item, options, budget, out)
        elif isinstance(item, Skip):
            out.skip(item)
        else:
            out.relabel(item, first_finding, first_skip)


def _peek(options: ContentOptions) -> Peek | None:
    """Decline a member after its first bytes when nothing would scan it (a binary, without
    ``--binary-strings``): the rest is never inflated into memory."""
    if options.binary_strings:
        return None

    def peek(head: bytes, origin: Origin) -> Skip | None:
        if sniff.sniff(head[: sniff.SNIFF_BYTES]) or content_mod.sniff(head) is not None \
                or credfiles.wanted(origin.path):
            return None
        return Skip(origin.render(), "binary")

    return peek


def _text(engine: Engine, blob: Blob, head: bytes) -> BlobScan:
    """A blob that is not an archive: notebook, CI log, or plain content (the views' scans load only
    for a notebook, a log or a binary)."""
    if sniff.looks_like_notebook(head, blob.origin.path):
        from scanner.pipeline import viewscan

        scan = viewscan.scan_notebook(engine, blob)
        if scan is not None:
            return scan
    fmt = cilogs.detect(head)
    if fmt is not None and content_mod.sniff(head) in ("utf-8", "utf-8-sig"):
        from scanner.pipeline import viewscan

        return viewscan.scan_log(engine, blob, fmt)
    return engine.scan_document(blob.data, blob.origin)  # with its document facts


def _scan(engine: Engine, blob: Blob, options: ContentOptions, budget: Budget, out: _Collector) -> None:
    head = blob.data[:SNIFF_BYTES]
    if options.limits.max_depth > 0 and sniff.sniff(head[: sniff.SNIFF_BYTES]):
        from scanner.sources.archives import Source

        _expand(engine, Source.from_bytes(blob.data, blob.origin), options, budget, out)
        return
    scan = _text(engine, blob, head)
    if scan.skipped == "binary":  # a keystore or a DER certificate, by name then content
        from scanner.pipeline import viewscan

        scan = viewscan.scan_credential_file(engine, blob.data, blob.origin) or scan
    if scan.skipped == "binary" and (options.binary_strings or blob.origin.get(TRUNCATED)):
        # the head of a stream a limit stopped (a bomb's filler after a secret): its strings, always
        scan = viewscan.scan_strings(engine, blob, options.min_string_length)
    if scan.skipped:
        out.skip(Skip(blob.origin.render(), scan.skipped))
    elif blob.data or scan.findings:
        out.add(scan)


def scan_blob(engine: Engine, blob: Blob, options: ContentOptions | None = None, budget: Budget | None = None) -> ContentScan:
    """Scan bytes in memory, whatever they hold (see the module docstring).

    The integration point for sources that hold contents in memory (stdin, git blobs, downloads):
    ``scan_blob(engine, Blob(data, Origin(path, kind="git-blob", extra=...)), options)``."""
    options = options or ContentOptions()
    out = _Collector()
    _scan(engine, blob, options, budget or Budget(options.limits.max_archive_size), out)
    return out.result()


def _special(head: bytes, origin: Origin) -> bool:
    """A notebook or a CI log: read whole, since its scan rewrites the content (asked only of a
    file big enough to be streamed; every other file meets the same checks once, in ``_text``)."""
    return sniff.looks_like_notebook(head, origin.path) or cilogs.detect(head) is not None


def scan_file(engine: Engine, path: str, origin: Origin, options: ContentOptions | None = None,
              select: Sequence[int] | None = None, part: tuple[int, int] | None = None) -> ContentScan:
    """Scan one file on disk. An archive is opened in place (a zip is never read whole). A slice of a
    big archive: ``select`` names its zip entries, ``part`` (k, n) its share of a tar's members.
    Raises OSError when the file cannot be read."""
    options = options or ContentOptions()
    out = _Collector()
    budget = Budget(options.limits.max_archive_size)
    with open_regular(path) as fh:
        head = fh.read(SNIFF_BYTES)
        size = os.fstat(fh.fileno()).st_size
        if options.limits.max_depth > 0 and sniff.sniff(head[: sniff.SNIFF_BYTES]):
            fh.close()
            from scanner.sources.archives import Source

            _expand(engine, Source.from_path(path, origin, size), options, budget, out, select, part)
            return out.result()
        binary = content_mod.sniff(head) is None
        s = engine.settings
        if binary and not options.binary_strings and not credfiles.wanted(origin.path, size):
            out.skip(Skip(origin.render(), "binary"))
        elif not binary and size > s.chunk_size + s.chunk_overlap and not _special(head, origin):
            fh.seek(0)
            out.add(engine.scan_stream(fh, origin, size))
        else:
            _scan(engine, Blob(head + fh.read(), origin), options, budget, out)
    return out.result()


# ------------------------------------------------------------------------------------------------
# a pipe (standard input): read as it arrives, never whole

_DRAIN = 1024 * 1024


class _Prepend:
    """``head`` (bytes already read) and then the rest of ``stream``, read in bounded pieces."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def read(self, n: int) -> bytes:
        if not self._head:
            return self._stream.read(n)
        out = bytes(self._head[:n])
        self._head = self._head[n:]
        return out + self._stream.read(n - len(out)) if len(out) < n else out


def _read_up_to(stream: BinaryIO, n: int) -> bytes:
    parts: list[bytes] = []
    got = 0
    while got < n:
        part = stream.read(min(n - got, 64 * _DRAIN))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _drain(stream: BinaryIO) -> None:
    """Read a pipe to its end, so the program writing it is not killed by SIGPIPE (``set -o pipefail``)."""
    while stream.read(_DRAIN):
        pass


def _spool(head: bytes, stream: BinaryIO, cap: int, out: BinaryIO) -> bool:
    """``head`` and the rest of ``stream`` into ``out``, up to ``cap`` bytes (0: no cap); False when
    the stream held more (the rest is drained, not kept)."""
    out.write(head)
    size = len(head)
    while True:
        part = stream.read(_DRAIN if not cap else max(1, min(_DRAIN, cap + 1 - size)))
        if not part:
            return True
        if cap and size + len(part) > cap:
            out.write(part[: cap - size])
            _drain(stream)
            return False
        out.write(part)
        size += len(part)


def scan_pipe(engine: Engine, stream: BinaryIO, origin: Origin, options: ContentOptions | None = None) -> ContentScan:
    """Scan a stream of unknown length (standard input) with the bounds of a file on disk.

    Up to the chunk size it is one blob, routed as any blob. Longer text is scanned in overlapping
    chunks as it arrives, never held whole (a notebook or CI log up to ``--max-file-size`` is read
    whole first, as a file would be, since its scan rewrites the content). An archive (``docker save
    | credsprawl scan -``), or a binary with ``--binary-strings``, is spooled to a temporary file, at
    most ``--max-archive-size`` bytes of it, and opened in place as a file on disk would be."""
    options = options or ContentOptions()
    s = engine.settings
    first = s.chunk_size + s.chunk_overlap
    head = _read_up_to(stream, first + 1)
    if len(head) <= first:
        return scan_blob(engine, Blob(head, origin), options)
    binary = content_mod.sniff(head) is None
    if (options.limits.max_depth > 0 and sniff.sniff(head[: sniff.SNIFF_BYTES])) or \
            (binary and options.binary_strings):
        return _scan_spooled(engine, head, stream, origin, options)
    if binary:
        _drain(stream)
        return ContentScan(skips=(Skip(origin.render(), "binary"),))
    out = _Collector()
    if _special(head, origin):
        head += _read_up_to(stream, max(0, s.max_file_size - len(head)) + 1)
        if len(head) <= s.max_file_size:
            return scan_blob(engine, Blob(head, origin), options)
    out.add(engine.scan_stream(_Prepend(head, stream), origin, None))  # type: ignore[arg-type]
    return out.result()


def _scan_spooled(engine: Engine, head: bytes, stream: BinaryIO, origin: Origin,
                  options: ContentOptions) -> ContentScan:
    import tempfile

    cap = options.limits.max_archive_size
    with tempfile.TemporaryDirectory(prefix="credsprawl-stdin-") as folder:
        path = os.path.join(folder, "stdin")
        with open(path, "wb") as fh:
            whole = _spool(head, stream, cap, fh)
        scan = scan_file(engine, path, origin, options)
    if whole:
        return scan
    skip = Skip(origin.render(), "archive-limit",
                f"more than {cap} bytes on standard input: only the first {cap} were opened (--max-archive-size)",
                "--max-archive-size")
    return ContentScan(scan.findings, tuple(dict.fromkeys([*scan.warnings, warning_for(skip) or ""])),
                       (*scan.skips, skip), scan.files, scan.bytes_scanned)
