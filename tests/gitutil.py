"""Real git repositories for tests, built with the git CLI in temporary folders.

Identity, dates and the default branch are pinned, and the user's and system's git config are shut
out, so the same steps give the same commit ids on every machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any


BASE_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_AUTHOR_NAME": "Ann Author", "GIT_AUTHOR_EMAIL": "ann@example.com",
        "GIT_COMMITTER_NAME": "Ann Author", "GIT_COMMITTER_EMAIL": "ann@example.com",
        "LC_ALL": "C",
    })
    return env


class GitRepo:
    """A repository in ``path`` with helpers to write files and make commits at pinned times."""

    def __init__(self, path: Path, bare: bool = False, init: bool = True) -> None:
        self.path = path
        self.home = path.parent / f".home-{path.name}"
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = git_env(self.home)
        self.tick = 0
        if init:
            path.mkdir(parents=True, exist_ok=True)
            self.git("-c", "init.defaultBranch=main", "init", "-q", *(["--bare"] if bare else []))
            self.git("config", "commit.gpgsign", "false")
            self.git("config", "protocol.file.allow", "always")

    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> str:
        self.tick += 1
        stamp = f"@{BASE_EPOCH + 60 * self.tick} +0000"
        env = {**self.env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        proc = subprocess.run(["git", *args], cwd=self.path, env=env, input=input, capture_output=True)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
        return proc.stdout.decode("utf-8", "replace").strip()

    def write(self, name: str | bytes, content: str | bytes) -> None:
        target = os.path.join(os.fsencode(self.path), os.fsencode(name))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(content.encode() if isinstance(content, str) else content)

    def remove(self, name: str) -> None:
        os.remove(self.path / name)

    def commit(self, message: str, author: str | None = None, add: bool = True) -> str:
        if add:
            self.git("add", "-A")
        args = ["commit", "-q", "--allow-empty", "-m", message]
        if author:
            args += ["--author", author]
        self.git(*args)
        return self.head()

    def head(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", rev)

    def blob(self, rev_path: str) -> str:
        return self.git("rev-parse", rev_path)


def cli_inprocess(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``credsprawl ARGS`` in this process (no interpreter start-up): (exit code, stdout, stderr)."""
    from scanner.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code, out.getvalue(), err.getvalue()


def history_json(repo: Path, *args: str, env: dict[str, str] | None = None, code: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    """``credsprawl history REPO --format json`` (in process) as a parsed report."""
    rc, out, err = cli_inprocess("history", str(repo), "--format", "json", "--quiet", *args, env=env)
    assert rc in code, (rc, err)
    return json.loads(out)


def extra(finding: dict[str, Any]) -> dict[str, str]:
    return finding["origin"][0]["extra"]


def by_path(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        out.setdefault(f["path"], []).append(f)
    return out
