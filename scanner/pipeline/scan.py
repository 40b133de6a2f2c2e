"""The ``scan`` command's work: config and rules, the filesystem walk, the pipeline, the report."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from scanner import __version__
from scanner.config import Config, discover, load_config
from scanner.pipeline.engine import EngineSettings
from scanner.filters.findings import FindingFilter
from scanner.errors import UsageError
from scanner.match.backends import hyperscan_available
from scanner.pipeline.route import ContentOptions, scan_blob, warning_for
from scanner.model import Blob, Confidence, Finding, Origin
from scanner.pipeline.pool import EngineSpec, clock, default_jobs
from scanner.results import ScanReport, Skip
from scanner.rules.cache import load_rules_cached
from scanner.rules.load import RuleSet, load_rules
from scanner.sources.archives import ArchiveLimits
from scanner.sources.filesystem import FileItem, FileWalker, WalkOptions
from scanner.pipeline.files import OnResults, Outcome, Unit, UnitResult, WorkSpec, plan, run, run_walk, summarise

STDIN = "-"


def load_effective_config(config_path: Path | None, search: list[Path]) -> Config:
    return load_config(config_path) if config_path is not None else discover(search)


def load_effective_rules(
    config_path: Path | None, extra: list[Path], disabled: list[str], search: list[Path],
    gitleaks: list[Path] | None = None,
) -> RuleSet:
    config = load_effective_config(config_path, search)
    ruleset = with_gitleaks_rules(load_rules(extra=[*config.rules, *extra]), [*config.gitleaks, *(gitleaks or [])])
    return ruleset.without([*config.disable, *disabled])


def with_gitleaks_rules(ruleset: RuleSet, files: list[Path]) -> RuleSet:
    """``ruleset`` plus the translated rules of gitleaks-format files; one warning line on stderr
    for each rule that could not be translated whole."""
    if not files:
        return ruleset
    from scanner.rules.gitleaks import extend_ruleset

    extended, warnings = extend_ruleset(ruleset, files)
    for w in warnings:
        print(f"credsprawl: warning: {w}", file=sys.stderr)
    return extended


def resolve_engine(name: str) -> str:
    """``auto`` becomes the backend that will run, so every worker runs the same one."""
    if name == "hyperscan" and not hyperscan_available():
        raise UsageError("--engine hyperscan: the hyperscan package is not installed on this platform")
    if name == "auto":
        return "hyperscan" if hyperscan_available() else "ahocorasick"
    return name


def content_options(args: argparse.Namespace) -> ContentOptions:
    """ContentOptions from parsed arguments; defaults for commands that do not offer the options."""
    defaults = ArchiveLimits()
    limits = ArchiveLimits(
        max_depth=getattr(args, "max_archive_depth", defaults.max_depth),
        max_member_size=getattr(args, "max_file_size", defaults.max_member_size),
        max_archive_size=getattr(args, "max_archive_size", defaults.max_archive_size),
        max_ratio=getattr(args, "max_compression_ratio", defaults.max_ratio),
        max_members=getattr(args, "max_archive_members", defaults.max_members),
    )
    return ContentOptions(limits, binary_strings=getattr(args, "binary_strings", False))


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

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ScanRequest:
        paths = tuple(args.paths) or (".",)
        search = [Path(p) for p in paths[:1] if p != STDIN and Path(p).is_dir()] + [Path.cwd()]
        config = load_effective_config(args.config, search)
        # the loaded rules come from the start-up cache (parsing ninety rule files is a serial tenth of a second)
        ruleset = with_gitleaks_rules(load_rules_cached([*config.rules, *args.rules]),
                                      [*config.gitleaks, *getattr(args, "gitleaks_config", [])])
        ruleset = ruleset.without([*config.disable, *args.disable])
        min_conf = Confidence(args.min_confidence) if args.min_confidence else config.min_confidence
        settings = EngineSettings(
            max_file_size=args.max_file_size,
            regex_timeout=args.regex_timeout,
            max_decode_depth=max(0, args.max_decode_depth),
            engine=resolve_engine(args.engine),
            filter=FindingFilter(config.allow_regexes, config.stopwords, min_conf),
        )
        walk = WalkOptions(
            max_file_size=args.max_file_size,
            follow_symlinks=args.follow_symlinks,
            respect_gitignore=args.respect_gitignore,
            excludes=(*config.allow_paths, *args.exclude),
        )
        progress = not args.quiet and sys.stderr.isatty()
        return cls(paths, config, ruleset, settings, walk, args.jobs or default_jobs(), progress, content_options(args))

    def root_for_report(self) -> str:
        dirs = [p for p in self.paths if p != STDIN and Path(p).is_dir()]
        return str(Path(dirs[0]).resolve()) if len(self.paths) == 1 and dirs else str(Path.cwd())


def _scan_stdin(spec: WorkSpec) -> UnitResult:
    """Standard input through the same content routing as files (archives, notebooks, logs)."""
    data = sys.stdin.buffer.read()
    item = FileItem(STDIN, "<stdin>", len(data))
    scan = scan_blob(spec.build(), Blob(data, Origin("<stdin>", kind="stdin")), spec.content)
    return UnitResult(Unit(item, None, len(data)), scan, None)


@dataclass
class _ProgressBar:
    total_bytes: int

    def __enter__(self) -> _ProgressBar:
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

        self._progress = Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
            TimeRemainingColumn(), transient=True,
        )
        self._progress.__enter__()
        self._task = self._progress.add_task("scanning", total=self.total_bytes)
        return self

    def update(self, files: int, done: int) -> None:
        self._progress.update(self._task, completed=done, description=f"scanning {files} files")

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)


def _walk(request: ScanRequest, fs_paths: list[str]) -> tuple[list[FileItem], list[Skip]]:
    items: list[FileItem] = []
    skips: list[Skip] = []
    for entry in FileWalker(request.walk).walk(fs_paths):
        (items if isinstance(entry, FileItem) else skips).append(entry)  # type: ignore[arg-type]
    return items, skips


def _findings_of(on_findings: Callable[[Sequence[Finding]], None]) -> OnResults:
    def on_results(results: Sequence[UnitResult]) -> None:
        on_findings([f for r in results if r.scan is not None for f in r.scan.findings])

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
        outcomes.append(Outcome.of([_scan_stdin(spec)]))
    if request.progress or not fs_paths:  # a progress bar needs the whole walk first, for its total
        items, skips = _walk(request, fs_paths) if fs_paths else ([], [])
        units, planned = plan(items, request.content)
        if units:
            with _ProgressBar(sum(i.size for i in items)) as bar:
                outcomes.append(run(units, spec, request.jobs, bar.update, on_results))
    else:
        walked, skips, planned = run_walk(FileWalker(request.walk).walk(fs_paths), spec, request.jobs, on_results)
        outcomes.append(walked)
    notes = [n for n in map(warning_for, planned) if n]
    findings, summary = summarise(Outcome.merge(outcomes), [*skips, *planned], clock() - started, notes)
    return ScanReport(tuple(findings), request.ruleset.by_id, summary, __version__)

