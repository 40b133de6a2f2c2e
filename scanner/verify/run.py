"""Verify the findings of one run: each distinct credential asked once (a cache by fingerprint that
lives as long as the run), at most ``per_provider`` requests in flight per provider (a thread pool
per provider), every request and wait inside one deadline for the whole run, results mapped back
per fingerprint.

Safety at this edge, whatever a verifier does: a verifier that raises becomes ``error`` with a reason
made from the error's kind, never from its text unless it is the HTTP client's own scrubbed message;
every result is scrubbed of the secret and its companion in every encoding; nothing is logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping

from scanner.httpclient import Deadline, HttpClient, HttpError, Limits, Retry
from scanner.model import Finding
from scanner.verify.endpoints import Endpoints, content_endpoint, urls_in
from scanner.verify.providers._common import MalformedAnswer
from scanner.verify.registry import VERIFIERS, Verifier, lookup
from scanner.verify.result import ERROR, SKIPPED, UNKNOWN, Verification, host_of
from scanner.verify.subject import Subject

KiB = 1024


@dataclass(frozen=True)
class VerifyOptions:
    per_provider: int = 4  # requests in flight per provider
    run_timeout: float | None = 300.0  # seconds for the whole run's verification
    request_timeout: float = 15.0  # seconds per request, connect to last byte
    max_bytes: int = 1024 * KiB  # per answer; identity endpoints answer a few KiB
    retry: Retry = Retry(retries=2, backoff=1.0, max_backoff=8.0, rate_retries=2, max_wait=30.0)
    # --verify-hosts-from-content: a provider with per-organisation hosts whose endpoint the user did not
    # configure may be asked at a host written in the finding's context (https; http to loopback)
    hosts_from_content: bool = False
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.per_provider < 1:
            raise ValueError("per_provider must be at least 1")


@dataclass(frozen=True)
class _Job:
    key: str  # the cache key: fingerprint, and the companion's digest when there is one
    fingerprint: str
    verifier: Verifier
    subject: Subject


def cache_key(finding: Finding, hosts_from_content: bool = False) -> str:
    """A credential checked once per run: its fingerprint, with its companion's digest when it has one
    (and, with hosts from content, the hosts its context names: each is a different question)."""
    extra = []
    if finding.companion is not None:
        extra.append(finding.companion[1])
    if hosts_from_content:
        extra.extend(_context_urls(finding))
    if not extra:
        return finding.fingerprint
    digest = hashlib.sha256("\0".join(extra).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{finding.fingerprint}+{digest}"


def _context_urls(finding: Finding) -> tuple[str, ...]:
    """URLs written in the finding's context: its line and its derived facts (an Okta org URL, a
    GitLab base beside the token)."""
    return urls_in([finding.line_text, *(v for _k, v in finding.attributes)])


def subject_of(finding: Finding, hosts_from_content: bool = False) -> Subject:
    rule, secret = finding.companion if finding.companion else (None, None)
    return Subject(finding.rule_id, finding.secret, secret, rule, finding.attributes,
                   _context_urls(finding) if hosts_from_content else (), finding.line_text)


def skipped(provider: str, reason: str, endpoint: str = "") -> Verification:
    return Verification.of(SKIPPED, provider, endpoint, reason=reason)


class VerifyRun:
    """One run's verification. Use as a context manager; :meth:`verify` may be called many times
    (batches of a history walk), and a credential checked in one batch is not asked again.

    ``families`` maps rule ids to families, for :func:`~scanner.verify.registry.lookup`'s fallback;
    ``verifiers`` replaces the shipped table (tests)."""

    def __init__(self, endpoints: Endpoints, options: VerifyOptions = VerifyOptions(), *,
                 families: Mapping[str, str] | None = None,
                 verifiers: Mapping[str, Verifier] | None = None) -> None:
        self.endpoints = endpoints
        self.options = options
        self.families = dict(families or {})
        self.verifiers = verifiers
        self.deadline = Deadline.after(options.run_timeout, "raise the verification time limit")
        self._cache: dict[str, Verification] = {}
        self._clients: dict[str, HttpClient] = {}
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()

    # -- plumbing -----------------------------------------------------------------------------
    def __enter__(self) -> VerifyRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
        for client in self._clients.values():
            client.close()

    def _lookup(self, rule_id: str) -> Verifier | None:
        if self.verifiers is not None:
            return self.verifiers.get(rule_id)
        return lookup(rule_id, self.families.get(rule_id, ""))

    def _client(self, provider: str) -> HttpClient:
        with self._lock:
            if provider not in self._clients:
                o = self.options
                self._clients[provider] = HttpClient(
                    f"verify {provider}", limits=Limits(o.request_timeout, o.max_bytes, min(10.0, o.request_timeout)),
                    retry=o.retry, deadline=self.deadline, sleep=o.sleep)
            return self._clients[provider]

    def _pool(self, provider: str) -> ThreadPoolExecutor:
        if provider not in self._pools:
            self._pools[provider] = ThreadPoolExecutor(self.options.per_provider,
                                                       thread_name_prefix=f"verify-{provider}")
        return self._pools[provider]

    # -- one credential -------------------------------------------------------------------------
    def check(self, verifier: Verifier, subject: Subject) -> Verification:
        """Ask ``verifier`` about ``subject``; never raises, never returns the secret."""
        provider = verifier.provider
        endpoint = self.endpoints.base(provider)
        from_content = None
        if self.options.hosts_from_content and not self.endpoints.is_configured(provider):
            from_content = content_endpoint(provider, subject.content_urls)
            endpoint = from_content or endpoint
        if endpoint is None:
            result = skipped(provider, f"{provider} has no single public host: configure its endpoint "
                                       f"([verify] endpoints.{provider}); hosts named in scanned content are asked "
                                       "only with --verify-hosts-from-content")
        elif self.deadline.expired():
            result = skipped(provider, "the verification time limit for the run ran out before it was checked",
                             endpoint)
        else:
            try:
                result = verifier.verify(subject, endpoint, self._client(provider))
            except HttpError as exc:
                status = UNKNOWN if exc.kind == "rate-limited" else ERROR
                result = Verification.of(status, provider, endpoint, reason=str(exc))
            except MalformedAnswer as exc:
                result = Verification.of(ERROR, provider, endpoint,
                                         reason=f"malformed answer from {host_of(endpoint)}: {exc}")
            except Exception as exc:  # noqa: BLE001 - a verifier's bug must not lose the run or leak its text
                result = Verification.of(ERROR, provider, endpoint,
                                         reason=f"the {provider} verifier failed ({type(exc).__name__})")
            if from_content:
                note = (f"asked at {host_of(from_content)}, a host read from the scanned content "
                        "(--verify-hosts-from-content)")
                result = replace(result, reason=f"{result.reason}; {note}" if result.reason else note)
        return result.scrubbed(subject.secrets())

    # -- a batch -------------------------------------------------------------------------------
    def verify(self, findings: Iterable[Finding]) -> dict[str, Verification]:
        """The verification of every finding, by fingerprint. Findings that share a fingerprint
        (the same credential in many places) are asked about once; when one fingerprint was seen
        with different companions, the most telling result wins (live, invalid, unknown, error,
        skipped)."""
        by_key: dict[str, list[str]] = {}
        jobs: dict[str, _Job] = {}
        out: dict[str, Verification] = {}
        for finding in findings:
            verifier = self._lookup(finding.rule_id)
            if verifier is None:
                self._keep(out, finding.fingerprint,
                           skipped("", f"no verifier for rule {finding.rule_id}"))
                continue
            key = cache_key(finding, self.options.hosts_from_content)
            by_key.setdefault(key, [])
            if finding.fingerprint not in by_key[key]:
                by_key[key].append(finding.fingerprint)
            if key not in self._cache and key not in jobs:
                jobs[key] = _Job(key, finding.fingerprint, verifier,
                                 subject_of(finding, self.options.hosts_from_content))
        futures: dict[Future[Verification], _Job] = {}
        for job in jobs.values():
            futures[self._pool(job.verifier.provider).submit(self.check, job.verifier, job.subject)] = job
        if futures:
            grace = self.options.request_timeout + 1.0  # a request in flight ends by the deadline
            timeout = None if self.deadline.end is None else max(0.0, self.deadline.remaining()) + grace
            done, _ = wait(futures, timeout=timeout)
            for future, job in futures.items():
                if future in done:
                    self._cache[job.key] = future.result()
                else:
                    future.cancel()
                    self._cache[job.key] = skipped(job.verifier.provider, "the verification time limit for the "
                                                   "run ran out before it was checked")
        for key, fingerprints in by_key.items():
            for fp in fingerprints:
                self._keep(out, fp, self._cache[key])
        return out

    @staticmethod
    def _keep(out: dict[str, Verification], fingerprint: str, result: Verification) -> None:
        if fingerprint not in out or result.rank > out[fingerprint].rank:
            out[fingerprint] = result


def verify_findings(findings: Iterable[Finding], endpoints: Endpoints | None = None,
                    options: VerifyOptions = VerifyOptions(), *,
                    families: Mapping[str, str] | None = None) -> dict[str, Verification]:
    """One-shot: verify ``findings`` with the shipped verifiers and return results by fingerprint."""
    with VerifyRun(endpoints or Endpoints.from_overrides(), options, families=families) as run:
        return run.verify(findings)


__all__ = ["VERIFIERS", "VerifyOptions", "VerifyRun", "cache_key", "verify_findings"]
