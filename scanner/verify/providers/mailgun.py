"""Mailgun: ``GET /v3/domains?limit=1`` ("Get domains", https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Domains/)
with HTTP basic auth, user ``api`` and the key as password
(https://documentation.mailgun.com/docs/mailgun/api-reference/authentication). Accounts in the EU
region answer only at ``https://api.eu.mailgun.net``: a key rejected at the default host may be an EU
key; point ``mailgun`` at the EU host to check those.
Endpoint: ``https://api.mailgun.net``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, basic, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("mailgun", endpoint)
    resp = check.request(http, "/v3/domains?limit=1", basic("api", subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    count = need(data, "total_count", int)
    items = data.get("items") or []
    first = items[0].get("name") if items and isinstance(items[0], dict) else None
    return check.live([("domains", count), ("domain", first)], ["domains:read"])
