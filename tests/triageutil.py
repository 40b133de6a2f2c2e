"""Helpers for the triage tests: a swept organisation, and ``credsprawl triage`` run in process."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from gitutil import BASE_EPOCH, GitRepo, cli_inprocess


def triage(ds: Path, *args: str) -> tuple[int, str, str]:
    """``credsprawl triage ACTION ARGS --datastore DS`` in process: (exit code, stdout, stderr)."""
    return cli_inprocess("triage", *args, "--datastore", str(ds))


def listed(ds: Path, *filters: str) -> list[dict[str, Any]]:
    code, out, err = triage(ds, "list", "--format", "json", *filters)
    assert code == 0, err
    return list(json.loads(out)["credentials"])


def shown(ds: Path, fingerprint: str) -> dict[str, Any]:
    code, out, err = triage(ds, "show", fingerprint, "--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def fingerprint_of(ds: Path, repository: str, rule_id: str) -> str:
    [row] = [r for r in listed(ds, "--repository", repository) if r["rule_id"] == rule_id
             and r["repositories"] == [repository]]
    return str(row["fingerprint"])


def commit_from_now_on(repo: GitRepo) -> None:
    """Make the repository's next commits dated a few minutes from now (its clock is pinned to 2026-01-01)."""
    repo.tick = max(repo.tick, int((time.time() - BASE_EPOCH) // 60) + 5)
