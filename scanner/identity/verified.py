"""What a credential's provider said (the ``verification`` objects of its findings, ``--verify`` or a
``sweep --verify``), read for the identity report: the most telling answer, the one word a report
shows for it, and the principal the provider named.

Four states are never given one word for two of them: ``live`` (verified: the provider accepted it),
``invalid`` (the provider rejected it: revoked or rotated), ``unverified`` (never asked, or no answer)
— and, apart from these, ``present`` (still in the files at HEAD, a fact of git, not of the provider).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

LIVE, INVALID, UNVERIFIED = "live", "invalid", "unverified"
WORDS = {LIVE: "live (verified)", INVALID: "invalid (revoked or rotated)", UNVERIFIED: "unverified"}
PRESENT_WORDS = "present at HEAD"
# the order in which answers for one credential win (as scanner.verify.result ranks them)
_RANK = {"live": 5, "invalid": 4, "unknown": 3, "error": 2, "skipped": 1}
# identity keys that name who a credential is, most telling first (as scanner.verify.result.Verification.who)
_WHO = ("login", "username", "user", "email", "arn", "service_account", "account", "workspace", "team", "owner",
        "name")


def best(objects: Iterable[Any]) -> dict[str, Any] | None:
    """The most telling verification object of a credential's findings (live, invalid, unknown, error,
    skipped), the latest check on a tie; None when none was asked."""
    found: dict[str, Any] | None = None
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("status") not in _RANK:
            continue
        key = (_RANK[obj["status"]], str(obj.get("checked_at") or ""))
        if found is None or key > (_RANK[found["status"]], str(found.get("checked_at") or "")):
            found = obj
    return found


def word(verification: Mapping[str, Any] | None) -> str:
    """``live``, ``invalid`` or ``unverified``."""
    status = verification.get("status") if verification else None
    return status if status in (LIVE, INVALID) else UNVERIFIED


def identity_pairs(verification: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The identity the provider reported, as (key, value) pairs: the JSON report's list of
    ``{"key", "value"}`` objects, or an object."""
    raw = verification.get("identity") or []
    if isinstance(raw, dict):
        return [(str(k), str(v)) for k, v in raw.items()]
    return [(str(p.get("key")), str(p.get("value"))) for p in raw if isinstance(p, dict) and p.get("key")]


def who(verification: Mapping[str, Any]) -> str:
    pairs = identity_pairs(verification)
    found = dict(pairs)
    for key in _WHO:
        if found.get(key):
            return found[key]
    return f"{pairs[0][0]} {pairs[0][1]}" if pairs else ""


def principal(verification: Mapping[str, Any] | None) -> str | None:
    """``provider:who`` of a live verification (``github:octocat``,
    ``aws:arn:aws:iam::123456789012:user/deploy``), as the inventory's ``principals`` selector holds it;
    None when the provider did not say it is live or named nobody."""
    if not verification or verification.get("status") != LIVE:
        return None
    provider, name = str(verification.get("provider") or ""), who(verification)
    if not provider or not name:
        return None
    return f"{provider.lower()}:{name.strip().lower()}"
