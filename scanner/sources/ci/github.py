"""A small GitHub REST API client for GitHub.com and GitHub Enterprise Server, on :mod:`scanner.restapi`.

- Base URL from ``GITHUB_API_URL`` (GitHub Enterprise Server: ``https://HOST/api/v3``): an
  ``https://`` URL, or ``http://`` for a loopback address only; anything else is a usage error.
- Token from ``GITHUB_TOKEN``, sent as ``Authorization: Bearer`` to the API's own scheme, host and
  port only: pagination that points elsewhere is refused, and downloads that redirect to pre-signed
  storage URLs reach them without it.
- Pagination follows ``Link: <...>; rel="next"``.
- Rate limits (``x-ratelimit-remaining`` / ``x-ratelimit-reset``, ``retry-after``), retries, time and
  size bounds as described in :mod:`scanner.restapi` and :mod:`scanner.httpclient`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

from scanner.errors import UsageError
from scanner.httpclient import HttpError
from scanner.restapi import Response, RestClient, Unavailable, base_url_problem, next_link
from scanner.restapi import ClientSettings as _Settings

__all__ = ["API_VERSION", "DEFAULT_API", "ClientSettings", "GitHubClient", "GitHubError", "Response",
           "Unavailable", "next_link"]

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"


class GitHubError(HttpError):
    """The API refused or failed in a way the user must act on (token, repository name, quota)."""


@dataclass(frozen=True)
class ClientSettings(_Settings):
    base_url: str = DEFAULT_API

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **overrides: Any) -> ClientSettings:
        """Settings from ``GITHUB_API_URL`` and ``GITHUB_TOKEN``; a usage error when either is unusable."""
        base = (env.get("GITHUB_API_URL") or DEFAULT_API).strip().rstrip("/")
        problem = base_url_problem(base)
        if problem:
            raise UsageError(f"GITHUB_API_URL {base[:100]!r}: {problem}")
        token = env.get("GITHUB_TOKEN") or None
        if token is not None and (not token.isascii() or not token.isprintable() or token != token.strip()
                                  or " " in token):
            raise UsageError("GITHUB_TOKEN has characters a token cannot have (a stray newline or space?)")
        return cls(base_url=base, token=token, **overrides)


class GitHubClient(RestClient):
    service = "GitHub API"
    error = GitHubError
    accept = "application/vnd.github+json"

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "X-GitHub-Api-Version": API_VERSION}

    def _fail(self, resp: Response, what: str) -> HttpError:
        if resp.status == 401:
            return GitHubError(f"GitHub API: 401 {self.scrub(resp.message()) or 'Bad credentials'}: set GITHUB_TOKEN "
                               "to a token that can read the repository's Actions", "status", 401)
        if resp.status == 404:
            return GitHubError(f"GitHub API: {what}: not found (check OWNER/REPO, and that GITHUB_TOKEN can read it)",
                               "status", 404)
        return super()._fail(resp, what)
