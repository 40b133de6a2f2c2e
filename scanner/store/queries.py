"""What reports and summaries read out of the datastore: the stored findings and certificates as a
report (optionally only those new since a sweep or a time), counts, repositories and sweeps.

Secrets are never stored in clear: the findings read back are in their redacted, shown form.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from scanner.errors import UsageError
from scanner.model import Confidence, Finding, Origin, Rule, Severity
from scanner.results import INVENTORY_KINDS, ScanReport
from scanner.store import codec as store_codec
from scanner.store.schema import json_values

_TABLES = ("repositories", "refs", "blobs", "blob_findings", "findings", "occurrences", "sweeps")


def counts(db: sqlite3.Connection) -> dict[str, int]:
    """Row counts of the main tables (for summaries and tests)."""
    return {t: int(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in _TABLES}


def repositories(db: sqlite3.Connection) -> list[dict[str, Any]]:
    cur = db.execute("SELECT key, name, url, path, status, reason, last_sweep, blobs FROM repositories "
                     "ORDER BY name, key")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row)) for row in cur]


def sweeps(db: sqlite3.Connection) -> list[dict[str, Any]]:
    cur = db.execute("SELECT s.id, s.started, s.finished, s.status, s.repositories, s.failed, "
                     "s.blobs_scanned, s.bytes_scanned, r.version AS ruleset FROM sweeps s "
                     "JOIN rulesets r ON r.id = s.ruleset_id ORDER BY s.id")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row)) for row in cur]


def occurrence_count(db: sqlite3.Connection, keys: Sequence[str], only: Sequence[str] | None = None) -> int:
    """Findings recorded for these repositories (certificates, an inventory kind, are not leaks);
    ``only``: of these fingerprints alone."""
    sql = ("SELECT COUNT(*) FROM occurrences o JOIN repositories r ON r.id = o.repo_id "
           "WHERE r.key IN (SELECT value FROM json_each(?)) AND o.rule_id NOT IN "
           "(SELECT id FROM rules WHERE kind IN (SELECT value FROM json_each(?)))")
    params: list[str] = [json_values(keys), json_values(sorted(INVENTORY_KINDS))]
    if only is not None:
        sql += " AND o.fingerprint IN (SELECT value FROM json_each(?))"
        params.append(json_values(only))
    return int(db.execute(sql, params).fetchone()[0])


def stored_report(db: sqlite3.Connection, datastore: Path, new_since: str | None = None,
                  listed_only: bool = False) -> ScanReport:
    """The stored occurrences as a report (redacted; ``listed_only``: certificates and other inventory
    kinds alone, as its ``inventory``); ``new_since`` as for ``scanner.report.datastore``.
    ``datastore`` is the file's path, for errors."""
    where, params = _new_since_clause(db, datastore, new_since)
    if listed_only:
        where += (" AND" if where else " WHERE") + (" o.rule_id IN (SELECT id FROM rules WHERE kind IN "
                                                    "(SELECT value FROM json_each(?)))")
        params = (*params, json_values(sorted(INVENTORY_KINDS)))
    rows = db.execute(
        "SELECT r.name, r.url, r.path, o.finding FROM occurrences o JOIN repositories r ON r.id = o.repo_id"
        f"{where} ORDER BY r.name, r.key, o.path, o.start_line, o.start_column, o.rule_id, o.fingerprint", params)
    findings = [_with_repository(store_codec.decode(text), name, url or path or name)
                for name, url, path, text in rows]
    rules = {
        rid: Rule(rid, name, kind, provider, Severity(sev), Confidence(conf), (), "", remediation=remediation)
        for rid, name, kind, provider, sev, conf, remediation in db.execute(
            "SELECT id, name, kind, provider, severity, confidence, remediation FROM rules")
    }
    return ScanReport(tuple(findings), rules)  # certificates (an inventory kind) leave the findings here


def _new_since_clause(db: sqlite3.Connection, datastore: Path, new_since: str | None) -> tuple[str, tuple[Any, ...]]:
    if new_since is None:
        return "", ()
    value = new_since.strip()
    if value.isdigit():
        if db.execute("SELECT 1 FROM sweeps WHERE id=?", (int(value),)).fetchone() is None:
            known = [s["id"] for s in sweeps(db)]
            span = f"sweeps {known[0]}-{known[-1]}" if known else "no sweeps yet"
            raise UsageError(f"--new-since {value}: no such sweep in {datastore} ({span})")
        return " WHERE o.first_sweep > ?", (int(value),)
    return " WHERE o.first_seen > ?", (_as_utc(value),)


def _as_utc(value: str) -> str:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise UsageError(f"--new-since takes a date (2026-01-31 or 2026-01-31T12:00:00+00:00, UTC unless it says "
                         f"otherwise) or a sweep id, got {value!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _with_repository(finding: Finding, name: str, location: str) -> Finding:
    """The finding with the repository named in its outermost origin's facts."""
    chain = finding.origin.chain()
    root = chain[0]
    facts = tuple(sorted((*root.extra, ("repository", name), ("repository_url", location))))
    node = Origin(root.path, root.kind, None, facts)
    for o in chain[1:]:
        node = Origin(o.path, o.kind, node, o.extra)
    return replace(finding, origin=node)
