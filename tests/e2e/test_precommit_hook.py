"""The real pre-commit framework installs credsprawl's hooks from a git repository of this checkout,
and they block commits and pushes that add a secret.

pre-commit builds the hook's virtualenv from the repository (``pip install .``: needs PyPI for the
dependencies), so this test is marked slow; its cache lives in the test's temporary folder.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from fixtures import fakecreds
from gitutil import GitRepo

pytest.importorskip("pre_commit")

SHIPPED = ("scanner", "rules", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")


def hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """A git repository holding this checkout's working-tree files, with one commit."""
    repo = GitRepo(tmp_path / "credsprawl-hooks")
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo.path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_rules"))
        else:
            shutil.copy2(source, repo.path / name)
    return repo.path, repo.commit("credsprawl hooks under test")


def pre_commit(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo.path, env=repo.env,
                          capture_output=True, text=True, timeout=600)


def git(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo.path, env=repo.env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_pre_commit_framework_blocks_secrets(tmp_path: Path) -> None:
    hooks, rev = hook_repository(tmp_path)
    remote = GitRepo(tmp_path / "remote.git", bare=True)
    repo = GitRepo(tmp_path / "project")
    repo.env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-cache")
    repo.write(".pre-commit-config.yaml",
               f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: credsprawl\n"
               "      - id: credsprawl-push\n")
    repo.write("app.py", "print('hello')\n")
    repo.commit("initial (before the hooks)")
    repo.git("remote", "add", "origin", str(remote.path))
    repo.git("push", "-q", "origin", "main")
    installed = pre_commit(repo, "install", "--hook-type", "pre-commit", "--hook-type", "pre-push")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    ready = pre_commit(repo, "install-hooks")
    assert ready.returncode == 0, ready.stdout + ready.stderr

    rng = random.Random(41)
    token = fakecreds.github_token(rng)
    head = repo.head()

    # a commit that adds a secret is blocked, and says where, what, and how to allow it
    repo.write("settings.py", f"API_TOKEN = '{token}'\n")
    repo.git("add", "settings.py")
    blocked = git(repo, "commit", "-m", "add settings")
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "settings.py:1:14" in output and "github-pat-classic" in output and "credsprawl:allow" in output
    assert token not in output
    assert repo.head() == head

    # the same line, allowed inline, passes
    repo.write("settings.py", f"API_TOKEN = '{token}'  # credsprawl:allow (test fixture)\n")
    repo.git("add", "settings.py")
    allowed = git(repo, "commit", "-m", "allowed fixture")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr

    # a clean commit passes
    repo.write("app.py", "print('hello, world')\n")
    repo.git("add", "app.py")
    clean = git(repo, "commit", "-m", "clean change")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    pushed = git(repo, "push", "-q", "origin", "main")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr

    # a secret committed with --no-verify is stopped at push time by the pre-push hook
    other = fakecreds.github_token(rng)
    repo.write("deploy.env", f"GITHUB_TOKEN={other}\n")
    repo.git("add", "deploy.env")
    repo.git("commit", "-q", "--no-verify", "-m", "sneak it in")
    refused = git(repo, "push", "origin", "main")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "deploy.env" in output and other not in output


@pytest.mark.slow
def test_all_files_and_files_scan_the_working_tree(tmp_path: Path) -> None:
    """`pre-commit run --all-files` (CI, pre-commit.ci) has nothing staged: the hook gets the file
    names and must scan them, so a repository that holds a committed secret fails."""
    hooks, rev = hook_repository(tmp_path)
    repo = GitRepo(tmp_path / "project")
    repo.env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-cache")
    repo.write(".pre-commit-config.yaml",
               f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: credsprawl\n")
    token = fakecreds.github_token(random.Random(43))
    repo.write("app.py", "print('hello')\n")
    repo.write("config/settings.py", f"API_TOKEN = '{token}'\n")
    repo.commit("a secret committed long ago, before the hook")

    run = pre_commit(repo, "run", "--all-files")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "config/settings.py:1:14" in output and "github-pat-classic" in output
    assert token not in output

    # --files names the files to check: the clean one passes, the one with the secret fails
    clean = pre_commit(repo, "run", "--files", "app.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    dirty = pre_commit(repo, "run", "--files", "config/settings.py")
    assert dirty.returncode == 1 and "config/settings.py:1:14" in dirty.stdout + dirty.stderr

    # a commit still checks only what it adds: a staged change to a clean file passes, although
    # another file holds the old secret, and the staged line is what is checked
    repo.write("app.py", "print('hello, world')\n")
    repo.git("add", "app.py")
    commit_run = pre_commit(repo, "run")  # what the git hook runs: the staged files
    assert commit_run.returncode == 0, commit_run.stdout + commit_run.stderr
    # an edit to the file holding the old secret adds no secret: the commit passes
    repo.write("config/settings.py", f"API_TOKEN = '{token}'\nTIMEOUT = 5\n")
    repo.git("add", "config/settings.py")
    edit_run = pre_commit(repo, "run")
    assert edit_run.returncode == 0, edit_run.stdout + edit_run.stderr
    # and --all-files in the same state still fails on it
    assert pre_commit(repo, "run", "--all-files").returncode == 1
