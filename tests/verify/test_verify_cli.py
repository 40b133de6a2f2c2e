"""``--verify`` end to end: a tree holding one accepted and one rejected GitHub token, scanned by the
CLI with ``github`` pointed (``[verify] endpoints``) at a loopback stand-in of the REST API. The first
is ``live`` with the login and scopes the stand-in returned, the second ``invalid``; the token travels
only in the Authorization header; ``--only-verified`` keeps the live one; without ``--verify`` nothing
is sent; a ``[verify]`` table in a config found in the scanned tree is ignored."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Iterator

import pytest
from gitutil import GitRepo, cli_inprocess
from verifyfakes import ByToken

from fixtures.fakecreds import GENERATORS
from scanner import api

RULE = "github-pat-classic"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tokens() -> tuple[str, str]:
    rng = random.Random(20261205)
    good, bad = GENERATORS[RULE](rng), GENERATORS[RULE](rng)
    assert good != bad
    return good, bad


@pytest.fixture
def server(tokens: tuple[str, str]) -> Iterator[ByToken]:
    with ByToken(tokens[0]) as stand_in:
        yield stand_in


@pytest.fixture
def tree(tmp_path: Path, tokens: tuple[str, str]) -> Path:
    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / "good.env").write_text(f"GITHUB_TOKEN={tokens[0]}\n")
    (folder / "bad.env").write_text(f"GITHUB_TOKEN={tokens[1]}\n")
    return folder


def config_for(where: Path, server: ByToken) -> Path:
    """A config file, outside the scanned tree, pointing ``github`` at the stand-in (as a GitHub
    Enterprise user points it at ``https://HOST/api/v3``)."""
    where.write_text(f'[verify]\nendpoints = {{ github = "{server.base}/api/v3" }}\n')
    return where


def scan(*args: str, code: int = 1, env: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    rc, out, err = cli_inprocess("scan", *args, "--format", "json", "--jobs", "1", env=env)
    assert rc == code, err
    return json.loads(out), err


def by_file(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in report["findings"] if f["rule_id"] == RULE}


def identity(verification: dict[str, Any]) -> dict[str, str]:
    return {pair["key"]: pair["value"] for pair in verification["identity"]}


def assert_token_only_in_authorization(server: ByToken, tokens: tuple[str, str]) -> None:
    assert server.requests
    for path, headers in server.requests:
        for token in tokens:
            assert token not in path
            assert [k for k, v in headers.items() if token in v] in ([], ["authorization"])
    sent = {headers["authorization"] for _, headers in server.requests}
    assert sent == {f"Bearer {t}" for t in tokens}


def test_one_live_and_one_invalid_token(tmp_path: Path, tree: Path, server: ByToken,
                                        tokens: tuple[str, str]) -> None:
    cfg = config_for(tmp_path / "cfg.toml", server)
    report, err = scan(str(tree), "--verify", "--config", str(cfg))
    assert report["version"] == 3
    found = by_file(report)
    live, invalid = found["good.env"]["verification"], found["bad.env"]["verification"]
    assert live["status"] == "live" and identity(live)["login"] == "octocat"
    assert live["permissions"] == ["repo", "gist"]
    assert live["provider"] == "github" and live["endpoint_host"] == server.base.removeprefix("http://")
    assert live["checked_at"].endswith("Z")
    assert invalid["status"] == "invalid" and invalid["identity"] == [] and invalid["permissions"] == []
    # each token asked once, and only in the Authorization header; never in any output
    assert len(server.requests) == 2
    assert_token_only_in_authorization(server, tokens)
    for token in tokens:
        assert token not in json.dumps(report) and token not in err


def test_text_and_sarif_carry_the_verification(tmp_path: Path, tree: Path, server: ByToken,
                                               tokens: tuple[str, str]) -> None:
    cfg = config_for(tmp_path / "cfg.toml", server)
    rc, text, err = cli_inprocess("scan", str(tree), "--verify", "--config", str(cfg), "--jobs", "1", "--no-color")
    assert rc == 1, err
    assert "verified live as octocat (github); permissions: repo, gist" in text
    assert "invalid: github rejected it" in text
    assert "Verified:" in text and "live 1, invalid 1" in text
    rc, sarif, err = cli_inprocess("scan", str(tree), "--verify", "--config", str(cfg), "--jobs", "1",
                                   "--format", "sarif")
    assert rc == 1, err
    results = json.loads(sarif)["runs"][0]["results"]
    said = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["properties"]["verification"]
            for r in results if r["ruleId"] == RULE}
    assert said["good.env"]["status"] == "live" and said["bad.env"]["status"] == "invalid"
    for token in tokens:
        assert token not in text and token not in sarif


def test_only_verified_keeps_the_live_one(tmp_path: Path, tree: Path, server: ByToken) -> None:
    cfg = config_for(tmp_path / "cfg.toml", server)
    report, _ = scan(str(tree), "--only-verified", "--config", str(cfg))
    assert [(f["path"], f["rule_id"], f["verification"]["status"]) for f in report["findings"]] == [
        ("good.env", RULE, "live")]
    # nothing live: nothing reported, exit 0
    (tree / "good.env").unlink()
    report, _ = scan(str(tree), "--only-verified", "--config", str(cfg), code=0)
    assert report["findings"] == []


def test_without_verify_nothing_is_sent(tmp_path: Path, tree: Path, server: ByToken) -> None:
    cfg = config_for(tmp_path / "cfg.toml", server)
    report, _ = scan(str(tree), "--config", str(cfg))
    assert len(by_file(report)) == 2
    assert all(f["verification"] is None for f in report["findings"])
    assert server.requests == []


def test_a_discovered_config_cannot_redirect_secrets(tmp_path: Path, tree: Path, server: ByToken,
                                                     tokens: tuple[str, str]) -> None:
    """The scanned tree's ``.credsprawl.toml`` points github at an attacker's host: ignored, and said
    once; the user's own config file (``$XDG_CONFIG_HOME/credsprawl/config.toml``) is honoured."""
    with ByToken(tokens[0]) as attacker:
        config_for(tree / ".credsprawl.toml", attacker)
        home = tmp_path / "xdg"
        (home / "credsprawl").mkdir(parents=True)
        config_for(home / "credsprawl" / "config.toml", server)
        report, err = scan(str(tree), "--verify", env={"XDG_CONFIG_HOME": str(home)})
        assert attacker.requests == []
    assert err.count("[verify] ignored") == 1 and str(tree / ".credsprawl.toml") in err
    found = by_file(report)
    assert found["good.env"]["verification"]["status"] == "live"
    assert found["bad.env"]["verification"]["status"] == "invalid"
    assert_token_only_in_authorization(server, tokens)


def test_the_config_flag_wins_over_the_user_config(tmp_path: Path, tree: Path, server: ByToken,
                                                   tokens: tuple[str, str]) -> None:
    with ByToken(tokens[0]) as other:
        home = tmp_path / "xdg"
        (home / "credsprawl").mkdir(parents=True)
        config_for(home / "credsprawl" / "config.toml", other)
        cfg = config_for(tmp_path / "cfg.toml", server)
        scan(str(tree), "--verify", "--config", str(cfg), env={"XDG_CONFIG_HOME": str(home)})
        assert other.requests == [] and len(server.requests) == 2


@pytest.mark.parametrize("table, message", [
    ('[verify]\nendpoints = { github = "http://ghe.example.com/api/v3" }\n', "https"),
    ('[verify]\nendpoints = { githib = "https://ghe.example.com/api/v3" }\n', "unknown provider 'githib'"),
    ('[verify]\nendpoint = { github = "https://ghe.example.com/api/v3" }\n', "unknown [verify] key"),
])
def test_a_bad_verify_table_is_an_error_naming_the_file(tmp_path: Path, tree: Path, table: str,
                                                        message: str) -> None:
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(table)
    rc, _, err = cli_inprocess("scan", str(tree), "--verify", "--config", str(cfg), "--jobs", "1")
    assert rc == 2 and message in err and str(cfg) in err, err


def test_the_user_config_holds_only_verify(tmp_path: Path, tree: Path) -> None:
    home = tmp_path / "xdg"
    (home / "credsprawl").mkdir(parents=True)
    (home / "credsprawl" / "config.toml").write_text('disable = ["generic-password"]\n')
    rc, _, err = cli_inprocess("scan", str(tree), "--verify", "--jobs", "1", env={"XDG_CONFIG_HOME": str(home)})
    assert rc == 2 and "holds only [verify]" in err


def test_history_and_staged_verify(tmp_path: Path, server: ByToken, tokens: tuple[str, str]) -> None:
    cfg = config_for(tmp_path / "cfg.toml", server)
    repo = GitRepo(tmp_path / "repo")
    repo.write("good.env", f"GITHUB_TOKEN={tokens[0]}\n")
    repo.commit("leak")
    rc, out, err = cli_inprocess("history", str(repo.path), "--verify", "--config", str(cfg), "--format", "json",
                                 "--jobs", "1")
    assert rc == 1, err
    assert by_file(json.loads(out))["good.env"]["verification"]["status"] == "live"
    repo.write("bad.env", f"GITHUB_TOKEN={tokens[1]}\n")
    repo.git("add", "bad.env")
    rc, out, err = cli_inprocess("staged", str(repo.path), "--verify", "--config", str(cfg), "--no-color")
    assert rc == 1, err
    assert "invalid: github rejected it" in out
    rc, out, err = cli_inprocess("staged", str(repo.path), "--only-verified", "--config", str(cfg))
    assert rc == 0 and "no secrets" in err, err
    assert_token_only_in_authorization(server, tokens)


def test_the_python_api_verifies_when_the_settings_ask(tmp_path: Path, server: ByToken,
                                                       tokens: tuple[str, str]) -> None:
    cfg = config_for(tmp_path / "cfg.toml", server)
    data = f"GITHUB_TOKEN={tokens[0]}\n".encode()
    plain = api.scan_bytes(data, settings=api.settings(cfg))
    assert [f.verification for f in plain.findings if f.rule_id == RULE] == [None] and server.requests == []
    checked = api.scan_bytes(data, settings=api.settings(cfg, verify=True))
    [finding] = [f for f in checked.findings if f.rule_id == RULE]
    assert finding.verification is not None and finding.verification.status == "live"
    assert finding.verification.get("login") == "octocat"


def test_every_scanning_command_offers_verify_and_the_hook_never_passes_it() -> None:
    from scanner.cli.app import build_parser

    parser = build_parser()
    for argv in (["scan"], ["history"], ["staged"], ["ci", "github", "o/r"]):
        args = parser.parse_args([*argv, "--verify", "--verify-timeout", "5"])
        assert args.verify and args.verify_timeout == 5.0 and not args.only_verified
        assert not parser.parse_args(argv).verify
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "--verify" not in hooks and "--only-verified" not in hooks
    assert cli_inprocess("scan", "--verify-timeout", "0", ".")[0] == 2


def test_each_status_has_its_own_words() -> None:
    from scanner.verify.result import Verification

    notes = {
        "live": Verification.of("live", "aws", identity=[("account", "123456789012"), ("arn", "arn:aws:iam::1:user/ci")],
                                permissions=[f"policy:P{i}" for i in range(8)]).note(),
        "invalid": Verification.of("invalid", "github").note(),
        "unknown": Verification.of("unknown", "github", reason="rate limited (HTTP 429)").note(),
        "error": Verification.of("error", "github", reason="connection refused").note(),
        "skipped": Verification.of("skipped", "", reason="no verifier for rule generic-password").note(),
    }
    assert notes["live"] == ("verified live as arn:aws:iam::1:user/ci (aws); permissions: policy:P0, policy:P1, "
                             "policy:P2, policy:P3, policy:P4, policy:P5, +2 more")
    assert notes["invalid"].startswith("invalid: github rejected it")
    assert notes["unknown"] == "verification unknown: github could not tell (rate limited (HTTP 429))"
    assert notes["error"] == "verification failed (connection refused)"
    assert notes["skipped"] == "not verified (no verifier for rule generic-password)"
    assert sum("live" in note for note in notes.values()) == 1
    assert Verification.of("live", "npm").note() == "verified live (npm)"
