"""Correlation: which identity a credential belongs to, which owners' code holds it, and which unknown
credentials look like one identity.

``SelectorIndex`` files every selector value of an inventory in a dict keyed by (selector, normalised
value); user@host patterns with wildcards and path globs are the only ones tried one by one, once per
distinct value or path (``GlobIndex`` narrows globs by their literal prefix). Nothing loops over
identities x findings, so 100,000 findings against 10,000 identities take about a second
(bench/correlate_bench.py).

The identity of a credential is the one matched by its strongest selector (``selectors.SELECTORS``);
at equal strength the identity defined first in the inventory wins, and the selector first in the
registry names the match. Every identity that matches by a
selector stronger than a path glob *holds* the credential: more than one holder means a shared
credential. Path globs only name an identity when nothing stronger does.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

from scanner.identity.globindex import GlobIndex
from scanner.identity.inventory import Inventory, PathOwner
from scanner.identity.selectors import SELECTORS, STRENGTH_PATH, SelectorKind

_LIST_SPLIT = re.compile(r"[\s,;]+")
Fact = Callable[[Mapping[str, str]], "str | None"]
_USER_AT_HOST = re.compile(r"[^@\s]+@[^@\s]+")
_ORDER = {name: i for i, name in enumerate(SELECTORS)}  # equal strength: the registry's order names the match


class Match(NamedTuple):
    identity: int  # index into Inventory.identities
    selector: str
    value: str
    strength: int


def _host(server: str) -> str:
    """``https://k8s.example.com:6443/path`` -> ``k8s.example.com``."""
    text = server.split("://", 1)[-1]
    return text.split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].lower()


def user_hosts(attrs: Mapping[str, str]) -> list[str]:
    """The ``user@host`` facts of a credential: database user at host, Kubernetes user at API server,
    an SSH key comment."""
    out: list[str] = []
    if attrs.get("db.user") and attrs.get("db.host"):
        out.append(f"{attrs['db.user']}@{attrs['db.host']}".lower())
    if attrs.get("kube.user") and attrs.get("kube.server"):
        out.append(f"{attrs['kube.user']}@{_host(attrs['kube.server'])}".lower())
    comment = attrs.get("key.comment", "").strip()
    if comment and _USER_AT_HOST.fullmatch(comment):
        out.append(comment.lower())
    return out


class SelectorIndex:
    """Every selector of an inventory, and its CODEOWNERS-style path owners, indexed for look-up.

    Identity path globs and path owner patterns share one GlobIndex, so each distinct path is walked
    once for both."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.exact: dict[tuple[str, str], list[int]] = {}
        self.wild_user_hosts: list[tuple[re.Pattern[str], str, int]] = []
        globs: list[tuple[str, tuple[int, str] | PathOwner]] = []
        for i, ident in enumerate(inventory.identities):
            for name, values in ident.selectors:
                for value in values:
                    if name == "paths":
                        globs.append((value, (i, value)))
                    elif name == "user_hosts" and any(c in value for c in "*?["):
                        self.wild_user_hosts.append((re.compile(fnmatch.translate(value)), value, i))
                    else:
                        self.exact.setdefault((name, value), []).append(i)
        self.has_path_selectors = bool(globs)
        self.has_path_owners = bool(inventory.path_owners)
        globs.extend((entry.pattern, entry) for entry in inventory.path_owners)  # after: order is CODEOWNERS order
        self.globs: GlobIndex[tuple[int, str] | PathOwner] = GlobIndex(globs)
        self._wild_cache: dict[str, list[tuple[str, int]]] = {}
        self._by_attribute: dict[str, list[SelectorKind]] = {}
        for kind in SELECTORS.values():
            for attr in kind.attributes:
                self._by_attribute.setdefault(attr, []).append(kind)

    def _user_host_hits(self, value: str) -> list[tuple[str, int]]:
        hit = self._wild_cache.get(value)
        if hit is None:
            hit = [(pattern, i) for regex, pattern, i in self.wild_user_hosts if regex.match(value)]
            self._wild_cache[value] = hit
        return hit

    def matches(self, attrs: Mapping[str, str], paths: Iterable[str]) -> list[Match]:
        """Every (identity, selector) that matches a credential with these attributes and paths."""
        out: list[Match] = []
        exact = self.exact
        for attr, raw in attrs.items():
            kinds = self._by_attribute.get(attr)
            if not kinds or not raw:
                continue
            for kind in kinds:
                for piece in (_LIST_SPLIT.split(raw) if attr == "key.paired_certs" else (raw,)):
                    try:
                        value = kind.normalise(piece)
                    except ValueError:
                        continue
                    for i in exact.get((kind.name, value), ()):
                        out.append(Match(i, kind.name, value, kind.strength))
        if "db.user" in attrs or "kube.user" in attrs or "key.comment" in attrs:
            strength = SELECTORS["user_hosts"].strength
            for value in user_hosts(attrs):
                for i in exact.get(("user_hosts", value), ()):
                    out.append(Match(i, "user_hosts", value, strength))
                for pattern, i in self._user_host_hits(value) if self.wild_user_hosts else ():
                    out.append(Match(i, "user_hosts", pattern, strength))
        if self.has_path_selectors:
            for path in paths:
                for _order, payload in self.globs.matches(path):
                    if isinstance(payload, tuple):
                        out.append(Match(payload[0], "paths", payload[1], STRENGTH_PATH))
        return out

    def owners(self, repository: str | None, path: str) -> tuple[str, ...] | None:
        """CODEOWNERS semantics over the inventory's ``path_owner`` entries: the owners of the last entry
        whose pattern matches ``path`` (for its repository, or any when the entry names none); empty:
        explicitly unowned; None when no entry matches."""
        if not self.has_path_owners:
            return None
        for _order, entry in reversed(self.globs.matches(path)):
            if isinstance(entry, PathOwner) and (entry.repository is None or entry.repository == repository):
                return entry.owners
        return None


def best_and_holders(matches: Sequence[Match]) -> tuple[Match | None, list[int]]:
    """The strongest match (first-defined identity on a tie) and the identities holding the credential."""
    if not matches:
        return None, []
    best = min(matches, key=lambda m: (-m.strength, m.identity, _ORDER[m.selector]))
    holders = sorted({m.identity for m in matches if m.strength > STRENGTH_PATH} | {best.identity})
    return best, holders


# ------------------------------------------------------------------------------------------------
# candidate identities for credentials no identity claims

def _joined(*keys: str, sep: str = "@") -> Fact:
    def get(attrs: Mapping[str, str]) -> str | None:
        values = [attrs.get(k) for k in keys]
        return sep.join(v.lower() for v in values if v) if all(values) else None
    return get


def _first(*keys: str) -> Fact:
    def get(attrs: Mapping[str, str]) -> str | None:
        for k in keys:
            if attrs.get(k):
                return attrs[k]
        return None
    return get


def _comment(attrs: Mapping[str, str]) -> str | None:
    comment = attrs.get("key.comment", "").strip()
    return comment.lower() if comment and _USER_AT_HOST.fullmatch(comment) else None


# the facts that cluster unknown credentials, most specific first: the first fact a cluster shares
# names it (its basis)
CLUSTER_FACTS: tuple[tuple[str, Fact], ...] = (
    ("gcp.client_email", _first("gcp.client_email")),
    ("key.spki_sha256", _first("key.spki_sha256", "cert.spki_sha256")),
    ("key.ssh_sha256", _first("key.ssh_sha256")),
    ("aws.key_id", _first("aws.key_id")),
    ("db.user@host", _joined("db.user", "db.host")),
    ("kube.user@server", _joined("kube.user", "kube.server")),
    ("jwt.iss+sub", _joined("jwt.iss", "jwt.sub", sep=" ")),
    ("token.id", _first("token.id")),
    ("key.comment", _comment),
    ("azure.storage_account", _first("azure.storage_account")),
    ("aws.account_id", _first("aws.account_id")),
    ("db.host", _first("db.host")),
    ("kube.server", _first("kube.server")),
    ("gcp.project_id", _first("gcp.project_id")),
)


@dataclass(frozen=True)
class Candidate:
    id: str
    basis: str
    facts: dict[str, str]
    members: tuple[int, ...]  # credential indexes


def cluster(facts_of: Sequence[tuple[int, Mapping[str, str]]]) -> list[Candidate]:
    """Group credentials (index, attributes) that share a clustering fact (union-find)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_of: dict[tuple[str, str], int] = {}
    values: dict[int, dict[str, str]] = {}
    for cred, attrs in facts_of:
        mine = {name: v for name, get in CLUSTER_FACTS if (v := get(attrs))}
        if not mine:
            continue
        values[cred] = mine
        parent[cred] = cred
        for item in mine.items():
            other = first_of.setdefault(item, cred)
            if other != cred:
                a, b = find(other), find(cred)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for cred in values:
        groups.setdefault(find(cred), []).append(cred)
    out: list[Candidate] = []
    for members in groups.values():
        shared: dict[str, str] = {}
        for name, _get in CLUSTER_FACTS:
            seen = {values[m].get(name) for m in members}
            if len(seen) == 1 and None not in seen:
                shared[name] = seen.pop()  # type: ignore[assignment]
        if shared:
            basis = next(iter(shared))
            value = shared[basis]
        else:  # a chain: members linked pairwise by different facts; named by the first fact that links two
            counts = Counter((name, values[m][name]) for m in members for name, _get in CLUSTER_FACTS if name in values[m])
            basis, value = next((name, v) for name, _get in CLUSTER_FACTS for (n, v), k in counts.items() if n == name and k > 1)
        out.append(Candidate(f"candidate:{basis}={value}", basis, shared or {basis: value}, tuple(sorted(members))))
    out.sort(key=lambda c: (-len(c.members), c.id))
    return out

