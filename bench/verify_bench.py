"""Verification of many distinct secrets against a loopback server: time, requests, and the largest
number of requests in flight per provider and in total, measured at the server.

    python bench/verify_bench.py [--secrets 1000] [--delay 0.02] [--per-provider 4]

One ``ThreadingHTTPServer`` on 127.0.0.1 stands in for every provider: each provider's endpoint is
``http://127.0.0.1:PORT/p/PROVIDER`` plus its documented API root (``[verify] endpoints``, as a GitHub
Enterprise user configures it), and it answers each route with the documented live reply of that
provider's loopback test case (``tests/verifyfakes.py``) after ``--delay`` seconds (a network round
trip). The server counts the requests in flight per provider and overall, and keeps the peaks.
``--secrets`` distinct secrets are spread over every provider case (each made by the rule's fake
generator, ``fixtures/fakecreds.py``), and one ``VerifyRun`` verifies them as ``scan --verify`` does
(each once, at most ``--per-provider`` in flight per provider, one deadline). Writes the table to
``bench/results/verify.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from fakeapi import Reply  # noqa: E402
from verifycases import ALL as CASES  # noqa: E402  (every provider group's cases)
from verifyfakes import make_finding  # noqa: E402

from fixtures.fakecreds import ALL_GENERATORS  # noqa: E402
from scanner.verify.endpoints import Endpoints  # noqa: E402
from scanner.verify.run import VerifyOptions, VerifyRun  # noqa: E402


class Stand:
    """Every provider's routes under ``/p/PROVIDER``; in-flight counts per provider and in total."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.routes: dict[str, dict[str, Reply]] = defaultdict(dict)
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.total_now = self.total_peak = 0
        stand = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the client's pool reuses connections

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                path = urllib.parse.urlsplit(self.path).path
                _, _, provider, rest = (path.split("/", 3) + ["", "", "", ""])[:4]
                reply = stand.routes.get(provider, {}).get("/" + rest, Reply(404, {"message": "Not Found"}))
                with stand.lock:
                    stand.now[provider] += 1
                    stand.requests[provider] += 1
                    stand.peak[provider] = max(stand.peak[provider], stand.now[provider])
                    stand.total_now += 1
                    stand.total_peak = max(stand.total_peak, stand.total_now)
                try:
                    time.sleep(stand.delay)
                    body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with stand.lock:
                        stand.now[provider] -= 1
                        stand.total_now -= 1

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 1024
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"


def secrets_for(case: Any, n: int, rng: random.Random) -> list[str]:
    make = ALL_GENERATORS.get(case.rule_id)
    out: dict[str, None] = {}
    while len(out) < n:
        if make is not None:
            out.setdefault(make(rng), None)
        else:  # a rule without a generator: the case's secret with its tail varied
            tail = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
            out.setdefault(case.secret[:-8] + tail, None)
    return list(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--secrets", type=int, default=1000)
    ap.add_argument("--delay", type=float, default=0.02, help="seconds the stand-in takes per answer")
    ap.add_argument("--per-provider", type=int, default=4)
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "verify.md")
    args = ap.parse_args()
    rng = random.Random(1000)
    stand = Stand(args.delay)
    cases = [c for c in CASES if c.provider != "pypi"]
    overrides: dict[str, str] = {}
    for case in cases:
        stand.routes[case.provider][case.mount + case.path] = case.live
        for path, reply in case.extra.items():
            stand.routes[case.provider][case.mount + path] = reply
        overrides[case.provider] = f"{stand.base}/p/{case.provider}{case.mount}"
    findings = []
    share, left = divmod(args.secrets, len(cases))
    for i, case in enumerate(cases):
        for secret in secrets_for(case, share + (1 if i < left else 0), rng):
            findings.append(make_finding(case.rule_id, secret, case.companion))
    assert len({f.fingerprint for f in findings}) == args.secrets
    threading.Thread(target=stand.server.serve_forever, daemon=True).start()
    options = VerifyOptions(per_provider=args.per_provider, run_timeout=600.0, request_timeout=30.0)
    started = time.perf_counter()
    with VerifyRun(Endpoints.from_overrides(overrides), options) as run:
        said = run.verify(findings)
    seconds = time.perf_counter() - started
    stand.server.shutdown()
    statuses = Counter(v.status for v in said.values())
    per_provider = Counter(case.provider for case in cases for _ in range(0))
    for f in findings:
        per_provider[next(c.provider for c in cases if c.rule_id == f.rule_id)] += 1
    rows = sorted(stand.requests)
    load = os.getloadavg()
    lines = [
        "# Verification of many distinct secrets against a loopback server",
        "",
        f"`python bench/verify_bench.py --secrets {args.secrets} --delay {args.delay} --per-provider {args.per_provider}`"
        f" on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} (a shared 2-core machine, other jobs running).",
        "",
        f"{args.secrets} distinct secrets over {len(cases)} provider cases ({len(rows)} providers), each answered by "
        f"a loopback stand-in after {args.delay * 1000:.0f} ms; in-flight counts are measured at the server.",
        "",
        "| total | value |",
        "|---|---:|",
        f"| wall time | {seconds:.2f} s |",
        f"| secrets | {args.secrets} |",
        f"| requests | {sum(stand.requests.values())} |",
        f"| requests per second | {sum(stand.requests.values()) / seconds:.0f} |",
        f"| largest number in flight, all providers | {stand.total_peak} |",
        f"| largest number in flight, any one provider | {max(stand.peak.values())} (limit {args.per_provider}) |",
        f"| results | {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))} |",
        "",
        "| provider | secrets | requests | max in flight |",
        "|---|---:|---:|---:|",
        *[f"| {p} | {per_provider[p]} | {stand.requests[p]} | {stand.peak[p]} |" for p in rows],
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0 if statuses.get("live", 0) == args.secrets and max(stand.peak.values()) <= args.per_provider else 1


if __name__ == "__main__":
    raise SystemExit(main())
