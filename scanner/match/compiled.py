"""A rule as the matcher runs it: the rule plus its compiled patterns.

The rules layer builds these (``RuleSet.compiled``) and may fill their patterns ahead from its cache
(``rules.regexcache``); the matcher only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import regex

from scanner.match.linebound import line_bound
from scanner.model import Rule

# Content is scanned as a latin-1 view of its bytes: classes like \w and \b and case-folding are
# ASCII, as they are in Hyperscan, so both prefilter backends agree with the confirming regex.
PATTERN_FLAGS = regex.ASCII

# a rule's compiled regex, allow list and deny_key, and whether the regex is line-bound
Compiled = tuple[regex.Pattern[str], tuple[regex.Pattern[str], ...], "regex.Pattern[str] | None", bool]


@dataclass(frozen=True)
class CompiledRule:
    """A rule plus its compiled patterns, compiled on first use so start-up stays cheap. A cache may
    give them ahead (:meth:`store`): a loader of the compiled patterns, called on first use too."""

    rule: Rule
    index: int  # the rule's position in the rule list the matcher is given

    def store(self, loader: Callable[[], Compiled]) -> None:
        """Take the compiled patterns from ``loader`` (called at most once, on first use) instead of
        compiling them."""
        self.__dict__["_loader"] = loader

    @cached_property
    def _stored(self) -> Compiled | None:
        loader = self.__dict__.pop("_loader", None)
        return None if loader is None else loader()

    @cached_property
    def pattern(self) -> regex.Pattern[str]:
        stored = self._stored
        return stored[0] if stored is not None else regex.compile(self.rule.regex, PATTERN_FLAGS)

    @cached_property
    def line_bound(self) -> bool:
        """No part of the regex can match a newline: every match lies within one line."""
        stored = self._stored
        return stored[3] if stored is not None else line_bound(self.rule.regex)

    @cached_property
    def allow(self) -> tuple[regex.Pattern[str], ...]:
        stored = self._stored
        return stored[1] if stored is not None else tuple(regex.compile(a) for a in self.rule.allow)

    @cached_property
    def deny_key(self) -> regex.Pattern[str] | None:
        stored = self._stored
        if stored is not None:
            return stored[2]
        return None if self.rule.deny_key is None else regex.compile(self.rule.deny_key, PATTERN_FLAGS)
