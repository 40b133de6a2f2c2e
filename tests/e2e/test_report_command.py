"""``credsprawl report``: lifecycle from a real git history, rotation policy, certificate expiry, the
JSON document's shape, SARIF validity, text and HTML output, and exit codes."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from findingutil import by_fp, finding, fingerprint, report_json, results_file
from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess, extra, history_json

SARIF_SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def commit_at(repo: GitRepo, message: str, when: str) -> str:
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, "--date", when)
    return repo.head()


@pytest.fixture
def tokens() -> list[str]:
    rng = random.Random(11)
    return [fakecreds.github_token(rng) for _ in range(2)]


@pytest.fixture
def leaky_repo(tmp_path: Path, tokens: list[str]) -> tuple[GitRepo, dict[str, str]]:
    """Two tokens leak on 2025-01-05 10:00; the first is removed from both files on 2025-02-04 10:00,
    the second stays."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("README.md", "# shop\n")
    commits = {"init": commit_at(repo, "init", "2024-12-01T09:00:00+00:00")}
    repo.write("app.py", f"TOKEN = '{tokens[0]}'\n")
    repo.write("docs/setup.md", f"export TOKEN={tokens[0]}\n")
    repo.write("config/live.env", f"GH={tokens[1]}\n")
    commits["add"] = commit_at(repo, "add tokens", "2025-01-05T10:00:00+00:00")
    repo.write("app.py", "TOKEN = os.environ['TOKEN']\n")
    repo.remove("docs/setup.md")
    commits["remove"] = commit_at(repo, "remove the first token", "2025-02-04T10:00:00+00:00")
    return repo, commits


def test_lifecycle_from_a_real_git_history(tmp_path: Path, leaky_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, commits = leaky_repo
    history = history_json(repo.path)
    removed = [f for f in history["findings"] if extra(f)["status"] == "history"]
    assert {extra(f)["removed_date"] for f in removed} == {"2025-02-04T10:00:00+00:00"}  # history.py records it
    assert {extra(f)["removed_author"] for f in removed} == {"Ann Author"}
    results = tmp_path / "history.json"
    results.write_text(json.dumps(history))
    doc = report_json(str(results), "--now", "2025-03-01T10:00:00Z")
    assert doc["now"] == "2025-03-01T10:00:00Z"
    gone, live = sorted(doc["credentials"], key=lambda c: c["present"])
    assert gone["first_seen"] == {"commit": commits["add"], "date": "2025-01-05T10:00:00+00:00",
                                  "author": "Ann Author", "path": "app.py"}
    assert gone["removed"] == {"commit": commits["remove"], "date": "2025-02-04T10:00:00+00:00"}
    assert gone["present"] is False and gone["exposure_days"] == 30
    assert gone["sprawl"] == {"locations": 2, "files": 2, "repositories": 1, "refs": 0}
    assert {loc["path"] for loc in gone["locations"]} == {"app.py", "docs/setup.md"}
    assert all(loc["commit"] == commits["add"] and loc["status"] == "history" for loc in gone["locations"])
    assert live["removed"] is None and live["present"] is True and live["exposure_days"] == 55  # Jan 5 -> Mar 1
    assert live["sprawl"]["refs"] == 1 and live["locations"][0]["ref"] == "refs/heads/main"
    assert any("git filter-repo" in step for step in gone["remediation"])
    assert not any("Remove it from the files" in step for step in gone["remediation"])
    assert any("Remove it from the files" in step for step in live["remediation"])
    assert doc["timeline"] == [{"month": "2025-01", "credentials": 2}]
    assert doc["summary"]["present_credentials"] == 1 and doc["summary"]["occurrences"] == 3


def test_rotation_policy_from_the_inventory_and_from_git(tmp_path: Path, leaky_repo: tuple[GitRepo, dict[str, str]]) -> None:
    repo, _commits = leaky_repo
    results = tmp_path / "history.json"
    results.write_text(json.dumps(history_json(repo.path)))
    inv = tmp_path / "inv.toml"
    inv.write_text('''[[identity]]
id = "shop-ci"
kind = "ci-job"
owner = { team = "shop", contact = "shop@example.com" }
last_rotated = 2025-02-25
rotation_max_age_days = 30
[identity.selectors]
paths = ["/config/"]

[[identity]]
id = "docs-bot"
kind = "bot"
owner = { team = "shop" }
last_rotated = 2025-02-25
rotation_max_age_days = 90
[identity.selectors]
paths = ["app.py", "docs/"]
''')
    doc = report_json(str(results), "--inventory", str(inv), "--now", "2025-03-01T10:00:00Z")
    creds = {c["identity"]: c for c in doc["credentials"]}
    # rotated 4 days ago, but this credential leaked 55 days ago: older than the 30-day policy
    assert (creds["shop-ci"]["rotation_overdue"], creds["shop-ci"]["age_days"], creds["shop-ci"]["max_age_days"]) == (True, 55, 30)
    assert (creds["docs-bot"]["rotation_overdue"], creds["docs-bot"]["age_days"]) == (False, 55)
    rows = {r["id"]: r for r in doc["identities"]}
    assert rows["shop-ci"]["rotation_overdue"] == 1 and rows["shop-ci"]["exposure_days"] == 55
    assert rows["docs-bot"]["exposure_days"] == 30 and rows["docs-bot"]["worst_severity"] == "critical"
    [owner] = doc["owners"]
    # exposure of an owner is the union of its credentials' exposures (both leaked on Jan 5), not their sum (85)
    assert owner == {"team": "shop", "contact": "shop@example.com", "identities": ["shop-ci", "docs-bot"],
                     "credentials": 2, "exposure_days": 55, "worst_severity": "critical", "key": "shop", "aliases": []}
    assert doc["summary"]["rotation_overdue"] == 1 and doc["summary"]["identities_with_leaks"] == 2


def test_rotation_policy_without_git_facts(tmp_path: Path) -> None:
    inv = tmp_path / "inv.toml"
    inv.write_text('''[[identity]]
id = "stale"
kind = "service-account"
created = 2023-01-01
rotation_max_age_days = 90
[identity.selectors]
paths = ["stale/"]

[[identity]]
id = "fresh"
kind = "service-account"
created = 2023-01-01
last_rotated = 2025-12-01
rotation_max_age_days = 90
[identity.selectors]
paths = ["fresh/"]

[[identity]]
id = "no-policy"
kind = "service-account"
[identity.selectors]
paths = ["free/"]
''')
    results = results_file(tmp_path, [finding("s", "stale/a.env"), finding("f", "fresh/a.env"), finding("n", "free/a.env")])
    creds = by_fp(report_json(str(results), "--inventory", str(inv), "--now", "2026-01-01"))
    assert (creds[fingerprint("s")]["rotation_overdue"], creds[fingerprint("s")]["age_days"]) == (True, 1096)
    assert (creds[fingerprint("f")]["rotation_overdue"], creds[fingerprint("f")]["age_days"]) == (False, 31)
    assert creds[fingerprint("n")]["rotation_overdue"] is None and creds[fingerprint("n")]["max_age_days"] is None
    assert creds[fingerprint("s")]["present"] is True and creds[fingerprint("s")]["first_seen"] is None
    assert creds[fingerprint("s")]["exposure_days"] is None
    assert any("Rotation is overdue" in step for step in creds[fingerprint("s")]["remediation"])


def _cert(name: str, not_after: str, sha: str) -> dict[str, Any]:
    return {"rule_id": "x509-certificate", "path": f"certs/{name}.pem",
            "origin": [{"path": f"certs/{name}.pem", "kind": "file", "extra": {}}],
            "start_line": 1, "start_column": 1, "end_line": 20, "end_column": 26, "fingerprint": fingerprint(name),
            "attributes": {"cert.subject": f"CN={name}", "cert.issuer": "CN=Acme CA", "cert.serial": "1f",
                           "cert.not_after": not_after, "cert.sha256": sha}}


def test_certificate_expiry(tmp_path: Path) -> None:
    inv = tmp_path / "inv.toml"
    inv.write_text(f'''[[identity]]
id = "gateway"
kind = "workload"
[identity.selectors]
cert_sha256 = ["{'a' * 64}"]
''')
    certs = [_cert("old", "2025-12-01T00:00:00Z", "a" * 64), _cert("soon", "2026-01-20T00:00:00Z", "b" * 64),
             _cert("later", "2027-01-01T00:00:00Z", "c" * 64)]
    key = finding("tls-key", "certs/soon.key", rule_id="private-key-pkcs8", kind="private-key", severity="critical",
                  attributes={"key.spki_sha256": "d" * 64, "cert.not_after": "2026-01-10T00:00:00Z", "cert.sha256": "e" * 64,
                              "cert.subject": "CN=soon"})
    results = results_file(tmp_path, [key], certificates=certs)
    doc = report_json(str(results), "--inventory", str(inv), "--now", "2026-01-01")
    cert_rows = {c["fingerprint"]: c for c in doc["certificates"]}
    assert cert_rows["a" * 64]["expired"] is True and cert_rows["a" * 64]["identity"] == "gateway"
    assert (cert_rows["b" * 64]["expired"], cert_rows["b" * 64]["expires_in_days"]) == (False, 19)
    assert (cert_rows["c" * 64]["expired"], cert_rows["c" * 64]["expires_in_days"]) == (False, 365)
    assert cert_rows["e" * 64]["expires_in_days"] == 9 and cert_rows["e" * 64]["path"] == "certs/soon.key"
    [cred] = doc["credentials"]
    assert (cred["cert_expired"], cred["cert_expires_in_days"]) == (False, 9)
    assert doc["summary"]["certs_expired"] == 1 and doc["summary"]["certs_expiring"] == 2
    assert doc["summary"]["credentials"] == 1  # certificates are inventory, not leaks


# the contract with the HTML report (scanner.identity.document); extra keys are allowed
NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}
NULL_BOOL = {"type": ["boolean", "null"]}
OWNER = {"type": ["object", "null"], "required": ["team", "contact"],
         "properties": {"team": {"type": "string"}, "contact": {"type": "string"}}}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": sorted(props), "properties": props}


DOC_SCHEMA = _obj({
    "version": {"const": 3}, "kind": {"const": "credsprawl-identity-report"}, "generated": {"type": "string"},
    "now": {"type": "string"}, "sources": {"type": "array", "items": {"type": "string"}}, "inventory": NULL_STR,
    "summary": _obj({**{k: {"type": "integer"} for k in (
        "credentials", "occurrences", "findings", "identities", "identities_with_leaks", "owners", "unknown_credentials",
        "candidate_identities", "shared_credentials", "rotation_overdue", "present_credentials", "certs_expired",
        "certs_expiring", "verified_live", "verified_invalid", "unverified", "disagreements")}, "by_severity": _obj({s: {"type": "integer"} for s in ("critical", "high", "medium", "low")})}),
    "credentials": {"type": "array", "items": _obj({
        "priority": {"type": "integer", "minimum": 1},
        "fingerprints": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "rules": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "fingerprint": {"type": "string"}, "rule_id": {"type": "string"}, "rule_name": {"type": "string"},
        "kind": NULL_STR, "provider": NULL_STR, "severity": {"enum": ["critical", "high", "medium", "low"]},
        "confidence": {"type": "string"}, "secret": {"type": "string"}, "identity": NULL_STR, "identity_name": NULL_STR,
        "match": {"oneOf": [{"type": "null"}, _obj({"selector": {"type": "string"}, "value": {"type": "string"},
                                                    "strength": {"type": "integer"}})]},
        "owner": OWNER, "candidate": NULL_STR, "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
        "first_seen": {"oneOf": [{"type": "null"}, _obj({"commit": NULL_STR, "date": NULL_STR, "author": NULL_STR,
                                                         "path": {"type": "string"}})]},
        "removed": {"oneOf": [{"type": "null"}, _obj({"commit": {"type": "string"}, "date": NULL_STR})]},
        "present": NULL_BOOL, "exposure_days": NULL_INT,
        "sprawl": _obj({k: {"type": "integer"} for k in ("locations", "files", "repositories", "refs")}),
        "shared": {"type": "boolean"}, "shared_by": {"type": "array", "items": {"type": "string"}},
        "rotation_overdue": NULL_BOOL, "age_days": NULL_INT, "max_age_days": NULL_INT,
        "cert_expired": NULL_BOOL, "cert_expires_in_days": NULL_INT,
        "remediation": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "revoke": {"type": "string", "minLength": 1},
        "identity_source": {"enum": ["provider", "inventory", None]},
        "verification": {"type": ["object", "null"]}, "verified": {"enum": ["live", "invalid", "unverified"]},
        "provider_identity": {"oneOf": [{"type": "null"}, _obj({"provider": {"type": "string"},
                                                                "principal": {"type": "string"}, "who": {"type": "string"}})]},
        "disagreements": {"type": "array", "items": {"type": "string"}},
        "locations": {"type": "array", "items": _obj({
            "repository": NULL_STR, "path": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": "integer"},
            "commit": NULL_STR, "date": NULL_STR, "status": NULL_STR, "ref": NULL_STR})}})},
    "identities": {"type": "array", "items": _obj({
        "id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"}, "owner": OWNER,
        "environment": NULL_STR, "tags": {"type": "array", "items": {"type": "string"}},
        "credentials": {"type": "array", "items": {"type": "string"}}, "leaked": {"type": "integer"},
        "exposure_days": {"type": "integer"}, "worst_severity": NULL_STR, "rotation_overdue": {"type": "integer"},
        "shared": {"type": "integer"}})},
    "owners": {"type": "array", "items": _obj({
        "team": {"type": "string"}, "contact": NULL_STR, "identities": {"type": "array", "items": {"type": "string"}},
        "credentials": {"type": "integer"}, "exposure_days": {"type": "integer"}, "worst_severity": NULL_STR,
        "key": {"type": "string"}, "aliases": {"type": "array", "items": {"type": "string"}}})},
    "candidates": {"type": "array", "items": _obj({
        "id": {"type": "string"}, "basis": {"type": "string"}, "facts": {"type": "object"},
        "credentials": {"type": "array", "items": {"type": "string"}}})},
    "certificates": {"type": "array", "items": _obj({
        "fingerprint": {"type": "string"}, "path": {"type": "string"}, "subject": NULL_STR, "issuer": NULL_STR,
        "serial": NULL_STR, "not_after": NULL_STR, "expired": NULL_BOOL, "expires_in_days": NULL_INT,
        "identity": NULL_STR})},
    "timeline": {"type": "array", "items": _obj({"month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                                                 "credentials": {"type": "integer"}})},
})


@pytest.fixture
def rich_results(tmp_path: Path) -> tuple[Path, Path]:
    """Results and an inventory that exercise every part of the document."""
    inv = tmp_path / "inv.toml"
    inv.write_text('''[[identity]]
id = "billing"
kind = "service-account"
owner = { team = "payments", contact = "pay@example.com" }
environment = "prod"
tags = ["pci"]
created = 2024-01-01
rotation_max_age_days = 90
[identity.selectors]
paths = ["/billing/"]

[[identity]]
id = "idle"
kind = "bot"

[[path_owner]]
pattern = "/orders/"
owners = ["@acme/orders"]
''')
    git = {"commit": "a" * 40, "date": "2025-11-03T08:00:00+00:00", "author": "Ann", "status": "history",
           "removed_in": "b" * 40, "removed_date": "2025-12-24T08:00:00+00:00", "refs": "0"}
    findings = [
        finding("bill", "billing/app.env", rule_id="aws-access-key-id", provider="aws", severity="critical", git=git,
                attributes={"aws.key_id": "AKIAIOSFODNN7EXAMPLE", "aws.account_id": "111122223333"}),
        finding("bill", "billing/copy.env", rule_id="aws-access-key-id", provider="aws", severity="critical", line=7,
                git={**git, "date": "2025-11-20T08:00:00+00:00"}),
        finding("ord", "orders/db.yml", rule_id="postgres-uri", kind="connection-string", severity="high",
                attributes={"db.user": "app", "db.host": "pg.internal"}),
        finding("ord-2", "orders/db2.yml", rule_id="postgres-uri", kind="connection-string", severity="medium",
                attributes={"db.user": "ro", "db.host": "pg.internal"}),
        finding("arch", "dist/app.zip!conf/a.env", severity="low"),
    ]
    return results_file(tmp_path, findings, certificates=[_cert("c", "2026-01-20T00:00:00Z", "f" * 64)]), inv


def test_the_json_document_keeps_its_contract(rich_results: tuple[Path, Path]) -> None:
    results, inv = rich_results
    doc = report_json(str(results), "--inventory", str(inv), "--now", "2026-01-01")
    jsonschema.Draft202012Validator(DOC_SCHEMA).validate(doc)
    assert doc["sources"] == [str(results)] and doc["inventory"] == str(inv)
    s = doc["summary"]
    assert (s["credentials"], s["occurrences"], s["identities"], s["identities_with_leaks"]) == (4, 5, 2, 1)
    assert (s["unknown_credentials"], s["candidate_identities"], s["owners"]) == (3, 1, 2)
    assert s["by_severity"] == {"critical": 1, "high": 1, "medium": 1, "low": 1}
    bill = by_fp(doc)[fingerprint("bill")]
    assert bill["first_seen"]["date"] == "2025-11-03T08:00:00+00:00" and bill["exposure_days"] == 51
    assert bill["attributes"] == {"aws.key_id": "AKIAIOSFODNN7EXAMPLE", "aws.account_id": "111122223333"}
    # do first: present at HEAD and high or critical ("ord"), before the critical key already removed ("bill")
    assert [c["fingerprint"] for c in doc["credentials"]][:2] == [fingerprint("ord"), fingerprint("bill")]
    assert [c["priority"] for c in doc["credentials"]] == [1, 2, 3, 4]
    assert doc["timeline"] == [{"month": "2025-11", "credentials": 1}]
    assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(bill["secret"])


def test_sarif_is_valid_and_carries_identity_and_lifecycle(rich_results: tuple[Path, Path]) -> None:
    results, inv = rich_results
    rc, out, err = cli_inprocess("report", str(results), "--inventory", str(inv), "--now", "2026-01-01", "-f", "sarif")
    assert rc == 1, err
    log = json.loads(out)
    assert list(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log)) == []
    run = log["runs"][0]
    assert len(run["results"]) == 5  # one per occurrence
    bill = [r for r in run["results"] if r["partialFingerprints"]["credsprawl/v1"] == fingerprint("bill")]
    assert len(bill) == 2 and {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in bill} == {1, 7}
    props = bill[0]["properties"]
    assert props["identity"] == "billing" and props["owner"] == {"team": "payments", "contact": "pay@example.com"}
    assert props["exposure_days"] == 51 and props["removed"]["commit"] == "b" * 40 and props["rotation_overdue"] is True
    assert "of billing, owner payments" in bill[0]["message"]["text"]
    zipped = [r for r in run["results"] if r["properties"]["path"] == "dist/app.zip!conf/a.env"][0]
    assert zipped["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dist/app.zip"
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"aws-access-key-id", "postgres-uri", "generic-api-key"}
    assert run["properties"]["summary"]["credentials"] == 4


def test_text_report_has_the_tables(rich_results: tuple[Path, Path], tmp_path: Path) -> None:
    results, inv = rich_results
    out_file = tmp_path / "report.txt"
    rc, out, err = cli_inprocess("report", str(results), "--inventory", str(inv), "--now", "2026-01-01", "-o", str(out_file))
    assert rc == 1 and out == "", err
    text = out_file.read_text()
    for heading in ("Credentials", "Identities", "Owners", "Candidate identities", "Certificates", "Remediation"):
        assert heading in text
    assert "billing" in text and "payments" in text and "candidate:db.host=pg.internal" in text
    assert "rotation-overdue" in text and "\x1b[" not in text


def test_html_report(rich_results: tuple[Path, Path], tmp_path: Path) -> None:
    pytest.importorskip("scanner.report.html")
    results, inv = rich_results
    rc, _out, err = cli_inprocess("report", str(results), "--inventory", str(inv), "-f", "html", "-o", str(tmp_path / "r.html"))
    assert rc == 1, err
    page = (tmp_path / "r.html").read_text()
    assert page.lstrip().lower().startswith("<!doctype html") and "credsprawl-identity-report" in page


def test_json_lines_results_are_read_too(tmp_path: Path) -> None:
    lines = tmp_path / "r.jsonl"
    lines.write_text("".join(json.dumps(f) + "\n" for f in (finding("x"), finding("x", "b.py"), finding("y"))))
    doc = report_json(str(lines))
    assert doc["summary"]["credentials"] == 2 and doc["summary"]["occurrences"] == 3


def test_exit_codes(tmp_path: Path, rich_results: tuple[Path, Path]) -> None:
    results, inv = rich_results
    empty = results_file(tmp_path, [], name="empty.json")
    assert cli_inprocess("report", str(empty))[0] == 0
    assert cli_inprocess("report", str(results), "--exit-zero")[0] == 0
    assert cli_inprocess("report", str(results))[0] == 1
    identity_report = tmp_path / "identity.json"
    identity_report.write_text(json.dumps(report_json(str(results))))
    not_ours = tmp_path / "other.json"
    not_ours.write_text('{"runs": []}')
    broken = tmp_path / "broken.json"
    broken.write_text('{"findings": [')
    bad_inv = tmp_path / "bad.toml"
    bad_inv.write_text('[[identity]]\nid = "x"\n')
    cases = [
        (("report", str(tmp_path / "missing.json")), "missing.json: results file not found"),
        (("report", str(not_ours)), "not a credsprawl JSON report"),
        (("report", str(broken)), "broken.json:1: not a credsprawl JSON report: invalid JSON"),
        (("report", str(identity_report)), "this is an identity report"),
        (("report", str(results), "--inventory", str(bad_inv)), "bad.toml:1: missing required key 'kind'"),
        (("report", str(results), "--inventory", str(tmp_path / "none.toml")), "inventory file not found"),
        (("report",), "report needs RESULTS.json file(s) or --datastore PATH"),
        (("report", str(results), "--new-since", "2025-01-01"), "--new-since needs --datastore PATH"),
        (("report", str(results), "--now", "soon"), "not a date"),
    ]
    for args, needle in cases:
        rc, _out, err = cli_inprocess(*args)
        assert rc == 2 and needle in err.strip().splitlines()[-1], (args, err)  # the error is one line


def test_real_findings_match_an_inventory_built_with_the_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scanned secrets carry derived attributes (identity.enrich) that the inventory's selectors match:
    a token by its hash, an AWS key (and its secret key) by key id, a database URI by user@host, an
    SSH private key by the fingerprint of the public key in authorized_keys."""
    import io
    import sys

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    rng = random.Random(5)
    token, key_id = fakecreds.github_token(rng), fakecreds.aws_access_key_id(rng)
    key = ed25519.Ed25519PrivateKey.generate()
    repo = GitRepo(tmp_path / "repo")
    repo.write("ci.yml", f"token: {token}\n")
    repo.write("aws.env", f"AWS_ACCESS_KEY_ID={key_id}\nAWS_SECRET_ACCESS_KEY={fakecreds.aws_secret_access_key(rng)}\n")
    repo.write("db.py", 'DSN = "postgres://api_user:' + fakecreds.url_password(rng) + '@pg.prod.internal:5432/shop"\n')
    repo.write("deploy/id_ed25519", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                                      serialization.NoEncryption()))
    commit_at(repo, "leak everything", "2025-06-01T12:00:00+00:00")
    (tmp_path / "h.json").write_text(json.dumps(history_json(repo.path)))

    class Stdin:
        buffer = io.BytesIO((token + "\n").encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    rc, digest, _err = cli_inprocess("inventory", "hash-token")
    assert rc == 0
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    (tmp_path / "authorized_keys").write_bytes(public + b" deploy@ci-runner\n")
    inv = tmp_path / "inventory.toml"
    rc, _out, err = cli_inprocess("inventory", "import", "--from", "authorized-keys", str(tmp_path / "authorized_keys"),
                                  "--into", str(inv), "--owner", "platform")
    assert rc == 0, err
    with inv.open("a") as fh:
        fh.write(f'''
[[identity]]
id = "ci-bot"
kind = "ci-job"
[identity.selectors]
secret_sha256 = ["{digest.strip()}"]

[[identity]]
id = "shop-api"
kind = "application"
owner = {{ team = "shop" }}
[identity.selectors]
aws_key_ids = ["{key_id}"]
user_hosts = ["api_user@pg.prod.internal"]
''')
    doc = report_json(str(tmp_path / "h.json"), "--inventory", str(inv), "--now", "2025-07-01")
    found = {rule: (c["identity"], c["match"]["selector"] if c["match"] else None)
             for c in doc["credentials"] for rule in c["rules"]}
    assert found["github-pat-classic"] == ("ci-bot", "secret_sha256")
    assert found["aws-access-key-id"] == ("shop-api", "aws_key_ids")
    assert found["aws-secret-access-key"] == ("shop-api", "aws_key_ids")  # the key id it travels with
    (pair,) = [c for c in doc["credentials"] if "aws-access-key-id" in c["rules"]]
    assert pair["rules"] == ["aws-secret-access-key", "aws-access-key-id"]  # one key pair, one credential
    assert found["uri-postgres"] == ("shop-api", "user_hosts")
    assert found["private-key-openssh"] == ("ssh:deploy@ci-runner", "ssh_fingerprints")
    assert all(c["exposure_days"] == 29 for c in doc["credentials"])
