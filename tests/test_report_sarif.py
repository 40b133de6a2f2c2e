"""SARIF: schema validity and every GitHub code scanning requirement the reporter promises."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from test_report_support import RULES, fake_secret, make_finding, make_report, make_rule, output, scenario

from scanner.model import Confidence, Origin, Severity
from scanner.report.sarif import MAX_RELATED, root_uri
from scanner.report.sarif_rules import identifier

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~/!$&'()*+,;=:@]|%[0-9A-F]{2})*$")


def sarif(report: Any, **options: Any) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(output("sarif", report, **options))
    return log


def results_by_path(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["origin"]: r for r in log["runs"][0]["results"]}


def test_validates_against_the_official_schema() -> None:
    scen = scenario()
    log = sarif(scen.report, root="/tmp/some repo")
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SCHEMA).iter_errors(log), key=str)
    assert errors == []
    paths = {r["properties"]["origin"] for r in log["runs"][0]["results"]}
    # the scenario really has the awkward cases the schema run is meant to cover
    assert "build/dist.tar.gz!lib/conf/app.properties" in paths
    assert "keys/ключ id.yaml" in paths
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    assert any(region["endLine"] > region["startLine"] for region in regions)


def test_schema_rejects_a_broken_log() -> None:
    log = sarif(scenario().report)
    del log["runs"][0]["tool"]["driver"]["name"]
    assert not jsonschema.Draft4Validator(SCHEMA).is_valid(log)


def test_top_level_and_driver() -> None:
    log = sarif(scenario().report)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "credsprawl"
    assert driver["version"] == "1.2.3"
    assert driver["semanticVersion"] == "1.2.3"
    assert driver["informationUri"] == "https://github.com/credsprawl/credsprawl"


def test_every_rule_of_the_run_is_described() -> None:
    log = sarif(scenario().report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r.id for r in RULES)  # the unused rule too
    by_id = {r["id"]: r for r in rules}
    for rule in RULES:
        d = by_id[rule.id]
        assert d["name"] == identifier(rule.id)
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", d["name"])
        assert d["shortDescription"]["text"] == rule.name
        assert d["fullDescription"]["text"]
        assert d["help"]["text"] and d["help"]["markdown"]
        assert d["defaultConfiguration"]["level"] == rule.severity.sarif_level
        props = d["properties"]
        assert props["security-severity"] == rule.severity.security_severity
        assert float(props["security-severity"]) > 0
        assert props["tags"][:3] == ["security", "secret", rule.kind]
        assert props["precision"] == rule.confidence.value
    assert by_id["fake-token"]["properties"]["tags"] == ["security", "secret", "token", "fakeprov"]
    assert by_id["fake-key"]["properties"]["tags"] == ["security", "secret", "private-key"]  # no provider


def test_identifier_names() -> None:
    assert identifier("github-pat-classic") == "GithubPatClassic"
    assert identifier("aws.secret_key") == "AwsSecretKey"


def test_help_is_the_rules_own_or_generated_remediation() -> None:
    rules = {r["id"]: r for r in sarif(scenario().report)["runs"][0]["tool"]["driver"]["rules"]}
    own = rules["fake-conn"]
    assert own["help"] == {"text": "Rotate the **fake** DSN password.", "markdown": "Rotate the **fake** DSN password."}
    assert own["fullDescription"]["text"] == "A made-up DSN with a password."
    token = rules["fake-token"]
    assert "Revoke and rotate the token at fakeprov" in token["help"]["text"]
    assert "secret manager or environment variable" in token["help"]["text"]
    assert "## Remediation" in token["help"]["markdown"]
    assert "fakeprov" in token["fullDescription"]["text"]
    assert "private key" in rules["fake-key"]["help"]["text"]
    assert "webhook" in rules["fake-unused"]["help"]["text"]


def test_precision_follows_confidence() -> None:
    rules = {r["id"]: r for r in sarif(scenario().report)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["fake-token"]["properties"]["precision"] == "high"
    assert rules["fake-key"]["properties"]["precision"] == "medium"
    assert rules["fake-conn"]["properties"]["precision"] == "low"


def test_results_reference_their_rules() -> None:
    scen = scenario()
    log = sarif(scen.report)
    run = log["runs"][0]
    assert len(run["results"]) == len(scen.report.findings)
    for result, finding in zip(run["results"], scen.report.findings):
        assert result["ruleId"] == finding.rule_id
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding.rule_id
        assert result["level"] == finding.severity.sarif_level
    levels = {r["properties"]["origin"]: r["level"] for r in run["results"]}
    assert levels["db/settings.py"] == "error"
    assert levels["keys/ключ id.yaml"] == "warning"
    assert levels["deploy/.env"] == "note"


def test_rule_missing_from_the_report_gets_a_descriptor() -> None:
    finding = make_finding(fake_secret(random.Random(1)), "a.txt", rule_id="ghost-rule")
    report = make_report([finding], [])
    log = sarif(report)
    assert report.rules == {}  # the stand-in is not written back into the report
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["ghost-rule"]
    assert run["results"][0]["ruleIndex"] == 0
    assert jsonschema.Draft4Validator(SCHEMA).is_valid(log)


def test_message_names_rule_redacted_secret_and_path() -> None:
    scen = scenario()
    results = results_by_path(sarif(scen.report))
    plain = results["config/app.py"]["message"]["text"]
    assert plain == f"Fake service token {scen.repeated[:6]}…****(40) found in config/app.py"
    nested = results["build/dist.tar.gz!lib/conf/app.properties"]["message"]["text"]
    assert "lib/conf/app.properties" in nested
    assert "0123abcd" * 5 in results["deploy/.env"]["message"]["text"]


def test_locations_use_the_root_origin_as_a_relative_uri() -> None:
    results = results_by_path(sarif(scenario().report))
    expect = {
        "config/app.py": "config/app.py",
        "src/other file.py": "src/other%20file.py",
        "keys/ключ id.yaml": "keys/%D0%BA%D0%BB%D1%8E%D1%87%20id.yaml",
        "build/dist.tar.gz!lib/conf/app.properties": "build/dist.tar.gz",
    }
    for origin, uri in expect.items():
        artifact = results[origin]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": uri, "uriBaseId": "%SRCROOT%"}
        assert URI_REFERENCE.match(uri) and ":" not in uri.split("/")[0]
        assert unquote(uri) == origin.split("!")[0]


def test_uri_escapes_reserved_characters() -> None:
    finding = make_finding(fake_secret(random.Random(2)), "odd/a:b #1?.txt")
    uri = sarif(make_report([finding], RULES))["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri == "odd/a%3Ab%20%231%3F.txt"


def test_absolute_origin_becomes_a_file_uri() -> None:
    finding = make_finding(fake_secret(random.Random(7)), "/etc/my app/cfg.ini")
    log = sarif(make_report([finding], RULES))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file:///etc/my%20app/cfg.ini"}
    assert jsonschema.Draft4Validator(SCHEMA).is_valid(log)


def test_region_and_redacted_snippet() -> None:
    scen = scenario()
    results = results_by_path(sarif(scen.report))
    region = results["config/app.py"]["locations"][0]["physicalLocation"]["region"]
    assert region == {
        "startLine": 12,
        "startColumn": 14,
        "endLine": 12,
        "endColumn": 54,
        "snippet": {"text": f'    token = "{scen.repeated[:6]}…****(40)"'},
    }
    multi = results["keys/ключ id.yaml"]["locations"][0]["physicalLocation"]["region"]
    assert (multi["startLine"], multi["endLine"]) == (7, 8)


def test_partial_fingerprints_ignore_the_line() -> None:
    secret = fake_secret(random.Random(3))
    before = sarif(make_report([make_finding(secret, "app.py", line=3)], RULES))
    after = sarif(make_report([make_finding(secret, "app.py", line=40, column=17)], RULES))
    fp_before = before["runs"][0]["results"][0]["partialFingerprints"]
    fp_after = after["runs"][0]["results"][0]["partialFingerprints"]
    assert fp_before == fp_after
    assert list(fp_before) == ["credsprawl/v1"]  # no primaryLocationLineHash or other line hash
    other = sarif(make_report([make_finding(fake_secret(random.Random(4)), "app.py", line=3)], RULES))
    assert other["runs"][0]["results"][0]["partialFingerprints"] != fp_before


def test_result_properties() -> None:
    scen = scenario()
    results = results_by_path(sarif(scen.report))
    props = results["config/app.py"]["properties"]
    finding = next(f for f in scen.report.findings if f.path == "config/app.py")
    assert props["confidence"] == "high"
    assert props["validation"] == "unchecked"
    assert props["entropy"] == 5.168
    assert props["fingerprint"] == finding.fingerprint
    assert (props["kind"], props["provider"]) == ("token", "fakeprov")
    assert props["attributes"] == {"account": "1234", "scope": "read"}
    assert props["companion"]["rule_id"] == "fake-id"
    assert props["companion"]["secret"] != scen.companion
    assert "inner_path" not in props
    nested = results["build/dist.tar.gz!lib/conf/app.properties"]["properties"]
    assert nested["inner_path"] == "lib/conf/app.properties"
    assert nested["validation"] == "checksum-valid"
    assert results["ci/job.yml"]["properties"]["decoded"] == ["base64"]
    git = results["deploy/.env"]["properties"]
    assert git["git.commit"] == "0123abcd" * 5
    assert git["git.author"] == "Dev One"


def test_related_locations_point_at_the_other_places() -> None:
    scen = scenario()
    results = results_by_path(sarif(scen.report))
    here, there = results["config/app.py"], results["src/other file.py"]
    related = here["relatedLocations"]
    assert len(related) == 1
    assert related[0]["id"] == 1
    assert related[0]["message"]["text"] == "same secret"
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "src/other%20file.py"
    assert related[0]["physicalLocation"]["region"]["startLine"] == 3
    assert there["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "config/app.py"
    assert here["properties"]["occurrences"] == 2
    assert "relatedLocations" not in results["ci/job.yml"]


def test_related_locations_are_capped() -> None:
    secret = fake_secret(random.Random(5))
    findings = [make_finding(secret, f"svc/{i:03d}.py") for i in range(MAX_RELATED + 11)]
    log = sarif(make_report(findings, RULES))
    first = log["runs"][0]["results"][0]
    assert len(first["relatedLocations"]) == MAX_RELATED == 50
    assert first["properties"]["occurrences"] == 61
    assert "svc/000.py" not in {r["physicalLocation"]["artifactLocation"]["uri"] for r in first["relatedLocations"]}
    assert jsonschema.Draft4Validator(SCHEMA).is_valid(log)


def test_original_uri_base_ids_only_with_a_root(tmp_path: Path) -> None:
    report = scenario().report
    assert "originalUriBaseIds" not in sarif(report)["runs"][0]
    root = tmp_path / "my repo"
    bases = sarif(report, root=str(root))["runs"][0]["originalUriBaseIds"]
    assert bases["%SRCROOT%"]["uri"] == root.as_uri() + "/"
    assert bases["%SRCROOT%"]["uri"].endswith("/my%20repo/")
    assert root_uri("/") == "file:///"


def test_invocation_notifications_and_run_summary() -> None:
    scen = scenario()
    run = sarif(scen.report)["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == list(scen.report.summary.warnings)
    assert {n["level"] for n in notes} == {"warning"}
    summary = run["properties"]["summary"]
    assert summary["findings"] == 7
    assert summary["files_scanned"] == 42
    assert summary["skipped_by_reason"] == {"binary": 2, "too-large": 1}


def test_empty_report_is_valid() -> None:
    log = sarif(make_report([], [make_rule()]))
    assert log["runs"][0]["results"] == []
    assert "toolExecutionNotifications" not in log["runs"][0]["invocations"][0]
    assert jsonschema.Draft4Validator(SCHEMA).is_valid(log)


def test_output_is_deterministic() -> None:
    scen = scenario()
    assert output("sarif", scen.report) == output("sarif", scenario().report)


@pytest.mark.parametrize("severity", list(Severity))
@pytest.mark.parametrize("confidence", list(Confidence))
def test_every_severity_and_confidence_validates(severity: Severity, confidence: Confidence) -> None:
    rule = make_rule(severity=severity, confidence=confidence)
    finding = make_finding(fake_secret(random.Random(6)), Origin("x.py"), severity=severity, confidence=confidence)
    log = sarif(make_report([finding], [rule]))
    assert jsonschema.Draft4Validator(SCHEMA).is_valid(log)
    assert log["runs"][0]["results"][0]["level"] == severity.sarif_level
