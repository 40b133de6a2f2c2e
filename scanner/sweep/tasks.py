"""The work a sweep sends out, and the worker side of it: three kinds of task, all small descriptors.

- ``InventoryTask``: open (or mirror) one repository, list its refs; when they are the refs of its
  last complete scan under the same rule set, stop there (``unchanged``); else walk its history once
  and list every unique blob with its size (no content is read).
- ``ScanTask``: scan a batch of blob ids of a large repository.
- ``AttributeTask``: scan the repository's remaining new blobs (a small repository's all), then tie
  every finding of its blobs (those scanned here plus ``known``, the ones the datastore or another
  task already has) to its commits, paths and refs. A repository whose blobs hold no finding is done
  without walking its history again.

Every finding leaves the worker redacted (``scanner.store.codec.redacted``). A worker builds its Engine once,
on its first scan (a re-sweep with nothing new never builds one), and keeps one ``git cat-file
--batch`` per repository it is reading. Worker state is per thread, so a Dask worker with several
threads is safe (one thread per worker process is the fast setting: the GIL).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import posixpath
import threading
import tomllib
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Union

from scanner.config import CONFIG_NAME
from scanner.pipeline.blobs import BlobTask, scan_batch
from scanner.pipeline.engine import Engine
from scanner.history.attribute import Scope, attribute
from scanner.model import Finding, Rule
from scanner.pipeline.pool import EngineSpec
from scanner.results import ScanReport
from scanner.sources import git as gitsrc
from scanner.sources.git import BlobReader, Ref, Repo
from scanner.sources.gitlog import History, read_history
from scanner.store.blobcache import ScannedBlob
from scanner.store.codec import decode_blob, redacted
from scanner.store.sweeps import Occurrence, RepoIdentity

if TYPE_CHECKING:
    from scanner.sweep.targets.repospec import RepoSpec

_READERS_KEPT = 4
_ENGINES_KEPT = 4
_MAX_CONFIG_FILES = 256  # rule files a repository's config may name
_MAX_EXTEND = 3  # levels of gitleaks [extend] path followed


@dataclass(frozen=True)
class SweepSpec:
    """What every worker needs: the engine to build, and the rule set's version it is known by."""

    engine: EngineSpec
    version: str
    excludes: tuple[str, ...] = ()  # gitignore-style paths not scanned nor reported (config allowlist, --exclude)
    repo_configs: bool = False  # read each repository's own .credsprawl.toml (no --config was given)


@dataclass(frozen=True)
class Target:
    """One repository to sweep: who it is, and how a worker gets at it."""

    identity: RepoIdentity
    spec: RepoSpec  # mirrored through ``Mirrors`` when it has a url
    mirrors: str | None = None  # the mirror cache folder (default: ``scanner.sweep.targets.default_cache_dir()``)
    # (host, environment variable) of forges configured besides github.com and gitlab.com (GitHub
    # Enterprise, self-hosted GitLab): the worker that clones reads the token from its own environment,
    # so no token is ever in a task
    token_vars: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class InventoryTask:
    target: Target
    previous: tuple[tuple[str, str], ...] | None  # refs of the last complete scan; None: scan anyway
    max_file_size: int
    scratch: str | None = None  # the sweep's scratch folder (on the driver's machine)


@dataclass(frozen=True)
class RepoConfig:
    """A repository's ``.credsprawl.toml`` at its default-branch tip, and the rule files it names that
    are inside the repository (read out of git: nothing of the repository is run or written)."""

    text: str
    files: tuple[tuple[str, bytes], ...] = ()  # (repository-relative path, content)


@dataclass(frozen=True)
class Inventory:
    repo: Repo
    refs: tuple[Ref, ...]
    head: str | None
    unchanged: bool = False
    blobs: tuple[BlobTask, ...] = ()  # walk order; ``pred``: the blob its path held before
    too_large: int = 0
    missing: tuple[str, ...] = ()  # blobs git could not produce
    warnings: tuple[str, ...] = ()
    partial: str = ""  # why the history walk is incomplete, when it is
    history_file: str = ""  # the walk, left in the scratch folder for the attribution (when it could be)
    config: RepoConfig | None = None  # the repository's own config, when the sweep reads them and it has one

    @property
    def ref_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((r.name, r.target) for r in self.refs)


@dataclass(frozen=True)
class ScanTask:
    repo: Repo
    batches: tuple[tuple[BlobTask, ...], ...]
    target: Target | None = None  # to mirror the repository where this worker lacks it
    spec: SweepSpec | None = None  # the repository's own settings (its config), instead of the sweep's


@dataclass(frozen=True)
class AttributeTask:
    repo: Repo
    refs: tuple[Ref, ...]
    head: str | None
    batches: tuple[tuple[BlobTask, ...], ...]  # new blobs to scan here first
    known: Mapping[str, tuple[str, ...]]  # encoded findings of its blobs scanned elsewhere (the blob cache)
    history_file: str = ""  # the inventory's walk, when this machine has it
    target: Target | None = None  # to mirror the repository where this worker lacks it
    spec: SweepSpec | None = None  # the repository's own settings (its config), instead of the sweep's


@dataclass(frozen=True)
class Scanned:
    """What scanning some blobs gives the datastore (findings already redacted and encoded)."""

    blobs: tuple[ScannedBlob, ...] = ()
    unreadable: tuple[str, ...] = ()  # blobs git could not produce
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attributed:
    scanned: Scanned  # the results of ``batches``
    findings: tuple[Occurrence, ...]


Task = Union[InventoryTask, ScanTask, AttributeTask]


# ------------------------------------------------------------------------------------------------
# worker state


class _State(threading.local):
    def __init__(self) -> None:
        self.engines: dict[str, tuple[Engine, dict[str, Rule]]] = {}
        self.readers: OrderedDict[str, BlobReader] = OrderedDict()


_SPEC: SweepSpec | None = None
_STATE = _State()
_PREBUILT: tuple[str, Engine, dict[str, Rule]] | None = None


def init_worker(spec: SweepSpec) -> None:
    """The pool initializer: the spec every task of this process uses (Dask sends it with each task)."""
    global _SPEC
    _SPEC = spec


def prebuild(spec: SweepSpec) -> None:
    """Build the engine in this process: workers a local pool forks later inherit it, and the others
    find the compiled-rules cache filled."""
    global _PREBUILT
    engine, rules = _engine(spec)
    _PREBUILT = (spec.version, engine, rules)


def _engine(spec: SweepSpec | None) -> tuple[Engine, dict[str, Rule]]:
    spec = spec or _SPEC
    if spec is None:
        raise RuntimeError("sweep worker used before init_worker")
    built = _STATE.engines.get(spec.version)
    if built is None:
        if len(_STATE.engines) >= _ENGINES_KEPT:  # repositories with their own config have their own
            _STATE.engines.pop(next(iter(_STATE.engines)))
        if _PREBUILT is not None and _PREBUILT[0] == spec.version:
            built = _PREBUILT[1:]
        else:
            built = (spec.engine.build(), {r.id: r for r in spec.engine.rules})
        _STATE.engines[spec.version] = built
    return built


def _reader(repo: Repo) -> BlobReader:
    readers = _STATE.readers
    reader = readers.pop(repo.git_dir, None) or BlobReader(repo)
    readers[repo.git_dir] = reader
    while len(readers) > _READERS_KEPT:
        readers.popitem(last=False)[1].close()
    return reader


def _scan(repo: Repo, batches: tuple[tuple[BlobTask, ...], ...],
          spec: SweepSpec | None) -> tuple[Scanned, dict[str, tuple[Finding, ...]]]:
    """The batches scanned: for the datastore, and the (redacted) findings by blob for attribution."""
    if not batches:
        return Scanned(), {}
    (engine, rules), reader = _engine(spec), _reader(repo)
    blobs: list[ScannedBlob] = []
    unreadable: list[str] = []
    warnings: list[str] = []
    found: dict[str, tuple[Finding, ...]] = {}
    for batch in batches:
        for task, r in zip(batch, scan_batch(engine, reader, batch)):
            warnings.extend(r.warnings)
            if r.skipped == "unreadable":
                unreadable.append(r.sha)
                continue
            findings = _facts_then_redacted(r.findings, rules) if r.findings else ()
            if findings:
                found[r.sha] = findings
            blobs.append(ScannedBlob.of(r.sha, task.size, findings, binary=r.skipped is not None))
    return Scanned(tuple(blobs), tuple(unreadable), tuple(warnings)), found


def _facts_then_redacted(findings: tuple[Finding, ...], rules: dict[str, Rule]) -> tuple[Finding, ...]:
    """A blob's findings with the facts their secrets give (``scanner.identity.enrich``: derived here,
    the only place the secret is in clear), then redacted. Facts that need other blobs (a keystore's
    password in a sibling file, certificates paired across a report) are not derived."""
    from scanner.identity.enrich import enrich_report

    report = enrich_report(ScanReport(findings, rules))
    return tuple(redacted(f) for f in (*report.findings, *report.inventory))


# ------------------------------------------------------------------------------------------------
# the tasks


def _checkout(target: Target) -> str:
    """The repository's folder: its bare mirror (cloned or fetched now), or the local folder itself."""
    from scanner.sweep.targets import Mirrors, default_cache_dir, env_tokens

    cache = Path(target.mirrors) if target.mirrors else default_cache_dir()
    return str(Mirrors(cache, tokens=env_tokens(dict(target.token_vars))).ensure(target.spec))


def _tips(refs: tuple[Ref, ...]) -> list[str]:
    return sorted({r.target for r in refs if r.kind == "commit"})


def _history(repo: Repo, refs: tuple[Ref, ...]) -> History:
    tips = _tips(refs)
    return read_history(repo, (), tips) if tips else History()


def _leave_history(scratch: str | None, repo: Repo, refs: tuple[Ref, ...], history: History) -> str:
    """Keep the walk for the attribution task (reading it back is cheaper than walking again); ""
    when the scratch folder is not on this machine (a Dask worker elsewhere)."""
    if not scratch or not os.path.isdir(scratch):
        return ""
    name = os.path.join(scratch, hashlib.sha1(repo.git_dir.encode("utf-8", "surrogateescape")).hexdigest())
    try:
        with open(name + ".tmp", "wb") as fh:
            pickle.dump((_tips(refs), history), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(name + ".tmp", name)
    except OSError:
        return ""
    return name


def _taken_history(path: str, refs: tuple[Ref, ...]) -> History | None:
    """The walk ``_leave_history`` kept, removed from the scratch folder; None when it is not here."""
    if not path:
        return None
    try:
        with open(path, "rb") as fh:
            tips, history = pickle.load(fh)
        os.unlink(path)
    except (OSError, pickle.UnpicklingError, EOFError):
        return None
    return history if tips == _tips(refs) else None


def _excluder(spec: SweepSpec | None, extra: tuple[str, ...] = ()) -> Any:
    """The spec's excludes (and ``extra``) as a pathspec (imported only when there are some), else None."""
    spec = spec or _SPEC
    excludes = (*(spec.excludes if spec is not None else ()), *extra)
    if not excludes:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(excludes)


def _inside(path: str) -> str | None:
    """``path`` normalised, when it names something inside the repository; else None."""
    norm = posixpath.normpath(path.replace("\\", "/"))
    if posixpath.isabs(norm) or norm == ".." or norm.startswith("../") or norm in (".", ""):
        return None
    return norm


def _strings(value: Any) -> list[str]:
    value = [value] if isinstance(value, str) else value
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _tree_files(repo: Repo, path: str) -> list[tuple[str, str]]:
    """(path, blob id) of the files at or under ``path`` in HEAD's tree."""
    code, out, _ = repo.try_run("ls-tree", "-r", "-z", "HEAD", "--", path)
    if code != 0:
        return []
    files = []
    for entry in out.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"blob":
            files.append((name.decode("utf-8", "surrogateescape"), parts[2].decode()))
    return files


def read_repo_config(repo: Repo) -> RepoConfig | None:
    """The repository's ``.credsprawl.toml`` at HEAD (its default branch in a mirror), with the rule
    and gitleaks files it names inside the repository (and the files those extend); None without one.
    Names outside the repository are not read (the driver refuses the config)."""
    code, out, _ = repo.try_run("show", f"HEAD:{CONFIG_NAME}")
    if code != 0:
        return None
    text = out.decode("utf-8", "replace")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return RepoConfig(text)  # the driver reports it
    extend = doc.get("extend")
    if not isinstance(extend, dict):
        extend = {}
    files: dict[str, bytes] = {}
    wanted = [(p, 0, False) for p in _strings(doc.get("rules", []))]
    wanted += [(p, 0, True) for p in _strings(extend.get("gitleaks", []))]
    while wanted and len(files) < _MAX_CONFIG_FILES:
        name, depth, gitleaks = wanted.pop(0)
        inside = _inside(name)
        if inside is None:
            continue
        for path, sha in _tree_files(repo, inside)[: _MAX_CONFIG_FILES - len(files)]:
            if path in files:
                continue
            files[path] = data = repo.run("cat-file", "blob", sha)
            if gitleaks and depth < _MAX_EXTEND:
                try:
                    more = tomllib.loads(data.decode("utf-8")).get("extend", {})
                except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                    continue
                if isinstance(more, dict) and isinstance(more.get("path"), str):
                    wanted.append((posixpath.join(posixpath.dirname(path), more["path"]), depth + 1, True))
    return RepoConfig(text, tuple(sorted(files.items())))


def _config_excludes(config: RepoConfig | None) -> tuple[str, ...]:
    """The allowlist paths of a repository's config (the driver checks the rest of it)."""
    if config is None:
        return ()
    try:
        allow = tomllib.loads(config.text).get("allowlist", {})
    except tomllib.TOMLDecodeError:
        return ()
    return tuple(_strings(allow.get("paths", []))) if isinstance(allow, dict) else ()


def inventory(task: InventoryTask, spec: SweepSpec | None = None) -> Inventory:
    repo = gitsrc.open_repo(_checkout(task.target))
    refs = tuple(gitsrc.list_refs(repo))
    if task.previous is not None and tuple((r.name, r.target) for r in refs) == task.previous:
        return Inventory(repo, refs, None, unchanged=True)
    spec = spec or _SPEC
    config = read_repo_config(repo) if spec is not None and spec.repo_configs else None
    excluder = _excluder(spec, _config_excludes(config))
    head = gitsrc.head_commit(repo)
    history = _history(repo, refs)
    warnings = list(history.warnings)
    if repo.shallow:
        warnings.append("shallow clone: commits past the shallow boundary are not scanned")
    info = gitsrc.object_info(repo, list(history.blob_paths))
    preds = history.predecessors()
    blobs: list[BlobTask] = []
    missing: list[str] = []
    too_large = 0
    for sha, paths in history.blob_paths.items():
        found = info.get(sha)
        if found is None or found.kind == "missing":
            missing.append(sha)
        elif task.max_file_size and found.size > task.max_file_size:
            too_large += 1
        elif excluder is not None and all(excluder.match_file(p) for p in paths):
            continue  # seen only at excluded paths, as ``history`` skips it
        elif found.size:
            blobs.append(BlobTask(sha, found.size, next(iter(paths)), preds.get(sha, "")))
    return Inventory(repo, refs, head, False, tuple(blobs), too_large, tuple(missing), tuple(warnings),
                     history.warnings[0] if history.warnings else "", _leave_history(task.scratch, repo, refs, history),
                     config)


def _here(repo: Repo, target: Target | None) -> Repo:
    """``repo``, or, on a worker machine that does not have it (a Dask worker elsewhere, without a
    shared mirror folder), this machine's own mirror of it: cloned once, fetched after."""
    if os.path.isdir(repo.git_dir) or target is None or not target.spec.url:
        return repo
    return gitsrc.open_repo(_checkout(target))


def scan(task: ScanTask, spec: SweepSpec | None = None) -> Scanned:
    return _scan(_here(task.repo, task.target), task.batches, task.spec or spec)[0]


def attribute_repo(task: AttributeTask, spec: SweepSpec | None = None) -> Attributed:
    task = replace(task, repo=_here(task.repo, task.target))
    spec = task.spec or spec
    scanned, found = _scan(task.repo, task.batches, spec)
    found.update((sha, decode_blob(sha, texts)) for sha, texts in task.known.items() if texts)
    if not found:
        _taken_history(task.history_file, task.refs)
        return Attributed(scanned, ())
    history = _taken_history(task.history_file, task.refs) or _history(task.repo, task.refs)
    head_tree = None
    if task.head is not None and task.head not in history.index:
        head_tree = {e.path: e.sha for e in gitsrc.tree_entries(task.repo, task.head) if e.mode in gitsrc.BLOB_MODES}
    scope = Scope(tuple((r.name, r.target) for r in task.refs if r.kind == "commit"), task.head, head_tree)
    findings = attribute(history, found, scope)
    excluder = _excluder(spec)
    if excluder is not None:
        findings = [f for f in findings if not excluder.match_file(f.origin.path)]
    return Attributed(scanned, tuple(Occurrence.of(f) for f in findings))


RUNNERS: dict[type, Callable[[Any, SweepSpec | None], Any]] = {
    InventoryTask: inventory,
    ScanTask: scan,
    AttributeTask: attribute_repo,
}


def scans(task: Task) -> bool:
    """Whether the task scans blobs (and so needs the engine)."""
    return isinstance(task, ScanTask) or (isinstance(task, AttributeTask) and bool(task.batches))


def run(task: Task, spec: SweepSpec | None = None) -> Any:
    """Run one task (in a worker, or inline for ``--jobs 1``)."""
    return RUNNERS[type(task)](task, spec)
