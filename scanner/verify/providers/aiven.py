"""Aiven: ``GET /v1/me`` ("Get information for the current session's user",
https://api.aiven.io/doc/#tag/User/operation/UserInfo) names the user; ``GET /v1/access_token``
("List all valid access tokens", https://api.aiven.io/doc/#tag/User/operation/AccessTokenList)
lists the user's tokens with their ``token_prefix`` and ``scopes``: the token whose prefix begins
this secret gives its scopes (no scopes listed: the token has the user's full access). The token
travels as ``Authorization: aivenv1 <token>`` (https://aiven.io/docs/platform/concepts/authentication-tokens).
Endpoint: ``https://api.aiven.io``.
"""

from __future__ import annotations

from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, json_object, need, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"aivenv1 {secret}"}


def _scopes(tokens: Any, secret: str) -> list[str]:
    """The scopes of the listed token whose prefix (the longest that matches) begins ``secret``."""
    best: dict[str, Any] | None = None
    for token in tokens if isinstance(tokens, list) else []:
        prefix = token.get("token_prefix") if isinstance(token, dict) else None
        if isinstance(prefix, str) and len(prefix) >= 4 and secret.startswith(prefix):
            if best is None or len(prefix) > len(str(best.get("token_prefix"))):
                best = token
    if best is None:
        return []
    scopes = [str(s) for s in best.get("scopes") or [] if isinstance(s, str)]
    return scopes or ["scope=user (full access of the user)"]


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("aiven", endpoint)
    resp = check.request(http, "/v1/me", _auth(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    user = obj(json_object(resp), "user")
    identity = [("user", need(user, "user")), ("user_id", user.get("user_id")), ("name", user.get("real_name"))]
    listed = check.request(http, "/v1/access_token", _auth(subject.secret))
    scopes: list[str] = []
    if 200 <= listed.status < 300:
        scopes = _scopes(json_object(listed).get("tokens"), subject.secret)
    return check.live(identity, scopes)
