"""``Store``: one open datastore, the facade the sweep driver, the CLI and the reports use. Each method
hands over to the module that owns its concern (``schema``, ``sweeps``, ``blobcache``, ``queries``);
every method that writes commits its own transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from scanner.errors import UsageError
from scanner.model import Rule
from scanner.results import ScanReport
from scanner.store import blobcache, queries, sweeps, verifications
from scanner.store.blobcache import ScannedBlob
from scanner.store.schema import SCHEMA_VERSION, default_datastore, now, open_database
from scanner.store.sweeps import Occurrence, RepoIdentity, RepoResult, RepoState

__all__ = ["SCHEMA_VERSION", "Occurrence", "RepoIdentity", "RepoResult", "RepoState", "ScannedBlob", "Store",
           "default_datastore", "now", "open_existing"]


class Store:
    """An open datastore (created when missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = open_database(path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sweep bookkeeping (scanner.store.sweeps) -----------------------------------------------

    def ruleset_id(self, version: str, rules: Sequence[Rule]) -> int:
        return sweeps.ruleset_id(self.db, version, rules)

    def begin_sweep(self, ruleset_id: int, repositories: int) -> int:
        return sweeps.begin_sweep(self.db, ruleset_id, repositories)

    def interrupt_running(self) -> list[int]:
        return sweeps.interrupt_running(self.db)

    def finish_sweep(self, sweep_id: int, failed: int, blobs_scanned: int, bytes_scanned: int) -> None:
        sweeps.finish_sweep(self.db, sweep_id, failed, blobs_scanned, bytes_scanned)

    def previous_refs(self, key: str, ruleset_id: int, options: str = "") -> tuple[tuple[str, str], ...] | None:
        return sweeps.previous_refs(self.db, key, ruleset_id, options)

    def mark_unchanged(self, repo: RepoIdentity, sweep_id: int) -> None:
        sweeps.mark_unchanged(self.db, repo, sweep_id)

    def record_failure(self, repo: RepoIdentity, sweep_id: int, reason: str) -> None:
        sweeps.record_failure(self.db, repo, sweep_id, reason)

    def commit_repository(self, result: RepoResult, ruleset_id: int, sweep_id: int) -> int:
        return sweeps.commit_repository(self.db, result, ruleset_id, sweep_id)

    # -- the blob cache (scanner.store.blobcache) -----------------------------------------------

    def put_blobs(self, blobs: Sequence[ScannedBlob], ruleset_id: int, sweep_id: int) -> None:
        blobcache.put_blobs(self.db, blobs, ruleset_id, sweep_id)

    def known_blobs(self, shas: Sequence[str], ruleset_id: int) -> dict[str, int]:
        return blobcache.known_blobs(self.db, shas, ruleset_id)

    def blob_findings(self, shas: Sequence[str], ruleset_id: int) -> dict[str, tuple[str, ...]]:
        return blobcache.blob_findings(self.db, shas, ruleset_id)

    # -- what reports read (scanner.store.queries) ----------------------------------------------

    def counts(self) -> dict[str, int]:
        return queries.counts(self.db)

    def repositories(self) -> list[dict[str, Any]]:
        return queries.repositories(self.db)

    def sweeps(self) -> list[dict[str, Any]]:
        return queries.sweeps(self.db)

    def occurrence_count(self, keys: Sequence[str], only: Sequence[str] | None = None) -> int:
        return queries.occurrence_count(self.db, keys, only)

    # -- verification results (scanner.store.verifications) --------------------------------------

    def put_verifications(self, rows: Sequence[verifications.StoredVerification]) -> int:
        return verifications.put(self.db, rows)

    def verifications(self, fingerprints: Sequence[str] | None = None) -> dict[str, verifications.StoredVerification]:
        return verifications.get(self.db, fingerprints)

    def verification_candidates(self, repository_keys: Sequence[str]) -> list[verifications.Candidate]:
        return verifications.candidates(self.db, repository_keys)

    def stored_report(self, new_since: str | None = None, listed_only: bool = False) -> ScanReport:
        return queries.stored_report(self.db, self.path, new_since, listed_only)


def open_existing(path: Path) -> Store:
    """The datastore at ``path``; a usage error when there is none."""
    if not Path(path).is_file():
        raise UsageError(f"no datastore at {path} (credsprawl sweep --datastore {path} makes one)")
    return Store(Path(path))
