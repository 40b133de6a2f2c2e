"""Offline structural validators. Each takes the secret and returns a Validation, or None when the
value cannot be what the rule claims (a wrong checksum, a JWT whose header is not JSON)."""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Callable

import regex

from scanner.match.lazy import Lazy
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
    import json  # only for a JWT candidate: most scans never meet one

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
        if not isinstance(payload, dict) or _documentation_jwt(payload):
            return None
    return Validation.STRUCTURE


# Claims of the JWTs that documentation and tutorials print (jwt.io's "John Doe", RFC 7519's "joe").
_DOC_SUBJECTS = frozenset({"1234567890", "joe", "john.doe", "johndoe", "user123", "123"})
_DOC_NAMES = frozenset({"john doe", "jane doe"})


def _documentation_jwt(payload: dict[str, object]) -> bool:
    """A JWT printed in documentation (jwt.io's "John Doe"), or meant to be public (a Supabase
    anon key: row-level security, not the key, guards the data)."""
    if payload.get("role") == "anon" and payload.get("iss") == "supabase":
        return True
    if payload == {"some": "payload"}:  # PyJWT's README example
        return True
    name = str(payload.get("name", "")).lower()
    sub = str(payload.get("sub", payload.get("iss", ""))).lower()
    return name in _DOC_NAMES or (sub in _DOC_SUBJECTS and not payload.get("exp"))


_PEM_BODY = Lazy(regex.compile, r"-----BEGIN ([^-]*)-----(.*?)-----END", regex.S)
_PEM_HEADER_LINE = Lazy(regex.compile, r"^[ \t]*[A-Za-z-]+:.*$", regex.M)  # Proc-Type:, DEK-Info: (maybe indented)


def der_header(raw: bytes, at: int = 0) -> tuple[int, int, int] | None:
    """The DER element at ``at``: (tag, start of content, end of content), or None when the bytes
    cannot be one. An indefinite BER length (0x80) ends at the end of ``raw``."""
    if at + 2 > len(raw):
        return None
    tag, first = raw[at], raw[at + 1]
    if first < 0x80:
        start, length = at + 2, first
    elif first == 0x80:
        return tag, at + 2, len(raw)
    else:
        n = first & 0x7F
        if n > 4 or at + 2 + n > len(raw):
            return None
        start, length = at + 2 + n, int.from_bytes(raw[at + 2 : at + 2 + n], "big")
    end = start + length
    return (tag, start, end) if end <= len(raw) else None


def _der_starts(raw: bytes, *, version: tuple[int, ...] | None = None, then: int | None = None) -> bool:
    """``raw`` is one whole DER SEQUENCE whose first element is an INTEGER in ``version`` (when
    given) or whose first element has tag ``then``."""
    outer = der_header(raw)
    if outer is None or outer[0] != 0x30 or len(raw) - outer[2] > 16:
        return False  # a truncated body fails; a few trailing bytes of junk are tolerated
    first = der_header(raw, outer[1])
    if first is None:
        return False
    if version is not None:
        return first[0] == 0x02 and first[2] - first[1] == 1 and raw[first[1]] in version
    return then is None or first[0] == then


def _key_structure(label: str, raw: bytes, encrypted_legacy: bool) -> bool:
    """Whether the decoded PEM body has the framing its label promises."""
    if encrypted_legacy:  # block-cipher output: a multiple of the block size
        return len(raw) % 8 == 0
    if label == "OPENSSH PRIVATE KEY":
        return raw.startswith(b"openssh-key-v1\0")
    if label in ("RSA PRIVATE KEY", "DSA PRIVATE KEY"):
        return _der_starts(raw, version=(0, 1))
    if label == "EC PRIVATE KEY":
        return _der_starts(raw, version=(1,))
    if label in ("PRIVATE KEY", "ANY PRIVATE KEY"):
        return _der_starts(raw, version=(0, 1))  # PKCS#8 v1 and v2 (RFC 5958)
    if label == "ENCRYPTED PRIVATE KEY":
        return _der_starts(raw, then=0x30)
    return raw[:1] == b"\x30" or len(raw) >= 64  # other labels: DER when it looks like DER


def pem_private_key(secret: str) -> Validation | None:
    """The body between BEGIN and END must be valid base64 of plausible length for a key, with the
    structure its label promises (a DER SEQUENCE with the right version, an OpenSSH key header, or
    ciphertext of whole blocks): a truncated or abbreviated key in documentation is not reported.

    (Parsing with ``cryptography`` would prove more, but the framing check already rejects the
    abbreviated and truncated keys that make up the false positives, costs microseconds, needs no
    dependency, and keeps well-formed keys whose numbers are wrong, which a leak still exposes.)"""
    match = _PEM_BODY.search(secret.replace("\\n", "\n").replace("\\r", ""))
    if match is None:
        return None
    label = match.group(1).strip()
    body = match.group(2)
    encrypted_legacy = "Proc-Type:" in body and "ENCRYPTED" in body
    body = _PEM_HEADER_LINE.sub("", body)
    compact = "".join(body.split()).replace('"', "").replace("\\", "").replace("'", "")
    if len(compact) < 64:
        return None
    try:
        raw = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) < 48 or not _key_structure(label, raw, encrypted_legacy):
        return None
    return Validation.STRUCTURE


def pypi_macaroon(secret: str) -> Validation | None:
    """PyPI API tokens are ``pypi-`` + a base64url macaroon whose location is pypi.org."""
    raw = _b64decode(secret[len("pypi-"):][:64])
    return Validation.STRUCTURE if raw is not None and b"pypi.org" in raw else None


_B32 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def aws_key_id(secret: str) -> Validation | None:
    """AWS access key ids are 4 letters of kind + 16 base32 characters."""
    return Validation.STRUCTURE if len(secret) == 20 and set(secret[4:]) <= _B32 else None


_HEX_DIGEST = Lazy(regex.compile, r"^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$")
_UUID = Lazy(regex.compile, r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def not_digest(secret: str) -> Validation | None:
    """Generic values shaped like a hash digest or a UUID are identifiers, not secrets."""
    if _HEX_DIGEST.match(secret) or _UUID.match(secret):
        return None
    return Validation.UNCHECKED


_HEX_LINE = Lazy(regex.compile, r"[0-9a-fA-F]+")


def ansible_vault(secret: str) -> Validation | None:
    """An Ansible Vault 1.1/1.2 block: the hex body decodes to ``salt\\nhmac\\nciphertext``, each in
    hex, with a SHA-256 HMAC (64 hex) and whole AES blocks of ciphertext."""
    lines = secret.replace("\r", "").split("\n")
    body = "".join(line.strip() for line in lines[1:])
    if not body or len(body) % 2 or not _HEX_LINE.fullmatch(body):
        return None
    parts = bytes.fromhex(body).split(b"\n")
    if len(parts) != 3 or not all(p and _HEX_LINE.fullmatch(p.decode("latin-1")) for p in parts):
        return None
    salt, hmac, cipher = parts
    if len(hmac) != 64 or len(salt) < 16 or len(cipher) % 32:
        return None
    return Validation.STRUCTURE


_PKCS7_OID_PREFIX = bytes.fromhex("2a864886f70d0107")  # 1.2.840.113549.1.7 (PKCS#7 content types)


def pkcs12(secret: str) -> Validation | None:
    """Base64 of a PKCS#12 (PFX) keystore: SEQUENCE { INTEGER 3, ContentInfo { OID pkcs7-... } }."""
    raw = _b64decode("".join(secret.split()))
    if raw is None or len(raw) < 100:
        return None
    outer = der_header(raw)
    if outer is None or outer[0] != 0x30:
        return None
    version = der_header(raw, outer[1])
    if version is None or version[0] != 0x02 or raw[version[1]:version[2]] != b"\x03":
        return None
    info = der_header(raw, version[2])
    if info is None or info[0] != 0x30:
        return None
    oid = der_header(raw, info[1])
    if oid is None or oid[0] != 0x06 or not raw[oid[1]:oid[2]].startswith(_PKCS7_OID_PREFIX):
        return None
    return Validation.STRUCTURE


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def bech32(secret: str) -> Validation | None:
    """A BIP-173 bech32 string (age identities ``AGE-SECRET-KEY-1…``): its 6-character checksum
    must match."""
    text = secret.lower()
    hrp, sep, data = text.rpartition("1")
    if not sep or not hrp or len(data) < 7 or any(c not in _BECH32 for c in data):
        return None
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _BECH32_GEN[i]
    return Validation.CHECKSUM if chk == 1 else None


def not_uuid(secret: str) -> Validation | None:
    """A value shaped like a UUID is an identifier (request, tenant, client id), not a secret, unless
    a provider rule says its keys are UUIDs."""
    return None if _UUID.match(secret) else Validation.UNCHECKED


VALIDATORS: dict[str, Validator] = {
    "crc32-base62": crc32_base62,
    "jwt": jwt,
    "pem-private-key": pem_private_key,
    "pypi-macaroon": pypi_macaroon,
    "aws-key-id": aws_key_id,
    "not-digest": not_digest,
    "not-uuid": not_uuid,
    "ansible-vault": ansible_vault,
    "pkcs12": pkcs12,
    "bech32": bech32,
}


# every pattern here, compiled on first use or given ahead by the compiled-pattern cache (rules.regexcache)
PATTERNS: tuple[Lazy[str], ...] = (_PEM_BODY, _PEM_HEADER_LINE, _HEX_DIGEST, _UUID, _HEX_LINE)
