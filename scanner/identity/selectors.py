"""Credential selectors: the facts an inventory uses to say "this credential belongs to that identity".

One registry, ``SELECTORS``: for each selector field of an inventory identity, how strong a match on it
is, how its values are checked and normalised, and which finding attributes it is compared with.
Normalising both sides through the same function is what lets an inventory written by hand (colons,
upper case, ``SHA256:`` or hex) match what the scanner derived.

Strength order (higher wins; documented in docs/inventory.md):

=====  ==================================================================
 110   ``principals``: the identity a provider reported when it verified the credential live
       (``github:octocat``, ``aws:arn:aws:iam::123456789012:user/deploy``); the provider's word beats
       every guess from facts found beside the secret
 100   ``secret_sha256``: SHA-256 of the token itself (the token is never stored)
  90   key fingerprints: ``ssh_fingerprints``, ``spki_sha256``, ``cert_sha256``
  80   key ids: ``aws_key_ids``, ``gcp_key_ids``
  60   ``gcp_client_emails``, ``cert_serials``
  40   ``user_hosts``: ``user@host`` patterns (``*`` and ``?`` wildcards)
  10   ``paths``: gitignore-style path globs, the weakest fallback
=====  ==================================================================
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

Normaliser = Callable[[str], str]  # raises ValueError("what is wrong") on a malformed value

_HEX64 = re.compile(r"[0-9a-f]{64}")
_AWS_KEY_ID = re.compile(r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}")
_GCP_KEY_ID = re.compile(r"[0-9a-f]{40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_USER_HOST = re.compile(r"[^@\s]+@[^@\s]+")


def looks_like_clear_secret(value: str) -> bool:
    """A long, high-entropy string with no spaces: what a token, password or key looks like."""
    text = value.strip()
    if len(text) < 16 or any(c.isspace() for c in text):
        return False
    counts = Counter(text)
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return entropy >= 3.5


def _sha256(value: str) -> str:
    """Hex (any case, optional ``:`` separators, optional ``sha256:`` prefix) or ``SHA256:<base64>``."""
    text = value.strip()
    if text[:7].lower() == "sha256:":
        body = text[7:]
        hexed = body.replace(":", "").lower()
        if _HEX64.fullmatch(hexed):
            return hexed
        try:
            raw = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == 32:
            return raw.hex()
        raise ValueError("not a SHA-256 fingerprint (64 hex digits, or SHA256: and 43 base64 characters)")
    hexed = text.replace(":", "").lower()
    if _HEX64.fullmatch(hexed):
        return hexed
    raise ValueError("not a SHA-256 fingerprint (64 hex digits, or SHA256: and 43 base64 characters)")


def _token_hash(value: str) -> str:
    hexed = value.strip().lower()
    if _HEX64.fullmatch(hexed):
        return hexed
    if looks_like_clear_secret(value):
        raise ValueError("looks like a token in clear: store its SHA-256 instead "
                         "(credsprawl inventory hash-token < token.txt)")
    raise ValueError("not a SHA-256 hex digest (64 hex digits)")


def _ssh_fingerprint(value: str) -> str:
    """Normalised to ``SHA256:<base64, no padding>``, as ``ssh-keygen -l`` prints it (hex accepted too)."""
    text = value.strip()
    if text[:4].lower() == "md5:":
        raise ValueError("an MD5 fingerprint: use the SHA256 one (ssh-keygen -l -E sha256 -f KEY.pub)")
    if text[:7].lower() != "sha256:" and not _HEX64.fullmatch(text.replace(":", "").lower()):
        text = "SHA256:" + text  # bare base64
    raw = bytes.fromhex(_sha256(text))
    return "SHA256:" + base64.b64encode(raw).decode("ascii").rstrip("=")


def _aws_key_id(value: str) -> str:
    text = value.strip().upper()
    if _AWS_KEY_ID.fullmatch(text):
        return text
    raise ValueError("not an AWS access key id (AKIA/ASIA and 16 more letters or digits)")


def _gcp_key_id(value: str) -> str:
    text = value.strip().lower()
    if _GCP_KEY_ID.fullmatch(text):
        return text
    raise ValueError("not a GCP service account key id (40 hex digits)")


def _email(value: str) -> str:
    text = value.strip().lower()
    if _EMAIL.fullmatch(text):
        return text
    raise ValueError("not an e-mail address")


def cert_serial(value: str) -> str:
    """Hex, any case, optional ``0x`` and ``:`` separators, leading zeros dropped."""
    text = value.strip().lower().replace(":", "")
    if text.startswith("0x"):
        text = text[2:]
    if not text or not re.fullmatch(r"[0-9a-f]+", text) or len(text) > 64:
        raise ValueError("not a certificate serial (hex digits, optionally with ':' separators)")
    return text.lstrip("0") or "0"


def _user_host(value: str) -> str:
    text = value.strip().lower()
    if _USER_HOST.fullmatch(text):
        return text
    raise ValueError("not a user@host pattern")


_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9_.-]*:\S.*")


def _principal(value: str) -> str:
    """``provider:name`` as a provider reports it, compared without case; a bare AWS ARN is ``aws:ARN``."""
    text = value.strip().lower()
    if text.startswith("arn:"):
        text = "aws:" + text
    if _PRINCIPAL.fullmatch(text):
        return text
    raise ValueError("not a principal: provider:name as the provider reports it (github:octocat, "
                     "aws:arn:aws:iam::123456789012:user/deploy, gcp:sa@project.iam.gserviceaccount.com)")


def _path_glob(value: str) -> str:
    text = value.strip()
    if not text or text.startswith("!"):
        raise ValueError("not a path glob (empty, or a '!' negation, which selectors do not support)")
    return text


@dataclass(frozen=True)
class SelectorKind:
    """One selector field of an identity."""

    name: str
    strength: int
    normalise: Normaliser
    attributes: tuple[str, ...]  # finding attributes compared with it (user_hosts and paths are derived)
    help: str


SELECTORS: dict[str, SelectorKind] = {s.name: s for s in (
    SelectorKind("principals", 110, _principal, ("verified.principal",),
                 "provider:name of the identity a provider reports for its credentials (github:octocat)"),
    SelectorKind("secret_sha256", 100, _token_hash, ("secret.sha256",),
                 "SHA-256 (hex) of the token, never the token"),
    SelectorKind("ssh_fingerprints", 90, _ssh_fingerprint, ("key.ssh_sha256",),
                 "SSH key fingerprints as ssh-keygen -l prints them (SHA256:...)"),
    SelectorKind("spki_sha256", 90, _sha256, ("key.spki_sha256", "cert.spki_sha256"),
                 "SHA-256 of the DER SubjectPublicKeyInfo of a key or certificate"),
    SelectorKind("cert_sha256", 90, _sha256, ("cert.sha256", "key.paired_certs"),
                 "SHA-256 fingerprints of certificates (DER)"),
    SelectorKind("aws_key_ids", 80, _aws_key_id, ("aws.key_id",), "AWS access key ids"),
    SelectorKind("gcp_key_ids", 80, _gcp_key_id, ("gcp.private_key_id",), "GCP service account key ids"),
    SelectorKind("gcp_client_emails", 60, _email, ("gcp.client_email",), "GCP service account e-mails"),
    SelectorKind("cert_serials", 60, cert_serial, ("cert.serial",), "certificate serial numbers (hex)"),
    SelectorKind("user_hosts", 40, _user_host, (), "user@host patterns (* and ? wildcards)"),
    SelectorKind("paths", 10, _path_glob, (), "gitignore-style path globs (weakest)"),
)}

STRENGTH_PATH = SELECTORS["paths"].strength


def normalise(kind: str, value: str) -> str | None:
    """``value`` normalised for selector ``kind``, or None when it is not a valid value for it."""
    try:
        return SELECTORS[kind].normalise(value)
    except ValueError:
        return None
