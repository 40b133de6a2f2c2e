"""Plivo: ``GET /v1/Account/{auth_id}/`` ("Retrieve account details",
https://www.plivo.com/docs/account/api/account#retrieve-account-details) with HTTP basic auth of the
Auth ID and Auth Token (https://www.plivo.com/docs/sms/api/overview/authentication/). The Auth ID is
the companion the rule finds beside the token; it goes into the path, so only a well-formed one is
used. The account's type (standard, …) is reported.
Endpoint: ``https://api.plivo.com``.
"""

from __future__ import annotations

import re

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, basic, json_object, need
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

_AUTH_ID = re.compile(r"[MS]A[A-Z0-9]{18}")


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("plivo", endpoint)
    auth_id = subject.companion or ""
    if not _AUTH_ID.fullmatch(auth_id):
        return Verification.of(SKIPPED, "plivo", endpoint,
                               reason="an auth token is checked only with the Auth ID found beside it")
    resp = check.request(http, f"/v1/Account/{auth_id}/", basic(auth_id, subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    account = json_object(resp)
    identity = [("auth_id", need(account, "auth_id")), ("name", account.get("name")),
                ("account_type", account.get("account_type"))]
    return check.live(identity)
