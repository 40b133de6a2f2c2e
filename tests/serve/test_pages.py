"""The app's pages and writes through Starlette's test client, over a datastore a real sweep of
generated repositories wrote: what each page shows, the queue's order and filters, search, and that
each write lands in the triage audit log as the right actor."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from serveutil import client, ds, fingerprint_of, listed, org, post, shown, swept  # noqa: F401 (fixtures)
from sweeputil import Org

ROWS = re.compile(r'<tr class="sev-[a-z]*" data-fingerprint="([0-9a-f]{64})">')
WORDS = ("live (verified)", "invalid (revoked or rotated)", "unverified", "present at HEAD")


def rows(page: Any) -> list[str]:
    assert page.status_code == 200, page.text
    return ROWS.findall(page.text)


def text(page: Any) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.text))


def add_verification(ds: Path, results: list[tuple[str, str, dict[str, Any], list[str]]]) -> None:
    """The table ``sweep --verify`` writes (migration 3), as its schema is agreed, with these results."""
    db = sqlite3.connect(ds)
    db.execute("CREATE TABLE IF NOT EXISTS verification_results(fingerprint TEXT PRIMARY KEY, provider TEXT, "
               "status TEXT, checked_at TEXT, identity TEXT, permissions TEXT, reason TEXT)")
    db.executemany("INSERT OR REPLACE INTO verification_results(fingerprint, provider, status, checked_at, identity, "
                   "permissions, reason) VALUES(?, ?, ?, ?, ?, ?, ?)",
                   [(fp, "github", status, "2026-12-01T10:00:00+00:00", json.dumps(ident), json.dumps(perms),
                     "" if status == "live" else "401 Bad credentials")
                    for fp, status, ident, perms in results])
    db.commit()
    db.close()


def test_every_page_answers_and_no_secret_is_shown_in_clear(ds: Path, org: Org) -> None:
    http = client(ds)
    fps = [r["fingerprint"] for r in listed(ds)]
    assert len(fps) == 5
    pages = ["/", "/queue", "/queue?state=any", "/audit", "/search?q=settings", "/search?q=github",
             *[f"/credential/{fp}" for fp in fps]]
    post(http, f"/credential/{fps[0]}/assign", {"owner": "platform"})
    pages += ["/owner/platform"]
    for path in pages:
        page = http.get(path)
        assert page.status_code == 200, (path, page.text)
        for token in org.tokens.values():
            assert token not in page.text and token[4:] not in page.text, path
    # the redacted form the reports use is what the credential page shows
    detail = http.get(f"/credential/{fingerprint_of(ds, 'beta', 'github-pat-classic')}")
    assert org.tokens["beta"][:6] + "…" in html.unescape(detail.text)


def test_overview_counts(ds: Path) -> None:
    http = client(ds)
    fp = fingerprint_of(ds, "beta", "github-pat-classic")
    post(http, f"/credential/{fp}/state", {"state": "revoked"})
    page = text(http.get("/"))
    assert re.search(r"4\s+open \(open or acknowledged\) of 5 credentials", page)
    severities = {r["severity"] for r in listed(ds)}
    for sev in severities:
        assert sev in page
    assert "unverified" in page and "No verification results" in page
    # trend: one sweep that found the five
    trend = http.get("/").text.split('id="trend"')[1]
    assert re.search(r"<td class=\"num\">1</td>.*?<td class=\"num\">5</td><td class=\"num\">5</td>", trend, re.S)


def test_the_queue_puts_what_to_do_first_on_top(ds: Path) -> None:
    http = client(ds)
    order = rows(http.get("/queue"))
    by_fp = {r["fingerprint"]: r for r in listed(ds)}
    assert sorted(order) == sorted(by_fp)
    # no verification results: by severity, then present at HEAD, then sprawl (repositories)
    present = {fp: "present at HEAD" in chunk for fp, chunk in zip(order, http.get("/queue").text.split("data-fingerprint=")[1:])}
    ranks = {"critical": 4, "high": 3, "medium": 2, "low": 1}
    keys = [(-ranks[by_fp[fp]["severity"]], not present[fp], -len(by_fp[fp]["repositories"])) for fp in order]
    assert keys == sorted(keys)
    # a live (verified) credential with high privileges goes first, whatever its severity
    last = order[-1]
    add_verification(ds, [(last, "live", {"login": "deploy-bot"}, ["repo", "admin:org"]),
                          (order[0], "invalid", {}, [])])
    order2 = rows(http.get("/queue"))
    assert order2[0] == last


def test_verification_words_are_distinct_and_read_when_the_table_exists(ds: Path) -> None:
    http = client(ds)
    token = fingerprint_of(ds, "beta", "github-pat-classic")
    key = fingerprint_of(ds, "beta", "aws-access-key-id")
    before = text(http.get(f"/credential/{token}"))
    assert "unverified" in before and "live (verified)" not in before
    add_verification(ds, [(token, "live", {"login": "deploy-bot", "id": 7}, ["repo", "workflow"]),
                          (key, "invalid", {}, [])])
    live = text(http.get(f"/credential/{token}"))
    assert "live (verified)" in live and "deploy-bot" in live and "repo, workflow" in live
    assert "login deploy-bot" in live  # the identity the provider reported names it
    invalid = text(http.get(f"/credential/{key}"))
    assert "invalid (revoked or rotated)" in invalid and "401 Bad credentials" in invalid
    assert "live (verified)" not in invalid.split("verification", 1)[1].split("present at HEAD")[0]
    # the four words, each for one thing only
    assert len(set(WORDS)) == 4 and not any(a in b for a in WORDS for b in WORDS if a != b)
    # the verified filter
    assert rows(http.get("/queue?verified=live")) == [token]
    assert rows(http.get("/queue?verified=invalid")) == [key]
    assert len(rows(http.get("/queue?verified=unverified"))) == 3
    overview = text(http.get("/"))
    assert re.search(r"1\s+open and\s+live \(verified\)", overview)
    assert rows(http.get("/identity/login%20deploy-bot")) == [token]


def test_queue_filters(ds: Path) -> None:
    http = client(ds)
    every = listed(ds)
    beta = {r["fingerprint"] for r in every if "beta" in r["repositories"]}
    assert set(rows(http.get("/queue?repository=beta"))) == beta
    for sev in {r["severity"] for r in every}:
        assert set(rows(http.get(f"/queue?severity={sev}"))) == {r["fingerprint"] for r in every if r["severity"] == sev}
    token = fingerprint_of(ds, "beta", "github-pat-classic")
    post(http, "/bulk", {"action": "assign", "owner": "@acme/Data", "fingerprint": sorted(beta)})
    post(http, f"/credential/{token}/state", {"state": "closed"})
    assert set(rows(http.get("/queue?owner=data"))) == beta - {token}  # the queue: open work by default
    assert set(rows(http.get("/queue?owner=data&state=any"))) == beta
    assert rows(http.get("/queue?state=closed")) == [token]
    assert set(rows(http.get("/queue?owner=-"))) == {r["fingerprint"] for r in every} - beta
    assert set(rows(http.get("/queue?state=open&state=closed&owner=data"))) == beta
    # first seen: every credential was first seen today, by the one sweep
    today = every[0]["first_seen"][:10]
    assert len(rows(http.get(f"/queue?since={today}&until={today}&state=any"))) == 5
    assert rows(http.get("/queue?until=2020-01-01&state=any")) == []
    # identity: the AWS keys are tied by their derived facts
    key = fingerprint_of(ds, "beta", "aws-access-key-id")
    identity = re.search(r'href="/identity/([^"]+)"', http.get(f"/credential/{key}").text)
    assert identity is not None
    assert key in rows(http.get(f"/queue?identity={identity.group(1)}&state=any"))
    # a bad filter is a 400 page with the reason
    bad = http.get("/queue?since=yesterday")
    assert bad.status_code == 400 and "not a date" in bad.text


def test_pagination(ds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.serve import pages

    monkeypatch.setattr(pages, "PAGE", 2)
    http = client(ds)
    first, second, third = (rows(http.get(f"/queue?page={n}")) for n in (1, 2, 3))
    assert (len(first), len(second), len(third)) == (2, 2, 1)
    assert len(set(first + second + third)) == 5
    assert "page 1 of 3" in http.get("/queue").text and 'rel="next"' in http.get("/queue").text


def test_credential_page(ds: Path, org: Org) -> None:
    http = client(ds)
    token = fingerprint_of(ds, "beta", "github-pat-classic")
    beta = org.repos["beta"]
    commit = beta.git("log", "--format=%H", "-1", "--diff-filter=A", "--", "src/settings.py")
    page = text(http.get(f"/credential/{token}"))
    assert "src/settings.py" in page and commit[:12] in page and "beta" in page
    assert "Revoke the token" in page  # remediation steps, by provider
    assert "git filter-repo" in page  # it is in git history
    # a fingerprint prefix redirects to the whole one; an unknown one is a 404
    short = http.get(f"/credential/{token[:10]}")
    assert short.status_code == 303 and short.headers["location"] == f"/credential/{token}"
    assert http.get("/credential/" + "0" * 64).status_code == 404
    # a repository with a forge URL gets links to the line at the commit
    db = sqlite3.connect(ds)
    db.execute("UPDATE repositories SET url='https://github.com/acme/beta.git' WHERE name='beta'")
    db.commit()
    db.close()
    linked = http.get(f"/credential/{token}").text
    assert f'href="https://github.com/acme/beta/blob/{commit}/src/settings.py#L1"' in linked
    assert 'rel="noreferrer noopener"' in linked


@pytest.mark.parametrize("url, expected", [
    ("https://gitlab.com/acme/x.git", "https://gitlab.com/acme/x/-/blob/c0ffee/a%20b.py#L3"),
    ("https://bitbucket.org/acme/x", "https://bitbucket.org/acme/x/src/c0ffee/a%20b.py#lines-3"),
    ("http://github.com/acme/x", None),  # https only
    ("file:///srv/x", None),
    ("https://git.example.com/x", None),  # a forge it does not know
])
def test_web_links(url: str, expected: str | None) -> None:
    from scanner.serve.pages import web_link

    assert web_link(url, "c0ffee", "a b.py", 3) == expected


def test_writes_land_in_the_audit_log_as_the_os_user(ds: Path) -> None:
    http = client(ds, os_user="alice")
    token = fingerprint_of(ds, "beta", "github-pat-classic")
    key = fingerprint_of(ds, "beta", "aws-access-key-id")
    steps = [
        (f"/credential/{token}/state", {"state": "acknowledged"}),
        (f"/credential/{token}/state", {"state": "accepted-risk", "reason": "sandbox", "expires": "2999-01-01"}),
        (f"/credential/{token}/assign", {"owner": "@acme/Platform"}),
        (f"/credential/{token}/assign", {"unassign": "1"}),
        (f"/credential/{token}/note", {"text": "ticket SEC-9"}),
        ("/bulk", {"action": "state", "state": "revoked", "reason": "bulk", "fingerprint": [token, key]}),
        ("/bulk", {"action": "assign", "owner": "data", "fingerprint": [token, key], "back": "/owner/data"}),
    ]
    for path, data in steps:
        answer = post(http, path, data)
        assert answer.status_code == 303, (path, answer.text)
    assert answer.headers["location"] == "/owner/data"
    log = shown(ds, token)["audit"]
    assert [(e["who"], e["action"], e["old"], e["new"]) for e in log] == [
        ("alice", "state", "open", "acknowledged"), ("alice", "state", "acknowledged", "accepted-risk"),
        ("alice", "assign", None, "platform"), ("alice", "assign", "platform", None),
        ("alice", "note", None, "ticket SEC-9"), ("alice", "state", "accepted-risk", "revoked"),
        ("alice", "assign", None, "data")]
    assert log[1]["reason"] == "sandbox (until 2999-01-01)"
    assert [(e["action"], e["new"]) for e in shown(ds, key)["audit"]] == [("state", "revoked"), ("assign", "data")]
    # the audit page shows them, newest first
    page = http.get("/audit")
    assert page.status_code == 200 and page.text.count("<tr><td class=\"num\">") == 9
    assert rows(http.get("/owner/data")) and "2 revoked" in text(http.get("/owner/data"))


@pytest.mark.parametrize("path, data, message", [
    ("state", {"state": "false-positive"}, "needs a reason"),
    ("state", {"state": "accepted-risk", "reason": "x"}, "needs an expiry date"),
    ("state", {"state": "melted"}, "unknown triage state"),
    ("assign", {"owner": "  "}, "needs a name"),
    ("note", {"text": ""}, "needs some text"),
])
def test_refused_writes_say_why_and_write_nothing(ds: Path, path: str, data: dict[str, str], message: str) -> None:
    http = client(ds)
    token = fingerprint_of(ds, "beta", "github-pat-classic")
    answer = post(http, f"/credential/{token}/{path}", data)
    assert answer.status_code == 400 and message in html.unescape(answer.text)
    assert shown(ds, token)["audit"] == []


def test_bulk_needs_a_selection_and_an_action_and_is_all_or_nothing(ds: Path) -> None:
    http = client(ds)
    token = fingerprint_of(ds, "beta", "github-pat-classic")
    assert post(http, "/bulk", {"action": "state", "state": "closed"}).status_code == 400
    assert post(http, "/bulk", {"action": "melt", "fingerprint": [token]}).status_code == 400
    answer = post(http, "/bulk", {"action": "state", "state": "closed", "fingerprint": [token, "f" * 64]})
    assert answer.status_code == 400 and shown(ds, token)["audit"] == []
    # an outside address in "back" is not followed
    answer = post(http, "/bulk", {"action": "state", "state": "closed", "fingerprint": [token], "back": "//evil.example/x"})
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"


def test_search(ds: Path) -> None:
    http = client(ds)
    token = fingerprint_of(ds, "beta", "github-pat-classic")
    key = fingerprint_of(ds, "beta", "aws-access-key-id")
    assert rows(http.get(f"/search?q={token[:8]}")) == [token]
    assert set(rows(http.get("/search?q=aws-access"))) >= {key}
    found = http.get("/search?q=deploy/.env").text
    assert f'href="/credential/{key}"' in found and "deploy/.env" in found
    assert 'href="/queue?repository=beta&amp;state=any"' in http.get("/search?q=bet").text
    post(http, f"/credential/{token}/assign", {"owner": "platform"})
    assert 'href="/owner/platform"' in http.get("/search?q=platf").text
    identity = re.search(r'href="/identity/([^"]+)"', http.get(f"/credential/{key}").text)
    assert identity is not None
    from urllib.parse import unquote

    assert f'href="/identity/{identity.group(1)}"' in http.get(f"/search?q={unquote(identity.group(1))[-6:]}").text
    assert http.get("/search?q=%25").status_code == 200  # LIKE's wildcards are literal
    assert "none" in http.get("/search?q=zzzz-nothing").text


def test_identity_and_owner_pages(ds: Path) -> None:
    http = client(ds)
    key = fingerprint_of(ds, "beta", "aws-access-key-id")
    link = re.search(r'href="(/identity/[^"]+)"', http.get(f"/credential/{key}").text)
    assert link is not None
    assert key in rows(http.get(link.group(1)))
    assert http.get("/identity/nobody-at-all").status_code == 404
    assert rows(http.get("/owner/nobody")) == []
    post(http, f"/credential/{key}/assign", {"owner": "Platform"})
    assert rows(http.get("/owner/platform")) == [key]


def test_while_a_sweep_runs_the_summary_is_rebuilt_at_most_every_interval(ds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.serve import rank

    http = client(ds)
    assert len(rows(http.get("/queue"))) == 5
    db = sqlite3.connect(ds)
    db.execute("INSERT INTO sweeps(ruleset_id, started, status, repositories) VALUES(1, '2026-12-05T00:00:00+00:00', "
               "'running', 1)")  # a sweep in progress ...
    fp = db.execute("SELECT fingerprint FROM findings LIMIT 1").fetchone()[0]
    db.execute("DELETE FROM occurrences WHERE fingerprint=?", (fp,))  # ... that changed the findings
    db.execute("DELETE FROM triage_known_commits WHERE fingerprint=?", (fp,))
    db.execute("DELETE FROM findings WHERE fingerprint=?", (fp,))
    db.commit()
    page = http.get("/queue")
    assert len(rows(page)) == 5 and 'id="behind"' in page.text  # not rebuilt yet, and it says so
    monkeypatch.setattr(rank, "RUNNING_SWEEP_INTERVAL", 0.0)
    page = http.get("/queue")
    assert len(rows(page)) == 4 and 'id="behind"' in page.text  # rebuilt, the sweep still running
    db.execute("UPDATE sweeps SET status='done' WHERE status='running'")
    db.commit()
    db.close()
    assert 'id="behind"' not in http.get("/queue").text


def test_every_location_is_reachable_page_by_page(ds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.serve import pages

    monkeypatch.setattr(pages, "LOCATIONS", 1)
    http = client(ds)
    [alpha_token] = [r["fingerprint"] for r in listed(ds) if r["repositories"] == ["alpha", "alpha-fork"]
                     and r["rule_id"] == "github-pat-classic"]
    seen = []
    for n in (1, 2):
        page = http.get(f"/credential/{alpha_token}?page={n}").text
        seen += re.findall(r'<a href="/queue\?repository=([a-z-]+)&amp;state=any">', page)
        assert f"page {n} of 2" in page
    assert sorted(seen) == ["alpha", "alpha-fork"]


def test_the_summary_reads_the_stored_findings_as_json_would(ds: Path) -> None:
    """The summary cuts refs and attributes out of the stored finding text; a full parse agrees."""
    from scanner.serve import rank

    db = sqlite3.connect(ds)
    expected: dict[str, tuple[int, dict[str, str]]] = {}
    for fp, text in db.execute("SELECT fingerprint, finding FROM occurrences"):
        doc = json.loads(text)
        extras = dict(doc["o"][0][2])
        refs, attrs = expected.get(fp, (0, {}))
        for k, v in doc["a"]:
            attrs.setdefault(k, v)
        expected[fp] = (max(refs, int(extras.get("refs", 0))), attrs)
    got = rank._occurrences(db)
    db.close()
    assert {fp: (a.refs, a.attrs) for fp, a in got.items()} == expected
    assert any(refs > 0 for refs, _ in expected.values()) and any(attrs for _, attrs in expected.values())
