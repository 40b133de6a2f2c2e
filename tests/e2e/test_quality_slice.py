"""A slice of the labeled quality corpus (fixtures/quality) through the engine, with both prefilter
backends: recall and precision stay at target, and the backends agree. The full corpus and the
comparison with gitleaks are in bench/quality.py."""

from __future__ import annotations

import pytest

from fixtures.quality import build
from fixtures.quality.scoring import Hit, score
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.match.backends import hyperscan_available
from scanner.model import Origin
from scanner.rules.load import load_rules

TARGET = 0.97
BACKENDS = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])
RULES = load_rules()


@pytest.fixture(scope="module")
def corpus():
    return build(seed=7, repeats=1, docs_limit=60)


def _hits(corpus, backend: str) -> list[Hit]:
    engine = Engine(RULES, EngineSettings(engine=backend))
    hits = []
    for path, data in sorted(corpus.files.items()):
        for f in engine.scan_bytes(data, Origin(path)).findings:
            hits.append(Hit(path, f.start_line, f.end_line, f.rule_id))
    return hits


def test_the_slice_is_varied(corpus) -> None:
    s = corpus.summary()
    assert s["secrets"] >= 80 and s["types"] >= 60 and s["negatives"] >= 60 and s["formats"] >= 20
    forms = {lb.kind for lb in corpus.labels if lb.role == "secret"}
    assert {"plain", "base64"} <= forms and len(forms) >= 4
    assert any(data.startswith(b"\xff\xfe") for data in corpus.files.values())  # UTF-16 files


@pytest.mark.parametrize("backend", BACKENDS)
def test_recall_and_precision_stay_at_target(corpus, backend) -> None:
    result = score("credsprawl", _hits(corpus, backend), corpus.labels)
    missed = [f"{lb.type} ({lb.kind}) {lb.path}:{lb.line}" for i, lb in enumerate(corpus.labels)
              if lb.role == "secret" and not result.found.get(i)]
    false = [f"{h.rule} {h.path}:{h.start} ({lb.kind if lb else 'unlabeled'})" for h, lb in result.false_positives]
    assert result.recall(corpus.labels) >= TARGET, missed
    assert result.precision(corpus.labels) >= TARGET, false


def test_backends_find_the_same(corpus) -> None:
    if len(BACKENDS) < 2:
        pytest.skip("hyperscan has no wheel for this platform")
    assert _hits(corpus, "ahocorasick") == _hits(corpus, "hyperscan")


def test_the_corpus_is_deterministic() -> None:
    one, two = build(seed=3, repeats=1, docs_limit=10), build(seed=3, repeats=1, docs_limit=10)
    assert one.files == two.files and one.labels == two.labels
