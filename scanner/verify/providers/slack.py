"""Slack: ``auth.test`` (https://api.slack.com/methods/auth.test) names the workspace, user and bot a
token belongs to; the ``X-OAuth-Scopes`` response header lists its scopes
(https://api.slack.com/authentication/oauth-v2#using). Slack answers HTTP 200 with ``ok: false`` and
an ``error`` code for a bad token (https://api.slack.com/web#responses).
Endpoint: ``https://slack.com/api``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, need, scopes_header, word
from scanner.verify.result import Verification
from scanner.verify.subject import Subject

_DEAD = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                   "no_permission", "org_login_required", "ekm_access_denied"})


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("slack", endpoint)
    resp = check.request(http, "/auth.test", bearer(subject.secret), method="POST",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}, content=b"")
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    if need(data, "ok", bool) is not True:
        error = word(data.get("error") or "no_error_code")
        if error in _DEAD:
            return check.invalid(f"Slack rejected the token ({error})")
        if error == "ratelimited":
            return check.unknown("Slack rate limited the check")
        return check.unknown(f"Slack answered ok=false ({error})")
    identity = [("team", data.get("team")), ("team_id", data.get("team_id")), ("user", data.get("user")),
                ("user_id", data.get("user_id")), ("bot_id", data.get("bot_id")), ("url", data.get("url")),
                ("enterprise_id", data.get("enterprise_id"))]
    return check.live(identity, scopes_header(resp) or ())
