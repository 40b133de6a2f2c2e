"""SARIF: schema validity and every GitHub code scanning requirement the reporter promises."""

from __future__ import annotations

import gzip
from collections import Counter
import json
import os
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from test_report_support import RULES, fake_secret, make_finding, make_report, make_rule, output, scenario

from scanner.model import Confidence, Origin, Severity
from scanner.results import ScanReport, ScanSummary, Skip
from scanner.report.sarif import MAX_RELATED, root_uri
from scanner.report.sarif_rules import identifier

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
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


def test_every_rule_with_a_result_is_described_and_no_other() -> None:
    log = sarif(scenario().report)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    used = [r for r in RULES if r.id != "fake-unused"]
    assert [r["id"] for r in rules] == sorted(r.id for r in used)  # not the rule that found nothing
    by_id = {r["id"]: r for r in rules}
    for rule in used:
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
    place = "Change the password of the connection string's user on its server (ALTER USER ... PASSWORD ...)"
    assert own["help"] == {"text": f"Rotate the **fake** DSN password. Revoke or rotate: {place}.",
                           "markdown": f"Rotate the **fake** DSN password.\n\n## Revoke or rotate\n\n{place}"}
    assert own["properties"]["remediation"] == place
    assert own["fullDescription"]["text"] == "A made-up DSN with a password."
    token = rules["fake-token"]
    assert "Revoke and rotate the token at fakeprov" in token["help"]["text"]
    assert "secret manager or environment variable" in token["help"]["text"]
    assert "## Remediation" in token["help"]["markdown"]
    assert "fakeprov" in token["fullDescription"]["text"]
    assert "private key" in rules["fake-key"]["help"]["text"]
    webhook = make_rule("fake-hook", kind="webhook")
    finding = make_finding(fake_secret(random.Random(8)), "hook.py", rule_id="fake-hook")
    (hook,) = sarif(make_report([finding], [webhook]))["runs"][0]["tool"]["driver"]["rules"]
    assert "webhook" in hook["help"]["text"]


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


def test_original_uri_base_ids_only_with_a_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = scenario().report
    assert "originalUriBaseIds" not in sarif(report)["runs"][0]
    root = tmp_path / "my repo"
    root.mkdir()
    monkeypatch.chdir(root)  # outside a git work tree, paths are relative to the working directory
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


# ------------------------------------------------------------------------------------------------
# file names that are not UTF-8 (hostile-inputs case 4)


def test_a_non_utf8_file_name_is_percent_encoded_in_the_uri_and_escaped_in_text() -> None:
    finding = make_finding(fake_secret(random.Random(11)), "dir/f\udcff.txt")  # byte 0xff, as os.fsdecode gives it
    text = output("sarif", make_report([finding], RULES), root="")
    text.encode("utf-8")  # no lone surrogate left: any UTF-8 writer takes it
    log = json.loads(text)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir/f%FF.txt"
    assert URI_REFERENCE.match("dir/f%FF.txt")
    assert "dir/f\\udcff.txt" in result["message"]["text"]
    assert result["properties"]["origin"] == "dir/f\\udcff.txt"
    assert jsonschema.Draft4Validator(SCHEMA).is_valid(log)


def test_a_scan_of_a_non_utf8_file_name_writes_sarif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gitutil import cli_inprocess

    from fixtures import fakecreds

    folder = tmp_path / "nu"
    folder.mkdir()
    token = fakecreds.GENERATORS["github-pat-classic"](random.Random(4))
    with open(os.path.join(os.fsencode(folder), b"f\xff.txt"), "w") as fh:
        fh.write(f't = "{token}"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = cli_inprocess("scan", "nu", "--quiet", "--format", "sarif", "--engine", "ahocorasick")
    assert code == 1 and "Traceback" not in err, err
    log = json.loads(out)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "nu/f%FF.txt"
    assert jsonschema.Draft4Validator(SCHEMA).is_valid(log)


# ------------------------------------------------------------------------------------------------
# URIs relative to the repository root (GitHub resolves them against the checkout)


def _uris(log: dict[str, Any]) -> list[str]:
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]


@pytest.fixture
def repo_with_ci(tmp_path: Path) -> Path:
    from gitutil import GitRepo

    from fixtures import fakecreds

    repo = GitRepo(tmp_path / "repo")
    rng = random.Random(12)
    repo.write("ci/deploy.env", f"GITHUB_TOKEN={fakecreds.GENERATORS['github-pat-classic'](rng)}\n")
    repo.commit("ci")
    return repo.path


@pytest.mark.parametrize(("cwd", "args"), [
    (".", ["ci"]),                      # credsprawl scan ci, from the repository root
    (".", ["ci/deploy.env"]),           # one file, shown by its name
    ("ci", ["."]),                      # from inside the folder
    ("ci", ["deploy.env"]),
    (".", ["ci", "ci/deploy.env"]),     # several paths: shown as given
    ("..", ["repo/ci"]),                # from outside the repository
])
def test_uris_are_relative_to_the_repository_root(repo_with_ci: Path, monkeypatch: pytest.MonkeyPatch,
                                                  cwd: str, args: list[str]) -> None:
    from gitutil import cli_inprocess

    monkeypatch.chdir(repo_with_ci / cwd)
    code, out, err = cli_inprocess("scan", *args, "--quiet", "--format", "sarif", "--engine", "ahocorasick")
    assert code == 1, err
    log = json.loads(out)
    assert set(_uris(log)) == {"ci/deploy.env"}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo_with_ci.resolve().as_uri() + "/"
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"]
            for r in log["runs"][0]["results"]} == {"%SRCROOT%"}


def test_history_findings_keep_their_repository_relative_path(repo_with_ci: Path) -> None:
    from gitutil import cli_inprocess

    code, out, err = cli_inprocess("history", str(repo_with_ci), "--quiet", "--format", "sarif", "--engine", "ahocorasick")
    assert code == 1, err
    log = json.loads(out)
    assert _uris(log) == ["ci/deploy.env"]
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo_with_ci.resolve().as_uri() + "/"


def test_outside_a_work_tree_uris_are_relative_to_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gitutil import cli_inprocess

    from fixtures import fakecreds

    (tmp_path / "plain" / "conf").mkdir(parents=True)
    (tmp_path / "plain" / "conf" / "a.env").write_text(
        f"T={fakecreds.GENERATORS['github-pat-classic'](random.Random(13))}\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli_inprocess("scan", "plain/conf", "--quiet", "--format", "sarif", "--engine", "ahocorasick")
    assert code == 1
    log = json.loads(out)
    assert _uris(log) == ["plain/conf/a.env"]
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


# ------------------------------------------------------------------------------------------------
# GitHub code scanning limits


def test_thirty_thousand_findings_stay_within_github_limits(capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(14)
    severities = [Severity.LOW] * 12_000 + [Severity.MEDIUM] * 10_000 + [Severity.HIGH] * 6_000 + [Severity.CRITICAL] * 2_000
    rng.shuffle(severities)
    findings = [make_finding(fake_secret(rng), f"svc/{n % 700:03d}/file {n}.py", line=n % 300 + 1, severity=sev)
                for n, sev in enumerate(severities)]
    rules = [*RULES, *(make_rule(f"fake-idle-{n}") for n in range(300))]
    text = output("sarif", make_report(findings, rules), root="")
    err = capsys.readouterr().err
    assert len(gzip.compress(text.encode("utf-8"))) < 10 * 1000 * 1000
    log = json.loads(text)
    run = log["runs"][0]
    results = run["results"]
    assert len(results) <= 25_000
    severity_of = {f.fingerprint: f.severity for f in findings}
    kept = Counter(severity_of[r["properties"]["fingerprint"]] for r in results)
    assert kept[Severity.CRITICAL] == 2_000 and kept[Severity.HIGH] == 6_000  # the lowest severity goes first
    assert kept[Severity.LOW] < 12_000 and kept[Severity.MEDIUM] == 10_000
    assert all(len(r.get("relatedLocations", [])) + len(r["locations"]) <= 1000 for r in results)
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["fake-token"]  # only rules with results
    assert run["properties"]["summary"]["results_left_out"] == 30_000 - len(results)
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1 and f"{30_000 - len(results):,} left out" in lines[0] and "low" in lines[0]
    assert run["invocations"][0]["toolExecutionNotifications"][-1]["message"]["text"] in lines[0]
    # the whole log against the official schema, with every 50th result (validating 25,000 takes minutes);
    # every result has the shape of one validated
    sample = {**log, "runs": [{**run, "results": results[::50]}]}
    assert list(jsonschema.Draft4Validator(SCHEMA).iter_errors(sample)) == []
    assert {_shape(r) for r in results} <= {_shape(r) for r in results[::50]}


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _shape(v)) for k, v in value.items() if k not in ("attributes",)))
    if isinstance(value, list):
        return tuple(sorted({_shape(v) for v in value}, key=repr))
    return type(value).__name__


def test_run_properties_carry_counts_not_lists() -> None:
    rng = random.Random(15)
    findings = [make_finding(fake_secret(rng), f"app/{n}.py") for n in range(4)]
    skipped = tuple(Skip(f"site-packages/pkg{n}/data.bin", "binary") for n in range(20_000))
    certs = tuple(make_finding(fake_secret(rng), f"certifi/ca{n}.pem", rule_id="fake-cert",
                               attributes=(("cert.subject", f"CN=Root {n}"), ("cert.not_after", "2020-01-01T00:00:00Z")))
                  for n in range(383))
    report = ScanReport(tuple(findings), {r.id: r for r in RULES}, ScanSummary(files_scanned=9, skipped=skipped),
                        "1.2.3", inventory=certs)
    text = output("sarif", report, root="")
    assert len(text) < 20_000
    props = json.loads(text)["runs"][0]["properties"]
    assert "skipped" not in props["summary"]
    assert props["summary"]["skipped_by_reason"] == {"binary": 20_000}
    assert props["certificates"] == {"total": 383, "expired": 383, "expiring": 0}


def test_a_log_over_the_size_limit_leaves_out_the_lowest_severity(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.report import sarif as sarif_module

    monkeypatch.setattr(sarif_module, "MAX_GZIP_BYTES", 60_000)
    rng = random.Random(16)
    findings = [make_finding(fake_secret(rng), f"s/{n}.py", severity=Severity.CRITICAL if n % 10 == 0 else Severity.LOW)
                for n in range(2_000)]
    text = output("sarif", make_report(findings, RULES), root="")
    assert len(gzip.compress(text.encode("utf-8"))) <= 60_000
    results = json.loads(text)["runs"][0]["results"]
    assert 200 < len(results) < 2_000
    assert sum(1 for r in results if r["level"] == "error") == 200  # every critical result kept
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{2_000 - len(results):,} left out ({2_000 - len(results):,} low)" in line


def test_a_rules_remediation_is_in_help_and_properties() -> None:
    rule = make_rule("fake-token", remediation="https://fake.example/settings/tokens: revoke; fakectl token revoke ID")
    finding = make_finding(fake_secret(random.Random(9)), "app.py", rule_id="fake-token")
    (desc,) = sarif(make_report([finding], [rule]))["runs"][0]["tool"]["driver"]["rules"]
    assert desc["properties"]["remediation"] == rule.remediation
    assert f"Revoke or rotate: {rule.remediation}." in desc["help"]["text"]
    assert "## Revoke or rotate\n\n" + rule.remediation in desc["help"]["markdown"]
