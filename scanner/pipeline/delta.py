"""Scan a new version of a file by what changed: the blob is still scanned once, but the text it
shares with its previous version (same path, already scanned by the same worker) is not matched again.

A match depends only on the text near it: the rule's regex runs on a window of ``rule.window``
characters around a keyword hit. So for a blob ``new`` whose previous version ``old`` differs only
in ``new[p:len(new)-q]`` (common prefix ``p``, common suffix ``q``), the findings of ``new`` are:

- ``old``'s findings well inside the common prefix, as they are;
- ``old``'s findings well inside the common suffix, moved by the change in length and line count;
- the findings of a scan of ``new`` from ``p - M`` to ``len(new) - q + M`` that start within ``M/2``
  of the change, where ``M`` covers the widest window of the rules whose keywords occur in ``new``.

Whenever that reasoning could fail the caller scans the whole blob instead (``None``): text that is
not plain UTF-8/ASCII, base64-encoded keywords (decoded runs can be long), rules with windows wider
than ``MAX_MARGIN`` (private-key blocks), a finding that straddles a seam, or a change that covers
most of the blob anyway. A test scans generated histories both ways and demands identical findings.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import chain

from scanner.match import content
from scanner.pipeline.engine import BlobScan, Engine
from scanner.model import Finding, Origin

MIN_SIZE = 2048  # smaller blobs: scanning them whole costs less than the bookkeeping
MAX_MARGIN = 16 * 1024
SLACK = 1024  # beyond the widest window: the longest match a window can start before its keyword
MAX_FRACTION = 0.9


def common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, by halving (each comparison is one memcmp)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """Length of the common suffix, at most ``limit``."""
    lo, hi = 0, min(len(a), len(b), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:len(a) - lo] == b[len(b) - mid:len(b) - lo]:
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


def margin(engine: Engine, text: str, raw: bytes) -> int | None:
    """How far the change's influence can reach in this blob, or None when it is not bounded."""
    # the sparse scan: a rule searched as a whole pattern can only match where a candidate of it is,
    # so only rules with a keyword hit (``by_rule``) or a candidate can have a window near the change
    hits = engine.matcher.prefilter.scan_sparse(text, raw)
    if hits.base64:
        return None
    widest = 0
    for index in chain(hits.by_rule, hits.candidates):
        rule = engine.matcher.rules[index].rule
        reach = rule.window + (rule.companion.within if rule.companion else 0)
        widest = max(widest, reach)
    m = 2 * widest + SLACK
    return m if m <= MAX_MARGIN else None


def scan_delta(engine: Engine, old: bytes, old_findings: tuple[Finding, ...], new: bytes,
               origin: Origin) -> BlobScan | None:
    """The findings of ``new`` from its change against ``old``; None: scan ``new`` whole."""
    if len(new) < MIN_SIZE or content.sniff(old) != "utf-8" or content.sniff(new) != "utf-8":
        return None
    p = common_prefix(old, new)
    q = common_suffix(old, new, min(len(old), len(new)) - p)
    m = margin(engine, new.decode("latin-1"), new)
    if m is None:
        return None
    size = len(new)
    s0 = _line_start(new, p - m)
    s1 = _next_line(new, size - q + m)
    if s1 - s0 > MAX_FRACTION * size:
        return None
    k0 = 0 if s0 == 0 else _line_start(new, s0 + m // 2)
    k1 = size if s1 == size else _line_start(new, s1 - m // 2)
    if not (k0 <= p and k1 >= size - q and k0 < k1):
        return None
    shift = size - len(old)
    line0 = new.count(b"\n", 0, k0) + 1  # the line k0 starts
    lines_shift = new.count(b"\n") - old.count(b"\n")
    line1_old = old.count(b"\n", 0, k1 - shift) + 1  # the line k1 starts, in old
    kept: list[Finding] = []
    for f in old_findings:
        if f.offset < k0:
            if f.end_line >= line0:
                return None  # straddles the seam
            kept.append(replace(f, origin=origin))
        elif f.offset >= k1 - shift:
            if f.start_line < line1_old:
                return None
            kept.append(replace(f, origin=origin, offset=f.offset + shift, start_line=f.start_line + lines_shift,
                                end_line=f.end_line + lines_shift))
    piece = engine.scan_bytes(new[s0:s1], origin)
    if piece.skipped:
        return None
    base = new.count(b"\n", 0, s0)
    last_line = base + new.count(b"\n", s0, s1) + (0 if new[s0:s1].endswith(b"\n") else 1)
    for f in piece.findings:
        offset = f.offset + s0
        if offset < k0 and f.end_line + base >= line0:
            return None  # a match across the seam that the old version may not have had
        if not k0 <= offset < k1:
            continue
        if s1 < size and f.end_line + base >= last_line:
            return None  # may be cut by the end of the slice
        kept.append(replace(f, offset=offset, start_line=f.start_line + base, end_line=f.end_line + base))
    kept.sort(key=lambda f: (f.offset, f.rule_id, f.fingerprint))
    return BlobScan(tuple(kept), piece.warnings, size)
