"""SARIF 2.1.0 for GitHub code scanning (plain dicts and ``json``; sarif-om is not used).

Locations name the outermost origin (the file in the repository, relative to ``%SRCROOT%``): an archive
member is reported on its archive, and its inner path is in the message and ``properties.inner_path``.

``%SRCROOT%`` is the top of the git work tree that holds the scan root (found by walking up to the
first ``.git``), so ``credsprawl scan ci`` from anywhere in a repository writes ``ci/deploy.env``, the
path GitHub knows; outside a work tree it is the working directory when the scan root is below it,
else the scan root (a file outside ``%SRCROOT%``, named by an absolute path, is a ``file://`` URI). Findings from git history (and other non-file sources) keep their
repository-relative path. A URI's path is percent-encoded bytes (RFC 3986): a file name that is not
UTF-8 is reported (``f%FF.txt``), never a crash; text fields write such bytes as ``\\udcff``.

GitHub code scanning keeps at most ``MAX_RESULTS`` results per run and accepts files up to
``MAX_GZIP_BYTES`` gzipped: when a run is larger, the lowest-severity results are left out first (scan
order among equals), one line on stderr and an invocation notification say how many, and the JSON
report still has every finding. Only the rules that have results are embedded. Run properties carry
counts (findings by severity, skipped files by reason, certificates found, expired and expiring), not
lists: the JSON report lists skipped files and certificates when asked.

With ``--verify``, ``properties.verification`` holds what the provider said (as in the JSON report).

``partialFingerprints["credsprawl/v1"]`` is the finding's fingerprint, which ignores line numbers, so
an alert survives code moving; no line-based hash is emitted. Other places where the same secret
was seen are ``relatedLocations`` of its first occurrence (at most 50; ``properties.occurrences`` counts
them all); every later occurrence relates to the first only, so a report grows linearly with copies.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from pathlib import Path
from typing import Any, Sequence, TextIO

from scanner.model import Finding, Origin, Rule, Severity, redact
from scanner.report._common import (
    TOOL_NAME,
    finite,
    inner_path,
    origin_extra,
    shown_line,
    summary_object,
    tool_version,
)
from scanner.report.certs import certificate_counts
from scanner.report.escape import deep_no_surrogates, uri_path
from scanner.report.options import ReportOptions
from scanner.report.sarif_rules import descriptor, run_rules
from scanner.results import ScanReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/credsprawl/credsprawl"
FINGERPRINT_KEY = "credsprawl/v1"
SRCROOT = "%SRCROOT%"
MAX_RELATED = 50
MAX_RESULTS = 25_000  # GitHub code scanning: results per run
MAX_GZIP_BYTES = 10 * 1000 * 1000  # GitHub code scanning: an upload, gzipped (10 MB; kept under with a margin)
_SIZE_MARGIN = 0.9
_SEVERITY_ORDER = {s: n for n, s in enumerate(Severity)}  # critical first


def write_sarif(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    text, note = sarif_text(report, options)
    if note:
        print(f"credsprawl: warning: {note}", file=sys.stderr)
    out.write(text)
    out.write("\n")


def sarif_text(report: ScanReport, options: ReportOptions) -> tuple[str, str]:
    """The SARIF log as JSON text within GitHub's limits, and a one-line note of what was left out
    ('' when nothing was)."""
    where = SourceRoot.of(options.root)
    places: dict[str, list[int]] = {}
    for i, f in enumerate(report.findings):
        places.setdefault(f.fingerprint, []).append(i)
    rules_by_id = {rule.id: rule for rule in run_rules(report)}
    total = len(report.findings)
    order = sorted(range(total), key=lambda i: (_SEVERITY_ORDER[report.findings[i].severity], i))
    keep = order[:MAX_RESULTS]
    results = {  # only the results that can be kept are built
        i: _result(i, report.findings[i], rules_by_id[report.findings[i].rule_id], report,
                   places[report.findings[i].fingerprint], options, where)
        for i in keep
    }
    while True:
        log = _log(report, options, where, results, sorted(keep), rules_by_id, total)
        note = _left_out(report, keep)
        if note:
            log["runs"][0]["invocations"][0].setdefault("toolExecutionNotifications", []).append(
                {"level": "warning", "message": {"text": note}})
        text = _dumps(log)
        size = len(zlib.compress(text.encode("utf-8"), 1))  # level 1 compresses less than gzip's default
        if size <= MAX_GZIP_BYTES * _SIZE_MARGIN or not keep:
            return text, note
        keep = keep[: min(len(keep) - 1, int(len(keep) * MAX_GZIP_BYTES * _SIZE_MARGIN * 0.95 / size))]


def _dumps(log: dict[str, Any]) -> str:
    """Compact UTF-8 JSON; lone surrogates (file-name bytes that are not UTF-8) written as ``\\udcff`` text."""
    text = json.dumps(log, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(deep_no_surrogates(log), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text


def _log(report: ScanReport, options: ReportOptions, where: SourceRoot, results: dict[int, dict[str, Any]],
         keep: Sequence[int], rules_by_id: dict[str, Rule], total: int) -> dict[str, Any]:
    kept = [results[i] for i in keep]
    used = sorted({r["ruleId"] for r in kept})
    index = {rule_id: n for n, rule_id in enumerate(used)}
    for result in kept:
        result["ruleIndex"] = index[result["ruleId"]]
    summary = {k: v for k, v in summary_object(report).items() if k != "skipped"}
    summary["results"] = len(kept)
    summary["results_left_out"] = total - len(kept)
    properties: dict[str, Any] = {"summary": summary}
    if report.inventory:
        properties["certificates"] = certificate_counts(report.inventory)
    version = tool_version(report)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": [descriptor(rules_by_id[rule_id]) for rule_id in used],
            }
        },
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": kept,
        "properties": properties,
    }
    if options.root:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(str(where.srcroot))}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _left_out(report: ScanReport, keep: Sequence[int]) -> str:
    dropped = len(report.findings) - len(keep)
    if not dropped:
        return ""
    kept = set(keep)
    counts: dict[str, int] = {}
    for i, f in enumerate(report.findings):
        if i not in kept:
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    by = ", ".join(f"{counts[s.value]:,} {s.value}" for s in Severity if s.value in counts)
    return (f"SARIF holds {len(keep):,} of {len(report.findings):,} results: {dropped:,} left out ({by}), lowest "
            f"severity first, to stay within GitHub code scanning limits ({MAX_RESULTS:,} results per run, "
            f"{MAX_GZIP_BYTES // 1_000_000} MB gzipped); the JSON report lists every finding")


def work_tree_top(path: Path) -> Path | None:
    """The top of the git work tree holding ``path`` (the first folder up with a ``.git``), or None."""
    for folder in (path, *path.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


class SourceRoot:
    """Where ``%SRCROOT%`` is, and how a finding's outermost origin becomes a URI relative to it."""

    def __init__(self, base: Path | None, srcroot: Path) -> None:
        self.base = base  # the folder file origins' paths are relative to (None: take them as they are)
        self.srcroot = srcroot

    @classmethod
    def of(cls, root: str) -> SourceRoot:
        if not root:
            return cls(None, Path.cwd())
        base = Path(os.path.abspath(root)).resolve()
        top = work_tree_top(base)
        if top is not None:
            return cls(base, top)
        cwd = Path.cwd().resolve()
        if base == cwd or cwd in base.parents:  # the scan root is below the working directory
            return cls(base, cwd)
        return cls(base, base)

    def location(self, origin: Origin) -> dict[str, str]:
        outer = origin.root
        path = outer.path.replace("\\", "/")
        if self.base is not None and outer.kind == "file":
            full = os.path.normpath(os.path.join(self.base, path))
            rel = os.path.relpath(full, self.srcroot)
            if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
                return {"uri": "file://" + uri_path(full)}
            path = rel.replace(os.sep, "/")
        if path.startswith("/"):
            return {"uri": "file://" + uri_path(path)}
        return {"uri": uri_path(path), "uriBaseId": SRCROOT}


def root_uri(root: str) -> str:
    """``file:///abs/path/``: the absolute scan root as a file URI with a trailing slash."""
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


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


def _physical(finding: Finding, show: bool, where: SourceRoot) -> dict[str, Any]:
    return {
        "artifactLocation": where.location(finding.origin),
        "region": _region(finding, shown_line(finding, show)),
    }


def _message(rule: Rule, finding: Finding, show: bool) -> str:
    text = f"{rule.name or rule.id} {redact(finding.secret, show)} found in {finding.origin.render()}"
    commit = origin_extra(finding.origin).get("commit")
    return f"{text} (commit {commit})" if commit else text


def _related(me: int, places: list[int], report: ScanReport, show: bool, where: SourceRoot) -> list[dict[str, Any]]:
    """The other places of the same secret: the first occurrence lists up to ``MAX_RELATED`` of them,
    every later one points back to the first only, so a secret copied N times costs O(N) locations,
    not O(N * MAX_RELATED) (``properties.occurrences`` still counts them all)."""
    out: list[dict[str, Any]] = []
    for i in places if me == places[0] else places[:1]:
        if i == me:
            continue
        other = report.findings[i]
        nested = inner_path(other.origin)
        out.append(
            {
                "id": len(out) + 1,
                "physicalLocation": _physical(other, show, where),
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
    if finding.verification is not None:
        props["verification"] = finding.verification.to_json()
    return props


def _result(
    me: int,
    finding: Finding,
    rule: Rule,
    report: ScanReport,
    places: list[int],
    options: ReportOptions,
    where: SourceRoot,
) -> dict[str, Any]:
    show = options.show_secrets
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": 0,  # set once the rules of the kept results are known
        "level": finding.severity.sarif_level,
        "message": {"text": _message(rule, finding, show)},
        "locations": [{"physicalLocation": _physical(finding, show, where)}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": _properties(rule, finding, len(places), show),
    }
    related = _related(me, places, report, show, where)
    if related:
        result["relatedLocations"] = related
    return result


def _invocation(report: ScanReport) -> dict[str, Any]:
    notes = [{"level": "warning", "message": {"text": w}} for w in report.summary.warnings]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation
