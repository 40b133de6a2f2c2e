"""Remediation per provider: every shipped rule names where its credential is revoked or rotated
(``remediation`` in rules/*.toml: the provider's console URL pattern and/or CLI command), except the
generic rules listed here, which fall back to a default by kind."""

from __future__ import annotations

import re

from scanner.model import Rule
from scanner.report.remediation import KIND_DEFAULTS, is_default, remediation
from scanner.rules.load import load_rules

# identifiers (kind "identifier": an API key id, never reported alone) name no place of their own: the
# secret they go with does. Rules of no one provider (provider "generic"): connection strings, private keys, passwords and
# tokens found by their surroundings; their credential is revoked wherever it was issued
GENERIC = frozenset({
    "adonet-password", "ai-provider-context-key", "generic-access-key", "generic-access-key-unquoted",
    "generic-api-key", "generic-api-key-unquoted", "generic-basic-auth-header", "generic-bearer-token",
    "generic-cli-password", "generic-client-secret", "generic-client-secret-unquoted", "generic-curl-credentials",
    "generic-password", "generic-password-unquoted", "generic-private-key-value",
    "generic-private-key-value-unquoted", "generic-secret", "generic-secret-unquoted", "generic-token",
    "generic-token-unquoted", "generic-xml-password", "generic-hex-secret", "generic-sql-password", "git-credentials", "jdbc-password", "jwt",
    "kafka-jaas-password", "libpq-dsn-password", "netrc-password", "pkcs12-keystore", "private-key-age",
    "private-key-dsa", "private-key-ec", "private-key-openssh", "private-key-pem-encrypted-legacy",
    "private-key-pem-other", "private-key-pgp", "private-key-pkcs8", "private-key-pkcs8-encrypted",
    "private-key-putty", "private-key-rsa", "private-key-ssh2", "uri-amqp", "uri-basic-auth", "uri-clickhouse",
    "uri-cockroachdb", "uri-couchbase", "uri-ftp", "uri-ldap", "uri-mongodb", "uri-mqtt", "uri-mssql", "uri-mysql",
    "uri-nats", "uri-neo4j", "uri-oracle", "uri-postgres", "uri-redis", "uri-smtp", "uri-snowflake",
    "x509-certificate",
})
# a place: a URL, or a command line (a CLI, an API call), or a named console page ("Settings > ...")
_PLACE = re.compile(r"https://|\b[a-z][a-z0-9-]*\s+[a-z-]+\s|\bPOST /|\bDELETE /|>\s|→|@BotFather")


def _identifier_beside_its_secret(rule: Rule, by_id: dict[str, Rule]) -> bool:
    """An identifier reported only beside its secret (a required companion, such as an API key id
    whose secret is the credential): the secret's rule names the place."""
    mate = by_id.get(rule.companion.rule) if rule.companion and rule.companion.required else None
    return mate is not None and not is_default(mate)


def test_every_shipped_rule_names_its_revoke_place_except_the_generic_ones() -> None:
    rules = load_rules().rules
    by_id = {r.id: r for r in rules}
    missing = sorted(r.id for r in rules if is_default(r) and r.id not in GENERIC and r.kind != "identifier"
                     and not _identifier_beside_its_secret(r, by_id))
    assert missing == [], f"rules without a remediation (add the provider's revoke/rotate place): {missing}"
    assert all(r.provider == "generic" for r in rules if r.id in GENERIC)
    named = [r for r in rules if not is_default(r)]
    assert len(named) >= 300
    for rule in named:
        assert _PLACE.search(rule.remediation), f"{rule.id}: no URL, command or console path in {rule.remediation!r}"
        assert "\n" not in rule.remediation and len(rule.remediation) < 500


def test_a_rule_without_one_falls_back_to_its_kind() -> None:
    rules = {r.id: r for r in load_rules().rules}
    assert remediation(rules["uri-postgres"]) == KIND_DEFAULTS["connection-string"].format(p="the service that issued it")
    assert remediation(rules["github-pat-classic"]).startswith("Revoke at https://github.com/settings/tokens")
    assert remediation(None, "webhook").startswith("Delete the webhook")
