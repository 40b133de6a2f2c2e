"""Command-line pieces for archives, notebooks, images and CI: the content options of ``scan`` and the
``ci`` command. Parsing and dispatch only: the work is in pipeline.route, pipeline.files and pipeline.ciscan.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from scanner.cli.options import (Chosen, add_output_options, add_settings_options, add_verify_options, positive_int,
                                 seconds, size)
from scanner.cli.output import emit, enrich, exit_code, suppress

GB = 1024**3
Handler = Callable[[argparse.Namespace], int]


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number of 0 or more: {value!r}")
    return int(value)


def add_content_options(p: argparse.ArgumentParser) -> None:
    """Options for what content is opened: archives and their limits, binary strings."""
    p.add_argument("--max-archive-depth", type=_count, default=3, metavar="N", action=Chosen,
                   help="open archives nested up to N levels (default 3; 0 = do not open archives)")
    p.add_argument("--max-archive-size", type=size, default=1 * GB, metavar="SIZE", action=Chosen,
                   help="uncompressed bytes read out of one archive, all levels (default 1GB; 0 = no limit)")
    p.add_argument("--max-archive-members", type=_count, default=100_000, metavar="N", action=Chosen,
                   help="members read from one archive (default 100000; 0 = no limit)")
    p.add_argument("--max-compression-ratio", type=_count, default=200, metavar="N", action=Chosen,
                   help="give up on a member or stream that inflates more than N:1 (default 200; 0 = no limit)")
    p.add_argument("--binary-strings", action="store_true",
                   help="scan the printable strings (8+ characters) of binary files; findings give the byte offset")


def add_commands(sub: Any, only: str | None = None) -> None:  # only: one command here, or all of them
    """The ``ci`` command: ``credsprawl ci github OWNER/REPO``."""
    ci = sub.add_parser("ci", help="scan CI logs and artifacts over the CI's API")
    ci_sub = ci.add_subparsers(dest="ci_command", metavar="SYSTEM")
    ci_sub.required = True
    gh = ci_sub.add_parser("github", help="GitHub Actions: workflow run logs and artifacts "
                                          "(GITHUB_TOKEN; GITHUB_API_URL for GitHub Enterprise Server)")
    gh.add_argument("repo", metavar="OWNER/REPO", help="the repository whose workflow runs to scan")
    gh.add_argument("--runs", type=positive_int, default=10, metavar="N", help="the latest N runs (default 10)")
    gh.add_argument("--since", metavar="DATE", help="only runs created on or after DATE (2024-05-31)")
    gh.add_argument("--workflow", metavar="NAME", help="only runs of this workflow (file name such as ci.yml, id, or name)")
    gh.add_argument("--timeout", type=seconds, default=1800.0, metavar="SECONDS",
                    help="time limit for every API request and download of the run together (default 1800)")
    gh.add_argument("--request-timeout", type=seconds, default=30.0, metavar="SECONDS",
                    help="time limit for one API request, connect to last byte (default 30)")
    gh.add_argument("--download-timeout", type=seconds, default=300.0, metavar="SECONDS",
                    help="time limit for one log or artifact download (default 300)")
    add_output_options(gh)
    add_settings_options(gh)
    add_content_options(gh)
    add_verify_options(gh)
    gh.set_defaults(paths=[], jobs=1, follow_symlinks=False, respect_gitignore=False)



def _cmd_ci(args: argparse.Namespace) -> int:
    from scanner import __version__, api
    from scanner.sources.ci.github import ClientSettings, GitHubClient
    from scanner.pipeline.ciscan import scan_github
    from scanner.sources.ci.github_scan import RunQuery
    from scanner.pipeline.engine import Engine
    from scanner.pipeline.pool import clock
    from scanner.results import ScanReport
    from scanner.cli.requests import scan_request, scan_settings

    started = clock()
    query = RunQuery(args.repo, args.runs, args.since, args.workflow)
    chosen = scan_settings(args)
    request = scan_request(args, chosen)
    cap = request.content.limits.max_archive_size or ClientSettings.max_download  # 0 lifts no download cap
    settings = ClientSettings.from_env(max_download=cap,
                                       timeout=args.request_timeout, download_timeout=args.download_timeout,
                                       run_timeout=args.timeout, run_timeout_hint="raise it with --timeout")
    with GitHubClient(settings) as client:
        outcome, runs = scan_github(client, Engine(request.ruleset, request.settings), request.content, query)
    findings = _not_excluded(list(outcome.findings), request.walk.excludes)
    report = ScanReport(tuple(findings), request.ruleset.by_id, outcome.summary(clock() - started), __version__)
    report = api.verify_report(enrich(suppress(args, report)), chosen.verify)
    emit(args, report, str(Path.cwd()))
    if not args.quiet and (sys.stderr.isatty() or args.output is not None or args.format != "text"):
        where = f"; report written to {args.output}" if args.output is not None else ""
        print(f"credsprawl: {len(report.findings)} finding(s) in {runs} run(s), "
              f"{client.requests} API request(s){where}", file=sys.stderr)
    return exit_code(args, report)


def _not_excluded(findings: list[Any], excludes: tuple[str, ...]) -> list[Any]:
    """Findings none of whose location parts (the download, a member of it, ...) matches an exclude
    (``--exclude``, the config's allowlist paths), as a path of a filesystem scan would."""
    if not excludes:
        return findings
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(excludes)
    return [f for f in findings if not any(spec.match_file(node.path) for node in f.origin.chain())]


HANDLERS: dict[str, Handler] = {"ci": _cmd_ci}
