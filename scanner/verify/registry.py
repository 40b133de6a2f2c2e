"""Which verifier checks which rule: one explicit table, keyed by rule id (``rules/*.toml`` ``id``).

Keys are rule ids, not families, because a family can hold rules that verify differently (the
``github-token`` family holds refresh tokens, which no read-only call checks, beside personal access
tokens; ``openai-api-key`` holds admin keys, which need another endpoint). :func:`lookup` falls
back to :data:`FAMILIES` for a rule that only shares a shipped family whose every rule verifies the
same way. Rules with no entry are reported ``skipped``.
"""

from __future__ import annotations

from scanner.verify.providers import (
    airtable, anthropic, asana, atlassian, aws, dockerhub, azure, azuredevops, brevo, buildkite, circleci, clickup, cloudflare, contentful,
    databricks, datadog, digitalocean, discord, doppler, fastly, figma, gcp, gitea, github, gitlab, groq, heroku,
    honeycomb, hubspot, huggingface, launchdarkly, linode, mailgun, mattermost, netlify, notion, npm, okta,
    openai, openrouter, opsgenie, pagerduty, postman, postmark, pulumi, pypi, replicate, sendgrid, sentry,
    shopify, slack, snyk, square, stripe, terraform, twilio, vault, vercel, vultr, xai,
)
from scanner.verify import catalogue
from scanner.verify.verifier import FunctionVerifier, Verifier


GITHUB_USER = FunctionVerifier("github", github.verify_user)
SLACK = FunctionVerifier("slack", slack.verify)
STRIPE = FunctionVerifier("stripe", stripe.verify)
OPENAI = FunctionVerifier("openai", openai.verify)
HUGGINGFACE = FunctionVerifier("huggingface", huggingface.verify)
MAILGUN = FunctionVerifier("mailgun", mailgun.verify)
DIGITALOCEAN = FunctionVerifier("digitalocean", digitalocean.verify)
HEROKU = FunctionVerifier("heroku", heroku.verify)
SHOPIFY = FunctionVerifier("shopify", shopify.verify)
PYPI = FunctionVerifier("pypi", pypi.verify)
SENTRY = FunctionVerifier("sentry", sentry.verify)

VERIFIERS: dict[str, Verifier] = {
    # rules/aws.toml: the secret key, with the access key id as its companion
    "aws-secret-access-key": FunctionVerifier("aws", aws.verify),
    # rules/gcp.toml: the key file's private key, signed into a JWT here (never sent)
    "gcp-service-account-json": FunctionVerifier("gcp", gcp.verify),
    # rules/azure.toml: Entra ID client secrets, with the tenant and client ids found beside them
    "azure-ad-client-secret": FunctionVerifier("azure", azure.verify),
    "azure-ad-client-secret-context": FunctionVerifier("azure", azure.verify),
    # rules/github.toml (family github-token)
    "github-pat-classic": GITHUB_USER,
    "github-fine-grained-pat": GITHUB_USER,
    "github-oauth-token": GITHUB_USER,
    "github-user-to-server-token": GITHUB_USER,
    "github-server-to-server-token": FunctionVerifier("github", github.verify_installation),
    # rules/docker.toml: checked with the user name written beside the token
    "dockerhub-pat": FunctionVerifier("dockerhub", dockerhub.verify),
    "dockerhub-org-token": FunctionVerifier("dockerhub", dockerhub.verify),
    # rules/atlassian.toml: at the organisation's site the user configured, with the e-mail beside the token
    "atlassian-api-token": FunctionVerifier("atlassian", atlassian.verify),
    # rules/gitlab.toml
    "gitlab-pat": FunctionVerifier("gitlab", gitlab.verify),
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
    "openai-admin-key": FunctionVerifier("openai", openai.verify_admin),
    # rules/anthropic.toml (family anthropic-key; OAuth tokens are not API keys)
    "anthropic-api-key": FunctionVerifier("anthropic", anthropic.verify),
    "anthropic-admin-key": FunctionVerifier("anthropic", anthropic.verify_admin),
    # rules/huggingface.toml (family huggingface-token)
    "huggingface-token": HUGGINGFACE,
    "huggingface-org-token": HUGGINGFACE,
    # rules/npm.toml
    "npm-token": FunctionVerifier("npm", npm.verify),
    # rules/sendgrid.toml
    "sendgrid-api-key": FunctionVerifier("sendgrid", sendgrid.verify),
    # rules/twilio.toml: secrets with their SIDs as companions (the account SID alone is an identifier)
    "twilio-auth-token": FunctionVerifier("twilio", twilio.verify_auth_token),
    "twilio-api-key-secret": FunctionVerifier("twilio", twilio.verify_api_key),
    # rules/mailgun.toml (family mailgun-api-key; the webhook signing key authenticates nothing)
    "mailgun-api-key": MAILGUN,
    "mailgun-api-key-v2": MAILGUN,
    # rules/datadog.toml (application keys work only with an API key)
    "datadog-api-key": FunctionVerifier("datadog", datadog.verify),
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
    # one read-only GET each, described as data (providers/_json.py)
    "doppler-personal-token": doppler.CHECK,
    "doppler-service-token": doppler.CHECK,
    "doppler-service-account-token": doppler.CHECK,
    "doppler-cli-token": doppler.CHECK,
    "postman-api-key": postman.CHECK,
    "pulumi-access-token": pulumi.CHECK,
    "terraform-cloud-token": terraform.CHECK,
    "discord-bot-token": discord.CHECK,
    "square-access-token": square.CHECK,
    "square-legacy-access-token": square.CHECK,
    "asana-pat": asana.CHECK,
    "airtable-pat": airtable.CHECK,
    "notion-integration-token": notion.CHECK,
    "notion-legacy-integration-secret": notion.CHECK,
    "netlify-pat": netlify.CHECK,
    "netlify-legacy-token": netlify.CHECK,
    "vercel-token": vercel.CHECK,
    "sentry-user-token": SENTRY,
    "sentry-org-token": SENTRY,
    "sentry-legacy-auth-token": SENTRY,
    "cloudflare-api-token": cloudflare.CHECK,
    "circleci-personal-token": circleci.CHECK,
    "groq-api-key": groq.CHECK,
    "xai-api-key": xai.CHECK,
    "openrouter-api-key": openrouter.CHECK,
    "snyk-api-token": snyk.CHECK,
    "pagerduty-api-key": pagerduty.CHECK,
    "linode-token": linode.CHECK,
    "vultr-api-key": vultr.CHECK,
    "fastly-api-token": fastly.CHECK,
    "figma-pat": figma.CHECK,
    "azure-devops-pat": azuredevops.CHECK,
    "azure-devops-pat-legacy": azuredevops.CHECK,
    "replicate-api-token": replicate.CHECK,
    "honeycomb-api-key": honeycomb.CHECK,
    "postmark-server-token": postmark.CHECK,
    "brevo-api-key": brevo.CHECK,
    "contentful-pat": contentful.CHECK,
    "buildkite-api-token": buildkite.CHECK,
    "hubspot-private-app-token": hubspot.CHECK,
    "clickup-api-token": clickup.CHECK,
    "launchdarkly-api-key": launchdarkly.CHECK,
    "opsgenie-api-key": opsgenie.CHECK,
    # self-hosted or per-organisation hosts: only the URL the user configured is asked
    "okta-api-token": okta.CHECK,
    "vault-service-token": vault.CHECK,
    "vault-batch-token": vault.CHECK,
    "vault-legacy-token": vault.CHECK,
    "databricks-token": databricks.CHECK,
    "gitea-access-token": gitea.CHECK,
    "mattermost-access-token": mattermost.CHECK,
}

for _group in catalogue.GROUPS:
    VERIFIERS.update(_group.VERIFIERS)

# families whose every shipped rule verifies the same way: a user rule declaring one is checked too
FAMILIES: dict[str, Verifier] = {
    "huggingface-token": HUGGINGFACE,
    "heroku-api-key": HEROKU,
}


def lookup(rule_id: str, family: str = "") -> Verifier | None:
    return VERIFIERS.get(rule_id) or (FAMILIES.get(family) if family else None)


def providers() -> list[str]:
    return sorted({v.provider for v in VERIFIERS.values()})
