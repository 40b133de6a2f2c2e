"""InfluxDB v2: ``GET /api/v2/me`` (https://docs.influxdata.com/influxdb/v2/api/#operation/GetMe) names
the token's user; ``GET /api/v2/authorizations`` (https://docs.influxdata.com/influxdb/v2/api/#operation/GetAuthorizations)
lists the authorizations the token may read, each with its ``token`` and ``permissions`` (action and
resource type): the entry of this token gives what it may do. The token travels as
``Authorization: Token <token>`` (https://docs.influxdata.com/influxdb/v2/api/#section/Authentication).
Every instance has its own host: only the URL the user configured is asked.
"""

from __future__ import annotations

from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, json_object, need, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Token {secret}"}


def _permissions(entry: dict[str, Any]) -> list[str]:
    out = []
    for perm in entry.get("permissions") or []:
        if not isinstance(perm, dict):
            continue
        resource = obj(perm, "resource")
        target = str(resource.get("type", "?"))
        if resource.get("name"):
            target += f"[{resource['name']}]"
        out.append(f"{perm.get('action', '?')}:{target}")
    return out


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("influxdata", endpoint)
    resp = check.request(http, "/api/v2/me", _auth(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    me = json_object(resp)
    identity: list[tuple[str, Any]] = [("user_id", need(me, "id")), ("user", me.get("name")), ("status", me.get("status"))]
    perms: list[str] = []
    listed = check.request(http, "/api/v2/authorizations", _auth(subject.secret))
    if 200 <= listed.status < 300:
        for entry in json_object(listed).get("authorizations") or []:
            if isinstance(entry, dict) and entry.get("token") == subject.secret:
                perms = _permissions(entry)
                identity += [("authorization_id", entry.get("id")), ("description", entry.get("description"))]
                break
    return check.live(identity, perms)
