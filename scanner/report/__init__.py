"""Reporters: turn a ScanReport into text, JSON, JSON Lines, CSV or SARIF. They never change findings,
and they redact every secret unless ``ReportOptions.show_secrets`` is set."""

from __future__ import annotations

import importlib
from typing import TextIO

from scanner.errors import UsageError
from scanner.report.options import Reporter, ReportOptions
from scanner.results import ScanReport

__all__ = ["REPORTERS", "ReportOptions", "Reporter", "render"]


def _on_demand(module: str, name: str) -> Reporter:
    """A reporter whose module is imported when it first writes: a JSON report does not pay for
    importing the text reporter's terminal library (rich)."""

    def reporter(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
        getattr(importlib.import_module(module), name)(report, out, options)

    reporter.__qualname__ = reporter.__name__ = name
    return reporter


REPORTERS: dict[str, Reporter] = {
    "text": _on_demand("scanner.report.text", "write_text"),
    "json": _on_demand("scanner.report.json_report", "write_json"),
    "jsonl": _on_demand("scanner.report.json_report", "write_jsonl"),
    "csv": _on_demand("scanner.report.csv_report", "write_csv"),
    "sarif": _on_demand("scanner.report.sarif", "write_sarif"),
}


def render(fmt: str, report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    """Write ``report`` to ``out`` in format ``fmt``; an unknown format is a UsageError."""
    reporter = REPORTERS.get(fmt)
    if reporter is None:
        known = ", ".join(sorted(REPORTERS))
        raise UsageError(f"unknown report format {fmt!r}: choose one of {known}")
    reporter(report, out, options)
