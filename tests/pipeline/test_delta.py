"""Scanning a new version of a file by its change finds exactly what scanning it whole finds."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess
from scanner.pipeline.delta import common_prefix, common_suffix, scan_delta
from scanner.pipeline.engine import Engine
from scanner.model import Finding, Origin
from scanner.rules.load import load_rules

KINDS = ["github-pat-classic", "slack-bot-token", "stripe-secret-key", "password", "postgres-uri", "aws-access-key-id",
         "rsa-private-key", "gcp-service-account-json", "jwt", "openai-project-key"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules())


def key(f: Finding) -> tuple[object, ...]:
    return (f.rule_id, f.start_line, f.start_column, f.end_line, f.end_column, f.fingerprint, f.offset, f.line_text, f.masked_line)


def filler(rng: random.Random, n: int) -> list[str]:
    words = ["def handler(request):", "    return response", "timeout = 30", "# the password is read from vault",
             "token_url = base + '/oauth/token'", "log.info('sent %s', item)", "", "class Config:",
             "    retries: int = 3", "secret_name = 'db-credentials'", "api_key = os.environ['API_KEY']"]
    return [rng.choice(words) + ("" if rng.random() < 0.7 else f"  # {rng.random():.6f}") for _ in range(n)]


def secret_line(rng: random.Random) -> str:
    kind = rng.choice(KINDS)
    value = fakecreds.generate(kind, rng)
    var = fakecreds.VARIABLE_NAMES[kind]
    return f'{var} = """{value}"""' if "\n" in value else f'{var} = "{value}"'


def test_prefix_and_suffix_lengths() -> None:
    rng = random.Random(5)
    for _ in range(300):
        a = bytes(rng.choice(b"ab\n") for _ in range(rng.randint(0, 60)))
        b = bytes(rng.choice(b"ab\n") for _ in range(rng.randint(0, 60)))
        p = common_prefix(a, b)
        naive = 0
        while naive < min(len(a), len(b)) and a[naive] == b[naive]:
            naive += 1
        assert p == naive
        limit = min(len(a), len(b)) - p
        q = common_suffix(a, b, limit)
        naive = 0
        while naive < limit and a[len(a) - 1 - naive] == b[len(b) - 1 - naive]:
            naive += 1
        assert q == naive


def test_random_edits_match_whole_scans(engine: Engine) -> None:
    rng = random.Random(2026)
    origin = Origin("f.py", kind="git-blob")
    deltas = 0
    for trial in range(50):
        lines = filler(rng, rng.randint(40, 400))
        for _ in range(rng.randint(0, 6)):
            lines.insert(rng.randrange(len(lines) + 1), secret_line(rng))
        old = "\n".join(lines).encode()
        old_findings = engine.scan_bytes(old, origin).findings
        for _edit in range(4):
            at = rng.randrange(len(lines) + 1)
            span = rng.randint(0, 5)
            new_lines = filler(rng, rng.randint(0, 6))
            if rng.random() < 0.5:
                new_lines.insert(0, secret_line(rng))
            if rng.random() < 0.3 and lines:  # edit inside an existing line, or cut a secret in half
                victim = rng.randrange(len(lines))
                cut = rng.randrange(len(lines[victim]) + 1)
                lines[victim] = lines[victim][:cut] + rng.choice(["", "x", "\"", " = "]) + lines[victim][cut:]
            lines[at:at + span] = new_lines
            new = "\n".join(lines).encode()
            whole = engine.scan_bytes(new, origin)
            part = scan_delta(engine, old, old_findings, new, origin)
            if part is not None:
                deltas += 1
                assert sorted(map(key, part.findings)) == sorted(map(key, whole.findings)), trial
            old, old_findings = new, whole.findings
    assert deltas > 25  # many edits took the fast path (the others change most of a small file)


def test_history_with_and_without_delta_agree(tmp_path: Path) -> None:
    rng = random.Random(77)
    repo = GitRepo(tmp_path / "repo")
    files = {name: filler(rng, rng.randint(80, 300)) for name in ("app/main.py", "conf/settings.py", "lib/util.py")}
    for n in range(40):
        for name, lines in files.items():
            if rng.random() < 0.6:
                at = rng.randrange(len(lines) + 1)
                lines[at:at + rng.randint(0, 4)] = filler(rng, rng.randint(0, 4)) + (
                    [secret_line(rng)] if rng.random() < 0.3 else [])
            repo.write(name, "\n".join(lines) + "\n")
        repo.commit(f"change {n}")
    reports = []
    for env in ({}, {"CREDSPRAWL_NO_DELTA": "1"}):
        code, out, err = cli_inprocess("history", str(repo.path), "-f", "json", "-q", "--jobs", "1", env=env)
        assert code == 1, err
        doc = json.loads(out)
        doc["summary"].pop("seconds")
        doc["summary"].pop("mb_per_second")
        reports.append(doc)
    assert reports[0] == reports[1]
    assert len(reports[0]["findings"]) > 10


def test_carried_wide_hits_are_those_of_a_full_search(engine: Engine) -> None:
    from scanner.pipeline.delta import Version, align, _hunks, wide_hits

    rng = random.Random(11)
    wide = wide_hits(engine)
    words = ["-----BEGIN RSA PRIVATE KEY-----", "service_account", "Bearer ", "eyJhbGciOi", "ssl.wrap", "kind: Secret",
             "machine example.org", "client-key-data:", "plain text here", "x = 1"]
    for _ in range(200):
        lines = [rng.choice(words) + " " + str(rng.random()) for _ in range(rng.randint(20, 120))]
        old = "\n".join(lines).encode()
        for _edit in range(rng.randint(1, 4)):
            at = rng.randrange(len(lines) + 1)
            lines[at:at + rng.randint(0, 3)] = [rng.choice(words)[:rng.randint(1, 20)] + rng.choice(words)
                                                for _ in range(rng.randint(0, 3))]
        new = "\n".join(lines).encode()
        segments = align(old, new)
        for j0, j1, i0 in segments:
            assert new[j0:j1] == old[i0:i0 + j1 - j0]
        hunks = _hunks(segments, len(old), len(new))
        carried = wide.carried(Version(old, (), wide.find(old)), new, segments, hunks)
        assert carried == tuple(sorted(set(wide.find(new))))
