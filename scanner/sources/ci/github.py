"""A small GitHub REST API client for GitHub.com and GitHub Enterprise Server, on :mod:`scanner.restapi`.

- Base URL from ``GITHUB_API_URL`` (GitHub Enterprise Server: ``https://HOST/api/v3``), token from
  ``GITHUB_TOKEN`` (sent as ``Authorization: Bearer``; never forwarded to another host on a redirect:
  log and artifact downloads redirect to pre-signed storage URLs).
- Pagination follows ``Link: <...>; rel="next"``.
- Rate limits (``x-ratelimit-remaining`` / ``x-ratelimit-reset``, ``retry-after``), retries and
  downloads as described in :mod:`scanner.restapi`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping

from scanner.errors import CredsprawlError
from scanner.restapi import Response, RestClient, Unavailable, next_link
from scanner.restapi import ClientSettings as _Settings

__all__ = ["API_VERSION", "DEFAULT_API", "ClientSettings", "GitHubClient", "GitHubError", "Response",
           "Unavailable", "next_link"]

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"


class GitHubError(CredsprawlError):
    """The API refused or failed in a way the user must act on (token, repository name, quota)."""


@dataclass(frozen=True)
class ClientSettings(_Settings):
    base_url: str = DEFAULT_API

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **overrides: Any) -> ClientSettings:
        base = (env.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
        return cls(base_url=base, token=env.get("GITHUB_TOKEN") or None, **overrides)


class GitHubClient(RestClient):
    service = "GitHub API"
    error = GitHubError
    accept = "application/vnd.github+json"

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "X-GitHub-Api-Version": API_VERSION}

    def _fail(self, resp: Response, what: str) -> CredsprawlError:
        if resp.status == 401:
            return GitHubError(f"GitHub API: 401 {self.scrub(resp.message()) or 'Bad credentials'}: set GITHUB_TOKEN "
                               "to a token that can read the repository's Actions")
        if resp.status == 404:
            return GitHubError(f"GitHub API: {what}: not found (check OWNER/REPO, and that GITHUB_TOKEN can read it)")
        return super()._fail(resp, what)
