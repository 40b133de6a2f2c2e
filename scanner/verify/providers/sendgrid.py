"""SendGrid: ``GET /v3/scopes`` ("Retrieve a list of scopes for which this user has access",
https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access)
lists the API key's scopes; a bad key is HTTP 401 (or 403 for a disabled one).
Endpoint: ``https://api.sendgrid.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("sendgrid", endpoint)
    resp = check.request(http, "/v3/scopes", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    scopes = [str(s) for s in need(json_object(resp), "scopes", list)]
    return check.live((), scopes)
