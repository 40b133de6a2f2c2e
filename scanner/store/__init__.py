"""The SQLite datastore behind sweeps: one file that makes org-wide sweeps resumable and incremental.

- ``db``: ``Store``, the facade callers open (``Store(path)``, ``open_existing``), and the values they
  pass it; each method hands over to one of the modules below.
- ``schema``: the tables, the schema version, opening (WAL, the version check, the one-time scrub of
  context lines that may show a second secret) and transactions.
- ``sweeps``: sweep bookkeeping: rule sets, sweeps and their status, repositories, their refs and tips,
  and ``commit_repository`` (a repository's result in one transaction).
- ``blobcache``: blobs scanned under a rule set and their findings, reused across repositories and forks.
- ``queries``: what reports read: stored findings and certificates, new since a sweep or a time, counts.
- ``codec``: findings as the datastore keeps them (redacted, compact JSON).
- ``verifications``: what each credential's provider said when last asked (``sweep --verify``), and when.

Secrets are never stored in clear. One sweep at a time writes a datastore (``scanner.sweep.lock``).
"""
