"""Heroku: ``GET /account`` ("Account Info", https://devcenter.heroku.com/articles/platform-api-reference#account-info)
with the key as a bearer token and ``Accept: application/vnd.heroku+json; version=3``
(https://devcenter.heroku.com/articles/platform-api-reference#clients).
Endpoint: ``https://api.heroku.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("heroku", endpoint)
    resp = check.request(http, "/account", bearer(subject.secret),
                         headers={"Accept": "application/vnd.heroku+json; version=3"})
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    return check.live([("email", need(data, "email")), ("id", data.get("id")), ("name", data.get("name"))])
