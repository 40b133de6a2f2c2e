"""``credsprawl explain PATH[:LINE]``: every candidate the rules saw and the step that kept or dropped
it, in text and JSON; exit 0 whatever it finds, 2 on a usage or input error."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from fixtures import fakecreds as fc
from gitutil import cli_inprocess
from scanner.match.matcher import Matcher
from scanner.match.trace import STEPS, Trace
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.rules.load import load_rules


def explain(*args: str) -> tuple[int, dict]:
    rc, out, err = cli_inprocess("explain", *args, "-f", "json")
    assert rc == 0, err
    return rc, json.loads(out)


def steps(doc: dict, rule: str | None = None) -> list[tuple[str, str, int]]:
    return [(c["rule_id"], c["step"], c["start_line"]) for c in doc["candidates"]
            if c["step"] not in ("keyword", "pattern") and (rule is None or c["rule_id"] == rule)]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    rng = random.Random(4)
    gh = fc.github_token(rng)
    (tmp_path / "app.py").write_text(
        f'GITHUB_TOKEN = "{gh}"\n'                          # 1 reported
        'DB_PASSWORD = "changeme-42"\n'                 # 2 placeholder
        'password_hash = "Xq7!kL2mPz9wRt4v"\n'              # 3 deny_key
        'client_secret = "aaaaaaaaaaaaaaab1"\n'             # 4 entropy / placeholder
        'secret_key = "5e884898da28047151d0e56f8dc62927"\n'  # 5 hex: digest validator, hex rule reports
        f'token = "{fc.stripe_secret_key(rng)}"\n'          # 6 generic loses to the key's rule
        'AZURE_TENANT_ID=bcea1af0-9786-48d5-9387-5ba97db6d79b\n'  # 7 an identifier alone
        'api_key = "Pm4$wE9^uH2mQ7cZ"  # credsprawl:allow\n'     # 8 inline allow
    )
    return tmp_path


def test_each_step_is_named(files: Path) -> None:
    _, doc = explain(str(files / "app.py"))
    got = steps(doc)
    assert ("github-pat-classic", "kept", 1) in got
    assert ("generic-password", "placeholder", 2) in got
    assert ("generic-secret", "deny_key", 3) in got or ("generic-password", "deny_key", 3) in got
    assert any(line == 4 and step in ("entropy", "placeholder", "allowlist") for _, step, line in got)
    assert ("generic-secret", "allowlist", 5) in got and ("generic-hex-secret", "kept", 5) in got
    assert ("generic-token", "overlap", 6) in got
    assert ("azure-ad-app-id", "identifier", 7) in got
    assert ("generic-api-key", "filter", 8) in got
    assert {c["step"] for c in doc["candidates"]} <= set(STEPS)


def test_a_line_and_the_text_format(files: Path) -> None:
    rc, out, _ = cli_inprocess("explain", f"{files / 'app.py'}:2")
    assert rc == 0
    assert "app.py:2: 0 finding(s)" in out and "placeholder" in out
    assert not [line for line in out.splitlines() if "github-pat-classic" in line and "reported" in line]
    _, doc = explain(f"{files / 'app.py'}:1")
    assert doc["line"] == 1 and doc["findings"] == 1 and {c["start_line"] for c in doc["candidates"]
                                                          if c["step"] not in ("keyword", "pattern")} == {1}


def test_values_redacted_unless_asked(files: Path) -> None:
    text = (files / "app.py").read_text()
    gh = text.split('"')[1]
    rc, out, _ = cli_inprocess("explain", str(files / "app.py"))
    assert rc == 0 and gh not in out
    rc, out, _ = cli_inprocess("explain", f"{files / 'app.py'}:1", "--show-secrets", "-f", "json")
    assert gh in out


def test_pairing_lowered_and_config_allowlist(tmp_path: Path) -> None:
    rng = random.Random(5)
    secret = fc.aws_secret_access_key(rng)
    (tmp_path / ".credsprawl.toml").write_text("[allowlist]\nstopwords = [\"dev-only\"]\n")
    (tmp_path / "creds.env").write_text(f"AWS_SECRET_ACCESS_KEY={secret}\nAPI_TOKEN=dev-only-Zx8kQ2mLp9Wv\n")
    _, doc = explain(str(tmp_path / "creds.env"))
    got = steps(doc)
    assert ("aws-secret-access-key", "pairing", 1) in got and ("aws-secret-access-key", "kept", 1) in got
    assert any(step == "filter" and line == 2 for _, step, line in got)
    [filtered] = [c for c in doc["candidates"] if c["step"] == "filter"]
    assert "stopword" in filtered["detail"]


def test_baseline_and_decoded_chain(tmp_path: Path) -> None:
    rng = random.Random(6)
    gh = fc.github_token(rng)
    (tmp_path / "a.env").write_text(f"GH={gh}\nDATABASE_URL=postgres://app:p%40ss%21W0rd9@db/app\n")
    rc, _, _ = cli_inprocess("baseline", "create", "-o", str(tmp_path / "b.json"), str(tmp_path / "a.env"))
    assert rc == 0
    _, doc = explain(str(tmp_path / "a.env"), "--baseline", str(tmp_path / "b.json"))
    got = steps(doc)
    assert ("github-pat-classic", "baseline", 1) in got and doc["findings"] == 0
    [uri] = [c for c in doc["candidates"] if c["rule_id"] == "uri-postgres" and c["step"] == "baseline"]
    assert uri["decoded"] == ["percent"]


def test_a_compressed_dump_is_explained_as_its_text(tmp_path: Path) -> None:
    (tmp_path / "d.sql.gz").write_bytes(gzip.compress(b"CREATE USER 'a'@'%' IDENTIFIED BY 'Rp;4)kZ,8w{N';\n", mtime=0))
    _, doc = explain(f"{tmp_path / 'd.sql.gz'}:1")
    assert ("generic-sql-password", "kept", 1) in steps(doc)


def test_nothing_seen_and_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "plain.txt").write_text("nothing to see here\n")
    rc, out, _ = cli_inprocess("explain", str(tmp_path / "plain.txt"))
    assert rc == 0 and "no rule's keyword occurs here" in out
    rc, _, err = cli_inprocess("explain", str(tmp_path / "missing.txt"))
    assert rc == 2 and "cannot read" in err
    rc, _, err = cli_inprocess("explain", f"{tmp_path / 'plain.txt'}:zero")
    assert rc == 2
    rc, _, err = cli_inprocess("explain", str(tmp_path))
    assert rc == 2 and "folder" in err


def test_tracing_changes_no_result() -> None:
    """The same matches with and without a trace sink, over realistic files of the quality corpus."""
    from fixtures.quality import build

    rules = load_rules()
    matcher: Matcher = Engine(rules, EngineSettings(engine="ahocorasick")).matcher
    corpus = build(seed=7, repeats=1, docs_limit=40)
    for path, data in corpus.files.items():
        text = data.decode("latin-1")
        plain = matcher.scan(text)
        trace = Trace()
        traced = matcher.scan(text, trace=trace)
        assert plain == traced, path
        kept = [s for s in trace.steps if s.step == "kept"]
        assert len(kept) == len(plain.matches), path
