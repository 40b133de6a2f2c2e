"""Archives as a source: a Blob (or a file) in, its members out, as Blobs. Recognised by content.

Formats: zip and its kin (jar, war, ear, whl, nupkg, apk, docx/xlsx/pptx: anything that starts as a
zip), tar (ustar/GNU/pax), tar inside gzip, bzip2 or xz, and a single gzip/bzip2/xz-compressed file.
Members are read in memory or streamed, never written to disk: a member's name is a label in its
Origin (``build.tar.gz!lib/app.jar``), so ``../../etc/passwd`` changes nothing anywhere.

Bombs are bounded by :class:`ArchiveLimits`: bytes per member (``--max-file-size``), uncompressed bytes
per top-level archive over every nesting level (``--max-archive-size``), compression ratio
(``--max-compression-ratio``) and members per archive (``--max-archive-members``); how deep archives
nest is decided by the caller (``ArchiveLimits.can_open``). Every limit that trips, and every corrupt
or unsupported input, comes out as a :class:`~scanner.results.Skip` naming it (and, for a limit, the
option in ``Skip.limit``); members yielded before stay yielded, and so do the bytes of a stream (a
single ``.gz``, or the member being read from a compressed tar) inflated before a limit tripped.

Tar layouts that need more than a member list (container images) plug in through :class:`TarLayout`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Callable, Iterator, Protocol, Sequence

from scanner.model import Blob, Origin
from scanner.results import Skip
from scanner.sources.limits import GB, MB, TRUNCATED, ArchiveLimits, Budget, LimitExceeded  # noqa: F401 (re-exported)
from scanner.sources.openfile import open_regular
from scanner.sources.sniff import SNIFF_BYTES, is_tar, sniff  # noqa: F401 (re-exported)

_READ = 1024 * 1024
_MEMBER_READ = 64 * 1024  # members and streams are read in these steps: a limit or damage mid-read costs one

COMPRESSORS = ("gzip", "bzip2", "xz")
_SUFFIXES = {".tgz": ".tar", ".tbz2": ".tar", ".tbz": ".tar", ".txz": ".tar", ".gz": "", ".gzip": "",
             ".bz2": "", ".xz": "", ".lzma": "", ".z": ""}
# errors a damaged archive raises from the standard library's readers
CORRUPT = (zipfile.BadZipFile, tarfile.TarError, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError,
           NotImplementedError, KeyError, IndexError, struct.error, UnicodeDecodeError)


@dataclass(frozen=True)
class Source:
    """Bytes to expand without holding them: a file on disk, a member's file object, or bytes."""

    origin: Origin
    opener: Callable[[], BinaryIO]
    size: int

    @classmethod
    def from_bytes(cls, data: bytes, origin: Origin) -> Source:
        return cls(origin, lambda: io.BytesIO(data), len(data))

    @classmethod
    def from_path(cls, path: str, origin: Origin, size: int) -> Source:
        return cls(origin, lambda: open_regular(path), size)

    def head(self, n: int = SNIFF_BYTES) -> bytes:
        with self.opener() as fh:
            return fh.read(n)


@dataclass(frozen=True)
class Relabel:
    """Facts about members known only after later members were read (a later image layer deleting a
    file): extra key/values to add to these origins, and so to every finding below them."""

    marks: tuple[tuple[Origin, tuple[tuple[str, str], ...]], ...]


Member = Blob | Skip | Relabel


def _cut(data: bytes, origin: Origin) -> Blob:
    """The head of a member or stream that a limit or damage stopped, marked as such: it is scanned
    whatever it looks like (its printable strings, should the bomb's filler make it look binary)."""
    return Blob(data, Origin(origin.path, origin.kind, origin.parent, origin.extra + ((TRUNCATED, str(len(data))),)))
Peek = Callable[[bytes, Origin], "Skip | None"]  # a member's first bytes -> a reason not to read the rest
PEEK_BYTES = 8192


@dataclass(frozen=True)
class Expansion:
    """How archives are expanded within one unit of work: the limits, the unit's budget, the tar
    layouts that take over a tar (images), and ``peek``: a look at each member's first bytes that
    may decline the rest (a binary member nobody will scan is not inflated further)."""

    limits: ArchiveLimits
    budget: Budget
    layouts: Sequence[TarLayout] = ()
    peek: Peek | None = None
    part: tuple[int, int] | None = None  # (k, n): only the tar members whose index % n == k

    def owns(self, index: int) -> bool:
        return self.part is None or index % self.part[1] == self.part[0]

    @property
    def first_part(self) -> bool:
        """Whether this is the whole archive or its first part: archive-wide notes come from it alone."""
        return self.part is None or self.part[0] == 0


class TarLayout(Protocol):
    """A tar with structure of its own (a container image): claims a tar and expands it itself."""

    name: str

    def claims_first(self, first_name: str) -> bool:
        """Whether a tar whose first member is ``first_name`` may be this layout (cheap, no listing)."""

    def claims(self, tar: tarfile.TarFile) -> bool: ...

    def expand(self, tar: tarfile.TarFile, origin: Origin, how: Expansion) -> Iterator[Member]: ...


# ------------------------------------------------------------------------------------------------
# recognising


def inner_format(source: Source) -> str | None:
    """Like :func:`sniff`, but a compressed tar is ``tar+gzip`` (``+bzip2``, ``+xz``): 512 bytes are inflated."""
    fmt = sniff(source.head())
    if fmt in COMPRESSORS:
        with source.opener() as raw:
            head = Inflating(raw, fmt, ArchiveLimits(), Budget(0)).read(SNIFF_BYTES)
        return f"tar+{fmt}" if is_tar(head) else fmt
    return fmt


def decompressed_name(name: str) -> str:
    """``app.log.gz`` -> ``app.log``; ``x.tgz`` -> ``x.tar``; other names get ``~``."""
    base = name.rsplit("/", 1)[-1]
    lower = base.lower()
    for suffix, replacement in _SUFFIXES.items():
        if lower.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + replacement
    return base + "~"


# ------------------------------------------------------------------------------------------------
# reading with limits


class Inflating:
    """A decompressing reader over ``raw`` that counts what comes out against the limits."""

    def __init__(self, raw: BinaryIO, fmt: str, limits: ArchiveLimits, budget: Budget) -> None:
        self._raw = raw
        self._start = raw.tell()
        self._reader: Any
        if fmt == "gzip":
            self._reader = gzip.GzipFile(fileobj=raw, mode="rb")
        elif fmt == "bzip2":
            self._reader = bz2.BZ2File(raw)
        else:
            self._reader = lzma.LZMAFile(raw)
        self._limits = limits
        self._budget = budget
        self.out = 0
        self._tripped: LimitExceeded | None = None

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` inflated bytes. When a limit trips, the bytes of that read still come out and
        the next read raises LimitExceeded: nothing inflated before the limit is lost."""
        if n is None or n < 0:
            return _read_all(self)
        if self._tripped is not None:
            raise self._tripped
        data: bytes = self._reader.read(n)
        self.out += len(data)
        try:
            self._budget.take(len(data))
            limits = self._limits
            if limits.max_ratio and self.out > limits.ratio_floor:
                consumed = max(1, self._raw.tell() - self._start)
                if self.out > limits.max_ratio * consumed:
                    raise LimitExceeded("--max-compression-ratio",
                                        f"compression ratio above {limits.max_ratio}:1", whole=True)
        except LimitExceeded as exc:
            self._tripped = exc
            if not data:
                raise
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._reader.close()


def _read_into(stream: IO[bytes] | Inflating, chunks: list[bytes], cap: int = 0, step: int = _READ) -> None:
    """Read ``stream`` to its end into ``chunks``; LimitExceeded once it gives more than ``cap``
    bytes (0: no cap). What was read before an error stays in ``chunks``, at most ``cap`` bytes."""
    total = sum(map(len, chunks))
    while True:
        chunk = stream.read(step)
        if not chunk:
            return
        if cap and total + len(chunk) > cap:
            chunks.append(chunk[: cap - total])
            raise LimitExceeded("--max-file-size", f"member larger than {cap} bytes")
        total += len(chunk)
        chunks.append(chunk)


def _too_many(origin: Origin, limits: ArchiveLimits, count: int) -> Skip:
    return Skip(origin.render(), "archive-limit",
                f"more than {limits.max_members} members; the rest not read (--max-archive-members)"
                if count < 0 else
                f"{count} members; only the first {limits.max_members} read (--max-archive-members)",
                "--max-archive-members")


def _too_large(origin: Origin, size: int, limits: ArchiveLimits) -> Skip:
    return Skip(origin.render(), "too-large", f"{size} bytes > {limits.max_member_size} (--max-file-size)",
                "--max-file-size")


# ------------------------------------------------------------------------------------------------
# reading one member


def _member(stream: IO[bytes], origin: Origin, how: Expansion) -> Iterator[Member]:
    """A member's bytes, unless ``peek`` declines it after its first bytes. When a limit trips while
    the member is inflated (a compressed tar), the bytes read so far come out first, then the limit
    propagates: a secret at the head of a bomb is still scanned."""
    chunks: list[bytes] = []
    try:
        if how.peek is not None:
            head = stream.read(PEEK_BYTES)
            declined = how.peek(head, origin)
            if declined is not None:
                yield declined
                return
            chunks.append(head)
        _read_into(stream, chunks, step=_MEMBER_READ)
    except LimitExceeded:
        if any(chunks):
            yield _cut(b"".join(chunks), origin)
        raise
    yield Blob(b"".join(chunks), origin)


# ------------------------------------------------------------------------------------------------
# zip


def zip_entry_is_dir(info: zipfile.ZipInfo) -> bool:
    """A directory entry (or a nameless one): nothing to read."""
    return not info.filename or info.filename.endswith("/")


def zip_members(source: Source) -> list[zipfile.ZipInfo]:
    """The entries of a zip (central directory only; nothing is decompressed)."""
    with source.opener() as fh, zipfile.ZipFile(fh) as zf:
        return zf.infolist()


def _zip(source: Source, how: Expansion, select: Sequence[int] | None) -> Iterator[Member]:
    limits = how.limits
    with source.opener() as fh, zipfile.ZipFile(fh) as zf:
        infos = zf.infolist()
        if select is not None:
            chosen = [infos[i] for i in select if 0 <= i < len(infos)]
        else:
            chosen = infos
            if limits.max_members and len(infos) > limits.max_members:
                yield _too_many(source.origin, limits, len(infos))
                chosen = infos[: limits.max_members]
        for info in chosen:
            if zip_entry_is_dir(info):
                continue
            origin = Origin(info.filename, "archive-member", source.origin)
            if info.flag_bits & 0x1:
                yield Skip(origin.render(), "encrypted", "encrypted archive member")
                continue
            if limits.max_member_size and info.file_size > limits.max_member_size:
                yield _too_large(origin, info.file_size, limits)
                continue
            if (limits.max_ratio and info.file_size > limits.ratio_floor
                    and info.file_size > limits.max_ratio * max(1, info.compress_size)):
                yield Skip(origin.render(), "archive-limit",
                           f"compression ratio {info.file_size // max(1, info.compress_size)}:1 above "
                           f"{limits.max_ratio}:1 (--max-compression-ratio)", "--max-compression-ratio")
                continue
            try:
                with zf.open(info) as stream:
                    [member] = _member(stream, origin, how)  # zipfile trips no limit: one member out
            except CORRUPT as exc:
                yield Skip(origin.render(), "corrupt", _describe(exc))
                continue
            if isinstance(member, Blob):  # zipfile never inflates past the declared size
                how.budget.take(len(member.data))
            yield member


# ------------------------------------------------------------------------------------------------
# tar


def _regular_members(tar: Iterator[tarfile.TarInfo] | tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for info in tar:
        if info.isreg():
            yield info


def tar_members(tar: tarfile.TarFile, origin: Origin, how: Expansion, count_budget: bool = True) -> Iterator[Member]:
    """The regular files of an open tar, read one by one. ``count_budget`` is False when the bytes
    are counted where they are decompressed."""
    limits = how.limits
    seen = 0
    for info in _regular_members(tar):
        seen += 1
        if limits.max_members and seen > limits.max_members:
            if how.first_part:
                yield _too_many(origin, limits, -1)
            return
        if count_budget:  # every member, read or not, so each part of a split tar counts alike
            how.budget.take(info.size)
        if not how.owns(seen - 1):
            continue
        child = Origin(info.name, "archive-member", origin)
        if limits.max_member_size and info.size > limits.max_member_size:
            yield _too_large(child, info.size, limits)
            continue
        handle = tar.extractfile(info)
        if handle is not None:
            yield from _member(handle, child, how)


def open_tar(fh: BinaryIO) -> tarfile.TarFile:
    """A plain tar on a seekable stream, random access (headers are read, data skipped by seeking)."""
    return tarfile.open(fileobj=fh, mode="r:")


def _tar(source: Source, how: Expansion) -> Iterator[Member]:
    with source.opener() as fh, open_tar(fh) as tar:
        for layout in how.layouts:
            if layout.claims(tar):
                if how.first_part:  # a layout is expanded whole, by the first part
                    yield from layout.expand(tar, source.origin, how)
                return
        yield from tar_members(tar, source.origin, how)


# ------------------------------------------------------------------------------------------------
# compressed: a tar inside, or one file


def _compressed(source: Source, fmt: str, how: Expansion) -> Iterator[Member]:
    limits = how.limits
    with source.opener() as raw:
        peek = Inflating(raw, fmt, limits, Budget(0)).read(SNIFF_BYTES)
    if is_tar(peek):
        first = tarfile.TarInfo.frombuf(peek[:512], tarfile.ENCODING, "surrogateescape").name
        if any(layout.claims_first(first) for layout in how.layouts):
            # a compressed image: it needs random access, so it is inflated in memory (within the budget)
            with source.opener() as raw:
                data = _read_all(Inflating(raw, fmt, limits, how.budget))
            yield from _tar(Source.from_bytes(data, source.origin), Expansion(limits, Budget(0), how.layouts, how.peek, how.part))
            return
        with source.opener() as raw:
            stream = Inflating(raw, fmt, limits, how.budget)
            with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
                yield from tar_members(tar, source.origin, how, count_budget=False)
        return
    if not how.first_part:
        return
    child = Origin(decompressed_name(source.origin.path), "archive-member", source.origin)
    chunks: list[bytes] = []
    try:
        with source.opener() as raw:
            _read_into(Inflating(raw, fmt, limits, how.budget), chunks, limits.max_member_size, _MEMBER_READ)
    except LimitExceeded as exc:
        # what came out before the limit is scanned (a secret at the head of a bomb), with a warning
        kept = sum(map(len, chunks))
        if kept:
            yield _cut(b"".join(chunks), child)
        yield Skip(child.render(), "archive-limit" if exc.option != "--max-file-size" else "too-large",
                   f"{exc}; stopped after {kept} bytes, which were scanned", exc.option)
        return
    except CORRUPT:
        if any(chunks):  # a damaged or truncated stream: its intact head is scanned, then the damage reported
            yield _cut(b"".join(chunks), child)
        raise
    yield Blob(b"".join(chunks), child)


def _read_all(stream: Inflating) -> bytes:
    chunks: list[bytes] = []
    while True:
        chunk = stream.read(_READ)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


# ------------------------------------------------------------------------------------------------
# the entry point


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 200 else text[:200] + "…"


def expand(
    blob: Blob | Source,
    limits: ArchiveLimits,
    budget: Budget | None = None,
    select: Sequence[int] | None = None,
    layouts: Sequence[TarLayout] = (),
    peek: Peek | None = None,
    part: tuple[int, int] | None = None,
) -> Iterator[Member]:
    """The members of the archive in ``blob`` (one level: nested archives come out as Blobs), and a
    Skip for each member not read and for a limit or damage that ended the archive early.

    ``budget``: uncompressed bytes left for the unit of work (default: a new one of
    ``limits.max_archive_size``); ``select``: zip entry indices to read (a slice of a big archive;
    None: all); ``part``: (k, n), the members of a tar whose index % n == k (a slice of a big
    compressed tar: each part inflates the whole stream but reads only its members; archive-wide
    notes come from part 0); ``layouts``: tar layouts that expand a tar they claim (container images);
    ``peek``: see :class:`Expansion`. Yields nothing when ``blob`` is not an archive (check with :func:`sniff`)."""
    source = blob if isinstance(blob, Source) else Source.from_bytes(blob.data, blob.origin)
    how = Expansion(limits, budget if budget is not None else Budget(limits.max_archive_size), layouts, peek, part)
    yield from expand_with(source, how, select)


def expand_with(source: Source, how: Expansion, select: Sequence[int] | None = None) -> Iterator[Member]:
    """:func:`expand` with its settings in one value (what layouts use for the archives they hold)."""
    fmt = sniff(source.head())
    where = source.origin.render()
    try:
        if fmt == "zip":
            yield from _zip(source, how, select)
        elif fmt == "tar":
            yield from _tar(source, how)
        elif fmt in COMPRESSORS:
            yield from _compressed(source, fmt, how)
    except LimitExceeded as exc:
        if how.first_part:
            yield Skip(where, "archive-limit", f"stopped: {exc}", exc.option)
    except CORRUPT as exc:
        if how.first_part:
            yield Skip(where, "corrupt", f"{type(exc).__name__}: {_describe(exc)}")
