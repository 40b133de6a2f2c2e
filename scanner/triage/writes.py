"""Triage writes: a state, an assignee, a note. Each call is one transaction holding the change and
its audit entries, so two processes writing at once both land whole, in order, in the log."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Sequence

from scanner.errors import UsageError
from scanner.store.db import Store
from scanner.store.schema import now, transaction
from scanner.triage.states import DEFAULT_STATE, REOPENABLE, Change

_MIN_PREFIX = 8  # a fingerprint may be given by a unique prefix this long or longer


@dataclass(frozen=True)
class Written:
    fingerprint: str
    old: str | None
    new: str | None
    changed: bool  # False: it already was so, nothing was written


def resolve(db: sqlite3.Connection, given: str) -> str:
    """The fingerprint ``given`` names (whole, or a unique prefix of at least 8 characters)."""
    text = given.strip().lower()
    if db.execute("SELECT 1 FROM findings WHERE fingerprint=?", (text,)).fetchone():
        return text
    if len(text) >= _MIN_PREFIX:
        rows = db.execute("SELECT fingerprint FROM findings WHERE fingerprint >= ? AND fingerprint < ? LIMIT 2",
                          (text, text + "\uffff")).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if len(rows) > 1:
            raise UsageError(f"fingerprint prefix {given!r} names more than one credential: give more of it")
    raise UsageError(f"no credential {given!r} in this datastore (credsprawl triage list shows them)")


def _current(db: sqlite3.Connection, fingerprint: str) -> tuple[str, str, str | None, str | None]:
    row = db.execute("SELECT state, reason, expires, assignee FROM triage WHERE fingerprint=?", (fingerprint,)).fetchone()
    return (DEFAULT_STATE, "", None, None) if row is None else (row[0], row[1], row[2], row[3])


def _audit(db: sqlite3.Connection, fingerprint: str, at: str, who: str, action: str, old: str | None,
           new: str | None, reason: str = "") -> None:
    db.execute("INSERT INTO triage_audit(fingerprint, at, who, action, old, new, reason) VALUES(?, ?, ?, ?, ?, ?, ?)",
               (fingerprint, at, who, action, old, new, reason))


def _upsert_state(db: sqlite3.Connection, fingerprint: str, change: Change, at: str, who: str) -> None:
    """The credential's state, reason and expiry, and when and by whom they were set (``changed_at``,
    which the reopen rule compares commit dates with); its assignee stays."""
    db.execute("INSERT INTO triage(fingerprint, state, reason, expires, changed_at, changed_by) "
               "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET state=excluded.state, "
               "reason=excluded.reason, expires=excluded.expires, changed_at=excluded.changed_at, "
               "changed_by=excluded.changed_by", (fingerprint, change.state, change.reason, change.expires, at, who))


def apply_state(db: sqlite3.Connection, fingerprint: str, change: Change, who: str, at: str) -> Written:
    """Set one credential's state inside the caller's transaction (with its audit entry). Marking it
    revoked or rotated records the commits it is known in now: found later only there, it stays so."""
    state, reason, expires, _ = _current(db, fingerprint)
    if (state, reason, expires) == (change.state, change.reason, change.expires):
        return Written(fingerprint, state, state, False)
    _upsert_state(db, fingerprint, change, at, who)
    note = change.reason + (f" (until {change.expires})" if change.expires else "")
    _audit(db, fingerprint, at, who, "state", state, change.state, note)
    if change.state in REOPENABLE:
        db.execute("INSERT OR IGNORE INTO triage_known_commits SELECT DISTINCT fingerprint, commit_sha "
                   "FROM occurrences WHERE fingerprint=? AND commit_sha IS NOT NULL", (fingerprint,))
    return Written(fingerprint, state, change.state, True)


def set_state(store: Store, fingerprints: Sequence[str], change: Change, who: str) -> list[Written]:
    """Set the state of every credential named (fingerprints or unique prefixes), all or none."""
    with transaction(store.db) as db:
        at = now()
        return [apply_state(db, resolve(db, fp), change, who, at) for fp in fingerprints]


def assign(store: Store, fingerprints: Sequence[str], owner: str | None, who: str) -> list[Written]:
    """Assign every credential named to ``owner`` (normalised by the caller), or unassign (None)."""
    out = []
    with transaction(store.db) as db:
        at = now()
        for given in fingerprints:
            fp = resolve(db, given)
            state, _, _, assignee = _current(db, fp)
            if assignee == owner:
                out.append(Written(fp, assignee, owner, False))
                continue
            db.execute("INSERT INTO triage(fingerprint, state, assignee, changed_at, changed_by) VALUES(?, ?, ?, ?, ?) "
                       "ON CONFLICT(fingerprint) DO UPDATE SET assignee=excluded.assignee",
                       (fp, state, owner, at, who))  # the state and when it was set stay as they are
            _audit(db, fp, at, who, "assign", assignee, owner)
            out.append(Written(fp, assignee, owner, True))
    return out


def add_note(store: Store, fingerprint: str, text: str, who: str) -> Written:
    """A note on a credential: an audit entry of its own (notes are never edited either)."""
    if not text.strip():
        raise UsageError("a note needs some text")
    with transaction(store.db) as db:
        fp = resolve(db, fingerprint)
        _audit(db, fp, now(), who, "note", None, text.strip())
    return Written(fp, None, text.strip(), True)
