"""Verifiers of the catalogue's source control, CI/CD, package registries, cloud, hosting, monitoring and security tools providers: rule id -> verifier, and each provider's documented API root."""

from __future__ import annotations

from scanner.verify.verifier import Verifier

HOSTS: dict[str, str] = {}
CONFIGURED_ONLY: frozenset[str] = frozenset()
VERIFIERS: dict[str, Verifier] = {}
