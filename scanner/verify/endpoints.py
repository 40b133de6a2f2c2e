"""Where each provider is asked: its documented API base URL, or the one the user configured.

An endpoint is the API root that a verifier appends documented paths to (``https://api.github.com``,
or ``https://ghe.example.com/api/v3`` for GitHub Enterprise Server). Overrides come only from the
user's own configuration (``[verify] endpoints``), passed here as a plain mapping; never from a
config file found in a scanned tree, and never from a host read out of scanned content unless the
user asks (``--verify-hosts-from-content``: :func:`content_endpoint`, for providers whose hosts are per
organisation). Only ``https://`` is accepted, and ``http://`` for loopback addresses (local stand-ins,
tests).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from scanner.errors import ConfigError
from scanner.httpclient import url_problem
from scanner.verify import catalogue

# Each value is the documented API root; the provider module's docstring cites the page.
DEFAULTS: dict[str, str] = {
    "aws": "https://sts.amazonaws.com",
    "github": "https://api.github.com",
    "dockerhub": "https://auth.docker.io",
    "gitlab": "https://gitlab.com/api/v4",
    "slack": "https://slack.com/api",
    "stripe": "https://api.stripe.com",
    "openai": "https://api.openai.com",
    "anthropic": "https://api.anthropic.com",
    "huggingface": "https://huggingface.co",
    "npm": "https://registry.npmjs.org",
    "sendgrid": "https://api.sendgrid.com",
    "twilio": "https://api.twilio.com",
    "mailgun": "https://api.mailgun.net",
    "datadog": "https://api.datadoghq.com",
    "digitalocean": "https://api.digitalocean.com",
    "heroku": "https://api.heroku.com",
    "pypi": "https://pypi.org",
    "doppler": "https://api.doppler.com",
    "postman": "https://api.getpostman.com",
    "pulumi": "https://api.pulumi.com",
    "terraform": "https://app.terraform.io",
    "discord": "https://discord.com",
    "square": "https://connect.squareup.com",
    "asana": "https://app.asana.com",
    "airtable": "https://api.airtable.com",
    "notion": "https://api.notion.com",
    "netlify": "https://api.netlify.com",
    "vercel": "https://api.vercel.com",
    "sentry": "https://sentry.io",
    "cloudflare": "https://api.cloudflare.com",
    "circleci": "https://circleci.com",
    "groq": "https://api.groq.com",
    "xai": "https://api.x.ai",
    "openrouter": "https://openrouter.ai",
    "snyk": "https://api.snyk.io",
    "pagerduty": "https://api.pagerduty.com",
    "linode": "https://api.linode.com",
    "vultr": "https://api.vultr.com",
    "fastly": "https://api.fastly.com",
    "figma": "https://api.figma.com",
    "azuredevops": "https://app.vssps.visualstudio.com",
    "replicate": "https://api.replicate.com",
    "honeycomb": "https://api.honeycomb.io",
    "postmark": "https://api.postmarkapp.com",
    "brevo": "https://api.brevo.com",
    "contentful": "https://api.contentful.com",
    "buildkite": "https://api.buildkite.com",
    "hubspot": "https://api.hubapi.com",
    "clickup": "https://api.clickup.com",
    "launchdarkly": "https://app.launchdarkly.com",
    "opsgenie": "https://api.opsgenie.com",
    "gcp": "https://oauth2.googleapis.com",  # the token URI of service-account keys (providers/gcp.py)
    "azure": "https://login.microsoftonline.com",  # Entra ID's token endpoint (providers/azure.py)
}
# providers with no single documented host: only an endpoint the user configured is ever asked
CONFIGURED_ONLY: frozenset[str] = frozenset({"shopify", "okta", "vault", "databricks", "gitea", "mattermost",
                                              "atlassian"})
for _group in catalogue.GROUPS:
    DEFAULTS.update(_group.HOSTS)
    CONFIGURED_ONLY = CONFIGURED_ONLY | _group.CONFIGURED_ONLY
PROVIDERS: frozenset[str] = frozenset(DEFAULTS) | CONFIGURED_ONLY

# providers whose hosts are per organisation (self-hosted, per org or shop): with
# --verify-hosts-from-content, the origin (scheme, host, port) of a URL found in a finding's context
# becomes their endpoint, the documented API root appended. The shared public hosts are never taken
# from content: they are the defaults already.
CONTENT_HOSTS: dict[str, Callable[[str], str]] = {
    "okta": lambda origin: origin,
    "shopify": lambda origin: origin,
    "vault": lambda origin: origin,
    "databricks": lambda origin: origin,
    "gitea": lambda origin: origin,
    "mattermost": lambda origin: origin,
    "gitlab": lambda origin: origin + "/api/v4",  # self-managed GitLab
    "github": lambda origin: origin + "/api/v3",  # GitHub Enterprise Server
}
_PUBLIC = frozenset({"github.com", "api.github.com", "gitlab.com", "www.gitlab.com"})
_URL = re.compile(r"\bhttps?://[^\s'\"<>`|\\]+", re.IGNORECASE)


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` cannot be an endpoint, or None."""
    problem = url_problem(url)
    if problem:
        return problem
    parts = urllib.parse.urlsplit(url)
    if parts.query or parts.fragment:
        return "an endpoint is a base URL without a query or fragment"
    return None


@dataclass(frozen=True)
class Endpoints:
    """The base URL of each provider for one run."""

    urls: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULTS))
    configured: frozenset[str] = frozenset()  # providers whose URL the user set

    def __post_init__(self) -> None:
        for provider, url in self.urls.items():
            problem = endpoint_problem(url)
            if problem:
                raise ConfigError(f"[verify] endpoints.{provider} = {url!r}: {problem}")

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, str] | None = None) -> Endpoints:
        """The defaults with the user's ``[verify] endpoints`` applied. An unknown provider name or
        a URL that is not https (or loopback http) is a :class:`ConfigError`."""
        urls = dict(DEFAULTS)
        for provider, url in (overrides or {}).items():
            if provider not in PROVIDERS:
                raise ConfigError(f"[verify] endpoints: unknown provider {provider!r}; known: "
                                  f"{', '.join(sorted(PROVIDERS))}")
            if not isinstance(url, str):
                raise ConfigError(f"[verify] endpoints.{provider}: expected a URL string")
            problem = endpoint_problem(url)
            if problem:
                raise ConfigError(f"[verify] endpoints.{provider} = {url!r}: {problem}")
            urls[provider] = url.rstrip("/")
        return cls(urls, frozenset(overrides or {}))

    def base(self, provider: str) -> str | None:
        """The URL to ask ``provider`` at, or None when it has no default and none is configured."""
        return self.urls.get(provider)

    def is_configured(self, provider: str) -> bool:
        return provider in self.configured


def urls_in(texts: Iterable[str]) -> tuple[str, ...]:
    """The http(s) URLs written in ``texts`` (a finding's context line and derived facts), in order."""
    out: dict[str, None] = {}
    for text in texts:
        for match in _URL.finditer(text or ""):
            out.setdefault(match.group(0).rstrip(".,;:)]}"), None)
    return tuple(out)


def content_endpoint(provider: str, urls: Iterable[str]) -> str | None:
    """The endpoint of ``provider`` made from the first URL of ``urls`` that may be asked: only for a
    provider with per-organisation hosts (:data:`CONTENT_HOSTS`; any other provider with no single
    public host, :data:`CONFIGURED_ONLY`, takes the origin as its API root), only https (http to loopback), never
    a user name or password (the origin alone is kept), never one of the shared public hosts."""
    build = CONTENT_HOSTS.get(provider) or ((lambda origin: origin) if provider in CONFIGURED_ONLY else None)
    if build is None:
        return None
    for url in urls:
        try:
            parts = urllib.parse.urlsplit(url)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            continue
        if not host or host in _PUBLIC:
            continue
        shown = f"[{host}]" if ":" in host else host
        origin = f"{parts.scheme.lower()}://{shown}" + (f":{port}" if port else "")
        endpoint = build(origin)
        if endpoint_problem(endpoint) is None:
            return endpoint
    return None
