"""Helpers the reporters share: tool identity, redacted context lines, origin facts, the summary."""

from __future__ import annotations

import math
from typing import Any

import scanner
from scanner import masking
from scanner.model import Finding, Origin, redact
from scanner.results import ScanReport

TOOL_NAME = "credsprawl"


def tool_version(report: ScanReport) -> str:
    return report.tool_version or scanner.__version__


def shown_line(finding: Finding, show: bool) -> str:
    """The finding's context line as reports show it: with ``show``, as it was; else the line with
    every secret found on it masked, made once when the finding was finalised (``scanner.masking``).

    A finding built without that line (by hand, or read from elsewhere) gets its own secret masked
    here: the secret is found by its text on the line; when it is not there verbatim (a decoded
    secret sits on the line encoded, a multi-line secret only starts on it) the column span is
    masked. When neither locates it, no context is given rather than risk printing the secret.
    """
    text = finding.line_text
    if show or not text:
        return text
    if finding.masked_line is not None:
        return finding.masked_line
    mask = redact(finding.secret)
    needles = masking.needles(finding.secret)
    if finding.decoded or not any(n in text for n in needles):
        masked = _mask_span(text, finding, mask)
        if masked is None:
            return mask
        text = masked
    for needle in needles:
        text = text.replace(needle, mask)
    return text


def _mask_span(text: str, finding: Finding, mask: str) -> str | None:
    start = finding.start_column - 1
    end = finding.end_column - 1 if finding.end_line == finding.start_line else len(text)
    if start < 0 or start >= len(text) or end <= start:
        return None
    return text[:start] + mask + text[min(end, len(text)) :]


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
