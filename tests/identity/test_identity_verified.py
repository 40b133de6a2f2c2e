"""Identity correlation uses verification (identity report version 3): a live-verified identity the
provider reported beats every inventory selector guess; where the inventory's identity or owner and
the provider's answer differ, the report says so; "live (verified)", "invalid (revoked or rotated)",
"unverified" and "present at HEAD" are four words for four things, in JSON, text and HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from findingutil import by_fp, finding, fingerprint, report_json, results_file
from gitutil import cli_inprocess

KEY_ID = "AKIA" + "QX7V2M4LPN8RT3ZY"  # a made-up access key id (not a real key's)
ARN = "arn:aws:iam::123456789012:user/deploy-bot"


def verification(status: str, provider: str = "aws", identity: dict[str, str] | None = None,
                 permissions: tuple[str, ...] = (), at: str = "2026-12-05T10:00:00.000Z") -> dict[str, Any]:
    return {"status": status, "provider": provider, "checked_at": at, "endpoint_host": "sts.amazonaws.com",
            "identity": [{"key": k, "value": v} for k, v in (identity or {}).items()],
            "permissions": list(permissions)}


def aws_finding(secret_id: str, ver: dict[str, Any] | None, key_id: str = KEY_ID, **kw: Any) -> dict[str, Any]:
    f = finding(secret_id, kw.pop("path", "deploy/.env"), rule_id="aws-secret-access-key", kind="api-key",
                provider="aws", attributes={"aws.key_id": key_id}, **kw)
    f["verification"] = ver
    f["remediation"] = "aws iam update-access-key --status Inactive --access-key-id KEY_ID; aws iam delete-access-key"
    return f


def inventory(tmp_path: Path, body: str) -> Path:
    inv = tmp_path / "inventory.toml"
    inv.write_text("version = 1\n" + body)
    return inv


GUESS = f'''
[[identity]]
id = "billing-exporter"
kind = "service-account"
owner = {{ team = "payments" }}
[identity.selectors]
aws_key_ids = ["{KEY_ID}"]
'''
NAMED = f'''
[[identity]]
id = "deploy-bot"
kind = "ci-job"
owner = {{ team = "platform" }}
[identity.selectors]
principals = ["{ARN}"]
'''
LIVE = verification("live", identity={"account": "123456789012", "arn": ARN, "access_key_id": KEY_ID},
                    permissions=("policy:AdministratorAccess",))


def test_the_provider_named_identity_beats_the_selector_guess_and_the_disagreement_is_said(tmp_path: Path) -> None:
    results = results_file(tmp_path, [aws_finding("k1", LIVE)])
    doc = report_json(str(results), "--inventory", str(inventory(tmp_path, GUESS + NAMED)), "--now", "2026-12-06")
    assert doc["version"] == 3
    [cred] = doc["credentials"]
    assert cred["identity"] == "deploy-bot" and cred["identity_source"] == "provider"
    assert cred["match"] == {"selector": "principals", "value": f"aws:{ARN}", "strength": 110}
    assert cred["owner"]["team"] == "platform"
    assert cred["verified"] == "live" and cred["verification"]["permissions"] == ["policy:AdministratorAccess"]
    assert cred["provider_identity"] == {"provider": "aws", "principal": f"aws:{ARN}".lower(), "who": ARN}
    assert any("billing-exporter" in d and "aws_key_ids" in d and "deploy-bot" in d for d in cred["disagreements"])
    assert any(d.startswith("owner:") and "payments" in d and "platform" in d for d in cred["disagreements"])
    assert doc["summary"]["verified_live"] == 1 and doc["summary"]["disagreements"] == 1
    # the first remediation steps: it works now, then the rule's revoke place
    assert cred["remediation"][0].startswith("Its provider verified it live")
    assert cred["remediation"][1].startswith("aws iam update-access-key") and cred["revoke"] == cred["remediation"][1]


def test_a_principal_the_inventory_does_not_know_still_beats_the_guess(tmp_path: Path) -> None:
    results = results_file(tmp_path, [aws_finding("k1", LIVE)])
    doc = report_json(str(results), "--inventory", str(inventory(tmp_path, GUESS)), "--now", "2026-12-06")
    [cred] = doc["credentials"]
    assert cred["identity"] == f"aws:{ARN}".lower() and cred["identity_source"] == "provider"
    assert cred["identity_name"] == f"{ARN} (aws, verified live)" and cred["owner"] is None
    assert cred["disagreements"][0].startswith("the inventory names billing-exporter (aws_key_ids")
    assert "lists no principals" in cred["disagreements"][0]
    assert "payments owns billing-exporter" in cred["disagreements"][1]
    assert doc["summary"]["unknown_credentials"] == 0  # the provider named it: not unknown
    rc, text, _ = cli_inprocess("report", str(results), "--inventory", str(tmp_path / "inventory.toml"),
                                "--now", "2026-12-06", "--no-color")
    assert "The inventory and the provider disagree" in text and "billing-exporter" in text
    assert "live (verified)" in text


@pytest.mark.parametrize("status", ["invalid", "unknown", None])
def test_without_a_live_answer_the_inventory_decides(tmp_path: Path, status: str | None) -> None:
    ver = verification(status) if status else None
    doc = report_json(str(results_file(tmp_path, [aws_finding("k1", ver)])),
                      "--inventory", str(inventory(tmp_path, GUESS + NAMED)), "--now", "2026-12-06")
    [cred] = doc["credentials"]
    assert cred["identity"] == "billing-exporter" and cred["identity_source"] == "inventory"
    assert cred["disagreements"] == [] and cred["provider_identity"] is None
    assert cred["verified"] == {"invalid": "invalid"}.get(status or "", "unverified")


def test_four_states_four_words_and_do_first_order(tmp_path: Path) -> None:
    present = {"commit": "a" * 40, "date": "2026-01-01T00:00:00Z", "status": "live", "refs": "1"}
    findings = [
        aws_finding("live-one", LIVE, path="a.env", severity="medium"),
        aws_finding("revoked-one", verification("invalid"), "AKIA" + "B" * 16, path="b.env", severity="critical",
                    git=present),
        aws_finding("unasked-one", None, "AKIA" + "C" * 16, path="c.env", severity="critical", git=present),
    ]
    doc = report_json(str(results_file(tmp_path, findings)), "--now", "2026-12-06")
    creds = by_fp(doc)
    assert [c["verified"] for c in doc["credentials"]] == ["live", "unverified", "invalid"]  # do first
    assert creds[fingerprint("revoked-one")]["present"] is True and creds[fingerprint("unasked-one")]["present"] is True
    assert creds[fingerprint("revoked-one")]["remediation"][0].startswith("Its provider rejected it")
    rc, text, _ = cli_inprocess("report", str(results_file(tmp_path, findings)), "--now", "2026-12-06", "--no-color")
    assert "1 live (verified), 1 invalid (revoked or rotated), 1 unverified" in text
    assert "present at HEAD" in text


def test_principals_selector_is_checked(tmp_path: Path) -> None:
    bad = inventory(tmp_path, '[[identity]]\nid = "x"\nkind = "user"\n[identity.selectors]\nprincipals = ["octocat"]\n')
    rc, _, err = cli_inprocess("inventory", "check", str(bad))
    assert rc == 2 and "not a principal" in err
    good = inventory(tmp_path, '[[identity]]\nid = "x"\nkind = "user"\n[identity.selectors]\nprincipals = ["GitHub:OctoCat"]\n')
    assert cli_inprocess("inventory", "check", str(good))[0] == 0


@pytest.fixture
def page_of(tmp_path: Path) -> Any:
    import shutil

    from playwright.sync_api import sync_playwright

    CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (bash .ci/run installs it)")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

        def open_page(html: Path) -> Any:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.goto(html.as_uri())
            page.wait_for_selector("html[data-ready=true]")
            return page

        yield open_page
        browser.close()


def test_the_html_keeps_the_four_states_apart(tmp_path: Path, page_of: Any) -> None:
    present = {"commit": "a" * 40, "date": "2026-01-01T00:00:00Z", "status": "live", "refs": "1"}
    findings = [
        aws_finding("live-one", LIVE, path="a.env"),
        aws_finding("revoked-one", verification("invalid"), "AKIA" + "B" * 16, path="b.env", git=present),
        aws_finding("unasked-one", None, "AKIA" + "C" * 16, path="c.env", git=present),
    ]
    out = tmp_path / "report.html"
    rc, _, err = cli_inprocess("report", str(results_file(tmp_path, findings)), "--inventory",
                               str(inventory(tmp_path, GUESS)), "--now", "2026-12-06", "-f", "html", "-o", str(out))
    assert rc == 1, err
    page = page_of(out)
    assert page.text_content("#card-verified-live .label") == "Live (verified)"
    assert page.text_content("#card-verified-live .value") == "1"
    assert page.text_content("#card-verified-invalid .label") == "Invalid (revoked or rotated)"
    assert page.text_content("#card-unverified .value") == "1"
    assert page.text_content("#card-present .value") == "3"  # a scanned file is present too
    badges = page.eval_on_selector_all("#credential-table .badge", "els => els.map(e => e.textContent)")
    assert badges.count("live (verified)") == 1 and badges.count("invalid (revoked or rotated)") == 1
    assert badges.count("unverified") == 1 and badges.count("present at HEAD") == 3
    assert "live" not in [b.lower() for b in badges]  # never the bare word, which could mean either
    # the state filter offers each one
    options = page.eval_on_selector_all("#credential-state option", "els => els.map(e => e.value)")
    assert {"verified-live", "verified-invalid", "unverified", "present"} <= set(options)
    page.select_option("#credential-state", "verified-invalid")
    rows = page.eval_on_selector_all("#credential-table tbody tr", "els => els.length")
    assert rows == 1
    # the drill-down of the live one says who the provider named, and where the inventory disagrees
    page.goto(out.as_uri() + "#credential=" + fingerprint("live-one"))
    page.wait_for_selector("article.cred")
    card = page.inner_text("article.cred")
    assert ARN in card and "billing-exporter" in card and "policy:AdministratorAccess" in card
    assert "aws iam update-access-key" in card


def test_identity_sarif_carries_verification_and_the_revoke_place(tmp_path: Path) -> None:
    import json as _json

    results = results_file(tmp_path, [aws_finding("k1", LIVE)])
    rc, out, err = cli_inprocess("report", str(results), "--inventory", str(inventory(tmp_path, GUESS)),
                                 "--now", "2026-12-06", "-f", "sarif")
    assert rc == 1, err
    run = _json.loads(out)["runs"][0]
    [result] = run["results"]
    props = result["properties"]
    assert props["verified"] == "live" and props["verification"]["provider"] == "aws"
    assert props["identity_source"] == "provider" and props["disagreements"]
    assert "(live, verified)" in result["message"]["text"]
    [rule] = run["tool"]["driver"]["rules"]
    assert rule["properties"]["remediation"].startswith("aws iam update-access-key")
