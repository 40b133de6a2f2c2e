"""Realistic credsprawl identity report documents for tests (the shape ``credsprawl report`` writes).

``build_doc`` is deterministic for a seed. Secrets are already redacted, as in every report. Every
aggregate (sprawl, identities, owners, candidates, timeline, summary) is computed from the credentials,
so tests can derive what a reader of the document should see.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=timezone.utc)
EVIL_PATH = 'config/<script>window.__pwned = 1</script>.env'
EVIL_ATTRIBUTE = '<img src=x onerror="window.__pwned = 2">'
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}

# rule id, name, kind, provider, severity, redacted secret, remediation steps
RULES: list[tuple[str, str, str, str, str, str, list[str]]] = [
    ("aws-access-key", "AWS access key", "aws-access-key", "aws", "critical", "AKIAQX…****(20)", [
        "Deactivate the access key in IAM (aws iam update-access-key --status Inactive).",
        "Issue a replacement key and store it in the identity's secret manager entry.",
        "Delete the old key once nothing authenticates with it.",
        "Review CloudTrail for use of the key since it was first seen.",
    ]),
    ("github-pat", "GitHub personal access token", "github-token", "github", "high", "ghp_ab…****(40)", [
        "Revoke the token under Settings → Developer settings → Personal access tokens.",
        "Replace it with a fine-grained token or a GitHub App installation token.",
        "Check the organisation audit log for actions taken with the token.",
    ]),
    ("slack-bot-token", "Slack bot token", "slack-token", "slack", "medium", "xoxb-1…****(56)", [
        "Rotate the bot token from the Slack app's OAuth & Permissions page.",
        "Update the workload's secret and redeploy.",
    ]),
    ("stripe-secret-key", "Stripe secret key", "stripe-key", "stripe", "critical", "sk_liv…****(32)", [
        "Roll the key in the Stripe dashboard (Developers → API keys).",
        "Move the new key to the payment service's vault path.",
        "Review Stripe request logs for unexpected use.",
    ]),
    ("postgres-uri", "PostgreSQL connection string", "database-password", "postgresql", "high", "postgr…****(61)", [
        "Change the database user's password (ALTER ROLE … PASSWORD).",
        "Restrict the role to the hosts that need it.",
    ]),
    ("private-key-rsa", "RSA private key", "private-key", None, "high", "-----B…****(1675)", [
        "Generate a new key pair and replace the public key wherever it is trusted.",
        "Revoke any certificate issued for the old key.",
    ]),
    ("generic-password", "Generic password assignment", "password", None, "low", "********", []),
]
TEAMS = [("payments", "payments-oncall@example.com"), ("platform", "platform@example.com"),
         ("data", "data-eng@example.com"), ("mobile", "mobile@example.com"), ("identity", "iam@example.com")]
KINDS = ["service-account", "workload", "ci-job", "host"]
ENVIRONMENTS = ["prod", "staging", "dev", None]
REPOS = ["acme/payments-api", "acme/infra", "acme/mobile-app", "acme/data-pipelines", "acme/deploy-tools"]
PATHS = ["config/prod.env", ".github/workflows/deploy.yml", "charts/api/values.yaml", "scripts/bootstrap.sh",
         "src/settings.py", "terraform/main.tf", "docker-compose.yml", "build.tar.gz!etc/app.properties"]
REFS = ["refs/heads/main", "refs/heads/release", "refs/tags/v1.4.0"]


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def build_doc(*, identities: int = 6, credentials: int = 24, unknown: int = 5, seed: int = 7,
              evil: bool = True, big_locations: int = 0, max_locations: int = 6) -> dict[str, Any]:
    """A report of ``credentials`` credentials (``unknown`` of them tied to no identity) over ``identities``.

    ``evil`` puts an HTML/script-shaped path and attribute into the first credential; ``big_locations``
    gives the first identity's first credential that many locations (to exercise lazy drill-down rows).
    """
    rng = random.Random(seed)
    idents = [_identity(n, rng) for n in range(identities)]
    creds = []
    for n in range(credentials):
        owner_of = idents[n % identities] if identities and n >= unknown else None
        count = big_locations if (n == unknown and big_locations) else rng.randint(1, max_locations)
        creds.append(_credential(n, rng, owner_of, count, unknown))
    for cred in creds:
        if cred["identity"] is None:  # as credsprawl does: a step of its own for a credential nobody claims
            cred["remediation"].append(f"No identity claims it: add {cred['candidate'] or 'its owner'} to the inventory.")
    if evil and creds:
        creds[0]["locations"][0]["path"] = EVIL_PATH
        creds[0]["attributes"]["note"] = EVIL_ATTRIBUTE
        creds[0]["sprawl"] = _sprawl(creds[0]["locations"])
    _share(creds, idents, rng)
    candidates = _candidates(creds)
    claimed: dict[str, list[dict[str, Any]]] = {}
    for cred in creds:
        for ident_id in dict.fromkeys([cred["identity"], *cred["shared_by"]]):
            if ident_id:
                claimed.setdefault(ident_id, []).append(cred)
    for ident in idents:
        _aggregate_identity(ident, claimed.get(ident["id"], []))
    owners = _owners(idents, creds)
    certs = _certificates(idents)
    return {
        "version": 2, "kind": "credsprawl-identity-report", "generated": iso(NOW), "now": iso(NOW),
        "sources": ["acme/*.git", "ci-logs/"], "inventory": "inventory/identities.toml",
        "summary": _summary(creds, idents, owners, candidates, certs),
        "credentials": creds, "identities": idents, "owners": owners, "candidates": candidates,
        "certificates": certs, "timeline": _timeline(creds),
    }


def _identity(n: int, rng: random.Random) -> dict[str, Any]:
    team, contact = TEAMS[n % len(TEAMS)]
    kind = KINDS[n % len(KINDS)]
    env = ENVIRONMENTS[n % len(ENVIRONMENTS)]
    return {
        "id": f"{kind}:{team}-svc-{n:04d}", "name": f"{team}-svc-{n:04d}" + (f" ({env})" if env else ""),
        "kind": kind, "owner": {"team": team, "contact": contact}, "environment": env,
        "tags": sorted(rng.sample(["pci", "tier-1", "legacy", "terraform", "k8s"], 2)),
        "credentials": [], "leaked": 0, "exposure_days": 0, "worst_severity": None, "rotation_overdue": 0, "shared": 0,
    }


def _credential(n: int, rng: random.Random, ident: dict[str, Any] | None, count: int, unknown: int) -> dict[str, Any]:
    rule_id, name, kind, provider, severity, secret, steps = RULES[n % len(RULES)]
    first = NOW - timedelta(days=rng.randint(20, 540))
    removed = first + timedelta(days=rng.randint(1, 15)) if rng.random() < 0.3 else None
    end = removed or NOW
    locations = [_location(n, i, rng, first) for i in range(count)]
    age = (NOW - first).days
    max_age = 90 if kind in ("aws-access-key", "github-token") else None
    is_cert = kind == "private-key"
    expires = rng.randint(-40, 200) if is_cert else None
    return {
        "fingerprint": f"{n:08x}{rng.getrandbits(224):056x}",
        "rule_id": rule_id, "rule_name": name, "kind": kind, "provider": provider, "severity": severity,
        "confidence": rng.choice(["high", "medium"]), "secret": secret,
        "identity": ident["id"] if ident else None, "identity_name": ident["name"] if ident else None,
        "match": {"selector": "aws_account" if kind == "aws-access-key" else "path", "value": "123456789012"
                  if kind == "aws-access-key" else locations[0]["path"], "strength": rng.randint(1, 3)} if ident else None,
        "owner": ident["owner"] if ident else None,
        "candidate": f"cand-{n % 2 + 1}" if not ident and n % 3 != 2 else None,
        "attributes": {"aws_account": "123456789012"} if kind == "aws-access-key" else {},
        "first_seen": {"commit": locations[0]["commit"], "date": iso(first), "author": "dev@example.com",
                       "path": locations[0]["path"]},
        "removed": {"commit": f"{n:06x}" + "d" * 34, "date": iso(removed)} if removed else None,
        "present": rng.choice([True, False, None]), "exposure_days": (end - first).days,
        "sprawl": _sprawl(locations), "shared": False, "shared_by": [],
        "rotation_overdue": (age > max_age) if max_age else None, "age_days": age, "max_age_days": max_age,
        "cert_expired": (expires < 0) if is_cert else None, "cert_expires_in_days": expires,
        "remediation": list(steps), "locations": locations,
    }


def _location(n: int, i: int, rng: random.Random, first: datetime) -> dict[str, Any]:
    return {
        "repository": rng.choice(REPOS),
        "path": PATHS[(n + i) % len(PATHS)] if i < len(PATHS) else f"services/svc{i}/config.yaml",
        "line": rng.randint(1, 400), "column": rng.randint(1, 60), "commit": f"{rng.getrandbits(160):040x}",
        "date": iso(first + timedelta(days=i)), "status": rng.choice(["present", "removed"]), "ref": rng.choice(REFS),
    }


def _sprawl(locations: list[dict[str, Any]]) -> dict[str, int]:
    return {"locations": len(locations), "files": len({(loc["repository"], loc["path"]) for loc in locations}),
            "repositories": len({loc["repository"] for loc in locations}), "refs": len({loc["ref"] for loc in locations})}


def _share(creds: list[dict[str, Any]], idents: list[dict[str, Any]], rng: random.Random) -> None:
    """Two known credentials are also used by a second identity."""
    known = [c for c in creds if c["identity"]]
    for cred in known[1:3]:
        other = rng.choice([i for i in idents if i["id"] != cred["identity"]] or idents)
        cred["shared"] = True
        cred["shared_by"] = sorted({cred["identity"], other["id"]})


def _aggregate_identity(ident: dict[str, Any], creds: list[dict[str, Any]]) -> None:
    ident["credentials"] = [c["fingerprint"] for c in creds]
    ident["leaked"] = len(creds)
    ident["exposure_days"] = max((c["exposure_days"] for c in creds), default=0)
    ident["worst_severity"] = _worst(creds)
    ident["rotation_overdue"] = sum(1 for c in creds if c["rotation_overdue"])
    ident["shared"] = sum(1 for c in creds if c["shared"])


def _worst(creds: list[dict[str, Any]]) -> str | None:
    return max((c["severity"] for c in creds), key=SEVERITY_RANK.__getitem__, default=None)


def _owners(idents: list[dict[str, Any]], creds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for team, contact in TEAMS:
        members = [i["id"] for i in idents if i["owner"]["team"] == team]
        if not members:
            continue
        owned = [c for c in creds if c["owner"] and c["owner"]["team"] == team]
        out.append({"team": team, "contact": contact, "identities": members, "credentials": len(owned),
                    "exposure_days": max((c["exposure_days"] for c in owned), default=0), "worst_severity": _worst(owned)})
    return out


def _candidates(creds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {}
    for cred in creds:
        if cred["candidate"]:
            groups.setdefault(cred["candidate"], []).append(cred["fingerprint"])
    return [{"id": cid, "basis": "aws-account" if cid == "cand-1" else "repository",
             "facts": {"aws_account": "123456789012"} if cid == "cand-1" else {"repository": "acme/deploy-tools"},
             "credentials": fps} for cid, fps in sorted(groups.items())]


def _certificates(idents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n, days in enumerate([-12, 21, 300]):
        not_after = NOW + timedelta(days=days)
        out.append({"fingerprint": f"{n:02x}" + "c" * 62, "path": f"certs/service-{n}.pem",
                    "subject": f"CN=svc-{n}.acme.internal",
                    "issuer": "CN=Acme Internal CA", "serial": f"{1000 + n:x}", "not_after": iso(not_after),
                    "expired": days < 0, "expires_in_days": days, "identity": idents[n % len(idents)]["id"] if idents else None})
    return out


def _timeline(creds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    months = Counter(c["first_seen"]["date"][:7] for c in creds if c["first_seen"] and c["first_seen"]["date"])
    return [{"month": m, "credentials": months[m]} for m in sorted(months)]


def _summary(creds: list[dict[str, Any]], idents: list[dict[str, Any]], owners: list[dict[str, Any]],
             candidates: list[dict[str, Any]], certs: list[dict[str, Any]]) -> dict[str, Any]:
    severities = Counter(c["severity"] for c in creds)
    return {
        "credentials": len(creds), "occurrences": sum(c["sprawl"]["locations"] for c in creds),
        "identities": len(idents), "identities_with_leaks": sum(1 for i in idents if i["leaked"]), "owners": len(owners),
        "unknown_credentials": sum(1 for c in creds if c["identity"] is None), "candidate_identities": len(candidates),
        "shared_credentials": sum(1 for c in creds if c["shared"]),
        "rotation_overdue": sum(1 for c in creds if c["rotation_overdue"]),
        "present_credentials": sum(1 for c in creds if c["present"]),
        "certs_expired": sum(1 for c in certs if c["expired"]),
        "certs_expiring": sum(1 for c in certs if not c["expired"] and c["expires_in_days"] <= 30),
        "by_severity": {s: severities.get(s, 0) for s in SEVERITY_RANK},
    }
