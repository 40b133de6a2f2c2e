"""Helpers for the sweep tests: small organisations of real repositories (forks included), a list
file naming them, and ``credsprawl sweep`` run in process with its JSON Lines events parsed."""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess


@dataclass
class Org:
    root: Path
    repos: dict[str, GitRepo]
    tokens: dict[str, str]  # what each repository (first) leaked

    def list_file(self, *names: str, extra: tuple[str, ...] = ()) -> Path:
        """A list file beside the repositories, naming them by relative path (so by their names)."""
        path = self.root / f"repos-{len(list(self.root.glob('repos-*')))}.txt"
        path.write_text("".join(f"{n}\n" for n in names or self.repos) + "".join(f"{line}\n" for line in extra))
        return path


def make_repo(root: Path, name: str, rng: random.Random, files: int = 3) -> tuple[GitRepo, str]:
    """A repository with a README, some code, a secret added then removed, and one still live."""
    repo = GitRepo(root / name)
    repo.write("README.md", f"# {name}\n")
    for i in range(files):
        repo.write(f"src/mod{i}.py", f"def f{i}():\n    return {rng.randrange(10**6)}\n")
    repo.commit(f"{name}: initial import")
    leaked = fakecreds.github_token(rng)
    repo.write("src/settings.py", f"API_TOKEN = '{leaked}'\n")
    repo.commit(f"{name}: settings", author="Bob Builder <bob@example.com>")
    repo.write("src/settings.py", "import os\nAPI_TOKEN = os.environ['API_TOKEN']\n")
    repo.commit(f"{name}: token from the environment")
    live = fakecreds.aws_access_key_id(rng)
    repo.write("deploy/.env", f"AWS_ACCESS_KEY_ID={live}\n")
    repo.commit(f"{name}: deploy settings")
    return repo, leaked


def fork(org_root: Path, upstream: GitRepo, name: str, rng: random.Random) -> tuple[GitRepo, str]:
    """A clone of ``upstream`` (same blobs) with one commit of its own that leaks a new token."""
    upstream.git("clone", "-q", str(upstream.path), str(org_root / name))
    repo = GitRepo(org_root / name, init=False)
    repo.git("config", "commit.gpgsign", "false")
    token = fakecreds.github_token(rng)
    repo.write("src/fork_only.py", f"FORK_TOKEN = '{token}'\n")
    repo.commit(f"{name}: fork work")
    return repo, token


def make_org(root: Path, seed: int = 11) -> Org:
    """``alpha``, ``beta`` and ``alpha-fork`` (a clone of alpha with one commit more)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    alpha, t1 = make_repo(root, "alpha", rng)
    beta, t2 = make_repo(root, "beta", rng)
    alpha_fork, t3 = fork(root, alpha, "alpha-fork", rng)
    return Org(root, {"alpha": alpha, "beta": beta, "alpha-fork": alpha_fork},
               {"alpha": t1, "beta": t2, "alpha-fork": t3})


def unique_blobs(*repos: GitRepo) -> set[str]:
    """Every non-empty blob any ref of the repositories reaches."""
    shas: set[str] = set()
    for repo in repos:
        listing = repo.git("rev-list", "--objects", "--all").splitlines()
        objects = [line.split()[0] for line in listing]
        checked = repo.git("cat-file", "--batch-check", input="\n".join(objects).encode()).splitlines()
        shas |= {s for s, kind, size in (c.split() for c in checked) if kind == "blob" and int(size) > 0}
    return shas


@dataclass
class Sweep:
    code: int
    events: list[dict[str, Any]]
    stderr: str

    def done(self) -> dict[str, dict[str, Any]]:
        """repository-done events by repository name."""
        return {e["repository"]: e for e in self.events if e["event"] == "repository-done"}

    @property
    def summary(self) -> dict[str, Any]:
        [last] = [e for e in self.events if e["event"] == "sweep-done"]
        return last


def sweep(*args: str, datastore: Path, jobs: str = "2", engine: str = "ahocorasick") -> Sweep:
    """``credsprawl sweep ARGS`` in process. Aho-Corasick by default: a fresh test cache has no compiled
    Hyperscan database, and building one costs half a minute (the engines give the same findings)."""
    extra = ("--engine", engine) if "--engine" not in args else ()
    extra += () if "--scheduler" in args else ("--jobs", jobs)
    code, out, err = cli_inprocess("sweep", *args, "--datastore", str(datastore), "--progress", "jsonl", *extra)
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    return Sweep(code, events, err)


def without_repository(finding: dict[str, Any]) -> dict[str, Any]:
    """A sweep's finding object as ``credsprawl history`` gives it (no repository facts, no count)."""
    out = copy.deepcopy(finding)
    out["origin"][0]["extra"] = {k: v for k, v in out["origin"][0]["extra"].items()
                                 if k not in ("repository", "repository_url")}
    out.pop("occurrences")
    return out
