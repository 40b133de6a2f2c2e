"""Anthropic: ``GET /v1/models`` ("List Models", https://docs.anthropic.com/en/api/models-list) with the
key in ``x-api-key`` and an ``anthropic-version`` header (https://docs.anthropic.com/en/api/versioning);
401 is ``authentication_error``, 403 ``permission_error`` (https://docs.anthropic.com/en/api/errors).
Admin keys are checked with ``GET /v1/organizations/me``
(https://docs.anthropic.com/en/api/admin-api/organization/get-me), which names the organisation.
Endpoint: ``https://api.anthropic.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject

VERSION = {"anthropic-version": "2023-06-01"}


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("anthropic", endpoint)
    resp = check.request(http, "/v1/models?limit=1", {"x-api-key": subject.secret}, headers=VERSION)
    decided = check.by_status(resp)
    if decided:
        return decided
    need(json_object(resp), "data", list)
    return check.live((), ["models:read"])


def verify_admin(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("anthropic", endpoint)
    resp = check.request(http, "/v1/organizations/me", {"x-api-key": subject.secret}, headers=VERSION)
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    return check.live([("organization_id", need(data, "id")), ("organization", data.get("name")),
                       ("kind", "admin key")], ["organization:admin"])
