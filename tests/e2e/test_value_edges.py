"""Values at the edges of what the rules accept, on realistic files scanned through the CLI with each
prefilter backend: passwords that end in a comma, open a bracket or start with ``@`` (in a gzipped CI
log, a Spring Boot application.yml, an .env file), an FCM server key written as hex, a PKCS#12 keystore
whose random base64 holds ``xXxx``, provider tokens base64-encoded in a Kubernetes Secret's ``data``
(also below a KB-long PEM line), a Spring password that starts with ``<``, a CI log's ``export NAME==v``,
a hex key passed to ``SetEnvironmentVariable``; and the code those value shapes must not be confused
with (arguments, object entries, annotations, templates, ``==`` comparisons, digests)."""

from __future__ import annotations

import base64
import gzip
import json
import random
from pathlib import Path

import pytest

from fixtures import fakecreds as fc
from gitutil import cli_inprocess
from scanner.match.backends import hyperscan_available
from scanner.match.validators import VALIDATORS

BACKENDS = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])


@pytest.fixture
def rng() -> random.Random:
    return random.Random(86)


def _scan(engine: str, *paths: Path) -> list[dict]:
    rc, out, err = cli_inprocess("scan", *map(str, paths), "-q", "-f", "json", "--exit-zero", "--show-secrets",
                                 "--engine", engine)
    assert rc == 0, err
    return json.loads(out)["findings"]


def _found(engine: str, *paths: Path) -> list[tuple[str, int, str, str]]:
    """(path, line, rule, secret) of every finding, sorted."""
    return sorted((f["path"], f["start_line"], f["rule_id"], f["secret"]) for f in _scan(engine, *paths))


# ---- passwords: a trailing comma, an opening bracket, a leading @ --------------------------------

ACTIONS_LOG = """2025-03-11T10:22:40Z ##[group]Run ./scripts/deploy.sh
2025-03-11T10:22:40Z + set -euo pipefail
2025-03-11T10:22:41Z + export DB_PASSWORD={pw}
2025-03-11T10:22:42Z deploy finished in 12s
2025-03-11T10:22:42Z ##[endgroup]
"""

APPLICATION_YML = """server:
  port: 8080
spring:
  application:
    name: catalog-service
  datasource:
    url: jdbc:postgresql://db.internal:5432/catalog
    username: catalog_app
    password: {pw}
management:
  endpoints:
    web:
      exposure:
        include: health,info
"""

DOTENV = """APP_NAME=notify
LOG_LEVEL=info
SMTP_USER=notify@mail.internal
SMTP_PASSWORD={pw}
PORT=8080
"""


def _plant(tmp_path: Path, log: str, log_pw: str, yml_pw: str, env_pw: str) -> None:
    """A gzipped Actions log, a Spring Boot ``application.yml`` and an ``.env``, each with its password."""
    (tmp_path / log).write_bytes(gzip.compress(ACTIONS_LOG.format(pw=log_pw).encode(), mtime=0))
    resources = tmp_path / "src" / "main" / "resources"
    resources.mkdir(parents=True)
    (resources / "application.yml").write_text(APPLICATION_YML.format(pw=yml_pw))
    (tmp_path / "notify.env").write_text(DOTENV.format(pw=env_pw))


@pytest.mark.parametrize("engine", BACKENDS)
def test_passwords_that_end_in_a_comma_open_a_bracket_or_start_with_at(tmp_path: Path, engine: str) -> None:
    log_pw, yml_pw, env_pw = "fJlWp3!I[L2,", "j(ha$8gOinW?vEGgFxAT,", "@L(Vh}=h#w1ga"
    _plant(tmp_path, "deploy-run-86.log.gz", log_pw, yml_pw, env_pw)
    assert _found(engine, tmp_path) == [
        ("deploy-run-86.log.gz!deploy-run-86.log", 3, "generic-password-unquoted", log_pw),
        ("notify.env", 4, "generic-password-unquoted", env_pw),
        ("src/main/resources/application.yml", 9, "generic-password-unquoted", yml_pw),
    ]


@pytest.mark.parametrize("engine", BACKENDS)
def test_passwords_holding_brackets_that_close_inside_them(tmp_path: Path, engine: str) -> None:
    # a name, then a bracket that closes before a letter (``P[dVZ,E]T``): a password, not a subscript
    log_pw, yml_pw, env_pw = "P[dVZ,E]T)N49]@GuoF", "kq(W3x)Tz9]v!Lm", "Hn[4]p(Qe)Zu@x8"
    _plant(tmp_path, "orders-run-84.log.gz", log_pw, yml_pw, env_pw)
    assert _found(engine, tmp_path) == [
        ("notify.env", 4, "generic-password-unquoted", env_pw),
        ("orders-run-84.log.gz!orders-run-84.log", 3, "generic-password-unquoted", log_pw),
        ("src/main/resources/application.yml", 9, "generic-password-unquoted", yml_pw),
    ]


# calls and subscripts as configuration values: each bracket closes where code closes one
SUBSCRIPTS = """DB_PASSWORD=os.environ[DB_PW_KEY2]
SMTP_PASSWORD=vault.read(smtp_path2)
admin_password = secrets[ADMIN_KEY2].strip()
redis_password = get_pw(cfg[REDIS_2])
"""


@pytest.mark.parametrize("engine", BACKENDS)
def test_calls_and_subscripts_as_values_are_no_password(tmp_path: Path, engine: str) -> None:
    (tmp_path / "settings.env").write_text(SUBSCRIPTS)
    assert _found(engine, tmp_path) == []


# code whose unquoted value after a password name is a name, a reference, a call, a type or a
# variable, before a comma or at the end of the line: no password in any of them
CODE = {
    "configuration.py": '''class Configuration:
    def __init__(
        self,
        host: Optional[str]=None,
        username: Optional[str]=None,
        password: Optional[str]=None,
        access_token: Optional[str]=None,
    ) -> None:
        self.password = password
''',
    "login.js": '''export function login(userPw_v2x, opts) {
  return client.post("/session", {
    username: opts.user,
    password: userPw_v2x,
    otp: opts?.otp,
  });
}
const rules = {
  password: /^(?=.*\\d)(?=.*[A-Z]).{12,}$/,
  email: /^[^@]+@[^@]+$/,
};
''',
    "credentials.ts": '''export function toCredentials(opts: Options): Credentials {
  return {
    user: opts.user,
    password: opts?.pw_v2x!,
    Password: cfg.DBPass2,
  };
}
''',
    "store.rs": '''pub struct Credentials {
    pub user: String,
    password: Vec<u8>,
}
''',
    "session.rb": '''def credentials
  {
    user: @user,
    password: @db_pw_v2x,
  }
end
''',
    "settings.py": '''DATABASES = dict(
    default=dict(
        password=keyring.get_pw2(
            "db", "orders"),
        db_password=vault_kv[DB_KEY_2],
    )
)
''',
}


@pytest.mark.parametrize("engine", BACKENDS)
def test_code_before_a_comma_is_no_password(tmp_path: Path, engine: str) -> None:
    for name, text in CODE.items():
        (tmp_path / name).write_text(text)
    assert _found(engine, tmp_path) == []


# ---- an ADO.NET connection string base64-encoded in a deploy script ------------------------------

DEPLOY_SH = """#!/usr/bin/env bash
set -euo pipefail
# the reports service reads its connection string from the environment, base64-encoded
REPORTS_IMAGE=registry.corp.internal/reports:1.42.0
SQL_CONNECTION_STRING_B64={b64}
kubectl -n reports create secret generic reports-db --from-literal=conn="$SQL_CONNECTION_STRING_B64"
"""


@pytest.mark.parametrize("engine", BACKENDS)
@pytest.mark.parametrize("spelling", ["Password", "Pwd"])
def test_adonet_connection_string_in_base64(tmp_path: Path, rng: random.Random, engine: str, spelling: str) -> None:
    # ``Password=`` as ADO.NET writes it: its base64 differs from that of ``password=`` and ``PASSWORD=``
    pw = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789~_") for _ in range(21))
    conn = ("SQL_CONNECTION_STRING=Server=tcp:billing-sql.database.windows.net,1433;Initial Catalog=reports;"
            f"Persist Security Info=False;User ID=app;{spelling}={pw};MultipleActiveResultSets=False;Encrypt=True;"
            "TrustServerCertificate=False;Connection Timeout=30;")
    b64 = base64.b64encode(conn.encode()).decode()
    (tmp_path / "deploy_reports.sh").write_text(DEPLOY_SH.format(b64=b64))
    found = _scan(engine, tmp_path)
    assert [(f["start_line"], f["rule_id"], f["secret"]) for f in found] == [(5, "adonet-password", pw)]


# ---- an FCM server key written as hex ------------------------------------------------------------


@pytest.mark.parametrize("engine", BACKENDS)
@pytest.mark.parametrize("shape", ["line", "value", "upper"])
def test_fcm_server_key_written_as_hex(tmp_path: Path, rng: random.Random, engine: str, shape: str) -> None:
    key = fc.ALL_GENERATORS["firebase-cloud-messaging-server-key"](rng)
    assert ":APA91b" in key  # the keyword as the key spells it: its hex is not that of ":apa91b" or ":APA91B"
    plain = f"FCM_SERVER_KEY={key}" if shape == "line" else key
    hexed = plain.encode().hex()
    if shape == "upper":
        hexed = hexed.upper()
    (tmp_path / "billing.env").write_text(
        f"BILLING_SERVICE_URL=https://billing.internal.example\nBILLING_WORKERS=7\nFCM_SERVER_KEY_HEX={hexed}\nLOG_LEVEL=info\n")
    [f] = _scan(engine, tmp_path)
    assert (f["rule_id"], f["start_line"], f["secret"], f["decoded"]) == \
        ("firebase-cloud-messaging-server-key", 3, key, ["hex"])


# ---- a PKCS#12 keystore whose random base64 holds x's by chance ----------------------------------


@pytest.mark.parametrize("engine", BACKENDS)
def test_pkcs12_blob_with_x_by_chance_is_no_mask(tmp_path: Path, rng: random.Random, engine: str) -> None:
    blob = fc.pkcs12_base64(rng)
    # four base64 characters (three bytes) inside the random bags: the DER structure is unchanged
    blob = blob[:400] + "xXxx" + blob[404:]
    assert len(blob) > 1200 and VALIDATORS["pkcs12"](blob) is not None
    source = ("package catalog\n\nobject Keys {\n"
              "    const val KEYSTORE_TYPE = \"PKCS12\"\n"
              f"    const val KEYSTORE_P12_BASE64 = \"{blob}\"\n"
              "    const val KEYSTORE_ALIAS = \"catalog\"\n}\n")
    (tmp_path / "Keys.kt").write_text(source)
    assert _found(engine, tmp_path) == [("Keys.kt", 5, "pkcs12-keystore", blob)]


# ---- provider tokens base64-encoded in a Kubernetes Secret's data --------------------------------

K8S_SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: ci-credentials
  namespace: build
type: Opaque
data:
  username: {user}
  artifactory-api-key: {api}
  artifactory-token: {ref}
  miro-token: {miro}
  rotation-note: {low}
"""


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


@pytest.mark.parametrize("engine", BACKENDS)
def test_provider_tokens_in_a_kubernetes_secret_data(tmp_path: Path, rng: random.Random, engine: str) -> None:
    api = fc.ALL_GENERATORS["jfrog-api-key"](rng)
    ref = fc.ALL_GENERATORS["jfrog-reference-token"](rng)
    miro = fc.ALL_GENERATORS["miro-access-token"](rng)
    text = K8S_SECRET.format(user=_b64("ci-deployer"), api=_b64(api), ref=_b64(ref), miro=_b64(miro),
                             low=_b64("changeme-please"))
    (tmp_path / "ci-credentials.yaml").write_text(text)
    assert _found(engine, tmp_path) == [
        ("ci-credentials.yaml", 9, "jfrog-api-key", api),  # left by kubernetes-secret-data to its provider rule
        ("ci-credentials.yaml", 10, "jfrog-reference-token", ref),
        ("ci-credentials.yaml", 11, "kubernetes-secret-data", miro),  # eyJ, but no JWT: no other rule has it
    ]  # the user name and a placeholder value stay out


# ---- a Kubernetes Secret whose data holds a KB-long PEM key before other values -----------------

K8S_TLS_SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: app-secrets
  labels:
    app.kubernetes.io/name: billing
type: Opaque
data:
  POCKET_CONSUMER_KEY: {first}
  RSA_PRIVATE_KEY: {key}
  HASHNODE_TOKEN: {hashnode}
  MISP_KEY: {misp}
"""

# a Secret, then (after a document break) a ConfigMap whose data looks like base64: no finding there
K8S_SECRET_THEN_CONFIGMAP = """apiVersion: v1
kind: Secret
metadata:
  name: tls
type: kubernetes.io/tls
data:
  tls.crt: {crt}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: logging
data:
  LOG_FORMAT: dGV4dC1jb21wYWN0LXYy
  LOG_FIELDS: dGltZSxsZXZlbCxtc2c=
"""


@pytest.mark.parametrize("engine", BACKENDS)
def test_kubernetes_secret_values_after_a_long_pem_line(tmp_path: Path, rng: random.Random, engine: str) -> None:
    pem = fc.pem("RSA " + "PRIVATE KEY", fc.rsa_private_key_der(rng, 4096))
    assert len(_b64(pem)) > 4000  # the values after it sit over 4000 characters below "kind: Secret"
    first = fc.chars(rng, fc.HEX, 30)
    hashnode = fc.ALL_GENERATORS["hashnode-personal-access-token"](rng)
    misp = fc.ALL_GENERATORS["misp-auth-key"](rng)
    (tmp_path / "secret.yaml").write_text(K8S_TLS_SECRET.format(
        first=_b64(first), key=_b64(pem), hashnode=_b64(hashnode), misp=_b64(misp)))
    (tmp_path / "tls-and-logging.yaml").write_text(K8S_SECRET_THEN_CONFIGMAP.format(crt=_b64(pem.replace("RSA PRIVATE KEY", "CERTIFICATE"))))
    found = _found(engine, tmp_path)
    secrets = {(line, s) for p, line, rule, s in found if rule == "kubernetes-secret-data"}
    assert {(9, first), (11, hashnode), (12, misp)} <= secrets
    assert [f for f in found if f[0] == "tls-and-logging.yaml"] == []  # tls.crt skipped, the ConfigMap is no Secret


# ---- a Spring context whose password starts with "<" --------------------------------------------

SPRING_CONTEXT = """<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <bean id="catalogDataSource" class="org.apache.commons.dbcp2.BasicDataSource" destroy-method="close">
    <property name="driverClassName" value="org.postgresql.Driver"/>
    <property name="url" value="jdbc:postgresql://db.internal:5432/catalog"/>
    <property name="username" value="catalog_app"/>
    <property name="connectionProperties">
      <map>
      <entry key="password" value="{pw}"/>
      </map>
    </property>
  </bean>
  <bean id="reportsDataSource" class="org.apache.commons.dbcp2.BasicDataSource">
    <property name="password" value="${{reports.db.password}}"/>
  </bean>
  <bean id="ldapSource" class="org.springframework.ldap.core.support.LdapContextSource">
    <property name="password">
      <value><ref bean="ldapBindPassword"/></value>
    </property>
  </bean>
</beans>
"""

# an ERB template of the same context (Chef, Puppet): the value is a template tag, no password
CONTEXT_ERB = """<beans>
  <bean id="catalogDataSource" class="org.apache.commons.dbcp2.BasicDataSource">
    <property name="password" value="<%=@catalog_db_password%>"/>
    <entry key="smtp.password" value="<%= node['smtp']['password'] %>"/>
  </bean>
</beans>
"""


@pytest.mark.parametrize("engine", BACKENDS)
def test_spring_password_that_starts_with_a_bracket(tmp_path: Path, engine: str) -> None:
    pw = "<68v;8yFa.EnZIm:UK"
    spring = tmp_path / "src" / "main" / "resources" / "spring"
    spring.mkdir(parents=True)
    (spring / "catalog-context.xml").write_text(SPRING_CONTEXT.format(pw=pw))
    (spring / "catalog-context.xml.erb").write_text(CONTEXT_ERB)
    assert _found(engine, tmp_path) == [
        ("src/main/resources/spring/catalog-context.xml", 10, "generic-xml-password", pw),
    ]


# ---- a CI log that exports a password starting with "=" -----------------------------------------

CI_LOG = """2025-03-11T10:22:40Z ##[group]Run ./scripts/ldap-sync.sh
2025-03-11T10:22:40Z + set -euo pipefail
2025-03-11T10:22:41Z + export LDAP_BIND_PASSWORD={pw}
2025-03-11T10:22:41Z + [[ $LDAP_BIND_PASSWORD == $EXPECTED_BIND_PW2 ]]
2025-03-11T10:22:42Z sync finished in 3s
"""

# comparisons written with == on a password name: none is an assignment
COMPARISONS = {
    "check.sh": 'if [[ "$DB_PASSWORD" == "$EXPECTED_DB_PW2" ]]; then\n  echo same\nfi\nDB_PASSWORD==Zx81_kdLq0p\n',
    "login.py": "def same(password, other_pw2):\n    return (\n        password==other_pw2_hash9\n    )\n",
    "Makefile": "check:\n\ttest $(DB_PASSWORD)==$(EXPECTED_PW2)\n",
}


@pytest.mark.parametrize("engine", BACKENDS)
def test_ci_log_password_that_starts_with_equals(tmp_path: Path, engine: str) -> None:
    pw = "=(q@9Y:i7D02"
    (tmp_path / "build-271.log").write_text(CI_LOG.format(pw=pw))
    for name, text in COMPARISONS.items():
        (tmp_path / name).write_text(text)
    assert _found(engine, tmp_path) == [("build-271.log", 3, "generic-password-unquoted", pw)]


# ---- a hex signing key passed to SetEnvironmentVariable (C#) ------------------------------------

SETTINGS_CS = """using System;
using System.Net.Http;

namespace Acme.Orders
{{
    public static class Settings
    {{
        public static void Configure()
        {{
            Environment.SetEnvironmentVariable("WEBHOOK_SIGNING_KEY", "{key}");
            Environment.SetEnvironmentVariable("BUILD_COMMIT", "{commit}");
            Environment.SetEnvironmentVariable("SIGNING_KEY_SHA256", "{digest}");
            Environment.SetEnvironmentVariable("HMAC_SECRET", Environment.GetEnvironmentVariable("CI_HMAC_SECRET"));
        }}
    }}
}}
"""


@pytest.mark.parametrize("engine", BACKENDS)
def test_hex_key_passed_to_set_environment_variable(tmp_path: Path, rng: random.Random, engine: str) -> None:
    key, commit, digest = fc.chars(rng, fc.HEX, 32), fc.chars(rng, fc.HEX, 40), fc.chars(rng, fc.HEX, 64)
    (tmp_path / "Settings.cs").write_text(SETTINGS_CS.format(key=key, commit=commit, digest=digest))
    assert _found(engine, tmp_path) == [("Settings.cs", 10, "generic-hex-secret", key)]
