"""Pre-commit hook latency: ``credsprawl staged`` on a 10-file staged change, beside gitleaks
``git --pre-commit --staged`` on the same change.

    python bench/hook_bench.py [--files 10] [--runs 15]

Builds a throwaway repository (realistic files from ``bench/corpus.py``, one commit), modifies 10
files and stages them (a few lines each, one of them a FAKE secret so both tools have something to
report), then times each command as the hook runs it: a fresh process per run, wall clock, warm
page cache. Prints min / median / p90 and writes the table to ``bench/results/hook.md``. The target
for credsprawl is under 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (ROOT, BENCH):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus  # noqa: E402
import peers  # noqa: E402
from fixtures import fakecreds  # noqa: E402

TARGET = 0.4


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def make_repo(where: Path, files: int, seed: int) -> Path:
    """A repository of ~200 realistic files with ``files`` of them modified and staged."""
    repo = where / "repo"
    repo.mkdir()
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    specs = [s for s in corpus.plan(seed, 1_500_000) if s.host not in corpus.LARGE][:200]
    for spec in specs:
        data, _ = corpus.render(spec, seed)
        target = repo / spec.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    rng = random.Random(seed)
    for i, spec in enumerate(rng.sample(specs, files)):
        target = repo / spec.path
        lines = target.read_text().split("\n")
        at = rng.randrange(len(lines))
        new = [f"# change {i}: {corpus.sentence(rng)}", f"value_{i} = {rng.randint(0, 10**6)}"]
        if i == 0:
            new.append(f"GITHUB_TOKEN = \"{fakecreds.github_token(rng)}\"")
        lines[at:at] = new
        target.write_text("\n".join(lines))
    git(repo, "add", "-A")
    return repo


def time_runs(argv: list[str], cwd: Path, runs: int, env: dict[str, str]) -> list[float]:
    out: list[float] = []
    for _ in range(runs + 1):  # the first run warms the page cache and any on-disk caches
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env={**os.environ, **env}, capture_output=True)
        out.append(time.perf_counter() - started)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{argv[0]} failed: {proc.stderr.decode(errors='replace')[-1000:]}")
    return out[1:]


def row(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"| {name} | {min(times):.3f} | {statistics.median(times):.3f} | {p90:.3f} |"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--files", type=int, default=10)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--venv", type=Path, default=peers.DEFAULT_VENV)
    p.add_argument("--output", type=Path, default=BENCH / "results" / "hook.md")
    a = p.parse_args(argv)
    peers.byte_compile_credsprawl()
    tmp = Path(tempfile.mkdtemp(prefix="hook-bench-"))
    try:
        repo = make_repo(tmp, a.files, a.seed)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        rows = []
        python = [sys.executable, "-m", "scanner", "staged"]
        results = {"credsprawl staged (python -m scanner)": time_runs(python, repo, a.runs, {"PYTHONPATH": str(ROOT)})}
        script = shutil.which("credsprawl", path=str(Path(sys.executable).parent))
        if script:
            results["credsprawl staged (console script)"] = time_runs([script, "staged"], repo, a.runs, {})
        binary = peers.gitleaks_binary(a.venv)
        if binary is not None:
            argv_gl = [str(binary), "git", "--pre-commit", "--staged", "--no-banner", "--log-level", "error",
                       "--exit-code", "1", "."]
            results["gitleaks git --pre-commit --staged"] = time_runs(argv_gl, repo, a.runs, {})
        else:
            print("gitleaks not installed (python bench/peers.py install gitleaks)", file=sys.stderr)
        rows = [row(name, times) for name, times in results.items()]
        text = "\n".join([
            "# Pre-commit hook latency",
            "",
            f"A {a.files}-file staged change (a few added lines per file, one fake secret) in a repository of "
            f"200 realistic files; each command is a fresh process as the hook runs it; {a.runs} runs after one "
            f"warm-up; wall clock seconds. Machine: {os.cpu_count()} cores; load average before the runs: {load}. "
            f"Target for credsprawl: under {TARGET} s.",
            "",
            "| command | min s | median s | p90 s |",
            "|---|---:|---:|---:|",
            *rows,
            "",
        ])
        print(text)
        a.output.parent.mkdir(parents=True, exist_ok=True)
        a.output.write_text(text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
