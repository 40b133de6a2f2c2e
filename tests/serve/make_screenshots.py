"""Screenshots of the triage app's main pages for the documentation (docs/images/serve-*.png).

    .venv/bin/python tests/serve/make_screenshots.py [OUTPUT_FOLDER]

Builds a small organisation of real git repositories leaking fake credentials (``fixtures.fakecreds``),
sweeps it into a datastore, triages some credentials through ``credsprawl triage``, adds results in the
table ``sweep --verify`` writes (its agreed shape: the providers are not contacted), starts
``credsprawl serve`` on a free loopback port and photographs the overview, the queue, a credential's
page and an owner's page in headless Chromium. Not a test: the browser tests check the pages.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
for p in (ROOT, ROOT / "tests", HERE):
    sys.path.insert(0, str(p))

os.environ.setdefault("CREDSPRAWL_CACHE_DIR", tempfile.mkdtemp(prefix="shots-cache-"))

from fixtures import fakecreds  # noqa: E402
from gitutil import GitRepo  # noqa: E402
from serveutil import Server, listed, triage  # noqa: E402
from sweeputil import sweep  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LEAKS = {  # repository -> (path, line template, generator)
    "payments-api": [("config/settings.py", "STRIPE_KEY = '{}'\n", fakecreds.stripe_secret_key),
                     ("deploy/.env", "AWS_ACCESS_KEY_ID={}\n", fakecreds.aws_access_key_id),
                     ("scripts/release.sh", "export GITHUB_TOKEN={}\n", fakecreds.github_token)],
    "web-frontend": [("src/config.js", "const slack = '{}';\n", fakecreds.slack_bot_token),
                     ("src/analytics.js", "const key = '{}';\n", fakecreds.google_api_key)],
    "data-pipeline": [("airflow/connections.env", "SENDGRID_API_KEY={}\n", fakecreds.sendgrid_api_key),
                      ("terraform/main.tf", 'token = "{}"\n', fakecreds.terraform_cloud_token),
                      ("notebooks/setup.py", "OPENAI_API_KEY = '{}'\n", fakecreds.openai_project_key)],
    "infra": [("k8s/datadog.yaml", "apiKey: {}\n", fakecreds.datadog_api_key),
              ("ci/publish.sh", "TWINE_PASSWORD={}\n", fakecreds.pypi_token),
              ("vault/bootstrap.sh", "VAULT_TOKEN={}\n", fakecreds.vault_service_token)],
    "mobile-app": [("android/app/keys.properties", "gitlab={}\n", fakecreds.gitlab_pat),
                   ("ios/Config.xcconfig", "HF_TOKEN = {}\n", fakecreds.huggingface_token)],
}


def build_org(root: Path, rng: random.Random) -> dict[str, GitRepo]:
    repos = {}
    for name, leaks in LEAKS.items():
        repo = GitRepo(root / name)
        repo.write("README.md", f"# {name}\n")
        repo.commit(f"{name}: start")
        for i, (path, template, make) in enumerate(leaks):
            repo.write(path, template.format(make(rng)))
            repo.commit(f"{name}: {path}", author="Dev Eloper <dev@example.com>")
            if i % 2:  # removed again: in history only
                repo.write(path, template.format("${FROM_THE_VAULT}"))
                repo.commit(f"{name}: {path} from the environment")
        repos[name] = repo
    # the same Slack token copied into a second repository: sprawl
    repos["infra"].write("monitoring/alerts.yaml", (root / "web-frontend" / "src/config.js").read_text().replace("const slack = ", "slack: "))
    repos["infra"].commit("infra: alerts")
    return repos


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"
    work = Path(tempfile.mkdtemp(prefix="shots-"))
    rng = random.Random(19)
    build_org(work / "org", rng)
    listing = work / "org" / "repos.txt"
    listing.write_text("".join(f"{n}\n" for n in LEAKS))
    ds = work / "sweep.sqlite"
    assert sweep(str(listing), datastore=ds).code == 1
    rows = listed(ds)
    by_rule = {r["rule_id"]: r["fingerprint"] for r in rows}
    pick = [r["fingerprint"] for r in rows]
    triage(ds, "assign", *pick[:4], "--owner", "@acme/platform", "--as", "alice")
    triage(ds, "assign", *pick[4:7], "--owner", "@acme/data", "--as", "alice")
    triage(ds, "set", pick[5], "--state", "revoked", "--reason", "revoked at the provider, SEC-101", "--as", "bob")
    triage(ds, "set", pick[6], "--state", "false-positive", "--reason", "documentation example", "--as", "bob")
    triage(ds, "set", pick[1], "--state", "acknowledged", "--as", "alice")
    triage(ds, "note", pick[1], "rotation planned with the payments team, SEC-102", "--as", "alice")
    db = sqlite3.connect(ds)  # results in the agreed shape of sweep --verify's table
    db.execute("CREATE TABLE IF NOT EXISTS verification_results(fingerprint TEXT PRIMARY KEY, provider TEXT, status TEXT, "
               "checked_at TEXT, identity TEXT, permissions TEXT, reason TEXT)")
    checks = [(by_rule.get("github-pat-classic"), "github", "live", {"login": "release-bot"}, ["repo", "workflow", "admin:org"], ""),
              (by_rule.get("stripe-secret-key"), "stripe", "live", {"account": "acct_demo"}, ["read_write"], ""),
              (pick[5], "generic", "invalid", {}, [], "401 Unauthorized")]
    db.executemany("INSERT OR REPLACE INTO verification_results(fingerprint, provider, status, checked_at, identity, "
                   "permissions, reason) VALUES(?, ?, ?, '2026-12-05T09:00:00+00:00', ?, ?, ?)",
                   [(fp, prov, st, json.dumps(ident), json.dumps(perms), why) for fp, prov, st, ident, perms, why in checks if fp])
    db.commit()
    db.close()
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with Server(ds) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(viewport={"width": 1360, "height": 900}, device_scale_factor=1).new_page()
        shots = [("overview", "/"), ("queue", "/queue?state=any"),
                 ("credential", f"/credential/{by_rule.get('github-pat-classic') or pick[0]}"),
                 ("owner", "/owner/platform")]
        for name, path in shots:
            page.goto(server.url + path)
            page.screenshot(path=str(out / f"serve-{name}.png"), full_page=True)
            print(out / f"serve-{name}.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
