"""HTML identity report: one self-contained page, exercised in headless Chromium with the network blocked.

The browser is Debian's ``chromium`` (``.ci/run`` installs it), driven through the ``playwright`` package;
when either is missing these tests fail with a message saying what to install, they do not skip.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from identity_doc import EVIL_ATTRIBUTE, EVIL_PATH, SEVERITY_RANK, build_doc

from scanner.errors import CredsprawlError
from scanner.report.html import DATA_ELEMENT_ID, LOCATION_CAP, pack_document, render_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")
Doc = dict[str, Any]


def html_of(doc: Doc) -> str:
    out = io.StringIO()
    render_html(doc, out)
    return out.getvalue()


DATA = re.compile(rf'<script type="application/json" id="{DATA_ELEMENT_ID}">(.*?)</script>', re.S)


def embedded(html: str) -> Any:
    match = DATA.search(html)
    assert match, "the document is embedded as JSON"
    return json.loads(match.group(1))


def location_text(loc: dict[str, Any]) -> tuple[str, str, str]:
    return loc["repository"] or "—", loc["path"], f"{loc['line']}:{loc['column']}"


# ---- the file itself ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def doc() -> Doc:
    return build_doc(big_locations=150)


def test_one_self_contained_file_without_network_references(doc: Doc) -> None:
    html = html_of(doc)
    page = DATA.sub("", html)  # the page without the embedded document
    assert not DATA.search(page)
    assert html.count("<script") == 2 and page.count("<script") == 1 and page.count("<style") == 1
    assert not re.search(r"\bsrc\s*=|@import|url\(", page)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(h.startswith(("#", "data:")) for h in hrefs)
    assert set(re.findall(r"https?://[^\s'\"]*", page)) == {"http://www.w3.org/2000/svg"}  # a namespace, not a request
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert csp and "default-src 'none'" in csp.group(1) and "unsafe-inline" not in csp.group(1)
    # the markup-shaped path is only ever present JSON-escaped inside the data element
    assert EVIL_PATH not in html and "<img" not in html and "window.__pwned" in html
    credentials = unpack(embedded(html))
    assert [c["fingerprint"] for c in credentials] == [c["fingerprint"] for c in doc["credentials"]]
    assert credentials[0]["locations"][0]["path"] == EVIL_PATH


def unpack(packed: Doc) -> list[dict[str, Any]]:
    """The credentials as the page rebuilds them from the packed copy."""
    out = []
    for row in packed["credentials"]:
        cred = {f: v for f, v in zip(packed["credential_fields"], row) if v is not None}
        cred["remediation"] = packed["remediations"][cred["remediation"]]
        cred["locations"] = [
            {f: packed["strings"][v] if f in ("repository", "path", "status", "ref") and v is not None else v
             for f, v in zip(packed["location_fields"], loc)} for loc in cred.get("locations", [])]
        out.append(cred)
    return out


def test_embedded_copy_is_compact_and_faithful() -> None:
    doc = build_doc(identities=3, credentials=12, unknown=3, big_locations=LOCATION_CAP + 5)
    packed = pack_document(doc)
    assert len(packed["remediations"]) == len({tuple(c["remediation"]) for c in doc["credentials"]})
    for original, cred in zip(doc["credentials"], unpack(packed), strict=True):
        kept = {k: v for k, v in original.items() if v not in (None, [], {})}
        kept["remediation"] = original["remediation"]
        kept["locations"] = original["locations"][:LOCATION_CAP]
        if len(original["locations"]) > LOCATION_CAP:
            kept["locations_omitted"] = len(original["locations"]) - LOCATION_CAP
        assert cred == kept
    assert unpack(packed)[3]["locations_omitted"] == 5
    fingerprints = [c["fingerprint"] for c in doc["credentials"]]
    for ident, small in zip(doc["identities"], packed["identities"], strict=True):
        assert [fingerprints[n] for n in small["credentials"]] == ident["credentials"]
    assert packed["summary"] == doc["summary"] and packed["timeline"] == doc["timeline"]


@pytest.mark.parametrize("bad, message", [
    ({"kind": "credsprawl-scan", "version": 1}, "expected a credsprawl-identity-report document"),
    ({"kind": "credsprawl-identity-report", "version": 9}, "version 9 is not supported"),
    ([], "got 'list'"),
])
def test_other_documents_are_refused(bad: Any, message: str) -> None:
    with pytest.raises(CredsprawlError, match=re.escape(message)):
        render_html(bad, io.StringIO())


# ---- in the browser ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the HTML report tests need the playwright package: pip install '.[test]'", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail("the HTML report tests need Debian's chromium: apt-get install -y chromium (.ci/run installs it)",
                    pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Report:
    """A page showing one rendered report, recording console errors and every non-local request."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: r.url.startswith(LOCAL_SCHEMES) or self.requests.append(r.url))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def open(self, fragment: str = "") -> Any:
        self.page.goto(self.path.as_uri() + fragment)
        self.page.wait_for_selector("html[data-ready=true]")
        return self.page

    def rows(self, table: str) -> Any:
        return self.page.locator(f"#{table} tbody tr[data-key]")

    def column(self, table: str, col: str) -> list[str]:
        return self.page.eval_on_selector_all(
            f"#{table} tbody tr[data-key] td[data-col={col}]", "cells => cells.map(c => c.textContent)")

    def sort(self, table: str, col: str) -> str:
        header = self.page.locator(f"#{table} th[data-key={col}]")
        header.click()
        return header.get_attribute("aria-sort")

    def drawer_text(self) -> str:
        return self.page.inner_text("#detail")

    def close(self) -> None:
        self.context.close()
        assert not self.requests, f"the page tried the network: {self.requests}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture(scope="module")
def report_file(doc: Doc, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    with path.open("w", encoding="utf-8") as out:
        render_html(doc, out)
    return path


@pytest.fixture
def report(browser: Any, report_file: Path) -> Iterator[Report]:
    r = Report(browser, report_file)
    yield r
    r.close()


def numbers(texts: list[str]) -> list[int]:
    return [int(t.replace(",", "")) for t in texts]


def test_summary_cards_and_table_row_counts(doc: Doc, report: Report) -> None:
    page = report.open()
    summary = doc["summary"]
    assert page.inner_text("#card-credentials .value") == str(summary["credentials"])
    assert page.inner_text("#card-unknown .value") == str(summary["unknown_credentials"])
    for sev, n in summary["by_severity"].items():
        assert page.inner_text(f".strip-item[data-severity={sev}] strong") == str(n)
    assert report.rows("identity-table").count() == len(doc["identities"]) + 1  # + the Unknown pseudo-identity
    assert [n for n in report.column("identity-table", "name") if n.startswith("Unknown")] == [
        "Unknowncredentials not tied to any inventory identity"]
    assert report.rows("credential-table").count() == len(doc["credentials"])
    n = len(doc["credentials"])
    assert page.inner_text("#credential-table-pager .info") == f"Showing 1–{n} of {n}"
    assert report.rows("owner-table").count() == len(doc["owners"])
    assert report.rows("candidate-table").count() == len(doc["candidates"])
    assert report.rows("certificate-table").count() == len(doc["certificates"])
    assert report.column("credential-table", "secret")[:1] == [sorted_by_risk(doc)[0]["secret"]]


def sorted_by_risk(doc: Doc) -> list[dict[str, Any]]:
    return sorted(doc["credentials"], key=lambda c: (-SEVERITY_RANK[c["severity"]], -c["sprawl"]["locations"]))


def test_clicking_headers_sorts(doc: Doc, report: Report) -> None:
    report.open()
    before = numbers(report.column("credential-table", "locations"))
    assert report.sort("credential-table", "locations") == "descending"
    after = numbers(report.column("credential-table", "locations"))
    assert after == sorted(before, reverse=True) and after != before
    assert report.sort("credential-table", "locations") == "ascending"
    assert numbers(report.column("credential-table", "locations")) == sorted(before)
    assert report.sort("credential-table", "rule") == "ascending"
    names = [t.split("\n")[0] for t in report.page.eval_on_selector_all(
        "#credential-table tbody tr[data-key] td[data-col=rule] div:first-child", "els => els.map(e => e.textContent)")]
    assert names == sorted((c["rule_name"] for c in doc["credentials"]), key=str.lower)
    assert report.page.get_attribute("#credential-table th[data-key=locations]", "aria-sort") is None

    assert report.sort("identity-table", "credentials") == "descending"
    counts = numbers(report.column("identity-table", "credentials"))
    assert counts == sorted(counts, reverse=True)
    assert report.sort("identity-table", "name") == "ascending"
    shown = report.page.eval_on_selector_all("#identity-table tbody td[data-col=name] button",
                                             "els => els.map(e => e.textContent)")
    assert shown == sorted([i["name"] for i in doc["identities"]] + ["Unknown"], key=str.lower)


def test_identity_drilldown_lists_every_location(doc: Doc, report: Report) -> None:
    page = report.open()
    ident = max(doc["identities"], key=lambda i: sum(len(c["locations"]) for c in doc["credentials"]
                                                     if c["fingerprint"] in i["credentials"]))
    creds = [c for c in doc["credentials"] if c["fingerprint"] in ident["credentials"]]
    assert max(len(c["locations"]) for c in creds) > 100  # more than one chunk of rows
    page.locator("#identity-table td[data-col=name] button", has_text=ident["name"]).click()
    assert page.is_visible("#detail") and page.get_attribute("#detail", "data-kind") == "identity"
    assert page.evaluate("location.hash") == "#identity=" + quote(ident["id"], safe="")
    assert page.inner_text("#detail-title").startswith(ident["name"])
    cards = page.locator("#detail article.cred")
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.fingerprint)")) == sorted(c["fingerprint"] for c in creds)
    while page.locator("#detail button.more").count():
        page.locator("#detail button.more").first.click()
    for cred in creds:
        rows = page.eval_on_selector_all(
            f'#detail article[data-fingerprint="{cred["fingerprint"]}"] tr.loc',
            "rows => rows.map(r => [...r.cells].slice(0, 3).map(c => c.textContent))")
        assert [tuple(r) for r in rows] == [location_text(loc) for loc in cred["locations"]]
        remedy = page.inner_text(f'#detail article[data-fingerprint="{cred["fingerprint"]}"] .remedy')
        assert all(step in remedy for step in cred["remediation"])
    page.keyboard.press("Escape")
    assert page.is_hidden("#detail") and page.evaluate("location.hash") == ""
    # the drill-down is a link: opening the page at its address shows it again
    report.open("#identity=" + quote(ident["id"], safe=""))
    assert page.is_visible("#detail") and page.inner_text("#detail-title").startswith(ident["name"])


def test_unknown_credentials_grouped_by_candidate(doc: Doc, report: Report) -> None:
    page = report.open()
    report.rows("identity-table").filter(has_text="Unknown").click()
    assert page.get_attribute("#detail", "data-kind") == "unknown"
    unknown = [c for c in doc["credentials"] if c["identity"] is None]
    groups = page.eval_on_selector_all(
        "#detail section.group",
        "gs => gs.map(g => [g.dataset.candidate, [...g.querySelectorAll('article')].map(a => a.dataset.fingerprint)])")
    expected: dict[str, set[str]] = {}
    for cred in unknown:
        expected.setdefault(cred["candidate"] or "", set()).add(cred["fingerprint"])
    assert {key: set(fps) for key, fps in groups} == expected
    assert [key for key, _ in groups] == sorted(k for k in expected if k) + ([""] if "" in expected else [])
    assert page.locator("#detail tr.loc").count() == sum(len(c["locations"]) for c in unknown)


def test_charts_have_a_bar_per_month_identity_and_owner(doc: Doc, report: Report) -> None:
    page = report.open()

    def bars(chart: str) -> list[tuple[str, int]]:
        return [(label, int(value)) for label, value in page.eval_on_selector_all(
            f"#{chart} svg rect.bar", "rs => rs.map(r => [r.dataset.label, r.dataset.value])")]

    counts = {t["month"]: t["credentials"] for t in doc["timeline"]}
    first, last = min(counts), max(counts)
    months = []
    year, month = int(first[:4]), int(first[5:])
    while f"{year}-{month:02d}" <= last:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert bars("chart-timeline") == [(m, counts.get(m, 0)) for m in months]
    assert 0 in dict(bars("chart-timeline")).values()  # months without leaks are drawn as gaps
    assert first in page.eval_on_selector_all("#chart-timeline text.axis-label", "ts => ts.map(t => t.textContent)")
    ticks = numbers(page.eval_on_selector_all("#chart-timeline text.tick", "ts => ts.map(t => t.textContent)"))
    assert ticks[0] == 0 and len({b - a for a, b in zip(ticks, ticks[1:])}) == 1  # whole, evenly spaced
    assert ticks[-2] < max(counts.values()) <= ticks[-1]

    locations = {i["name"]: sum(c["sprawl"]["locations"] for c in doc["credentials"] if c["fingerprint"] in i["credentials"])
                 for i in doc["identities"]}
    top = sorted(locations.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert bars("chart-sprawl") == top
    owners = sorted(doc["owners"], key=lambda o: (-o["credentials"], o["team"]))
    unowned = sum(1 for c in doc["credentials"] if c["owner"] is None)
    assert bars("chart-owners") == [(o["team"], o["credentials"]) for o in owners] + [("No owner", unowned)]
    labels = page.eval_on_selector_all("#chart-owners text.axis-label", "ts => ts.map(t => t.firstChild.textContent)")
    assert labels == [o["team"] for o in owners] + ["No owner"]
    page.locator("#chart-sprawl rect.bar").first.click()
    assert page.inner_text("#detail-title").startswith(top[0][0])


def test_remediation_per_kind_is_visible(doc: Doc, report: Report) -> None:
    page = report.open()
    kinds: dict[tuple[str, str | None], list[list[str]]] = {}
    for cred in doc["credentials"]:
        kinds.setdefault((cred["kind"], cred["provider"]), []).append(cred["remediation"])
    cards = page.eval_on_selector_all("#playbook .play", """ps => ps.map(p => [
        p.dataset.kind, p.dataset.provider || null, [...p.querySelectorAll('li')].map(l => l.textContent)])""")
    shared = {key: [step for step in lists[0] if all(step in other for other in lists)] for key, lists in kinds.items()}
    assert {(kind, provider): steps for kind, provider, steps in cards} == shared
    assert any(len(lists[0]) > len(shared[key]) for key, lists in kinds.items())  # some steps are a credential's own
    page.locator("#playbook li").first.scroll_into_view_if_needed()
    assert page.locator("#playbook li").first.is_visible()
    unknown = next(c for c in doc["credentials"] if c["identity"] is None)
    page.fill("#credential-search", unknown["fingerprint"])
    report.rows("credential-table").click()
    assert unknown["remediation"][-1] in page.inner_text("#detail .remedy")


def test_the_page_cannot_reach_the_network(report: Report) -> None:
    page = report.open()
    outcome = page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = 'https://example.com/pixel.png';
        document.body.append(img);
        return fetch('https://example.com/beacon').then(() => 'sent', () => 'blocked');
    }""")
    for _ in range(40):  # the request event reaches Python asynchronously
        if report.requests:
            break
        page.wait_for_timeout(50)
    assert outcome == "blocked"
    assert report.errors and all("Content Security Policy" in e for e in report.errors)
    # the harness counts an attempt even when the policy stops it, so the other tests' checks are not vacuous
    assert report.requests == ["https://example.com/pixel.png"]
    report.errors.clear()
    report.requests.clear()


def test_markup_from_the_document_is_text_and_never_runs(doc: Doc, report: Report) -> None:
    page = report.open()
    page.fill("#credential-search", "__pwned")
    assert report.rows("credential-table").count() == 1
    report.rows("credential-table").first.click()
    assert page.get_attribute("#detail", "data-kind") == "credential"
    assert EVIL_PATH in page.eval_on_selector_all("#detail td.path", "cells => cells.map(c => c.textContent)")
    assert EVIL_ATTRIBUTE in report.drawer_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 2 and page.locator("img").count() == 0


def test_search_and_filters_narrow_the_credential_table(doc: Doc, report: Report) -> None:
    page = report.open()
    page.select_option("#credential-severity", "critical")
    assert report.rows("credential-table").count() == doc["summary"]["by_severity"]["critical"]
    page.select_option("#credential-severity", "")
    page.select_option("#credential-state", "unknown")
    assert report.rows("credential-table").count() == doc["summary"]["unknown_credentials"]
    page.select_option("#credential-state", "")
    page.fill("#identity-search", doc["identities"][0]["id"])
    assert report.rows("identity-table").count() == 1


# ---- a large report ---------------------------------------------------------------------------------------------

def test_large_report_stays_small_and_usable(browser: Any, tmp_path: Path) -> None:
    doc = build_doc(identities=2000, credentials=20_000, unknown=2000, evil=False, max_locations=4)
    path = tmp_path / "large.html"
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as out:
        render_html(doc, out)
    assert time.perf_counter() - started < 15  # about 1.5 s; generous for a busy CI machine
    size = path.stat().st_size
    compact_json = len(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode())
    assert size < 0.6 * compact_json, (size, compact_json)  # the packed copy is much smaller than the document
    assert size < 20 * 2**20, size

    report = Report(browser, path)
    try:
        started = time.perf_counter()
        page = report.open()
        assert time.perf_counter() - started < 15  # about 1.5 s
        assert page.get_attribute("#credential-table", "data-total") == "20000"
        assert report.rows("credential-table").count() == 50  # one page at a time
        assert page.get_attribute("#identity-table", "data-total") == "2001"
        report.sort("credential-table", "locations")
        most = max(c["sprawl"]["locations"] for c in doc["credentials"])
        assert numbers(report.column("credential-table", "locations"))[0] == most
        page.locator("#credential-table-pager button", has_text="Next").click()
        assert page.inner_text("#credential-table-pager .info") == "Showing 51–100 of 20,000"
        assert page.locator("#chart-sprawl rect.bar").count() == 10
        report.rows("identity-table").filter(has_text="Unknown").click()
        groups = Counter(c["candidate"] for c in doc["credentials"] if c["identity"] is None)
        assert len(groups) == 3 and min(groups.values()) > 25
        assert page.locator("#detail article.cred").count() == 3 * 25  # 25 cards per candidate group drawn at first
    finally:
        report.close()
