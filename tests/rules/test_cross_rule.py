"""No rule reports anything on another rule's examples, except pairs (a ``companion`` either way) and
the rows of the overlap table in rules/README.md; and no row of that table is stale. Iterates over
every shipped rule, so rule files added later are held to it too."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from pathlib import Path

import pytest

from scanner.model import Origin
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.rules.load import default_rules_dir, load_rules

RULES = load_rules()
BY_ID = {r.id: r for r in RULES.rules}
_ROW = re.compile(r"^\| `([\w.-]+)` \| ((?:`[\w.-]+`(?:, )?)+) \| (.+) \|$")


def overlap_table() -> dict[str, set[str]]:
    """The README's rows: rule -> the rules allowed to report on its examples."""
    text = (Path(default_rules_dir()) / "README.md").read_text(encoding="utf-8")
    section = text.split("## Overlaps and pairs", 1)[1]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        m = _ROW.match(line)
        if m:
            assert m.group(1) not in table, f"two rows for {m.group(1)}"
            table[m.group(1)] = set(re.findall(r"`([\w.-]+)`", m.group(2)))
    return table


def paired(a: str, b: str) -> bool:
    ra, rb = BY_ID[a], BY_ID[b]
    return bool((ra.companion and ra.companion.rule == b) or (rb.companion and rb.companion.rule == a))


@functools.cache
def cross_findings() -> dict[str, set[str]]:
    """Rule -> the other rules that report something on its examples (pairs left out)."""
    engine = Engine(RULES, EngineSettings(engine="ahocorasick"))
    out: dict[str, set[str]] = defaultdict(set)
    for rule in RULES.rules:
        for example in rule.examples:
            for f in engine.scan_bytes(example.text.encode("utf-8"), Origin("<example>")).findings:
                if f.rule_id != rule.id and not paired(rule.id, f.rule_id):
                    out[rule.id].add(f.rule_id)
    return dict(out)


def test_the_table_names_shipped_rules_only() -> None:
    for rule, others in overlap_table().items():
        assert rule in BY_ID, f"rules/README.md overlap table: unknown rule {rule}"
        for other in others:
            assert other in BY_ID, f"rules/README.md overlap table: unknown rule {other} (row {rule})"


def test_no_rule_fires_on_another_rules_examples_unless_listed() -> None:
    table = overlap_table()
    unlisted = {rule: sorted(others - table.get(rule, set())) for rule, others in cross_findings().items()}
    unlisted = {rule: others for rule, others in unlisted.items() if others}
    assert not unlisted, ("rules report on other rules' examples; fix the rule, or list the pair in "
                          f"rules/README.md 'Overlaps and pairs' with the reason: {unlisted}")


def test_no_row_of_the_table_is_stale() -> None:
    found = cross_findings()
    stale = {rule: sorted(others - found.get(rule, set())) for rule, others in overlap_table().items()}
    stale = {rule: others for rule, others in stale.items() if others}
    assert not stale, f"rows of rules/README.md 'Overlaps and pairs' no example needs: {stale}"


@pytest.mark.parametrize("text", [
    "| `a` | `b` | why |", "| `github-pat` | `generic-token`, `generic-secret` | the example holds both |",
])
def test_the_row_syntax(text: str) -> None:
    assert _ROW.match(text)
