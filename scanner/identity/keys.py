"""Private keys, X.509 certificates and PKCS#12 keystores to facts, parsed with ``cryptography``.

Keys give ``key.type`` (rsa, ec, ed25519, ed448, dsa; ``-sk`` for OpenSSH security-key types),
``key.bits``, ``key.curve`` (EC: ``secp256r1`` ...), ``key.format`` (pkcs1, sec1, pkcs8, openssh, putty,
pkcs12, and ``traditional`` for OpenSSL's own DSA form), ``key.encrypted``, ``key.comment`` (OpenSSH
and PuTTY), ``key.ssh_sha256`` (``SHA256:<base64, no padding>``, what ``ssh-keygen -lf`` prints) and
``key.spki_sha256`` (hex SHA-256 of the DER SubjectPublicKeyInfo: the same value for the key and for
every certificate issued for it).

Encrypted keys: PEM encryption (PKCS#8 ``ENCRYPTED PRIVATE KEY``, legacy ``Proc-Type: 4,ENCRYPTED``)
hides the public key too, so those give no fingerprints (and, for PKCS#8, no type): only
``key.encrypted=true`` and what the label says. An OpenSSH key keeps its public key in clear even when
the private part is encrypted, so its fingerprints (and type, bits) are given; its comment is inside
the encrypted part and is not.

Certificates give ``cert.subject`` and ``cert.issuer`` (RFC 4514), ``cert.sans`` (DNS names, IPs,
emails, URIs, comma-joined), ``cert.serial`` (lowercase hex), ``cert.not_before``, ``cert.not_after``,
``cert.expired``, ``cert.spki_sha256`` and ``cert.sha256`` (hex SHA-256 of the DER certificate).

A PKCS#12 keystore is opened with no password, the empty password, or one of the candidate passwords
the caller found beside it; it then gives its key's facts and its certificate's facts, and
``key.encrypted`` says whether a (non-empty) password was needed. One that stays closed gives
``key.format=pkcs12, key.encrypted=true``.

Anything that does not parse gives no facts (``{}``), never an exception: the input is whatever a
scan found.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import functools
import re
import warnings
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from cryptography.utils import CryptographyDeprecationWarning
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519

from scanner.identity.factvalues import Facts, iso
from scanner.match import validators

if TYPE_CHECKING:  # certificates and keystores import these when they are met (x509 alone costs ~25 ms)
    from cryptography import x509

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----(.*?)-----END \1-----", re.S)
_CONCAT = re.compile(r"""["'`]\s*\+\s*["'`]""")  # "...\n" + "..." in code
_NOT_B64 = re.compile(r"[^A-Za-z0-9+/=]")
_SSH_MAGIC = b"openssh-key-v1\0"
SSH_TYPES = {
    "ssh-rsa": "rsa", "ssh-dss": "dsa", "ssh-ed25519": "ed25519", "ssh-ed448": "ed448",
    "ecdsa-sha2-nistp256": "ec", "ecdsa-sha2-nistp384": "ec", "ecdsa-sha2-nistp521": "ec",
    "sk-ssh-ed25519@openssh.com": "ed25519-sk", "sk-ecdsa-sha2-nistp256@openssh.com": "ec-sk",
}
# fields of each key type in an OpenSSH private section, before the comment
_OPENSSH_FIELDS = {"ssh-rsa": 6, "ssh-dss": 5, "ssh-ed25519": 2, "ecdsa-sha2-nistp256": 3,
                   "ecdsa-sha2-nistp384": 3, "ecdsa-sha2-nistp521": 3}
_PEM_FORMATS = {"RSA PRIVATE KEY": ("rsa", "pkcs1"), "EC PRIVATE KEY": ("ec", "sec1"),
                "DSA PRIVATE KEY": ("dsa", "traditional"), "PRIVATE KEY": (None, "pkcs8"),
                "ENCRYPTED PRIVATE KEY": (None, "pkcs8")}
CERT_LABELS = ("CERTIFICATE", "X509 CERTIFICATE")

_F = TypeVar("_F", bound=Callable[..., Facts])


def _quiet(fn: _F) -> _F:
    """Keys and certificates found in the wild are often slightly out of spec (negative serials,
    odd encodings): ``cryptography`` warns about them on stderr. The facts are still right, and a
    scan's output is its report, so those warnings are silenced here."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Facts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class _Block:
    """One PEM block: label, headers (legacy encryption) and the decoded body."""

    def __init__(self, label: str, headers: dict[str, str], der: bytes) -> None:
        self.label, self.headers, self.der = label, headers, der

    def pem(self) -> bytes:
        body = base64.b64encode(self.der).decode("ascii")
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        return f"-----BEGIN {self.label}-----\n{lines}\n-----END {self.label}-----\n".encode("ascii")


def pem_blocks(text: str) -> list[_Block]:
    """The PEM blocks of ``text``, tolerant of how code and config carry them: ``\\n`` escapes,
    indentation, quotes and string concatenation around the lines."""
    text = _CONCAT.sub("", text.replace("\\r", "").replace("\\n", "\n"))
    out: list[_Block] = []
    for m in _PEM.finditer(text):
        headers: dict[str, str] = {}
        body: list[str] = []
        for line in m.group(2).split("\n"):
            if ":" in line:  # a header line (Proc-Type, DEK-Info): base64 has no colon
                key, _, value = line.partition(":")
                headers[key.strip(" \t\"'`")] = value.strip(" \t\"'`,")
            else:
                body.append(_NOT_B64.sub("", line))
        flat = "".join(body).rstrip("=")
        try:
            der = base64.b64decode(flat + "=" * (-len(flat) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        out.append(_Block(m.group(1), headers, der))
    return out


def ssh_fingerprint(blob: bytes) -> str:
    """``SHA256:<base64 of SHA-256, no padding>`` of an SSH public key blob, as ssh-keygen prints."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def public_key_facts(public: Any) -> Facts:
    """type, bits, curve and both fingerprints of a public key object."""
    facts: Facts = {}
    if isinstance(public, rsa.RSAPublicKey):
        facts.update({"key.type": "rsa", "key.bits": str(public.key_size)})
    elif isinstance(public, ec.EllipticCurvePublicKey):
        facts.update({"key.type": "ec", "key.bits": str(public.curve.key_size), "key.curve": public.curve.name})
    elif isinstance(public, ed25519.Ed25519PublicKey):
        facts.update({"key.type": "ed25519", "key.bits": "256"})
    elif isinstance(public, ed448.Ed448PublicKey):
        facts.update({"key.type": "ed448", "key.bits": "456"})
    elif isinstance(public, dsa.DSAPublicKey):
        facts.update({"key.type": "dsa", "key.bits": str(public.key_size)})
    elif isinstance(public, x25519.X25519PublicKey):
        facts.update({"key.type": "x25519", "key.bits": "256"})
    elif isinstance(public, x448.X448PublicKey):
        facts.update({"key.type": "x448", "key.bits": "448"})
    else:
        return facts
    try:
        spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        facts["key.spki_sha256"] = _sha256_hex(spki)
    except (ValueError, TypeError):
        pass
    try:
        line = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        facts["key.ssh_sha256"] = ssh_fingerprint(base64.b64decode(line.split()[1]))
    except (ValueError, TypeError, IndexError, binascii.Error):
        pass  # an EC curve SSH has no name for, an X25519 key ...
    return facts


def spki_sha256(public: Any) -> str | None:
    try:
        der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, TypeError, AttributeError):
        return None
    return _sha256_hex(der)


# ------------------------------------------------------------------------------------------------
# SSH formats


def _ssh_string(buf: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 4 > len(buf):
        raise ValueError("truncated")
    end = pos + 4 + int.from_bytes(buf[pos : pos + 4], "big")
    if end > len(buf):
        raise ValueError("truncated")
    return buf[pos + 4 : end], end


def _ssh_public_facts(blob: bytes, expected_type: str | None = None) -> Facts:
    """Facts of an SSH wire-format public key blob; {} when it is not one."""
    try:
        name = _ssh_string(blob, 0)[0].decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return {}
    if name not in SSH_TYPES or (expected_type is not None and name != expected_type):
        return {}
    facts: Facts = {}
    try:
        facts = public_key_facts(serialization.load_ssh_public_key(name.encode() + b" " + base64.b64encode(blob)))
    except Exception:  # noqa: BLE001 - unsupported algorithms raise their own kind
        facts = {}
    facts["key.type"] = SSH_TYPES[name] if name.startswith("sk-") or "key.type" not in facts else facts["key.type"]
    facts["key.ssh_sha256"] = ssh_fingerprint(blob)
    return facts


def _openssh_comment(private: bytes, key_type: str) -> str | None:
    fields = _OPENSSH_FIELDS.get(key_type)
    if fields is None or len(private) < 8 or private[:4] != private[4:8]:
        return None
    try:
        name, pos = _ssh_string(private, 8)
        if name.decode("ascii", "replace") != key_type:
            return None
        for _ in range(fields):
            _, pos = _ssh_string(private, pos)
        comment, _ = _ssh_string(private, pos)
    except ValueError:
        return None
    return comment.decode("utf-8", "replace") or None


@_quiet
def openssh_facts(der: bytes) -> Facts:
    """An ``openssh-key-v1`` body: the public key is in clear whatever the cipher."""
    if not der.startswith(_SSH_MAGIC):
        return {}
    try:
        cipher, pos = _ssh_string(der, len(_SSH_MAGIC))
        _, pos = _ssh_string(der, pos)  # kdf name
        _, pos = _ssh_string(der, pos)  # kdf options
        pos += 4  # number of keys (always 1)
        public, pos = _ssh_string(der, pos)
        private, _ = _ssh_string(der, pos)
    except ValueError:
        return {}
    encrypted = cipher != b"none"
    facts = {"key.format": "openssh", "key.encrypted": "true" if encrypted else "false"}
    facts.update(_ssh_public_facts(public))
    if not encrypted:
        comment = _openssh_comment(private, _ssh_string(public, 0)[0].decode("ascii", "replace"))
        if comment:
            facts["key.comment"] = comment
    return facts


_PUTTY_HEAD = re.compile(r"PuTTY-User-Key-File-[23]:[ \t]*(\S+)")


@_quiet
def putty_facts(text: str) -> Facts:
    """A PuTTY ``.ppk``: algorithm, encryption and comment headers, and the public lines in clear."""
    lines = [line.strip() for line in text.replace("\\r", "").replace("\\n", "\n").splitlines()]
    head = _PUTTY_HEAD.search(lines[0]) if lines else None
    if head is None:
        return {}
    headers = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines if ":" in line)}
    facts: Facts = {"key.format": "putty", "key.encrypted": "false" if headers.get("Encryption") == "none" else "true"}
    if headers.get("Comment"):
        facts["key.comment"] = headers["Comment"]
    try:
        count = int(headers.get("Public-Lines", ""))
        at = next(i for i, line in enumerate(lines) if line.startswith("Public-Lines:"))
        blob = base64.b64decode("".join(lines[at + 1 : at + 1 + count]), validate=True)
    except (ValueError, StopIteration, binascii.Error):
        return facts
    facts.update(_ssh_public_facts(blob, head.group(1)))
    return facts


# ------------------------------------------------------------------------------------------------
# private keys


def _load_private(pem: bytes) -> Any:
    # the public half is all that is wanted: a key whose private numbers do not check out still
    # names its public key (and a leak of it is still a leak)
    return serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)


@_quiet
def private_key_facts(secret: str) -> Facts:
    """Facts of the first private key block in ``secret`` (PEM, OpenSSH or PuTTY)."""
    try:
        if "PuTTY-User-Key-File-" in secret:
            return putty_facts(secret[secret.index("PuTTY-User-Key-File-") :])
        for block in pem_blocks(secret):
            if block.label == "OPENSSH PRIVATE KEY":
                return openssh_facts(block.der)
            if block.label in _PEM_FORMATS:
                return _pem_key_facts(block)
    except Exception:  # noqa: BLE001 - a parser surprise must never lose the finding
        return {}
    return {}


def _pem_key_facts(block: _Block) -> Facts:
    key_type, fmt = _PEM_FORMATS[block.label]
    facts: Facts = {"key.format": fmt}
    if key_type:
        facts["key.type"] = key_type
    legacy_encrypted = "ENCRYPTED" in block.headers.get("Proc-Type", "")
    if block.label == "ENCRYPTED PRIVATE KEY" or legacy_encrypted:
        facts["key.encrypted"] = "true"
        return facts
    try:
        key = _load_private(block.pem())
    except Exception:  # noqa: BLE001 - unsupported algorithm, bad numbers, not a key at all
        return {}
    facts["key.encrypted"] = "false"
    facts.update(public_key_facts(key.public_key()))
    return facts


# ------------------------------------------------------------------------------------------------
# certificates


def _sans(cert: x509.Certificate) -> str | None:
    from cryptography import x509

    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    names: list[str] = []
    for name in ext:
        if isinstance(name, (x509.DNSName, x509.RFC822Name, x509.UniformResourceIdentifier)):
            names.append(name.value)
        elif isinstance(name, x509.IPAddress):
            names.append(str(name.value))
    return ",".join(names) or None


def x509_facts(cert: x509.Certificate, now: datetime) -> Facts:
    not_after = cert.not_valid_after_utc
    facts: Facts = {
        "cert.subject": cert.subject.rfc4514_string(),
        "cert.issuer": cert.issuer.rfc4514_string(),
        "cert.serial": format(cert.serial_number, "x"),
        "cert.not_before": iso(cert.not_valid_before_utc),
        "cert.not_after": iso(not_after),
        "cert.expired": "true" if now > not_after else "false",
        "cert.sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }
    sans = _sans(cert)
    if sans:
        facts["cert.sans"] = sans
    try:
        spki = spki_sha256(cert.public_key())
    except Exception:  # noqa: BLE001 - unsupported key algorithm
        spki = None
    if spki:
        facts["cert.spki_sha256"] = spki
    return facts


@_quiet
def certificate_der_facts(der: bytes, now: datetime) -> Facts:
    from cryptography import x509

    try:
        return x509_facts(x509.load_der_x509_certificate(der), now)
    except Exception:  # noqa: BLE001 - malformed certificates raise from many places
        return {}


@_quiet
def certificate_facts(secret: str, now: datetime) -> Facts:
    """Facts of the first certificate block in ``secret``."""
    try:
        block = next((b for b in pem_blocks(secret) if b.label in CERT_LABELS), None)
    except Exception:  # noqa: BLE001
        return {}
    return certificate_der_facts(block.der, now) if block is not None else {}


# ------------------------------------------------------------------------------------------------
# PKCS#12


@_quiet
def pkcs12_facts(secret: str, passwords: Sequence[str], now: datetime) -> Facts:
    """Open a keystore (base64 of the file) with no password, the empty one, then each candidate."""
    flat = "".join(secret.split())
    if validators.pkcs12(flat) is None:  # not a PFX structure: nothing to say, not even "encrypted"
        return {}
    from cryptography.hazmat.primitives.serialization import pkcs12

    raw = base64.b64decode(flat + "=" * (-len(flat) % 4))
    candidates: list[bytes | None] = [None, b""]
    candidates += [p.encode("utf-8") for p in dict.fromkeys(passwords) if p]
    for password in candidates:
        try:
            key, cert, _ = pkcs12.load_key_and_certificates(raw, password)
        except Exception:  # noqa: BLE001 - wrong password, legacy ciphers, damage: all "not opened"
            continue
        return _opened(key, cert, bool(password), now)
    return {"key.format": "pkcs12", "key.encrypted": "true"}


def _opened(key: Any, cert: x509.Certificate | None, needed_password: bool, now: datetime) -> Facts:
    facts: Facts = {}
    if cert is not None:
        facts.update(x509_facts(cert, now))
    if key is not None:
        try:
            facts.update(public_key_facts(key.public_key()))
        except Exception:  # noqa: BLE001
            pass
    facts["key.format"] = "pkcs12"
    facts["key.encrypted"] = "true" if needed_password else "false"
    if cert is not None and facts.get("key.spki_sha256") and facts.get("key.spki_sha256") == facts.get("cert.spki_sha256"):
        facts["key.paired_certs"] = facts["cert.sha256"]
    return facts
