"""Findings as the datastore keeps them: redacted, and encoded as compact JSON.

A finding leaves a sweep worker already redacted (``redacted``): its secret, its context line (with
every secret found on it masked, ``scanner.match.masking``) and its companion's secret are replaced by the
forms the reports show, so no secret in clear ever crosses a
process boundary, a network or the disk. Everything else (rule, location, fingerprint, confidence,
validation, decoding chain, derived attributes, origin chain) is kept as it was, so a redacted finding
can be attributed, stored, read back and reported like any other — with ``show_secrets`` on, since
it is already in its shown form.

``encode``/``decode`` turn a (redacted) finding into one JSON text and back. A blob's findings are
stored without their outermost origin (the blob itself, whose path depends on the repository it was
first seen in): ``decode`` puts the given root back.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Sequence

from scanner.model import Confidence, Finding, Origin, Severity, Validation, redact, shown_line


def redacted(finding: Finding) -> Finding:
    """The finding with its secret, context line and companion secret in their redacted forms."""
    companion = None
    if finding.companion is not None:
        companion = (finding.companion[0], redact(finding.companion[1]))
    line = shown_line(finding, False)
    return replace(finding, secret=redact(finding.secret), line_text=line, masked_line=line, companion=companion)


def _chain(origin: Origin, skip_root: bool) -> list[list[Any]]:
    chain = origin.chain()[1:] if skip_root else origin.chain()
    return [[o.path, o.kind, [list(kv) for kv in o.extra]] for o in chain]


def _unchain(items: list[list[Any]], root: Origin | None) -> Origin:
    node = root
    for path, kind, extra in items:
        node = Origin(path, kind, node, tuple((k, v) for k, v in extra))
    if node is None:
        raise ValueError("a stored finding without an origin")
    return node


def encode(finding: Finding, skip_root: bool = False) -> str:
    """One JSON text for a redacted finding (``skip_root``: without its outermost origin)."""
    doc = {
        "r": finding.rule_id, "s": finding.secret, "o": _chain(finding.origin, skip_root),
        "l": [finding.start_line, finding.start_column, finding.end_line, finding.end_column],
        "f": finding.fingerprint, "sv": finding.severity.value, "c": finding.confidence.value,
        "e": finding.entropy, "v": finding.validation.value, "t": finding.line_text, "at": finding.offset,
        "d": list(finding.decoded), "p": list(finding.companion) if finding.companion else None,
        "a": [list(kv) for kv in finding.attributes],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def decode(text: str, root: Origin | None = None) -> Finding:
    """The finding ``encode`` made; ``root`` goes back above an origin stored without it."""
    doc = json.loads(text)
    start_line, start_column, end_line, end_column = doc["l"]
    return Finding(
        rule_id=doc["r"], secret=doc["s"], origin=_unchain(doc["o"], root),
        start_line=start_line, start_column=start_column, end_line=end_line, end_column=end_column,
        fingerprint=doc["f"], severity=Severity(doc["sv"]), confidence=Confidence(doc["c"]), entropy=doc["e"],
        validation=Validation(doc["v"]), line_text=doc["t"], masked_line=doc["t"], offset=doc["at"], decoded=tuple(doc["d"]),
        companion=(doc["p"][0], doc["p"][1]) if doc["p"] else None,
        attributes=tuple((k, v) for k, v in doc["a"]),
    )


def decode_blob(sha: str, texts: Sequence[str]) -> tuple[Finding, ...]:
    """A blob's findings as the blob cache keeps them, rooted at the blob (ready for attribution)."""
    root = blob_root(sha)
    return tuple(decode(t, root) for t in texts)


def blob_root(sha: str) -> Origin:
    """The outermost origin of a finding read from the blob cache, before attribution re-roots it."""
    return Origin(sha, kind="git-blob", extra=(("blob", sha),))


def scrub_shared_lines(texts: Sequence[str]) -> dict[int, str]:
    """Encoded findings of one blob (or one file of one commit) whose context lines may each mask only
    their own secret, so a line holding two secrets would show the other one. The secrets are not
    stored, so such a line cannot be masked again: the context of every finding whose line another
    finding (with another span) touches is replaced by the finding's redacted secret. Returns the
    re-encoded texts by their index in ``texts``; the others stay as they are."""
    docs = [json.loads(t) for t in texts]
    out: dict[int, str] = {}
    for i, doc in enumerate(docs):
        line = doc["l"][0]
        if doc.get("t") and any(other["l"] != doc["l"] and other["l"][0] <= line <= other["l"][2] for other in docs):
            doc["t"] = doc["s"]
            out[i] = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return out
