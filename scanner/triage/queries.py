"""Reading triage: credentials with their state, filtered (what ``triage list`` and ``export`` show,
and the queue a web page would page through), one credential in detail, and its audit log."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from scanner.errors import UsageError
from scanner.model import Severity
from scanner.results import INVENTORY_KINDS
from scanner.store.db import Store
from scanner.store.schema import json_values
from scanner.triage.states import DEFAULT_STATE, STATES, expired, owner_name
from scanner.triage.writes import resolve


@dataclass(frozen=True)
class Filters:
    """Which credentials to list; an empty field does not filter. Times are UTC ISO texts."""

    states: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()  # assignees, normalised
    severities: tuple[str, ...] = ()
    repositories: tuple[str, ...] = ()  # a repository's name or key (clone URL or path)
    since: str | None = None  # first seen at or after
    until: str | None = None  # first seen before
    verified: tuple[str, ...] = ()  # VERIFIED: what the provider said when last asked (sweep --verify)

    @classmethod
    def of(cls, states: tuple[str, ...] = (), owners: tuple[str, ...] = (), severities: tuple[str, ...] = (),
           repositories: tuple[str, ...] = (), since: str | None = None, until: str | None = None,
           verified: tuple[str, ...] = ()) -> Filters:
        bad = [s for s in states if s not in STATES]
        if bad:
            raise UsageError(f"unknown triage state {bad[0]!r} (one of: {', '.join(STATES)})")
        wrong = [v for v in verified if v not in VERIFIED]
        if wrong:
            raise UsageError(f"unknown verification {wrong[0]!r} (one of: {', '.join(VERIFIED)})")
        return cls(tuple(states), tuple(owner_name(o) for o in owners), tuple(s.lower() for s in severities),
                   tuple(repositories), since, until, tuple(verified))


# what ``--verified`` filters by: live and invalid as the provider said (``verification_results``);
# unverified: never asked, or asked without an answer (unknown, error, skipped)
VERIFIED = ("live", "invalid", "unverified")


_CREDENTIALS = """
SELECT f.fingerprint, f.rule_id, COALESCE(r.name, f.rule_id), COALESCE(r.severity, ''), COALESCE(r.kind, ''),
       COALESCE(t.state, ?), COALESCE(t.reason, ''), t.expires, t.assignee, t.changed_at, t.changed_by,
       f.first_seen, f.first_sweep,
       (SELECT COUNT(*) FROM occurrences o WHERE o.fingerprint = f.fingerprint),
       (SELECT json_group_array(DISTINCT p.name) FROM occurrences o JOIN repositories p ON p.id = o.repo_id
        WHERE o.fingerprint = f.fingerprint),
       (SELECT MAX(o.date) FROM occurrences o WHERE o.fingerprint = f.fingerprint),
       v.status, v.checked_at, v.provider
FROM findings f LEFT JOIN rules r ON r.id = f.rule_id LEFT JOIN triage t ON t.fingerprint = f.fingerprint
LEFT JOIN verification_results v ON v.fingerprint = f.fingerprint
"""
_COLUMNS = ("fingerprint", "rule_id", "rule", "severity", "kind", "state", "reason", "expires", "assignee",
            "changed_at", "changed_by", "first_seen", "first_sweep", "occurrences", "repositories", "last_commit_date",
            "verification", "verified_at", "verified_by")


# most severe first (the model's ranks), an unknown severity last
_SEVERITY_ORDER = ("CASE r.severity " + " ".join(f"WHEN '{s.value}' THEN {-s.rank}" for s in Severity) + " ELSE 0 END")


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses = ["COALESCE(r.kind, '') NOT IN (SELECT value FROM json_each(?))"]  # certificates are listed, not leaked
    params: list[Any] = [json_values(sorted(INVENTORY_KINDS))]
    if filters.states:
        clauses.append("COALESCE(t.state, ?) IN (SELECT value FROM json_each(?))")
        params += [DEFAULT_STATE, json_values(filters.states)]
    if filters.owners:
        clauses.append("t.assignee IN (SELECT value FROM json_each(?))")
        params.append(json_values(filters.owners))
    if filters.severities:
        clauses.append("r.severity IN (SELECT value FROM json_each(?))")
        params.append(json_values(filters.severities))
    if filters.repositories:
        clauses.append("EXISTS (SELECT 1 FROM occurrences o JOIN repositories p ON p.id = o.repo_id "
                       "WHERE o.fingerprint = f.fingerprint AND (p.name IN (SELECT value FROM json_each(?)) "
                       "OR p.key IN (SELECT value FROM json_each(?))))")
        params += [json_values(filters.repositories)] * 2
    if filters.verified:
        said = [v for v in filters.verified if v != "unverified"]
        parts = ["v.status IN (SELECT value FROM json_each(?))"] if said else []
        params += [json_values(said)] if said else []
        if "unverified" in filters.verified:
            parts.append("v.status IS NULL OR v.status NOT IN ('live', 'invalid')")
        clauses.append("(" + " OR ".join(f"({p})" for p in parts) + ")")
    if filters.since:
        clauses.append("f.first_seen >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("f.first_seen < ?")
        params.append(filters.until)
    return " WHERE " + " AND ".join(clauses), params


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(_COLUMNS, values))
    row["repositories"] = sorted(json.loads(row["repositories"] or "[]"))
    row["expired"] = row["state"] == "accepted-risk" and expired(row["expires"])
    return row


def credentials(store: Store, filters: Filters = Filters(), limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Credentials matching ``filters``, by severity (critical first), then first seen, then fingerprint."""
    where, params = _where(filters)
    order = f" ORDER BY {_SEVERITY_ORDER}, f.first_seen, f.fingerprint"
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    rows = store.db.execute(_CREDENTIALS + where + order + page, [DEFAULT_STATE, *params])
    return [_row(r) for r in rows]


def credential(store: Store, given: str) -> dict[str, Any]:
    """One credential: its state, every location (repository, path, line, commit, date, status) and its
    audit log, oldest first."""
    db = store.db
    fp = resolve(db, given)
    row = db.execute(_CREDENTIALS + " WHERE f.fingerprint = ?", (DEFAULT_STATE, fp)).fetchone()
    out = _row(row)
    out["locations"] = locations(db, fp)
    out["audit"] = audit(store, fp)
    out["notes"] = [e for e in out["audit"] if e["action"] == "note"]
    return out


def locations(db: sqlite3.Connection, fingerprint: str) -> list[dict[str, Any]]:
    cur = db.execute("SELECT p.name AS repository, COALESCE(p.url, p.path, p.key) AS repository_url, o.path, "
                     "o.start_line AS line, o.commit_sha AS 'commit', o.author, o.date, o.status, o.first_seen "
                     "FROM occurrences o JOIN repositories p ON p.id = o.repo_id WHERE o.fingerprint = ? "
                     "ORDER BY p.name, o.path, o.start_line, o.commit_sha", (fingerprint,))
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]


def audit(store: Store, fingerprint: str | None = None) -> list[dict[str, Any]]:
    """Audit entries (of one credential, or all), in the order they were written."""
    sql = "SELECT id, fingerprint, at, who, action, old, new, reason FROM triage_audit"
    cur = store.db.execute(sql + (" WHERE fingerprint = ? ORDER BY id" if fingerprint else " ORDER BY id"),
                           (fingerprint,) if fingerprint else ())
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]
