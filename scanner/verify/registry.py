"""Which verifier checks which rule: one explicit table, keyed by rule id (``rules/*.toml`` ``id``).

Keys are rule ids, not families, because a family can hold rules that verify differently (the
``github-token`` family holds refresh tokens, which no read-only call checks, beside personal access
tokens; ``openai-api-key`` holds admin keys, which need another endpoint). :func:`lookup` falls
back to :data:`FAMILIES` for a rule that only shares a shipped family whose every rule verifies the
same way. Rules with no entry are reported ``skipped``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from scanner.httpclient import HttpClient
from scanner.verify.providers import (
    anthropic, aws, datadog, digitalocean, github, gitlab, heroku, huggingface, mailgun, npm, openai, pypi,
    sendgrid, shopify, slack, stripe, twilio,
)
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


class Verifier(Protocol):
    """Checks one credential against its provider's read-only endpoint. ``endpoint`` is the base URL
    (default or user-configured, already checked); every request goes through ``http``. Returns a
    :class:`Verification`; may raise (an :class:`~scanner.httpclient.HttpError`, a malformed answer),
    which the run turns into ``error`` with a safe reason."""

    @property
    def provider(self) -> str: ...

    def verify(self, subject: Subject, endpoint: str, http: HttpClient) -> Verification: ...


@dataclass(frozen=True)
class Check:
    """A verifier made of a provider name and one function of a provider module."""

    provider: str
    run: Callable[[Subject, str, HttpClient], Verification]

    def verify(self, subject: Subject, endpoint: str, http: HttpClient) -> Verification:
        return self.run(subject, endpoint, http)


GITHUB_USER = Check("github", github.verify_user)
SLACK = Check("slack", slack.verify)
STRIPE = Check("stripe", stripe.verify)
OPENAI = Check("openai", openai.verify)
HUGGINGFACE = Check("huggingface", huggingface.verify)
MAILGUN = Check("mailgun", mailgun.verify)
DIGITALOCEAN = Check("digitalocean", digitalocean.verify)
HEROKU = Check("heroku", heroku.verify)
SHOPIFY = Check("shopify", shopify.verify)
PYPI = Check("pypi", pypi.verify)

VERIFIERS: dict[str, Verifier] = {
    # rules/aws.toml: the secret key, with the access key id as its companion
    "aws-secret-access-key": Check("aws", aws.verify),
    # rules/github.toml (family github-token)
    "github-pat-classic": GITHUB_USER,
    "github-fine-grained-pat": GITHUB_USER,
    "github-oauth-token": GITHUB_USER,
    "github-user-to-server-token": GITHUB_USER,
    "github-server-to-server-token": Check("github", github.verify_installation),
    # rules/gitlab.toml
    "gitlab-pat": Check("gitlab", gitlab.verify),
    # rules/slack.toml (family slack-token; app tokens and webhooks have no read-only check)
    "slack-bot-token": SLACK,
    "slack-user-token": SLACK,
    "slack-legacy-token": SLACK,
    # rules/stripe.toml
    "stripe-secret-key": STRIPE,
    "stripe-test-secret-key": STRIPE,
    "stripe-restricted-key": STRIPE,
    "stripe-test-restricted-key": STRIPE,
    # rules/openai.toml (family openai-api-key)
    "openai-api-key": OPENAI,
    "openai-project-key": OPENAI,
    "openai-service-account-key": OPENAI,
    "openai-admin-key": Check("openai", openai.verify_admin),
    # rules/anthropic.toml (family anthropic-key; OAuth tokens are not API keys)
    "anthropic-api-key": Check("anthropic", anthropic.verify),
    "anthropic-admin-key": Check("anthropic", anthropic.verify_admin),
    # rules/huggingface.toml (family huggingface-token)
    "huggingface-token": HUGGINGFACE,
    "huggingface-org-token": HUGGINGFACE,
    # rules/npm.toml
    "npm-token": Check("npm", npm.verify),
    # rules/sendgrid.toml
    "sendgrid-api-key": Check("sendgrid", sendgrid.verify),
    # rules/twilio.toml: secrets with their SIDs as companions (the account SID alone is an identifier)
    "twilio-auth-token": Check("twilio", twilio.verify_auth_token),
    "twilio-api-key-secret": Check("twilio", twilio.verify_api_key),
    # rules/mailgun.toml (family mailgun-api-key; the webhook signing key authenticates nothing)
    "mailgun-api-key": MAILGUN,
    "mailgun-api-key-v2": MAILGUN,
    # rules/datadog.toml (application keys work only with an API key)
    "datadog-api-key": Check("datadog", datadog.verify),
    # rules/digitalocean.toml (family digitalocean-token; refresh tokens only mint new tokens)
    "digitalocean-pat": DIGITALOCEAN,
    "digitalocean-oauth-token": DIGITALOCEAN,
    # rules/heroku.toml (family heroku-api-key)
    "heroku-api-key": HEROKU,
    "heroku-legacy-api-key": HEROKU,
    # rules/shopify.toml (only a shop the user configured is asked)
    "shopify-access-token": SHOPIFY,
    "shopify-custom-app-token": SHOPIFY,
    "shopify-private-app-token": SHOPIFY,
    # rules/pypi.toml: never sent anywhere (see providers/pypi.py)
    "pypi-token": PYPI,
    "pypi-test-token": PYPI,
}

# families whose every shipped rule verifies the same way: a user rule declaring one is checked too
FAMILIES: dict[str, Verifier] = {
    "huggingface-token": HUGGINGFACE,
    "heroku-api-key": HEROKU,
}


def lookup(rule_id: str, family: str = "") -> Verifier | None:
    return VERIFIERS.get(rule_id) or (FAMILIES.get(family) if family else None)


def providers() -> list[str]:
    return sorted({v.provider for v in VERIFIERS.values()})
