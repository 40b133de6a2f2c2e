"""DigitalOcean: ``GET /v2/account`` ("Get User Information",
https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account/operation/account_get) names the
account's e-mail, UUID, status and team.
Endpoint: ``https://api.digitalocean.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, bearer, json_object, need, obj
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("digitalocean", endpoint)
    resp = check.request(http, "/v2/account", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    account = json_object(resp).get("account")
    if not isinstance(account, dict):
        raise MalformedAnswer("the answer has no 'account' object")
    team = obj(account, "team")
    identity = [("email", account.get("email")), ("uuid", need(account, "uuid")), ("team", team.get("name")),
                ("team_uuid", team.get("uuid"))]
    return check.live(identity, [f"status={account.get('status')}"])
