"""Every secret on a context line is masked, whichever finding the line is shown for: in every report
format, in history, staged, archive and CI-log findings, in the sweep datastore (and in datastores
written before, scrubbed when opened), and in ``credsprawl report`` over results that hold secrets."""

from __future__ import annotations

import base64
import io
import json
import random
import sqlite3
import zipfile
from pathlib import Path

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess
from scanner.store import codec as store_codec
from scanner.model import redact
from scanner.store.db import RepoIdentity, RepoResult, ScannedBlob, Store, Occurrence

FORMATS = ("text", "json", "jsonl", "csv", "sarif")


def _gen(kind: str, seed: int) -> str:
    return fakecreds.GENERATORS[kind](random.Random(seed))


@pytest.fixture
def two() -> tuple[str, str]:
    return _gen("github-pat-classic", 1), _gen("stripe-secret-key", 2)


def _lines(two: tuple[str, str]) -> list[str]:
    gh, sk = two
    return [f'a = "{gh}" b = "{sk}"', f'client = f(a="{gh}", b="{sk}")']


def _clear(text: str, *secrets: str) -> list[str]:
    return [s for s in secrets if s in text]


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_secrets_on_one_line_neither_in_clear(tmp_path: Path, two: tuple[str, str], fmt: str) -> None:
    (tmp_path / "two.txt").write_text("\n".join(_lines(two)) + "\n", encoding="utf-8")
    rc, out, err = cli_inprocess("scan", str(tmp_path / "two.txt"), "-q", "-f", fmt, "--no-color")
    assert rc == 1, err
    assert _clear(out, *two) == []
    # the context is still there, each secret in its redacted form
    out = out.replace("\\u2026", "…")
    assert redact(two[0]) in out and redact(two[1]) in out


def test_json_lines_mask_both_and_show_secrets_shows_both(tmp_path: Path, two: tuple[str, str]) -> None:
    gh, sk = two
    (tmp_path / "two.txt").write_text(_lines(two)[0] + "\n", encoding="utf-8")
    rc, out, _ = cli_inprocess("scan", str(tmp_path / "two.txt"), "-q", "-f", "json")
    lines = {f["rule_id"]: f["line"] for f in json.loads(out)["findings"]}
    assert set(lines.values()) == {f'a = "{redact(gh)}" b = "{redact(sk)}"'}
    rc, out, _ = cli_inprocess("scan", str(tmp_path / "two.txt"), "-q", "-f", "json", "--show-secrets")
    assert {f["line"] for f in json.loads(out)["findings"]} == {_lines(two)[0]}


def test_aws_key_pair_on_one_line(tmp_path: Path) -> None:
    rng = random.Random(7)
    key_id, secret = fakecreds.aws_access_key_id(rng), fakecreds.aws_secret_access_key(rng)
    (tmp_path / "env.sh").write_text(f"export AWS_ACCESS_KEY_ID={key_id} AWS_SECRET_ACCESS_KEY={secret}\n")
    for fmt in FORMATS:  # the key id is an identifier, shown in derived facts; never on the context line
        rc, out, _ = cli_inprocess("scan", str(tmp_path / "env.sh"), "-q", "-f", fmt, "--no-color")
        assert rc == 1 and _clear(out, secret) == [], fmt
    rc, out, _ = cli_inprocess("scan", str(tmp_path / "env.sh"), "-q", "-f", "json")
    findings = json.loads(out)["findings"]
    assert {f["rule_id"] for f in findings} == {"aws-access-key-id", "aws-secret-access-key"}
    assert {f["line"] for f in findings} == {f"export AWS_ACCESS_KEY_ID={redact(key_id)} AWS_SECRET_ACCESS_KEY={redact(secret)}"}


def test_decoded_secret_beside_a_clear_one(tmp_path: Path, two: tuple[str, str]) -> None:
    gh, sk = two
    encoded = base64.b64encode(f"token={gh}".encode()).decode()
    (tmp_path / "mixed.yml").write_text(f'blob: "{encoded}" key: "{sk}"\n')
    rc, out, _ = cli_inprocess("scan", str(tmp_path / "mixed.yml"), "-q", "-f", "json")
    findings = json.loads(out)["findings"]
    assert {f["rule_id"] for f in findings} >= {"github-pat-classic", "stripe-secret-key"}
    assert _clear(out, gh, sk, encoded) == []


def test_history_staged_and_archives(tmp_path: Path, two: tuple[str, str]) -> None:
    repo = GitRepo(tmp_path / "r")
    line = _lines(two)[0]
    repo.write("config.txt", line + "\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/app.env", line + "\n")
    repo.write("bundle.zip", buf.getvalue())
    repo.commit("add")
    rc, out, _ = cli_inprocess("history", str(repo.path), "-q", "-f", "json")
    paths = {f["path"] for f in json.loads(out)["findings"]}
    assert rc == 1 and {"config.txt", "bundle.zip!inner/app.env"} <= paths
    assert _clear(out, *two) == []
    repo.write("staged.txt", line + "\n")
    repo.git("add", "staged.txt")
    rc, out, _ = cli_inprocess("staged", str(repo.path), "-q", "-f", "json")
    assert rc == 1 and "staged.txt" in out and _clear(out, *two) == []


def test_ci_log_line_masks_every_secret(tmp_path: Path, two: tuple[str, str]) -> None:
    log = tmp_path / "job.log"
    log.write_text(f"2026-01-01T00:00:00.0000000Z \x1b[32m{_lines(two)[0]}\x1b[0m\n")
    rc, out, _ = cli_inprocess("scan", str(log), "-q", "-f", "json")
    assert rc == 1 and _clear(out, *two) == []


# -- the sweep datastore --------------------------------------------------------------------------


def _ds_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_sweep_datastore_holds_neither_secret(tmp_path: Path, two: tuple[str, str]) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.write("two.txt", _lines(two)[0] + "\n")
    repo.commit("add")
    ds = tmp_path / "ds.sqlite"
    rc, _, err = cli_inprocess("sweep", str(repo.path), "--datastore", str(ds), "-q", "--jobs", "1")
    assert rc == 1, err
    raw = _ds_bytes(ds)
    assert all(s.encode() not in raw for s in two)
    assert redact(two[1]).encode() in raw  # the context line is kept, masked


def _old_datastore(path: Path, two: tuple[str, str]) -> None:
    """A datastore as credsprawl wrote it before: each stored line masks only its own secret."""
    from scanner.pipeline.engine import Engine, EngineSettings
    from scanner.model import Origin
    from scanner.rules.load import load_rules
    from dataclasses import replace

    rules = load_rules()
    engine = Engine(rules, EngineSettings(engine="ahocorasick"))
    found = engine.scan_bytes((_lines(two)[0] + "\n").encode(), Origin("two.txt", "git-blob", extra=(("blob", "b" * 40),))).findings
    old = [store_codec.redacted(replace(f, masked_line=None)) for f in found]  # the old, per-finding masking
    assert any(two[1] in f.line_text for f in old)
    with Store(path) as store:
        rs = store.ruleset_id("v1", rules.rules)
        sweep = store.begin_sweep(rs, 1)
        root = Origin("two.txt", "git-blob", extra=(("blob", "b" * 40), ("commit", "c" * 40)))
        occurrences = tuple(Occurrence.of(replace(f, origin=root)) for f in old)
        store.commit_repository(RepoResult(RepoIdentity("/r", "r"), (("refs/heads/main", "c" * 40),),
                                           (ScannedBlob.of("b" * 40, 100, old),), occurrences, 1), rs, sweep)
        store.db.execute("DELETE FROM meta WHERE key='context_masking'")  # as an older credsprawl left it


def test_old_datastore_is_scrubbed_when_opened(tmp_path: Path, two: tuple[str, str]) -> None:
    ds = tmp_path / "old.sqlite"
    _old_datastore(ds, two)
    with sqlite3.connect(ds) as db:
        texts = [t for (t,) in db.execute("SELECT finding FROM blob_findings UNION ALL SELECT finding FROM occurrences")]
    assert any(two[1] in t for t in texts)  # the leak this scrub is for
    Store(ds).close()
    assert all(s.encode() not in _ds_bytes(ds) for s in two)
    with sqlite3.connect(ds) as db:
        docs = [json.loads(t) for (t,) in db.execute("SELECT finding FROM blob_findings UNION ALL SELECT finding FROM occurrences")]
    assert len(docs) == 4 and all(d["t"] == d["s"] for d in docs)  # the context of a shared line is dropped
    rc, out, _ = cli_inprocess("report", "--datastore", str(ds), "-f", "json", "-q")
    assert _clear(out, *two) == []


# -- credsprawl report over results that hold secrets ---------------------------------------------


@pytest.mark.parametrize("fmt", ("text", "json", "html", "sarif"))
def test_report_redacts_secrets_of_its_input(tmp_path: Path, two: tuple[str, str], fmt: str) -> None:
    (tmp_path / "two.txt").write_text(_lines(two)[0] + "\n")
    shown = tmp_path / "shown.json"
    rc, _, _ = cli_inprocess("scan", str(tmp_path / "two.txt"), "-q", "-f", "json", "--show-secrets", "-o", str(shown))
    assert all(s in shown.read_text() for s in two)
    rc, out, err = cli_inprocess("report", str(shown), "-q", "-f", fmt, "--no-color")
    assert rc == 1, err
    assert _clear(out, *two) == []
    if fmt == "json":
        assert {c["secret"] for c in json.loads(out)["credentials"]} == {redact(s) for s in two}
    if fmt != "text":  # the text report names credentials by rule and place, not by their secret
        rc, out, _ = cli_inprocess("report", str(shown), "-q", "-f", fmt, "--no-color", "--show-secrets")
        assert all(s in out for s in two)


def test_redact_objects_masks_every_secret_on_a_line(two: tuple[str, str]) -> None:
    from scanner.match.masking import redact_objects

    gh, sk = two
    line = _lines(two)[0]
    objs = [{"path": "a", "start_line": 3, "end_line": 3, "secret": s, "line": line, "decoded": [],
             "companion": None, "origin": [{"extra": {}}]} for s in two]
    objs.append({"path": "a", "start_line": 3, "end_line": 3, "secret": redact(gh), "line": redact(gh)})
    redact_objects(objs)
    assert [o["secret"] for o in objs] == [redact(gh), redact(sk), redact(gh)]
    assert objs[0]["line"] == objs[1]["line"] == f'a = "{redact(gh)}" b = "{redact(sk)}"'


def test_report_drops_lines_that_hold_a_secret_encoded(tmp_path: Path, two: tuple[str, str]) -> None:
    gh, sk = two
    encoded = base64.b64encode(f"token={gh}".encode()).decode()
    (tmp_path / "mixed.yml").write_text(f'blob: "{encoded}" key: "{sk}"\n')
    shown = tmp_path / "shown.json"
    cli_inprocess("scan", str(tmp_path / "mixed.yml"), "-q", "-f", "json", "--show-secrets", "-o", str(shown))
    assert encoded in shown.read_text()
    from scanner.match.masking import redact_objects

    objs = json.loads(shown.read_text())["findings"]
    redact_objects(objs)
    text = json.dumps(objs, ensure_ascii=False)
    assert _clear(text, gh, sk, encoded) == []
    assert {o["line"] for o in objs} == {o["secret"] for o in objs}
