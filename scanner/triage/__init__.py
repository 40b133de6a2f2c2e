"""Triage: carrying each leaked credential (one fingerprint) from "found" to "revoked", in the datastore
a sweep wrote, with an append-only audit log. The data layer the ``triage`` command (and, later, a web
app) sits on; every function takes an open ``scanner.store.Store``.

- ``states``: the states, what each requires (a reason, an expiry date), and who is acting.
- ``writes``: setting a state, assigning an owner, adding a note; each write and its audit entry in
  one transaction.
- ``queries``: credentials with their triage state, filtered; one credential in detail; its audit log.
- ``reopen``: after a sweep, revoked or rotated credentials found again in a newer commit reopen.
- ``exchange``: JSON and CSV for ticketing, and the baseline file both ways (false positives and
  accepted risks are one list).

Secrets never pass through here: the datastore keeps none in clear, and triage reads no secret column.
"""
