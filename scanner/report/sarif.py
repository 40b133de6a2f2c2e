"""SARIF 2.1.0 for GitHub code scanning (plain dicts and ``json``; sarif-om is not used).

Locations name the outermost origin (the file in the repository, relative to ``%SRCROOT%``): an archive
member is reported on its archive, and its inner path is in the message and ``properties.inner_path``.
Certificates found (the report's inventory: public, not leaks) are not results, so they raise no
code-scanning alert; they are listed in ``runs[0].properties.certificates`` (the JSON report's
certificate objects).

``partialFingerprints["credsprawl/v1"]`` is the finding's fingerprint, which ignores line numbers, so
an alert survives code moving; no line-based hash is emitted. Other places where the same secret
was seen are ``relatedLocations`` (at most 50; ``properties.occurrences`` counts them all).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from scanner.model import Finding, Origin, Rule, redact
from scanner.report._common import (
    TOOL_NAME,
    finite,
    inner_path,
    origin_extra,
    shown_line,
    summary_object,
    tool_version,
)
from scanner.report.json_report import certificate_object
from scanner.report.options import ReportOptions
from scanner.report.sarif_rules import descriptor, run_rules
from scanner.results import ScanReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/credsprawl/credsprawl"
FINGERPRINT_KEY = "credsprawl/v1"
SRCROOT = "%SRCROOT%"
MAX_RELATED = 50


def write_sarif(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    json.dump(sarif_log(report, options), out, indent=2, allow_nan=False)
    out.write("\n")


def sarif_log(report: ScanReport, options: ReportOptions) -> dict[str, Any]:
    rules = run_rules(report)
    index = {rule.id: i for i, rule in enumerate(rules)}
    places: dict[str, list[int]] = {}
    for i, f in enumerate(report.findings):
        places.setdefault(f.fingerprint, []).append(i)
    results = [
        _result(i, f, rules[index[f.rule_id]], index[f.rule_id], report, places[f.fingerprint], options)
        for i, f in enumerate(report.findings)
    ]
    version = tool_version(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": [descriptor(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"summary": summary_object(report)},
    }
    if report.inventory:
        run["properties"]["certificates"] = [certificate_object(f) for f in report.inventory]
    if options.root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(options.root)}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def root_uri(root: str) -> str:
    """``file:///abs/path/``: the absolute scan root as a file URI with a trailing slash."""
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(origin: Origin) -> dict[str, str]:
    """The outermost origin as a URI reference: relative to %SRCROOT%, ``/``-separated, percent-encoded."""
    path = origin.root.path.replace("\\", "/")
    if path.startswith("/"):
        return {"uri": "file://" + quote(path, safe="/")}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _region(finding: Finding, snippet: str) -> dict[str, Any]:
    start_line = max(1, finding.start_line)
    region: dict[str, Any] = {
        "startLine": start_line,
        "startColumn": max(1, finding.start_column),
        "endLine": max(start_line, finding.end_line),
        "endColumn": max(1, finding.end_column),
    }
    if snippet:
        region["snippet"] = {"text": snippet}
    return region


def _physical(finding: Finding, show: bool) -> dict[str, Any]:
    return {
        "artifactLocation": artifact_location(finding.origin),
        "region": _region(finding, shown_line(finding, show)),
    }


def _message(rule: Rule, finding: Finding, show: bool) -> str:
    text = f"{rule.name or rule.id} {redact(finding.secret, show)} found in {finding.origin.render()}"
    commit = origin_extra(finding.origin).get("commit")
    return f"{text} (commit {commit})" if commit else text


def _related(me: int, places: list[int], report: ScanReport, show: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in places:
        if i == me:
            continue
        other = report.findings[i]
        nested = inner_path(other.origin)
        out.append(
            {
                "id": len(out) + 1,
                "physicalLocation": _physical(other, show),
                "message": {"text": f"same secret in {other.origin.render()}" if nested else "same secret"},
            }
        )
        if len(out) == MAX_RELATED:
            break
    return out


def _properties(rule: Rule, finding: Finding, occurrences: int, show: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "confidence": finding.confidence.value,
        "validation": finding.validation.value,
        "entropy": finite(finding.entropy),
        "fingerprint": finding.fingerprint,
        "kind": rule.kind,
        "provider": rule.provider,
        "origin": finding.origin.render(),
        "decoded": list(finding.decoded),
        "attributes": dict(finding.attributes),
        "occurrences": occurrences,
    }
    nested = inner_path(finding.origin)
    if nested:
        props["inner_path"] = nested
    if finding.companion is not None:
        props["companion"] = {"rule_id": finding.companion[0], "secret": redact(finding.companion[1], show)}
    for key, value in origin_extra(finding.origin).items():
        props[f"git.{key}"] = value
    return props


def _result(
    me: int,
    finding: Finding,
    rule: Rule,
    rule_index: int,
    report: ScanReport,
    places: list[int],
    options: ReportOptions,
) -> dict[str, Any]:
    show = options.show_secrets
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.severity.sarif_level,
        "message": {"text": _message(rule, finding, show)},
        "locations": [{"physicalLocation": _physical(finding, show)}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": _properties(rule, finding, len(places), show),
    }
    related = _related(me, places, report, show)
    if related:
        result["relatedLocations"] = related
    return result


def _invocation(report: ScanReport) -> dict[str, Any]:
    notes = [{"level": "warning", "message": {"text": w}} for w in report.summary.warnings]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation
