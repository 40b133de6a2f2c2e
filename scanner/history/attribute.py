"""Attribution: tie each secret found in a blob back to the commits, paths and refs that hold it.

A history finding is one secret (fingerprint) at one path. For it we report:

- the commit that introduced it (sha, author, email, date, subject): of the copy HEAD has when it is
  live, else of the first copy at that path. A copy's introducing commit is the one that brought the
  secret to that path (parents before children, then by date), except that a rename (the same commit
  takes the secret off another path) is not an introduction: the copy keeps its introducing commit
  and ``moved_in`` names the rename; a merge is not either (the branch commit is). A secret added
  back after a removal, or copied to a new path, names the commit that did it, and
  ``first_commit``/``first_date``/``first_author`` the first introduction (for the lifecycle);
  ``readded_in`` on a copy no longer live says it came back to that path later;
- ``status``: ``live`` when the default branch's HEAD still has it at that path, ``history`` when it
  is only in history, ``unreachable`` when only commits or objects no ref reaches hold it;
- ``removed_in``: for a secret no longer live, the commit whose change at that path dropped its latest
  copy (preferring one on the default branch), with that commit's ``removed_date`` and ``removed_author``;
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
from operator import itemgetter
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


Episode = tuple[int, int]  # (commit that brought the secret into the tree, commit that brought it to the path)


@dataclass
class _Walk:
    intro: dict[Unit, tuple[int, str]]  # unit -> (commit index, blob) of its first arrival at its path
    removals: dict[Unit, list[int]]
    states: list[dict[str, str]]  # per commit: tracked path -> blob
    fp_commits: Counter[str]
    reachable_units: set[Unit]
    units: list[dict[Unit, Episode]]  # per commit: the units its tree holds and their episodes
    first_episode: dict[Unit, Episode]  # the episode of each unit's first arrival at its path
    last_episode: dict[Unit, Episode]  # and of its latest (a re-introduction, when they differ)
    fp_first: dict[str, int]  # the first commit that brought each secret into a tree



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
    # per tree state: its units with their episodes, and its secrets
    state_units: dict[int, dict[Unit, Episode]] = {id(empty): {}}
    state_fps: dict[int, frozenset[str]] = {id(empty): frozenset()}
    unit_list: list[dict[Unit, Episode]] = []
    first_episode: dict[Unit, Episode] = {}
    last_episode: dict[Unit, Episode] = {}
    fp_first: dict[str, int] = {}
    commits_in: Counter[int] = Counter()  # id of a state -> commits whose tree it is
    index = history.index
    for i, (commit, changes) in enumerate(zip(history.commits, history.changes)):
        first_parent = index.get(commit.parents[0]) if commit.parents else None
        state = states[first_parent] if first_parent is not None and first_parent < i else empty
        # a state holds only the paths whose blob holds a secret: a change matters when it brings such a
        # blob or replaces one (its old blob is then the one the state holds)
        changed = [c for c in changes if c[0] in tracked and (c[2] in fps_of or c[0] in state)] if changes else None
        if changed:
            parents = [p for p in (index.get(sha) for sha in commit.parents) if p is not None and p < i]
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
            before_units = state_units[id(before)]
            units = dict(before_units)  # a copy, without what went (in the same order)
            for u in gone:
                units.pop(u, None)
            others = [state_units[id(states[p])] for p in parents if p != first_parent]
            # secrets this commit took off a path: one that lands on another path was moved (renamed)
            departed = {u[0]: before_units[u][0] for u in gone if u not in came and u in before_units}
            for u in came:
                episode = _episode(u, i, before_units, departed, others)
                units[u] = episode
                if u not in before_units:
                    first_episode.setdefault(u, episode)
                    last_episode[u] = episode
                    fp_first.setdefault(u[0], episode[0])
                    fp_first[u[0]] = min(fp_first[u[0]], episode[0])
            state_units[id(state)] = units
            state_fps[id(state)] = frozenset(map(itemgetter(0), units))
        states.append(state)
        units_now = state_units[id(state)]
        unit_list.append(units_now)
        commits_in[id(state)] += 1
        if reachable is not None and commit.sha in reachable:
            reachable_units.update(units_now)
    # commits holding each secret: counted per tree state (most commits share their parent's)
    for state_id, count in commits_in.items():
        for fp in state_fps[state_id]:
            fp_commits[fp] += count
    return _Walk(intro, dict(removals), states, fp_commits, reachable_units, unit_list, first_episode,
                 last_episode, fp_first)


def _episode(unit: Unit, i: int, before: Mapping[Unit, Episode], departed: Mapping[str, int],
             others: Sequence[Mapping[Unit, Episode]]) -> Episode:
    """The episode of a unit in commit ``i``'s tree: the one its first parent had at that path; else the
    one a merged parent had (the branch commit introduced it, not the merge); else, when ``i`` took the
    secret off another path, that episode moved here (a rename is not an introduction); else a new
    episode introduced by ``i`` (a copy to a new path, or a re-introduction after a removal)."""
    if unit in before:
        return before[unit]
    for units in others:
        if unit in units:
            return units[unit]
    if unit[0] in departed:
        return departed[unit[0]], i
    return i, i


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

    head_units = walk.units[head_i] if head_i is not None else {}
    out: list[Finding] = []
    for unit, (_i, intro_blob) in walk.intro.items():
        fp, path = unit
        live = fp in fps_of.get(head_state.get(path, NULL_SHA), ())
        # the copy reported: the one HEAD has when live, else the first at this path
        episode = head_units.get(unit, walk.first_episode[unit]) if live else walk.first_episode[unit]
        origin, arrival = episode
        facts = _commit_facts(history.commits[origin])
        if arrival != origin:  # moved here (renamed or copied) from another path of the same tree
            facts["moved_in"] = history.commits[arrival].sha
        if walk.fp_first[fp] < origin:  # an earlier commit had introduced it already: a re-introduction
            first = history.commits[walk.fp_first[fp]]
            facts.update(first_commit=first.sha, first_date=first.date, first_author=first.author)
        if live:
            status, blob = "live", head_state[path]
        else:
            status, blob = "history", intro_blob
            if scope.reachable is not None and unit not in walk.reachable_units:
                status = "unreachable"
            latest = walk.last_episode[unit]
            if latest != episode:  # removed from this path, then added back (and removed again)
                facts["readded_in"] = history.commits[latest[0] if latest[1] == latest[0] else latest[1]].sha
            gone = walk.removals.get(unit, [])
            preferred = [r for r in gone if r in on_default] or gone
            # the removal that ended the latest copy at this path (the first one after it arrived)
            preferred = [r for r in preferred if r > latest[1]] or preferred
            if preferred:
                removal = history.commits[min(preferred)]
                facts.update(removed_in=removal.sha, removed_date=removal.date, removed_author=removal.author)
        facts.update(status=status, blob=blob, **counts(fp))
        where = Origin(path, kind="git-blob", extra=tuple(sorted(facts.items())))
        out.extend(replace(f, origin=reroot(f.origin, where)) for f in found[blob] if f.fingerprint == fp)
    for lb in loose:
        for fp in sorted(fps_of.get(lb.sha, ())):
            facts = {"status": lb.status, "blob": lb.sha, **counts(fp)}
            origin = Origin(lb.path, kind="git-blob", extra=tuple(sorted(facts.items())))
            out.extend(replace(f, origin=reroot(f.origin, origin)) for f in found[lb.sha] if f.fingerprint == fp)
    out.sort(key=Finding.sort_key)
    return out
