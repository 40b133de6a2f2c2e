"""Filters between matching and reporting: inline allow comments, the config allowlist, and the
minimum confidence. Baselines join here later."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from scanner.model import Confidence, Finding

ALLOW_MARKERS = ("credsprawl:allow", "gitleaks:allow", "pragma: allowlist secret")


def inline_allowed(line_text: str) -> bool:
    return any(marker in line_text for marker in ALLOW_MARKERS)


@dataclass(frozen=True)
class FindingFilter:
    """Drops findings the user has said are not secrets."""

    allow_regexes: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    min_confidence: Confidence = Confidence.LOW

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", tuple(regex.compile(r) for r in self.allow_regexes))

    def reason(self, finding: Finding, lines: tuple[str, ...]) -> str | None:
        """Why ``keeps`` drops ``finding`` (None: it is kept); for ``credsprawl explain``."""
        if finding.confidence.rank < self.min_confidence.rank:
            return f"confidence {finding.confidence.value} is below --min-confidence {self.min_confidence.value}"
        if any(inline_allowed(line) for line in lines):
            return "an inline allow comment on its line"
        lowered = finding.secret.lower()
        word = next((w for w in self.stopwords if w in lowered), None)
        if word is not None:
            return f"the config's allowlist stopword {word!r}"
        pattern = next((p.pattern for p in self._compiled if p.search(finding.secret)), None)  # type: ignore[attr-defined]
        return None if pattern is None else f"the config's allowlist regex {pattern!r}"

    def keeps(self, finding: Finding, lines: tuple[str, ...]) -> bool:
        if finding.confidence.rank < self.min_confidence.rank:
            return False
        if any(inline_allowed(line) for line in lines):
            return False
        secret = finding.secret
        lowered = secret.lower()
        if any(word in lowered for word in self.stopwords):
            return False
        return not any(p.search(secret) for p in self._compiled)  # type: ignore[attr-defined]
