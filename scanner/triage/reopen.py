"""The reopen rules, run at the end of a sweep: a credential marked revoked or rotated is open again
when the datastore now holds it in a commit it was not known in when it was marked, dated after the
mark (the secret was committed again after it was dealt with). Found again only in the commits it was
known in, or in older ones (a fork, a re-cloned repository), it stays as it was marked.

With ``sweep --verify``, it is open again too when its provider said it was live at a check made after
the mark (``verification_results``): it was marked revoked or rotated, but it still works."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from scanner.store.db import Store
from scanner.store.schema import now, transaction
from scanner.triage.states import DEFAULT_STATE, REOPENABLE, Change
from scanner.triage.writes import apply_state

_CANDIDATES = """
SELECT t.fingerprint, t.state, t.changed_at, o.commit_sha, o.date, p.name, o.path
FROM triage t JOIN occurrences o ON o.fingerprint = t.fingerprint JOIN repositories p ON p.id = o.repo_id
WHERE t.state IN (SELECT value FROM json_each(?)) AND o.commit_sha IS NOT NULL AND o.date IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM triage_known_commits k WHERE k.fingerprint = o.fingerprint
                  AND k.commit_sha = o.commit_sha)
ORDER BY t.fingerprint, o.date, p.name, o.path
"""


def _utc(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def reopen_releaked(store: Store, who: str) -> list[str]:
    """Reopen every revoked or rotated credential found in a new commit dated after its mark; the
    fingerprints reopened. ``who`` is the actor the audit log names (the sweep)."""
    with transaction(store.db) as db:
        at = now()
        reopened: list[str] = []
        for fp, state, changed_at, commit, date, repo, path in db.execute(
                _CANDIDATES, (json.dumps(sorted(REOPENABLE)),)).fetchall():
            when, marked = _utc(date), _utc(changed_at)
            if fp in reopened or when is None or marked is None or when <= marked:
                continue
            reason = (f"found again in commit {commit[:12]} ({repo}: {path}) dated {date}, "
                      f"after it was marked {state} at {changed_at}")
            apply_state(db, fp, Change(DEFAULT_STATE, reason), who, at)
            reopened.append(fp)
    return reopened


_LIVE_AFTER_MARK = """
SELECT t.fingerprint, t.state, t.changed_at, v.provider, v.checked_at
FROM triage t JOIN verification_results v ON v.fingerprint = t.fingerprint
WHERE t.state IN (SELECT value FROM json_each(?)) AND v.status = 'live'
ORDER BY t.fingerprint
"""


def reopen_verified_live(store: Store, who: str) -> list[str]:
    """Reopen every revoked or rotated credential that its provider said was live when asked after
    it was marked (``sweep --verify``): marking it did not make it stop working. The fingerprints
    reopened; ``who`` is the actor the audit log names (the sweep)."""
    with transaction(store.db) as db:
        at = now()
        reopened: list[str] = []
        for fp, state, changed_at, provider, checked_at in db.execute(
                _LIVE_AFTER_MARK, (json.dumps(sorted(REOPENABLE)),)).fetchall():
            checked, marked = _utc(checked_at or ""), _utc(changed_at)
            if checked is None or marked is None or checked <= marked:
                continue
            reason = (f"verified live by {provider or 'its provider'} at {checked_at}, after it was marked {state} "
                      f"at {changed_at}: the credential still works")
            apply_state(db, fp, Change(DEFAULT_STATE, reason), who, at)
            reopened.append(fp)
    return reopened
