"""Reporters: turn a ScanReport into text, JSON, JSON Lines, CSV or SARIF. They never change findings,
and they redact every secret unless ``ReportOptions.show_secrets`` is set."""

from __future__ import annotations

from typing import TextIO

from scanner.errors import UsageError
from scanner.report.csv_report import write_csv
from scanner.report.json_report import write_json, write_jsonl
from scanner.report.options import Reporter, ReportOptions
from scanner.report.sarif import write_sarif
from scanner.report.text import write_text
from scanner.results import ScanReport

__all__ = ["REPORTERS", "ReportOptions", "Reporter", "render"]

REPORTERS: dict[str, Reporter] = {
    "text": write_text,
    "json": write_json,
    "jsonl": write_jsonl,
    "csv": write_csv,
    "sarif": write_sarif,
}


def render(fmt: str, report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    """Write ``report`` to ``out`` in format ``fmt``; an unknown format is a UsageError."""
    reporter = REPORTERS.get(fmt)
    if reporter is None:
        known = ", ".join(sorted(REPORTERS))
        raise UsageError(f"unknown report format {fmt!r}: choose one of {known}")
    reporter(report, out, options)
