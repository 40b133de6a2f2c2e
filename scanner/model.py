"""Core values: Origin, Blob, Rule, Finding. All immutable."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.verify.result import Verification


class Severity(str, enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @property
    def security_severity(self) -> str:
        """The CVSS-like score GitHub code scanning reads from ``security-severity``."""
        return _SECURITY_SEVERITY[self]

    @property
    def sarif_level(self) -> str:
        return "error" if self in (Severity.CRITICAL, Severity.HIGH) else (
            "warning" if self is Severity.MEDIUM else "note"
        )


_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


class Confidence(str, enum.Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]

    def lowered(self) -> Confidence:
        return {Confidence.HIGH: Confidence.MEDIUM}.get(self, Confidence.LOW)


class Validation(str, enum.Enum):
    """What was proven about a secret without contacting the provider."""

    CHECKSUM = "checksum-valid"  # the format carries a checksum and it matches
    STRUCTURE = "structure-valid"  # decoded/parsed as the format requires
    UNCHECKED = "unchecked"  # the format has nothing to check


KINDS = frozenset(
    {
        "api-key",
        "token",
        "private-key",
        "password",
        "connection-string",
        "certificate",
        "webhook",
        "secret",
        "credential-file",
        "identifier",  # never a finding: carried by the finding of its secret as the companion
    }
)


@dataclass(frozen=True)
class Origin:
    """Where bytes came from. Nests: a member of an archive has the archive as parent.

    ``path`` is the display path relative to the scan root (``/``-separated). ``kind`` says what
    the path names: a file, stdin, a git blob, an archive member. ``extra`` carries source facts
    (commit, author, date for git) as sorted key/value pairs.
    """

    path: str
    kind: str = "file"
    parent: Origin | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def chain(self) -> tuple[Origin, ...]:
        out: list[Origin] = []
        node: Origin | None = self
        while node is not None:
            out.append(node)
            node = node.parent
        return tuple(reversed(out))

    @property
    def root(self) -> Origin:
        return self.chain()[0]

    def render(self) -> str:
        """``outer.tar.gz!lib/app.jar!config/app.properties``."""
        return "!".join(o.path for o in self.chain())

    def get(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.extra:
            if k == key:
                return v
        return default

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Blob:
    """One unit of content plus where it came from."""

    data: bytes
    origin: Origin


@dataclass(frozen=True)
class Example:
    """A rule's example: a text and the secret the rule must find in it."""

    text: str
    secret: str


@dataclass(frozen=True)
class Companion:
    """Another rule whose match must (or should) stand near this rule's match."""

    rule: str
    within: int = 400  # characters between the two matches
    required: bool = False


@dataclass(frozen=True)
class Rule:
    """A detection rule as its TOML file defines it (``scanner.rules.load``)."""

    id: str
    name: str
    kind: str
    provider: str
    severity: Severity
    confidence: Confidence
    keywords: tuple[str, ...]
    regex: str
    description: str = ""
    help: str = ""
    # where and how this credential is revoked or rotated: the provider's console URL pattern and/or
    # CLI command (rules' ``remediation``); reports fall back to a per-kind default
    remediation: str = ""
    family: str = ""
    min_entropy: float = 0.0
    validator: str | None = None
    allow: tuple[str, ...] = ()
    deny_key: str | None = None  # searched in the match's ``key`` group: a match whose key it finds is dropped
    window: int = 256  # characters searched after a keyword hit (and before it, unless window_before)
    window_before: int | None = None  # characters searched before a keyword hit, when not ``window``
    generic: bool = False
    # for the whole-pattern prefilter (Hyperscan drops lookarounds): the secret group's body written
    # without them, matching at least what the group matches (``match.secretgroup``)
    prefilter_secret: str | None = None
    decode: str | None = None  # "base64": the secret group is base64 and is reported decoded
    companion: Companion | None = None
    examples: tuple[Example, ...] = ()
    negatives: tuple[str, ...] = ()
    source: str = ""  # the file the rule came from
    # the keywords as the examples write them where that is neither lower nor upper case (``Password=``):
    # their base64 forms differ, so the prefilter holds those too; kept when a scan drops the examples
    spellings: tuple[str, ...] = ()

    @property
    def fingerprint_family(self) -> str:
        return self.family or self.id


@dataclass(frozen=True)
class Finding:
    """One occurrence of a secret. The secret stays in memory; reporters redact it by default."""

    rule_id: str
    secret: str = field(repr=False)
    origin: Origin
    start_line: int
    start_column: int
    end_line: int
    end_column: int  # exclusive, as SARIF's endColumn
    fingerprint: str
    severity: Severity
    confidence: Confidence
    entropy: float
    validation: Validation
    line_text: str = field(default="", repr=False)  # the first line of the match, for context
    offset: int = 0  # byte offset of the secret's encoded text in the blob
    decoded: tuple[str, ...] = ()  # decoding chain, outermost first ("base64", "percent")
    companion: tuple[str, str] | None = field(default=None, repr=False)  # (rule id, secret)
    attributes: tuple[tuple[str, str], ...] = ()
    # the context line with every secret any rule found on it masked (``scanner.match.masking``); None: not
    # made yet (a finding built by hand), and reporters mask the finding's own secret themselves
    masked_line: str | None = field(default=None, repr=False)
    # what the credential's provider said (``--verify``), attached after the findings are filtered;
    # None: not verified. Never holds the secret. ``validation`` keeps its offline meaning.
    verification: Verification | None = None

    @property
    def path(self) -> str:
        return self.origin.render()

    def sort_key(self) -> tuple[Any, ...]:
        return (self.origin.render(), self.start_line, self.start_column, self.rule_id, self.fingerprint)

    def attribute(self, key: str) -> str | None:
        for k, v in self.attributes:
            if k == key:
                return v
        return None


def normalise_secret(secret: str) -> str:
    """Whitespace is not part of a credential: PEM bodies wrap, YAML folds, JSON escapes newlines."""
    return "".join(secret.replace("\\n", "\n").split())


def fingerprint(family: str, secret: str) -> str:
    """A stable hash of the rule family and the normalised secret: the same credential anywhere
    has the same fingerprint, whatever line it sits on."""
    digest = hashlib.sha256(f"{family}\x00{normalise_secret(secret)}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def redact(secret: str, show: bool = False) -> str:
    """Keep a short prefix for recognition (``ghp_ab…``) and hide the rest."""
    if show:
        return secret
    flat = normalise_secret(secret)
    if len(flat) <= 8:
        return "*" * len(flat)
    keep = min(6, len(flat) // 5)
    return flat[:keep] + "…" + "*" * 4 + f"({len(flat)})"


MIN_NEEDLE = 8  # a line of a multi-line secret shorter than this is not searched for on its own


def shown_line(finding: Finding, show: bool) -> str:
    """The finding's context line as reports show it: with ``show``, as it was; else the line with
    every secret found on it masked, made once when the finding was finalised
    (``scanner.match.masking``).

    A finding built without that line (by hand, or read from elsewhere) gets its own secret masked
    here: the secret is found by its text on the line; when it is not there verbatim (a decoded secret
    sits on the line encoded, a multi-line secret only starts on it) the column span is masked.
    When neither locates it, no context is given rather than risk printing the secret.
    """
    text = finding.line_text
    if show or not text:
        return text
    if finding.masked_line is not None:
        return finding.masked_line
    mask = redact(finding.secret)
    found = needles(finding.secret)
    if finding.decoded or not any(n in text for n in found):
        masked = _mask_span(text, finding, mask)
        if masked is None:
            return mask
        text = masked
    for needle in found:
        text = text.replace(needle, mask)
    return text


def needles(secret: str) -> list[str]:
    """The texts to look for on a line for ``secret``: itself, and each of its lines long enough to
    be told apart (a PEM body wraps); longest first."""
    parts = {secret, *(line.strip() for line in secret.splitlines())}
    keep = (p for p in parts if p and (p == secret or len(p) >= MIN_NEEDLE))
    return sorted(keep, key=lambda p: (-len(p), p))


def _mask_span(text: str, finding: Finding, mask: str) -> str | None:
    start = finding.start_column - 1
    end = finding.end_column - 1 if finding.end_line == finding.start_line else len(text)
    if start < 0 or start >= len(text) or end <= start:
        return None
    return text[:start] + mask + text[min(end, len(text)) :]
