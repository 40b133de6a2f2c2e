"""Scan what a CI source yields (``scanner.sources.ci.github_scan.RunSource``): every blob through the
content router, folded into one Outcome, every skip counted; a run that fails is a warning, never the end of the others."""

from __future__ import annotations

from dataclasses import replace

from scanner.pipeline.engine import Engine
from scanner.pipeline.outcome import Outcome
from scanner.pipeline.route import ContentOptions, scan_blob, warning_for
from scanner.results import Skip
from scanner.sources.ci.github import GitHubClient, GitHubError
from scanner.sources.ci.github_scan import RunQuery, RunSource, list_runs


def _skipped(skip: Skip) -> Outcome:
    note = warning_for(skip)
    return Outcome(warnings=(note,) if note else (), skips=(skip,))


def scan_github(client: GitHubClient, engine: Engine, options: ContentOptions, query: RunQuery) -> tuple[Outcome, int]:
    """Scan the runs the query selects: the outcome (findings sorted) and the number of runs. A run
    whose requests fail (an HTTP error status, an unreachable host, one request's timeout) is a
    warning, never the end of the others; an answer in the wrong shape, a refused URL, the run's
    deadline or an exhausted quota ends the command."""
    parts: list[Outcome] = []
    runs = 0
    source = RunSource(client, options.limits, query.repo)
    for run in list_runs(client, query):
        runs += 1
        try:
            for item in source.items(run):
                parts.append(_skipped(item) if isinstance(item, Skip) else Outcome.of(scan_blob(engine, item, options)))
        except GitHubError as exc:
            if exc.fatal:
                raise
            parts.append(Outcome(warnings=(f"actions/runs/{run.id}: {exc}",),
                                 skips=(Skip(f"actions/runs/{run.id}", "unavailable", str(exc)),)))
    outcome = Outcome.folded(parts)
    return replace(outcome, findings=outcome.sorted_findings()), runs
