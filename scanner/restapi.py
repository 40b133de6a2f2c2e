"""JSON REST services (GitHub, GitLab) on the product's one HTTP client, :mod:`scanner.httpclient`.

- The token goes in the header the service names (:meth:`RestClient.auth_headers`), pinned to the
  configured API site (scheme, host and port): API requests follow redirects within that site only,
  pagination that points anywhere else is refused (an error, never a request), and downloads
  (which redirect to pre-signed storage URLs) follow redirects without the token once they leave it.
- Pagination follows ``Link: <...>; rel="next"`` (:meth:`RestClient.next_url`; a service may add its own).
- Rate limits: a 403/429 with ``<remaining>: 0`` waits until ``<reset>`` (the header names are the
  service's); one with ``retry-after`` waits that long; when a response says the quota is spent, the
  next request waits for the reset first. A wait longer than ``max_rate_wait``, or past the run's
  deadline, is an error that says when to retry.
- Bounds (see :class:`ClientSettings`): ``timeout`` per API request, ``download_timeout`` per
  download, ``run_timeout`` for every request of the client together, ``max_page`` bytes per JSON
  answer and ``max_listing`` for all the pages of one listing (more is an error), ``max_download``
  bytes per download (more is :class:`Unavailable`, ``too-large``, for the caller to skip).
- Answers that are not JSON, or not in the expected shape, are one-line errors of kind ``bad-answer``.
- Error messages never carry the token (:meth:`RestClient.scrub`).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterator, Mapping, Self

from scanner.httpclient import (MiB, Credential, Deadline, HttpClient, HttpError, Limits, Response, Retry,
                                Site, url_problem, where)

__all__ = ["ClientSettings", "HttpError", "Response", "RestClient", "Unavailable", "base_url_problem", "next_link"]

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class Unavailable(Exception):
    """A download that is gone or too big: expired (410), deleted or never there (404), over the limit (413)."""

    def __init__(self, status: int, url: str, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.url = url

    @property
    def reason(self) -> str:
        return {410: "expired", 404: "not-found", 413: "too-large"}.get(self.status, "unavailable")


@dataclass(frozen=True)
class ClientSettings:
    base_url: str = ""
    token: str | None = None
    timeout: float = 30.0  # one API request, from connecting to the last byte
    download_timeout: float = 300.0  # one log or artifact download, redirects included per hop
    run_timeout: float | None = None  # every request and wait of this client together; None: no bound
    run_timeout_hint: str = ""  # how the user raises run_timeout, for the message
    max_page: int = 64 * MiB  # one JSON answer
    max_listing: int = 1024 * MiB  # every page of one listing together
    max_download: int = 1024 * MiB  # one download
    retries: int = 4  # transient failures retried this many times per request
    backoff: float = 0.5  # first wait; doubles on each retry
    max_backoff: float = 30.0
    rate_retries: int = 10
    max_rate_wait: float = 900.0  # longer waits for the quota are an error


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an API's base URL (paths are appended to it), or None."""
    problem = url_problem(url)
    if problem:
        return problem
    parts = urllib.parse.urlsplit(url)
    return "an API URL has no query or fragment" if parts.query or parts.fragment or "?" in url else None


def next_link(headers: Mapping[str, str]) -> str | None:
    m = _LINK_NEXT.search(headers.get("link", ""))
    return m.group(1) if m else None


Fail = Callable[[Response, str], HttpError]


class RestClient:
    """GET JSON from one service. Subclasses name the service, its error class, headers and quota headers."""

    service: ClassVar[str] = "API"  # the start of every error message: "GitHub API", "GitLab API"
    error: ClassVar[type[HttpError]] = HttpError
    accept: ClassVar[str] = "application/json"
    remaining_header: ClassVar[str] = "x-ratelimit-remaining"
    reset_header: ClassVar[str] = "x-ratelimit-reset"  # epoch seconds

    def __init__(self, settings: ClientSettings, sleep: Callable[[float], None] | None = None,
                 now: Callable[[], float] | None = None) -> None:
        problem = base_url_problem(settings.base_url)
        if problem:
            raise self.error(f"{self.service}: the API URL {where(settings.base_url)!r}: {problem}", "refused")
        self.settings = settings
        extra: dict[str, Any] = {k: v for k, v in (("sleep", sleep), ("now", now)) if v is not None}
        self.http = HttpClient(
            self.service, error=self.error, limits=Limits(settings.timeout, settings.max_page),
            retry=Retry(settings.retries, settings.backoff, settings.max_backoff, settings.rate_retries,
                        settings.max_rate_wait),
            deadline=Deadline.after(settings.run_timeout, settings.run_timeout_hint),
            rate_wait=self._rate_wait, **extra)
        self._now = self.http._now
        self.site = Site.of(settings.base_url)
        auth = self.auth_headers()
        self.credential = Credential.pinned(settings.base_url, auth) if auth else None
        if self.credential is not None:
            self.http.scrubbed = self.credential.secrets()
        self._quota_reset: float | None = None  # set when a response said no requests are left

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def requests(self) -> int:
        return self.http.requests

    # -- what differs between services --------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {}

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.token}"} if self.settings.token else {}

    def next_url(self, resp: Response) -> str | None:
        """The next page after ``resp``, or None on the last page."""
        return next_link(resp.headers)

    def scrub(self, text: str) -> str:
        """``text`` without the token in any form (a server may echo what it was sent)."""
        return self.http.scrub(text)

    # -- one request ------------------------------------------------------------------------------
    def url(self, path_or_url: str, params: Mapping[str, str | int] | None = None) -> str:
        url = path_or_url if "://" in path_or_url else self.settings.base_url + path_or_url
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return url

    def quota_reset(self, resp: Response) -> float | None:
        """Epoch seconds when a spent quota comes back, if ``resp`` says the quota is spent."""
        if resp.headers.get(self.remaining_header) != "0":
            return None
        try:
            return float(resp.headers.get(self.reset_header, ""))
        except ValueError:
            return None

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
        reset = self.quota_reset(resp)
        if reset is not None:
            return max(0.0, reset - self._now()) + 0.5
        if resp.status == 429 or b"rate limit" in resp.body.lower():
            return 60.0
        return None

    def request(self, url: str, accept: str | None = None, download: bool = False) -> Response:
        """GET ``url`` with the token (only on the API's own site), waiting out rate limits and
        retrying transient failures. Returns the final response, whatever its status."""
        if self._quota_reset is not None:
            delay, self._quota_reset = self._quota_reset - self._now(), None
            if delay > 0:
                self.http.wait(delay + 0.5, "the rate limit to reset")
        s = self.settings
        limits = Limits(s.download_timeout, s.max_download) if download else Limits(s.timeout, s.max_page)
        resp = self.http.request("GET", url, headers={**self.headers(), "Accept": accept or self.accept},
                                 credential=self.credential, limits=limits,
                                 redirects="any" if download else "site")
        if resp.status < 400:
            self._quota_reset = self.quota_reset(resp)
        return resp

    # -- JSON and pages ---------------------------------------------------------------------------
    def _fail(self, resp: Response, what: str) -> HttpError:
        return self.error(self.scrub(f"{self.service}: {what}: HTTP {resp.status} {resp.message()}".rstrip()),
                          "status", resp.status)

    def bad_answer(self, what: str, problem: str) -> HttpError:
        return self.error(self.scrub(f"{self.service}: {what}: {problem}"), "bad-answer")

    def _json(self, resp: Response, what: str) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise self.bad_answer(what, "the answer is not JSON") from None

    def get_json(self, path: str, params: Mapping[str, str | int] | None = None,
                 fail: Fail | None = None) -> tuple[Any, Response]:
        resp = self.request(self.url(path, params))
        if resp.status != 200:
            raise (fail or self._fail)(resp, path)
        return self._json(resp, path), resp

    def pages(self, path: str, key: str | None = None, params: Mapping[str, str | int] | None = None,
              limit: int | None = None, fail: Fail | None = None) -> Iterator[Any]:
        """The items of every page (the body's list under ``key``, or the body itself when it is a
        list and ``key`` is None), following :meth:`next_url` on the API's own site only; at most
        ``limit``. A page that is not 200 raises ``fail(response, path)`` (by default a one-line
        :attr:`error`). Items are as the server sent them: callers check their shape."""
        url: str | None = self.url(path, {"per_page": 100, **(params or {})})
        seen: set[str] = set()  # a server that links a page to itself must not loop forever
        count = total = 0
        while url and url not in seen:
            if Site.of(url) != self.site or url_problem(url):
                raise self.error(self.scrub(f"{self.service}: {path}: the next page is on another host "
                                            f"({where(url)}); refusing to follow it (the token is only for "
                                            f"{self.site})"), "refused")
            seen.add(url)
            resp = self.request(url)
            if resp.status != 200:
                raise (fail or self._fail)(resp, path)
            total += len(resp.body)
            if total > self.settings.max_listing:
                raise self.error(f"{self.service}: {path}: the pages add up to more than the limit of "
                                 f"{self.settings.max_listing} bytes for one listing", "too-large")
            body = self._json(resp, path)
            if key is None:
                items = body
            else:
                items = body.get(key, []) if isinstance(body, dict) else None
            if not isinstance(items, list):
                where_ = f"under {key!r}" if key else ""
                raise self.bad_answer(path, f"the answer is not a list of items {where_}".rstrip())
            for item in items:
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            url = self.next_url(resp)

    def download(self, path: str) -> bytes:
        """The bytes behind an API download endpoint (it may redirect to storage); Unavailable when
        gone or larger than ``max_download``."""
        try:
            resp = self.request(self.url(path), download=True)
        except HttpError as exc:
            if exc.kind == "too-large":
                raise Unavailable(413, path, f"larger than {self.settings.max_download} bytes") from None
            raise
        if resp.status in (404, 410):
            raise Unavailable(resp.status, path, resp.message() or ("expired" if resp.status == 410 else "not found"))
        if resp.status != 200:
            raise self._fail(resp, path)
        return resp.body
