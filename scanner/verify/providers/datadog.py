"""Datadog: ``GET /api/v1/validate`` ("Validate API key",
https://docs.datadoghq.com/api/latest/authentication/#validate-api-key) with the key in ``DD-API-KEY``;
``{"valid": true}`` or HTTP 403. Each Datadog site has its own host (https://docs.datadoghq.com/getting_started/site/):
point ``datadog`` at ``https://api.datadoghq.eu``, ``https://api.us3.datadoghq.com`` ... for the others.
Endpoint: ``https://api.datadoghq.com``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("datadog", endpoint)
    resp = check.request(http, "/api/v1/validate", {"DD-API-KEY": subject.secret})
    decided = check.by_status(resp)
    if decided:
        return decided
    if need(json_object(resp), "valid", bool):
        return check.live([("site", check.endpoint.split("://", 1)[-1])])
    return check.invalid("Datadog reports the API key not valid")
