"""``--verify-hosts-from-content``: by default a verifier never sends a secret to a host read from the
scanned content (an Okta org URL, a self-managed GitLab base found next to a token); with the flag,
a provider with per-organisation hosts may be asked at a host written in the finding's context:
https only (http only to loopback), the URL's origin only, a configured endpoint winning, and the
result saying where it asked. Everything here runs against loopback stand-ins."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest
from fakeapi import FakeAPI
from gitutil import cli_inprocess
from verifyfakes import CASES, Case, quick

from scanner.model import Finding
from scanner.verify.endpoints import Endpoints, content_endpoint, urls_in
from scanner.verify.result import Verification
from scanner.verify.run import VerifyRun

OKTA = next(c for c in CASES if c.provider == "okta")
GITLAB = next(c for c in CASES if c.provider == "gitlab")


@pytest.fixture
def org() -> Iterator[FakeAPI]:
    """A stand-in Okta org (and self-managed GitLab) at a loopback host."""
    with FakeAPI() as api:
        api.routes[OKTA.path] = OKTA.live
        api.routes["/api/v4" + GITLAB.path] = GITLAB.live
        for path, reply in GITLAB.extra.items():
            api.routes["/api/v4" + path] = reply
        yield api


def finding(case: Case, line: str) -> Finding:
    return replace(case.finding(), line_text=line)


def run_one(endpoints: Endpoints, f: Finding, hosts_from_content: bool) -> Verification:
    with VerifyRun(endpoints, quick(hosts_from_content=hosts_from_content)) as run:
        return run.verify([f])[f.fingerprint]


def test_by_default_a_host_in_the_content_is_never_asked(org: FakeAPI) -> None:
    f = finding(OKTA, f"OKTA_ORG_URL={org.base}/ OKTA_API_TOKEN={OKTA.secret}")
    result = run_one(Endpoints.from_overrides(), f, hosts_from_content=False)
    assert result.status == "skipped" and "configure its endpoint" in result.reason
    assert "--verify-hosts-from-content" in result.reason
    assert org.requests == []


def test_with_the_flag_the_org_url_beside_the_token_is_asked(org: FakeAPI) -> None:
    f = finding(OKTA, f"OKTA_ORG_URL={org.base}/oauth2/default OKTA_API_TOKEN={OKTA.secret}")
    result = run_one(Endpoints.from_overrides(), f, hosts_from_content=True)
    assert result.status == "live" and dict(result.identity)["login"] == "admin@acme.example"
    host = org.base.removeprefix("http://")
    assert result.endpoint_host == host
    assert result.reason.endswith(f"asked at {host}, a host read from the scanned content (--verify-hosts-from-content)")
    assert org.paths() == [OKTA.path]  # the origin alone: the URL's own path is not kept
    assert org.requests[0][1]["authorization"] == f"SSWS {OKTA.secret}"


def test_a_self_managed_gitlab_base_beside_the_token(org: FakeAPI) -> None:
    f = finding(GITLAB, f"GITLAB_URL={org.base} GITLAB_TOKEN={GITLAB.secret}")
    result = run_one(Endpoints.from_overrides(), f, hosts_from_content=True)
    assert result.status == "live" and dict(result.identity)["username"] == "deploy-bot"
    assert org.paths()[0] == "/api/v4" + GITLAB.path


def test_a_configured_endpoint_wins_over_the_content(org: FakeAPI) -> None:
    with FakeAPI() as configured:
        configured.routes[OKTA.path] = OKTA.live
        f = finding(OKTA, f"OKTA_ORG_URL={org.base} token {OKTA.secret}")
        result = run_one(Endpoints.from_overrides({"okta": configured.base}), f, hosts_from_content=True)
        assert result.status == "live" and "scanned content" not in result.reason
        assert len(configured.requests) == 1 and org.requests == []


@pytest.mark.parametrize("url", [
    "http://okta.attacker.example",  # plain http to a host that is not loopback
    "ftp://127.0.0.1:9",  # another scheme
    "https://github.com",  # a shared public host is never a per-organisation one
])
def test_what_the_content_may_not_name(url: str) -> None:
    assert content_endpoint("okta", urls_in([f"ORG={url} token"])) is None
    assert content_endpoint("github", urls_in([f"GH={url}"])) is None
    assert content_endpoint("stripe", urls_in(["https://api.stripe.example"])) is None  # one public host


def test_userinfo_and_path_are_dropped() -> None:
    urls = urls_in(["see https://user:pass@dev-1.okta.example:8443/admin?x=1, and more"])
    assert content_endpoint("okta", urls) == "https://dev-1.okta.example:8443"
    assert content_endpoint("gitlab", ["https://git.acme.example/group/repo"]) == "https://git.acme.example/api/v4"


def test_the_cli_flag(tmp_path: Path, org: FakeAPI, monkeypatch: Any) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "okta.env").write_text(f"OKTA_CLIENT_ORGURL={org.base} OKTA_CLIENT_TOKEN={OKTA.secret}\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-user-config"))

    def verification(*flags: str) -> dict[str, Any]:
        code, out, err = cli_inprocess("scan", str(tree), "--format", "json", "--jobs", "1", "--verify", *flags)
        assert code == 1, err
        [f] = [f for f in json.loads(out)["findings"] if f["rule_id"] == OKTA.rule_id]
        return dict(f["verification"])

    assert verification()["status"] == "skipped" and org.requests == []
    said = verification("--verify-hosts-from-content")
    assert said["status"] == "live" and said["endpoint_host"] == org.base.removeprefix("http://")
    assert "a host read from the scanned content" in said["reason"]
