"""Facts derived from a secret itself, offline: whose account, which key, user, host or token kind.

A fact is a ``(key, value)`` pair of strings under one of the documented keys (``aws.account_id``,
``db.host``, ``token.kind``, ``jwt.iss``, ``key.ssh_sha256``, ``cert.not_after`` ...). Times are ISO
8601 UTC (``2026-01-02T03:04:05Z``), booleans ``true``/``false``, lists comma-joined. Facts are public
values or hashes: a secret never appears in one in clear (a key id, a user name, a host are not
secrets; a password, a token's random part and a private key are never copied).

Where facts come from, in this order (a later source wins on the same key):

- every secret: its token prefix (:data:`TOKEN_PREFIXES`: ``ghp_`` is a classic GitHub PAT whatever
  rule found it) and, when it is shaped like one, its JWT header and claims (signature not checked);
- :data:`KIND_FACTS`: the rule's kind (every private key and every certificate is parsed, whichever
  rule found it);
- :data:`FACTS`: the rule id (AWS key ids, Azure and GCP credentials, database URIs in
  :mod:`scanner.identity.connstrings` ...), from the secret, its companion (an AWS secret key's key
  id) and the finding's context line;
- :data:`DOCUMENT_FACTS`: facts that live elsewhere in the same file (a GCP service-account JSON's
  ``client_email``, a kubeconfig user's cluster server: :mod:`scanner.identity.kubeconfig`), read
  by the content router while it still holds the bytes
  (:func:`scanner.identity.enrich.document_facts`).

``secret.sha256`` is the hex SHA-256 of the normalised secret (:func:`scanner.model.normalise_secret`):
inventory files name tokens by it. It is left out for the kinds ``password`` and
``connection-string`` and for rules whose id says ``password`` (``netrc-password`` ...): those values
are often short or human-chosen, and an unsalted hash of a low-entropy value can be brute-forced back
to the value. Hashes of random tokens and keys cannot.

Every function here is pure and total: input it cannot read gives no facts, never an exception.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from scanner.identity import connstrings, kubeconfig
from scanner.identity.factvalues import Facts, iso
from scanner.match.lazy import Lazy
from scanner.model import normalise_secret


@dataclass(frozen=True)
class FactContext:
    """What a fact function may know besides the secret."""

    rule_id: str
    kind: str = ""
    line: str = ""  # the finding's first line (cut to a window around the secret on very long lines)
    companion: tuple[str, str] | None = None  # (rule id, secret) of the nearest companion match
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    passwords: tuple[str, ...] = ()  # candidate passwords found beside it (for a PKCS#12 keystore)


FactFunction = Callable[[str, FactContext], Facts]
DocumentFunction = Callable[[str, int], Facts]  # (latin-1 text of the blob, offset of the secret)

NO_HASH_KINDS = frozenset({"password", "connection-string"})
MAX_VALUE = 512  # a fact longer than this is cut: claims and subjects are short, garbage is not


def clean(facts: dict[str, Any]) -> Facts:
    """Keep string-able, printable, bounded values; drop empty ones."""
    out: Facts = {}
    for key, value in facts.items():
        if value is None:
            continue
        text = value if isinstance(value, str) else str(value)
        text = "".join(ch for ch in text if ch.isprintable())[:MAX_VALUE]
        if text:
            out[key] = text
    return out


# ------------------------------------------------------------------------------------------------
# AWS

AWS_KEY_KINDS = {"AKIA": "long-term", "ASIA": "temporary", "ABIA": "sts-service-bearer-token",
                 "ACCA": "context-specific"}
_AWS_KEY_ID = Lazy(re.compile, r"(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])")
_BEDROCK_ACCOUNT = Lazy(re.compile, rb"^BedrockAPIKey-[\w-]{1,64}-at-([0-9]{12}):")


def aws_account_id(key_id: str) -> str | None:
    """The account id encoded in an ``AKIA``/``ASIA`` access key id: the 16 characters after the
    prefix are base32; bits 1..40 of the first 6 bytes (mask ``0x7fffffffff80``, shift 7) are the
    12-digit account number. Key ids minted before AWS adopted this layout decode to a number of the
    same shape that is not the account: the fact is what the id says, not a lookup."""
    if len(key_id) != 20 or key_id[:4] not in ("AKIA", "ASIA"):
        return None
    try:
        raw = base64.b32decode(key_id[4:])
    except (binascii.Error, ValueError):
        return None
    account = (int.from_bytes(raw[:6], "big") & 0x7FFFFFFFFF80) >> 7
    return f"{account:012d}" if account < 10**12 else None


def aws_key_id_facts(key_id: str) -> Facts:
    if not _AWS_KEY_ID.fullmatch(key_id):
        return {}
    return clean({"aws.key_id": key_id, "aws.account_id": aws_account_id(key_id),
                   "aws.key_kind": AWS_KEY_KINDS[key_id[:4]]})


def aws_access_key_facts(secret: str, ctx: FactContext) -> Facts:
    return aws_key_id_facts(secret)


def aws_secret_key_facts(secret: str, ctx: FactContext) -> Facts:
    """A secret access key says nothing itself: its key id (the companion, else one on its line) does."""
    if ctx.companion is not None and _AWS_KEY_ID.fullmatch(ctx.companion[1]):
        return aws_key_id_facts(ctx.companion[1])
    found = _AWS_KEY_ID.findall(ctx.line)
    return aws_key_id_facts(found[0]) if len(set(found)) == 1 else {}


def aws_bedrock_facts(secret: str, ctx: FactContext) -> Facts:
    """Bedrock API keys: a long-term key is base64 of ``BedrockAPIKey-<id>-at-<account>:<secret>``; a
    short-term key is a presigned URL whose ``X-Amz-Credential`` is a temporary access key id."""
    body = secret[4:] if secret.startswith("ABSK") else secret.partition("bedrock-api-key-")[2]
    raw = _b64(body, urlsafe=False)
    if raw is None:
        return {}
    match = _BEDROCK_ACCOUNT.match(raw)
    if match:
        return {"aws.account_id": match.group(1).decode("ascii"), "aws.key_kind": "bedrock-api-key"}
    cred = re.search(rb"X-Amz-Credential=((?:AKIA|ASIA)[A-Z2-7]{16})", raw)
    return aws_key_id_facts(cred.group(1).decode("ascii")) if cred else {}


# ------------------------------------------------------------------------------------------------
# GCP, Azure


def _json_string_fields(text: str, names: dict[str, str], near: int) -> Facts:
    """``{fact key: value}`` of the JSON string fields ``names`` (field -> fact key) nearest to
    ``near``; the JSON may itself sit escaped inside a string (``{\\"client_email\\": ...}``)."""
    out: Facts = {}
    for name, key in names.items():
        pattern = re.compile(r'\\?"' + re.escape(name) + r'\\?"\s*:\s*\\?"([^"\\\s]{1,320})\\?"')
        best: tuple[int, str] | None = None
        for m in pattern.finditer(text):
            distance = abs(m.start() - near)
            if best is None or distance < best[0]:
                best = (distance, m.group(1))
        if best is not None:
            out[key] = best[1]
    return clean(out)


GCP_FIELDS = {"client_email": "gcp.client_email", "project_id": "gcp.project_id",
              "private_key_id": "gcp.private_key_id"}


def gcp_service_account_facts(secret: str, ctx: FactContext) -> Facts:
    """The embedded private key's facts, and the account fields when the JSON is on the same line."""
    facts = private_key_facts(secret, ctx)
    facts.update(_json_string_fields(ctx.line, GCP_FIELDS, len(ctx.line) // 2))
    return facts


def gcp_document_facts(text: str, offset: int) -> Facts:
    lo = max(0, offset - 8000)
    return _json_string_fields(text[lo : offset + 8000], GCP_FIELDS, offset - lo)


_AZ_ACCOUNT = Lazy(re.compile, r"(?i)(?<![A-Za-z])AccountName=([a-z0-9]{3,24})(?![A-Za-z0-9])")
_AZ_ENDPOINT = Lazy(re.compile, r"(?i)(?:Blob|Queue|Table|File)Endpoint=https?://([a-z0-9]{3,24})\.(?:blob|queue|table|file)\.")


def azure_storage_facts(secret: str, ctx: FactContext) -> Facts:
    match = _AZ_ACCOUNT.search(ctx.line) or _AZ_ENDPOINT.search(ctx.line)
    return {"azure.storage_account": match.group(1).lower()} if match else {}


# ------------------------------------------------------------------------------------------------
# tokens and JWTs

# prefix -> token.kind, longest prefixes first where one extends another
TOKEN_PREFIXES: dict[str, str] = {
    "github_pat_": "github-fine-grained-pat",
    "ghp_": "github-classic-pat",
    "gho_": "github-oauth",
    "ghu_": "github-app-user",
    "ghs_": "github-app-installation",
    "ghr_": "github-refresh",
    "glpat-": "gitlab-pat",
    "gldt-": "gitlab-deploy-token",
    "glrt-": "gitlab-runner-token",
    "GR1348941": "gitlab-runner-registration-token",
    "glcbt-": "gitlab-ci-job-token",
    "glptt-": "gitlab-pipeline-trigger-token",
    "glft-": "gitlab-feed-token",
    "glimt-": "gitlab-incoming-mail-token",
    "glsoat-": "gitlab-scim-token",
    "glagent-": "gitlab-agent-token",
    "gloas-": "gitlab-oauth-app-secret",
    "glffct-": "gitlab-feature-flags-client-token",
    "xoxe.xoxb-": "slack-rotating-bot",
    "xoxe.xoxp-": "slack-rotating-user",
    "xoxe-": "slack-refresh",
    "xoxb-": "slack-bot",
    "xoxp-": "slack-user",
    "xapp-": "slack-app",
    "xoxa-": "slack-workspace-app",
    "xoxr-": "slack-refresh",
    "xoxs-": "slack-session",
    "xoxo-": "slack-legacy-workspace",
    "https://hooks.slack.com/services/": "slack-webhook",
    "https://hooks.slack.com/workflows/": "slack-workflow-webhook",
    "https://hooks.slack.com/triggers/": "slack-workflow-webhook",
}
_PREFIXES = tuple(sorted(TOKEN_PREFIXES, key=len, reverse=True))
_SLACK_NUMBERS = Lazy(re.compile, r"^xox[bpaors]-(?:2-)?((?:[0-9]{6,16}-){1,3})")
_SLACK_APP = Lazy(re.compile, r"^xapp-[0-9]-([A-Z0-9]{8,14})-")
_SLACK_HOOK = Lazy(re.compile, r"^https?://hooks\.slack\.com/(?:services|workflows|triggers)/(T[A-Z0-9]{6,14})/"
                               r"((?:[AB][A-Z0-9]{6,14}/)?(?:[0-9]{6,20}/)?)")


def token_id(secret: str) -> str | None:
    """The identifiers a token format carries in clear, never its random part: Slack token ids
    (``<team>-<user>`` numbers of ``xoxb``/``xoxp``, the app id of ``xapp``) and webhook ids
    (``T…/B…``: workspace and hook)."""
    if m := _SLACK_NUMBERS.match(secret):
        return m.group(1).rstrip("-")
    if m := _SLACK_APP.match(secret):
        return m.group(1)
    scheme_fixed = "https://" + secret.split("://", 1)[-1] if secret.startswith("http://") else secret
    if m := _SLACK_HOOK.match(scheme_fixed):
        return (m.group(1) + "/" + m.group(2)).rstrip("/")
    return None


def token_facts(secret: str) -> Facts:
    flat = "https://" + secret.split("://", 1)[1] if secret.startswith("http://") else secret
    prefix = next((p for p in _PREFIXES if flat.startswith(p)), None)
    if prefix is None:
        return {}
    return clean({"token.kind": TOKEN_PREFIXES[prefix], "token.id": token_id(secret)})


_JWT = Lazy(re.compile, r"^eyJ[A-Za-z0-9_-]{2,}={0,2}\.[A-Za-z0-9_-]{2,}={0,2}\.[A-Za-z0-9_-]*={0,2}$")


def _b64(text: str, urlsafe: bool = True) -> bytes | None:
    text = text.strip().rstrip("=")
    try:
        if urlsafe:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def _json_object(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    import json  # only for a value that decodes (a JWT's parts, a JSON key file): most findings hold none

    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _claim_time(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return iso(datetime.fromtimestamp(value, timezone.utc))
    except (OverflowError, OSError, ValueError):
        return None


def _claim_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    return None


def jwt_facts(secret: str) -> Facts:
    """Header (alg, kid, typ) and registered claims (iss, sub, aud, exp, iat) of a JWT; the signature
    is not checked, so these say what the token claims, not that it is genuine."""
    flat = normalise_secret(secret)
    if not _JWT.match(flat):
        return {}
    header_b64, payload_b64, _ = flat.split(".")
    header = _json_object(_b64(header_b64))
    if header is None:
        return {}
    payload = _json_object(_b64(payload_b64)) or {}
    return clean({
        "jwt.alg": _claim_text(header.get("alg")),
        "jwt.kid": _claim_text(header.get("kid")),
        "jwt.typ": _claim_text(header.get("typ")),
        "jwt.iss": _claim_text(payload.get("iss")),
        "jwt.sub": _claim_text(payload.get("sub")),
        "jwt.aud": _claim_text(payload.get("aud")),
        "jwt.exp": _claim_time(payload.get("exp")),
        "jwt.iat": _claim_time(payload.get("iat")),
    })


# ------------------------------------------------------------------------------------------------
# keys and certificates (parsed by scanner.identity.keys, imported only when one is found)


def private_key_facts(secret: str, ctx: FactContext) -> Facts:
    from scanner.identity import keys

    return keys.private_key_facts(secret)


def certificate_facts(secret: str, ctx: FactContext) -> Facts:
    from scanner.identity import keys

    return keys.certificate_facts(secret, ctx.now)


def pkcs12_facts(secret: str, ctx: FactContext) -> Facts:
    from scanner.identity import keys

    return keys.pkcs12_facts(secret, ctx.passwords, ctx.now)


# ------------------------------------------------------------------------------------------------
# registries

def _on_line(parse: Callable[[str, str], Facts]) -> FactFunction:
    """A parser of the finding's line (``(secret, line) -> facts``) as a fact function."""

    def facts(secret: str, ctx: FactContext) -> Facts:
        return parse(secret, ctx.line)

    return facts


KIND_FACTS: dict[str, FactFunction] = {
    "private-key": private_key_facts,
    "certificate": certificate_facts,
}

_URI_RULES = ("uri-postgres", "uri-mysql", "uri-mongodb", "uri-redis", "uri-amqp", "uri-mssql", "uri-cockroachdb",
              "uri-clickhouse", "uri-neo4j", "uri-snowflake", "uri-oracle", "uri-couchbase", "uri-nats", "uri-mqtt",
              "uri-smtp", "uri-ldap", "uri-ftp")

FACTS: dict[str, FactFunction] = {
    "aws-access-key-id": aws_access_key_facts,
    "aws-secret-access-key": aws_secret_key_facts,
    "aws-bedrock-api-key": aws_bedrock_facts,
    "aws-bedrock-short-term-api-key": aws_bedrock_facts,
    "gcp-service-account-json": gcp_service_account_facts,
    "azure-storage-connection-string": azure_storage_facts,
    "azure-storage-account-key": azure_storage_facts,
    **{rule_id: _on_line(connstrings.uri) for rule_id in _URI_RULES},
    "jdbc-password": _on_line(connstrings.jdbc),
    "adonet-password": _on_line(connstrings.adonet),
    "libpq-dsn-password": _on_line(connstrings.libpq),
    "kafka-jaas-password": _on_line(connstrings.kafka_jaas),
    "pkcs12-keystore": pkcs12_facts,
}

DOCUMENT_FACTS: dict[str, DocumentFunction] = {
    "gcp-service-account-json": gcp_document_facts,
    "kubeconfig-client-key": kubeconfig.document_facts,
    "kubeconfig-user-token": kubeconfig.document_facts,
}


def secret_hash_allowed(rule_id: str, kind: str) -> bool:
    return kind not in NO_HASH_KINDS and "password" not in rule_id


def derive(secret: str, ctx: FactContext) -> Facts:
    """Every fact the registries give for ``secret`` (see the module docstring for the order)."""
    facts = token_facts(secret)
    facts.update(jwt_facts(secret))
    for function in (KIND_FACTS.get(ctx.kind), FACTS.get(ctx.rule_id)):
        if function is not None:
            facts.update(function(secret, ctx))
    facts = clean(facts)
    if secret_hash_allowed(ctx.rule_id, ctx.kind):
        facts["secret.sha256"] = hashlib.sha256(normalise_secret(secret).encode("utf-8", "surrogatepass")).hexdigest()
    return facts
