"""Command-line interface: argument parsing and dispatch only. The one error boundary."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Sequence

from scanner import __version__
from scanner.cli import hints as cli_hints
from scanner.cli.options import (add_jobs_option, add_output_options, add_rule_options, add_settings_options,
                                 add_verify_options)
from scanner.cli.output import WRITE_ERRNOS, exit_code, open_output, printable, silence_stdout, suppress, tell_count, use_color
from scanner.errors import CredsprawlError
from scanner.results import ExitStatus

DEBUG_ENV = "CREDSPRAWL_DEBUG"  # set to 1: an unexpected error shows its traceback


def _git() -> ModuleType:
    from scanner.cli import git

    return git


def _artifacts() -> ModuleType:
    from scanner.cli import artifacts

    return artifacts


def _report() -> ModuleType:
    from scanner.cli import report

    return report


def _sweep() -> ModuleType:
    from scanner.cli import sweep

    return sweep


def _triage() -> ModuleType:
    from scanner.cli import triage

    return triage


def _explain() -> ModuleType:
    from scanner.cli import explain

    return explain


def _serve() -> ModuleType:
    from scanner.cli import serve  # the web stack itself loads only when the command runs

    return serve


# The command modules, each adding its commands' parsers (``add_commands``; for a run, its command's
# alone) and holding their handlers (``HANDLERS``), in the order their commands are listed; and which
# module has each command. A run imports only the module of its command (the pre-commit hook's
# ``staged`` never loads the sweep, triage or report code); the full help imports them all.
COMMAND_MODULES: tuple[Callable[[], ModuleType], ...] = (_git, _artifacts, _report, _sweep, _triage, _explain,
                                                         _serve)
MODULE_OF: dict[str, Callable[[], ModuleType]] = {
    "history": _git, "staged": _git, "baseline": _git, "action": _git,
    "ci": _artifacts,
    "report": _report, "inventory": _report,
    "sweep": _sweep,
    "triage": _triage,
    "explain": _explain,
    "serve": _serve,
}
OWN_COMMANDS = ("scan", "rules")  # parsed and run here


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help formatter, measuring the terminal only when it formats: argparse makes a
    formatter for every argument it adds (to check the argument's metavar), and measuring the
    terminal each time (importing shutil, which imports bz2 and lzma, to do it) costs a hook run some
    2 ms. The width is argparse's own, asked when help or usage is written."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, 80 if width is None else width)
        self._asked_position = max_help_position
        self._measure = width is None

    def format_help(self) -> str:
        if self._measure:  # as argparse.HelpFormatter sets them for a width of None
            import shutil

            self._width = shutil.get_terminal_size().columns - 2
            self._max_help_position = min(self._asked_position, max(self._width - 20, self._indent_increment * 2))
            self._measure = False
        return super().format_help()


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser with :class:`HelpFormatter`; its subcommands' parsers are of this class too."""

    def __init__(self, *args: Any, formatter_class: type[argparse.HelpFormatter] = HelpFormatter, **kwargs: Any) -> None:
        super().__init__(*args, formatter_class=formatter_class, **kwargs)


def command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (its first word that is not an option), or None."""
    for word in argv:
        if not word.startswith("-"):
            return word
        if word == "--":
            return None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, for a known ``command``, of that one only (same options)."""
    parser = ArgumentParser(prog="credsprawl", description="Find leaked credentials and who they belong to.")
    parser.add_argument("--version", action="version", version=f"credsprawl {__version__}")
    # the subcommands' prog given, as argparse would make it ("credsprawl": no positional before them),
    # so the terminal need not be measured to make it
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog=parser.prog)
    sub.required = True
    known = command in OWN_COMMANDS or command in MODULE_OF
    if not known or command in OWN_COMMANDS:
        _add_own_commands(sub, command if known else None)
    for module in COMMAND_MODULES:
        if not known or MODULE_OF.get(command or "") is module:
            # with a command, a module may add that command alone (``add_commands(sub, only)``)
            module().add_commands(sub, command if known else None)
    return parser


def _add_own_commands(sub: Any, only: str | None) -> None:
    if only in (None, "scan"):
        _add_scan(sub)
    if only in (None, "rules"):
        _add_rules(sub)


def _add_scan(sub: Any) -> None:
    scan = sub.add_parser("scan", help="scan files and directories ('-' reads stdin)")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                      help="files and folders to scan, '-' for stdin (default: .)")
    add_output_options(scan)
    add_settings_options(scan)
    add_jobs_option(scan)
    add_verify_options(scan)
    scan.add_argument("--respect-gitignore", action="store_true", help="also skip what .gitignore files ignore")
    scan.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links (loops are detected)")
    scan.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not in this baseline")
    _artifacts().add_content_options(scan)  # archives, their limits, --binary-strings


def _add_rules(sub: Any) -> None:
    rules = sub.add_parser("rules", help="list or check detection rules")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION")
    rules_sub.required = True
    rlist = rules_sub.add_parser("list", help="list the rules in effect")
    rlist.add_argument("--format", "-f", choices=("text", "json"), default="text",
                       help="text: one rule a line; json: every rule's fields (default: text)")
    add_rule_options(rlist)  # --config, --rules, --disable, --gitleaks-config: the rules the scans run
    rcheck = rules_sub.add_parser("check", help="prove rules: ids, patterns, examples and negatives")
    rcheck.add_argument("files", nargs="*", type=Path, metavar="FILE", help="rule files (default: the shipped rules)")


def _cmd_scan(args: argparse.Namespace) -> int:
    from scanner import api
    from scanner.cli.requests import scan_request, scan_settings
    from scanner.report import ReportOptions, render

    settings = scan_settings(args)
    request = scan_request(args, settings)
    report = api.report_of_paths(request, keep=lambda found, root: suppress(args, found, root))
    report = api.verify_report(report, settings.verify)
    with open_output(args.output) as out:
        render(args.format, report, out, ReportOptions(show_secrets=args.show_secrets, color=use_color(args),
                                                       root=request.root_for_report(), summary=not args.quiet,
                                                       list_certificates=args.list_certificates,
                                                       list_skipped=args.list_skipped))
    tell_count(args, f"{len(report.findings)} finding(s) in {report.summary.files_scanned} file(s)")
    return exit_code(args, report)


def _engine_for_check(ruleset: Any, backend: str) -> Any:
    from scanner.pipeline.engine import Engine, EngineSettings

    return Engine(ruleset, EngineSettings(engine=backend))


def _cmd_rules(args: argparse.Namespace) -> int:
    from scanner.rules.check import check_ruleset
    from scanner.cli.requests import settings_of
    from scanner.rules.load import load_rules

    if args.rules_command == "check":
        ruleset = load_rules(args.files or None)
        problems = check_ruleset(ruleset, _engine_for_check)
        for p in problems:
            print(f"credsprawl: {p}", file=sys.stderr)
        examples = sum(len(r.examples) + len(r.negatives) for r in ruleset.rules)
        if problems:
            print(f"{len(problems)} problem(s) in {len(ruleset.rules)} rules", file=sys.stderr)
            return ExitStatus.ERROR
        print(f"ok: {len(ruleset.rules)} rules, {examples} examples and negatives proven")
        return ExitStatus.CLEAN
    ruleset = settings_of(args, [Path.cwd()]).ruleset
    listed = sorted(ruleset.rules, key=lambda r: r.id)
    if args.format == "json":
        import json

        rows = [{"id": r.id, "name": r.name, "kind": r.kind, "provider": r.provider, "severity": r.severity.value,
                 "confidence": r.confidence.value, "keywords": list(r.keywords), "source": r.source}
                for r in listed]
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        for r in listed:
            print(f"{r.id:<44} {r.kind:<18} {r.severity.value:<9} {r.name}")
        print(f"{len(ruleset.rules)} rules")
    return ExitStatus.CLEAN


OWN_HANDLERS = {"scan": _cmd_scan, "rules": _cmd_rules}


def handler_of(command: str) -> Callable[[argparse.Namespace], int]:
    module = MODULE_OF.get(command)
    return OWN_HANDLERS[command] if module is None else module().HANDLERS[command]


def main(argv: Sequence[str] | None = None, *, collect: bool | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments) and run the command; its exit code. ``collect``:
    whether the cyclic garbage collector runs during the command (None: as the caller has it)."""
    habit = cli_hints.hint(sys.argv[1:] if argv is None else argv)
    if habit is not None:  # a gitleaks option or command: say what credsprawl offers instead
        print(habit, file=sys.stderr)
        return ExitStatus.ERROR
    parser = build_parser(command_named(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed one line of usage error
        return ExitStatus.ERROR if exc.code not in (0, None) else ExitStatus.CLEAN
    try:
        handler = handler_of(args.command)
        if collect is True:
            gc.enable()
        elif collect is False:
            gc.disable()
        code = int(handler(args))
        sys.stdout.flush()  # what a command printed directly fails here, inside the boundary
        return code
    except CredsprawlError as exc:
        print(f"credsprawl: error: {exc}", file=sys.stderr)
        return ExitStatus.ERROR
    except KeyboardInterrupt:
        print("credsprawl: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return ExitStatus.ERROR
    except Exception as exc:  # noqa: BLE001 - the one boundary: one line and exit 2, never a traceback
        print(f"credsprawl: error: {_describe_failure(exc)}", file=sys.stderr)
        if os.environ.get(DEBUG_ENV):
            import traceback

            traceback.print_exc()
        return ExitStatus.ERROR


def run() -> int:
    """The ``credsprawl`` program (``scanner.__main__.run``): :func:`main` on the process's arguments,
    the command run with the cyclic garbage collector on (the hook's ``staged`` turns it off for its
    own run), its exit code returned for the exit. What is still alive then (the rules, the matcher's
    tables) is handed to the exit as it is: frozen out of the collector, whose last collections at
    exit would otherwise walk every object once more (some 15 ms of a hook run). ``main`` itself
    leaves the collector alone, for callers that go on running."""
    code = main(collect=True)
    gc.freeze()
    return code


def _describe_failure(exc: Exception) -> str:
    """One line for an error no inner code turned into a project error. Never the exception's own
    message when it may quote the input (a secret): only an OS error's text, which names a path."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return ("a worker process died (killed, or out of memory); nothing was reported. "
                "Run again, with fewer --jobs or more memory")
    if isinstance(exc, MemoryError):
        return "out of memory; nothing was reported. Run again with fewer --jobs or on smaller inputs"
    if isinstance(exc, OSError):
        if exc.filename is None and exc.errno in WRITE_ERRNOS:
            silence_stdout()
            return f"cannot write the output: {exc.strerror}"
        where = f"{printable(os.fsdecode(exc.filename))}: " if exc.filename is not None else ""
        return f"{where}{exc.strerror or type(exc).__name__}"
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    at = f" at {Path(frame.tb_frame.f_code.co_filename).name}:{frame.tb_lineno}" if frame is not None else ""
    return (f"internal error ({type(exc).__name__}{at}); nothing was reported. Please report it, with the "
            f"traceback that {DEBUG_ENV}=1 shows")
