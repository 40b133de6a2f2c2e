"""The whole pattern's source (``match.secretgroup.prefilter_source``): a rule's secret group written
without lookarounds (``prefilter_secret``) for the whole-pattern prefilter, which drops them, and the
regex from its ``key`` group on. It must match at least what the regex matches, with the same ends
(``rules check`` proves it on every example); it lets the prefilter pass over template values the
regex then rejects, and anchors on the keyword instead of every line start."""

from __future__ import annotations

import pytest

from scanner.errors import RuleError
from scanner.match.secretgroup import from_key, prefilter_source, with_secret
from scanner.rules.check import check_prefilter_source
from scanner.rules.load import build_rule, load_rules

RULES = load_rules()
WITH = [r for r in RULES.rules if r.prefilter_secret is not None]
CUT = [r for r in RULES.rules if from_key(r.regex) != r.regex]


def _raw(**extra: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "id": "demo-token", "name": "Demo", "kind": "api-key", "provider": "demo", "severity": "high",
        "confidence": "high", "keywords": ["demo_token"],
        "regex": "(?x) demo_token [ \\t]*=[ \\t]* (?P<secret>(?![$%{])[A-Za-z0-9]{16}) # a value\n",
        "negatives": ["demo_token = ${DEMO}"],
        "examples": [{"text": "demo_token = 0123456789012345", "secret": "0123456789012345"}],
    }
    raw.update(extra)
    return raw


def test_the_secret_group_body_is_replaced_whatever_it_holds() -> None:
    pattern = "(?xm)\n  ^k=(?P<secret>(?!\\()[a-z(]{2}(?:x|\\))[)\\]]) # a comment (with a paren\n  $"
    assert with_secret(pattern, "B") == "(?xm)\n  ^k=(?P<secret>B) # a comment (with a paren\n  $"
    assert with_secret("a(?P<secret>(x)(y))b", "[0-9]+") == "a(?P<secret>[0-9]+)b"
    with pytest.raises(ValueError):
        with_secret("a(?P<key>x)", "y")
    with pytest.raises(ValueError):
        with_secret("a(?P<secret>(x)", "y")


def test_a_body_with_lookarounds_or_that_breaks_the_regex_is_refused() -> None:
    assert build_rule(_raw(prefilter_secret="[A-Za-z0-9]{16}"), "t.toml").prefilter_secret == "[A-Za-z0-9]{16}"
    with pytest.raises(RuleError, match="lookarounds"):
        build_rule(_raw(prefilter_secret="(?![$%{])[A-Za-z0-9]{16}"), "t.toml")
    with pytest.raises(RuleError, match="does not fit"):
        build_rule(_raw(prefilter_secret="[A-Z"), "t.toml")


def test_check_reports_a_body_that_misses_what_the_regex_matches() -> None:
    rule = build_rule(_raw(prefilter_secret="[0-9]{16}"), "t.toml")
    assert check_prefilter_source(rule, "demo_token = 0123456789012345") is None
    msg = check_prefilter_source(rule, "demo_token = AbCdEfGh01234567")
    assert msg is not None and "AbCdEfGh01234567" in msg


def test_the_pattern_is_cut_at_a_key_group_every_match_passes_through() -> None:
    verbose = "(?xm)\n  ^[ \t]*+(?:export[ \t]+)? # a comment (with a paren\n  (?P<key>\\w*token)=(?P<secret>\\w+)$"
    assert from_key(verbose) == "(?xm)(?P<key>\\w*token)=(?P<secret>\\w+)$"
    assert from_key("(?<![\\w.-])(?:a|b)?(?P<key>x)y") == "(?P<key>x)y"
    assert from_key("(?P<key>x)y") == "(?P<key>x)y"
    # the key group inside another group, or on one branch of a top-level alternation: unchanged
    for kept in ("(?:a(?P<key>x)|b)y", "a|b(?P<key>x)y", "(?i:a(?P<key>x))y", "a(?P<secret>x)",
                 "(?P<q>')?(?P<key>x)(?P=q)"):
        assert from_key(kept) == kept, kept
    # a "|" or a paren in a class, an escape or a verbose comment does not count, nor a key group
    # written in a comment
    assert from_key("[|(]\\((?P<key>x)y") == "(?P<key>x)y"
    assert from_key("(?x)a # not (?P<key>here)\n(?P<key2>x)") == "(?x)a # not (?P<key>here)\n(?P<key2>x)"
    assert prefilter_source("(?m)^k (?P<key>t)=(?P<secret>(?!\\$)\\w+)$", "\\w+") == "(?m)(?P<key>t)=(?P<secret>\\w+)$"


def test_shipped_bodies_match_every_example_and_negative_their_regex_matches() -> None:
    assert {r.id for r in WITH} >= {"generic-password-unquoted", "generic-token-unquoted", "generic-secret-unquoted"}
    assert {r.id for r in CUT} >= {r.id for r in WITH}
    for rule in WITH + [r for r in CUT if r not in WITH]:
        for text in [e.text for e in rule.examples] + list(rule.negatives):
            assert check_prefilter_source(rule, text) is None, (rule.id, text)


def test_template_values_leave_no_candidate_and_a_real_value_does() -> None:
    pytest.importorskip("hyperscan")
    from scanner.match.hyperscan_backend import HyperscanPrefilter
    from scanner.rules.hscache import shipped_database

    prefilter = HyperscanPrefilter(RULES.rules, prebuilt=shipped_database())
    index = next(i for i, r in enumerate(RULES.rules) if r.id == "generic-password-unquoted")
    assert index in prefilter.pattern_rules
    templates = ("SMTP_PASSWORD=${SMTP_PASSWORD}\npassword = %(DB_PASSWORD)s\n"
                 "spring.datasource.password=${DB_PASSWORD}\n  password = var.cart_password\n")
    assert index not in prefilter.scan_sparse(templates).candidates
    real = templates + "DB_PASSWORD=Qx7!vR2#mLp9\n"
    assert index in prefilter.scan_sparse(real).candidates
