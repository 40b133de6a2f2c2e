"""History benchmark of a busy, long-lived project: big real source files edited thousands of times.

    python bench/history_busy.py --scale 0.05 --build-only          # generate (cached) and print its shape
    python bench/history_busy.py --scale 1 --runs 5 --cores 1 2     # time credsprawl, betterleaks, gitleaks

The shape is that of issue 18 (a real long-lived Python project): at ``--scale 1``, 27,000 commits over
~1,600 refs (branches and tags), ~87,000 unique blobs, ~4.5 GB of unique blob bytes (average ~52 KB,
~17% of the blobs over 100 KB), ~4,300 paths, the busiest path with ~2,500 versions, the hundredth
busiest with ~200. ``--scale s`` multiplies commits, refs, unique blobs and bytes by ``s`` and paths and
versions per path by ``sqrt(s)`` (so the files stay busy: at 0.05 the busiest path still has ~560
versions); the average blob size does not change.

The repository is built (once, cached under ``bench/.cache/history-busy-x<scale>-s<seed>/``) with one
streamed ``git fast-import`` and a ``git repack -a -d -f --depth=50 --window=10`` (the pack a server
would hold: deltas between versions of a path), deterministically from ``--seed`` and the Python standard library of the
running interpreter (``sysconfig`` ``stdlib``: ~1,800 real ``.py`` files, 31 MB for 3.11): every path
starts as a stretch of real stdlib source of its planned size, then each of its versions is a small edit
(a few real stdlib lines inserted, a few lines deleted or replaced, at one place). Commits take 1 to ~40
such edits (most take one to three), now and then add, delete or rename a file; feature branches fork
from ``main`` and are merged back with ``--no-ff`` merge commits (a path both sides changed gets a new
merged version), some stay unmerged; release branches get backports; tags mark releases.

FAKE secrets (``fixtures/fakecreds.py``) are planted at known commits inside the busy files, and listed
with the commits (full hashes) in ``planted.jsonl``:

- ``kept``: added and never removed (some only on feature branches, some of them never merged);
- ``removed``: added, removed again 1-25 commits later;
- ``readded``: added, removed, then the same value added back later (same file, another place);
- ``joined-append`` / ``joined-prepend`` / ``joined-newline``: a token split across an edit boundary: a
  commit adds its first half (or its second half, or both halves on two lines), and a later commit
  completes it (appends the rest to the line, prepends the start, or joins the two lines). The secret
  first exists, and must be attributed to, the joining commit.

The build checks that ground truth in the repository itself (each secret is in its file at the commits
that add it, and not at those that remove it or hold only its halves) and stops if it does not hold.
``stats.json`` beside the repository holds the measured shape (git's own counts, not the plan's) and
the build's wall and CPU time per phase. At ``--scale 0.05`` the build takes ~11 CPU s, at 0.1 ~24.

The runner times ``credsprawl history`` (every ref), ``betterleaks git`` and ``gitleaks git`` (both
default to ``git log -p --all``) on the repository: ``--runs N`` runs of each, the tools alternated
(their order rotates every round), for each core budget in ``--cores`` (the child is pinned with
``taskset -c 0`` or ``-c 0,1``; credsprawl gets ``--jobs N``, the Go tools ``GOMAXPROCS=N``). Wall time
and the CPU time of the child (user + sys of the process and every descendant it waited for, from
``os.wait4``) are reported as median, min and max, with findings, planted secrets found and, for
each tool, how many of those it attributed to the planting commit. The table is printed and written to
``bench/results/history-busy.md``. The peers come from ``bench/peers.py``
(``python bench/peers.py install gitleaks betterleaks``: their own venv, never the project's).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (ROOT, BENCH):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus  # noqa: E402
import history_bench as hb  # noqa: E402
import peers  # noqa: E402
from fixtures import fakecreds  # noqa: E402

GENERATOR_VERSION = 7
START = hb.START
AUTHORS = hb.AUTHORS

# issue 18's repository, at --scale 1
FULL = {"commits": 27_000, "refs": 1_600, "blobs": 87_000, "bytes": 4_500_000_000, "paths": 4_300,
        "busiest": 2_500, "hundredth": 200, "over_100k": 14_700}
BIG = 100_000
# merges of paths both sides changed, and planted secrets, add new blobs beyond the planned edits: about
# 12% more unique blobs and 7% more versions of the busiest path at --scale 0.05; the plan aims that low
SURPLUS_BLOBS, SURPLUS_BUSY = 1.12, 1.07
TOP_DIRS = ("src/core", "src/app", "lib/compat", "tools", "services/api", "legacy", "vendor/py", "plugins")
# secrets every scanner of the comparison has a rule for; the joined ones are one-line tokens with a prefix
KINDS = ("github-pat-classic", "slack-bot-token", "stripe-secret-key", "gitlab-pat", "npm-token", "openssh-private-key",
         "postgres-uri", "sendgrid-api-key", "huggingface-token", "pypi-token", "anthropic-api-key", "rsa-private-key")
JOIN_KINDS = ("github-pat-classic", "slack-bot-token", "gitlab-pat", "npm-token", "huggingface-token",
              "stripe-secret-key")
Lines = tuple[bytes, ...]


# ------------------------------------------------------------------------------------------------
# real text


@dataclass(frozen=True)
class Pool:
    """The standard library's ``.py`` files: (relative path, lines without newline), sorted by path."""

    files: tuple[tuple[str, Lines], ...]
    version: str
    total_bytes: int


def load_pool() -> Pool:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files: list[tuple[str, Lines]] = []
    total = 0
    for folder, dirs, names in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "dist-packages", "__pycache__"))
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            data = Path(path).read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(data) < 200:
                continue
            files.append((os.path.relpath(path, stdlib), tuple(data.split(b"\n"))))
            total += len(data)
    if not files:
        raise SystemExit(f"no Python sources under {stdlib}")
    return Pool(tuple(files), f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}", total)


def stretch(pool: Pool, rng: random.Random, size: int) -> list[bytes]:
    """Real lines of about ``size`` bytes: from a random line of a random file on, through the next files."""
    i = rng.randrange(len(pool.files))
    lines = pool.files[i][1]
    at = rng.randrange(max(1, len(lines) // 2))
    out: list[bytes] = []
    got = 0
    while got < size:
        if at >= len(lines):
            i = (i + 1) % len(pool.files)
            lines, at = pool.files[i][1], 0
            continue
        out.append(lines[at])
        got += len(lines[at]) + 1
        at += 1
    return out


def snippet(pool: Pool, rng: random.Random, n: int) -> list[bytes]:
    lines = pool.files[rng.randrange(len(pool.files))][1]
    at = rng.randrange(len(lines))
    return list(lines[at:at + n]) or [b""]


# ------------------------------------------------------------------------------------------------
# the plan: how many versions and bytes each path gets


@dataclass(frozen=True)
class PathPlan:
    ident: int
    name: str
    versions: int  # distinct contents over its life (its first one included)
    size: int  # target size in bytes


@dataclass(frozen=True)
class Plan:
    scale: float
    commits: int
    tags: int
    releases: int
    features: int
    paths: tuple[PathPlan, ...]


def version_counts(scale: float) -> list[int]:
    """Versions per planned path, busiest first: ~2500*sqrt(s) for the busiest, ~200*sqrt(s) at rank
    100*sqrt(s), a steeper tail solved so the total is ~87,000*s."""
    q = math.sqrt(scale)
    n = max(20, round(FULL["paths"] * q / 1.08))  # renames add ~8% more paths
    target = FULL["blobs"] * scale / SURPLUS_BLOBS
    a = math.log(FULL["busiest"] / FULL["hundredth"]) / math.log(100)
    head, hundredth = FULL["busiest"] / SURPLUS_BUSY, FULL["hundredth"] / SURPLUS_BUSY

    def counts(b: float) -> list[int]:
        out = []
        for r in range(1, n + 1):
            x = 1 + (r - 1) / q  # the full-scale rank this one stands for
            v = head * x ** -a if x <= 100 else hundredth * (x / 100) ** -b
            out.append(max(1, round(v * q)))
        return out

    lo, hi = 0.3, 6.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sum(counts(mid)) > target:
            lo = mid
        else:
            hi = mid
    return counts(hi)


def make_plan(scale: float, seed: int, pool: Pool) -> Plan:
    rng = random.Random(f"history-busy-plan/{seed}/{scale}")
    versions = version_counts(scale)
    total = sum(versions)
    # big files (100-250 KB) take ~17% of the versions, the busiest among them; the rest are smaller,
    # scaled so the blob-weighted mean is ~52 KB
    big_target = FULL["over_100k"] / FULL["blobs"] * total
    big_sum = 0
    big = [False] * len(versions)
    for r, v in enumerate(versions):
        if (r == 0 or rng.random() < 0.25) and big_sum + v <= big_target * 1.02:
            big[r] = True
            big_sum += v
    sizes = [int(BIG * 1.02 * math.exp(rng.uniform(0, math.log(2.5)))) if b else
             int(min(95_000, max(600, rng.lognormvariate(math.log(22_000), 0.85)))) for b in big]
    want_mean = FULL["bytes"] / FULL["blobs"]
    big_bytes = sum(s * v for s, v, b in zip(sizes, versions, big) if b)
    small_bytes = sum(s * v for s, v, b in zip(sizes, versions, big) if not b)
    factor = (want_mean * total - big_bytes) / max(1, small_bytes)
    sizes = [s if b else int(min(95_000, max(400, s * factor))) for s, b in zip(sizes, big)]
    names: set[str] = set()
    plans = []
    order = list(range(len(versions)))
    for ident in order:
        rel = pool.files[rng.randrange(len(pool.files))][0]
        name = f"{rng.choice(TOP_DIRS)}/{rel}"
        while name in names:
            name = f"{rng.choice(TOP_DIRS)}/{rng.choice(('v2', 'new', 'ext', 'impl', 'contrib'))}/{rel}"
        names.add(name)
        plans.append(PathPlan(ident, name, versions[ident], sizes[ident]))
    refs = max(8, round(FULL["refs"] * scale))
    tags = round(refs * 0.35)
    releases = max(1, round(refs * 0.01))
    features = refs - tags - releases - 1
    return Plan(scale, max(50, round(FULL["commits"] * scale)), tags, releases, features, tuple(plans))


# ------------------------------------------------------------------------------------------------
# the events: births, edits, renames, deletions of every planned path, in time order


@dataclass(frozen=True)
class Event:
    time: float
    kind: str  # "add", "edit", "rename", "delete"
    ident: int


def make_events(plan: Plan, rng: random.Random) -> tuple[set[int], list[Event]]:
    """(paths in the initial import, the other events sorted by time)."""
    initial: set[int] = set()
    events: list[Event] = []
    for pp in plan.paths:
        if pp.ident < 10 or rng.random() < 0.3:
            born = 0.0
            initial.add(pp.ident)
        else:
            born = rng.uniform(0.0, 0.85)
            events.append(Event(born, "add", pp.ident))
        end = 1.0
        roll = rng.random()
        if pp.ident >= 10 and roll < 0.12:
            end = rng.uniform(born + (1 - born) * 0.3, 1.0)
            events.append(Event(end, "delete", pp.ident))
        elif pp.ident >= 10 and roll < 0.21:
            events.append(Event(rng.uniform(born, 1.0), "rename", pp.ident))
        for _ in range(pp.versions - 1):
            events.append(Event(rng.uniform(born, end), "edit", pp.ident))
    events.sort(key=lambda e: (e.time, e.ident, e.kind))
    return initial, events


# ------------------------------------------------------------------------------------------------
# the repository


@dataclass
class Branch:
    name: str
    files: dict[str, Lines]
    tip: int = 0
    base: dict[str, Lines] = field(default_factory=dict)  # the files where it forked (features)
    ops: dict[str, list[tuple[float, int, tuple[bytes, ...]]]] = field(default_factory=dict)
    pending: int = 0  # commits still to make (features)
    merge: bool = True


@dataclass
class Plant:
    """One planted secret and what is still to happen to it (on main)."""

    record: dict[str, Any]
    path: str
    block: tuple[bytes, ...]  # the lines as they stand in the file now
    steps: list[tuple[int, str]]  # (main commit number due, "remove" / "readd" / "join")
    full: tuple[bytes, ...] = ()  # joined: the completed lines


class Writer:
    def __init__(self, repo: Path, marks: Path, rng: random.Random) -> None:
        # no deltas here (fast-import would deltify each blob against the one written before it, another
        # file's most of the time, in chains up to 50 deep that make the repack below slow); the repack
        # makes the real deltas
        self.proc = subprocess.Popen(["git", "fast-import", "--quiet", "--big-file-threshold=1k", f"--export-marks={marks}"],
                                     cwd=repo, stdin=subprocess.PIPE)
        assert self.proc.stdin is not None
        self.out = self.proc.stdin
        self.rng = rng
        self.mark = 0
        self.clock = START
        self.commits = 0
        self.blob_bytes_written = 0

    def commit(self, ref: str, message: str, changes: dict[str, Lines | None], parent: int | None,
               merge: int | None = None, renames: tuple[tuple[str, str], ...] = ()) -> int:
        self.mark += 1
        self.commits += 1
        self.clock += self.rng.randint(120, 9_000)
        name, email = self.rng.choice(AUTHORS)
        msg = message.encode()
        w = self.out.write
        w(b"commit %s\nmark :%d\n" % (ref.encode(), self.mark))
        w(b"author %s <%s> %d +0000\ncommitter %s <%s> %d +0000\n" % (
            name.encode(), email.encode(), self.clock, name.encode(), email.encode(), self.clock))
        w(b"data %d\n%s\n" % (len(msg), msg))
        if parent is not None:
            w(b"from :%d\n" % parent)
        if merge is not None:
            w(b"merge :%d\n" % merge)
        for old, new in renames:
            w(b'R "%s" "%s"\n' % (old.encode(), new.encode()))
        for path, lines in sorted(changes.items()):
            if lines is None:
                w(b"D %s\n" % path.encode())
            else:
                data = b"\n".join(lines)
                self.blob_bytes_written += len(data)
                w(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
                w(data)
                w(b"\n")
        return self.mark

    def tag(self, name: str, mark: int) -> None:
        self.out.write(b"tag %s\nfrom :%d\ntagger Release Bot <rel@example.com> %d +0000\ndata 8\nrelease\n\n" % (
            name.encode(), mark, self.clock))

    def close(self) -> None:
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")


def _find(lines: Lines, block: tuple[bytes, ...]) -> int:
    """Index of ``block`` in ``lines``, or -1."""
    first = block[0]
    start = 0
    while True:
        try:
            i = lines.index(first, start)
        except ValueError:
            return -1
        if lines[i:i + len(block)] == block:
            return i
        start = i + 1


class Sim:
    def __init__(self, plan: Plan, pool: Pool, rng: random.Random, writer: Writer) -> None:
        self.plan = plan
        self.pool = pool
        self.rng = rng
        self.w = writer
        self.name = {pp.ident: pp.name for pp in plan.paths}
        self.size = {pp.name: pp.size for pp in plan.paths}
        self.protected: dict[str, list[tuple[bytes, ...]]] = collections.defaultdict(list)  # main: path -> blocks
        self.planted: list[dict[str, Any]] = []
        self.plants: list[Plant] = []
        self.main_commits = 0
        self.renamed = 0
        # (record, key, path, secret present?): the next commit's hash goes to record[key], and the
        # secret must (not) be in that commit's version of path
        self.planted_marks_pending: list[tuple[dict[str, Any], str, str, bool]] = []

    # -- file contents

    def birth(self, ident: int) -> Lines:
        pp = self.plan.paths[ident]
        return tuple([b"# " + pp.name.encode()] + stretch(self.pool, self.rng, pp.size))

    def op(self, path: str, lines: Lines, protect: list[tuple[bytes, ...]]) -> tuple[float, int, tuple[bytes, ...]]:
        """A small edit: at a fraction of the file, delete some lines and insert some real ones."""
        rng = self.rng
        cur = sum(len(x) + 1 for x in lines)
        n_del, n_ins = rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4, 6)), rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 8))
        target = self.size.get(path, cur)
        if cur > 1.1 * target:
            n_del += 4
        elif cur < 0.9 * target:
            n_ins += 4
        if n_del == 0 and n_ins == 0:
            n_ins = 1
        frac = rng.random()
        pos = int(frac * len(lines))
        for block in protect:
            at = _find(lines, block)
            if at >= 0 and pos < at + len(block) and pos + n_del > at:
                pos = at + len(block)
                frac = pos / max(1, len(lines))
        return frac, n_del, tuple(snippet(self.pool, rng, n_ins)[:n_ins]) if n_ins else ()

    @staticmethod
    def apply(lines: Lines, op: tuple[float, int, tuple[bytes, ...]]) -> Lines:
        frac, n_del, ins = op
        pos = min(len(lines), int(frac * len(lines)))
        new = lines[:pos] + ins + lines[pos + n_del:]
        return new if new != lines else lines + (b"",)

    # -- planting

    def plant_lines(self, kind: str, value: str) -> tuple[bytes, ...]:
        return tuple(x.encode() for x in corpus.plant_block("py", kind, value, self.rng))

    def insert_block(self, lines: Lines, block: tuple[bytes, ...], protect: list[tuple[bytes, ...]]) -> Lines:
        for _ in range(20):
            pos = self.rng.randrange(len(lines) + 1)
            if not any(0 <= (at := _find(lines, b)) < pos < at + len(b) for b in protect):
                break
        return lines[:pos] + block + lines[pos:]


def _pick_path(rng: random.Random, files: dict[str, Lines], busy: dict[str, int]) -> str:
    """A path weighted by how busy it is planned to be (secrets land in the busy files)."""
    paths = sorted(files)
    return rng.choices(paths, [busy.get(p, 1) for p in paths])[0]


def build(out_dir: Path, scale: float, seed: int, quiet: bool = False) -> Path:
    """Build (or reuse) the repository; returns the path of the bare repository."""
    pool = load_pool()
    manifest = {"generator": GENERATOR_VERSION, "scale": scale, "seed": seed, "stdlib": pool.version,
                "stdlib_bytes": pool.total_bytes, "stdlib_files": len(pool.files)}
    repo = out_dir / "repo.git"
    if (out_dir / "manifest.json").is_file() and json.loads((out_dir / "manifest.json").read_text()) == manifest:
        return repo
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    started = time.monotonic()
    _phase(started)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(repo)], check=True)
    plan = make_plan(scale, seed, pool)
    rng = random.Random(f"history-busy/{seed}/{scale}")
    initial, events = make_events(plan, rng)
    w = Writer(repo, out_dir / "marks", rng)
    sim = Sim(plan, pool, rng, w)
    busy = {pp.name: pp.versions for pp in plan.paths}

    main = Branch("main", {})
    for ident in sorted(initial):
        main.files[sim.name[ident]] = sim.birth(ident)
    main.tip = w.commit("refs/heads/main", "Initial import", dict(main.files), None)
    sim.main_commits = 1

    work = plan.commits - 1 - round(plan.features * 0.85)  # commits that carry events (the rest are merges)
    n_events = len(events)
    queue = collections.deque(events)
    feature_opens = sorted(rng.uniform(0.0, 0.96) * work for _ in range(plan.features))
    mean_feature = max(1.0, 0.25 * work / max(1, plan.features))
    release_opens = sorted(rng.uniform(0.2, 0.9) * work for _ in range(plan.releases))
    main_tag_every = max(1.0, work / max(1, plan.tags - plan.releases))
    open_features: list[Branch] = []
    releases: list[Branch] = []
    n_features = 0
    tags = 0
    next_tag = main_tag_every

    # planted secrets: when (work commit number) and what
    counts = {"kept": max(4, round(40 * scale)), "removed": max(4, round(40 * scale)),
              "readded": max(3, round(15 * scale)), "joined": max(3, round(15 * scale))}
    schedule: list[tuple[int, str, int]] = []
    for how, n in counts.items():
        for i in range(n):
            schedule.append((int(rng.uniform(0.03, 0.85) * work), how, i))
    schedule.sort()
    kinds = list(KINDS)
    rng.shuffle(kinds)
    join_variants = ("joined-append", "joined-prepend", "joined-newline")

    def sizes_draw() -> int:
        r = rng.random()
        base = 1 if r < 0.42 else 2 if r < 0.62 else 3 if r < 0.74 else rng.randint(4, 6) if r < 0.88 \
            else rng.randint(7, 15) if r < 0.97 else rng.randint(16, 40)
        return base

    mean_draw = 3.7

    def take(branch: Branch, k: int, in_commit: set[int]) -> list[Event]:
        taken: list[Event] = []
        held: list[Event] = []
        while len(taken) < k and queue and len(held) < 200:
            e = queue.popleft()
            ok = e.ident not in in_commit
            name = sim.name[e.ident]
            if ok and branch is not main:
                ok = e.kind == "edit" and name in branch.files and name in main.files
            elif ok:
                ok = (name not in main.files) if e.kind == "add" else (name in main.files)
            if ok:
                taken.append(e)
                in_commit.add(e.ident)
            else:
                held.append(e)
        queue.extendleft(reversed(held))
        return taken

    n = 0
    while n < work and (queue or n < work):
        # branches open
        while feature_opens and feature_opens[0] <= n:
            feature_opens.pop(0)
            n_features += 1
            f = Branch(f"feature/{corpus.ident(rng)}-{n_features}", dict(main.files), main.tip, base=dict(main.files))
            f.pending = max(1, min(60, int(rng.expovariate(1 / mean_feature)) + 1))
            f.merge = rng.random() < 0.85
            open_features.append(f)
        while release_opens and release_opens[0] <= n:
            release_opens.pop(0)
            rel = Branch(f"release/{len(releases) + 1}.x", dict(main.files), main.tip)
            w.out.write(b"reset refs/heads/%s\nfrom :%d\n\n" % (rel.name.encode(), main.tip))
            releases.append(rel)
        # which branch this commit goes to
        pending_feature = sum(f.pending for f in open_features)
        branch = main
        roll = rng.random()
        if open_features and roll < min(0.9, pending_feature / max(1, work - n)):
            branch = rng.choice(open_features)
        elif releases and roll > 0.985:
            branch = rng.choice(releases)
        remaining = len(queue)
        k = max(1, round(sizes_draw() * remaining / max(1, (work - n)) / mean_draw))
        in_commit: set[int] = set()
        evs = take(branch, k, in_commit)
        if not evs and branch is not main:
            branch = main
            evs = take(branch, k, in_commit)
        changes: dict[str, Lines | None] = {}
        renames: list[tuple[str, str]] = []
        words = []
        for e in evs:
            name = sim.name[e.ident]
            if e.kind == "add":
                branch.files[name] = changes[name] = sim.birth(e.ident)
                words.append(f"add {name.rsplit('/', 1)[-1]}")
            elif e.kind == "delete":
                del branch.files[name]
                changes[name] = None
                words.append(f"remove {name.rsplit('/', 1)[-1]}")
            elif e.kind == "rename":
                parts = name.split("/")
                new = "/".join(parts[:-1] + ["moved", parts[-1]]) if len(parts) > 1 else "moved/" + name
                if new in main.files or new in sim.size:
                    new = new.replace("/moved/", f"/moved{e.ident}/")
                branch.files[new] = branch.files.pop(name)
                sim.name[e.ident] = new
                sim.size[new] = sim.size[name]
                busy[new] = busy.get(name, 1)
                if name in sim.protected:
                    sim.protected[new] = sim.protected.pop(name)
                    for pl in sim.plants:
                        if pl.path == name:
                            pl.path = new
                renames.append((name, new))
                sim.renamed += 1
                words.append(f"move {name.rsplit('/', 1)[-1]}")
            else:
                op = sim.op(name, branch.files[name], sim.protected.get(name, []) if branch is main else [])
                branch.files[name] = changes[name] = sim.apply(branch.files[name], op)
                if branch.base:
                    branch.ops.setdefault(name, []).append(op)
        # planted secrets due now
        if branch is main:
            for pl in list(sim.plants):
                steps = [s for s in pl.steps if s[0] <= sim.main_commits]
                if not steps or pl.path not in main.files or (pl.path in changes and changes[pl.path] is None):
                    continue
                due, what = steps[0]
                lines = main.files[pl.path]
                at = _find(lines, pl.block)
                pl.steps.remove(steps[0])
                if what == "readd":
                    lines = sim.insert_block(lines, pl.block, sim.protected[pl.path])
                    sim.protected[pl.path].append(pl.block)
                    sim.planted_marks_pending.append((pl.record, "readded_commit", pl.path, True))
                elif at < 0:
                    pl.record.setdefault("notes", []).append(f"{what}: block no longer found")
                    continue
                elif what == "remove":
                    lines = lines[:at] + lines[at + len(pl.block):]
                    sim.protected[pl.path].remove(pl.block)
                    sim.planted_marks_pending.append((pl.record, "removed_commit", pl.path, False))
                elif what == "join":
                    lines = lines[:at] + pl.full + lines[at + len(pl.block):]
                    sim.protected[pl.path].remove(pl.block)
                    pl.block = pl.full
                    sim.protected[pl.path].append(pl.full)
                    sim.planted_marks_pending.append((pl.record, "commit", pl.path, True))
                main.files[pl.path] = changes[pl.path] = lines
                words.append("update settings")
                if not pl.steps:
                    sim.plants.remove(pl)
        for item in [x for x in schedule if x[0] <= n]:
            _, how, i = item
            # removed / readded / joined happen on main; of the kept ones, every fourth goes to a feature
            # branch that is merged later and every fourth to one that never is (only that ref holds it)
            late = n > 0.95 * work
            if how != "kept" or i % 4 in (0, 2):
                fits = branch is main
            elif i % 4 == 1:
                fits = branch in open_features and branch.merge or late
            else:
                fits = branch in open_features and not branch.merge or late
            if not fits:
                continue  # wait for a commit on the right branch
            schedule.remove(item)
            target = branch
            path = _pick_path(rng, target.files, busy)
            lines = changes.get(path) or target.files[path]
            record: dict[str, Any] = {"id": f"{how}-{i}", "how": how, "path": path, "branch": branch.name}
            if how == "joined":
                kind = JOIN_KINDS[i % len(JOIN_KINDS)]
                variant = join_variants[i % 3]
                value = fakecreds.generate(kind, rng)
                var = fakecreds.VARIABLE_NAMES[kind]
                half = len(value) // 2
                full = (f'{var} = "{value}"'.encode(),)
                if variant == "joined-append":
                    block = (f'{var} = "{value[:half]}"'.encode(),)
                elif variant == "joined-prepend":
                    block = (f'{var} = "{value[half:]}"'.encode(),)
                else:
                    block = (f'{var} = "{value[:half]}'.encode(), f'{value[half:]}"'.encode())
                record.update(how=variant, type=kind, secret=value)
                plant = Plant(record, path, block, [(sim.main_commits + 1 + rng.randint(1, 25), "join")], full)
                record["halves_commit"] = None
                sim.planted_marks_pending.append((record, "halves_commit", path, False))
            else:
                kind = kinds[len(sim.planted) % len(kinds)]
                value = fakecreds.generate(kind, rng)
                block = sim.plant_lines(kind, value)
                record.update(type=kind, secret=value)
                steps: list[tuple[int, str]] = []
                if how in ("removed", "readded"):
                    d = sim.main_commits + 1 + rng.randint(1, 25)
                    steps.append((d, "remove"))
                    if how == "readded":
                        steps.append((d + rng.randint(5, 40), "readd"))
                plant = Plant(record, path, block, steps)
                sim.planted_marks_pending.append((record, "commit", path, True))
            lines = sim.insert_block(lines, plant.block, sim.protected[path] if target is main else [])
            target.files[path] = changes[path] = lines
            if target is main:
                sim.protected[path].append(plant.block)
                if plant.steps:
                    sim.plants.append(plant)
            sim.planted.append(record)
            words.append("update settings")
        message = (", ".join(words[:3]) if words else
                   f"{rng.choice(corpus.VERBS).capitalize()} {rng.choice(corpus.NOUNS)} {rng.choice(corpus.NOUNS)}")
        mark = w.commit(f"refs/heads/{branch.name}", message.capitalize(), changes, branch.tip, renames=tuple(renames))
        branch.tip = mark
        for rec, key, path_, present in sim.planted_marks_pending:
            rec.setdefault("_marks", {})[key] = mark
            rec.setdefault("_checks", []).append((key, path_, present))
        sim.planted_marks_pending.clear()
        n += 1
        if branch is main:
            sim.main_commits += 1
            if n >= next_tag:
                tags += 1
                w.tag(f"v{tags // 10}.{tags % 10}.0", main.tip)
                next_tag += main_tag_every
        elif branch in releases and rng.random() < 0.3 and tags < plan.tags:
            tags += 1
            w.tag(f"{branch.name.split('/')[1].replace('.x', '')}.{tags}", branch.tip)
        elif branch in open_features:
            branch.pending -= 1
            if branch.pending <= 0:
                open_features.remove(branch)
                if branch.merge:
                    merge_feature(sim, main, branch)
    w.close()
    phases = {"import": _phase(started)}
    if not quiet:
        print(f"fast-import done in {phases['import']['wall']:.1f} s; {w.commits} commits, events left {len(queue)} "
              f"of {n_events}; repacking", file=sys.stderr)
    # fast-import wrote every blob whole (about 4x what a server's pack holds): repack as `git gc`
    # would (deltas between versions of a path, depth <= 50)
    t0 = time.monotonic()
    subprocess.run(["git", "repack", "-q", "-a", "-d", "-f", "--depth=50", "--window=10"], cwd=repo, check=True)
    phases["repack"] = _phase(t0)
    marks = dict(line.split() for line in (out_dir / "marks").read_text().splitlines())
    checks = []
    for rec in sim.planted:
        for key, mark in rec.pop("_marks", {}).items():
            rec[key] = marks[f":{mark}"]
        checks += [(rec, rec[key], path, present) for key, path, present in rec.pop("_checks", [])]
    verify_planted(repo, checks)
    with open(out_dir / "planted.jsonl", "w") as fh:
        for rec in sim.planted:
            fh.write(json.dumps(rec) + "\n")
    t0 = time.monotonic()
    stats = measure_shape(repo, scale)
    phases["shape"] = _phase(t0)
    stats["seconds_to_build"] = round(time.monotonic() - started, 1)
    stats["cpu_seconds_to_build"] = round(sum(ph["cpu"] for ph in phases.values()), 1)
    stats["phases"] = phases
    stats["generator_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    stats["git_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    stats["disk_bytes"] = sum(f.stat().st_size for f in repo.rglob("*") if f.is_file())
    (out_dir / "stats.json").write_text(json.dumps(stats, indent=1))
    (out_dir / "manifest.json").write_text(json.dumps(manifest))
    if not quiet:
        print(f"built {repo} in {stats['seconds_to_build']} s: {shape_line(stats)}; {len(sim.planted)} planted secrets",
              file=sys.stderr)
    return repo


_cpu_mark = [0.0]


def _phase(t0: float) -> dict[str, float]:
    """Wall seconds since ``t0`` and CPU seconds (this process and waited children) since the last call."""
    cpu = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    used, _cpu_mark[0] = cpu - _cpu_mark[0], cpu
    return {"wall": round(time.monotonic() - t0, 1), "cpu": round(used, 1)}


def verify_planted(repo: Path, checks: list[tuple[dict[str, Any], str, str, bool]]) -> None:
    """Each planted secret is in the file at the commits that add it and not at those that remove it
    (or, for a joined one, that add its halves): the ground truth holds."""
    query = "".join(f"{commit}:{path}\n" for _, commit, path, _ in checks).encode()
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, input=query, capture_output=True, check=True).stdout
    at = 0
    for rec, commit, path, present in checks:
        header_end = out.index(b"\n", at)
        header = out[at:header_end].split()
        if header[-1] == b"missing":
            raise SystemExit(f"planted {rec['id']}: {path} missing at {commit}")
        size = int(header[2])
        data = out[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
        lines = rec["secret"].split("\n")
        needle = (lines[1] if len(lines) > 2 else rec["secret"]).encode()
        if (needle in data) != present:
            raise SystemExit(f"planted {rec['id']} ({rec['how']}): expected {'in' if present else 'not in'} "
                             f"{path} at {commit}")


def merge_feature(sim: Sim, main: Branch, feature: Branch) -> None:
    """A --no-ff merge of ``feature`` into main: paths only the feature changed take its version; paths
    both changed get the feature's edits replayed on main's version (a new, merged version)."""
    changes: dict[str, Lines | None] = {}
    for path, lines in feature.files.items():
        if feature.base.get(path) is lines or path not in main.files:
            continue
        if main.files[path] is feature.base.get(path):
            new = lines
        else:
            new = main.files[path]
            for op in feature.ops.get(path, []):
                new = sim.apply(new, op)
        if new is not main.files[path]:
            main.files[path] = changes[path] = new
    main.tip = sim.w.commit("refs/heads/main", f"Merge branch '{feature.name}'", changes, main.tip, merge=feature.tip)
    sim.main_commits += 1


def measure_shape(repo: Path, scale: float) -> dict[str, Any]:
    """The repository's shape from git itself: commits, refs, unique blobs and bytes, versions per path."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout

    refs = git("for-each-ref", "--format=%(refname)").split()
    commits = int(git("rev-list", "--all", "--count"))
    sizes: dict[str, int] = {}
    out = subprocess.run("git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(objectname) %(objectsize) %(rest)'",
                         shell=True, cwd=repo, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        kind, sha, size = line.split()[:3]
        if kind == "blob":
            sizes[sha] = int(size)
    per_path: dict[str, set[str]] = collections.defaultdict(set)
    for line in git("log", "--all", "--format=", "--raw", "--no-abbrev", "--no-renames", "-m").splitlines():
        if not line.startswith(":"):
            continue
        meta, path = line.split("\t", 1)
        blob = meta.split()[3]
        if blob != "0" * 40:
            per_path[path].add(blob)
    # the root commit's files
    for root in git("rev-list", "--all", "--max-parents=0").split():
        for line in git("ls-tree", "-r", root).splitlines():
            meta, path = line.split("\t", 1)
            per_path[path].add(meta.split()[2])
    versions = sorted((len(v) for v in per_path.values()), reverse=True)
    total = sum(sizes.values())
    return {"commits": commits, "refs": len(refs), "branches": sum(r.startswith("refs/heads/") for r in refs),
            "tags": sum(r.startswith("refs/tags/") for r in refs), "unique_blobs": len(sizes),
            "unique_blob_bytes": total, "average_blob": round(total / max(1, len(sizes))),
            "blobs_over_100k": sum(s > BIG for s in sizes.values()), "paths": len(per_path),
            "busiest_path_versions": versions[0] if versions else 0,
            "hundredth_busiest_versions": versions[99] if len(versions) > 99 else None,
            # the rank that stands for the hundredth at this scale (100 * sqrt(scale))
            "scaled_hundredth_rank": (r := max(1, round(100 * math.sqrt(scale)))),
            "scaled_hundredth_versions": versions[r - 1] if len(versions) >= r else None}


def shape_line(s: dict[str, Any]) -> str:
    return (f"{s['commits']:,} commits, {s['refs']:,} refs ({s['branches']:,} branches, {s['tags']:,} tags), "
            f"{s['unique_blobs']:,} unique blobs, {s['unique_blob_bytes'] / 1e6:,.0f} MB of unique blob bytes "
            f"(average {s['average_blob'] / 1e3:.0f} KB, {s['blobs_over_100k']:,} over 100 KB), {s['paths']:,} paths, "
            f"busiest path {s['busiest_path_versions']:,} versions, hundredth busiest {s['hundredth_busiest_versions']} "
            f"(at rank {s['scaled_hundredth_rank']}, which stands for the hundredth at this scale: "
            f"{s['scaled_hundredth_versions']})")


# ------------------------------------------------------------------------------------------------
# timing


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + sys of the child and the descendants it waited for
    returncode: int


def run_child(argv: list[str], cores: int, env: dict[str, str], stdout: Path) -> Run:
    """``argv`` pinned to the first ``cores`` CPUs (``taskset -c``), wall clock and CPU from ``os.wait4``."""
    cpus = ",".join(str(c) for c in sorted(os.sched_getaffinity(0))[:cores])
    full = ["taskset", "-c", cpus, *argv] if shutil.which("taskset") else argv
    with open(stdout, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(full, env={**os.environ, **env}, stdout=out, stderr=subprocess.PIPE)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, proc.returncode)


@dataclass(frozen=True)
class Found:
    """What one tool reported: every secret value, and for each the commits it was attributed to."""

    secrets: dict[str, set[str]]  # secret -> commits
    findings: int


@dataclass(frozen=True)
class Tool:
    name: str
    argv: Callable[[Path, int, Path], list[str]]  # (repo, cores, report file)
    env: Callable[[int], dict[str, str]]
    parse: Callable[[Path, Path], Found]  # (report file, stdout file)


def _credsprawl_argv(repo: Path, cores: int, report: Path) -> list[str]:
    return [sys.executable, "-m", "scanner", "history", str(repo), "--jobs", str(cores), "-f", "json", "-q",
            "--show-secrets", "--exit-zero", "-o", str(report)]


def _credsprawl_parse(report: Path, _stdout: Path) -> Found:
    doc = json.loads(report.read_text())
    out: dict[str, set[str]] = collections.defaultdict(set)
    for f in doc["findings"]:
        for o in f.get("origin") or []:
            facts = o.get("extra") or {}
            # the commit of the occurrence reported, and (for a secret removed and added back) the one
            # that first introduced it
            out[f["secret"]].update(c for c in (facts.get("commit"), facts.get("first_commit")) if c)
        out[f["secret"]]  # noqa: B018 (a secret without commit facts still counts as found)
    return Found(dict(out), len(doc["findings"]))


def _betterleaks_parse(report: Path, _stdout: Path) -> Found:
    data = json.loads(report.read_text() or "{}") if report.exists() else {}
    findings = data.get("findings", []) if isinstance(data, dict) else data
    out: dict[str, set[str]] = collections.defaultdict(set)
    for f in findings:
        secret = (f.get("match") or {}).get("value") or f.get("secret") or f.get("Secret", "")
        commit = (f.get("attributes") or {}).get("git.sha")
        out[secret].update([commit] if isinstance(commit, str) and commit else [])
    return Found(dict(out), len(findings))


def _gitleaks_parse(report: Path, _stdout: Path) -> Found:
    data = json.loads(report.read_text() or "[]") if report.exists() else []
    out: dict[str, set[str]] = collections.defaultdict(set)
    for f in data:
        out[f["Secret"]].add(f.get("Commit", ""))
    return Found(dict(out), len(data))


def tools(venv: Path, wanted: list[str]) -> list[Tool]:
    out = []
    for name in wanted:
        if name == "credsprawl":
            out.append(Tool("credsprawl history", _credsprawl_argv, lambda c: {"PYTHONPATH": str(ROOT)},
                            _credsprawl_parse))
        elif name == "betterleaks":
            binary = peers.betterleaks_binary(venv)
            if binary is None:
                print("betterleaks not installed (python bench/peers.py install betterleaks): skipped", file=sys.stderr)
                continue
            out.append(Tool("betterleaks git", lambda r, c, rep, b=binary: [
                str(b), "git", str(r), "--no-banner", "--log-level", "error", "--silent", "-o", str(rep),
                "--exit-code", "0"], lambda c: {"GOMAXPROCS": str(c)}, _betterleaks_parse))
        elif name == "gitleaks":
            binary = peers.gitleaks_binary(venv)
            if binary is None:
                print("gitleaks not installed (python bench/peers.py install gitleaks): skipped", file=sys.stderr)
                continue
            out.append(Tool("gitleaks git", lambda r, c, rep, b=binary: [
                str(b), "git", str(r), "--no-banner", "--log-level", "error", "--report-format", "json",
                "--report-path", str(rep), "--exit-code", "0"], lambda c: {"GOMAXPROCS": str(c)}, _gitleaks_parse))
        else:
            raise SystemExit(f"unknown tool {name!r} (credsprawl, betterleaks, gitleaks)")
    return out


def recall(planted: list[dict[str, Any]], found: Found) -> tuple[int, int, list[str]]:
    """(planted secrets found, of those attributed to the commit that introduced them, ids missed)."""
    reported = {hb._norm(s): commits for s, commits in found.secrets.items() if len(hb._norm(s)) >= 8}
    hits = attributed = 0
    missed = []
    for p in planted:
        want = hb._norm(p["secret"])
        commits = reported.get(want)
        password = urlsplit(p["secret"]).password if "://" in p["secret"] else None
        if commits is None and password:  # a connection URI: a tool may report its password alone
            commits = reported.get(hb._norm(password))
        if commits is None:
            near = [c for r, c in reported.items() if want in r or (len(r) >= 16 and r in want)]
            commits = set().union(*near) if near else None
        if commits is None:
            missed.append(p["id"])
            continue
        hits += 1
        attributed += p.get("commit") in commits
    return hits, attributed, missed


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f}"


def measure(repo: Path, out_dir: Path, scale: float, seed: int, runs: int, cores_list: list[int], venv: Path,
            wanted: list[str], output: Path, note: str, warmup: bool) -> int:
    planted = [json.loads(line) for line in (out_dir / "planted.jsonl").read_text().splitlines()]
    shape = json.loads((out_dir / "stats.json").read_text())
    chosen = tools(venv, wanted)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="history-busy-"))
    rows: list[str] = []
    problems: list[str] = []
    misses: list[str] = []
    types = {p["id"]: f"{p['type']}, {p['how']}" for p in planted}
    try:
        if warmup:  # fills the page cache and credsprawl's compiled-rules cache; not timed
            for t in chosen:
                run_child(t.argv(repo, max(cores_list), tmp / "warm.json"), max(cores_list), t.env(max(cores_list)),
                          tmp / "warm.out")
        for cores in cores_list:
            results: dict[str, list[Run]] = {t.name: [] for t in chosen}
            found: dict[str, Found] = {}
            for i in range(runs):
                order = chosen[i % len(chosen):] + chosen[:i % len(chosen)]  # rotate who goes first
                for t in order:
                    report, stdout = tmp / f"{len(results[t.name])}.json", tmp / "stdout"
                    report.unlink(missing_ok=True)
                    r = run_child(t.argv(repo, cores, report), cores, t.env(cores), stdout)
                    results[t.name].append(r)
                    found[t.name] = t.parse(report, stdout)
                    print(f"{t.name} cores={cores} run {i + 1}/{runs}: {r.wall:.2f} s wall, {r.cpu:.2f} s CPU",
                          file=sys.stderr)
            base = statistics.median(r.wall for r in results["betterleaks git"]) if "betterleaks git" in results else None
            for t in chosen:
                rs = results[t.name]
                hits, attributed, missed = recall(planted, found[t.name])
                wall_med = statistics.median(r.wall for r in rs)
                ratio = f"{wall_med / base:.2f}" if base else "-"
                attr = f"{attributed}/{hits}"
                rows.append(f"| {t.name} | {cores} | {len(rs)} | {_stats([r.wall for r in rs])} | "
                            f"{_stats([r.cpu for r in rs])} | {ratio} | {found[t.name].findings} | "
                            f"{hits}/{len(planted)} | {attr} |")
                if missed:
                    misses.append(f"{t.name} ({cores} cores) missed: "
                                  + ", ".join(f"{m} ({types[m]})" for m in missed))
                if t.name.startswith("credsprawl") and (missed or attributed < hits):
                    problems.append(f"credsprawl ({cores} cores) missed {', '.join(missed) or 'none'}; "
                                    f"{hits - attributed} found but not attributed to the planting commit")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    hows = collections.Counter(p["how"] for p in planted)
    text = "\n".join([
        "# History benchmark: a busy long-lived project (issue 18's shape)",
        "",
        *([f"**{note}**", ""] if note else []),
        f"Repository: `python bench/history_busy.py --scale {scale:g} --seed {seed}` "
        f"(`{repo.relative_to(ROOT) if repo.is_relative_to(ROOT) else repo}`): {shape_line(shape)}. "
        f"Built in {shape['seconds_to_build']:.0f} s wall, {shape['cpu_seconds_to_build']:.0f} s CPU (fast-import stream "
        f"{shape['phases']['import']['cpu']:.0f} s, `git repack -a -d -f --depth=50 --window=10` "
        f"{shape['phases']['repack']['cpu']:.0f} s); {shape['disk_bytes'] / 1e6:,.0f} MB on disk.",
        f"Planted fake secrets: {len(planted)} ({', '.join(f'{n} {h}' for h, n in sorted(hows.items()))}).",
        f"Machine: {os.cpu_count()} cores; load average {load_before} before and {load_after} after. "
        f"{runs} run(s) per tool and core budget, tools alternated (order rotated each round); each child pinned with "
        "`taskset -c` to the first N CPUs, credsprawl `--jobs N`, Go tools `GOMAXPROCS=N`.",
        "",
        "| tool | cores | runs | wall median s | wall min | wall max | CPU median s | CPU min | CPU max "
        "| wall / betterleaks | findings | planted found | attributed to planting commit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "CPU is user + sys of the tool's process and every descendant it waited for (`os.wait4`): worker "
        "processes and `git` children included. Findings are counted as each tool reports them (credsprawl: one per "
        "secret and path; the others: one per commit that adds it). A joined secret counts as attributed when "
        "the tool names the commit that completed it; credsprawl names a re-added secret's first commit in "
        "`first_commit` (and the commit of the live occurrence in `commit`).",
        *(["", "Planted secrets not reported:", *(f"- {m}" for m in misses)] if misses else []),
        *(["", "credsprawl recall problems:", *(f"- {p}" for p in problems)] if problems else []),
        "",
    ])
    print(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=1.0, help="1 = issue 18's size; 0.1 = a tenth (default 1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=5, help="timed runs per tool and core budget (default 5)")
    p.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    p.add_argument("--tools", default="credsprawl,betterleaks,gitleaks")
    p.add_argument("--venv", type=Path, default=peers.DEFAULT_VENV)
    p.add_argument("--output", type=Path, default=BENCH / "results" / "history-busy.md")
    p.add_argument("--note", default="", help="a line printed above the table (e.g. 'smoke run under load')")
    p.add_argument("--no-warmup", action="store_true")
    p.add_argument("--build-only", action="store_true")
    a = p.parse_args(argv)
    if not 0 < a.scale <= 4:
        p.error("--scale must be in (0, 4]")
    out_dir = BENCH / ".cache" / f"history-busy-x{a.scale:g}-s{a.seed}"
    repo = build(out_dir, a.scale, a.seed)
    shape = json.loads((out_dir / "stats.json").read_text())
    print(f"{repo}: {shape_line(shape)}; built in {shape['seconds_to_build']} s, {shape['disk_bytes'] / 1e6:,.0f} MB "
          "on disk", file=sys.stderr)
    if a.build_only:
        return 0
    peers.byte_compile_credsprawl()
    return measure(repo, out_dir, a.scale, a.seed, a.runs, a.cores, a.venv, [t for t in a.tools.split(",") if t],
                   a.output, a.note, not a.no_warmup)


if __name__ == "__main__":
    raise SystemExit(main())
