"""PKCS#12 keystore files (``.p12``, ``.pfx``) found by name and content.

A keystore is binary, so the Engine (text only) skips it. This module recognises one from its name
and its first bytes (a DER PFX: SEQUENCE, INTEGER 3, PKCS#7 ContentInfo) and makes the finding the
shipped rule ``pkcs12-keystore`` describes. The secret is the base64 of the whole file, so the same
keystore has the same fingerprint as a file and when it is embedded as base64 in a manifest or a
pipeline variable (which that rule's pattern finds in text).

Pure functions, no I/O: the caller (the content router) passes the bytes it has read::

    if keystores.is_pkcs12(blob.origin.path, head):
        finding = keystores.keystore_finding(blob.data, blob.origin, rules)  # the pipeline applies the filters
"""

from __future__ import annotations

import base64
from typing import Mapping

from scanner.match.validators import pkcs12
from scanner.model import Finding, Origin, Rule, Validation, fingerprint

RULE_ID = "pkcs12-keystore"
SUFFIXES = (".p12", ".pfx")
MAX_BYTES = 1 << 20  # a keystore is a few kilobytes; anything larger is not one


def is_pkcs12(path: str, head: bytes) -> bool:
    """True for a file named ``*.p12`` / ``*.pfx`` whose first bytes are a PKCS#12 PFX structure."""
    if not path.lower().endswith(SUFFIXES):
        return False
    return len(head) >= 16 and head[0] == 0x30 and b"\x02\x01\x03" in head[2:8]


def keystore_finding(data: bytes, origin: Origin, rules: Mapping[str, Rule]) -> Finding | None:
    """The finding for a PKCS#12 file, or None when the rule is disabled or the bytes are not a PFX."""
    rule = rules.get(RULE_ID)
    if rule is None or len(data) > MAX_BYTES:
        return None
    secret = base64.b64encode(data).decode("ascii")
    if pkcs12(secret) is not Validation.STRUCTURE:
        return None
    return Finding(
        rule_id=rule.id, secret=secret, origin=origin, start_line=1, start_column=1, end_line=1, end_column=1,
        fingerprint=fingerprint(rule.fingerprint_family, secret), severity=rule.severity, confidence=rule.confidence,
        entropy=8.0, validation=Validation.STRUCTURE, line_text=f"<PKCS#12 keystore, {len(data)} bytes>",
    )
