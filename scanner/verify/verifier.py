"""What a verifier is: a provider name and a check of one credential against its read-only endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from scanner.httpclient import HttpClient
from scanner.verify.result import Verification
from scanner.verify.subject import Subject


class Verifier(Protocol):
    """Checks one credential against its provider's read-only endpoint. ``endpoint`` is the base URL
    (default or user-configured, already checked); every request goes through ``http``. Returns a
    :class:`Verification`; may raise (an :class:`~scanner.httpclient.HttpError`, a malformed answer),
    which the run turns into ``error`` with a safe reason."""

    @property
    def provider(self) -> str: ...

    def verify(self, subject: Subject, endpoint: str, http: HttpClient) -> Verification: ...


@dataclass(frozen=True)
class FunctionVerifier:
    """A verifier made of a provider name and one function of a provider module."""

    provider: str
    run: Callable[[Subject, str, HttpClient], Verification]

    def verify(self, subject: Subject, endpoint: str, http: HttpClient) -> Verification:
        return self.run(subject, endpoint, http)
