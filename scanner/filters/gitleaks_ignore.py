"""``.gitleaksignore``: the ignore file gitleaks users already keep, honoured at the scan root.

Each line is a gitleaks finding fingerprint, ``commit:path:rule-id:line`` (git history) or
``path:rule-id:line`` (a folder); blank lines and ``#`` comments are skipped, and so is a line that
is neither. A finding is suppressed when its path (``!``-joined for archive members, as both tools
write it) and start line are those of a line, and:

- the commit, when the line names one: the finding's commit must be it (a prefix is enough);
  a line without a commit matches at that path and line whatever the commit;
- the rule id, only when it is one of credsprawl's rule ids: gitleaks names its rules differently
  (``github-pat`` where credsprawl says ``github-pat-classic``), so a gitleaks rule id is not compared.
"""

from __future__ import annotations

import os

import re
from dataclasses import dataclass, replace
from pathlib import Path

from scanner.errors import UsageError
from scanner.model import Finding
from scanner.results import ScanReport

FILE_NAME = ".gitleaksignore"
_COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")


@dataclass(frozen=True)
class Ignore:
    path: str
    rule_id: str
    line: int
    commit: str = ""

    def matches(self, finding: Finding, rule_ids: frozenset[str]) -> bool:
        if finding.start_line != self.line or finding.origin.render() != self.path:
            return False
        if self.rule_id in rule_ids and finding.rule_id != self.rule_id:
            return False
        if self.commit:
            commit = finding.origin.root.get("commit") or ""
            return bool(commit) and commit.lower().startswith(self.commit.lower())
        return True


def parse_line(text: str) -> Ignore | None:
    """One fingerprint line, or None when it is blank, a comment or not a fingerprint."""
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    parts = text.split(":")
    if len(parts) < 3 or not parts[-1].isdigit():
        return None
    rest, rule_id, line = parts[:-2], parts[-2], int(parts[-1])
    commit = ""
    if len(rest) > 1 and _COMMIT.fullmatch(rest[0]):
        commit, rest = rest[0], rest[1:]
    path = ":".join(rest).removeprefix("./")
    return Ignore(path, rule_id, line, commit) if path else None


def load(root: str | Path) -> tuple[Ignore, ...]:
    """The fingerprints of ``root``'s ``.gitleaksignore``; none when there is no such file."""
    path = Path(root) / FILE_NAME
    try:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError:
        return ()
    except IsADirectoryError:
        return ()
    except PermissionError as exc:
        if not os.path.lexists(path):  # the folder cannot be searched: no ignore file can be seen there
            return ()
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return tuple(i for i in map(parse_line, text.splitlines()) if i is not None)


def apply(report: ScanReport, ignores: tuple[Ignore, ...]) -> tuple[ScanReport, int]:
    """The report without the findings a ``.gitleaksignore`` names; and how many were suppressed."""
    if not ignores:
        return report, 0
    rule_ids = frozenset(report.rules)
    by_place: dict[tuple[str, int], list[Ignore]] = {}
    for i in ignores:
        by_place.setdefault((i.path, i.line), []).append(i)
    kept = tuple(f for f in report.findings
                 if not any(i.matches(f, rule_ids) for i in by_place.get((f.origin.render(), f.start_line), ())))
    return replace(report, findings=kept), len(report.findings) - len(kept)
