"""Twilio: ``GET /2010-04-01/Accounts/{AccountSid}.json`` ("Fetch an Account",
https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource) with HTTP basic auth of the
account SID and auth token (https://www.twilio.com/docs/usage/requests-to-twilio). An API key (SID
``SK...``) and its secret are checked with ``GET /2010-04-01/Accounts.json?PageSize=1`` ("Read
multiple Account resources"), which lists the key's own account. The account's ``status`` (active,
suspended, closed) and ``type`` (Trial, Full) are reported.
Endpoint: ``https://api.twilio.com``.
"""

from __future__ import annotations

import re
from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, basic, json_object, need
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
_KEY_SID = re.compile(r"SK[0-9a-fA-F]{32}")


def _result(check: Check, account: dict[str, Any]) -> Verification:
    identity = [("account_sid", need(account, "sid")), ("friendly_name", account.get("friendly_name")),
                ("owner_account_sid", account.get("owner_account_sid"))]
    status = str(account.get("status", ""))
    if status == "closed":
        return check.invalid("the Twilio account is closed")
    return check.live(identity, [f"status={status}", f"type={account.get('type')}"])


def verify_auth_token(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("twilio", endpoint)
    sid = subject.companion or ""
    if not _ACCOUNT_SID.fullmatch(sid):  # the SID goes into the path: only a well-formed one
        return Verification.of(SKIPPED, "twilio", endpoint,
                               reason="an auth token is checked only with the account SID found beside it")
    resp = check.request(http, f"/2010-04-01/Accounts/{sid}.json", basic(sid, subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    return _result(check, json_object(resp))


def verify_api_key(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("twilio", endpoint)
    key_sid = subject.companion or ""
    if not _KEY_SID.fullmatch(key_sid):
        return Verification.of(SKIPPED, "twilio", endpoint,
                               reason="an API key secret is checked only with the API key SID found beside it")
    resp = check.request(http, "/2010-04-01/Accounts.json?PageSize=1", basic(key_sid, subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    accounts = need(json_object(resp), "accounts", list)
    if not accounts or not isinstance(accounts[0], dict):
        return check.unknown("Twilio listed no account for the API key")
    return _result(check, accounts[0])
