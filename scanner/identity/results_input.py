"""Read credsprawl results for the identity report: JSON reports (``--format json``), JSON Lines
(``--format jsonl``), or the sweep datastore. Each finding keeps the name of the repository it came
from: its origin's ``repository`` fact when there is one, else the results file's ``root`` (when the
document has one) or the results file's name.
"""

from __future__ import annotations

import json
import math
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


# the shape of the finding fields the identity report reads (scanner/report/json_report.py); each may be
# absent or null, but a value of another type is refused, naming the file, the finding and the field
_TEXT_FIELDS = ("rule_name", "kind", "provider", "severity", "confidence", "path", "secret", "line", "validation")
_COUNT_FIELDS = ("start_line", "start_column", "end_line", "end_column", "occurrences")
_TYPE_NAMES = {str: "a string", int: "a number", float: "a number", bool: "true/false", list: "a list",
               dict: "an object", type(None): "null"}


def _kind_of(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)  # never the value: it may be a secret


def _field_problem(obj: dict[str, Any]) -> str | None:
    """What is wrong with one finding or certificate object, or None."""
    for key in _TEXT_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return f"'{key}' must be a string, not {_kind_of(obj[key])}"
    for key in _COUNT_FIELDS:
        value = obj.get(key)
        if value is not None and (type(value) is not int or value < 0):
            return f"'{key}' must be a whole number of 0 or more, not {_kind_of(value)}"
    entropy = obj.get("entropy")
    if entropy is not None and (type(entropy) not in (int, float) or not math.isfinite(entropy)):
        return f"'entropy' must be a number, not {_kind_of(entropy)}"
    for key in ("attributes", "companion"):
        if obj.get(key) is not None and not isinstance(obj[key], dict):
            return f"'{key}' must be an object, not {_kind_of(obj[key])}"
    decoded = obj.get("decoded")
    if decoded is not None and not (isinstance(decoded, list) and all(isinstance(d, str) for d in decoded)):
        return "'decoded' must be a list of strings"
    origin = obj.get("origin")
    if origin is None:
        return None
    if not isinstance(origin, list):
        return f"'origin' must be a list, not {_kind_of(origin)}"
    for i, node in enumerate(origin):
        if not isinstance(node, dict):
            return f"'origin[{i}]' must be an object, not {_kind_of(node)}"
        for key in ("path", "kind"):
            if node.get(key) is not None and not isinstance(node[key], str):
                return f"'origin[{i}].{key}' must be a string, not {_kind_of(node[key])}"
        extra = node.get("extra")
        if extra is None:
            continue
        if not isinstance(extra, dict):
            return f"'origin[{i}].extra' must be an object, not {_kind_of(extra)}"
        for key, value in extra.items():
            if value is not None and not isinstance(value, str):
                return f"'origin[{i}].extra.{key}' must be a string, not {_kind_of(value)}"
        refs = extra.get("refs")
        if refs is not None and not refs.isdigit():
            return f"'origin[{i}].extra.refs' must be a whole number"
    return None


def _checked(objects: list[Any], name: str, what: str, lines: list[int] | None = None) -> list[Any]:
    """``objects``, or a UsageError naming the first one whose fields have the wrong type."""
    for i, obj in enumerate(objects):
        problem = _field_problem(obj)
        if problem is not None:
            where = f"{name}:{lines[i]}" if lines is not None else f"{name}: {what} {i + 1}"
            raise UsageError(f"{where}: not a credsprawl JSON report: {problem}")
    return objects


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
    except RecursionError:
        raise UsageError(f"{name}: not a credsprawl JSON report: nested too deeply") from None
    if _is_finding(doc):  # JSON Lines with a single finding
        return _checked([doc], name, "finding", [1]), [], None
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
    certs = _checked([c for c in certs if isinstance(c, dict)], name, "certificate")
    return _checked(findings, name, "finding"), certs, root if isinstance(root, str) and root else None


def _parse_lines(text: str, name: str) -> list[Any]:
    findings = []
    numbers = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            obj = None
        if not _is_finding(obj):
            raise UsageError(f"{name}:{number}: not a credsprawl JSON report or JSON Lines finding")
        findings.append(obj)
        numbers.append(number)
    return _checked(findings, name, "finding", numbers)


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
