"""The blob cache: every blob scanned under a rule set, with its findings, reused by every repository
and fork that holds it.

A blob is keyed by its id and the rule set's id: scanned once per rule set, whatever the number of
repositories that hold it. Its findings are kept redacted and without their outermost origin (the
blob, whose path depends on the repository it was first seen in); ``store_codec.decode_blob`` roots
them at the blob again for attribution.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Sequence

from scanner.model import Finding
from scanner.store import codec as store_codec
from scanner.store.schema import json_values, transaction


@dataclass(frozen=True)
class ScannedBlob:
    """A blob's scan under a rule set, as the blob cache keeps it: its findings redacted and encoded
    without their outermost origin (``store_codec.encode(f, skip_root=True)``; made in the worker)."""

    sha: str
    size: int
    findings: tuple[str, ...] = ()
    binary: bool = False

    @classmethod
    def of(cls, sha: str, size: int, findings: Sequence[Finding], binary: bool = False) -> ScannedBlob:
        return cls(sha, size, tuple(store_codec.encode(f, skip_root=True) for f in findings), binary)


def insert_blobs(db: sqlite3.Connection, blobs: Sequence[ScannedBlob], ruleset_id: int, sweep_id: int) -> None:
    """Record scanned blobs inside the caller's transaction (a blob already known is left as it is)."""
    db.executemany("INSERT OR IGNORE INTO blobs VALUES(?, ?, ?, ?, ?, ?)",
                   [(b.sha, ruleset_id, b.size, len(b.findings), int(b.binary), sweep_id) for b in blobs])
    db.executemany("INSERT OR IGNORE INTO blob_findings VALUES(?, ?, ?, ?)",
                   [(b.sha, ruleset_id, i, text) for b in blobs for i, text in enumerate(b.findings)])


def put_blobs(db: sqlite3.Connection, blobs: Sequence[ScannedBlob], ruleset_id: int, sweep_id: int) -> None:
    """Record scanned blobs (a batch of a large repository) in one transaction."""
    if blobs:
        with transaction(db):
            insert_blobs(db, blobs, ruleset_id, sweep_id)


def known_blobs(db: sqlite3.Connection, shas: Sequence[str], ruleset_id: int) -> dict[str, int]:
    """Of ``shas``, those already scanned under this rule set, with their number of findings."""
    if not shas:
        return {}
    rows = db.execute("SELECT sha, findings FROM blobs WHERE ruleset_id=? AND sha IN "
                      "(SELECT value FROM json_each(?))", (ruleset_id, json_values(shas)))
    return {str(sha): int(n) for sha, n in rows}


def blob_findings(db: sqlite3.Connection, shas: Sequence[str], ruleset_id: int) -> dict[str, tuple[str, ...]]:
    """The stored (encoded) findings of those of ``shas`` that have some; ``store_codec.decode_blob``
    reads them back."""
    if not shas:
        return {}
    found: dict[str, list[str]] = {}
    rows = db.execute("SELECT sha, finding FROM blob_findings WHERE ruleset_id=? AND sha IN "
                      "(SELECT value FROM json_each(?)) ORDER BY sha, idx", (ruleset_id, json_values(shas)))
    for sha, text in rows:
        found.setdefault(sha, []).append(text)
    return {sha: tuple(texts) for sha, texts in found.items()}
