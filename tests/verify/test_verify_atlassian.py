"""Atlassian API tokens against a loopback stand-in of a Jira Cloud site's "Get current user"
(https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get;
Basic e-mail:token, https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/),
configured as a user configures their organisation's site. Without an e-mail address beside the token,
or without a site, nothing is sent."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Iterator

import pytest
from fakeapi import FakeAPI, Reply
from verifyfakes import fake, make_finding, quick

from scanner.model import Finding
from scanner.verify.endpoints import Endpoints
from scanner.verify.result import Verification
from scanner.verify.run import VerifyRun

TOKEN = fake("atlassian-api-token")
EMAIL = "release-bot@acme.example"
ME = {"accountId": "712020:9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", "displayName": "Release bot",
      "emailAddress": EMAIL, "accountType": "atlassian", "active": True}


class Site(FakeAPI):
    """A Jira Cloud site that knows one account (``EMAIL`` with ``TOKEN``); others are HTTP 401."""

    def reply(self, path: str, query: dict[str, list[str]]) -> Reply:
        auth = self.requests[-1][1].get("authorization", "")
        if path == "/rest/api/3/myself" and auth == "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode():
            return Reply(200, ME)
        return Reply(401, {"errorMessages": ["Client must be authenticated to access this resource."]})


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as server:
        yield server


def run_one(endpoints: Endpoints, secret: str, line: str) -> Verification:
    f: Finding = replace(make_finding("atlassian-api-token", secret), line_text=line)
    with VerifyRun(endpoints, quick()) as run:
        return run.verify([f])[f.fingerprint]


def test_a_live_token_names_its_account(site: Site) -> None:
    line = f"curl -u {EMAIL}:{TOKEN} https://acme.atlassian.net/rest/api/3/myself"
    result = run_one(Endpoints.from_overrides({"atlassian": site.base}), TOKEN, line)
    assert result.status == "live" and result.provider == "atlassian"
    assert dict(result.identity) == {"account_id": ME["accountId"], "display_name": "Release bot", "email": EMAIL,
                                     "account_type": "atlassian"}
    [(path, headers)] = site.requests
    assert path == "/rest/api/3/myself" and not [k for k, v in headers.items() if TOKEN in v]
    assert TOKEN in base64.b64decode(headers["authorization"].split()[-1]).decode()
    assert TOKEN not in repr(result)


def test_a_wrong_token_is_invalid(site: Site) -> None:
    other = fake("atlassian-api-token")
    line = f'JIRA_USER="{EMAIL}" JIRA_TOKEN="{other}"'
    result = run_one(Endpoints.from_overrides({"atlassian": site.base}), other, line)
    assert result.status == "invalid" and "401" in result.reason


def test_without_an_email_nothing_is_sent(site: Site) -> None:
    result = run_one(Endpoints.from_overrides({"atlassian": site.base}), TOKEN, f"JIRA_API_TOKEN={TOKEN}")
    assert result.status == "skipped" and "e-mail" in result.reason and site.requests == []


def test_without_a_site_nothing_is_sent(site: Site) -> None:
    result = run_one(Endpoints.from_overrides(), TOKEN, f"curl -u {EMAIL}:{TOKEN}")
    assert result.status == "skipped" and site.requests == []
