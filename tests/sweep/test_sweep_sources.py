"""Repository sources for org-wide sweeps: list files, folder discovery, the GitHub and GitLab APIs
(a loopback server answering in their documented shapes) and bare mirrors made with the real git CLI."""

from __future__ import annotations

import base64
import functools
import http.server
import os
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest
from fakeapi import FakeAPI, Reply
from gitutil import GitRepo

from scanner.sources.ci.github import ClientSettings, GitHubClient
from scanner.sweep.targets import repolists
from scanner.errors import CredsprawlError, UsageError
from scanner.sweep.targets.mirrors import mirror_dir_name
from scanner.sweep.targets import (GitHubError, GitLabError, MirrorError, Mirrors, RepoSpec, default_cache_dir,
                                   discover, github_org, gitlab_group, read_repo_file, token_vars)

TOKEN = "fake-token-for-loopback-tests-0000"


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    with FakeAPI() as server:
        yield server


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real tokens reach the code under test; git reads no user or system config."""
    for var in ("GITHUB_TOKEN", "GITLAB_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and TOKEN not in text
    return text


# ------------------------------------------------------------------------------------------------
# GitHub: GET /orgs/{org}/repos, an array of repository objects, pages linked by Link: rel="next"


def gh_repo(full_name: str, fork: bool = False, archived: bool = False) -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {"id": abs(hash(full_name)) % 10**6, "node_id": "R_kgDO", "name": name, "full_name": full_name,
            "private": False, "owner": {"login": owner, "id": 1, "type": "Organization"},
            "html_url": f"https://github.com/{full_name}", "fork": fork, "archived": archived, "disabled": False,
            "url": f"https://api.github.com/repos/{full_name}", "git_url": f"git://github.com/{full_name}.git",
            "ssh_url": f"git@github.com:{full_name}.git", "clone_url": f"https://github.com/{full_name}.git",
            "default_branch": "main", "visibility": "public", "size": 108}


def paged(pages: list[list[dict[str, Any]]], path: str, link: bool = True,
          next_page: bool = False) -> Any:
    """A route answering ``?page=N`` (1 when absent) with ``pages[N-1]`` and its pagination headers."""
    def route(query: dict[str, list[str]]) -> Reply:
        n = int(query.get("page", ["1"])[0])
        headers: dict[str, str] = {}
        rest = "&".join(f"{k}={v[0]}" for k, v in sorted(query.items()) if k != "page")
        if n < len(pages):
            if link:
                headers["Link"] = (f'<{{base}}{path}?{rest}&page={n + 1}>; rel="next", '
                                   f'<{{base}}{path}?{rest}&page={len(pages)}>; rel="last"')
            if next_page:
                headers["X-Next-Page"] = str(n + 1)
        elif next_page:
            headers["X-Next-Page"] = ""
        return Reply(200, pages[n - 1], headers)
    return route


def test_github_org_pages_headers_and_filters(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [[gh_repo("acme/web"), gh_repo("acme/api")],
             [gh_repo("acme/old", archived=True), gh_repo("acme/lib-fork", fork=True)],
             [gh_repo("acme/zeta")]]
    api.routes["/orgs/acme/repos"] = paged(pages, "/orgs/acme/repos")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)  # the token comes from the environment when not given

    specs = github_org("acme", base_url=api.base + "/")
    assert [(s.name, s.url, s.path) for s in specs] == [
        (n, f"https://github.com/{n}.git", None)
        for n in ["acme/api", "acme/lib-fork", "acme/old", "acme/web", "acme/zeta"]]
    assert api.paths()[:3] == ["/orgs/acme/repos?per_page=100&type=all",
                               "/orgs/acme/repos?per_page=100&type=all&page=2",
                               "/orgs/acme/repos?per_page=100&type=all&page=3"]
    for _, headers in api.requests:
        assert headers["authorization"] == f"Bearer {TOKEN}"
        assert headers["accept"] == "application/vnd.github+json"
        assert headers["x-github-api-version"] == "2022-11-28"

    kept = github_org("acme", base_url=api.base, token="fake-other-token", include_forks=False, include_archived=False)
    assert [s.name for s in kept] == ["acme/api", "acme/web", "acme/zeta"]
    assert api.requests[-1][1]["authorization"] == "Bearer fake-other-token"


def test_github_falls_back_to_a_user(api: FakeAPI) -> None:
    api.routes["/users/octocat"] = Reply(200, {"login": "octocat", "id": 583231, "type": "User"})
    api.routes["/users/octocat/repos"] = Reply(200, [gh_repo("octocat/Hello-World")])
    api.routes["/user"] = Reply(200, {"login": "someone-else", "id": 2, "type": "User"})
    assert [s.name for s in github_org("octocat", base_url=api.base, token=TOKEN)] == ["octocat/Hello-World"]
    assert "/users/octocat/repos?per_page=100&type=owner" in api.paths()

    # the token's own account: private repositories too, through /user/repos
    api.routes["/user"] = Reply(200, {"login": "OctoCat", "id": 583231, "type": "User"})
    api.routes["/user/repos"] = Reply(200, [gh_repo("octocat/Hello-World"), gh_repo("octocat/secret-stuff")])
    assert len(github_org("octocat", base_url=api.base, token=TOKEN)) == 2
    assert api.paths()[-1] == "/user/repos?per_page=100&type=owner"

    # a token that may not read its own account (fine-grained): the public list, not an error
    api.routes["/user"] = Reply(403, {"message": "Resource not accessible by personal access token"})
    assert [s.name for s in github_org("octocat", base_url=api.base, token=TOKEN)] == ["octocat/Hello-World"]


def test_github_errors_are_one_line_without_the_token(api: FakeAPI) -> None:
    api.routes["/orgs/acme/repos"] = Reply(401, {"message": f"Bad credentials {TOKEN}",
                                                 "documentation_url": "https://docs.github.com/rest"})
    with pytest.raises(GitHubError) as info:
        github_org("acme", base_url=api.base, token=TOKEN)
    assert "401" in one_line(info.value) and "GITHUB_TOKEN" in str(info.value)

    far = int(time.time()) + 7200
    api.routes["/orgs/acme/repos"] = Reply(403, {"message": "API rate limit exceeded for user ID 1."}, {
        "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(far)})
    with pytest.raises(GitHubError) as info:
        github_org("acme", base_url=api.base, token=TOKEN)
    assert f"rate limit exhausted until {time.strftime('%H:%M', time.localtime(far))}" in one_line(info.value)

    api.routes["/orgs/acme/repos"] = Reply(403, {"message": "Resource protected by organization SAML enforcement."})
    with pytest.raises(GitHubError) as info:
        github_org("acme", base_url=api.base, token=TOKEN)
    assert "403" in one_line(info.value) and "SAML" in str(info.value)

    with pytest.raises(GitHubError) as info:  # neither an organisation nor a user
        github_org("nobody-here", base_url=api.base, token=TOKEN)
    assert "not found" in one_line(info.value) and "nobody-here" in str(info.value)

    api.routes["/orgs/acme/repos"] = Reply(200, [{"full_name": "acme/x", "clone_url": None}])
    with pytest.raises(GitHubError, match="clone URL"):
        github_org("acme", base_url=api.base)
    with pytest.raises(GitHubError, match="not an organisation"):
        github_org("acme/web", base_url=api.base)


# ------------------------------------------------------------------------------------------------
# GitLab: GET /api/v4/groups/:id/projects, an array of project objects, Link and X-Next-Page headers


def gl_project(path: str, archived: bool = False, fork_of: str | None = None) -> dict[str, Any]:
    namespace, name = path.rsplit("/", 1)
    project: dict[str, Any] = {
        "id": abs(hash(path)) % 10**6, "description": None, "name": name, "name_with_namespace": path.replace("/", " / "),
        "path": name, "path_with_namespace": path, "created_at": "2024-01-01T00:00:00.000Z", "default_branch": "main",
        "ssh_url_to_repo": f"git@gitlab.example.com:{path}.git", "http_url_to_repo": f"https://gitlab.example.com/{path}.git",
        "web_url": f"https://gitlab.example.com/{path}", "archived": archived, "visibility": "private",
        "namespace": {"id": 9, "name": namespace, "path": namespace.rsplit("/", 1)[-1], "kind": "group",
                      "full_path": namespace}}
    if fork_of:
        project["forked_from_project"] = {"id": 1, "path_with_namespace": fork_of}
    return project


def test_gitlab_group_pages_headers_and_filters(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    path = "/api/v4/groups/acme%2Fplatform/projects"
    pages = [[gl_project("acme/platform/api"), gl_project("acme/platform/infra/terraform")],
             [gl_project("acme/platform/fork", fork_of="upstream/tool")],  # this page: X-Next-Page only
             [gl_project("acme/platform/web")]]
    route = paged(pages, path, link=True, next_page=True)
    api.routes[path] = lambda q: route(q) if q.get("page", ["1"])[0] != "2" else _without_link(route(q))
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)

    specs = gitlab_group("acme/platform", base_url=api.base)
    assert [(s.name, s.url) for s in specs] == [
        (n, f"https://gitlab.example.com/{n}.git")
        for n in ["acme/platform/api", "acme/platform/fork", "acme/platform/infra/terraform", "acme/platform/web"]]
    requested = api.paths()
    assert requested[0] == f"{path}?per_page=100&include_subgroups=true"
    assert len(requested) == 3 and "page=3" in requested[2]  # followed X-Next-Page when Link was missing
    for _, headers in api.requests:
        assert headers["private-token"] == TOKEN and "authorization" not in headers

    kept = gitlab_group("acme/platform", base_url=api.base, token="fake-other-token", include_forks=False,
                        include_archived=False)
    assert "acme/platform/fork" not in [s.name for s in kept]
    assert api.paths()[-3] == f"{path}?per_page=100&include_subgroups=true&archived=false"
    assert api.requests[-1][1]["private-token"] == "fake-other-token"


def _without_link(reply: Reply) -> Reply:
    reply.headers.pop("Link", None)
    return reply


def test_gitlab_errors_are_one_line_without_the_token(api: FakeAPI) -> None:
    path = "/api/v4/groups/acme/projects"
    cases = [(Reply(401, {"message": "401 Unauthorized"}), "GITLAB_TOKEN"),
             (Reply(403, {"message": "403 Forbidden"}), "403"),
             (Reply(404, {"message": "404 Group Not Found"}), "not found"),
             (Reply(429, {"message": "Retry later"}, {"Retry-After": "3600", "RateLimit-Remaining": "0",
                                                      "RateLimit-Reset": str(int(time.time()) + 3600)}),
              "rate limit exhausted until"),
             (Reply(400, {"message": f"bad request from {TOKEN}"}), "HTTP 400")]
    for reply, expected in cases:
        api.routes[path] = reply
        with pytest.raises(GitLabError) as info:
            gitlab_group("acme", base_url=api.base, token=TOKEN)
        assert expected in one_line(info.value)


def test_forges_use_the_bounded_client(api: FakeAPI) -> None:
    """The same client and bounds as ci github: a next page elsewhere is refused (the token goes
    nowhere else), items in the wrong shape are one line, a silent server ends at the listing's limit,
    and a base URL must be https (http only for loopback)."""
    with FakeAPI() as other:
        other.routes["/orgs/acme/repos"] = Reply(200, [gh_repo("acme/evil")])
        api.routes["/orgs/acme/repos"] = Reply(200, [gh_repo("acme/web")], {
            "Link": f'<{other.base}/orgs/acme/repos?page=2>; rel="next"'})
        with pytest.raises(GitHubError) as info:
            github_org("acme", base_url=api.base, token=TOKEN)
        assert "another host" in one_line(info.value) and info.value.kind == "refused"
        assert other.requests == []

    api.routes["/api/v4/groups/acme/projects"] = Reply(200, ["not a project", 5])
    with pytest.raises(GitLabError) as info:
        gitlab_group("acme", base_url=api.base, token=TOKEN)
    assert "not an object" in one_line(info.value) and info.value.kind == "bad-answer"

    # many pages, each under the page limit, together over the listing's: the pages are not all kept
    pages = [[gh_repo(f"acme/r{p}-{i}") for i in range(60)] for p in range(50)]
    api.routes["/orgs/many/repos"] = paged(pages, "/orgs/many/repos")
    settings = ClientSettings(base_url=api.base, max_page=200_000, max_listing=1_000_000)
    with GitHubClient(settings) as client, pytest.raises(GitHubError) as info:
        list(client.pages("/orgs/many/repos"))
    assert info.value.kind == "too-large" and "one listing" in one_line(info.value)
    assert 5 < len(api.paths()) < 50

    api.routes["/orgs/slow/repos"] = Reply(silent=True)
    started = time.monotonic()
    with pytest.raises(GitHubError) as info:
        github_org("slow", base_url=api.base, token=TOKEN, timeout=1.5)
    assert info.value.kind == "deadline" and time.monotonic() - started < 6

    for url in ("http://gitlab.example.com", "file:///srv/gitlab", "gitlab.example.com"):
        with pytest.raises(GitLabError) as info:
            gitlab_group("acme", base_url=url, token=TOKEN)
        assert info.value.kind == "refused" and "API URL" in one_line(info.value)


# ------------------------------------------------------------------------------------------------
# list files


def make_repo(path: Path, bare: bool = False, commit: bool = True) -> GitRepo:
    repo = GitRepo(path, bare=bare)
    if commit and not bare:
        repo.write("README.md", f"# {path.name}\n")
        repo.git("add", "-A")
        repo.git("commit", "-q", "-m", "first")
    return repo


def test_read_repo_file(tmp_path: Path) -> None:
    make_repo(tmp_path / "repos" / "local-one")
    lists = tmp_path / "lists"
    lists.mkdir()
    listing = lists / "repos.txt"
    listing.write_text("\n".join([
        "# repositories to sweep",
        "https://github.com/acme/web.git",
        "",
        "   git@github.com:acme/api.git   # scp-like",
        "ssh://git@gitlab.example.com:2222/acme/infra.git",
        "../repos/local-one",
        "file:///srv/git/tools.git",
        "https://github.com/acme/web",  # the same repository again
        "../repos/./local-one",  # the same folder again
        "../repos/missing",  # stale lines: listed, and failed when the sweep opens them
        "../lists",
    ]) + "\n")
    specs = read_repo_file(listing)
    assert [(s.name, s.url, s.path) for s in specs] == [
        ("github.com/acme/web", "https://github.com/acme/web.git", None),
        ("github.com/acme/api", "git@github.com:acme/api.git", None),
        ("gitlab.example.com:2222/acme/infra", "ssh://git@gitlab.example.com:2222/acme/infra.git", None),
        ("../repos/local-one", None, (tmp_path / "repos" / "local-one").resolve()),
        ("/srv/git/tools", "file:///srv/git/tools.git", None),
        ("../repos/missing", None, (tmp_path / "repos" / "missing").resolve()),
        ("../lists", None, lists.resolve()),
    ]
    for stale, reason in [(specs[-2], "no such folder"), (specs[-1], "not a git repository")]:
        with pytest.raises(MirrorError, match=reason):
            Mirrors(tmp_path / "cache").ensure(stale)

    for bad, reason in [("htps://github.com/acme/web", "unsupported scheme"),
                        ("https://github.com/acme/web extra", "one URL or path a line"),
                        ("https://github.com", "no repository path")]:
        listing.write_text(f"# header\nhttps://github.com/acme/web.git\n{bad}\n")
        with pytest.raises(UsageError) as info:
            read_repo_file(listing)
        assert one_line(info.value).startswith(f"{listing}:3: ") and reason in str(info.value), str(info.value)
    listing.write_text(f"https://x-access-token:{TOKEN}@/acme/web.git\n")
    with pytest.raises(UsageError) as info:
        read_repo_file(listing)
    assert one_line(info.value).startswith(f"{listing}:1: ")
    with pytest.raises(UsageError, match="cannot read"):
        read_repo_file(lists / "absent.txt")


# ------------------------------------------------------------------------------------------------
# discovery


def test_discover_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "src"
    a = make_repo(root / "a")
    make_repo(root / "group" / "b")
    make_repo(root / "group" / "c.git", bare=True)
    make_repo(root / "plain" / "deeper" / "d")
    make_repo(root / "a" / "vendor" / "lib")  # a clone inside a's work tree, not a submodule
    sub_upstream = make_repo(tmp_path / "upstream-sub")
    a.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub_upstream.path), "modules/sub")
    a.git("commit", "-q", "-m", "add a submodule")
    a.git("worktree", "add", "-q", str(root / "a-linked"), "-b", "other")  # shares a's objects and refs
    (root / "a" / "not-a-repo" / "x").mkdir(parents=True)
    (root / "empty").mkdir()
    locked = root / "locked"
    make_repo(locked / "hidden")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the folder unreadable to the walk itself
        real = os.scandir

        def scandir(path: Any) -> Any:
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)
        monkeypatch.setattr(repolists.os, "scandir", scandir)
    errors: list[Path] = []
    try:
        specs = discover(root, on_error=lambda p, e: errors.append(p))
        everything = discover(root, nested=True)
    finally:
        locked.chmod(0o755)
    assert [(s.name, s.path, s.url) for s in specs] == [
        (n, root / n, None) for n in ["a", "a/modules/sub", "group/b", "group/c.git", "plain/deeper/d"]]
    assert errors == [locked]
    assert [s.name for s in everything] == ["a", "a/modules/sub", "a/vendor/lib", "group/b", "group/c.git",
                                            "plain/deeper/d"]
    assert discover(root / "group" / "b") == [RepoSpec("b", path=root / "group" / "b")]
    assert discover(root / "empty") == []
    with pytest.raises(UsageError):
        discover(root / "absent")


# ------------------------------------------------------------------------------------------------
# mirrors


def git_out(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()


def test_mirror_clones_then_fetches(tmp_path: Path) -> None:
    up = make_repo(tmp_path / "upstream")
    up.git("branch", "short-lived")
    cache = tmp_path / "cache"
    spec = RepoSpec("upstream", url=f"file://{up.path}")
    mirrors = Mirrors(cache)
    mirror = mirrors.ensure(spec)
    assert mirror == cache / mirror_dir_name(spec.url or "")
    assert git_out("--git-dir", str(mirror), "rev-parse", "--is-bare-repository") == "true"
    assert git_out("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == up.git("rev-parse", "HEAD")
    assert git_out("--git-dir", str(mirror), "config", "remote.origin.url") == spec.url

    up.write("app.env", "PASSWORD=not-a-real-one\n")
    up.git("add", "-A")
    up.git("commit", "-q", "-m", "second")
    up.git("branch", "-D", "short-lived")
    new = up.git("rev-parse", "HEAD")
    assert mirrors.ensure(spec) == mirror
    assert git_out("--git-dir", str(mirror), "cat-file", "-t", new) == "commit"
    assert git_out("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == new
    assert "short-lived" not in git_out("--git-dir", str(mirror), "for-each-ref")  # pruned
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == [mirror.name]


def test_mirror_failures(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    mirrors = Mirrors(cache)
    with pytest.raises(MirrorError) as info:
        mirrors.ensure(RepoSpec("gone", url=f"file://{tmp_path}/no-such-repo.git"))
    assert "does not appear to be a git repository" in one_line(info.value)
    (tmp_path / "plain").mkdir()
    with pytest.raises(MirrorError):
        mirrors.ensure(RepoSpec("plain", url=f"file://{tmp_path}/plain"))
    assert [p for p in cache.iterdir() if not p.name.endswith(".lock")] == []  # no half mirror left behind

    local = make_repo(tmp_path / "local")
    assert mirrors.ensure(RepoSpec("local", path=local.path)) == local.path
    bare = make_repo(tmp_path / "bare.git", bare=True)
    assert mirrors.ensure(RepoSpec("bare", path=bare.path)) == bare.path
    for not_repo in (tmp_path / "plain", local.path / "src", tmp_path / "absent"):
        (local.path / "src").mkdir(exist_ok=True)
        with pytest.raises(MirrorError, match="not a git repository"):
            mirrors.ensure(RepoSpec("x", path=not_repo))


def test_interrupted_clone_and_concurrent_ensure(tmp_path: Path) -> None:
    up = make_repo(tmp_path / "upstream")
    cache = tmp_path / "cache"
    spec = RepoSpec("upstream", url=f"file://{up.path}")
    name = mirror_dir_name(spec.url or "")
    leftover = cache / f".tmp-{name}-killed"  # what a clone killed half way leaves
    (leftover / "objects").mkdir(parents=True)
    (leftover / "HEAD").write_text("ref: refs/heads/main\n")
    mirrors = Mirrors(cache)
    with ThreadPoolExecutor(4) as pool:
        paths = list(pool.map(lambda _: mirrors.ensure(spec), range(4)))
    assert paths == [cache / name] * 4
    assert not leftover.exists()
    assert git_out("--git-dir", str(cache / name), "rev-parse", "refs/heads/main") == up.git("rev-parse", "HEAD")


@pytest.mark.parametrize("url", [
    "https://evil.example/../../etc/passwd",
    "file:///../../../tmp/x",
    "https://host.example/a/..%2F..%2Fb.git",
    "git@host.example:../../outside.git",
    "https://host.example/" + "deep/" * 100 + "repo.git",
    "https://例え.jp/группа/репо.git",
    "https://host.example/.hidden/.git",
    "ssh://git@host.example:22/~user/repo",
    "file:///",
])
def test_mirror_dir_names_are_safe(tmp_path: Path, url: str) -> None:
    name = mirror_dir_name(url)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}-[0-9a-f]{12}\.git", name), name
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()


def test_mirror_dir_name_ignores_credentials() -> None:
    plain = mirror_dir_name("https://github.com/acme/web.git")
    assert plain.startswith("github.com-acme-web-")
    with_token = mirror_dir_name(f"https://x-access-token:{TOKEN}@github.com/acme/web.git")
    assert with_token == plain and TOKEN not in with_token
    assert mirror_dir_name("https://github.com/acme/other.git") != plain


class _DumbGit(http.server.SimpleHTTPRequestHandler):
    """Serves a bare repository over git's dumb HTTP protocol, for one Basic credential only."""

    expected = ""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args: Any) -> None:
        pass


def test_mirror_over_http_with_credentials(tmp_path: Path) -> None:
    up = make_repo(tmp_path / "upstream")
    served = tmp_path / "www" / "acme" / "app.git"
    served.parent.mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(up.path), str(served)], check=True)
    subprocess.run(["git", "--git-dir", str(served), "update-server-info"], check=True)
    _DumbGit.expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    handler = functools.partial(_DumbGit, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    try:
        cache = tmp_path / "cache"
        spec = RepoSpec("acme/app", url=f"http://x-access-token:{TOKEN}@{host}/acme/app.git")
        mirror = Mirrors(cache).ensure(spec)
        assert git_out("--git-dir", str(mirror), "rev-parse", "refs/heads/main") == up.git("rev-parse", "HEAD")
        assert git_out("--git-dir", str(mirror), "config", "remote.origin.url") == f"http://{host}/acme/app.git"
        Mirrors(cache).ensure(spec)  # the fetch authenticates the same way
        for f in mirror.rglob("*"):
            if f.is_file():
                assert TOKEN.encode() not in f.read_bytes(), f
        with pytest.raises(MirrorError) as info:
            Mirrors(tmp_path / "cache2").ensure(RepoSpec("acme/app", url=f"http://x:{TOKEN}@{host}/acme/app.git"))
        assert "***@" in one_line(info.value)
        with pytest.raises(MirrorError) as info:
            Mirrors(tmp_path / "cache3").ensure(RepoSpec("acme/app", url=f"http://{host}/acme/app.git"))
        one_line(info.value)
    finally:
        server.shutdown()
        server.server_close()


def test_configured_token_reaches_git_only_through_the_environment(tmp_path: Path) -> None:
    mirrors = Mirrors(tmp_path, tokens={"git.example.com": TOKEN})
    clean, secrets, env = mirrors._auth("https://git.example.com/acme/app.git")
    assert clean == "https://git.example.com/acme/app.git" and TOKEN in secrets
    n = int(env["GIT_CONFIG_COUNT"]) - 1
    assert env[f"GIT_CONFIG_KEY_{n}"] == "http.https://git.example.com/.extraHeader"
    assert env[f"GIT_CONFIG_VALUE_{n}"].startswith("Authorization: Basic ")
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    _, _, plain_env = mirrors._auth("http://git.example.com/acme/app.git")  # a token never goes over plain HTTP
    _, _, other_env = mirrors._auth("https://other.example.com/acme/app.git")
    assert "GIT_CONFIG_COUNT" not in plain_env and "GIT_CONFIG_COUNT" not in other_env


def test_token_vars_name_the_clone_host_of_each_configured_forge() -> None:
    assert token_vars() == {"github.com": "GITHUB_TOKEN", "gitlab.com": "GITLAB_TOKEN"}
    assert token_vars("https://ghe.example.com/api/v3", "https://gitlab.corp.example:8443/") == {
        "ghe.example.com": "GITHUB_TOKEN", "gitlab.corp.example:8443": "GITLAB_TOKEN"}
    assert token_vars("https://api.acme.ghe.com", "https://git.example.com:443")["acme.ghe.com"] == "GITHUB_TOKEN"
    assert token_vars("https://api.acme.ghe.com", "https://git.example.com:443")["git.example.com"] == "GITLAB_TOKEN"


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files (git trusts it through GIT_SSL_CAINFO)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "server.crt", tmp_path / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.mark.parametrize("option, path, variable", [("--github-api-url", "/api/v3", "GITHUB_TOKEN"),
                                                    ("--gitlab-url", "", "GITLAB_TOKEN")])
def test_sweep_mirrors_private_repositories_of_a_configured_forge_host(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, path: str, variable: str) -> None:
    """GitHub Enterprise or a self-hosted GitLab, over HTTPS: clones from the configured host carry its
    token (read from the environment of the worker that clones, here a pool worker); no task carries it."""
    import pickle
    import ssl

    from scanner.cli.app import build_parser
    from scanner.cli.sweep import _request, _specs
    from sweeputil import sweep

    up = make_repo(tmp_path / "upstream")
    served = tmp_path / "www" / "acme" / "app.git"
    served.parent.mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(up.path), str(served)], check=True)
    subprocess.run(["git", "--git-dir", str(served), "update-server-info"], check=True)
    _DumbGit.expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    handler = functools.partial(_DumbGit, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("GIT_SSL_CAINFO", str(cert))
    monkeypatch.setenv(variable, TOKEN)
    listing = tmp_path / "repos.txt"
    listing.write_text(f"https://{host}/acme/app.git\n")
    try:
        plain = sweep(str(listing), "--mirrors", str(tmp_path / "m1"), datastore=tmp_path / "plain.sqlite")
        [failed] = plain.summary["failed"]  # without the option the host gets no token: git is asked for one
        assert plain.code == 2 and failed["repository"] == f"{host}/acme/app" and "Username" in failed["reason"]
        configured = (option, f"https://{host}{path}")
        run = sweep(str(listing), *configured, "--mirrors", str(tmp_path / "m2"), datastore=tmp_path / "ds.sqlite")
        assert run.code == 0, run.stderr
        assert [e["status"] for e in run.done().values()] == ["scanned"]
    finally:
        server.shutdown()
        server.server_close()
    args = build_parser().parse_args(["sweep", str(listing), *configured])
    request = _request(args, _specs(args))
    assert dict(request.targets[0].token_vars)[host] == variable
    assert TOKEN.encode() not in pickle.dumps(request)  # the variable's name travels, never its value
    for f in [*tmp_path.glob("ds.sqlite*"), *(tmp_path / "m2").rglob("*")]:
        if f.is_file():
            assert TOKEN.encode() not in f.read_bytes(), f


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CREDSPRAWL_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c" / "mirrors"
    monkeypatch.delenv("CREDSPRAWL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "credsprawl" / "mirrors"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "credsprawl" / "mirrors"


def test_repo_spec_checks_itself() -> None:
    with pytest.raises(ValueError):
        RepoSpec("x")
    with pytest.raises(ValueError):
        RepoSpec("x", url="https://h/x.git", path=Path("x"))
    assert issubclass(MirrorError, CredsprawlError) and issubclass(GitLabError, CredsprawlError)
