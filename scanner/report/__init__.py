"""Reporters: turn a ScanReport into text, JSON, JSON Lines, CSV or SARIF. They never change findings,
and they redact every secret unless ``ReportOptions.show_secrets`` is set."""

from __future__ import annotations

from typing import TextIO

from scanner.errors import UsageError
from scanner.report.options import Reporter, ReportOptions
from scanner.results import ScanReport

__all__ = ["REPORTERS", "ReportOptions", "Reporter", "render"]


# Each reporter imports its module when it first writes (plain imports the import-graph test sees): a
# JSON report does not pay for importing the text reporter's terminal library (rich).


def _text(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    from scanner.report.text import write_text

    write_text(report, out, options)


def _json(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    from scanner.report.json_report import write_json

    write_json(report, out, options)


def _jsonl(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    from scanner.report.json_report import write_jsonl

    write_jsonl(report, out, options)


def _csv(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    from scanner.report.csv_report import write_csv

    write_csv(report, out, options)


def _sarif(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    from scanner.report.sarif import write_sarif

    write_sarif(report, out, options)


REPORTERS: dict[str, Reporter] = {"text": _text, "json": _json, "jsonl": _jsonl, "csv": _csv, "sarif": _sarif}


def render(fmt: str, report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    """Write ``report`` to ``out`` in format ``fmt``; an unknown format is a UsageError."""
    reporter = REPORTERS.get(fmt)
    if reporter is None:
        known = ", ".join(sorted(REPORTERS))
        raise UsageError(f"unknown report format {fmt!r}: choose one of {known}")
    reporter(report, out, options)
