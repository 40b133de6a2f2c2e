"""What a fact is (a short string under a dotted name) and how a moment is written in one: shared by
the fact derivers (``facts``) and the key and certificate parsers (``keys``), neither importing the other's."""

from __future__ import annotations

from datetime import datetime, timezone

Facts = dict[str, str]


def iso(moment: datetime) -> str:
    """``2026-01-02T03:04:05Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
