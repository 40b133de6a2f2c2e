"""PostHog: ``GET /api/personal_api_keys/@current/`` (the personal API key that authenticates the
request, https://posthog.com/docs/api/personal-api-keys) gives its label, ``scopes``,
``scoped_teams`` and ``scoped_organizations`` (https://posthog.com/docs/api/scopes); then
``GET /api/users/@me/`` (https://posthog.com/docs/api/users) names the user and organisation when the
key may read them (scope ``user:read``).
Endpoint: ``https://us.posthog.com`` (EU projects: configure ``https://eu.posthog.com``).
"""

from __future__ import annotations

from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, bearer, json_object, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _ids(value: Any, kind: str) -> list[str]:
    return [f"{kind}:{v}" for v in value or [] if isinstance(v, (str, int)) and not isinstance(v, bool)]


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("posthog", endpoint)
    resp = check.request(http, "/api/personal_api_keys/@current/", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    key = json_object(resp)
    scopes = key.get("scopes")
    if not isinstance(scopes, list):
        raise MalformedAnswer("the answer has no 'scopes' list")
    perms = [str(s) for s in scopes if isinstance(s, str)]
    perms += _ids(key.get("scoped_teams"), "project") + _ids(key.get("scoped_organizations"), "organization")
    identity: list[tuple[str, Any]] = [("key_label", key.get("label")), ("key_id", key.get("id"))]
    me = check.request(http, "/api/users/@me/", bearer(subject.secret))
    if 200 <= me.status < 300:
        user = json_object(me)
        identity += [("email", user.get("email")), ("organization", obj(user, "organization").get("name"))]
    return check.live(identity, perms)
