"""Scan a new version of a file by what changed: the blob is still scanned once, but the text it
shares with its previous version (same path, already scanned by the same worker) is not matched again.

A match depends only on the text near it: the rule's regex runs on a window of ``rule.window``
characters around a keyword hit (plus ``companion.within`` for a rule that pairs with another), and
the decoders only read runs of one line (and escape characters up to 512 bytes from a keyword). So:

1. ``align`` splits ``new`` into blocks copied from ``old`` (same bytes, in the same order) and the
   changed spans between them (the hunks), the way ``git diff`` does, but by ``memcmp``: the common
   prefix and suffix, then, inside, lines of ``new`` looked up in ``old`` to resynchronise after each
   hunk. Any split is sound (a copied block is byte for byte the same); a poor one only costs time.
2. Each hunk gets a margin ``M = 2 * reach + SLACK``, where ``reach`` is the widest reach of the rules
   that can have a window near it: every rule reaching at most ``NARROW``, and a wider rule (private
   keys, certificates, JSON key files, JWTs ...) only when one of its keywords is within twice its
   reach of the hunk in ``new`` or in ``old`` (``WideHits``: a small keyword search over the whole
   blob, carried from one version to the next). A PEM block that touches a hunk thus widens that
   hunk's margin to the whole block; one far away costs nothing. Hunks whose margins overlap are
   merged into one region.
3. Each region is scanned from ``M`` before its first hunk to ``M`` after its last (whole lines); its
   findings that start within ``M/2`` of the region's hunks are ``new``'s findings there. Everywhere
   else (the text at least ``M/2`` from every hunk) ``new``'s findings are ``old``'s, moved by the
   bytes and lines the hunks before them added or removed.

Whenever that reasoning could fail the caller scans the whole blob instead (``None``): text that is
not plain UTF-8 (no BOM, no NUL), a finding that straddles the edge of a region, a region line that
does not start a line in ``old`` too, or regions that cover most of the blob anyway. Tests scan
generated histories both ways and demand identical findings.
"""

from __future__ import annotations

import codecs
import weakref
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from itertools import chain

from scanner.match import content
from scanner.match.backends import make_prefilter
from scanner.match.prefilter import Prefilter
from scanner.model import Finding, Origin, Rule
from scanner.pipeline.engine import BlobScan, Engine

MIN_SIZE = 2048  # smaller blobs: scanning them whole costs less than the bookkeeping
NARROW = 256  # rules reaching at most this far (most rules) are taken to be near every hunk
SLACK = 1024  # beyond the widest window: the longest match a window can start before its keyword
MAX_FRACTION = 0.9
PROBE = 64  # bytes of a line of ``new`` looked up in ``old`` to find where the two agree again
MAX_PROBES = 48  # lines tried after a hunk before the rest is taken as changed
MIN_BLOCK = 256  # a copied block shorter than this (a line repeated elsewhere) is not used

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

Segment = tuple[int, int, int]  # a block copied from old: new[j0:j1] == old[i0:i0 + j1 - j0]
Hits = tuple[tuple[int, int], ...]  # (keyword end, reach) of the wide rules' keywords, in order


def common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, by halving (each comparison is one memcmp)."""
    return _forward(a, 0, b, 0, min(len(a), len(b)))


def common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """Length of the common suffix, at most ``limit``."""
    return _backward(a, len(a), b, len(b), min(len(a), len(b), limit))


def _forward(a: bytes, i: int, b: bytes, j: int, limit: int) -> int:
    """How many bytes ``a[i:]`` and ``b[j:]`` share at their start, at most ``limit``. Each step is
    one ``memcmp`` of ``a`` against a view of ``b`` (no copy)."""
    view = memoryview(b)
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.startswith(view[j + lo:j + mid], i + lo):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _backward(a: bytes, i: int, b: bytes, j: int, limit: int) -> int:
    """How many bytes ``a[:i]`` and ``b[:j]`` share at their end, at most ``limit``."""
    view = memoryview(b)
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.startswith(view[j - mid:j - lo], i - mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _line_start(data: bytes, pos: int) -> int:
    return 0 if pos <= 0 else data.rfind(b"\n", 0, pos) + 1


def _next_line(data: bytes, pos: int) -> int:
    if pos >= len(data):
        return len(data)
    nl = data.find(b"\n", pos)
    return len(data) if nl == -1 else nl + 1


def align(old: bytes, new: bytes) -> list[Segment]:
    """Blocks of ``new`` copied from ``old``, in order in both: ``(j0, j1, i0)`` with
    ``new[j0:j1] == old[i0:i0 + j1 - j0]``. What lies between two blocks is a hunk."""
    lo, ln = len(old), len(new)
    p = common_prefix(old, new)
    q = common_suffix(old, new, min(lo, ln) - p)
    out: list[Segment] = [(0, p, 0)] if p else []
    i, j, iend, jend = p, p, lo - q, ln - q
    while jend - j > MIN_BLOCK and iend - i > MIN_BLOCK:
        found = _resync(old, new, i, j, iend, jend)
        if found is None:
            break
        i2, j2, length = found
        back = _backward(old, i2, new, j2, min(i2 - i, j2 - j))
        out.append((j2 - back, j2 + length, i2 - back))
        i, j = i2 + length, j2 + length
    if q:
        out.append((ln - q, ln, lo - q))
    merged: list[Segment] = []  # blocks that continue one another in both texts are one block
    for j0, j1, i0 in out:
        if merged and merged[-1][1] == j0 and merged[-1][2] + (j0 - merged[-1][0]) == i0:
            merged[-1] = (merged[-1][0], j1, merged[-1][2])
        elif j1 > j0:
            merged.append((j0, j1, i0))
    return merged


def _resync(old: bytes, new: bytes, i: int, j: int, iend: int, jend: int) -> tuple[int, int, int] | None:
    """The first place after a hunk where ``new`` (from ``j``) and ``old`` (from ``i``) agree again
    for at least ``MIN_BLOCK`` bytes: ``(i2, j2, length)``; None when ``MAX_PROBES`` lines find none."""
    k = _next_line(new, j)
    for _ in range(MAX_PROBES):
        if k + PROBE > jend:
            return None
        at = old.find(new[k:k + PROBE], i, iend)
        if at >= 0:
            length = _forward(old, at, new, k, min(iend - at, jend - k))
            if length >= MIN_BLOCK:
                return at, k, length
        k = _next_line(new, k + 1)
    return None


def reach(rule: Rule) -> int:
    """How far from a keyword hit a rule's match can lie (its window, and its companion's distance)."""
    before = rule.window if rule.window_before is None else rule.window_before
    return max(rule.window, before) + (rule.companion.within if rule.companion else 0)


class WideHits:
    """Where the keywords of the wide rules (reach above ``NARROW``) are in a blob: one search of
    those keywords alone (a few dozen literals), a fraction of a full prefilter pass."""

    def __init__(self, engine: Engine) -> None:
        rules = [c.rule for c in engine.matcher.rules]
        reaches = [reach(r) for r in rules]
        self.narrow = max((r for r in reaches if r <= NARROW), default=0)
        wide = [i for i, r in enumerate(reaches) if r > NARROW]
        # a wide rule without keywords runs everywhere: it is near every hunk
        self.narrow = max([self.narrow, *(reaches[i] for i in wide if not rules[i].keywords)])
        keyed = [i for i in wide if rules[i].keywords]
        self.reaches = [reaches[i] for i in keyed]
        self.widest = max(self.reaches, default=0)
        self.longest = max((len(k.encode()) for i in keyed for k in rules[i].keywords), default=0)
        self.prefilter: Prefilter | None = None
        if keyed:
            self.prefilter = make_prefilter(engine.settings.engine, [rules[i] for i in keyed], decode_base64=False)

    def find(self, data: bytes) -> Hits:
        if self.prefilter is None:
            return ()
        hits = self.prefilter.scan(data.decode("latin-1"), data)
        found = [(end, self.reaches[index]) for index, ends in chain(hits.by_rule.items(), hits.candidates.items())
                 for end in ends]
        found.sort()
        return tuple(found)

    def carried(self, old: Version, new: bytes, segments: list[Segment],
                hunks: list[tuple[int, int, int, int]]) -> Hits:
        """``find(new)`` from ``old``'s hits: a keyword inside a copied block is where it was in ``old``
        (moved); only the text around each hunk (a keyword's length either side) is searched."""
        if self.prefilter is None:
            return ()
        k = self.longest
        found: set[tuple[int, int]] = set()
        hits = old.hits
        if hits:
            for j0, j1, i0 in segments:
                # the keywords (at most ``longest`` bytes, ending at ``end``) that lie inside the block
                first = bisect_left(hits, (i0 if j0 == i0 == 0 else i0 + k, -1))
                last = bisect_right(hits, (i0 + (j1 - j0), 1 << 62))
                if first < last:
                    moved = j0 - i0
                    found.update((end + moved, r) for end, r in hits[first:last])
        size = len(new)
        for a, b, _oa, _ob in hunks:
            lo, hi = max(0, a - k), min(size, b + k)
            found.update((end + lo, r) for end, r in self.find(new[lo:hi]))
        return tuple(sorted(found))

    def margin(self, hits: Hits, a: int, b: int) -> int:
        """The margin of the hunk ``[a, b)`` given the wide keywords ``hits`` of the same text."""
        widest = self.narrow
        if hits:
            reach_max = 2 * self.widest + SLACK
            for pos, r in hits[bisect_left(hits, (a - reach_max, -1)):]:
                if pos > b + reach_max:
                    break
                if r > widest and a - 2 * r - SLACK <= pos <= b + 2 * r + SLACK:
                    widest = r
        return 2 * widest + SLACK


_WIDE: weakref.WeakKeyDictionary[Engine, WideHits] = weakref.WeakKeyDictionary()


def wide_hits(engine: Engine) -> WideHits:
    """The engine's wide-keyword search, built once."""
    found = _WIDE.get(engine)
    if found is None:
        found = _WIDE[engine] = WideHits(engine)
    return found


@dataclass(frozen=True)
class Version:
    """A scanned version of a file, kept to scan the next one by its change."""

    data: bytes
    findings: tuple[Finding, ...]
    hits: Hits
    plain: bool = True  # plain UTF-8 text (``content.sniff``): only such a version is a base for the next


@dataclass
class _Region:
    a: int  # the hunks' span in new
    b: int
    m: int  # margin
    s0: int = 0  # the slice scanned
    s1: int = 0


def _regions(new: bytes, wide: WideHits, new_hits: Hits, old_hits: Hits,
             hunks: list[tuple[int, int, int, int]]) -> list[_Region]:
    """The hunks ``(a, b, oa, ob)`` grouped into regions whose slices do not overlap."""
    out: list[_Region] = []
    for a, b, oa, ob in hunks:
        m = max(wide.margin(new_hits, a, b), wide.margin(old_hits, oa, ob))
        r = _Region(a, b, m, _line_start(new, a - m), _next_line(new, b + m))
        while out and out[-1].s1 >= r.s0:
            last = out.pop()
            a2, b2, m2 = min(last.a, r.a), max(last.b, r.b), max(last.m, r.m)
            r = _Region(a2, b2, m2, _line_start(new, a2 - m2), _next_line(new, b2 + m2))
        out.append(r)
    return out


def _hunks(segments: list[Segment], lo: int, ln: int) -> list[tuple[int, int, int, int]]:
    """The spans between copied blocks: ``(a, b, oa, ob)``, new[a:b] in place of old[oa:ob]."""
    out = []
    j = i = 0
    for j0, j1, i0 in chain(segments, [(ln, ln, lo)]):
        if j0 > j or i0 > i:
            out.append((j, j0, i, i0))
        j, i = j1, i0 + (j1 - j0)
    return out


def scan_version(engine: Engine, old: Version, new: bytes, origin: Origin) -> tuple[BlobScan, Hits] | None:
    """The findings of ``new`` from its change against ``old`` (and the wide keyword hits of ``new``,
    for the version after it); None: scan ``new`` whole."""
    size = len(new)
    if size < MIN_SIZE or not old.plain or content.sniff(new) != "utf-8":
        return None
    wide = wide_hits(engine)
    segments = align(old.data, new)
    hunks = _hunks(segments, len(old.data), size)
    new_hits = wide.carried(old, new, segments, hunks)
    if not hunks:
        return BlobScan(tuple(replace(f, origin=origin) for f in old.findings), (), size), new_hits
    regions = _regions(new, wide, new_hits, old.hits, hunks)
    if sum(r.s1 - r.s0 for r in regions) > MAX_FRACTION * size:
        return None
    zones: list[tuple[int, int]] = []  # where new's findings come from a slice scan
    for r in regions:
        k0 = 0 if r.s0 == 0 else _line_start(new, r.s0 + r.m // 2)
        k1 = size if r.s1 == size else _line_start(new, r.s1 - r.m // 2)
        if not (k0 <= r.a and k1 >= r.b and k0 < k1):
            return None
        zones.append((k0, k1))
    kept = _moved(old, new, segments, hunks, zones, origin)
    if kept is None:
        return None
    warnings: list[str] = []
    for r, (k0, k1) in zip(regions, zones):
        found = _scan_slice(engine, new, r.s0, r.s1, k0, k1, origin, warnings)
        if found is None:
            return None
        kept.extend(found)
    kept.sort(key=lambda f: (f.offset, f.rule_id, f.fingerprint))
    return BlobScan(tuple(kept), tuple(dict.fromkeys(warnings)), size), new_hits


def _moved(old: Version, new: bytes, segments: list[Segment], hunks: list[tuple[int, int, int, int]],
           zones: list[tuple[int, int]], origin: Origin) -> list[Finding] | None:
    """``old``'s findings in the text outside every zone (copied from old), moved to where that text
    is in ``new``; None when one reaches into a zone or a stretch does not start a line in ``old``."""
    if not old.findings:
        return []
    data, size = old.data, len(new)
    # the newlines the hunks before each block added
    shifts: list[int] = []
    shift = 0
    h = 0
    for j0, _j1, _i0 in segments:
        while h < len(hunks) and hunks[h][1] <= j0:
            a, b, oa, ob = hunks[h]
            shift += new.count(b"\n", a, b) - data.count(b"\n", oa, ob)
            h += 1
        shifts.append(shift)
    # the stretches between zones, each inside one block: (start in old, end in old, offset shift, line shift)
    stretches: list[tuple[int, int, int, int, bool]] = []
    bounds = [0, *chain.from_iterable(zones), size]
    starts = [s[0] for s in segments]
    for c0, c1 in zip(bounds[::2], bounds[1::2]):
        if c0 >= c1:
            continue
        k = bisect_right(starts, c0) - 1
        if k < 0:
            return None
        j0, j1, i0 = segments[k]
        if c1 > j1:
            return None
        ic0, ic1 = c0 - j0 + i0, c1 - j0 + i0
        if ic0 > 0 and data[ic0 - 1] != 0x0A or c1 < size and data[ic1 - 1] != 0x0A:
            return None
        stretches.append((ic0, ic1, j0 - i0, shifts[k], c1 < size))
    out: list[Finding] = []
    firsts = [s[0] for s in stretches]
    lines_at: dict[int, int] = {}
    for f in old.findings:
        k = bisect_right(firsts, f.offset) - 1
        if k < 0:
            continue
        ic0, ic1, moved, lines, bounded = stretches[k]
        if f.offset >= ic1:
            continue
        if bounded:
            end = lines_at.get(ic1)
            if end is None:
                end = lines_at[ic1] = data.count(b"\n", 0, ic1) + 1  # the line ic1 starts
            if f.end_line >= end:
                return None  # reaches into the zone after it
        out.append(replace(f, origin=origin, offset=f.offset + moved, start_line=f.start_line + lines,
                           end_line=f.end_line + lines))
    return out


def _scan_slice(engine: Engine, new: bytes, s0: int, s1: int, k0: int, k1: int, origin: Origin,
                warnings: list[str]) -> list[Finding] | None:
    """The findings of ``new[s0:s1]`` that start in ``[k0, k1)``, placed in ``new``."""
    piece = new[s0:s1]
    if b"\0" in piece or piece.startswith(_BOMS):
        return None  # the slice alone would be read as UTF-16 or without its first bytes
    scan = engine.scan_bytes(piece, origin)
    if scan.skipped:
        return None
    warnings.extend(scan.warnings)
    if not scan.findings:
        return []
    first_kept = piece.count(b"\n", 0, k0 - s0) + 1  # the line k0 starts, in the slice
    last = piece.count(b"\n") + (0 if piece.endswith(b"\n") else 1)  # the slice's last line
    base = new.count(b"\n", 0, s0)
    out: list[Finding] = []
    for f in scan.findings:
        offset = f.offset + s0
        if offset < k0:
            if f.end_line >= first_kept:
                return None  # a match across the zone's edge that old may not have had
            continue
        if offset >= k1:
            continue
        if s1 < len(new) and f.end_line >= last:
            return None  # may be cut by the end of the slice
        out.append(replace(f, offset=offset, start_line=f.start_line + base, end_line=f.end_line + base))
    return out


def scan_delta(engine: Engine, old: bytes, old_findings: tuple[Finding, ...], new: bytes,
               origin: Origin) -> BlobScan | None:
    """The findings of ``new`` from its change against ``old``; None: scan ``new`` whole."""
    before = Version(old, old_findings, wide_hits(engine).find(old), content.sniff(old) == "utf-8")
    found = scan_version(engine, before, new, origin)
    return None if found is None else found[0]
