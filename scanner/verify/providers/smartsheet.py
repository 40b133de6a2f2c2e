"""Smartsheet: ``GET /2.0/users/me`` ("Get current user",
https://developers.smartsheet.com/api/smartsheet/openapi/users/get-current-user) names the user a raw
access token belongs to (``Authorization: Bearer``,
https://developers.smartsheet.com/api/smartsheet/guides/basics/authentication) and its account, and
flags what the user may do: ``admin``, ``groupAdmin``, ``licensedSheetCreator``, ``resourceViewer``,
``jiraAdmin``, ``salesforceAdmin``, ``salesforceUser``. Those that are true are its permissions.
Endpoint: ``https://api.smartsheet.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, need, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject

FLAGS = ("admin", "groupAdmin", "licensedSheetCreator", "resourceViewer", "jiraAdmin", "salesforceAdmin",
         "salesforceUser")


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("smartsheet", endpoint)
    resp = check.request(http, "/2.0/users/me", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    user_id = need(data, "id", (int, str))
    identity = [("user_id", user_id), ("email", data.get("email")), ("account", obj(data, "account").get("name"))]
    return check.live(identity, [flag for flag in FLAGS if data.get(flag) is True])
