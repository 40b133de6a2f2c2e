"""Command-line interface: argument parsing and dispatch only. The one error boundary."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Iterator, Sequence, TextIO

from scanner import __version__, cli_artifacts, cli_git, cli_hints, cli_report, cli_sweep
from scanner.errors import CredsprawlError, UsageError
from scanner.results import ExitStatus, ScanReport

FORMATS = ("text", "json", "jsonl", "csv", "sarif")
MAX_STDERR_WARNINGS = 10
DEBUG_ENV = "CREDSPRAWL_DEBUG"  # set to 1: an unexpected error shows its traceback


class OutputError(CredsprawlError):
    """The report could not be written (a full disk, a quota, a read-only file system)."""


def _size(value: str) -> int:
    """``50MB``, ``512k``, ``1G`` or a plain byte count; 0 means no limit."""
    units = {"k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3, "b": 1}
    text = value.strip().lower()
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix) and text[: -len(suffix)].strip().replace(".", "", 1).isdigit():
            return int(float(text[: -len(suffix)]) * units[suffix])
    if text.isdigit():
        return int(text)
    raise argparse.ArgumentTypeError(f"not a size: {value!r} (try 50MB, 512KB or a byte count)")


def _seconds(value: str) -> float:
    """A positive, finite number of seconds (``0``, ``inf``, ``nan`` and negatives are refused)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {value!r}")
    return seconds


class Chosen(argparse.Action):
    """Store an option's value and record that the user gave it (in ``chosen_limits``): what a limit
    the user chose leaves out is counted, never an error (docs/exit-codes.md)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.chosen_limits = frozenset(getattr(namespace, "chosen_limits", frozenset())) | {self.option_strings[0]}


def chosen_limits(args: argparse.Namespace) -> frozenset[str]:
    """The limit options given on the command line (``--max-file-size`` ...)."""
    return frozenset(getattr(args, "chosen_limits", frozenset()))


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more: {value!r}")
    return int(value)


def _add_rule_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="config file (default: .credsprawl.toml or pyproject.toml [tool.credsprawl])")
    p.add_argument("--rules", type=Path, action="append", default=[], metavar="FILE", help="extra rule file or folder (repeatable)")
    p.add_argument("--disable", action="append", default=[], metavar="RULE_ID", help="turn a rule off (repeatable)")


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    """How content is matched: the same three options on every command that scans."""
    p.add_argument("--regex-timeout", type=_seconds, default=2.0, metavar="SECONDS",
                   help="time bound per rule and window (a positive number; default 2)")
    p.add_argument("--engine", choices=("auto", "hyperscan", "ahocorasick"), default="auto",
                   help="prefilter backend (default: hyperscan where installed, else ahocorasick)")
    p.add_argument("--max-decode-depth", type=int, default=2, metavar="N",
                   help="how deep to decode base64/percent/escapes/entities (default 2)")


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("--output", "-o", type=Path, help="write the report here (default: stdout)")
    p.add_argument("--show-secrets", action="store_true", help="print secrets in clear (redacted by default)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when secrets are found")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="print only the findings (and errors): no progress bar, no summary block or line")
    p.add_argument("--no-color", action="store_true", help="never colour the text report (NO_COLOR=1 does the same)")
    p.add_argument("--min-confidence", choices=("low", "medium", "high"), help="drop findings below this confidence")
    p.add_argument("--list-certificates", action="store_true", help="text and JSON: list every certificate found (default: counts)")
    p.add_argument("--list-skipped", action="store_true", help="text and JSON: list every skipped file (default: counts by reason)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="credsprawl", description="Find leaked credentials and who they belong to.")
    parser.add_argument("--version", action="version", version=f"credsprawl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    scan = sub.add_parser("scan", help="scan files and directories ('-' reads stdin)")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                      help="files and folders to scan, '-' for stdin (default: .)")
    _add_output_options(scan)
    _add_rule_options(scan)
    scan.add_argument("--jobs", "-j", type=_positive_int, help="worker processes (default: all cores)")
    scan.add_argument("--max-file-size", type=_size, default=50 * 1024**2, metavar="SIZE", action=Chosen,
                      help="skip files (and archive members) larger than this (default 50MB; 0 = no limit)")
    scan.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="gitignore-style pattern to skip (repeatable)")
    scan.add_argument("--respect-gitignore", action="store_true", help="also skip what .gitignore files ignore")
    scan.add_argument("--follow-symlinks", action="store_true", help="follow symbolic links (loops are detected)")
    _add_engine_options(scan)
    scan.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not in this baseline")
    scan.add_argument("--gitleaks-config", type=Path, action="append", default=[], metavar="FILE",
                      help="also load the rules of a gitleaks config file, translated (repeatable)")
    cli_artifacts.add_content_options(scan)  # archives, their limits, --binary-strings

    rules = sub.add_parser("rules", help="list or check detection rules")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION")
    rules_sub.required = True
    rlist = rules_sub.add_parser("list", help="list the rules in effect")
    rlist.add_argument("--format", "-f", choices=("text", "json"), default="text",
                       help="text: one rule a line; json: every rule's fields (default: text)")
    rlist.add_argument("--gitleaks-config", type=Path, action="append", default=[], metavar="FILE",
                       help="also list the translated rules of a gitleaks config file (repeatable)")
    _add_rule_options(rlist)
    rcheck = rules_sub.add_parser("check", help="prove rules: ids, patterns, examples and negatives")
    rcheck.add_argument("files", nargs="*", type=Path, metavar="FILE", help="rule files (default: the shipped rules)")
    cli_git.add_commands(sub)  # history, staged, baseline, action
    cli_artifacts.add_commands(sub)  # ci
    cli_report.add_commands(sub)  # report, inventory
    cli_sweep.add_commands(sub)  # sweep
    return parser


def use_color(args: argparse.Namespace) -> bool:
    """Colour the text report: only on a terminal, never with --no-color or NO_COLOR set (no-color.org)."""
    return (not getattr(args, "no_color", False) and not os.environ.get("NO_COLOR")
            and getattr(args, "output", None) is None and sys.stdout.isatty())


def tell_count(args: argparse.Namespace, line: str) -> None:
    """The one summary line on stderr (``credsprawl: N finding(s) ...``), for logs and terminals alike,
    when the report itself carries no summary where the user looks: it went to ``--output`` or is
    not text. Never with --quiet."""
    if args.quiet or (args.format == "text" and getattr(args, "output", None) is None):
        return
    where = f"; report written to {args.output}" if getattr(args, "output", None) is not None else ""
    print(f"credsprawl: {line}{where}", file=sys.stderr)


_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EROFS})  # EPIPE: a closed pipe is no error


@contextlib.contextmanager
def _open_output(path: Path | None) -> Iterator[TextIO]:
    """stdout, or ``path`` opened for writing; a report that cannot be written (a full disk) is an
    OutputError naming the destination."""
    if path is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except OSError as exc:
            if exc.errno not in _WRITE_ERRNOS:
                raise
            _silence_stdout()
            raise OutputError(f"cannot write the report to standard output: {exc.strerror or exc}") from None
        return
    try:
        fh = open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    failure: OSError | None = None
    try:
        yield fh
        fh.flush()
    except OSError as exc:
        if exc.errno not in _WRITE_ERRNOS:
            raise
        failure = exc
    finally:
        try:
            fh.close()
        except OSError as exc:
            failure = failure or exc
    if failure is not None:
        raise OutputError(f"cannot write {path}: {failure.strerror or failure}")


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of a failed stdout cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _printable(value: str) -> str:
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in value)


def exit_code(args: argparse.Namespace, report: ScanReport) -> int:
    """The exit code of a command that scanned, in the one documented order (docs/exit-codes.md): 1
    when anything was found; otherwise 2 when an input that could hold a secret was not scanned
    (each named on stderr: unreadable, damaged, over a limit the user did not choose); otherwise 0.
    ``--exit-zero`` turns findings into 0, never an incomplete scan."""
    chosen = chosen_limits(args)
    unscanned = report.summary.unscanned(chosen)
    status = report.exit_status(chosen)
    if getattr(args, "exit_zero", False) and status == ExitStatus.FINDINGS:
        status = ExitStatus.ERROR if unscanned else ExitStatus.CLEAN
    if status == ExitStatus.ERROR:
        for skip in unscanned[:MAX_STDERR_WARNINGS]:
            print(f"credsprawl: warning: not scanned: {_printable(skip.warning())}", file=sys.stderr)
        if len(unscanned) > MAX_STDERR_WARNINGS:
            print(f"credsprawl: warning: … and {len(unscanned) - MAX_STDERR_WARNINGS} more not scanned", file=sys.stderr)
        print(f"credsprawl: error: no secrets found, but {len(unscanned)} input(s) that could hold one "
              "could not be scanned (exit code 2; docs/exit-codes.md)", file=sys.stderr)
    return int(status)


def _cmd_scan(args: argparse.Namespace) -> int:
    from scanner.identity.enrich import Enricher
    from scanner.scan import ScanRequest, run_scan
    from scanner.report import ReportOptions, render

    request = ScanRequest.from_args(args)
    enricher = Enricher(request.ruleset.by_id)
    report = run_scan(request, on_findings=enricher.prime)  # facts are derived while workers still scan
    report = enricher.enrich(cli_git.suppress(args, report, request.root_for_report()))
    with _open_output(args.output) as out:
        render(args.format, report, out, ReportOptions(show_secrets=args.show_secrets, color=use_color(args),
                                                       root=request.root_for_report(), summary=not args.quiet,
                                                       list_certificates=args.list_certificates,
                                                       list_skipped=args.list_skipped))
    tell_count(args, f"{len(report.findings)} finding(s) in {report.summary.files_scanned} file(s)")
    return exit_code(args, report)


def _cmd_rules(args: argparse.Namespace) -> int:
    from scanner.rulecheck import check_ruleset
    from scanner.rules import load_rules
    from scanner.scan import load_effective_rules

    if args.rules_command == "check":
        ruleset = load_rules(args.files or None)
        problems = check_ruleset(ruleset)
        for p in problems:
            print(f"credsprawl: {p}", file=sys.stderr)
        examples = sum(len(r.examples) + len(r.negatives) for r in ruleset.rules)
        if problems:
            print(f"{len(problems)} problem(s) in {len(ruleset.rules)} rules", file=sys.stderr)
            return ExitStatus.ERROR
        print(f"ok: {len(ruleset.rules)} rules, {examples} examples and negatives proven")
        return ExitStatus.CLEAN
    ruleset = load_effective_rules(args.config, args.rules, args.disable, [Path.cwd()], args.gitleaks_config)
    listed = sorted(ruleset.rules, key=lambda r: r.id)
    if args.format == "json":
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


COMMANDS = {"scan": _cmd_scan, "rules": _cmd_rules, **cli_git.HANDLERS, **cli_artifacts.HANDLERS, **cli_report.HANDLERS,
            **cli_sweep.HANDLERS}


def main(argv: Sequence[str] | None = None) -> int:
    habit = cli_hints.hint(sys.argv[1:] if argv is None else argv)
    if habit is not None:  # a gitleaks option or command: say what credsprawl offers instead
        print(habit, file=sys.stderr)
        return ExitStatus.ERROR
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed one line of usage error
        return ExitStatus.ERROR if exc.code not in (0, None) else ExitStatus.CLEAN
    try:
        code = int(COMMANDS[args.command](args))
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
        if exc.filename is None and exc.errno in _WRITE_ERRNOS:
            _silence_stdout()
            return f"cannot write the output: {exc.strerror}"
        where = f"{_printable(os.fsdecode(exc.filename))}: " if exc.filename is not None else ""
        return f"{where}{exc.strerror or type(exc).__name__}"
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    at = f" at {Path(frame.tb_frame.f_code.co_filename).name}:{frame.tb_lineno}" if frame is not None else ""
    return (f"internal error ({type(exc).__name__}{at}); nothing was reported. Please report it, with the "
            f"traceback that {DEBUG_ENV}=1 shows")
