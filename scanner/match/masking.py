"""Context lines with every secret on them masked: the one place a finding's shown line is made.

A finding's context line may hold more than its own secret: ``AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…``,
``f(a="ghp_…", b="sk_live_…")``, a base64 blob beside a token. When the findings of a text are
finalised (``scanner.engine``, and ``scanner.sources.views`` for findings moved back to an original
text) each one gets ``masked_line``: its context line with the span of *every* match any rule made in
that text replaced by that match's redacted form (decoded matches by the span of their encoded text),
then every remaining verbatim occurrence of those secrets (and of companions' secrets) replaced too.
Reporters and the datastore only ever show ``masked_line`` (``scanner.report._common.shown_line``),
unless secrets are asked for.

``redact_objects`` does the same for finding objects read back from a JSON report (``credsprawl
report``): secrets redacted, and each context line masked with every secret known on that line.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

from scanner.match.content import display
from scanner.match.locate import LineIndex
from scanner.model import needles, redact


_REDACTED = re.compile(r"\**|[^\s…]{0,6}…\*\*\*\*\(\d+\)")



def _pairs(secret: str) -> list[tuple[str, str]]:
    mask = redact(secret)
    return [(n, mask) for n in needles(secret)]


def replace_needles(line: str, secrets: Iterable[str], pairs_of: Callable[[str], list[tuple[str, str]]] = _pairs) -> str:
    """``line`` with every verbatim occurrence of each secret replaced by its redacted form."""
    pairs = sorted({p for s in dict.fromkeys(secrets) if s for p in pairs_of(s)}, key=lambda p: (-len(p[0]), p[0]))
    for needle, mask in pairs:
        if needle in line:
            line = line.replace(needle, mask)
    return line


def looks_redacted(value: str) -> bool:
    """Whether ``value`` is already in the form ``scanner.model.redact`` gives."""
    return _REDACTED.fullmatch(value) is not None


class LineMasker:
    """Masked context lines for the findings of one text, given every match made in it as
    (start, end, secret as displayed): the span of a decoded match is that of its encoded text."""

    def __init__(self, index: LineIndex, matches: Iterable[tuple[int, int, str]]) -> None:
        self.index = index
        self.matches = sorted(matches)
        masks = {secret: redact(secret) for _s, _e, secret in self.matches}
        self._masks = [masks[secret] for _s, _e, secret in self.matches]
        self._starts = [s for s, _e, _secret in self.matches]
        self._longest = max((e - s for s, e, _secret in self.matches), default=0)
        self._pairs = lru_cache(maxsize=None)(_pairs)  # a secret's needles, worked out once per text

    def line(self, offset: int, extra: Sequence[str] = ()) -> str:
        """The context line of ``offset`` (cut as ``LineIndex.line_text`` cuts it) with every match on
        it masked, then every verbatim occurrence of those secrets (and of ``extra``) masked too."""
        text = self.index.text
        start, end = self.index.window(offset)
        lo = bisect.bisect_left(self._starts, start - self._longest)
        hi = bisect.bisect_left(self._starts, end)
        pieces: list[str] = []
        near: list[str] = []
        at = start
        for i in range(lo, hi):
            s, e, secret = self.matches[i]
            if e <= start:
                continue
            near.append(secret)
            if s < at:  # overlaps a match already masked: hide the rest of it too
                at = max(at, min(e, end))
                continue
            pieces.append(display(text[at:s]))
            pieces.append(self._masks[i])
            at = min(e, end)
        pieces.append(display(text[at:end]))
        return replace_needles("".join(pieces).rstrip("\r"), (*near, *extra), self._pairs)



# ------------------------------------------------------------------------------------------------
# finding objects read back from a JSON report


def redact_objects(objects: Sequence[dict[str, Any]]) -> None:
    """Redact, in place, finding objects of a JSON report that may hold secrets in clear (a report
    made with ``--show-secrets``): each secret and companion secret in its redacted form, each context
    line with every clear secret known on that line (same repository, path and line) masked. A line
    on which a finding's secret cannot be found, or that holds a clear secret encoded (a decoded
    finding), is dropped for the finding's redacted secret rather than risk showing it."""
    by_line: dict[tuple[Any, ...], list[str]] = {}
    encoded: set[tuple[Any, ...]] = set()  # lines that hold a clear secret in an encoded form
    for obj in objects:
        clear = [s for s in _secrets_of(obj) if not looks_redacted(s)]
        first = _int(obj.get("start_line"))
        for number in range(first, _int(obj.get("end_line"), first) + 1):
            by_line.setdefault(_place(obj, number), []).extend(clear)
            if clear and obj.get("decoded"):
                encoded.add(_place(obj, number))
    for obj in objects:
        secret = obj.get("secret")
        context = obj.get("line")
        own = secret if isinstance(secret, str) and not looks_redacted(secret) else ""
        if isinstance(context, str) and context:
            place = _place(obj, _int(obj.get("start_line")))
            masked = replace_needles(context, by_line.get(place, []))
            if place in encoded or (own and not any(n in context for n in needles(own))):
                masked = redact(own) if own else (secret if isinstance(secret, str) else "")
            obj["line"] = masked
        if isinstance(secret, str) and not looks_redacted(secret):
            obj["secret"] = redact(secret)
        companion = obj.get("companion")
        if isinstance(companion, dict) and isinstance(companion.get("secret"), str):
            if not looks_redacted(companion["secret"]):
                companion["secret"] = redact(companion["secret"])


def _secrets_of(obj: dict[str, Any]) -> list[str]:
    out = [obj.get("secret")]
    companion = obj.get("companion")
    if isinstance(companion, dict):
        out.append(companion.get("secret"))
    return [s for s in out if isinstance(s, str) and s]


def _place(obj: dict[str, Any], line: int) -> tuple[Any, ...]:
    origin = obj.get("origin") or []
    repo = (origin[0].get("extra") or {}).get("repository") if origin and isinstance(origin[0], dict) else None
    return (repo, obj.get("path"), line)


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
