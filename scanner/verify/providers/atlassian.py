"""Atlassian API tokens (Jira, Confluence): "Get current user"
(https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get),
``GET {site}/rest/api/3/myself`` with ``Authorization: Basic email:token``
(https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/). 200 names the
account (``accountId``, ``displayName``, ``emailAddress``, ``accountType``); 401 is a wrong or revoked
token. Read-only.

A token works only with its account's e-mail address, which comes from the finding's line, and only
at its organisation's site (``https://ORG.atlassian.net``): the site you configure as
``[verify] endpoints.atlassian`` (or, with ``--verify-hosts-from-content``, one written beside the
token). Without an e-mail address the token is skipped and nothing is sent.
"""

from __future__ import annotations

import re

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, basic, json_object
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)(?![\w-])")


def email(subject: Subject) -> str | None:
    """The account's e-mail address written with the token on its line, or None."""
    found = _EMAIL.search(subject.line)
    return found.group(1) if found else None


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    address = email(subject)
    if address is None:
        return Verification.of(SKIPPED, "atlassian", endpoint, reason=(
            "an Atlassian API token signs in only with its account's e-mail address, and none was written with it"))
    check = Check("atlassian", endpoint)
    resp = check.request(http, "/rest/api/3/myself", {**basic(address, subject.secret), "Accept": "application/json"})
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    account = data.get("accountId")
    if not isinstance(account, str) or not account:
        raise MalformedAnswer("the answer has no 'accountId'")
    identity = [("account_id", account)]
    for key, field in (("display_name", "displayName"), ("email", "emailAddress"), ("account_type", "accountType")):
        value = data.get(field)
        if isinstance(value, str) and value:
            identity.append((key, value))
    if data.get("active") is False:
        return check.invalid("Atlassian reports the account inactive")
    return check.live(identity)
