"""Verification results as ``sweep --verify`` stores them (table ``verification_results``), read only
when the datastore has that table, so the app works on datastores written before and after it.

The words the pages use, one meaning each: a credential is **live (verified)** when its provider
accepted it, **invalid (revoked or rotated)** when the provider refused it, **unverified** when it was
not checked or the check gave no answer (unknown, error, skipped: the status says which), and
**present at HEAD** (a separate fact, from git) when the default branch still holds it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

TABLE = "verification_results"
STATUSES = ("live", "invalid", "unknown", "error", "skipped")
LIVE, INVALID, UNVERIFIED = "live (verified)", "invalid (revoked or rotated)", "unverified"
PRESENT = "present at HEAD"

# filter values of the queue's "verified" filter: a word, and the stored statuses it stands for ('' is none)
VERIFIED_FILTERS: dict[str, tuple[str, ...]] = {
    "live": ("live",), "invalid": ("invalid",), "unverified": ("", "unknown", "error", "skipped"),
}

# a permission naming one of these is a high privilege (the queue puts such credentials first)
_HIGH = ("admin", "owner", "root", "write", "full", "delete", "*", "iam:", "repo")


def word(status: str | None) -> str:
    """The one word the pages use for a stored status (None: never verified)."""
    if status == "live":
        return LIVE
    if status == "invalid":
        return INVALID
    return UNVERIFIED


def has_table(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (TABLE,)).fetchone() is not None


def has_results(db: sqlite3.Connection) -> bool:
    """Whether any credential was verified (schema version 3 makes the table, empty, on every datastore)."""
    return has_table(db) and db.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone() is not None


def privilege(permissions: list[str]) -> int:
    """2: some permission is a high one; 1: it has permissions; 0: none known."""
    if not permissions:
        return 0
    text = " ".join(permissions).lower()
    return 2 if any(h in text for h in _HIGH) else 1


def _json(text: str | None, empty: Any) -> Any:
    if not text:
        return empty
    try:
        value = json.loads(text)
    except ValueError:
        return empty
    return value if isinstance(value, type(empty)) else empty


def identity_label(identity: dict[str, Any]) -> str | None:
    """A verified identity (a JSON object) as one label: its most telling field."""
    for key in ("arn", "login", "user", "username", "email", "name", "account", "id"):
        if identity.get(key):
            return f"{key} {identity[key]}"
    for key, value in sorted(identity.items()):
        if isinstance(value, (str, int)) and value != "":
            return f"{key} {value}"
    return None


@dataclass(frozen=True)
class Result:
    fingerprint: str
    provider: str
    status: str
    checked_at: str
    identity: dict[str, Any]
    permissions: list[str]
    reason: str

    @property
    def word(self) -> str:
        return word(self.status)


def _result(row: tuple[Any, ...]) -> Result:
    fp, provider, status, checked_at, identity, permissions, reason = row
    perms = [str(p) for p in _json(permissions, [])]
    return Result(fp, provider or "", status or "", checked_at or "", _json(identity, {}), perms, reason or "")


_SELECT = "SELECT fingerprint, provider, status, checked_at, identity, permissions, reason FROM verification_results"


def one(db: sqlite3.Connection, fingerprint: str) -> Result | None:
    if not has_table(db):
        return None
    row = db.execute(_SELECT + " WHERE fingerprint=?", (fingerprint,)).fetchone()
    return None if row is None else _result(row)


def every(db: sqlite3.Connection) -> dict[str, Result]:
    if not has_table(db):
        return {}
    return {r.fingerprint: r for r in map(_result, db.execute(_SELECT))}


def generation(db: sqlite3.Connection) -> tuple[int, int]:
    """Changes when results are added or replaced: (rows, highest rowid)."""
    if not has_table(db):
        return (0, 0)
    try:
        count, top = db.execute(f"SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM {TABLE}").fetchone()
    except sqlite3.OperationalError:  # a table without rowid: its newest check instead
        count, last = db.execute(f"SELECT COUNT(*), COALESCE(MAX(checked_at), '') FROM {TABLE}").fetchone()
        top = hash(last)
    return int(count), int(top)
