"""Credsprawl JSON results written by hand, for the identity report's tests: finding objects in the
shape of scanner.report.json_report, with the attributes and git facts a test needs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from gitutil import cli_inprocess


def finding(secret_id: str, path: str = "app.py", *, rule_id: str = "generic-api-key", kind: str = "api-key",
            provider: str | None = None, severity: str = "high", attributes: dict[str, str] | None = None,
            git: dict[str, str] | None = None, line: int = 1) -> dict[str, Any]:
    """A finding object; ``secret_id`` names the credential (its fingerprint is derived from it)."""
    return {
        "rule_id": rule_id, "rule_name": rule_id.replace("-", " "), "kind": kind, "provider": provider,
        "severity": severity, "confidence": "high", "path": path,
        "origin": [{"path": path.split("!", 1)[0], "kind": "git-blob" if git else "file", "extra": dict(git or {})}],
        "start_line": line, "start_column": 5, "end_line": line, "end_column": 25,
        "fingerprint": hashlib.sha256(secret_id.encode()).hexdigest(), "entropy": 4.2,
        "validation": "unchecked", "secret": "abcd…****(20)", "line": "x = abcd…****(20)", "decoded": [],
        "companion": None, "attributes": dict(attributes or {}), "occurrences": 1,
    }


def fingerprint(secret_id: str) -> str:
    return hashlib.sha256(secret_id.encode()).hexdigest()


def results_file(tmp: Path, findings: list[dict[str, Any]], name: str = "results.json",
                 certificates: list[dict[str, Any]] | None = None) -> Path:
    doc: dict[str, Any] = {"version": 1, "tool": {"name": "credsprawl", "version": "0.1.0"},
                           "summary": {"findings": len(findings)}, "findings": findings}
    if certificates is not None:
        doc["certificates"] = certificates
    target = tmp / name
    target.write_text(json.dumps(doc), encoding="utf-8")
    return target


def report_json(*args: str, code: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    """``credsprawl report ARGS --format json`` (in process) as a parsed document."""
    rc, out, err = cli_inprocess("report", "--format", "json", "--quiet", *args)
    assert rc in code, (rc, err)
    doc: dict[str, Any] = json.loads(out)
    return doc


def by_fp(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["fingerprint"]: c for c in doc["credentials"]}
