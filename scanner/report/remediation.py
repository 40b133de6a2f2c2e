"""Where and how a leaked credential is revoked or rotated, for every report: the rule's
``remediation`` (the provider's console URL pattern and/or CLI command, ``rules/*.toml``), else a
default by credential kind naming the rule's provider."""

from __future__ import annotations

from scanner.model import Rule

# the place to revoke or rotate a credential of each kind when its rule names none ({p}: the provider)
KIND_DEFAULTS: dict[str, str] = {
    "api-key": "Revoke the API key at {p} (its API keys page or API) and issue a new one",
    "token": "Revoke the token at {p} (its tokens or authorised-apps page, or its revoke API)",
    "private-key": ("Retire the key pair: remove its public key wherever it is trusted (authorized_keys, deploy keys, "
                    "certificates), then issue a new pair"),
    "password": "Change the password at {p} (the account or database user it belongs to)",
    "connection-string": "Change the password of the connection string's user on its server (ALTER USER ... PASSWORD ...)",
    "certificate": "Revoke the certificate with its issuing CA and reissue it with a new private key",
    "webhook": "Delete the webhook at {p} and create a new one",
    "credential-file": "Revoke every credential in the file at the service that issued each one",
    "secret": "Rotate the secret at {p}, where it was issued",
    "identifier": "An identifier, not a secret: revoke or rotate the secret it goes with, at {p}",
}
_ANY = KIND_DEFAULTS["secret"]


def _provider(rule: Rule | None) -> str:
    if rule is None or not rule.provider or rule.provider == "generic":
        return "the service that issued it"
    return rule.provider


def remediation(rule: Rule | None, kind: str | None = None) -> str:
    """The rule's revoke/rotate place, or the default of its kind."""
    if rule is not None and rule.remediation:
        return rule.remediation
    return KIND_DEFAULTS.get(kind or (rule.kind if rule else ""), _ANY).format(p=_provider(rule))


def is_default(rule: Rule) -> bool:
    """Whether the rule names no revoke/rotate place of its own (a generic rule)."""
    return not rule.remediation
