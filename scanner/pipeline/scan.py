"""The ``scan`` command's work: config and rules, the filesystem walk, the pipeline, the report."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from scanner import __version__
from scanner.config import Config
from scanner.pipeline.engine import EngineSettings
from scanner.pipeline.route import ContentOptions, scan_pipe, warning_for
from scanner.model import Finding, Origin
from scanner.pipeline.pool import EngineSpec, clock
from scanner.results import ScanReport, Skip
from scanner.rules.load import RuleSet
from scanner.sources.filesystem import FileItem, FileWalker, WalkOptions
from scanner.pipeline.files import OnResults, WorkSpec, plan, run, run_walk, summarise
from scanner.pipeline.outcome import Outcome
from scanner.pipeline.progress import progress

STDIN = "-"


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[str, ...]
    config: Config
    ruleset: RuleSet
    settings: EngineSettings
    walk: WalkOptions
    jobs: int
    progress: bool
    content: ContentOptions = ContentOptions()  # archives, notebooks, CI logs, binary strings

    def root_for_report(self) -> str:
        """The folder the reported file paths are relative to: the one folder scanned, the folder of
        the one file scanned (shown by its name), else the working directory."""
        if len(self.paths) == 1 and self.paths[0] != STDIN:
            path = Path(self.paths[0])
            return str(path.resolve() if os.path.isdir(path) else Path(os.path.abspath(path)).parent.resolve())
        return str(Path.cwd())


def _scan_stdin(spec: WorkSpec) -> Outcome:
    """Standard input through the same content routing as files (archives, notebooks, logs), read as
    it arrives: memory stays bounded however much comes (see :func:`scanner.pipeline.route.scan_pipe`)."""
    return Outcome.of(scan_pipe(spec.build(), sys.stdin.buffer, Origin("<stdin>", kind="stdin"), spec.content))


def _walk(request: ScanRequest, fs_paths: list[str]) -> tuple[list[FileItem], list[Skip]]:
    items: list[FileItem] = []
    skips: list[Skip] = []
    for entry in FileWalker(request.walk).walk(fs_paths):
        (items if isinstance(entry, FileItem) else skips).append(entry)  # type: ignore[arg-type]
    return items, skips


def _findings_of(on_findings: Callable[[Sequence[Finding]], None]) -> OnResults:
    def on_results(outcome: Outcome) -> None:
        on_findings(outcome.findings)

    return on_results


def run_scan(request: ScanRequest, on_findings: Callable[[Sequence[Finding]], None] | None = None) -> ScanReport:
    """Scan the request's paths; ``on_findings`` (in this process) sees findings as their files are done,
    before they are sorted into the report (the CLI derives identity facts there while workers scan)."""
    started = clock()
    on_results = _findings_of(on_findings) if on_findings is not None else None
    spec = WorkSpec(EngineSpec(request.ruleset.rules, request.settings), request.content)
    fs_paths = [p for p in request.paths if p != STDIN]
    outcomes: list[Outcome] = []
    if STDIN in request.paths:
        outcomes.append(_scan_stdin(spec))
    if request.progress or not fs_paths:  # a progress bar needs the whole walk first, for its total
        items, skips = _walk(request, fs_paths) if fs_paths else ([], [])
        units, planned = plan(items, request.content)
        if units:
            with progress(request.progress, "files", sum(i.size for i in items)) as bar:
                outcomes.append(run(units, spec, request.jobs, bar.update, on_results))
    else:
        walked, skips, planned = run_walk(FileWalker(request.walk).walk(fs_paths), spec, request.jobs, on_results)
        outcomes.append(walked)
    notes = [n for n in map(warning_for, planned) if n]
    findings, summary = summarise(Outcome.folded(outcomes), [*skips, *planned], clock() - started, notes)
    return ScanReport(tuple(findings), request.ruleset.by_id, summary, __version__)

