"""Where the time of a ``credsprawl history`` run goes, phase by phase (CPU seconds).

    python bench/history_profile.py REPO.git [--runs 3] [--no-delta]

Runs the real ``history`` scan in this process with ``--jobs 1`` (so every phase runs on this
process's main thread, where ``time.thread_time`` measures it) with thin timers around the
functions of each phase, and ``git``'s own CPU from ``RUSAGE_CHILDREN``:

- **start-up**: imports, rules and the matcher (engine) built before the first blob;
- **git (child processes)**: ``git log --raw`` (the walk), ``git cat-file --batch-check`` (sizes)
  and ``git cat-file --batch`` (contents), user + sys CPU of those processes;
- **walk parsing**: reading ``git log``'s output into commits and changes (in Python);
- **blob reading**: taking contents from ``cat-file``'s pipe (Python side of the I/O);
- **delta computation**: aligning a version with the one before it, hunks, margins, carried keyword
  hits (``scan_version`` without its slice scans);
- **matching, whole blobs** and **matching, changed slices**: the matcher (prefilter, regexes,
  decoders, filters) on whole blobs and on the slices around hunks;
- **document facts**, **attribution** (commits, paths, refs), **report** (JSON to a file);
- **other**: the rest of the process (the difference to its total CPU).

The table is printed (median of ``--runs``). ``--no-delta`` profiles with every blob scanned whole.
IPC (``--jobs 2``) is not in this table: the pool moves only blob ids to workers and results with a
finding back (``BlobScanner``); ``--ipc`` measures the pickled bytes that cross in each direction.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

ROOT = Path(os.environ.get("CREDSPRAWL_SOURCE") or Path(__file__).resolve().parent.parent)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class Timers:
    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list[float]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        """Time ``owner.name`` as ``label``, exclusive of other timed functions it calls."""
        inner: Callable[..., Any] | None = getattr(owner, name, None)
        if inner is None:  # an older checkout (``--source``) without this function
            return
        timers = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [time.thread_time(), 0.0]
            timers._stack.append(frame)
            try:
                return inner(*args, **kwargs)
            finally:
                timers._stack.pop()
                total = time.thread_time() - frame[0]
                timers.spent[label] += total - frame[1]
                timers.calls[label] += 1
                if timers._stack:
                    timers._stack[-1][1] += total

        setattr(owner, name, timed)

    def wrap_iter(self, owner: Any, name: str, label: str) -> None:
        """Time the steps of the iterator ``owner.name`` returns (each ``next``)."""
        inner: Callable[..., Any] = getattr(owner, name)
        timers = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            it = inner(*args, **kwargs)
            while True:
                frame = [time.thread_time(), 0.0]
                timers._stack.append(frame)
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    timers._stack.pop()
                    total = time.thread_time() - frame[0]
                    timers.spent[label] += total - frame[1]
                    if timers._stack:
                        timers._stack[-1][1] += total
                yield item

        setattr(owner, name, timed)


def profile_once(repo: Path, report: Path) -> dict[str, float]:
    t0 = time.process_time()  # after the interpreter's own start (about 0.02 s)
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    from scanner.cli import app
    from scanner.history import scan as hscan
    from scanner.pipeline import blobs, delta
    from scanner.sources import git as gitsrc, gitlog

    timers = Timers()
    timers.wrap(gitlog, "parse_log", "walk parsing (Python)")
    timers.wrap_iter(gitsrc.BlobReader, "read_many", "blob reading (Python side of the pipe)")
    timers.wrap(gitsrc.ObjectSizer, "infos", "blob sizes (Python side)")
    timers.wrap(gitsrc, "object_info", "blob sizes (Python side)")
    timers.wrap(blobs, "_scan_whole", "matching, whole blobs")
    timers.wrap(blobs, "scan_version", "delta computation (align, hunks, margins, keyword hits)")
    timers.wrap(blobs, "scan_delta", "delta computation (align, hunks, margins, keyword hits)")  # before issue 18
    timers.wrap(delta, "margin", "delta computation (align, hunks, margins, keyword hits)")
    timers.wrap(delta, "_scan_slice", "matching, changed slices")
    timers.wrap(blobs, "with_document_facts", "document facts")
    timers.wrap(hscan, "attribute", "attribution (commits, paths, refs)")
    code = app.main(["history", str(repo), "--jobs", "1", "-f", "json", "-q", "--exit-zero", "-o", str(report)])
    if code not in (0, 1):
        raise SystemExit(f"credsprawl exited {code}")
    total = time.process_time() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = dict(timers.spent)
    out["git processes (log, cat-file)"] = (children.ru_utime - children0.ru_utime) + (children.ru_stime - children0.ru_stime)
    out["the rest (rules and engine, CLI, report, glue)"] = max(0.0, total - sum(timers.spent.values()))
    out["total"] = total
    return out


def ipc_bytes(repo: Path) -> tuple[int, int, int]:
    """(batches, pickled bytes of the batches sent, pickled bytes of the results returned) of a run."""
    from scanner.history.scan import HistoryRequest, scan_repository
    from scanner.pipeline import blobs
    from scanner.rules.load import load_rules
    from scanner.pipeline.engine import EngineSettings
    from scanner.sources import git as gitsrc

    sent = back = batches = 0
    inner = blobs._scan_batch

    def counted(engine: Any, reader: Any, batch: Any) -> Any:
        nonlocal sent, back, batches
        result = inner(engine, reader, batch)
        batches += 1
        sent += len(pickle.dumps(batch))
        back += len(pickle.dumps(result))
        return result

    blobs._scan_batch = counted
    try:
        scan_repository(gitsrc.open_repo(str(repo)), HistoryRequest(str(repo), load_rules(), EngineSettings(), jobs=1))
    finally:
        blobs._scan_batch = inner
    return batches, sent, back


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("repo", type=Path)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--no-delta", action="store_true")
    p.add_argument("--ipc", action="store_true", help="also measure the bytes a pool run would pickle")
    p.add_argument("--source", type=Path, help="profile another checkout of credsprawl (e.g. the base worktree)")
    a = p.parse_args(argv)
    if a.no_delta:
        os.environ["CREDSPRAWL_NO_DELTA"] = "1"
    if a.source:
        os.environ["CREDSPRAWL_SOURCE"] = str(a.source.resolve())
    import subprocess
    import json
    import tempfile

    rows: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(a.runs):
            # each run in a fresh interpreter, so start-up and caches are what a user's run sees
            out = subprocess.run([sys.executable, __file__, "--child", str(a.repo), str(Path(tmp) / "r.json")],
                                 capture_output=True, text=True, env=os.environ)
            if out.returncode != 0:
                raise SystemExit(out.stderr[-2000:])
            for k, v in json.loads(out.stdout.splitlines()[-1]).items():
                rows[k].append(v)
    total = statistics.median(rows["total"]) + statistics.median(rows["git processes (log, cat-file)"])
    print(f"{a.repo} ({'every blob whole' if a.no_delta else 'delta'}; credsprawl from {a.source or ROOT}), "
          f"CPU seconds, median of {a.runs} runs:\n")
    print("| phase | CPU s | share |")
    print("|---|---:|---:|")
    for k, v in sorted(rows.items(), key=lambda kv: -statistics.median(kv[1])):
        if k.startswith("total"):
            continue
        m = statistics.median(v)
        print(f"| {k} | {m:.2f} | {100 * m / total:.0f}% |")
    print(f"| **total (process + git)** | **{total:.2f}** | |")
    if a.ipc:
        batches, sent, back = ipc_bytes(a.repo)
        print(f"\nIPC of a pool run: {batches} batches; {sent / 1e3:,.0f} kB of blob ids sent, {back / 1e3:,.0f} kB of "
              "results returned (pickled)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        import json

        print(json.dumps(profile_once(Path(sys.argv[2]), Path(sys.argv[3]))))
        raise SystemExit(0)
    raise SystemExit(main())
