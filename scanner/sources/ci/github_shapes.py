"""The GitHub Actions objects ``ci github`` reads, checked once as they arrive from the API.

Each is a frozen value built by ``from_json``, which raises :class:`GitHubError` (kind ``bad-answer``,
one line) when an item is not an object, lacks its integer ``id`` or has a field of the wrong type:
a server that answers in another shape is not trusted for the rest of the run. Names are labels in
locations only (nothing is written to disk under them); control characters and path separators are
replaced so that a name cannot forge another location or break a report line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scanner.sources.ci.github import GitHubError

_UNSAFE_LABEL = re.compile(r'[\x00-\x1f\x7f-\x9f\\/:*?"<>|]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def label(name: str) -> str:
    """``name`` safe to put in a location: no control characters, separators or ``..``."""
    text = _UNSAFE_LABEL.sub("_", name).strip()
    return "_" if text in ("", ".", "..") else text


def text(name: str) -> str:
    """``name`` without control characters (a fact shown in reports)."""
    return _CONTROL.sub("_", name)


def _bad(what: str, where: str, problem: str) -> GitHubError:
    return GitHubError(f"GitHub API: {where}: {what} {problem}", "bad-answer")


def _object(item: Any, what: str, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _bad(what, where, f"is not an object (got {type(item).__name__})")
    ident = item.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident < 0:
        raise _bad(what, where, f"has no integer id (got {type(ident).__name__})")
    return item


def _field(item: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str, where: str,
           default: Any = None) -> Any:
    value = item.get(name, default)
    if value is None:
        return default
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise _bad(what, where, f"has a {name!r} of the wrong type ({type(value).__name__})")
    return value


@dataclass(frozen=True)
class Run:
    id: int
    name: str
    attempt: int
    head_sha: str

    @classmethod
    def from_json(cls, item: Any, where: str) -> Run:
        obj = _object(item, "a workflow run", where)
        attempt = _field(obj, "run_attempt", int, "a workflow run", where, 1)
        return cls(obj["id"], text(_field(obj, "name", str, "a workflow run", where, "")), attempt,
                   text(_field(obj, "head_sha", str, "a workflow run", where, "")))


@dataclass(frozen=True)
class Step:
    number: int
    name: str


@dataclass(frozen=True)
class Job:
    id: int
    name: str
    steps: tuple[Step, ...]

    @classmethod
    def from_json(cls, item: Any, where: str) -> Job:
        obj = _object(item, "a job", where)
        steps = []
        for s in _field(obj, "steps", list, "a job", where, []):
            if not isinstance(s, dict):
                raise _bad("a job's step", where, f"is not an object (got {type(s).__name__})")
            number = _field(s, "number", int, "a job's step", where, -1)
            steps.append(Step(number, text(_field(s, "name", str, "a job's step", where, ""))))
        return cls(obj["id"], text(_field(obj, "name", str, "a job", where, "")), tuple(steps))

    def step_name(self, number: int) -> str | None:
        return next((s.name for s in self.steps if s.number == number and s.name), None)


@dataclass(frozen=True)
class Artifact:
    id: int
    name: str  # a safe label (see :func:`label`)
    expired: bool
    expires_at: str
    digest: str

    @classmethod
    def from_json(cls, item: Any, where: str) -> Artifact:
        obj = _object(item, "an artifact", where)
        name = _field(obj, "name", str, "an artifact", where, "") or str(obj["id"])
        return cls(obj["id"], label(name), bool(_field(obj, "expired", bool, "an artifact", where, False)),
                   text(_field(obj, "expires_at", str, "an artifact", where, "")),
                   text(_field(obj, "digest", str, "an artifact", where, "")))
