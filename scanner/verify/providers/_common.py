"""What every verifier shares: one request with the secret pinned to the endpoint's host, the JSON
of an answer, and the usual meaning of HTTP statuses."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from scanner.httpclient import Credential, HttpClient, Response
from scanner.verify.result import ERROR, INVALID, LIVE, UNKNOWN, Verification


class MalformedAnswer(Exception):
    """The provider answered, but not in the documented shape. The message never holds a secret."""


@dataclass(frozen=True)
class Check:
    """One verification against ``endpoint`` (a base URL): builds URLs and results."""

    provider: str
    endpoint: str

    def url(self, path: str) -> str:
        return self.endpoint.rstrip("/") + path

    def live(self, identity: Iterable[tuple[str, Any]] | Mapping[str, Any] = (), permissions: Iterable[Any] = (),
             reason: str = "") -> Verification:
        return Verification.of(LIVE, self.provider, self.endpoint, identity=identity, permissions=permissions,
                               reason=reason)

    def invalid(self, reason: str) -> Verification:
        return Verification.of(INVALID, self.provider, self.endpoint, reason=reason)

    def unknown(self, reason: str) -> Verification:
        return Verification.of(UNKNOWN, self.provider, self.endpoint, reason=reason)

    def error(self, reason: str) -> Verification:
        return Verification.of(ERROR, self.provider, self.endpoint, reason=reason)

    def request(self, http: HttpClient, path: str, secret_headers: Mapping[str, str], *, method: str = "GET",
                headers: Mapping[str, str] | None = None, content: bytes | None = None) -> Response:
        """One request to ``endpoint + path``; ``secret_headers`` travel only to the endpoint's host."""
        url = self.url(path)
        return http.request(method, url, headers=headers, content=content,
                            credential=Credential.pinned(url, secret_headers))

    def by_status(self, resp: Response, *, forbidden: str = INVALID) -> Verification | None:
        """The result a status alone decides, or None for a 2xx (the verifier reads the body).
        401 is invalid; 403 is ``forbidden`` (invalid unless the provider uses it for a live key
        without the permission); 429 and 5xx, still there after the client's retries, are unknown."""
        if 200 <= resp.status < 300:
            return None
        if resp.status == 401:
            return self.invalid(f"{self.provider} rejected the credential (HTTP 401)")
        if resp.status == 403:
            if forbidden == INVALID:
                return self.invalid(f"{self.provider} refused the credential (HTTP 403)")
            return None
        if resp.status == 429:
            return self.unknown(f"{self.provider} rate limited the check (HTTP 429) after retries")
        if resp.status >= 500:
            return self.unknown(f"{self.provider} answered HTTP {resp.status} after retries")
        return self.unknown(f"{self.provider} answered HTTP {resp.status}, which says nothing about the credential")


def json_object(resp: Response) -> dict[str, Any]:
    """The answer's body as a JSON object, or :class:`MalformedAnswer`."""
    try:
        data = resp.json()
    except (ValueError, UnicodeDecodeError):
        raise MalformedAnswer(f"the answer (HTTP {resp.status}) is not JSON") from None
    if not isinstance(data, dict):
        raise MalformedAnswer(f"the answer (HTTP {resp.status}) is not a JSON object")
    return data


def obj(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is an object, else an empty one (an optional part of an answer)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def need(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...] = str) -> Any:
    """``data[key]``, which the documented shape says is there and of ``kind``."""
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise MalformedAnswer(f"the answer has no {key!r} of the documented type")
    return value


def scopes_header(resp: Response, name: str = "x-oauth-scopes") -> tuple[str, ...] | None:
    """The comma-separated scopes of an OAuth scopes header; None when there is no such header."""
    value = resp.headers.get(name)
    if value is None:
        return None
    return tuple(s.strip() for s in value.split(",") if s.strip())


_WORD = re.compile(r"[A-Za-z0-9_.:-]{1,40}")


def word(value: object) -> str:
    """A code the provider sent (``invalid_auth``, ``InvalidClientTokenId``) for a reason, or a
    placeholder when it is anything but a short word: a server's text never becomes a reason."""
    text = str(value)
    return text if _WORD.fullmatch(text) else "an unexpected value"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
