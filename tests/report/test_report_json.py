"""JSON and JSON Lines: the documented document shape, every field round-tripped."""

from __future__ import annotations

import base64
import json
import math
import random
from typing import Any

from test_report_support import RULES, SUMMARY, fake_secret, make_finding, make_report, output, scenario

from scanner.model import Finding, Origin, redact

FINDING_KEYS = [
    "rule_id", "rule_name", "kind", "provider", "severity", "confidence", "path", "origin",
    "start_line", "start_column", "end_line", "end_column", "fingerprint", "entropy", "validation",
    "secret", "line", "decoded", "companion", "attributes", "occurrences", "verification", "remediation",
]


def document(report: Any, **options: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(output("json", report, **options))
    return doc


def test_document_header_and_summary() -> None:
    doc = document(scenario().report)
    assert list(doc) == ["version", "tool", "summary", "findings"]
    assert doc["version"] == 3
    assert doc["tool"] == {"name": "credsprawl", "version": "1.2.3"}
    counts = {
        "files_scanned": 42,
        "bytes_scanned": 3_500_000,
        "seconds": 1.75,
        "mb_per_second": 2.0,
        "findings": 7,
        "unique_secrets": 6,
        "by_severity": {"critical": 1, "high": 4, "medium": 1, "low": 1},
        "skipped_by_reason": {"binary": 2, "too-large": 1},
        "certificates": {"total": 0, "expired": 0, "expiring": 0},
        "warnings": list(SUMMARY.warnings),
    }
    assert doc["summary"] == counts  # counts only by default
    listed = document(scenario().report, list_skipped=True, list_certificates=True)
    assert list(listed) == ["version", "tool", "summary", "findings", "certificates"]
    assert listed["certificates"] == []
    assert listed["summary"] == {
        "files_scanned": 42,
        "bytes_scanned": 3_500_000,
        "seconds": 1.75,
        "mb_per_second": 2.0,
        "findings": 7,
        "unique_secrets": 6,
        "by_severity": {"critical": 1, "high": 4, "medium": 1, "low": 1},
        "skipped_by_reason": {"binary": 2, "too-large": 1},
        "skipped": [
            {"path": "img/logo.png", "reason": "binary", "detail": ""},
            {"path": "dump.sql", "reason": "too-large", "detail": "12 MB > 10 MB"},
            {"path": "bin/tool", "reason": "binary", "detail": ""},
        ],
        "certificates": {"total": 0, "expired": 0, "expiring": 0},
        "warnings": list(SUMMARY.warnings),
    }


def check_round_trip(obj: dict[str, Any], finding: Finding, occurrences: int, show: bool) -> None:
    rule = {r.id: r for r in RULES}[finding.rule_id]
    assert list(obj) == FINDING_KEYS
    assert obj["rule_id"] == finding.rule_id
    assert (obj["rule_name"], obj["kind"], obj["provider"]) == (rule.name, rule.kind, rule.provider)
    assert obj["severity"] == finding.severity.value
    assert obj["confidence"] == finding.confidence.value
    assert obj["path"] == finding.origin.render()
    rebuilt: Origin | None = None
    for node in obj["origin"]:
        rebuilt = Origin(node["path"], node["kind"], rebuilt, tuple(node["extra"].items()))
    assert rebuilt == finding.origin
    assert (obj["start_line"], obj["start_column"], obj["end_line"], obj["end_column"]) == (
        finding.start_line, finding.start_column, finding.end_line, finding.end_column)
    assert obj["fingerprint"] == finding.fingerprint
    assert obj["entropy"] == round(finding.entropy, 3)
    assert obj["validation"] == finding.validation.value
    assert obj["secret"] == redact(finding.secret, show)
    assert obj["decoded"] == list(finding.decoded)
    if finding.companion is None:
        assert obj["companion"] is None
    else:
        assert obj["companion"] == {"rule_id": finding.companion[0], "secret": redact(finding.companion[1], show)}
    assert tuple(obj["attributes"].items()) == finding.attributes
    assert obj["occurrences"] == occurrences
    assert obj["verification"] == (finding.verification.to_json() if finding.verification is not None else None)
    if show:
        assert obj["line"] == finding.line_text


def test_every_finding_field_round_trips() -> None:
    scen = scenario()
    counts = {fp: len(v) for fp, v in scen.report.occurrences().items()}
    for show in (False, True):
        doc = document(scen.report, show_secrets=show)
        assert len(doc["findings"]) == len(scen.report.findings)
        for obj, finding in zip(doc["findings"], scen.report.findings):
            check_round_trip(obj, finding, counts[finding.fingerprint], show)


def test_order_is_kept() -> None:
    scen = scenario()
    assert [o["path"] for o in document(scen.report)["findings"]] == [f.path for f in scen.report.findings]


def test_redacted_line_keeps_its_context() -> None:
    scen = scenario()
    by_path = {o["path"]: o for o in document(scen.report)["findings"]}
    assert by_path["config/app.py"]["line"] == f'    token = "{redact(scen.repeated)}"'
    assert by_path["db/settings.py"]["line"] == f'DSN = "postgres://app:{redact(scen.dsn)}@db/x"'
    assert by_path["ci/job.yml"]["line"] == f'  blob: "{redact(scen.decoded)}"'  # encoded form masked
    assert by_path["keys/ключ id.yaml"]["line"] == f"  token: {redact(scen.multiline)}"


def test_context_is_dropped_when_the_secret_cannot_be_located() -> None:
    rng = random.Random(9)
    secret = fake_secret(rng)
    encoded = base64.b64encode(secret.encode()).decode()
    finding = make_finding(secret, "a.txt", column=900, end_column=960, decoded=("base64",),
                           line_text=f"x = {encoded}")
    obj = json.loads(output("json", make_report([finding], RULES)))["findings"][0]
    assert obj["line"] == redact(secret)


def test_occurrences_count_the_repeated_secret() -> None:
    by_path = {o["path"]: o for o in document(scenario().report)["findings"]}
    assert by_path["config/app.py"]["occurrences"] == 2
    assert by_path["src/other file.py"]["occurrences"] == 2
    assert by_path["ci/job.yml"]["occurrences"] == 1


def test_unknown_rule_and_non_finite_entropy() -> None:
    finding = make_finding(fake_secret(random.Random(1)), "a.txt", rule_id="ghost", entropy=math.nan)
    text = output("json", make_report([finding], []))
    assert "NaN" not in text
    obj = json.loads(text)["findings"][0]
    assert (obj["rule_name"], obj["kind"], obj["provider"], obj["entropy"]) == ("ghost", None, None, None)


def test_empty_report() -> None:
    doc = document(make_report([], RULES))
    assert doc["findings"] == []
    assert doc["summary"]["findings"] == 0
    assert output("jsonl", make_report([], RULES)) == ""


def test_jsonl_is_one_finding_object_per_line() -> None:
    scen = scenario()
    text = output("jsonl", scen.report)
    lines = text.splitlines()
    assert text.endswith("\n")
    assert len(lines) == len(scen.report.findings) == 7
    objects = [json.loads(line) for line in lines]
    assert objects == document(scen.report)["findings"]
    assert all("summary" not in o and "version" not in o for o in objects)
