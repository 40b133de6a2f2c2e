"""Mailjet: ``GET /v3/REST/user`` ("User", https://dev.mailjet.com/email/reference/account-settings/#v3_get_user)
with HTTP basic auth of the API key and the secret key
(https://dev.mailjet.com/email/guides/#authentication). The API key is the companion the rule finds
beside the secret; without it nothing is sent.
Endpoint: ``https://api.mailjet.com``.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, basic, json_object, need
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

_API_KEY = re.compile(r"[0-9a-f]{32}")


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("mailjet", endpoint)
    key = subject.companion or ""
    if not _API_KEY.fullmatch(key):
        return Verification.of(SKIPPED, "mailjet", endpoint,
                               reason="a secret key is checked only with the API key found beside it")
    resp = check.request(http, "/v3/REST/user", basic(key, subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    data = need(json_object(resp), "Data", list)
    if not data or not isinstance(data[0], dict):
        raise MalformedAnswer("the answer lists no user")
    user: dict[str, Any] = data[0]
    identity = [("api_key", key), ("user_id", user.get("ID")), ("email", user.get("Email")),
                ("username", user.get("Username"))]
    return check.live(identity)
