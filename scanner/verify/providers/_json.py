"""A verifier described as data: ask one read-only endpoint, read the identity and permissions out
of its JSON answer by dotted paths. For providers whose check is exactly that; anything subtler
is a function of its own module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from scanner.httpclient import HttpClient
from scanner.verify.providers._common import Check, MalformedAnswer, basic, bearer, json_object, word
from scanner.verify.result import INVALID, Verification
from scanner.verify.subject import Subject

Auth = Callable[[str], Mapping[str, str]]
_MISSING = object()


def scheme(name: str) -> Auth:
    """``Authorization: WORD SECRET`` (``token``, ``Bot``, ``SSWS``)."""
    return lambda secret: {"Authorization": f"{name} {secret}"}


def header(name: str) -> Auth:
    """The secret alone in header ``name``."""
    return lambda secret: {name: secret}


def basic_password(user: str = "") -> Auth:
    """HTTP basic auth with the secret as password."""
    return lambda secret: basic(user, secret)


def pick(data: Any, path: str) -> Any:
    """``a.b.0.c``; ``*`` maps over a list (``orgs.*.name``). Missing: :data:`_MISSING`."""
    node = data
    parts = path.split(".") if path else []
    for i, part in enumerate(parts):
        if part == "*":
            if not isinstance(node, list):
                return _MISSING
            rest = ".".join(parts[i + 1:])
            values = [pick(item, rest) for item in node]
            return [v for v in values if v is not _MISSING and v is not None]
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _text(value: Any) -> str | None:
    if value is _MISSING or value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if not isinstance(v, (dict, list))) or None
    if isinstance(value, dict):
        return None
    return str(value).lower() if isinstance(value, bool) else str(value)


def _permissions(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int)) and not isinstance(v, bool)]
    if isinstance(value, dict):  # {"events": true, "markers": false}: the granted ones
        return [str(k) for k, v in value.items() if v is True]
    if isinstance(value, str):
        return value.split()
    return []


@dataclass(frozen=True)
class JsonCheck:
    """``GET endpoint + path`` with ``auth(secret)``; 401 (and 403 unless ``forbidden`` says
    otherwise) is invalid; a 2xx answer must hold ``required`` (else it is malformed) and is live
    unless ``state`` (path, live values) or ``dead_flags`` (paths that are true for a disabled key)
    say otherwise."""

    provider: str
    path: str
    auth: Auth
    required: str
    identity: tuple[tuple[str, str], ...] = ()
    permissions: str | None = None
    granted: tuple[str, ...] = ()  # what a live answer proves (``models:read``)
    headers: tuple[tuple[str, str], ...] = ()
    state: tuple[str, tuple[str, ...]] | None = None
    dead_flags: tuple[str, ...] = ()
    dead_statuses: tuple[int, ...] = ()  # answers that mean a sign-in page, not an API answer
    forbidden: str = INVALID

    def verify(self, subject: Subject, endpoint: str, http: HttpClient) -> Verification:
        check = Check(self.provider, endpoint)
        resp = check.request(http, self.path, self.auth(subject.secret), headers=dict(self.headers))
        if resp.status in self.dead_statuses:
            return check.invalid(f"{self.provider} answered HTTP {resp.status} (a sign-in page): not accepted")
        decided = check.by_status(resp, forbidden=self.forbidden)
        if decided:
            return decided
        data: Any = json_object(resp)
        if pick(data, self.required) in (_MISSING, None):
            raise MalformedAnswer(f"the answer has no {self.required!r}")
        if self.state:
            value = _text(pick(data, self.state[0]))
            if value is not None and value.lower() not in self.state[1]:
                return check.invalid(f"{self.provider} reports the credential {word(value)}")
        for flag in self.dead_flags:
            if pick(data, flag) is True:
                return check.invalid(f"{self.provider} reports the credential {flag.rsplit('.', 1)[-1]}")
        identity = [(name, _text(pick(data, path))) for name, path in self.identity]
        perms = _permissions(pick(data, self.permissions)) if self.permissions else []
        return check.live(identity, [*perms, *self.granted])


__all__ = ["JsonCheck", "basic_password", "bearer", "header", "pick", "scheme"]
