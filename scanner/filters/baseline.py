"""Baselines: the findings a team already knows about, so that only new ones are reported.

A baseline is a JSON file (``.credsprawl-baseline.json`` by default)::

    {
      "version": 1,
      "tool": "credsprawl",
      "findings": [
        {
          "fingerprint": "9f2c…",                # the finding's fingerprint: a hash of rule family + secret
          "rule_id": "github-pat-classic",
          "paths": ["config/app.py"],            # where it was seen, for people; matching ignores it
          "mark": "false-positive",              # optional: "false-positive" or "accepted-risk"
          "reason": "test fixture, not a token"  # optional: why
        }
      ]
    }

A finding is suppressed when its fingerprint is in the baseline, whatever its path and line, so the
baseline does not churn when code moves. The secret itself is never stored. ``baseline update`` adds
new findings and drops the ones that are gone; entries marked false positive or accepted risk keep
their mark and reason across updates (and are kept even while the finding is not seen).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from scanner.errors import UsageError
from scanner.model import Finding
from scanner.results import ScanReport

DEFAULT_FILE = ".credsprawl-baseline.json"
FORMAT_VERSION = 1
MARKS = ("false-positive", "accepted-risk")


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule_id: str
    paths: tuple[str, ...] = ()
    mark: str | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {"fingerprint": self.fingerprint, "rule_id": self.rule_id, "paths": list(self.paths)}
        if self.mark:
            obj["mark"] = self.mark
        if self.reason:
            obj["reason"] = self.reason
        return obj


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...] = ()

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)

    def to_json(self) -> dict[str, Any]:
        ordered = sorted(self.entries, key=lambda e: (e.rule_id, e.fingerprint))
        return {"version": FORMAT_VERSION, "tool": "credsprawl", "findings": [e.to_json() for e in ordered]}


def _entry(obj: Any, where: str, n: int) -> Entry:
    if not isinstance(obj, dict) or not isinstance(obj.get("fingerprint"), str) or not obj["fingerprint"]:
        raise UsageError(f"{where}: findings[{n}] needs a 'fingerprint' string")
    mark = obj.get("mark")
    if mark is not None and mark not in MARKS:
        raise UsageError(f"{where}: findings[{n}].mark must be one of {', '.join(MARKS)}, got {mark!r}")
    paths = obj.get("paths", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise UsageError(f"{where}: findings[{n}].paths must be a list of strings")
    return Entry(obj["fingerprint"], str(obj.get("rule_id", "")), tuple(paths), mark, str(obj.get("reason", "")))


def load(path: Path) -> Baseline:
    """Read a baseline file; anything wrong with it is a UsageError naming the file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"baseline not found: {path} (create one with 'credsprawl baseline create -o {path}')") from None
    except OSError as exc:
        raise UsageError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"baseline {path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise UsageError(f"baseline {path}: expected an object with a 'findings' list")
    if doc.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise UsageError(f"baseline {path}: unsupported version {doc.get('version')!r} (this credsprawl reads {FORMAT_VERSION})")
    return Baseline(tuple(_entry(obj, str(path), n) for n, obj in enumerate(doc["findings"])))


def save(baseline: Baseline, path: Path) -> None:
    try:
        path.write_text(json.dumps(baseline.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


# ------------------------------------------------------------------------------------------------
# from findings, and back


@dataclass(frozen=True)
class Seen:
    """A finding as a baseline needs it: no secret, no line."""

    fingerprint: str
    rule_id: str
    path: str


def seen_in(findings: Iterable[Finding]) -> list[Seen]:
    return [Seen(f.fingerprint, f.rule_id, f.origin.render()) for f in findings]


def seen_in_report(path: Path) -> list[Seen]:
    """Findings from a credsprawl JSON (or JSON Lines) report, ``-`` for stdin."""
    import sys

    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read report {path}: {exc.strerror or exc}") from None
    try:
        try:
            doc = json.loads(text)
            objects = doc["findings"] if isinstance(doc, dict) and "findings" in doc else [doc]
        except json.JSONDecodeError:  # JSON Lines: one finding a line
            objects = [json.loads(line) for line in text.splitlines() if line.strip()]
        return [Seen(o["fingerprint"], o["rule_id"], o["path"]) for o in objects]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise UsageError(f"{path} is not a credsprawl JSON or JSON Lines report: {exc}") from None


def _group(seen: Sequence[Seen]) -> dict[str, tuple[str, list[str]]]:
    by_fp: dict[str, tuple[str, list[str]]] = {}
    for s in seen:
        rule, paths = by_fp.setdefault(s.fingerprint, (s.rule_id, []))
        if s.path not in paths:
            paths.append(s.path)
    return by_fp


def create(seen: Sequence[Seen]) -> Baseline:
    return Baseline(tuple(Entry(fp, rule, tuple(sorted(paths))) for fp, (rule, paths) in _group(seen).items()))


@dataclass(frozen=True)
class UpdateResult:
    baseline: Baseline
    added: int
    dropped: int
    kept_marked: int  # marked entries kept although the finding was not seen


def update(old: Baseline, seen: Sequence[Seen]) -> UpdateResult:
    """New findings in, gone findings out; marks and reasons stay."""
    now = _group(seen)
    previous = {e.fingerprint: e for e in old.entries}
    entries: list[Entry] = []
    kept_marked = 0
    for fp, (rule, paths) in now.items():
        before = previous.get(fp)
        if before is None:
            entries.append(Entry(fp, rule, tuple(sorted(paths))))
        else:
            entries.append(replace(before, rule_id=rule or before.rule_id, paths=tuple(sorted(paths))))
    for fp, entry in previous.items():
        if fp not in now and entry.mark:
            entries.append(entry)
            kept_marked += 1
    added = sum(1 for fp in now if fp not in previous)
    dropped = sum(1 for fp, e in previous.items() if fp not in now and not e.mark)
    return UpdateResult(Baseline(tuple(entries)), added, dropped, kept_marked)


def mark(baseline: Baseline, fingerprint: str, how: str, reason: str) -> tuple[Baseline, Entry]:
    """Mark the entry whose fingerprint starts with ``fingerprint`` (at least 8 characters)."""
    if how not in MARKS:
        raise UsageError(f"mark must be one of {', '.join(MARKS)}")
    if len(fingerprint) < 8:
        raise UsageError("give at least 8 characters of the fingerprint")
    hits = [e for e in baseline.entries if e.fingerprint.startswith(fingerprint)]
    if len(hits) != 1:
        raise UsageError(f"{'no' if not hits else len(hits)} baseline entries match fingerprint {fingerprint!r}")
    marked = replace(hits[0], mark=how, reason=reason)
    return Baseline(tuple(marked if e is hits[0] else e for e in baseline.entries)), marked


def apply(report: ScanReport, baseline: Baseline) -> tuple[ScanReport, int]:
    """The report without the findings the baseline knows; and how many were suppressed."""
    known = baseline.fingerprints
    kept = tuple(f for f in report.findings if f.fingerprint not in known)
    return replace(report, findings=kept), len(report.findings) - len(kept)


def apply_file(report: ScanReport, path: Path | None) -> tuple[ScanReport, int]:
    if path is None:
        return report, 0
    return apply(report, load(path))
