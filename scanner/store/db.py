"""The sweep datastore: one embedded SQLite file that makes org-wide sweeps resumable and incremental.

Tables (schema version ``SCHEMA_VERSION``, kept in ``meta``)::

    meta(key, value)                           schema_version, context_masking
    rulesets(id, version, rules, created)      one row per effective rule set (its hash)
    rules(id, name, kind, provider)            rule metadata, for reports
    sweeps(id, ruleset_id, started, finished, status, repositories, failed, blobs_scanned, bytes_scanned)
                                               status: running | done | interrupted (killed midway)
    repositories(id, key, name, url, path, status, reason, ruleset_id, last_sweep, scanned_at, blobs, options)
    refs(repo_id, name, tip)                   every ref and its tip at the last scan
    blobs(sha, ruleset_id, size, findings, binary, sweep_id)         a blob scanned under a rule set
    blob_findings(sha, ruleset_id, idx, finding)                     its raw findings (redacted JSON)
    findings(fingerprint, rule_id, secret, first_sweep, first_seen) one row per credential
    occurrences(repo_id, fingerprint, rule_id, path, start_line, start_column, commit_sha, author,
                email, date, status, finding, first_sweep, first_seen)   attributed findings

A blob is keyed by its id and the rule set's version: scanned once per rule set, whatever the number
of repositories and forks that hold it, its findings re-attributed from ``blob_findings``. Secrets
are never stored in clear: findings are stored as ``store_codec.redacted`` leaves them.

Writes are transactions: the results of a batch of blobs (``put_blobs``), and everything about one
repository (``commit_repository``: its own blobs, refs, attributed findings and status) each commit
whole or not at all. The database runs in WAL mode: a sweep killed at any point keeps every committed
transaction, and the next sweep carries on from there (and marks the killed one ``interrupted``: one
sweep at a time writes a datastore, under ``scanner.sweep.lock``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from scanner.store import codec as store_codec
from scanner.errors import UsageError
from scanner.model import Confidence, Finding, Origin, Rule, Severity
from scanner.results import INVENTORY_KINDS, ScanReport

SCHEMA_VERSION = 1
_SCHEMA = """
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
_DATASTORE_FILE = "sweep.sqlite"
# meta key: how context lines are masked. Absent in datastores written before every secret on a line
# was masked: their stored context lines are scrubbed once, when such a datastore is opened.
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


@dataclass(frozen=True)
class RepoIdentity:
    key: str  # the clone URL, or the absolute path of a local repository
    name: str
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class ScannedBlob:
    """A blob's scan under a rule set, as the blob cache keeps it: its findings redacted and encoded
    without their outermost origin (``store_codec.encode(f, skip_root=True)``; made in the worker)."""

    sha: str
    size: int
    findings: tuple[str, ...] = ()
    binary: bool = False

    @classmethod
    def of(cls, sha: str, size: int, findings: Sequence[Finding], binary: bool = False) -> ScannedBlob:
        return cls(sha, size, tuple(store_codec.encode(f, skip_root=True) for f in findings), binary)


@dataclass(frozen=True)
class Occurrence:
    """One attributed finding, ready to store: the encoded (redacted) finding and the columns it is
    looked up by (made in the worker)."""

    fingerprint: str
    rule_id: str
    secret: str  # redacted
    path: str
    start_line: int
    start_column: int
    facts: tuple[str | None, ...]  # commit, author, email, date, status
    finding: str

    @classmethod
    def of(cls, f: Finding) -> Occurrence:
        extra = dict(f.origin.root.extra)
        return cls(f.fingerprint, f.rule_id, f.secret, f.origin.render(), f.start_line, f.start_column,
                   tuple(extra.get(k) for k in ("commit", "author", "email", "date", "status")), store_codec.encode(f))


@dataclass(frozen=True)
class RepoResult:
    """Everything one repository's scan adds, committed in one transaction."""

    repo: RepoIdentity
    refs: tuple[tuple[str, str], ...]  # (ref name, tip) of every ref
    blobs: tuple[ScannedBlob, ...]  # blobs scanned by the repository's own task
    findings: tuple[Occurrence, ...]  # attributed and redacted
    blob_count: int  # unique blobs the repository holds
    status: str = "ok"  # ok | failed (scanned in part: its reason says why)
    reason: str = ""
    options: str = ""  # scan options besides the rule set that decide what was scanned (--max-file-size)


@dataclass(frozen=True)
class RepoState:
    id: int
    status: str
    ruleset_id: int | None
    refs: tuple[tuple[str, str], ...]
    options: str = ""


def _json_values(values: Iterable[str]) -> str:
    return json.dumps(list(values))


class Store:
    """An open datastore. Every method that writes commits its own transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # with WAL: a killed process loses no commit
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise UsageError(f"cannot use datastore {path}: {exc} (give another --datastore)") from None
        except OSError as exc:
            raise UsageError(f"cannot create datastore {path}: {exc.strerror or exc}") from None

    def _migrate(self) -> None:
        with self.transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise UsageError(f"datastore {self.path} has schema version {row[0]}; this credsprawl writes version "
                                 f"{SCHEMA_VERSION}: sweep into a new --datastore")
            scrub = self.db.execute("SELECT 1 FROM meta WHERE key=?", (_MASKING_KEY,)).fetchone() is None
            if scrub:
                self.db.execute("PRAGMA secure_delete=ON")  # the old text is overwritten, not left in free space
                _scrub_context_lines(self.db)
                self.db.execute("INSERT INTO meta VALUES(?, ?)", (_MASKING_KEY, _MASKING))
        if scrub:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # and the pages that held it are written over
            self.db.execute("PRAGMA secure_delete=OFF")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- sweeps and rule sets -------------------------------------------------------------------

    def ruleset_id(self, version: str, rules: Sequence[Rule]) -> int:
        """The id of a rule set (recorded on first use), with its rules' metadata kept for reports."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO rulesets(version, rules, created) VALUES(?, ?, ?)",
                       (version, len(rules), now()))
            db.executemany("INSERT OR REPLACE INTO rules VALUES(?, ?, ?, ?, ?, ?)",
                           [(r.id, r.name, r.kind, r.provider, r.severity.value, r.confidence.value) for r in rules])
            return int(db.execute("SELECT id FROM rulesets WHERE version=?", (version,)).fetchone()[0])

    def begin_sweep(self, ruleset_id: int, repositories: int) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO sweeps(ruleset_id, started, status, repositories) VALUES(?, ?, 'running', ?)",
                             (ruleset_id, now(), repositories))
            return int(cur.lastrowid or 0)

    def interrupt_running(self) -> list[int]:
        """Mark sweeps still ``running`` as ``interrupted``, finished now (when it was noticed), and
        return their ids. Only for a caller holding the sweep lock (``scanner.sweep.lock``): then no
        other sweep is running on this datastore, and such a row was left by one that was killed."""
        with self.transaction() as db:
            ids = [int(r[0]) for r in db.execute("SELECT id FROM sweeps WHERE status='running' ORDER BY id")]
            db.execute("UPDATE sweeps SET status='interrupted', finished=? WHERE status='running'", (now(),))
        return ids

    def finish_sweep(self, sweep_id: int, failed: int, blobs_scanned: int, bytes_scanned: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE sweeps SET finished=?, status='done', failed=?, blobs_scanned=?, bytes_scanned=? "
                       "WHERE id=?", (now(), failed, blobs_scanned, bytes_scanned, sweep_id))

    # -- repositories ---------------------------------------------------------------------------

    def repository(self, key: str) -> RepoState | None:
        row = self.db.execute("SELECT id, status, ruleset_id, options FROM repositories WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        refs = tuple((str(n), str(t)) for n, t in
                     self.db.execute("SELECT name, tip FROM refs WHERE repo_id=? ORDER BY name", (row[0],)))
        return RepoState(int(row[0]), str(row[1]), row[2], refs, str(row[3]))

    def previous_refs(self, key: str, ruleset_id: int, options: str = "") -> tuple[tuple[str, str], ...] | None:
        """The refs of the last complete scan of ``key`` under this rule set and these options; None
        when it must be scanned."""
        state = self.repository(key)
        if state is None or state.status != "ok" or state.ruleset_id != ruleset_id or state.options != options:
            return None
        return state.refs

    def _upsert_repo(self, db: sqlite3.Connection, repo: RepoIdentity) -> int:
        db.execute("INSERT INTO repositories(key, name, url, path, status) VALUES(?, ?, ?, ?, 'new') "
                   "ON CONFLICT(key) DO UPDATE SET name=excluded.name, url=excluded.url, path=excluded.path",
                   (repo.key, repo.name, repo.url, repo.path))
        return int(db.execute("SELECT id FROM repositories WHERE key=?", (repo.key,)).fetchone()[0])

    def mark_unchanged(self, repo: RepoIdentity, sweep_id: int) -> None:
        with self.transaction() as db:
            repo_id = self._upsert_repo(db, repo)
            db.execute("UPDATE repositories SET last_sweep=? WHERE id=?", (sweep_id, repo_id))

    def record_failure(self, repo: RepoIdentity, sweep_id: int, reason: str) -> None:
        """A repository that could not be scanned: its earlier findings stay, its next sweep rescans it."""
        with self.transaction() as db:
            repo_id = self._upsert_repo(db, repo)
            db.execute("UPDATE repositories SET status='failed', reason=?, last_sweep=? WHERE id=?",
                       (reason, sweep_id, repo_id))

    def commit_repository(self, result: RepoResult, ruleset_id: int, sweep_id: int) -> int:
        """Write one repository's result in one transaction; returns how many of its findings are new
        (certificates, listed but not leaks, are not counted)."""
        stamp = now()
        with self.transaction() as db:
            self._put_blobs(db, result.blobs, ruleset_id, sweep_id)
            repo_id = self._upsert_repo(db, result.repo)
            db.execute("UPDATE repositories SET status=?, reason=?, ruleset_id=?, last_sweep=?, scanned_at=?, blobs=?, "
                       "options=? WHERE id=?", (result.status, result.reason, ruleset_id, sweep_id, stamp,
                                                result.blob_count, result.options, repo_id))
            db.execute("DELETE FROM refs WHERE repo_id=?", (repo_id,))
            db.executemany("INSERT INTO refs VALUES(?, ?, ?)", [(repo_id, n, t) for n, t in result.refs])
            first: dict[tuple[str, str, str], tuple[int, str]] = {
                (r, fp, p): (s, t) for r, fp, p, s, t in db.execute(
                    "SELECT rule_id, fingerprint, path, MIN(first_sweep), MIN(first_seen) FROM occurrences "
                    "WHERE repo_id=? GROUP BY rule_id, fingerprint, path", (repo_id,))}
            db.execute("DELETE FROM occurrences WHERE repo_id=?", (repo_id,))
            new = 0
            rows = []
            listed = self._inventory_rules()
            for o in result.findings:
                seen = first.get((o.rule_id, o.fingerprint, o.path))
                if seen is None:
                    new += o.rule_id not in listed
                    seen = (sweep_id, stamp)
                rows.append((repo_id, o.fingerprint, o.rule_id, o.path, o.start_line, o.start_column, *o.facts,
                             o.finding, seen[0], seen[1]))
            db.executemany("INSERT OR IGNORE INTO findings VALUES(?, ?, ?, ?, ?)",
                           [(o.fingerprint, o.rule_id, o.secret, sweep_id, stamp) for o in result.findings])
            db.executemany("INSERT INTO occurrences(repo_id, fingerprint, rule_id, path, start_line, start_column, "
                           "commit_sha, author, email, date, status, finding, first_sweep, first_seen) "
                           "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return new

    # -- the blob cache -------------------------------------------------------------------------

    def _put_blobs(self, db: sqlite3.Connection, blobs: Sequence[ScannedBlob], ruleset_id: int, sweep_id: int) -> None:
        db.executemany("INSERT OR IGNORE INTO blobs VALUES(?, ?, ?, ?, ?, ?)",
                       [(b.sha, ruleset_id, b.size, len(b.findings), int(b.binary), sweep_id) for b in blobs])
        db.executemany("INSERT OR IGNORE INTO blob_findings VALUES(?, ?, ?, ?)",
                       [(b.sha, ruleset_id, i, text) for b in blobs for i, text in enumerate(b.findings)])

    def put_blobs(self, blobs: Sequence[ScannedBlob], ruleset_id: int, sweep_id: int) -> None:
        """Record scanned blobs (a batch of a large repository) in one transaction."""
        if blobs:
            with self.transaction() as db:
                self._put_blobs(db, blobs, ruleset_id, sweep_id)

    def known_blobs(self, shas: Sequence[str], ruleset_id: int) -> dict[str, int]:
        """Of ``shas``, those already scanned under this rule set, with their number of findings."""
        if not shas:
            return {}
        rows = self.db.execute("SELECT sha, findings FROM blobs WHERE ruleset_id=? AND sha IN "
                               "(SELECT value FROM json_each(?))", (ruleset_id, _json_values(shas)))
        return {str(sha): int(n) for sha, n in rows}

    def blob_findings(self, shas: Sequence[str], ruleset_id: int) -> dict[str, tuple[str, ...]]:
        """The stored (encoded) findings of those of ``shas`` that have some; ``store_codec.decode_blob``
        reads them back."""
        if not shas:
            return {}
        found: dict[str, list[str]] = {}
        rows = self.db.execute("SELECT sha, finding FROM blob_findings WHERE ruleset_id=? AND sha IN "
                               "(SELECT value FROM json_each(?)) ORDER BY sha, idx", (ruleset_id, _json_values(shas)))
        for sha, text in rows:
            found.setdefault(sha, []).append(text)
        return {sha: tuple(texts) for sha, texts in found.items()}

    # -- reading --------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Row counts of the main tables (for summaries and tests)."""
        tables = ("repositories", "refs", "blobs", "blob_findings", "findings", "occurrences", "sweeps")
        return {t: int(self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}

    def repositories(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT key, name, url, path, status, reason, last_sweep, blobs FROM repositories "
                              "ORDER BY name, key")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row)) for row in cur]

    def sweeps(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT s.id, s.started, s.finished, s.status, s.repositories, s.failed, "
                              "s.blobs_scanned, s.bytes_scanned, r.version AS ruleset FROM sweeps s "
                              "JOIN rulesets r ON r.id = s.ruleset_id ORDER BY s.id")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row)) for row in cur]

    def _inventory_rules(self) -> frozenset[str]:
        """Rules whose matches are listed, not leaks (certificates): not counted as findings."""
        rows = self.db.execute("SELECT id FROM rules WHERE kind IN (SELECT value FROM json_each(?))",
                               (_json_values(sorted(INVENTORY_KINDS)),))
        return frozenset(str(r[0]) for r in rows)

    def occurrence_count(self, keys: Sequence[str]) -> int:
        """Findings recorded for these repositories (certificates, an inventory kind, are not leaks)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM occurrences o JOIN repositories r ON r.id = o.repo_id "
            "WHERE r.key IN (SELECT value FROM json_each(?)) AND o.rule_id NOT IN "
            "(SELECT id FROM rules WHERE kind IN (SELECT value FROM json_each(?)))",
            (_json_values(keys), _json_values(sorted(INVENTORY_KINDS)))).fetchone()
        return int(row[0])

    def _new_since_clause(self, new_since: str | None) -> tuple[str, tuple[Any, ...]]:
        if new_since is None:
            return "", ()
        value = new_since.strip()
        if value.isdigit():
            if self.db.execute("SELECT 1 FROM sweeps WHERE id=?", (int(value),)).fetchone() is None:
                known = [s["id"] for s in self.sweeps()]
                span = f"sweeps {known[0]}-{known[-1]}" if known else "no sweeps yet"
                raise UsageError(f"--new-since {value}: no such sweep in {self.path} ({span})")
            return " WHERE o.first_sweep > ?", (int(value),)
        return " WHERE o.first_seen > ?", (_as_utc(value),)

    def _report(self, new_since: str | None, listed_only: bool = False) -> ScanReport:
        """The stored occurrences as a report (``listed_only``: those of inventory kinds alone)."""
        where, params = self._new_since_clause(new_since)
        if listed_only:
            where += (" AND" if where else " WHERE") + (" o.rule_id IN (SELECT id FROM rules WHERE kind IN "
                                                        "(SELECT value FROM json_each(?)))")
            params = (*params, _json_values(sorted(INVENTORY_KINDS)))
        rows = self.db.execute(
            "SELECT r.name, r.url, r.path, o.finding FROM occurrences o JOIN repositories r ON r.id = o.repo_id"
            f"{where} ORDER BY r.name, r.key, o.path, o.start_line, o.start_column, o.rule_id, o.fingerprint", params)
        findings = [_with_repository(store_codec.decode(text), name, url or path or name)
                    for name, url, path, text in rows]
        rules = {
            rid: Rule(rid, name, kind, provider, Severity(sev), Confidence(conf), (), "")
            for rid, name, kind, provider, sev, conf in self.db.execute("SELECT * FROM rules")
        }
        return ScanReport(tuple(findings), rules)  # certificates (an inventory kind) leave the findings here

    def stored_report(self, new_since: str | None = None, listed_only: bool = False) -> ScanReport:
        """The stored occurrences as a report (redacted; ``listed_only``: certificates and other inventory
        kinds alone, as its ``inventory``); ``new_since`` as for ``scanner.report.datastore``."""
        return self._report(new_since, listed_only)


def _with_repository(finding: Finding, name: str, location: str) -> Finding:
    """The finding with the repository named in its outermost origin's facts."""
    chain = finding.origin.chain()
    root = chain[0]
    facts = tuple(sorted((*root.extra, ("repository", name), ("repository_url", location))))
    node = Origin(root.path, root.kind, None, facts)
    for o in chain[1:]:
        node = Origin(o.path, o.kind, node, o.extra)
    return replace(finding, origin=node)


def _scrub_context_lines(db: sqlite3.Connection) -> None:
    """Drop the context lines a datastore written before every secret on a line was masked may show
    a second secret on (``store_codec.scrub_shared_lines``): in the blob cache, by blob; in the
    occurrences, by file of a commit of a repository."""
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


def _as_utc(value: str) -> str:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise UsageError(f"--new-since takes a date (2026-01-31 or 2026-01-31T12:00:00+00:00, UTC unless it says "
                         f"otherwise) or a sweep id, got {value!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def open_existing(path: Path) -> Store:
    """The datastore at ``path``; a usage error when there is none."""
    if not Path(path).is_file():
        raise UsageError(f"no datastore at {path} (credsprawl sweep --datastore {path} makes one)")
    return Store(Path(path))
