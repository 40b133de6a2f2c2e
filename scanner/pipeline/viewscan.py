"""The pipeline's scans of the views sources make of a blob: a notebook's texts, a CI log without
its timestamps, a binary's printable strings, a keystore or a DER certificate found by its structure.
Sources make the views and lead findings back to the original; only the pipeline runs the Engine
(and its filters), and every text view gets its document facts (``Engine.scan_document``)."""

from __future__ import annotations

from scanner.model import Blob, Finding, Origin
from scanner.pipeline.engine import BlobScan, Engine
from scanner.sources import binstrings, cilogs, credfiles, notebooks
from scanner.sources.views import relocate


def scan_notebook(engine: Engine, blob: Blob) -> BlobScan | None:
    """Findings in the notebook's texts at file positions; None when it is not a notebook after all."""
    view = notebooks.notebook_view(blob)
    if view is None:
        return None
    findings: list[Finding] = []
    warnings: list[str] = []
    total = 0
    for segment in view.segments:
        data = view.data(segment)
        total += len(data)
        scan = engine.scan_document(data, blob.origin)
        warnings.extend(scan.warnings)
        findings.extend(view.place(segment, data, scan.findings))
    return BlobScan(tuple(findings), tuple(warnings), total)


def scan_log(engine: Engine, blob: Blob, fmt: str) -> BlobScan:
    """A CI log: findings on the original lines, masked values dropped."""
    view, origin = cilogs.log_view(blob, fmt)
    scan = engine.scan_document(view.data, origin)
    return BlobScan(relocate(scan.findings, view, blob.data, keep=cilogs.unmasked), scan.warnings,
                    scan.bytes_scanned, scan.skipped)


def scan_strings(engine: Engine, blob: Blob, min_length: int = binstrings.MIN_LENGTH) -> BlobScan:
    """The printable strings of a binary, findings at their byte offsets (``offset`` fact)."""
    view = binstrings.strings_view(blob.data, min_length)
    scan = engine.scan_document(view.data, blob.origin)
    found = relocate(scan.findings, view, blob.data, context_from_view=True,
                     extra=lambda f, start: (("offset", str(start)),))
    return BlobScan(found, scan.warnings, scan.bytes_scanned, scan.skipped)


def scan_credential_file(engine: Engine, data: bytes, origin: Origin) -> BlobScan | None:
    """A keystore or a DER certificate (by name, then content) as a scan holding its finding, kept by
    the engine's filters; "binary" skipped when it is not one or a filter drops it; None for any other name."""
    path = origin.path.lower()
    if not path.endswith(credfiles.SUFFIXES):
        return None
    finding = credfiles.binary_finding(data, origin, engine.ruleset.by_id)
    if finding is None or not engine.settings.filter.keeps(finding, (finding.line_text,)):
        return BlobScan(skipped="binary")
    return BlobScan((finding,), (), len(data))
