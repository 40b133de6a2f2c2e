"""OpenAI: ``GET /v1/models`` ("List models", https://platform.openai.com/docs/api-reference/models/list)
with the key as a bearer token (https://platform.openai.com/docs/api-reference/authentication); the
``openai-organization`` response header names the organisation
(https://platform.openai.com/docs/api-reference/debugging-requests). A project key whose permissions
exclude models gets HTTP 403 with an ``insufficient permissions`` error: it authenticated. Admin keys
are checked with ``GET /v1/organization/projects?limit=1``
(https://platform.openai.com/docs/api-reference/projects/list).
Endpoint: ``https://api.openai.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient, Response
from scanner.verify.providers._common import Check, bearer, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _restricted(resp: Response) -> bool:
    error = json_object(resp).get("error")
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    return "insufficient permissions" in message.lower() or "missing scopes" in message.lower()


def _identity(resp: Response) -> list[tuple[str, object]]:
    return [("organization", resp.headers.get("openai-organization")), ("project", resp.headers.get("openai-project"))]


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("openai", endpoint)
    resp = check.request(http, "/v1/models", bearer(subject.secret))
    if resp.status == 403 and _restricted(resp):
        return check.live(_identity(resp), ["models:none"], reason="a restricted key: it may not list models")
    decided = check.by_status(resp, forbidden="unknown")
    if decided:
        return decided
    if resp.status == 403:
        return check.unknown("OpenAI answered HTTP 403 (a region or account restriction, not a verdict on the key)")
    models = need(json_object(resp), "data", list)
    return check.live(_identity(resp), ["models:read"], reason=f"{len(models)} models visible")


def verify_admin(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("openai", endpoint)
    resp = check.request(http, "/v1/organization/projects?limit=1", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    need(json_object(resp), "data", list)
    return check.live([*_identity(resp), ("kind", "admin key")], ["organization:admin"])
