"""What the matcher saw and why it kept or dropped each candidate: the record behind ``credsprawl explain``.

The matcher takes an optional sink (``Matcher.scan(text, trace=sink)``); without one nothing is
recorded and nothing is paid. Every step is at an offset span of the scanned text (a candidate found
in decoded text is at the span it was decoded from, with the decoding chain).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

# The steps, in pipeline order. ``keyword``: the rule's keyword was seen and its regex ran here;
# ``pattern``: the regex ran on a window and matched nothing; the others judge one regex match.
STEPS = (
    "keyword", "pattern", "deny_key", "decode", "allowlist", "placeholder", "entropy", "validator", "context",
    "pairing", "identifier", "overlap", "filter", "baseline", "kept",
)


@dataclass(frozen=True)
class Step:
    """One step of the record: a candidate at a span, the step that judged it, and whether it was kept."""

    rule_index: int
    start: int
    end: int
    step: str  # one of STEPS
    kept: bool
    detail: str = ""
    secret: str = ""  # the candidate value (latin-1 view), when there is one
    decoded: tuple[str, ...] = ()


class TraceSink(Protocol):
    def add(self, step: Step) -> None: ...


class Trace:
    """A sink that keeps every step, in the order they came."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def add(self, step: Step) -> None:
        self.steps.append(step)


class Located:
    """A sink for the scan of decoded text: steps are moved to the encoded span they came from and
    carry the decoder's name first in their chain."""

    def __init__(self, sink: TraceSink, locate: "Locator", name: str) -> None:
        self.sink, self.locate, self.name = sink, locate, name

    def add(self, step: Step) -> None:
        start, end = self.locate(step.start, step.end)
        self.sink.add(replace(step, start=start, end=end, decoded=(self.name, *step.decoded)))


class Locator(Protocol):
    def __call__(self, start: int, end: int) -> tuple[int, int]: ...
