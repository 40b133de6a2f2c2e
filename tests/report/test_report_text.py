"""Text: findings grouped by file, a summary block, colour only when asked."""

from __future__ import annotations

import random

import pytest
from test_report_support import RULES, fake_secret, make_finding, make_report, output, scenario

from scanner.model import Origin, Severity, redact
from scanner.results import ScanSummary

ANSI = "\x1b["


def test_findings_are_grouped_under_their_file() -> None:
    scen = scenario()
    lines = output("text", scen.report).splitlines()
    headers = [line for line in lines if line and not line.startswith(" ") and line not in ("Summary", "Revoke or rotate")]
    assert headers == [
        "build/dist.tar.gz!lib/conf/app.properties",
        "ci/job.yml",
        "config/app.py",
        "db/settings.py",
        "deploy/.env",
        "keys/ключ id.yaml",
        "src/other file.py",
    ]
    start = lines.index("config/app.py")
    assert lines[start + 1].split() == [
        "12:14", "high", "fake-token", redact(scen.repeated), "Fake", "service", "token", "(seen", "in", "2", "places)",
    ]
    assert lines[start + 2].strip() == f'│ token = "{redact(scen.repeated)}"'


def test_two_findings_in_one_file_share_a_header() -> None:
    rng = random.Random(1)
    findings = [make_finding(fake_secret(rng), "app.py", line=n) for n in (3, 10)]
    text = output("text", make_report(findings, RULES))
    assert text.count("app.py") == 1
    rows = [line for line in text.splitlines() if "fake-token" in line and not line.strip().startswith("fake-token:")]
    assert [r.split()[0] for r in rows] == ["3:10", "10:10"]
    assert rows[0].startswith("   3:10  ") and rows[1].startswith("  10:10  ")
    assert rows[0].index("high") == rows[1].index("high")  # columns line up


def test_git_facts_are_shown() -> None:
    text = output("text", scenario().report)
    assert "author=Dev One  commit=" + "0123abcd" * 5 in text


def test_summary_block() -> None:
    text = output("text", scenario().report)
    summary = text[text.index("Summary"):].splitlines()
    assert summary[1].split() == ["Files", "scanned:", "42"]
    assert summary[2].split() == ["Bytes", "scanned:", "3.5", "MB"]
    assert summary[3].split() == ["Time:", "1.75", "s", "(2.00", "MB/s)"]
    assert summary[4].split(":", 1)[1].strip() == "7 (critical 1, high 4, medium 1, low 1)"
    assert summary[5].split(":", 1)[1].strip() == "3 (binary 2, too-large 1); --list-skipped lists them"
    assert summary[6].split() == ["Warnings:", "12"]
    shown = [line.strip() for line in summary[7:] if line.strip().startswith("- ")]
    assert shown == [f"- cannot read locked-{i}.txt: permission denied" for i in range(10)]
    assert summary[-1].strip() == "… and 2 more"


def test_no_findings_is_said_clearly() -> None:
    text = output("text", make_report([], RULES, ScanSummary(files_scanned=3, bytes_scanned=10)))
    assert text.startswith("No secrets found.\n")
    assert "Findings:       0 (critical 0, high 0, medium 0, low 0)" in text
    assert "Warnings:       0" in text
    assert "more" not in text
    assert "No secrets found." not in output("text", scenario().report)


def test_plain_output_has_no_escape_codes_and_no_wrapping() -> None:
    finding = make_finding(fake_secret(random.Random(2)), "deep/" * 30 + "file.py")
    text = output("text", make_report([finding], RULES))
    assert ANSI not in text
    assert "deep/" * 30 + "file.py\n" in text


def test_colour_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    rng = random.Random(3)
    findings = [make_finding(fake_secret(rng), f"{s.value}.py", severity=s) for s in Severity]
    text = output("text", make_report(findings, RULES), color=True)
    assert ANSI in text
    rows = {line.split("\x1b[0m")[0]: line for line in text.splitlines() if "fake-token" in line}
    by_severity = {s: next(line for line in rows.values() if s.value.ljust(8) in line) for s in Severity}
    assert "\x1b[1;31m" + "critical" in by_severity[Severity.CRITICAL]
    assert "\x1b[31m" + "high" in by_severity[Severity.HIGH]
    assert "\x1b[33m" + "medium" in by_severity[Severity.MEDIUM]
    assert "\x1b[36m" + "low" in by_severity[Severity.LOW]


def test_markup_and_control_characters_are_printed_inertly() -> None:
    secret = fake_secret(random.Random(4))
    finding = make_finding(
        secret,
        Origin("evil\x1b[2J[bold]name.py"),
        line_text=f'token = "{secret}"  # [red]x[/red] \u202e',
    )
    text = output("text", make_report([finding], RULES), color=False)
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "evil\\x1b[2J[bold]name.py" in text
    assert "[red]x[/red] \\u202e" in text


def test_long_context_lines_are_clipped_around_the_secret() -> None:
    secret = fake_secret(random.Random(5))
    line_text = "x" * 5000 + f'"{secret}"' + "y" * 5000
    finding = make_finding(secret, "min.js", column=5002, line_text=line_text)
    text = output("text", make_report([finding], RULES))
    context = next(line for line in text.splitlines() if "│" in line)
    assert redact(secret) in context
    assert len(context) < 250
    assert "…x" in context and "y…" in context


def test_each_rules_revoke_place_is_said_once() -> None:
    from scanner.report.remediation import remediation

    scen = scenario()
    text = output("text", scen.report)
    section = text[text.index("Revoke or rotate"):text.index("Summary")]
    rule_ids = list(dict.fromkeys(f.rule_id for f in scen.report.findings))
    for rule_id in rule_ids:
        assert section.count(f"  {rule_id}: ") == 1
        assert remediation(scen.report.rules.get(rule_id))[:40] in section
    assert "Revoke or rotate" not in output("text", scen.report, summary=False)  # -q: the findings alone
