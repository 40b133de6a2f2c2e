"""Certificates are inventory, not leaks: found in PEM and DER, listed with their facts in every
format, never counted as findings; keys are paired with the certificates issued for them; PKCS#12
keystores are opened. Through the real CLI, with keys and certificates made at test time."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
from conftest import run_cli
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from keyutil import UTC, cert_der, cert_pem, iso, make_cert, new_key, private_pem, spki_sha256

from fixtures import fakecreds as fc
from scanner.model import normalise_secret

FAST = ("--engine", "ahocorasick")  # facts do not depend on the prefilter; skips compiling a Hyperscan database
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def scan(root: Path, fmt: str = "json", *extra: str) -> tuple[int, Any]:
    listing = ("--list-certificates",) if fmt == "json" else ()  # the JSON lists certificates only when asked
    proc = run_cli("scan", str(root), *FAST, "--format", fmt, "--quiet", *listing, *extra)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout) if fmt in ("json", "sarif") else proc.stdout


def by_path(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["path"]: e for e in entries}


def test_a_folder_of_certificates_is_clean_and_listed(tmp_path: Path) -> None:
    key = new_key("ec")
    cert = make_cert(key, "api.example.test", days=400, sans=("api.example.test", "www.example.test"))
    (tmp_path / "server.pem").write_text("# public certificate\n" + cert_pem(cert))
    (tmp_path / "server.der").write_bytes(cert_der(cert))
    code, report = scan(tmp_path)
    assert code == 0
    assert report["findings"] == [] and report["summary"]["findings"] == 0
    certs = by_path(report["certificates"])
    assert set(certs) == {"server.pem", "server.der"}
    pem, der = certs["server.pem"], certs["server.der"]
    assert pem["fingerprint"] == der["fingerprint"]  # the same certificate, however it is stored
    assert pem["start_line"] == 2 and der["attributes"] == pem["attributes"]
    assert pem["attributes"] == {
        "cert.subject": cert.subject.rfc4514_string(),
        "cert.issuer": cert.issuer.rfc4514_string(),
        "cert.sans": "api.example.test,www.example.test",
        "cert.serial": format(cert.serial_number, "x"),
        "cert.not_before": iso(cert.not_valid_before_utc),
        "cert.not_after": iso(cert.not_valid_after_utc),
        "cert.expired": "false",
        "cert.spki_sha256": spki_sha256(key.public_key()),
        "cert.sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "secret.sha256": hashlib.sha256(normalise_secret(cert_pem(cert)).encode()).hexdigest(),
    }
    assert "secret" not in pem and "line" not in pem  # nothing of a leak's shape


def test_expired_certificate_in_text_and_json(tmp_path: Path) -> None:
    key = new_key("rsa")
    old = make_cert(key, "legacy.example.test", start=dt.datetime(2019, 1, 1, tzinfo=UTC), days=365)
    (tmp_path / "legacy.crt").write_text(cert_pem(old))
    code, report = scan(tmp_path)
    assert code == 0
    a = report["certificates"][0]["attributes"]
    assert a["cert.expired"] == "true" and a["cert.not_after"] == "2020-01-01T00:00:00Z"
    _, text = scan(tmp_path, "text", "--no-color", "--list-certificates")
    assert "Certificates (1)" in text
    assert "legacy.crt:1  O=credsprawl tests,CN=legacy.example.test  self-signed  expired 2020-01-01" in text
    loud = run_cli("scan", str(tmp_path), *FAST, "--no-color")  # --quiet drops the "No secrets found." line
    assert loud.returncode == 0 and "No secrets found." in loud.stdout  # a certificate is inventory, not a leak
    text = loud.stdout  # the summary block (not under --quiet)
    assert "legacy.crt" not in text  # by default a count, not a list
    assert "Certificates:   1 (1 expired, 0 expiring within 30 days); --list-certificates lists them" in text


def test_hundreds_of_ca_roots_are_a_count_unless_listed(tmp_path: Path) -> None:
    """A site-packages tree holds hundreds of CA roots: the text report and the JSON count them; the
    lists of certificates and skipped files come only when asked."""
    now = dt.datetime.now(UTC)
    key = new_key("ec")
    bundle = "".join(cert_pem(make_cert(key, f"Root {n}", start=now - dt.timedelta(days=400), days=d))
                     for n, d in enumerate([10] * 3 + [420] * 2 + [3650] * 120))  # 3 expired, 2 expire within a month
    (tmp_path / "certifi").mkdir()
    (tmp_path / "certifi" / "cacert.pem").write_text(bundle)
    for n in range(30):
        (tmp_path / "certifi" / f"blob{n}.bin").write_bytes(bytes(range(256)) * 4)
    key_file = tmp_path / "id.key"
    key_file.write_text(private_pem(new_key("ed25519"), "openssh"))
    text = run_cli("scan", str(tmp_path), *FAST, "--no-color").stdout  # the summary block (not under --quiet)
    assert "Root 7" not in text and "blob3.bin" not in text
    assert "Certificates:   125 (3 expired, 2 expiring within 30 days); --list-certificates lists them" in text
    assert "Skipped:        30 (binary 30); --list-skipped lists them" in text
    _, listed = scan(tmp_path, "text", "--no-color", "--list-certificates", "--list-skipped")
    assert listed.count("CN=Root ") == 125 and "certifi/blob3.bin  binary" in listed
    proc = run_cli("scan", str(tmp_path), *FAST, "--format", "json", "--quiet")
    report = json.loads(proc.stdout)
    assert "certificates" not in report and "skipped" not in report["summary"]
    assert report["summary"]["certificates"] == {"total": 125, "expired": 3, "expiring": 2}
    assert report["summary"]["skipped_by_reason"] == {"binary": 30}
    assert report["version"] == 3
    assert len(proc.stdout) < 10_000
    _, full = scan(tmp_path, "json", "--list-skipped")
    assert len(full["certificates"]) == 125 and len(full["summary"]["skipped"]) == 30


def test_key_is_paired_with_its_certificate(tmp_path: Path) -> None:
    key, other = new_key("rsa"), new_key("ec")
    cert = make_cert(key, "svc.example.test")
    (tmp_path / "tls").mkdir()
    (tmp_path / "tls" / "svc.crt").write_text(cert_pem(cert))
    (tmp_path / "tls" / "svc.key").write_text(private_pem(key, "pkcs8"))
    (tmp_path / "tls" / "other.key").write_text(private_pem(other, "sec1"))
    code, report = scan(tmp_path)
    assert code == 1  # the private key is the leak
    keys = by_path(report["findings"])
    digest = report["certificates"][0]["attributes"]["cert.sha256"]
    assert keys["tls/svc.key"]["attributes"]["key.paired_certs"] == digest
    assert "key.paired_certs" not in keys["tls/other.key"]["attributes"]
    _, text = scan(tmp_path, "text", "--no-color")
    assert "paired with 1 certificate(s)" in text


def test_sarif_counts_certificates_in_run_properties_and_validates(tmp_path: Path) -> None:
    key = new_key("ed25519")
    (tmp_path / "ca.pem").write_text(cert_pem(make_cert(key, "Example Root")))
    (tmp_path / "id.key").write_text(private_pem(key, "openssh"))
    code, log = scan(tmp_path, "sarif")
    assert code == 1
    assert list(jsonschema.Draft4Validator(SCHEMA).iter_errors(log)) == []
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["private-key-openssh"]  # no alert for the certificate
    assert run["properties"]["certificates"] == {"total": 1, "expired": 0, "expiring": 0}  # counts, not a list
    _, report = scan(tmp_path, "json", "--list-certificates")
    (cert,) = report["certificates"]
    assert cert["path"] == "ca.pem" and cert["attributes"]["cert.subject"] == "O=credsprawl tests,CN=Example Root"
    assert run["results"][0]["properties"]["attributes"]["key.paired_certs"] == cert["attributes"]["cert.sha256"]


def _p12(key: Any, cert: Any, password: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(b"client", key, cert, None, encryption)


def test_pkcs12_files_are_opened_with_no_password_or_one_found_beside_them(tmp_path: Path) -> None:
    rng = random.Random(12)
    password = fc.chars(rng, fc.ALNUM, 20)
    open_key, locked_key, closed_key = new_key("rsa"), new_key("ec"), new_key("ec")
    open_cert = make_cert(open_key, "client-open")
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "client.p12").write_bytes(_p12(open_key, open_cert, None))
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "client.pfx").write_bytes(_p12(locked_key, make_cert(locked_key, "client-locked"), password.encode()))
    (tmp_path / "locked" / "app.properties").write_text(f'keystore_password = "{password}"\n')
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "client.p12").write_bytes(_p12(closed_key, make_cert(closed_key, "client-closed"), b"elsewhere-Xq4"))
    code, report = scan(tmp_path)
    assert code == 1
    found = {(f["path"], f["rule_id"]): f["attributes"] for f in report["findings"]}
    opened = found[("open/client.p12", "pkcs12-keystore")]
    assert opened["key.format"] == "pkcs12" and opened["key.encrypted"] == "false"
    assert opened["key.type"] == "rsa" and opened["key.spki_sha256"] == spki_sha256(open_key.public_key())
    assert opened["cert.subject"] == "O=credsprawl tests,CN=client-open"
    assert opened["key.paired_certs"] == opened["cert.sha256"]
    unlocked = found[("locked/client.pfx", "pkcs12-keystore")]
    assert unlocked["key.encrypted"] == "true" and unlocked["key.spki_sha256"] == spki_sha256(locked_key.public_key())
    closed = found[("closed/client.p12", "pkcs12-keystore")]
    assert {k: v for k, v in closed.items() if k.startswith(("key.", "cert."))} == {
        "key.format": "pkcs12", "key.encrypted": "true"}


def test_keystore_and_der_certificate_inside_an_archive(tmp_path: Path) -> None:
    key = new_key("ec")
    cert = make_cert(key, "bundled.example.test")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("certs/bundled.cer", cert_der(cert))
        zf.writestr("certs/bundled.p12", _p12(key, cert, None))
        zf.writestr("certs/photo.der", b"\x30\x03\x02\x01\x00" + bytes(100))  # a .der that is no certificate
    (tmp_path / "release.zip").write_bytes(buf.getvalue())
    code, report = scan(tmp_path)
    assert code == 1
    assert [c["path"] for c in report["certificates"]] == ["release.zip!certs/bundled.cer"]
    (keystore,) = report["findings"]
    assert keystore["path"] == "release.zip!certs/bundled.p12"
    assert keystore["attributes"]["key.paired_certs"] == report["certificates"][0]["attributes"]["cert.sha256"]


def test_disabling_the_rule_drops_certificates(tmp_path: Path) -> None:
    cert = make_cert(new_key("ec"), "quiet.example.test")
    (tmp_path / "a.pem").write_text(cert_pem(cert))
    (tmp_path / "b.der").write_bytes(cert_der(cert))
    code, report = scan(tmp_path, "json", "--disable", "x509-certificate")
    assert code == 0 and report["certificates"] == [] and report["findings"] == []


def test_facts_primed_while_scanning_give_the_same_report(tmp_path: Path) -> None:
    """The CLI derives facts as results come in (``Enricher.prime``); the enriched report is the one
    ``enrich_report`` gives after the scan, keystores opened with a password found beside them included."""
    from scanner.cli import app as cli
    from scanner.identity.enrich import Enricher, enrich_report
    from scanner.cli.requests import scan_request
    from scanner.pipeline.scan import run_scan

    password = fc.chars(random.Random(3), fc.ALNUM, 20)
    key = new_key("ec")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "client.pfx").write_bytes(_p12(key, make_cert(key, "client"), password.encode()))
    (tmp_path / "svc" / "app.properties").write_text(f'keystore_password = "{password}"\n')
    (tmp_path / "svc" / "id.key").write_text(private_pem(new_key("rsa"), "pkcs8"))
    request = scan_request(cli.build_parser().parse_args(["scan", str(tmp_path), *FAST, "--jobs", "1"]))
    after = enrich_report(run_scan(request))
    enricher = Enricher(request.ruleset.by_id)
    primed: list[str] = []
    report = run_scan(request, on_findings=lambda found: primed.extend(f.rule_id for f in found))
    assert sorted(primed) == sorted(f.rule_id for f in report.findings)  # every finding is seen as it comes
    enricher.prime(report.findings)
    assert len(enricher._cache) == len(report.findings) - 1  # all but the keystore (its passwords need the report)
    during = enricher.enrich(report)
    assert during.findings == after.findings
    keystore = next(f for f in during.findings if f.rule_id == "pkcs12-keystore")
    assert keystore.attribute("key.encrypted") == "true" and keystore.attribute("key.spki_sha256")
