"""The per-credential summary the pages sort, filter and count: severity, what verification said,
present at HEAD, sprawl (repositories, paths, refs, locations), age, the identity it belongs to, and
its triage state and owner.

Computing it means reading every occurrence, so it is built once per change of the datastore's
findings (a sweep, new verification results) into ``temp.cred``, a temporary table (in memory) of the
app's own connection: nothing is written to the datastore file. Triage writes do not rebuild it:
every write appends to the audit log, so the rows of the credentials named in audit entries newer
than the last one seen are refreshed from ``triage`` (whoever wrote them: this app, another
``serve``, ``credsprawl triage``, a sweep's reopening). ``cred.prio`` is the queue's order (its rowid:
a page reads in order and stops early).

Do first: live (verified) credentials with high privileges, then the other live ones, then by
severity; then present at HEAD; then sprawl (repositories, paths, refs); then the oldest leak first.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
import time
from datetime import datetime, timezone
from typing import Any

from scanner.identity.correlate import CLUSTER_FACTS
from scanner.model import Severity
from scanner.results import INVENTORY_KINDS
from scanner.serve import verification
from scanner.triage.states import DEFAULT_STATE

AGE_BUCKETS = ((7, "under a week"), (30, "under a month"), (90, "under 3 months"), (365, "under a year"),
               (None, "a year or more"))
UNKNOWN_AGE = "no commit date"
_SEV_RANK = {s.value: s.rank for s in Severity}

COLUMNS = ("prio", "fingerprint", "rule_id", "rule", "severity", "kind", "provider", "secret", "first_seen",
           "first_sweep", "first_date", "last_date", "age_days", "age_bucket", "vstatus", "privilege", "present",
           "repos", "paths", "refs", "locations", "repositories", "identity", "identity_basis",
           "state", "reason", "expires", "assignee", "changed_at", "changed_by")
_SCHEMA = """
CREATE TEMP TABLE cred(
    prio INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, rule_id TEXT NOT NULL, rule TEXT NOT NULL,
    severity TEXT NOT NULL, kind TEXT NOT NULL, provider TEXT NOT NULL, secret TEXT NOT NULL,
    first_seen TEXT NOT NULL, first_sweep INTEGER NOT NULL, first_date TEXT, last_date TEXT, age_days INTEGER,
    age_bucket TEXT NOT NULL, vstatus TEXT NOT NULL, privilege INTEGER NOT NULL, present INTEGER NOT NULL,
    repos INTEGER NOT NULL, paths INTEGER NOT NULL, refs INTEGER NOT NULL, locations INTEGER NOT NULL,
    repositories TEXT NOT NULL, identity TEXT, identity_basis TEXT,
    state TEXT NOT NULL, reason TEXT NOT NULL, expires TEXT, assignee TEXT, changed_at TEXT, changed_by TEXT)
"""
_PATHS = "CREATE TEMP TABLE cred_path(fingerprint TEXT NOT NULL, repository TEXT NOT NULL, path TEXT NOT NULL)"
# the counts of the overview and the queue's filters read these (narrow, so counting reads few pages)
_INDEXES = (
    "CREATE INDEX temp.cred_state ON cred(state, severity, vstatus, age_bucket, present)",
    # the queue's order with what its filters test: a page and its count read this, not the wide rows
    "CREATE INDEX temp.cred_order ON cred(prio, state, severity, vstatus, first_seen)",
    "CREATE INDEX temp.cred_assignee ON cred(assignee, state)",
    "CREATE INDEX temp.cred_identity ON cred(identity, state)",
    "CREATE INDEX temp.cred_rule ON cred(rule_id)",
    "CREATE INDEX temp.cred_sweep ON cred(first_sweep)",
)
_FINDINGS = """
SELECT f.fingerprint, f.rule_id, COALESCE(r.name, f.rule_id), COALESCE(r.severity, ''), COALESCE(r.kind, ''),
       COALESCE(r.provider, ''), f.secret, f.first_seen, f.first_sweep
FROM findings f LEFT JOIN rules r ON r.id = f.rule_id
WHERE COALESCE(r.kind, '') NOT IN (SELECT value FROM json_each(?))
"""
_TRIAGE = "SELECT fingerprint, state, reason, expires, assignee, changed_at, changed_by FROM triage"


def generation(db: sqlite3.Connection) -> tuple[Any, ...]:
    """A value that changes whenever what the summary is built from changes (cheap: maxima of keys)."""
    row = db.execute("SELECT (SELECT MAX(id) FROM sweeps), (SELECT MAX(scanned_at) FROM repositories), "
                     "(SELECT MAX(id) FROM occurrences), (SELECT MAX(rowid) FROM findings)").fetchone()
    return (*row, *verification.generation(db))


def last_audit(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM triage_audit").fetchone()[0])


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


# facts never named as an identity: an access key id is the credential its rule reports (shown redacted)
NOT_AN_IDENTITY = frozenset({"aws.key_id"})


def identity_of(attributes: dict[str, str]) -> tuple[str, str] | None:
    """The identity the facts name: the first clustering fact the credential has, as (basis, label);
    the label names the fact (``aws.account_id 123456789012``)."""
    if not attributes:
        return None
    for name, get in CLUSTER_FACTS:
        if name in NOT_AN_IDENTITY:
            continue
        value = get(attributes)
        if value:
            return name, f"{name} {value}"
    return None


def _attributes(tail: str | None) -> list[Any]:
    """The derived attributes of a stored finding, from what follows its ``"a":`` key (``codec.encode``
    writes it last; a JSON string value cannot hold ``,"a":`` unescaped, so the key is found by text)."""
    if not tail:
        return []
    try:
        value = json.loads(tail[:-1] if tail.endswith("}") else tail)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


class _Acc:
    """What one credential's occurrences add up to."""

    __slots__ = ("repos", "paths", "refs", "locations", "present", "first_date", "last_date", "attrs", "where")

    def __init__(self) -> None:
        self.repos: set[str] = set()
        self.paths: set[tuple[str, str]] = set()
        self.refs = 0
        self.locations = 0
        self.present = False
        self.first_date: str | None = None
        self.last_date: str | None = None
        self.attrs: dict[str, str] = {}
        self.where: list[tuple[str, str]] = []  # (repository, path), each once

    def add(self, repo: str, path: str, status: str | None, date: str | None, refs: int, attributes: str | None) -> None:
        self.locations += 1
        self.repos.add(repo)
        if (repo, path) not in self.paths:
            self.paths.add((repo, path))
            self.where.append((repo, path))
        if status == "live":  # the history's word for "at HEAD"
            self.present = True
        if date:
            if self.first_date is None or date < self.first_date:
                self.first_date = date
            if self.last_date is None or date > self.last_date:
                self.last_date = date
        if refs > self.refs:
            self.refs = refs
        for pair in _attributes(attributes):
            if isinstance(pair, list) and len(pair) == 2:
                self.attrs.setdefault(str(pair[0]), str(pair[1]))


# each occurrence with the two parts of its stored finding the summary needs, cut out by SQLite: the
# root origin's ``refs`` count (the first ``["refs","N"]``) and the attributes (after ``,"a":``)
_OCCURRENCES = """
SELECT fingerprint, repo_id, path, status, date,
       CASE WHEN instr(finding, '["refs","') > 0
            THEN CAST(substr(finding, instr(finding, '["refs","') + 9, 12) AS INTEGER) ELSE 0 END,
       CASE WHEN instr(finding, ',"a":[]}') > 0 THEN NULL ELSE substr(finding, instr(finding, ',"a":') + 5) END
FROM occurrences
"""


def _occurrences(db: sqlite3.Connection) -> dict[str, _Acc]:
    """Every occurrence, read in storage order (no random access), grouped by credential."""
    names = dict(db.execute("SELECT id, name FROM repositories").fetchall())
    acc: dict[str, _Acc] = {}
    for fp, repo_id, path, status, date, refs, attributes in db.execute(_OCCURRENCES):
        a = acc.get(fp)
        if a is None:
            a = acc[fp] = _Acc()
        a.add(names.get(repo_id, ""), path, status, date, int(refs or 0), attributes)
    return acc


def build(db: sqlite3.Connection, now: datetime | None = None) -> int:
    """(Re)build ``temp.cred`` and ``temp.cred_path``; how many credentials it holds."""
    now = now or datetime.now(timezone.utc)
    db.execute("PRAGMA temp_store=MEMORY")
    verified = verification.every(db)
    occurrences = _occurrences(db)
    triage = {r[0]: r[1:] for r in db.execute(_TRIAGE)}
    empty = _Acc()
    rows: list[tuple[Any, ...]] = []
    paths: list[tuple[str, str, str]] = []
    for fp, rule_id, rule, severity, kind, provider, secret, first_seen, first_sweep in db.execute(
            _FINDINGS, (json.dumps(sorted(INVENTORY_KINDS)),)):
        a = occurrences.get(fp, empty)
        v = verified.get(fp)
        label = verification.identity_label(v.identity) if v is not None and v.status == "live" else None
        ident = ("verified", label) if label else identity_of(a.attrs)
        paths.extend((fp, repo, path) for repo, path in a.where)
        days = _days(a.first_date, now)
        status = v.status if v is not None else ""
        privilege = verification.privilege(v.permissions) if v is not None and status == "live" else 0
        key = (0 if status == "live" else 1, -privilege, -_SEV_RANK.get(severity, 0), 0 if a.present else 1,
               -len(a.repos), -len(a.paths), -a.refs, a.first_date or "9999", fp)
        state = triage.get(fp) or (DEFAULT_STATE, "", None, None, None, None)
        rows.append((key, fp, rule_id, rule, severity, kind, provider, secret, first_seen, first_sweep, a.first_date,
                     a.last_date, days, _age_bucket(days), status, privilege, int(a.present), len(a.repos),
                     len(a.paths), a.refs, a.locations, json.dumps(sorted(a.repos)),
                     ident[1] if ident else None, ident[0] if ident else None, *state))
    rows.sort(key=lambda r: r[0])
    db.execute("BEGIN")  # the temporary database only: the datastore file is not locked
    try:
        db.execute("DROP TABLE IF EXISTS temp.cred")
        db.execute("DROP TABLE IF EXISTS temp.cred_path")
        db.execute(_SCHEMA)
        db.execute(_PATHS)
        db.executemany(f"INSERT INTO temp.cred VALUES({', '.join('?' * len(COLUMNS))})",
                       [(i, *r[1:]) for i, r in enumerate(rows, 1)])
        db.executemany("INSERT INTO temp.cred_path VALUES(?, ?, ?)", paths)
        for statement in _INDEXES:
            db.execute(statement)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return len(rows)


def refresh_triage(db: sqlite3.Connection, since: int) -> int:
    """Refresh the triage columns of the credentials named in audit entries after id ``since``; the
    newest audit id read."""
    newest = last_audit(db)
    if newest <= since:
        return since
    fps = [r[0] for r in db.execute("SELECT DISTINCT fingerprint FROM triage_audit WHERE id > ? AND id <= ?",
                                    (since, newest))]
    rows = []
    for i in range(0, len(fps), 500):
        chunk = fps[i:i + 500]
        found = {r[0]: r[1:] for r in db.execute(_TRIAGE + " WHERE fingerprint IN (SELECT value FROM json_each(?))",
                                                 (json.dumps(chunk),))}
        rows += [(*(found.get(fp) or (DEFAULT_STATE, "", None, None, None, None)), fp) for fp in chunk]
    db.execute("BEGIN")
    try:
        db.executemany("UPDATE temp.cred SET state=?, reason=?, expires=?, assignee=?, changed_at=?, changed_by=? "
                       "WHERE fingerprint=?", rows)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return newest


class Tally:
    """The audit log's state changes counted per sweep (those between its start and the next sweep's)
    and the reopenings each sweep made. The log is append-only, so each entry is counted once: a page
    reads only the entries after the last one counted."""

    def __init__(self) -> None:
        self.sweeps: list[int] = []
        self.starts: list[str] = []
        self.triaged: list[int] = []
        self.reopened: dict[str, int] = {}
        self.seen = 0

    def reset(self, db: sqlite3.Connection) -> None:
        rows = db.execute("SELECT id, started FROM sweeps ORDER BY started, id").fetchall()
        self.sweeps, self.starts = [r[0] for r in rows], [r[1] for r in rows]
        self.triaged, self.reopened, self.seen = [0] * len(rows), {}, 0

    def update(self, db: sqlite3.Connection, upto: int) -> None:
        if upto <= self.seen:
            return
        for at, who, after in db.execute("SELECT at, who, new FROM triage_audit WHERE id > ? AND id <= ? "
                                         "AND action='state'", (self.seen, upto)):
            i = bisect.bisect_right(self.starts, at) - 1
            if i >= 0:
                self.triaged[i] += 1
            if after == DEFAULT_STATE and who.startswith("credsprawl sweep "):
                self.reopened[who] = self.reopened.get(who, 0) + 1
        self.seen = upto

    def of(self, sweep: int) -> tuple[int, int]:
        """(state changes in its window, reopenings it made) of a sweep."""
        i = self.sweeps.index(sweep) if sweep in self.sweeps else -1
        return (self.triaged[i] if i >= 0 else 0), self.reopened.get(f"credsprawl sweep {sweep}", 0)


RUNNING_SWEEP_INTERVAL = 30.0  # seconds between rebuilds while a sweep is writing the datastore


def sweep_running(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sweeps WHERE status='running' LIMIT 1").fetchone() is not None


class Summary:
    """Keeps ``temp.cred`` current for one connection: rebuilt when ``generation`` changes, its triage
    columns refreshed when the audit log grows. While a sweep is running (each repository it finishes
    changes the findings) it is rebuilt at most every ``RUNNING_SWEEP_INTERVAL`` seconds, and ``behind``
    says the pages may miss what the sweep found since ``built_at``."""

    def __init__(self) -> None:
        self.built_for: tuple[Any, ...] | None = None
        self.audit_seen = 0
        self.count = 0
        self.built_at: datetime | None = None
        self.behind = False
        self._built_clock = 0.0
        self.tally = Tally()

    def ensure(self, db: sqlite3.Connection) -> None:
        gen = generation(db)
        if gen != self.built_for:
            running = self.built_for is not None and sweep_running(db)
            if running and time.monotonic() - self._built_clock < RUNNING_SWEEP_INTERVAL:
                self.behind = True
            else:
                seen = last_audit(db)  # before the build reads triage: later writes are refreshed below
                self.count = build(db)
                self.tally.reset(db)
                self.built_for, self.audit_seen = gen, seen
                self.built_at, self._built_clock = datetime.now(timezone.utc), time.monotonic()
                self.behind = running
        else:
            self.behind = False
        self.audit_seen = refresh_triage(db, self.audit_seen)
        self.tally.update(db, self.audit_seen)
