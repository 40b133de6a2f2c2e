"""Facts derived from each kind of secret, through the real CLI: ``credsprawl scan`` on files in a
temporary folder, JSON (and SARIF, text) output. Expected values are computed independently: AWS
account ids are the ones the key ids were built from, fingerprints come from ``ssh-keygen -lf`` and
``cryptography``, JWT times from the claims the test wrote."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from keyutil import UTC, new_key, private_pem, spki_sha256, ssh_keygen_fingerprint, write_public

from fixtures import fakecreds as fc
from scanner.model import normalise_secret

ACCOUNT_LONG = 361_845_020_764
ACCOUNT_TEMP = 4_242  # leading zeros must survive: 000000004242
FAST = ("--engine", "ahocorasick")  # facts do not depend on the prefilter; skips compiling a Hyperscan database
KEY_CASES = [("rsa", "pkcs1"), ("rsa", "pkcs8"), ("rsa", "openssh"), ("ec", "sec1"), ("ec", "pkcs8"),
             ("ec", "openssh"), ("ed25519", "pkcs8"), ("ed25519", "openssh")]


class Tree:
    """Files with one family of secret each, scanned once for the whole module."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.expect: dict[str, Any] = {}
        self.rng = random.Random(7071)

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _password(rng: random.Random) -> str:
    return fc.chars(rng, fc.ALNUM, 18)


def _build(tree: Tree) -> None:
    rng = tree.rng
    # AWS: a long-term and a temporary key id, each with its secret key beside it
    long_id = fc.aws_access_key_id(rng, account_id=ACCOUNT_LONG)
    temp_id = fc.aws_access_key_id(rng, prefix="AS" + "IA", account_id=ACCOUNT_TEMP)
    tree.write("aws/credentials", f"[default]\naws_access_key_id = {long_id}\naws_secret_access_key = "
                                  f"{fc.aws_secret_access_key(rng)}\n")
    tree.write("aws/session.env", f"AWS_ACCESS_KEY_ID={temp_id}\nAWS_SECRET_ACCESS_KEY={fc.aws_secret_access_key(rng)}\n"
                                  f"AWS_SESSION_TOKEN={fc.aws_session_token(rng)}\n")
    tree.expect["aws"] = (long_id, temp_id)

    # GCP: the console's key file, and the same kind of key as one line in an environment file
    docs = [json.loads(fc.gcp_service_account_json(rng)) for _ in range(2)]
    for doc in docs:
        doc["private_key"] = private_pem(new_key("rsa"), "pkcs8")
    tree.write("gcp/sa.json", json.dumps(docs[0], indent=2))
    tree.write("gcp/ci.env", "GOOGLE_CREDENTIALS='" + json.dumps(docs[1]) + "'\n")
    tree.expect["gcp"] = docs

    tree.write("azure/app.config", fc.azure_storage_connection_string(rng) + "\n")

    # databases
    pg, mongo, redis, jdbc, ado = (_password(rng) for _ in range(5))
    tree.write("db/.env", "\n".join([
        f"DATABASE_URL=postgresql://orders_app:{pg}@pg-primary.internal.test:5433/orders",
        f"MONGO_URL=mongodb+srv://reporter:{mongo}@cluster0.abcde.mongodb.net/analytics?retryWrites=true",
        f"REDIS_URL=rediss://default:{redis}@cache.internal.test:6380/3",
        f"JDBC_URL=jdbc:postgresql://pg-replica.internal.test:5432/inventory?user=inv_reader&password={jdbc}",
        f'SQL="Server=tcp:billing.database.windows.net,1433;Initial Catalog=billing;User ID=billing_app;'
        f'Password={ado};Encrypt=True;"',
    ]) + "\n")

    # tokens
    classic, fine = fc.github_token(rng), fc.github_fine_grained_pat(rng)
    bot, user, hook = fc.slack_bot_token(rng), fc.slack_user_token(rng), fc.slack_webhook_url(rng)
    tree.write("tokens/ci.yml", f"github_token: {classic}\nfine_grained: {fine}\nslack_bot: {bot}\n"
                                f"slack_user: {user}\nslack_hook: {hook}\n")
    tree.expect["tokens"] = {"classic": classic, "fine": fine, "bot": bot, "user": user, "hook": hook}

    # a JWT with every registered claim the facts read
    header = {"alg": "RS256", "kid": "signing-2024", "typ": "JWT"}
    claims = {"iss": "https://auth.example.test/", "sub": "svc-deployer", "aud": ["orders-api", "billing-api"],
              "iat": 1_700_000_000, "exp": 1_700_003_600}
    token = ".".join(fc.b64url(json.dumps(p).encode()) for p in (header, claims)) + "." + fc.b64url(fc.rand_bytes(rng, 64))
    tree.write("jwt/request.http", f"Authorization: Bearer {token}\n")
    tree.expect["jwt"] = (header, claims)

    # kubeconfig: two clusters, a user with a client key and a user with a token
    client_key = new_key("ec")
    kube_token = fc.chars(rng, fc.ALNUM, 48)
    key_b64 = base64.b64encode(private_pem(client_key, "sec1").encode()).decode()
    tree.write("kube/config", f"""apiVersion: v1
kind: Config
current-context: prod
clusters:
- cluster:
    server: https://prod.k8s.example.test:6443
  name: prod
- cluster:
    server: https://staging.k8s.example.test:6443
  name: staging
contexts:
- context:
    cluster: prod
    user: deployer
  name: prod
- context:
    cluster: staging
    user: ci-bot
  name: staging
users:
- name: deployer
  user:
    client-key-data: {key_b64}
- name: ci-bot
  user:
    token: {kube_token}
""")
    tree.expect["kube"] = client_key

    # private keys: every type in every format, next to the public key ssh-keygen reads
    for kind, fmt in KEY_CASES:
        key = new_key(kind)
        tree.write(f"keys/{kind}-{fmt}.key", private_pem(key, fmt))
        write_public(key, tree.root / "pub" / f"{kind}-{fmt}.pub")
        tree.expect[f"key:{kind}-{fmt}"] = key
    enc = new_key("rsa")
    tree.write("keys/encrypted-pkcs8.key", private_pem(enc, "pkcs8", password=b"correct horse battery"))
    tree.write("keys/encrypted-legacy.key", private_pem(enc, "pkcs1", password=b"correct horse battery"))
    # OpenSSH keys made by ssh-keygen itself: a comment, and an encrypted one
    (tree.root / "ssh").mkdir()
    for name, passphrase in (("id_plain", ""), ("id_locked", "correct horse battery")):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", f"deploy@{name}-host",
                        "-f", str(tree.root / "ssh" / name)], check=True, capture_output=True)
        (tree.root / "ssh" / f"{name}.pub").rename(tree.root / "pub" / f"{name}.pub")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tree, dict[str, Any]]:
    tree = Tree(tmp_path_factory.mktemp("identity"))
    (tree.root / "pub").mkdir()
    _build(tree)
    proc = run_cli("scan", str(tree.root), *FAST, "--format", "json", "--quiet", "--exclude", "pub/")
    assert proc.returncode == 1, proc.stderr
    return tree, json.loads(proc.stdout)


def found(report: dict[str, Any], path: str, rule: str | None = None) -> list[dict[str, Any]]:
    out = [f for f in report["findings"] if f["path"] == path and (rule is None or f["rule_id"] == rule)]
    assert out, f"nothing found by {rule or 'any rule'} in {path}: {[(f['path'], f['rule_id']) for f in report['findings']]}"
    return out


def attrs(report: dict[str, Any], path: str, rule: str) -> dict[str, str]:
    return dict(found(report, path, rule)[0]["attributes"])


def sha256(secret: str) -> str:
    return hashlib.sha256(normalise_secret(secret).encode()).hexdigest()


# ---- clouds ---------------------------------------------------------------------------------------


def test_aws_account_id_is_decoded_from_the_key_id(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, report = scanned
    long_id, temp_id = tree.expect["aws"]
    a = attrs(report, "aws/credentials", "aws-access-key-id")
    assert a["aws.key_id"] == long_id
    assert a["aws.account_id"] == f"{ACCOUNT_LONG:012d}"
    assert a["aws.key_kind"] == "long-term"
    t = attrs(report, "aws/session.env", "aws-access-key-id")
    assert (t["aws.account_id"], t["aws.key_kind"], t["aws.key_id"]) == ("000000004242", "temporary", temp_id)


def test_aws_secret_key_takes_its_facts_from_the_key_id_beside_it(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, report = scanned
    for path, account, kind in (("aws/credentials", ACCOUNT_LONG, "long-term"), ("aws/session.env", ACCOUNT_TEMP, "temporary")):
        a = attrs(report, path, "aws-secret-access-key")
        assert a["aws.account_id"] == f"{account:012d}" and a["aws.key_kind"] == kind


def test_gcp_service_account_fields_and_key(scanned: tuple[Tree, dict[str, Any]]) -> None:
    from cryptography.hazmat.primitives import serialization

    tree, report = scanned
    for path, doc in zip(("gcp/sa.json", "gcp/ci.env"), tree.expect["gcp"]):
        a = attrs(report, path, "gcp-service-account-json")
        assert a["gcp.client_email"] == doc["client_email"]
        assert a["gcp.project_id"] == doc["project_id"]
        assert a["gcp.private_key_id"] == doc["private_key_id"]
        key = serialization.load_pem_private_key(doc["private_key"].encode(), None)
        assert a["key.spki_sha256"] == spki_sha256(key.public_key())
        assert (a["key.type"], a["key.bits"], a["key.format"], a["key.encrypted"]) == ("rsa", "2048", "pkcs8", "false")


def test_azure_storage_account(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, report = scanned
    a = attrs(report, "azure/app.config", "azure-storage-connection-string")
    text = (tree.root / "azure/app.config").read_text()
    assert a["azure.storage_account"] == text.split("AccountName=")[1].split(";")[0]


# ---- databases --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule,expected", [
    ("uri-postgres", {"db.scheme": "postgres", "db.user": "orders_app", "db.host": "pg-primary.internal.test",
                      "db.port": "5433", "db.database": "orders"}),
    ("uri-mongodb", {"db.scheme": "mongodb+srv", "db.user": "reporter", "db.host": "cluster0.abcde.mongodb.net",
                     "db.database": "analytics"}),
    ("uri-redis", {"db.scheme": "rediss", "db.user": "default", "db.host": "cache.internal.test", "db.port": "6380",
                   "db.database": "3"}),
    ("jdbc-password", {"db.scheme": "postgres", "db.user": "inv_reader", "db.host": "pg-replica.internal.test",
                       "db.port": "5432", "db.database": "inventory"}),
    ("adonet-password", {"db.scheme": "mssql", "db.user": "billing_app", "db.host": "billing.database.windows.net",
                         "db.port": "1433", "db.database": "billing"}),
])
def test_database_uris(scanned: tuple[Tree, dict[str, Any]], rule: str, expected: dict[str, str]) -> None:
    _, report = scanned
    a = attrs(report, "db/.env", rule)
    assert {k: v for k, v in a.items() if k.startswith("db.")} == expected
    assert "secret.sha256" not in a  # a password's unsalted hash could be brute-forced


# ---- kubeconfig, tokens, JWT ------------------------------------------------------------------------


def test_kubeconfig_user_and_server(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, report = scanned
    key = attrs(report, "kube/config", "kubeconfig-client-key")
    assert (key["kube.user"], key["kube.server"]) == ("deployer", "https://prod.k8s.example.test:6443")
    assert key["key.spki_sha256"] == spki_sha256(tree.expect["kube"].public_key())
    assert key["key.format"] == "sec1"
    token = attrs(report, "kube/config", "kubeconfig-user-token")
    assert (token["kube.user"], token["kube.server"]) == ("ci-bot", "https://staging.k8s.example.test:6443")


def test_github_and_slack_tokens(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, report = scanned
    t = tree.expect["tokens"]
    classic = attrs(report, "tokens/ci.yml", "github-pat-classic")
    assert classic["token.kind"] == "github-classic-pat"
    assert classic["secret.sha256"] == sha256(t["classic"])
    assert attrs(report, "tokens/ci.yml", "github-fine-grained-pat")["token.kind"] == "github-fine-grained-pat"
    bot = attrs(report, "tokens/ci.yml", "slack-bot-token")
    assert bot["token.kind"] == "slack-bot"
    assert bot["token.id"] == "-".join(t["bot"].split("-")[1:3])  # workspace and bot user numbers
    user = attrs(report, "tokens/ci.yml", "slack-user-token")
    assert user["token.kind"] == "slack-user" and user["token.id"] == "-".join(t["user"].split("-")[1:4])
    hook = attrs(report, "tokens/ci.yml", "slack-webhook-url")
    team, channel = t["hook"].split("/")[4:6]
    assert hook["token.kind"] == "slack-webhook" and hook["token.id"] == f"{team}/{channel}"
    assert t["hook"].split("/")[6] not in json.dumps(report["findings"])  # the webhook's secret part stays hidden


def test_jwt_header_and_claims(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, report = scanned
    header, claims = tree.expect["jwt"]
    a = attrs(report, "jwt/request.http", "jwt")

    def when(seconds: int) -> str:
        return dt.datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert {k: v for k, v in a.items() if k.startswith("jwt.")} == {
        "jwt.alg": "RS256", "jwt.kid": "signing-2024", "jwt.typ": "JWT", "jwt.iss": claims["iss"],
        "jwt.sub": "svc-deployer", "jwt.aud": "orders-api,billing-api",
        "jwt.exp": when(claims["exp"]), "jwt.iat": when(claims["iat"]),
    }
    assert a["jwt.iat"] == "2023-11-14T22:13:20Z"


# ---- private keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,fmt", KEY_CASES)
def test_private_key_fingerprints_match_ssh_keygen_and_cryptography(
    scanned: tuple[Tree, dict[str, Any]], kind: str, fmt: str
) -> None:
    tree, report = scanned
    key = tree.expect[f"key:{kind}-{fmt}"]
    (finding,) = [f for f in found(report, f"keys/{kind}-{fmt}.key") if f["kind"] == "private-key"]
    a = finding["attributes"]
    assert a["key.type"] == kind and a["key.format"] == fmt and a["key.encrypted"] == "false"
    assert a["key.ssh_sha256"] == ssh_keygen_fingerprint(tree.root / "pub" / f"{kind}-{fmt}.pub")
    assert a["key.spki_sha256"] == spki_sha256(key.public_key())
    assert a["key.bits"] == {"rsa": "2048", "ec": "256", "ed25519": "256"}[kind]
    if kind == "ec":
        assert a["key.curve"] == "secp256r1"
    assert a["secret.sha256"] == sha256(finding_secret(tree, f"keys/{kind}-{fmt}.key"))


def finding_secret(tree: Tree, name: str) -> str:
    return (tree.root / name).read_text().strip()


def test_encrypted_pem_keys_give_no_fingerprints(scanned: tuple[Tree, dict[str, Any]]) -> None:
    _, report = scanned
    for name, expected in (("keys/encrypted-pkcs8.key", {"key.format": "pkcs8", "key.encrypted": "true"}),
                           ("keys/encrypted-legacy.key", {"key.type": "rsa", "key.format": "pkcs1", "key.encrypted": "true"})):
        (finding,) = [f for f in found(report, name) if f["kind"] == "private-key"]
        a = finding["attributes"]
        assert {k: v for k, v in a.items() if k.startswith("key.")} == expected


def test_openssh_comment_and_encrypted_openssh_public_half(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, report = scanned
    plain = attrs(report, "ssh/id_plain", "private-key-openssh")
    assert plain["key.comment"] == "deploy@id_plain-host"
    assert plain["key.ssh_sha256"] == ssh_keygen_fingerprint(tree.root / "pub" / "id_plain.pub")
    locked = attrs(report, "ssh/id_locked", "private-key-openssh")
    # the public key of an OpenSSH key file is stored in clear: it is named even when locked
    assert locked["key.encrypted"] == "true" and locked["key.type"] == "ed25519"
    assert locked["key.ssh_sha256"] == ssh_keygen_fingerprint(tree.root / "pub" / "id_locked.pub")
    assert "key.comment" not in locked  # inside the encrypted part


# ---- the facts reach every format -------------------------------------------------------------------


def test_facts_in_sarif_and_text(scanned: tuple[Tree, dict[str, Any]]) -> None:
    tree, _ = scanned
    target = str(tree.root / "aws")
    sarif = json.loads(run_cli("scan", target, *FAST, "--format", "sarif", "--quiet").stdout)
    accounts = {r["properties"]["attributes"].get("aws.account_id") for r in sarif["runs"][0]["results"]}
    assert accounts - {None} == {f"{ACCOUNT_LONG:012d}", "000000004242"}  # the session token has none
    text = run_cli("scan", target, *FAST, "--no-color").stdout
    assert f"aws account {ACCOUNT_LONG:012d} (long-term)" in text
    assert "aws account 000000004242 (temporary)" in text


# ---- parsers on their own: more connection-string shapes, and input they cannot read ----------------


@pytest.mark.parametrize("parser,line,expected", [
    ("uri", "MONGO=mongodb://app:{pw}@db1.test:27017,db2.test:27018,db3.test/shop?replicaSet=rs0",
     {"db.scheme": "mongodb", "db.user": "app", "db.host": "db1.test,db2.test,db3.test", "db.port": "27017",
      "db.database": "shop"}),
    ("uri", "amqps://worker:{pw}@mq.internal.test/vhost-a",
     {"db.scheme": "amqps", "db.user": "worker", "db.host": "mq.internal.test", "db.database": "vhost-a"}),
    ("uri", "url: mysql+pymysql://etl:{pw}@[fd00::5]:3307/warehouse",
     {"db.scheme": "mysql", "db.user": "etl", "db.host": "fd00::5", "db.port": "3307", "db.database": "warehouse"}),
    ("jdbc", "jdbc:oracle:thin:scott/{pw}@//ora.internal.test:1521/ORCLPDB1",
     {"db.scheme": "oracle", "db.user": "scott", "db.host": "ora.internal.test", "db.port": "1521",
      "db.database": "ORCLPDB1"}),
    ("jdbc", "jdbc:sqlserver://sql.internal.test:1433;databaseName=hr;user=hr_app;password={pw}",
     {"db.scheme": "mssql", "db.user": "hr_app", "db.host": "sql.internal.test", "db.port": "1433", "db.database": "hr"}),
    ("libpq", "dsn = 'host=pg.internal.test port=5432 dbname=ledger user=ledger_rw password={pw}'",
     {"db.scheme": "postgres", "db.user": "ledger_rw", "db.host": "pg.internal.test", "db.port": "5432",
      "db.database": "ledger"}),
    ("adonet", "Host=pg.internal.test;Port=5432;Database=app;Username=app_user;Password={pw}",
     {"db.scheme": "adonet", "db.user": "app_user", "db.host": "pg.internal.test", "db.port": "5432",
      "db.database": "app"}),
])
def test_connection_string_shapes(parser: str, line: str, expected: dict[str, str]) -> None:
    from scanner.identity import connstrings

    password = _password(random.Random(parser))
    assert getattr(connstrings, parser)(password, line.format(pw=password)) == expected


@pytest.mark.parametrize("secret", ["", "x", "eyJ.eyJ.", "eyJhbGciOi.!!!.x", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                                    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "postgres://:@/",
                                    "xoxb-", "https://hooks.slack.com/services/", "AKIA" + "=" * 16, "\x00\ud800"])
def test_unreadable_input_gives_no_facts_and_no_error(secret: str) -> None:
    from scanner.identity.facts import FACTS, KIND_FACTS, FactContext, derive
    from scanner.identity.kubeconfig import document_facts

    for rule_id in (*FACTS, "jwt"):
        for kind in (*KIND_FACTS, "token"):
            facts = derive(secret, FactContext(rule_id, kind, line=secret, companion=("aws-access-key-id", secret)))
            assert set(facts) <= {"secret.sha256", "db.scheme", "db.user", "db.host", "token.kind"}
    assert document_facts(secret, 0) == {}
