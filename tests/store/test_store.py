"""The sweep datastore (a real SQLite file): the blob cache keyed by blob and rule set, one transaction
per result, redacted storage, schema versions, and reading findings back (all, or new since)."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from fixtures import fakecreds
from scanner.store import codec as store_codec
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.errors import UsageError
from scanner.model import Finding, Origin
from scanner.rules.load import load_rules
from scanner.report.datastore import load_finding_objects
from scanner.store.db import SCHEMA_VERSION, Occurrence, RepoIdentity, RepoResult, ScannedBlob, Store

RULES = load_rules()


def _scan(text: str) -> tuple[Finding, ...]:
    engine = Engine(RULES, EngineSettings(engine="ahocorasick"))  # no Hyperscan database to compile
    return engine.scan_bytes(text.encode(), Origin("config/app.env", "git-blob", extra=(("blob", "b" * 40),))).findings


@pytest.fixture
def creds() -> dict[str, str]:
    rng = random.Random(4)
    return {"key_id": fakecreds.aws_access_key_id(rng), "secret": fakecreds.aws_secret_access_key(rng),
            "token": fakecreds.github_token(rng)}


@pytest.fixture
def found(creds: dict[str, str]) -> tuple[Finding, ...]:
    text = (f"aws_access_key_id = {creds['key_id']}\naws_secret_access_key = {creds['secret']}\n"
            f"GITHUB_TOKEN={creds['token']}\n")
    findings = _scan(text)
    assert len(findings) == 3
    return findings


def _attributed(f: Finding, path: str, commit: str) -> Occurrence:
    from dataclasses import replace

    root = Origin(path, "git-blob", extra=(("author", "Ann"), ("blob", "b" * 40), ("commit", commit),
                                          ("status", "live")))
    return Occurrence.of(replace(store_codec.redacted(f), origin=root))


def test_codec_round_trip_keeps_everything_but_the_secret(found: tuple[Finding, ...], creds: dict[str, str]) -> None:
    member = Origin("inner/app.env", "archive-member", Origin("build.zip", "git-blob", extra=(("blob", "c" * 40),)))
    for f in found:
        from dataclasses import replace

        nested = replace(f, origin=member)
        r = store_codec.redacted(nested)
        assert creds["secret"] not in repr((r.secret, r.line_text, r.companion))
        assert store_codec.decode(store_codec.encode(r)) == r
        back = store_codec.decode(store_codec.encode(r, skip_root=True), store_codec.blob_root("c" * 40))
        inner = [(o.path, o.kind, o.extra) for o in back.origin.chain()[1:]]
        assert inner == [("inner/app.env", "archive-member", ())] and back.origin.root.get("blob") == "c" * 40
        assert back.fingerprint == f.fingerprint and back.start_line == f.start_line
    companion = next(f for f in found if f.companion is not None)
    assert store_codec.redacted(companion).companion[1] != companion.companion[1]


def test_blob_cache_is_keyed_by_blob_and_ruleset(tmp_path: Path, found: tuple[Finding, ...]) -> None:
    with Store(tmp_path / "ds.sqlite") as store:
        v1 = store.ruleset_id("v1", RULES.rules)
        v2 = store.ruleset_id("v2", RULES.rules)
        assert store.ruleset_id("v1", RULES.rules) == v1 != v2
        sweep = store.begin_sweep(v1, 1)
        blobs = [ScannedBlob.of("a" * 40, 120, [store_codec.redacted(f) for f in found]),
                 ScannedBlob("d" * 40, 10), ScannedBlob("e" * 40, 999, binary=True)]
        store.put_blobs(blobs, v1, sweep)
        store.put_blobs(blobs[:1], v1, sweep)  # again: ignored, not duplicated
        assert store.known_blobs(["a" * 40, "d" * 40, "e" * 40, "f" * 40], v1) == {"a" * 40: 3, "d" * 40: 0, "e" * 40: 0}
        assert store.known_blobs(["a" * 40], v2) == {}
        stored = store.blob_findings(["a" * 40, "d" * 40], v1)
        assert list(stored) == ["a" * 40]
        back = store_codec.decode_blob("a" * 40, stored["a" * 40])
        assert [f.fingerprint for f in back] == [f.fingerprint for f in found]
        assert all(f.origin.root == store_codec.blob_root("a" * 40) for f in back)
        assert store.counts()["blob_findings"] == 3


def test_a_repository_result_is_one_transaction(tmp_path: Path, found: tuple[Finding, ...]) -> None:
    with Store(tmp_path / "ds.sqlite") as store:
        rs = store.ruleset_id("v1", RULES.rules)
        sweep = store.begin_sweep(rs, 1)
        repo = RepoIdentity("/src/app", "app", None, "/src/app")
        result = RepoResult(repo, (("refs/heads/main", "1" * 40),), (ScannedBlob("a" * 40, 5),),
                            tuple(_attributed(f, "config/app.env", "9" * 40) for f in found), 1)
        broken = RepoResult(repo, result.refs, result.blobs, (*result.findings, None), 1)  # type: ignore[arg-type]
        with pytest.raises(AttributeError):  # fails after the blobs, the repository and its refs are written
            store.commit_repository(broken, rs, sweep)
        assert store.counts() == {**store.counts(), "repositories": 0, "refs": 0, "blobs": 0, "occurrences": 0,
                                  "findings": 0}
        assert store.commit_repository(result, rs, sweep) == 3
        assert store.previous_refs("/src/app", rs) == (("refs/heads/main", "1" * 40),)
        assert store.previous_refs("/src/app", rs + 1) is None  # another rule set: scan again
        # committed again in a later sweep: the same findings are not new, and keep their first sighting
        later = store.begin_sweep(rs, 1)
        assert store.commit_repository(result, rs, later) == 0
        first = {row[0] for row in store.db.execute("SELECT first_sweep FROM occurrences")}
        assert first == {sweep}
        store.record_failure(repo, later, "git fetch failed: unreachable")
        assert store.previous_refs("/src/app", rs) is None  # a failed repository is scanned again
        assert store.repositories()[0]["reason"] == "git fetch failed: unreachable"


def test_findings_read_back_in_the_json_report_shape(tmp_path: Path, found: tuple[Finding, ...],
                                                    creds: dict[str, str]) -> None:
    path = tmp_path / "ds.sqlite"
    with Store(path) as store:
        rs = store.ruleset_id("v1", RULES.rules)
        s1 = store.begin_sweep(rs, 2)
        for name in ("app", "api"):
            repo = RepoIdentity(f"https://git.example.com/org/{name}.git", f"org/{name}", f"https://git.example.com/org/{name}.git")
            findings = tuple(_attributed(f, "config/app.env", "9" * 40) for f in found[:2])
            store.commit_repository(RepoResult(repo, (), (), findings, 1), rs, s1)
        store.finish_sweep(s1, 0, 0, 0)
        between = store_now()
        s2 = store.begin_sweep(rs, 1)
        repo = RepoIdentity("https://git.example.com/org/app.git", "org/app", "https://git.example.com/org/app.git")
        store.commit_repository(RepoResult(repo, (), (), tuple(_attributed(f, "config/app.env", "9" * 40) for f in found), 1),
                                rs, s2)
    objects = load_finding_objects(path)
    assert len(objects) == 5
    first = objects[0]
    assert set(first) >= {"rule_id", "rule_name", "kind", "provider", "severity", "confidence", "path", "origin",
                          "start_line", "fingerprint", "secret", "line", "attributes", "occurrences"}
    facts = first["origin"][0]["extra"]
    assert facts["repository"] == "org/api" and facts["repository_url"] == "https://git.example.com/org/api.git"
    assert facts["commit"] == "9" * 40 and facts["status"] == "live"
    assert first["rule_name"] != first["rule_id"] and first["kind"]
    by_rule = {o["rule_id"]: o for o in objects}
    assert by_rule["aws-access-key-id"]["occurrences"] == 2  # the same key in two repositories
    text = repr(objects)
    assert not any(c in text for c in creds.values())
    assert [o["rule_id"] for o in load_finding_objects(path, new_since=str(s1))] == ["github-pat-classic"]
    assert len(load_finding_objects(path, new_since=between)) == 1
    assert len(load_finding_objects(path, new_since="2000-01-01")) == 5
    assert load_finding_objects(path, new_since="2999-01-01T00:00:00Z") == []


def store_now() -> str:
    from scanner.store.db import now

    return now()


@pytest.mark.parametrize("value, message", [("yesterday", "takes a date"), ("42", "no such sweep")])
def test_bad_new_since_is_a_usage_error(tmp_path: Path, value: str, message: str) -> None:
    with Store(tmp_path / "ds.sqlite") as store:
        store.begin_sweep(store.ruleset_id("v1", ()), 0)
    with pytest.raises(UsageError, match=message):
        load_finding_objects(tmp_path / "ds.sqlite", value)


def test_missing_foreign_and_future_datastores_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no datastore"):
        load_finding_objects(tmp_path / "none.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UsageError, match="cannot use datastore"):
        Store(junk)
    future = tmp_path / "future.sqlite"
    Store(future).close()
    db = sqlite3.connect(future)
    db.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(UsageError, match=f"schema version 999.*version {SCHEMA_VERSION}"):
        Store(future)


def test_wal_mode(tmp_path: Path) -> None:
    with Store(tmp_path / "ds.sqlite") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# sha256 of the repr of ``SELECT type, name, tbl_name, sql FROM sqlite_master`` (the ``migrations`` log
# left out) of a datastore migrated up to each version
_SCHEMAS = {
    1: "d5e07b46749d73ba64b90bcdbc0f4310ed3009dcd2a02561f0eedb82973f0052",
    2: "169e117001490333c087518caf820e57643daa6eb4b5cadc078e2409ccfd99ff",
    3: "966f5d4edfaf3d32e6adfd057fb4e640862798c18a3fb8ce1b82b32a669b931a",
}


@pytest.mark.parametrize("version", sorted(_SCHEMAS))
def test_the_tables_of_a_schema_version_stay_as_they_are(tmp_path: Path, version: int) -> None:
    """Datastores already written open unchanged: a change to the tables is a new migration, never an
    edit of a released one."""
    import hashlib

    from scanner.store.schema import MIGRATIONS, migrate

    assert [m.version for m in MIGRATIONS] == sorted(_SCHEMAS) and SCHEMA_VERSION == max(_SCHEMAS)
    db = sqlite3.connect(tmp_path / "ds.sqlite", isolation_level=None)
    assert migrate(db, tmp_path / "ds.sqlite", version) == version
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name != 'migrations' "
                      "ORDER BY type, name").fetchall()
    db.close()
    assert hashlib.sha256(repr(rows).encode()).hexdigest() == _SCHEMAS[version]


def test_verification_results_table_has_the_columns_other_readers_use(tmp_path: Path) -> None:
    """The triage web app reads ``verification_results`` by these names: they never change."""
    from scanner.store.verifications import StoredVerification

    with Store(tmp_path / "ds.sqlite") as store:
        cols = [(r[1], r[2], r[5]) for r in store.db.execute("PRAGMA table_info(verification_results)")]
        assert cols == [("fingerprint", "TEXT", 1), ("provider", "TEXT", 0), ("status", "TEXT", 0),
                        ("checked_at", "TEXT", 0), ("identity", "TEXT", 0), ("permissions", "TEXT", 0),
                        ("reason", "TEXT", 0)]
        row = StoredVerification("f" * 64, "github", "live", "2026-12-05T10:00:00Z",
                                 (("login", "octocat"), ("id", "1")), ("repo", "read:org"), "")
        assert store.put_verifications([row]) == 1
        raw = store.db.execute("SELECT identity, permissions FROM verification_results").fetchone()
        assert json.loads(raw[0]) == {"login": "octocat", "id": "1"} and json.loads(raw[1]) == ["repo", "read:org"]
        assert store.verifications() == {"f" * 64: row}
        store.put_verifications([StoredVerification("f" * 64, "github", "invalid", "2026-12-06T10:00:00Z",
                                                    reason="GitHub rejected it")])  # replaced, not added
        assert store.verifications(["f" * 64])["f" * 64].status == "invalid"
        assert store.db.execute("SELECT COUNT(*) FROM verification_results").fetchone()[0] == 1


def test_a_stored_result_is_due_again_after_its_age_or_without_an_answer() -> None:
    from datetime import datetime, timezone

    from scanner.store.verifications import StoredVerification, due

    now = datetime(2026, 12, 10, tzinfo=timezone.utc)
    stored = {"old": StoredVerification("old", "github", "live", "2026-12-01T00:00:00Z"),
              "new": StoredVerification("new", "github", "invalid", "2026-12-09T00:00:00Z"),
              "err": StoredVerification("err", "github", "error", "2026-12-09T23:00:00Z"),
              "skip": StoredVerification("skip", "okta", "skipped", "2026-12-09T23:00:00Z")}
    assert due(stored, ["old", "new", "err", "skip", "never"], 7 * 86400, now) == ["old", "err", "skip", "never"]
    assert due(stored, ["old", "new"], 3600, now) == ["old", "new"]
