"""Many findings stay linear: in the work of resolving overlapping matches, and in the report's size."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from conftest import run_cli
from scanner.match import matcher
from scanner.match.matcher import RawMatch
from scanner.model import Confidence, Validation
from scanner.rules.load import load_rules


class _Counted(RawMatch):
    """A match that counts how often its span is read: the work of comparing it with others."""

    reads = 0

    def __getattribute__(self, name: str):  # type: ignore[no-untyped-def]
        if name in ("start", "end"):
            _Counted.reads += 1
        return super().__getattribute__(name)


def _reads_for(copies: int) -> int:
    rules = tuple(SimpleNamespace(rule=rule) for rule in load_rules().rules)  # what the matcher compiled
    specific = next(i for i, r in enumerate(rules) if not r.rule.generic)
    generic = next(i for i, r in enumerate(rules) if r.rule.generic)
    found = []
    for k in range(copies):  # one line per copy: a specific match and a generic one on the same text
        start = k * 60 + 10
        for rule in (specific, generic):
            found.append(_Counted(rule_index=rule, start=start, end=start + 40, secret="s",
                                  confidence=Confidence.HIGH, entropy=4.0, validation=Validation.UNCHECKED))
    _Counted.reads = 0
    kept = matcher._resolve_overlaps(found, rules)  # type: ignore[arg-type]
    assert len(kept) == copies  # every generic match loses to its specific one
    return _Counted.reads


def test_overlap_resolution_is_linear_in_the_matches() -> None:
    small, big = _reads_for(1000), _reads_for(4000)
    assert big < 6 * small, (small, big)  # quadratic work would be 16 times


def _json_size(tmp_path: Path, gh: str, copies: int) -> tuple[int, int]:
    target = tmp_path / f"copies{copies}.env"
    target.write_text("".join(f'token_{i} = "{gh}"\n' for i in range(copies)))
    proc = run_cli("scan", str(target), "-q", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    return len(proc.stdout), len(json.loads(proc.stdout)["findings"])


def test_report_grows_linearly_with_copies_of_one_secret(tmp_path: Path, gh: str) -> None:
    small, n_small = _json_size(tmp_path, gh, 1000)
    big, n_big = _json_size(tmp_path, gh, 4000)
    assert (n_small, n_big) == (1000, 4000)
    assert 3.5 < big / small < 4.5, (small, big)


def _sarif_size(tmp_path: Path, gh: str, copies: int) -> tuple[int, int]:
    target = tmp_path / f"copies{copies}.env"
    target.write_text("".join(f'token_{i} = "{gh}"\n' for i in range(copies)))
    proc = run_cli("scan", str(target), "-q", "-f", "sarif")
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    return len(proc.stdout), sum(1 + len(r.get("relatedLocations", ())) for r in log["runs"][0]["results"])


def test_sarif_grows_linearly_with_copies_of_one_secret(tmp_path: Path, gh: str) -> None:
    """Each copy's result used to carry 50 related locations (30,000 copies: a 1 GB file); now the first
    occurrence lists the others and each later one points back to it."""
    small, places_small = _sarif_size(tmp_path, gh, 1000)
    big, places_big = _sarif_size(tmp_path, gh, 4000)
    assert places_small < 2 * 1000 + 50 and places_big < 2 * 4000 + 50
    assert 3.5 < big / small < 4.5, (small, big)
