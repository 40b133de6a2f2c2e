"""Which findings are one credential, and how long a set of credentials was exposed.

A scan reports findings, one per rule that matched: a GCP service account key file is a
``gcp-service-account-json`` finding and a ``private-key-pkcs8`` finding (the key inside it); an AWS
key pair is an access key id and a secret access key. The identity report counts credentials, so
findings are grouped (union-find over their fingerprints) when they:

- are the same secret or key: equal ``secret.sha256``, ``key.spki_sha256`` or ``gcp.private_key_id``;
- are the two halves of one AWS key: equal ``aws.key_id`` (the id, and the secret key found with it);
- overlap in the same file at the same commit (one finding's span inside or across another's), found
  by different rules (one rule never matches twice over the same text).

A group is named by its main finding: the most severe, then the one with the widest span (the key
file rather than the key inside it), then the first fingerprint.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Sequence

from scanner.identity.lifecycle import days_between

LINKING_FACTS = ("secret.sha256", "key.spki_sha256", "gcp.private_key_id", "aws.key_id")
_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}

Occurrence = tuple[dict[str, Any], str]  # a finding object and the repository it came from


def _place(finding: dict[str, Any], repo: str) -> tuple[Any, ...]:
    origin = finding.get("origin") or []
    extra: dict[str, Any] = {}
    for node in origin:
        extra.update(node.get("extra") or {})
    return (repo, finding.get("path"), extra.get("commit"), extra.get("blob"))


def _span(finding: dict[str, Any]) -> tuple[tuple[int, int], tuple[int, int]]:
    def num(key: str) -> int:
        try:
            return int(finding.get(key) or 0)
        except (TypeError, ValueError):
            return 0
    return (num("start_line"), num("start_column")), (num("end_line"), num("end_column"))


def group_findings(findings: Iterable[Occurrence]) -> dict[str, list[Occurrence]]:
    """The findings grouped into credentials: main fingerprint -> occurrences, the main finding's first."""
    by_fp: dict[str, list[Occurrence]] = {}
    for finding, repo in findings:
        by_fp.setdefault(finding["fingerprint"], []).append((finding, repo))
    parent = {fp: fp for fp in by_fp}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_with: dict[tuple[str, str], str] = {}
    spans: dict[tuple[Any, ...], list[tuple[tuple[int, int], tuple[int, int], str, str]]] = {}
    for fp, occurrences in by_fp.items():
        for finding, repo in occurrences:
            attrs = finding.get("attributes") or {}
            for fact in LINKING_FACTS:
                value = attrs.get(fact)
                if value:
                    union(fp, first_with.setdefault((fact, str(value)), fp))
            spans.setdefault(_place(finding, repo), []).append((*_span(finding), str(finding.get("rule_id")), fp))
    for entries in spans.values():
        if len(entries) < 2:
            continue
        entries.sort()
        reach, rule, owner = entries[0][1], entries[0][2], entries[0][3]
        for start, end, rule_id, fp in entries[1:]:
            if start < reach and rule_id != rule:  # overlaps a span before it, found by another rule
                union(fp, owner)
            if end > reach:
                reach, rule, owner = end, rule_id, fp
    groups: dict[str, list[str]] = {}
    for fp in by_fp:
        groups.setdefault(find(fp), []).append(fp)
    out: dict[str, list[Occurrence]] = {}
    for members in groups.values():
        main = min(members, key=lambda fp: _main_order(by_fp[fp], fp))
        out[main] = [occ for fp in [main, *(m for m in members if m != main)] for occ in by_fp[fp]]
    return out


def _main_order(occurrences: Sequence[Occurrence], fp: str) -> tuple[int, int, int, str]:
    finding = occurrences[0][0]
    (sl, sc), (el, ec) = _span(finding)
    return (-_RANK.get(str(finding.get("severity")), 0), -(el - sl), -(ec - sc if el == sl else ec), fp)


def union_days(intervals: Iterable[tuple[dt.datetime, dt.datetime] | None]) -> int:
    """Whole days covered by the union of (start, end) intervals: two credentials leaked over the same
    642 days are 642 days of exposure, not 1,284."""
    spans = sorted(i for i in intervals if i is not None)
    total = 0
    current: list[dt.datetime] | None = None
    for start, end in spans:
        if current is not None and start <= current[1]:
            current[1] = max(current[1], end)
            continue
        if current is not None:
            total += days_between(current[0], current[1])
        current = [start, end]
    if current is not None:
        total += days_between(current[0], current[1])
    return total
