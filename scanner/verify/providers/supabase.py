"""Supabase Management API: ``GET /v1/organizations`` ("List all organizations",
https://supabase.com/docs/reference/api/v1-list-all-organizations) answers a personal access token
(``sbp_…``) with the organisations it reaches, as a JSON array.
Endpoint: ``https://api.supabase.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, bearer
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("supabase", endpoint)
    resp = check.request(http, "/v1/organizations", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    try:
        data = resp.json()
    except (ValueError, UnicodeDecodeError):
        raise MalformedAnswer(f"the answer (HTTP {resp.status}) is not JSON") from None
    if not isinstance(data, list):
        raise MalformedAnswer("the answer is not a JSON array of organisations")
    orgs = [o for o in data if isinstance(o, dict)]
    names = ", ".join(str(o["name"]) for o in orgs if o.get("name"))
    ids = ", ".join(str(o["id"]) for o in orgs if o.get("id"))
    return check.live([("organizations", names or None), ("organization_ids", ids or None)])
