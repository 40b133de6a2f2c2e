"""Filesystem throughput benchmark: credsprawl against peer scanners on the same tree.

    python bench/fs_bench.py --build-corpus --size-mb 300 --jobs-list 1,2 --peers gitleaks,betterleaks,kingfisher
    python bench/fs_bench.py --corpus DIR [--repeat 3]

For each tool and each ``--jobs`` value it runs the tool once (best of ``--repeat N``) on the corpus
tree and measures:

- wall-clock seconds of the whole process (start-up, rule compilation and report writing included)
  and CPU seconds (user + system of the process and its waited-for descendants, from ``os.wait4``);
- MB/s and files/s: corpus bytes and files (as counted by this script) over wall time;
- peak RSS (largest process): ``ru_maxrss`` from ``os.wait4`` on the tool's process, which Linux
  reports as the largest resident set of that process and of every descendant it waited for
  (worker processes included). Exact, not sampled;
- peak RSS (tree, sampled): the largest sum of the resident sets of the tool's whole process tree,
  read from ``/proc/PID/statm`` every 20 ms. It shows what a process pool costs in total; a spike
  shorter than 20 ms can be missed;
- findings (every finding the tool reported), unplanted (findings on no planted line: noise or real
  hits on benign text) and planted recall (planted secrets, from ``.planted.jsonl``, with a finding
  whose start line lies within the planted lines of the same file).

Before timing, every corpus file is read once so that all tools see a warm page cache.
The table is printed and written to ``bench/results/fs.md`` with per-type recall below it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(BENCH))

import corpus as corpus_mod  # noqa: E402
import peers as peers_mod  # noqa: E402

DEFAULT_PEERS = "gitleaks,betterleaks,kingfisher"
AC_ROW = "credsprawl (ahocorasick)"
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------------------------------------
# measuring one process tree


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``, from ``/proc/PID/task/TID/children`` (no scan of all of /proc)."""
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out.extend(int(x) for x in fh.read().split())
        except OSError:
            pass
    return out


def tree_rss(root_pid: int) -> int:
    """Sum of resident bytes of ``root_pid`` and all its descendants, now."""
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(_children(pid))
    return total


@dataclass
class Measurement:
    wall: float
    returncode: int
    maxrss_largest: int  # bytes
    rss_tree_peak: int  # bytes
    cpu: float = 0.0  # user + system seconds of the process and its waited-for descendants
    stderr_tail: str = ""


def measure(run: peers_mod.Run, report: Path, interval: float = 0.02) -> Measurement:
    env = dict(os.environ, **run.env)
    err = tempfile.TemporaryFile()
    out = open(report, "wb") if run.report_on_stdout else subprocess.DEVNULL
    peak = 0
    done = threading.Event()
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(run.argv, env=env, cwd=run.cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    finally:
        if out is not subprocess.DEVNULL:
            out.close()  # type: ignore[union-attr]
    err.seek(0)
    tail = err.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
    err.close()
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(wall, proc.returncode, usage.ru_maxrss * 1024, peak, cpu, tail[-1] if tail else "")


# ------------------------------------------------------------------------------------------------
# tools


def credsprawl_run(root: Path, report: Path, jobs: int, python: str, script: str | None,
                   engine: str | None = None) -> peers_mod.Run:
    head = [script] if script else [python, "-m", "scanner"]
    argv = head + ["scan", str(root), "--jobs", str(jobs), "--format", "json", "--output", str(report), "--exit-zero", "--quiet"]
    if engine:
        argv += ["--engine", engine]
    env = {} if script else {"PYTHONPATH": str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return peers_mod.Run(argv, env, cwd=str(PROJECT))


def parse_credsprawl(report: Path, root: Path) -> list[peers_mod.Location]:
    data = json.loads(report.read_text() or "{}")
    out = []
    for f in data.get("findings", []):
        path = f["origin"][0]["path"] if f.get("origin") else f["path"].split("!")[0]
        out.append((peers_mod._rel(path, root), int(f["start_line"])))
    return out


def credsprawl_version(python: str, script: str | None) -> str:
    cmd = [script, "--version"] if script else [python, "-m", "scanner", "--version"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[-1]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def prepare(tools: list[str], tmp: Path, args: argparse.Namespace) -> None:
    """One-time set-up that is not part of a scan. credsprawl (loaded rules, Hyperscan database) and
    kingfisher (compiled rules) keep on-disk caches that a first run after a rule change fills, at a
    cost of seconds to tens of seconds: run each once on a tiny tree so every timed run finds them."""
    empty = tmp / "warmup"
    empty.mkdir(exist_ok=True)
    (empty / "x.txt").write_text("nothing here\n")
    for name in tools:
        if name == "credsprawl":
            run = credsprawl_run(empty, tmp / "warmup.json", 1, args.python, args.credsprawl)
        elif name == "kingfisher":
            run = peers_mod.PEERS["kingfisher"].run(empty, tmp / "warmup.json", 1, args.venv)
        else:
            continue
        subprocess.run(run.argv, env=dict(os.environ, **run.env), cwd=run.cwd, capture_output=True, check=False)


# ------------------------------------------------------------------------------------------------
# corpus


@dataclass
class Corpus:
    root: Path
    files: int
    bytes: int
    planted: list[dict[str, object]] = field(default_factory=list)
    description: str = ""


def load_corpus(path: Path) -> Corpus:
    """``path`` is a corpus built by bench/corpus.py (``tree/`` + ``.planted.jsonl``) or any folder."""
    path = path.resolve()  # tools echo the root they were given: absolute paths make reports comparable
    root, planted = path, []
    if (path / corpus_mod.TREE).is_dir() and (path / corpus_mod.PLANTED).exists():
        root = path / corpus_mod.TREE
        planted = [json.loads(line) for line in (path / corpus_mod.PLANTED).read_text().splitlines() if line]
    files = size = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            if os.path.isfile(full) and not os.path.islink(full):
                files += 1
                size += os.path.getsize(full)
    manifest = corpus_mod.read_manifest(path) or {}
    desc = f"seed {manifest['seed']}, {manifest['size_mb']} MB target" if manifest else "user-supplied folder"
    return Corpus(root, files, size, planted, desc)


def warm(root: Path) -> None:
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            try:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                pass


def recall(planted: list[dict[str, object]], found: list[peers_mod.Location]) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(planted found, findings on no planted line, per type (found, total))."""
    by_path: dict[str, set[int]] = defaultdict(set)
    for path, line in found:
        by_path[path].add(line)
    planted_lines: dict[str, set[int]] = defaultdict(set)
    hits = 0
    per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in planted:
        path, lo, hi = str(p["path"]), int(p["line"]), int(p["end_line"])  # type: ignore[call-overload]
        span = set(range(lo, hi + 1))
        planted_lines[path] |= span
        ok = bool(by_path.get(path, set()) & span)
        hits += ok
        per_type[str(p["type"])][0] += ok
        per_type[str(p["type"])][1] += 1
    unplanted = sum(1 for path, line in found if line not in planted_lines.get(path, ()))
    return hits, unplanted, {k: (v[0], v[1]) for k, v in sorted(per_type.items())}


# ------------------------------------------------------------------------------------------------
# main


@dataclass
class Row:
    tool: str
    jobs: int
    m: Measurement | None
    findings: int = 0
    unplanted: int = 0
    hits: int = 0
    per_type: dict[str, tuple[int, int]] = field(default_factory=dict)
    error: str = ""


def run_tool(name: str, jobs: int, corpus: Corpus, work: Path, repeat: int, args: argparse.Namespace) -> Row:
    report = work / f"{name}-j{jobs}.json"
    if name.startswith("credsprawl"):
        engine = "ahocorasick" if name == AC_ROW else None
        run = credsprawl_run(corpus.root, report, jobs, args.python, args.credsprawl, engine)
        parse = parse_credsprawl
    else:
        peer = peers_mod.PEERS[name]
        run = peer.run(corpus.root, report, jobs, args.venv)
        parse = peer.parse
    best: Measurement | None = None
    for _ in range(repeat):
        report.unlink(missing_ok=True)
        m = measure(run, report)
        if m.returncode != 0:
            return Row(name, jobs, m, error=f"exit {m.returncode}: {m.stderr_tail[:200]}")
        if best is None or m.wall < best.wall:
            best = m
    try:
        found = parse(report, corpus.root)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Row(name, jobs, best, error=f"unreadable report {report}: {exc}")
    hits, unplanted, per_type = recall(corpus.planted, found)
    return Row(name, jobs, best, len(found), unplanted, hits, per_type)


def table(rows: list[Row], corpus: Corpus) -> str:
    mb = corpus.bytes / 1e6
    head = ("| tool | jobs | wall s | CPU s | MB/s | files/s | peak RSS MB (largest proc) | peak RSS MB (tree, sampled) "
            "| findings | unplanted findings | planted recall |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        if r.m is None or r.error:
            lines.append(f"| {r.tool} | {r.jobs} | failed | | | | | | | | {r.error.replace('|', '/')} |")
            continue
        n = len(corpus.planted)
        rec = f"{r.hits}/{n} ({100 * r.hits / n:.1f}%)" if n else "n/a"
        lines.append(f"| {r.tool} | {r.jobs} | {r.m.wall:.2f} | {r.m.cpu:.1f} | {mb / r.m.wall:.1f} | {corpus.files / r.m.wall:.0f} "
                     f"| {r.m.maxrss_largest / 1e6:.0f} | {r.m.rss_tree_peak / 1e6:.0f} | {r.findings} | {r.unplanted} | {rec} |")
    return "\n".join(lines)


def per_type_table(rows: list[Row]) -> str:
    seen: dict[str, Row] = {}
    for r in rows:  # one column per tool: its first successful row (recall does not depend on jobs)
        if not r.error and r.tool not in seen:
            seen[r.tool] = r
    if not seen or not any(r.per_type for r in seen.values()):
        return ""
    types = sorted({t for r in seen.values() for t in r.per_type})
    lines = ["| type | " + " | ".join(seen) + " |", "|---|" + "---|" * len(seen)]
    for t in types:
        cells = []
        for r in seen.values():
            got, total = r.per_type.get(t, (0, 0))
            cells.append(f"{got}/{total}")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """A corpus folder as the results show it: relative to the project when it is inside it."""
    try:
        return Path(path).resolve().relative_to(BENCH.parent).as_posix()
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="credsprawl filesystem throughput against peer scanners")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--corpus", type=Path, help="corpus folder (from bench/corpus.py, or any tree)")
    src.add_argument("--build-corpus", action="store_true", help="build (or reuse) a corpus with bench/corpus.py")
    p.add_argument("--corpus-dir", type=Path, help="where --build-corpus puts it (default bench/.cache/corpus-SIZE-sSEED)")
    p.add_argument("--size-mb", type=float, default=300.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs-list", default="1,2", help="comma-separated --jobs values (default 1,2)")
    p.add_argument("--peers", default=DEFAULT_PEERS, help=f"comma-separated peers, '' for none (default {DEFAULT_PEERS}; also detect-secrets)")
    p.add_argument("--no-credsprawl", action="store_true", help="run only the peers")
    p.add_argument("--repeat", type=int, default=1, help="runs per configuration; the best wall time is kept")
    p.add_argument("--python", default=sys.executable, help="python that runs `-m scanner` (default: this one)")
    p.add_argument("--credsprawl", help="path of a `credsprawl` console script to run instead of `python -m scanner`")
    p.add_argument("--venv", type=Path, default=peers_mod.DEFAULT_VENV, help="the peers' virtualenv")
    p.add_argument("--install-peers", action="store_true", help="create the peers' venv and install missing peers first")
    p.add_argument("--results", type=Path, default=BENCH / "results" / "fs.md")
    p.add_argument("--keep-reports", type=Path, help="keep every tool's raw report in this folder")
    p.add_argument("--ahocorasick-jobs", default="", metavar="N,N",
                   help=f"also time credsprawl's portable backend (`--engine ahocorasick`, row '{AC_ROW}') at these --jobs")
    a = p.parse_args(argv)
    peers_mod.byte_compile_credsprawl()

    jobs_list = [int(j) for j in a.jobs_list.split(",") if j.strip()]
    names = [n.strip() for n in a.peers.split(",") if n.strip()]
    unknown = [n for n in names if n not in peers_mod.PEERS]
    if unknown:
        p.error(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(peers_mod.PEERS)}")
    if a.install_peers and names:
        peers_mod.install(a.venv, names)
    missing = [n for n in names if not peers_mod.available(n, a.venv)]
    for n in missing:
        print(f"fs_bench: peer {n} is not installed in {a.venv}; skipped (python bench/peers.py install)", file=sys.stderr)
    names = [n for n in names if n not in missing]

    if a.build_corpus:
        size = f"{a.size_mb:g}"
        out = a.corpus_dir or BENCH / ".cache" / f"corpus-{size}-s{a.seed}"
        corpus_mod.build(out, a.size_mb, a.seed)
        corpus_path = out
    else:
        corpus_path = a.corpus
    corpus = load_corpus(corpus_path)
    print(f"fs_bench: corpus {corpus.root}: {corpus.files} files, {corpus.bytes / 1e6:.1f} MB, "
          f"{len(corpus.planted)} planted secrets; warming the page cache", file=sys.stderr)
    warm(corpus.root)

    tools = ([] if a.no_credsprawl else ["credsprawl"]) + names
    versions = {"credsprawl": credsprawl_version(a.python, a.credsprawl)} if not a.no_credsprawl else {}
    versions.update({n: peers_mod.version(n, a.venv) for n in names})
    load_before = os.getloadavg()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="fs_bench-") as tmp:
        work = a.keep_reports or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        prepare(tools, Path(tmp), a)
        ac_jobs = [int(j) for j in a.ahocorasick_jobs.split(",") if j.strip()] if not a.no_credsprawl else []
        plan = [(name, jobs) for name in tools for jobs in jobs_list]
        first_peer = len(jobs_list) if not a.no_credsprawl else 0  # the portable backend's rows right after credsprawl's
        plan[first_peer:first_peer] = [(AC_ROW, jobs) for jobs in ac_jobs]
        for name, jobs in plan:
            print(f"fs_bench: {name} --jobs {jobs} (load {os.getloadavg()[0]:.2f}) ...", file=sys.stderr, flush=True)
            row = run_tool(name, jobs, corpus, work, a.repeat, a)
            rows.append(row)
            status = row.error or f"{row.m.wall:.2f}s, {row.findings} findings, recall {row.hits}/{len(corpus.planted)}"  # type: ignore[union-attr]
            print(f"fs_bench:   {status}", file=sys.stderr, flush=True)

    result = table(rows, corpus)
    print(result)
    header = [
        "# Filesystem throughput", "",
        f"Corpus: `{_shown(corpus_path)}` ({corpus.description}): {corpus.files} files, {corpus.bytes / 1e6:.1f} MB, "
        f"{len(corpus.planted)} planted fake secrets. Warm page cache; best of {a.repeat} run(s) per row.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"load average {load_before[0]:.2f} before and {os.getloadavg()[0]:.2f} after the runs (other work on the machine skews timings).",
        "Tool versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "Go tools run with GOMAXPROCS=jobs; kingfisher (SDK driver in bench/peers.py) with `jobs` threads; "
        "credsprawl's and kingfisher's on-disk rule caches are built before timing; detect-secrets ignores jobs (it uses every core).",
        "Peak RSS (largest proc): ru_maxrss from wait4, the largest single process of the tree. "
        "Peak RSS (tree): the largest sum over the whole process tree, sampled every 20 ms from /proc.",
        "", f"Generated by `python bench/fs_bench.py {' '.join(sys.argv[1:] if argv is None else argv)}` on {time.strftime('%Y-%m-%d %H:%M')}.",
        "", result, "",
    ]
    detail = per_type_table(rows)
    if detail:
        header += ["## Planted recall by type", "", detail, ""]
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text("\n".join(header))
    print(f"fs_bench: wrote {a.results}", file=sys.stderr)
    return 0 if all(not r.error for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
