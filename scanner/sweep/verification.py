"""Verification in a sweep (``sweep --verify``): once the repositories are committed, every leaked
credential of the swept repositories whose stored result is missing, older than ``recheck_after``
or was left without an answer (``error``, ``skipped``) is asked about once, through the same
:class:`~scanner.verify.run.VerifyRun` as ``scan --verify`` (each secret once, a few requests in flight
per provider, one deadline). Results go to the datastore's ``verification_results`` with the time
they were checked.

The datastore keeps no secret in clear, so a secret to check is read again here: one blob that holds
it (from the repository's mirror, or the local repository) is scanned again in this process, the
finding with the stored fingerprint gives the secret and its companion, and they are forgotten once
the check is done. A credential whose rule has no verifier is not asked and gets no row; one whose
provider has no endpoint to ask is recorded ``skipped`` without reading anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from scanner.model import Finding
from scanner.store.db import Store
from scanner.store.verifications import StoredVerification, due

if TYPE_CHECKING:
    from scanner.pipeline.engine import Engine
    from scanner.sweep.tasks import SweepSpec, Target
    from scanner.verify.endpoints import Endpoints
    from scanner.verify.result import Verification

DAY = 86400.0
RECHECK_AFTER = 7 * DAY  # [verify] recheck_after default


@dataclass(frozen=True)
class SweepVerify:
    """How a sweep verifies (``--verify``): where providers are asked, the run's time limit, how old a
    stored result may get before it is asked again, and whether hosts named in content may be asked."""

    endpoints: Endpoints = field(repr=False)
    timeout: float = 300.0
    recheck_after: float = RECHECK_AFTER  # seconds
    only_verified: bool = False  # the sweep's findings count and exit status: live credentials only
    hosts_from_content: bool = False


@dataclass(frozen=True)
class VerifyTally:
    """What a sweep's verification did: credentials asked now, kept from before, and by status."""

    checked: int = 0
    kept: int = 0  # stored results still fresh enough, not asked again
    unreadable: int = 0  # their secret could not be read again (no blob on this machine)
    statuses: tuple[tuple[str, int], ...] = ()  # every stored status of the swept credentials
    live: tuple[str, ...] = ()  # fingerprints of the swept credentials stored live

    def count(self, status: str) -> int:
        return dict(self.statuses).get(status, 0)


def _stored(fp: str, result: Verification) -> StoredVerification:
    return StoredVerification(fp, result.provider, result.status, result.checked_at, result.identity,
                              result.permissions, result.reason)


def _repo_dir(target: Target) -> Path | None:
    """Where this machine has the repository: its local folder, or its mirror (never fetched here)."""
    spec = target.spec
    if spec.url is None:
        return spec.path
    from scanner.sweep.targets import default_cache_dir
    from scanner.sweep.targets.mirrors import mirror_dir_name, split_credentials

    folder = (Path(target.mirrors) if target.mirrors else default_cache_dir()) / mirror_dir_name(
        split_credentials(spec.url)[0])
    return folder if (folder / "HEAD").is_file() else None


def reread(engine: Engine, targets: Mapping[str, Target],
           wanted: Mapping[str, Sequence[tuple[str, str, str]]]) -> dict[str, Finding]:
    """The findings (secret in clear, in memory only) of the wanted fingerprints, each read again from
    the first of its places (repository key, blob, path) that still gives it."""
    from scanner.pipeline.blobs import BlobTask, scan_batch
    from scanner.sources import git as gitsrc

    by_blob: dict[tuple[str, str], tuple[str, set[str]]] = {}
    order: dict[str, list[tuple[str, str]]] = {}
    for fp, places in wanted.items():
        for key, blob, path in places:
            _path, fps = by_blob.setdefault((key, blob), (path, set()))
            fps.add(fp)
            order.setdefault(fp, []).append((key, blob))
    found: dict[str, Finding] = {}
    per_repo: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (key, blob), (path, _fps) in by_blob.items():
        per_repo[key].append((blob, path))
    for key, blobs in per_repo.items():
        target = targets.get(key)
        folder = _repo_dir(target) if target is not None else None
        if folder is None:
            continue
        try:
            repo = gitsrc.open_repo(str(folder))
        except Exception:  # noqa: BLE001 - a repository gone since: its credentials stay unchecked
            continue
        reader = gitsrc.BlobReader(repo)
        try:
            info = gitsrc.object_info(repo, [b for b, _ in blobs])
            tasks = [BlobTask(b, info[b].size, p) for b, p in blobs if b in info and info[b].kind == "blob"]
            for task, result in zip(tasks, scan_batch(engine, reader, tasks)):
                wanted_here = by_blob[(key, task.sha)][1]
                for f in result.findings:
                    if f.fingerprint in wanted_here and f.fingerprint not in found:
                        found[f.fingerprint] = f
        finally:
            reader.close()
    return found


def verify_sweep(store: Store, targets: Sequence[Target], spec: SweepSpec, options: SweepVerify,
                 now: datetime | None = None, other_specs: Sequence[SweepSpec] = ()) -> VerifyTally:
    """Verify the swept repositories' credentials that are due (see the module's docstring) and keep
    the results; the tally of every swept credential's stored status. ``other_specs``: the rule sets
    of repositories swept with their own config, tried for a secret the sweep's rules do not find."""
    from scanner.verify.registry import lookup
    from scanner.verify.result import SKIPPED, Verification
    from scanner.verify.run import VerifyOptions, VerifyRun

    by_key = {t.identity.key: t for t in targets}
    found = store.verification_candidates(list(by_key))
    stored = store.verifications([c.fingerprint for c in found])
    families = {r.id: r.family for s in (spec, *other_specs) for r in s.engine.rules if r.family}
    todo = set(due(stored, [c.fingerprint for c in found], options.recheck_after, now))
    rows: list[StoredVerification] = []
    wanted: dict[str, Sequence[tuple[str, str, str]]] = {}
    provider_of: dict[str, str] = {}
    for cand in found:
        if cand.fingerprint not in todo:
            continue
        verifier = lookup(cand.rule_id, families.get(cand.rule_id, ""))
        if verifier is None:
            continue
        if options.endpoints.base(verifier.provider) is None and not options.hosts_from_content:
            rows.append(_stored(cand.fingerprint, Verification.of(
                SKIPPED, verifier.provider, reason=f"{verifier.provider} has no single public host: configure its "
                                                   f"endpoint ([verify] endpoints.{verifier.provider})")))
            continue
        wanted[cand.fingerprint] = cand.places
        provider_of[cand.fingerprint] = verifier.provider
    findings: dict[str, Finding] = {}
    for each in (spec, *other_specs):
        missing = {fp: places for fp, places in wanted.items() if fp not in findings}
        if not missing:
            break
        findings.update(reread(each.engine.build(), by_key, missing))
    unreadable = [fp for fp in wanted if fp not in findings]
    for fp in unreadable:
        rows.append(_stored(fp, Verification.of(SKIPPED, provider_of[fp], reason=(
            "its secret could not be read again: no blob holding it is on this machine"))))
    if findings:
        vopts = VerifyOptions(run_timeout=options.timeout, hosts_from_content=options.hosts_from_content)
        with VerifyRun(options.endpoints, vopts, families=families) as run:
            said = run.verify(findings.values())
        rows.extend(_stored(fp, said[fp]) for fp in findings if fp in said)
        findings.clear()
    if rows:
        store.put_verifications(rows)
    everything = store.verifications([c.fingerprint for c in found])
    statuses: dict[str, int] = defaultdict(int)
    for row in everything.values():
        statuses[row.status] += 1
    live = tuple(sorted(fp for fp, row in everything.items() if row.status == "live"))
    return VerifyTally(len(wanted) - len(unreadable), len(found) - len(todo), len(unreadable),
                       tuple(sorted(statuses.items())), live)
