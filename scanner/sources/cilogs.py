"""CI console logs: recognised by content, normalised for matching, reported on the original lines.

GitHub Actions step logs (every line prefixed with an ISO-8601 timestamp, a UTF-8 BOM in front),
GitLab job traces (``section_start:``/``section_end:`` markers, optional runner timestamps with a
stream tag such as ``00O``), Jenkins console output (``[Pipeline]`` steps, hidden console notes
``ESC[8mha:...ESC[0m``, Timestamper prefixes) and CircleCI step output are recognised from their
first lines. Timestamps at line starts, ANSI escape sequences and CI markers are removed before
matching; lines are never joined or split, and findings are reported at the original line, column
and text. A value the CI masked (``***``) is not a finding; an unmasked one is.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Callable

from scanner.model import Blob, Finding, Origin

if TYPE_CHECKING:
    from scanner.sources.views import View

MASK = "***"

_ISO = rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_PREFIX = (
    rb"^(?:\xef\xbb\xbf)?\r?(?:\[" + _ISO + rb"\]|" + _ISO + rb")[ \t]"  # GitHub, GitLab runner, Jenkins Timestamper
    rb"(?:\d\d[OE]\+?[ ]?)?"  # GitLab's stream tag after its timestamp
    rb"|^\r?\[?\d\d:\d\d:\d\d(?:\.\d+)?\]?[ \t]+(?=\S)"  # Timestamper's wall-clock form
)
_STRIP = (
    rb"(?m)" + _PREFIX +
    rb"|\A\xef\xbb\xbf"
    rb"|\x1b\[8mha:[A-Za-z0-9+/=]*\x1b\[0m"  # Jenkins console note (hidden, serialised Java)
    rb"|section_(?:start|end):\d+:[A-Za-z0-9_.\-]+(?:\[[^\]\r\n]*\])?\r?"  # GitLab collapsible sections
    rb"|\x1b\[[0-9;:?<=>]*[ -/]*[@-~]"  # ANSI CSI: colours, cursor moves, erase line
    rb"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)"  # OSC: titles, hyperlinks
    rb"|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMNO]"
)


@functools.lru_cache(maxsize=1)
def _strip() -> re.Pattern[bytes]:
    """What ``normalise`` removes, compiled on first use: detecting a log never needs it."""
    return re.compile(_STRIP)

_GITHUB_LINE = re.compile(rb"^(?:\xef\xbb\xbf)?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
_GITLAB_LINE = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \d\d[OE]")
_HEAD_LINES = 30


def _share(lines: list[bytes], pattern: re.Pattern[bytes]) -> float:
    body = [line for line in lines if line.strip()]
    return sum(1 for line in body if pattern.match(line)) / len(body) if body else 0.0


def _gitlab(head: bytes, lines: list[bytes]) -> bool:
    return b"section_start:" in head or b"Running with gitlab-runner" in head or _share(lines, _GITLAB_LINE) >= 0.5


def _github(head: bytes, lines: list[bytes]) -> bool:
    return _share(lines, _GITHUB_LINE) >= 0.5


def _jenkins(head: bytes, lines: list[bytes]) -> bool:
    return b"[Pipeline] " in head or b"\x1b[8mha:" in head or head.startswith(b"Started by ")


def _circleci(head: bytes, lines: list[bytes]) -> bool:
    return b"Build-agent version" in head or (b"#!/bin/bash -eo pipefail" in head and b"\x1b[" in head)


def _console(head: bytes, lines: list[bytes]) -> bool:
    return b"\x1b[" in head


# checked in order: the first that claims the head names the format
FORMATS: dict[str, Callable[[bytes, list[bytes]], bool]] = {
    "gitlab": _gitlab,
    "github-actions": _github,
    "jenkins": _jenkins,
    "circleci": _circleci,
    "console": _console,
}
_STAMP_FIRST = re.compile(rb"(?:\xef\xbb\xbf)?\d{4}-\d\d-\d\dT")
_MARKER_REACH = 2048  # a CI runner writes its markers in the first lines of a log


def _maybe(head: bytes) -> bool:
    """A quick no for most files (substring tests, no regex over the head)."""
    if b"\x1b" in head and b"\x1b[" in head:  # memchr first: most files have no ESC at all
        return True
    start = head[:_MARKER_REACH]
    return (b"section_start:" in start or b"[Pipeline]" in start or b"Build-agent" in start
            or head.startswith(b"Started by ") or _STAMP_FIRST.match(head) is not None)


def detect(head: bytes) -> str | None:
    """The CI log format of content starting with ``head``, or None when it does not look like one."""
    if not _maybe(head):
        return None
    lines = head.split(b"\n", _HEAD_LINES)[:_HEAD_LINES]
    for name, claims in FORMATS.items():
        if claims(head, lines):
            return name
    return None


def normalise(data: bytes) -> View:
    """The log without timestamps, colour codes and CI markers; the offsets of what is kept."""
    from scanner.sources.views import View

    parts: list[bytes] = []
    view_starts: list[int] = []
    orig_starts: list[int] = []
    pos = size = 0
    for m in _strip().finditer(data):
        if m.start() > pos:
            view_starts.append(size)
            orig_starts.append(pos)
            parts.append(data[pos : m.start()])
            size += m.start() - pos
        pos = m.end()
    if pos < len(data) or not parts:
        view_starts.append(size)
        orig_starts.append(pos)
        parts.append(data[pos:])
    return View(b"".join(parts), tuple(view_starts), tuple(orig_starts))


def unmasked(finding: Finding) -> bool:
    return MASK not in finding.secret


def log_view(blob: Blob, fmt: str) -> tuple[View, Origin]:
    """What the pipeline scans of a CI log (``normalise``), and the origin its findings get; the
    findings go back with ``views.relocate(findings, view, blob.data, keep=unmasked)``."""
    from scanner.sources.views import with_extra

    return normalise(blob.data), with_extra(blob.origin, (("log", fmt),))
