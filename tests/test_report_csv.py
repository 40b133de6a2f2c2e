"""CSV: a header and one row per finding, readable by the csv module."""

from __future__ import annotations

import csv
import io
import random

from test_report_support import RULES, fake_secret, make_finding, make_report, output, scenario

from scanner.model import redact
from scanner.report.csv_report import COLUMNS


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_and_one_row_per_finding() -> None:
    scen = scenario()
    text = output("csv", scen.report)
    header = next(csv.reader(io.StringIO(text)))
    assert header == list(COLUMNS) == [
        "rule_id", "severity", "confidence", "path", "start_line", "start_column", "end_line", "end_column",
        "fingerprint", "secret", "validation", "kind", "provider",
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
        }


def test_awkward_paths_survive_quoting() -> None:
    path = 'dir, with "quotes"/new\nline.txt'
    finding = make_finding(fake_secret(random.Random(1)), path)
    (row,) = rows(output("csv", make_report([finding], RULES)))
    assert row["path"] == path


def test_multiline_secret_shown_in_one_field() -> None:
    scen = scenario()
    parsed = rows(output("csv", scen.report, show_secrets=True))
    assert scen.multiline in [r["secret"] for r in parsed]


def test_empty_report_is_just_the_header() -> None:
    assert output("csv", make_report([], RULES)) == ",".join(COLUMNS) + "\n"


def test_unknown_rule_leaves_kind_and_provider_empty() -> None:
    finding = make_finding(fake_secret(random.Random(2)), "a.txt", rule_id="ghost")
    (row,) = rows(output("csv", make_report([finding], [])))
    assert (row["kind"], row["provider"]) == ("", "")
