"""Remediation steps for a leaked credential: what to rotate or revoke, where, and what to clean up.

The first step is where the credential is revoked or rotated: the rule's ``remediation`` (the
provider's console URL pattern and/or CLI command, carried by each finding of the JSON report), else
``PROVIDER_STEPS`` (by the rule's provider) or ``KIND_STEPS`` (by credential kind), explicit
registries. Then come the steps that depend on the credential's situation: what its provider said
when verified, still in git history, shared by several identities, rotation overdue, certificate
expired, owner unknown.
"""

from __future__ import annotations

from typing import NamedTuple

PROVIDER_STEPS: dict[str, tuple[str, ...]] = {
    "aws": (
        "Deactivate the access key, then delete it: aws iam update-access-key --status Inactive --access-key-id KEY_ID "
        "--user-name USER; aws iam delete-access-key ...",
        "Create a replacement key only if a role (instance profile, IRSA, OIDC federation) cannot do the job.",
        "Review CloudTrail for the key id since it was first leaked.",
    ),
    "gcp": (
        "Delete the service account key: gcloud iam service-accounts keys delete KEY_ID --iam-account EMAIL.",
        "Prefer workload identity federation or attached service accounts to exported JSON keys.",
        "Review Cloud Audit Logs for the service account since the key was first leaked.",
    ),
    "azure": (
        "Regenerate the key or secret in the Azure portal (storage account keys: az storage account keys renew; "
        "app secrets: az ad app credential reset).",
        "Prefer managed identities to stored keys.",
    ),
    "github": (
        "Revoke the token (Settings > Developer settings, or the credential revocation API) and create a "
        "fine-grained one with the fewest permissions.",
        "Review the organisation's audit log for its use.",
    ),
    "gitlab": ("Revoke the token (Access tokens page or the personal_access_tokens API) and issue a scoped, expiring one.",),
    "slack": ("Revoke the token or webhook in the Slack app's settings and reinstall the app to get a new one.",),
    "stripe": ("Roll the key in the Stripe dashboard (Developers > API keys), preferring a restricted key.",),
    "kubernetes": (
        "Revoke the credential: delete the service account token secret or rotate the client certificate, "
        "and check RBAC bindings of the user it authenticated as.",
    ),
    "hashicorp": ("Revoke the token: vault token revoke -accessor ACCESSOR (or the Terraform Cloud token page).",),
}

KIND_STEPS: dict[str, tuple[str, ...]] = {
    "api-key": ("Revoke and rotate the API key at its provider.",),
    "token": ("Revoke the token at its issuer and issue a new, short-lived one.",),
    "private-key": (
        "Treat the key pair as compromised: generate a new key pair, replace the public key wherever it is "
        "trusted (authorized_keys, certificates, deploy keys), then remove the old one.",
    ),
    "password": ("Change the password and update every service that uses it.",),
    "connection-string": ("Change the database user's password (ALTER USER ... PASSWORD) and update every client.",),
    "certificate": ("Revoke the certificate and reissue it with a new private key.",),
    "webhook": ("Delete the webhook and create a new one.",),
    "credential-file": ("Revoke every credential in the file, then delete the file.",),
    "secret": ("Rotate the secret at the service that issued it.",),
}

STORE_STEP = "Load the new credential from a secret manager or the environment, never from the repository."
HISTORY_STEP = ("It is in git history: after rotating, purge it (git filter-repo --replace-text, or BFG), "
                "force-push every ref, and have forks and clones re-cloned; rotation comes first because copies persist.")
REMOVE_STEP = "Remove it from the files that still hold it."
SHARED_STEP = "It is shared by several identities or owners: give each its own credential with least privilege."
OVERDUE_STEP = "Rotation is overdue per the identity's policy: rotate now and automate rotation."
EXPIRED_STEP = "The certificate has expired: renew it and remove the expired copy."
UNKNOWN_STEP = "No identity claims it: find its owner and add the identity, with a selector for it, to the inventory."
CANDIDATE_STEP = "No identity claims it: candidate identity {candidate} groups it with credentials sharing {basis}; add that identity to the inventory."


LIVE_STEP = "Its provider verified it live: it works now, so revoke or rotate it first, before any clean-up."
INVALID_STEP = ("Its provider rejected it (revoked or rotated): confirm that was on purpose and that nothing "
                "still depends on it, then clean up the copies.")


class Situation(NamedTuple):
    provider: str | None
    kind: str | None
    in_git: bool
    present: bool | None  # still in the files at HEAD
    shared: bool
    rotation_overdue: bool | None
    cert_expired: bool | None
    known: bool
    candidate: str | None = None
    basis: str | None = None
    revoke: str = ""  # the rule's remediation: where it is revoked or rotated
    verified: str = "unverified"  # live | invalid | unverified (scanner.identity.verified)


def revoke_step(s: Situation) -> str:
    """Where and how this credential is revoked or rotated, in one step."""
    if s.revoke:
        return s.revoke
    return (PROVIDER_STEPS.get(s.provider or "", ()) or KIND_STEPS.get(s.kind or "", KIND_STEPS["secret"]))[0]


def steps(s: Situation) -> list[str]:
    given = list(PROVIDER_STEPS.get(s.provider or "", ()) or KIND_STEPS.get(s.kind or "", KIND_STEPS["secret"]))
    out = [revoke_step(s), *given[1:]] if s.revoke else given
    if s.verified == "live":
        out.insert(0, LIVE_STEP)
    elif s.verified == "invalid":
        out.insert(0, INVALID_STEP)
    if s.present is not False:
        out.append(REMOVE_STEP)
    if s.in_git:
        out.append(HISTORY_STEP)
    out.append(STORE_STEP)
    if s.shared:
        out.append(SHARED_STEP)
    if s.rotation_overdue:
        out.append(OVERDUE_STEP)
    if s.cert_expired:
        out.append(EXPIRED_STEP)
    if not s.known:
        out.append(CANDIDATE_STEP.format(candidate=s.candidate, basis=s.basis) if s.candidate else UNKNOWN_STEP)
    return out
