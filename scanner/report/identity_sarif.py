"""The identity report as SARIF 2.1.0: one result per place a credential was seen, carrying the
credential's identity, owner, lifecycle and sprawl in ``properties``; ``partialFingerprints`` is the
credential's fingerprint, so every place of one credential is one alert family in code scanning."""

from __future__ import annotations

import json
from typing import Any, TextIO

from scanner.model import Confidence, Rule, Severity
from scanner.report.sarif import FINGERPRINT_KEY, INFORMATION_URI, SCHEMA_URI
from scanner.report.escape import deep_no_surrogates, uri_path
from scanner.report.sarif_rules import descriptor

import scanner

_CARRIED = ("identity", "identity_name", "owner", "owner_source", "candidate", "match", "first_seen", "removed",
            "present", "exposure_days", "priority", "fingerprints", "rules", "sprawl", "shared", "shared_by", "path_owners", "rotation_overdue", "age_days",
            "max_age_days", "cert_expired", "cert_expires_in_days", "remediation", "attributes", "kind", "provider",
            "confidence", "identity_source", "verification", "verified", "provider_identity", "disagreements", "revoke")


def _rule(cred: dict[str, Any]) -> Rule:
    severity = Severity(cred["severity"]) if cred["severity"] in Severity._value2member_map_ else Severity.MEDIUM
    confidence = Confidence(cred["confidence"]) if cred["confidence"] in Confidence._value2member_map_ else Confidence.MEDIUM
    return Rule(id=cred["rule_id"], name=cred["rule_name"] or cred["rule_id"], kind=cred["kind"] or "secret",
                provider=cred["provider"] or "", severity=severity, confidence=confidence, keywords=(), regex="",
                remediation=cred.get("revoke") or "")


def _message(cred: dict[str, Any], loc: dict[str, Any]) -> str:
    who = cred["identity"] or "an unknown identity"
    owner = f", owner {cred['owner']['team']}" if cred["owner"] else ""
    said = {"live": " (live, verified)", "invalid": " (invalid: revoked or rotated)"}.get(cred.get("verified") or "", "")
    text = f"{cred['rule_name']} {cred['secret']}{said} of {who}{owner} in {loc['path']}"
    if cred["exposure_days"] is not None:
        text += f"; exposed {cred['exposure_days']} day(s)"
    if cred["shared"]:
        text += "; shared by " + ", ".join(cred["shared_by"])
    return text


def sarif_document(doc: dict[str, Any]) -> dict[str, Any]:
    rules: dict[str, Rule] = {}
    for cred in doc["credentials"]:
        rules.setdefault(cred["rule_id"], _rule(cred))
    ordered = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    results = []
    for cred in doc["credentials"]:
        rule = rules[cred["rule_id"]]
        carried = {key: cred[key] for key in _CARRIED if key in cred}
        for loc in cred["locations"]:
            outer = loc["path"].split("!", 1)[0]
            region = {"startLine": max(1, int(loc["line"] or 1)), "startColumn": max(1, int(loc["column"] or 1))}
            props = {"fingerprint": cred["fingerprint"], **carried, "repository": loc["repository"],
                     "path": loc["path"], "commit": loc["commit"], "date": loc["date"], "status": loc["status"],
                     "ref": loc["ref"]}
            results.append({
                "ruleId": cred["rule_id"], "ruleIndex": index[cred["rule_id"]], "level": rule.severity.sarif_level,
                "message": {"text": _message(cred, loc)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri_path(outer)},
                                                    "region": region}}],
                "partialFingerprints": {FINGERPRINT_KEY: cred["fingerprint"]},
                "properties": props,
            })
    run = {
        "tool": {"driver": {"name": "credsprawl", "version": scanner.__version__, "informationUri": INFORMATION_URI,
                            "rules": [descriptor(rules[r]) for r in ordered]}},
        "invocations": [{"executionSuccessful": True}],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"kind": doc["kind"], "now": doc["now"], "summary": doc["summary"], "sources": doc["sources"],
                       "inventory": doc["inventory"]},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write_report_sarif(doc: dict[str, Any], out: TextIO) -> None:
    json.dump(deep_no_surrogates(sarif_document(doc)), out, indent=2, allow_nan=False)
    out.write("\n")
