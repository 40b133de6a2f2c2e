"""Builders shared by the reporter tests (this module holds no tests).

Fake secrets are generated at run time from a seeded RNG: random base62 behind made-up prefixes,
never shaped like a real provider's credential.
"""

from __future__ import annotations

import base64
import io
import random
import string
from dataclasses import dataclass
from typing import Any

from scanner.model import Confidence, Finding, Origin, Rule, Severity, Validation, fingerprint
from scanner.report import REPORTERS, ReportOptions, render
from scanner.results import ScanReport, ScanSummary, Skip

BASE62 = string.ascii_letters + string.digits
FORMATS = tuple(sorted(REPORTERS))


def fake_secret(rng: random.Random, prefix: str = "tok_", length: int = 36) -> str:
    return prefix + "".join(rng.choice(BASE62) for _ in range(length))


def make_rule(rule_id: str = "fake-token", **fields: Any) -> Rule:
    base: dict[str, Any] = {
        "id": rule_id,
        "name": "Fake service token",
        "kind": "token",
        "provider": "fakeprov",
        "severity": Severity.HIGH,
        "confidence": Confidence.HIGH,
        "keywords": ("tok_",),
        "regex": r"(?P<secret>tok_[A-Za-z0-9]{36})",
    }
    base.update(fields)
    return Rule(**base)


def make_finding(
    secret: str,
    origin: Origin | str,
    line: int = 1,
    column: int = 10,
    rule_id: str = "fake-token",
    **fields: Any,
) -> Finding:
    if isinstance(origin, str):
        origin = Origin(origin)
    base: dict[str, Any] = {
        "rule_id": rule_id,
        "secret": secret,
        "origin": origin,
        "start_line": line,
        "start_column": column,
        "end_line": line,
        "end_column": column + len(secret),
        "fingerprint": fingerprint(rule_id, secret),
        "severity": Severity.HIGH,
        "confidence": Confidence.HIGH,
        "entropy": 5.16789,
        "validation": Validation.UNCHECKED,
        "line_text": " " * (column - 10) + f'token = "{secret}"',
    }
    base.update(fields)
    return Finding(**base)


def make_report(findings: list[Finding], rules: list[Rule], summary: ScanSummary | None = None) -> ScanReport:
    return ScanReport(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules={r.id: r for r in rules},
        summary=summary or ScanSummary(),
        tool_version="1.2.3",
    )


@dataclass(frozen=True)
class Scenario:
    report: ScanReport
    repeated: str  # plain token, found in two files
    nested: str  # inside an archive member
    multiline: str  # spans two lines
    decoded: str  # sits on its line base64-encoded
    encoded: str  # that base64 text
    companion: str  # the companion's secret (json and sarif carry it, redacted)
    git: str  # found in a git blob with commit and author
    dsn: str  # a password inside a connection string

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.repeated, self.nested, self.multiline, self.decoded, self.companion, self.git, self.dsn)


RULES = [
    make_rule(),
    make_rule("fake-key", name="Fake signing key", kind="private-key", severity=Severity.MEDIUM,
              confidence=Confidence.MEDIUM, provider=""),
    make_rule("fake-conn", name="Fake DSN", kind="connection-string", provider="fakedb",
              severity=Severity.CRITICAL, confidence=Confidence.LOW,
              description="A made-up DSN with a password.", help="Rotate the **fake** DSN password."),
    make_rule("fake-b64", name="Fake encoded token", decode="base64"),
    make_rule("fake-unused", name="Never matches", kind="webhook", severity=Severity.LOW),
]

SUMMARY = ScanSummary(
    files_scanned=42,
    bytes_scanned=3_500_000,
    seconds=1.75,
    skipped=(Skip("img/logo.png", "binary"), Skip("dump.sql", "too-large", "12 MB > 10 MB"),
             Skip("bin/tool", "binary")),
    warnings=tuple(f"cannot read locked-{i}.txt: permission denied" for i in range(12)),
)


def scenario(seed: int = 7) -> Scenario:
    rng = random.Random(seed)
    repeated, nested, git = fake_secret(rng), fake_secret(rng), fake_secret(rng)
    first, second = fake_secret(rng, "key_", 40), fake_secret(rng, "", 32)
    multiline = first + "\n" + second
    decoded = fake_secret(rng)
    encoded = base64.b64encode(decoded.encode()).decode()
    companion = fake_secret(rng, "cid_", 20)
    dsn = fake_secret(rng, "pw_", 24)
    archive = Origin("lib/conf/app.properties", "archive-member", Origin("build/dist.tar.gz", "file"))
    git_origin = Origin("deploy/.env", "git-blob", extra=(("author", "Dev One"), ("commit", "0123abcd" * 5)))
    findings = [
        make_finding(repeated, "config/app.py", line=12, column=14, companion=("fake-id", companion),
                     attributes=(("account", "1234"), ("scope", "read"))),
        make_finding(repeated, "src/other file.py", line=3, column=10),
        make_finding(nested, archive, line=2, column=10, validation=Validation.CHECKSUM),
        make_finding(multiline, "keys/ключ id.yaml", line=7, column=10, rule_id="fake-key", end_line=8,
                     end_column=len(second) + 3, severity=Severity.MEDIUM, confidence=Confidence.MEDIUM,
                     line_text="  token: " + first),
        make_finding(decoded, "ci/job.yml", line=5, column=10, rule_id="fake-b64", decoded=("base64",),
                     end_column=10 + len(encoded), line_text=f'  blob: "{encoded}"'),
        make_finding(dsn, "db/settings.py", line=1, column=23, rule_id="fake-conn", severity=Severity.CRITICAL,
                     confidence=Confidence.LOW, line_text=f'DSN = "postgres://app:{dsn}@db/x"'),
        make_finding(git, git_origin, line=4, column=10, severity=Severity.LOW),
    ]
    report = make_report(findings, RULES, SUMMARY)
    return Scenario(report, repeated, nested, multiline, decoded, encoded, companion, git, dsn)


def output(fmt: str, report: ScanReport, **options: Any) -> str:
    buf = io.StringIO()
    render(fmt, report, buf, ReportOptions(**options))
    return buf.getvalue()
