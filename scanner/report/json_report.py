"""JSON and JSON Lines reports.

``json`` writes one document (UTF-8 text; non-ASCII escaped, so it is valid whatever the stream's
encoding)::

    {
      "version": 3,                       # format version; bumped when the shape changes
      "tool": {"name": "credsprawl", "version": "0.1.0"},
      "summary": {
        "files_scanned": int, "bytes_scanned": int,
        "seconds": float | null, "mb_per_second": float | null,     # rounded to 3 places
        "findings": int,                  # number of finding objects below
        "unique_secrets": int,            # number of distinct fingerprints
        "by_severity": {"critical": int, "high": int, "medium": int, "low": int},
        "skipped_by_reason": {reason: int},                         # sorted by reason
        "skipped": [{"path": str, "reason": str, "detail": str}],   # only with --list-skipped
        "certificates": {"total": int, "expired": int, "expiring": int},   # expiring: within 30 days
        "warnings": [str]
      },
      "findings": [finding, ...],         # in scan order (deterministic)
      "certificates": [certificate, ...]  # only with --list-certificates: the certificate inventory
    }                                     # (not leaks, never in "findings")

Version 2 (was 1): skipped files and certificates are counts by default (a site-packages tree made
a 730 KB report for 4 findings); ``--list-skipped`` and ``--list-certificates`` add the lists, in
the version 1 shape. ``credsprawl report`` reads certificates only from results that list them.
Version 3 (was 2): each finding has ``verification`` (null unless ``--verify``) and ``remediation``.

``jsonl`` writes one finding object per line and nothing else.

A finding object::

    {
      "rule_id": str, "rule_name": str,               # rule_name falls back to rule_id
      "kind": str | null, "provider": str | null,     # null when the rule is not in the report
      "severity": "critical" | "high" | "medium" | "low",
      "confidence": "high" | "medium" | "low",
      "path": str,                                    # Origin.render(): "a.tar.gz!lib/x.jar!app.conf"
      "origin": [{"path": str, "kind": str, "extra": {str: str}}],   # outermost first
      "start_line": int, "start_column": int,         # 1-based
      "end_line": int, "end_column": int,             # end_column exclusive
      "fingerprint": str,                             # same credential anywhere -> same value
      "entropy": float | null,                        # rounded to 3 places
      "validation": "checksum-valid" | "structure-valid" | "unchecked",
      "secret": str,                                  # redacted unless --show-secrets
      "line": str,                                    # context line, secret redacted likewise
      "decoded": [str],                               # decoding chain, outermost first
      "companion": {"rule_id": str, "secret": str} | null,   # secret redacted likewise
      "attributes": {str: str},                       # derived facts (account id, key type ...)
      "occurrences": int,                             # findings in this report with this fingerprint
      "verification": verification | null,            # what the provider said (--verify), else null
      "remediation": str                              # where and how it is revoked or rotated (the rule's
                                                      # console URL pattern / CLI command, else a default by kind)
    }

A verification object (``scanner.verify.result.Verification``; it never holds the secret)::

    {
      "status": "live" | "invalid" | "unknown" | "error" | "skipped",
      "provider": str,                                # the endpoint key: "github", "aws" ... ("" no verifier)
      "checked_at": str,                              # UTC, ISO 8601
      "endpoint_host": str,                           # host[:port] asked ("" when nothing was sent)
      "identity": [{"key": str, "value": str}],       # as the provider reported it: login, account, arn ...
      "permissions": [str],                           # scopes, policies, mode, where the provider says
      "reason": str                                   # only when there is something to say
    }

A certificate object (certificates are public: no secret, no context line)::

    {
      "rule_id": str, "path": str, "origin": [...],   # as in a finding
      "start_line": int, "start_column": int, "end_line": int, "end_column": int,
      "fingerprint": str,
      "attributes": {str: str}                        # cert.subject, cert.issuer, cert.sans, cert.serial,
                                                      # cert.not_before, cert.not_after, cert.expired,
                                                      # cert.spki_sha256, cert.sha256
    }
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from scanner.model import Finding, redact
from scanner.report._common import TOOL_NAME, finite, shown_line, summary_object, tool_version
from scanner.report.certs import certificate_counts
from scanner.report.jsondoc import write_document
from scanner.report.options import ReportOptions
from scanner.report.remediation import remediation
from scanner.results import ScanReport

FORMAT_VERSION = 3


def _place(finding: Finding) -> dict[str, Any]:
    """Where a finding is and which credential it is: the keys findings and certificates share."""
    return {
        "path": finding.origin.render(),
        "origin": [{"path": o.path, "kind": o.kind, "extra": dict(o.extra)} for o in finding.origin.chain()],
        "start_line": finding.start_line,
        "start_column": finding.start_column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "fingerprint": finding.fingerprint,
    }


def finding_object(finding: Finding, report: ScanReport, show: bool, occurrences: int) -> dict[str, Any]:
    rule = report.rules.get(finding.rule_id)
    companion = None
    if finding.companion is not None:
        companion = {"rule_id": finding.companion[0], "secret": redact(finding.companion[1], show)}
    return {
        "rule_id": finding.rule_id,
        "rule_name": rule.name if rule else finding.rule_id,
        "kind": rule.kind if rule else None,
        "provider": rule.provider if rule else None,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        **_place(finding),
        "entropy": finite(finding.entropy),
        "validation": finding.validation.value,
        "secret": redact(finding.secret, show),
        "line": shown_line(finding, show),
        "decoded": list(finding.decoded),
        "companion": companion,
        "attributes": dict(finding.attributes),
        "occurrences": occurrences,
        "verification": finding.verification.to_json() if finding.verification is not None else None,
        "remediation": remediation(rule, rule.kind if rule else None),
    }


def certificate_object(finding: Finding) -> dict[str, Any]:
    """One entry of the certificate inventory (shared by the SARIF reporter's run properties)."""
    return {
        "rule_id": finding.rule_id,
        **_place(finding),
        "attributes": dict(finding.attributes),
    }


def finding_objects(report: ScanReport, options: ReportOptions) -> list[dict[str, Any]]:
    counts = {fp: len(found) for fp, found in report.occurrences().items()}
    return [finding_object(f, report, options.show_secrets, counts[f.fingerprint]) for f in report.findings]


def summary_counts(report: ScanReport, options: ReportOptions) -> dict[str, Any]:
    """The run summary: counts, and the list of skipped files only when asked."""
    summary = summary_object(report)
    if not options.list_skipped:
        del summary["skipped"]
    warnings = summary.pop("warnings")
    summary["certificates"] = certificate_counts(report.inventory)
    summary["warnings"] = warnings
    return summary


def write_json(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version(report)},
        "summary": summary_counts(report, options),
        "findings": finding_objects(report, options),
    }
    if options.list_certificates:
        document["certificates"] = [certificate_object(f) for f in report.inventory]
    write_document(document, out)


def write_jsonl(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    for obj in finding_objects(report, options):
        out.write(json.dumps(obj, allow_nan=False, separators=(",", ":")))
        out.write("\n")
