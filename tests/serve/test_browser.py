"""The triage app in headless Chromium (Debian's ``chromium`` driven through ``playwright``, no
``playwright install``) against a real ``credsprawl serve`` process on 127.0.0.1 and a free port,
over a datastore a real sweep of generated repositories wrote.

The issue's "done when", as one test: sweep, serve, mark credentials in the browser, re-sweep: the
states survive; a credential leaked again in a new commit reopens with its reason; one found again
only in old commits stays closed; the audit log page shows every change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitutil import GitRepo
from serveutil import Server, commit_from_now_on, fingerprint_of, listed, shown
from sweeputil import Org, make_org, sweep

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = os.environ.get("CREDSPRAWL_SERVE_SCREENSHOTS")  # a folder: the test also saves what it saw there


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need the playwright package: pip install '.[test]'", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser tests need Debian's chromium: apt-get install -y chromium (.ci/run installs it)",
                    pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Tab:
    """One page, failing on any console error, failed request or request that leaves the server."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.server = server
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and "status of 401" not in m.text
                     and self.problems.append(f"console: {m.text}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", lambda r: r.status >= 400 and r.status != 401 and self.problems.append(
            f"{r.status}: {r.url}"))
        self.page.on("request", lambda r: r.url.startswith(server.url) or self.problems.append(f"left: {r.url}"))

    def go(self, path: str) -> Any:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        return response

    def shot(self, name: str) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SHOTS) / f"serve-{name}.png"), full_page=True)

    def rows(self) -> list[str]:
        return [str(r.get_attribute("data-fingerprint")) for r in self.page.query_selector_all("table.creds tbody tr[data-fingerprint]")]

    def close(self) -> None:
        self.context.close()
        assert self.problems == []


@pytest.fixture
def org(tmp_path: Path) -> Org:
    return make_org(tmp_path / "org")


def test_triage_in_the_browser_survives_resweeps_and_reopens_a_releaked_credential(browser: Any, org: Org,
                                                                                    tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    listing = str(org.list_file())
    assert sweep(listing, datastore=ds).code == 1
    token_fp = fingerprint_of(ds, "beta", "github-pat-classic")
    key_fp = fingerprint_of(ds, "beta", "aws-access-key-id")
    alpha_fps = [r["fingerprint"] for r in listed(ds, "--repository", "alpha-fork") if r["rule_id"] == "github-pat-classic"]
    assert len(alpha_fps) == 2  # alpha's token (in the fork too), and the fork's own
    with Server(ds) as server:
        tab = Tab(browser, server)
        page = tab.page
        tab.go("/")
        assert page.inner_text("#by-state").count("5") >= 1 and "open" in page.inner_text("#by-state")
        tab.shot("overview-before")
        # the queue lists the five open credentials, most urgent first
        tab.go("/queue")
        assert sorted(tab.rows()) == sorted(shown_fps(ds))
        # triage one credential on its page: revoked, with a reason
        page.click(f'a[href="/credential/{token_fp}"]')
        page.select_option("#set-state select[name=state]", "revoked")
        page.fill("#set-state input[name=reason]", "revoked in GitHub, SEC-12")
        page.click("#set-state button[type=submit]")
        page.wait_for_url(f"{server.url}/credential/{token_fp}")
        assert "revoked" in page.inner_text("#state") and "SEC-12" in page.inner_text("#state")
        assert "revoked in GitHub, SEC-12" in page.inner_text("#history")
        tab.go(f"/credential/{key_fp}")
        page.select_option("#set-state select[name=state]", "rotated")
        page.click("#set-state button[type=submit]")
        page.wait_for_url(f"{server.url}/credential/{key_fp}")
        page.fill("#note input[name=text]", "new key in the vault")
        page.click("#note button[type=submit]")
        page.wait_for_url(f"{server.url}/credential/{key_fp}")
        assert "new key in the vault" in page.inner_text("#history")
        # bulk-assign the two alpha tokens from the queue
        tab.go("/queue")
        assert token_fp not in tab.rows() and key_fp not in tab.rows()  # dealt with: out of the queue
        for fp in alpha_fps:
            page.check(f'input[name=fingerprint][value="{fp}"]')
        page.check('input[name=action][value=assign]')
        page.fill("#bulk input[name=owner]", "@acme/Platform")
        page.click("#bulk-apply")
        page.wait_for_url(f"{server.url}/queue")
        # filter the queue by owner: just those two
        page.fill("#filters input[name=owner]", "platform")
        page.click("#apply-filters")
        page.wait_for_load_state()
        assert sorted(tab.rows()) == sorted(alpha_fps)
        tab.shot("queue-filtered")
        tab.go("/owner/platform")
        assert sorted(tab.rows()) == sorted(alpha_fps)
        # the audit log page shows each change: two states, a note, two assignments
        tab.go("/audit")
        log = page.inner_text("#audit")
        assert log.count("platform") == 2 and "revoked" in log and "rotated" in log and "new key in the vault" in log
        assert len(page.query_selector_all("#audit tbody tr")) == 5

        # re-sweep with nothing new: every state survives
        assert sweep(listing, datastore=ds).code == 1
        tab.go(f"/credential/{token_fp}")
        assert "revoked" in page.inner_text("#state")
        # found again only in old commits (a mirror, and a copy dated before the mark): stays closed
        beta = org.repos["beta"]
        beta.git("clone", "-q", str(beta.path), str(org.root / "beta-mirror"))
        mirror = GitRepo(org.root / "beta-mirror", init=False)
        mirror.tick = beta.tick
        mirror.write("old/settings.py", f"TOKEN = '{org.tokens['beta']}'\n")
        mirror.commit("mirror: an old-dated copy")
        listing = str(org.list_file("alpha", "beta", "alpha-fork", "beta-mirror"))
        assert sweep(listing, datastore=ds).code == 1
        tab.go(f"/credential/{token_fp}")
        assert "revoked" in page.inner_text("#state") and "beta-mirror" in page.inner_text("#locations")
        # leaked again in a new commit: it reopens, with its reason; the rotated key stays rotated
        commit_from_now_on(beta)
        beta.write("src/again.py", f"TOKEN = '{org.tokens['beta']}'\n")
        new_commit = beta.commit("beta: the token, again")
        run = sweep(listing, datastore=ds)
        assert run.code == 1
        tab.go(f"/credential/{token_fp}")
        state = page.inner_text("#state")
        assert state.startswith("open") and new_commit[:12] in state and "after it was marked revoked" in state
        assert new_commit[:12] in page.inner_text("#locations")
        tab.go(f"/credential/{key_fp}")
        assert "rotated" in page.inner_text("#state")
        tab.go("/queue")
        assert token_fp in tab.rows() and key_fp not in tab.rows()
        tab.go("/audit")
        rows = page.query_selector_all("#audit tbody tr")
        assert len(rows) == 6
        newest = rows[0].inner_text()
        assert f"credsprawl sweep {run.summary['sweep']}" in newest and "revoked" in newest and "open" in newest
        tab.go("/")
        assert "1" in page.inner_text("#trend tbody tr:last-child td:last-child")  # reopened by the last sweep
        tab.shot("overview-after")
        tab.close()
    # what the browser did is what the data layer holds
    log = shown(ds, token_fp)["audit"]
    assert [(e["action"], e["old"], e["new"]) for e in log] == [("state", "open", "revoked"), ("state", "revoked", "open")]
    assert {e["who"] for e in shown(ds, key_fp)["audit"]} == {os_user()}


def shown_fps(ds: Path) -> list[str]:
    return [r["fingerprint"] for r in listed(ds)]


def os_user() -> str:
    from scanner.triage.states import actor

    return actor(None)


def test_the_login_form_and_the_token_in_the_browser(browser: Any, org: Org, tmp_path: Path) -> None:
    ds = tmp_path / "ds.sqlite"
    assert sweep(str(org.list_file()), datastore=ds).code == 1
    token = "t0ken-for-the-browser-test-1234"
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    with Server(ds, "--token-name", "secteam", env={"CREDSPRAWL_SERVE_TOKEN": token}) as server:
        tab = Tab(browser, server)
        page = tab.page
        page.goto(server.url + f"/credential/{fp}")
        assert page.url.startswith(server.url + "/login")  # no token yet: the login form
        page.fill("#login input[name=token]", "wrong-token-wrong-token")
        page.click("#login button[type=submit]")
        assert "not the token" in page.inner_text("main")
        page.fill("#login input[name=token]", token)
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{server.url}/credential/{fp}")
        page.select_option("#set-state select[name=state]", "acknowledged")
        page.click("#set-state button[type=submit]")
        page.wait_for_url(f"{server.url}/credential/{fp}")
        assert "acknowledged" in page.inner_text("#state") and "secteam" in page.inner_text("#history")
        tab.close()
    assert [e["who"] for e in shown(ds, fp)["audit"]] == ["secteam"]
