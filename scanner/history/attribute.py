"""Attribution: tie each secret found in a blob back to the commits, paths and refs that hold it.

A history finding is one secret (fingerprint) at one path. For it we report:

- the commit that first introduced it at that path (sha, author, email, date, subject): the first
  commit of the walk (parents before children, then by date) whose change at that path brought a blob
  holding the secret;
- ``status``: ``live`` when the default branch's HEAD still has it at that path, ``history`` when it
  is only in history, ``unreachable`` when only commits or objects no ref reaches hold it;
- ``removed_in``: for a secret no longer live, the commit whose change at that path dropped it
  (preferring one on the default branch), with that commit's ``removed_date`` and ``removed_author``;
- how many commits (whose trees hold it at any path), paths and refs (whose tips hold it) contain it.

The location (line and column) is the secret's place in the blob HEAD has at that path when it is
live, else in the blob that introduced it. Everything is computed from the single ``git log --raw``
pass and the blob scan results: tree states are tracked only for the few paths that ever held a
secret, each commit's state being its first parent's plus its own changes, so the work stays linear
in the size of the history.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from scanner.model import Finding, Origin
from scanner.sources.git import NULL_SHA
from scanner.sources.gitlog import Commit, History

Unit = tuple[str, str]  # (fingerprint, path)


@dataclass(frozen=True)
class Scope:
    """What the attribution measures against."""

    refs: tuple[tuple[str, str], ...] = ()  # (ref name, commit sha) of the refs in scope
    head: str | None = None  # the default branch's HEAD commit
    head_tree: Mapping[str, str] | None = None  # path -> blob at HEAD, when HEAD is not in the walk
    reachable: frozenset[str] | None = None  # commits some ref reaches (only when unreachable ones were walked)


@dataclass(frozen=True)
class LooseBlob:
    """A blob with findings that no walked commit introduced: a ref that names a blob or a tree, or a
    dangling object."""

    path: str
    sha: str
    status: str  # history | unreachable
    ref: str = ""


@dataclass
class _Walk:
    intro: dict[Unit, tuple[int, str]]  # unit -> (commit index, blob)
    removals: dict[Unit, list[int]]
    states: list[dict[str, str]]  # per commit: tracked path -> blob
    fp_commits: Counter[str]
    reachable_units: set[Unit]



def reroot(origin: Origin, root: Origin) -> Origin:
    """``origin`` with its outermost element replaced by ``root``: a finding inside an archive
    blob keeps its member path (``build.zip!config/app.env``) under the attributed git path."""
    if origin.parent is None:
        return root
    return Origin(origin.path, origin.kind, reroot(origin.parent, root), origin.extra)

def _fps_of(found: Mapping[str, Sequence[Finding]]) -> dict[str, frozenset[str]]:
    return {blob: frozenset(f.fingerprint for f in fs) for blob, fs in found.items() if fs}


def _walk(history: History, fps_of: Mapping[str, frozenset[str]], reachable: frozenset[str] | None) -> _Walk:
    tracked = {path for changes in history.changes for path, _old, new in changes if new in fps_of}
    intro: dict[Unit, tuple[int, str]] = {}
    removals: dict[Unit, list[int]] = defaultdict(list)
    states: list[dict[str, str]] = []  # per commit: path -> blob, for the paths whose blob holds a secret
    fp_commits: Counter[str] = Counter()
    reachable_units: set[Unit] = set()
    empty: dict[str, str] = {}
    state_fps: dict[int, frozenset[str]] = {id(empty): frozenset()}
    state_units: dict[int, frozenset[Unit]] = {id(empty): frozenset()}
    commits_in: Counter[int] = Counter()  # id of a state -> commits whose tree it is
    for i, commit in enumerate(history.commits):
        parent = history.index.get(commit.parents[0]) if commit.parents else None
        state = states[parent] if parent is not None and parent < i else empty
        # a state holds only the paths whose blob holds a secret: a change matters when it brings such a
        # blob or replaces one (its old blob is then the one the state holds)
        changed = [c for c in history.changes[i] if c[0] in tracked and (c[2] in fps_of or c[0] in state)]
        if changed:
            before = state
            state = dict(state)
            gone: set[Unit] = set()
            came: set[Unit] = set()
            for path, old, new in changed:
                # the units of this path: out go those of the blob it held, in come those of the new one
                gone.update((fp, path) for fp in fps_of.get(state.get(path, NULL_SHA), ()))
                came.difference_update([u for u in came if u[1] == path])
                if new not in fps_of:
                    state.pop(path, None)
                else:
                    state[path] = new
                new_fps = fps_of.get(new, frozenset())
                came.update((fp, path) for fp in new_fps)
                for fp in new_fps:
                    intro.setdefault((fp, path), (i, new))
                for fp in fps_of.get(old, frozenset()) - new_fps:
                    removals[(fp, path)].append(i)
            units = (state_units[id(before)] - gone) | came
            state_units[id(state)] = units
            state_fps[id(state)] = frozenset(fp for fp, _ in units)
        states.append(state)
        commits_in[id(state)] += 1
        if reachable is not None and commit.sha in reachable:
            reachable_units.update(state_units[id(state)])
    # commits holding each secret: counted per tree state (most commits share their parent's)
    for state_id, count in commits_in.items():
        for fp in state_fps[state_id]:
            fp_commits[fp] += count
    return _Walk(intro, dict(removals), states, fp_commits, reachable_units)


def _ancestors(history: History, tip: str | None) -> set[int]:
    """Indexes of the commits reachable from ``tip`` within the walk."""
    seen: set[int] = set()
    start = history.index.get(tip) if tip else None
    stack = [start] if start is not None else []
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        stack.extend(p for p in (history.index.get(s) for s in history.commits[i].parents) if p is not None)
    return seen


def _commit_facts(commit: Commit) -> dict[str, str]:
    return {"commit": commit.sha, "author": commit.author, "email": commit.email, "date": commit.date,
            "subject": commit.subject}


def attribute(
    history: History,
    found: Mapping[str, Sequence[Finding]],
    scope: Scope,
    loose: Sequence[LooseBlob] = (),
) -> list[Finding]:
    """Findings with their final origins (path, kind ``git-blob``, attribution in ``extra``), sorted."""
    fps_of = _fps_of(found)
    walk = _walk(history, fps_of, scope.reachable)
    # the default branch's HEAD: from the walk when it is in it, else from its tree listing
    head_i = history.index.get(scope.head) if scope.head else None
    head_state: Mapping[str, str] = walk.states[head_i] if head_i is not None else (scope.head_tree or {})
    on_default = _ancestors(history, scope.head)
    # refs whose tips hold each secret
    fp_refs: dict[str, list[str]] = defaultdict(list)
    for name, tip in scope.refs:
        i = history.index.get(tip)
        if i is None:
            continue
        for fp in {fp for b in walk.states[i].values() for fp in fps_of.get(b, ())}:
            fp_refs[fp].append(name)
    for lb in loose:
        if lb.ref:
            for fp in fps_of.get(lb.sha, ()):
                fp_refs[fp].append(lb.ref)
    fp_paths: dict[str, set[str]] = defaultdict(set)
    for fp, path in walk.intro:
        fp_paths[fp].add(path)
    for lb in loose:
        for fp in fps_of.get(lb.sha, ()):
            fp_paths[fp].add(lb.path)

    def counts(fp: str) -> dict[str, str]:
        refs = sorted(fp_refs.get(fp, ()))
        facts = {"commits": str(walk.fp_commits.get(fp, 0)), "paths": str(len(fp_paths[fp])), "refs": str(len(refs))}
        if refs:
            facts["ref"] = refs[0]
        return facts

    out: list[Finding] = []
    for (fp, path), (i, intro_blob) in walk.intro.items():
        live = fp in fps_of.get(head_state.get(path, NULL_SHA), ())
        facts = _commit_facts(history.commits[i])
        if live:
            status, blob = "live", head_state[path]
        else:
            status, blob = "history", intro_blob
            if scope.reachable is not None and (fp, path) not in walk.reachable_units:
                status = "unreachable"
            gone = walk.removals.get((fp, path), [])
            preferred = [r for r in gone if r in on_default] or gone
            if preferred:
                removal = history.commits[min(preferred)]
                facts.update(removed_in=removal.sha, removed_date=removal.date, removed_author=removal.author)
        facts.update(status=status, blob=blob, **counts(fp))
        origin = Origin(path, kind="git-blob", extra=tuple(sorted(facts.items())))
        out.extend(replace(f, origin=reroot(f.origin, origin)) for f in found[blob] if f.fingerprint == fp)
    for lb in loose:
        for fp in sorted(fps_of.get(lb.sha, ())):
            facts = {"status": lb.status, "blob": lb.sha, **counts(fp)}
            origin = Origin(lb.path, kind="git-blob", extra=tuple(sorted(facts.items())))
            out.extend(replace(f, origin=reroot(f.origin, origin)) for f in found[lb.sha] if f.fingerprint == fp)
    out.sort(key=Finding.sort_key)
    return out
