"""Baselines: the findings a team already knows about, so that only new ones are reported.

A baseline is a JSON file (``.credsprawl-baseline.json`` by default)::

    {
      "version": 1,
      "tool": "credsprawl",
      "findings": [
        {
          "fingerprint": "9f2c…",                # the finding's fingerprint: a hash of rule family + secret
          "rule_id": "github-pat-classic",
          "paths": ["tests/fixtures/app.py"],    # where it was seen (refreshed by ``baseline update``)
          "repositories": ["org/app"],           # optional: the repositories it was seen in (sweep results)
          "mark": "false-positive",              # optional: "false-positive" or "accepted-risk"
          "reason": "test fixture, not a token", # optional: why
          "scope": {"paths": ["tests/fixtures/app.py"], "repositories": ["org/app"]}   # or "global"
        }
      ]
    }

An unmarked entry suppresses its fingerprint whatever its path and line, so the baseline does not
churn when code moves. A *mark* is a judgement about a place ("this is a test fixture"), so a marked
entry suppresses its fingerprint only at the paths (and, for findings that name one, repositories)
of its ``scope``: the places the entry was seen when it was marked, unless marked ``--global``. The
same key leaking into production config is reported. A mark written before scopes existed (no
``scope``) is scoped to the entry's recorded ``paths`` and ``repositories``; one without any paths
applies everywhere, with a warning. The secret itself is never stored. ``baseline update`` adds new
findings and drops the ones that are gone; marked entries keep their mark, reason and scope across
updates (and are kept even while the finding is not seen).
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


GLOBAL = "global"


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule_id: str
    paths: tuple[str, ...] = ()
    mark: str | None = None
    reason: str = ""
    repositories: tuple[str, ...] = ()
    scope_paths: tuple[str, ...] = ()  # a mark applies here (with scope_repositories) ...
    scope_repositories: tuple[str, ...] = ()
    scope_global: bool = False  # ... or everywhere

    def to_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {"fingerprint": self.fingerprint, "rule_id": self.rule_id, "paths": list(self.paths)}
        if self.repositories:
            obj["repositories"] = list(self.repositories)
        if self.mark:
            obj["mark"] = self.mark
        if self.reason:
            obj["reason"] = self.reason
        if self.mark:
            obj["scope"] = GLOBAL if self.scope_global else {"paths": list(self.scope_paths),
                                                             "repositories": list(self.scope_repositories)}
        return obj

    def suppresses(self, finding: Finding) -> bool:
        """Whether this entry hides ``finding`` (whose fingerprint it has): always when unmarked or
        marked global, else only at a path (and repository, when both name one) of its scope."""
        if not self.mark or self.scope_global:
            return True
        if finding.origin.render() not in self.scope_paths:
            return False
        repository = repository_of(finding)
        return not (self.scope_repositories and repository) or repository in self.scope_repositories


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...] = ()
    warnings: tuple[str, ...] = ()  # said once on stderr by the command that applies it

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)

    def to_json(self) -> dict[str, Any]:
        ordered = sorted(self.entries, key=lambda e: (e.rule_id, e.fingerprint))
        return {"version": FORMAT_VERSION, "tool": "credsprawl", "findings": [e.to_json() for e in ordered]}


def repository_of(finding: Finding) -> str | None:
    """The repository a finding names (sweep and datastore results), or None."""
    return finding.origin.root.get("repository")


def _strings(obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise UsageError(f"{where}.{key} must be a list of strings")
    return tuple(value)


def _entry(obj: Any, where: str, n: int) -> tuple[Entry, str | None]:
    """An entry, and a warning when it is an old mark that now applies everywhere."""
    if not isinstance(obj, dict) or not isinstance(obj.get("fingerprint"), str) or not obj["fingerprint"]:
        raise UsageError(f"{where}: findings[{n}] needs a 'fingerprint' string")
    mark = obj.get("mark")
    if mark is not None and mark not in MARKS:
        raise UsageError(f"{where}: findings[{n}].mark must be one of {', '.join(MARKS)}, got {mark!r}")
    at = f"{where}: findings[{n}]"
    paths, repositories = _strings(obj, "paths", at), _strings(obj, "repositories", at)
    entry = Entry(obj["fingerprint"], str(obj.get("rule_id", "")), paths, mark, str(obj.get("reason", "")), repositories)
    scope = obj.get("scope")
    if not mark:
        return entry, None
    if scope == GLOBAL:
        return replace(entry, scope_global=True), None
    if isinstance(scope, dict):
        return replace(entry, scope_paths=_strings(scope, "paths", f"{at}.scope"),
                       scope_repositories=_strings(scope, "repositories", f"{at}.scope")), None
    if scope is not None:
        raise UsageError(f"{at}.scope must be \"global\" or an object with 'paths' (and 'repositories')")
    if paths:  # a mark made before scopes: where the entry was recorded
        return replace(entry, scope_paths=paths, scope_repositories=repositories), None
    warning = (f"baseline {where}: the {mark} mark on {entry.fingerprint[:12]} records no paths, so it applies "
               f"everywhere; mark it again (credsprawl baseline mark --path P, or --global) to say where")
    return replace(entry, scope_global=True), warning


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
    read = [_entry(obj, str(path), n) for n, obj in enumerate(doc["findings"])]
    return Baseline(tuple(e for e, _ in read), tuple(w for _, w in read if w))


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
    repository: str | None = None


def seen_in(findings: Iterable[Finding]) -> list[Seen]:
    return [Seen(f.fingerprint, f.rule_id, f.origin.render(), repository_of(f)) for f in findings]


def _repository_in(obj: dict[str, Any]) -> str | None:
    origin = obj.get("origin") or []
    extra = origin[0].get("extra") if origin and isinstance(origin[0], dict) else None
    repository = extra.get("repository") if isinstance(extra, dict) else None
    return str(repository) if repository else None


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
        return [Seen(o["fingerprint"], o["rule_id"], o["path"], _repository_in(o)) for o in objects]
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{path} is not a credsprawl JSON or JSON Lines report: {exc}") from None


@dataclass
class _Places:
    rule_id: str
    paths: set[str]
    repositories: set[str]


def _group(seen: Sequence[Seen]) -> dict[str, _Places]:
    by_fp: dict[str, _Places] = {}
    for s in seen:
        places = by_fp.setdefault(s.fingerprint, _Places(s.rule_id, set(), set()))
        places.paths.add(s.path)
        if s.repository:
            places.repositories.add(s.repository)
    return by_fp


def create(seen: Sequence[Seen]) -> Baseline:
    return Baseline(tuple(Entry(fp, p.rule_id, tuple(sorted(p.paths)), repositories=tuple(sorted(p.repositories)))
                          for fp, p in _group(seen).items()))


@dataclass(frozen=True)
class UpdateResult:
    baseline: Baseline
    added: int
    dropped: int
    kept_marked: int  # marked entries kept although the finding was not seen


def update(old: Baseline, seen: Sequence[Seen]) -> UpdateResult:
    """New findings in, gone findings out; marks, reasons and the scope of marks stay (a mark does not
    spread to the new places its secret is seen at)."""
    now = _group(seen)
    previous = {e.fingerprint: e for e in old.entries}
    entries: list[Entry] = []
    kept_marked = 0
    for fp, places in now.items():
        before = previous.get(fp)
        paths, repositories = tuple(sorted(places.paths)), tuple(sorted(places.repositories))
        if before is None:
            entries.append(Entry(fp, places.rule_id, paths, repositories=repositories))
        else:
            entries.append(replace(before, rule_id=places.rule_id or before.rule_id, paths=paths, repositories=repositories))
    for fp, entry in previous.items():
        if fp not in now and entry.mark:
            entries.append(entry)
            kept_marked += 1
    added = sum(1 for fp in now if fp not in previous)
    dropped = sum(1 for fp, e in previous.items() if fp not in now and not e.mark)
    return UpdateResult(Baseline(tuple(entries)), added, dropped, kept_marked)


def mark(baseline: Baseline, fingerprint: str, how: str, reason: str, *, everywhere: bool = False,
         paths: Sequence[str] = ()) -> tuple[Baseline, Entry]:
    """Mark the entry whose fingerprint starts with ``fingerprint`` (at least 8 characters). The mark
    applies at ``paths`` if given, else where the entry was seen (its paths and repositories), or
    everywhere with ``everywhere``."""
    if how not in MARKS:
        raise UsageError(f"mark must be one of {', '.join(MARKS)}")
    if len(fingerprint) < 8:
        raise UsageError("give at least 8 characters of the fingerprint")
    if everywhere and paths:
        raise UsageError("a mark is either --global or for --path P: not both")
    hits = [e for e in baseline.entries if e.fingerprint.startswith(fingerprint)]
    if len(hits) != 1:
        raise UsageError(f"{'no' if not hits else len(hits)} baseline entries match fingerprint {fingerprint!r}")
    entry = hits[0]
    if not everywhere and not paths and not entry.paths:
        raise UsageError(f"baseline entry {entry.fingerprint[:12]} records no paths: say where the mark applies "
                         "(--path P) or mark it --global")
    scope_paths = tuple(sorted(set(paths))) if paths else entry.paths
    marked = replace(entry, mark=how, reason=reason, scope_global=everywhere,
                     scope_paths=() if everywhere else scope_paths,
                     scope_repositories=() if everywhere or paths else entry.repositories)
    return Baseline(tuple(marked if e is entry else e for e in baseline.entries)), marked


def apply(report: ScanReport, baseline: Baseline) -> tuple[ScanReport, int]:
    """The report without the findings the baseline knows (marks only where they apply); and how
    many were suppressed."""
    by_fp = {e.fingerprint: e for e in baseline.entries}
    kept = tuple(f for f in report.findings if f.fingerprint not in by_fp or not by_fp[f.fingerprint].suppresses(f))
    return replace(report, findings=kept), len(report.findings) - len(kept)


def apply_file(report: ScanReport, path: Path | None) -> tuple[ScanReport, int]:
    if path is None:
        return report, 0
    return apply(report, load(path))
