"""What a verifier is given about one credential."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Subject:
    """The secret, and what was found with it: the companion secret or identifier its rule pairs it
    with (the AWS access key id beside a secret key, the Twilio account SID beside an auth token) and
    the finding's derived attributes. Attributes come from scanned content: a verifier may read them
    as facts about the credential, never as a place to send it."""

    rule_id: str
    secret: str = field(repr=False)
    companion: str | None = field(default=None, repr=False)
    companion_rule: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    # URLs written in the finding's context; filled only with --verify-hosts-from-content, and read
    # only by the run (``scanner.verify.endpoints.content_endpoint``), never by a verifier
    content_urls: tuple[str, ...] = ()
    # the finding's context line, in memory only: read for ids written beside the secret (an Azure
    # tenant and client id), never as a place to send anything
    line: str = field(default="", repr=False)

    def attribute(self, key: str) -> str | None:
        for k, v in self.attributes:
            if k == key:
                return v
        return None

    def secrets(self) -> tuple[str, ...]:
        """Every value that must never appear in a URL, a log line or a result. The companions the
        shipped verifiers use are identifiers (an AWS access key id, a Twilio account or API key
        SID): reports name them, and Twilio's API wants the SID in its path."""
        return (self.secret,)
