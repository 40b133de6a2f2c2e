"""Read credsprawl results for the identity report: JSON reports (``--format json``), JSON Lines
(``--format jsonl``), or the sweep datastore. Each finding keeps the name of the repository it came
from: its origin's ``repository`` fact when there is one, else the results file's ``root`` (when the
document has one) or the results file's name.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import UsageError

IDENTITY_REPORT_KIND = "credsprawl-identity-report"


@dataclass
class Results:
    """Finding objects (as the JSON report has them) with their repository, and certificates seen."""

    findings: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    certificates: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _is_finding(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("fingerprint"), str) and isinstance(obj.get("rule_id"), str)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{name}: results file not found (make one with credsprawl scan|history --format json -o FILE)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None


def _parse(text: str, name: str) -> tuple[list[Any], list[Any], str | None]:
    """(findings, certificates, root) of one results file, or a UsageError saying why it is not one."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if not exc.msg.startswith("Extra data"):  # more than one JSON value: JSON Lines
            raise UsageError(f"{name}:{exc.lineno}: not a credsprawl JSON report: invalid JSON ({exc.msg})") from None
        return _parse_lines(text, name), [], None
    if _is_finding(doc):  # JSON Lines with a single finding
        return [doc], [], None
    if not isinstance(doc, dict):
        raise UsageError(f"{name}: not a credsprawl JSON report (no findings list): "
                         "make one with credsprawl scan|history --format json")
    if doc.get("kind") == IDENTITY_REPORT_KIND:
        raise UsageError(f"{name}: this is an identity report; pass the scan results it was made from")
    findings = doc.get("findings")
    if not isinstance(findings, list) or not all(_is_finding(f) for f in findings):
        raise UsageError(f"{name}: not a credsprawl JSON report (no findings list): "
                         "make one with credsprawl scan|history --format json")
    certs = doc.get("certificates") or []
    if not isinstance(certs, list):
        raise UsageError(f"{name}: 'certificates' must be a list")
    root = doc.get("root")
    return findings, [c for c in certs if isinstance(c, dict)], root if isinstance(root, str) and root else None


def _parse_lines(text: str, name: str) -> list[Any]:
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if not _is_finding(obj):
            raise UsageError(f"{name}:{number}: not a credsprawl JSON report or JSON Lines finding")
        findings.append(obj)
    return findings


def repository_of(finding: dict[str, Any], default: str) -> str:
    origin = finding.get("origin") or []
    if origin and isinstance(origin[0], dict):
        repo = (origin[0].get("extra") or {}).get("repository")
        if repo:
            return str(repo)
    return default


def load_results(names: list[str]) -> Results:
    out = Results()
    for name in names:
        findings, certs, root = _parse(_read(name), name)
        default = root or name
        out.sources.append(name)
        out.findings.extend((f, repository_of(f, default)) for f in findings)
        out.certificates.extend((c, repository_of(c, default)) for c in certs)
    return out


def add_datastore(into: Results, path: Path, findings: list[dict[str, Any]],
                  certificates: list[dict[str, Any]]) -> None:
    """Add the finding and certificate objects read out of a sweep datastore at ``path`` (the CLI
    reads them with ``scanner.store.db``: identity never imports the store) to ``into``."""
    into.sources.append(str(path))
    into.findings.extend((f, repository_of(f, str(path))) for f in findings if _is_finding(f))
    into.certificates.extend((c, repository_of(c, str(path))) for c in certificates)
