"""Datastore migrations: a datastore of every earlier schema version, written by a real sweep of the
credsprawl of that version (``tests/data/datastore-vN.sqlite``, see ``make_datastore_fixture.py``),
opens with today's code, is migrated to ``SCHEMA_VERSION``, keeps every finding, and takes triage
and new sweeps."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from scanner.report.datastore import load_finding_objects
from scanner.store.db import SCHEMA_VERSION, Store
from scanner.store.schema import MIGRATIONS, migrate, schema_version
from sweeputil import make_org, sweep
from triageutil import listed, shown, triage

DATA = Path(__file__).resolve().parent.parent / "data"
EARLIER = list(range(1, SCHEMA_VERSION))
_COPIED = ("rulesets", "rules", "sweeps", "repositories", "refs", "blobs", "blob_findings", "findings", "occurrences")
# the columns each table had at version 1 (later migrations may add columns, never change these)
_COLUMNS = {"rules": "id, name, kind, provider, severity, confidence"}


def _copy(version: int, tmp_path: Path) -> Path:
    target = tmp_path / f"v{version}.sqlite"
    shutil.copyfile(DATA / f"datastore-v{version}.sqlite", target)
    return target


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        return {t: sorted(db.execute(f"SELECT {_COLUMNS.get(t, '*')} FROM {t}").fetchall(), key=repr) for t in _COPIED}
    finally:
        db.close()


def test_a_datastore_of_every_earlier_version_is_kept() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    for version in EARLIER:
        assert (DATA / f"datastore-v{version}.sqlite").is_file(), f"make_datastore_fixture.py for version {version}"


@pytest.mark.parametrize("version", EARLIER)
def test_an_earlier_datastore_opens_migrated_with_its_data(version: int, tmp_path: Path) -> None:
    path = _copy(version, tmp_path)
    before = _tables(path)
    with Store(path) as store:
        assert schema_version(store.db) == SCHEMA_VERSION
        applied = [r[0] for r in store.db.execute("SELECT version FROM migrations ORDER BY version")]
        assert applied == list(range(1, SCHEMA_VERSION + 1))
    assert _tables(path) == before  # every row kept as it was
    # the findings read back as that version's credsprawl read them
    expected = json.loads((DATA / f"datastore-v{version}.findings.json").read_text("utf-8"))
    # (keys a later JSON report version added, such as ``verification``, are not that version's)
    assert [{k: v for k, v in f.items() if k in e} for f, e in zip(load_finding_objects(path), expected)] == expected
    assert len(load_finding_objects(path)) == len(expected)
    # opening it again applies nothing more
    with Store(path) as store:
        assert store.db.execute("SELECT COUNT(*) FROM migrations").fetchone()[0] == SCHEMA_VERSION
        # version 3: an empty verification_results table, and the rules' remediation column (empty until a sweep)
        assert store.verifications() == {}
        assert {r[0] for r in store.db.execute("SELECT DISTINCT remediation FROM rules")} == {""}


@pytest.mark.parametrize("version", EARLIER)
def test_a_migrated_datastore_takes_triage_and_new_sweeps(version: int, tmp_path: Path) -> None:
    path = _copy(version, tmp_path)
    rows = listed(path)
    assert rows and {r["state"] for r in rows} == {"open"}
    fp = rows[0]["fingerprint"]
    assert triage(path, "set", fp, "--state", "revoked", "--reason", "rotated", "--as", "alice")[0] == 0
    assert shown(path, fp)["audit"][0]["who"] == "alice"
    # the same organisation (its commits are the same: dates and identities are pinned) swept again
    # into it from another place: the states stay, the credentials are the same ones
    org = make_org(tmp_path / "org")
    assert sweep(str(org.list_file()), datastore=path).code == 1
    again = {r["fingerprint"]: r["state"] for r in listed(path)}
    assert set(again) == {r["fingerprint"] for r in rows} and again[fp] == "revoked"


@pytest.mark.parametrize("version", [0, *EARLIER])
def test_each_migration_applies_from_every_earlier_version(version: int, tmp_path: Path) -> None:
    """Stepwise from ``version`` (0: a new file) to each later one, then to the last: the tables are
    those of a datastore made at the last version directly."""
    path = _copy(version, tmp_path) if version else tmp_path / "new.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    for target in range(version + 1, SCHEMA_VERSION + 1):
        assert migrate(db, path, target) == target and schema_version(db) == target
    fresh = sqlite3.connect(tmp_path / "fresh.sqlite", isolation_level=None)
    migrate(fresh, tmp_path / "fresh.sqlite")
    query = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
    assert db.execute(query).fetchall() == fresh.execute(query).fetchall()
    db.close()
    fresh.close()


_OPENER = """
import sys
from pathlib import Path
from scanner.store.db import Store
with Store(Path(sys.argv[1])) as store:
    print(store.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
"""


@pytest.mark.parametrize("version", EARLIER)
def test_two_processes_opening_an_earlier_datastore_migrate_it_once(version: int, tmp_path: Path) -> None:
    path = _copy(version, tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(path)], env={"PYTHONPATH": str(ROOT)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [o.strip() for o, _ in outs] == [str(SCHEMA_VERSION)] * 2
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM migrations").fetchone()[0] == SCHEMA_VERSION
    db.close()
