"""AWS Signature Version 4, pure (hashlib and hmac): the canonical request, the string to sign, the
signing key and the ``Authorization`` header, as documented in "Create a signed AWS API request"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) and checked against
AWS's published signature test suite (``tests/test_verify_sigv4.py``).

The secret access key only ever enters :func:`signing_key`; what leaves is a signature.
"""

from __future__ import annotations

import hashlib
import hmac
import posixpath
import urllib.parse
from dataclasses import dataclass
from typing import Mapping

ALGORITHM = "AWS4-HMAC-SHA256"
_UNRESERVED = "-_.~"


@dataclass(frozen=True)
class Signed:
    """What signing produced: ``headers`` are the ones to send (the given ones, ``X-Amz-Date``,
    ``X-Amz-Security-Token`` when there is one, and ``Authorization``); the rest is for tests."""

    headers: dict[str, str]
    canonical_request: str
    string_to_sign: str
    signature: str
    authorization: str


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_key: str, datestamp: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), datestamp)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def host_header(url: str) -> str:
    """The ``Host`` header an HTTP client sends for ``url`` (the port only when not the default)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    default = 443 if parts.scheme == "https" else 80
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def canonical_uri(path: str) -> str:
    """The path, dot segments removed, each segment URI-encoded (again, as every service but S3 wants)."""
    if not path:
        return "/"
    normal = posixpath.normpath(path)
    if path.endswith("/") and normal != "/":
        normal += "/"
    normal = "/" + normal.lstrip("/")
    return urllib.parse.quote(normal, safe="/" + _UNRESERVED)


def canonical_query(query: str) -> str:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    encoded = sorted((urllib.parse.quote(k, safe=_UNRESERVED), urllib.parse.quote(v, safe=_UNRESERVED))
                     for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _header_value(value: str) -> str:
    return " ".join(value.strip().split())


def sign(method: str, url: str, headers: Mapping[str, str], body: bytes, *, access_key_id: str,
         secret_key: str, region: str, service: str, amz_date: str,
         session_token: str | None = None) -> Signed:
    """Sign one request. ``amz_date`` is ``YYYYMMDDTHHMMSSZ`` (UTC)."""
    parts = urllib.parse.urlsplit(url)
    datestamp = amz_date[:8]
    send = dict(headers)
    send["X-Amz-Date"] = amz_date
    if session_token:
        send["X-Amz-Security-Token"] = session_token
    signed: dict[str, str] = {"host": host_header(url)}
    for name, value in send.items():
        key = name.lower()
        signed[key] = f"{signed[key]},{_header_value(value)}" if key in signed else _header_value(value)
    names = sorted(signed)
    signed_headers = ";".join(names)
    canonical = "\n".join([
        method.upper(), canonical_uri(parts.path), canonical_query(parts.query),
        "".join(f"{n}:{signed[n]}\n" for n in names), signed_headers, _sha256(body)])
    scope = f"{datestamp}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, _sha256(canonical.encode("utf-8"))])
    signature = hmac.new(signing_key(secret_key, datestamp, region, service), to_sign.encode("utf-8"),
                         hashlib.sha256).hexdigest()
    authorization = (f"{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, "
                     f"Signature={signature}")
    send["Authorization"] = authorization
    return Signed(send, canonical, to_sign, signature, authorization)
