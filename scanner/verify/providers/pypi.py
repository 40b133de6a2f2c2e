"""PyPI: no check. PyPI has no read-only endpoint that authenticates an API token: its JSON and
Simple APIs are anonymous (https://docs.pypi.org/api/), and the only endpoint that accepts a token is
the upload endpoint (https://docs.pypi.org/api/upload/). credsprawl never calls an endpoint that can
change anything, so a PyPI token is reported ``unknown`` with that reason and nothing is sent.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.result import UNKNOWN, Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    return Verification.of(UNKNOWN, "pypi", "", reason=(
        "PyPI has no read-only endpoint that accepts an API token; checking it would mean calling the "
        "upload endpoint, which credsprawl never does. Revoke it at https://pypi.org/manage/account/token/ "
        "if in doubt"))
