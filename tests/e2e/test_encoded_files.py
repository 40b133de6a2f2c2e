"""Every way a secret is written, on realistic files scanned through the CLI: a minified bundle, a
Spring XML context, a Spring Boot application.yml, JSON with escaped characters, a percent-encoded
password in a URI, hex secrets under secret names (and digests that stay out), age keys in an SQL dump
and in XML, passwords in gzip-compressed SQL dumps and CI logs. Each finding is reported at the text
as written (line and column of the encoded form) with its decoding chain."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from urllib.parse import quote

import pytest

from fixtures import fakecreds as fc
from fixtures.quality.variants import _minified_code
from gitutil import cli_inprocess


@pytest.fixture
def rng() -> random.Random:
    return random.Random(15)


def _scan(*paths: Path) -> list[dict]:
    rc, out, err = cli_inprocess("scan", *map(str, paths), "-q", "-f", "json", "--exit-zero")
    assert rc == 0, err
    return json.loads(out)["findings"]


def _column(line: str, needle: str) -> int:
    return line.index(needle) + 1


def test_minified_bundle_keeps_secrets_on_a_long_line(tmp_path: Path, rng: random.Random) -> None:
    sk, gh, pw = fc.stripe_secret_key(rng), fc.github_token(rng), "Tr7#kLm9@pQ2!xZ"
    head = "!" + _minified_code(rng, 200_000)
    config = f',s={{apiUrl:"https://api.example.com",stripeKey:"{sk}",password:"{pw}",githubToken:"{gh}"}};'
    line = head + config + _minified_code(rng, 100_000)
    (tmp_path / "main.3f9a1c.min.js").write_text(line + "\n//# sourceMappingURL=main.js.map\n")
    found = {f["rule_id"]: f for f in _scan(tmp_path)}
    assert {"stripe-secret-key", "github-pat-classic", "generic-password"} <= set(found)
    f = found["github-pat-classic"]
    assert f["start_line"] == 1 and f["start_column"] == _column(line, gh)
    # the context shown is a window around the secret, not the 300 KB line, and it is redacted
    assert len(f["line"]) <= 240 and "githubToken" in f["line"] and gh not in f["line"]


SPRING = """<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans">
  <bean id="dataSource" class="org.apache.commons.dbcp2.BasicDataSource" destroy-method="close">
    <property name="driverClassName" value="org.postgresql.Driver"/>
    <property name="url" value="jdbc:postgresql://db.internal:5432/orders"/>
    <property name="username" value="orders_app"/>
    <property name="password" value="{p1}"/>
  </bean>
  <util:map id="settings">
    <entry key="db.password" value="{p2}"/>
    <entry key="mail.host" value="smtp.example.com"/>
  </util:map>
  <bean id="ldap" class="org.springframework.ldap.core.support.LdapContextSource">
    <constructor-arg name="password" value="{p3}"/>
    <constructor-arg name="passwordEncoder" ref="bcryptEncoder"/>
  </bean>
  <bean id="placeholder"><property name="password" value="${{db.password}}"/></bean>
  <bean id="backup"><property name="identity" value="{age}"/></bean>
</beans>
"""


def test_spring_xml_context(tmp_path: Path, rng: random.Random) -> None:
    p1, p2, p3 = "Zq8!vN3#rT6yB1p", "Lk4$wE9^uH2mQ7c", "Mx5%tR8&kW2nJ6v"
    age = fc.ALL_GENERATORS["age-secret-key"](rng)
    (tmp_path / "applicationContext.xml").write_text(SPRING.format(p1=p1, p2=p2, p3=p3, age=age))
    got = sorted((f["start_line"], f["rule_id"], f["fingerprint"]) for f in _scan(tmp_path))
    lines = [line for line, _, _ in got]
    assert lines == [7, 10, 14, 18], got
    rules = {rule for _, rule, _ in got}
    assert rules == {"generic-xml-password", "private-key-age"}


APPLICATION_YML = """server:
  port: 8080
spring:
  datasource:
    url: jdbc:postgresql://db.internal:5432/orders
    username: orders
    password: {pw}
app:
  webhook:
    signing-secret: {hex64}
  hmac_key: {hex32}
  release-sha: {sha}
  artifact:
    checksum: {digest}
"""


def test_application_yml_with_hex_secrets_but_no_digests(tmp_path: Path, rng: random.Random) -> None:
    hex64, hex32 = fc.chars(rng, fc.HEX, 64), fc.chars(rng, fc.HEX, 32)
    text = APPLICATION_YML.format(pw="wQ6_j4N2dS8B_P7t", hex64=hex64, hex32=hex32, sha=fc.chars(rng, fc.HEX, 40),
                                  digest=fc.chars(rng, fc.HEX, 64))
    (tmp_path / "application.yml").write_text(text)
    got = sorted((f["start_line"], f["rule_id"]) for f in _scan(tmp_path))
    assert got == [(7, "generic-password-unquoted"), (10, "generic-hex-secret"), (11, "generic-hex-secret")]


@pytest.mark.parametrize("name, body", [
    ("deploy.sh", 'export WEBHOOK_SECRET="{h}"\nexport COMMIT_SHA={d}\n'),
    ("app.properties", "oauth.client_secret={h}\nbuild.commit={d}\n"),
    ("settings.py", 'SIGNING_SECRET = "{h}"\nINTEGRITY_DIGEST = "{d}"\n'),
    (".env", "HMAC_KEY={h}\nETAG={d}\n"),
])
def test_hex_secret_names_in_each_syntax(tmp_path: Path, rng: random.Random, name: str, body: str) -> None:
    h, d = fc.chars(rng, fc.HEX, rng.choice((32, 40, 48, 64))), fc.chars(rng, fc.HEX, 40)
    (tmp_path / name).write_text(body.format(h=h, d=d))
    assert [(f["start_line"], f["rule_id"]) for f in _scan(tmp_path)] == [(1, "generic-hex-secret")]


def test_json_escapes_inside_values(tmp_path: Path, rng: random.Random) -> None:
    gh = fc.github_token(rng)
    # an HTML-safe encoder's escapes in the value, and JSON inside a JSON string beside a token
    line1 = '{"endpoint": "https:\\/\\/hooks.example.com\\/in", "password": "ab\\u002bcd\\/Tr7#kLm9@pQ2"}'
    line2 = '{"data":"{\\"api_token\\":\\"' + gh + '\\",\\"password\\":\\"Hq3$zX8!vB5nM1k\\"}"}'
    (tmp_path / "config.json").write_text(line1 + "\n" + line2 + "\n")
    got = {(f["start_line"], f["rule_id"]): f for f in _scan(tmp_path)}
    first = got[(1, "generic-password")]
    assert first["decoded"] == ["json-escape"] and first["start_column"] == _column(line1, "ab\\u002b")
    assert first["end_column"] == _column(line1, '"}')  # the escaped text, to its end
    assert (2, "github-pat-classic") in got
    second = got[(2, "generic-password")]  # not lost beside the token on the same decoded line
    assert second["decoded"] == ["json-escape"] and second["start_column"] == _column(line2, "Hq3$")


def test_percent_encoded_password_in_a_uri_and_an_env_file(tmp_path: Path) -> None:
    password = "p@ss!W0rd#x9"
    url = f"postgres://orders:{quote(password, safe='')}@db.internal:5432/orders"
    (tmp_path / "app.env").write_text(f"DATABASE_URL={url}\n")
    [f] = _scan(tmp_path)
    assert f["rule_id"] == "uri-postgres" and f["decoded"] == ["percent"]
    line = f"DATABASE_URL={url}"
    assert f["start_column"] == _column(line, "p%40ss") and f["end_column"] == _column(line, "@db.internal")
    rc, out, _ = cli_inprocess("scan", str(tmp_path), "-q", "-f", "json", "--show-secrets", "--exit-zero")
    assert json.loads(out)["findings"][0]["secret"] == password


def test_age_keys_in_an_sql_dump_and_passwords_in_compressed_dumps_and_logs(tmp_path: Path, rng: random.Random) -> None:
    age = fc.ALL_GENERATORS["age-secret-key"](rng)
    (tmp_path / "backup.sql").write_text(
        "-- PostgreSQL database dump\n"
        f"INSERT INTO public.secrets (id, name, value) VALUES (1, 'backup_identity', '{age}');\n")
    dump = ("-- MySQL dump 10.13\nCREATE TABLE `settings` (`name` varchar(64), `value` text);\n"
            "CREATE USER 'orders'@'%' IDENTIFIED BY 'Rp;4)kZ,8w{N';\n"
            "INSERT INTO `settings` VALUES ('db_password','Gh5@kP9!mW2x');\n")
    (tmp_path / "orders.sql.gz").write_bytes(gzip.compress(dump.encode(), mtime=0))
    log = ("2025-03-11T10:22:40Z ##[group]Run ./deploy.sh\n"
           "2025-03-11T10:22:41Z + mysql -h db -u orders --password=Qw3!rTy7Ui9oP2 -e 'SELECT 1'\n"
           "2025-03-11T10:22:41Z + export DB_PASSWORD=0rUAZdR[$dEW\n")
    (tmp_path / "deploy.log.gz").write_bytes(gzip.compress(log.encode(), mtime=0))
    got = sorted((f["path"], f["start_line"], f["rule_id"]) for f in _scan(tmp_path))
    assert got == [
        ("backup.sql", 2, "private-key-age"),
        ("deploy.log.gz!deploy.log", 2, "generic-cli-password"),
        ("deploy.log.gz!deploy.log", 3, "generic-password-unquoted"),
        ("orders.sql.gz!orders.sql", 3, "generic-sql-password"),
        ("orders.sql.gz!orders.sql", 4, "generic-sql-password"),
    ]
