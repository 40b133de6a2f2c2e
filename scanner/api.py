"""credsprawl's Python API: scan bytes, paths, a repository's history or its staged changes in this
process, and get the findings and the report document, without a subprocess.

The names in ``__all__`` are the public surface: :class:`Settings` and :func:`settings` (which rules
run and which findings are kept), :func:`scan_bytes`, :func:`scan_paths`, :func:`scan_repository`,
:func:`scan_staged` (each returns a :data:`Report`), :func:`report_document` (the report as the CLI
writes it), :class:`Finding` and :data:`Report`. Everything else in ``scanner`` — including the other
names of this module, which the command line uses to add its own options — is private and may change.

The command line is built on these functions: ``credsprawl scan``, ``history`` and ``staged`` run the
same code and add argument parsing, output files, baselines and exit codes around it. So for the same
input and settings the findings here are the CLI's findings:

- ``settings=None`` reads the configuration as the CLI does (``.credsprawl.toml`` or pyproject.toml of
  the scanned folder or repository, else of the working directory);
- findings a ``.gitleaksignore`` at the scan root names are dropped, as the CLI drops them;
- every finding carries the facts its secret gives (key fingerprints, account ids, certificate
  subjects, ...), derived once per call.
- verification (``settings(verify=True)``, the CLI's ``--verify``) runs only when the settings ask,
  after the findings are filtered, as the CLI runs it.

Every call builds its own rules, engine and enrichment: two calls in one process share nothing but
read-only caches. Errors the caller can act on raise :class:`scanner.errors.CredsprawlError`
(``UsageError`` for a bad option or input).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from scanner.errors import UsageError
from scanner.model import Confidence, Finding
from scanner.pipeline.engine import MB
from scanner.results import ScanReport
from scanner.settings import VERIFY_TIMEOUT, Flags, Settings, VerifySettings, build_settings

if TYPE_CHECKING:
    from scanner.history.scan import HistoryRequest
    from scanner.history.staged import StagedRequest, StagedResult
    from scanner.pipeline.route import ContentOptions
    from scanner.pipeline.scan import ScanRequest
    from scanner.sources.git import Repo
    from scanner.sources.gitlog import EarlyWalk
    from scanner.sources.index import StagedIndex

__all__ = [
    "Finding",
    "Report",
    "Settings",
    "report_document",
    "scan_bytes",
    "scan_paths",
    "scan_repository",
    "scan_staged",
    "settings",
]

Report = ScanReport
"""A scan's result: ``findings`` (leaks, each with its derived facts in ``attributes``), ``inventory``
(certificates found: listed, never leaks), ``summary`` (files or blobs scanned, bytes, skips and
warnings), ``rules`` (every rule of the run by id) and ``exit_status()`` (1 findings, 2 an input
that could hold a secret was not scanned, else 0)."""

Keep = Callable[[ScanReport, str], ScanReport]
"""Drops findings before facts are derived, given the report and the scan root (the CLI: the
``.gitleaksignore`` of the root and ``--baseline``)."""

Note = Callable[[str], None]
STDIN = "-"
CONFIDENCES = tuple(c.value for c in Confidence)


# ------------------------------------------------------------------------------------------------
# settings


def settings(config: str | os.PathLike[str] | None = None, *, rules: Iterable[str | os.PathLike[str]] = (),
             disable: Iterable[str] = (), gitleaks_config: Iterable[str | os.PathLike[str]] = (),
             exclude: Iterable[str] = (), min_confidence: str | None = None, max_file_size: int = 50 * MB,
             max_decode_depth: int = 2, search: Iterable[str | os.PathLike[str]] = (), verify: bool = False,
             only_verified: bool = False, verify_timeout: float = VERIFY_TIMEOUT) -> Settings:
    """The :class:`Settings` the CLI builds from the same options (``--config``, ``--rules``, ``--disable``,
    ``--gitleaks-config``, ``--exclude``, ``--min-confidence``, ``--max-file-size``,
    ``--max-decode-depth``), through the CLI's one builder.

    ``config``: a config file to read; without it, the first ``.credsprawl.toml`` (or pyproject.toml
    with ``[tool.credsprawl]``) of the ``search`` folders, in order; none (the defaults) when
    ``search`` is empty. ``rules`` and ``gitleaks_config`` add rule files (credsprawl TOML, gitleaks
    TOML) to the shipped rules and the config's; ``disable`` drops rules by id; ``exclude`` adds
    gitignore-style path patterns; ``min_confidence`` (``low``, ``medium``, ``high``) replaces the
    config's. ``verify`` (``--verify``) asks each credential's provider about it (network;
    docs/verification.md), ``only_verified`` (``--only-verified``) also keeps only the live ones,
    ``verify_timeout`` bounds it (seconds); the endpoints come from ``config`` or the user's config
    file, never from a config found in ``search``. A bad value raises ``UsageError``, a file that
    cannot be read or is broken another ``CredsprawlError`` naming it."""
    if min_confidence is not None and min_confidence not in CONFIDENCES:
        raise UsageError(f"min_confidence {min_confidence!r}: choose one of {', '.join(CONFIDENCES)}")
    flags = Flags(
        config=Path(config) if config is not None else None,
        rules=tuple(Path(r) for r in rules),
        disable=tuple(disable),
        gitleaks=tuple(Path(g) for g in gitleaks_config),
        exclude=tuple(exclude),
        min_confidence=min_confidence,
        max_file_size=max_file_size,
        max_decode_depth=max_decode_depth,
        verify=verify,
        only_verified=only_verified,
        verify_timeout=verify_timeout,
    )
    return build_settings(flags, [Path(s) for s in search])


def _default_settings(search: Sequence[Path]) -> Settings:
    return build_settings(Flags(), search)


# ------------------------------------------------------------------------------------------------
# the scans


def ignore_file(report: ScanReport, root: str) -> ScanReport:
    """``report`` without the findings the ``.gitleaksignore`` at ``root`` names (the default :data:`Keep`)."""
    if not report.findings:
        return report
    from scanner.filters import gitleaks_ignore

    return gitleaks_ignore.apply(report, gitleaks_ignore.load(root))[0]


def scan_bytes(data: bytes, name: str = "<bytes>", settings: Settings | None = None) -> Report:
    """Scan ``data`` as one document called ``name`` (the path findings show): text, or an archive,
    notebook or CI log, opened as a file with that content would be. ``settings=None``: the config
    of the working directory, as ``credsprawl scan -`` reads it."""
    import io

    from scanner import __version__
    from scanner.model import Origin
    from scanner.pipeline.engine import Engine
    from scanner.pipeline.pool import clock
    from scanner.pipeline.route import ContentOptions, scan_pipe, warning_for
    from scanner.results import ScanSummary

    started = clock()
    chosen = settings if settings is not None else _default_settings([Path.cwd()])
    engine = Engine(chosen.ruleset, chosen.engine)
    scan = scan_pipe(engine, io.BytesIO(data), Origin(name, kind="bytes"), ContentOptions())
    notes = [n for n in map(warning_for, scan.skips) if n]
    summary = ScanSummary(scan.files, scan.bytes_scanned, clock() - started, tuple(scan.skips),
                          tuple(dict.fromkeys([*scan.warnings, *notes])))
    report = ScanReport(tuple(sorted(scan.findings, key=Finding.sort_key)), chosen.ruleset.by_id, summary, __version__)
    return verify_report(_enrich(report), chosen.verify)


def config_search(paths: Sequence[str]) -> list[Path]:
    """Where a filesystem scan of ``paths`` looks for its config: the first path when it is a folder,
    then the working directory."""
    # os.path.isdir: a path under a folder that cannot be searched is no error here (the walk names it)
    return [Path(p) for p in paths[:1] if p != STDIN and os.path.isdir(p)] + [Path.cwd()]


def paths_request(paths: Sequence[str | os.PathLike[str]], settings: Settings | None = None, *, jobs: int | None = None,
                  follow_symlinks: bool = False, respect_gitignore: bool = False, progress: bool = False,
                  content: ContentOptions | None = None) -> ScanRequest:
    """The request of a filesystem scan (``credsprawl scan``): ``settings=None`` reads the config of
    the first path's folder, else of the working directory."""
    from scanner.pipeline.pool import default_jobs
    from scanner.pipeline.route import ContentOptions
    from scanner.pipeline.scan import ScanRequest
    from scanner.sources.filesystem import WalkOptions

    names = tuple(os.fspath(p) for p in paths) or (".",)
    if settings is None:
        settings = _default_settings(config_search(names))
    walk = WalkOptions(max_file_size=settings.max_file_size, follow_symlinks=follow_symlinks,
                       respect_gitignore=respect_gitignore, excludes=settings.excludes)
    return ScanRequest(names, settings.config, settings.ruleset, settings.engine, walk, jobs or default_jobs(),
                       progress, content if content is not None else ContentOptions())


def report_of_paths(request: ScanRequest, keep: Keep = ignore_file) -> Report:
    """Run a filesystem scan: the findings ``keep`` lets through, with their facts (derived while
    the workers still scan)."""
    from scanner.identity.enrich import Enricher
    from scanner.pipeline.scan import run_scan

    enricher = Enricher(request.ruleset.by_id)
    report = run_scan(request, on_findings=enricher.prime)
    return enricher.enrich(keep(report, request.root_for_report()))


def scan_paths(paths: Sequence[str | os.PathLike[str]], settings: Settings | None = None, *,
               jobs: int | None = None, follow_symlinks: bool = False, respect_gitignore: bool = False) -> Report:
    """Scan files and folders as ``credsprawl scan PATH...`` does ('-' reads standard input): archives,
    notebooks and CI logs opened, ``.credsprawlignore`` and the settings' excludes honoured.
    ``jobs``: worker processes (default: one per core; 1 scans in this process). ``settings=None``:
    the config of the first path's folder, else of the working directory."""
    request = paths_request(paths, settings, jobs=jobs, follow_symlinks=follow_symlinks,
                            respect_gitignore=respect_gitignore)
    return verify_report(report_of_paths(request), _verify_of(settings))


def history_request(path: str | os.PathLike[str] = ".", settings: Settings | None = None, *,
                    branches: Sequence[str] = (), since: str | None = None, rev_range: str | None = None,
                    include_unreachable: bool = False, recurse_submodules: bool = False, jobs: int | None = None,
                    progress: bool = False) -> HistoryRequest:
    """The request of a history scan (``credsprawl history``): ``settings=None`` reads the config of
    the repository folder, else of the working directory."""
    from scanner.history.scan import HistoryRequest
    from scanner.pipeline.pool import default_jobs

    folder = os.fspath(path)
    if settings is None:
        settings = _default_settings([Path(folder), Path.cwd()])
    return HistoryRequest(
        path=folder, ruleset=settings.ruleset, settings=settings.engine, excludes=settings.excludes,
        branches=tuple(branches), since=since, range=rev_range, include_unreachable=include_unreachable,
        recurse_submodules=recurse_submodules, jobs=jobs or default_jobs(), progress=progress,
        config=settings.config,
    )


def report_of_history(request: HistoryRequest, keep: Keep = ignore_file,
                      on_note: Note | None = None, early: EarlyWalk | None = None) -> tuple[Report, str]:
    """Run a history scan: the report (findings ``keep`` lets through, with their facts, derived while
    the workers still scan) and the repository's root. ``on_note`` hears what the walk says about
    itself ("nothing to scan"). ``early``: the walk ``sources.gitlog.start_walk`` started for it."""
    from scanner.identity.enrich import Enricher
    from scanner.history.scan import run_history

    enricher = Enricher(request.ruleset.by_id)
    report, repo, notes = run_history(request, on_findings=enricher.prime, early=early)
    for note in notes:
        if on_note is not None:
            on_note(note)
    return enricher.enrich(keep(report, repo.root)), repo.root


def scan_repository(path: str | os.PathLike[str] = ".", settings: Settings | None = None, *,
                    branches: Sequence[str] = (), since: str | None = None, jobs: int | None = None) -> Report:
    """Scan every blob of a git repository's history once, as ``credsprawl history`` does, each finding
    attributed to the commit, author, date and path that introduced it. ``branches``: walk only these
    branches, tags or commits (default: every ref); ``since``: only what commits after this revision
    introduced. ``settings=None``: the config of the repository folder, else of the working
    directory. A folder that is not a repository raises ``UsageError``."""
    report = report_of_history(history_request(path, settings, branches=branches, since=since, jobs=jobs))[0]
    return verify_report(report, _verify_of(settings))


def staged_request(repo: Repo, settings: Settings | None = None, *, all_lines: bool = False,
                   only: frozenset[str] | None = None, content: ContentOptions | None = None,
                   max_file_size: int = 0) -> StagedRequest:
    """The request of a staged scan (``credsprawl staged``): ``settings=None`` reads the config of the
    work tree, else of the working directory (Aho-Corasick, which builds faster than Hyperscan loads
    for a few small files)."""
    from scanner.history.staged import StagedRequest
    from scanner.pipeline.route import ContentOptions

    if settings is None:
        settings = _default_settings([Path(repo.worktree or repo.root), Path.cwd()])
    return StagedRequest(repo.root if repo.worktree is None else repo.worktree, settings.ruleset, settings.engine,
                         settings.excludes, all_lines, only=only,
                         content=content if content is not None else ContentOptions(), max_file_size=max_file_size)


def open_worktree(folder: str | os.PathLike[str]) -> Repo:
    """The repository at ``folder``; a bare one (no index) raises ``UsageError``."""
    from scanner.sources.git import open_worktree as open_with_index

    return open_with_index(os.fspath(folder))


def report_of_staged(request: StagedRequest, repo: Repo, started: float, whole_files: frozenset[str] | None = None,
                     keep: Keep = ignore_file, index: StagedIndex | None = None, facts: bool = True) -> StagedResult:
    """Run a staged scan (or, with ``whole_files``, scan those repository paths whole from the work
    tree, as the hook does under ``pre-commit run --all-files``): the result, its report holding the
    findings ``keep`` lets through, with their facts unless ``facts`` is false (the lines a blocked
    commit prints show none). ``index``: the staged scan's git side, started by the caller before it
    loaded the rules (``scanner.sources.index.StagedIndex``); closed here."""
    from dataclasses import replace

    if whole_files:
        from scanner.history.hookfiles import run_files

        if index is not None:
            index.close()
        result = run_files(request, repo, whole_files, started)
    else:
        from scanner.history.staged import run_staged

        result = run_staged(request, repo, started, index)
    kept = keep(result.report, repo.root)
    return replace(result, report=_enrich(kept) if facts else kept)


def scan_staged(repo: str | os.PathLike[str] = ".", settings: Settings | None = None, *,
                all_lines: bool = False) -> Report:
    """Scan what the index of the repository at ``repo`` would commit, as the pre-commit hook
    (``credsprawl staged``) does: only findings on the lines the commit adds, unless ``all_lines``.
    ``settings=None``: the config of the work tree, else of the working directory. A bare
    repository raises ``UsageError``."""
    import time

    started = time.perf_counter()
    opened = open_worktree(repo)
    report = report_of_staged(staged_request(opened, settings, all_lines=all_lines), opened, started).report
    return verify_report(report, _verify_of(settings))


def _verify_of(settings: Settings | None) -> VerifySettings:
    """The verification ``settings`` ask for; off for ``settings=None`` (the defaults)."""
    return settings.verify if settings is not None else VerifySettings()


def _enrich(report: ScanReport) -> ScanReport:
    if not report.findings and not report.inventory:
        return report  # nothing to derive facts of: the identity code is not even loaded
    from scanner.identity.enrich import enrich_report

    return enrich_report(report)


def verify_report(report: Report, verify: VerifySettings) -> Report:
    """``report`` with what each credential's provider said attached to its findings
    (``Finding.verification``; ``--verify``), and with ``only_verified`` only the findings a provider
    confirmed live; ``report`` itself when verification is off. Runs after the findings are filtered
    (baseline, ignore files), so a suppressed finding is never sent; each distinct secret is asked
    once, only at its provider's host or the endpoint the user configured (``scanner.verify``)."""
    if not verify.enabled:
        return report
    from dataclasses import replace

    from scanner.verify.endpoints import Endpoints
    from scanner.verify.result import LIVE
    from scanner.verify.run import VerifyOptions, verify_findings

    families = {rule_id: rule.family for rule_id, rule in report.rules.items() if rule.family}
    said = verify_findings(report.findings, verify.endpoints or Endpoints.from_overrides(),
                           VerifyOptions(run_timeout=verify.timeout, hosts_from_content=verify.hosts_from_content),
                           families=families)
    findings = tuple(replace(f, verification=said.get(f.fingerprint)) for f in report.findings)
    if verify.only_verified:
        findings = tuple(f for f in findings if f.verification is not None and f.verification.status == LIVE)
    return replace(report, findings=findings)


# ------------------------------------------------------------------------------------------------
# the report document


def report_document(report: Report, format: str = "json", show_secrets: bool = False,
                    root: str | os.PathLike[str] | None = None) -> str:
    """``report`` rendered as the CLI writes it with ``--format`` (``json``, ``jsonl``, ``sarif``,
    ``csv``, ``text``; plain text, no colour). Secrets are redacted unless ``show_secrets``. ``root``:
    the folder SARIF locations are relative to (default: the working directory). An unknown
    format raises ``UsageError``."""
    import io

    from scanner.report import ReportOptions, render

    out = io.StringIO()
    render(format, report, out, ReportOptions(show_secrets=show_secrets, color=False,
                                              root=os.fspath(root) if root is not None else str(Path.cwd())))
    return out.getvalue()
