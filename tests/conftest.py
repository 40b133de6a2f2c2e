"""Shared test helpers: run the real CLI as a process, and deterministic fake credentials."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fixtures import fakecreds

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled-database caches go to a temporary folder, never the user's cache (and their key too);
    the user's own config file (``[verify]`` endpoints) is never read."""
    os.environ["CREDSPRAWL_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config"))


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None,
            env: dict[str, str] | None = None, timeout: float = 120, **popen: Any) -> subprocess.CompletedProcess[str]:
    """``credsprawl ARGS`` as a real process; stdout/stderr as text."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], cwd=cwd, input=stdin, capture_output=True,
        env=full_env, timeout=timeout, **popen,
    ) if stdin is not None else subprocess.run(
        [sys.executable, "-m", "scanner", *args], cwd=cwd, capture_output=True, text=True,
        env=full_env, timeout=timeout, **popen,
    )


def scan_json(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    """Run ``scan --format json`` and return (exit code, parsed report)."""
    proc = run_cli("scan", *args, "--format", "json", "--quiet", "--list-skipped", cwd=cwd)  # skipped: counts unless asked
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261125)


@pytest.fixture
def gh(rng: random.Random) -> str:
    """A fake classic GitHub token with a valid checksum."""
    return fakecreds.github_token(rng)
