"""Sweep bookkeeping: rule sets, sweeps and their status, repositories with their refs, and the
attributed findings a repository's scan commits.

Everything about one repository (its own blobs, refs, status and attributed findings) is written by
``commit_repository`` in one transaction, so a sweep killed midway leaves each repository either as
its last complete scan left it or fully updated; the next sweep carries on from there.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Sequence

from scanner.model import Finding, Rule
from scanner.results import INVENTORY_KINDS
from scanner.store import codec as store_codec
from scanner.store.blobcache import ScannedBlob, insert_blobs
from scanner.store.schema import json_values, now, transaction


@dataclass(frozen=True)
class RepoIdentity:
    key: str  # the clone URL, or the absolute path of a local repository
    name: str
    url: str | None = None
    path: str | None = None


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


# -- sweeps and rule sets -----------------------------------------------------------------------


def ruleset_id(db: sqlite3.Connection, version: str, rules: Sequence[Rule]) -> int:
    """The id of a rule set (recorded on first use), with its rules' metadata kept for reports."""
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO rulesets(version, rules, created) VALUES(?, ?, ?)",
                   (version, len(rules), now()))
        db.executemany("INSERT OR REPLACE INTO rules(id, name, kind, provider, severity, confidence, remediation) "
                       "VALUES(?, ?, ?, ?, ?, ?, ?)",
                       [(r.id, r.name, r.kind, r.provider, r.severity.value, r.confidence.value, r.remediation)
                        for r in rules])
        return int(db.execute("SELECT id FROM rulesets WHERE version=?", (version,)).fetchone()[0])


def begin_sweep(db: sqlite3.Connection, ruleset: int, repositories: int) -> int:
    """A new sweep, ``running``; its id."""
    with transaction(db):
        cur = db.execute("INSERT INTO sweeps(ruleset_id, started, status, repositories) VALUES(?, ?, 'running', ?)",
                         (ruleset, now(), repositories))
        return int(cur.lastrowid or 0)


def interrupt_running(db: sqlite3.Connection) -> list[int]:
    """Mark sweeps still ``running`` as ``interrupted``, finished now (when it was noticed), and return
    their ids. Only for a caller holding the sweep lock (``scanner.sweep.lock``): then no other sweep
    is running on this datastore, and such a row was left by one that was killed."""
    with transaction(db):
        ids = [int(r[0]) for r in db.execute("SELECT id FROM sweeps WHERE status='running' ORDER BY id")]
        db.execute("UPDATE sweeps SET status='interrupted', finished=? WHERE status='running'", (now(),))
    return ids


def finish_sweep(db: sqlite3.Connection, sweep_id: int, failed: int, blobs_scanned: int, bytes_scanned: int) -> None:
    with transaction(db):
        db.execute("UPDATE sweeps SET finished=?, status='done', failed=?, blobs_scanned=?, bytes_scanned=? "
                   "WHERE id=?", (now(), failed, blobs_scanned, bytes_scanned, sweep_id))


# -- repositories -------------------------------------------------------------------------------


def repository(db: sqlite3.Connection, key: str) -> RepoState | None:
    row = db.execute("SELECT id, status, ruleset_id, options FROM repositories WHERE key=?", (key,)).fetchone()
    if row is None:
        return None
    refs = tuple((str(n), str(t)) for n, t in
                 db.execute("SELECT name, tip FROM refs WHERE repo_id=? ORDER BY name", (row[0],)))
    return RepoState(int(row[0]), str(row[1]), row[2], refs, str(row[3]))


def previous_refs(db: sqlite3.Connection, key: str, ruleset: int, options: str = "") -> tuple[tuple[str, str], ...] | None:
    """The refs of the last complete scan of ``key`` under this rule set and these options; None when
    it must be scanned."""
    state = repository(db, key)
    if state is None or state.status != "ok" or state.ruleset_id != ruleset or state.options != options:
        return None
    return state.refs


def _upsert_repo(db: sqlite3.Connection, repo: RepoIdentity) -> int:
    db.execute("INSERT INTO repositories(key, name, url, path, status) VALUES(?, ?, ?, ?, 'new') "
               "ON CONFLICT(key) DO UPDATE SET name=excluded.name, url=excluded.url, path=excluded.path",
               (repo.key, repo.name, repo.url, repo.path))
    return int(db.execute("SELECT id FROM repositories WHERE key=?", (repo.key,)).fetchone()[0])


def mark_unchanged(db: sqlite3.Connection, repo: RepoIdentity, sweep_id: int) -> None:
    """A repository whose refs are those of its last complete scan: only its last sweep changes."""
    with transaction(db):
        repo_id = _upsert_repo(db, repo)
        db.execute("UPDATE repositories SET last_sweep=? WHERE id=?", (sweep_id, repo_id))


def record_failure(db: sqlite3.Connection, repo: RepoIdentity, sweep_id: int, reason: str) -> None:
    """A repository that could not be scanned: its earlier findings stay, its next sweep rescans it."""
    with transaction(db):
        repo_id = _upsert_repo(db, repo)
        db.execute("UPDATE repositories SET status='failed', reason=?, last_sweep=? WHERE id=?",
                   (reason, sweep_id, repo_id))


def _inventory_rules(db: sqlite3.Connection) -> frozenset[str]:
    """Rules whose matches are listed, not leaks (certificates): not counted as findings."""
    rows = db.execute("SELECT id FROM rules WHERE kind IN (SELECT value FROM json_each(?))",
                      (json_values(sorted(INVENTORY_KINDS)),))
    return frozenset(str(r[0]) for r in rows)


def commit_repository(db: sqlite3.Connection, result: RepoResult, ruleset: int, sweep_id: int) -> int:
    """Write one repository's result in one transaction; returns how many of its findings are new
    (certificates, listed but not leaks, are not counted). An occurrence keeps the sweep and time it
    was first recorded at, by (rule, fingerprint, path), across rescans of its repository."""
    stamp = now()
    with transaction(db):
        insert_blobs(db, result.blobs, ruleset, sweep_id)
        repo_id = _upsert_repo(db, result.repo)
        db.execute("UPDATE repositories SET status=?, reason=?, ruleset_id=?, last_sweep=?, scanned_at=?, blobs=?, "
                   "options=? WHERE id=?", (result.status, result.reason, ruleset, sweep_id, stamp,
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
        listed = _inventory_rules(db)
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
