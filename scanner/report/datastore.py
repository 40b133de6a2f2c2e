"""A sweep datastore's findings and certificates in the JSON report's shapes (``credsprawl report
--datastore``): the store gives a report, the JSON reporter shapes it (the store never imports report)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.report.json_report import certificate_object, finding_object
from scanner.store.db import open_existing


def load_finding_objects(path: Path, new_since: str | None = None) -> list[dict[str, Any]]:
    """Every finding in the datastore at ``path``, in the JSON report's finding shape (secrets
    redacted; ``origin[0].extra`` holds the git attribution plus ``repository`` and ``repository_url``).

    ``new_since`` keeps only findings first recorded after it: an ISO date or time (UTC unless it
    names a zone), or a sweep id (findings first recorded by a later sweep). A finding is one secret
    at one path of one repository; it stays as new as when it was first recorded, however often
    the repository is swept again.

    ``verification`` holds what the credential's provider said when a ``sweep --verify`` last asked
    (``checked_at`` says when), else null.
    """
    with open_existing(path) as store:
        report = store.stored_report(new_since)
        said = store.verifications(sorted({f.fingerprint for f in report.findings}))
    counts = {fp: len(found) for fp, found in report.occurrences().items()}
    out = []
    for f in report.findings:
        obj = finding_object(f, report, True, counts[f.fingerprint])
        stored = said.get(f.fingerprint)
        obj["verification"] = stored.to_json() if stored is not None else None
        out.append(obj)
    return out


def load_certificate_objects(path: Path, new_since: str | None = None) -> list[dict[str, Any]]:
    """Every certificate the sweeps saw (listed, never counted as findings), in the JSON report's
    certificate shape (``origin[0].extra`` as for findings); ``new_since`` as for
    :func:`load_finding_objects`."""
    with open_existing(path) as store:
        return [certificate_object(f) for f in store.stored_report(new_since, listed_only=True).inventory]
