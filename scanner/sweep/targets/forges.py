"""Every repository of a GitHub organisation or a GitLab group, through their REST APIs.

GitHub: ``GET /orgs/{org}/repos?type=all`` (token from the argument or ``GITHUB_TOKEN``, sent as
``Authorization: Bearer``). When there is no such organisation but a user of that name exists, the
user's own repositories are listed instead: ``/user/repos?type=owner`` when the token belongs to that
user (private ones included), else ``/users/{user}/repos?type=owner`` (public ones only: that is all
the API shows of another account).

GitLab: ``GET /api/v4/groups/{full/path}/projects?include_subgroups=true`` (token from the argument or
``GITLAB_TOKEN``, sent as ``PRIVATE-TOKEN``). Projects shared into the group from other groups are
listed too (GitLab's default); archived ones are left out by asking ``archived=false``.

Both go through the product's one HTTP client (:mod:`scanner.httpclient`, under
:mod:`scanner.restapi`) with the same bounds as ``ci github``: 30 s per request, 64 MiB per page,
:data:`LISTING_TIMEOUT` for a whole listing, https only (http for loopback addresses), the token sent
to the API's own scheme, host and port only (a next page elsewhere is refused). They follow every
page (``Link: rel="next"``; GitLab's ``X-Next-Page`` too), wait out short rate limits and raise a
one-line error for a bad token, no access, an exhausted quota (with its reset time), an unknown name
or an answer in the wrong shape. Tokens never appear in messages.
"""

from __future__ import annotations

import os
import time
import urllib.parse
from typing import Any, Callable, Iterable, Iterator

from scanner.httpclient import HttpError
from scanner.sources.ci.github import GitHubClient, GitHubError
from scanner.sweep.targets.repospec import RepoSpec, check_remote
from scanner.restapi import ClientSettings, Response, RestClient

GITHUB_API = "https://api.github.com"
GITLAB_URL = "https://gitlab.com"
LISTING_TIMEOUT = 600.0  # seconds for every request of one organisation's or group's listing


class GitLabError(HttpError):
    """The GitLab API refused or failed in a way the user must act on (token, group path, quota)."""


class GitLabClient(RestClient):
    service = "GitLab API"
    error = GitLabError
    remaining_header = "ratelimit-remaining"
    reset_header = "ratelimit-reset"

    def auth_headers(self) -> dict[str, str]:
        return {"PRIVATE-TOKEN": self.settings.token} if self.settings.token else {}

    def next_url(self, resp: Response) -> str | None:
        link = super().next_url(resp)
        page = resp.headers.get("x-next-page", "").strip()
        if link or not page:
            return link
        parts = urllib.parse.urlsplit(resp.url)
        query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "page"] + [("page", page)]
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _reset_note(client: RestClient, resp: Response) -> str:
    reset = client.quota_reset(resp)
    if reset is None:
        return "rate limit exceeded"
    return f"rate limit exceeded until {time.strftime('%H:%M:%S', time.localtime(reset))}; try again then"


def _failure(client: RestClient, env_var: str, what: str) -> Callable[[Response, str], HttpError]:
    def fail(resp: Response, path: str) -> HttpError:
        said = client.scrub(resp.message()).strip().replace("\n", " ")[:200]
        svc = client.service
        if resp.status == 401:
            return client.error(f"{svc}: 401 {said or 'Unauthorized'}: set {env_var} to a valid token")
        if resp.status == 429 or (resp.status == 403 and client.quota_reset(resp) is not None):
            return client.error(f"{svc}: {_reset_note(client, resp)}")
        if resp.status == 403:
            return client.error(f"{svc}: 403 {said or 'Forbidden'}: the token may not list {what} "
                                f"(check its scopes in {env_var})")
        if resp.status == 404:
            return client.error(f"{svc}: {what} not found (check the name, and that {env_var} can see it)")
        return client.error(client.scrub(f"{svc}: {path}: HTTP {resp.status} {said}".rstrip()))
    return fail


def token_vars(github_api_url: str = GITHUB_API, gitlab_url: str = GITLAB_URL) -> dict[str, str]:
    """``{host: environment variable}``: the host each configured forge's repositories are cloned from
    (``host`` or ``host:port``, as :class:`scanner.sweep.targets.mirrors.Mirrors` looks tokens up) and the variable
    holding its token. A GitHub API host's ``api.`` is dropped (``api.github.com`` clones from
    ``github.com``; GitHub Enterprise Server serves its API under ``https://HOST/api/v3``). Names, not
    tokens: each process that clones reads the token from its own environment."""
    out: dict[str, str] = {}
    for url, var, strip_api in ((github_api_url, "GITHUB_TOKEN", True), (gitlab_url, "GITLAB_TOKEN", False)):
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        if strip_api and host.startswith("api.") and host.count(".") >= 2 and not parts.path.strip("/"):
            host = host[len("api."):]
        if not host:
            continue
        try:
            port = parts.port
        except ValueError:
            port = None
        out[f"{host}:{port}" if port and port != 443 else host] = var
    return out


def _entries(items: Iterable[Any], client: RestClient, what: str, name: str, url: str, fork: str,
             ) -> list[tuple[Any, Any, bool, bool]]:
    """``(name, clone URL, is a fork, is archived)`` of each item as it streams in (whole objects are
    not kept: a big organisation's listing stays small); an item that is not an object is a one-line error."""
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise client.bad_answer(what, f"an item is not an object (got {type(item).__name__})")
        out.append((item.get(name), item.get(url), bool(item.get(fork)), bool(item.get("archived"))))
    return out


def _specs(items: Iterable[tuple[Any, Any]], client: RestClient) -> list[RepoSpec]:
    out: dict[str, RepoSpec] = {}
    for name, url in items:
        if not isinstance(name, str) or not name or not isinstance(url, str) or check_remote(url):
            raise client.bad_answer("the listing", f"a repository without a usable clone URL: {name!r}")
        out.setdefault(name, RepoSpec(name, url=url))
    return [out[name] for name in sorted(out)]


# ------------------------------------------------------------------------------------------------
# GitHub


class _NoOrg(GitHubError):
    """No organisation of that name: try a user."""


def github_org(org: str, base_url: str = GITHUB_API, token: str | None = None, *,
               include_forks: bool = True, include_archived: bool = True,
               timeout: float = LISTING_TIMEOUT) -> list[RepoSpec]:
    """The repositories of GitHub organisation (or, failing that, user) ``org``, sorted by full name."""
    if not org or "/" in org or org.strip() != org:
        raise GitHubError(f"GitHub API: {org!r} is not an organisation or user name", "refused")
    token = token or os.environ.get("GITHUB_TOKEN") or None
    settings = ClientSettings(base_url=base_url.rstrip("/"), token=token, run_timeout=timeout,
                              run_timeout_hint="the listing of one organisation")
    with GitHubClient(settings) as client:
        return _github_org(client, org, include_forks, include_archived)


def _github_org(client: GitHubClient, org: str, include_forks: bool, include_archived: bool) -> list[RepoSpec]:
    quoted = urllib.parse.quote(org, safe="")
    fail = _failure(client, "GITHUB_TOKEN", f"organisation {org!r}")

    def org_fail(resp: Response, path: str) -> HttpError:
        return _NoOrg("no such organisation") if resp.status == 404 else fail(resp, path)

    what = f"the repositories of {org!r}"
    try:
        repos = _entries(client.pages(f"/orgs/{quoted}/repos", params={"type": "all"}, fail=org_fail),
                         client, what, "full_name", "clone_url", "fork")
    except _NoOrg:
        repos = _entries(_github_user_repos(client, org, quoted), client, what, "full_name", "clone_url", "fork")
    kept = (r for r in repos if (include_forks or not r[2]) and (include_archived or not r[3]))
    return _specs(((name, url) for name, url, _, _ in kept), client)


def _github_user_repos(client: GitHubClient, user: str, quoted: str) -> Iterator[Any]:
    fail = _failure(client, "GITHUB_TOKEN", f"organisation or user {user!r}")
    client.get_json(f"/users/{quoted}", fail=fail)  # a 404 here: neither an organisation nor a user
    if client.settings.token and _token_login(client).lower() == user.lower():
        return client.pages("/user/repos", params={"type": "owner"}, fail=fail)
    return client.pages(f"/users/{quoted}/repos", params={"type": "owner"}, fail=fail)


def _token_login(client: GitHubClient) -> str:
    """The login of the token's account; empty when the token may not say (a fine-grained one may not)."""
    resp = client.request(client.url("/user"))
    try:
        me = resp.json() if resp.status == 200 else None
    except ValueError:
        return ""
    return str(me.get("login") or "") if isinstance(me, dict) else ""


# ------------------------------------------------------------------------------------------------
# GitLab


def gitlab_group(group: str, base_url: str = GITLAB_URL, token: str | None = None, *,
                 include_forks: bool = True, include_archived: bool = True,
                 timeout: float = LISTING_TIMEOUT) -> list[RepoSpec]:
    """The projects of GitLab group ``group`` (a full path: ``org/sub``) and its subgroups, sorted by path."""
    group = group.strip("/")
    if not group or any(c.isspace() for c in group):
        raise GitLabError(f"GitLab API: {group!r} is not a group path", "refused")
    token = token or os.environ.get("GITLAB_TOKEN") or None
    settings = ClientSettings(base_url=base_url.rstrip("/"), token=token, run_timeout=timeout,
                              run_timeout_hint="the listing of one group")
    with GitLabClient(settings) as client:
        return _gitlab_group(client, group, include_forks, include_archived)


def _gitlab_group(client: GitLabClient, group: str, include_forks: bool, include_archived: bool) -> list[RepoSpec]:
    params: dict[str, str | int] = {"include_subgroups": "true"}
    if not include_archived:
        params["archived"] = "false"
    path = f"/api/v4/groups/{urllib.parse.quote(group, safe='')}/projects"
    fail = _failure(client, "GITLAB_TOKEN", f"group {group!r}")
    projects = _entries(client.pages(path, params=params, fail=fail), client, f"the projects of {group!r}",
                        "path_with_namespace", "http_url_to_repo", "forked_from_project")
    kept = (p for p in projects if (include_forks or not p[2]) and (include_archived or not p[3]))
    return _specs(((name, url) for name, url, _, _ in kept), client)
