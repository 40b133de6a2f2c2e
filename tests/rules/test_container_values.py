"""A Kubernetes Secret's values are left to a provider rule only where that rule reports them: for every
generated token whose prefix the kubernetes rules' allow list names, the token base64-encoded under
``data:`` and plain under ``stringData:`` is reported by its own rule, with each prefilter backend."""

from __future__ import annotations

import base64
import functools
import random

import pytest

from fixtures import fakecreds as fc
from scanner.match.backends import hyperscan_available
from scanner.model import Origin
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.rules.load import load_rules

RULES = load_rules()
BACKENDS = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])
ALLOWED = RULES.by_id["kubernetes-secret-data"].allow


@functools.cache
def engine(backend: str) -> Engine:
    return Engine(RULES, EngineSettings(engine=backend))


def _left_to_provider(value: str) -> bool:
    import regex

    return any(regex.search(a, value) for a in ALLOWED)


def _tokens() -> list[tuple[str, str]]:
    """(rule id, token) for three tokens of every generator whose tokens the allow list names."""
    rng = random.Random(21)
    out = []
    for rule_id, generate in sorted(fc.ALL_GENERATORS.items()):
        if rule_id not in RULES.by_id:
            continue
        for _ in range(3):
            value = generate(rng)
            if "\n" not in value and _left_to_provider(value):
                out.append((rule_id, value))
    return out


TOKENS = _tokens()


def test_the_allow_list_covers_the_providers_it_names() -> None:
    named = {rule_id for rule_id, _ in TOKENS}
    assert {"jfrog-api-key", "jfrog-reference-token", "google-api-key", "pypi-token", "github-pat-classic",
            "jwt", "grafana-api-key"} <= named
    assert "miro-access-token" not in named  # eyJ, but no JWT: kubernetes-secret-data reports it


MANIFEST = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci-credentials\ntype: Opaque\n{section}:\n  credential: {value}\n"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("section", ["data", "stringData"])
def test_a_token_left_to_its_provider_rule_is_reported_by_it(backend: str, section: str) -> None:
    missed = []
    for rule_id, token in TOKENS:
        value = base64.b64encode(token.encode()).decode() if section == "data" else token
        text = MANIFEST.format(section=section, value=value)
        found = engine(backend).scan_bytes(text.encode(), Origin("secret.yaml")).findings
        if not any(f.rule_id == rule_id and f.secret == token for f in found):
            missed.append((rule_id, token[:12], sorted(f.rule_id for f in found)))
    assert not missed
