"""The scan walks, plans and scans at once with several workers; the report is the one a single
process gives, whatever order the workers finish in."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

from conftest import scan_json
from fixtures import fakecreds


def test_streamed_scan_with_two_workers_equals_one_process(tmp_path: Path, rng: random.Random) -> None:
    # enough files for several batches, secrets spread over them, a binary file, a symlink and an
    # archive among them: walk skips, planning and scanning all interleave
    planted = []
    for i in range(700):
        folder = tmp_path / f"pkg{i % 7}" / f"mod{i % 13}"
        folder.mkdir(parents=True, exist_ok=True)
        text = f"def f{i}():\n    return {i}\n"
        if i % 97 == 0:
            token = fakecreds.github_token(rng)
            planted.append(token)
            text += f"TOKEN = '{token}'\n"
        (folder / f"m{i}.py").write_text(text)
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "link.py").symlink_to(tmp_path / "pkg0" / "mod0" / "m0.py")
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as zf:
        token = fakecreds.github_token(rng)
        planted.append(token)
        zf.writestr("conf/app.env", f"GITHUB_TOKEN={token}\n")

    code1, one = scan_json(str(tmp_path), "--jobs", "1", "--show-secrets")
    code2, two = scan_json(str(tmp_path), "--jobs", "2", "--show-secrets")
    assert code1 == code2 == 1
    assert two["findings"] == one["findings"]
    assert {f["secret"] for f in two["findings"]} == set(planted)
    assert two["summary"]["skipped"] == one["summary"]["skipped"]
    assert {s["reason"] for s in two["summary"]["skipped"]} >= {"binary", "symlink"}
    assert two["summary"]["files_scanned"] == one["summary"]["files_scanned"] >= 701


def test_outcome_folds_in_order_and_counts_every_unit() -> None:
    from scanner.pipeline.outcome import Outcome
    from scanner.pipeline.route import ContentScan
    from scanner.results import Skip

    quiet = Outcome.of(ContentScan(files=1, bytes_scanned=10))
    warned = Outcome.of(ContentScan(warnings=("b: odd",), files=1, bytes_scanned=7))
    unreadable = Outcome(skips=(Skip("c", "unreadable", "denied"),))
    archive = Outcome.of(ContentScan(skips=(Skip("d!x", "binary"),), files=3, bytes_scanned=30))
    first = Outcome.folded([quiet, warned, quiet, unreadable])
    assert (first.warnings, first.skips) == (("b: odd",), (Skip("c", "unreadable", "denied"),))
    assert (first.scanned, first.bytes_scanned) == (3, 27)
    both = Outcome.folded([first, Outcome.folded([archive, quiet, unreadable])])
    assert both.skips == (Skip("c", "unreadable", "denied"), Skip("d!x", "binary"), Skip("c", "unreadable", "denied"))
    assert (both.scanned, both.bytes_scanned) == (7, 67)
    # a file cut into slices that all failed is one skip, named by one warning
    summary = both.with_skip_warnings().summary(1.0)
    assert summary.skipped == (Skip("c", "unreadable", "denied"), Skip("d!x", "binary"))
    assert summary.warnings == ("b: odd", Skip("c", "unreadable", "denied").warning())
