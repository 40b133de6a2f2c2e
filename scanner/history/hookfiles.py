"""The pre-commit hook over files: ``credsprawl staged FILE...`` when the files are not staged.

``pre-commit run --all-files`` (how pre-commit runs in CI and on pre-commit.ci) and ``pre-commit
run --files`` pass file names with nothing staged, so the staged diff is empty. Then each named file
is scanned whole, as it is in the working tree, so a secret that is already committed fails the
run. The same filters as a commit apply: ``.credsprawlignore``, the config's allowlist paths,
``--exclude`` and ``--max-file-size``. Archives, notebooks and the like are opened as ``scan``
opens them. Serial, like the staged path: pre-commit may call the hook several times, each with a
share of the files.
"""

from __future__ import annotations

import os
import time
from typing import Iterable

from scanner import __version__
from scanner.pipeline.route import ContentOptions, scan_file
from scanner.pipeline.engine import Engine
from scanner.model import Finding, Origin
from scanner.results import ScanReport, ScanSummary, Skip
from scanner.sources.git import Repo
from scanner.history.staged import StagedRequest, StagedResult, _excluder


def run_files(request: StagedRequest, repo: Repo, paths: Iterable[str], started: float,
              content: ContentOptions | None = None) -> StagedResult:
    """Scan ``paths`` (repository paths, '/'-separated) from ``repo``'s working tree, whole: each file
    as ``scan`` reads one (big text in overlapping chunks, archives opened in place, a path that is no
    longer a regular file skipped), whatever its size unless ``--max-file-size`` was given."""
    root = repo.worktree or "."
    content = content or request.content
    excluder = _excluder(repo, request.excludes)
    engine = Engine(request.ruleset, request.settings)
    findings: list[Finding] = []
    skipped: list[Skip] = []
    warnings: list[str] = []
    scanned = total = 0
    limit = request.max_file_size  # an explicit --max-file-size only, as for staged files
    for path in sorted(set(paths)):
        if excluder is not None and excluder.match_file(path):
            skipped.append(Skip(path, "ignored"))
            continue
        full = os.path.join(root, *path.split("/"))
        try:
            if not os.path.isfile(full):
                skipped.append(Skip(path, "special", "not a regular file"))
                continue
            size = os.path.getsize(full)
            if limit and size > limit:
                skipped.append(Skip(path, "too-large", f"{size} bytes > --max-file-size {limit}", "--max-file-size"))
                continue
            scan = scan_file(engine, full, Origin(path, kind="file"), content)
        except OSError as exc:
            warnings.append(f"{path}: {exc.strerror or exc}")
            skipped.append(Skip(path, "unreadable", exc.strerror or str(exc)))
            continue
        scanned += max(1, scan.files)
        total += scan.bytes_scanned
        findings.extend(scan.findings)
        warnings.extend(scan.warnings)
        skipped.extend(scan.skips)
    findings.sort(key=Finding.sort_key)
    summary = ScanSummary(scanned, total, time.perf_counter() - started, tuple(skipped), tuple(warnings))
    return StagedResult(ScanReport(tuple(findings), request.ruleset.by_id, summary, __version__), repo)
