"""What a scan hands to the reporters: findings, the rules they came from, and a summary."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from scanner.model import Finding, Rule, Severity


class ExitStatus(enum.IntEnum):
    """The process exit code: 0 nothing found, 1 findings, 2 usage or input error."""

    CLEAN = 0
    FINDINGS = 1
    ERROR = 2


@dataclass(frozen=True)
class Skip:
    """A path that was not scanned, and why (binary, too-large, ignored, unreadable, symlink, special, ...)."""

    path: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class ScanSummary:
    files_scanned: int = 0
    bytes_scanned: int = 0
    seconds: float = 0.0
    skipped: tuple[Skip, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def mb_per_second(self) -> float:
        return self.bytes_scanned / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def skipped_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(s.reason for s in self.skipped).items()))


INVENTORY_KINDS = frozenset({"certificate"})  # rule kinds that are found and listed, never leaks


@dataclass(frozen=True)
class ScanReport:
    """``findings`` are leaks: they decide the exit code. Matches of an inventory kind (certificates:
    public, so not a leak, but worth knowing about) are moved to ``inventory`` when the report is
    built, whoever builds it, so no command can count one as a leak."""

    findings: tuple[Finding, ...]
    rules: dict[str, Rule] = field(default_factory=dict)  # every rule of the run, by id
    summary: ScanSummary = ScanSummary()
    tool_version: str = ""
    inventory: tuple[Finding, ...] = ()  # certificates found, with their facts

    def __post_init__(self) -> None:
        listed = {r for r, rule in self.rules.items() if rule.kind in INVENTORY_KINDS}
        if listed and any(f.rule_id in listed for f in self.findings):
            object.__setattr__(self, "inventory", self.inventory + tuple(f for f in self.findings if f.rule_id in listed))
            object.__setattr__(self, "findings", tuple(f for f in self.findings if f.rule_id not in listed))

    def by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity.value for f in self.findings)
        return {s.value: counts.get(s.value, 0) for s in Severity}

    def occurrences(self) -> dict[str, list[Finding]]:
        """Every place each secret was seen, by fingerprint: the sprawl."""
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.fingerprint, []).append(f)
        return out

    @property
    def return_code(self) -> ExitStatus:
        return ExitStatus.FINDINGS if self.findings else ExitStatus.CLEAN
