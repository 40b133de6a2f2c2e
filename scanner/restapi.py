"""A small JSON REST client over urllib (standard library), shared by the GitHub and GitLab clients.

- The token goes in the header the service names (:meth:`RestClient.auth_headers`) and is never
  forwarded to another host on a redirect: redirects are followed here, not by urllib.
- Pagination follows ``Link: <...>; rel="next"`` (:meth:`RestClient.next_url`; a service may add its own).
- Rate limits: a 403/429 with ``<remaining>: 0`` waits until ``<reset>`` (the header names are the
  service's); one with ``retry-after`` waits that long; when a response says the quota is spent, the
  next request waits for the reset first. A wait longer than ``max_rate_wait`` is an error that says
  when to retry.
- Transient failures (5xx, connection reset or refused, timeouts) are retried with exponential
  backoff; a download that is gone (404, 410) raises :class:`Unavailable` for the caller to skip.
- Error messages never carry the token (:meth:`RestClient.scrub`).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterator, Mapping

from scanner import __version__
from scanner.errors import CredsprawlError

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_TRANSIENT = (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError)


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
    base_url: str = ""
    token: str | None = None
    timeout: float = 60.0
    retries: int = 4  # transient failures retried this many times per request
    backoff: float = 0.5  # first wait; doubles on each retry
    max_backoff: float = 30.0
    rate_retries: int = 10
    max_rate_wait: float = 900.0  # longer waits for the quota are an error
    max_download: int = 1024 * 1024 * 1024


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


Fail = Callable[[Response, str], CredsprawlError]


class RestClient:
    """GET JSON from one service. Subclasses name the service, its error class, headers and quota headers."""

    service: ClassVar[str] = "API"  # the start of every error message: "GitHub API", "GitLab API"
    error: ClassVar[type[CredsprawlError]] = CredsprawlError
    accept: ClassVar[str] = "application/json"
    remaining_header: ClassVar[str] = "x-ratelimit-remaining"
    reset_header: ClassVar[str] = "x-ratelimit-reset"  # epoch seconds

    def __init__(self, settings: ClientSettings, sleep: Callable[[float], None] = time.sleep,
                 now: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._sleep = sleep
        self._now = now
        self._opener = urllib.request.build_opener(_NoRedirect)
        self._quota_reset: float | None = None  # set when a response said no requests are left
        self.requests = 0

    # -- what differs between services --------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {"User-Agent": f"credsprawl/{__version__}"}

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.token}"} if self.settings.token else {}

    def next_url(self, resp: Response) -> str | None:
        """The next page after ``resp``, or None on the last page."""
        return next_link(resp.headers)

    def scrub(self, text: str) -> str:
        """``text`` without the token (a server may echo what it was sent)."""
        token = self.settings.token
        return text.replace(token, "***") if token else text

    # -- one request, with retries ----------------------------------------------------------------
    def url(self, path_or_url: str, params: Mapping[str, str | int] | None = None) -> str:
        url = path_or_url if "://" in path_or_url else self.settings.base_url + path_or_url
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return url

    def _open(self, url: str, auth: bool, accept: str) -> Response:
        req = urllib.request.Request(url, headers={**self.headers(), "Accept": accept})
        if auth:
            for name, value in self.auth_headers().items():
                req.add_unredirected_header(name, value)
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

    def _wait(self, seconds: float) -> None:
        if seconds > self.settings.max_rate_wait:
            when = time.strftime("%H:%M:%S", time.localtime(self._now() + seconds))
            raise self.error(f"{self.service} rate limit exhausted until {when}; try again then "
                             "(or use a token with a higher quota)")
        self._sleep(seconds)

    def request(self, url: str, accept: str | None = None) -> Response:
        """GET ``url``, following redirects (the token only on its own host), waiting out rate
        limits and retrying transient failures. Returns the final response, whatever its status."""
        accept = accept or self.accept
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
                    raise self.error(f"cannot reach {urllib.parse.urlsplit(url).netloc}: "
                                     f"{self.scrub(str(exc))}") from None
                self._sleep(min(self.settings.max_backoff, self.settings.backoff * 2**transient))
                transient += 1
                continue
            if resp.status < 400:
                self._quota_reset = self.quota_reset(resp)
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

    # -- JSON and pages ---------------------------------------------------------------------------
    def _fail(self, resp: Response, what: str) -> CredsprawlError:
        return self.error(self.scrub(f"{self.service}: {what}: HTTP {resp.status} {resp.message()}".rstrip()))

    def get_json(self, path: str, params: Mapping[str, str | int] | None = None,
                 fail: Fail | None = None) -> tuple[Any, Response]:
        resp = self.request(self.url(path, params))
        if resp.status != 200:
            raise (fail or self._fail)(resp, path)
        try:
            return resp.json(), resp
        except ValueError:
            raise self.error(f"{self.service}: {path}: the answer is not JSON") from None

    def pages(self, path: str, key: str | None = None, params: Mapping[str, str | int] | None = None,
              limit: int | None = None, fail: Fail | None = None) -> Iterator[dict[str, Any]]:
        """The items of every page (the body's list under ``key``, or the body itself when it is a
        list and ``key`` is None), following :meth:`next_url`; at most ``limit``. A page that is not
        200 raises ``fail(response, path)`` (by default a one-line :attr:`error`)."""
        url: str | None = self.url(path, {"per_page": 100, **(params or {})})
        seen: set[str] = set()  # a server that links a page to itself must not loop forever
        count = 0
        while url and url not in seen:
            seen.add(url)
            resp = self.request(url)
            if resp.status != 200:
                raise (fail or self._fail)(resp, path)
            try:
                body = resp.json()
            except ValueError:
                raise self.error(f"{self.service}: {path}: the answer is not JSON") from None
            if key is None:
                items = body
            else:
                items = (body.get(key) or []) if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise self.error(f"{self.service}: {path}: the answer is not a list of items")
            for item in items:
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return
            url = self.next_url(resp)

    def download(self, path: str) -> bytes:
        """The bytes behind an API download endpoint (it may redirect to storage); Unavailable when gone."""
        resp = self.request(self.url(path))
        if resp.status in (404, 410):
            raise Unavailable(resp.status, path, resp.message() or ("expired" if resp.status == 410 else "not found"))
        if resp.status != 200:
            raise self._fail(resp, path)
        return resp.body
