"""The certificate inventory of a scan, summed up: how many certificates, how many expired, how many
expire soon. Reports show these counts; the list itself only when asked (``--list-certificates``)."""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from scanner.model import Finding

EXPIRING_DAYS = 30  # "expiring soon": not after within this many days (as the identity report counts it)


def not_after(cert: Finding) -> dt.datetime | None:
    value = dict(cert.attributes).get("cert.not_after", "")
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def is_expired(cert: Finding, now: dt.datetime) -> bool:
    when = not_after(cert)
    if when is None:
        return dict(cert.attributes).get("cert.expired") == "true"
    return when < now


def certificate_counts(certs: Sequence[Finding], now: dt.datetime | None = None) -> dict[str, int]:
    """``{"total", "expired", "expiring"}``: expiring = not yet expired, not after within EXPIRING_DAYS."""
    now = now or dt.datetime.now(dt.timezone.utc)
    soon = now + dt.timedelta(days=EXPIRING_DAYS)
    expired = expiring = 0
    for cert in certs:
        if is_expired(cert, now):
            expired += 1
        else:
            when = not_after(cert)
            if when is not None and when <= soon:
                expiring += 1
    return {"total": len(certs), "expired": expired, "expiring": expiring}
