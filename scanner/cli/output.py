"""How every command hands its report out: the output file, the baseline and ignore files, derived
facts, the format, the one count line on stderr and the exit code."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys
from pathlib import Path
from typing import Iterator, TextIO

from scanner.cli.options import chosen_limits
from scanner.errors import CredsprawlError, UsageError
from scanner.results import ExitStatus, ScanReport

MAX_STDERR_WARNINGS = 10
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EROFS})  # EPIPE: a closed pipe is no error


class OutputError(CredsprawlError):
    """The report could not be written (a full disk, a quota, a read-only file system)."""


@contextlib.contextmanager
def open_output(path: Path | None) -> Iterator[TextIO]:
    """stdout, or ``path`` opened for writing; a report that cannot be written (a full disk) is an
    OutputError naming the destination."""
    if path is None:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except OSError as exc:
            if exc.errno not in WRITE_ERRNOS:
                raise
            silence_stdout()
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
        if exc.errno not in WRITE_ERRNOS:
            raise
        failure = exc
    finally:
        try:
            fh.close()
        except OSError as exc:
            failure = failure or exc
    if failure is not None:
        raise OutputError(f"cannot write {path}: {failure.strerror or failure}")


def silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of a failed stdout cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def printable(value: str) -> str:
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in value)


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


def emit(args: argparse.Namespace, report: ScanReport, root: str) -> None:
    """Write the report in the chosen format to stdout or ``--output``."""
    from scanner.report import ReportOptions, render

    with open_output(args.output) as out:
        render(args.format, report, out, ReportOptions(show_secrets=args.show_secrets, color=use_color(args),
                                                       root=root, summary=not args.quiet,
                                                       list_certificates=getattr(args, "list_certificates", False),
                                                       list_skipped=getattr(args, "list_skipped", False)))


def suppress(args: argparse.Namespace, report: ScanReport, root: str | None = None) -> ScanReport:
    """Drop the findings ``--baseline`` knows (when given) and those the ``.gitleaksignore`` at the
    scan ``root`` names (when there is one), saying how many on stderr."""
    quiet = getattr(args, "quiet", False)
    # nothing found, or no ignore file: nothing to suppress (the hook's usual case)
    if root is not None and report.findings and os.path.exists(os.path.join(root, ".gitleaksignore")):
        from scanner.filters import gitleaks_ignore

        report, ignored = gitleaks_ignore.apply(report, gitleaks_ignore.load(root))
        if ignored and not quiet:
            print(f"credsprawl: {ignored} finding(s) suppressed by {os.path.join(root, gitleaks_ignore.FILE_NAME)}",
                  file=sys.stderr)
    if getattr(args, "baseline", None) is None:
        return report
    from scanner.filters import baseline  # only with --baseline: the hook's start-up stays light

    known = baseline.load(args.baseline)
    for warning in known.warnings:
        print(f"credsprawl: warning: {warning}", file=sys.stderr)
    report, hidden = baseline.apply(report, known)
    if hidden and not quiet:
        print(f"credsprawl: {hidden} known finding(s) suppressed by baseline {args.baseline}", file=sys.stderr)
    return report


def enrich(report: ScanReport) -> ScanReport:
    """The report with derived facts (scanner.identity), as every command hands it to the reporters."""
    from scanner.identity.enrich import enrich_report

    return enrich_report(report)


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
            print(f"credsprawl: warning: not scanned: {printable(skip.warning())}", file=sys.stderr)
        if len(unscanned) > MAX_STDERR_WARNINGS:
            print(f"credsprawl: warning: … and {len(unscanned) - MAX_STDERR_WARNINGS} more not scanned", file=sys.stderr)
        print(f"credsprawl: error: no secrets found, but {len(unscanned)} input(s) that could hold one "
              "could not be scanned (exit code 2; docs/exit-codes.md)", file=sys.stderr)
    return int(status)
