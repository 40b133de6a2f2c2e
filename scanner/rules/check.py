"""``credsprawl rules check``: prove a rule set through the full engine.

Every pattern compiles, every example is found (by its own rule, with the expected secret; and by
the pattern its ``prefilter_secret`` gives, where it has one) and no negative is found by its rule, with entropy, validators, the safe-list and overlaps all applied.
The engine is handed in (``make_engine(backend)``, the CLI builds ``scanner.pipeline.engine.Engine``):
rules never import the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

import regex

from scanner.errors import RuleError
from scanner.match.backends import hyperscan_available
from scanner.match.compiled import PATTERN_FLAGS
from scanner.match.secretgroup import prefilter_source
from scanner.model import Origin, Rule
from scanner.rules.load import RuleSet, check_rule_patterns


class Engine(Protocol):
    """What a check needs of the engine: bytes in, a scan with ``findings`` out."""

    def scan_bytes(self, data: bytes, origin: Origin) -> Any: ...


@dataclass(frozen=True)
class Problem:
    rule_id: str
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: rule '{self.rule_id}': {self.message}"


def found_by(rule: Rule, findings: Any) -> list[str]:
    """What ``rule`` found among ``findings``: its own findings' secrets, or for an identifier (never a
    finding of its own) the values findings carry as their companion from it."""
    if rule.kind == "identifier":
        return [f.companion[1] for f in findings if f.companion and f.companion[0] == rule.id]
    return [f.secret for f in findings if f.rule_id == rule.id]


def check_example(engine: Engine, rule: Rule, text: str, secret: str) -> str | None:
    """None when the rule finds ``secret`` in ``text``, else what went wrong."""
    scan = engine.scan_bytes(text.encode("utf-8"), Origin("<example>"))
    found = found_by(rule, scan.findings)
    if secret in found:
        return None
    if found:
        return f"example found {found!r}, expected {secret!r}"
    return f"example not found: {text[:80]!r}"


def check_negative(engine: Engine, rule: Rule, text: str) -> str | None:
    scan = engine.scan_bytes(text.encode("utf-8"), Origin("<negative>"))
    found = found_by(rule, scan.findings)
    return f"negative matched {found!r} in {text[:80]!r}" if found else None


def check_prefilter_source(rule: Rule, text: str) -> str | None:
    """None when every match of the rule's regex in ``text`` also matches, with the same end, the
    source of its whole pattern (``match.secretgroup.prefilter_source``: its ``prefilter_secret``, from
    its ``key`` group on; the whole-pattern prefilter keeps a window only where such a candidate
    ends), else what went wrong."""
    source = prefilter_source(rule.regex, rule.prefilter_secret)
    if source == rule.regex:
        return None
    full = regex.compile(rule.regex, PATTERN_FLAGS)
    loose = regex.compile(source, PATTERN_FLAGS)
    ends = {m.end() for m in loose.finditer(text, overlapped=True)}
    for m in full.finditer(text):
        if m.end() not in ends:
            what = "prefilter_secret" if rule.prefilter_secret is not None else "the regex from its key group on"
            return f"{what} does not match {m.group('secret')!r}, which the regex matches"
    return None


def check_ruleset(ruleset: RuleSet, make_engine: Callable[[RuleSet, str], Engine]) -> list[Problem]:
    """Problems of ``ruleset``; ``make_engine(ruleset, backend)`` builds the engine its examples run through."""
    problems: list[Problem] = []
    for rule in ruleset.rules:
        try:
            check_rule_patterns(rule.regex, rule.allow, f"{rule.source}: rule '{rule.id}'", rule.deny_key)
        except RuleError as exc:
            problems.append(Problem(rule.id, rule.source, str(exc).split(": ", 2)[-1]))
        for example in rule.examples:
            msg = check_prefilter_source(rule, example.text)
            if msg:
                problems.append(Problem(rule.id, rule.source, msg))
    if problems:
        return problems
    # both prefilter backends must agree: a rule whose keywords do not occur near every match works
    # with one and silently fails with the other
    backends = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])
    for backend in backends:
        engine = make_engine(ruleset, backend)
        suffix = f" [{backend} engine]" if len(backends) > 1 else ""
        for rule in ruleset.rules:
            for example in rule.examples:
                msg = check_example(engine, rule, example.text, example.secret)
                if msg:
                    problems.append(Problem(rule.id, rule.source, msg + suffix))
            for negative in rule.negatives:
                msg = check_negative(engine, rule, negative)
                if msg:
                    problems.append(Problem(rule.id, rule.source, msg + suffix))
    return problems
