"""The one HTTP client of the product, on httpx: every remote call goes through :class:`HttpClient`.

Bounds, all on by default:

- **Time per request**: :attr:`Limits.timeout` covers the whole request, from connecting to the last
  byte of the body (not only the gap between two reads: a server trickling a byte every few seconds
  is cut off too). It is enforced under httpx, on every connect, read and write of the socket.
- **Time per run**: a :class:`Deadline` shared by every request and every wait of one run; when it
  has passed, the next request (or the one in flight) fails with ``kind == "deadline"``.
- **Bytes per response**: :attr:`Limits.max_bytes`, checked against ``Content-Length`` before
  reading and while streaming; the body is never buffered past the limit. Only ``identity``
  encoding is asked for (a compressed answer could expand past any limit while being decoded), and a
  server that compresses anyway is refused.
- **Where requests go**: only ``https://`` URLs, and ``http://`` for loopback addresses (tests, local
  mirrors); no user names or passwords in URLs.
- **Credentials**: a :class:`Credential` is pinned to the sites (scheme, host, port) it belongs to.
  A request that would send it anywhere else is refused; a redirect is followed only when the
  caller asks (``redirects="site"``: within the same site; ``"any"``: anywhere allowed, the credential
  dropped for good once the chain leaves its site). Redirects are never followed by httpx itself.
- **Retries**: connection failures and 5xx are retried with exponential backoff (for idempotent
  methods only: a POST that may have reached the server is not sent twice); 429 (and what a
  service's ``rate_wait`` hook says is a rate limit) waits for ``Retry-After`` (seconds or a date) or
  the backoff. Each wait is bounded by :attr:`Retry.max_wait` and by the run's deadline. Timeouts are
  not retried: a server that sent nothing for a whole request's time is not asked again.

Every failure is an :class:`HttpError` (a project error) with a one-line message that starts with the
client's label and never carries a credential, and a ``kind`` that callers branch on.
"""

from __future__ import annotations

import base64
import contextvars
import email.utils
import ipaddress
import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, Mapping, Self

import httpcore
import httpx

from scanner import __version__
from scanner.errors import CredsprawlError

MiB = 1024 * 1024
Redirects = Literal["none", "site", "any"]
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# headers that carry secrets travel only in a Credential, so that they are pinned to its sites
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "private-token", "x-api-key"})
_MAX_HOPS = 5
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")

# kinds a caller should not carry on after: the server or the configuration cannot be trusted for the
# rest of the run (refused, bad-answer, too-large), or the run has no time or quota left
FATAL_KINDS = frozenset({"refused", "deadline", "bad-answer", "too-large", "rate-limited"})


class HttpError(CredsprawlError):
    """A remote call that failed. ``kind``: refused, timeout, deadline, too-large, unreachable,
    rate-limited, bad-answer or status."""

    def __init__(self, message: str, kind: str = "status", status: int | None = None) -> None:
        super().__init__(one_line(message, 500))
        self.kind = kind
        self.status = status

    @property
    def fatal(self) -> bool:
        return self.kind in FATAL_KINDS


def one_line(text: str, limit: int = 200) -> str:
    """``text`` as one printable line of at most ``limit`` characters (servers send what they like)."""
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------------------------------
# where requests may go


@dataclass(frozen=True, order=True)
class Site:
    """The scheme, host and port of a URL: what a credential is pinned to."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Site:
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        return cls(scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be fetched, or None: https only, http for loopback addresses only."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a URL ({exc})"
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("https", "http") or not host:
        return "not an https:// URL"
    if scheme == "http" and not is_loopback(host):
        return "plain http:// is allowed only for a loopback address (127.0.0.1, ::1, localhost); use https://"
    if parts.username is not None or parts.password is not None:
        return "a URL may not carry a user name or password"
    if port == 0 or any(c.isspace() or ord(c) < 32 for c in url):
        return "not a URL"
    return None


def where(url: str) -> str:
    """``url`` for a message: scheme, host, port and path; never the query (it may hold a signature)."""
    parts = urllib.parse.urlsplit(url)
    return one_line(urllib.parse.urlunsplit(parts._replace(query="", fragment="")), 160)


@dataclass(frozen=True)
class Credential:
    """Headers that carry a secret, and the only sites they may be sent to."""

    headers: tuple[tuple[str, str], ...]
    sites: frozenset[Site]

    @classmethod
    def pinned(cls, url: str, headers: Mapping[str, str]) -> Credential:
        """Headers that may go to ``url``'s site only."""
        for name, value in headers.items():
            if not value or not value.isascii() or not value.isprintable() or value != value.strip():
                raise HttpError(f"the value for the {name} header has characters a header cannot carry "
                                "(a stray newline or space around the token?)", "refused")
        return cls(tuple(headers.items()), frozenset({Site.of(url)}))

    def allows(self, url: str) -> bool:
        return Site.of(url) in self.sites

    def secrets(self) -> tuple[str, ...]:
        """Every form of the secret a server might echo back: the header value, the part after its
        scheme word (``Bearer``), their base64 and percent-encoded forms; longest first."""
        out: set[str] = set()
        for _, value in self.headers:
            for v in {value, value.split(" ", 1)[-1]}:
                if len(v) >= 4:
                    out.update({v, base64.b64encode(v.encode()).decode(), urllib.parse.quote(v, safe="")})
        return tuple(sorted(out, key=len, reverse=True))


# ------------------------------------------------------------------------------------------------
# limits


@dataclass(frozen=True)
class Limits:
    """The bounds of one request."""

    timeout: float = 30.0  # seconds from connecting to the last byte of the body
    max_bytes: int = 64 * MiB  # of the body; more is an error of kind "too-large"
    connect_timeout: float = 10.0  # of the TCP and TLS handshake (within ``timeout``)


@dataclass(frozen=True)
class Retry:
    retries: int = 4  # connection failures and 5xx, per request
    backoff: float = 0.5  # first wait; doubles on each retry
    max_backoff: float = 30.0
    rate_retries: int = 10  # rate-limited answers, per request
    max_wait: float = 900.0  # a longer wait for a rate limit is an error that says when to retry

    def backoff_for(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2.0**attempt)


@dataclass(frozen=True)
class Deadline:
    """The end of a run, on the monotonic clock; ``seconds is None``: no end."""

    seconds: float | None = None
    end: float | None = None
    hint: str = ""  # how the user raises it, for the message: "raise --timeout"
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    @classmethod
    def after(cls, seconds: float | None, hint: str = "", clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(seconds, None if seconds is None else clock() + seconds, hint, clock)

    def remaining(self) -> float:
        return float("inf") if self.end is None else float(self.end - self.clock())

    def expired(self) -> bool:
        return self.remaining() <= 0

    def describe(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"the time limit for the whole run ({self.seconds:g} s) ran out{hint}"


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes
    url: str

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def message(self) -> str:
        """What the server said, as one short line (a JSON ``message``, else the start of the body)."""
        try:
            said = self.json()
            text = str(said.get("message", "")) if isinstance(said, dict) else ""
        except ValueError:
            text = ""
        return one_line(text or self.body[:200].decode("utf-8", "replace"))


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the ``Retry-After`` header asks for (a number or an HTTP date), or None."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# ------------------------------------------------------------------------------------------------
# the per-request deadline, enforced on every socket operation under httpx

_REQUEST_END: contextvars.ContextVar[float | None] = contextvars.ContextVar("credsprawl_request_end", default=None)


def _clamp(timeout: float | None, error: type[Exception]) -> float | None:
    end = _REQUEST_END.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the request's time limit ran out")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _BoundedStream(self._inner.start_tls(ssl_context, server_hostname,
                                                    _clamp(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every socket timeout cut to what is left of the request."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _BoundedStream(self._inner.connect_tcp(host, port, _clamp(timeout, httpcore.ConnectTimeout),
                                                      local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _BoundedStream(self._inner.connect_unix_socket(path, _clamp(timeout, httpcore.ConnectTimeout),
                                                              socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _bound(client: httpx.Client) -> None:
    """Put :class:`_BoundedBackend` under every connection pool of ``client`` (the direct one and the
    proxies httpx mounted from the environment). httpx has no public hook for the network backend, so
    this reaches into its transports; a layout change fails here, loudly, never silently unbounded."""
    transports = [client._transport, *(t for t in client._mounts.values() if t is not None)]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if not isinstance(backend, httpcore.NetworkBackend):
            raise RuntimeError("credsprawl: this httpx version hides its connection pool; the request time "
                               "limit cannot be enforced (install httpx<1)")
        if not isinstance(backend, _BoundedBackend):
            pool._network_backend = _BoundedBackend(backend)  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------
# the client


class _Transient(Exception):
    """A connection failure worth retrying."""


RateWait = Callable[[Response], "float | None"]


class HttpClient:
    """Requests to remote services, each bounded in time and bytes, retried within bounds.

    ``label`` starts every error message ("GitHub API"); ``error`` is the :class:`HttpError` subclass
    raised; ``rate_wait`` lets a service say how long a response asks to wait (its own quota headers),
    None when the response is not rate limited.
    """

    def __init__(self, label: str, *, error: type[HttpError] = HttpError, limits: Limits = Limits(),
                 retry: Retry = Retry(), deadline: Deadline | None = None, rate_wait: RateWait | None = None,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], float] = time.time) -> None:
        self.label = label
        self.error = error
        self.limits = limits
        self.retry = retry
        self.deadline = deadline or Deadline()
        self.rate_wait = rate_wait
        self._sleep = sleep
        self._now = now
        self.scrubbed: tuple[str, ...] = ()  # strings never to show (credentials in every form)
        self._client = httpx.Client(follow_redirects=False, headers={
            "User-Agent": f"credsprawl/{__version__}", "Accept-Encoding": "identity"})
        _bound(self._client)
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- messages -------------------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        for secret in self.scrubbed:
            text = text.replace(secret, "***")
        return text

    def fail(self, message: str, kind: str, status: int | None = None) -> HttpError:
        return self.error(self.scrub(f"{self.label}: {message}"), kind, status)

    def check(self, url: str) -> str:
        problem = url_problem(url)
        if problem:
            raise self.fail(f"refusing to fetch {where(url)!r}: {problem}", "refused")
        return url

    # -- waiting --------------------------------------------------------------------------------
    def wait(self, seconds: float, why: str = "a rate limit") -> None:
        """Sleep ``seconds``, unless that is more than :attr:`Retry.max_wait` or past the deadline."""
        if seconds > self.retry.max_wait:
            when = time.strftime("%H:%M:%S", time.localtime(self._now() + seconds))
            raise self.fail(f"rate limit exhausted until {when}; try again then", "rate-limited")
        if seconds > self.deadline.remaining():
            raise self.fail(f"waiting {seconds:.0f} s for {why} would pass the end of the run: "
                            f"{self.deadline.describe()}", "deadline")
        if seconds > 0:
            self._sleep(seconds)

    # -- one request ------------------------------------------------------------------------------
    def request(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                credential: Credential | None = None, content: bytes | None = None,
                limits: Limits | None = None, redirects: Redirects = "none") -> Response:
        """One request: redirects as asked, retries and waits within bounds. Returns the final
        response whatever its status; raises :attr:`error` for what no response can answer."""
        limits = limits or self.limits
        self.check(url)
        if any(name.lower() in _SECRET_HEADERS for name in headers or {}):
            raise self.fail("a secret header must travel in a Credential (pinned to its host), "
                            "not in plain headers", "refused")
        if credential is not None:
            self.scrubbed = tuple(sorted({*self.scrubbed, *credential.secrets()}, key=len, reverse=True))
            if not credential.allows(url):
                raise self.fail(f"refusing to send credentials to {Site.of(url)}: they are only for "
                                f"{', '.join(map(str, sorted(credential.sites)))}", "refused")
        start = Site.of(url)
        transient = rate = hops = 0
        retries = self.retry.retries if method.upper() in _IDEMPOTENT else 0
        while True:
            if self.deadline.expired():
                raise self.fail(self.deadline.describe(), "deadline")
            try:
                resp = self._attempt(method, url, headers or {}, credential, content, limits)
            except _Transient as exc:
                if transient >= retries:
                    raise self.fail(f"cannot reach {Site.of(url)}: {exc}", "unreachable") from None
                self.wait(self.retry.backoff_for(transient), "a retry")
                transient += 1
                continue
            rated = self.rate_wait(resp) if self.rate_wait else None
            after = retry_after(resp.headers, self._now())
            if rated is None and resp.status == 429:
                rated = after if after is not None else self.retry.backoff_for(rate)
            if rated is not None and rate < self.retry.rate_retries:
                self.wait(rated)
                rate += 1
                continue
            if resp.status >= 500 and transient < retries:
                delay = after if after is not None else self.retry.backoff_for(transient)
                if delay <= self.retry.max_wait:
                    self.wait(delay, "a retry")
                    transient += 1
                    continue
            if resp.status in _REDIRECTS and redirects != "none" and "location" in resp.headers:
                target = urllib.parse.urljoin(url, resp.headers["location"])
                problem = url_problem(target)
                if problem:
                    raise self.fail(f"{where(url)} redirects to {where(target)!r}: {problem}", "refused")
                if Site.of(target) != start and redirects == "site":
                    raise self.fail(f"{where(url)} redirects to another host ({Site.of(target)}); "
                                    "refusing to follow", "refused")
                if hops >= _MAX_HOPS:
                    raise self.fail(f"{where(url)}: more than {_MAX_HOPS} redirects", "bad-answer")
                if credential is not None and not credential.allows(target):
                    credential = None  # it left the credential's site: never sent again on this chain
                url, hops, method, content = target, hops + 1, ("GET" if resp.status == 303 else method), (
                    None if resp.status == 303 else content)
                continue
            return resp

    def _attempt(self, method: str, url: str, headers: Mapping[str, str], credential: Credential | None,
                 content: bytes | None, limits: Limits) -> Response:
        end = time.monotonic() + limits.timeout
        if self.deadline.end is not None:
            end = min(end, time.monotonic() + self.deadline.remaining())
        sent = {**headers, **dict(credential.headers if credential else ())}
        timeout = httpx.Timeout(limits.timeout, connect=min(limits.connect_timeout, limits.timeout))
        token = _REQUEST_END.set(end)
        self.requests += 1
        try:
            with self._client.stream(method, url, headers=sent, content=content, timeout=timeout) as r:
                return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()},
                                self._body(r, url, limits), url)
        except httpx.TimeoutException:
            if self.deadline.expired():
                raise self.fail(f"{where(url)}: {self.deadline.describe()}", "deadline") from None
            raise self.fail(f"{where(url)}: no complete answer within {limits.timeout:g} s", "timeout") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as exc:
            raise self.fail(f"refusing to fetch {where(url)}: {exc}", "refused") from None
        except httpx.TransportError as exc:
            text = self.scrub(one_line(str(exc) or type(exc).__name__))
            if "CERTIFICATE" in text or "SSL" in text:
                raise self.fail(f"cannot reach {Site.of(url)}: {text}", "unreachable") from None
            raise _Transient(text) from None
        finally:
            _REQUEST_END.reset(token)

    def _body(self, r: httpx.Response, url: str, limits: Limits) -> bytes:
        cap = limits.max_bytes
        length = r.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise self.fail(f"{where(url)}: the answer ({int(length)} bytes) is larger than the limit of "
                            f"{cap} bytes", "too-large", r.status_code)
        encoding = r.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise self.fail(f"{where(url)}: the answer is {encoding}-encoded though only identity was "
                            "asked for", "bad-answer", r.status_code)
        body = bytearray()
        for chunk in r.iter_raw():
            if len(body) + len(chunk) > cap:
                raise self.fail(f"{where(url)}: the answer is larger than the limit of {cap} bytes",
                                "too-large", r.status_code)
            body += chunk
        return bytes(body)
