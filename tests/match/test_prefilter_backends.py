"""Both prefilter backends find the same things; the shipped rules' Hyperscan database is cached on disk
(``rules.hscache``) and handed to the backend."""

from __future__ import annotations

import base64
import os
import random
from pathlib import Path

import pytest

from fixtures import fakecreds
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.match.backends import hyperscan_available
from scanner.match.prefilter import AhoCorasickPrefilter
from scanner.model import Origin
from scanner.rules.load import load_rules

pytestmark = pytest.mark.skipif(not hyperscan_available(), reason="hyperscan has no wheel for this platform")

RULES = load_rules()


def _prefilter(rules, **kwargs):  # type: ignore[no-untyped-def]
    """The Hyperscan backend as the engine builds it: with the shipped rules' database."""
    from scanner.match.hyperscan_backend import HyperscanPrefilter
    from scanner.rules.hscache import shipped_database

    return HyperscanPrefilter(rules, prebuilt=shipped_database(), **kwargs)


def _mixed_document(rng: random.Random) -> str:
    """Code with planted credentials in plain, base64, percent-encoded and escaped forms."""
    lines: list[str] = []
    names = sorted(fakecreds.GENERATORS)
    for i in range(120):
        lines.append(f"def handler_{i}(request):\n    token = request.headers.get('Authorization')\n")
        name = names[i % len(names)]
        value = fakecreds.GENERATORS[name](rng)
        form = i % 4
        if form == 0:
            lines.append(f"{name.upper().replace('-', '_')} = {value!r}\n")
        elif form == 1:
            lines.append(f"blob: {base64.b64encode(f'key={value}'.encode()).decode()}\n")
        elif form == 2:
            lines.append("url = 'https://h.test/cb?v=%22" + value.replace("\n", "%0A") + "%22'\n")
        else:
            lines.append('{"v": "\\u0022' + value.replace("\n", "\\n") + '\\u0022"}\n')
    return "".join(lines)


def test_backends_give_identical_findings_on_mixed_content() -> None:
    text = _mixed_document(random.Random(5)).encode()
    results = {}
    for backend in ("ahocorasick", "hyperscan"):
        engine = Engine(RULES, EngineSettings(engine=backend))
        results[backend] = [
            (f.rule_id, f.start_line, f.start_column, f.end_line, f.end_column, f.fingerprint, f.decoded)
            for f in engine.scan_bytes(text, Origin("mixed.py")).findings
        ]
    assert len(results["ahocorasick"]) >= 60
    assert results["ahocorasick"] == results["hyperscan"]


def test_hyperscan_searches_rules_with_common_keywords_as_whole_patterns() -> None:
    from scanner.match.hyperscan_backend import common_keywords

    prefilter = _prefilter(RULES.rules)
    common = {i for i, r in enumerate(RULES.rules) if common_keywords(r)}
    assert len(prefilter.pattern_rules) >= 0.9 * len(common)
    assert prefilter.pattern_rules <= common
    assert RULES.rules.index(RULES.by_id["generic-password"]) in prefilter.pattern_rules


def test_sparse_scan_gives_the_decoders_what_a_full_scan_does() -> None:
    """The trigger-gated decodes are those of every keyword hit: same candidates, same order."""
    from scanner.match import decoders

    prefilter = _prefilter(RULES.rules)
    rng = random.Random(7)
    text = _mixed_document(rng) + (
        'key = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"\n{\\"password\\": \\"hunter2hunter2\\"}\n'
        '<div data-x="{&quot;token&quot;: &quot;abc123abc123&quot;}"></div>\nurl=a%3Ab%2Fc?token=x%40y\n')
    full = prefilter.scan(text)
    sparse = prefilter.scan_sparse(text)
    assert sparse.sparse is not None
    want = list(decoders.candidates(text, full.base64, full.keywords))
    got = list(decoders.candidates(text, sparse.base64, sparse.keywords, sparse.sparse))
    assert want == got and {run.name for run in want} >= {"concat", "json-escape", "html-entity", "percent"}
    for index in sparse.candidates:
        assert sorted(sparse.sparse.rule_ends(index)) == sorted(full.by_rule.get(index, []))


def test_database_is_cached_and_a_broken_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.rules.hscache import cached_database

    monkeypatch.setenv("CREDSPRAWL_CACHE_DIR", str(tmp_path))
    subset = RULES.rules[:12]
    first = cached_database(subset)
    [path] = [p for p in tmp_path.iterdir() if p.name.startswith("hs-")]
    assert path.stat().st_size > 0
    stamp = path.stat().st_mtime_ns
    second = cached_database(subset)  # loads, does not rebuild
    assert path.stat().st_mtime_ns == stamp
    assert second.pattern_rules == first.pattern_rules and second.entries == first.entries
    sample = ("x " + " ".join(r.examples[0].text for r in subset) + "\n").encode()
    seen = {}
    for name, part in (("first", first), ("second", second)):
        ends: list[tuple[int, int]] = []
        part.db.scan(sample, match_event_handler=lambda i, a, b, f, c, ends=ends: ends.append((i, b)))
        seen[name] = sorted(ends)
    assert seen["first"] == seen["second"] and seen["first"]
    path.write_bytes(b"not a database")
    third = cached_database(subset)
    assert third.entries == first.entries


def test_disabling_rules_reuses_the_shipped_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.rules.hscache import shipped_database

    victim = RULES.rules[0].id
    full = _prefilter(RULES.rules)
    fewer = RULES.without([victim])
    reduced = _prefilter(fewer.rules)
    assert reduced._parts[0].db is full._parts[0].db is shipped_database().database.db
    text = "".join(ex.text + "\n" for ex in RULES.rules[0].examples)
    assert 0 in full.scan(text).by_rule or 0 in full.scan(text).candidates
    ids_hit = {fewer.rules[i].id for i in reduced.scan(text).by_rule}
    assert victim not in ids_hit


def test_user_rules_do_not_invalidate_the_shipped_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.rules.hscache import shipped_database

    monkeypatch.setenv("CREDSPRAWL_CACHE_DIR", str(tmp_path))
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[rules]]\nid = "acme-token"\nname = "Acme"\nkind = "token"\nprovider = "acme"\nseverity = "low"\n'
        'confidence = "high"\nkeywords = ["acme_"]\nregex = \'\'\'\\b(?P<secret>acme_[a-z0-9]{16})\\b\'\'\'\n'
        'negatives = ["acme_x"]\nexamples = [{text = "acme_k3j4h5g6f7d8s9a0", secret = "acme_k3j4h5g6f7d8s9a0"}]\n'
    )
    Engine(RULES, EngineSettings(engine="hyperscan"))
    before = sorted(p.name for p in tmp_path.iterdir())
    with_extra = load_rules(extra=[extra])
    engine = Engine(with_extra, EngineSettings(engine="hyperscan"))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    parts = engine.matcher.prefilter._parts  # type: ignore[attr-defined]
    assert parts[0].db is shipped_database().database.db and len(parts) == 2  # shipped, then the user's rule
    [f] = engine.scan_bytes(b"k = acme_k3j4h5g6f7d8s9a0\n", Origin("a")).findings
    assert f.rule_id == "acme-token"


def test_keyword_hits_agree_between_backends() -> None:
    rules = [r for r in RULES.rules]
    text = "".join(ex.text + "\n" for r in rules for ex in r.examples)
    ac = AhoCorasickPrefilter(rules).scan(text)
    hs = _prefilter(rules).scan(text)
    assert sorted(set(ac.keywords)) == sorted(set(hs.keywords))
    assert sorted(set(ac.base64)) == sorted(set(hs.base64))
    assert {i: sorted(e) for i, e in ac.by_rule.items()} == {i: sorted(e) for i, e in hs.by_rule.items()}
    assert ac.candidates == {} and hs.candidates


def test_a_rule_unlike_the_shipped_one_of_its_id_is_searched_on_its_own() -> None:
    """The shipped database serves only rules defined as it was compiled for: a rule under a shipped
    id with other keywords (or another pattern) is searched by its own keywords."""
    from dataclasses import replace

    index = RULES.rules.index(RULES.by_id["generic-password"])
    changed = list(RULES.rules)
    changed[index] = replace(changed[index], keywords=(*changed[index].keywords, "zqzqzq"))
    prefilter = _prefilter(changed)
    assert index not in prefilter.pattern_rules and len(prefilter._parts) == 2
    assert prefilter.scan("x = zqzqzq\n").by_rule == {index: [10]}


def test_the_line_trigger_flags_every_line_a_line_decode_can_change() -> None:
    """The Hyperscan ``line`` trigger (a pattern and the literals entities end with) reports a match
    on every line where the decoders' own regexes find a concatenation, an escaped quote or an entity,
    whatever the blanks, zeros and case."""
    pytest.importorskip("hyperscan")
    from scanner.match import decoders

    prefilter = _prefilter(RULES.rules)
    lines = ['a = "sk_" + "x"', "b = 'p' .\t'q'", "c = 'r'&'s'", "d = 'u'  ||  'v'", 'e = {\\"k\\": \\"v\\"}',
             'f: \\"v\\"', "g = &quot;v&quot;", "h = &apos;", "i = &amp;", "j = &#34;", "k = &#0000034;", "l = &#39;",
             "m = &#039;", "n = &#x22;", "o = &#X0022;", "p = &#x27;", "q = &#X027;"]
    text = "\n".join(f"{line}\nfiller line {n}" for n, line in enumerate(lines)) + "\n"
    sparse = prefilter.scan_sparse(text).sparse
    assert sparse is not None
    flagged = {text.count("\n", 0, end - 1) for end in sparse.lines}
    for n, line in enumerate(lines):
        start = text.index(line)
        assert (decoders._CONCAT.search(line) or decoders._ESCAPE_TRIGGER.search(line)
                or decoders._ENTITY_TRIGGER.search(line)), line  # a line the decoders change
        assert text.count("\n", 0, start) in flagged, line
    assert not {text.count("\n", 0, end - 1) for end in sparse.lines} & {2 * n + 1 for n in range(len(lines))}
