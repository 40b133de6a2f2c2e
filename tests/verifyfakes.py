"""Loopback stand-ins for each provider's identity endpoint, in the shapes their documentation shows
(each case cites the page it reproduces), and the helpers that run a verification against them
through the same endpoint override a GitHub Enterprise user would configure."""

from __future__ import annotations

import base64
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from fakeapi import FakeAPI, Reply

from fixtures.fakecreds import ALL_GENERATORS
from scanner.model import Confidence, Finding, Origin, Severity, Validation, fingerprint
from scanner.verify.endpoints import Endpoints
from scanner.verify.result import Verification
from scanner.verify.run import VerifyOptions, VerifyRun

RNG = random.Random(20261205)


def fake(kind: str) -> str:
    return ALL_GENERATORS[kind](RNG)


@dataclass
class Case:
    name: str
    rule_id: str
    provider: str
    mount: str  # the API root under the server: "/api/v3" as on a GitHub Enterprise host
    path: str  # the route the verifier asks (under the mount)
    secret: str
    live: Reply
    revoked: Reply
    doc: str  # the documentation the replies reproduce
    identity: dict[str, str] = field(default_factory=dict)  # expected (a subset)
    permissions: tuple[str, ...] = ()  # expected (a subset)
    carrier: str | None = "authorization"  # the one header that may carry the secret; None: none may
    companion: tuple[str, str] | None = None
    extra: dict[str, Reply] = field(default_factory=dict)  # other routes (under the mount)

    def finding(self) -> Finding:
        return make_finding(self.rule_id, self.secret, self.companion)


def make_finding(rule_id: str, secret: str, companion: tuple[str, str] | None = None, path: str = "app.env",
                 line: int = 1) -> Finding:
    return Finding(rule_id=rule_id, secret=secret, origin=Origin(path), start_line=line, start_column=1,
                   end_line=line, end_column=len(secret) + 1, fingerprint=fingerprint(rule_id, secret),
                   severity=Severity.HIGH, confidence=Confidence.HIGH, entropy=4.5,
                   validation=Validation.UNCHECKED, companion=companion)


GITHUB_DOC = "https://docs.github.com/en/rest/users/users#get-the-authenticated-user"
BAD_CREDENTIALS = Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
AWS_KEY_ID = fake("aws-access-key-id")
TWILIO_SID = fake("twilio-account-sid")
TWILIO_KEY = fake("twilio-api-key")


def cases() -> list[Case]:
    return [
        Case("github-classic", "github-pat-classic", "github", "/api/v3", "/user", fake("github-pat-classic"),
             Reply(200, {"login": "octocat", "id": 583231, "type": "User"}, {"X-OAuth-Scopes": "repo, read:org"}),
             BAD_CREDENTIALS, GITHUB_DOC, {"login": "octocat", "user_id": "583231"}, ("repo", "read:org")),
        Case("github-installation", "github-server-to-server-token", "github", "/api/v3", "/installation/repositories",
             fake("github-server-to-server-token"),
             Reply(200, {"total_count": 2, "repositories": [{"full_name": "acme/app", "owner": {"login": "acme"}}]}),
             BAD_CREDENTIALS,
             "https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation",
             {"owner": "acme", "repositories": "2"}),
        Case("gitlab", "gitlab-pat", "gitlab", "/api/v4", "/personal_access_tokens/self", fake("gitlab-pat"),
             Reply(200, {"id": 42, "name": "ci-token", "revoked": False, "created_at": "2026-01-01T00:00:00Z",
                         "scopes": ["api", "read_repository"], "user_id": 7, "last_used_at": None,
                         "active": True, "expires_at": "2027-01-01"}),
             Reply(401, {"message": "401 Unauthorized"}),
             "https://docs.gitlab.com/api/personal_access_tokens/#get-single-personal-access-token",
             {"username": "deploy-bot", "token_name": "ci-token", "user_id": "7"},
             ("api", "read_repository", "expires_at=2027-01-01"), carrier="private-token",
             extra={"/user": Reply(200, {"id": 7, "username": "deploy-bot"})}),
        Case("slack", "slack-bot-token", "slack", "/api", "/auth.test", fake("slack-bot-token"),
             Reply(200, {"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "deploybot",
                         "team_id": "T0001", "user_id": "U0001", "bot_id": "B0001"},
                   {"X-OAuth-Scopes": "chat:write,channels:read"}),
             Reply(200, {"ok": False, "error": "invalid_auth"}), "https://api.slack.com/methods/auth.test",
             {"team": "Acme", "user": "deploybot", "bot_id": "B0001"}, ("chat:write", "channels:read")),
        Case("stripe", "stripe-secret-key", "stripe", "", "/v1/account", fake("stripe-secret-key"),
             Reply(200, {"id": "acct_1Fake", "object": "account", "email": "billing@acme.example", "country": "US",
                         "settings": {"dashboard": {"display_name": "Acme"}}}),
             Reply(401, {"error": {"message": "Invalid API Key provided", "type": "invalid_request_error"}}),
             "https://docs.stripe.com/api/accounts/retrieve", {"account": "acct_1Fake", "display_name": "Acme"},
             ("mode=live", "key=secret", "account:read")),
        Case("stripe-restricted", "stripe-restricted-key", "stripe", "", "/v1/account", fake("stripe-restricted-key"),
             Reply(403, {"error": {"type": "invalid_request_error",
                                   "message": "The provided key does not have the required permissions"}}),
             Reply(401, {"error": {"message": "Invalid API Key provided", "type": "invalid_request_error"}}),
             "https://docs.stripe.com/api/errors; https://docs.stripe.com/api/balance/balance_retrieve",
             {"livemode": "live"}, ("key=restricted", "account:none", "balance:read"),
             extra={"/v1/balance": Reply(200, {"object": "balance", "livemode": True, "available": []})}),
        Case("openai", "openai-project-key", "openai", "", "/v1/models", fake("openai-project-key"),
             Reply(200, {"object": "list", "data": [{"id": "gpt-4o", "object": "model"}]},
                   {"openai-organization": "org-fake", "openai-project": "proj_fake"}),
             Reply(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                   "code": "invalid_api_key"}}),
             "https://platform.openai.com/docs/api-reference/models/list",
             {"organization": "org-fake", "project": "proj_fake"}, ("models:read",)),
        Case("anthropic", "anthropic-api-key", "anthropic", "", "/v1/models", fake("anthropic-api-key"),
             Reply(200, {"data": [{"id": "claude-x", "type": "model"}], "has_more": False}),
             Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
             "https://docs.anthropic.com/en/api/models-list; https://docs.anthropic.com/en/api/errors",
             {}, ("models:read",), carrier="x-api-key"),
        Case("anthropic-admin", "anthropic-admin-key", "anthropic", "", "/v1/organizations/me",
             fake("anthropic-admin-key"),
             Reply(200, {"id": "12345678-1234-5678-1234-567812345678", "type": "organization", "name": "Acme"}),
             Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
             "https://docs.anthropic.com/en/api/admin-api/organization/get-me",
             {"organization": "Acme"}, ("organization:admin",), carrier="x-api-key"),
        Case("huggingface", "huggingface-token", "huggingface", "", "/api/whoami-v2", fake("huggingface-token"),
             Reply(200, {"type": "user", "name": "alice", "orgs": [{"name": "acme-ml"}], "auth": {
                 "type": "access_token", "accessToken": {"displayName": "ci", "role": "fineGrained", "fineGrained": {
                     "global": ["discussion.write"],
                     "scoped": [{"entity": {"type": "model", "name": "acme-ml/bert"},
                                 "permissions": ["repo.content.read"]}]}}}}),
             Reply(401, {"error": "Invalid credentials in Authorization header"}),
             "https://huggingface.co/docs/hub/security-tokens",
             {"name": "alice", "orgs": "acme-ml", "token_name": "ci"},
             ("role=fineGrained", "discussion.write", "model:acme-ml/bert:repo.content.read")),
        Case("npm", "npm-token", "npm", "", "/-/whoami", fake("npm-token"), Reply(200, {"username": "alice"}),
             Reply(401, {"error": "Unauthorized"}), "https://docs.npmjs.com/cli/commands/npm-whoami",
             {"username": "alice"}),
        Case("sendgrid", "sendgrid-api-key", "sendgrid", "", "/v3/scopes", fake("sendgrid-api-key"),
             Reply(200, {"scopes": ["mail.send", "alerts.read"]}),
             Reply(401, {"errors": [{"field": None, "message": "authorization required"}]}),
             "https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions", {},
             ("mail.send", "alerts.read")),
        Case("twilio", "twilio-auth-token", "twilio", "", f"/2010-04-01/Accounts/{TWILIO_SID}.json",
             fake("twilio-auth-token"),
             Reply(200, {"sid": TWILIO_SID, "friendly_name": "Acme prod", "status": "active", "type": "Full",
                         "owner_account_sid": TWILIO_SID}),
             Reply(401, {"code": 20003, "message": "Authenticate", "status": 401,
                         "more_info": "https://www.twilio.com/docs/errors/20003"}),
             "https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource",
             {"account_sid": TWILIO_SID, "friendly_name": "Acme prod"}, ("status=active", "type=Full"),
             companion=("twilio-account-sid", TWILIO_SID)),
        Case("twilio-api-key", "twilio-api-key-secret", "twilio", "", "/2010-04-01/Accounts.json",
             fake("twilio-auth-token"),
             Reply(200, {"accounts": [{"sid": TWILIO_SID, "friendly_name": "Acme prod", "status": "active",
                                       "type": "Full"}]}),
             Reply(401, {"code": 20003, "message": "Authenticate", "status": 401}),
             "https://www.twilio.com/docs/iam/api/account#read-multiple-account-resources",
             {"account_sid": TWILIO_SID}, ("status=active",), companion=("twilio-api-key", TWILIO_KEY)),
        Case("mailgun", "mailgun-api-key", "mailgun", "", "/v3/domains", fake("mailgun-api-key"),
             Reply(200, {"total_count": 1, "items": [{"name": "mg.acme.example", "state": "active"}]}),
             Reply(401, b"Forbidden"), "https://documentation.mailgun.com/docs/mailgun/api-reference/authentication",
             {"domain": "mg.acme.example", "domains": "1"}, ("domains:read",)),
        Case("datadog", "datadog-api-key", "datadog", "", "/api/v1/validate", fake("datadog-api-key"),
             Reply(200, {"valid": True}), Reply(403, {"errors": ["Forbidden"]}),
             "https://docs.datadoghq.com/api/latest/authentication/#validate-api-key", {}, (), carrier="dd-api-key"),
        Case("digitalocean", "digitalocean-pat", "digitalocean", "", "/v2/account", fake("digitalocean-pat"),
             Reply(200, {"account": {"droplet_limit": 25, "email": "ops@acme.example", "email_verified": True,
                                     "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", "status": "active",
                                     "team": {"uuid": "5df3e3004a", "name": "Acme"}}}),
             Reply(401, {"id": "unauthorized", "message": "Unable to authenticate you"}),
             "https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account",
             {"email": "ops@acme.example", "team": "Acme"}, ("status=active",)),
        Case("heroku", "heroku-api-key", "heroku", "", "/account", fake("heroku-api-key"),
             Reply(200, {"email": "ops@acme.example", "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "Ops"}),
             Reply(401, {"id": "unauthorized", "message": "Invalid credentials provided."}),
             "https://devcenter.heroku.com/articles/platform-api-reference#account-info",
             {"email": "ops@acme.example"}),
        Case("shopify", "shopify-access-token", "shopify", "", "/admin/api/2024-10/shop.json",
             fake("shopify-access-token"),
             Reply(200, {"shop": {"id": 1, "name": "Acme", "myshopify_domain": "acme.myshopify.com"}}),
             Reply(401, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
             "https://shopify.dev/docs/api/admin-rest/2024-10/resources/shop",
             {"shop": "acme.myshopify.com"}, ("read_products",), carrier="x-shopify-access-token",
             extra={"/admin/oauth/access_scopes.json": Reply(200, {"access_scopes": [{"handle": "read_products"}]})}),
        Case("aws", "aws-secret-access-key", "aws", "", "/", fake("aws-secret-access-key"),
             Reply(200, {"GetCallerIdentityResponse": {"GetCallerIdentityResult": {
                 "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/deployer", "UserId": "AIDAFAKEUSER"},
                 "ResponseMetadata": {"RequestId": "01234567-89ab-cdef-0123-456789abcdef"}}}),
             Reply(403, b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
                        b'<Code>InvalidClientTokenId</Code><Message>The security token included in the request is '
                        b'invalid.</Message></Error><RequestId>x</RequestId></ErrorResponse>'),
             "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
             {"account": "123456789012", "arn": "arn:aws:iam::123456789012:user/deployer", "user_id": "AIDAFAKEUSER",
              "access_key_id": AWS_KEY_ID}, carrier=None, companion=("aws-access-key-id", AWS_KEY_ID)),
    ]


CASES = cases()


def quick(sleeps: list[float] | None = None, **kw: Any) -> VerifyOptions:
    """Options for tests: short time limits, waits recorded instead of slept."""
    base: dict[str, Any] = {"request_timeout": 2.0, "run_timeout": 20.0}
    base.update(kw)
    return VerifyOptions(sleep=(sleeps.append if sleeps is not None else (lambda s: None)), **base)


def mount(api: FakeAPI, case: Case, main: Reply | list[Reply] | None = None) -> Endpoints:
    """Serve ``case`` (its live reply unless told) and point its provider at the server, exactly as
    ``[verify] endpoints = { github = "https://ghe.example.com/api/v3" }`` would."""
    api.routes[case.mount + case.path] = main if main is not None else case.live
    for path, reply in case.extra.items():
        api.routes[case.mount + path] = reply
    return Endpoints.from_overrides({case.provider: api.base + case.mount})


def verify_one(api: FakeAPI, case: Case, main: Reply | list[Reply] | None = None,
               options: VerifyOptions | None = None) -> Verification:
    endpoints = mount(api, case, main)
    finding = case.finding()
    with VerifyRun(endpoints, options or quick()) as run:
        return run.verify([finding])[finding.fingerprint]


def _forms(secret: str) -> set[str]:
    return {secret, base64.b64encode(secret.encode()).decode(), secret.replace("/", "%2F").replace("+", "%2B")}


def carriers(headers: dict[str, str], secret: str) -> set[str]:
    """The names of the headers that carry ``secret``, plainly or inside HTTP basic auth."""
    out = set()
    for name, value in headers.items():
        plain = value
        if value.startswith("Basic "):
            plain += base64.b64decode(value[6:]).decode("utf-8", "replace")
        if secret in plain:
            out.add(name)
    return out


def assert_secret_only_in_its_header(api: FakeAPI, case: Case) -> None:
    """Every request the server saw: the secret nowhere in the path or query, and in no header but
    the one its provider documents (for AWS: in none, only its signature travels)."""
    assert api.requests, "the provider was never asked"
    for path, headers in api.requests:
        for form in _forms(case.secret):
            assert form not in path
        want = {case.carrier} if case.carrier else set()
        assert carriers(headers, case.secret) == want, (path, sorted(headers))


def assert_result_has_no_secret(result: Verification, secret: str) -> None:
    text = repr(result) + repr(result.to_json())
    for form in _forms(secret):
        assert form not in text


class InFlight:
    """A route that counts the requests in flight at the server and answers after ``delay``."""

    def __init__(self, reply: Reply, delay: float = 0.15) -> None:
        self.reply, self.delay = reply, delay
        self.now = self.peak = self.total = 0
        self.lock = threading.Lock()

    def __call__(self, query: dict[str, list[str]]) -> Reply:
        with self.lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        return self.reply


Route = Callable[[dict[str, list[str]]], Reply]
