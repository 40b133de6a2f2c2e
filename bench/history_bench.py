"""History benchmark: credsprawl ``history`` against gitleaks ``git`` and betterleaks ``git`` on the same repository.

    python bench/history_bench.py [--commits 3000] [--seed 1] [--jobs 2] [--repeat 3]

Builds (once, cached under ``bench/.cache/history-C<commits>-s<seed>/``) a deterministic repository
with ``git fast-import``: a monorepo of realistic files from ``bench/corpus.py`` evolving over
thousands of commits by several authors (edits, new files, deletions, renames, feature branches
merged with ``--no-ff`` and a few left unmerged, tags), with FAKE secrets from ``fixtures/fakecreds.py``:
in files as they are created (about one per 200 KB, as the corpus plants them) and as leaks that a
later commit removes. The planted secrets are listed in ``planted.jsonl`` beside the repository.

Then times each tool on the repository (best of ``--repeat`` wall-clock runs), and prints and writes
to ``bench/results/history.md``: wall time, MB/s of unique blob content, peak RSS (the sum over the
tool's process tree, sampled every 20 ms), findings, and how many planted secrets each tool found;
``missed vs gitleaks`` counts planted secrets gitleaks found and credsprawl did not (the target is 0).

gitleaks comes from ``bench/peers.py`` (``python bench/peers.py install gitleaks``); it runs with
``GOMAXPROCS`` set to the same core budget as credsprawl's ``--jobs``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import peers  # noqa: E402
from fixtures import fakecreds  # noqa: E402

GENERATOR_VERSION = 3
AUTHORS = [("Ann Author", "ann@example.com"), ("Bo Builder", "bo@example.com"), ("Chen Coder", "chen@example.com"),
           ("Dana Dev", "dana@example.com"), ("Eli Eng", "eli@example.com"), ("Fay Fixer", "fay@example.com"),
           ("Gus Grey", "gus@example.com"), ("Hana Ops", "hana@example.com")]
START = 1_600_000_000  # 2020-09-13
EDIT_HOSTS = {
    "py": lambda r, t: corpus.py_file(r, t), "js": lambda r, t: corpus.js_file(r, t),
    "ts": lambda r, t: corpus.js_file(r, t, ts=True), "go": lambda r, t: corpus.go_file(r, t),
    "java": lambda r, t: corpus.java_file(r, t, "orders"), "k8s": lambda r, t: corpus.k8s_yaml(r, t, "orders"),
    "ci": lambda r, t: corpus.ci_yaml(r, t), "json": lambda r, t: corpus.json_file(r, t),
    "env": lambda r, t: corpus.env_file(r, t), "properties": lambda r, t: corpus.properties_file(r, t),
    "ini": lambda r, t: corpus.ini_file(r, t), "toml": lambda r, t: corpus.toml_file(r, t),
    "tf": lambda r, t: corpus.tf_file(r, t), "sh": lambda r, t: corpus.sh_file(r, t),
    "dockerfile": lambda r, t: corpus.dockerfile(r, t), "md": lambda r, t: corpus.md_file(r, t),
    "minjs": lambda r, t: corpus.minjs_file(r, t),
}


# ------------------------------------------------------------------------------------------------
# the repository


@dataclass
class _Branch:
    files: dict[str, tuple[str, str]]  # path -> (host, content)
    tip: int = 0  # fast-import mark of the last commit


@dataclass
class _Sim:
    rng: random.Random
    out: Any  # fast-import's stdin
    seed: int
    pool: list[corpus.FileSpec]
    planted: list[dict[str, Any]] = field(default_factory=list)
    mark: int = 0
    clock: int = START
    pending_removals: list[tuple[int, str, str, str]] = field(default_factory=list)  # (due, branch, path, block)

    def new_file(self, branch: _Branch) -> tuple[str, str]:
        spec = self.pool.pop()
        data, records = corpus.render(spec, self.seed)
        for r in records:
            self.planted.append({"secret": r["secret"], "type": r["type"], "path": spec.path, "how": "file"})
        branch.files[spec.path] = (spec.host, data.decode())
        return spec.path, data.decode()

    def edit(self, branch: _Branch, path: str) -> str:
        host, text = branch.files[path]
        lines = text.split("\n")
        gen = EDIT_HOSTS.get(host)
        if gen is None:  # lockfiles: regenerate a stretch of entries
            fresh = [ln for b in corpus.lockfile(self.rng, 3000, host.split("-", 1)[1]) for ln in b]
        else:
            fresh = [piece for b in gen(self.rng, self.rng.randint(400, 2500)) for ln in b for piece in ln.split("\n")]
        start = self.rng.randrange(max(1, len(lines)))
        take = fresh[self.rng.randrange(max(1, len(fresh))):][: self.rng.randint(1, 14)]
        lines[start:start + self.rng.randint(0, 6)] = take
        text = "\n".join(lines)
        branch.files[path] = (host, text)
        return text

    def leak(self, branch: _Branch, path: str, branch_name: str, commit_no: int) -> str:
        host, text = branch.files[path]
        kind = self.rng.choice(fakecreds.plantable())
        value = fakecreds.generate(kind, self.rng)
        plant_host = host if host not in corpus.NO_PLANT and host != "minjs" else "env"
        block = "\n".join(corpus.plant_block(plant_host, kind, value, self.rng))
        lines = text.split("\n")
        at = self.rng.randrange(max(1, len(lines)))
        lines[at:at] = [block]
        text = "\n".join(lines)
        branch.files[path] = (host, text)
        removed = self.rng.random() < 0.6
        self.planted.append({"secret": value, "type": kind, "path": path, "how": "leak", "branch": branch_name,
                             "removed": removed})
        if removed:
            self.pending_removals.append((commit_no + self.rng.randint(1, 25), branch_name, path, block))
        return text

    def commit(self, ref: str, branch: _Branch, message: str, changes: dict[str, str | None],
               merge: int | None = None, parent: int | None = None) -> int:
        self.mark += 1
        self.clock += self.rng.randint(300, 20_000)
        name, email = self.rng.choice(AUTHORS)
        msg = message.encode()
        w = self.out.write
        w(f"commit {ref}\nmark :{self.mark}\n".encode())
        w(f"author {name} <{email}> {self.clock} +0000\ncommitter {name} <{email}> {self.clock} +0000\n".encode())
        w(b"data %d\n%s\n" % (len(msg), msg))
        if parent is not None:
            w(f"from :{parent}\n".encode())
        if merge is not None:
            w(f"merge :{merge}\n".encode())
        for path, content in sorted(changes.items()):
            if content is None:
                w(f"D {path}\n".encode())
            else:
                data = content.encode()
                w(f"M 100644 inline {path}\n".encode())
                w(b"data %d\n" % len(data))
                w(data)
                w(b"\n")
        branch.tip = self.mark
        return self.mark


def build_repo(out_dir: Path, commits: int, seed: int, quiet: bool = False) -> Path:
    """Build (or reuse) the benchmark repository; returns the path of the bare repository."""
    manifest = {"generator": GENERATOR_VERSION, "commits": commits, "seed": seed}
    repo = out_dir / "repo.git"
    if (out_dir / "manifest.json").is_file() and json.loads((out_dir / "manifest.json").read_text()) == manifest:
        return repo
    if repo.exists():
        subprocess.run(["rm", "-rf", str(repo)], check=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", str(repo)], check=True)
    rng = random.Random(f"history-bench/{seed}")
    pool = [s for s in corpus.plan(seed, int(commits * 20_000)) if s.host not in ("minjs", "lock-npm", "lock-yarn")]
    pool += [s for s in corpus.plan(seed + 1, 4_000_000) if s.host in ("lock-poetry", "lock-go")][:3]
    rng.shuffle(pool)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", f"--export-marks={out_dir / 'marks'}"],
                            cwd=repo, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    sim = _Sim(rng, proc.stdin, seed, pool)
    main = _Branch({})
    initial = {p: c for p, c in (sim.new_file(main) for _ in range(min(400, len(pool) // 4)))}
    sim.commit("refs/heads/main", main, "Initial import", initial)
    branches: list[tuple[str, _Branch, int]] = []  # open feature branches: (name, state, merge at)
    n = 1
    while n < commits:
        # open a feature branch now and then; merge it back later (a few stay unmerged)
        if rng.random() < 0.02:
            name = f"feature/{corpus.ident(rng)}-{n}"
            feature = _Branch(dict(main.files), main.tip)
            sim.commit(f"refs/heads/{name}", feature, f"Start {name}", {}, parent=main.tip)
            n += 1
            branches.append((name, feature, n + rng.randint(5, 60) if rng.random() < 0.85 else 10**9))
        ref, state, name = "refs/heads/main", main, "main"
        if branches and rng.random() < 0.35:
            name, state, _ = rng.choice(branches)
            ref = f"refs/heads/{name}"
        changes: dict[str, str | None] = {}
        roll = rng.random()
        if roll < 0.12 and sim.pool:
            path, content = sim.new_file(state)
            changes[path] = content
            message = f"Add {path.rsplit('/', 1)[-1]}"
        elif roll < 0.14 and len(state.files) > 50:
            path = rng.choice(sorted(state.files))
            del state.files[path]
            changes[path] = None
            message = f"Remove {path.rsplit('/', 1)[-1]}"
        elif roll < 0.155 and len(state.files) > 50:
            path = rng.choice(sorted(state.files))
            new_path = path.replace("/", "/moved/", 1) if "/" in path else "moved/" + path
            state.files[new_path] = state.files.pop(path)
            changes[path], changes[new_path] = None, state.files[new_path][1]
            message = f"Move {path.rsplit('/', 1)[-1]}"
        else:
            # people edit small and medium source files most; big generated files and lockfiles
            # change rarely (a dependency bump now and then)
            paths = sorted(state.files)
            weights = [(len(state.files[p][1]) + 2000) ** -0.8 * (3 if i % 5 == 0 else 1) for i, p in enumerate(paths)]
            for path in set(rng.choices(paths, weights, k=rng.randint(1, 3))):
                changes[path] = sim.edit(state, path)
            message = f"{rng.choice(corpus.VERBS).capitalize()} {rng.choice(corpus.NOUNS)} {rng.choice(corpus.NOUNS)}"
        if rng.random() < 0.03:
            path = rng.choice(sorted(state.files))
            changes[path] = sim.leak(state, path, name, n)
        for due, bname, path, block in list(sim.pending_removals):
            if bname == name and due <= n and path in state.files and block in state.files[path][1]:
                host, text = state.files[path]
                state.files[path] = (host, text.replace(block + "\n", "", 1).replace(block, "", 1))
                changes[path] = state.files[path][1]
                sim.pending_removals.remove((due, bname, path, block))
        sim.commit(ref, state, message, changes)
        n += 1
        for entry in list(branches):
            bname, feature, merge_at = entry
            if merge_at <= n:
                # main has not touched the branch's files meanwhile in most cases; the merge takes the
                # branch's version of what it changed (a --no-ff merge with the branch winning)
                changed = {p: c for p, (h, c) in feature.files.items() if main.files.get(p, (h, None))[1] != c}
                gone = {p: None for p in main.files if p not in feature.files}
                for p in changed:
                    main.files[p] = feature.files[p]
                for p in gone:
                    del main.files[p]
                sim.commit("refs/heads/main", main, f"Merge branch '{bname}'", {**changed, **gone}, merge=feature.tip)
                n += 1
                branches.remove(entry)
        if n % 250 == 0:
            sim.out.write(f"tag v{n // 250}.0\nfrom :{main.tip}\ntagger Release Bot <rel@example.com> {sim.clock} +0000\n"
                          f"data 8\nrelease\n\n".encode())
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "gc", "-q", "--aggressive" if commits < 1000 else "--auto"], cwd=repo, check=False)
    with open(out_dir / "planted.jsonl", "w") as fh:
        for p in sim.planted:
            fh.write(json.dumps(p) + "\n")
    (out_dir / "manifest.json").write_text(json.dumps(manifest))
    if not quiet:
        print(f"built {repo}: {n} commits, {len(sim.planted)} planted secrets in {time.monotonic() - started:.1f} s",
              file=sys.stderr)
    return repo


# ------------------------------------------------------------------------------------------------
# measuring


def _tree_rss(root: int) -> int:
    """RSS in bytes of ``root`` and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * page
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        stack.extend(p for p, parent in parents.items() if parent == pid)
    return total


@dataclass(frozen=True)
class Timed:
    seconds: float
    peak_rss: int
    returncode: int
    stdout: bytes


def timed(argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None) -> Timed:
    peak = 0
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        out.seek(0)
        stdout = out.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    return Timed(seconds, peak, proc.returncode, stdout)


def _norm(secret: str) -> str:
    return "".join(secret.replace("\\n", "\n").split())


def found_planted(planted: list[dict[str, Any]], secrets: set[str]) -> set[str]:
    """The planted secrets a tool reported (its secret equals the planted one, contains it, or is
    contained in it, whitespace aside)."""
    reported = {_norm(s) for s in secrets if len(_norm(s)) >= 8}
    hits = set()
    for p in planted:
        want = _norm(p["secret"])
        if want in reported or any(want in r or (len(r) >= 16 and r in want) for r in reported):
            hits.add(p["secret"])
    return hits


def unique_blob_bytes(repo: Path) -> int:
    out = subprocess.run("git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(objectsize) %(rest)'",
                         shell=True, cwd=repo, capture_output=True, text=True, check=True).stdout
    return sum(int(line.split()[1]) for line in out.splitlines() if line.startswith("blob "))


@dataclass(frozen=True)
class Row:
    tool: str
    jobs: int
    seconds: float
    peak_rss: int
    findings: int
    planted_found: int
    missed_vs_gitleaks: int | str


def run_credsprawl(repo: Path, jobs: int, extra: tuple[str, ...] = ()) -> tuple[Timed, set[str], int]:
    argv = [sys.executable, "-m", "scanner", "history", str(repo), "--jobs", str(jobs), "-f", "json", "-q",
            "--show-secrets", "--exit-zero", *extra]
    t = timed(argv, env={"PYTHONPATH": str(ROOT)})
    doc = json.loads(t.stdout)
    return t, {f["secret"] for f in doc["findings"]}, len(doc["findings"])


def run_gitleaks(repo: Path, jobs: int, venv: Path) -> tuple[Timed, set[str], int]:
    binary = peers.gitleaks_binary(venv)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "gitleaks.json"
        argv = [str(binary), "git", str(repo), "--no-banner", "--log-level", "error", "--report-format", "json",
                "--report-path", str(report), "--exit-code", "0"]
        t = timed(argv, env={"GOMAXPROCS": str(jobs)})
        data = json.loads(report.read_text() or "[]")
    return t, {f["Secret"] for f in data}, len(data)


def run_betterleaks(repo: Path, jobs: int, venv: Path) -> tuple[Timed, set[str], int]:
    binary = peers.betterleaks_binary(venv)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "betterleaks.json"
        argv = [str(binary), "git", str(repo), "--no-banner", "--log-level", "error", "--silent", "-o", str(report),
                "--exit-code", "0"]
        t = timed(argv, env={"GOMAXPROCS": str(jobs)})
        data = json.loads(report.read_text() or "{}") if report.exists() else {}
    findings = data.get("findings", []) if isinstance(data, dict) else data
    secrets = {(f.get("match") or {}).get("value") or f.get("secret") or f.get("Secret", "") for f in findings}
    return t, secrets, len(findings)


def best(runs: int, fn: Callable[[], tuple[Timed, set[str], int]]) -> tuple[Timed, set[str], int]:
    results = [fn() for _ in range(runs)]
    return min(results, key=lambda r: r[0].seconds)


def markdown(rows: list[Row], repo: Path, commits: int, blob_bytes: int, planted: int, load: str) -> str:
    lines = [
        "# History scan benchmark",
        "",
        f"Repository: generated by `bench/history_bench.py` ({commits} commits on main and feature branches, "
        f"{blob_bytes / 1e6:.1f} MB of unique blob content, {planted} planted fake secrets). "
        f"Machine: {os.cpu_count()} cores; load average before the runs: {load}. Best of the runs, wall clock.",
        "",
        "| tool | cores | wall s | unique blob MB/s | peak RSS MB | findings | planted found | missed vs gitleaks |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r.tool} | {r.jobs} | {r.seconds:.2f} | {blob_bytes / 1e6 / r.seconds:.1f} | "
                     f"{r.peak_rss / 2**20:.0f} | {r.findings} | {r.planted_found}/{planted} | {r.missed_vs_gitleaks} |")
    lines += ["", "credsprawl reads each unique blob once (`git cat-file --batch` per worker) and attributes "
                  "findings from one `git log --raw` pass; gitleaks `git` scans `git log -p` patches. "
                  "betterleaks `git` does the same. Findings are counted as each tool reports them (credsprawl: one per "
                  "secret and path; gitleaks and betterleaks: one per commit that adds it). MB/s is unique blob bytes over wall time for every tool.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--commits", type=int, default=3000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, nargs="+", default=[2, 1])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--venv", type=Path, default=peers.DEFAULT_VENV)
    p.add_argument("--output", type=Path, default=BENCH / "results" / "history.md")
    p.add_argument("--build-only", action="store_true")
    p.add_argument("--variant", action="append", default=[], metavar="LABEL=ARGS",
                   help="an extra credsprawl row with these arguments, e.g. 'no-kube=--disable kubeconfig-user-token'")
    a = p.parse_args(argv)
    peers.byte_compile_credsprawl()
    out_dir = BENCH / ".cache" / f"history-C{a.commits}-s{a.seed}"
    repo = build_repo(out_dir, a.commits, a.seed)
    if a.build_only:
        return 0
    planted = [json.loads(line) for line in (out_dir / "planted.jsonl").read_text().splitlines()]
    blob_bytes = unique_blob_bytes(repo)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    have_gitleaks = peers.available("gitleaks", a.venv)
    if not have_gitleaks:
        print("gitleaks not installed (python bench/peers.py install gitleaks): credsprawl rows only", file=sys.stderr)
    have_betterleaks = peers.available("betterleaks", a.venv)
    rows: list[Row] = []
    for jobs in a.jobs:
        gl_found: set[str] = set()
        if have_gitleaks:
            t, secrets, n = best(a.repeat, lambda: run_gitleaks(repo, jobs, a.venv))
            gl_found = found_planted(planted, secrets)
            rows.append(Row("gitleaks git", jobs, t.seconds, t.peak_rss, n, len(gl_found), "-"))
        if have_betterleaks:
            t, secrets, n = best(a.repeat, lambda: run_betterleaks(repo, jobs, a.venv))
            rows.append(Row("betterleaks git", jobs, t.seconds, t.peak_rss, n, len(found_planted(planted, secrets)), "-"))
        for label, extra in [("", ()), *((v.split("=", 1)[0], tuple(v.split("=", 1)[1].split())) for v in a.variant)]:
            t, secrets, n = best(a.repeat, lambda: run_credsprawl(repo, jobs, extra))
            cs_found = found_planted(planted, secrets)
            missed = len(gl_found - cs_found) if have_gitleaks else "n/a"
            name = "credsprawl history" + (f" ({' '.join(extra)})" if label else "")
            rows.append(Row(name, jobs, t.seconds, t.peak_rss, n, len(cs_found), missed))
            if have_gitleaks and gl_found - cs_found:
                for p_ in planted:
                    if p_["secret"] in gl_found - cs_found:
                        print(f"{name}: missed (gitleaks found it): {p_['type']} in {p_['path']}", file=sys.stderr)
    text = markdown(rows, repo, a.commits, blob_bytes, len(planted), load)
    print(text)
    a.output.parent.mkdir(parents=True, exist_ok=True)
    a.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
