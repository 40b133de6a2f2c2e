"""The identity report counts credentials, not findings: a GCP key file and the private key inside it
are one credential, an AWS key pair is one; exposure totals are unions of intervals; owners spelt two
ways are one owner; "present at HEAD" is never called live; the report says what to do first.
Built from real scans of real git repositories."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from findingutil import finding, fingerprint, report_json, results_file
from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess, history_json
from scanner.identity.grouping import union_days
from scanner.identity.owners import owner_key


def commit_at(repo: GitRepo, message: str, when: str) -> str:
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message, "--date", when)
    return repo.head()


@pytest.fixture
def scanned(tmp_path: Path) -> Path:
    """A repository with a GCP key file, an AWS key pair, a token and a CODEOWNERS file, leaked on
    2024-01-01 and still there; its history scanned to JSON."""
    rng = random.Random(21)
    repo = GitRepo(tmp_path / "repo")
    repo.write("data/sa.json", fakecreds.GENERATORS["gcp-service-account-json"](rng))
    key_id = fakecreds.GENERATORS["aws-access-key-id"](rng)
    repo.write("ci/deploy.env", f"AWS_ACCESS_KEY_ID={key_id}\n"
                                f"AWS_SECRET_ACCESS_KEY={fakecreds.GENERATORS['aws-secret-access-key'](rng)}\n")
    repo.write("data/export.env", f"STRIPE={fakecreds.GENERATORS['stripe-secret-key'](rng)}\n")
    repo.write("app.py", f'TOKEN = "{fakecreds.GENERATORS["github-pat-classic"](rng)}"\n')
    commit_at(repo, "leak", "2024-01-01T00:00:00+00:00")
    results = tmp_path / "history.json"
    results.write_text(json.dumps(history_json(repo.path, "--engine", "ahocorasick")))
    return results


def _inventory(tmp_path: Path, body: str) -> Path:
    inv = tmp_path / "inventory.toml"
    inv.write_text("version = 1\n" + body)
    return inv


def test_a_gcp_key_file_and_an_aws_key_pair_are_one_credential_each(scanned: Path) -> None:
    raw = json.loads(scanned.read_text())["findings"]
    assert len(raw) == 6  # the scan reports every rule that matched
    doc = report_json(str(scanned), "--now", "2025-10-04")
    by_rules = {tuple(c["rules"]): c for c in doc["credentials"]}
    assert set(by_rules) == {("gcp-service-account-json", "private-key-pkcs8"),
                             ("aws-secret-access-key", "aws-access-key-id"),
                             ("stripe-secret-key",), ("github-pat-classic",)}
    assert doc["summary"]["credentials"] == 4 and doc["summary"]["findings"] == 6
    gcp = by_rules[("gcp-service-account-json", "private-key-pkcs8")]
    assert gcp["rule_id"] == "gcp-service-account-json"  # the key file names it, not the key inside it
    assert len(gcp["fingerprints"]) == 2 and gcp["fingerprint"] == gcp["fingerprints"][0]
    assert gcp["sprawl"]["locations"] == 1 and len(gcp["locations"]) == 1
    pair = by_rules[("aws-secret-access-key", "aws-access-key-id")]
    assert pair["severity"] == "critical" and pair["sprawl"]["locations"] == 1  # one file: one location
    assert doc["summary"]["occurrences"] == 4


def test_findings_overlapping_in_one_file_are_one_credential(tmp_path: Path) -> None:
    git = {"commit": "c" * 40, "date": "2024-01-01T00:00:00+00:00", "status": "live"}
    outer = {**finding("file", "keys/sa.json", rule_id="outer-file", git=git), "start_column": 1, "end_column": 900}
    inner = {**finding("key", "keys/sa.json", rule_id="inner-key", git=git), "start_column": 19, "end_column": 880}
    apart = {**finding("other", "keys/sa.json", rule_id="inner-key", git=git, line=9)}
    elsewhere = {**finding("copy", "keys/other.json", rule_id="inner-key", git=git), "start_column": 19}
    doc = report_json(str(results_file(tmp_path, [inner, outer, apart, elsewhere])), "--now", "2025-01-01")
    groups = sorted(sorted(c["fingerprints"]) for c in doc["credentials"])
    assert groups == sorted([sorted([fingerprint("file"), fingerprint("key")]), [fingerprint("other")],
                             [fingerprint("copy")]])


def test_exposure_of_an_identity_and_an_owner_is_a_union(scanned: Path, tmp_path: Path) -> None:
    inv = _inventory(tmp_path, '''
[[identity]]
id = "platform-ci"
kind = "ci-job"
owner = "platform"
[identity.selectors]
paths = ["ci/", "app.py"]
''')
    doc = report_json(str(scanned), "--inventory", str(inv), "--now", "2025-10-04")
    (row,) = doc["identities"]
    assert row["leaked"] == 2  # the AWS key pair and the token, each leaked 2024-01-01 -> 642 days
    assert {c["exposure_days"] for c in doc["credentials"] if c["identity"] == "platform-ci"} == {642}
    assert row["exposure_days"] == 642  # not 1,284
    (owner,) = [o for o in doc["owners"] if o["team"] == "platform"]
    assert owner["exposure_days"] == 642


def test_union_days_merges_overlapping_intervals() -> None:
    import datetime as dt

    def d(day: int) -> dt.datetime:
        return dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=day)

    assert union_days([(d(0), d(10)), (d(5), d(20)), None, (d(30), d(31)), (d(0), d(3))]) == 21
    assert union_days([]) == 0


@pytest.mark.parametrize(("spelling", "key"), [
    ("data", "data"), ("@acme/data", "data"), (" Data ", "data"), ("@Acme/Data", "data"), ("@alice", "alice"),
    ("alice@example.com", "alice@example.com"), ("@acme/data, @acme/ml", "data, ml"),
])
def test_owner_names_are_normalised(spelling: str, key: str) -> None:
    assert owner_key(spelling) == key


def test_a_codeowners_team_and_an_inventory_team_are_one_owner(scanned: Path, tmp_path: Path) -> None:
    raw = json.loads(scanned.read_text())
    spki = next(f["attributes"]["key.spki_sha256"] for f in raw["findings"] if f["rule_id"] == "private-key-pkcs8")
    inv = _inventory(tmp_path, f'''
[[identity]]
id = "etl"
kind = "service-account"
owner = {{ team = "data", contact = "#data-oncall" }}
[identity.selectors]
spki_sha256 = ["{spki}"]

[[path_owner]]
pattern = "/data/"
owners = ["@acme/data"]
''')
    doc = report_json(str(scanned), "--inventory", str(inv), "--now", "2025-10-04")
    (owner,) = doc["owners"]
    assert owner["team"] == "data" and owner["aliases"] == ["@acme/data"] and owner["key"] == "data"
    assert owner["credentials"] == 2  # the key file (identity etl) and the Stripe key under /data/ (CODEOWNERS)
    assert doc["summary"]["owners"] == 1
    rc, text, _ = cli_inprocess("report", str(scanned), "--inventory", str(inv), "--now", "2025-10-04", "--no-color")
    assert rc == 1 and "data (also @acme/data)" in text


def test_do_first_present_and_severe_then_exposure_and_sprawl(tmp_path: Path) -> None:
    old = {"commit": "a" * 40, "date": "2023-01-01T00:00:00+00:00", "status": "live"}
    new = {"commit": "b" * 40, "date": "2025-01-01T00:00:00+00:00", "status": "live"}
    gone = {**old, "status": "history", "removed_in": "c" * 40, "removed_date": "2024-12-01T00:00:00+00:00"}
    findings = [
        finding("removed-critical", "a.env", severity="critical", git=gone),
        finding("present-low-old", "b.env", severity="low", git=old),
        finding("present-high-new", "c.env", severity="high", git=new),
        finding("present-high-old", "d.env", severity="high", git=old),
        finding("present-critical-new", "e.env", severity="critical", git=new),
        finding("present-high-new-wide", "f.env", severity="high", git=new),
        finding("present-high-new-wide", "g.env", severity="high", git=new),
    ]
    doc = report_json(str(results_file(tmp_path, findings)), "--now", "2025-06-01")
    order = [c["fingerprint"] for c in doc["credentials"]]
    assert order == [fingerprint(s) for s in ("present-critical-new", "present-high-old", "present-high-new-wide",
                                              "present-high-new", "removed-critical", "present-low-old")]
    assert [c["priority"] for c in doc["credentials"]] == [1, 2, 3, 4, 5, 6]
    rc, text, _ = cli_inprocess("report", str(tmp_path / "results.json"), "--now", "2025-06-01", "--no-color")
    head = text[text.index("Do first"):text.index("Credentials")]
    assert head.index(fingerprint("present-critical-new")[:12]) < head.index(fingerprint("removed-critical")[:12])
    assert "present at HEAD" in head and "in history only" in head


def test_present_at_head_is_not_called_live(scanned: Path) -> None:
    doc = report_json(str(scanned), "--now", "2025-10-04")
    assert doc["version"] == 3
    assert all(c["present"] is True for c in doc["credentials"]) and doc["summary"]["present_credentials"] == 4
    assert not any("live" in key for c in doc["credentials"] for key in c)
    # "live" is said only of what a provider verified: none was asked here
    assert [key for key in doc["summary"] if "live" in key] == ["verified_live"] and doc["summary"]["verified_live"] == 0
    assert all(c["verified"] == "unverified" and c["verification"] is None for c in doc["credentials"])
    rc, text, _ = cli_inprocess("report", str(scanned), "--now", "2025-10-04", "--no-color")
    assert "4 present at HEAD" in text and "live" not in text.lower().replace("stripe live secret key", "")


# ---- the HTML page, in headless Chromium ------------------------------------------------------------------------

@pytest.fixture
def page_of(tmp_path: Path) -> Any:
    from test_html_report import CHROMIUM

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

        def open_page(html: Path, width: int = 1400) -> Any:
            page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
            page.goto(html.as_uri())
            page.wait_for_selector("html[data-ready=true]")
            return page

        yield open_page
        browser.close()


def _html(results: Path, tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "report.html"
    rc, _, err = cli_inprocess("report", str(results), "--now", "2025-10-04", "-f", "html", "-o", str(out), *args)
    assert rc in (0, 1), err
    return out


def test_the_html_says_present_at_head_and_what_to_do_first(scanned: Path, tmp_path: Path, page_of: Any) -> None:
    page = page_of(_html(scanned, tmp_path))
    body = page.inner_text("body")
    assert page.text_content("#card-present .label") == "Present at HEAD"
    assert page.text_content("#card-present .value") == "4"
    assert "validated as working" not in body
    assert "live" not in body.lower().replace("stripe live secret key", "")  # a rule's own name aside
    assert page.locator("#credential-table .badge.present").count() == 4
    first = page.eval_on_selector_all("#do-first li", "els => els.map(e => e.getAttribute('data-fingerprint'))")
    doc = report_json(str(scanned), "--now", "2025-10-04")
    assert first == [c["fingerprint"] for c in doc["credentials"]][:10] and len(first) == 4
    priorities = page.eval_on_selector_all("#credential-table tbody td[data-col=priority]", "els => els.map(e => e.textContent)")
    assert priorities == ["1", "2", "3", "4"]


def test_the_candidate_facts_column_stays_readable(tmp_path: Path, page_of: Any) -> None:
    email = "data-pipeline-nightly-export-runner-prod@very-long-project-name-analytics-warehouse-1.iam.gserviceaccount.com"
    findings = [finding(f"sa-{n}", f"deploy/{n}/sa.json", rule_id="gcp-service-account-json", provider="gcp",
                        attributes={"gcp.client_email": email, "gcp.project_id": "very-long-project-name-analytics-1",
                                    "gcp.private_key_id": str(n) * 40}) for n in range(2)]
    page = page_of(_html(results_file(tmp_path, findings), tmp_path), width=1000)
    width = page.eval_on_selector("#candidate-table td[data-col=facts]", "td => td.getBoundingClientRect().width")
    font = page.eval_on_selector("#candidate-table td[data-col=facts] .sub-line",
                                 "el => parseFloat(getComputedStyle(el).fontSize)")
    assert width > 15 * font  # before: squeezed to about one character per line by a long candidate id
