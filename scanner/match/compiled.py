"""A rule as the matcher runs it: the rule plus its compiled patterns.

The rules layer builds these (``RuleSet.compiled``) and may fill their patterns ahead from its cache
(``rules.regexcache``); the matcher only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import regex

from scanner.match.linebound import line_bound
from scanner.model import Rule

# Content is scanned as a latin-1 view of its bytes: classes like \w and \b and case-folding are
# ASCII, as they are in Hyperscan, so both prefilter backends agree with the confirming regex.
PATTERN_FLAGS = regex.ASCII


@dataclass(frozen=True)
class CompiledRule:
    """A rule plus its compiled patterns, compiled on first use so start-up stays cheap."""

    rule: Rule
    index: int  # the rule's position in the rule list the matcher is given

    @cached_property
    def pattern(self) -> regex.Pattern[str]:
        return regex.compile(self.rule.regex, PATTERN_FLAGS)

    @cached_property
    def line_bound(self) -> bool:
        """No part of the regex can match a newline: every match lies within one line."""
        return line_bound(self.rule.regex)

    @cached_property
    def allow(self) -> tuple[regex.Pattern[str], ...]:
        return tuple(regex.compile(a) for a in self.rule.allow)

    @cached_property
    def deny_key(self) -> regex.Pattern[str] | None:
        return None if self.rule.deny_key is None else regex.compile(self.rule.deny_key, PATTERN_FLAGS)
