"""Identifiers are attributes, not findings: a rule of kind ``identifier`` (a tenant or client id, an
account SID, an org URL, an integration key, a public key id) is never reported, alone or beside its
secret; the secret's finding carries it as its companion."""

from __future__ import annotations

import functools
import random

import pytest

from fixtures import fakecreds as fc
from scanner.model import Origin
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.rules.check import found_by
from scanner.rules.load import load_rules

RULES = load_rules()
BY_ID = {r.id: r for r in RULES.rules}
IDENTIFIERS = sorted(r.id for r in RULES.rules if r.kind == "identifier")


@functools.cache
def engine() -> Engine:
    return Engine(RULES, EngineSettings(engine="ahocorasick"))


def scan(text: str):
    return engine().scan_bytes(text.encode(), Origin("f.env")).findings


def test_the_shipped_identifiers() -> None:
    assert set(IDENTIFIERS) >= {"azure-ad-app-id", "twilio-account-sid", "okta-org-url", "duo-integration-key",
                                "razorpay-key-id"}


@pytest.mark.parametrize("rid", IDENTIFIERS)
def test_an_identifier_is_never_a_finding_and_its_examples_are_carried(rid: str) -> None:
    rule = BY_ID[rid]
    assert rule.companion is None, "an identifier needs no companion: its secret names it"
    carriers = [r.id for r in RULES.rules if r.companion and r.companion.rule == rid]
    assert carriers, f"no secret rule carries {rid}"
    for example in rule.examples:
        findings = scan(example.text)
        assert all(f.rule_id != rid for f in findings)
        assert example.secret in found_by(rule, findings), example.text
        assert {f.rule_id for f in findings if f.companion == (rid, example.secret)} <= set(carriers)


def test_no_rule_reports_a_low_identifier_only_beside_a_secret() -> None:
    """The old pattern (an identifier reported as its own low finding, required beside its secret) is gone:
    a rule whose required companion names it back is an identifier."""
    for rule in RULES.rules:
        c = rule.companion
        if c is not None and c.required and c.rule in BY_ID:
            back = BY_ID[c.rule].companion
            assert not (back and back.rule == rule.id), f"{rule.id}: make it kind = 'identifier'"


@pytest.mark.parametrize("secret_rule, secret_var, id_rule, id_var", [
    ("azure-ad-client-secret", "AZURE_CLIENT_SECRET", "azure-ad-app-id", "AZURE_TENANT_ID"),
    ("twilio-auth-token", "TWILIO_AUTH_TOKEN", "twilio-account-sid", "TWILIO_ACCOUNT_SID"),
    ("okta-api-token", "OKTA_API_TOKEN", "okta-org-url", "OKTA_ORG_URL"),
    ("duo-secret-key", "DUO_SKEY", "duo-integration-key", "DUO_IKEY"),
    ("razorpay-key-secret", "RAZORPAY_KEY_SECRET", "razorpay-key-id", "RAZORPAY_KEY_ID"),
])
def test_one_finding_for_the_pair_and_none_for_the_identifier_alone(secret_rule, secret_var, id_rule, id_var) -> None:
    rng = random.Random(2)
    value, ident = fc.ALL_GENERATORS[secret_rule](rng), fc.ALL_GENERATORS[id_rule](rng)
    [f] = scan(f"{id_var}={ident}\n{secret_var}={value}\n")
    assert f.rule_id == secret_rule and f.companion == (id_rule, ident)
    assert scan(f"{id_var}={ident}\n") == ()
