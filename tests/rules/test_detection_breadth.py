"""Breadth and precision of detection: every credential type the fixtures know is found in the
common assignment syntaxes; decoders (hex, escapes, HTML entities, concatenation, escaped quotes);
structural validators; paired credentials; placeholders and documentation examples stay out."""

from __future__ import annotations

import base64
import functools
import json
import random
from urllib.parse import quote, unquote

import pytest

from fixtures import fakecreds as fc
from fixtures.quality.corpus import CARRIED
from fixtures.quality.formats import camel, dotted
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.match import validators as v
from scanner.match.backends import hyperscan_available
from scanner.match.safelist import is_placeholder
from scanner.model import Origin, Validation
from scanner.rules.load import load_rules

RULES = load_rules()
BACKENDS = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])


@functools.cache
def engine(backend: str) -> Engine:
    """Built on first use, after conftest has pointed the database cache at a temporary folder."""
    return Engine(RULES, EngineSettings(engine=backend))


def scan(text: str | bytes, backend: str = "ahocorasick"):
    data = text.encode() if isinstance(text, str) else text
    return engine(backend).scan_bytes(data, Origin("f.txt")).findings


def secrets(text: str | bytes, backend: str = "ahocorasick") -> set[str]:
    return {f.secret for f in scan(text, backend)}


# ---- breadth -------------------------------------------------------------------------------------


def test_rule_count_and_coverage() -> None:
    assert len(RULES.rules) >= 300
    ids = set(RULES.by_id)
    for rid in ("aws-secret-access-key", "gcp-service-account-json", "azure-ad-client-secret", "github-pat-classic",
                "gitlab-pat", "circleci-personal-token", "buildkite-api-token", "npm-token", "pypi-token", "crates-io-api-token",
                "stripe-secret-key", "razorpay-key-secret", "slack-bot-token", "teams-incoming-webhook-url",
                "datadog-api-key", "dynatrace-api-token", "openai-project-key", "pinecone-api-key", "uri-postgres",
                "uri-snowflake", "kafka-jaas-password", "okta-api-token", "okta-org-url", "duo-secret-key",
                "kubernetes-secret-data", "vault-service-token", "terraform-cloud-token", "ansible-vault-block",
                "dockerhub-pat", "docker-swarm-join-token", "private-key-openssh", "private-key-pgp", "pkcs12-keystore"):
        assert rid in ids, rid


_SYNTAXES = ('{n} = "{v}"', "{n}: {v}", "export {n}={v}", '<add key="{n}" value="{v}" />', '"{n}": "{v}",')
_STANDALONE = sorted(k for k in fc.ALL_GENERATORS if k not in fc.ALL_IDENTIFIERS and k not in CARRIED
                     and k not in fc.ALL_MULTILINE and k not in ("password", "kubeconfig-client-key"))


@pytest.mark.parametrize("kind", _STANDALONE)
def test_every_type_is_found_beside_its_name(kind: str) -> None:
    rng = random.Random(kind)
    value = fc.ALL_GENERATORS[kind](rng)
    var = fc.ALL_VARIABLE_NAMES[kind]
    for name in (var, camel(var), dotted(var)):
        for syntax in _SYNTAXES:
            text = syntax.format(n=name, v=value)
            found = secrets(text)
            assert any(s in value or s in unquote(value) or value in s for s in found), text


# ---- decoders ------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_hex_escapes_entities_concatenation_and_escaped_quotes(backend: str, gh: str) -> None:
    rng = random.Random(11)
    dd = fc.datadog_api_key(rng)
    stripe = fc.stripe_secret_key(rng)
    cases = {
        "hex": f'blob = "{f"GITHUB_TOKEN={gh}".encode().hex()}"\n',
        "hex-upper": f"X={f'token: {gh}'.encode().hex().upper()}\n",
        "x-escapes": 'x = "' + "".join(f"\\x{ord(c):02x}" for c in gh) + '"\n',
        "u-escapes": 'x = "' + "".join(f"\\u00{ord(c):02x}" for c in gh) + '"\n',
        "html": f'<div data-settings="{{&quot;datadogApiKey&quot;: &quot;{dd}&quot;}}"></div>\n',
        "concat": f'key = "{stripe[:10]}" + "{stripe[10:]}"\n',
        "escaped-quotes": json.dumps({"cells": [{"source": [f'DATADOG_API_KEY = "{dd}"\n']}]}) + "\n",
        "base64-then-percent": "cfg: " + base64.b64encode(
            ("url=https://hooks.example/cb?s=" + quote(json.dumps({"dd_api_key": dd}), safe="")).encode()).decode() + "\n",
    }
    wanted = {"hex": gh, "hex-upper": gh, "x-escapes": gh, "u-escapes": gh, "html": dd, "concat": stripe,
              "escaped-quotes": dd, "base64-then-percent": dd}
    for name, text in cases.items():
        found = scan(text, backend)
        assert [f for f in found if f.secret == wanted[name]], name
        assert all(f.decoded for f in found if f.secret == wanted[name]), name
    chain = [f.decoded for f in scan(cases["base64-then-percent"], backend) if f.secret == dd]
    assert chain == [("base64", "percent")]


def test_decoding_depth_is_bounded(gh: str) -> None:
    text = f'blob = "{f"GITHUB_TOKEN={gh}".encode().hex()}"\n'
    assert secrets(text) == {gh}
    assert Engine(RULES, EngineSettings(max_decode_depth=0)).scan_bytes(text.encode(), Origin("f")).findings == ()


# ---- validators ----------------------------------------------------------------------------------


def test_structural_validators() -> None:
    rng = random.Random(5)
    vault = fc.ansible_vault_block(rng)
    assert v.ansible_vault(vault) is Validation.STRUCTURE
    assert v.ansible_vault(vault[:-10] + "zz" + vault[-8:]) is None
    p12 = fc.pkcs12_base64(rng)
    assert v.pkcs12(p12) is Validation.STRUCTURE and v.pkcs12(p12[:200]) is None
    age = fc.age_secret_key(rng)
    assert v.bech32(age) is Validation.CHECKSUM
    assert v.bech32(age[:-1] + ("Q" if age[-1] != "Q" else "P")) is None
    key = fc.rsa_private_key(rng)
    lines = key.splitlines()
    assert v.pem_private_key(key) is Validation.STRUCTURE
    assert v.pem_private_key("\n".join(lines[:5] + lines[-1:])) is None  # abbreviated in documentation
    for kind in ("ec-private-key", "dsa-private-key", "pkcs8-private-key", "encrypted-private-key", "openssh-private-key",
                 "rsa-private-key-encrypted-legacy"):
        assert v.pem_private_key(fc.GENERATORS[kind](rng)) is Validation.STRUCTURE, kind
    assert v.not_uuid(fc.uuid(rng)) is None and v.not_uuid(fc.chars(rng, fc.HEX, 32)) is Validation.UNCHECKED


def test_jwt_documentation_and_publishable_tokens_are_not_reported() -> None:
    head = fc.b64url(b'{"alg":"HS256","typ":"JWT"}')
    sig = fc.b64url(bytes(range(32)))
    doc = head + "." + fc.b64url(b'{"sub":"1234567890","name":"John Doe","iat":1516239022}') + "." + sig
    anon = head + "." + fc.b64url(b'{"iss":"supabase","ref":"abc","role":"anon","iat":1,"exp":2}') + "." + sig
    real = fc.jwt(random.Random(2))
    assert v.jwt(doc) is None and v.jwt(anon) is None and v.jwt(real) is Validation.STRUCTURE
    assert secrets(f"AUTH={doc}\nSUPABASE_ANON_KEY={anon}\n") == set()


# ---- placeholders and documentation examples ------------------------------------------------------


@pytest.mark.parametrize("value", [
    "AKIA" + "A" * 16, "${{ secrets.TOKEN }}", "{{ .Values.apiKey }}", "#{API_KEY}#", "__API_KEY__", "$(API_KEY)",
    "@API_KEY@", "<%= ENV['X'] %>", "[REDACTED]", "•" * 10, "sk_" + "live_" + "*" * 24, "redis://:[password]@host",
    "System.getenv(\"API_KEY\")", "xox" + "b-17653672481-19874698323-" + "pdFZKVeTuE8sk7oOcBrzbqgy",
])
def test_placeholders_and_documented_values(value: str) -> None:
    view = value.encode().decode("latin-1")  # the matcher works on the latin-1 view of UTF-8 bytes
    assert is_placeholder(view)


def test_checksummed_token_with_a_bad_checksum_is_not_reported_by_any_rule(rng) -> None:
    for kind in fc.GITHUB_PREFIXES:
        bad = fc.github_token_wrong_checksum(rng, kind)
        assert secrets(f'GITHUB_TOKEN = "{bad}"\ntoken: {bad}\n') == set()
    assert secrets(f"NPM_TOKEN={fc.npm_token_wrong_checksum(rng)}\n") == set()


# ---- paired credentials ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_paired_credentials_are_one_finding_carrying_both_parts(backend: str) -> None:
    rng = random.Random(8)
    pairs = [
        ("twilio-auth-token", "TWILIO_AUTH_TOKEN", "twilio-account-sid", "TWILIO_ACCOUNT_SID"),
        ("okta-api-token", "OKTA_API_TOKEN", "okta-org-url", "OKTA_ORG_URL"),
        ("azure-ad-client-secret", "AZURE_CLIENT_SECRET", "azure-ad-app-id", "AZURE_TENANT_ID"),
        ("duo-secret-key", "DUO_SKEY", "duo-integration-key", "DUO_IKEY"),
        ("aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", "aws-access-key-id", "AWS_ACCESS_KEY_ID"),
        ("razorpay-key-secret", "RAZORPAY_KEY_SECRET", "razorpay-key-id", "RAZORPAY_KEY_ID"),
        ("tencent-cloud-secret-key", "TENCENTCLOUD_SECRET_KEY", "tencent-cloud-secret-id", "TENCENTCLOUD_SECRET_ID"),
        ("scaleway-secret-key", "SCW_SECRET_KEY", "scaleway-access-key", "SCW_ACCESS_KEY"),
    ]
    for secret_rule, secret_var, partner_rule, partner_var in pairs:
        value, partner = fc.ALL_GENERATORS[secret_rule](rng), fc.ALL_GENERATORS[partner_rule](rng)
        both = scan(f"{partner_var}={partner}\n{secret_var}={value}\n", backend)
        [main] = [f for f in both if f.rule_id == secret_rule]
        assert main.secret == value and main.companion == (partner_rule, partner), secret_rule
        alone = [f for f in scan(f"{secret_var}={value}\n", backend) if f.rule_id == secret_rule]
        assert alone and alone[0].companion is None and alone[0].confidence.rank < main.confidence.rank, secret_rule


def test_identifiers_alone_are_not_reported(rng) -> None:
    text = (f"TWILIO_ACCOUNT_SID={fc.twilio_account_sid(rng)}\nOKTA_ORG_URL={fc.okta_org_url(rng)}\n"
            f"AZURE_TENANT_ID={fc.uuid(rng)}\nDUO_IKEY={fc.duo_integration_key(rng)}\n")
    assert scan(text) == ()


# ---- PKCS#12 keystore files ------------------------------------------------------------------------


def test_pkcs12_file_by_name_and_content() -> None:
    from scanner.sources import keystores

    rng = random.Random(12)
    p12 = base64.b64decode(fc.pkcs12_base64(rng))
    eng = engine("ahocorasick")
    assert keystores.is_pkcs12("certs/client.p12", p12[:64]) and keystores.is_pkcs12("C.PFX", p12[:64])
    assert not keystores.is_pkcs12("certs/client.bin", p12[:64])
    assert not keystores.is_pkcs12("certs/client.p12", b"\x30\x82\x05\x00\x02\x01\x00" + bytes(40))  # a PKCS#8 key
    from scanner.pipeline.viewscan import scan_credential_file

    scan_result = scan_credential_file(eng, p12, Origin("certs/client.p12"))
    [f] = scan_result.findings
    assert f.rule_id == "pkcs12-keystore" and f.validation is Validation.STRUCTURE
    # the same keystore embedded as base64 in a manifest has the same fingerprint
    embedded = [x for x in scan(f"keystore.p12: {base64.b64encode(p12).decode()}\n") if x.rule_id == "pkcs12-keystore"]
    assert embedded and embedded[0].fingerprint == f.fingerprint
    assert scan_credential_file(eng, p12[:300], Origin("x.p12")).skipped == "binary"  # truncated
