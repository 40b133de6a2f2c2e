"""The options every reporter takes, and the shape a reporter has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TextIO

from scanner.results import ScanReport


@dataclass(frozen=True)
class ReportOptions:
    show_secrets: bool = False  # default: secrets redacted in every format
    color: bool = False  # text format only: colour when writing to a terminal
    root: str = ""  # the scan root, informational (SARIF originalUriBaseIds uses it)
    summary: bool = True  # text format only: the summary block and "No secrets found." (off with --quiet)


class Reporter(Protocol):
    def __call__(self, report: ScanReport, out: TextIO, options: ReportOptions) -> None: ...
