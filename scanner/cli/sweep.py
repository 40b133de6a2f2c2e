"""Command-line parser and handler of ``sweep``: an org-wide historical sweep into a datastore.

    credsprawl sweep [SOURCE ...] [--github-org ORG] [--gitlab-group GROUP] [--datastore PATH]
                     [--mirrors DIR] [--scheduler tcp://HOST:PORT | --jobs N] [--progress MODE] ...

A SOURCE is a file of clone URLs or local repository paths (one a line) or a folder searched for git
repositories. Each repository is scanned with its own ``.credsprawl.toml`` at its default-branch tip
(rules and filters; rule files it names must be in the repository), unless ``--config`` gives one
config for all; the rule and filter flags add to either. Parsing and dispatch only: the work lives in ``scanner.sweep.driver``.

Exit status: 0 when the swept repositories have no findings, 1 when they have some, 2 when any
repository failed (unreachable, corrupt; listed in the summary and recorded in the datastore with its
reason — every other repository's findings are still written; a line of a list file naming a folder
that is gone or is not a repository is such a failure) or on a usage error (another sweep is
writing the same datastore, say).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from scanner.cli.options import add_settings_options, add_verify_options, duration, positive_int
from scanner.errors import UsageError

Handler = Callable[[argparse.Namespace], int]


def add_commands(sub: Any, only: str | None = None) -> None:  # only: one command here, or all of them
    p = sub.add_parser("sweep", help="sweep the history of many repositories into a datastore (resumable, incremental)",
                       epilog="exit status: 1 findings in the swept repositories; otherwise 2 when a repository "
                              "failed (the others are still recorded) or on a usage error; otherwise 0")
    p.add_argument("sources", nargs="*", metavar="SOURCE",
                   help="a file of clone URLs or repository paths (one a line), or a folder searched for repositories")
    p.add_argument("--github-org", action="append", default=[], metavar="ORG",
                   help="every repository of this GitHub organisation or user (token: $GITHUB_TOKEN; repeatable)")
    p.add_argument("--gitlab-group", action="append", default=[], metavar="GROUP",
                   help="every project of this GitLab group and its subgroups (token: $GITLAB_TOKEN; repeatable)")
    p.add_argument("--github-api-url", default="https://api.github.com", metavar="URL",
                   help="GitHub API base (GitHub Enterprise: https://HOST/api/v3); clones from HOST use $GITHUB_TOKEN")
    p.add_argument("--gitlab-url", default="https://gitlab.com", metavar="URL",
                   help="GitLab base URL; clones from its host use $GITLAB_TOKEN")
    p.add_argument("--datastore", type=Path, metavar="PATH",
                   help="the SQLite datastore (default: sweep.sqlite in the user's cache folder)")
    p.add_argument("--mirrors", type=Path, metavar="DIR",
                   help="where bare mirrors of remote repositories are kept (default: the user's cache folder)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the tasks on this running Dask distributed cluster (pip install 'credsprawl[distributed]')")
    p.add_argument("--jobs", "-j", type=positive_int, metavar="N",
                   help="local worker processes (default: all cores; 1: inline)")
    p.add_argument("--progress", choices=("auto", "bar", "jsonl", "none"), default="auto",
                   help="auto: a bar on a terminal; jsonl: JSON Lines events on stdout (default: auto)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary (failures are still said)")
    add_settings_options(p)
    add_verify_options(p)
    p.add_argument("--verify-recheck-after", type=duration, metavar="AGE",
                   help="with --verify: ask again about a credential whose stored result is older than this "
                        "(7d, 12h, 30m, seconds; default: [verify] recheck_after, else 7d)")


def _specs(args: argparse.Namespace) -> list[Any]:
    from scanner.sweep import targets as src

    specs: list[Any] = []
    for source in args.sources:
        path = Path(source)
        if path.is_dir():
            specs.extend(src.discover(path))
        elif path.is_file():
            specs.extend(src.read_repo_file(path))
        else:
            raise UsageError(f"no such file or folder: {source} (give a list of clone URLs or paths, or a folder)")
    for org in args.github_org:
        specs.extend(src.github_org(org, args.github_api_url, os.environ.get("GITHUB_TOKEN") or None))
    for group in args.gitlab_group:
        specs.extend(src.gitlab_group(group, args.gitlab_url, os.environ.get("GITLAB_TOKEN") or None))
    if not specs:
        raise UsageError("no repositories to sweep: give a file of clone URLs or paths, a folder, "
                         "--github-org ORG or --gitlab-group GROUP")
    return [replace(s, path=s.path.absolute()) if s.path is not None and not s.path.is_absolute() else s
            for s in specs]


def _spec_of(settings: Any, repo_configs: bool) -> Any:
    """The SweepSpec of a Settings value."""
    from scanner.pipeline.pool import EngineSpec
    from scanner.sweep.driver import ruleset_version
    from scanner.sweep.tasks import SweepSpec

    return SweepSpec(EngineSpec(settings.ruleset.rules, settings.engine),
                     ruleset_version(settings.ruleset.rules, settings.engine), settings.excludes, repo_configs)


@dataclass(frozen=True)
class _RepoSpec:
    """A repository's own config to the spec it is swept with: the flags still add to it."""

    flags: Any  # scanner.settings.Flags

    def __call__(self, config: Any) -> Any:
        from scanner.settings import build_settings

        return _spec_of(build_settings(self.flags, [], config=config), True)


def _request(args: argparse.Namespace, specs: list[Any]) -> Any:
    from scanner.settings import Flags, build_settings
    from scanner.sweep.driver import SweepRequest, identity_of
    from scanner.sweep.targets import token_vars
    from scanner.sweep.tasks import Target

    flags = Flags.from_args(args)
    # --config: one config for every repository; else each repository's own .credsprawl.toml at its
    # default-branch tip (rules and filters), and the working directory's for those without one
    repo_configs = args.config is None
    settings = build_settings(flags, [Path.cwd()])
    spec = _spec_of(settings, repo_configs)
    mirrors = str(args.mirrors.absolute()) if args.mirrors else None
    tokens = tuple(sorted(token_vars(args.github_api_url, args.gitlab_url).items()))  # variable names, never tokens
    targets: dict[str, Target] = {}
    for s in specs:
        target = Target(identity_of(s), s, mirrors, tokens)
        targets.setdefault(target.identity.key, target)
    verify = None
    if settings.verify.enabled:
        from scanner.sweep.verification import SweepVerify

        v = settings.verify
        verify = SweepVerify(v.endpoints, v.timeout, v.recheck_after, v.only_verified, v.hosts_from_content)
    return SweepRequest(tuple(targets.values()), spec, settings.max_file_size,
                        repo_spec=_RepoSpec(flags) if repo_configs else None, verify=verify)


def _say(line: str) -> None:
    print(f"credsprawl: {line}", file=sys.stderr)


def _print_summary(summary: Any, datastore: Path, quiet: bool, only_verified: bool = False) -> None:
    if not quiet:
        s = summary
        _say(f"sweep {s.sweep_id} into {datastore}: {s.repositories} repositories ({s.scanned} scanned, "
             f"{s.unchanged} unchanged, {len(s.failed)} failed) in {s.seconds:.1f} s on the {s.executor} executor")
        _say(f"{s.blobs_scanned:,} blobs scanned ({s.bytes_scanned / 1e6:,.1f} MB, {s.mb_per_second:.1f} MB/s); "
             f"{s.blobs_reused:,} already known or shared ({s.bytes_reused / 1e6:,.1f} MB not scanned again)")
        what = "finding(s) of credentials verified live" if only_verified else "finding(s)"
        _say(f"{s.findings} {what} in the swept repositories, {s.new_findings} new "
             f"(credsprawl report --datastore {datastore} shows them)")
        if s.verified is not None:
            v = s.verified
            said = ", ".join(f"{n} {status}" for status, n in v.statuses) or "none"
            _say(f"verification: {v.checked} credential(s) asked now, {v.kept} kept from an earlier check"
                 + (f", {v.unreadable} not readable again" if v.unreadable else "") + f"; stored: {said}")
        if s.reopened:
            _say(f"triage: {len(s.reopened)} credential(s) reopened (credsprawl triage list --state open)")
    for name, reason in summary.failed:
        _say(f"failed: {name}: {reason}")


def _cmd_sweep(args: argparse.Namespace) -> int:
    from scanner.pipeline.pool import default_jobs
    from scanner.store.db import Store, default_datastore
    from scanner.sweep.driver import run_sweep
    from scanner.sweep.executors import make_executor
    from scanner.sweep.lock import sweep_lock
    from scanner.sweep.progress import make_progress

    if args.scheduler and args.jobs:
        raise UsageError("--jobs sizes the local pool; with --scheduler the cluster's workers run the tasks: drop --jobs")
    request = _request(args, _specs(args))
    datastore = args.datastore or default_datastore()
    jobs = args.jobs or default_jobs()
    with sweep_lock(datastore), Store(datastore) as store:
        interrupted = store.interrupt_running()  # under the lock: sweeps that were killed
        if interrupted and not args.quiet:
            many = len(interrupted) > 1
            _say(f"sweep{'s' if many else ''} {', '.join(map(str, interrupted))} in {datastore} "
                 f"{'were' if many else 'was'} interrupted (marked so; what was committed is kept, and this "
                 "sweep carries on from there)")
        executor = make_executor(request.spec, jobs, args.scheduler)
        request = replace(request, in_flight=2 * executor.workers + 2)
        progress = make_progress("none" if args.quiet and args.progress == "auto" else args.progress)
        try:
            summary = run_sweep(request, store, executor, progress)
        finally:
            progress.close()
            executor.close()
    _print_summary(summary, datastore, args.quiet, args.only_verified)
    return int(summary.return_code)


HANDLERS: dict[str, Handler] = {"sweep": _cmd_sweep}
