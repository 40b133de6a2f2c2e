"""How every command hands its report out: the output file, the baseline, derived facts, the format."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Iterator, TextIO

from scanner.errors import UsageError
from scanner.results import ScanReport


@contextlib.contextmanager
def open_output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        fh = open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    with fh:
        yield fh


def emit(args: argparse.Namespace, report: ScanReport, root: str) -> None:
    """Write the report in the chosen format to stdout or ``--output``."""
    from scanner.report import ReportOptions, render

    color = not args.no_color and args.output is None and sys.stdout.isatty()
    with open_output(args.output) as out:
        render(args.format, report, out, ReportOptions(show_secrets=args.show_secrets, color=color, root=root))


def suppress(args: argparse.Namespace, report: ScanReport) -> ScanReport:
    """Drop the findings ``--baseline`` knows (when given), saying how many on stderr."""
    if getattr(args, "baseline", None) is None:
        return report
    from scanner.filters import baseline

    report, hidden = baseline.apply_file(report, args.baseline)
    if hidden and not args.quiet:
        print(f"credsprawl: {hidden} known finding(s) suppressed by baseline {args.baseline}", file=sys.stderr)
    return report


def enrich(report: ScanReport) -> ScanReport:
    """The report with derived facts (scanner.identity), as every command hands it to the reporters."""
    from scanner.identity.enrich import enrich_report

    return enrich_report(report)
