"""Metabase: ``GET /api/user/current`` (https://www.metabase.com/docs/latest/api#tag/apiuser/get/api/user/current)
answers an API key (``x-api-key: mb_…``, https://www.metabase.com/docs/latest/people-and-groups/api-keys)
with the user it acts as: ``is_superuser`` (an admin key) and its group memberships. Every instance
has its own host: only the URL the user configured is asked.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("metabase", endpoint)
    resp = check.request(http, "/api/user/current", {"x-api-key": subject.secret})
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    superuser = data.get("is_superuser") is True
    perms = ["admin (superuser)" if superuser else "user"]
    perms += [f"group:{g['id']}" for g in data.get("user_group_memberships") or [] if isinstance(g, dict) and "id" in g]
    identity = [("user_id", need(data, "id", (int, str))), ("name", data.get("common_name")), ("email", data.get("email"))]
    return check.live(identity, perms)
