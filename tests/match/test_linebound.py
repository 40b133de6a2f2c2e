"""Line-bound rules are confirmed on candidate lines only; ``deny_key`` drops a match by its name."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import regex

from scanner.pipeline.engine import Engine, EngineSettings
from scanner.errors import RuleError
from scanner.match.linebound import line_bound
from scanner.match.matcher import _candidate_lines
from scanner.match.backends import hyperscan_available
from scanner.model import Origin
from scanner.rules.load import PATTERN_FLAGS, load_file, load_rules

RULES = load_rules()


@pytest.mark.parametrize(
    ("pattern", "bound"),
    [
        (r"(?m)^[ \t]*(?P<secret>\w{8,})[ \t]*$", True),
        (r"[^\n]+", True),
        (r"[^\s\"']{8,}", True),
        (r"\S+(?=\r?$)", True),
        (r"(?P<q>['\"])\w+(?P=q)", True),
        (r"(?i:pass(?:wor)?d)[\w.-]{0,30}+", True),
        (r"a\sb", False),  # \s holds the newline
        (r"a[^x]b", False),
        (r"a.b", True),
        (r"(?s)a.b", False),
        (r"a(?s:.)b", False),
        (r"a(?=[\s\S])", False),  # a lookaround that can see the next line counts too
        (r"a(?!\n)", False),
        (r"\W", False),
        (r"\p{L}+", False),  # regex-only syntax: unsure, so not line-bound
        (r"(?P<x>a)(?(x)b|\n)", False),
    ],
)
def test_line_bound_analysis(pattern: str, bound: bool) -> None:
    assert line_bound(pattern) is bound


def test_line_bound_agrees_with_matching_on_random_text() -> None:
    """For every shipped line-bound rule, matches over a whole text equal those over each line."""
    rng = random.Random(3)
    words = ["password", "token", "secret", "api_key", "=", ": ", " ", "\t", "'", '"', "x9Kq2LmZ81", "\n",
             "export ", "$", "{", "#", "//", "\r\n", "-", "AKIA", "Zq8mN2pXv7", ".", "var."]
    text = "".join(rng.choice(words) for _ in range(20000))
    bound = [c for c in RULES.compiled if c.line_bound]
    assert len(bound) > 100
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    for crule in bound:
        whole = [m.span("secret") for m in crule.pattern.finditer(text)]
        per_line = []
        for a in starts:
            b = text.find("\n", a)
            per_line.extend(m.span("secret") for m in crule.pattern.finditer(text, a, len(text) if b < 0 else b))
        assert whole == per_line, crule.rule.id


def test_candidate_lines_keep_only_lines_where_a_candidate_ends() -> None:
    text = "aaaa\nbbbb password=x\ncccc\ndddd\n"
    line2 = (5, 20)
    # one window over everything; candidates end on line 2 (twice) and at the very end of line 4
    windows = [(0, len(text))]
    assert _candidate_lines(text, windows, [20, 14]) == [line2]
    # a candidate right after a newline keeps the line before it (an end is never past its newline)
    assert _candidate_lines(text, windows, [21]) == [(5, 25)]
    assert _candidate_lines(text, windows, [14, 31]) == [line2, (26, 31)]
    # windows clip the lines; a candidate outside every window is dropped
    assert _candidate_lines(text, [(8, 12)], [10]) == [(8, 12)]
    assert _candidate_lines(text, [(0, 4)], [14]) == []
    assert _candidate_lines(text, windows, None) == []


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan has no wheel for this platform")
def test_generic_unquoted_rules_are_confirmed_on_candidate_lines_with_the_same_findings() -> None:
    rng = random.Random(11)
    lines = []
    for i in range(400):
        value = "".join(rng.choice("abcdefghijkLMNOPQ0123456789_") for _ in range(20))
        lines.append(rng.choice([
            f"DB_PASSWORD={value}", f"  password = var.user_password_{i}", "SMTP_PASSWORD=${SMTP_PASSWORD}",
            f"password_hash = {value}", f"export API_TOKEN={value}", f"client_secret: {value}  # prod",
            f"x = '{value}'", f"secret_key = \"{value}\"", "token:", f"    auth_token: {value}",
        ]))
    data = ("\n".join(lines) + "\n").encode()
    found = {}
    for backend in ("ahocorasick", "hyperscan"):
        engine = Engine(RULES, EngineSettings(engine=backend))
        found[backend] = [(f.rule_id, f.start_line, f.start_column, f.fingerprint)
                          for f in engine.scan_bytes(data, Origin("app.env")).findings]
    assert len(found["ahocorasick"]) > 100
    assert found["ahocorasick"] == found["hyperscan"]
    assert not any(rid.startswith("generic-password") and "password_hash" in lines[line - 1]
                   for rid, line, _c, _f in found["hyperscan"])


def _rule_file(tmp_path: Path, regex_text: str, deny: str | None) -> Path:
    path = tmp_path / "r.toml"
    deny_line = "" if deny is None else f"deny_key = '''{deny}'''\n"
    path.write_text(
        '[[rules]]\nid = "acme-pass"\nname = "Acme"\nkind = "password"\nprovider = "acme"\n'
        'severity = "high"\nconfidence = "medium"\nkeywords = ["pass"]\n'
        f"regex = '''{regex_text}'''\n{deny_line}"
        'negatives = ["pass_hash = Zk3mQ9pLw2Xv"]\nexamples = [{text = "db_pass = Zk3mQ9pLw2Xv", secret = "Zk3mQ9pLw2Xv"}]\n'
    )
    return path


def test_deny_key_drops_a_match_by_its_name(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, r"(?m)^(?P<key>\w*pass\w*)[ \t]*=[ \t]*(?P<secret>\w{8,})$", r"(?i)hash|salt")
    [rule] = load_file(path)
    assert rule.deny_key == r"(?i)hash|salt"
    engine = Engine(load_rules([path]), EngineSettings())
    text = b"db_pass = Zk3mQ9pLw2Xv\npass_hash = Zk3mQ9pLw2Xw\nPASS_SALT = Zk3mQ9pLw2Xx\n"
    assert [f.start_line for f in engine.scan_bytes(text, Origin("a.env")).findings] == [1]


@pytest.mark.parametrize(
    ("regex_text", "deny", "message"),
    [
        (r"(?P<secret>pass\w{8})", "hash", "needs a named group 'key'"),
        (r"(?P<key>pass)=(?P<secret>\w{8})", "(hash", "deny_key does not compile"),
    ],
)
def test_bad_deny_key_is_a_rule_error(tmp_path: Path, regex_text: str, deny: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_file(_rule_file(tmp_path, regex_text, deny))


def test_shipped_generic_rules_keep_their_word_lists_out_of_the_regex() -> None:
    generic = [r for r in RULES.rules if r.deny_key is not None]
    assert len(generic) >= 14
    for rule in generic:
        assert "(?<!(?i:hash" not in rule.regex
        assert regex.compile(rule.deny_key, PATTERN_FLAGS).search("password_hash")
