"""credsprawl ``history`` against betterleaks ``git`` (and gitleaks ``git``) on any repositories,
the tools alternated: the timing of ``history_busy.py`` for the other history benchmarks.

    python bench/history_vs.py bench/.cache/history-C3000-s1/repo.git \\
        bench/.cache/history-real-C10500-s1/repo.git --runs 5 --cores 1 2 --output table.md

For each repository and core budget: one untimed warm-up run of each tool, then ``--runs`` rounds in
which every tool runs once, the order rotated each round (so drift of a shared machine's load falls on
all tools alike). Each child is pinned with ``taskset -c`` to the first N CPUs; credsprawl gets
``--jobs N``, the Go tools ``GOMAXPROCS=N``. Wall and CPU (user + sys of the child and every
descendant it waited for) are reported as median, min and max; the ratio is credsprawl's median wall
over betterleaks' median wall, and the median of the per-round ratios beside it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (ROOT, BENCH):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import history_busy as busy  # noqa: E402
import peers  # noqa: E402


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f}"


def measure(repo: Path, cores: int, runs: int, chosen: list[busy.Tool], tmp: Path) -> list[str]:
    for t in chosen:  # warm-up: page cache, credsprawl's compiled-rules cache
        busy.run_child(t.argv(repo, cores, tmp / "warm.json"), cores, t.env(cores), tmp / "warm.out")
    results: dict[str, list[busy.Run]] = {t.name: [] for t in chosen}
    found: dict[str, busy.Found] = {}
    for i in range(runs):
        for t in chosen[i % len(chosen):] + chosen[:i % len(chosen)]:
            report = tmp / f"{t.name.split()[0]}-{i}.json"
            r = busy.run_child(t.argv(repo, cores, report), cores, t.env(cores), tmp / "stdout")
            results[t.name].append(r)
            found[t.name] = t.parse(report, tmp / "stdout")
            print(f"{repo.parent.name} {t.name} cores={cores} run {i + 1}/{runs}: {r.wall:.2f} s wall, "
                  f"{r.cpu:.2f} s CPU", file=sys.stderr)
    base = results.get("betterleaks git")
    rows = []
    for t in chosen:
        rs = results[t.name]
        if base:
            ratio = f"{statistics.median(r.wall for r in rs) / statistics.median(r.wall for r in base):.2f}"
            paired = f"{statistics.median(a.wall / b.wall for a, b in zip(rs, base)):.2f}"
        else:
            ratio = paired = "-"
        rows.append(f"| {repo.parent.name} | {t.name} | {cores} | {len(rs)} | {_stats([r.wall for r in rs])} | "
                    f"{_stats([r.cpu for r in rs])} | {ratio} | {paired} | {found[t.name].findings} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("repos", nargs="+", type=Path)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    p.add_argument("--tools", default="credsprawl,betterleaks")
    p.add_argument("--venv", type=Path, default=peers.DEFAULT_VENV)
    p.add_argument("--output", type=Path, help="also write the table here")
    a = p.parse_args(argv)
    peers.byte_compile_credsprawl()
    chosen = busy.tools(a.venv, a.tools.split(","))
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="history-vs-"))
    rows: list[str] = []
    try:
        for repo in a.repos:
            for cores in a.cores:
                rows += measure(repo.resolve(), cores, a.runs, chosen, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = "\n".join([
        f"Machine: {os.cpu_count()} cores, shared; load average {load_before} before and {load_after} after. "
        f"{a.runs} rounds per core budget, tools alternated (order rotated each round), each child pinned with "
        "`taskset -c` to the first N CPUs; credsprawl `--jobs N`, Go tools `GOMAXPROCS=N`.",
        "",
        "| repository | tool | cores | runs | wall median s | wall min | wall max | CPU median s | CPU min | CPU max "
        "| wall / betterleaks (medians) | median of per-round ratios | findings |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ])
    print(text)
    if a.output:
        a.output.parent.mkdir(parents=True, exist_ok=True)
        a.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
