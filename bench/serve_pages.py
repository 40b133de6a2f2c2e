"""The triage web app's pages over a datastore of 100,000 credentials: how long each takes.

    python bench/serve_pages.py [--credentials 100000] [--repeat 9] [--keep DIR]

Builds a datastore with the store's own schema (``scanner.store``: migrations applied by opening it)
and bulk-inserted rows shaped as a sweep writes them (rules, sweeps, repositories, findings, and
occurrences whose finding JSON is ``scanner.store.codec.encode`` of a redacted finding), then triage
through the triage write API (states, owners; each write with its audit entry), and verification
results in the table ``sweep --verify`` writes. Then starts ``credsprawl serve`` (uvicorn) on a free
loopback port and requests each page ``--repeat`` times over HTTP (keep-alive), after one warm-up
request; the first request after the datastore changed builds the queue's summary, and is timed on
its own. Prints a table (median, min, max, ms) and writes it to ``bench/results/serve.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from scanner.model import Confidence, Finding, Origin, Severity, Validation, redact  # noqa: E402
from scanner.store import codec  # noqa: E402
from scanner.store.db import Store  # noqa: E402
from scanner.triage.states import Change  # noqa: E402
from scanner.triage.writes import assign, set_state  # noqa: E402

# (rule id, name, kind, provider, severity, attribute maker)
RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("aws-access-key-id", "AWS access key ID", "api-key", "aws", "critical"),
    ("github-pat-classic", "GitHub personal access token", "token", "github", "critical"),
    ("gcp-service-account-key", "GCP service account key", "credential-file", "gcp", "critical"),
    ("slack-bot-token", "Slack bot token", "token", "slack", "high"),
    ("stripe-secret-key", "Stripe secret key", "api-key", "stripe", "high"),
    ("postgres-uri", "PostgreSQL connection string", "connection-string", "postgres", "high"),
    ("private-key-rsa", "RSA private key", "private-key", "generic", "high"),
    ("jwt", "JSON Web Token", "token", "generic", "medium"),
    ("generic-password", "Password assignment", "password", "generic", "medium"),
    ("generic-api-key", "Generic API key", "secret", "generic", "low"),
)
SWEEPS = 6
REPOS = 2000
OWNERS = 60
PATHS = ("src/settings.py", "deploy/.env", "config/app.yml", "k8s/secret.yaml", "scripts/deploy.sh", "test/fixtures.json",
         "docs/setup.md", "terraform/main.tf", ".github/workflows/ci.yml", "app/config.js")


def attributes(rule: str, rng: random.Random) -> tuple[tuple[str, str], ...]:
    if rule == "aws-access-key-id":
        return (("aws.account_id", f"{rng.randrange(10**11, 10**12)}"),)
    if rule == "gcp-service-account-key":
        return (("gcp.client_email", f"sa-{rng.randrange(3000)}@proj-{rng.randrange(300)}.iam.gserviceaccount.com"),
                ("gcp.project_id", f"proj-{rng.randrange(300)}"))
    if rule == "postgres-uri":
        return (("db.host", f"db{rng.randrange(200)}.internal"), ("db.user", f"svc{rng.randrange(500)}"))
    if rule == "jwt":
        return (("jwt.iss", "https://auth.example.com"), ("jwt.sub", f"svc-{rng.randrange(2000)}"))
    return ()


def iso(when: datetime) -> str:
    return when.isoformat(timespec="microseconds")


def build(path: Path, credentials: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    started = time.perf_counter()
    store = Store(path)  # the schema, through its migrations
    store.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("BEGIN")
    db.execute("INSERT INTO rulesets(version, rules, created) VALUES('bench', ?, ?)", (len(RULES), iso(datetime.now(timezone.utc))))
    db.executemany("INSERT INTO rules VALUES(?, ?, ?, ?, ?, 'high')", RULES)
    base = datetime(2026, 6, 1, tzinfo=timezone.utc)
    sweeps = [base + timedelta(days=30 * i) for i in range(SWEEPS)]
    for i, when in enumerate(sweeps, 1):
        db.execute("INSERT INTO sweeps(id, ruleset_id, started, finished, status, repositories) VALUES(?, 1, ?, ?, 'done', ?)",
                   (i, iso(when), iso(when + timedelta(hours=3)), REPOS))
    db.executemany("INSERT INTO repositories(id, key, name, url, path, status, ruleset_id, last_sweep, scanned_at, blobs) "
                   "VALUES(?, ?, ?, ?, NULL, 'ok', 1, ?, ?, 1000)",
                   [(r, f"https://github.com/acme/repo-{r:04d}.git", f"repo-{r:04d}",
                     f"https://github.com/acme/repo-{r:04d}.git", SWEEPS, iso(sweeps[-1])) for r in range(1, REPOS + 1)])
    findings, occurrences = [], []
    template = Finding(rule_id="", secret="", origin=Origin("x"), start_line=1, start_column=1, end_line=1,
                       end_column=41, fingerprint="", severity=Severity.HIGH, confidence=Confidence.HIGH, entropy=4.2,
                       validation=Validation.UNCHECKED)
    for n in range(credentials):
        rule, _, _, _, sev = RULES[rng.randrange(len(RULES))]
        fp = f"{rng.getrandbits(256):064x}"
        secret = redact("x" * 8 + f"{rng.getrandbits(128):032x}")
        sweep = 1 + min(SWEEPS - 1, int(rng.expovariate(1.0)))
        seen = iso(sweeps[sweep - 1] + timedelta(minutes=rng.randrange(180)))
        findings.append((fp, rule, secret, sweep, seen))
        attrs = attributes(rule, rng)
        copies = 1 + int(rng.expovariate(1.5))
        for c in range(copies):
            repo = 1 + rng.randrange(REPOS)
            commit = f"{rng.getrandbits(160):040x}"
            date = base - timedelta(days=rng.randrange(1500))
            status = "live" if rng.random() < 0.3 else "history"
            path_ = PATHS[rng.randrange(len(PATHS))] if c == 0 else f"svc{c}/{PATHS[rng.randrange(len(PATHS))]}"
            extra = tuple(sorted({"blob": f"{rng.getrandbits(160):040x}", "commit": commit, "date": iso(date),
                                  "author": "Ann Author", "status": status, "refs": str(1 + rng.randrange(4)),
                                  "paths": "1", "commits": "1"}.items()))
            f = replace(template, rule_id=rule, secret=secret, fingerprint=fp, severity=Severity(sev), attributes=attrs,
                        origin=Origin(path_, "git-blob", None, extra), start_line=1 + rng.randrange(200),
                        line_text=f"TOKEN = {secret}")
            occurrences.append((repo, fp, rule, path_, f.start_line, 1, commit, "Ann Author", "ann@example.com",
                                iso(date), status, codec.encode(f), sweep, seen))
    db.executemany("INSERT INTO findings VALUES(?, ?, ?, ?, ?)", findings)
    db.executemany("INSERT INTO occurrences(repo_id, fingerprint, rule_id, path, start_line, start_column, commit_sha, "
                   "author, email, date, status, finding, first_sweep, first_seen) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   occurrences)
    # the table sweep --verify writes (migration 3, another change): results for some credentials
    db.execute("CREATE TABLE IF NOT EXISTS verification_results(fingerprint TEXT PRIMARY KEY, provider TEXT, status TEXT, "
               "checked_at TEXT, identity TEXT, permissions TEXT, reason TEXT)")
    checked = rng.sample(findings, k=min(len(findings), credentials // 10))
    statuses = ("live", "invalid", "invalid", "unknown", "error", "skipped")
    db.executemany("INSERT INTO verification_results(fingerprint, provider, status, checked_at, identity, "
                   "permissions, reason) VALUES(?, ?, ?, ?, ?, ?, ?)",
                   [(fp, "github", st, iso(sweeps[-1]), json.dumps({"login": f"bot-{i % 500}"}) if st == "live" else "{}",
                     json.dumps(["repo", "admin:org"] if i % 3 == 0 and st == "live" else ["read:user"] if st == "live" else []),
                     "" if st == "live" else "401")
                    for i, ((fp, *_), st) in enumerate((f, statuses[rng.randrange(len(statuses))]) for f in checked)])
    db.execute("COMMIT")
    db.close()
    inserted = time.perf_counter() - started
    # triage through its own write API: each write one transaction with its audit entries
    fps = [f[0] for f in findings]
    rng.shuffle(fps)
    with Store(path) as store:
        batches = [(fps[i:i + 500], Change.of(st, "bench")) for i, st in
                   zip(range(0, credentials // 5, 500), ("acknowledged", "revoked", "rotated", "closed", "false-positive") * 1000)]
        for chosen, change in batches:
            set_state(store, chosen, change, "bench")
        for i in range(0, credentials * 3 // 10, 500):
            assign(store, fps[i:i + 500], f"team-{(i // 500) % OWNERS:02d}", "bench")
    size = path.stat().st_size
    return {"credentials": credentials, "occurrences": len(occurrences), "verified": len(checked),
            "triaged": credentials // 5, "assigned": credentials * 3 // 10, "mb": size / 1e6,
            "insert_s": inserted, "total_s": time.perf_counter() - started, "sample": fps[:3],
            "owner": "team-07"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(http: httpx.Client, method: str, url: str, **kw: Any) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    answer = http.request(method, url, **kw)
    return (time.perf_counter() - started) * 1000, answer


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--credentials", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--keep", type=Path, help="build the datastore here (reused when it exists)")
    ap.add_argument("--output", type=Path, default=BENCH / "results" / "serve.md")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="serve-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    ds = folder / "bench.sqlite"
    info: dict[str, Any] = {}
    if not ds.exists():
        info = build(ds, args.credentials)
        print(f"built {ds}: {info['credentials']:,} credentials, {info['occurrences']:,} occurrences, "
              f"{info['mb']:.0f} MB in {info['total_s']:.1f} s", file=sys.stderr)
    db = sqlite3.connect(ds)
    fps = [r[0] for r in db.execute("SELECT fingerprint FROM findings ORDER BY rowid LIMIT 3 OFFSET 5000")]
    live = db.execute("SELECT fingerprint FROM verification_results WHERE status='live' LIMIT 1").fetchone()[0]
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("findings", "occurrences", "triage", "triage_audit", "verification_results", "repositories")}
    db.close()
    port = free_port()
    launched = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "scanner", "serve", "--datastore", str(ds), "--port", str(port)],
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("serve did not start")
                time.sleep(0.05)
        start_s = time.perf_counter() - launched
        with httpx.Client(base_url=url, timeout=120) as http:
            first_ms, answer = timed(http, "GET", "/queue")
            assert answer.status_code == 200, answer.text[:500]
            # an identity of the data (the first the queue links to) and the live one's, by the provider
            listing = http.get("/queue?state=any&severity=high").text
            ident = listing.split('href="/identity/', 1)[1].split('"', 1)[0]
            bot = http.get(f"/credential/{live}").text.split('href="/identity/', 1)[1].split('"', 1)[0]
            pages = [
                ("overview", "/"),
                ("queue (open work, page 1)", "/queue"),
                ("queue, page 200", "/queue?page=200"),
                ("queue, every state, last page", "/queue?state=any&page=2000"),
                ("queue: critical and live (verified)", "/queue?severity=critical&verified=live&state=any"),
                ("queue: one owner", "/queue?owner=team-07&state=any"),
                ("queue: one repository", "/queue?repository=repo-0042&state=any"),
                ("queue: unverified, first seen in a range", "/queue?verified=unverified&since=2026-07-01&until=2026-08-31"),
                ("queue: one identity", f"/queue?identity={ident}&state=any"),
                ("credential detail", f"/credential/{fps[0]}"),
                ("credential detail (live (verified))", f"/credential/{live}"),
                ("owner page", "/owner/team-07"),
                ("identity page", f"/identity/{bot}"),
                ("search: fingerprint prefix", f"/search?q={fps[1][:10]}"),
                ("search: text (rule, path, repository, owner, identity)", "/search?q=deploy"),
                ("audit log", "/audit"),
                ("audit log, page 100", "/audit?page=100"),
            ]
            rows = []
            for name, path in pages:
                timed(http, "GET", path)  # warm-up
                times = []
                for _ in range(args.repeat):
                    ms, answer = timed(http, "GET", path)
                    assert answer.status_code == 200, (path, answer.status_code)
                    times.append(ms)
                rows.append((name, path, statistics.median(times), min(times), max(times), len(answer.content)))
            # writes: a state on one credential, a bulk assignment of 50 (each a transaction with its audit entries)
            page = http.get("/queue").text
            csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            write_times, bulk_times = [], []
            for i in range(args.repeat):
                ms, answer = timed(http, "POST", f"/credential/{fps[2]}/state",
                                   data={"csrf": csrf, "state": ("acknowledged", "open")[i % 2]}, headers={"Origin": url})
                assert answer.status_code == 303, answer.text[:300]
                write_times.append(ms)
                chosen = [f for f in page.split('name="fingerprint" value="')[1:51]]
                ms, answer = timed(http, "POST", "/bulk", data={"csrf": csrf, "action": "assign", "owner": f"bulk-{i}",
                                                               "fingerprint": [c.split('"', 1)[0] for c in chosen]},
                                   headers={"Origin": url})
                assert answer.status_code == 303, answer.text[:300]
                bulk_times.append(ms)
            rows.append(("write: set one credential's state", "POST /credential/FP/state", statistics.median(write_times),
                         min(write_times), max(write_times), 0))
            rows.append(("write: bulk-assign 50 credentials", "POST /bulk", statistics.median(bulk_times), min(bulk_times),
                         max(bulk_times), 0))
            after_ms, _ = timed(http, "GET", "/queue")
    finally:
        server.terminate()
        server.wait(timeout=30)
    load = os.getloadavg()
    lines = [
        "# `credsprawl serve`: page times over 100,000 credentials",
        "",
        f"`python bench/serve_pages.py --credentials {args.credentials} --repeat {args.repeat}` on {time.strftime('%Y-%m-%d')}; "
        f"2 cores shared with other work (load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end): "
        "figures are upper bounds.",
        "",
        f"Datastore: {counts['findings']:,} credentials, {counts['occurrences']:,} occurrences in "
        f"{counts['repositories']:,} repositories, {counts['triage']:,} triaged ({counts['triage_audit']:,} audit entries), "
        f"{counts['verification_results']:,} verification results"
        + (f"; {info['mb']:.0f} MB, built in {info['total_s']:.1f} s" if info else "") + ".",
        "",
        "Each page over HTTP from a real `credsprawl serve` (uvicorn) on 127.0.0.1, keep-alive, after one warm-up "
        f"request; {args.repeat} requests each; milliseconds.",
        "",
        "| page | request | median | min | max | bytes |",
        "|---|---|---:|---:|---:|---:|",
        *[f"| {n} | `{p}` | {med:.0f} | {lo:.0f} | {hi:.0f} | {size:,} |" for n, p, med, lo, hi, size in rows],
        "",
        f"`serve` builds the queue's summary (`temp.cred`, one pass over every occurrence) before it listens: it "
        f"answered {start_s:.1f} s after it was started (the first request then took {first_ms:.0f} ms). A sweep that "
        "changes the findings makes the next request rebuild it (as long again); triage writes do not: they refresh "
        f"the rows they touched (the queue right after the writes above took {after_ms:.0f} ms).",
        "",
        f"Every page under 300 ms: {'yes' if all(r[2] < 300 for r in rows) else 'NO'} (median); "
        f"slowest median {max(r[2] for r in rows):.0f} ms ({max(rows, key=lambda r: r[2])[0]}).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
