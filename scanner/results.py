"""What a scan hands to the reporters: findings, the rules they came from, and a summary."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from scanner.model import Finding, Rule, Severity


class ExitStatus(enum.IntEnum):
    """The process exit code, in this order (docs/exit-codes.md): 1 when anything was found; otherwise
    2 for a usage error, a failure, or an input that could hold a secret and was not scanned
    (unreadable, damaged, over a limit the user did not choose); otherwise 0."""

    CLEAN = 0
    FINDINGS = 1
    ERROR = 2


# Reasons for a skip that leaves an input which could hold a secret unscanned: each is named in a
# warning line, and makes the exit code 2 when nothing was found.
UNSCANNED_REASONS = frozenset({"unreadable", "corrupt", "encrypted", "unsupported", "error", "unavailable"})
# Reasons of a limit that tripped: unscanned as above, unless the user chose that limit (``Skip.limit``)
LIMIT_REASONS = frozenset({"too-large", "archive-limit"})
# Every other reason (binary, empty, ignored, symlink, special, vanished, duplicate, expired, ...) is
# counted in the summary: nothing there to scan, or left out on purpose.


@dataclass(frozen=True)
class Skip:
    """A path that was not scanned, and why (binary, too-large, ignored, unreadable, symlink, special, ...).
    ``limit`` names the option whose limit tripped (``--max-file-size``), for a limit skip."""

    path: str
    reason: str
    detail: str = ""
    limit: str = ""

    @property
    def noteworthy(self) -> bool:
        """Whether this input could hold a secret that was not looked at: it gets a warning line."""
        return self.reason in UNSCANNED_REASONS or self.reason in LIMIT_REASONS

    def unscanned(self, chosen: frozenset[str] = frozenset()) -> bool:
        """Whether this skip makes a scan incomplete against the user's wishes: ``chosen`` are the
        limit options the user set on purpose (a file over an explicit ``--max-file-size`` is counted)."""
        if self.reason in LIMIT_REASONS:
            return not self.limit or self.limit not in chosen
        return self.reason in UNSCANNED_REASONS

    def warning(self) -> str:
        return f"{self.path}: {self.reason}: {self.detail}" if self.detail else f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class ScanSummary:
    """What a scan covered: files and bytes scanned, time, skips and warnings."""

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

    def unscanned(self, chosen: frozenset[str] = frozenset()) -> tuple[Skip, ...]:
        """The inputs that could hold a secret and were not scanned (see :meth:`Skip.unscanned`)."""
        return tuple(s for s in self.skipped if s.unscanned(chosen))


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
        """The exit code when the user chose no limit (see :meth:`exit_status`)."""
        return self.exit_status()

    def exit_status(self, chosen: frozenset[str] = frozenset()) -> ExitStatus:
        """1 when anything was found; otherwise 2 when an input that could hold a secret was not
        scanned (``chosen``: the limit options the user set, whose skips are counted, not errors);
        otherwise 0."""
        if self.findings:
            return ExitStatus.FINDINGS
        return ExitStatus.ERROR if self.summary.unscanned(chosen) else ExitStatus.CLEAN
