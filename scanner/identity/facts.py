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
- :data:`FACTS`: the rule id (AWS key ids, database URIs, Azure and GCP credentials ...), from the
  secret, its companion (an AWS secret key's key id) and the finding's context line;
- :data:`DOCUMENT_FACTS`: facts that live elsewhere in the same file (a GCP service-account JSON's
  ``client_email``, a kubeconfig user's cluster server), read by the content router while it still
  holds the bytes (:func:`scanner.identity.enrich.with_document_facts`).

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
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from scanner.model import normalise_secret

Facts = dict[str, str]


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


def iso(moment: datetime) -> str:
    """``2026-01-02T03:04:05Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(facts: dict[str, Any]) -> Facts:
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
_AWS_KEY_ID = re.compile(r"(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])")
_BEDROCK_ACCOUNT = re.compile(rb"^BedrockAPIKey-[\w-]{1,64}-at-([0-9]{12}):")


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
    return _clean({"aws.key_id": key_id, "aws.account_id": aws_account_id(key_id),
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
    return _clean(out)


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


_AZ_ACCOUNT = re.compile(r"(?i)(?<![A-Za-z])AccountName=([a-z0-9]{3,24})(?![A-Za-z0-9])")
_AZ_ENDPOINT = re.compile(r"(?i)(?:Blob|Queue|Table|File)Endpoint=https?://([a-z0-9]{3,24})\.(?:blob|queue|table|file)\.")


def azure_storage_facts(secret: str, ctx: FactContext) -> Facts:
    match = _AZ_ACCOUNT.search(ctx.line) or _AZ_ENDPOINT.search(ctx.line)
    return {"azure.storage_account": match.group(1).lower()} if match else {}


# ------------------------------------------------------------------------------------------------
# databases and brokers

SCHEME_ALIASES = {"postgresql": "postgres", "sqlserver": "mssql", "mysqlx": "mysql", "cockroachdb": "cockroach"}
_URI = re.compile(r"(?i)(?<![\w+.-])([a-z][a-z0-9+.-]{1,30})://[^\s'\"`<>]+")


def _scheme(raw: str) -> str:
    scheme = raw.lower()
    if "+" in scheme and scheme != "mongodb+srv":
        scheme = scheme.split("+", 1)[0]
    return SCHEME_ALIASES.get(scheme, scheme)


def _db(scheme: str, user: str | None, hosts: list[str], port: str | None, database: str | None) -> Facts:
    return _clean({"db.scheme": scheme, "db.user": user or None, "db.host": ",".join(h for h in hosts if h) or None,
                   "db.port": port or None, "db.database": database or None})


def parse_uri(uri: str) -> tuple[Facts, str | None]:
    """(facts, password) of ``scheme://user:password@host[:port][,host2...]/database``."""
    uri = uri.rstrip(".,;:)]}")
    try:
        parts = urlsplit(uri)
    except ValueError:
        return {}, None
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    if not at:
        userinfo, hostlist = "", parts.netloc
    user, _, password = userinfo.partition(":")
    hosts, port = [], None
    for item in hostlist.split(","):
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            item_port = rest[1:] if rest.startswith(":") else ""
        else:
            host, _, item_port = item.partition(":")
        hosts.append(unquote(host).lower())
        if port is None and item_port.isdigit():
            port = item_port
    database = unquote(parts.path.lstrip("/")).split("/")[0] or None
    if database is None:
        query = dict(parse_qsl(parts.query))
        database = query.get("database") or query.get("dbname")
    return _db(_scheme(parts.scheme), unquote(user), hosts, port, database), unquote(password) if at else None


def uri_facts(secret: str, ctx: FactContext) -> Facts:
    """The URI on the finding's line whose password is the secret (else the first with a password)."""
    first: Facts | None = None
    for m in _URI.finditer(ctx.line):
        facts, password = parse_uri(m.group(0))
        if password is None:
            continue
        if password == secret or password == unquote(secret):
            return facts
        first = first if first is not None else facts
    return first or {}


_JDBC = re.compile(r"(?i)(?<![\w.-])jdbc:([a-z0-9]{2,20})(?::[a-z]{2,10})?:([^\s'\"`<>]+)")
_ORACLE = re.compile(r"(?i)^(?:thin|oci):([\w$#]{1,64})/[^@\s]*@(?://)?([\w.-]+)(?::(\d{1,5}))?(?:[:/]([\w.$-]+))?")
_USER_KEYS = ("user", "username", "user id", "userid", "uid", "user name")
_DB_KEYS = ("databasename", "database", "dbname", "initial catalog")


def _pairs(text: str, sep: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for piece in text.split(sep):
        key, eq, value = piece.partition("=")
        if eq:
            out.setdefault(key.strip().lower(), value.strip().strip("'\"{}"))
    return out


def _first(pairs: dict[str, str], keys: tuple[str, ...]) -> str | None:
    return next((pairs[k] for k in keys if pairs.get(k)), None)


def jdbc_facts(secret: str, ctx: FactContext) -> Facts:
    """``jdbc:postgresql://host:5432/db?user=u&password=p``, ``jdbc:sqlserver://host:1433;databaseName=db;
    user=u;password=p``, ``jdbc:oracle:thin:u/p@//host:1521/service``."""
    m = _JDBC.search(ctx.line)
    if m is None:
        return {}
    sub, rest = m.group(1).lower(), m.group(0).split(":", 2)[2]
    scheme = _scheme({"sqlserver": "mssql", "jtds": "mssql"}.get(sub, sub))
    oracle = _ORACLE.match(m.group(0).split(":", 2)[2]) if sub == "oracle" else None
    if oracle:
        return _db("oracle", oracle.group(1), [oracle.group(2)], oracle.group(3), oracle.group(4))
    rest = rest.split(":", 1)[1] if not rest.startswith("//") and ":" in rest else rest
    if not rest.startswith("//"):
        return _db(scheme, None, [], None, None)
    body = rest[2:]
    addr = re.split(r"[/;?]", body, maxsplit=1)[0]
    userinfo, at, hostport = addr.rpartition("@")
    host, _, port = hostport.partition(":")
    path = body[len(addr):]
    database = path[1:].split("?")[0].split(";")[0] if path.startswith("/") else None
    params = {**_pairs(path.partition("?")[2], "&"), **_pairs(path, ";")}
    user = userinfo.partition(":")[0] if at else _first(params, _USER_KEYS)
    return _db(scheme, user, [host.lower()], port if port.isdigit() else None, database or _first(params, _DB_KEYS))


_ADO_HOST_KEYS = ("server", "data source", "host", "address", "addr", "network address")
_ADO_START = re.compile(r"(?i)(?<![\w.-])(?:server|data source|host|address|addr|network address|initial catalog"
                        r"|database|user id|uid|username|driver)[ \t]*=")


def adonet_facts(secret: str, ctx: FactContext) -> Facts:
    """``Server=tcp:host,1433;Database=db;User Id=u;Password=p`` (ADO.NET, ODBC and kin). The product
    is not named by the syntax: the scheme is ``mssql`` when the keys or host say SQL Server
    (``Initial Catalog``, ``*.database.windows.net``), ``adonet`` otherwise."""
    start = _ADO_START.search(ctx.line)
    pairs = _pairs(ctx.line[start.start() if start else 0 :], ";")
    raw_host = _first(pairs, _ADO_HOST_KEYS) or ""
    host = re.sub(r"(?i)^(?:tcp|np|lpc):", "", raw_host.split("=")[-1].strip())
    host, _, port = host.replace(":", ",").partition(",")
    port = pairs.get("port") or port
    sqlserver = "initial catalog" in pairs or ".database.windows.net" in host.lower() or "\\" in host
    return _db("mssql" if sqlserver else "adonet", _first(pairs, _USER_KEYS), [host.lower()],
               port if port.isdigit() else None, _first(pairs, _DB_KEYS))


_LIBPQ = re.compile(r"(?<![\w.-])(host|hostaddr|port|dbname|user)[ \t]?=[ \t]?(?:'([^']*)'|([^\s'\"]+))")


def libpq_facts(secret: str, ctx: FactContext) -> Facts:
    """``host=db port=5432 dbname=app user=u password=p`` (a libpq keyword/value string)."""
    pairs: dict[str, str] = {}
    for m in _LIBPQ.finditer(ctx.line):
        pairs.setdefault(m.group(1), m.group(2) if m.group(2) is not None else m.group(3))
    host = pairs.get("host") or pairs.get("hostaddr") or ""
    return _db("postgres", pairs.get("user"), host.lower().split(","), pairs.get("port"), pairs.get("dbname"))


_JAAS_USER = re.compile(r"""(?i)\busername\s*=\s*["']([^"']{1,128})["']""")


def kafka_jaas_facts(secret: str, ctx: FactContext) -> Facts:
    m = _JAAS_USER.search(ctx.line)
    return _db("kafka", m.group(1) if m else None, [], None, None)


# ------------------------------------------------------------------------------------------------
# kubeconfig

_SECTION = re.compile(r"(?m)^([ \t]*)(clusters|contexts|users):[ \t]*(?:#[^\n]*)?\r?$")
_LINE = re.compile(r"[^\n]*\n?")


def _yaml_items(text: str, section: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each list item of the first top-level ``section:`` of a YAML text."""
    items: list[tuple[int, int, str]] = []
    for head in _SECTION.finditer(text):
        if head.group(2) != section:
            continue
        indent, item_indent, start = len(head.group(1)), None, None
        pos = head.end() + 1
        end = len(text)
        for line in _LINE.finditer(text, pos):
            if not line.group(0):
                break
            body = line.group(0).lstrip(" \t")
            col = len(line.group(0)) - len(body)
            if not body.strip() or body.startswith("#"):
                continue
            if col < indent or (col == indent and not body.startswith("-")):
                end = line.start()
                break
            if body.startswith("-") and (item_indent is None or col == item_indent):
                item_indent = col
                if start is not None:
                    items.append((start, line.start(), text[start : line.start()]))
                start = line.start()
        if start is not None:
            items.append((start, end, text[start:end]))
        return items
    return items


def _item_scalar(item: str, key: str) -> str | None:
    m = re.search(r"(?m)^[ \t]*(?:-[ \t]+)?" + re.escape(key) + r":[ \t]*[\"']?([^\"'\s#]+)", item)
    return m.group(1) if m else None


def _item_name(item: str) -> str | None:
    """The ``name`` of a list item at the item's own level (not one of a nested list's entries)."""
    lines = item.split("\n")
    dash = len(lines[0]) - len(lines[0].lstrip(" \t"))
    after = lines[0][dash + 1 :]
    level = dash + 1 + len(after) - len(after.lstrip(" "))
    for n, line in enumerate(lines):
        if n and len(line) - len(line.lstrip(" ")) != level:
            continue
        body = line[level:]
        if body.startswith("name:"):
            return body[5:].split(" #")[0].strip().strip("\"'") or None
    return None


def kube_document_facts(text: str, offset: int) -> Facts:
    """The kubeconfig user whose entry holds the secret, and the server of the cluster its context
    names (or of the only cluster)."""
    if len(text) > 1 << 18:
        lo = max(0, offset - (1 << 17))
        text, offset = text[lo : offset + (1 << 17)], offset - lo
    user = next((_item_name(item) for start, end, item in _yaml_items(text, "users") if start <= offset < end), None)
    servers = {_item_name(item): _item_scalar(item, "server") for _, _, item in _yaml_items(text, "clusters")}
    servers = {name: server for name, server in servers.items() if name and server}
    server = None
    if user is not None:
        linked = {_item_scalar(item, "cluster") for _, _, item in _yaml_items(text, "contexts")
                  if _item_scalar(item, "user") == user}
        found = {servers[c] for c in linked if c in servers}
        server = found.pop() if len(found) == 1 else None
    if server is None and len(set(servers.values())) == 1:
        server = next(iter(servers.values()))
    return _clean({"kube.user": user, "kube.server": server})


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
_SLACK_NUMBERS = re.compile(r"^xox[bpaors]-(?:2-)?((?:[0-9]{6,16}-){1,3})")
_SLACK_APP = re.compile(r"^xapp-[0-9]-([A-Z0-9]{8,14})-")
_SLACK_HOOK = re.compile(r"^https?://hooks\.slack\.com/(?:services|workflows|triggers)/(T[A-Z0-9]{6,14})/"
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
    return _clean({"token.kind": TOKEN_PREFIXES[prefix], "token.id": token_id(secret)})


_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]{2,}={0,2}\.[A-Za-z0-9_-]{2,}={0,2}\.[A-Za-z0-9_-]*={0,2}$")


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
    return _clean({
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
    **{rule_id: uri_facts for rule_id in _URI_RULES},
    "jdbc-password": jdbc_facts,
    "adonet-password": adonet_facts,
    "libpq-dsn-password": libpq_facts,
    "kafka-jaas-password": kafka_jaas_facts,
    "pkcs12-keystore": pkcs12_facts,
}

DOCUMENT_FACTS: dict[str, DocumentFunction] = {
    "gcp-service-account-json": gcp_document_facts,
    "kubeconfig-client-key": kube_document_facts,
    "kubeconfig-user-token": kube_document_facts,
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
    if secret_hash_allowed(ctx.rule_id, ctx.kind):
        facts["secret.sha256"] = hashlib.sha256(normalise_secret(secret).encode("utf-8", "surrogatepass")).hexdigest()
    return facts
