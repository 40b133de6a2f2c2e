"""Many copies of one secret: time, peak memory and report size of ``credsprawl scan`` as the copies grow.

    python bench/many_findings.py [--copies 1000 4000 16000 30000] [--layouts one-file files]

Two layouts: every copy on its own line of one file (``one-file``: the matcher resolves thousands of
matches in one text), and one copy per file (``files``: thousands of findings with one fingerprint
across a tree). Each run is a fresh ``python -m scanner scan`` process with ``--jobs 1``; wall clock
seconds, the process's peak RSS (``wait4``), and the bytes of the JSON and SARIF reports. Work that
stays linear shows as seconds and bytes growing about as the copies do. Writes the table to
``bench/results/many-findings.md``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures import fakecreds  # noqa: E402


def make_input(folder: Path, layout: str, copies: int, secret: str) -> Path:
    if layout == "one-file":
        target = folder / f"copies-{copies}.env"
        target.write_text("".join(f'token_{i} = "{secret}"\n' for i in range(copies)))
        return target
    target = folder / f"tree-{copies}"
    target.mkdir()
    for i in range(copies):
        sub = target / f"d{i // 1000}"
        sub.mkdir(exist_ok=True)
        (sub / f"f{i}.env").write_text(f'TOKEN="{secret}"\n')
    return target


def run(target: Path, fmt: str, out: Path) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, report bytes) of one scan."""
    argv = [sys.executable, "-m", "scanner", "scan", str(target), "-q", "--jobs", "1", "-f", fmt, "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.read().decode() if proc.stderr else ''}")
    return seconds, usage.ru_maxrss // 1024, out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1000, 4000, 16000, 30000])
    parser.add_argument("--layouts", nargs="+", default=["one-file", "files"], choices=["one-file", "files"])
    parser.add_argument("--formats", nargs="+", default=["json", "sarif"], choices=["json", "sarif"])
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "many-findings.md")
    args = parser.parse_args()
    secret = fakecreds.github_token(random.Random(3))
    rows = []
    with tempfile.TemporaryDirectory(prefix="credsprawl-many-") as tmp:
        folder = Path(tmp)
        for layout in args.layouts:
            for copies in args.copies:
                target = make_input(folder, layout, copies, secret)
                row = [layout, f"{copies:,}"]
                for fmt in ("json", "sarif"):
                    if fmt not in args.formats:
                        row += ["-", "-", "-"]
                        continue
                    seconds, peak, size = run(target, fmt, folder / f"report.{fmt}")
                    row += [f"{seconds:.2f}", f"{peak}", f"{size:,}"]
                rows.append(row)
                print(" | ".join(row), flush=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    header = ["layout", "copies", "json s", "json peak MB", "json bytes", "sarif s", "sarif peak MB", "sarif bytes"]
    lines = [
        "# Many copies of one secret",
        "",
        "`python bench/many_findings.py`: one fake GitHub token, copied on every line of one file (`one-file`) or once "
        "per file of a tree (`files`); each cell a fresh `python -m scanner scan --jobs 1 -q` process: wall clock "
        "seconds, peak RSS of the process, bytes of the report. Machine: 2 cores shared with other work; load "
        f"average before the runs' end: {load}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
