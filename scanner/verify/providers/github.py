"""GitHub: ``GET /user`` ("Get the authenticated user",
https://docs.github.com/en/rest/users/users#get-the-authenticated-user) for personal, OAuth and
user-to-server tokens; its ``X-OAuth-Scopes`` header lists a classic or OAuth token's scopes
(https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps) and is absent
for fine-grained tokens, whose permissions the API does not list. Installation (server-to-server)
tokens cannot read ``/user``; they are checked with ``GET /installation/repositories``
(https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation).
A token with an expiry has it in ``GitHub-Authentication-Token-Expiration``
(https://github.blog/changelog/2021-07-26-expiration-options-for-personal-access-tokens/).
A 403 with ``X-RateLimit-Remaining: 0`` is GitHub's rate limit, not a refusal
(https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
Endpoint: ``https://api.github.com``; GitHub Enterprise Server: ``https://HOST/api/v3``.
"""

from __future__ import annotations

from scanner.httpclient import HttpClient, Response
from scanner.verify.providers._common import Check, bearer, json_object, need, scopes_header
from scanner.verify.result import Verification
from scanner.verify.subject import Subject

HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def _limited(check: Check, resp: Response) -> Verification | None:
    if resp.status in (403, 429) and resp.headers.get("x-ratelimit-remaining") == "0":
        return check.unknown("GitHub's rate limit is exhausted; try again after it resets")
    return None


def verify_user(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("github", endpoint)
    resp = check.request(http, "/user", bearer(subject.secret), headers=HEADERS)
    decided = _limited(check, resp) or check.by_status(resp)
    if decided:
        return decided
    user = json_object(resp)
    identity = [("login", need(user, "login")), ("user_id", user.get("id")), ("type", user.get("type"))]
    expiry = resp.headers.get("github-authentication-token-expiration")
    expires = [f"expires_at={expiry}"] if expiry else []
    scopes = scopes_header(resp)
    if scopes is None:
        return check.live(identity, expires, reason="a fine-grained token: GitHub does not list its permissions")
    return check.live(identity, [*scopes, *expires])


def verify_installation(subject: Subject, endpoint: str, http: HttpClient) -> Verification:
    check = Check("github", endpoint)
    resp = check.request(http, "/installation/repositories?per_page=1", bearer(subject.secret), headers=HEADERS)
    decided = _limited(check, resp) or check.by_status(resp)
    if decided:
        return decided
    data = json_object(resp)
    count = need(data, "total_count", int)
    repos = data.get("repositories") or []
    owner = repos[0].get("owner", {}).get("login") if repos and isinstance(repos[0], dict) else None
    return check.live([("kind", "app installation"), ("owner", owner), ("repositories", count)])
