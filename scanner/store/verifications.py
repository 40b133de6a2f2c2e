"""Verification results kept in the datastore (``sweep --verify``): what each credential's provider
said when it was last asked, and when. One row per credential (fingerprint), replaced when it is
checked again. The table's columns are read by name by other readers (the triage web app)::

    verification_results(fingerprint TEXT PRIMARY KEY, provider TEXT, status TEXT, checked_at TEXT,
                         identity TEXT,      -- a JSON object: {"login": "octocat", ...}, in the provider's order
                         permissions TEXT,   -- a JSON list of strings
                         reason TEXT)

The store holds plain values (:class:`StoredVerification`); the sweep turns what a verifier returned
into one, and the reports read them back. No secret is ever in a row: verification results are
scrubbed of the secret before they leave ``scanner.verify``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from scanner.results import INVENTORY_KINDS
from scanner.store.schema import json_values, transaction


@dataclass(frozen=True)
class StoredVerification:
    fingerprint: str
    provider: str
    status: str  # live | invalid | unknown | error | skipped (scanner.verify.result.STATUSES)
    checked_at: str  # UTC ISO 8601
    identity: tuple[tuple[str, str], ...] = ()
    permissions: tuple[str, ...] = ()
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON report's ``verification`` object (``endpoint_host`` is not kept in the datastore)."""
        out: dict[str, Any] = {"status": self.status, "provider": self.provider, "checked_at": self.checked_at,
                               "endpoint_host": "", "identity": [{"key": k, "value": v} for k, v in self.identity],
                               "permissions": list(self.permissions)}
        if self.reason:
            out["reason"] = self.reason
        return out


def _row(values: Sequence[Any]) -> StoredVerification:
    fp, provider, status, checked_at, identity, permissions, reason = values
    try:
        ident = json.loads(identity or "{}")
        perms = json.loads(permissions or "[]")
    except ValueError:
        ident, perms = {}, []
    pairs = tuple((str(k), str(v)) for k, v in ident.items()) if isinstance(ident, dict) else ()
    return StoredVerification(fp, provider or "", status or "", checked_at or "", pairs,
                              tuple(str(p) for p in perms) if isinstance(perms, list) else (), reason or "")


def put(db: sqlite3.Connection, rows: Iterable[StoredVerification]) -> int:
    """Keep ``rows`` (one transaction), each replacing the credential's earlier result; how many."""
    values = [(r.fingerprint, r.provider, r.status, r.checked_at, json.dumps(dict(r.identity), ensure_ascii=False),
               json.dumps(list(r.permissions), ensure_ascii=False), r.reason) for r in rows]
    with transaction(db):
        db.executemany("INSERT OR REPLACE INTO verification_results(fingerprint, provider, status, checked_at, "
                       "identity, permissions, reason) VALUES(?, ?, ?, ?, ?, ?, ?)", values)
    return len(values)


def get(db: sqlite3.Connection, fingerprints: Sequence[str] | None = None) -> dict[str, StoredVerification]:
    """The stored result of each credential named (every one when None), by fingerprint."""
    sql = "SELECT fingerprint, provider, status, checked_at, identity, permissions, reason FROM verification_results"
    cur = (db.execute(sql) if fingerprints is None
           else db.execute(sql + " WHERE fingerprint IN (SELECT value FROM json_each(?))", (json_values(fingerprints),)))
    return {r[0]: _row(r) for r in cur}


@dataclass(frozen=True)
class Candidate:
    """A credential of the swept repositories, and where its secret can be read again: a blob of a
    repository (the datastore keeps no secret, so a check re-reads it from git)."""

    fingerprint: str
    rule_id: str
    places: tuple[tuple[str, str, str], ...]  # (repository key, blob id, its path), a few


def candidates(db: sqlite3.Connection, repository_keys: Sequence[str], per_credential: int = 3) -> list[Candidate]:
    """Every leaked credential found in these repositories (certificates, an inventory kind, are
    not verified), with up to ``per_credential`` blobs holding it."""
    rows = db.execute(
        "SELECT o.fingerprint, o.rule_id, p.key, o.path, o.finding FROM occurrences o "
        "JOIN repositories p ON p.id = o.repo_id WHERE p.key IN (SELECT value FROM json_each(?)) "
        "AND o.rule_id NOT IN (SELECT id FROM rules WHERE kind IN (SELECT value FROM json_each(?))) "
        "ORDER BY o.fingerprint, o.status = 'live' DESC, o.id",
        (json_values(repository_keys), json_values(sorted(INVENTORY_KINDS))))
    out: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    for fp, rule_id, key, path, finding in rows:
        _rule, places = out.setdefault(fp, (rule_id, []))
        if len(places) >= per_credential:
            continue
        blob, root = _root(finding)
        if blob and (key, blob, root or path) not in places:
            places.append((key, blob, root or path))
    return [Candidate(fp, rule_id, tuple(places)) for fp, (rule_id, places) in out.items()]


def _root(encoded: str) -> tuple[str | None, str | None]:
    """The blob an encoded occurrence was attributed to and its path (its outermost origin)."""
    try:
        root = json.loads(encoded)["o"][0]
        return next((str(v) for k, v in root[2] if k == "blob"), None), str(root[0])
    except (ValueError, KeyError, IndexError, TypeError):
        return None, None


def due(stored: dict[str, StoredVerification], fingerprints: Iterable[str], recheck_after: float,
        now: datetime | None = None) -> list[str]:
    """The credentials to ask about: never asked, asked more than ``recheck_after`` seconds ago, or
    last left without an answer (``error``, ``skipped``: the check itself did not happen)."""
    at = now or datetime.now(timezone.utc)
    out = []
    for fp in fingerprints:
        row = stored.get(fp)
        if row is None or row.status in ("error", "skipped"):
            out.append(fp)
            continue
        when = utc(row.checked_at)
        if when is None or (at - when).total_seconds() >= recheck_after:
            out.append(fp)
    return out


def utc(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
