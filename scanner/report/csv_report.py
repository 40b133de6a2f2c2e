"""CSV report: a header row, then one row per finding in scan order. Secrets are redacted unless
``show_secrets``. Lines end with ``\\n``; fields are quoted by the csv module when needed.

Every field is neutralised (``scanner.report.escape.csv_cell``): control characters are written as
backslash escapes, so one row is one physical line and no line can start with a workflow command
(``::``); a field starting with ``=``, ``+``, ``-``, ``@``, tab or CR is prefixed with ``'``."""

from __future__ import annotations

import csv
from typing import TextIO

from scanner.model import redact
from scanner.report.escape import csv_cell
from scanner.report.options import ReportOptions
from scanner.report.remediation import remediation
from scanner.results import ScanReport

COLUMNS = (
    "rule_id",
    "severity",
    "confidence",
    "path",
    "start_line",
    "start_column",
    "end_line",
    "end_column",
    "fingerprint",
    "secret",
    "validation",
    "kind",
    "provider",
    "verification",  # what the provider said (--verify): live, invalid, unknown, error, skipped; '' not asked
    "remediation",  # where and how it is revoked or rotated
)


def write_csv(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in report.findings:
        rule = report.rules.get(f.rule_id)
        writer.writerow(
            csv_cell(value)
            for value in (
                f.rule_id,
                f.severity.value,
                f.confidence.value,
                f.origin.render(),
                f.start_line,
                f.start_column,
                f.end_line,
                f.end_column,
                f.fingerprint,
                redact(f.secret, options.show_secrets),
                f.validation.value,
                rule.kind if rule else "",
                rule.provider if rule else "",
                f.verification.status if f.verification is not None else "",
                remediation(rule),
            )
        )
