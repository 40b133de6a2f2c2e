"""Rules written in gitleaks' TOML format, translated: regex syntax, secretGroup, keywords,
entropy, allowlists, companions, and one warning line per rule that cannot be translated."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path

import pytest

from fixtures import fakecreds
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.errors import ConfigError
from scanner.rules.gitleaks import derive_keywords, extend_ruleset, translate_file, translate_pattern, with_secret_group
from scanner.match.backends import hyperscan_available
from scanner.model import Origin
from scanner.rules.load import load_rules
from tests.conftest import run_cli

BACKENDS = ["ahocorasick"] + (["hyperscan"] if hyperscan_available() else [])


def _token(rng: random.Random, n: int = 32) -> str:
    return "acme_" + fakecreds.chars(rng, "abcdefghijklmnopqrstuvwxyz0123456789", n)


CONFIG = textwrap.dedent('''\
    title = "acme"

    [extend]
    useDefault = true

    [[rules]]
    id = "acme-internal-token"
    description = "Acme internal API token"
    regex = \'\'\'(?i)\\b(acme_[a-z0-9]{32})\\b\'\'\'
    keywords = ["acme_"]
    entropy = 3.0

    [[rules]]
    id = "acme-svc-password"
    description = "Acme service password"
    regex = \'\'\'svcpass\\s*=\\s*["']([^"']{8,64})["']\'\'\'
    secretGroup = 1
    [rules.allowlist]
    stopwords = ["changeme"]
    regexes = [\'\'\'^test\'\'\']

    [[rules]]
    id = "acme-keystore"
    path = \'\'\'\\.jks$\'\'\'

    [[rules]]
    id = "ungreedy"
    regex = \'\'\'(?U)xa+b\'\'\'
    keywords = ["xa"]

    [[rules]]
    id = "hex-only"
    regex = \'\'\'[a-f0-9]{40}\'\'\'

    [[rules]]
    id = "acme-db-url"
    regex = \'\'\'\\Qacme-db://\\E[^:]+:([^@]+)@\'\'\'
    path = \'\'\'config/\'\'\'

    [[rules]]
    id = "Generic API Key"
    regex = \'\'\'globex_key_([0-9a-f]{20})\'\'\'

    [[allowlists]]
    targetRules = ["acme-internal-token"]
    stopwords = ["acme_0000"]
    ''')


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "gitleaks.toml"
    path.write_text(CONFIG)
    return path


def test_regex_syntax_is_translated() -> None:
    assert translate_pattern(r"\Qa.b\E\d+\z") == r"a\.b\d+\Z"
    assert translate_pattern(r"\101\x{42}") == r"\x{41}\x{42}"
    assert translate_pattern(r"[[:alpha:]]+") == r"[[:alpha:]]+"


def test_secret_group_wraps_the_right_group() -> None:
    assert with_secret_group(r"(?i)key=(\w+)&sig=(\w+)", 2) == r"(?i)key=(\w+)&sig=(?P<secret>(\w+))"
    assert with_secret_group(r"(?i)tok_([a-z]{8})", 0) == r"(?i)tok_(?P<secret>([a-z]{8}))"  # unset: the first group
    assert with_secret_group(r"(?i)tok_[a-z]{8}", 0) == r"(?i)(?P<secret>tok_[a-z]{8})"  # no group: the whole match
    assert with_secret_group(r"(?:a|b)(?P<secret>x)(y)", 2).count("(?P<secret>") == 1


def test_keywords_are_derived_from_required_literals() -> None:
    assert derive_keywords(r"(?P<secret>(AKIA|ASIA)[A-Z2-7]{16})") == ["akia", "asia"]
    assert derive_keywords(r"(?P<secret>(?:acme|globex)_key_[0-9a-f]{20})") == ["acme_key_", "globex_key_"]
    assert derive_keywords(r"(?P<secret>[[:alpha:]]{3}corp_[a-f0-9]{32})") == ["corp_"]
    assert derive_keywords(r"(?P<secret>[a-f0-9]{40})") == []


def test_translation_and_one_warning_per_untranslatable_rule(config) -> None:
    result = translate_file(config)
    ids = [r.id for r in result.rules]
    assert ids == ["acme-internal-token", "acme-svc-password", "acme-db-url", "generic-api-key"]
    by_id = {r.id: r for r in result.rules}
    assert by_id["acme-internal-token"].min_entropy == 3.0 and by_id["acme-internal-token"].keywords == ("acme_",)
    assert by_id["generic-api-key"].keywords == ("globex_key_",)
    text = "\n".join(result.warnings)
    assert "useDefault" in text
    assert "rule 'acme-keystore': path-only rule" in text
    assert "rule 'ungreedy': not translated: the (?U)" in text
    assert "rule 'hex-only': not translated: no keywords" in text
    assert "rule 'acme-db-url': its path condition is not supported" in text
    assert "loaded as 'generic-api-key'" in text
    # beside the shipped rules, an id that is already taken gets a prefix
    extended, _ = extend_ruleset(load_rules(), [config])
    assert "gitleaks.generic-api-key" in extended.by_id and extended.by_id["generic-api-key"].provider == "generic"
    assert all("\n" not in w for w in result.warnings)


@pytest.mark.parametrize("backend", BACKENDS)
def test_translated_rules_find_and_allow(config, backend) -> None:
    rng = random.Random(4)
    token, password = _token(rng), fakecreds.password(rng).replace("'", "")
    ruleset, _ = extend_ruleset(load_rules(), [config])
    engine = Engine(ruleset, EngineSettings(engine=backend))
    text = (f"TOKEN={token}\nsvcpass = '{password}'\nsvcpass = 'changeme-2024'\nsvcpass = 'test-account-1'\n"
            "TOKEN=acme_0000zzzzzzzzzzzzzzzzzzzzzzzzzzzz\n")
    found = {(f.rule_id, f.secret) for f in engine.scan_bytes(text.encode(), Origin("app.env")).findings}
    assert ("acme-internal-token", token) in found
    assert ("acme-svc-password", password) in found
    assert not any(s.startswith(("changeme", "test", "acme_0000")) for _, s in found)


def test_required_rules_become_companions(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text(textwrap.dedent('''\
        [[rules]]
        id = "acme-client-id"
        regex = \'\'\'acme_id_([0-9a-f]{12})\'\'\'
        [[rules]]
        id = "acme-client-secret"
        regex = \'\'\'acme_secret_([0-9a-f]{32})\'\'\'
        [[rules.required]]
        id = "acme-client-id"
        withinLines = 3
        [[rules]]
        id = "orphan"
        regex = \'\'\'orphan_([0-9a-f]{12})\'\'\'
        [[rules.required]]
        id = "missing-rule"
        '''))
    result = translate_file(path)
    by_id = {r.id: r for r in result.rules}
    assert by_id["acme-client-secret"].companion is not None and by_id["acme-client-secret"].companion.rule == "acme-client-id"
    assert by_id["orphan"].companion is None
    assert any("required rule 'missing-rule' is not defined" in w for w in result.warnings)


def test_extended_file_is_loaded_and_rules_can_be_disabled(tmp_path: Path, config) -> None:
    child = tmp_path / "child.toml"
    child.write_text('[extend]\npath = "gitleaks.toml"\ndisabledRules = ["acme-db-url"]\n\n[[rules]]\nid = "child-rule"\n'
                     "regex = '''child_[0-9]{6}'''\n")
    ids = [r.id for r in translate_file(child).rules]
    assert "acme-internal-token" in ids and "child-rule" in ids and "acme-db-url" not in ids


def test_a_broken_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]\nid = 'x'")
    with pytest.raises(ConfigError, match="not a valid gitleaks config"):
        translate_file(bad)


def test_cli_flag_and_config_extend(tmp_path: Path, config) -> None:
    rng = random.Random(9)
    token = _token(rng)
    work = tmp_path / "repo"
    work.mkdir()
    (work / "app.env").write_text(f"TOKEN={token}\n")
    proc = run_cli("scan", str(work), "--gitleaks-config", str(config), "-f", "json", "--show-secrets", "--exit-zero")
    assert proc.returncode == 0, proc.stderr
    assert [f["secret"] for f in json.loads(proc.stdout)["findings"]] == [token]
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("credsprawl: warning:")]
    assert len(warnings) == 6, proc.stderr
    (work / ".credsprawl.toml").write_text(f'[extend]\ngitleaks = "{config}"\n')
    proc = run_cli("scan", str(work), "-f", "json", "--show-secrets", "--exit-zero")
    assert [f["rule_id"] for f in json.loads(proc.stdout)["findings"]] == ["acme-internal-token"]
    listed = run_cli("rules", "list", "--gitleaks-config", str(config))
    assert "acme-internal-token" in listed.stdout


def test_config_extend_is_checked(tmp_path: Path) -> None:
    from scanner.config import load_config

    path = tmp_path / ".credsprawl.toml"
    path.write_text('[extend]\ngitleaks = ["a.toml", "b.toml"]\n')
    assert load_config(path).gitleaks == (tmp_path / "a.toml", tmp_path / "b.toml")
    path.write_text('[extend]\ntrufflehog = "x"\n')
    with pytest.raises(ConfigError, match="unknown \\[extend\\] key"):
        load_config(path)
