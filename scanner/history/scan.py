"""The ``history`` command's work: choose the commits, read the history once, scan each unique blob
once, attribute the findings, and hand a ScanReport to the reporters.

Scopes: every ref (default: branches, tags, remote-tracking refs, stash, notes, a detached HEAD);
``--branch REF`` (repeatable); ``--since REV`` (what HEAD, or the ``--branch``, has that REV has
not); ``--range A..B`` (what B has that A has not; an all-zero A, as git gives for a new branch,
means what B has that no remote-tracking ref has). ``--include-unreachable`` adds commits and blobs
that no ref reaches (amended or rebased-away commits, dropped stashes, objects added and never
committed).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, AbstractSet, Callable, Mapping, Sequence

from scanner import __version__
from scanner.pipeline.blobs import DELTA_MIN_SIZE, BlobResult, BlobScanner, BlobTask, batches
from scanner.config import Config
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.errors import UsageError
from scanner.history.attribute import LooseBlob, Scope, attribute
from scanner.model import Finding, Origin
from scanner.pipeline.outcome import Outcome
from scanner.pipeline.pool import EngineSpec, clock
from scanner.pipeline.progress import progress
from scanner.results import ScanReport, Skip
from scanner.rules.load import RuleSet
from scanner.sources import git as gitsrc
from scanner.sources.filesystem import IGNORE_FILE
from scanner.sources.git import Ref, Repo
from scanner.sources.gitlog import EVERY_REF, EarlyWalk, History, LogWalk, read_history


if TYPE_CHECKING:
    import pathspec

OnFindings = Callable[[Sequence[Finding]], None]

STREAM_BATCH = 256  # new blobs sized and handed to the scanner at a time while the walk runs
POOL_MIN_OBJECTS = 2000  # a repository with fewer objects is scanned on one process


@dataclass(frozen=True)
class Revisions:
    """Which commits to walk, as git revision arguments, and what counts as a ref in scope."""

    args: tuple[str, ...]  # for git log: --all, shas, ^shas, --not --remotes
    label: str  # for people: "all refs", "main", "a1b2c3d..e4f5a6b"
    tips: tuple[str, ...] = ()  # the positive commits of a restricted walk (empty: every ref)

    @property
    def everything(self) -> bool:
        return not self.tips


@dataclass(frozen=True)
class HistoryRequest:
    path: str
    ruleset: RuleSet
    settings: EngineSettings
    excludes: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    since: str | None = None
    range: str | None = None
    include_unreachable: bool = False
    recurse_submodules: bool = False
    rev_args: tuple[str, ...] = ()  # explicit git revision arguments (the GitHub Action's ranges)
    rev_label: str = ""
    jobs: int = 1
    progress: bool = False
    config: Config = field(default_factory=Config)


def resolve_revisions(repo: Repo, request: HistoryRequest) -> Revisions:
    if request.rev_args:
        positive = tuple(a for a in request.rev_args if not a.startswith(("^", "-")))
        return Revisions(request.rev_args, request.rev_label or " ".join(request.rev_args), positive)
    tips = tuple(gitsrc.resolve_commit(repo, b) for b in request.branches)
    if request.range:
        start, sep, end = request.range.partition("..")
        if not sep or not end or end.startswith("."):
            raise UsageError(f"--range takes A..B (two revisions), got {request.range!r}")
        head = gitsrc.resolve_commit(repo, end)
        if not start or set(start) == {"0"}:
            # a new branch (git's all-zero "before"): what no remote-tracking ref has yet
            return Revisions((head, "--not", "--remotes"), f"{end} (new branch: commits on no remote ref)", (head,))
        base = gitsrc.resolve_commit(repo, start)
        return Revisions((head, f"^{base}"), f"{start}..{end}", (head,))
    if request.since:
        base = gitsrc.resolve_commit(repo, request.since)
        tips = tips or (gitsrc.resolve_commit(repo, "HEAD"),)
        return Revisions((*tips, f"^{base}"), f"{request.since}..{', '.join(request.branches) or 'HEAD'}", tips)
    if tips:
        return Revisions(tips, ", ".join(request.branches), tips)
    return Revisions(EVERY_REF, "all refs")


def _excluder(repo: Repo, excludes: tuple[str, ...]) -> pathspec.GitIgnoreSpec | None:
    lines = list(excludes)
    ignore = Path(repo.worktree or "") / IGNORE_FILE if repo.worktree else None
    if ignore is not None and ignore.is_file():
        lines += ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    if not lines:
        return None
    import pathspec  # only a scan with excludes or an ignore file needs it

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _loose_from_refs(repo: Repo, refs: list[Ref]) -> list[LooseBlob]:
    """Blobs named directly by refs that point at a blob or a tree (rare, but git allows it)."""
    loose: list[LooseBlob] = []
    for ref in refs:
        if ref.kind == "blob":
            loose.append(LooseBlob(ref.name, ref.target, "history", ref.name))
        elif ref.kind == "tree":
            for entry in gitsrc.tree_entries(repo, ref.target):
                if entry.mode in gitsrc.BLOB_MODES:
                    loose.append(LooseBlob(entry.path, entry.sha, "history", ref.name))
    return loose


def _unreachable(repo: Repo, objects: list[gitsrc.ObjectInfo]) -> tuple[list[str], frozenset[str]]:
    """(commits no ref reaches, commits refs reach)."""
    reached = frozenset(repo.run("rev-list", "--all").decode().split())
    lost = [o.sha for o in objects if o.kind == "commit" and o.sha not in reached]
    return sorted(lost), reached


class _Streamer:
    """Scans small blobs while the walk is still finding blobs: every ``STREAM_BATCH`` new blobs are
    sent to be sized (one persistent ``git cat-file --batch-check``, which answers while the walk goes
    on) and, when the next round is sent, those below ``DELTA_MIN_SIZE`` that will be scanned anyway
    (first seen at a path not excluded, not too large) are handed to the scanner. Larger blobs wait for the end of the walk: they are scanned by what changed
    since their previous version, which needs the versions of a file in one batch. A blob is
    scanned exactly as it would be at the end of the walk: only the time differs."""

    def __init__(self, scanner: BlobScanner, sizer: gitsrc.ObjectSizer,
                 excluder: pathspec.GitIgnoreSpec | None, limit: int) -> None:
        self.scanner, self.sizer, self.excluder, self.limit = scanner, sizer, excluder, limit
        self.sizes: dict[str, gitsrc.ObjectInfo] = {}
        self.streamed: set[str] = set()
        self.streamed_bytes = 0
        self._new: list[tuple[str, str]] = []  # found since the last flush
        self._asked: list[tuple[str, str]] = []  # being sized by git

    def found(self, sha: str, path: str) -> None:
        self._new.append((sha, path))
        if len(self._new) >= STREAM_BATCH:
            self.flush()

    def flush(self) -> None:
        """Size the new blobs (git answers while the walk goes on) and hand in the last round's."""
        if not self._new:
            return
        ready, asked = self.sizer.collect(), self._asked
        self._asked, self._new = self._new, []
        self.sizer.request([sha for sha, _path in self._asked])
        self._hand_in(ready, asked)

    def finish(self) -> None:
        """The rest: what was found since the last flush, and the last round's answers."""
        self.flush()
        ready, asked = self.sizer.collect(), self._asked
        self._asked = []
        self._hand_in(ready, asked)

    def _hand_in(self, infos: dict[str, gitsrc.ObjectInfo], found: list[tuple[str, str]]) -> None:
        self.sizes.update(infos)
        batch: list[BlobTask] = []
        for sha, path in found:
            info = infos.get(sha)
            if info is None or info.kind == "missing" or not 0 < info.size < DELTA_MIN_SIZE:
                continue
            if (self.limit and info.size > self.limit) or (self.excluder is not None and self.excluder.match_file(path)):
                continue
            batch.append(BlobTask(sha, info.size, path))
        if batch:
            self.streamed.update(t.sha for t in batch)
            self.streamed_bytes += sum(t.size for t in batch)
            self.scanner.submit(batch)


def scan_repository(repo: Repo, request: HistoryRequest, prefix: str = "", on_findings: OnFindings | None = None,
                    walk: LogWalk | None = None) -> Outcome:
    """Scan one repository's history (and, when asked, its submodules'): blobs scanned are counted.
    ``on_findings`` (in this process) sees each blob's findings as its results come in, before they
    are attributed (the facts of their secrets can be derived while the workers still scan).
    ``walk``: the walk of every ref of ``repo``, started early (``gitlog.start_walk``), used when the
    request walks every ref (else stopped)."""
    parts: list[Outcome] = []
    where = prefix.rstrip("/") or repo.root
    if repo.shallow:
        parts.append(Outcome(warnings=(
            f"{where}: shallow clone: the history is partial (commits past the shallow boundary are not "
            "scanned; 'git fetch --unshallow' fetches them)",)))
    refs = gitsrc.list_refs(repo)
    head = gitsrc.head_commit(repo)
    if not refs and head is None:
        parts.append(Outcome(notes=(f"nothing to scan: {where} has no commits",)))
        return Outcome.folded(parts)
    revisions = resolve_revisions(repo, request)
    extra: list[str] = []
    reachable: frozenset[str] | None = None
    objects: list[gitsrc.ObjectInfo] = []
    if request.include_unreachable:
        objects = gitsrc.all_objects(repo)
        extra, reachable = _unreachable(repo, objects)
    spec = EngineSpec(request.ruleset.rules, request.settings)
    excluder = _excluder(repo, request.excludes)
    bar = progress(request.progress, "blobs")
    # A pool only for a repository with enough objects to keep it busy; its workers are forked once
    # git log runs and before any thread starts. One process: the engine is built (rules, Hyperscan
    # database) on a thread while git starts walking. Either way a thread drains git's output, so
    # that git walks on while blobs are sized, scanned or handed to the pool.
    jobs = request.jobs if request.jobs > 1 and _object_count(repo, objects) >= POOL_MIN_OBJECTS else 1
    build = _EngineBuild(spec) if jobs == 1 else None
    scanner = BlobScanner(spec, repo, jobs, bar.update, make_engine=build.result if build else None,
                          on_findings=on_findings)
    with contextlib.ExitStack() as stack:
        stack.enter_context(scanner)

        def started() -> None:
            scanner.start()  # the pool is forked (its engine built first) while git starts walking
            stack.enter_context(bar)  # its refresh thread only after the fork

        with gitsrc.ObjectSizer(repo) as sizer:
            stream = _Streamer(scanner, sizer, excluder, request.settings.max_file_size)
            early = walk if walk is not None and revisions.args == EVERY_REF and not extra else None
            if walk is not None and early is None:
                walk.close()
            history = read_history(repo, revisions.args, extra, on_new_blob=stream.found, drain=True, walk=early,
                                   started=started)
            history.on_new_blob = None
            stream.finish()
        parts.append(Outcome(warnings=tuple(f"{where}: {w}" for w in history.warnings)))
        loose = _loose_from_refs(repo, refs) if revisions.everything else []
        if request.include_unreachable:
            known = set(history.blob_paths) | {b.sha for b in loose}
            loose += [LooseBlob(f"(unreachable)/{o.sha}", o.sha, "unreachable") for o in objects
                      if o.kind == "blob" and o.sha not in known]
        paths: dict[str, dict[str, None]] = history.blob_paths  # blob -> its paths (an ordered set)
        if loose:
            paths = dict(paths)
            for b in loose:
                paths[b.sha] = {**paths.get(b.sha, {}), b.path: None}
        if objects:
            sizes = {o.sha: o for o in objects}
        else:
            sizes = stream.sizes
            sizes.update(gitsrc.object_info(repo, [sha for sha in paths if sha not in sizes]))
        # the rest (larger blobs, scanned by what changed since their previous version; blobs first seen
        # at an excluded path; loose blobs), in batches that keep each file's versions together
        rest = _blob_tasks(paths, sizes, excluder, request.settings.max_file_size, prefix, parts, stream.streamed)
        bar.set_total(stream.streamed_bytes + sum(t.size for t in rest))
        work = batches(rest, history.predecessors())
        for batch in work:
            scanner.submit(batch)
        by_sha = scanner.finish()
    if build is not None:
        build.stop()
    found = _collect(by_sha, paths, prefix, parts)
    parts.append(Outcome(scanned=scanner.quiet_blobs, bytes_scanned=scanner.quiet_bytes))
    # attribution
    scope_refs = [(r.name, r.target) for r in refs if r.kind == "commit"] if revisions.everything else \
        [(_ref_name(refs, t), t) for t in revisions.tips]
    head_entries = _head_entries(repo, head, where, parts) if head is not None else None
    head_tree = None
    if head is not None and head not in history.index:
        head_tree = {e.path: e.sha for e in head_entries or () if e.mode in gitsrc.BLOB_MODES}
    scope = Scope(tuple(scope_refs), head, head_tree, reachable)
    findings = attribute(history, found, scope, loose)
    if excluder is not None:
        findings = [f for f in findings if not excluder.match_file(f.origin.path)]
    if prefix:
        findings = [_prefixed(f, prefix) for f in findings]
    parts.append(Outcome(findings=tuple(findings)))
    _submodules(repo, request, prefix, head_entries, history, parts, on_findings)
    return Outcome.folded(parts)


def _head_entries(repo: Repo, head: str, where: str, parts: list[Outcome]) -> list[gitsrc.TreeEntry] | None:
    """The files of HEAD's tree. A tree that cannot be read (a damaged or partly fetched repository)
    is a warning and an unscanned input (``corrupt``), not the end of the scan: every finding is kept
    (one that HEAD may still hold is reported as ``history``: nothing tells which are live), and the
    submodules are the ones history had."""
    try:
        return gitsrc.tree_entries(repo, head)
    except gitsrc.GitError as exc:
        detail = f"the tree of HEAD ({head[:12]}) cannot be read ({exc}); findings cannot be told live"
        parts.append(Outcome(warnings=(f"{where}: {detail}",), skips=(Skip(f"{where}:HEAD", "corrupt", detail),)))
        return None


def _object_count(repo: Repo, objects: list[gitsrc.ObjectInfo]) -> int:
    """Objects in the repository (``git count-objects``: read from pack indexes, no walk)."""
    if objects:
        return len(objects)
    counts = dict(line.split(": ", 1) for line in repo.run("count-objects", "-v").decode().splitlines() if ": " in line)
    return sum(int(counts.get(key, "0")) for key in ("count", "in-pack"))


def _blob_tasks(paths: Mapping[str, Mapping[str, None]], sizes: dict[str, gitsrc.ObjectInfo],
                excluder: pathspec.GitIgnoreSpec | None, limit: int, prefix: str, parts: list[Outcome],
                streamed: AbstractSet[str] = frozenset()) -> list[BlobTask]:
    """Every unique blob once, unless it was ``streamed`` (scanned during the walk), every path it had
    is excluded, it is missing, empty or too large (known from its size, before it is read)."""
    tasks: list[BlobTask] = []
    for sha, seen_at in paths.items():
        if sha in streamed:
            continue
        first = next(iter(seen_at))
        shown = prefix + first
        if excluder is not None and all(excluder.match_file(p) for p in seen_at):
            parts.append(Outcome(skips=(Skip(shown, "ignored", f"blob {sha}"),)))
            continue
        info = sizes.get(sha)
        if info is None or info.kind == "missing":
            parts.append(Outcome(warnings=(f"{shown}: blob {sha} is missing or corrupt; not scanned",),
                                 skips=(Skip(shown, "unreadable", f"blob {sha} missing or corrupt"),)))
            continue
        if limit and info.size > limit:
            parts.append(Outcome(skips=(Skip(shown, "too-large", f"blob {sha}: {info.size} bytes > --max-file-size {limit}",
                                             "--max-file-size"),)))
            continue
        if info.size:
            tasks.append(BlobTask(sha, info.size, first))
    return tasks


class _EngineBuild:
    """An Engine built on a helper thread, which then compiles rule regexes until ``result()`` is asked
    for (the others compile on first use, as usual). ``result()`` is None when the build failed: the
    scan then builds its own and any error surfaces there."""

    def __init__(self, spec: EngineSpec) -> None:
        self.spec = spec
        self._engine: Engine | None = None
        self._enough = threading.Event()
        self._thread = threading.Thread(target=self._build, name="engine-build", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        try:
            engine = self.spec.build()
            self._engine = engine
            for crule in engine.matcher.rules:
                if self._enough.is_set():
                    break
                crule.pattern, crule.allow, crule.deny_key  # noqa: B018 - cached properties
        except Exception:  # noqa: BLE001 - built again on the main thread, where the error is reported
            return

    def stop(self) -> None:
        """Stop compiling ahead (the scan is over)."""
        self._enough.set()

    def result(self) -> Engine | None:
        self._enough.set()
        self._thread.join()
        return self._engine


def _ref_name(refs: list[Ref], sha: str) -> str:
    names = [r.name for r in refs if r.target == sha]
    return names[0] if names else sha


def _collect(notable: dict[str, BlobResult], paths: Mapping[str, Mapping[str, None]], prefix: str,
             parts: list[Outcome]) -> dict[str, tuple[Finding, ...]]:
    """The findings by blob id; the skips, warnings and counts of the ``notable`` results go into
    ``parts`` (in the order of ``paths``: the walk's, where each blob is named by its first path).
    Quiet blobs are counted by the scanner."""
    found: dict[str, tuple[Finding, ...]] = {}
    for sha, seen_at in paths.items():
        result = notable.get(sha)
        if result is None:
            continue
        shown = prefix + next(iter(seen_at))
        if result.skipped == "unreadable":
            parts.append(Outcome(warnings=(f"{shown}: {result.detail}; not scanned",),
                                 skips=(Skip(shown, "unreadable", result.detail),)))
            continue
        if result.skipped:
            parts.append(Outcome(skips=(Skip(shown, result.skipped, f"blob {sha}"),)))
            continue
        parts.append(Outcome(warnings=result.warnings, scanned=1, bytes_scanned=result.bytes_scanned))
        if result.findings:
            found[sha] = result.findings
    return found


def _prefixed(finding: Finding, prefix: str) -> Finding:
    o = finding.origin
    extra = tuple(sorted((*o.extra, ("submodule", prefix.rstrip("/")))))
    return replace(finding, origin=Origin(prefix + o.path, o.kind, o.parent, extra))


def _submodules(repo: Repo, request: HistoryRequest, prefix: str, head_entries: list[gitsrc.TreeEntry] | None,
                history: History, parts: list[Outcome], on_findings: OnFindings | None) -> None:
    if head_entries is not None:  # the submodules HEAD has; without a HEAD (or its tree), the ones history had
        links = sorted(e.path for e in head_entries if e.mode == gitsrc.GITLINK_MODE)
    else:
        links = sorted(history.gitlinks)
    for path in links:
        shown = prefix + path
        if not request.recurse_submodules:
            parts.append(Outcome(skips=(Skip(shown, "submodule", "not scanned (--recurse-submodules scans it)"),)))
            continue
        folder = os.path.join(repo.worktree, path) if repo.worktree else None
        if folder is None or not os.path.exists(os.path.join(folder, ".git")):
            parts.append(Outcome(warnings=(f"{shown}: submodule not checked out ('git submodule update --init'); not scanned",),
                                 skips=(Skip(shown, "submodule", "not checked out"),)))
            continue
        sub = gitsrc.open_repo(folder)
        parts.append(scan_repository(sub, replace(request, branches=(), since=None, range=None), prefix + path + "/",
                                     on_findings))


def run_history(request: HistoryRequest, on_findings: OnFindings | None = None,
                early: EarlyWalk | None = None) -> tuple[ScanReport, Repo, list[str]]:
    """Scan; returns the report, the repository, and notes for stderr ("nothing to scan").
    ``on_findings``: see :func:`scan_repository`; ``early``: the walk ``gitlog.start_walk`` started
    (used when the request walks every ref of that repository, else stopped)."""
    started = clock()
    if early is not None and early.path != request.path:
        early.close()
        early = None
    repo = early.repo if early is not None else gitsrc.open_repo(request.path)
    try:
        outcome = scan_repository(repo, request, on_findings=on_findings, walk=early.log if early else None)
    finally:
        if early is not None:
            early.close()
    report = ScanReport(outcome.sorted_findings(), request.ruleset.by_id, outcome.summary(clock() - started), __version__)
    return report, repo, list(outcome.notes)

