"""Findings of ``credsprawl history`` from two checkouts of credsprawl, compared on the history
benchmarks' repositories: the change under test must find exactly what the base finds.

    git worktree add ../histbase b4c2eff                     # the base, once
    python bench/history_check.py --base ../histbase REPO.git [REPO.git ...] [--jobs 1 2]

Each checkout runs ``python -m scanner history REPO --jobs N -f json --show-secrets`` with its own
source first on the path (same interpreter, same installed dependencies); the reports are compared
whole (every finding with every field: rule, secret, fingerprint, lines, columns, offsets, masked
line, and every origin: path, commit, author, date, refs) after dropping the run's timing fields.
``--no-delta`` runs the checkout under test with ``CREDSPRAWL_NO_DELTA=1`` as well (every blob
scanned whole). Exit code 0: identical everywhere; 1: a difference (the first few are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_TIMING = ("seconds", "mb_per_second")


def report(checkout: Path, repo: Path, jobs: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="history-check-") as tmp:
        out = Path(tmp) / "report.json"
        argv = [sys.executable, "-m", "scanner", "history", str(repo), "--jobs", str(jobs), "-f", "json", "-q",
                "--show-secrets", "--exit-zero", "-o", str(out)]
        done = subprocess.run(argv, cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout), **(env or {})},
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{checkout}: credsprawl failed on {repo}: {done.stderr[-2000:]}")
        doc = json.loads(out.read_text())
    for key in _TIMING:
        doc.get("summary", {}).pop(key, None)
    doc.pop("version", None)
    return doc


def differences(a: dict[str, Any], b: dict[str, Any], limit: int = 5) -> list[str]:
    out = []
    fa, fb = a.get("findings", []), b.get("findings", [])
    if len(fa) != len(fb):
        out.append(f"{len(fa)} findings vs {len(fb)}")
    for i, (x, y) in enumerate(zip(fa, fb)):
        if x != y:
            keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            out.append(f"finding {i} ({x.get('rule_id')} at {x.get('location', '')}) differs in {', '.join(keys)}")
            if len(out) >= limit:
                break
    rest = {k: v for k, v in a.items() if k != "findings"}, {k: v for k, v in b.items() if k != "findings"}
    if rest[0] != rest[1]:
        out.append("the report outside the findings differs (summary, skips or warnings)")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("repos", nargs="+", type=Path)
    p.add_argument("--base", type=Path, required=True, help="checkout of the base commit (a git worktree)")
    p.add_argument("--new", type=Path, default=ROOT, help="checkout under test (default: this one)")
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--no-delta", action="store_true", help="also compare with every blob scanned whole")
    a = p.parse_args(argv)
    failed = 0
    for repo in a.repos:
        repo = repo.resolve()
        for jobs in a.jobs:
            base = report(a.base.resolve(), repo, jobs)
            runs = [("delta", report(a.new.resolve(), repo, jobs))]
            if a.no_delta:
                runs.append(("no delta", report(a.new.resolve(), repo, jobs, {"CREDSPRAWL_NO_DELTA": "1"})))
            for label, doc in runs:
                diff = differences(base, doc)
                status = "identical" if not diff else "DIFFERENT"
                print(f"{repo}: --jobs {jobs}, {label}: {len(doc.get('findings', []))} findings, {status}")
                for d in diff:
                    print(f"    {d}")
                failed += bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
