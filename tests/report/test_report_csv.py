"""CSV: a header and one row per finding, readable by the csv module."""

from __future__ import annotations

import csv
import io
import random

import pytest

from test_report_support import RULES, fake_secret, make_finding, make_report, make_rule, output, scenario

from scanner.model import redact
from scanner.report.csv_report import COLUMNS
from scanner.report.remediation import remediation


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_and_one_row_per_finding() -> None:
    scen = scenario()
    text = output("csv", scen.report)
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(COLUMNS) == [
        "rule_id", "severity", "confidence", "path", "start_line", "start_column", "end_line", "end_column",
        "fingerprint", "secret", "validation", "kind", "provider", "verification", "remediation",
    ]
    parsed = rows(text)
    assert len(parsed) == len(scen.report.findings)
    for row, f in zip(parsed, scen.report.findings):
        rule = scen.report.rules[f.rule_id]
        assert row == {
            "rule_id": f.rule_id,
            "severity": f.severity.value,
            "confidence": f.confidence.value,
            "path": f.path,
            "start_line": str(f.start_line),
            "start_column": str(f.start_column),
            "end_line": str(f.end_line),
            "end_column": str(f.end_column),
            "fingerprint": f.fingerprint,
            "secret": redact(f.secret),
            "validation": f.validation.value,
            "kind": rule.kind,
            "provider": rule.provider,
            "verification": "",
            "remediation": remediation(rule),
        }


def test_verification_and_remediation_columns() -> None:
    from dataclasses import replace

    from scanner.verify.result import Verification

    rule = make_rule("fake-token", remediation="https://fake.example/tokens: revoke")
    finding = make_finding(fake_secret(random.Random(3)), "a.py", rule_id="fake-token")
    said = Verification.of("invalid", "fakeprov", "https://api.fake.example", reason="rejected")
    (row,) = rows(output("csv", make_report([replace(finding, verification=said)], [rule])))
    assert row["verification"] == "invalid" and row["remediation"] == "https://fake.example/tokens: revoke"


def test_awkward_paths_survive_quoting() -> None:
    path = 'dir, with "quotes"/tab\tand ; semicolon.txt'
    finding = make_finding(fake_secret(random.Random(1)), path)
    (row,) = rows(output("csv", make_report([finding], RULES)))
    assert row["path"] == path.replace("\t", "\\t")


def test_multiline_secret_shown_in_one_field_on_one_line() -> None:
    scen = scenario()
    text = output("csv", scen.report, show_secrets=True)
    parsed = rows(text)
    assert scen.multiline.replace("\n", "\\n") in [r["secret"] for r in parsed]
    assert len(text.splitlines()) == len(parsed) + 1


def test_a_newline_in_a_file_name_never_starts_a_workflow_command_line() -> None:
    # hostile-inputs case 14: the Action prints the CSV report to the job log
    path = "x\n::error title=INJECTED::pwned\r\n::add-mask::y\u2028::warning::z\x85.txt"
    finding = make_finding(fake_secret(random.Random(3)), path)
    text = output("csv", make_report([finding], RULES))
    physical = text.split("\n")
    assert len(physical) == 3 and physical[-1] == ""  # header, one row, final newline
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert not any(ch in text for ch in "\r\u2028\x85")
    (row,) = rows(text)
    assert row["path"] == "x\\n::error title=INJECTED::pwned\\r\\n::add-mask::y\\u2028::warning::z\\x85.txt"


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_a_field_that_a_spreadsheet_would_run_is_prefixed_with_a_quote(lead: str) -> None:
    path = lead + "HYPERLINK(\"http://example.invalid\",\"x\")"
    finding = make_finding(fake_secret(random.Random(4)), path, rule_id=lead + "cmd|' /C calc'!A0")
    (row,) = rows(output("csv", make_report([finding], RULES)))
    for field in (row["path"], row["rule_id"]):
        assert field.startswith("'")
        assert field[1:2] == lead or field[1:3] in ("\\t", "\\r")


def test_a_non_utf8_file_name_is_reported_escaped() -> None:
    path = "dir/f\udcff.txt"  # the byte 0xff of a file name, as os.fsdecode gives it
    finding = make_finding(fake_secret(random.Random(5)), path)
    text = output("csv", make_report([finding], RULES))
    text.encode("utf-8")  # writable to any UTF-8 stream
    (row,) = rows(text)
    assert row["path"] == "dir/f\\udcff.txt"


def test_empty_report_is_just_the_header() -> None:
    assert output("csv", make_report([], RULES)) == ",".join(COLUMNS) + "\n"


def test_unknown_rule_leaves_kind_and_provider_empty() -> None:
    finding = make_finding(fake_secret(random.Random(2)), "a.txt", rule_id="ghost")
    (row,) = rows(output("csv", make_report([finding], [])))
    assert (row["kind"], row["provider"]) == ("", "")
