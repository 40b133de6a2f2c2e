"""What stands between the triage app and anyone else who can reach its port or a browser tab.

- **Bind**: 127.0.0.1 by default. Any address that is not loopback needs a token, given at start
  from a file (``--token-file``, readable by its owner only) or ``CREDSPRAWL_SERVE_TOKEN``, never on
  the command line (where ``ps`` shows it).
- **Token**: when there is one, every request needs it: ``Authorization: Bearer TOKEN``, or the
  session cookie the login form sets after it was given the token.
- **Host**: the Host header must name the bound host or an allowed name (``--allow-host``; the
  loopback names when bound to loopback): a page on another site that rebinds its DNS name to this
  address is refused (DNS rebinding).
- **CSRF**: every state-changing request needs the session's CSRF token (a hidden form field) and
  must come from this origin: its ``Origin`` header, else (browsers send ``Origin: null`` under the
  ``no-referrer`` policy) ``Sec-Fetch-Site: same-origin``, else a same-origin ``Referer``; the session
  cookie is ``SameSite=Strict`` and ``HttpOnly``.
- **Headers**: a CSP without inline script or style, ``X-Frame-Options: DENY``,
  ``Referrer-Policy: no-referrer``, ``nosniff``, ``Cache-Control: no-store``.
- **Who**: the audit log names the OS user when there is no token, else the token's name.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import stat
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, MutableMapping
from urllib.parse import quote, urlsplit

from scanner.errors import UsageError

TOKEN_ENV = "CREDSPRAWL_SERVE_TOKEN"
MIN_TOKEN = 16
COOKIE = "credsprawl_session"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_SESSIONS = 10_000
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PREFIXES = ("/login", "/static/")

HEADERS = (
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def read_token(token_file: Path | None, environ: MutableMapping[str, str] | None = None) -> str | None:
    """The token from ``token_file`` (its owner's alone to read) or ``CREDSPRAWL_SERVE_TOKEN``; None
    when neither is given. A usage error when it is empty, short, or its file is readable by others."""
    env = os.environ if environ is None else environ
    if token_file is not None:
        try:
            info = token_file.stat()
            text = token_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read --token-file {token_file}: {exc.strerror or exc}") from None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise UsageError(f"--token-file {token_file} may be read by others: chmod 600 {token_file}")
        token = text.strip()
        source = f"--token-file {token_file}"
    elif env.get(TOKEN_ENV):
        token, source = env[TOKEN_ENV].strip(), TOKEN_ENV
    else:
        return None
    if len(token) < MIN_TOKEN or any(c.isspace() for c in token):
        raise UsageError(f"the token in {source} must be at least {MIN_TOKEN} characters without spaces "
                         f"(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return token


@dataclass(frozen=True)
class Policy:
    """The security settings of one server, fixed at start (``Policy.of`` checks them)."""

    host: str
    token: str | None
    token_name: str
    os_user: str
    allowed_hosts: frozenset[str]

    @classmethod
    def of(cls, host: str, token: str | None, token_name: str, os_user: str, allow_hosts: tuple[str, ...] = ()) -> Policy:
        name = host.strip("[]").lower()
        if not is_loopback(name) and token is None:
            raise UsageError(f"binding {host} (not loopback) needs a token: --token-file FILE or {TOKEN_ENV}")
        if not token_name.strip():
            raise UsageError("--token-name needs a name")
        allowed = {h.strip("[]").lower() for h in allow_hosts if h.strip()}
        if is_loopback(name):
            allowed |= LOOPBACK_NAMES
        if name not in ("0.0.0.0", "::"):
            allowed.add(name)
        elif not allow_hosts:
            raise UsageError(f"binding {host} (every address) needs --allow-host NAME: the host names clients use")
        return cls(name, token, token_name.strip(), os_user, frozenset(allowed))

    def who(self) -> str:
        """Who the audit log names for a write through this server."""
        return self.token_name if self.token is not None else self.os_user

    def token_ok(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())


@dataclass
class Session:
    id: str
    csrf: str
    authenticated: bool = False
    created: float = field(default_factory=time.monotonic)


class Sessions:
    """Sessions in memory (they end with the server): a random id in the cookie, a CSRF token each."""

    def __init__(self) -> None:
        self._by_id: OrderedDict[str, Session] = OrderedDict()

    def new(self, authenticated: bool = False) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), authenticated)
        self._by_id[session.id] = session
        while len(self._by_id) > MAX_SESSIONS:
            self._by_id.popitem(last=False)
        return session

    def get(self, sid: str | None) -> Session | None:
        return self._by_id.get(sid) if sid else None

    def drop(self, session: Session) -> None:
        self._by_id.pop(session.id, None)


def cookie_header(session: Session) -> tuple[bytes, bytes]:
    return (b"set-cookie", f"{COOKIE}={session.id}; Path=/; HttpOnly; SameSite=Strict".encode())


def csrf_ok(session: Session | None, given: str | None) -> bool:
    return session is not None and bool(given) and hmac.compare_digest(session.csrf.encode(), str(given).encode())


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers") or ():
        out.setdefault(k.decode("latin-1").lower(), v.decode("latin-1"))
    return out


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def host_name(host_header: str) -> str:
    """The name in a Host header (without its port; an IPv6 literal without brackets)."""
    text = host_header.strip().lower()
    if text.startswith("["):
        return text[1:text.find("]")] if "]" in text else ""
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def same_origin(headers: dict[str, str], scheme: str) -> bool:
    """Whether an unsafe request comes from this app's own pages (see the module docstring)."""
    mine = f"{scheme}://{headers.get('host', '')}".lower()
    origin = headers.get("origin")
    if origin and origin != "null":
        return origin.lower() == mine
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    referer = headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == mine
    return False


async def _plain(send: Send, status: int, text: str, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS, *extra]})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: Host check, session, token, same-origin check of unsafe requests, headers.
    The routes check the form's CSRF token (``csrf_ok``) as they read the form."""

    def __init__(self, app: ASGIApp, policy: Policy, sessions: Sessions) -> None:
        self.app = app
        self.policy = policy
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if host_name(headers.get("host", "")) not in self.policy.allowed_hosts:
            await _plain(send, 400, "credsprawl serve: this Host is not served here (see --allow-host)\n")
            return
        session = self.sessions.get(_cookie(headers.get("cookie", ""), COOKIE))
        set_cookie: tuple[tuple[bytes, bytes], ...] = ()
        if session is None:
            session = self.sessions.new()
            set_cookie = (cookie_header(session),)
        bearer = headers.get("authorization", "")
        by_token = bearer[:7].lower() == "bearer " and self.policy.token_ok(bearer[7:].strip())
        path = scope.get("path", "/")
        public = path.startswith(PUBLIC_PREFIXES)
        if self.policy.token is not None and not (by_token or session.authenticated or public):
            if scope["method"] == "GET" and not bearer:
                target = "/login?next=" + quote(path + ("?" + scope["query_string"].decode("latin-1")
                                                        if scope.get("query_string") else ""), safe="")
                await send({"type": "http.response.start", "status": 303,
                            "headers": [(b"location", target.encode()), (b"content-length", b"0"), *HEADERS, *set_cookie]})
                await send({"type": "http.response.body", "body": b""})
            else:
                await _plain(send, 401, "credsprawl serve: a token is needed (Authorization: Bearer, or /login)\n",
                             ((b"www-authenticate", b"Bearer"), *set_cookie))
            return
        if scope["method"] in UNSAFE and not same_origin(headers, scope.get("scheme", "http")):
            await _plain(send, 403, "credsprawl serve: cross-site request refused\n", set_cookie)
            return
        scope.setdefault("state", {})
        scope["state"]["session"] = session
        scope["state"]["sessions"] = self.sessions
        scope["state"]["signed_in"] = self.policy.token is None or by_token or session.authenticated

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *[h for h in HEADERS if h[0] not in names],
                                      *set_cookie]
            await send(message)

        await self.app(scope, receive, send_with_headers)
