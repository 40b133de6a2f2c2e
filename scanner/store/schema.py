"""The datastore's tables and how it is opened: the schema and its versioned migrations, the
connection's settings (WAL, foreign keys), transactions, and the one-time scrub of context lines in a
datastore whose ``meta`` has no ``context_masking`` row.

Tables (schema version ``SCHEMA_VERSION``, kept in ``meta``; every migration applied in ``migrations``)::

    meta(key, value)                           schema_version, context_masking
    migrations(version, name, applied)         one row per migration applied to this datastore
    rulesets(id, version, rules, created)      one row per effective rule set (its hash)
    rules(id, name, kind, provider, severity, confidence, remediation)
                                               rule metadata, for reports (remediation: since version 3)
    sweeps(id, ruleset_id, started, finished, status, repositories, failed, blobs_scanned, bytes_scanned)
                                               status: running | done | interrupted (killed midway)
    repositories(id, key, name, url, path, status, reason, ruleset_id, last_sweep, scanned_at, blobs, options)
    refs(repo_id, name, tip)                   every ref and its tip at the last scan
    blobs(sha, ruleset_id, size, findings, binary, sweep_id)         a blob scanned under a rule set
    blob_findings(sha, ruleset_id, idx, finding)                     its raw findings (redacted JSON)
    findings(fingerprint, rule_id, secret, first_sweep, first_seen) one row per credential
    occurrences(repo_id, fingerprint, rule_id, path, start_line, start_column, commit_sha, author,
                email, date, status, finding, first_sweep, first_seen)   attributed findings
    triage(fingerprint, state, reason, expires, assignee, changed_at, changed_by)
                                               a credential's triage state (none: open)
    triage_audit(id, fingerprint, at, who, action, old, new, reason)
                                               every triage write; append-only (triggers refuse
                                               UPDATE and DELETE)
    triage_known_commits(fingerprint, commit_sha)
                                               where a credential was known when marked revoked or
                                               rotated (a later sweep finding it elsewhere reopens it)
    verification_results(fingerprint, provider, status, checked_at, identity, permissions, reason)
                                               what the credential's provider said when last asked
                                               (``sweep --verify``): identity a JSON object, permissions
                                               a JSON list; one row per credential, replaced on re-check

Schema changes are migrations (``MIGRATIONS``, in order): opening a datastore applies those it lacks,
in one transaction, and a datastore of a newer schema than this credsprawl knows is refused.

The database runs in WAL mode with ``synchronous=NORMAL``: a process killed at any point keeps every
committed transaction. Only one sweep writes a datastore at a time (``scanner.sweep.lock`` holds the
lock; ``scanner.store.sweeps.interrupt_running`` relies on it); triage writes, each one transaction,
may come from other processes meanwhile.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from scanner.errors import UsageError
from scanner.store import codec as store_codec

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rulesets(
    id INTEGER PRIMARY KEY, version TEXT NOT NULL UNIQUE, rules INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rules(
    id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, provider TEXT NOT NULL,
    severity TEXT NOT NULL, confidence TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps(
    id INTEGER PRIMARY KEY, ruleset_id INTEGER NOT NULL REFERENCES rulesets(id), started TEXT NOT NULL,
    finished TEXT, status TEXT NOT NULL, repositories INTEGER NOT NULL, failed INTEGER NOT NULL DEFAULT 0,
    blobs_scanned INTEGER NOT NULL DEFAULT 0, bytes_scanned INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS repositories(
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL, url TEXT, path TEXT,
    status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', ruleset_id INTEGER REFERENCES rulesets(id),
    last_sweep INTEGER REFERENCES sweeps(id), scanned_at TEXT, blobs INTEGER NOT NULL DEFAULT 0,
    options TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS refs(
    repo_id INTEGER NOT NULL REFERENCES repositories(id), name TEXT NOT NULL, tip TEXT NOT NULL,
    PRIMARY KEY(repo_id, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blobs(
    sha TEXT NOT NULL, ruleset_id INTEGER NOT NULL REFERENCES rulesets(id), size INTEGER NOT NULL,
    findings INTEGER NOT NULL, binary INTEGER NOT NULL, sweep_id INTEGER NOT NULL,
    PRIMARY KEY(sha, ruleset_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blob_findings(
    sha TEXT NOT NULL, ruleset_id INTEGER NOT NULL, idx INTEGER NOT NULL, finding TEXT NOT NULL,
    PRIMARY KEY(sha, ruleset_id, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS findings(
    fingerprint TEXT PRIMARY KEY, rule_id TEXT NOT NULL, secret TEXT NOT NULL,
    first_sweep INTEGER NOT NULL, first_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS occurrences(
    id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repositories(id),
    fingerprint TEXT NOT NULL REFERENCES findings(fingerprint), rule_id TEXT NOT NULL, path TEXT NOT NULL,
    start_line INTEGER NOT NULL, start_column INTEGER NOT NULL, commit_sha TEXT, author TEXT, email TEXT,
    date TEXT, status TEXT, finding TEXT NOT NULL, first_sweep INTEGER NOT NULL, first_seen TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS occurrences_repo ON occurrences(repo_id);
CREATE INDEX IF NOT EXISTS occurrences_fingerprint ON occurrences(fingerprint);
"""
_SCHEMA_V2 = (
    """CREATE TABLE triage(
    fingerprint TEXT PRIMARY KEY REFERENCES findings(fingerprint),
    state TEXT NOT NULL CHECK(state IN ('open', 'acknowledged', 'false-positive', 'accepted-risk', 'rotated',
                                        'revoked', 'closed')),
    reason TEXT NOT NULL DEFAULT '', expires TEXT, assignee TEXT, changed_at TEXT NOT NULL, changed_by TEXT NOT NULL)""",
    """CREATE TABLE triage_audit(
    id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL REFERENCES findings(fingerprint),
    at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, old TEXT, new TEXT, reason TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX triage_audit_fingerprint ON triage_audit(fingerprint)",
    """CREATE TRIGGER triage_audit_no_update BEFORE UPDATE ON triage_audit
    BEGIN SELECT RAISE(ABORT, 'the triage audit log is append-only'); END""",
    """CREATE TRIGGER triage_audit_no_delete BEFORE DELETE ON triage_audit
    BEGIN SELECT RAISE(ABORT, 'the triage audit log is append-only'); END""",
    """CREATE TABLE triage_known_commits(
    fingerprint TEXT NOT NULL REFERENCES findings(fingerprint), commit_sha TEXT NOT NULL,
    PRIMARY KEY(fingerprint, commit_sha)) WITHOUT ROWID""",
    "CREATE INDEX findings_first_seen ON findings(first_seen)",
)
# the columns another reader (the triage web app) reads by name: never renamed, only added to
_SCHEMA_V3 = (
    """CREATE TABLE verification_results(
    fingerprint TEXT PRIMARY KEY, provider TEXT, status TEXT, checked_at TEXT, identity TEXT, permissions TEXT,
    reason TEXT)""",
    "ALTER TABLE rules ADD COLUMN remediation TEXT NOT NULL DEFAULT ''",
)
_DATASTORE_FILE = "sweep.sqlite"
# meta key: how context lines are masked. A datastore without it may hold context lines that show a
# second secret of the same line; they are scrubbed when it is opened, and the key is written.
_MASKING_KEY, _MASKING = "context_masking", "every-secret-on-the-line"


def default_datastore() -> Path:
    """``sweep.sqlite`` in the user's cache folder (``$CREDSPRAWL_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/credsprawl``, else ``~/.cache/credsprawl``)."""
    explicit = os.environ.get("CREDSPRAWL_CACHE_DIR")
    base = Path(explicit) if explicit else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "credsprawl"
    return base / _DATASTORE_FILE


def now() -> str:
    """The current time as the datastore writes it (UTC, ISO 8601, microseconds): sortable as text."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def json_values(values: Iterable[str]) -> str:
    """``values`` as one JSON array, for ``IN (SELECT value FROM json_each(?))``."""
    return json.dumps(list(values))


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``): committed whole, or rolled back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def open_database(path: Path) -> sqlite3.Connection:
    """The datastore at ``path``, created (with its folder) when missing, its schema checked; a usage
    error when it cannot be used."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # with WAL: a killed process loses no commit
        db.execute("PRAGMA foreign_keys=ON")
        _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"cannot use datastore {path}: {exc} (give another --datastore)") from None
    except OSError as exc:
        raise UsageError(f"cannot create datastore {path}: {exc.strerror or exc}") from None
    return db


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version this migration brings a datastore to
    name: str
    apply: Callable[[sqlite3.Connection], None]  # run inside the opening transaction


def _v1_sweeps(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA_V1.split(";"):
        if statement.strip():
            db.execute(statement)


def _v2_triage(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA_V2:
        db.execute(statement)


def _v3_verification(db: sqlite3.Connection) -> None:
    for statement in _SCHEMA_V3:
        db.execute(statement)


# every schema change, in order; a released migration is never edited, a change is a new one
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sweeps, repositories, the blob cache, findings and occurrences", _v1_sweeps),
    Migration(2, "triage: states, the append-only audit log, commits known at revocation", _v2_triage),
    Migration(3, "verification results: what each credential's provider said, and when; rules' remediation",
              _v3_verification),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(db: sqlite3.Connection) -> int:
    """The schema version of an open datastore (0: a new, empty one)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone() is None:
        return 0
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return 0 if row is None else int(row[0])


def migrate(db: sqlite3.Connection, path: Path, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations ``db`` lacks up to ``target``, in one transaction (two processes opening
    one datastore apply them once); the version it is at. A usage error when it is newer than this
    credsprawl."""
    with transaction(db):
        current = schema_version(db)
        if current > SCHEMA_VERSION:
            raise UsageError(f"datastore {path} has schema version {current}, newer than this credsprawl's "
                             f"(version {SCHEMA_VERSION}): use a newer credsprawl, or sweep into a new --datastore")
        for m in MIGRATIONS:
            if current < m.version <= target:
                m.apply(db)
        if target > current:
            db.execute("CREATE TABLE IF NOT EXISTS migrations("
                       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)")
            stamp = now()
            db.executemany("INSERT OR IGNORE INTO migrations VALUES(?, ?, ?)",
                           [(m.version, m.name, stamp) for m in MIGRATIONS if m.version <= target])
            db.execute("INSERT OR REPLACE INTO meta VALUES('schema_version', ?)", (str(target),))
    return max(current, target)


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to date, and scrub context lines when the masking key is missing."""
    migrate(db, path)
    with transaction(db):
        scrub = db.execute("SELECT 1 FROM meta WHERE key=?", (_MASKING_KEY,)).fetchone() is None
        if scrub:
            db.execute("PRAGMA secure_delete=ON")  # the old text is overwritten, not left in free space
            _scrub_context_lines(db)
            db.execute("INSERT INTO meta VALUES(?, ?)", (_MASKING_KEY, _MASKING))
    if scrub:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and the pages that held it are written over
        db.execute("PRAGMA secure_delete=OFF")


def _scrub_context_lines(db: sqlite3.Connection) -> None:
    """Drop the stored context lines that may show a second secret (``store_codec.scrub_shared_lines``):
    in the blob cache, grouped by blob; in the occurrences, by file of a commit of a repository."""
    groups = (
        ("SELECT sha, ruleset_id, idx, finding FROM blob_findings ORDER BY sha",
         lambda row: row[0], "UPDATE blob_findings SET finding=? WHERE sha=? AND ruleset_id=? AND idx=?"),
        ("SELECT repo_id, path, commit_sha, id, finding FROM occurrences ORDER BY repo_id, path, commit_sha",
         lambda row: (row[0], row[1], row[2]), "UPDATE occurrences SET finding=? WHERE id=?"),
    )
    for query, key_of, update in groups:
        rows = db.execute(query).fetchall()
        changes: list[tuple[Any, ...]] = []
        start = 0
        while start < len(rows):
            end = start
            while end < len(rows) and key_of(rows[end]) == key_of(rows[start]):
                end += 1
            group = rows[start:end]
            if len(group) > 1:
                for i, text in store_codec.scrub_shared_lines([r[-1] for r in group]).items():
                    keys = group[i][:3] if len(group[i]) == 4 else group[i][3:4]
                    changes.append((text, *keys))
            start = end
        db.executemany(update, changes)
