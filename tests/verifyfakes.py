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


UNAUTHORIZED = Reply(401, {"message": "Unauthorized"})


def json_case(provider: str, rule_id: str, path: str, live: dict[str, Any], identity: dict[str, str],
              permissions: tuple[str, ...] = (), carrier: str = "authorization", doc: str = "",
              revoked: Reply = UNAUTHORIZED, **kw: Any) -> Case:
    """A case of a provider answering one request with a JSON body: ``live`` on the accepted secret
    (a fresh fake of ``rule_id``), ``revoked`` otherwise; ``doc`` is the page the bodies reproduce."""
    return Case(kw.pop("name", provider), rule_id, provider, kw.pop("mount", ""), path, fake(rule_id),
                Reply(200, live), revoked, doc, identity, permissions, carrier, **kw)


def json_cases() -> list[Case]:
    """The providers checked by one GET described as data (scanner/verify/providers/_json.py)."""
    c = json_case
    return [
        c("doppler", "doppler-service-token", "/v3/me",
          {"workplace": {"name": "Acme", "slug": "acme"}, "type": "service_token", "name": "ci", "slug": "ci"},
          {"workplace": "Acme", "token_type": "service_token"}, doc="https://docs.doppler.com/reference/auth-me"),
        c("postman", "postman-api-key", "/me",
          {"user": {"id": 12345678, "username": "alice", "email": "alice@acme.example", "teamName": "Acme"}},
          {"username": "alice", "team": "Acme"}, carrier="x-api-key",
          doc="https://learning.postman.com/docs/developer/postman-api/authentication/"),
        c("pulumi", "pulumi-access-token", "/api/user",
          {"name": "Alice", "githubLogin": "alice", "organizations": [{"githubLogin": "acme", "name": "Acme"}]},
          {"login": "alice", "organizations": "acme"},
          doc="https://www.pulumi.com/docs/pulumi-cloud/reference/cloud-rest-api/"),
        c("terraform", "terraform-cloud-token", "/api/v2/account/details",
          {"data": {"id": "user-V3R563qtJNcExAkN", "type": "users",
                    "attributes": {"username": "alice", "email": "alice@acme.example", "is-service-account": False}}},
          {"user_id": "user-V3R563qtJNcExAkN", "username": "alice", "service_account": "false"},
          doc="https://developer.hashicorp.com/terraform/cloud-docs/api-docs/account"),
        c("discord", "discord-bot-token", "/api/v10/users/@me",
          {"id": "80351110224678912", "username": "deploybot", "bot": True},
          {"bot_id": "80351110224678912", "bot": "true"},
          doc="https://discord.com/developers/docs/resources/user#get-current-user"),
        c("square", "square-access-token", "/v2/merchants/me",
          {"merchant": {"id": "DM7VKY8Q63GNP", "business_name": "Acme", "country": "US", "status": "ACTIVE"}},
          {"merchant_id": "DM7VKY8Q63GNP", "business_name": "Acme"},
          doc="https://developer.squareup.com/reference/square/merchants-api/retrieve-merchant"),
        c("asana", "asana-pat", "/api/1.0/users/me",
          {"data": {"gid": "12345", "name": "Alice", "email": "alice@acme.example",
                    "workspaces": [{"gid": "1", "name": "Acme"}, {"gid": "2", "name": "Lab"}]}},
          {"user_id": "12345", "workspaces": "Acme, Lab"}, doc="https://developers.asana.com/reference/getuser"),
        c("airtable", "airtable-pat", "/v0/meta/whoami",
          {"id": "usrL2PNC5o3H4lBEi", "email": "alice@acme.example", "scopes": ["data.records:read", "schema.bases:read"]},
          {"user_id": "usrL2PNC5o3H4lBEi"}, ("data.records:read", "schema.bases:read"),
          doc="https://airtable.com/developers/web/api/get-user-id-scopes"),
        c("notion", "notion-integration-token", "/v1/users/me",
          {"object": "user", "id": "16d84278-ab0e-484c-9bdd-b35da3bd8905", "name": "deploy", "type": "bot",
           "bot": {"owner": {"type": "workspace", "workspace": True}, "workspace_name": "Acme"}},
          {"workspace": "Acme", "owner_type": "workspace"}, doc="https://developers.notion.com/reference/get-self"),
        c("netlify", "netlify-pat", "/api/v1/user",
          {"id": "5c1f8f3c", "email": "alice@acme.example", "full_name": "Alice", "slug": "alice"},
          {"email": "alice@acme.example"}, doc="https://open-api.netlify.com/#tag/user"),
        c("vercel", "vercel-token", "/v2/user",
          {"user": {"id": "AEIIDYVk59zbFF2Sxfyxxmua", "username": "alice", "email": "alice@acme.example"}},
          {"username": "alice"}, doc="https://vercel.com/docs/rest-api/endpoints/user"),
        c("cloudflare", "cloudflare-api-token", "/client/v4/user/tokens/verify",
          {"success": True, "errors": [], "messages": [{"code": 10000, "message": "This API Token is valid and active"}],
           "result": {"id": "ed17574386854bf78a67040be0a770b0", "status": "active"}},
          {"token_id": "ed17574386854bf78a67040be0a770b0"},
          revoked=Reply(401, {"success": False, "errors": [{"code": 1000, "message": "Invalid API Token"}]}),
          doc="https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/"),
        c("circleci", "circleci-personal-token", "/api/v2/me",
          {"id": "97c5a6c7-1f59-4b0a-a1c7-7c2d0f3f4e1b", "login": "alice", "name": "Alice"},
          {"login": "alice"}, carrier="circle-token", doc="https://circleci.com/docs/api/v2/"),
        c("groq", "groq-api-key", "/openai/v1/models",
          {"object": "list", "data": [{"id": "llama-3.1-8b-instant", "object": "model"}]}, {}, ("models:read",),
          doc="https://console.groq.com/docs/api-reference#models-list"),
        c("xai", "xai-api-key", "/v1/api-key",
          {"name": "ci", "api_key_id": "ae1e1841-4326-a8a9-8a76-fa0f5a1fa5a1", "team_id": "5ea6f6bd",
           "user_id": "59fbe5f2", "acls": ["api-key:model:*", "api-key:endpoint:*"], "api_key_blocked": False,
           "api_key_disabled": False, "team_blocked": False},
          {"key_name": "ci", "team_id": "5ea6f6bd"}, ("api-key:model:*",), doc="https://docs.x.ai/docs/api-reference"),
        c("openrouter", "openrouter-api-key", "/api/v1/key",
          {"data": {"label": "sk-or-v1-abc...xyz", "usage": 0.5, "limit": None, "is_free_tier": False}},
          {"free_tier": "false"}, doc="https://openrouter.ai/docs/api-reference/api-keys/get-current-key"),
        c("snyk", "snyk-api-token", "/v1/user/me",
          {"id": "abc123", "username": "alice", "email": "alice@acme.example", "orgs": [{"name": "acme", "id": "o1"}]},
          {"username": "alice", "orgs": "acme"}, doc="https://docs.snyk.io/snyk-api/authentication-for-api"),
        c("pagerduty", "pagerduty-api-key", "/abilities",
          {"abilities": ["teams", "read_only_users", "urgencies"]}, {}, ("teams", "urgencies"),
          doc="https://developer.pagerduty.com/api-reference/e18caef8a5dc3-list-abilities"),
        c("linode", "linode-token", "/v4/profile",
          {"username": "alice", "email": "alice@acme.example", "uid": 1234, "restricted": False},
          {"username": "alice", "restricted": "false"}, doc="https://techdocs.akamai.com/linode-api/reference/get-profile"),
        c("vultr", "vultr-api-key", "/v2/account",
          {"account": {"name": "Acme", "email": "ops@acme.example", "acls": ["manage_users", "billing"], "balance": 0}},
          {"name": "Acme"}, ("manage_users", "billing"), doc="https://www.vultr.com/api/#tag/account"),
        c("fastly", "fastly-api-token", "/tokens/self",
          {"id": "5Yo3XXnrQpjc20u0ybrf2g", "name": "ci", "user_id": "u1", "customer_id": "c1",
           "scope": "global:read purge_select", "expires_at": "2027-01-01T00:00:00Z", "services": []},
          {"token_name": "ci", "customer_id": "c1"}, ("global:read", "purge_select"), carrier="fastly-key",
          doc="https://www.fastly.com/documentation/reference/api/auth-tokens/user/"),
        c("figma", "figma-pat", "/v1/me", {"id": "123", "handle": "alice", "email": "alice@acme.example"},
          {"handle": "alice"}, carrier="x-figma-token", doc="https://www.figma.com/developers/api#get-me-endpoint"),
        c("azuredevops", "azure-devops-pat", "/_apis/profile/profiles/me",
          {"id": "e9a3f3cc-0000-4e6b-9f1a-3c4d5e6f7a8b", "displayName": "Alice", "emailAddress": "alice@acme.example"},
          {"name": "Alice"}, doc="https://learn.microsoft.com/en-us/rest/api/azure/devops/profile/profiles/get"),
        c("replicate", "replicate-api-token", "/v1/account", {"type": "organization", "username": "acme", "name": "Acme"},
          {"username": "acme", "type": "organization"}, doc="https://replicate.com/docs/reference/http#accounts.get"),
        c("honeycomb", "honeycomb-api-key", "/1/auth",
          {"id": "kid_1", "type": "configuration", "api_key_access": {"events": True, "markers": False, "triggers": True},
           "environment": {"name": "Prod", "slug": "prod"}, "team": {"name": "Acme", "slug": "acme"}},
          {"team": "acme", "environment": "prod"}, ("events", "triggers"), carrier="x-honeycomb-team",
          doc="https://api-docs.honeycomb.io/api/auth"),
        c("postmark", "postmark-server-token", "/server", {"ID": 1, "Name": "Production"}, {"server": "Production"},
          carrier="x-postmark-server-token", doc="https://postmarkapp.com/developer/api/server-api"),
        c("brevo", "brevo-api-key", "/v3/account",
          {"email": "ops@acme.example", "companyName": "Acme", "plan": [{"type": "free", "credits": 300}]},
          {"company": "Acme", "plan": "free"}, carrier="api-key", doc="https://developers.brevo.com/reference/getaccount"),
        c("contentful", "contentful-pat", "/users/me",
          {"sys": {"id": "7BslKh9TdKGOK41VmLDjFZ", "type": "User"}, "email": "alice@acme.example", "firstName": "Alice"},
          {"user_id": "7BslKh9TdKGOK41VmLDjFZ"},
          doc="https://www.contentful.com/developers/docs/references/content-management-api/#/reference/users"),
        c("buildkite", "buildkite-api-token", "/v2/access-token",
          {"uuid": "b63254c0-3271-4a98-8270-7cfbd6c2f14e", "description": "ci", "scopes": ["read_builds", "read_user"]},
          {"description": "ci"}, ("read_builds", "read_user"), doc="https://buildkite.com/docs/apis/rest-api/access-token"),
        c("hubspot", "hubspot-private-app-token", "/account-info/v3/details",
          {"portalId": 62515, "accountType": "STANDARD", "timeZone": "US/Eastern", "dataHostingLocation": "na1"},
          {"portal_id": "62515", "account_type": "STANDARD"},
          doc="https://developers.hubspot.com/docs/api/settings/account-information-api"),
        c("clickup", "clickup-api-token", "/api/v2/user",
          {"user": {"id": 123, "username": "alice", "email": "alice@acme.example"}}, {"username": "alice"},
          doc="https://developer.clickup.com/reference/getauthorizeduser"),
        c("launchdarkly", "launchdarkly-api-key", "/api/v2/caller-identity",
          {"accountId": "a1", "tokenName": "ci", "tokenKind": "personal", "memberId": "m1", "serviceToken": False,
           "scopes": ["reader"]}, {"account_id": "a1", "token_kind": "personal"}, ("reader",),
          doc="https://apidocs.launchdarkly.com/tag/Other#operation/getCallerIdentity"),
        c("opsgenie", "opsgenie-api-key", "/v2/account",
          {"data": {"name": "acme", "userCount": 5, "plan": {"maxUserCount": 10, "name": "Essentials"}}},
          {"account": "acme", "plan": "Essentials"}, doc="https://docs.opsgenie.com/docs/account-api"),
        c("okta", "okta-api-token", "/api/v1/users/me",
          {"id": "00ub0oNGTSWTBKOLGLNR", "status": "ACTIVE", "profile": {"login": "admin@acme.example",
                                                                         "email": "admin@acme.example"}},
          {"login": "admin@acme.example"}, doc="https://developer.okta.com/docs/api/openapi/okta-management/management/tag/User/"),
        c("vault", "vault-service-token", "/v1/auth/token/lookup-self",
          {"data": {"accessor": "8609694a", "display_name": "approle", "entity_id": "7d2e3179", "expire_time": None,
                    "policies": ["default", "deploy"]}},
          {"display_name": "approle", "entity_id": "7d2e3179"}, ("default", "deploy"), carrier="x-vault-token",
          revoked=Reply(403, {"errors": ["permission denied"]}),
          doc="https://developer.hashicorp.com/vault/api-docs/auth/token#lookup-a-token-self"),
        c("databricks", "databricks-token", "/api/2.0/preview/scim/v2/Me",
          {"id": "1234", "userName": "alice@acme.example", "groups": [{"display": "admins"}],
           "entitlements": [{"value": "allow-cluster-create"}]},
          {"user": "alice@acme.example", "groups": "admins"}, ("allow-cluster-create",),
          doc="https://docs.databricks.com/api/workspace/currentuser/me"),
        c("gitea", "gitea-access-token", "/api/v1/user",
          {"id": 1, "login": "alice", "email": "alice@acme.example", "is_admin": True},
          {"login": "alice", "admin": "true"}, doc="https://docs.gitea.com/api/1.22/#tag/user"),
        c("mattermost", "mattermost-access-token", "/api/v4/users/me",
          {"id": "u1", "username": "deploybot", "roles": "system_user system_post_all", "is_bot": True},
          {"username": "deploybot"}, ("system_user", "system_post_all"),
          doc="https://api.mattermost.com/#tag/users/operation/GetUser"),
        Case("sentry", "sentry-user-token", "sentry", "", "/api/0/", fake("sentry-user-token"),
             Reply(200, {"version": "0", "auth": {"scopes": ["org:read", "project:read"]},
                         "user": {"id": "1", "username": "alice", "email": "alice@acme.example"}}),
             UNAUTHORIZED, "https://docs.sentry.io/api/auth/", {"username": "alice", "kind": "user token"},
             ("org:read", "project:read")),
    ]


CASES = cases() + json_cases()


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


class Recorded(list):  # type: ignore[type-arg]
    """FakeAPI's request log, also remembering each handler thread's own last request."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def append(self, item: object) -> None:
        self.local.last = item
        super().append(item)


class ByToken(FakeAPI):
    """A stand-in of GitHub's ``GET /user`` (GITHUB_DOC) under ``/api/v3``, as on a GitHub Enterprise
    host, that accepts one token (user ``octocat``, scopes ``repo, gist``) and rejects every other."""

    def __init__(self, accepted: str) -> None:
        super().__init__()
        self.accepted = accepted
        self.recorded = Recorded()
        self.requests = self.recorded

    def reply(self, path: str, query: dict[str, list[str]]) -> Reply:
        headers = self.recorded.local.last[1]
        if path == "/api/v3/user" and headers.get("authorization") == f"Bearer {self.accepted}":
            return Reply(200, {"login": "octocat", "id": 1, "type": "User"}, {"X-OAuth-Scopes": "repo, gist"})
        return BAD_CREDENTIALS
