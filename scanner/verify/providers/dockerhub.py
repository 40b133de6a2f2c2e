"""Docker Hub personal and organization access tokens: the registry's token service ("Token
Authentication Specification", https://distribution.github.io/distribution/spec/auth/token/; Docker
Hub's endpoint in https://docs.docker.com/reference/api/registry/auth/): ``GET {endpoint}/token?
service=registry.docker.io`` with ``Authorization: Basic user:token``. A token the service accepts
answers 200 with a ``token`` (a short-lived bearer for pulls, never kept or reported); a wrong pair is
HTTP 401. Nothing is created or changed on Docker Hub.

The token signs in only with its user (or organization) name, which comes from the finding's line:
``docker login -u NAME``, ``--username NAME`` or a ``DOCKER(HUB)_USER(NAME)`` assignment. Without a
name the token is skipped. Endpoint: ``https://auth.docker.io``.
"""

from __future__ import annotations

import re
import urllib.parse

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, basic, json_object
from scanner.verify.result import SKIPPED, Verification
from scanner.verify.subject import Subject

# Docker IDs: 4-30 lowercase letters and digits (organization names: also - _ .)
_NAME = r"([a-z0-9][a-z0-9_.-]{1,38})"
_USER = (
    re.compile(r"(?:^|\s)(?:-u|--username)(?:\s+|=)[\"']?" + _NAME + r"(?![\w.-])"),
    re.compile(r"(?i)docker(?:hub)?[_.-]?(?:user(?:name)?|login|id)[\"']?\s*(?:=|:|=>)\s*[\"']?" + _NAME + r"(?![\w.-])"),
)


def username(subject: Subject) -> str | None:
    """The Docker Hub name written with the token on its line, or None."""
    for pattern in _USER:
        found = pattern.search(subject.line)
        if found and found.group(1) != subject.secret:
            return found.group(1).lower()
    return None


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    user = username(subject)
    if user is None:
        return Verification.of(SKIPPED, "dockerhub", endpoint, reason=(
            "a Docker Hub token signs in only with its user name, and none was written with it"))
    check = Check("dockerhub", endpoint)
    resp = check.request(http, "/token?service=registry.docker.io",
                         basic(urllib.parse.quote(user, safe=""), subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    if not isinstance(data.get("token") or data.get("access_token"), str):
        raise MalformedAnswer("the answer has no 'token'")
    return check.live((("username", user),))
