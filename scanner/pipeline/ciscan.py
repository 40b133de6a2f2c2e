"""Scan what a CI source yields (``scanner.sources.ci.github_scan.RunSource``): every blob through the
content router, every skip counted; a run that fails is a warning, never the end of the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.model import Finding
from scanner.pipeline.engine import Engine
from scanner.pipeline.route import ContentOptions, ContentScan, scan_blob, warning_for
from scanner.results import ScanSummary, Skip
from scanner.sources.ci.github import GitHubClient, GitHubError
from scanner.sources.ci.github_scan import RunQuery, RunSource, list_runs


@dataclass
class Outcome:
    """Everything the command found, gathered run by run (local to one command)."""

    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    files: int = 0
    bytes_scanned: int = 0
    runs: int = 0

    def add(self, scan: ContentScan) -> None:
        self.findings.extend(scan.findings)
        self.warnings.extend(scan.warnings)
        self.skips.extend(scan.skips)
        self.files += scan.files
        self.bytes_scanned += scan.bytes_scanned

    def skip(self, skip: Skip) -> None:
        self.skips.append(skip)
        note = warning_for(skip)
        if note:
            self.warnings.append(note)

    def summary(self, seconds: float) -> ScanSummary:
        skips = sorted(self.skips, key=lambda s: (s.path, s.reason))
        return ScanSummary(self.files, self.bytes_scanned, seconds, tuple(skips), tuple(dict.fromkeys(self.warnings)))


def scan_github(client: GitHubClient, engine: Engine, options: ContentOptions, query: RunQuery) -> Outcome:
    """Scan the runs the query selects. A run whose requests fail (an HTTP error status, an
    unreachable host, one request's timeout) is a warning, never the end of the others; an answer in
    the wrong shape, a refused URL, the run's deadline or an exhausted quota ends the command."""
    out = Outcome()
    source = RunSource(client, options.limits, query.repo)
    for run in list_runs(client, query):
        out.runs += 1
        try:
            for item in source.items(run):
                if isinstance(item, Skip):
                    out.skip(item)
                else:
                    out.add(scan_blob(engine, item, options))
        except GitHubError as exc:
            if exc.fatal:
                raise
            out.skip(Skip(f"actions/runs/{run.id}", "unavailable", str(exc)))
            out.warnings.append(f"actions/runs/{run.id}: {exc}")
    out.findings.sort(key=Finding.sort_key)
    return out
