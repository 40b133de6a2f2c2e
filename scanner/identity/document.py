"""The identity report document: every credential tied to its identity and owner, with its lifecycle
and sprawl; per identity and per owner totals; candidate identities for what no identity claims.

This document is the contract with every renderer (text, SARIF, HTML). Keys may be added, never
renamed or removed; ``version`` is bumped only on an incompatible change (version 2: ``live`` became
``present`` and ``live_credentials`` ``present_credentials``, because "live" is kept for credentials
a provider confirmed; credentials group the findings of one credential; exposure totals are unions.
Version 3: ``identity`` may be the identity the provider reported (``identity_source``
"provider"), which beats every inventory selector; credentials carry ``verification``, ``verified``,
``provider_identity`` and ``disagreements``; the "do first" order puts verified-live credentials
first and invalid ones last; ``remediation`` starts with the rule's revoke/rotate place)::

    {"version": 3, "kind": "credsprawl-identity-report",
     "generated": ISO, "now": ISO,                 # when it was made; the date lifecycle is measured at
     "sources": [str], "inventory": str | null,    # results files (or datastore), inventory file
     "summary": {"credentials", "occurrences", "findings", "identities", "identities_with_leaks", "owners",
                 "unknown_credentials", "candidate_identities", "shared_credentials", "rotation_overdue",
                 "present_credentials", "certs_expired", "certs_expiring": int,
                 "verified_live", "verified_invalid", "unverified", "disagreements": int,
                 "by_severity": {"critical", "high", "medium", "low": int}},
     "credentials": [{                             # one per credential, in "do first" order (see below)
         "priority": int,                          # 1 = do first
         "fingerprint", "rule_id", "rule_name": str, "kind", "provider": str | null,   # of its main finding
         "fingerprints": [str], "rules": [str],    # every finding of this credential (see "One credential")
         "severity", "confidence": str,            # the highest over its occurrences
         "secret": str,                            # redacted, unless both the scan and report had --show-secrets
         "identity", "identity_name": str | null,  # an inventory identity's id, or the provider's principal
         "identity_source": "provider" | "inventory" | null,  # provider: named by a live verification
         "match": {"selector", "value": str, "strength": int} | null,   # the strongest selector that matched
         "verification": {"status", "provider", "checked_at", "endpoint_host": str, "identity": [{"key", "value"}],
                          "permissions": [str], "reason"?: str} | null,   # the most telling answer of its findings
         "verified": "live" | "invalid" | "unverified",   # live (verified), invalid (revoked or rotated), unverified
         "provider_identity": {"provider", "principal", "who": str} | null,   # whom a live check named
         "disagreements": [str],                   # where the inventory's identity or owner and the provider differ
         "owner": {"team", "contact": str} | null, # the identity's owner, else the single CODEOWNERS owner
         "owner_source": "identity" | "codeowners" | null,
         "candidate": str | null,                  # candidate identity id, for a credential no identity claims
         "attributes": {str: str},                 # derived facts, merged over occurrences
         "first_seen": {"commit", "date", "author": str | null, "path": str} | null,
         "removed": {"commit": str, "date": str | null} | null,
         "present": bool | null,                   # still present at HEAD (a ref's tip, or the scanned files)
         "exposure_days": int | null,              # first seen -> removed, or -> now
         "sprawl": {"locations", "files", "repositories", "refs": int},
         "shared": bool, "shared_by": [str],       # identity ids holding it, and owners whose code holds it
         "holders": [str], "path_owners": [str],
         "rotation_overdue": bool | null, "age_days": int | null, "max_age_days": int | null,
         "cert_expired": bool | null, "cert_expires_in_days": int | null,
         "remediation": [str],                     # the first step: where it is revoked or rotated (the rule's)
         "revoke": str,                            # that place alone: console URL pattern and/or CLI command
         "locations": [{"repository": str | null, "path": str, "line", "column": int,
                        "commit", "date", "status", "ref": str | null}]}],
     "identities": [{"id", "name", "kind": str, "owner": {...} | null, "environment": str | null,
                     "tags": [str], "credentials": [fingerprint], "leaked": int,
                     "exposure_days": int,         # days in the union of its credentials' exposures
                     "worst_severity": str | null, "rotation_overdue": int, "shared": int,
                     "last_rotated", "created": ISO | null, "max_age_days": int | null}],
     "owners": [{"team": str, "contact": str | null, "identities": [str], "credentials": int,
                 "exposure_days": int, "worst_severity": str | null,
                 "key": str, "aliases": [str]}],   # normalised name (owner_key) and the other spellings seen
     "candidates": [{"id", "basis": str, "facts": {str: str}, "credentials": [fingerprint]}],
     "certificates": [{"fingerprint", "path": str, "subject", "issuer", "serial", "not_after": str | null,
                       "expired": bool | null, "expires_in_days": int | null, "identity": str | null,
                       "repository": str | null}],
     "timeline": [{"month": "YYYY-MM", "credentials": int}]}   # credentials first seen per month, gaps filled

One credential: findings are grouped when they are the same secret or the same key (equal
``secret.sha256``, ``key.spki_sha256`` or ``gcp.private_key_id``), the two halves of one AWS key pair
(equal ``aws.key_id``: the access key id and the secret key found with it), or overlap in the same
file at the same commit (a GCP key file and the private key inside it). The main finding names the
credential: the most severe, then the widest span.

Do first: credentials verified live, then those present at HEAD with critical or high severity, then
the rest, and those the provider rejected (invalid) last; within each, by severity, then exposure
(longest first), then sprawl (locations, repositories).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from scanner.identity.correlate import SelectorIndex, best_and_holders, cluster
from scanner.identity.inventory import Inventory
from scanner.identity.grouping import group_findings, union_days
from scanner.identity.lifecycle import CertState, Loc, cert_state, lifecycle, parse_when, rotation
from scanner.identity.owners import owner_key
from scanner.identity import verified as ver
from scanner.identity.inventory import Identity
from scanner.identity.remediation import Situation, revoke_step, steps
from scanner.identity.results_input import Results

VERSION = 3
KIND = "credsprawl-identity-report"
SEVERITIES = ("critical", "high", "medium", "low")
_RANK = {s: len(SEVERITIES) - i for i, s in enumerate(SEVERITIES)}
_CONFIDENCE = {"high": 3, "medium": 2, "low": 1}
_NO_CERT = CertState(None, None)


def iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def worst(severities: Iterable[str | None]) -> str | None:
    best, rank = None, 0
    for s in severities:
        r = _RANK.get(s or "", 0)
        if r > rank:
            best, rank = s, r
    return best


def _loc(finding: dict[str, Any], repository: str) -> tuple[Loc, str]:
    """The location of one finding object, and the path globs are matched against (the outermost file)."""
    origin = finding.get("origin") or []
    if len(origin) == 1:
        extra: dict[str, Any] = origin[0].get("extra") or {}
    else:  # an archive member: the facts of the whole chain, an inner one's value winning
        extra = {}
        for node in origin:
            extra.update(node.get("extra") or {})
    outer = str(origin[0].get("path", "")) if origin else str(finding.get("path", ""))
    try:
        refs = int(extra.get("refs") or 0)
    except (TypeError, ValueError):
        refs = 0
    loc = Loc(repository, str(finding.get("path", outer)), int(finding.get("start_line") or 0),
              int(finding.get("start_column") or 0), extra.get("commit"), extra.get("date"), extra.get("author"),
              extra.get("status"), extra.get("ref"), refs, extra.get("removed_in"), extra.get("removed_date"),
              extra.get("first_commit"), extra.get("first_date"), extra.get("first_author"))
    return loc, outer


@dataclass
class _Builder:
    inventory: Inventory
    now: dt.datetime

    def __post_init__(self) -> None:
        self.index = SelectorIndex(self.inventory)

    def resolve(self, attrs: dict[str, str], outers: set[str], verification: dict[str, Any] | None) -> dict[str, Any]:
        """Whose the credential is: with a live verification, the identity the provider named (the
        inventory identity listing it among its ``principals``, else the principal itself) beats every
        selector guess; where the guess and the provider's answer differ, ``disagreements`` says so."""
        principal = ver.principal(verification)
        inv = self.inventory.identities
        matches = self.index.matches({**attrs, "verified.principal": principal} if principal else attrs, outers)
        best, holders = best_and_holders(matches)
        guesses = [m for m in matches if m.selector != "principals"]
        guess = best_and_holders(guesses)[0] if principal else best
        out: dict[str, Any] = {"best": best, "holders": holders, "identity": inv[best.identity] if best else None,
                               "source": "inventory" if best else None, "principal": None, "disagreements": []}
        if principal is None:
            return out
        assert verification is not None
        provider = str(verification.get("provider") or "")
        out["principal"] = {"provider": provider, "principal": principal, "who": ver.who(verification)}
        out["source"] = "provider"
        said = f"{provider} verified it live as {ver.who(verification)}"
        notes: list[str] = out["disagreements"]
        if best is not None and best.selector == "principals":
            named = inv[best.identity]
            if guess is not None and guess.identity != best.identity:
                other = inv[guess.identity]
                notes.append(f"the inventory's selectors name {other.id} ({guess.selector} = {guess.value}), but "
                             f"{said}, a principal of {named.id}")
                if _team(other) != _team(named):
                    notes.append(f"owner: the inventory's guess {other.id} is owned by {_team(other) or 'nobody'}, "
                                 f"the verified identity {named.id} by {_team(named) or 'nobody'}")
            return out
        out["identity"], out["best"] = None, None
        if guess is not None:
            other = inv[guess.identity]
            listed = other.values("principals")
            why = (f"not one of its principals ({', '.join(listed)})" if listed
                   else "and the inventory lists no principals for it to confirm")
            notes.append(f"the inventory names {other.id} ({guess.selector} = {guess.value}), but {said}, {why}")
            if other.owner is not None:
                notes.append(f"owner: {other.owner.team} owns {other.id} in the inventory; the provider's identity "
                             f"{principal} has no owner there")
        return out

    def credential(self, fingerprint: str, occurrences: Sequence[tuple[dict[str, Any], str]]) -> dict[str, Any]:
        head = occurrences[0][0]
        if len(occurrences) == 1:
            attrs = {str(k): str(v) for k, v in (head.get("attributes") or {}).items()}
            loc, outer = _loc(head, occurrences[0][1])
            locs, outers = [loc], [(occurrences[0][1], outer)]
            severity = head.get("severity") if head.get("severity") in _RANK else "low"
            confidence = head.get("confidence") if head.get("confidence") in _CONFIDENCE else "low"
        else:
            attrs, locs, outers = {}, [], []
            places: dict[tuple[Any, ...], str] = {}  # a file at a commit -> the first part seen there
            for finding, repo in occurrences:
                for key, value in (finding.get("attributes") or {}).items():
                    attrs.setdefault(str(key), str(value))
                loc, outer = _loc(finding, repo)
                place = (loc.repository, loc.path, loc.commit, loc.status, loc.ref)
                if places.setdefault(place, finding["fingerprint"]) != finding["fingerprint"]:
                    continue  # another part of this credential in the same file: one location
                locs.append(loc)
                outers.append((repo, outer))
            severity = worst([f.get("severity") for f, _ in occurrences]) or "low"
            confidence = "low"
            for f, _ in occurrences:
                if _CONFIDENCE.get(f.get("confidence") or "", 0) > _CONFIDENCE[confidence]:
                    confidence = f["confidence"]
        index = self.index
        verification = ver.best(f.get("verification") for f, _ in occurrences)
        who = self.resolve(attrs, {outer for _, outer in outers}, verification)
        best, holders, identity = who["best"], who["holders"], who["identity"]
        principal = who["principal"]
        owner_sets: set[tuple[str, ...]] = set()
        if index.has_path_owners:
            owner_sets = {o for o in (index.owners(r, p) for r, p in outers) if o}
        path_owners = sorted({o for owners in owner_sets for o in owners})
        holder_ids = [self.inventory.identities[i].id for i in holders]
        shared_by = (holder_ids if len(holder_ids) > 1 else []) + (path_owners if len(owner_sets) > 1 else [])
        owner, owner_source = None, None
        if identity is not None and identity.owner is not None:
            owner, owner_source = identity.owner.as_dict(), "identity"
        elif len(owner_sets) == 1:
            owner, owner_source = {"team": ", ".join(next(iter(owner_sets))), "contact": ""}, "codeowners"
        life = lifecycle(locs, self.now)
        rot = rotation(identity, life.first_date, self.now)
        cert = cert_state(attrs.get("cert.not_after"), self.now) if "cert.not_after" in attrs else _NO_CERT
        expired = cert.expired if cert.expired is not None else _flag(attrs.get("cert.expired"))
        if len(locs) == 1:
            sprawl = {"locations": 1, "files": 1, "repositories": 1, "refs": locs[0].refs}
        else:
            refs_by_repo: dict[str | None, int] = {}
            for loc in locs:
                refs_by_repo[loc.repository] = max(refs_by_repo.get(loc.repository, 0), loc.refs)
            sprawl = {"locations": len(locs), "files": len({(loc.repository, loc.path) for loc in locs}),
                      "repositories": len(refs_by_repo), "refs": sum(refs_by_repo.values())}
        parts = list(dict.fromkeys(f["fingerprint"] for f, _ in occurrences))
        rules = list(dict.fromkeys(str(f.get("rule_id")) for f, _ in occurrences))
        end = parse_when(life.removed["date"]) if life.removed else None
        return {
            "priority": 0,
            "fingerprint": fingerprint, "rule_id": head.get("rule_id"), "rule_name": head.get("rule_name") or head.get("rule_id"),
            "fingerprints": parts, "rules": rules,
            "kind": head.get("kind"), "provider": head.get("provider"), "severity": severity, "confidence": confidence,
            "secret": head.get("secret", ""),
            "identity": identity.id if identity else (principal["principal"] if principal else None),
            "identity_name": identity.display_name if identity else (
                f"{principal['who']} ({principal['provider']}, verified live)" if principal else None),
            "identity_source": who["source"],
            "match": {"selector": best.selector, "value": best.value, "strength": best.strength} if best else None,
            "verification": verification, "verified": ver.word(verification), "provider_identity": principal,
            "disagreements": who["disagreements"],
            "owner": owner, "owner_source": owner_source, "candidate": None, "attributes": attrs,
            "first_seen": life.first_seen, "removed": life.removed, "present": life.live, "exposure_days": life.exposure_days,
            "sprawl": sprawl,
            "shared": bool(shared_by), "shared_by": shared_by, "holders": holder_ids, "path_owners": path_owners,
            "rotation_overdue": rot.overdue, "age_days": rot.age_days, "max_age_days": rot.max_age_days,
            "cert_expired": expired, "cert_expires_in_days": cert.expires_in_days,
            "remediation": [], "revoke": "",
            "locations": [loc.as_dict() for loc in (sorted(locs, key=_loc_order) if len(locs) > 1 else locs)],
            "_in_git": any(loc.commit or loc.status for loc in locs),
            "_revoke": str(head.get("remediation") or ""),  # the rule's revoke/rotate place (JSON report v3+)
            "_exposed": (life.first_date, end or self.now) if life.first_date is not None else None,
        }

    def certificate(self, obj: dict[str, Any], repository: str | None) -> dict[str, Any]:
        attrs = {str(k): str(v) for k, v in (obj.get("attributes") or {}).items()}
        origin = obj.get("origin") or []
        outer = str(origin[0].get("path", "")) if origin else str(obj.get("path", ""))
        best, _ = best_and_holders(self.index.matches(attrs, [outer]))
        state = cert_state(attrs.get("cert.not_after"), self.now)
        return {
            "fingerprint": attrs.get("cert.sha256") or obj.get("fingerprint"), "path": obj.get("path", outer),
            "subject": attrs.get("cert.subject"), "issuer": attrs.get("cert.issuer"), "serial": attrs.get("cert.serial"),
            "not_after": attrs.get("cert.not_after"),
            "expired": state.expired if state.expired is not None else _flag(attrs.get("cert.expired")),
            "expires_in_days": state.expires_in_days,
            "identity": self.inventory.identities[best.identity].id if best else None, "repository": repository,
        }


def _flag(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() in ("true", "1", "yes")


def _loc_order(loc: Loc) -> tuple[str, str, int, int]:
    return (loc.repository or "", loc.path, loc.line, loc.column)


def _team(identity: Identity) -> str:
    return owner_key(identity.owner.team) if identity.owner else ""


def _cred_order(cred: dict[str, Any]) -> tuple[int, int, int, int, int, str]:
    """Do first: verified live, then present at HEAD with critical or high severity, then the rest, and
    rejected by the provider (invalid) last; then severity, exposure, sprawl."""
    urgent = bool(cred["present"]) and _RANK.get(cred["severity"], 0) >= _RANK["high"]
    tier = {ver.LIVE: 0, ver.INVALID: 3}.get(cred["verified"], 1 if urgent else 2)
    sprawl = cred["sprawl"]
    return (tier, -_RANK.get(cred["severity"], 0), -(cred["exposure_days"] or -1),
            -sprawl["locations"], -sprawl["repositories"], cred["fingerprint"])


def _identity_rows(inventory: Inventory, creds: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    mine: dict[str, list[dict[str, Any]]] = {}
    for cred in creds:
        for ident in dict.fromkeys([*([cred["identity"]] if cred["identity"] else []), *cred["holders"]]):
            mine.setdefault(ident, []).append(cred)
    rows: list[dict[str, Any]] = []
    for ident in inventory.identities:
        held = mine.get(ident.id, [])
        rows.append({
            "id": ident.id, "name": ident.display_name, "kind": ident.kind,
            "owner": ident.owner.as_dict() if ident.owner else None, "environment": ident.environment,
            "tags": list(ident.tags), "credentials": [c["fingerprint"] for c in held], "leaked": len(held),
            "exposure_days": union_days(c["_exposed"] for c in held),
            "worst_severity": worst(c["severity"] for c in held),
            "rotation_overdue": sum(1 for c in held if c["rotation_overdue"]),
            "shared": sum(1 for c in held if c["shared"]),
            "created": iso(ident.created) if ident.created else None,
            "last_rotated": iso(ident.last_rotated) if ident.last_rotated else None,
            "max_age_days": ident.max_age_days,
        })
    rows.sort(key=lambda r: (-_RANK.get(r["worst_severity"] or "", 0), -r["leaked"], r["id"]))
    return rows


def _owner_rows(inventory: Inventory, creds: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per owner, whatever the spelling: ``@acme/data`` (CODEOWNERS) and ``data`` (inventory)
    are one owner (``owners.owner_key``); the row is named as the inventory names it, else as first seen."""
    owners: dict[str, dict[str, Any]] = {}

    def row(team: str) -> dict[str, Any]:
        key = owner_key(team)
        r = owners.setdefault(key, {"team": team, "contact": None, "identities": [], "creds": {}, "key": key,
                                    "aliases": []})
        if team != r["team"] and team not in r["aliases"]:
            r["aliases"].append(team)
        return r

    for ident in inventory.identities:
        if ident.owner is not None:
            r = row(ident.owner.team)
            r["identities"].append(ident.id)
            r["contact"] = r["contact"] or ident.owner.contact or None
    for cred in creds:
        if cred["owner"] is not None:
            row(cred["owner"]["team"])["creds"][cred["fingerprint"]] = cred
    out = []
    for r in owners.values():
        held = list(r.pop("creds").values())
        key, aliases = r.pop("key"), r.pop("aliases")
        out.append({**r, "credentials": len(held), "exposure_days": union_days(c["_exposed"] for c in held),
                    "worst_severity": worst(c["severity"] for c in held), "key": key, "aliases": aliases})
    out.sort(key=lambda r: (-_RANK.get(r["worst_severity"] or "", 0), -r["credentials"], r["team"]))
    return out


def _timeline(creds: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    months = Counter(c["first_seen"]["date"][:7] for c in creds if c["first_seen"] and c["first_seen"].get("date"))
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append({"month": key, "credentials": months.get(key, 0)})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Findings read from JSON and the document are trees of fresh dicts and lists (no cycles): the
    cyclic collector, triggered by every few hundred allocations, only costs time while they are made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_document(results: Results, inventory: Inventory | None, now: dt.datetime,
                   inventory_name: str | None = None, generated: dt.datetime | None = None) -> dict[str, Any]:
    with no_gc():
        return _build(results, inventory, now, inventory_name, generated)


def _build(results: Results, inventory: Inventory | None, now: dt.datetime,
           inventory_name: str | None, generated: dt.datetime | None) -> dict[str, Any]:
    inv = inventory or Inventory.of(())
    builder = _Builder(inv, now)
    groups = group_findings(results.findings)
    creds = sorted((builder.credential(fp, occ) for fp, occ in groups.items()), key=_cred_order)
    for n, cred in enumerate(creds, 1):
        cred["priority"] = n
    unknown = [(i, c["attributes"]) for i, c in enumerate(creds) if c["identity"] is None]
    candidates = []
    basis: dict[str, str] = {}
    for cand in cluster(unknown):
        members = [creds[i]["fingerprint"] for i in cand.members]
        basis[cand.id] = cand.basis
        for i in cand.members:
            creds[i]["candidate"] = cand.id
        candidates.append({"id": cand.id, "basis": cand.basis, "facts": cand.facts, "credentials": members})
    for cred in creds:
        in_git = cred.pop("_in_git")
        situation = Situation(cred["provider"], cred["kind"], in_git, cred["present"], cred["shared"],
                              cred["rotation_overdue"], cred["cert_expired"], cred["identity"] is not None,
                              cred["candidate"], basis.get(cred["candidate"] or ""), cred.pop("_revoke"),
                              cred["verified"])
        cred["revoke"] = revoke_step(situation)
        cred["remediation"] = steps(situation)
    certificates = _certificates(builder, results, creds)
    identities = _identity_rows(inv, creds)
    owners = _owner_rows(inv, creds)
    for cred in creds:
        del cred["_exposed"]
    by_severity = Counter(c["severity"] for c in creds)
    summary = {
        "credentials": len(creds), "occurrences": sum(c["sprawl"]["locations"] for c in creds),
        "findings": len(results.findings), "identities": len(inv.identities),
        "identities_with_leaks": sum(1 for r in identities if r["leaked"]), "owners": len(owners),
        "unknown_credentials": len(unknown), "candidate_identities": len(candidates),
        "shared_credentials": sum(1 for c in creds if c["shared"]),
        "rotation_overdue": sum(1 for c in creds if c["rotation_overdue"]),
        "present_credentials": sum(1 for c in creds if c["present"]),
        "certs_expired": sum(1 for c in certificates if c["expired"]),
        "certs_expiring": sum(1 for c in certificates if not c["expired"] and c["expires_in_days"] is not None
                              and c["expires_in_days"] < 30),
        "verified_live": sum(1 for c in creds if c["verified"] == ver.LIVE),
        "verified_invalid": sum(1 for c in creds if c["verified"] == ver.INVALID),
        "unverified": sum(1 for c in creds if c["verified"] == ver.UNVERIFIED),
        "disagreements": sum(1 for c in creds if c["disagreements"]),
        "by_severity": {s: by_severity.get(s, 0) for s in SEVERITIES},
    }
    return {
        "version": VERSION, "kind": KIND, "generated": iso(generated or dt.datetime.now(dt.timezone.utc)),
        "now": iso(now), "sources": list(results.sources), "inventory": inventory_name,
        "summary": summary, "credentials": creds, "identities": identities, "owners": owners,
        "candidates": candidates, "certificates": certificates, "timeline": _timeline(creds),
    }


def _certificates(builder: _Builder, results: Results, creds: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Certificates the scans listed, and those of leaked credentials (a key's paired certificate)."""
    out: dict[str, dict[str, Any]] = {}
    for obj, repo in results.certificates:
        cert = builder.certificate(obj, repo)
        out.setdefault(str(cert["fingerprint"]), cert)
    for cred in creds:
        attrs = cred["attributes"]
        if "cert.not_after" not in attrs and "cert.sha256" not in attrs:
            continue
        loc = cred["locations"][0] if cred["locations"] else {"path": "", "repository": None}
        obj = {"fingerprint": cred["fingerprint"], "path": loc["path"], "attributes": attrs}
        cert = builder.certificate(obj, loc["repository"])
        cert["identity"] = cert["identity"] or cred["identity"]
        out.setdefault(str(cert["fingerprint"]), cert)
    return sorted(out.values(), key=lambda c: (c["expires_in_days"] is None, c["expires_in_days"] or 0, str(c["fingerprint"])))


__all__ = ["KIND", "VERSION", "build_document"]
