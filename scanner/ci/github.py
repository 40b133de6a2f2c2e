"""A small GitHub REST API client (urllib, standard library) for GitHub.com and GitHub Enterprise Server.

- Base URL from ``GITHUB_API_URL`` (GitHub Enterprise Server: ``https://HOST/api/v3``), token from
  ``GITHUB_TOKEN`` (sent as ``Authorization: Bearer``; never forwarded to another host on a redirect:
  log and artifact downloads redirect to pre-signed storage URLs).
- Pagination follows ``Link: <...>; rel="next"``.
- Rate limits: a 403/429 with ``x-ratelimit-remaining: 0`` waits until ``x-ratelimit-reset``; one with
  ``retry-after`` waits that long; when a response says the quota is spent, the next request waits
  for the reset first. A wait longer than ``max_rate_wait`` is an error that says when to retry.
- Transient failures (5xx, connection reset or refused, timeouts) are retried with exponential
  backoff; a download that is gone (404, 410) raises :class:`Unavailable` for the caller to skip.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

from scanner import __version__
from scanner.errors import CredsprawlError

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_TRANSIENT = (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError)


class GitHubError(CredsprawlError):
    """The API refused or failed in a way the user must act on (token, repository name, quota)."""


class Unavailable(Exception):
    """A resource that is gone or too big: expired (410), deleted or never there (404)."""

    def __init__(self, status: int, url: str, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.url = url

    @property
    def reason(self) -> str:
        return {410: "expired", 404: "not-found", 413: "too-large"}.get(self.status, "unavailable")


@dataclass(frozen=True)
class ClientSettings:
    base_url: str = DEFAULT_API
    token: str | None = None
    timeout: float = 60.0
    retries: int = 4  # transient failures retried this many times per request
    backoff: float = 0.5  # first wait; doubles on each retry
    max_backoff: float = 30.0
    rate_retries: int = 10
    max_rate_wait: float = 900.0  # longer waits for the quota are an error
    max_download: int = 1024 * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **overrides: Any) -> ClientSettings:
        base = (env.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
        return cls(base_url=base, token=env.get("GITHUB_TOKEN") or None, **overrides)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    url: str

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def message(self) -> str:
        try:
            return str(self.json().get("message", "")) or self.body[:200].decode("utf-8", "replace")
        except (ValueError, AttributeError):
            return self.body[:200].decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by the client itself, so the token stays on its host."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def next_link(headers: Mapping[str, str]) -> str | None:
    m = _LINK_NEXT.search(headers.get("link", ""))
    return m.group(1) if m else None


def _same_host(a: str, b: str) -> bool:
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (pa.scheme, pa.netloc) == (pb.scheme, pb.netloc)


class GitHubClient:
    def __init__(self, settings: ClientSettings, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._sleep = sleep
        self._now = now
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._quota_reset: float | None = None  # set when a response said no requests are left
        self.requests = 0

    # -- one request, with retries ----------------------------------------------------------------
    def url(self, path_or_url: str, params: Mapping[str, str | int] | None = None) -> str:
        url = path_or_url if "://" in path_or_url else self.settings.base_url + path_or_url
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return url

    def _open(self, url: str, auth: bool, accept: str) -> Response:
        req = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": f"credsprawl/{__version__}",
                                                   "X-GitHub-Api-Version": API_VERSION})
        if auth and self.settings.token:
            req.add_unredirected_header("Authorization", f"Bearer {self.settings.token}")
        self.requests += 1
        try:
            with self._opener.open(req, timeout=self.settings.timeout) as resp:
                body = self._read(resp, url)
                return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, body, url)
        except urllib.error.HTTPError as err:
            with err:
                body = err.read() if err.code >= 400 else b""
            return Response(err.code, {k.lower(): v for k, v in (err.headers or {}).items()}, body, url)

    def _read(self, resp: Any, url: str) -> bytes:
        cap = self.settings.max_download
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = resp.read(1024 * 1024)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if cap and total > cap:
                raise Unavailable(413, url, f"larger than {cap} bytes")
            chunks.append(chunk)

    def _rate_wait(self, resp: Response) -> float | None:
        """Seconds to wait before retrying a rate-limited response; None if it is not rate limited."""
        if resp.status not in (403, 429):
            return None
        h = resp.headers
        if "retry-after" in h:
            try:
                return max(0.0, float(h["retry-after"]))
            except ValueError:
                return self.settings.backoff
        if h.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in h:
            return max(0.0, float(h["x-ratelimit-reset"]) - self._now()) + 0.5
        if resp.status == 429 or b"rate limit" in resp.body.lower():
            return 60.0
        return None

    def _wait(self, seconds: float) -> None:
        if seconds > self.settings.max_rate_wait:
            when = time.strftime("%H:%M:%S", time.localtime(self._now() + seconds))
            raise GitHubError(f"GitHub API rate limit exhausted until {when}; try again then (or use a token with a higher quota)")
        self._sleep(seconds)

    def request(self, url: str, accept: str = "application/vnd.github+json") -> Response:
        """GET ``url``, following redirects (the token only on its own host), waiting out rate
        limits and retrying transient failures. Returns the final response, whatever its status."""
        auth = True
        origin = url
        transient = rate = redirects = 0
        while True:
            if self._quota_reset is not None:
                delay, self._quota_reset = self._quota_reset - self._now(), None
                if delay > 0:
                    self._wait(delay + 0.5)
            try:
                resp = self._open(url, auth, accept)
            except _TRANSIENT as exc:
                if transient >= self.settings.retries:
                    raise GitHubError(f"cannot reach {urllib.parse.urlsplit(url).netloc}: {exc}") from None
                self._sleep(min(self.settings.max_backoff, self.settings.backoff * 2**transient))
                transient += 1
                continue
            if resp.headers.get("x-ratelimit-remaining") == "0" and resp.status < 400:
                try:
                    self._quota_reset = float(resp.headers.get("x-ratelimit-reset", ""))
                except ValueError:
                    pass
            wait = self._rate_wait(resp)
            if wait is not None and rate < self.settings.rate_retries:
                rate += 1
                self._wait(wait)
                continue
            if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers and redirects < 5:
                target = urllib.parse.urljoin(url, resp.headers["location"])
                auth = auth and _same_host(origin, target)
                url = target
                redirects += 1
                continue
            if resp.status >= 500 and transient < self.settings.retries:
                self._sleep(min(self.settings.max_backoff, self.settings.backoff * 2**transient))
                transient += 1
                continue
            return resp

    # -- the API's shapes --------------------------------------------------------------------------
    def _fail(self, resp: Response, what: str) -> GitHubError:
        if resp.status == 401:
            return GitHubError(f"GitHub API: 401 {resp.message() or 'Bad credentials'}: set GITHUB_TOKEN to a token "
                               "that can read the repository's Actions")
        if resp.status == 404:
            return GitHubError(f"GitHub API: {what}: not found (check OWNER/REPO, and that GITHUB_TOKEN can read it)")
        return GitHubError(f"GitHub API: {what}: HTTP {resp.status} {resp.message()}".rstrip())

    def get_json(self, path: str, params: Mapping[str, str | int] | None = None) -> tuple[Any, Response]:
        resp = self.request(self.url(path, params))
        if resp.status != 200:
            raise self._fail(resp, path)
        try:
            return resp.json(), resp
        except ValueError:
            raise GitHubError(f"GitHub API: {path}: the answer is not JSON") from None

    def pages(self, path: str, key: str, params: Mapping[str, str | int] | None = None,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        """The items under ``key`` of every page, following ``Link: rel="next"``; at most ``limit``."""
        url: str | None = self.url(path, {"per_page": 100, **(params or {})})
        count = 0
        while url:
            resp = self.request(url)
            if resp.status != 200:
                raise self._fail(resp, path)
            for item in resp.json().get(key) or []:
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            url = next_link(resp.headers)

    def download(self, path: str) -> bytes:
        """The bytes behind an API download endpoint (it redirects to storage); Unavailable when gone."""
        resp = self.request(self.url(path))
        if resp.status in (404, 410):
            raise Unavailable(resp.status, path, resp.message() or ("expired" if resp.status == 410 else "not found"))
        if resp.status != 200:
            raise self._fail(resp, path)
        return resp.body
