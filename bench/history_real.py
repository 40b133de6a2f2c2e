"""History benchmarks on repositories made of real content: credsprawl ``history`` against gitleaks
``git`` and betterleaks ``git``, every ref, side by side.

    python bench/history_real.py long  [--commits 10500] [--jobs 1 2] [--repeat 2]
    python bench/history_real.py blobs [--batches 5] [--jobs 1 2] [--repeat 1]

There is no network here to clone a real project, so both repositories are built (once, cached under
``bench/.cache/``) from the real files of ``bench/pkgtree.py`` (the installed sources and binaries
of 42 popular packages) with ``git fast-import``:

- ``long`` (``history-real-C<commits>``): a long-lived project. 300 real source files at first;
  then, commit after commit, real files are added from the tree, edited (a stretch of real lines
  from another file of the tree replaces a few lines), renamed and deleted, by eight authors, on
  ``main`` and on feature branches merged back (a few left open), with a release tag every 250
  commits. About 3% of the commits leak a FAKE secret (``fixtures/fakecreds.py``) into a file, and
  most leaks are removed again a few commits later.
- ``blobs`` (``history-real-blobs-b<batches>``): a repository with several GB of unique blob
  content: the whole tree (1.1 GB, binaries included) committed in batches of 2,000 files, then
  ``--batches`` rounds that each change 40% of the files (a line inserted in text files, bytes
  changed in binaries) so that every round adds as many new blobs. Fake secrets are planted in
  some of the changed text files.

Planted secrets are listed in ``planted.jsonl`` beside each repository. The table (wall time, MB/s
of unique blob content, peak RSS of the process tree, findings, planted secrets found, planted
secrets gitleaks found that credsprawl missed) is printed and written to
``bench/results/history-real-long.md`` or ``history-real-blobs.md`` with the load average before and
after. Each tool gets the same core budget: ``--jobs N`` for credsprawl, ``GOMAXPROCS=N`` for the Go
tools.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (ROOT, BENCH):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus  # noqa: E402
import history_bench as hb  # noqa: E402
import peers  # noqa: E402
from fixtures import fakecreds  # noqa: E402

GENERATOR_VERSION = 1
PKGTREE = BENCH / ".cache" / "pkgtree"
AUTHORS = hb.AUTHORS
START = hb.START
_HOSTS = {"py": "py", "pyi": "py", "js": "js", "ts": "ts", "go": "go", "java": "java", "yaml": "k8s", "yml": "ci",
          "json": "json", "ini": "ini", "cfg": "ini", "toml": "toml", "sh": "sh", "md": "md", "rst": "md", "txt": "md",
          "properties": "properties", "tf": "tf"}


# ------------------------------------------------------------------------------------------------
# the real files


def real_files(tree: Path, text_only: bool, max_size: int) -> list[tuple[str, bytes]]:
    """(path relative to the tree, content) of the tree's files, in a fixed order."""
    out: list[tuple[str, bytes]] = []
    for folder, dirs, names in os.walk(tree):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            if os.path.islink(path) or not os.path.isfile(path) or name.startswith(".pkgtree"):
                continue
            size = os.path.getsize(path)
            if size == 0 or size > max_size:
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            if text_only and (b"\0" in data[:8192] or not _utf8(data)):
                continue
            out.append((os.path.relpath(path, tree), data))
    return out


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _host(path: str) -> str:
    return _HOSTS.get(path.rsplit(".", 1)[-1].lower(), "env") if "." in path.rsplit("/", 1)[-1] else "env"


class _Writer:
    """A ``git fast-import`` stream: commits with inline blobs."""

    def __init__(self, repo: Path, marks: Path, rng: random.Random) -> None:
        self.proc = subprocess.Popen(["git", "fast-import", "--quiet", "--depth=10", f"--export-marks={marks}"],
                                     cwd=repo, stdin=subprocess.PIPE)
        assert self.proc.stdin is not None
        self.out = self.proc.stdin
        self.rng = rng
        self.mark = 0
        self.clock = START

    def commit(self, ref: str, message: str, changes: dict[str, bytes | None], parent: int | None = None,
               merge: int | None = None) -> int:
        self.mark += 1
        self.clock += self.rng.randint(300, 20_000)
        name, email = self.rng.choice(AUTHORS)
        w = self.out.write
        msg = message.encode()
        w(f"commit {ref}\nmark :{self.mark}\n".encode())
        w(f"author {name} <{email}> {self.clock} +0000\ncommitter {name} <{email}> {self.clock} +0000\n".encode())
        w(b"data %d\n%s\n" % (len(msg), msg))
        if parent is not None:
            w(f"from :{parent}\n".encode())
        if merge is not None:
            w(f"merge :{merge}\n".encode())
        for path, data in sorted(changes.items()):
            if data is None:
                w(f"D {path}\n".encode())
            else:
                w(f"M 100644 inline {path}\n".encode())
                w(b"data %d\n" % len(data))
                w(data)
                w(b"\n")
        return self.mark

    def tag(self, name: str, mark: int) -> None:
        self.out.write(f"tag {name}\nfrom :{mark}\ntagger Release Bot <rel@example.com> {self.clock} +0000\n"
                       f"data 8\nrelease\n\n".encode())

    def close(self) -> None:
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")


def _leak(rng: random.Random, path: str, text: str) -> tuple[str, str, dict[str, Any]]:
    """``text`` with a fake secret planted at a random line: (new text, the planted block, record)."""
    kind = rng.choice(fakecreds.plantable())
    value = fakecreds.generate(kind, rng)
    block = "\n".join(corpus.plant_block(_host(path), kind, value, rng))
    lines = text.split("\n")
    lines[rng.randrange(max(1, len(lines))):0] = [block]
    return "\n".join(lines), block, {"secret": value, "type": kind, "path": path}


def _start(out_dir: Path, manifest: dict[str, Any]) -> Path | None:
    """The bare repository to fill, or None when a finished one with this manifest exists."""
    repo = out_dir / "repo.git"
    if (out_dir / "manifest.json").is_file() and json.loads((out_dir / "manifest.json").read_text()) == manifest:
        return None
    subprocess.run(["rm", "-rf", str(out_dir)], check=True)
    out_dir.mkdir(parents=True)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(repo)], check=True)
    return repo


def _finish(out_dir: Path, manifest: dict[str, Any], planted: list[dict[str, Any]], started: float, what: str) -> None:
    with open(out_dir / "planted.jsonl", "w") as fh:
        for p in planted:
            fh.write(json.dumps(p) + "\n")
    (out_dir / "manifest.json").write_text(json.dumps(manifest))
    print(f"built {out_dir / 'repo.git'}: {what}, {len(planted)} planted secrets in "
          f"{time.monotonic() - started:.0f} s", file=sys.stderr)


# ------------------------------------------------------------------------------------------------
# the long history


@dataclass
class _Branch:
    files: dict[str, str]  # path -> text
    tip: int = 0


@dataclass
class _Long:
    rng: random.Random
    w: _Writer
    pool: list[tuple[str, str]]  # real files not added yet
    lines: list[str]  # real lines to edit with
    planted: list[dict[str, Any]] = field(default_factory=list)
    removals: list[tuple[int, str, str, str]] = field(default_factory=list)  # (due, branch, path, block)

    def add(self, branch: _Branch) -> tuple[str, str]:
        path, text = self.pool.pop()
        branch.files[path] = text
        return path, text

    def edit(self, branch: _Branch, path: str) -> str:
        lines = branch.files[path].split("\n")
        at = self.rng.randrange(max(1, len(lines)))
        src = self.rng.randrange(len(self.lines))
        lines[at:at + self.rng.randint(0, 6)] = self.lines[src:src + self.rng.randint(1, 12)]
        branch.files[path] = "\n".join(lines)
        return branch.files[path]


def build_long(out_dir: Path, commits: int, seed: int) -> Path:
    manifest = {"generator": GENERATOR_VERSION, "kind": "long", "commits": commits, "seed": seed}
    repo = _start(out_dir, manifest)
    if repo is None:
        return out_dir / "repo.git"
    started = time.monotonic()
    rng = random.Random(f"history-real-long/{seed}")
    files = [(p, d.decode("utf-8")) for p, d in real_files(PKGTREE, True, 256 * 1024)]
    rng.shuffle(files)
    sample = files[: min(len(files), 3000)]
    real_lines = [ln for _, text in sample for ln in text.split("\n")]
    sim = _Long(rng, _Writer(repo, out_dir / "marks", rng), files, real_lines)
    main = _Branch({})
    initial = dict(sim.add(main) for _ in range(300))
    main.tip = sim.w.commit("refs/heads/main", "Initial import", {p: t.encode() for p, t in initial.items()})
    branches: list[tuple[str, _Branch, int]] = []
    n = 1
    while n < commits:
        if rng.random() < 0.02:
            name = f"feature/{corpus.ident(rng)}-{n}"
            feature = _Branch(dict(main.files), main.tip)
            feature.tip = sim.w.commit(f"refs/heads/{name}", f"Start {name}", {}, parent=main.tip)
            n += 1
            branches.append((name, feature, n + rng.randint(5, 60) if rng.random() < 0.85 else 10**9))
        ref, state, bname = "refs/heads/main", main, "main"
        if branches and rng.random() < 0.35:
            bname, state, _ = rng.choice(branches)
            ref = f"refs/heads/{bname}"
        changes: dict[str, str | None] = {}
        roll = rng.random()
        if roll < 0.10 and sim.pool:
            path, text = sim.add(state)
            changes[path] = text
            message = f"Add {path.rsplit('/', 1)[-1]}"
        elif roll < 0.12 and len(state.files) > 100:
            path = rng.choice(sorted(state.files))
            del state.files[path]
            changes[path] = None
            message = f"Remove {path.rsplit('/', 1)[-1]}"
        elif roll < 0.135 and len(state.files) > 100:
            path = rng.choice(sorted(state.files))
            new_path = "moved/" + path
            state.files[new_path] = state.files.pop(path)
            changes[path], changes[new_path] = None, state.files[new_path]
            message = f"Move {path.rsplit('/', 1)[-1]}"
        else:
            paths = sorted(state.files)
            weights = [(len(state.files[p]) + 2000) ** -0.7 for p in paths]
            for path in set(rng.choices(paths, weights, k=rng.randint(1, 3))):
                changes[path] = sim.edit(state, path)
            message = f"{rng.choice(corpus.VERBS).capitalize()} {rng.choice(corpus.NOUNS)} {rng.choice(corpus.NOUNS)}"
        if rng.random() < 0.03:
            path = rng.choice(sorted(state.files))
            text, block, record = _leak(rng, path, state.files[path])
            state.files[path] = changes[path] = text
            removed = rng.random() < 0.6
            sim.planted.append({**record, "how": "leak", "branch": bname, "removed": removed})
            if removed:
                sim.removals.append((n + rng.randint(1, 25), bname, path, block))
        for due, rb, path, block in list(sim.removals):
            if rb == bname and due <= n and path in state.files and block in state.files[path]:
                state.files[path] = state.files[path].replace(block + "\n", "", 1).replace(block, "", 1)
                changes[path] = state.files[path]
                sim.removals.remove((due, rb, path, block))
        state.tip = sim.w.commit(ref, message, {p: (t.encode() if t is not None else None) for p, t in changes.items()},
                                 parent=state.tip)
        n += 1
        for entry in list(branches):
            name, feature, merge_at = entry
            if merge_at <= n:
                changed = {p: t for p, t in feature.files.items() if main.files.get(p) != t}
                gone = [p for p in main.files if p not in feature.files]
                main.files.update(changed)
                for p in gone:
                    del main.files[p]
                main.tip = sim.w.commit("refs/heads/main", f"Merge branch '{name}'",
                                        {**{p: t.encode() for p, t in changed.items()}, **{p: None for p in gone}},
                                        parent=main.tip, merge=feature.tip)
                n += 1
                branches.remove(entry)
        if n % 250 == 0:
            sim.w.tag(f"v{n // 250}.0", main.tip)
    sim.w.close()
    subprocess.run(["git", "repack", "-q", "-a", "-d", "--depth=10", "--window=10"], cwd=repo, check=False)
    _finish(out_dir, manifest, sim.planted, started, f"{n} commits")
    return repo


# ------------------------------------------------------------------------------------------------
# several GB of blobs


def _changed(rng: random.Random, path: str, data: bytes, round_no: int) -> bytes:
    if b"\0" not in data[:8192] and _utf8(data):
        lines = data.split(b"\n")
        at = rng.randrange(len(lines) + 1)
        lines[at:at] = [f"# revision {round_no}: {corpus.sentence(rng)}".encode()]
        return b"\n".join(lines)
    at = rng.randrange(len(data))
    return data[:at] + bytes([(data[at] + 1 + round_no) % 256]) + data[at + 1:] + b"\0" * round_no


def build_blobs(out_dir: Path, batches: int, seed: int) -> Path:
    manifest = {"generator": GENERATOR_VERSION, "kind": "blobs", "batches": batches, "seed": seed}
    repo = _start(out_dir, manifest)
    if repo is None:
        return out_dir / "repo.git"
    started = time.monotonic()
    rng = random.Random(f"history-real-blobs/{seed}")
    w = _Writer(repo, out_dir / "marks", rng)
    planted: list[dict[str, Any]] = []
    files = real_files(PKGTREE, False, 64 * 1024 * 1024)
    tip = None
    for i in range(0, len(files), 2000):
        chunk = dict(files[i:i + 2000])
        tip = w.commit("refs/heads/main", f"Import files {i}-{i + len(chunk) - 1}", chunk, parent=tip)
    current = dict(files)
    for round_no in range(1, batches + 1):
        picked = sorted(rng.sample(sorted(current), int(0.4 * len(current))))
        for i in range(0, len(picked), 2000):
            changes: dict[str, bytes | None] = {}
            for path in picked[i:i + 2000]:
                data = _changed(rng, path, current[path], round_no)
                if rng.random() < 0.004 and b"\0" not in data[:8192] and _utf8(data):
                    text, _block, record = _leak(rng, path, data.decode("utf-8"))
                    data = text.encode()
                    planted.append({**record, "how": f"round {round_no}"})
                current[path] = changes[path] = data
            tip = w.commit("refs/heads/main", f"Round {round_no}: update {len(changes)} files", changes, parent=tip)
        assert tip is not None
        w.tag(f"r{round_no}", tip)
    w.close()
    _finish(out_dir, manifest, planted, started, f"{batches} rounds")
    return repo


# ------------------------------------------------------------------------------------------------
# measuring


def run_betterleaks(repo: Path, jobs: int, venv: Path) -> tuple[hb.Timed, set[str], int]:
    binary = peers.betterleaks_binary(venv)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "betterleaks.json"
        argv = [str(binary), "git", str(repo), "--no-banner", "--log-level", "error", "--silent", "-o", str(report),
                "--exit-code", "0"]
        t = hb.timed(argv, env={"GOMAXPROCS": str(jobs)})
        data = json.loads(report.read_text() or "{}") if report.exists() else {}
    findings = data.get("findings", []) if isinstance(data, dict) else data
    return t, {(f.get("match") or {}).get("value") or f.get("Secret", "") for f in findings}, len(findings)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(kind: str, repo: Path, out_dir: Path, jobs_list: list[int], repeat: int, venv: Path,
            description: str, output: Path) -> int:
    planted = [json.loads(line) for line in (out_dir / "planted.jsonl").read_text().splitlines()]
    blob_bytes = hb.unique_blob_bytes(repo)
    commits = int(subprocess.run(["git", "rev-list", "--all", "--count"], cwd=repo, capture_output=True,
                                 text=True, check=True).stdout)
    load_before = _load()
    rows: list[str] = []
    tools: list[tuple[str, Callable[[int], tuple[hb.Timed, set[str], int]]]] = [
        ("credsprawl history", lambda j: hb.run_credsprawl(repo, j)),
    ]
    if peers.available("gitleaks", venv):
        tools.append(("gitleaks 8.30.1 git", lambda j: hb.run_gitleaks(repo, j, venv)))
    if peers.available("betterleaks", venv):
        tools.append(("betterleaks git", lambda j: run_betterleaks(repo, j, venv)))
    for jobs in jobs_list:
        found: dict[str, set[str]] = {}
        results = []
        for name, fn in tools:
            t, secrets, n = hb.best(repeat, lambda fn=fn: fn(jobs))  # type: ignore[misc]
            found[name] = hb.found_planted(planted, secrets)
            results.append((name, t, n))
            print(f"{name} jobs={jobs}: {t.seconds:.2f} s, {n} findings, {len(found[name])}/{len(planted)} planted "
                  f"(load {_load()})", file=sys.stderr)
        gl = next((f for name, f in found.items() if name.startswith("gitleaks")), None)
        for name, t, n in results:
            missed = len(gl - found[name]) if gl is not None and name.startswith("credsprawl") else "-"
            rows.append(f"| {name} | {jobs} | {t.seconds:.2f} | {blob_bytes / 1e6 / t.seconds:.1f} | "
                        f"{t.peak_rss / 2**20:.0f} | {n} | {len(found[name])}/{len(planted)} | {missed} |")
    text = "\n".join([
        f"# History scan benchmark: {description}",
        "",
        f"Repository: `{repo.relative_to(BENCH.parent)}`, built by `python bench/history_real.py {kind}` from the real "
        f"files of `bench/pkgtree.py`: {commits} commits (every ref), {blob_bytes / 1e6:.0f} MB of unique blob content, "
        f"{len(planted)} planted fake secrets.",
        f"Machine: {os.cpu_count()} cores; load average {load_before} before and {_load()} after the runs. "
        f"Best of {repeat} run(s) per row, wall clock of the whole process; the tools run one after the other "
        "for each core budget (`--jobs N` / `GOMAXPROCS=N`).",
        "",
        "| tool | cores | wall s | unique blob MB/s | peak RSS MB (tree) | findings | planted found | missed vs gitleaks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "credsprawl reads every unique blob once (`git cat-file --batch`) and scans a new version of a file around "
        "what changed; gitleaks and betterleaks scan the added lines of `git log -p`. Findings are counted as each "
        "tool reports them (credsprawl: one per secret and path; the others: one per commit that adds it).",
        "",
    ])
    print(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=("long", "blobs"))
    p.add_argument("--commits", type=int, default=10_500, help="long: commits to make")
    p.add_argument("--batches", type=int, default=5, help="blobs: rounds of changes after the import")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--venv", type=Path, default=peers.DEFAULT_VENV)
    p.add_argument("--build-only", action="store_true")
    p.add_argument("--output", type=Path)
    a = p.parse_args(argv)
    peers.byte_compile_credsprawl()
    if not (PKGTREE / ".pkgtree-complete").exists():
        raise SystemExit(f"{PKGTREE} is missing: python bench/pkgtree.py")
    if a.kind == "long":
        out_dir = BENCH / ".cache" / f"history-real-C{a.commits}-s{a.seed}"
        repo = build_long(out_dir, a.commits, a.seed)
        description = f"a long history of real files ({a.commits} commits)"
    else:
        out_dir = BENCH / ".cache" / f"history-real-blobs-b{a.batches}-s{a.seed}"
        repo = build_blobs(out_dir, a.batches, a.seed)
        description = "several GB of unique blobs of real files"
    if a.build_only:
        return 0
    output = a.output or BENCH / "results" / f"history-real-{a.kind}.md"
    return measure(a.kind, repo, out_dir, a.jobs, a.repeat, a.venv, description, output)


if __name__ == "__main__":
    raise SystemExit(main())
