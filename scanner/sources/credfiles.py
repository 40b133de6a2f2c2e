"""Binary credential files, recognised by name and then by content: PKCS#12 keystores (``.p12``,
``.pfx``; :mod:`scanner.sources.keystores`) and DER certificates (``.crt``, ``.cer``, ``.der``).

The Engine scans text, so the content router skips binary files; for these names it asks here
first. The name is checked before anything is read, so every other binary file costs one suffix
test. A DER certificate is reported under the PEM certificate rule (``x509-certificate``) with its
PEM text as the secret: the same certificate has the same fingerprint as a ``.der`` file and as a
PEM block, and, like every certificate, it goes to the report's inventory, not its findings::

    if credfiles.wanted(origin.path, size):          # before reading a binary file
        finding = credfiles.binary_finding(data, origin, rules)   # None: not one of ours after all
"""

from __future__ import annotations

import base64
from typing import Mapping

from scanner.sources import keystores
from scanner.match.validators import der_header
from scanner.model import Finding, Origin, Rule, Validation, fingerprint

CERT_RULE_ID = "x509-certificate"
CERT_SUFFIXES = (".crt", ".cer", ".der")
SUFFIXES = keystores.SUFFIXES + CERT_SUFFIXES
MAX_BYTES = keystores.MAX_BYTES


def wanted(path: str, size: int = 0) -> bool:
    """Whether a binary file of this name and size could be one of ours (nothing read yet)."""
    return size <= MAX_BYTES and path.lower().endswith(SUFFIXES)


def is_der_certificate(data: bytes) -> bool:
    """One whole DER SEQUENCE { SEQUENCE tbsCertificate { [0] version | INTEGER serial, ... },
    SEQUENCE algorithm, BIT STRING signature }: the framing of an X.509 certificate."""
    outer = der_header(data)
    if outer is None or outer[0] != 0x30 or outer[2] != len(data):
        return False
    tbs = der_header(data, outer[1])
    if tbs is None or tbs[0] != 0x30:
        return False
    first = der_header(data, tbs[1])
    algorithm = der_header(data, tbs[2])
    if first is None or first[0] not in (0xA0, 0x02) or algorithm is None or algorithm[0] != 0x30:
        return False
    signature = der_header(data, algorithm[2])
    return signature is not None and signature[0] == 0x03 and signature[2] == len(data)


def certificate_pem(data: bytes) -> str:
    body = base64.b64encode(data).decode("ascii")
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----"


def certificate_finding(data: bytes, origin: Origin, rules: Mapping[str, Rule]) -> Finding | None:
    """The certificate's finding, or None when it is not one (or the rule is disabled)."""
    rule = rules.get(CERT_RULE_ID)
    if rule is None or len(data) > MAX_BYTES or not is_der_certificate(data):
        return None
    secret = certificate_pem(data)
    return Finding(
        rule_id=rule.id, secret=secret, origin=origin, start_line=1, start_column=1, end_line=1, end_column=1,
        fingerprint=fingerprint(rule.fingerprint_family, secret), severity=rule.severity, confidence=rule.confidence,
        entropy=8.0, validation=Validation.STRUCTURE, line_text=f"<DER certificate, {len(data)} bytes>",
    )


def binary_finding(data: bytes, origin: Origin, rules: Mapping[str, Rule]) -> Finding | None:
    """The finding of a binary file this module knows by name and content, or None (the pipeline
    applies the filters)."""
    path = origin.path.lower()
    if path.endswith(keystores.SUFFIXES) and keystores.is_pkcs12(path, data[:64]):
        return keystores.keystore_finding(data, origin, rules)
    if path.endswith(CERT_SUFFIXES):
        return certificate_finding(data, origin, rules)
    return None
