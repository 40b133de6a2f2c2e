"""Write ``tests/data/datastore-vN.sqlite``: a real sweep of ``sweeputil.make_org`` (seed 11) by the
credsprawl whose datastore schema is version N, and beside it ``datastore-vN.findings.json``, the
findings that credsprawl reads out of it. The migration tests open these with today's code.

Run once per released schema version, with that release's code first on the path::

    git archive <commit> scanner | tar -x -C /tmp/old
    cd tests && PYTHONPATH=/tmp/old:. python triage/make_datastore_fixture.py

Nothing in the files is secret: the sweep stores findings redacted, and the credentials are fakes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def main() -> int:
    os.environ["CREDSPRAWL_CACHE_DIR"] = tempfile.mkdtemp()
    import scanner
    from scanner.report.datastore import load_finding_objects
    from scanner.store.db import SCHEMA_VERSION
    from sweeputil import make_org, sweep

    print(f"credsprawl from {Path(scanner.__file__).parent}, schema version {SCHEMA_VERSION}", file=sys.stderr)
    work = Path(tempfile.mkdtemp())
    org = make_org(work / "org")
    target = DATA / f"datastore-v{SCHEMA_VERSION}.sqlite"
    target.unlink(missing_ok=True)
    run = sweep(str(org.list_file()), datastore=target)
    assert run.code == 1, run.stderr
    found = load_finding_objects(target)
    db = sqlite3.connect(target)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one file: the log written into it (it stays in WAL mode)
    db.execute("VACUUM")
    db.close()
    Path(f"{target}.lock").unlink(missing_ok=True)  # the sweep lock
    (DATA / f"datastore-v{SCHEMA_VERSION}.findings.json").write_text(
        json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {target} ({len(found)} findings)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
