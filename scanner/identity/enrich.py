"""Enrich: fill every finding of a report with the facts its secret gives, and pair keys with the
certificates issued for them.

Two entry points, one per place the facts can be had:

- :func:`document_facts` runs in the worker, while the pipeline still holds a document's bytes
  (``scanner.pipeline.engine.with_document_facts``, for every source: files, git blobs, delta scans,
  staged changes, notebook cells, CI logs): facts that live elsewhere in the same file than the secret (a GCP service-account JSON's
  ``client_email``, the cluster server of a kubeconfig user) — see
  :data:`scanner.identity.facts.DOCUMENT_FACTS`. It costs nothing for blobs without such findings.
- :func:`enrich_report` runs once per command, at the report boundary (after baseline suppression,
  before the reporters): every other fact, from the secret, its companion and its line
  (:func:`scanner.identity.facts.derive`), then ``key.paired_certs`` across the whole report.
  Each distinct secret (by fingerprint, rule and context) is parsed once. A filesystem scan uses
  :class:`Enricher` to derive most facts in the parent while the workers are still scanning.

A PKCS#12 keystore is opened with no password, the empty one, or a password found beside it: the
secret of a ``password``-kind finding, or of a rule whose id says ``password``/``passphrase``, in a
file of the same directory (archive members: the same directory inside the archive). Nothing more
clever: a password elsewhere is not tried.

Facts a finding already carries (from the worker) win over derived ones on the same key. A failure
to derive anything leaves the finding as it was: enrichment never loses a finding.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from datetime import datetime, timezone
from typing import Iterable, Mapping

from scanner.identity.facts import DOCUMENT_FACTS, FactContext, Facts, clean, derive
from scanner.model import Finding, Rule
from scanner.results import ScanReport

PKCS12_RULE = "pkcs12-keystore"
MAX_PASSWORDS = 20  # candidate passwords tried per keystore


def document_facts(findings: tuple[Finding, ...], data: bytes) -> tuple[Finding, ...]:
    """``findings`` (of the document ``data``) with their document facts added (see the module
    docstring); the same tuple when none of them has any."""
    if not any(f.rule_id in DOCUMENT_FACTS for f in findings):
        return findings
    text = data.decode("latin-1")  # one character per byte: finding offsets index it directly
    return tuple(_document_facts(f, text) for f in findings)


def _document_facts(finding: Finding, text: str) -> Finding:
    function = DOCUMENT_FACTS.get(finding.rule_id)
    if function is None or not 0 <= finding.offset < len(text):
        return finding
    try:
        facts = clean(function(text, finding.offset))
    except Exception:  # noqa: BLE001 - a fact is never worth a lost finding
        return finding
    return _with(finding, facts) if facts else finding


def _with(finding: Finding, facts: Facts) -> Finding:
    merged = {**facts, **dict(finding.attributes)}
    return replace(finding, attributes=tuple(sorted(merged.items())))


def _directory(finding: Finding) -> str:
    return posixpath.dirname(finding.origin.render())


def _passwords_by_directory(report: ScanReport) -> dict[str, tuple[str, ...]]:
    if not any(f.rule_id == PKCS12_RULE for f in report.findings):
        return {}
    out: dict[str, list[str]] = {}
    for f in report.findings:
        rule = report.rules.get(f.rule_id)
        if (rule is not None and rule.kind == "password") or "password" in f.rule_id or "passphrase" in f.rule_id:
            out.setdefault(_directory(f), []).append(f.secret)
    return {d: tuple(dict.fromkeys(p))[:MAX_PASSWORDS] for d, p in out.items()}


class _Deriver:
    """Facts of findings, each distinct (rule, secret, context) derived once (``cache`` is shared with
    the :class:`Enricher` that made it, so facts primed earlier are not derived again)."""

    def __init__(self, rules: Mapping[str, Rule], now: datetime, passwords: dict[str, tuple[str, ...]],
                 cache: dict[tuple[object, ...], Facts]) -> None:
        self.rules = rules
        self.now = now
        self.passwords = passwords
        self.cache = cache

    def facts(self, finding: Finding) -> Facts:
        rule = self.rules.get(finding.rule_id)
        passwords = self.passwords.get(_directory(finding), ()) if finding.rule_id == PKCS12_RULE else ()
        ctx = FactContext(finding.rule_id, rule.kind if rule else "", finding.line_text, finding.companion,
                          self.now, passwords)
        key = (finding.rule_id, finding.fingerprint, ctx.line, ctx.companion, passwords)
        facts = self.cache.get(key)
        if facts is None:
            try:
                facts = derive(finding.secret, ctx)
            except Exception:  # noqa: BLE001 - a fact is never worth a lost finding
                facts = {}
            self.cache[key] = facts
        return facts

    def __call__(self, finding: Finding) -> Finding:
        facts = self.facts(finding)
        return _with(finding, facts) if facts else finding


class Enricher:
    """:func:`enrich_report` in two steps, so most of the work can be done while workers still scan:
    :meth:`prime` derives the facts of findings as their files' results come in (all but PKCS#12
    keystores, whose candidate passwords depend on the whole report); :meth:`enrich` fills the report,
    deriving only what was not primed. The report is the same as :func:`enrich_report` gives."""

    def __init__(self, rules: Mapping[str, Rule], now: datetime | None = None) -> None:
        self.rules = rules
        self.now = now or datetime.now(timezone.utc)
        self._cache: dict[tuple[object, ...], Facts] = {}

    def prime(self, findings: Iterable[Finding]) -> None:
        deriver = _Deriver(self.rules, self.now, {}, self._cache)
        for finding in findings:
            if finding.rule_id != PKCS12_RULE:
                deriver.facts(finding)

    def enrich(self, report: ScanReport) -> ScanReport:
        deriver = _Deriver(report.rules, self.now, _passwords_by_directory(report), self._cache)
        inventory = tuple(map(deriver, report.inventory))
        findings = _pair(tuple(map(deriver, report.findings)), inventory)
        return replace(report, findings=findings, inventory=inventory)


def _pair(findings: tuple[Finding, ...], inventory: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Findings whose key matches certificates of the report get ``key.paired_certs``."""
    certs: dict[str, set[str]] = {}
    for f in (*findings, *inventory):
        spki, digest = f.attribute("cert.spki_sha256"), f.attribute("cert.sha256")
        if spki and digest:
            certs.setdefault(spki, set()).add(digest)
    if not certs:
        return findings
    out: list[Finding] = []
    for f in findings:
        spki = f.attribute("key.spki_sha256")
        if spki and spki in certs:
            known = set(filter(None, (f.attribute("key.paired_certs") or "").split(",")))
            paired = ",".join(sorted(known | certs[spki]))
            attrs = {**dict(f.attributes), "key.paired_certs": paired}
            f = replace(f, attributes=tuple(sorted(attrs.items())))
        out.append(f)
    return tuple(out)


def enrich_report(report: ScanReport, now: datetime | None = None) -> ScanReport:
    """``report`` with every finding's (and inventory entry's) attributes filled; ``now`` decides
    which certificates count as expired (default: the current time)."""
    return Enricher(report.rules, now).enrich(report)
