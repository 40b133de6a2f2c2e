"""Artifact throughput benchmark: credsprawl against gitleaks on real build artifacts.

    python bench/artifact_bench.py --download            # fetch wheels + sdists from PyPI (once), build the rest
    python bench/artifact_bench.py [--jobs-list 1,2] [--repeat 2] [--depth 3]

The corpus, in ``bench/.cache/artifacts`` (``--artifacts DIR``):

- ``pypi/``: wheel and sdist files of a few dozen popular packages (``pip download``; numpy, pandas,
  botocore, cryptography, grpcio ... and their sdists where PyPI has them);
- ``ci-logs/``: generated GitHub Actions run-log zips (``job/N_step.txt`` files, ISO-8601 timestamps on
  every line, ANSI colours, ``##[group]`` markers, ``***`` masks) with planted fake secrets
  (``fixtures/fakecreds.py``), listed in ``.planted.jsonl``;
- ``mixed/``: the other archive types made from the real files: two sdists recompressed as
  ``.tar.bz2`` and ``.tar.xz``, a ``.log.gz``, a ``.tar.gz`` build artifact holding wheels (nested), and a
  ``docker save`` image whose layers hold a wheel's files and a run log.

For each tool and ``--jobs`` value: wall time (best of ``--repeat``), MB/s over the compressed bytes on
disk and over the uncompressed bytes inside the archives (every member, every nesting level up to the
depth, counted by this script), peak RSS, findings and planted recall (a planted secret counts when a
finding names its archive member and line). gitleaks runs ``dir --max-archive-depth N`` with
``GOMAXPROCS=jobs``; credsprawl ``scan --max-archive-depth N --jobs jobs``. The table is printed and
written to ``bench/results/artifacts.md`` with the load average before and after.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import random
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(PROJECT))

import fs_bench  # noqa: E402
import peers as peers_mod  # noqa: E402

from fixtures import fakecreds  # noqa: E402

DEFAULT_DIR = BENCH / ".cache" / "artifacts"
RESULTS = BENCH / "results" / "artifacts.md"
PACKAGES = (
    "requests urllib3 idna certifi charset-normalizer six python-dateutil pyyaml jinja2 markupsafe click flask "
    "werkzeug itsdangerous attrs packaging setuptools wheel pip boto3 botocore s3transfer jmespath rsa pyasn1 "
    "google-auth cachetools protobuf grpcio numpy pandas cryptography pydantic pydantic-core typing-extensions "
    "sqlalchemy pytest pluggy rich pygments docutils aiohttp multidict yarl frozenlist"
).split()
SDISTS = (
    "requests urllib3 idna certifi six python-dateutil jinja2 click flask werkzeug itsdangerous attrs packaging "
    "boto3 s3transfer jmespath rsa pyasn1 cachetools pluggy rich docutils sqlalchemy pytest pyyaml markupsafe "
    "charset-normalizer botocore google-auth pygments"
).split()
SECRET_TYPES = ("github-pat-classic", "slack-bot-token", "stripe-secret-key", "gitlab-pat", "npm-token",
                "openai-project-key", "sendgrid-api-key", "pypi-token")


# ------------------------------------------------------------------------------------------------
# the corpus



def _shown(path: Path) -> str:
    """A path as the results file shows it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(BENCH.parent))
    except ValueError:
        return str(path)

def download(dest: Path) -> None:
    """Wheels and sdists from PyPI through pip (the ordinary client); each sdist on its own, so one
    that cannot be prepared does not stop the others."""
    dest.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(dest)]
    subprocess.run(pip + ["--only-binary", ":all:", "--python-version", "3.11", "--implementation", "cp",
                          "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_17_x86_64", *PACKAGES],
                   check=False)
    for name in SDISTS:
        subprocess.run(pip + ["--no-binary", ":all:", name], check=False, capture_output=True)


_STEPS = ("Set up job", "Run actions/checkout@v4", "Set up Python", "Install dependencies", "Run tests",
          "Build package", "Upload artifact", "Complete job")
_LINES = (
    "Collecting {pkg}>=1.0", "  Downloading {pkg}-2.3.1-py3-none-any.whl (123 kB)",
    "\x1b[32m✓\x1b[0m tests/test_{pkg}.py::test_case_{n} \x1b[32mPASSED\x1b[0m",
    "Successfully installed {pkg}-2.3.1", "##[group]Run python -m pytest -q", "##[endgroup]",
    "\x1b[36;1mpython -m build\x1b[0m", "shell: /usr/bin/bash -e {{0}}", "env:", "  pythonLocation: /opt/hostedtoolcache/Python/3.11.9/x64",
    "  GITHUB_TOKEN: ***", "Resolving deltas: 100% ({n}/{n}), done.", "npm WARN deprecated {pkg}@1.0.{n}: use something else",
    "warning: unused variable `x{n}` at src/lib.rs:{n}:5", "Cache restored from key: Linux-pip-{n}abcdef",
)


def _log(rng: random.Random, lines: int, start: float) -> list[str]:
    pkgs = ("requests", "numpy", "flask", "boto3", "pydantic", "rich")
    out = []
    for i in range(lines):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + i * 0.37)) + f".{rng.randrange(10**7):07d}Z"
        text = rng.choice(_LINES).format(pkg=rng.choice(pkgs), n=rng.randrange(1000))
        out.append(f"{stamp} {text}")
    return out


def make_logs(dest: Path, runs: int, seed: int) -> list[dict[str, object]]:
    """GitHub Actions run-log zips with planted secrets; returns the planted list."""
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    planted: list[dict[str, object]] = []
    for run in range(runs):
        files: dict[str, bytes] = {}
        for j, job in enumerate(("build", "test (3.11)", "test (3.12)", "lint")):
            whole: list[str] = []
            for k, step in enumerate(_STEPS, 1):
                lines = _log(rng, rng.randrange(400, 1600), 1.7e9 + run * 3600 + k * 60)
                if rng.random() < 0.15:
                    kind = rng.choice(SECRET_TYPES)
                    at = rng.randrange(len(lines))
                    stamp = lines[at].split(" ", 1)[0]
                    lines.insert(at, f"{stamp} export DEPLOY_TOKEN={fakecreds.GENERATORS[kind](rng)}")
                    planted.append({"path": f"ci-logs/run-{run:03}.zip!{job}/{k}_{step}.txt", "line": at + 1,
                                    "end_line": at + 1, "type": kind})
                text = "\ufeff" + "\n".join(lines) + "\n"
                files[f"{job}/{k}_{step}.txt"] = text.encode()
                whole.extend(lines)
            files[f"{j}_{job}.txt"] = ("\ufeff" + "\n".join(whole) + "\n").encode()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        (dest / f"run-{run:03}.zip").write_bytes(buf.getvalue())
    return planted


def _tar(members: dict[str, bytes], mode: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def make_mixed(dest: Path, pypi: Path, logs: Path) -> None:
    """The remaining archive types, made from the real files."""
    dest.mkdir(parents=True, exist_ok=True)
    sdists = sorted(pypi.glob("*.tar.gz"))
    wheels = sorted(pypi.glob("*.whl"), key=lambda p: p.stat().st_size)
    for sdist, (suffix, mode) in zip(sdists[:2], [("tar.bz2", "w:bz2"), ("tar.xz", "w:xz")]):
        with tarfile.open(sdist) as src:
            members = {m.name: src.extractfile(m).read() for m in src.getmembers() if m.isreg()}  # type: ignore[union-attr]
        (dest / sdist.name.replace("tar.gz", suffix)).write_bytes(_tar(members, mode))
    first_log = sorted(logs.glob("*.zip"))[0]
    with zipfile.ZipFile(first_log) as zf:
        text = zf.read(zf.namelist()[-1])
    (dest / "build.log.gz").write_bytes(gzip.compress(text, mtime=0))
    (dest / "dist-artifact.tar.gz").write_bytes(_tar({f"dist/{w.name}": w.read_bytes() for w in wheels[:6]}, "w:gz"))
    wheel = wheels[len(wheels) // 2]
    with zipfile.ZipFile(wheel) as zf:
        layer2 = {f"usr/lib/python3/site-packages/{n}": zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    layer1 = {"etc/os-release": b"ID=debian\n", "var/log/build.log": text}
    layer_tars = [_tar(layer1, "w"), _tar(layer2, "w")]
    members = {f"{i:064x}/layer.tar": data for i, data in enumerate(layer_tars, 1)}
    config = json.dumps({"config": {"Env": ["PATH=/usr/bin"]}, "history": [{"created_by": "ADD rootfs /"}],
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    members["config.json"] = config
    members["manifest.json"] = json.dumps([{"Config": "config.json", "RepoTags": ["bench:1"],
                                            "Layers": [f"{i:064x}/layer.tar" for i in (1, 2)]}]).encode()
    (dest / "image.tar").write_bytes(_tar(members, "w"))


def build(root: Path, runs: int, seed: int, fetch: bool) -> None:
    pypi = root / "pypi"
    if fetch or not pypi.is_dir():
        download(pypi)
    planted = make_logs(root / "ci-logs", runs, seed)
    make_mixed(root / "mixed", pypi, root / "ci-logs")
    (root / ".planted.jsonl").write_text("".join(json.dumps(p) + "\n" for p in planted))


@dataclass(frozen=True)
class Sizes:
    files: int
    compressed: int
    uncompressed: int
    types: dict[str, int]


def _kind(name: str) -> str:
    for suffix in (".tar.gz", ".tar.bz2", ".tar.xz", ".whl", ".zip", ".gz", ".tar"):
        if name.endswith(suffix):
            return suffix.lstrip(".")
    return "other"


def sizes(root: Path, depth: int) -> Sizes:
    """Bytes on disk, and bytes inside: every member at every level up to ``depth``."""
    from scanner.model import Blob, Origin
    from scanner.sources import archives

    limits = archives.ArchiveLimits(max_depth=depth, max_member_size=0, max_archive_size=0, max_ratio=0, max_members=0)

    def inner(blob: Blob) -> int:
        if not limits.can_open(blob.origin) or not archives.sniff(blob.data[:512]):
            return len(blob.data)
        return sum(inner(m) for m in archives.expand(blob, limits) if isinstance(m, Blob))

    files = compressed = uncompressed = 0
    types: dict[str, int] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        files += 1
        compressed += path.stat().st_size
        uncompressed += inner(Blob(path.read_bytes(), Origin(path.name)))
        types[_kind(path.name)] = types.get(_kind(path.name), 0) + 1
    return Sizes(files, compressed, uncompressed, types)


# ------------------------------------------------------------------------------------------------
# running the tools


def credsprawl_run(root: Path, report: Path, jobs: int, depth: int) -> peers_mod.Run:
    argv = [sys.executable, "-m", "scanner", "scan", str(root), "--jobs", str(jobs), "--format", "json",
            "--output", str(report), "--exit-zero", "--quiet", "--max-archive-depth", str(depth)]
    return peers_mod.Run(argv, {"PYTHONPATH": str(PROJECT)}, cwd=str(PROJECT))


def gitleaks_run(root: Path, report: Path, jobs: int, depth: int, venv: Path) -> peers_mod.Run:
    run = peers_mod.gitleaks_run(root, report, jobs, venv)
    return peers_mod.Run(run.argv + ["--max-archive-depth", str(depth)], run.env, run.cwd)


def locations(tool: str, report: Path, root: Path) -> list[tuple[str, int]]:
    if tool == "credsprawl":
        data = json.loads(report.read_text() or "{}")
        return [(peers_mod._rel(f["path"].split("!", 1)[0], root) + "!" + f["path"].split("!", 1)[1]
                 if "!" in f["path"] else peers_mod._rel(f["path"], root), int(f["start_line"]))
                for f in data.get("findings", [])]
    return [(path, line) for path, line in peers_mod.parse_gitleaks(report, root)]


def credsprawl_unopened(report: Path) -> int:
    data = json.loads(report.read_text() or "{}")
    return sum(1 for s in data.get("summary", {}).get("skipped", []) if s["reason"] in ("archive-limit", "corrupt", "unsupported"))


@dataclass
class Row:
    tool: str
    jobs: int
    m: fs_bench.Measurement | None
    findings: int = 0
    hits: int = 0
    note: str = ""


def run_tool(tool: str, jobs: int, root: Path, work: Path, repeat: int, depth: int, venv: Path,
             planted: list[dict[str, object]]) -> Row:
    best: fs_bench.Measurement | None = None
    report = work / f"{tool}-{jobs}.json"
    for _ in range(repeat):
        run = credsprawl_run(root, report, jobs, depth) if tool == "credsprawl" else gitleaks_run(root, report, jobs, depth, venv)
        m = fs_bench.measure(run, report)
        if m.returncode not in (0, 1):
            return Row(tool, jobs, None, note=f"exit {m.returncode}: {m.stderr_tail}")
        best = m if best is None or m.wall < best.wall else best
    found = locations(tool, report, root)
    spots = {(p, line) for p, line in found}
    hits = sum(1 for p in planted if (p["path"], p["line"]) in spots)
    note = f"{credsprawl_unopened(report)} archives/members not opened" if tool == "credsprawl" else ""
    return Row(tool, jobs, best, len(found), hits, note)


def table(rows: list[Row], s: Sizes, planted: int) -> str:
    head = ("| tool | jobs | wall s | MB/s compressed | MB/s uncompressed | peak RSS MB (largest proc) | findings "
            "| planted recall | notes |\n|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        if r.m is None:
            lines.append(f"| {r.tool} | {r.jobs} | failed | | | | | | {r.note} |")
            continue
        lines.append(f"| {r.tool} | {r.jobs} | {r.m.wall:.2f} | {s.compressed / 1e6 / r.m.wall:.1f} | "
                     f"{s.uncompressed / 1e6 / r.m.wall:.1f} | {r.m.maxrss_largest / 1e6:.0f} | {r.findings} | "
                     f"{r.hits}/{planted} | {r.note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--artifacts", type=Path, default=DEFAULT_DIR)
    p.add_argument("--download", action="store_true", help="(re)download the PyPI files and rebuild the corpus")
    p.add_argument("--runs", type=int, default=24, help="generated run-log zips (default 24)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs-list", default="1,2")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--peers", default="gitleaks")
    p.add_argument("--venv", type=Path, default=peers_mod.DEFAULT_VENV)
    p.add_argument("--results", type=Path, default=RESULTS)
    a = p.parse_args(argv)
    peers_mod.byte_compile_credsprawl()
    root = a.artifacts.resolve()
    if a.download or not (root / ".planted.jsonl").exists():
        build(root, a.runs, a.seed, a.download)
    planted = [json.loads(line) for line in (root / ".planted.jsonl").read_text().splitlines() if line]
    s = sizes(root, a.depth)
    print(f"artifact_bench: {s.files} files, {s.compressed / 1e6:.1f} MB on disk, {s.uncompressed / 1e6:.1f} MB inside "
          f"(depth {a.depth}); types {s.types}; {len(planted)} planted", file=sys.stderr)
    fs_bench.warm(root)
    jobs_list = [int(j) for j in a.jobs_list.split(",") if j]
    tools = ["credsprawl"] + [n for n in a.peers.split(",") if n and peers_mod.available(n, a.venv)]
    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="artifact_bench-") as tmp:
        work = Path(tmp)
        warmup = work / "warm"
        warmup.mkdir()
        (warmup / "x.txt").write_text("nothing\n")
        subprocess.run(credsprawl_run(warmup, work / "w.json", 1, a.depth).argv, cwd=PROJECT, capture_output=True,
                       env=dict(os.environ, PYTHONPATH=str(PROJECT)))
        for tool in tools:
            for jobs in jobs_list:
                print(f"artifact_bench: {tool} --jobs {jobs} ...", file=sys.stderr, flush=True)
                rows.append(run_tool(tool, jobs, root, work, a.repeat, a.depth, a.venv, planted))
                r = rows[-1]
                print(f"artifact_bench:   {r.m.wall if r.m else 'failed'} s, {r.findings} findings, "
                      f"recall {r.hits}/{len(planted)} {r.note}", file=sys.stderr, flush=True)
    load_after = os.getloadavg()
    result = table(rows, s, len(planted))
    print(result)
    versions = {"credsprawl": fs_bench.credsprawl_version(sys.executable, None)}
    versions.update({n: peers_mod.version(n, a.venv) for n in tools if n != "credsprawl"})
    types = ", ".join(f"{n} {k}" for k, n in sorted(s.types.items()))
    text = "\n".join([
        "# Artifact throughput", "",
        f"Corpus: `{_shown(a.artifacts)}`: {s.files} files ({types}), {s.compressed / 1e6:.1f} MB on disk, "
        f"{s.uncompressed / 1e6:.1f} MB uncompressed inside (every member at every level up to depth {a.depth}); "
        f"{len(planted)} fake secrets planted in generated GitHub Actions run logs.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; load average "
        f"{load_before[0]:.2f} before and {load_after[0]:.2f} after the runs. Best of {a.repeat} run(s) per row; warm page cache.",
        "Tool versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        f"gitleaks: `dir ROOT --max-archive-depth {a.depth}` with GOMAXPROCS=jobs; credsprawl: "
        f"`scan ROOT --max-archive-depth {a.depth} --jobs jobs`. MB/s = bytes / wall time of the whole process.",
        "Planted recall: a finding on the planted archive member and line.", "",
        f"Generated by `python bench/artifact_bench.py {' '.join(sys.argv[1:] if argv is None else argv)}` "
        f"on {time.strftime('%Y-%m-%d %H:%M')}.", "", result, "",
    ])
    a.results.parent.mkdir(parents=True, exist_ok=True)
    a.results.write_text(text)
    print(f"artifact_bench: wrote {a.results}", file=sys.stderr)
    return 0 if all(r.m for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
