"""Meilisearch: ``GET /keys`` ("Get API keys", https://www.meilisearch.com/docs/reference/api/keys#get-all-keys)
lists the instance's keys with their ``actions`` and ``indexes``; the entry whose ``key`` is this
secret gives what it may do. Listing keys needs the ``keys.get`` action (the master and the default
admin key have it): a key without it is answered 403 with ``code`` ``invalid_api_key`` when the key
itself is unknown (https://www.meilisearch.com/docs/reference/errors/error_codes#invalid_api_key), and
another code when it is valid but may not list keys (then it is live, with its actions unknown).
Keys travel as ``Authorization: Bearer`` (https://www.meilisearch.com/docs/reference/api/overview#authorization).
Every instance has its own host: only the URL the user configured is asked.
"""

from __future__ import annotations

from typing import Any

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, bearer, json_object, word
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


def _code(data: Any) -> str:
    return str(data.get("code", "")) if isinstance(data, dict) else ""


def verify(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("meilisearch", endpoint)
    resp = check.request(http, "/keys?limit=1000", bearer(subject.secret))
    if resp.status == 403:
        try:
            code = _code(resp.json())
        except (ValueError, UnicodeDecodeError):
            code = ""
        if code == "invalid_api_key" or not code:
            return check.invalid("meilisearch rejected the key (HTTP 403 invalid_api_key)")
        return check.live([("listing", "refused")], [], reason=f"the key may not list keys ({word(code)})")
    decided = check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    results = data.get("results")
    if not isinstance(results, list):
        raise MalformedAnswer("the answer has no 'results' list")
    mine = next((k for k in results if isinstance(k, dict) and k.get("key") == subject.secret), None)
    if mine is None:  # the master key lists keys without being one of them
        return check.live([("key", "master key")], ["*"])
    actions = [f"action:{a}" for a in mine.get("actions") or [] if isinstance(a, str)]
    indexes = [f"index:{i}" for i in mine.get("indexes") or [] if isinstance(i, str)]
    return check.live([("key_name", mine.get("name")), ("key_uid", mine.get("uid")), ("expires_at", mine.get("expiresAt"))],
                      actions + indexes)
