"""Correlation through ``credsprawl report``: each selector type names its identity, the strongest
selector wins, ties go to the identity defined first, several holders or several owners make a
credential shared, and unknown credentials are clustered into candidate identities."""

from __future__ import annotations

import base64
import hashlib
import random
from pathlib import Path

import pytest

from findingutil import by_fp, finding, fingerprint, report_json, results_file
from fixtures import fakecreds
from scanner.identity.correlate import SelectorIndex, best_and_holders, cluster
from scanner.identity.globindex import GlobIndex, literal_prefix
from scanner.identity.inventory import Inventory, PathOwner, parse_inventory

KEY_ID = fakecreds.aws_access_key_id(random.Random(1), account_id=210987654321)
OTHER_KEY_ID = fakecreds.aws_access_key_id(random.Random(2), account_id=210987654321)
GCP_KEY = "4f" * 20
EMAIL = "etl@data-platform.iam.gserviceaccount.com"
DIGEST = hashlib.sha256(b"an ssh public key blob").digest()
SSH_FP = "SHA256:" + base64.b64encode(DIGEST).decode().rstrip("=")
SPKI = hashlib.sha256(b"spki").hexdigest()
CERT = hashlib.sha256(b"cert der").hexdigest()
TOKEN_HASH = hashlib.sha256(b"token").hexdigest()

INVENTORY = f'''version = 1

[[identity]]
id = "by-hash"
kind = "bot"
owner = {{ team = "platform", contact = "platform@example.com" }}
[identity.selectors]
secret_sha256 = ["{TOKEN_HASH}"]

[[identity]]
id = "by-ssh"
kind = "host"
[identity.selectors]
ssh_fingerprints = ["{DIGEST.hex()}"]

[[identity]]
id = "by-spki"
kind = "workload"
[identity.selectors]
spki_sha256 = ["{SPKI}"]

[[identity]]
id = "by-cert"
kind = "workload"
[identity.selectors]
cert_sha256 = ["{CERT}"]
cert_serials = ["0a:bc"]

[[identity]]
id = "by-aws"
kind = "service-account"
owner = {{ team = "payments" }}
[identity.selectors]
aws_key_ids = ["{KEY_ID.lower()}"]
paths = ["/services/billing/"]

[[identity]]
id = "by-gcp-key"
kind = "service-account"
[identity.selectors]
gcp_key_ids = ["{GCP_KEY}"]

[[identity]]
id = "by-email"
kind = "service-account"
[identity.selectors]
gcp_client_emails = ["{EMAIL.upper()}"]

[[identity]]
id = "by-db"
kind = "application"
[identity.selectors]
user_hosts = ["orders_app@orders-db.internal", "deploy@*.build.internal"]

[[identity]]
id = "by-path"
kind = "workload"
owner = {{ team = "edge" }}
[identity.selectors]
paths = ["services/edge/**/*.env", "*.pem"]
'''

CASES = [
    ("hash", {"secret.sha256": TOKEN_HASH}, "app.py", "by-hash", "secret_sha256", 100),
    ("ssh", {"key.ssh_sha256": SSH_FP}, "app.py", "by-ssh", "ssh_fingerprints", 90),
    ("spki-key", {"key.spki_sha256": SPKI.upper()}, "app.py", "by-spki", "spki_sha256", 90),
    ("spki-cert", {"cert.spki_sha256": SPKI}, "app.py", "by-spki", "spki_sha256", 90),
    ("cert", {"cert.sha256": CERT}, "app.py", "by-cert", "cert_sha256", 90),
    ("paired", {"key.paired_certs": f"{'0' * 64},{CERT}"}, "app.py", "by-cert", "cert_sha256", 90),
    ("serial", {"cert.serial": "abc"}, "app.py", "by-cert", "cert_serials", 60),
    ("aws", {"aws.key_id": KEY_ID, "aws.account_id": "210987654321"}, "app.py", "by-aws", "aws_key_ids", 80),
    ("gcp-key", {"gcp.private_key_id": GCP_KEY}, "app.py", "by-gcp-key", "gcp_key_ids", 80),
    ("email", {"gcp.client_email": EMAIL}, "app.py", "by-email", "gcp_client_emails", 60),
    ("db", {"db.user": "orders_app", "db.host": "ORDERS-DB.internal"}, "app.py", "by-db", "user_hosts", 40),
    ("kube-wild", {"kube.user": "deploy", "kube.server": "https://ci7.build.internal:6443"}, "app.py", "by-db", "user_hosts", 40),
    ("comment", {"key.comment": "deploy@runner.build.internal"}, "app.py", "by-db", "user_hosts", 40),
    ("path", {}, "services/edge/eu/prod.env", "by-path", "paths", 10),
    ("path-any-depth", {}, "deploy/tls/server.pem", "by-path", "paths", 10),
]


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.toml"
    path.write_text(INVENTORY, encoding="utf-8")
    return path


def test_each_selector_type_names_its_identity(tmp_path: Path, inventory: Path) -> None:
    results = results_file(tmp_path, [finding(name, path, attributes=attrs) for name, attrs, path, *_ in CASES]
                           + [finding("nobody", "README.md")])
    creds = by_fp(report_json(str(results), "--inventory", str(inventory), "--now", "2026-01-01"))
    for name, _attrs, _path, identity, selector, strength in CASES:
        cred = creds[fingerprint(name)]
        assert (cred["identity"], cred["match"]["selector"], cred["match"]["strength"]) == (identity, selector, strength), name
        assert cred["shared"] is False, name
    assert creds[fingerprint("nobody")]["identity"] is None and creds[fingerprint("nobody")]["match"] is None
    assert creds[fingerprint("hash")]["owner"] == {"team": "platform", "contact": "platform@example.com"}
    assert creds[fingerprint("hash")]["owner_source"] == "identity"
    assert creds[fingerprint("kube-wild")]["match"]["value"] == "deploy@*.build.internal"


def test_the_strongest_selector_wins_and_a_path_glob_is_only_a_fallback(tmp_path: Path, inventory: Path) -> None:
    results = results_file(tmp_path, [
        # by-path claims *.pem, by-aws claims the key id: the key id wins, and by-path is no holder
        finding("a", "deploy/key.pem", attributes={"aws.key_id": KEY_ID}),
        # by-aws claims services/billing by path, by-email the client e-mail (60 > 10)
        finding("b", "services/billing/sa.json", attributes={"gcp.client_email": EMAIL}),
        # user@host (40) against a token hash (100)
        finding("c", "x.cfg", attributes={"db.user": "orders_app", "db.host": "orders-db.internal",
                                          "secret.sha256": TOKEN_HASH}),
    ])
    creds = by_fp(report_json(str(results), "--inventory", str(inventory)))
    assert creds[fingerprint("a")]["identity"] == "by-aws" and creds[fingerprint("a")]["holders"] == ["by-aws"]
    assert creds[fingerprint("b")]["identity"] == "by-email"
    assert creds[fingerprint("c")]["identity"] == "by-hash"
    # two strong holders: by-hash and by-db both hold c
    assert creds[fingerprint("c")]["shared"] is True and creds[fingerprint("c")]["shared_by"] == ["by-hash", "by-db"]
    assert creds[fingerprint("a")]["shared"] is False and creds[fingerprint("b")]["shared"] is False


def test_equal_strength_goes_to_the_identity_defined_first_and_is_shared(tmp_path: Path) -> None:
    inv = tmp_path / "inv.toml"
    inv.write_text(f'''[[identity]]
id = "second-in-name-first-in-file"
kind = "bot"
[identity.selectors]
aws_key_ids = ["{KEY_ID}"]

[[identity]]
id = "a-first-in-name"
kind = "bot"
[identity.selectors]
gcp_key_ids = ["{GCP_KEY}"]
''')
    results = results_file(tmp_path, [finding("k", attributes={"aws.key_id": KEY_ID, "gcp.private_key_id": GCP_KEY})])
    doc = report_json(str(results), "--inventory", str(inv))
    [cred] = doc["credentials"]
    assert cred["identity"] == "second-in-name-first-in-file"
    assert cred["shared"] is True and cred["shared_by"] == ["second-in-name-first-in-file", "a-first-in-name"]
    rows = {r["id"]: r for r in doc["identities"]}
    assert rows["a-first-in-name"]["credentials"] == [cred["fingerprint"]] and rows["a-first-in-name"]["shared"] == 1
    assert doc["summary"]["shared_credentials"] == 1


def test_a_credential_in_several_owners_code_is_shared_and_codeowners_names_the_owner(tmp_path: Path) -> None:
    inv = tmp_path / "inv.toml"
    inv.write_text('''[[path_owner]]
pattern = "*"
owners = ["@acme/platform"]

[[path_owner]]
pattern = "/services/billing/"
owners = ["@acme/payments"]

[[path_owner]]
pattern = "/services/orders/"
owners = ["@acme/orders"]
repository = "shop"

[[path_owner]]
pattern = "/vendor/"
owners = []
''')
    shop = {"repository": "shop"}
    results = results_file(tmp_path, [
        finding("spread", "services/billing/a.env", git=shop), finding("spread", "services/orders/b.env", git=shop),
        finding("billing-only", "services/billing/c.env"), finding("billing-only", "services/billing/d.env"),
        finding("vendored", "vendor/lib/x.py"),
        finding("elsewhere", "services/orders/b.env"),  # not in shop: the orders entry does not apply
    ])
    doc = report_json(str(results), "--inventory", str(inv))
    creds = by_fp(doc)
    spread = creds[fingerprint("spread")]
    assert spread["shared"] is True and spread["shared_by"] == ["@acme/orders", "@acme/payments"]
    assert spread["owner"] is None and spread["path_owners"] == ["@acme/orders", "@acme/payments"]
    billing = creds[fingerprint("billing-only")]
    assert billing["shared"] is False
    assert billing["owner"] == {"team": "@acme/payments", "contact": ""} and billing["owner_source"] == "codeowners"
    assert creds[fingerprint("vendored")]["owner"] is None  # explicitly unowned
    assert creds[fingerprint("elsewhere")]["owner"] == {"team": "@acme/platform", "contact": ""}
    owners = {o["team"]: o for o in doc["owners"]}
    assert owners["@acme/payments"]["credentials"] == 1 and owners["@acme/payments"]["identities"] == []
    assert any("give each its own credential" in step for step in spread["remediation"])


def test_unknown_credentials_cluster_into_candidate_identities(tmp_path: Path) -> None:
    results = results_file(tmp_path, [
        finding("aws-1", attributes={"aws.key_id": KEY_ID, "aws.account_id": "210987654321"}),
        finding("aws-2", attributes={"aws.key_id": OTHER_KEY_ID, "aws.account_id": "210987654321"}),
        finding("sa-key", attributes={"gcp.client_email": EMAIL, "gcp.project_id": "data-platform"}),
        finding("sa-key-2", attributes={"gcp.client_email": EMAIL, "gcp.private_key_id": GCP_KEY}),
        finding("pg-1", attributes={"db.user": "app", "db.host": "pg.internal", "db.database": "a"}),
        finding("pg-2", attributes={"db.user": "report", "db.host": "pg.internal"}),
        finding("key", attributes={"key.spki_sha256": SPKI}),
        finding("cert-of-key", attributes={"cert.spki_sha256": SPKI, "cert.subject": "CN=x"}),
        finding("loner"),
    ])
    doc = report_json(str(results))
    cands = {c["id"]: c for c in doc["candidates"]}
    assert set(cands) == {"candidate:aws.account_id=210987654321", f"candidate:gcp.client_email={EMAIL}",
                          "candidate:db.host=pg.internal", f"candidate:key.spki_sha256={SPKI}"}
    aws = cands["candidate:aws.account_id=210987654321"]
    assert aws["basis"] == "aws.account_id" and sorted(aws["credentials"]) == sorted([fingerprint("aws-1"), fingerprint("aws-2")])
    assert cands[f"candidate:gcp.client_email={EMAIL}"]["facts"] == {"gcp.client_email": EMAIL}
    creds = by_fp(doc)
    assert creds[fingerprint("cert-of-key")]["candidate"] == f"candidate:key.spki_sha256={SPKI}"
    assert creds[fingerprint("loner")]["candidate"] is None
    assert doc["summary"]["candidate_identities"] == 4 and doc["summary"]["unknown_credentials"] == 9
    assert any("candidate:db.host=pg.internal" in s for s in creds[fingerprint("pg-1")]["remediation"])


def test_a_chain_of_different_facts_is_one_candidate() -> None:
    cands = cluster([(0, {"aws.key_id": "K1", "aws.account_id": "1"}), (1, {"aws.account_id": "1", "db.host": "h"}),
                     (2, {"db.host": "h"})])
    assert len(cands) == 1 and cands[0].members == (0, 1, 2) and cands[0].basis == "aws.account_id"


def test_glob_index_narrows_by_literal_prefix_and_agrees_with_pathspec() -> None:
    import pathspec

    globs = ["/services/billing/", "services/*/config/**", "*.pem", "docs/**/*.md", "/a/b/c.txt", "build", "x?z/",
             "*", "/services/svc-1*/", "services/orders", "**/*.key", "/srv/a-*/b/", "/*.env"]
    assert [literal_prefix(g) for g in globs] == ["services/billing", "services", "", "docs", "a/b/c.txt", "", "",
                                                  "", "services", "services/orders", "", "srv", ""]
    index = GlobIndex((g, g) for g in globs)
    paths = ["services/billing/app.py", "services/orders/config/db/x.yml", "deep/key.pem", "docs/a/b/readme.md",
             "a/b/c.txt", "a/b/c.txt.bak", "a/b/c.txt/inner", "src/build/out.js", "xyz/file", "servicesX/billing/y",
             "services/billing", "services/orders", "services/orders/x", "services/svc-12/a", "services/svc-2/a",
             "x/y/z.key", "srv/a-1/b/c", "srv/a-1/c/b", "top.env", "sub/top.env"]
    for path in paths:
        expected = [g for g in globs if pathspec.GitIgnoreSpec.from_lines([g]).match_file(path)]
        assert [g for _o, g in index.matches(path)] == expected, path
    many = [f"*.{n}.pem" for n in range(10)]  # a bucket screened by one combined regex
    screened = GlobIndex((g, g) for g in many)
    assert [g for _o, g in screened.matches("deep/x.7.pem")] == ["*.7.pem"] and screened.matches("x.pem") == []


def test_index_and_codeowners_semantics_directly() -> None:
    inv = parse_inventory(INVENTORY, "inv.toml")
    index = SelectorIndex(inv)
    best, holders = best_and_holders(index.matches({"aws.key_id": KEY_ID}, ["services/billing/x.py"]))
    assert best is not None and inv.identities[best.identity].id == "by-aws" and best.strength == 80
    assert [inv.identities[i].id for i in holders] == ["by-aws"]
    owners = SelectorIndex(Inventory.of((), (PathOwner("*", ("@all",)), PathOwner("/a/", ("@a",), "repo1"),
                                             PathOwner("/a/b/", ()))))
    assert owners.owners("repo1", "a/x") == ("@a",)
    assert owners.owners("repo2", "a/x") == ("@all",)  # the /a/ entry is for repo1 only
    assert owners.owners("repo1", "a/b/y") == ()
