"""The verification run: each distinct credential asked once, at most N requests in flight per
provider (measured at the server), one deadline for the run, failures turned into safe results,
endpoints only from the user's configuration, and the registry keyed by shipped rule ids."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Iterator

import pytest
from fakeapi import FakeAPI, Reply
from verifycases import ALL as ALL_CASES
from verifyfakes import CASES, ByToken, InFlight, fake, make_finding, quick

from scanner.errors import ConfigError
from scanner.rules.load import load_rules
from scanner.verify import registry
from scanner.verify.endpoints import CONFIGURED_ONLY, DEFAULTS, Endpoints
from scanner.verify.result import Verification
from scanner.verify.run import VerifyRun, verify_findings
from scanner.verify.subject import Subject

LIVE_USER = Reply(200, {"login": "octocat", "id": 1, "type": "User"}, {"X-OAuth-Scopes": "repo"})


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    with FakeAPI() as server:
        yield server


def ghe(api: FakeAPI) -> Endpoints:
    return Endpoints.from_overrides({"github": api.base + "/api/v3"})


def test_one_accepted_and_one_rejected_github_token() -> None:
    good, bad = fake("github-pat-classic"), fake("github-pat-classic")
    with ByToken(good) as api:
        found = [make_finding("github-pat-classic", good), make_finding("github-pat-classic", bad)]
        results = verify_findings(found, ghe(api), quick())
        requests = list(api.requests)
    first, second = results[found[0].fingerprint], results[found[1].fingerprint]
    assert first.status == "live" and first.get("login") == "octocat" and first.permissions == ("repo", "gist")
    assert second.status == "invalid"
    for path, headers in requests:
        assert good not in path and bad not in path
        assert [k for k, v in headers.items() if good in v or bad in v] == ["authorization"]


def test_each_distinct_secret_is_asked_once_per_run(api: FakeAPI) -> None:
    api.routes["/api/v3/user"] = LIVE_USER
    a, b = fake("github-pat-classic"), fake("github-pat-classic")
    found = [make_finding("github-pat-classic", a, path=f"f{i}.env") for i in range(5)]
    found.append(make_finding("github-pat-classic", b))
    with VerifyRun(ghe(api), quick()) as run:
        results = run.verify(found)
        assert len(api.requests) == 2
        assert set(results) == {f.fingerprint for f in found}
        again = run.verify(found[:1])  # a later batch of the same run: from the cache
    assert len(api.requests) == 2
    assert again[found[0].fingerprint] == results[found[0].fingerprint]


def test_concurrency_is_bounded_per_provider_at_the_server(api: FakeAPI) -> None:
    github, npm = InFlight(LIVE_USER), InFlight(Reply(200, {"username": "alice"}))
    api.routes["/api/v3/user"], api.routes["/-/whoami"] = github, npm
    endpoints = Endpoints.from_overrides({"github": api.base + "/api/v3", "npm": api.base})
    found = [make_finding("github-pat-classic", fake("github-pat-classic")) for _ in range(12)]
    found += [make_finding("npm-token", fake("npm-token")) for _ in range(12)]
    results = verify_findings(found, endpoints, quick(per_provider=4))
    assert {r.status for r in results.values()} == {"live"}
    assert github.total == npm.total == 12
    assert 2 <= github.peak <= 4 and 2 <= npm.peak <= 4, (github.peak, npm.peak)


def test_a_bound_of_one_is_serial(api: FakeAPI) -> None:
    route = InFlight(LIVE_USER, delay=0.05)
    api.routes["/api/v3/user"] = route
    verify_findings([make_finding("github-pat-classic", fake("github-pat-classic")) for _ in range(4)],
                    ghe(api), quick(per_provider=1))
    assert route.peak == 1 and route.total == 4


def test_the_run_deadline_bounds_the_whole_run(api: FakeAPI) -> None:
    api.routes["/api/v3/user"] = InFlight(LIVE_USER, delay=0.4)
    found = [make_finding("github-pat-classic", fake("github-pat-classic")) for _ in range(6)]
    start = time.monotonic()
    results = verify_findings(found, ghe(api), quick(per_provider=1, run_timeout=0.6))
    elapsed = time.monotonic() - start
    statuses = [results[f.fingerprint].status for f in found]
    assert elapsed < 3.0, elapsed
    assert statuses.count("live") == 1, statuses
    assert statuses.count("skipped") >= 4, statuses
    assert set(statuses) <= {"live", "error", "skipped"}
    assert all("time limit" in results[f.fingerprint].reason for f in found if results[f.fingerprint].status != "live")


def test_a_verifier_that_raises_is_an_error_with_a_safe_reason(api: FakeAPI) -> None:
    def boom(subject: Subject, endpoint: str, http: object) -> Verification:
        raise ValueError(f"cannot parse {subject.secret}")

    token = fake("github-pat-classic")
    finding = make_finding("github-pat-classic", token)
    with VerifyRun(ghe(api), quick(), verifiers={"github-pat-classic": registry.FunctionVerifier("github", boom)}) as run:
        result = run.verify([finding])[finding.fingerprint]
    assert result.status == "error" and result.reason == "the github verifier failed (ValueError)"
    assert token not in repr(result)


def test_nothing_is_logged_with_the_secret(api: FakeAPI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.routes["/api/v3/user"] = LIVE_USER
    token = fake("github-pat-classic")
    verify_findings([make_finding("github-pat-classic", token)], ghe(api), quick())
    assert caplog.records and token not in caplog.text


def test_no_verifier_no_endpoint_and_no_check_send_nothing(api: FakeAPI) -> None:
    shop = make_finding("shopify-access-token", fake("shopify-access-token"))
    pypi = make_finding("pypi-token", fake("pypi-token"))
    other = make_finding("generic-api-key", "not-a-real-value-0123456789")
    aws_alone = make_finding("aws-secret-access-key", fake("aws-secret-access-key"))
    temp_key = make_finding("aws-secret-access-key", fake("aws-secret-access-key"),
                            ("aws-access-key-id", "ASIA" + fake("aws-access-key-id")[4:]))
    endpoints = Endpoints.from_overrides({"pypi": api.base, "aws": api.base})
    results = verify_findings([shop, pypi, other, aws_alone, temp_key], endpoints, quick())
    assert api.requests == []
    assert results[shop.fingerprint].status == "skipped" and "configure" in results[shop.fingerprint].reason
    assert results[pypi.fingerprint].status == "unknown" and "upload" in results[pypi.fingerprint].reason
    assert results[other.fingerprint].status == "skipped"
    assert results[aws_alone.fingerprint].status == "skipped"
    assert results[temp_key.fingerprint].status == "skipped" and "session token" in results[temp_key.fingerprint].reason


def test_a_shop_named_in_content_is_never_asked(api: FakeAPI) -> None:
    finding = make_finding("shopify-access-token", fake("shopify-access-token"))
    finding = type(finding)(**{**finding.__dict__, "attributes": (("shop", api.base.split("//")[1]),)})
    assert verify_findings([finding], Endpoints.from_overrides(), quick())[finding.fingerprint].status == "skipped"
    assert api.requests == []


def test_the_same_fingerprint_with_two_companions_keeps_the_live_answer(api: FakeAPI) -> None:
    aws = next(c for c in CASES if c.name == "aws")
    api.routes["/"] = [aws.revoked, aws.live]
    secret = fake("aws-secret-access-key")
    found = [make_finding("aws-secret-access-key", secret, ("aws-access-key-id", fake("aws-access-key-id")))
             for _ in range(2)]
    results = verify_findings(found, Endpoints.from_overrides({"aws": api.base}), quick(per_provider=1))
    assert len([p for p, _ in api.requests if "Action=" not in p]) == 2 and len(results) == 1
    assert results[found[0].fingerprint].status == "live"


# -- endpoints ---------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides,message", [
    ({"github": "http://ghe.example.com/api/v3"}, "loopback"),
    ({"github": "ftp://ghe.example.com/"}, "https"),
    ({"github": "https://user:pw@ghe.example.com/"}, "password"),
    ({"github": "https://ghe.example.com/api/v3?x=1"}, "query"),
    ({"gthub": "https://ghe.example.com/api/v3"}, "unknown provider"),
    ({"github": 3}, "URL string"),
])
def test_endpoint_overrides_are_checked(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Endpoints.from_overrides(overrides)  # type: ignore[arg-type]


def test_endpoint_overrides_apply_and_defaults_stay() -> None:
    e = Endpoints.from_overrides({"github": "https://ghe.example.com/api/v3/", "gitlab": "http://127.0.0.1:8080/api/v4"})
    assert e.base("github") == "https://ghe.example.com/api/v3" and e.is_configured("github")
    assert e.base("gitlab") == "http://127.0.0.1:8080/api/v4"
    assert e.base("npm") == DEFAULTS["npm"] and not e.is_configured("npm")
    assert e.base("shopify") is None
    assert all(url.startswith("https://") for url in DEFAULTS.values())
    with pytest.raises(ConfigError):
        Endpoints({"github": "http://evil.example/"})


# -- registry and result -------------------------------------------------------------------------

def test_registry_keys_are_shipped_rule_ids_and_providers_have_hosts() -> None:
    ids = {r.id for r in load_rules().rules}
    assert set(registry.VERIFIERS) <= ids, sorted(set(registry.VERIFIERS) - ids)
    families = {r.family for r in load_rules().rules if r.family}
    assert set(registry.FAMILIES) <= families
    for provider in registry.providers():
        assert provider in DEFAULTS or provider in CONFIGURED_ONLY
    assert len(registry.providers()) >= 17


def test_every_provider_module_cites_its_documentation() -> None:
    folder = Path(registry.__file__).parent / "providers"
    for module in sorted(folder.glob("[a-z]*.py")):
        doc = module.read_text().split('"""')[1]
        assert "https://" in doc, module.name


def test_every_verifying_provider_has_a_loopback_case() -> None:
    from verifycases import ALL  # the core cases and every catalogue group's

    # pypi never sends; gcp and azure have token exchanges of their own (test_verify_gcp_azure.py);
    # Docker Hub and Atlassian sign in with the name beside the token (test_verify_dockerhub.py, _atlassian.py)
    tested = {c.provider for c in ALL} | {"pypi", "gcp", "azure", "dockerhub", "atlassian"}
    assert set(registry.providers()) <= tested


def test_verification_value() -> None:
    v = Verification.of("live", "github", "https://ghe.example.com:8443/api/v3",
                        identity={"login": "octocat", "org": None}, permissions=["repo", "repo", "gist"])
    assert v.endpoint_host == "ghe.example.com:8443" and v.identity == (("login", "octocat"),)
    assert v.permissions == ("repo", "gist")
    assert v.to_json() == {"status": "live", "provider": "github", "checked_at": v.checked_at,
                           "endpoint_host": "ghe.example.com:8443",
                           "identity": [{"key": "login", "value": "octocat"}], "permissions": ["repo", "gist"]}
    with pytest.raises(ValueError):
        Verification.of("verified", "github")
    assert Verification.of("error", "x", reason="a\nb\x1b[31m").reason == "a b [31m"


def test_the_documentation_lists_every_provider_and_its_host() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "verification.md").read_text()
    for provider in registry.providers():
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{provider}` |")), None)
        assert row is not None, provider
        if provider in DEFAULTS and provider != "pypi":
            assert DEFAULTS[provider] in row, provider
    for rule_id in registry.VERIFIERS:
        assert f"`{rule_id}`" in doc, rule_id


def test_every_stand_in_cites_the_documentation_it_reproduces() -> None:
    assert all(case.doc.startswith("https://") for case in CASES), [c.name for c in CASES if not c.doc]


def test_the_hosts_table_is_generated_from_the_endpoints() -> None:
    """docs/verification.md holds exactly the table scanner.verify.hosts makes from DEFAULTS,
    CONFIGURED_ONLY and the registry (scripts/verify-hosts-table.py --write regenerates it)."""
    from scanner.verify.hosts import block

    doc = (Path(__file__).resolve().parents[2] / "docs" / "verification.md").read_text()
    assert block() in doc, "run: python scripts/verify-hosts-table.py --write"
    for provider in {v.provider for v in registry.VERIFIERS.values()}:
        if provider in DEFAULTS and provider != "pypi":  # in the generated table, or a catalogue group's
            assert f"| `{provider}` | {DEFAULTS[provider]}" in doc, provider
