"""Importers on realistic input: AWS credential reports and access key listings, gcloud key listings,
authorized_keys with keys generated at test time, PEM bundles of certificates made with
``cryptography``, CODEOWNERS; and ``credsprawl inventory import`` merging them into one inventory."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from fixtures import fakecreds
from gitutil import cli_inprocess
from scanner.errors import UsageError
from scanner.identity.importers import IMPORTERS, aws_account_of_key
from scanner.identity.inventory import load_inventory

UTC = dt.timezone.utc
AWS_COLUMNS = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
               "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
               "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
               "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
               "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
               "cert_2_active,cert_2_last_rotated").split(",")
ACCOUNT = 123456789012


def imp(kind: str, text: str, source: str = "input"):  # type: ignore[no-untyped-def]
    return IMPORTERS[kind].read(text, source)


def _row(**values: str) -> dict[str, str]:
    row = {c: "N/A" for c in AWS_COLUMNS}
    row.update({"password_enabled": "false", "mfa_active": "false", "access_key_1_active": "false",
                "access_key_2_active": "false", "cert_1_active": "false", "cert_2_active": "false"})
    row.update(values)
    return row


def credential_report() -> str:
    rows = [
        _row(user="<root_account>", arn=f"arn:aws:iam::{ACCOUNT}:root", user_creation_time="2019-03-01T10:00:00+00:00",
             password_enabled="not_supported", password_next_rotation="not_supported", mfa_active="true"),
        _row(user="billing-exporter", arn=f"arn:aws:iam::{ACCOUNT}:user/billing-exporter",
             user_creation_time="2021-05-04T08:00:00+00:00",
             access_key_1_active="true", access_key_1_last_rotated="2024-11-02T09:30:00+00:00",
             access_key_1_last_used_date="2025-02-01T00:00:00+00:00", access_key_1_last_used_region="eu-west-1",
             access_key_1_last_used_service="s3",
             access_key_2_active="true", access_key_2_last_rotated="2023-07-15T12:00:00+00:00"),
        _row(user="alice", arn=f"arn:aws:iam::{ACCOUNT}:user/alice", user_creation_time="2020-01-01T00:00:00+00:00",
             password_enabled="true", password_last_used="2025-01-30T00:00:00+00:00", mfa_active="true"),
        _row(user="signer", arn=f"arn:aws:iam::{ACCOUNT}:user/ops/signer", user_creation_time="2022-02-02T00:00:00+00:00",
             cert_1_active="true", cert_1_last_rotated="2024-01-01T00:00:00+00:00"),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, AWS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_aws_credential_report_gives_users_with_rotation_dates() -> None:
    result = imp("aws-credential-report", credential_report())
    by_id = {i.id: i for i in result.identities}
    assert sorted(by_id) == [f"aws:{ACCOUNT}:user/billing-exporter", f"aws:{ACCOUNT}:user/ops/signer"]
    billing = by_id[f"aws:{ACCOUNT}:user/billing-exporter"]
    assert billing.kind == "service-account" and billing.name == "billing-exporter"
    assert billing.created == dt.datetime(2021, 5, 4, 8, tzinfo=UTC)
    assert billing.last_rotated == dt.datetime(2023, 7, 15, 12, tzinfo=UTC)  # the oldest active key
    assert f"aws-account:{ACCOUNT}" in billing.tags and billing.selectors == ()  # the report has no key ids
    assert any("2 user(s) without an active access key" in n for n in result.notes)
    assert any("no access key ids" in n for n in result.notes)


def test_aws_credential_report_errors_name_the_line() -> None:
    with pytest.raises(UsageError, match=r"^report.csv:1: not an AWS IAM credential report: missing column\(s\) arn"):
        imp("aws-credential-report", "user,password_enabled\nx,true\n", "report.csv")
    broken = credential_report().replace("2024-11-02T09:30:00+00:00", "yesterday")
    with pytest.raises(UsageError, match=r"^report.csv:3: column access_key_1_last_rotated: not an ISO 8601"):
        imp("aws-credential-report", broken, "report.csv")


def access_keys(rng: random.Random) -> tuple[str, list[str]]:
    ids = [fakecreds.aws_access_key_id(rng, account_id=ACCOUNT) for _ in range(2)]
    doc = {"AccessKeyMetadata": [
        {"UserName": "billing-exporter", "AccessKeyId": ids[0], "Status": "Active", "CreateDate": "2023-07-15T12:00:00+00:00"},
        {"UserName": "billing-exporter", "AccessKeyId": ids[1], "Status": "Inactive", "CreateDate": "2022-01-01T00:00:00+00:00"},
    ]}
    return json.dumps(doc, indent=4), ids


def test_aws_access_keys_add_key_ids_to_the_same_identity(tmp_path: Path, rng: random.Random) -> None:
    text, ids = access_keys(rng)
    assert aws_account_of_key(ids[0]) == str(ACCOUNT)
    [ident] = imp("aws-access-keys", text).identities
    assert ident.id == f"aws:{ACCOUNT}:user/billing-exporter" and ident.values("aws_key_ids") == tuple(ids)
    (tmp_path / "report.csv").write_text(credential_report())
    (tmp_path / "keys.json").write_text(text)
    inv = tmp_path / "inventory.toml"
    rc, _out, err = cli_inprocess("inventory", "import", "--from", "aws-credential-report", str(tmp_path / "report.csv"),
                                  "--into", str(inv), "--owner", "payments", "--rotation-max-age-days", "90")
    assert rc == 0 and "2 identities added, 0 updated" in err and "note: the credential report has no access key ids" in err
    rc, _out, err = cli_inprocess("inventory", "import", "--from", "aws-access-keys", str(tmp_path / "keys.json"), "--into", str(inv))
    assert rc == 0 and "0 identities added, 1 updated" in err
    merged = load_inventory(inv).by_id[f"aws:{ACCOUNT}:user/billing-exporter"]
    assert merged.values("aws_key_ids") == tuple(ids) and merged.max_age_days == 90
    assert merged.owner is not None and merged.owner.team == "payments"
    assert merged.created == dt.datetime(2021, 5, 4, 8, tzinfo=UTC)


def gcloud_listing(rng: random.Random) -> tuple[str, str, list[str]]:
    email = "etl-runner@data-platform-123456.iam.gserviceaccount.com"
    ids = [fakecreds.chars(rng, fakecreds.HEX, 40) for _ in range(3)]
    base = f"projects/data-platform-123456/serviceAccounts/{email}/keys/"
    rows = [
        {"keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED",
         "name": base + ids[0], "validAfterTime": "2024-03-01T10:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z"},
        {"keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "USER_MANAGED", "disabled": True,
         "name": base + ids[1], "validAfterTime": "2022-01-01T00:00:00Z", "validBeforeTime": "9999-12-31T23:59:59Z"},
        {"keyAlgorithm": "KEY_ALG_RSA_2048", "keyOrigin": "GOOGLE_PROVIDED", "keyType": "SYSTEM_MANAGED",
         "name": base + ids[2], "validAfterTime": "2025-01-01T00:00:00Z", "validBeforeTime": "2025-01-17T00:00:00Z"},
    ]
    return json.dumps(rows, indent=2), email, ids


def test_gcloud_keys_give_the_account_its_email_and_user_managed_keys(rng: random.Random) -> None:
    text, email, ids = gcloud_listing(rng)
    result = imp("gcloud-keys", text)
    [ident] = result.identities
    assert ident.id == f"gcp:{email}" and ident.kind == "service-account"
    assert ident.values("gcp_client_emails") == (email,)
    assert ident.values("gcp_key_ids") == (ids[0], ids[1])  # the Google-managed key is not a selector
    assert ident.created == dt.datetime(2022, 1, 1, tzinfo=UTC)
    assert ident.last_rotated == dt.datetime(2024, 3, 1, 10, tzinfo=UTC)  # oldest enabled user-managed key
    assert "gcp-project:data-platform-123456" in ident.tags
    assert result.notes and "Google-managed" in result.notes[0]


def test_gcloud_keys_error_names_the_entry_line(rng: random.Random) -> None:
    text, _email, _ids = gcloud_listing(rng)
    rows = json.loads(text)
    rows[1]["name"] = "projects/p/keys/oops"
    bad = json.dumps(rows, indent=2)
    line = bad.splitlines().index('    "name": "projects/p/keys/oops",') + 1
    with pytest.raises(UsageError, match=rf"^keys.json:{line}: key name 'projects/p/keys/oops' is not"):
        imp("gcloud-keys", bad, "keys.json")


def _openssh(key: object) -> str:
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()  # type: ignore[attr-defined]


def _spki(public_key: object) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]
    return hashlib.sha256(der).hexdigest()


def test_authorized_keys_fingerprints_match_ssh_keygen(tmp_path: Path) -> None:
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    ecdsa = ec.generate_private_key(ec.SECP256R1()).public_key()
    text = (
        "# deploy keys\n\n"
        f"{_openssh(ed)} deploy@ci-runner-1\n"
        f'command="/usr/bin/rsync --server",no-pty,from="10.0.0.0/8" {_openssh(rsa_key)} backup@db-1\n'
        f"{_openssh(ecdsa)} deploy@ci-runner-1\n"
        f"{_openssh(ed25519.Ed25519PrivateKey.generate().public_key())}\n"
    )
    (tmp_path / "authorized_keys").write_text(text)
    result = imp("authorized-keys", text)
    by_id = {i.id: i for i in result.identities}
    assert {"ssh:backup@db-1", "ssh:deploy@ci-runner-1"} < set(by_id) and len(by_id) == 3  # + one without comment
    deploy = by_id["ssh:deploy@ci-runner-1"]
    assert deploy.kind == "host" and deploy.values("user_hosts") == ("deploy@ci-runner-1",)
    assert deploy.values("spki_sha256") == (_spki(ed), _spki(ecdsa))
    expected = []
    for pub in (ed, ecdsa):
        blob = base64.b64decode(_openssh(pub).split()[1])
        expected.append("SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("="))
    assert deploy.values("ssh_fingerprints") == tuple(expected)
    if shutil.which("ssh-keygen"):
        listing = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(tmp_path / "authorized_keys")],
                                 capture_output=True, text=True, check=True).stdout
        printed = {line.split()[1] for line in listing.splitlines()}
        assert set(expected) | set(by_id["ssh:backup@db-1"].values("ssh_fingerprints")) <= printed


def test_authorized_keys_bad_lines(tmp_path: Path) -> None:
    good = _openssh(ed25519.Ed25519PrivateKey.generate().public_key())
    with pytest.raises(UsageError, match=r"^keys:2: not an authorized_keys line"):
        imp("authorized-keys", f"{good} a@b\nssh-foo AAAA x@y\n", "keys")
    wrong = "ssh-rsa " + good.split()[1]  # an ed25519 key labelled rsa
    with pytest.raises(UsageError, match=r"^keys:1: the key data does not hold a ssh-rsa key"):
        imp("authorized-keys", wrong + "\n", "keys")


def make_cert(cn: str, serial: int, not_before: dt.datetime, days: int) -> tuple[bytes, object]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(serial).not_valid_before(not_before).not_valid_after(not_before + dt.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM), cert


def test_pem_bundle_gives_certificates_serials_and_fingerprints() -> None:
    old_pem, old = make_cert("gateway.internal", 0x1A2B, dt.datetime(2023, 1, 1, tzinfo=UTC), 365)
    new_pem, new = make_cert("gateway.internal", 0x3C4D, dt.datetime(2024, 1, 1, tzinfo=UTC), 365)
    other_pem, other = make_cert("api.internal", 77, dt.datetime(2024, 6, 1, tzinfo=UTC), 90)
    key_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    bundle = b"subject=CN=gateway.internal\n" + old_pem + new_pem + key_pem + other_pem
    result = imp("pem-bundle", bundle.decode())
    by_id = {i.id: i for i in result.identities}
    assert sorted(by_id) == ["cert:api.internal", "cert:gateway.internal"]
    gw = by_id["cert:gateway.internal"]
    assert gw.kind == "workload" and gw.values("cert_serials") == ("1a2b", "3c4d")
    assert gw.values("cert_sha256") == tuple(hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).hexdigest()  # type: ignore[attr-defined]
                                             for c in (old, new))
    assert gw.values("spki_sha256") == (_spki(old.public_key()), _spki(new.public_key()))  # type: ignore[attr-defined]
    assert gw.created == dt.datetime(2023, 1, 1, tzinfo=UTC) and gw.last_rotated == dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert "CN=gateway.internal,O=Acme" in gw.notes
    assert by_id["cert:api.internal"].values("cert_serials") == ("4d",)
    assert result.notes and "not certificates skipped" in result.notes[0]
    assert b"PRIVATE KEY" in key_pem and "PRIVATE" not in json.dumps([str(i) for i in result.identities])


def test_pem_bundle_errors() -> None:
    pem, _cert = make_cert("x", 1, dt.datetime(2024, 1, 1, tzinfo=UTC), 30)
    broken = pem.decode().replace(pem.decode().splitlines()[3], "A" * 64)
    with pytest.raises(UsageError, match=r"^bundle.pem:3: not a valid certificate"):
        imp("pem-bundle", "# a bundle\n\n" + broken, "bundle.pem")
    with pytest.raises(UsageError, match=r"^bundle.pem:1: no PEM certificate"):
        imp("pem-bundle", "nothing here\n", "bundle.pem")


CODEOWNERS = """# owners of the shop
*                       @acme/platform
/services/billing/      @acme/payments billing-lead@example.com
/services/orders/       @acme/orders  # the orders team
docs/**/*.md            @acme/docs
/vendor/

[Legacy]
/old\\ stuff/           @acme/legacy
"""


def test_codeowners_become_path_owners_in_order() -> None:
    result = imp("codeowners", CODEOWNERS)
    assert [(p.pattern, p.owners, p.line) for p in result.path_owners] == [
        ("*", ("@acme/platform",), 2),
        ("/services/billing/", ("@acme/payments", "billing-lead@example.com"), 3),
        ("/services/orders/", ("@acme/orders",), 4),
        ("docs/**/*.md", ("@acme/docs",), 5),
        ("/vendor/", (), 6),
        ("/old stuff/", ("@acme/legacy",), 9),
    ]
    with pytest.raises(UsageError, match=r"^CODEOWNERS:2: 'payments' is not an owner"):
        imp("codeowners", "* @acme/x\n/a/ payments\n", "CODEOWNERS")


def test_inventory_import_prints_toml_and_scopes_codeowners(tmp_path: Path) -> None:
    (tmp_path / "CODEOWNERS").write_text(CODEOWNERS)
    rc, out, err = cli_inprocess("inventory", "import", "--from", "codeowners", str(tmp_path / "CODEOWNERS"),
                                 "--repository", "acme/shop")
    assert rc == 0 and "6 path owner(s)" in err
    assert '[[path_owner]]\npattern = "/services/billing/"\nowners = ["@acme/payments", "billing-lead@example.com"]\n' \
           'repository = "acme/shop"\n' in out
    (tmp_path / "inv.toml").write_text(out)
    assert len(load_inventory(tmp_path / "inv.toml").path_owners) == 6


def test_inventory_import_usage_errors(tmp_path: Path) -> None:
    rc, _out, err = cli_inprocess("inventory", "import", "--from", "gcloud-keys", str(tmp_path / "missing.json"))
    assert rc == 2 and err.strip() == f"credsprawl: error: {tmp_path / 'missing.json'}: file not found"
    (tmp_path / "k.json").write_text("[]")
    rc, _out, err = cli_inprocess("inventory", "import", "--from", "gcloud-keys", str(tmp_path / "k.json"), "--kind", "robot")
    assert rc == 2 and "unknown identity kind 'robot'" in err
    rc, _out, err = cli_inprocess("inventory", "import", "--from", "nope", str(tmp_path / "k.json"))
    assert rc == 2
