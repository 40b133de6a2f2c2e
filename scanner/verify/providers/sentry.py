"""Sentry: ``GET /api/0/`` (the API root, https://docs.sentry.io/api/auth/) answers who the bearer
token authenticates (``user``, null for organisation tokens) and the token's scopes (``auth.scopes``);
without a valid token ``auth`` is null or the answer is HTTP 401.
Endpoint: ``https://sentry.io`` (self-hosted and regional hosts: their URL; ``https://de.sentry.io``).
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("sentry", endpoint)
    resp = check.request(http, "/api/0/", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    auth = data.get("auth")
    if not isinstance(auth, dict):
        return check.invalid("Sentry did not authenticate the token (no auth in its answer)")
    user = obj(data, "user")
    scopes = [str(s) for s in auth.get("scopes") or [] if isinstance(s, str)]
    return check.live([("username", user.get("username")), ("email", user.get("email")),
                       ("kind", "user token" if user else "organization token")], scopes)
