"""What each page reads: plain dicts and lists for the templates. Every function takes the app's
connection (with ``temp.cred`` current, ``scanner.serve.rank``) and pages what can be long.

Triage state comes with the summary, whose rows are refreshed from ``triage`` before each page for
every credential the audit log names since the last page: a page shows every write, whoever made it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from scanner.errors import UsageError
from scanner.identity.remediation import Situation, steps
from scanner.model import Severity
from scanner.serve import rank, verification
from scanner.store.schema import json_values
from scanner.triage.queries import audit
from scanner.triage.states import STATES, expired, owner_name

PAGE = 50  # rows per page of the queue and lists
LOCATIONS = 200  # locations a page of a credential's page shows
AUDIT_PAGE = 100
OPEN_STATES = ("open", "acknowledged")  # what still needs doing: the queue's default
SEVERITIES = tuple(s.value for s in Severity)
UNASSIGNED = "-"  # the owner filter's value for credentials nobody is assigned


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters; an empty field does not filter. ``states`` None: the default (open work)."""

    states: tuple[str, ...] | None = None
    owners: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    verified: tuple[str, ...] = ()
    repositories: tuple[str, ...] = ()
    since: str | None = None  # first seen on or after this date
    until: str | None = None  # first seen on or before this date

    @classmethod
    def of(cls, states: list[str], owners: list[str], identities: list[str], severities: list[str],
           verified: list[str], repositories: list[str], since: str, until: str) -> QueueFilters:
        """From query parameters (lists of texts, empty values dropped), checked."""
        def clean(values: list[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))

        chosen = clean(states)
        if "any" in chosen:
            state_filter: tuple[str, ...] | None = ()
        else:
            bad = [s for s in chosen if s not in STATES]
            if bad:
                raise UsageError(f"unknown state {bad[0]!r}")
            state_filter = chosen or None
        if any(s not in SEVERITIES for s in clean(severities)):
            raise UsageError("unknown severity")
        if any(v not in verification.VERIFIED_FILTERS for v in clean(verified)):
            raise UsageError("unknown verification status")
        owner_list = tuple(UNASSIGNED if o == UNASSIGNED else owner_name(o) for o in clean(owners))
        return cls(state_filter, owner_list, clean(identities), clean(severities), clean(verified),
                   clean(repositories), _date(since), _date(until))

    def effective_states(self) -> tuple[str, ...]:
        return OPEN_STATES if self.states is None else self.states


def _date(text: str) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UsageError(f"not a date: {text!r} (2026-03-31)") from None


def _where(f: QueueFilters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.effective_states():
        clauses.append("c.state IN (SELECT value FROM json_each(?))")
        params.append(json_values(f.effective_states()))
    if f.owners:
        named = [o for o in f.owners if o != UNASSIGNED]
        clauses.append("(c.assignee IN (SELECT value FROM json_each(?))" +
                       (" OR c.assignee IS NULL)" if UNASSIGNED in f.owners else ")"))
        params.append(json_values(named))
    if f.identities:
        clauses.append("c.identity IN (SELECT value FROM json_each(?))")
        params.append(json_values(f.identities))
    if f.severities:
        clauses.append("c.severity IN (SELECT value FROM json_each(?))")
        params.append(json_values(f.severities))
    if f.verified:
        clauses.append("c.vstatus IN (SELECT value FROM json_each(?))")
        params.append(json_values(s for v in f.verified for s in verification.VERIFIED_FILTERS[v]))
    if f.repositories:
        clauses.append("c.fingerprint IN (SELECT o.fingerprint FROM occurrences o WHERE o.repo_id IN "
                       "(SELECT id FROM repositories WHERE name IN (SELECT value FROM json_each(?)) "
                       "OR key IN (SELECT value FROM json_each(?))))")
        params += [json_values(f.repositories)] * 2
    if f.since:
        clauses.append("c.first_seen >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("c.first_seen < ?")
        params.append((date.fromisoformat(f.until) + timedelta(days=1)).isoformat())
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_ROW = f"SELECT {', '.join('c.' + c for c in rank.COLUMNS)} FROM temp.cred c"
_ROW_NAMES = rank.COLUMNS


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip(_ROW_NAMES, values))
    row["repositories"] = json.loads(row["repositories"])
    row["verified"] = verification.word(row["vstatus"])
    row["expired"] = row["state"] == "accepted-risk" and expired(row["expires"])
    return row


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    number: int  # 1-based
    pages: int
    extra: dict[str, Any] = field(default_factory=dict)


def queue(db: sqlite3.Connection, f: QueueFilters, number: int = 1, size: int | None = None) -> Page:
    """One page of the queue: credentials matching ``f`` in do-first order."""
    size = size or PAGE
    where, params = _where(f)
    # a filter with an index of its own uses it; the others read the narrow copy of the queue's order
    hint = "" if f.owners or f.identities or f.repositories else " INDEXED BY cred_order"
    total = int(db.execute("SELECT COUNT(*) FROM temp.cred c" + hint + where, params).fetchone()[0])
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    chosen = [r[0] for r in db.execute("SELECT c.prio FROM temp.cred c" + hint + where + " ORDER BY c.prio LIMIT ? OFFSET ?",
                                       [*params, size, (number - 1) * size])]
    rows = [_row(r) for r in db.execute(_ROW + " WHERE c.prio IN (SELECT value FROM json_each(?)) ORDER BY c.prio",
                                        (json.dumps(chosen),))]
    return Page(rows, total, number, pages)


def _count_by(db: sqlite3.Connection, column: str, index: str, states: tuple[str, ...], limit: int) -> list[tuple[str, int]]:
    """Credentials in ``states`` counted by ``column``, read from its narrow ``(column, state)`` index."""
    return [(k, int(n)) for k, n in db.execute(
        f"SELECT {column}, COUNT(*) FROM temp.cred INDEXED BY {index} "
        "WHERE state IN (SELECT value FROM json_each(?)) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
        (json_values(states), limit))]


def overview(db: sqlite3.Connection, tally: rank.Tally) -> dict[str, Any]:
    """Counts for the overview: by state; open work by severity, verification, present at HEAD, age,
    owner and identity; and the trend across sweeps."""
    by_state = {s: 0 for s in STATES}
    open_sev = {s: 0 for s in SEVERITIES}
    verified = {verification.LIVE: [0, 0], verification.INVALID: [0, 0], verification.UNVERIFIED: [0, 0]}
    ages = {name: 0 for _, name in rank.AGE_BUCKETS} | {rank.UNKNOWN_AGE: 0}
    present = [0, 0]  # open, all
    for sev, state, vstatus, bucket, at_head, n in db.execute(
            "SELECT c.severity, c.state, c.vstatus, c.age_bucket, c.present, COUNT(*) "
            "FROM temp.cred c GROUP BY c.state, c.severity, c.vstatus, c.age_bucket, c.present"):
        is_open = state in OPEN_STATES
        by_state[state] = by_state.get(state, 0) + n
        verified[verification.word(vstatus)][1] += n
        present[1] += n if at_head else 0
        if is_open:
            if sev in open_sev:
                open_sev[sev] += n
            verified[verification.word(vstatus)][0] += n
            ages[bucket] = ages.get(bucket, 0) + n
            present[0] += n if at_head else 0
    owners = [(o or UNASSIGNED, n) for o, n in _count_by(db, "assignee", "cred_assignee", OPEN_STATES, 15)]
    identities = [(i, n) for i, n in _count_by(db, "identity", "cred_identity", OPEN_STATES, 16) if i][:15]
    return {"total": sum(by_state.values()), "by_state": by_state, "open": sum(by_state[s] for s in OPEN_STATES),
            "open_by_severity": open_sev, "verified": verified, "present": present, "ages": ages,
            "owners": owners, "identities": identities, "trend": trend(db, tally), "has_verification":
            verification.has_results(db)}


def trend(db: sqlite3.Connection, tally: rank.Tally) -> list[dict[str, Any]]:
    """Per sweep: credentials first found in it, credentials known after it, state changes between it
    and the next sweep, and the reopenings it made (``tally``: the audit log counted)."""
    sweeps = db.execute("SELECT id, started, finished, status, repositories FROM sweeps ORDER BY id").fetchall()
    new = dict(db.execute("SELECT first_sweep, COUNT(*) FROM temp.cred INDEXED BY cred_sweep GROUP BY 1").fetchall())
    out: list[dict[str, Any]] = []
    known = 0
    for sid, started, finished, status, repos in sweeps:
        known += int(new.get(sid, 0))
        triaged, reopened = tally.of(sid)
        out.append({"id": sid, "started": started, "finished": finished, "status": status, "repositories": repos,
                    "new": int(new.get(sid, 0)), "known": known, "triaged": triaged, "reopened": reopened})
    return out


def web_link(url: str | None, commit: str | None, path: str, line: int) -> str | None:
    """A link to the line at the commit, for repositories on a forge the URL names (https only)."""
    if not url or not commit or "!" in path:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    base = f"https://{parts.netloc}{parts.path.removesuffix('.git').rstrip('/')}"
    where = quote(path)
    host = parts.hostname.lower()
    if host == "github.com" or host.startswith("github."):
        return f"{base}/blob/{commit}/{where}#L{line}"
    if host == "gitlab.com" or host.startswith("gitlab."):
        return f"{base}/-/blob/{commit}/{where}#L{line}"
    if host == "bitbucket.org":
        return f"{base}/src/{commit}/{where}#lines-{line}"
    return None


def _extras(finding: str) -> dict[str, str]:
    try:
        origin = json.loads(finding).get("o") or []
        return {str(k): str(v) for k, v in origin[0][2]} if origin else {}
    except (ValueError, TypeError, IndexError, KeyError):
        return {}


# derived facts the pages leave out: a hash of the secret (a guessable secret could be found from it),
# and the access key id of the rule that reports that id (the credential itself, shown redacted)
HIDDEN_FACTS = frozenset({"secret.sha256"})
HIDDEN_FOR_RULE = {"aws-access-key-id": frozenset({"aws.key_id"})}


def _attributes(db: sqlite3.Connection, fingerprint: str, rule_id: str) -> dict[str, str]:
    hidden = HIDDEN_FACTS | HIDDEN_FOR_RULE.get(rule_id, frozenset())
    out: dict[str, str] = {}
    for (text,) in db.execute("SELECT json_extract(finding, '$.a') FROM occurrences WHERE fingerprint=? LIMIT 50",
                              (fingerprint,)):
        for pair in json.loads(text or "[]"):
            if isinstance(pair, list) and len(pair) == 2 and str(pair[0]) not in hidden:
                out.setdefault(str(pair[0]), str(pair[1]))
    return dict(sorted(out.items()))


def find(db: sqlite3.Connection, given: str) -> str:
    """The fingerprint ``given`` names (whole, or a unique prefix); UsageError otherwise."""
    from scanner.triage.writes import resolve

    return resolve(db, given)


def credential(db: sqlite3.Connection, fingerprint: str, locations_page: int = 1) -> dict[str, Any] | None:
    """One credential: its summary and triage state, locations (with links; ``LOCATIONS`` a page),
    verification, identity, remediation steps and audit log."""
    row = db.execute(_ROW + " WHERE c.fingerprint = ?", (fingerprint,)).fetchone()
    if row is None:
        return None
    out = _row(row)
    cur = db.execute("SELECT p.name, p.url, o.path, o.start_line, o.commit_sha, o.author, o.date, o.status, o.finding "
                     "FROM occurrences o JOIN repositories p ON p.id = o.repo_id WHERE o.fingerprint = ? "
                     "ORDER BY p.name, o.path, o.start_line, o.commit_sha LIMIT ? OFFSET ?",
                     (fingerprint, LOCATIONS, (max(1, locations_page) - 1) * LOCATIONS))
    locations = []
    for name, url, path, line, commit, author, when, status, finding in cur:
        extras = _extras(finding)
        locations.append({"repository": name, "path": path, "line": line, "commit": commit, "author": author,
                          "date": when, "present": status == "live", "status": status,
                          "refs": extras.get("refs"), "removed_in": extras.get("removed_in"),
                          "link": web_link(url, commit, path, line)})
    out["location_list"] = locations
    out["location_pages"] = Page([], out["locations"], max(1, locations_page), max(1, -(-out["locations"] // LOCATIONS)))
    out["attributes"] = _attributes(db, fingerprint, out["rule_id"])
    result = verification.one(db, fingerprint)
    out["verification"] = result
    in_git = any(loc["commit"] for loc in locations)
    out["remediation"] = steps(Situation(out["provider"] or None, out["kind"] or None, in_git, bool(out["present"]),
                                         out["repos"] > 1, None, None, out["identity_basis"] == "verified",
                                         out["identity"], out["identity_basis"]))
    out["audit"] = _audit_rows(audit(_StoreView(db), fingerprint))  # type: ignore[arg-type]
    return out


class _StoreView:
    """The one attribute of ``scanner.store.Store`` the triage read functions use."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db


def _audit_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "old": e["old"] or "", "new": e["new"] or ""} for e in entries]


def audit_log(db: sqlite3.Connection, number: int = 1, who: str = "") -> Page:
    """The whole audit log, newest first, paged; ``who`` narrows it to one actor."""
    where, params = (" WHERE who = ?", [who]) if who else ("", [])
    total = int(db.execute("SELECT COUNT(*) FROM triage_audit" + where, params).fetchone()[0])
    pages = max(1, -(-total // AUDIT_PAGE))
    number = min(max(1, number), pages)
    cur = db.execute("SELECT id, fingerprint, at, who, action, old, new, reason FROM triage_audit" + where +
                     " ORDER BY id DESC LIMIT ? OFFSET ?", [*params, AUDIT_PAGE, (number - 1) * AUDIT_PAGE])
    names = [c[0] for c in cur.description]
    return Page(_audit_rows([dict(zip(names, r)) for r in cur]), total, number, pages)


def owner(db: sqlite3.Connection, name: str, number: int = 1) -> Page:
    """Credentials assigned to ``name`` (any state), do-first order, with counts by state."""
    page = queue(db, QueueFilters(states=(), owners=(name,)), number)
    page.extra["by_state"] = dict(db.execute(
        "SELECT state, COUNT(*) FROM temp.cred WHERE assignee = ? GROUP BY 1 ORDER BY 1", (name,)).fetchall())
    return page


def identity(db: sqlite3.Connection, label: str, number: int = 1) -> Page:
    """Credentials of one identity (any state), do-first order, with its basis and owners."""
    page = queue(db, QueueFilters(states=(), identities=(label,)), number)
    page.extra["basis"] = next((r["identity_basis"] for r in page.rows), None)
    page.extra["owners"] = [(o or UNASSIGNED, int(n)) for o, n in db.execute(
        "SELECT assignee, COUNT(*) FROM temp.cred WHERE identity = ? GROUP BY 1 ORDER BY 2 DESC", (label,))]
    return page


_HEX = re.compile(r"[0-9a-f]{4,64}")
SEARCH_LIMIT = 50


def search(db: sqlite3.Connection, text: str) -> dict[str, Any]:
    """Everything ``text`` names: credentials by fingerprint prefix or rule, repositories, paths (with
    their credential), owners and identities. Each list is cut at ``SEARCH_LIMIT``."""
    q = text.strip()
    if not q:
        return {"q": "", "credentials": [], "repositories": [], "paths": [], "owners": [], "identities": []}
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    creds: list[dict[str, Any]] = []
    if _HEX.fullmatch(q.lower()):
        creds += [_row(r) for r in db.execute(_ROW + " WHERE c.fingerprint >= ? AND c.fingerprint < ? "
                                              "ORDER BY c.prio LIMIT ?", (q.lower(), q.lower() + "\uffff", SEARCH_LIMIT))]
    rules = [r for (r,) in db.execute("SELECT id FROM rules WHERE id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\'",
                                      (like, like))]
    if rules:
        creds += [_row(r) for r in db.execute(_ROW + " WHERE c.rule_id IN (SELECT value FROM json_each(?)) "
                                              "ORDER BY c.prio LIMIT ?", (json_values(rules), SEARCH_LIMIT))]
    repositories = [{"name": n, "key": k} for n, k in db.execute(
        "SELECT name, key FROM repositories WHERE name LIKE ? ESCAPE '\\' OR key LIKE ? ESCAPE '\\' "
        "ORDER BY name LIMIT ?", (like, like, SEARCH_LIMIT))]
    paths = [{"fingerprint": fp, "repository": r, "path": p} for fp, r, p in db.execute(
        "SELECT fingerprint, repository, path FROM temp.cred_path WHERE path LIKE ? ESCAPE '\\' "
        "ORDER BY repository, path LIMIT ?", (like, SEARCH_LIMIT))]
    owners = [{"name": o, "credentials": int(n)} for o, n in db.execute(
        "SELECT assignee, COUNT(*) FROM temp.cred WHERE assignee LIKE ? ESCAPE '\\' GROUP BY 1 ORDER BY 1 LIMIT ?",
        (like, SEARCH_LIMIT))]
    identities = [{"name": i, "credentials": int(n)} for i, n in db.execute(
        "SELECT identity, COUNT(*) FROM temp.cred WHERE identity LIKE ? ESCAPE '\\' GROUP BY 1 ORDER BY 1 LIMIT ?",
        (like, SEARCH_LIMIT))]
    seen: set[str] = set()
    unique = [c for c in creds if not (c["fingerprint"] in seen or seen.add(c["fingerprint"]))]  # type: ignore[func-returns-value]
    return {"q": q, "credentials": unique[:SEARCH_LIMIT], "repositories": repositories, "paths": paths,
            "owners": owners, "identities": identities}


def choices(db: sqlite3.Connection) -> dict[str, Any]:
    """Values the filter form offers: owners in use and repositories."""
    return {"owners": [o for (o,) in db.execute(
                "SELECT DISTINCT assignee FROM temp.cred WHERE assignee IS NOT NULL ORDER BY 1 LIMIT 500")],
            "repositories": [n for (n,) in db.execute("SELECT DISTINCT name FROM repositories ORDER BY 1 LIMIT 500")]}
