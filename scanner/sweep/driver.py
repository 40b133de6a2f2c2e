"""Org-wide sweeps: many repositories, every ref, each unique blob scanned once per rule set — across
repositories and forks, across runs — with the datastore (``scanner.store``) as the memory.

The plan, per repository (a task each, on the executor's workers; the driver here only decides and
writes the datastore):

1. inventory: mirror or open it, list its refs; refs identical to those of its last complete scan
   under the same rule set mean nothing to do. Else walk its history once and list its blobs.
2. subtract: blobs the datastore already holds for this rule set, and blobs another repository of
   this sweep has claimed (its fork, its upstream) are not scanned again; the rest are claimed.
3. scan: a large repository's new blobs go out as blob-batch tasks (stored as each batch returns); a
   small one's are scanned by its attribution task.
4. attribute: once every blob it waits for is known, tie the findings to commits, paths and refs.
5. commit: one transaction per repository (refs, status, its own blobs, attributed findings).

A repository only waits for blobs claimed before its own inventory arrived, so waits never go in a
circle. A repository that fails (unreachable, corrupt) is recorded with its reason and the sweep goes
on; blobs it had claimed pass to the next repository that needs them.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence

from scanner import __version__
from scanner.pipeline.blobs import BlobTask, batches
from scanner.pipeline.engine import EngineSettings
from scanner.config import CONFIG_NAME, Config, parse_config
from scanner.errors import ConfigError, CredsprawlError
from scanner.model import Rule
from scanner.results import ExitStatus
from scanner.store.db import Store
from scanner.store.sweeps import RepoIdentity, RepoResult
from scanner.sweep.executors import Executor, Handle
from scanner.sweep.progress import ProgressSink
from scanner.sweep.tasks import (AttributeTask, Attributed, Inventory, InventoryTask, RepoConfig, Scanned, ScanTask,
                                 SweepSpec, Target, Task)
from scanner.sweep.verification import SweepVerify, VerifyTally, verify_sweep
from scanner.triage.reopen import reopen_releaked, reopen_verified_live

if TYPE_CHECKING:
    from scanner.sweep.targets.repospec import RepoSpec

MB = 1024 * 1024
# a repository with more new blobs or blob content than this is scanned by blob-batch tasks (so that
# one large repository, or one its forks wait for, keeps every worker busy), each of about this size
SPLIT_BLOBS, SPLIT_BYTES = 256, 8 * MB
TASK_BLOBS, TASK_BYTES = 128, 4 * MB
_TICK = 0.5  # seconds between progress updates while waiting
# a task's kind: inventory (one per repository), scan (a blob batch of a large repository), attribute
# (scan what is left of a repository and tie its findings to commits, paths and refs)
Kind = Literal["inventory", "scan", "attribute"]


def ruleset_version(rules: Sequence[Rule], settings: EngineSettings) -> str:
    """The blob cache's key: a hash of the effective rules (in order, without the files they came
    from) and of what else decides a blob's findings (decoding depth, allow-lists, minimum confidence,
    the scanner's version)."""
    f = settings.filter
    h = hashlib.sha256(f"credsprawl {__version__}|decode {settings.max_decode_depth}|allow {f.allow_regexes!r}|"
                       f"stop {f.stopwords!r}|min {f.min_confidence.value}".encode())
    for rule in rules:
        h.update(repr(replace(rule, source="")).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:24]


@dataclass(frozen=True)
class SweepRequest:
    targets: tuple[Target, ...]
    spec: SweepSpec
    max_file_size: int = 50 * MB
    in_flight: int = 4  # repositories between inventory and commit at once (bounds the driver's memory)
    split_bytes: int = SPLIT_BYTES
    split_blobs: int = SPLIT_BLOBS
    # a repository's own config (parsed, its rule files written under a scratch folder) to the spec its
    # blobs are scanned with; None when no repository config is read (``--config`` was given)
    repo_spec: Callable[[Config], SweepSpec] | None = None
    verify: SweepVerify | None = None  # --verify: ask providers about the swept credentials (network)


@dataclass(frozen=True)
class SweepSummary:
    """A finished sweep. ``return_code``: 2 when any repository failed (its reason is in ``failed``
    and in the datastore; every other repository's findings are still written), else 1 when the swept
    repositories have findings, else 0."""

    sweep_id: int
    repositories: int
    scanned: int
    unchanged: int
    failed: tuple[tuple[str, str], ...]  # (repository, reason)
    blobs: int  # unique blobs of the repositories inventoried
    blobs_scanned: int
    bytes_scanned: int
    blobs_reused: int  # found in the datastore or scanned for another repository of this sweep
    bytes_reused: int
    findings: int  # recorded for the swept repositories
    new_findings: int
    seconds: float
    executor: str
    verified: VerifyTally | None = None  # --verify: what the providers said (stored in the datastore)
    reopened: tuple[str, ...] = ()  # credentials triage reopened: committed again, or verified live after a mark

    @property
    def return_code(self) -> ExitStatus:
        """The one order of docs/exit-codes.md: 1 when anything was found (with ``--only-verified``:
        anything verified live); otherwise 2 when a repository could not be swept; otherwise 0."""
        if self.findings:
            return ExitStatus.FINDINGS
        return ExitStatus.ERROR if self.failed else ExitStatus.CLEAN

    @property
    def mb_per_second(self) -> float:
        return self.bytes_scanned / 1e6 / self.seconds if self.seconds > 0 else 0.0


@dataclass
class _Open:
    """A repository between its inventory and its commit."""

    seq: int
    target: Target
    inventory: Inventory
    unit: int  # the claim of its own task's scans
    spec: SweepSpec | None = None  # its own settings (its config), when they differ from the sweep's
    ruleset_id: int = 0  # the rule set its blobs are scanned and cached under
    config_note: str = ""  # why its own config could not be used
    own: list[BlobTask] = field(default_factory=list)
    waits: set[int] = field(default_factory=set)
    unreadable: list[str] = field(default_factory=list)
    failed: str = ""
    submitted: bool = False
    blobs_scanned: int = 0
    bytes_scanned: int = 0
    blobs_reused: int = 0
    bytes_reused: int = 0


@dataclass
class _Stats:
    started: float = field(default_factory=time.perf_counter)
    done: int = 0
    scanned: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    blobs: int = 0
    blobs_scanned: int = 0
    bytes_scanned: int = 0
    blobs_reused: int = 0
    bytes_reused: int = 0
    bytes_claimed: int = 0  # new blob content claimed so far (what the ETA measures)
    new_findings: int = 0


def _reason(exc: BaseException) -> str:
    if isinstance(exc, CredsprawlError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class _Driver:
    def __init__(self, request: SweepRequest, store: Store, executor: Executor, progress: ProgressSink,
                 scratch: str) -> None:
        self.request = request
        self.scratch = scratch
        self.store = store
        self.executor = executor
        self.progress = progress
        self.stats = _Stats()
        self.total = len(request.targets)
        self.ruleset_id = store.ruleset_id(request.spec.version, request.spec.engine.rules)
        self.sweep_id = store.begin_sweep(self.ruleset_id, self.total)
        self.jobs: dict[Handle, tuple[Kind, Any]] = {}  # a submitted task: its kind and what it is for
        self.open: dict[str, _Open] = {}  # by repository key
        self.inventorying = 0
        self.claims: dict[str, int] = {}  # blob -> the unit scanning it
        self.units: dict[int, dict[str, int]] = {}  # unit -> {blob: size} it claimed and has not finished
        self.owner: dict[int, str] = {}  # unit -> repository key
        self.waiters: dict[int, set[str]] = {}  # unit -> repositories waiting for it
        # what else decides which blobs are scanned
        self.options = f"max-file-size={request.max_file_size}" + (
            f"|exclude={list(request.spec.excludes)!r}" if request.spec.excludes else "")
        self.repo_specs: dict[str, tuple[SweepSpec, int]] = {}  # repository configs seen, by content
        self.next_unit = 0
        self.next_seq = 0
        self.last_tick = 0.0

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> SweepSummary:
        self.progress.event("sweep-start", {"sweep": self.sweep_id, "repositories": self.total,
                                            "ruleset": self.request.spec.version, "executor": self.executor.name})
        queue = deque(self.request.targets)
        while queue or self.jobs:
            while queue and len(self.open) + self.inventorying < self.request.in_flight:
                self._submit_inventory(queue.popleft())
            for handle in self.executor.wait(list(self.jobs), _TICK):
                kind, ref = self.jobs.pop(handle)
                try:
                    result = handle.result()
                except Exception as exc:  # noqa: BLE001 - a task's failure fails its repository, not the sweep
                    self._task_failed(kind, ref, _reason(exc))
                    continue
                ON_RESULT[kind](self, ref, result)
            self._tick()
        return self._finish()

    def _submit(self, kind: Kind, ref: Any, task: Task) -> None:
        self.jobs[self.executor.submit(task)] = (kind, ref)

    def _submit_inventory(self, target: Target) -> None:
        previous = self.store.previous_refs(target.identity.key, self.ruleset_id, self.options)
        self.inventorying += 1
        self._submit("inventory", target, InventoryTask(target, previous, self.request.max_file_size, self.scratch))

    def _repo_spec(self, target: Target, config: RepoConfig | None) -> tuple[SweepSpec | None, int]:
        """The spec and rule set a repository is scanned with: its own config's when it has one (and
        the sweep reads them), else the sweep's (None). A config is checked here, in the driver: it
        may choose and add rules (files inside the repository only) and filters, nothing more."""
        if config is None or self.request.repo_spec is None:
            return None, self.ruleset_id
        digest = hashlib.sha256(repr((config.text, config.files)).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        cached = self.repo_specs.get(digest)
        if cached is None:
            root = Path(self.scratch) / "configs" / digest
            for name, data in config.files:
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            parsed = _parse_repo_config(config.text, f"{target.identity.name}:{CONFIG_NAME}", root)
            spec = self.request.repo_spec(parsed)
            cached = (spec, self.store.ruleset_id(spec.version, spec.engine.rules))
            self.repo_specs[digest] = cached
        spec, ruleset_id = cached
        same = spec.version == self.request.spec.version and spec.excludes == self.request.spec.excludes
        return (None, self.ruleset_id) if same else (spec, ruleset_id)

    def _new_unit(self, owner: str, blobs: dict[str, int]) -> int:
        self.next_unit += 1
        self.units[self.next_unit] = blobs
        self.owner[self.next_unit] = owner
        for sha in blobs:
            self.claims[sha] = self.next_unit
        return self.next_unit

    # -- results --------------------------------------------------------------------------------

    def _on_inventory(self, target: Target, inv: Inventory) -> None:
        self.inventorying -= 1
        if inv.unchanged:
            self.store.mark_unchanged(target.identity, self.sweep_id)
            self.stats.unchanged += 1
            self._done(target, "unchanged")
            return
        note = ""
        try:
            spec, ruleset_id = self._repo_spec(target, inv.config)
        except CredsprawlError as exc:  # scanned all the same, and the repository is marked failed with why
            spec, ruleset_id, note = None, self.ruleset_id, f"{exc} (scanned with the sweep's settings)"
        self.next_seq += 1
        key = target.identity.key
        known = self.store.known_blobs([b.sha for b in inv.blobs], ruleset_id)
        new: list[BlobTask] = []
        repo = _Open(self.next_seq, target, inv, 0, spec=spec, ruleset_id=ruleset_id, config_note=note)
        for b in inv.blobs:
            if b.sha in known:
                repo.blobs_reused += 1
                repo.bytes_reused += b.size
            elif spec is None and b.sha in self.claims:  # a repository with its own rules shares no claims
                repo.waits.add(self.claims[b.sha])
                repo.blobs_reused += 1
                repo.bytes_reused += b.size
            else:
                new.append(b)
        self.open[key] = repo
        self.stats.blobs += len(inv.blobs)
        self.stats.bytes_claimed += sum(b.size for b in new)
        if spec is None and (sum(b.size for b in new) > self.request.split_bytes or len(new) > self.request.split_blobs):
            for chunk in _chunks(batches(new, {b.sha: b.pred for b in new if b.pred})):
                unit = self._new_unit(key, {t.sha: t.size for batch in chunk for t in batch})
                repo.waits.add(unit)
                self._submit("scan", unit, ScanTask(inv.repo, chunk, target))
            repo.unit = self._new_unit(key, {})
        else:
            repo.own = new
            repo.unit = self._new_unit(key, {b.sha: b.size for b in new} if spec is None else {})
        for unit in repo.waits:
            self.waiters.setdefault(unit, set()).add(key)
        self._maybe_attribute(repo)

    def _on_scan(self, unit: int, scanned: Scanned) -> None:
        self._count(scanned, self.open.get(self.owner[unit]))
        self.store.put_blobs(scanned.blobs, self.ruleset_id, self.sweep_id)
        self._resolve(unit)

    def _on_attribute(self, key: str, result: Attributed) -> None:
        repo = self.open[key]
        inv = repo.inventory
        self._count(result.scanned, repo)
        problems = [repo.config_note] if repo.config_note else []
        if inv.partial:
            problems.append(inv.partial)
        if inv.missing or repo.unreadable:
            bad = [*inv.missing, *repo.unreadable]
            problems.append(f"{len(bad)} object(s) missing or corrupt (first: {bad[0]}); their blobs are not scanned")
        status = "failed" if problems else "ok"
        record = RepoResult(repo.target.identity, inv.ref_pairs, result.scanned.blobs, result.findings,
                            len(inv.blobs) + inv.too_large + len(inv.missing), status, "; ".join(problems),
                            self.options)
        new = self.store.commit_repository(record, repo.ruleset_id or self.ruleset_id, self.sweep_id)
        self.stats.new_findings += new
        self._resolve(repo.unit)
        del self.open[key]
        if problems:
            self.stats.failed.append((repo.target.identity.name, record.reason))
        else:
            self.stats.scanned += 1
        self._done(repo.target, status, record.reason, repo, len(result.findings), new)

    def _count(self, scanned: Scanned, repo: _Open | None) -> None:
        size = sum(b.size for b in scanned.blobs)
        self.stats.blobs_scanned += len(scanned.blobs)
        self.stats.bytes_scanned += size
        if repo is not None:
            repo.unreadable.extend(scanned.unreadable)
            repo.blobs_scanned += len(scanned.blobs)
            repo.bytes_scanned += size

    def _task_failed(self, kind: Kind, ref: Any, reason: str) -> None:
        if kind == "inventory":
            self.inventorying -= 1
            self._fail(ref, reason)
            return
        unit = ref if kind == "scan" else self.open[ref].unit
        key = self.owner[unit]
        repo = self.open.get(key)
        if repo is not None:
            repo.failed = repo.failed or (f"scanning failed: {reason}" if kind == "scan" else reason)
            repo.waits.discard(unit)
            del self.open[key]
            self._fail(repo.target, repo.failed, repo)
        self._release(unit)

    def _fail(self, target: Target, reason: str, repo: _Open | None = None) -> None:
        self.store.record_failure(target.identity, self.sweep_id, reason)
        self.stats.failed.append((target.identity.name, reason))
        self._done(target, "failed", reason, repo)

    # -- claims and waits -----------------------------------------------------------------------

    def _resolve(self, unit: int) -> None:
        for sha in self.units.pop(unit, {}):
            if self.claims.get(sha) == unit:
                del self.claims[sha]
        for key in sorted(self.waiters.pop(unit, set()), key=lambda k: self.open[k].seq if k in self.open else 0):
            repo = self.open.get(key)
            if repo is not None:
                repo.waits.discard(unit)
                self._maybe_attribute(repo)

    def _release(self, unit: int) -> None:
        """A unit failed: the first repository (in inventory order) that needs its blobs scans them
        itself; later ones wait for that one."""
        blobs = self.units.pop(unit, {})
        for sha in blobs:
            if self.claims.get(sha) == unit:
                del self.claims[sha]
        waiting = [self.open[k] for k in self.waiters.pop(unit, set()) if k in self.open]
        for repo in sorted(waiting, key=lambda r: r.seq):
            repo.waits.discard(unit)
            for b in repo.inventory.blobs:
                if b.sha not in blobs:
                    continue
                holder = self.claims.get(b.sha)
                if holder is None:
                    self.claims[b.sha] = repo.unit
                    self.units.setdefault(repo.unit, {})[b.sha] = b.size
                    repo.own.append(b)
                elif holder != repo.unit:
                    repo.waits.add(holder)
                    self.waiters.setdefault(holder, set()).add(repo.target.identity.key)
            self._maybe_attribute(repo)

    def _maybe_attribute(self, repo: _Open) -> None:
        if repo.waits or repo.submitted:
            return
        repo.submitted = True
        own = {b.sha for b in repo.own}
        known = self.store.blob_findings([b.sha for b in repo.inventory.blobs if b.sha not in own],
                                         repo.ruleset_id or self.ruleset_id)
        preds = {b.sha: b.pred for b in repo.own if b.pred}
        work = tuple(tuple(batch) for batch in batches(repo.own, preds))
        inv = repo.inventory
        self._submit("attribute", repo.target.identity.key,
                     AttributeTask(inv.repo, inv.refs, inv.head, work, known, inv.history_file, repo.target, repo.spec))

    # -- progress -------------------------------------------------------------------------------

    def _snapshot(self) -> dict[str, Any]:
        s = self.stats
        elapsed = time.perf_counter() - s.started
        rate = s.bytes_scanned / elapsed if elapsed > 0 else 0.0
        eta: float | None = None
        if s.done and s.done < self.total:
            eta = elapsed * (self.total - s.done) / s.done
            if self.inventorying == 0 and len(self.open) == self.total - s.done and rate > 0:
                eta = max(0.0, (s.bytes_claimed - s.bytes_scanned) / rate)
        elif s.done == self.total:
            eta = 0.0
        return {"done": s.done, "total": self.total, "sweep_blobs_scanned": s.blobs_scanned,
                "sweep_bytes_scanned": s.bytes_scanned, "mb_per_s": round(rate / 1e6, 3),
                "eta_seconds": None if eta is None else round(eta, 1)}

    def _tick(self) -> None:
        now = time.perf_counter()
        if now - self.last_tick >= 1.0:
            self.last_tick = now
            self.progress.event("progress", self._snapshot())

    def _done(self, target: Target, status: str, reason: str = "", repo: _Open | None = None,
              findings: int = 0, new: int = 0) -> None:
        self.stats.done += 1
        if repo is not None:
            self.stats.blobs_reused += repo.blobs_reused
            self.stats.bytes_reused += repo.bytes_reused
        shown = "scanned" if status == "ok" else status
        event: dict[str, Any] = {"repository": target.identity.name, "key": target.identity.key, "status": shown}
        if reason:
            event["reason"] = reason
        if repo is not None:
            event.update(blobs=len(repo.inventory.blobs), blobs_scanned=repo.blobs_scanned,
                         bytes_scanned=repo.bytes_scanned, blobs_reused=repo.blobs_reused,
                         bytes_reused=repo.bytes_reused, findings=findings, new_findings=new)
        self.progress.event("repository-done", {**event, **self._snapshot()})

    def _finish(self) -> SweepSummary:
        s = self.stats
        self.store.finish_sweep(self.sweep_id, len(s.failed), s.blobs_scanned, s.bytes_scanned)
        who = f"credsprawl sweep {self.sweep_id}"
        reopened = reopen_releaked(self.store, who)  # revoked, then committed again
        keys = [t.identity.key for t in self.request.targets]
        tally = None
        findings = self.store.occurrence_count(keys)
        verify = self.request.verify
        if verify is not None:
            self.progress.event("verify-start", {"sweep": self.sweep_id})
            tally = verify_sweep(self.store, self.request.targets, self.request.spec, verify,
                                 other_specs=[spec for spec, _ in self.repo_specs.values()])
            reopened += [fp for fp in reopen_verified_live(self.store, who) if fp not in reopened]
            if verify.only_verified:
                findings = self.store.occurrence_count(keys, tally.live)
            self.progress.event("verify-done", {"checked": tally.checked, "kept": tally.kept,
                                                "unreadable": tally.unreadable, "statuses": dict(tally.statuses)})
        summary = SweepSummary(
            self.sweep_id, self.total, s.scanned, s.unchanged, tuple(s.failed), s.blobs, s.blobs_scanned,
            s.bytes_scanned, s.blobs_reused, s.bytes_reused, findings, s.new_findings,
            time.perf_counter() - s.started, self.executor.name, tally, tuple(reopened))
        self.progress.event("sweep-done", {"sweep": summary.sweep_id, "repositories": summary.repositories,
                                           "scanned": summary.scanned, "unchanged": summary.unchanged,
                                           "failed": [{"repository": n, "reason": r} for n, r in summary.failed],
                                           "blobs": summary.blobs, "blobs_scanned": summary.blobs_scanned,
                                           "bytes_scanned": summary.bytes_scanned,
                                           "blobs_reused": summary.blobs_reused, "bytes_reused": summary.bytes_reused,
                                           "findings": summary.findings, "new_findings": summary.new_findings,
                                           **({"verified": dict(tally.statuses)} if tally is not None else {}),
                                           "reopened": len(summary.reopened),
                                           "seconds": round(summary.seconds, 3),
                                           "exit_code": int(summary.return_code)})
        return summary


# where a finished task's result goes, by the task's kind (``ref``: what ``_submit`` was given with it)
ON_RESULT: dict[Kind, Callable[[_Driver, Any, Any], None]] = {
    "inventory": _Driver._on_inventory,  # ref: the Target; result: an Inventory
    "scan": _Driver._on_scan,  # ref: the claim unit; result: Scanned
    "attribute": _Driver._on_attribute,  # ref: the repository key; result: Attributed
}


def _parse_repo_config(text: str, where: str, root: Path) -> Config:
    """A repository's config, its rule files under ``root`` (where the driver wrote those it read out of
    the repository); a file it names outside the repository is refused, and so is a gitleaks file that
    extends one outside it."""
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    config = parse_config(doc, where, root)
    top = root.resolve()
    for path in (*config.rules, *config.gitleaks):
        _confined(path, top, where)
    for path in config.gitleaks:
        seen = 0
        while path.is_file() and seen < 4:
            try:
                extend = tomllib.loads(path.read_text(encoding="utf-8")).get("extend", {})
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                break
            if not isinstance(extend, dict) or not isinstance(extend.get("path"), str):
                break
            path = path.parent / extend["path"]
            _confined(path, top, where)
            seen += 1
    return config


def _confined(path: Path, top: Path, where: str) -> None:
    resolved = path.resolve()
    if resolved != top and top not in resolved.parents:
        raise ConfigError(f"{where}: {path.relative_to(top) if path.is_relative_to(top) else path}: a repository's "
                          "config may name rule files inside the repository only")
    if not resolved.exists():
        raise ConfigError(f"{where}: {resolved.relative_to(top)}: no such file in the repository at its default branch")


def _chunks(work: list[list[BlobTask]]) -> list[tuple[tuple[BlobTask, ...], ...]]:
    """Batches grouped into tasks of about ``TASK_BYTES`` or ``TASK_BLOBS`` each (a batch keeps a
    file's versions together)."""
    out: list[tuple[tuple[BlobTask, ...], ...]] = []
    current: list[tuple[BlobTask, ...]] = []
    size = count = 0
    for batch in work:
        current.append(tuple(batch))
        size += sum(t.size for t in batch)
        count += len(batch)
        if size >= TASK_BYTES or count >= TASK_BLOBS:
            out.append(tuple(current))
            current, size, count = [], 0, 0
    if current:
        out.append(tuple(current))
    return out


def run_sweep(request: SweepRequest, store: Store, executor: Executor, progress: ProgressSink) -> SweepSummary:
    """Sweep every target into ``store``; the executor runs the tasks, this process writes the store."""
    scratch = tempfile.mkdtemp(prefix="credsprawl-sweep-")
    try:
        return _Driver(request, store, executor, progress, scratch).run()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def identity_of(spec: RepoSpec) -> RepoIdentity:
    """A repository's identity in the datastore: its clone URL, or its absolute path."""
    shown_path = str(spec.path) if spec.path is not None else None
    return RepoIdentity(spec.url or shown_path or spec.name, spec.name, spec.url, shown_path)
