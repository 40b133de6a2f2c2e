"""The per-credential summary the queue is sorted and filtered by: severity, what verification said,
present at HEAD, sprawl (repositories, paths, refs, locations), age, and the identity it belongs to.

Computing it means reading every occurrence, so it is built once per change of the datastore's
findings (a sweep, new verification results) into ``temp.cred``, a temporary table of the app's own
connection: nothing is written to the datastore file, and triage state is joined at query time, so a
triage write never rebuilds it. ``cred.prio`` is the queue's order (its rowid: pages read in order and
stop early).

Do first: live (verified) credentials with high privileges, then the other live ones, then by
severity; then present at HEAD; then sprawl (repositories, paths, refs); then the oldest leak first.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from scanner.identity.correlate import CLUSTER_FACTS
from scanner.model import Severity
from scanner.results import INVENTORY_KINDS
from scanner.serve import verification

AGE_BUCKETS = ((7, "under a week"), (30, "under a month"), (90, "under 3 months"), (365, "under a year"),
               (None, "a year or more"))
UNKNOWN_AGE = "no commit date"
_SEV_RANK = {s.value: s.rank for s in Severity}

_SCHEMA = """
CREATE TEMP TABLE cred(
    prio INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, rule_id TEXT NOT NULL, rule TEXT NOT NULL,
    severity TEXT NOT NULL, kind TEXT NOT NULL, provider TEXT NOT NULL, secret TEXT NOT NULL,
    first_seen TEXT NOT NULL, first_sweep INTEGER NOT NULL, first_date TEXT, last_date TEXT, age_days INTEGER,
    age_bucket TEXT NOT NULL, vstatus TEXT NOT NULL, privilege INTEGER NOT NULL, present INTEGER NOT NULL,
    repos INTEGER NOT NULL, paths INTEGER NOT NULL, refs INTEGER NOT NULL, locations INTEGER NOT NULL,
    repositories TEXT NOT NULL, identity TEXT, identity_basis TEXT)
"""
_PATHS = "CREATE TEMP TABLE cred_path(fingerprint TEXT NOT NULL, repository TEXT NOT NULL, path TEXT NOT NULL)"
_INDEXES = ("CREATE INDEX temp.cred_identity ON cred(identity)", "CREATE INDEX temp.cred_sweep ON cred(first_sweep)")

# every occurrence of every leaked credential, grouped by credential; JSON parts are cut out by SQLite
_READ = """
SELECT f.fingerprint, f.rule_id, COALESCE(r.name, f.rule_id), COALESCE(r.severity, ''), COALESCE(r.kind, ''),
       COALESCE(r.provider, ''), f.secret, f.first_seen, f.first_sweep,
       o.repo_id, o.path, o.status, o.date, p.name,
       json_extract(o.finding, '$.a'),
       (SELECT json_extract(e.value, '$[1]') FROM json_each(o.finding, '$.o[0][2]') e
        WHERE json_extract(e.value, '$[0]') = 'refs')
FROM findings f LEFT JOIN rules r ON r.id = f.rule_id
LEFT JOIN occurrences o ON o.fingerprint = f.fingerprint LEFT JOIN repositories p ON p.id = o.repo_id
WHERE COALESCE(r.kind, '') NOT IN (SELECT value FROM json_each(?))
ORDER BY f.fingerprint
"""


def generation(db: sqlite3.Connection) -> tuple[Any, ...]:
    """A value that changes whenever what the summary is built from changes (cheap: maxima of keys)."""
    row = db.execute("SELECT (SELECT MAX(id) FROM sweeps), (SELECT MAX(scanned_at) FROM repositories), "
                     "(SELECT MAX(id) FROM occurrences), (SELECT MAX(rowid) FROM findings)").fetchone()
    return (*row, *verification.generation(db))


def _age_bucket(days: int | None) -> str:
    if days is None:
        return UNKNOWN_AGE
    for limit, name in AGE_BUCKETS:
        if limit is None or days < limit:
            return name
    return AGE_BUCKETS[-1][1]


def _days(date: str | None, now: datetime) -> int | None:
    if not date:
        return None
    try:
        when = datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return max(0, int((now - when).total_seconds() // 86400))


def identity_of(attributes: dict[str, str]) -> tuple[str, str] | None:
    """The identity facts name: the first clustering fact the credential has (basis, value)."""
    for name, get in CLUSTER_FACTS:
        value = get(attributes)
        if value:
            return name, value
    return None


class _Acc:
    """What one credential's occurrences add up to."""

    __slots__ = ("head", "repos", "paths", "refs", "locations", "present", "first_date", "last_date", "names", "attrs", "where")

    def __init__(self, head: tuple[Any, ...]) -> None:
        self.head = head
        self.repos: set[int] = set()
        self.paths: set[tuple[int, str]] = set()
        self.refs = 0
        self.locations = 0
        self.present = False
        self.first_date: str | None = None
        self.last_date: str | None = None
        self.names: set[str] = set()
        self.attrs: dict[str, str] = {}
        self.where: list[tuple[str, str]] = []  # (repository, path), each once

    def add(self, repo_id: int | None, path: str | None, status: str | None, date: str | None, name: str | None,
            attrs: str | None, refs: str | None) -> None:
        if repo_id is None:
            return
        self.locations += 1
        self.repos.add(repo_id)
        if (repo_id, path or "") not in self.paths:
            self.paths.add((repo_id, path or ""))
            self.where.append((name or "", path or ""))
        self.names.add(name or "")
        self.present = self.present or status == "live"  # the history's word for "at HEAD"
        if date:
            self.first_date = date if self.first_date is None or date < self.first_date else self.first_date
            self.last_date = date if self.last_date is None or date > self.last_date else self.last_date
        if refs and refs.isdigit():
            self.refs = max(self.refs, int(refs))
        if attrs and attrs != "[]":
            for pair in json.loads(attrs):
                if isinstance(pair, list) and len(pair) == 2:
                    self.attrs.setdefault(str(pair[0]), str(pair[1]))


def build(db: sqlite3.Connection, now: datetime | None = None) -> int:
    """(Re)build ``temp.cred``; how many credentials it holds."""
    now = now or datetime.now(timezone.utc)
    verified = verification.every(db)
    rows: list[tuple[Any, ...]] = []
    paths: list[tuple[str, str, str]] = []
    acc: _Acc | None = None

    def close(a: _Acc) -> None:
        fp, rule_id, rule, severity, kind, provider, secret, first_seen, first_sweep = a.head
        v = verified.get(fp)
        ident = (("verified", label) if v is not None and v.status == "live" and (label := verification.identity_label(v.identity))
                 else identity_of(a.attrs))
        paths.extend((fp, repo, path) for repo, path in a.where)
        days = _days(a.first_date, now)
        status = v.status if v is not None else ""
        privilege = verification.privilege(v.permissions) if v is not None and v.status == "live" else 0
        key = (0 if status == "live" else 1, -privilege, -_SEV_RANK.get(severity, 0), 0 if a.present else 1,
               -len(a.repos), -len(a.paths), -a.refs, a.first_date or "9999", fp)
        rows.append((key, fp, rule_id, rule, severity, kind, provider, secret, first_seen, first_sweep, a.first_date,
                     a.last_date, days, _age_bucket(days), status, privilege, int(a.present), len(a.repos),
                     len(a.paths), a.refs, a.locations, json.dumps(sorted(a.names)),
                     ident[1] if ident else None, ident[0] if ident else None))

    for fp, rule_id, rule, sev, kind, provider, secret, first_seen, first_sweep, repo_id, path, status, date, name, \
            attrs, refs in db.execute(_READ, (json.dumps(sorted(INVENTORY_KINDS)),)):
        if acc is None or acc.head[0] != fp:
            if acc is not None:
                close(acc)
            acc = _Acc((fp, rule_id, rule, sev, kind, provider, secret, first_seen, first_sweep))
        acc.add(repo_id, path, status, date, name, attrs, refs)
    if acc is not None:
        close(acc)
    rows.sort(key=lambda r: r[0])
    db.execute("BEGIN")  # the temporary database only: the datastore file is not locked
    try:
        db.execute("DROP TABLE IF EXISTS temp.cred")
        db.execute("DROP TABLE IF EXISTS temp.cred_path")
        db.execute(_SCHEMA)
        db.execute(_PATHS)
        db.executemany("INSERT INTO temp.cred_path VALUES(?, ?, ?)", paths)
        db.executemany("INSERT INTO temp.cred VALUES(" + ", ".join("?" * 24) + ")",
                       [(i, *r[1:]) for i, r in enumerate(rows, 1)])
        for statement in _INDEXES:
            db.execute(statement)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return len(rows)


class Summary:
    """Keeps ``temp.cred`` current for one connection: rebuilt when ``generation`` changes."""

    def __init__(self) -> None:
        self.built_for: tuple[Any, ...] | None = None
        self.count = 0

    def ensure(self, db: sqlite3.Connection) -> tuple[Any, ...]:
        gen = generation(db)
        if gen != self.built_for:
            self.count = build(db)
            self.built_for = gen
        return gen
