"""Offline structural validators. Each takes the secret and returns a Validation, or None when the
value cannot be what the rule claims (a wrong checksum, a JWT whose header is not JSON)."""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Callable

import regex

from scanner.model import Validation

Validator = Callable[[str], Validation | None]

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62_encode(number: int, width: int) -> str:
    digits = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(_BASE62[rem])
    return "".join(reversed(digits)).rjust(width, "0")


def crc32_base62(secret: str) -> Validation | None:
    """GitHub and npm tokens: ``prefix_`` + 30 random base62 + 6 base62 CRC32 of the random part."""
    body = secret.rsplit("_", 1)[-1]
    if len(body) < 7:
        return None
    entropy, checksum = body[:-6], body[-6:]
    return Validation.CHECKSUM if base62_encode(zlib.crc32(entropy.encode()), 6) == checksum else None


def _b64decode(value: str) -> bytes | None:
    value = value.strip().replace("-", "+").replace("_", "/")
    value += "=" * (-len(value) % 4)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def jwt(secret: str) -> Validation | None:
    """Header and payload must be base64url JSON objects and the header must name an ``alg``."""
    parts = secret.split(".")
    if len(parts) not in (3, 5):
        return None
    try:
        header = json.loads(_b64decode(parts[0]) or b"")
        payload_raw = _b64decode(parts[1])
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or "alg" not in header or payload_raw is None:
        return None
    if len(parts) == 3:
        try:
            payload = json.loads(payload_raw)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(payload, dict):
            return None
    return Validation.STRUCTURE


_PEM_BODY = regex.compile(r"-----BEGIN[^-]*-----(.*?)-----END", regex.S)
_PEM_HEADER_LINE = regex.compile(r"^[ \t]*[A-Za-z-]+:.*$", regex.M)  # Proc-Type:, DEK-Info: (maybe indented)


def pem_private_key(secret: str) -> Validation | None:
    """The body between BEGIN and END must be valid base64 of plausible length for a key."""
    match = _PEM_BODY.search(secret.replace("\\n", "\n"))
    if match is None:
        return None
    body = _PEM_HEADER_LINE.sub("", match.group(1))
    compact = "".join(body.split()).replace('"', "").replace("\\", "")
    if len(compact) < 64:
        return None
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return Validation.STRUCTURE if len(raw) >= 48 else None


def pypi_macaroon(secret: str) -> Validation | None:
    """PyPI API tokens are ``pypi-`` + a base64url macaroon whose location is pypi.org."""
    raw = _b64decode(secret[len("pypi-"):][:64])
    return Validation.STRUCTURE if raw is not None and b"pypi.org" in raw else None


_B32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def aws_key_id(secret: str) -> Validation | None:
    """AWS access key ids are 4 letters of kind + 16 base32 characters."""
    return Validation.STRUCTURE if len(secret) == 20 and set(secret[4:]) <= _B32 else None


_HEX_DIGEST = regex.compile(r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$")
_UUID = regex.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def not_digest(secret: str) -> Validation | None:
    """Generic values shaped like a hash digest or a UUID are identifiers, not secrets."""
    if _HEX_DIGEST.match(secret) or _UUID.match(secret):
        return None
    return Validation.UNCHECKED


VALIDATORS: dict[str, Validator] = {
    "crc32-base62": crc32_base62,
    "jwt": jwt,
    "pem-private-key": pem_private_key,
    "pypi-macaroon": pypi_macaroon,
    "aws-key-id": aws_key_id,
    "not-digest": not_digest,
}
