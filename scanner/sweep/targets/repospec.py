"""One repository an org-wide sweep covers: a remote to mirror, or a local repository used in place."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# scp-like git remotes: ``git@host:org/repo.git`` (a colon before any slash, and not a Windows drive)
_SCP = re.compile(r"^(?:[^@/\s]+@)?(?P<host>[^:/\s]{2,}):(?P<path>(?!//)\S+)$")
_SCHEMES = frozenset({"http", "https", "ssh", "git", "file"})


@dataclass(frozen=True)
class RepoSpec:
    """``name`` is a stable display id (``org/repo``, or a folder relative to the searched root);
    ``url`` a remote (``https://``, ``ssh://``, ``git@host:path``, ``file://``) to mirror; ``path`` a
    local repository scanned in place. Exactly one of ``url`` and ``path`` is set."""

    name: str
    url: str | None = None
    path: Path | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("RepoSpec needs a name")
        if (self.url is None) == (self.path is None):
            raise ValueError(f"RepoSpec {self.name!r} needs exactly one of url and path")


def is_remote(text: str) -> bool:
    """Whether ``text`` reads as a git remote URL (rather than a local path)."""
    return "://" in text or bool(_SCP.match(text))


def check_remote(url: str) -> str | None:
    """Why ``url`` is not a usable remote, or None when it is."""
    if any(c.isspace() for c in url):
        return "one URL or path a line (this one has spaces)"
    if "://" not in url:
        return None if _SCP.match(url) else "not a URL"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme.lower() not in _SCHEMES:
        return f"unsupported scheme {parts.scheme!r} (use one of {', '.join(sorted(_SCHEMES))})"
    if parts.scheme.lower() == "file":
        return None if parts.path not in ("", "/") else "a file:// URL needs a path"
    if not parts.hostname:
        return "the URL has no host"
    if parts.path.strip("/") == "":
        return "the URL has no repository path"
    return None


def name_for_url(url: str) -> str:
    """A display name for a remote: ``host/org/repo`` (no credentials, no ``.git``); a file:// URL's path."""
    m = None if "://" in url else _SCP.match(url)
    if m:
        host, path = m.group("host"), m.group("path")
    else:
        parts = urllib.parse.urlsplit(url)
        port = _port(parts)
        host = (parts.hostname or "") + (f":{port}" if port else "")
        path = urllib.parse.unquote(parts.path)
    path = path.strip("/")
    path = path[:-4] if path.endswith(".git") else path
    return f"{host}/{path}" if host else f"/{path}"


def _port(parts: urllib.parse.SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


def redact_url(url: str) -> str:
    """``url`` with any user and password replaced by ``***`` (for messages and logs)."""
    if "://" not in url:
        return url
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]))
