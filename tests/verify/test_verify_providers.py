"""Every verifier against a loopback stand-in of its provider (tests/verifyfakes.py: documented
shapes), configured through the endpoint override: live answers give the provider's identity and
permissions; revoked ones (401/403, Slack's ok=false) give invalid; 429 and 5xx, still there after
the client's bounded retries, give unknown; a malformed body and a server too slow give error; the
secret travels only in its documented header and never comes back in a result."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest
from fakeapi import FakeAPI, Reply
from verifycases import ALL as CASES
from verifyfakes import (Case, assert_result_has_no_secret, assert_secret_only_in_its_header, quick,
                         verify_one)

from scanner.verify.endpoints import Endpoints
from scanner.verify.providers import aws
from scanner.verify.run import VerifyRun, verify_findings

IDS = [c.name for c in CASES]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAPI]:
    with FakeAPI() as api:  # one server for the module: each shutdown waits out a poll interval
        yield api


@pytest.fixture
def api(server: FakeAPI) -> FakeAPI:
    server.routes.clear()
    server.requests.clear()
    return server


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_live_reports_identity_and_permissions(api: FakeAPI, case: Case) -> None:
    result = verify_one(api, case)
    assert result.status == "live", result
    assert result.provider == case.provider
    assert result.endpoint_host == api.base.split("://", 1)[1]
    for key, value in case.identity.items():
        assert result.get(key) == value, (key, result.identity)
    assert set(case.permissions) <= set(result.permissions), result.permissions
    assert result.checked_at.endswith("Z") and "T" in result.checked_at
    assert_secret_only_in_its_header(api, case)
    assert_result_has_no_secret(result, case.secret)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_revoked_is_invalid(api: FakeAPI, case: Case) -> None:
    result = verify_one(api, case, case.revoked)
    assert result.status == "invalid", result
    assert result.identity == () and result.permissions == ()
    assert_secret_only_in_its_header(api, case)
    assert_result_has_no_secret(result, case.secret)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rate_limited_after_retries_is_unknown_and_retry_after_is_honoured(api: FakeAPI, case: Case) -> None:
    sleeps: list[float] = []
    result = verify_one(api, case, Reply(429, {"message": "slow down"}, {"Retry-After": "7"}), quick(sleeps))
    assert result.status == "unknown", result
    assert sleeps == [7.0, 7.0]  # Retry-After, twice (rate_retries), then the answer stands
    assert len(api.requests) == 3


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_server_error_after_retries_is_unknown(api: FakeAPI, case: Case) -> None:
    sleeps: list[float] = []
    result = verify_one(api, case, Reply(503, {"message": "unavailable"}), quick(sleeps))
    assert result.status == "unknown", result
    assert "503" in result.reason
    # GET is retried with backoff; a POST (AWS, Slack) that may have reached the server is not
    assert len(api.requests) == (1 if case.provider in ("aws", "slack") else 3)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_malformed_body_is_error(api: FakeAPI, case: Case) -> None:
    result = verify_one(api, case, Reply(200, b"<html>upstream proxy says hi"))
    assert result.status == "error", result
    assert "malformed answer" in result.reason
    assert_result_has_no_secret(result, case.secret)


@pytest.mark.parametrize("case", CASES[:3], ids=IDS[:3])
def test_a_slow_server_is_an_error_within_the_request_limit(api: FakeAPI, case: Case) -> None:
    result = verify_one(api, case, Reply(trickle=0.2), quick(request_timeout=0.6))
    assert result.status == "error", result
    assert "0.6 s" in result.reason
    assert_result_has_no_secret(result, case.secret)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_an_echoed_secret_never_reaches_the_result(api: FakeAPI, case: Case) -> None:
    """A hostile stand-in that puts the token into every field it can: the result masks it."""
    if not isinstance(case.live.body, dict):
        pytest.skip("no JSON body to echo into")
    echoed = _echo(case.live.body, case.secret)
    assert isinstance(echoed, dict)
    result = verify_one(api, case, Reply(case.live.status, echoed, dict(case.live.headers)))
    assert_result_has_no_secret(result, case.secret)


def _echo(node: object, secret: str) -> object:
    if isinstance(node, dict):
        return {k: _echo(v, secret) for k, v in node.items()}
    if isinstance(node, list):
        return [_echo(v, secret) for v in node]
    if isinstance(node, str) and node not in ("user", "fineGrained") and not node.startswith(("AC", "arn:")):
        return f"{node} {secret}"
    return node


def test_a_fine_grained_github_token_has_no_scopes_header(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "github-classic")
    result = verify_one(api, case, Reply(200, {"login": "octocat", "id": 1, "type": "User"}))
    assert result.status == "live" and result.permissions == ()
    assert "fine-grained" in result.reason


def test_github_rate_limit_403_is_unknown_not_invalid(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "github-classic")
    result = verify_one(api, case, Reply(403, {"message": "API rate limit exceeded"}, {"X-RateLimit-Remaining": "0"}))
    assert result.status == "unknown"


def test_gitlab_token_without_user_scope_is_live_without_a_second_call(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "gitlab")
    body = dict(case.live.body)  # type: ignore[arg-type]
    body["scopes"], body["expires_at"] = ["read_repository"], None
    result = verify_one(api, case, Reply(200, body))
    assert result.status == "live" and result.get("username") is None
    assert result.permissions == ("read_repository", "expires_at=never")
    assert [p for p, _ in api.requests] == ["/api/v4/personal_access_tokens/self"]


def test_gitlab_instance_prefixed_token_is_not_sent_to_gitlab_com() -> None:
    from scanner.verify.providers import gitlab
    from scanner.verify.subject import Subject

    class NoNetwork:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the verifier used the network ({name})")

    subject = Subject("gitlab-pat", "acme-" + "glpat-" + "Qm4RtZ8yWbN2kLp7XvC9")
    result = gitlab.verify(subject, gitlab.GITLAB_COM, NoNetwork())  # type: ignore[arg-type]
    assert result.status == "unknown" and "self-managed" in result.reason


def test_stripe_restricted_key_that_may_read_nothing_is_live_with_no_access(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "stripe-restricted")
    denied = Reply(403, {"error": {"type": "invalid_request_error", "message": "does not have the required permissions"}})
    case = Case(**{**case.__dict__, "extra": {"/v1/balance": denied}})
    result = verify_one(api, case)
    assert result.status == "live"
    assert {"account:none", "balance:none", "key=restricted", "mode=live"} <= set(result.permissions)


def test_stripe_403_without_stripe_error_object_is_error(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "stripe")
    assert verify_one(api, case, Reply(403, b"blocked by a proxy")).status == "error"


def test_slack_rate_limited_error_code_is_unknown(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "slack")
    assert verify_one(api, case, Reply(200, {"ok": False, "error": "ratelimited"})).status == "unknown"


def test_twilio_closed_account_is_invalid(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "twilio")
    body = {**case.live.body, "status": "closed"}  # type: ignore[dict-item]
    assert verify_one(api, case, Reply(200, body)).status == "invalid"


def test_aws_xml_answer_and_signature_expiry(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "aws")
    xml = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
           b"<Arn>arn:aws:sts::123456789012:assumed-role/ci/job</Arn><UserId>AROAFAKE:job</UserId>"
           b"<Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")
    result = verify_one(api, case, Reply(200, xml))
    assert result.status == "live" and result.get("arn") == "arn:aws:sts::123456789012:assumed-role/ci/job"
    (path, headers), = api.requests
    assert headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={case.companion[1]}/")  # type: ignore[index]
    assert "/us-east-1/sts/aws4_request" in headers["authorization"] and "x-amz-date" in headers
    skewed = Reply(403, b"<ErrorResponse><Error><Code>SignatureExpired</Code></Error></ErrorResponse>")
    assert verify_one(api, case, skewed).status == "error"


def test_anthropic_sends_its_version_header(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "anthropic")
    verify_one(api, case)
    assert api.requests[0][1]["anthropic-version"] == "2023-06-01"


def _aws_with_iam(case: Case, iam: dict[str, Reply]) -> Callable[[dict[str, list[str]]], Reply]:
    """STS's POST / (its action is in the body) and IAM's GET /?Action=... on one stand-in, as on
    LocalStack: the IAM replies by action."""
    def route(query: dict[str, list[str]]) -> Reply:
        action = query.get("Action", [""])[0]
        return iam[action] if action else case.live
    return route


def _sts_live(arn: str) -> Reply:
    return Reply(200, {"GetCallerIdentityResponse": {"GetCallerIdentityResult": {
        "Account": "123456789012", "Arn": arn, "UserId": "AIDAFAKEUSER"}}})


def test_aws_reports_the_iam_users_policies_where_the_key_may_read_them(api: FakeAPI) -> None:
    """https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedUserPolicies.html and
    API_ListUserPolicies.html (XML, the default form of the IAM query API)."""
    case = next(c for c in CASES if c.name == "aws")
    attached = Reply(200, b'<ListAttachedUserPoliciesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                          b"<ListAttachedUserPoliciesResult><AttachedPolicies><member><PolicyName>ReadOnlyAccess"
                          b"</PolicyName><PolicyArn>arn:aws:iam::aws:policy/ReadOnlyAccess</PolicyArn></member>"
                          b"</AttachedPolicies><IsTruncated>false</IsTruncated></ListAttachedUserPoliciesResult>"
                          b"</ListAttachedUserPoliciesResponse>")
    inline = Reply(200, {"ListUserPoliciesResponse": {"ListUserPoliciesResult": {
        "PolicyNames": ["deploy-s3", "read-ssm"], "IsTruncated": False}}})
    api.routes["/"] = _aws_with_iam(case, {"ListAttachedUserPolicies": attached, "ListUserPolicies": inline})
    finding = case.finding()
    with VerifyRun(Endpoints.from_overrides({"aws": api.base}), quick()) as run:
        result = run.verify([finding])[finding.fingerprint]
    assert result.status == "live"
    assert result.permissions == ("policy:ReadOnlyAccess", "inline-policy:deploy-s3", "inline-policy:read-ssm")
    iam_paths = [p for p, _ in api.requests if "Action=" in p]
    assert len(iam_paths) == 2 and all("UserName=deployer" in p for p in iam_paths)
    assert_secret_only_in_its_header(api, case)


def test_aws_key_that_may_not_read_its_policies_is_live_with_a_note(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "aws")
    denied = Reply(403, b"<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>")
    api.routes["/"] = _aws_with_iam(case, {"ListAttachedUserPolicies": denied})
    finding = case.finding()
    result = verify_findings([finding], Endpoints.from_overrides({"aws": api.base}), quick())[finding.fingerprint]
    assert result.status == "live" and result.permissions == ()
    assert "AccessDenied" in result.reason


def test_aws_root_and_role_principals(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "aws")
    api.routes["/"] = _sts_live("arn:aws:iam::123456789012:root")
    finding = case.finding()
    result = verify_findings([finding], Endpoints.from_overrides({"aws": api.base}), quick())[finding.fingerprint]
    assert result.permissions == ("account-root-user",) and len(api.requests) == 1
    assert aws.iam_endpoint("https://sts.amazonaws.com") == "https://iam.amazonaws.com"
    assert aws.iam_endpoint("https://sts.eu-west-1.amazonaws.com") == "https://iam.amazonaws.com"
    assert aws.iam_endpoint("http://127.0.0.1:4566") == "http://127.0.0.1:4566"
    assert aws.region_of("https://sts.eu-west-1.amazonaws.com") == "eu-west-1"


def test_github_reports_a_tokens_expiry(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "github-classic")
    reply = Reply(200, {"login": "octocat", "id": 1, "type": "User"},
                  {"X-OAuth-Scopes": "repo", "GitHub-Authentication-Token-Expiration": "2027-01-31 12:00:00 UTC"})
    result = verify_one(api, case, reply)
    assert result.permissions == ("repo", "expires_at=2027-01-31 12:00:00 UTC")


def test_a_redirect_is_not_followed_and_the_other_host_never_sees_the_token(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "github-classic")
    with FakeAPI() as elsewhere:
        elsewhere.routes["/user"] = case.live
        result = verify_one(api, case, Reply(302, b"", {"Location": elsewhere.base + "/user"}))
        assert elsewhere.requests == []
    assert result.status == "unknown" and "302" in result.reason


def test_an_endless_answer_is_cut_at_the_byte_limit(api: FakeAPI) -> None:
    case = next(c for c in CASES if c.name == "npm")
    result = verify_one(api, case, Reply(endless=True), quick(max_bytes=64 * 1024))
    assert result.status == "error" and "larger than the limit" in result.reason


def test_an_unreachable_endpoint_is_an_error() -> None:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        case = next(c for c in CASES if c.name == "npm")
        finding = case.finding()
        endpoints = Endpoints.from_overrides({"npm": f"http://127.0.0.1:{port}"})
        result = verify_findings([finding], endpoints, quick())[finding.fingerprint]
    assert result.status == "error" and "cannot reach" in result.reason
