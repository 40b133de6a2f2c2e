"""Triage in and out: JSON and CSV for ticketing, and the baseline file both ways.

Triage's false positives and accepted risks and a baseline's marks are one list: ``to_baseline``
writes each such credential as a marked entry scoped to the paths and repositories it is known at
(an accepted risk past its expiry date is left out: a baseline has no expiry), and
``from_baseline`` takes a baseline's marks as states (its unmarked entries are no judgement and are
skipped, as are fingerprints this datastore does not hold).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, replace
from typing import Any, Sequence, TextIO

from scanner.errors import UsageError
from scanner.filters.baseline import Baseline, Entry
from scanner.report.escape import csv_cell, deep_no_surrogates
from scanner.store.db import Store
from scanner.store.schema import now, transaction
from scanner.triage.queries import Filters, credentials, locations
from scanner.triage.states import Change
from scanner.triage.writes import apply_state

CSV_COLUMNS = ("fingerprint", "rule_id", "rule", "severity", "state", "reason", "expires", "expired", "assignee",
               "first_seen", "occurrences", "repositories", "changed_at", "changed_by")
MARKED = ("false-positive", "accepted-risk")


def write_json(rows: Sequence[dict[str, Any]], out: TextIO) -> None:
    json.dump({"tool": "credsprawl", "credentials": deep_no_surrogates(list(rows))}, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_csv(rows: Sequence[dict[str, Any]], out: TextIO) -> None:
    """One credential a line; every cell through the project's CSV escaping (no formula, no
    workflow command, no cell spanning lines)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = {**row, "repositories": "; ".join(row["repositories"]), "expired": "yes" if row["expired"] else ""}
        writer.writerow([csv_cell("" if cells[c] is None else cells[c]) for c in CSV_COLUMNS])


def to_baseline(store: Store, filters: Filters = Filters()) -> Baseline:
    """The false positives and (unexpired) accepted risks as baseline marks, scoped where they are known."""
    entries = []
    for row in credentials(store, replace(filters, states=MARKED)):
        if row["expired"]:
            continue
        where = locations(store.db, row["fingerprint"])
        paths = tuple(sorted({w["path"] for w in where}))
        repos = tuple(sorted({w["repository"] for w in where}))
        entries.append(Entry(row["fingerprint"], row["rule_id"], paths, row["state"], row["reason"], repos,
                             scope_paths=paths, scope_repositories=repos))
    return Baseline(tuple(entries))


@dataclass(frozen=True)
class Imported:
    changed: int  # credentials whose state was set
    unchanged: int  # already in that state with that reason
    unmarked: int  # entries without a mark: skipped
    unknown: int  # fingerprints this datastore does not hold: skipped


def from_baseline(store: Store, baseline: Baseline, who: str, expires: str | None, source: str) -> Imported:
    """Take a baseline's marks as states, in one transaction. An accepted-risk mark needs ``expires``
    (a baseline holds no expiry date); an empty reason becomes one naming ``source``."""
    if expires is None and any(e.mark == "accepted-risk" for e in baseline.entries):
        raise UsageError(f"{source} marks accepted risks: give their expiry date (--expires 2027-03-31)")
    changed = unchanged = unmarked = unknown = 0
    with transaction(store.db) as db:
        at = now()
        for e in baseline.entries:
            if not e.mark:
                unmarked += 1
                continue
            if db.execute("SELECT 1 FROM findings WHERE fingerprint=?", (e.fingerprint,)).fetchone() is None:
                unknown += 1
                continue
            change = Change.of(e.mark, e.reason or f"marked {e.mark} in baseline {source}",
                               expires if e.mark == "accepted-risk" else None)
            if apply_state(db, e.fingerprint, change, who, at).changed:
                changed += 1
            else:
                unchanged += 1
    return Imported(changed, unchanged, unmarked, unknown)
