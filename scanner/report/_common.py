"""Helpers the reporters share: tool identity, redacted context lines, origin facts, the summary."""

from __future__ import annotations

import math
from typing import Any

import scanner
from scanner.model import Origin, shown_line  # noqa: F401 - shown_line: where the reporters import it
from scanner.results import ScanReport

TOOL_NAME = "credsprawl"


def tool_version(report: ScanReport) -> str:
    return report.tool_version or scanner.__version__


def origin_extra(origin: Origin) -> dict[str, str]:
    """Source facts (commit, author, date ...) of the whole chain; an inner origin's value wins."""
    out: dict[str, str] = {}
    for node in origin.chain():
        out.update(node.extra)
    return out


def inner_path(origin: Origin) -> str:
    """The part of the rendered path below the root (``lib/app.jar!config/app.properties``), or ''."""
    return "!".join(o.path for o in origin.chain()[1:])


def finite(value: float, digits: int = 3) -> float | None:
    """A float rounded for output, or None when it is NaN or infinite (JSON has neither)."""
    return round(value, digits) if math.isfinite(value) else None


def summary_object(report: ScanReport) -> dict[str, Any]:
    summary = report.summary
    return {
        "files_scanned": summary.files_scanned,
        "bytes_scanned": summary.bytes_scanned,
        "seconds": finite(summary.seconds),
        "mb_per_second": finite(summary.mb_per_second),
        "findings": len(report.findings),
        "unique_secrets": len(report.occurrences()),
        "by_severity": report.by_severity(),
        "skipped_by_reason": summary.skipped_by_reason(),
        "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail} for s in summary.skipped],
        "warnings": list(summary.warnings),
    }
