"""SARIF ``reportingDescriptor`` objects for the rules of a run, with generated help text."""

from __future__ import annotations

import re
from typing import Any

from scanner.model import Confidence, Finding, Rule
from scanner.report.remediation import remediation as revoke_place
from scanner.results import ScanReport

_PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}

_KIND_PHRASE = {
    "api-key": "an API key",
    "token": "an access token",
    "private-key": "a private key",
    "password": "a password",
    "connection-string": "a connection string with embedded credentials",
    "certificate": "a certificate",
    "webhook": "a webhook URL",
    "secret": "a secret",
    "credential-file": "a credential file",
}

_STORE = "load it from a secret manager or environment variable"
_REMEDY = {
    "api-key": "Revoke and rotate the key at {p}, then remove it from the code and history; " + _STORE + ".",
    "token": "Revoke and rotate the token at {p}, then remove it from the code and history; " + _STORE + ".",
    "private-key": (
        "Treat the key as compromised: generate a new key pair, replace the public key wherever it is "
        "trusted ({p}), revoke the old one, then remove the private key from the code and history; "
        "keep private keys in a secret manager or key vault."
    ),
    "password": (
        "Change the password at {p} and update every service that uses it, then remove it from the code "
        "and history; " + _STORE + "."
    ),
    "connection-string": (
        "Change the database or service password at {p} and update every client, then remove the "
        "connection string from the code and history; " + _STORE + "."
    ),
    "certificate": (
        "Revoke the certificate and reissue it with a new private key ({p}), then remove it from the "
        "code and history; keep key material in a secret manager."
    ),
    "webhook": (
        "Delete the webhook at {p} and create a new one, then remove the URL from the code and "
        "history; " + _STORE + "."
    ),
    "credential-file": (
        "Revoke every credential in the file at {p}, remove the file from the code and history and "
        "ignore it in version control; " + _STORE + "."
    ),
}
_DEFAULT_REMEDY = "Rotate the secret at {p}, then remove it from the code and history; " + _STORE + "."


def identifier(rule_id: str) -> str:
    """``github-pat-classic`` -> ``GithubPatClassic``: the identifier-style name GitHub shows."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


def description(rule: Rule) -> str:
    if rule.description:
        return rule.description
    where = f" for {rule.provider}" if rule.provider else ""
    return f"Finds {_KIND_PHRASE.get(rule.kind, 'a secret')}{where} ({rule.name}) committed in clear."


def remediation(rule: Rule) -> str:
    provider = rule.provider or "its provider"
    return _REMEDY.get(rule.kind, _DEFAULT_REMEDY).format(p=provider)


def help_texts(rule: Rule) -> tuple[str, str]:
    """(text, markdown): the rule's own help, or remediation generated from its kind and provider;
    either way with where and how it is revoked or rotated (the rule's ``remediation``)."""
    place = revoke_place(rule)
    if rule.help:
        return (f"{rule.help} Revoke or rotate: {place}.",
                f"{rule.help}\n\n## Revoke or rotate\n\n{place}")
    remedy = remediation(rule)
    text = f"{description(rule)} Revoke or rotate: {place}. {remedy}"
    markdown = (
        f"**{rule.name}**\n\n{description(rule)}\n\n## Revoke or rotate\n\n{place}\n\n## Remediation\n\n{remedy}\n\n"
        "Removing the secret from the code is not enough: anyone who cloned the repository or read "
        "its history still has it. Rotate it first."
    )
    return text, markdown


def tags(rule: Rule) -> list[str]:
    out: list[str] = []
    for tag in ("security", "secret", rule.kind, rule.provider):
        if tag and tag not in out:
            out.append(tag)
    return out


def descriptor(rule: Rule) -> dict[str, Any]:
    text, markdown = help_texts(rule)
    return {
        "id": rule.id,
        "name": identifier(rule.id) or rule.id,
        "shortDescription": {"text": rule.name or rule.id},
        "fullDescription": {"text": description(rule)},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": rule.severity.sarif_level},
        "properties": {
            "security-severity": rule.severity.security_severity,
            "tags": tags(rule),
            "precision": _PRECISION[rule.confidence],
            "remediation": revoke_place(rule),
        },
    }


def placeholder(finding: Finding) -> Rule:
    """A stand-in for a rule a finding names but the report does not carry."""
    return Rule(
        id=finding.rule_id,
        name=finding.rule_id,
        kind="secret",
        provider="",
        severity=finding.severity,
        confidence=finding.confidence,
        keywords=(),
        regex="",
    )


def run_rules(report: ScanReport) -> list[Rule]:
    """Every rule of the run plus any rule a finding references, sorted by id."""
    rules = dict(report.rules)
    for finding in report.findings:
        rules.setdefault(finding.rule_id, placeholder(finding))
    return [rules[key] for key in sorted(rules)]
