"""The ``staged`` command: scan what is about to be committed.

The staged content comes from the index (never the working tree), through
:class:`scanner.sources.index.StagedIndex`: one ``git diff --cached --raw -p -U0`` lists the added,
copied, modified and renamed files with their staged blob ids and the line ranges the staged diff
adds; ``git cat-file`` sizes and reads those blobs (its processes started before the engine is built,
so git works while the rules load). Findings are kept when they touch an added line (``--all-lines``
keeps every finding of the staged files; a finding inside an archive member always counts, as the
diff of an archive says nothing about its members' lines).

Each staged blob is scanned as ``scan`` scans a file (:mod:`scanner.deepscan`): an archive is opened
and its members scanned (within the archive limits, ``--max-file-size`` per member), a notebook cell
by cell, a binary skipped. A blob bigger than the chunk size is copied from git into a private
temporary file and scanned as ``scan`` reads a big file, in overlapping chunks: whatever its size, a
staged file is scanned, not skipped (a big legitimate asset neither blocks the commit nor slips past
it), unless ``--max-file-size`` is given explicitly.

This is the pre-commit hook's path, so it stays light: no process pool, no rich, no GitPython; the
text report for a blocked commit is plain lines.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scanner import __version__
from scanner.match.content import sniff as sniff_text
from scanner.model import Blob, Finding, Origin, Rule, redact
from scanner.pipeline import route as deepscan
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.pipeline.route import ContentOptions, ContentScan
from scanner.results import ScanReport, ScanSummary, Skip
from scanner.rules.load import RuleSet
from scanner.sources import credfiles, sniff
from scanner.sources.git import BlobUnavailable, Repo
from scanner.sources.index import StagedFile, StagedIndex

IGNORE_FILE = ".credsprawlignore"  # as scanner.sources.filesystem has it (not imported: pathspec is slow to load)


@dataclass(frozen=True)
class StagedRequest:
    """What ``staged`` scans and how: the repository, the rules and engine settings, the filters."""

    path: str
    ruleset: RuleSet
    settings: EngineSettings
    excludes: tuple[str, ...] = ()
    all_lines: bool = False
    only: frozenset[str] | None = None  # scan only these staged paths (the files pre-commit passes)
    content: ContentOptions = ContentOptions()  # archives and their limits (--max-file-size per member)
    max_file_size: int = 0  # an explicit --max-file-size: bigger staged files are skipped (0: none)


@dataclass
class StagedResult:
    """A staged scan's report, the repository, and the staged files it looked at."""

    report: ScanReport
    repo: Repo
    files: list[StagedFile] = field(default_factory=list)


def on_added_line(finding: Finding, added: tuple[tuple[int, int], ...] | None) -> bool:
    if added is None or finding.origin.parent is not None:  # a binary diff, or a member of an archive
        return True
    return any(start <= finding.end_line and finding.start_line <= end for start, end in added)


def _excluder(repo: Repo, excludes: tuple[str, ...]):  # type: ignore[no-untyped-def]
    lines = list(excludes)
    ignore = Path(repo.worktree) / IGNORE_FILE if repo.worktree else None
    if ignore is not None and ignore.is_file():
        lines += ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _scan_big(engine: Engine, repo: Repo, f: StagedFile, origin: Origin, size: int,
              options: ContentOptions) -> ContentScan:
    """A blob too big to hold: a binary nobody scans is declined after its first bytes; anything
    else is copied from git into a private temporary file (mode 0600, removed at once) and scanned
    as ``scan`` scans a file: an archive opened in place, text in overlapping chunks."""
    import shutil
    import tempfile

    proc = repo.popen("cat-file", "blob", f.blob)
    assert proc.stdout is not None
    path = ""
    try:
        head = proc.stdout.read(deepscan.SNIFF_BYTES)
        if (sniff.sniff(head[: sniff.SNIFF_BYTES]) is None and sniff_text(head) is None
                and not options.binary_strings and not credfiles.wanted(f.path, size)):
            return ContentScan(skips=(Skip(origin.render(), "binary"),))
        fd, path = tempfile.mkstemp(prefix="credsprawl-staged-")
        with os.fdopen(fd, "wb") as out:
            out.write(head)
            shutil.copyfileobj(proc.stdout, out, 1024 * 1024)
        if proc.wait() != 0:
            raise BlobUnavailable(f"git cat-file failed on object {f.blob}")
        return deepscan.scan_file(engine, path, origin, options)
    finally:
        if path:
            os.unlink(path)
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def run_staged(request: StagedRequest, repo: Repo, started: float, index: StagedIndex | None = None) -> StagedResult:
    """Scan what the index of ``repo`` would commit. ``index``: its git side, started earlier by the
    caller (else started here); closed when the scan ends."""
    with index or StagedIndex(repo) as staged:
        return _run(request, repo, started, staged)


def _run(request: StagedRequest, repo: Repo, started: float, index: StagedIndex) -> StagedResult:
    files = [f for f in index.files() if request.only is None or f.path in request.only]
    excluder = _excluder(repo, request.excludes)
    wanted = [f for f in files if request.all_lines or f.added != ()]  # a pure rename or mode change adds no line
    blobs = sorted({f.blob for f in wanted})
    index.ask_sizes(blobs)  # git sizes them while the engine is built
    engine = Engine(request.ruleset, request.settings)
    findings: list[Finding] = []
    skipped: list[Skip] = []
    warnings: list[str] = []
    scanned = total = 0
    limit = request.max_file_size
    sizes = index.sizes(blobs)
    big = engine.settings.chunk_size + engine.settings.chunk_overlap
    for f in wanted:
        if excluder is not None and excluder.match_file(f.path):
            skipped.append(Skip(f.path, "ignored"))
            continue
        info = sizes.get(f.blob)
        size = info.size if info is not None else 0
        if limit and size > limit:
            skipped.append(Skip(f.path, "too-large", f"{size} bytes > --max-file-size {limit}", "--max-file-size"))
            continue
        origin = Origin(f.path, kind="staged", extra=(("blob", f.blob),))
        try:
            if size > big:
                scan = _scan_big(engine, repo, f, origin, size, request.content)
            else:
                scan = deepscan.scan_blob(engine, Blob(index.reader.read(f.blob), origin), request.content)
        except (BlobUnavailable, OSError) as exc:
            skipped.append(Skip(f.path, "unreadable", str(exc)))
            continue
        scanned += scan.files
        total += scan.bytes_scanned
        skipped.extend(scan.skips)
        warnings.extend(scan.warnings)
        findings.extend(x for x in scan.findings if request.all_lines or on_added_line(x, f.added))
    findings.sort(key=Finding.sort_key)
    warnings.extend(s.warning() for s in skipped if s.noteworthy)  # every staged file left unscanned is named
    summary = ScanSummary(scanned, total, time.perf_counter() - started, tuple(skipped),
                          tuple(dict.fromkeys(warnings)))
    report = ScanReport(tuple(findings), request.ruleset.by_id, summary, __version__)
    return StagedResult(report, repo, files)


# ------------------------------------------------------------------------------------------------
# the hook's own text


def write_blocked(report: ScanReport, out: TextIO, show: bool = False, baseline_hint: str = "",
                  where: str = "in the staged changes; commit blocked") -> None:
    """Plain lines for a blocked commit: where, which rule, the secret redacted, and how to allow."""
    n = len(report.findings)
    out.write(f"credsprawl: {n} secret{'s' if n != 1 else ''} {where}.\n\n")
    width = max(len(_where(f)) for f in report.findings)
    for f in report.findings:
        rule: Rule | None = report.rules.get(f.rule_id)
        name = rule.name if rule else f.rule_id
        out.write(f"  {_where(f).ljust(width)}  {f.rule_id}  {_printable(redact(f.secret, show))}  ({name})\n")
        if f.verification is not None:  # --verify: what the provider said
            out.write(f"  {' ' * width}  {_printable(f.verification.note())}\n")
    baseline = baseline_hint or ".credsprawl-baseline.json"
    out.write(
        "\nNot a secret? Either\n"
        "  - add 'credsprawl:allow' in a comment on that line, or\n"
        f"  - record it in a baseline: credsprawl baseline create -o {baseline}\n"
        f"    (or 'credsprawl baseline update -b {baseline}'), commit that file, and give the hook\n"
        f"    args: [--baseline, {baseline}]\n"
        "A real secret: remove it from the staged files, rotate it, and load it from the environment\n"
        "or a secret manager instead.\n"
    )


def _where(f: Finding) -> str:
    return f"{_printable(f.origin.render())}:{f.start_line}:{f.start_column}"


def _printable(value: str) -> str:
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in value)
