"""npm: ``GET /-/whoami`` on the registry (what ``npm whoami`` calls,
https://docs.npmjs.com/cli/commands/npm-whoami; the registry API:
https://github.com/npm/registry/blob/main/docs/user/authentication.md) answers the token's user name.
Endpoint: ``https://registry.npmjs.org``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, bearer, json_object, need
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("npm", endpoint)
    resp = check.request(http, "/-/whoami", bearer(subject.secret))
    decided = check.by_status(resp)
    if decided:
        return decided
    return check.live([("username", need(json_object(resp), "username"))])
