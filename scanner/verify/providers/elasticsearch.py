"""Elasticsearch: ``GET /_security/_authenticate`` (https://www.elastic.co/guide/en/elasticsearch/reference/current/security-api-authenticate.html)
names the user an API key acts for and the key itself (``api_key.id``, ``api_key.name``);
``GET /_security/user/_privileges`` (https://www.elastic.co/guide/en/elasticsearch/reference/current/security-api-get-user-privileges.html)
lists the cluster privileges and the index privileges it holds. The key travels as
``Authorization: ApiKey <encoded>`` (https://www.elastic.co/guide/en/elasticsearch/reference/current/security-api-create-api-key.html).
Every cluster has its own host: only the URL the user configured is asked.
"""

from __future__ import annotations

from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, json_object, need, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {secret}"}


def _privileges(data: dict[str, Any]) -> list[str]:
    out = [f"cluster:{p}" for p in data.get("cluster") or [] if isinstance(p, str)]
    for entry in data.get("indices") or []:
        if not isinstance(entry, dict):
            continue
        names = ",".join(str(n) for n in entry.get("names") or [] if isinstance(n, str)) or "?"
        out += [f"index[{names}]:{p}" for p in entry.get("privileges") or [] if isinstance(p, str)]
    return out


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("elasticsearch", endpoint)
    resp = check.request(http, "/_security/_authenticate", _auth(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    key = obj(data, "api_key")
    identity = [("username", need(data, "username")), ("authentication_type", data.get("authentication_type")),
                ("api_key_id", key.get("id")), ("api_key_name", key.get("name")),
                ("realm", obj(data, "authentication_realm").get("name"))]
    privileges: list[str] = []
    listed = check.request(http, "/_security/user/_privileges", _auth(subject.secret))
    if 200 <= listed.status < 300:
        privileges = _privileges(json_object(listed))
    return check.live(identity, privileges)
