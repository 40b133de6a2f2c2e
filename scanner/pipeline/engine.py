"""The engine: a Blob's bytes to Findings. Prepares content, runs the matcher, locates matches,
fingerprints them and applies the filters. Huge inputs are scanned in overlapping chunks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
import io
from typing import TYPE_CHECKING, BinaryIO

from scanner.match import content as content_mod
from scanner.match.content import display
from scanner.filters.findings import FindingFilter
from scanner.match.locate import LineIndex
from scanner.match.backends import make_prefilter
from scanner.match.masking import LineMasker
from scanner.match.matcher import Matcher, RawMatch
from scanner.model import Finding, Origin, fingerprint
from scanner.rules import accache, regexcache
from scanner.rules.load import RuleSet

if TYPE_CHECKING:
    from scanner.match.hyperscan_backend import Prebuilt
    from scanner.match.trace import TraceSink

MB = 1024 * 1024


@dataclass(frozen=True)
class EngineSettings:
    """How the engine scans: limits, chunking, the regex time bound, decoding depth, backend, filters."""

    max_file_size: int = 50 * MB
    chunk_size: int = 8 * MB  # inputs larger than this are read in chunks
    chunk_overlap: int = 64 * 1024  # longer than the longest match a rule can make
    regex_timeout: float = 2.0
    max_decode_depth: int = 2
    engine: str = "auto"  # prefilter backend: auto | hyperscan | ahocorasick
    filter: FindingFilter = field(default_factory=FindingFilter)


@dataclass(frozen=True)
class BlobScan:
    """What the engine found in one blob, or why it did not scan it."""

    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    bytes_scanned: int = 0
    skipped: str | None = None  # reason, when the blob was not scanned (binary)


def with_document_facts(scan: BlobScan, data: bytes) -> BlobScan:
    """``scan`` of the whole document ``data`` with the facts that live elsewhere in it than the secret
    (a GCP service-account JSON's ``client_email``, a kubeconfig's cluster): the one step every source's
    documents go through (:func:`scanner.identity.enrich.document_facts`)."""
    if not scan.findings:
        return scan
    from scanner.identity.enrich import document_facts

    found = document_facts(scan.findings, data)
    return scan if found is scan.findings else replace(scan, findings=found)


class _CountedLines(LineIndex):
    """The same answers as LineIndex, for a few lookups near one another (a text's findings, in order):
    newlines are counted in C between one lookup and the next instead of listing every line of the
    text first (most texts with a finding have one or two, and many lines)."""

    def __init__(self, text: str, first_line: int = 1, first_column: int = 0) -> None:
        super().__init__(text, first_line, first_column)
        self._at = 0  # the last offset looked up,
        self._count = 0  # the newlines before it,
        self._start = 0  # and where its line starts
        self._seen: dict[int, tuple[int, int]] = {}  # offsets asked before (masking asks the findings' again)

    def line_start(self, offset: int) -> tuple[int, int]:
        known = self._seen.get(offset)
        if known is None:
            known = self._seen[offset] = self._count_to(offset)
        return known

    def _count_to(self, offset: int) -> tuple[int, int]:
        text, at = self.text, self._at
        if offset >= at:
            gap = text.count("\n", at, offset)
            if gap:
                self._count += gap
                self._start = text.rfind("\n", at, offset) + 1
        else:
            gap = text.count("\n", offset, at)
            if gap:
                self._count -= gap
                self._start = text.rfind("\n", 0, offset) + 1
        self._at = offset
        return self.first_line + self._count, self._start


def _char_boundary(data: bytes, cut: int, encoding: str) -> int:
    """``cut`` moved back to the start of a character: a chunk never starts inside a UTF-8 sequence
    or between the two halves of a UTF-16 surrogate pair (its columns would count a broken character)."""
    if cut <= 0 or cut >= len(data):
        return cut
    if encoding.startswith("utf-16"):
        unit = data[cut:cut + 2]
        value = int.from_bytes(unit, "big" if encoding.startswith("utf-16-be") else "little")
        return cut - 2 if len(unit) == 2 and 0xDC00 <= value <= 0xDFFF else cut
    back = 0
    while back < 3 and 0x80 <= data[cut - back] < 0xC0:
        back += 1
    return cut - back if back < 3 or not 0x80 <= data[cut - back] < 0xC0 else cut


def _lines_in(data: bytes, encoding: str) -> tuple[int, int]:
    """Newlines in ``data`` and the characters after the last one (columns count characters, as
    :func:`scanner.content.display` shows them). UTF-16 is decoded first: its newline is a code unit,
    and a byte 0x0A is also half of many characters (U+0A00-U+0AFF, U+xx0A)."""
    if encoding.startswith("utf-16"):
        text = data.decode(encoding.removesuffix("-bom"), errors="replace")
        newlines = text.count("\n")
        return newlines, len(text) - text.rfind("\n") - 1
    newlines = data.count(b"\n")
    return newlines, len(display(data[data.rfind(b"\n") + 1:].decode("latin-1")))


def _shipped_database() -> Prebuilt:
    from scanner.rules.hscache import shipped_database  # imports Hyperscan: only for that backend

    return shipped_database()


def build_matcher(ruleset: RuleSet, settings: EngineSettings) -> Matcher:
    """The matcher of ``ruleset``: the shipped rules' regexes from the compiled-regex cache, and for
    the Hyperscan backend the shipped rules' database from its cache."""
    rules = ruleset.compiled
    regexcache.preload(rules)  # the shipped rules' regexes, compiled once per install
    prefilter = make_prefilter(settings.engine, ruleset.rules, decode_base64=settings.max_decode_depth > 0,
                               prebuilt=_shipped_database, automata=accache.STORE)
    return Matcher(rules, prefilter, regex_timeout=settings.regex_timeout,
                   max_decode_depth=settings.max_decode_depth)


class Engine:
    def __init__(self, ruleset: RuleSet, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()
        self.ruleset = ruleset
        self.matcher = build_matcher(ruleset, self.settings)

    def scan_bytes(self, data: bytes, origin: Origin, trace: TraceSink | None = None) -> BlobScan:
        """``trace`` receives every candidate and the step that kept or dropped it (``match.trace``),
        offsets in the latin-1 view of the prepared content."""
        prepared = content_mod.prepare(data)
        if prepared is None:
            return BlobScan(skipped="binary")
        raw = data if len(prepared.text) == len(data) else None
        findings, warnings = self._scan_view(prepared.text, origin, _CountedLines(prepared.text), 0, None, raw, trace)
        return BlobScan(tuple(findings), tuple(warnings), len(data))

    def scan_document(self, data: bytes, origin: Origin) -> BlobScan:
        """A whole document in memory: above the chunk size in overlapping chunks, as files are; its
        findings with their document facts (:func:`with_document_facts`)."""
        s = self.settings
        if len(data) > s.chunk_size + s.chunk_overlap:
            return with_document_facts(self.scan_stream(io.BytesIO(data), origin, len(data)), data)
        return with_document_facts(self.scan_bytes(data, origin), data)

    def scan_stream(self, stream: BinaryIO, origin: Origin, size: int | None = None) -> BlobScan:
        """Scan a large input in overlapping chunks: memory stays bounded and a secret across a
        chunk border is still found exactly once. ``size`` may be None (a pipe: read to its end)."""
        s = self.settings
        first = s.chunk_size + s.chunk_overlap
        head = stream.read(first if size is None else min(size, first))
        encoding = content_mod.sniff(head)
        if encoding is None:
            return BlobScan(skipped="binary")
        step, overlap = s.chunk_size, s.chunk_overlap
        findings: list[Finding] = []
        warnings: list[str] = []
        buffer = head  # bytes from ``buffer_start`` on
        # the line and column (characters already on that line) where ``buffer`` starts
        buffer_start, line_at_buffer, column_at_buffer, pos, total = 0, 1, 0, 0, 0
        chunk_encoding = encoding
        while True:
            need = pos + step + overlap - buffer_start
            while len(buffer) < need:
                more = stream.read(need - len(buffer))
                if not more:
                    break
                buffer += more
            window = buffer  # covers [pos - overlap, pos + step + overlap)
            last = len(window) < need
            prepared = content_mod.prepare(window, chunk_encoding)
            assert prepared is not None
            view_offset = pos - buffer_start  # where the kept region starts in the window
            if chunk_encoding.startswith("utf-16"):
                # transcoded views shift; keep everything and rely on dedup of the overlap
                keep = None
            else:
                keep = (view_offset - prepared.bom, view_offset - prepared.bom + step)
            raw = window if len(prepared.text) == len(window) else None
            lines = _CountedLines(prepared.text, line_at_buffer, column_at_buffer)
            found, warned = self._scan_view(prepared.text, origin, lines, buffer_start, None if last else keep, raw)
            findings.extend(found)
            warnings.extend(warned)
            total = max(total, buffer_start + len(window))
            if last:
                break
            pos += step
            # drop what the next window no longer needs, counting its lines and the characters of its last line
            cut = _char_boundary(buffer, pos - overlap - buffer_start, chunk_encoding)
            if cut > 0:
                newlines, tail = _lines_in(buffer[prepared.bom if buffer_start == 0 else 0:cut], chunk_encoding)
                line_at_buffer += newlines
                column_at_buffer = tail if newlines else column_at_buffer + tail
                buffer = buffer[cut:]
                buffer_start += cut
            if chunk_encoding.endswith("-bom") or chunk_encoding == "utf-8-sig":
                chunk_encoding = chunk_encoding.removesuffix("-bom").replace("utf-8-sig", "utf-8")
        unique = {(f.rule_id, f.start_line, f.start_column, f.fingerprint): f for f in findings}
        return BlobScan(tuple(unique.values()), tuple(dict.fromkeys(warnings)), total)

    # -- shared by whole blobs and chunks ----------------------------------------------------
    def _scan_view(
        self,
        text: str,
        origin: Origin,
        lines: LineIndex,
        base_offset: int,
        keep: tuple[int, int] | None,
        raw: bytes | None = None,
        trace: TraceSink | None = None,
    ) -> tuple[list[Finding], list[str]]:
        result = self.matcher.scan(text, raw, trace)
        out: list[Finding] = []
        masker: LineMasker | None = None
        for m in result.matches:
            if keep is not None and not keep[0] <= m.start < keep[1]:
                continue
            finding, context = self._finding(m, text, origin, lines, base_offset)
            if self.settings.filter.keeps(finding, context):
                if masker is None:  # every match of the text, kept or not, is masked on every context line it touches
                    masker = LineMasker(lines, [(x.start, x.end, display(x.secret)) for x in result.matches])
                own = [finding.secret, finding.companion[1]] if finding.companion else [finding.secret]
                out.append(replace(finding, masked_line=masker.line(m.start, own)))
            elif trace is not None:
                from scanner.match.trace import Step  # a trace only: ``credsprawl explain``

                trace.add(Step(m.rule_index, m.start, m.end, "filter", False,
                               self.settings.filter.reason(finding, context) or "filtered", m.secret, m.decoded))
        warnings = [f"{origin.render()}: {w}" for w in result.warnings]
        return out, warnings

    def _finding(
        self, m: RawMatch, text: str, origin: Origin, lines: LineIndex, base_offset: int
    ) -> tuple[Finding, tuple[str, ...]]:
        rule = self.matcher.rules[m.rule_index].rule
        start_line, start_col = lines.position(m.start)
        end_line, end_col = lines.position(m.end)
        first = lines.line_text(m.start)
        context = (first,) if end_line == start_line else (first, lines.line_text(max(m.start, m.end - 1)))
        secret = display(m.secret)
        companion = (m.companion[0], display(m.companion[1])) if m.companion else None
        finding = Finding(
            rule_id=rule.id,
            secret=secret,
            origin=origin,
            start_line=start_line,
            start_column=start_col,
            end_line=end_line,
            end_column=end_col,
            fingerprint=fingerprint(rule.fingerprint_family, secret),
            severity=rule.severity,
            confidence=m.confidence,
            entropy=round(m.entropy, 3),
            validation=m.validation,
            line_text=first,
            offset=base_offset + m.start,
            decoded=m.decoded,
            companion=companion,
        )
        return finding, context
