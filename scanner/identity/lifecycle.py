"""Lifecycle of a credential: when it leaked, whether and when it was removed, how long it was exposed,
whether its identity's rotation policy is overdue, and whether its certificate expired.

Git facts come from each location's origin (``credsprawl history``): ``commit``/``date``/``author`` of
the commit that introduced it (``first_commit``/``first_date``/``first_author`` when that commit
re-introduced a secret an earlier commit had: first seen is the earlier one), ``status`` (live, history, unreachable), ``removed_in``/``removed_date``.

- first seen: the location with the earliest introducing date;
- live: some location is still present (status ``live``, or a source without git status such as a
  file scan); removed: every location is gone from its branch, and each says where (the latest
  removal is the credential's);
- exposure: whole days from first seen to removal, or to now while it is not removed;
- rotation overdue: the identity has ``rotation_max_age_days`` and either its last rotation (or
  creation) or the credential's first appearance is older than that;
- certificate: expired when ``not_after`` is past; expiring when within ``EXPIRING_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple, Sequence

from scanner.identity.inventory import Identity, to_datetime

EXPIRING_DAYS = 30
DAY = 86400


@functools.lru_cache(maxsize=65536)
def parse_when(value: str | None) -> dt.datetime | None:
    return to_datetime(value) if value else None


def days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Whole days from ``start`` to ``end`` (0 when ``end`` is not later)."""
    return max(0, int((end - start).total_seconds() // DAY))


class Loc(NamedTuple):
    """One place a credential was seen, with the git facts of its origin (a tuple: there are many)."""

    repository: str | None
    path: str
    line: int
    column: int
    commit: str | None = None
    date: str | None = None
    author: str | None = None
    status: str | None = None
    ref: str | None = None
    refs: int = 0
    removed_in: str | None = None
    removed_date: str | None = None
    first_commit: str | None = None  # set when ``commit`` re-introduced a secret an earlier commit had
    first_date: str | None = None
    first_author: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"repository": self.repository, "path": self.path, "line": self.line, "column": self.column,
                "commit": self.commit, "date": self.date, "status": self.status, "ref": self.ref}


class Lifecycle(NamedTuple):
    first_seen: dict[str, str | None] | None
    first_date: dt.datetime | None
    removed: dict[str, str | None] | None
    live: bool | None
    exposure_days: int | None


def lifecycle(locs: Sequence[Loc], now: dt.datetime) -> Lifecycle:
    first: Loc | None = None
    first_date: dt.datetime | None = None
    for loc in locs:
        if loc.first_commit:  # a re-introduction: the credential was first seen at the earlier commit
            loc = loc._replace(commit=loc.first_commit, date=loc.first_date, author=loc.first_author)
        when = parse_when(loc.date)
        if when is not None and (first_date is None or when < first_date):
            first, first_date = loc, when
        elif first is None and loc.commit:
            first = loc
    first_seen = None
    if first is not None:
        first_seen = {"commit": first.commit, "date": first.date, "author": first.author, "path": first.path}
    live = any(loc.status in (None, "", "live") for loc in locs) if locs else None
    removed = None
    if locs and not live and all(loc.removed_in for loc in locs):
        last = max(locs, key=lambda loc: (parse_when(loc.removed_date) or dt.datetime.min.replace(tzinfo=dt.timezone.utc)))
        removed = {"commit": last.removed_in, "date": last.removed_date}
    exposure = None
    if first_date is not None:
        end = parse_when(removed["date"]) if removed else None
        exposure = days_between(first_date, end or now)
    return Lifecycle(first_seen, first_date, removed, live, exposure)


class Rotation(NamedTuple):
    overdue: bool | None
    age_days: int | None
    max_age_days: int | None


def rotation(identity: Identity | None, first_date: dt.datetime | None, now: dt.datetime) -> Rotation:
    """The identity's policy against the age of its credential: the longest of the time since the
    identity's last rotation (or creation) and the time since this credential first appeared."""
    if identity is None:
        return Rotation(None, days_between(first_date, now) if first_date else None, None)
    ages = [days_between(d, now) for d in (identity.last_rotated or identity.created, first_date) if d is not None]
    age = max(ages) if ages else None
    if identity.max_age_days is None:
        return Rotation(None, age, None)
    return Rotation(age > identity.max_age_days if age is not None else None, age, identity.max_age_days)


class CertState(NamedTuple):
    expired: bool | None
    expires_in_days: int | None

    @property
    def expiring(self) -> bool:
        return self.expires_in_days is not None and not self.expired and self.expires_in_days < EXPIRING_DAYS


def cert_state(not_after: str | None, now: dt.datetime) -> CertState:
    when = parse_when(not_after)
    if when is None:
        return CertState(None, None)
    seconds = (when - now).total_seconds()
    return CertState(seconds < 0, int(seconds // DAY))
