"""Importers: build inventory identities from what providers and repositories already list.

One registry, ``IMPORTERS``. Each importer reads one file's text and returns identities (and, for
CODEOWNERS, path owners); ``credsprawl inventory import`` merges them into an inventory. None of them
ever stores a secret: only ids, fingerprints, e-mails, dates.

- ``aws-credential-report``: ``aws iam get-credential-report`` CSV. The report has no access key ids,
  so each IAM user with an active access key or signing certificate becomes an identity with its
  account, creation date and rotation date (the oldest active key's ``last_rotated``), and no selector;
  import ``aws-access-keys`` to add the key ids.
- ``aws-access-keys``: ``aws iam list-access-keys --output json``: key ids per user (selectors
  ``aws_key_ids``), merged with the credential report's identity of the same user.
- ``gcloud-keys``: ``gcloud iam service-accounts keys list --format=json``: one identity per service
  account with its client e-mail and user-managed key ids (Google-managed keys never leave Google).
- ``authorized-keys``: SSH ``authorized_keys``: one identity per key comment (``user@host``) with the
  keys' SHA256 fingerprints and SPKI hashes.
- ``pem-bundle``: PEM certificates: one identity per subject common name with serials, certificate
  and SPKI SHA-256; created and last rotated from the validity dates.
- ``codeowners``: a CODEOWNERS file: path owners (pattern -> owners), used to name the owner of a
  credential no identity claims and to spot a credential spread across several owners' code.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from scanner.errors import UsageError
from scanner.identity.inventory import Identity, PathOwner, to_datetime


@dataclass(frozen=True)
class ImportResult:
    identities: tuple[Identity, ...] = ()
    path_owners: tuple[PathOwner, ...] = ()
    notes: tuple[str, ...] = ()


Importer = Callable[[str, str], ImportResult]  # (file text, file name) -> result


def _selectors(**values: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    from scanner.identity.selectors import SELECTORS

    return tuple((name, tuple(dict.fromkeys(values[name]))) for name in SELECTORS if values.get(name))


# ------------------------------------------------------------------------------------------------
# AWS

_AWS_REQUIRED = ("user", "arn", "user_creation_time", "access_key_1_active", "access_key_1_last_rotated",
                 "access_key_2_active", "access_key_2_last_rotated")
_ABSENT = {"", "n/a", "not_supported", "no_information"}


def _aws_when(value: str, source: str, line: int, column: str) -> dt.datetime | None:
    if value.strip().lower() in _ABSENT:
        return None
    parsed = to_datetime(value)
    if parsed is None:
        raise UsageError(f"{source}:{line}: column {column}: not an ISO 8601 date-time: {value!r}")
    return parsed


def aws_credential_report(text: str, source: str) -> ImportResult:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _AWS_REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        raise UsageError(f"{source}:1: not an AWS IAM credential report: missing column(s) {', '.join(missing)} "
                         "(aws iam get-credential-report --query Content --output text | base64 -d)")
    out: list[Identity] = []
    skipped = 0
    for row in reader:
        line = reader.line_num
        arn = row["arn"] or ""
        m = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):(root|user/.+)", arn)
        if m is None:
            raise UsageError(f"{source}:{line}: column arn: not an IAM user ARN: {arn!r}")
        account, resource = m.groups()
        active: list[dt.datetime] = []
        keys = certs = 0
        for prefix in ("access_key_1", "access_key_2", "cert_1", "cert_2"):
            if (row.get(f"{prefix}_active") or "").strip().lower() != "true":
                continue
            keys += prefix.startswith("access")
            certs += prefix.startswith("cert")
            when = _aws_when(row.get(f"{prefix}_last_rotated") or "", source, line, f"{prefix}_last_rotated")
            if when is not None:
                active.append(when)
        if not keys and not certs:
            skipped += 1
            continue
        root = resource == "root"
        summary = f"{keys} active access key(s), {certs} active signing certificate(s) in the credential report"
        out.append(Identity(
            id=f"aws:{account}:{resource}", kind="user" if root else "service-account",
            name="root account" if root else row["user"],
            tags=("aws", f"aws-account:{account}", *(("root-account",) if root else ())),
            created=_aws_when(row["user_creation_time"], source, line, "user_creation_time"),
            last_rotated=min(active) if active else None, notes=summary,
        ))
    notes = [f"{skipped} user(s) without an active access key or signing certificate skipped"] if skipped else []
    notes.append("the credential report has no access key ids: import aws-access-keys "
                 "(aws iam list-access-keys --output json) to let leaked keys match these identities")
    return ImportResult(tuple(out), notes=tuple(notes))


def aws_account_of_key(key_id: str) -> str | None:
    """The 12-digit account id an access key id (``AKIA``/``ASIA`` + 16) encodes."""
    try:
        raw = base64.b32decode(key_id[4:])
    except (binascii.Error, ValueError):
        return None
    return f"{(int.from_bytes(raw[:6], 'big') & 0x7FFFFFFFFF80) >> 7:012d}"


def aws_access_keys(text: str, source: str) -> ImportResult:
    doc = _json(text, source)
    rows = doc.get("AccessKeyMetadata") if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        raise UsageError(f"{source}:1: not the output of aws iam list-access-keys --output json (no AccessKeyMetadata list)")
    from scanner.identity.selectors import SELECTORS

    users: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not {"UserName", "AccessKeyId"} <= row.keys():
            raise UsageError(f"{source}:{_json_line(text, 'AccessKeyId', i)}: an access key entry needs UserName and AccessKeyId")
        try:
            key_id = SELECTORS["aws_key_ids"].normalise(str(row["AccessKeyId"]))
        except ValueError as exc:
            raise UsageError(f"{source}:{_json_line(text, 'AccessKeyId', i)}: {exc}") from None
        account = aws_account_of_key(key_id) or "unknown"
        user = users.setdefault(f"aws:{account}:user/{row['UserName']}", {"name": row["UserName"], "account": account,
                                                                          "keys": [], "active": []})
        user["keys"].append(key_id)
        created = to_datetime(row.get("CreateDate") or "")
        if str(row.get("Status", "Active")).lower() == "active" and created is not None:
            user["active"].append(created)
    out = tuple(Identity(id=ident, kind="service-account", name=u["name"],
                         tags=("aws", f"aws-account:{u['account']}"),
                         last_rotated=min(u["active"]) if u["active"] else None,
                         selectors=_selectors(aws_key_ids=u["keys"]))
                for ident, u in users.items())
    return ImportResult(out)


# ------------------------------------------------------------------------------------------------
# GCP


def _json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None


def _json_line(text: str, key: str, index: int) -> int:
    found = list(re.finditer(r'"%s"\s*:' % re.escape(key), text))
    pos = found[index].start() if index < len(found) else 0
    return text.count("\n", 0, pos) + 1


_GCP_KEY_NAME = re.compile(r"projects/([^/]+)/serviceAccounts/([^/]+@[^/]+)/keys/([0-9a-f]{40})")


def gcloud_keys(text: str, source: str) -> ImportResult:
    rows = _json(text, source)
    if isinstance(rows, dict):
        rows = rows.get("keys", [rows])  # the REST API's {"keys": [...]}, or one key
    if not isinstance(rows, list):
        raise UsageError(f"{source}:1: not the output of gcloud iam service-accounts keys list --format=json")
    accounts: dict[str, dict[str, Any]] = {}
    system = 0
    for i, row in enumerate(rows):
        name = row.get("name", "") if isinstance(row, dict) else ""
        m = _GCP_KEY_NAME.fullmatch(name)
        if m is None:
            raise UsageError(f"{source}:{_json_line(text, 'name', i)}: key name {name!r} is not "
                             "projects/PROJECT/serviceAccounts/EMAIL/keys/KEYID")
        project, email, key_id = m.groups()
        acc = accounts.setdefault(email.lower(), {"project": project, "keys": [], "valid": [], "active": []})
        valid = to_datetime(row.get("validAfterTime") or "")
        if valid is not None:
            acc["valid"].append(valid)
        if row.get("keyType", "USER_MANAGED") == "SYSTEM_MANAGED":
            system += 1
            continue
        acc["keys"].append(key_id)
        if valid is not None and not row.get("disabled", False):
            acc["active"].append(valid)
    out = tuple(Identity(id=f"gcp:{email}", kind="service-account", name=email.split("@", 1)[0],
                         tags=("gcp", f"gcp-project:{a['project']}"),
                         created=min(a["valid"]) if a["valid"] else None,
                         last_rotated=min(a["active"]) if a["active"] else None,
                         selectors=_selectors(gcp_client_emails=[email], gcp_key_ids=a["keys"]))
                for email, a in accounts.items())
    notes = (f"{system} Google-managed key(s) not listed as selectors (their private keys never leave Google)",) if system else ()
    return ImportResult(out, notes=notes)


# ------------------------------------------------------------------------------------------------
# SSH authorized_keys

_SSH_TYPES = ("ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
              "ecdsa-sha2-nistp521", "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ssh-ed25519@openssh.com")
_SSH_LINE = re.compile(r"(?:^|\s)(%s)\s+([A-Za-z0-9+/]+={0,2})(?:\s+(.*))?$" % "|".join(re.escape(t) for t in _SSH_TYPES))


def ssh_key_fingerprints(blob: bytes) -> tuple[str, str | None]:
    """(``SHA256:...`` as ssh-keygen prints it, SHA-256 hex of the key's DER SubjectPublicKeyInfo or None),
    computed by ``scanner.identity.keys`` exactly as for leaked keys, so the two match."""
    from cryptography.hazmat.primitives import serialization

    from scanner.identity.keys import spki_sha256, ssh_fingerprint

    try:
        key_type = blob[4 : 4 + int.from_bytes(blob[:4], "big")]
        key = serialization.load_ssh_public_key(key_type + b" " + base64.b64encode(blob))
    except Exception:  # noqa: BLE001 - a key type cryptography cannot load (sk-* security keys)
        return ssh_fingerprint(blob), None
    return ssh_fingerprint(blob), spki_sha256(key)


def authorized_keys(text: str, source: str) -> ImportResult:
    groups: dict[str, dict[str, list[str]]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _SSH_LINE.search(line)
        if m is None:
            raise UsageError(f"{source}:{number}: not an authorized_keys line (options, key type, base64 key, comment)")
        key_type, data, comment = m.group(1), m.group(2), (m.group(3) or "").strip()
        try:
            blob = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise UsageError(f"{source}:{number}: the {key_type} key is not valid base64") from None
        if len(blob) < 4 or blob[4 : 4 + int.from_bytes(blob[:4], "big")] != key_type.encode():
            raise UsageError(f"{source}:{number}: the key data does not hold a {key_type} key")
        ssh, spki = ssh_key_fingerprints(blob)
        label = comment or ssh[7:23]
        group = groups.setdefault(label, {"ssh": [], "spki": [], "user_hosts": []})
        group["ssh"].append(ssh)
        if spki:
            group["spki"].append(spki)
        if re.fullmatch(r"[^@\s]+@[^@\s]+", comment):
            group["user_hosts"].append(comment.lower())
    out = tuple(Identity(id=f"ssh:{re.sub(r'[^A-Za-z0-9._:/@+-]', '_', label)}", kind="host", name=label, tags=("ssh",),
                         selectors=_selectors(ssh_fingerprints=g["ssh"], spki_sha256=g["spki"], user_hosts=g["user_hosts"]))
                for label, g in groups.items())
    return ImportResult(out)


# ------------------------------------------------------------------------------------------------
# PEM certificates

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


@dataclass(frozen=True)
class CertFacts:
    serial: str
    sha256: str
    spki_sha256: str
    subject: str
    common_name: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime


def cert_facts(der: bytes) -> CertFacts:
    """Facts of a DER certificate, fingerprints computed as ``scanner.identity.keys`` does for leaks."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from scanner.identity.keys import spki_sha256

    cert = x509.load_der_x509_certificate(der)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertFacts(
        serial=format(cert.serial_number, "x"), sha256=hashlib.sha256(der).hexdigest(),
        spki_sha256=spki_sha256(cert.public_key()) or "", subject=cert.subject.rfc4514_string(),
        common_name=str(names[0].value) if names else "", issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
    )


def pem_bundle(text: str, source: str) -> ImportResult:
    groups: dict[str, list[CertFacts]] = {}
    skipped = 0
    for m in _PEM_BLOCK.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1) not in ("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"):
            skipped += 1
            continue
        body = re.sub(r"\s+", "", m.group(2))
        try:
            facts = cert_facts(base64.b64decode(body, validate=True))
        except ImportError:
            raise UsageError("importing certificates needs the cryptography package (pip install cryptography)") from None
        except (binascii.Error, ValueError) as exc:
            raise UsageError(f"{source}:{line}: not a valid certificate: {str(exc).splitlines()[0] if str(exc) else 'bad DER'}") from None
        groups.setdefault(facts.common_name or facts.sha256[:16], []).append(facts)
    if not groups:
        raise UsageError(f"{source}:1: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file")
    out = tuple(Identity(
        id=f"cert:{re.sub(r'[^A-Za-z0-9._:/@+-]', '_', label)}", kind="workload", name=label, tags=("certificate",),
        created=min(c.not_before for c in certs), last_rotated=max(c.not_before for c in certs),
        notes="; ".join(f"{c.subject} issued by {c.issuer}, valid until {c.not_after.date().isoformat()}" for c in certs),
        selectors=_selectors(cert_sha256=[c.sha256 for c in certs], spki_sha256=[c.spki_sha256 for c in certs if c.spki_sha256],
                             cert_serials=[c.serial for c in certs]))
        for label, certs in groups.items())
    notes = (f"{skipped} PEM block(s) that are not certificates skipped (an inventory never holds keys)",) if skipped else ()
    return ImportResult(out, notes=notes)


# ------------------------------------------------------------------------------------------------
# CODEOWNERS


def codeowners(text: str, source: str) -> ImportResult:
    out: list[PathOwner] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or re.fullmatch(r"\^?\[[^\]]+\](\[\d+\])?(\s+.*)?", line):
            continue  # blank, comment, GitLab section header
        parts = re.split(r"(?<!\\)\s+", line.split(" #", 1)[0].strip())
        pattern = parts[0].replace("\\ ", " ")
        owners = tuple(p for p in parts[1:] if p)
        bad = [o for o in owners if not re.fullmatch(r"@[\w.-]+(/[\w.-]+)?|[^@\s]+@[^@\s]+", o)]
        if bad:
            raise UsageError(f"{source}:{number}: {bad[0]!r} is not an owner (@user, @org/team or an e-mail)")
        out.append(PathOwner(pattern, owners, None, number))  # no owners: explicitly unowned
    if not out:
        raise UsageError(f"{source}:1: no CODEOWNERS rule in the file (lines of PATTERN OWNER...)")
    return ImportResult(path_owners=tuple(out))


@dataclass(frozen=True)
class ImporterSpec:
    read: Importer
    help: str


IMPORTERS: dict[str, ImporterSpec] = {
    "aws-credential-report": ImporterSpec(aws_credential_report, "aws iam get-credential-report CSV (users, rotation dates)"),
    "aws-access-keys": ImporterSpec(aws_access_keys, "aws iam list-access-keys --output json (key ids)"),
    "gcloud-keys": ImporterSpec(gcloud_keys, "gcloud iam service-accounts keys list --format=json"),
    "authorized-keys": ImporterSpec(authorized_keys, "SSH authorized_keys (fingerprints, user@host comments)"),
    "pem-bundle": ImporterSpec(pem_bundle, "PEM certificate bundle (serials, SHA-256, SPKI)"),
    "codeowners": ImporterSpec(codeowners, "CODEOWNERS (path owners)"),
}
