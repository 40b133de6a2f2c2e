"""Pre-commit hook latency: ``credsprawl staged`` on a 10-file staged change, beside betterleaks
``git --staged`` and gitleaks ``git --pre-commit --staged`` on the same change.

    python bench/hook_bench.py [--files 10] [--runs 15]

Builds a throwaway repository (realistic files from ``bench/corpus.py``, one commit), modifies 10
files and stages them (a few lines each, one of them a FAKE secret so every tool has something to
report), then times each command as the hook runs it: a fresh process per run, warm page cache and
warm on-disk caches (one unmeasured run of each first), the tools alternated run by run so a load
spike on this shared machine hits them alike. Prints wall-clock min / median / p90, the median CPU
time (user + system of the process and its children) and each median's ratio to betterleaks', and
writes the table to ``bench/results/hook.md``. Targets for credsprawl: a median of at most 0.15 s
and at most 1.5x betterleaks'.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
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

TARGET = 0.15
TARGET_RATIO = 1.5
BETTERLEAKS = "betterleaks git --staged"


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


Command = tuple[list[str], dict[str, str]]


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env={**os.environ, **env}, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} failed: {proc.stderr.decode(errors='replace')[-1000:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def time_alternated(commands: dict[str, Command], cwd: Path, runs: int) -> dict[str, list[tuple[float, float]]]:
    """``runs`` timed runs of each command, one of each in turn, after one unmeasured run of each."""
    for argv, env in commands.values():
        run_once(argv, cwd, env)  # warms the page cache and any on-disk caches
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            out[name].append(run_once(argv, cwd, env))
    return out


def row(name: str, samples: list[tuple[float, float]], reference: float | None) -> str:
    times = sorted(w for w, _ in samples)
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    median = statistics.median(times)
    ratio = f"{median / reference:.2f}x" if reference else "-"
    cpu = statistics.median(c for _, c in samples)
    return f"| {name} | {times[0]:.3f} | {median:.3f} | {p90:.3f} | {cpu:.3f} | {ratio} |"


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
        commands: dict[str, Command] = {}
        script = shutil.which("credsprawl", path=str(Path(sys.executable).parent))
        if script:
            commands["credsprawl staged (console script)"] = ([script, "staged"], {})
        commands["credsprawl staged (python -m scanner)"] = ([sys.executable, "-m", "scanner", "staged"],
                                                            {"PYTHONPATH": str(ROOT)})
        better = peers.betterleaks_binary(a.venv)
        if better is not None:
            commands[BETTERLEAKS] = ([str(better), "git", "--staged", "--no-banner", "--log-level", "error",
                                      "--exit-code", "1", "."], {})
        else:
            print("betterleaks not installed (python bench/peers.py install betterleaks)", file=sys.stderr)
        binary = peers.gitleaks_binary(a.venv)
        if binary is not None:
            commands["gitleaks git --pre-commit --staged"] = ([str(binary), "git", "--pre-commit", "--staged",
                                                              "--no-banner", "--log-level", "error",
                                                              "--exit-code", "1", "."], {})
        else:
            print("gitleaks not installed (python bench/peers.py install gitleaks)", file=sys.stderr)
        results = time_alternated(commands, repo, a.runs)
        reference = statistics.median(w for w, _ in results[BETTERLEAKS]) if BETTERLEAKS in results else None
        rows = [row(name, samples, reference) for name, samples in results.items()]
        text = "\n".join([
            "# Pre-commit hook latency",
            "",
            f"A {a.files}-file staged change (a few added lines per file, one fake secret) in a repository of "
            f"200 realistic files; each command is a fresh process as the hook runs it; {a.runs} runs of each, "
            f"alternated, after one warm-up run of each; wall-clock seconds, CPU seconds (user + system). "
            f"Machine: {os.cpu_count()} cores; load average before the runs: {load}. "
            f"Targets for credsprawl: a median of at most {TARGET} s and at most {TARGET_RATIO}x betterleaks'.",
            "",
            "| command | min s | median s | p90 s | median CPU s | median vs betterleaks |",
            "|---|---:|---:|---:|---:|---:|",
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
