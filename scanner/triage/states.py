"""Triage states, what each requires, and the actor recorded in the audit log."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date, datetime, timezone

from scanner.errors import UsageError
from scanner.identity.owners import owner_key

STATES = ("open", "acknowledged", "false-positive", "accepted-risk", "rotated", "revoked", "closed")
NEEDS_REASON = frozenset({"false-positive", "accepted-risk"})
NEEDS_EXPIRY = frozenset({"accepted-risk"})
# states a later sweep can undo: the credential was dealt with, so finding it in a newer commit reopens it
REOPENABLE = frozenset({"rotated", "revoked"})
DEFAULT_STATE = "open"  # a credential nobody has triaged yet


@dataclass(frozen=True)
class Change:
    """A state to set, checked: ``Change.of`` is the one way to build one."""

    state: str
    reason: str = ""
    expires: str | None = None  # accepted-risk: the ISO date the acceptance ends

    @classmethod
    def of(cls, state: str, reason: str | None = None, expires: str | None = None) -> Change:
        if state not in STATES:
            raise UsageError(f"unknown triage state {state!r} (one of: {', '.join(STATES)})")
        text = (reason or "").strip()
        if state in NEEDS_REASON and not text:
            raise UsageError(f"state {state} needs a reason (--reason TEXT)")
        if state in NEEDS_EXPIRY and not expires:
            raise UsageError(f"state {state} needs an expiry date (--expires 2027-03-31)")
        if state not in NEEDS_EXPIRY and expires:
            raise UsageError(f"--expires goes with accepted-risk only, not {state}")
        return cls(state, text, parse_date(expires).isoformat() if expires else None)


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"not a date: {value!r} (2027-03-31)") from None


def expired(expires: str | None, today: date | None = None) -> bool:
    """Whether an accepted risk's expiry date has passed (it is still accepted on that day)."""
    if not expires:
        return False
    return date.fromisoformat(expires) < (today or datetime.now(timezone.utc).date())


def actor(name: str | None) -> str:
    """Who is acting, for the audit log: ``name`` (``--as``) when given, else the OS user."""
    if name is not None:
        who = name.strip()
        if not who:
            raise UsageError("--as needs a name")
        return who
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def owner_name(name: str) -> str:
    """An assignee, as owners are counted (``scanner.identity.owners.owner_key``); never empty."""
    if not name.strip():
        raise UsageError("an assignee needs a name (an inventory owner or a CODEOWNERS team)")
    return owner_key(name)
