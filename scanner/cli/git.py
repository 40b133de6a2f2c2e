"""Command-line parsers and handlers of the git-facing commands: ``history``, ``staged``, ``baseline``
and ``action``. Parsing and dispatch only: the work lives in history.scan, history.staged,
filters.baseline and cli.action, imported when a command runs (the pre-commit hook's start-up stays light).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from scanner.cli.options import (add_jobs_option, add_output_options, add_settings_options, add_verify_options,
                                 chosen_limits)
from scanner.cli.output import emit, exit_code, open_output, suppress, tell_count
from scanner.errors import UsageError
from scanner.results import ExitStatus, ScanReport

if TYPE_CHECKING:
    from scanner.sources.git import Repo
    from scanner.sources.index import StagedIndex

PRE_PUSH_FROM = "PRE_COMMIT_FROM_REF"
PRE_PUSH_TO = "PRE_COMMIT_TO_REF"

Handler = Callable[[argparse.Namespace], int]


def _add_baseline_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--baseline", type=Path, metavar="FILE",
                   help="report only findings that are not in this baseline (credsprawl baseline create)")


def add_commands(sub: Any, only: str | None = None) -> None:
    """Add the git-facing subcommands to ``sub`` (their handlers are in HANDLERS); with ``only``, that
    one alone (a run parses its own command only)."""
    for name, add in _COMMANDS.items():
        if only is None or only == name:
            add(sub)


def _add_history(sub: Any) -> None:
    history = sub.add_parser("history", help="scan every blob of a repository's history, once, with attribution")
    history.add_argument("repo", nargs="?", default=".", metavar="REPO", help="repository folder (default: .)")
    history.add_argument("--branch", action="append", default=[], metavar="REF",
                         help="walk only this branch, tag or commit (repeatable; default: every ref)")
    history.add_argument("--since", metavar="REV", help="only what commits after REV introduced (REV..HEAD)")
    history.add_argument("--range", metavar="A..B", help="only what the commits of A..B introduced")
    history.add_argument("--pre-push", action="store_true",
                         help=f"only the commits being pushed ({PRE_PUSH_FROM}..{PRE_PUSH_TO}, as the pre-commit "
                              "framework sets them; without them: commits on no remote-tracking ref)")
    history.add_argument("--include-unreachable", action="store_true",
                         help="also scan commits and blobs no ref reaches (amended, rebased away, dropped stashes)")
    history.add_argument("--recurse-submodules", action="store_true", help="also scan checked-out submodules")
    add_output_options(history)
    add_settings_options(history)
    add_jobs_option(history)
    _add_baseline_option(history)
    add_verify_options(history)


def _add_staged(sub: Any) -> None:
    staged = sub.add_parser("staged", help="scan the staged changes (the pre-commit hook)")
    staged.add_argument("paths", nargs="*", metavar="REPO|FILE",
                        help="a repository folder (default: .); or the files pre-commit passes: staged ones are "
                             "checked as staged, and when any is not staged (pre-commit run --all-files or "
                             "--files) every file is scanned whole from the working tree")
    staged.add_argument("--all-lines", action="store_true", help="report findings anywhere in the staged files, "
                                                                 "not only on the lines the commit adds")
    add_output_options(staged)
    add_settings_options(staged)
    _add_baseline_option(staged)
    add_verify_options(staged)  # never given by the pre-commit hook (.pre-commit-hooks.yaml)


def _add_baseline(sub: Any) -> None:
    baseline = sub.add_parser("baseline", help="create, update or mark a baseline of known findings")
    bsub = baseline.add_subparsers(dest="baseline_command", metavar="ACTION", prog=baseline.prog)  # as argparse makes it
    bsub.required = True
    create = bsub.add_parser("create", help="record the current findings (by fingerprint, never the secret)")
    create.add_argument("-o", "--output", type=Path, default=Path(".credsprawl-baseline.json"), metavar="FILE",
                        help="baseline file to write (default: .credsprawl-baseline.json)")
    update = bsub.add_parser("update", help="add new findings and drop gone ones; marks are kept")
    update.add_argument("-b", "--baseline", type=Path, default=Path(".credsprawl-baseline.json"), metavar="FILE",
                        help="baseline file to update (default: .credsprawl-baseline.json)")
    for p in (create, update):
        p.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files and folders to scan (default: .)")
        p.add_argument("--from-report", type=Path, metavar="FILE",
                       help="take the findings from a credsprawl JSON/JSON Lines report ('-': stdin) instead of scanning")
        p.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
        p.add_argument("--respect-gitignore", action="store_true", help="also skip what .gitignore files ignore")
        p.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links")
        add_settings_options(p)
        add_jobs_option(p)
    mark = bsub.add_parser("mark", help="mark a baseline entry as a false positive or an accepted risk")
    mark.add_argument("fingerprint", help="the finding's fingerprint (at least its first 8 characters)")
    mark.add_argument("-b", "--baseline", type=Path, default=Path(".credsprawl-baseline.json"), metavar="FILE",
                      help="baseline file to change (default: .credsprawl-baseline.json)")
    how = mark.add_mutually_exclusive_group(required=True)
    how.add_argument("--false-positive", dest="mark", action="store_const", const="false-positive",
                     help="not a secret (a test fixture, an example value)")
    how.add_argument("--accepted-risk", dest="mark", action="store_const", const="accepted-risk",
                     help="a real secret whose exposure is accepted (say why in --reason)")
    mark.add_argument("--reason", required=True, help="why (kept in the baseline, shown in reviews)")
    where = mark.add_mutually_exclusive_group()
    where.add_argument("--global", dest="everywhere", action="store_true",
                       help="the mark applies wherever the secret is found (default: only where the entry was seen)")
    where.add_argument("--path", dest="mark_paths", action="append", default=[], metavar="PATH",
                       help="the mark applies at this path (repeatable; default: where the entry was seen)")


def _add_action(sub: Any) -> None:
    action = sub.add_parser("action", help="the GitHub Action's step: inputs from INPUT_* environment variables")
    action.add_argument("--dry-run", action="store_true", help="print the range that would be scanned and stop")


_COMMANDS: dict[str, Callable[[Any], None]] = {"history": _add_history, "staged": _add_staged, "baseline": _add_baseline,
                                               "action": _add_action}


# ------------------------------------------------------------------------------------------------
# handlers


def _exit(args: argparse.Namespace, report: ScanReport) -> int:
    return exit_code(args, report)


def pre_push_range(env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    start, end = env.get(PRE_PUSH_FROM, ""), env.get(PRE_PUSH_TO, "")
    if start and end:
        return f"{start}..{end}"
    return f"{'0' * 40}..{end or 'HEAD'}"  # a first push: what is on no remote-tracking ref


def _cmd_history(args: argparse.Namespace) -> int:
    if args.pre_push and (args.range or args.since or args.branch):
        raise UsageError("--pre-push chooses the range itself: drop --range/--since/--branch")
    # a scan of every ref: git starts walking now, while the scanner loads (its rules, its engine)
    early = None
    if not (args.pre_push or args.range or args.since or args.branch or args.include_unreachable):
        from scanner.sources.gitlog import start_walk

        early = start_walk(args.repo or ".")
    try:
        from scanner import api
        from scanner.cli.requests import history_request, history_settings

        settings = history_settings(args)
        request = history_request(args, pre_push_range() if args.pre_push else None, settings)
        report, root = api.report_of_history(request, keep=lambda found, at: suppress(args, found, at),
                                             on_note=lambda note: print(f"credsprawl: {note}", file=sys.stderr),
                                             early=early)
    finally:
        if early is not None:
            early.close()
    report = api.verify_report(report, settings.verify)
    emit(args, report, root)
    tell_count(args, f"{len(report.findings)} finding(s) in {report.summary.files_scanned} blob(s)")
    return _exit(args, report)


def _staged_target(args: argparse.Namespace) -> tuple[str, list[str]]:
    """(repository folder, files): ``staged`` with no path or one folder scans that repository's
    index; with files (what pre-commit passes) the repository around the working directory."""
    if not args.paths:
        return ".", []
    if len(args.paths) == 1 and os.path.isdir(args.paths[0]):
        return args.paths[0], []
    folders = [p for p in args.paths if os.path.isdir(p)]
    if folders:
        raise UsageError(f"{folders[0]} is a folder: give one repository folder, or files")
    return ".", list(args.paths)


def _in_repo(root: str, path: str) -> str:
    """``path`` (relative to the working directory) as a repository path: relative to ``root``, with /."""
    full = os.path.abspath(path)  # the folder resolved, not the file (a symlink stays the link)
    rel = os.path.relpath(os.path.join(os.path.realpath(os.path.dirname(full)), os.path.basename(full)),
                          os.path.realpath(root))
    return rel.replace(os.sep, "/")


def _cmd_staged(args: argparse.Namespace) -> int:
    import gc
    import time

    started = time.perf_counter()
    # git first: the staged diff and the blob readers start now and work while the scanner loads
    from scanner.sources.git import open_worktree
    from scanner.sources.index import StagedIndex

    folder, files = _staged_target(args)
    repo = open_worktree(folder)
    worktree = repo.worktree or folder  # open_worktree refuses a bare repository
    names = frozenset(_in_repo(worktree, f) for f in files)
    # A commit's staged changes are a short run whose objects nearly all live to its end (modules,
    # rules, patterns, tables): the cyclic collector would only walk them again and again. It is off
    # for that run, and back on for files scanned whole (pre-commit run --all-files: any number).
    collecting = gc.isenabled()
    gc.disable()
    switching = sys.getswitchinterval()
    try:
        with StagedIndex(repo, names=bool(names)) as index:
            return _staged(args, started, repo, worktree, names, index)
    finally:
        sys.setswitchinterval(switching)
        if collecting:
            gc.enable()
        else:
            gc.disable()


# While the caches are read ahead, the interpreter hands its lock to the reading thread this soon
# after it asks (the thread asks after each read and each piece of HMAC, while this thread imports);
# Python's default, 5 ms, would leave the engine waiting for the files. Alone, a thread is never
# interrupted, so the setting costs nothing once the thread is done.
READ_AHEAD_SWITCH = 0.0002


def _read_caches_ahead(args: argparse.Namespace) -> None:
    """Have the rules' cache files read and verified in a thread while the rest of the scanner loads
    (the caller restores the interpreter's switch interval)."""
    from scanner.match.backends import hyperscan_available
    from scanner.rules.ahead import read_shipped_ahead

    engine = getattr(args, "engine", "auto")
    sys.setswitchinterval(READ_AHEAD_SWITCH)
    read_shipped_ahead(engine == "hyperscan" or (engine == "auto" and hyperscan_available()))


def _staged(args: argparse.Namespace, started: float, repo: Repo, worktree: str, names: frozenset[str],
            index: StagedIndex) -> int:
    _read_caches_ahead(args)
    from scanner import api
    from scanner.cli.requests import content_options, settings_of
    from scanner.history.staged import write_blocked

    # pre-commit passes the staged files on a commit (check them as staged); files that are not all
    # staged come from `pre-commit run --all-files` or `--files`: scan them whole from the work tree
    whole_files = bool(names) and not names <= index.names()
    if whole_files:
        import gc

        gc.enable()
    settings = settings_of(args, [Path(worktree), Path.cwd()])
    # a staged file is scanned whatever its size (in chunks), unless --max-file-size is given; the
    # limit (default or given) applies to each archive member
    explicit = args.max_file_size if "--max-file-size" in chosen_limits(args) else 0
    request = api.staged_request(repo, settings, all_lines=args.all_lines, only=names or None,
                                 content=content_options(args), max_file_size=explicit)
    # the lines of a blocked commit show no facts (identity, key or certificate details): only the
    # other formats and a verification (which reads them) need them derived
    result = api.report_of_staged(request, repo, started, names if whole_files else None,
                                  keep=lambda found, root: suppress(args, found, root), index=index,
                                  facts=args.format != "text" or settings.verify.enabled)
    if whole_files:
        what, where = f"{result.report.summary.files_scanned} file(s)", "in the checked files"
    else:
        what, where = f"{len(result.files)} staged file(s)", "in the staged changes; commit blocked"
    report = api.verify_report(result.report, settings.verify)
    if args.format == "text":
        if report.findings:
            with open_output(args.output) as out:
                write_blocked(report, out, args.show_secrets, str(args.baseline or ""), where)
        elif not args.quiet:
            left = len(report.summary.unscanned(chosen_limits(args)))
            print(f"credsprawl: no secrets in {what}" + (f" ({left} not scanned)" if left else ""), file=sys.stderr)
    else:
        emit(args, report, repo.root)
    return _exit(args, report)


def _scan_for_baseline(args: argparse.Namespace) -> list[Any]:
    from scanner.filters import baseline

    if args.from_report is not None:
        return baseline.seen_in_report(args.from_report)
    from scanner.cli.requests import scan_request
    from scanner.pipeline.scan import run_scan

    report = run_scan(scan_request(args))
    return baseline.seen_in(report.findings)


def _cmd_baseline(args: argparse.Namespace) -> int:
    from scanner.filters import baseline

    if args.baseline_command == "create":
        made = baseline.create(_scan_for_baseline(args))
        baseline.save(made, args.output)
        if not args.quiet:
            print(f"credsprawl: baseline {args.output}: {len(made.entries)} finding(s) recorded", file=sys.stderr)
        return ExitStatus.CLEAN
    if args.baseline_command == "update":
        old = baseline.load(args.baseline)
        for warning in old.warnings:
            print(f"credsprawl: warning: {warning}", file=sys.stderr)
        result = baseline.update(old, _scan_for_baseline(args))
        baseline.save(result.baseline, args.baseline)
        if not args.quiet:
            print(f"credsprawl: baseline {args.baseline}: {result.added} added, {result.dropped} dropped, "
                  f"{result.kept_marked} marked kept, {len(result.baseline.entries)} in all", file=sys.stderr)
        return ExitStatus.CLEAN
    marked_baseline, entry = baseline.mark(baseline.load(args.baseline), args.fingerprint, args.mark, args.reason,
                                           everywhere=args.everywhere, paths=args.mark_paths)
    baseline.save(marked_baseline, args.baseline)
    where = "everywhere" if entry.scope_global else "at " + ", ".join(entry.scope_paths)
    print(f"credsprawl: {entry.fingerprint[:12]} ({entry.rule_id}) marked {entry.mark} {where}", file=sys.stderr)
    return ExitStatus.CLEAN


def _cmd_action(args: argparse.Namespace) -> int:
    from scanner.cli.action import run_action

    return run_action(os.environ, dry_run=args.dry_run)


HANDLERS: dict[str, Handler] = {
    "history": _cmd_history,
    "staged": _cmd_staged,
    "baseline": _cmd_baseline,
    "action": _cmd_action,
}
