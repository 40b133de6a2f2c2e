"""Docker Hub access tokens against a loopback stand-in of the registry's token service
(https://distribution.github.io/distribution/spec/auth/token/: ``GET /token?service=...`` with Basic
credentials; 200 with a ``token``, 401 for a wrong pair), pointed at through ``[verify] endpoints``.
The token signs in with the user name written beside it; without one it is skipped, and nothing is
sent."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Iterator

import pytest
from fakeapi import FakeAPI, Reply
from verifyfakes import fake, make_finding, quick

from scanner.model import Finding
from scanner.verify.endpoints import Endpoints
from scanner.verify.result import Verification
from scanner.verify.run import VerifyRun

TOKEN = fake("dockerhub-pat")
USER = "ci-publisher"


class TokenService(FakeAPI):
    """Accepts ``USER`` with ``TOKEN``; any other pair is HTTP 401, as auth.docker.io answers."""

    malformed = False

    def reply(self, path: str, query: dict[str, list[str]]) -> Reply:
        if self.malformed:
            return Reply(200, b"<html>proxy</html>")
        auth = self.requests[-1][1].get("authorization", "")
        if path == "/token" and query.get("service") == ["registry.docker.io"] and \
                auth == "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode():
            bearer = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
            return Reply(200, {"token": bearer, "access_token": bearer, "expires_in": 300,
                               "issued_at": "2026-12-05T16:00:00Z"})
        return Reply(401, {"details": "incorrect username or password"})


@pytest.fixture
def service() -> Iterator[TokenService]:
    with TokenService() as server:
        yield server


def finding(secret: str, line: str) -> Finding:
    return replace(make_finding("dockerhub-pat", secret), line_text=line)


def run_one(service: TokenService, f: Finding) -> Verification:
    with VerifyRun(Endpoints.from_overrides({"dockerhub": service.base}), quick()) as run:
        return run.verify([f])[f.fingerprint]


@pytest.mark.parametrize("line", [
    f"echo {TOKEN} | docker login -u {USER} --password-stdin",
    f"docker login --username={USER} --password {TOKEN}",
    f'DOCKERHUB_USERNAME="{USER}" DOCKERHUB_TOKEN="{TOKEN}"',
])
def test_a_live_token_names_its_user_and_travels_only_in_the_authorization_header(service: TokenService,
                                                                                   line: str) -> None:
    result = run_one(service, finding(TOKEN, line))
    assert result.status == "live" and result.provider == "dockerhub"
    assert dict(result.identity) == {"username": USER}
    [(path, headers)] = service.requests
    assert TOKEN not in path and path.startswith("/token?service=registry.docker.io")
    assert TOKEN in base64.b64decode(headers["authorization"].split()[-1]).decode()
    assert not [k for k, v in headers.items() if TOKEN in v]  # nowhere in clear
    assert TOKEN not in repr(result) and "eyJ" not in repr(result)


def test_a_wrong_pair_is_invalid(service: TokenService) -> None:
    other = fake("dockerhub-pat")
    result = run_one(service, finding(other, f"docker login -u {USER} -p {other}"))
    assert result.status == "invalid" and "401" in result.reason


def test_without_a_user_name_nothing_is_sent(service: TokenService) -> None:
    result = run_one(service, finding(TOKEN, f"DOCKER_TOKEN={TOKEN}"))
    assert result.status == "skipped" and "user name" in result.reason
    assert service.requests == []


def test_a_malformed_answer_is_an_error(service: TokenService) -> None:
    service.malformed = True
    result = run_one(service, finding(TOKEN, f"docker login -u {USER} -p {TOKEN}"))
    assert result.status == "error"


def test_the_default_host_is_docker_hubs_token_service() -> None:
    assert Endpoints.from_overrides().base("dockerhub") == "https://auth.docker.io"
