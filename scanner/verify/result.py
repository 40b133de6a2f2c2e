"""The outcome of asking a provider about one credential: a frozen :class:`Verification`."""

from __future__ import annotations

import base64
import datetime as dt
import urllib.parse
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping

from scanner.httpclient import one_line

LIVE = "live"  # the provider accepted the credential
INVALID = "invalid"  # the provider rejected it: revoked, rotated, expired or never valid
UNKNOWN = "unknown"  # the provider could not tell (rate limited, its own error, no read-only check)
ERROR = "error"  # the check itself failed (unreachable, timeout, malformed answer); ``reason`` says why
SKIPPED = "skipped"  # not checked: no verifier, no endpoint, a missing companion, the run's time ran out
STATUSES = (LIVE, INVALID, UNKNOWN, ERROR, SKIPPED)

# identity keys that name who a credential is, most telling first (the text reports' "live as ...")
_WHO = ("login", "username", "user", "email", "arn", "service_account", "account", "workspace", "team", "owner",
        "name")
MAX_NOTE_PERMISSIONS = 6

# the order in which two results for the same fingerprint (checked with different companions) win
_RANK = {LIVE: 5, INVALID: 4, UNKNOWN: 3, ERROR: 2, SKIPPED: 1}


def utc_now() -> str:
    """When a check was made: UTC, ISO 8601 to the millisecond (a check just after a triage mark sorts after it)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of ``url`` (what a report shows as the place asked)."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    return parts.netloc.rpartition("@")[2].lower()


@dataclass(frozen=True)
class Verification:
    """What the provider said. ``identity`` and ``permissions`` only ever hold what the provider
    reported; ``reason`` never holds the secret (:meth:`scrubbed` guarantees it at the run's edge)."""

    status: str
    provider: str
    checked_at: str
    endpoint_host: str = ""
    identity: tuple[tuple[str, str], ...] = ()
    permissions: tuple[str, ...] = ()
    reason: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown verification status {self.status!r}")

    @classmethod
    def of(cls, status: str, provider: str, endpoint: str = "", *,
           identity: Iterable[tuple[str, Any]] | Mapping[str, Any] = (),
           permissions: Iterable[Any] = (), reason: str = "") -> Verification:
        """The one checking constructor: identity pairs with an empty value are dropped, values
        become one-line strings, permissions are de-duplicated in their order."""
        pairs = identity.items() if isinstance(identity, Mapping) else identity
        ident = tuple((str(k), _line(v)) for k, v in pairs if v not in (None, "", [], {}))
        perms = tuple(dict.fromkeys(_line(p) for p in permissions if p not in (None, "")))
        return cls(status, provider, utc_now(), host_of(endpoint), ident, perms, _line(reason))

    @property
    def rank(self) -> int:
        return _RANK[self.status]

    def get(self, key: str) -> str | None:
        for k, v in self.identity:
            if k == key:
                return v
        return None

    def who(self) -> str:
        """The identity the provider reported, in a few words (``octocat``), or ''."""
        for key in _WHO:
            value = self.get(key)
            if value:
                return value
        return f"{self.identity[0][0]} {self.identity[0][1]}" if self.identity else ""

    def note(self) -> str:
        """One line for the text reports; each status has its own words (``live`` only for a
        credential the provider accepted)."""
        if self.status == LIVE:
            who = self.who()
            perms = list(self.permissions[:MAX_NOTE_PERMISSIONS])
            if len(self.permissions) > MAX_NOTE_PERMISSIONS:
                perms.append(f"+{len(self.permissions) - MAX_NOTE_PERMISSIONS} more")
            text = "verified live" + (f" as {who}" if who else "") + f" ({self.provider})"
            return text + (f"; permissions: {', '.join(perms)}" if perms else "")
        words = {INVALID: f"invalid: {self.provider} rejected it (revoked, rotated or never valid)",
                 UNKNOWN: f"verification unknown: {self.provider} could not tell",
                 ERROR: "verification failed",
                 SKIPPED: "not verified"}[self.status]
        return f"{words} ({self.reason})" if self.reason else words

    def scrubbed(self, secrets: Iterable[str]) -> Verification:
        """This result with every form of ``secrets`` (plain, base64, percent-encoded) masked in
        every text field: a server that echoes a token cannot put it into a report."""
        forms = sorted({f for s in secrets if s and len(s) >= 4 for f in secret_forms(s)}, key=len, reverse=True)
        if not forms:
            return self

        def clean(text: str) -> str:
            for form in forms:
                text = text.replace(form, "***")
            return text

        return replace(self, identity=tuple((clean(k), clean(v)) for k, v in self.identity),
                       permissions=tuple(clean(p) for p in self.permissions), reason=clean(self.reason))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "provider": self.provider, "checked_at": self.checked_at,
                               "endpoint_host": self.endpoint_host,
                               "identity": [{"key": k, "value": v} for k, v in self.identity],
                               "permissions": list(self.permissions)}
        if self.reason:
            out["reason"] = self.reason
        return out


def secret_forms(secret: str) -> set[str]:
    """The ways a secret may come back from a server: as sent, base64, percent-encoded."""
    return {secret, base64.b64encode(secret.encode()).decode(), urllib.parse.quote(secret, safe="")}


def _line(value: Any, limit: int = 300) -> str:
    return one_line(" ".join(str(value).split()), limit)
