"""The options every reporter takes, and the shape a reporter has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TextIO

from scanner.results import ScanReport


@dataclass(frozen=True)
class ReportOptions:
    show_secrets: bool = False  # default: secrets redacted in every format
    color: bool = False  # text format only: colour when writing to a terminal
    root: str = ""  # the folder file paths are relative to (SARIF makes them relative to its git work tree)
    list_certificates: bool = False  # text and JSON: list every certificate found (default: counts only)
    list_skipped: bool = False  # text and JSON: list every skipped file (default: counts by reason)
    summary: bool = True  # text format only: the summary block and "No secrets found." (off with --quiet)


class Reporter(Protocol):
    def __call__(self, report: ScanReport, out: TextIO, options: ReportOptions) -> None: ...
