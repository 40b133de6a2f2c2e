"""What a scan gave, in one value every command folds its results into: the filesystem scan (per batch
of files, in the workers), the history scan (per repository and submodule) and the CI scan (per run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from scanner.model import Finding
from scanner.pipeline.route import ContentScan
from scanner.results import ScanSummary, Skip


@dataclass(frozen=True)
class Outcome:
    """Findings, warnings and skips in the order they were folded, and totals over everything scanned.

    Most inputs hold nothing: they add to ``scanned`` and ``bytes_scanned`` only, so an outcome of a
    thousand quiet files is two numbers. ``notes`` are said on stderr and are no part of the report
    ("nothing to scan")."""

    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()
    skips: tuple[Skip, ...] = ()
    scanned: int = 0  # texts (a file, each member of an archive) or blobs scanned
    bytes_scanned: int = 0
    notes: tuple[str, ...] = ()

    @property
    def notable(self) -> bool:
        """Whether it holds anything beyond its totals."""
        return bool(self.findings or self.warnings or self.skips or self.notes)

    @classmethod
    def of(cls, scan: ContentScan) -> Outcome:
        return cls(scan.findings, scan.warnings, scan.skips, scan.files, scan.bytes_scanned)

    @classmethod
    def folded(cls, parts: Iterable[Outcome]) -> Outcome:
        """The outcomes one after the other: their lists joined in the order given, their totals added."""
        findings: list[Finding] = []
        warnings: list[str] = []
        skips: list[Skip] = []
        notes: list[str] = []
        scanned = scanned_bytes = 0
        for part in parts:
            if part.notable:
                findings.extend(part.findings)
                warnings.extend(part.warnings)
                skips.extend(part.skips)
                notes.extend(part.notes)
            scanned += part.scanned
            scanned_bytes += part.bytes_scanned
        return cls(tuple(findings), tuple(warnings), tuple(skips), scanned, scanned_bytes, tuple(notes))

    def sorted_skips(self) -> tuple[Skip, ...]:
        """Each skip once (a file cut into slices that all failed to open is one skip), by path and reason."""
        return tuple(sorted(dict.fromkeys(self.skips), key=lambda s: (s.path, s.reason, s.detail)))

    def with_skip_warnings(self) -> Outcome:
        """Every input left unscanned named by a warning, in the order of :meth:`sorted_skips`."""
        named = tuple(s.warning() for s in self.sorted_skips() if s.noteworthy)
        return Outcome.folded([self, Outcome(warnings=named)])

    def summary(self, seconds: float) -> ScanSummary:
        """The report's summary: skips sorted, each warning once."""
        return ScanSummary(self.scanned, self.bytes_scanned, seconds, self.sorted_skips(),
                           tuple(dict.fromkeys(self.warnings)))

    def sorted_findings(self) -> tuple[Finding, ...]:
        return tuple(sorted(self.findings, key=Finding.sort_key))
