"""Every shipped rule's examples are found and its negatives are not, through the full engine."""

from __future__ import annotations

import pytest

from scanner.pipeline.engine import Engine, EngineSettings
from scanner.match.backends import hyperscan_available
from scanner.rules.check import check_example, check_negative
from scanner.rules.load import load_rules

RULESET = load_rules()
BACKENDS = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])
ENGINES = {name: Engine(RULESET, EngineSettings(engine=name)) for name in BACKENDS}

EXAMPLES = [
    pytest.param(rule, ex.text, ex.secret, id=f"{rule.id}-ex{i}")
    for rule in RULESET.rules
    for i, ex in enumerate(rule.examples)
]
NEGATIVES = [
    pytest.param(rule, text, id=f"{rule.id}-neg{i}") for rule in RULESET.rules for i, text in enumerate(rule.negatives)
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("rule", "text", "secret"), EXAMPLES)
def test_example_is_found(rule, text, secret, backend):
    assert check_example(ENGINES[backend], rule, text, secret) is None


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("rule", "text"), NEGATIVES)
def test_negative_is_not_found(rule, text, backend):
    assert check_negative(ENGINES[backend], rule, text) is None


def test_hyperscan_is_the_default_where_installed():
    from scanner.settings import resolve_engine

    assert resolve_engine("auto") == ("hyperscan" if hyperscan_available() else "ahocorasick")


def test_every_rule_has_examples_and_negatives():
    assert all(r.examples and r.negatives for r in RULESET.rules)


def test_ids_are_unique():
    ids = [r.id for r in RULESET.rules]
    assert len(ids) == len(set(ids))
