"""The inventory of machine identities: who owns which credential (docs/inventory.md).

TOML is the primary format; a JSON document with the same keys is accepted too::

    version = 1

    [[identity]]
    id = "billing-exporter"               # unique; letters, digits and . _ - : / @
    name = "Billing exporter"             # default: the id
    kind = "service-account"              # one of KINDS
    owner = { team = "payments", contact = "payments-oncall@example.com" }
    environment = "production"
    tags = ["pci"]
    created = 2024-01-10                  # TOML date or datetime, or an ISO 8601 string
    last_rotated = 2025-03-01
    rotation_max_age_days = 90
    notes = "free text"

    [identity.selectors]                  # see scanner.identity.selectors.SELECTORS
    aws_key_ids = ["..."]

    [[path_owner]]                        # CODEOWNERS-style: the last matching pattern wins
    pattern = "/services/billing/"
    owners = ["@acme/payments"]
    repository = "acme/shop"              # optional: only locations in this repository

Every problem is a UsageError of one line naming the file and the line of the offending key.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from scanner.errors import UsageError
from scanner.identity.locate import JsonLocator, Locator, TomlLocator
from scanner.identity.locate import Path as KeyPath
from scanner.identity.selectors import SELECTORS, looks_like_clear_secret

FORMAT_VERSION = 1
KINDS = ("service-account", "workload", "host", "ci-job", "bot", "application", "device", "user", "other")
IDENTITY_FIELDS = ("id", "name", "kind", "owner", "environment", "tags", "created", "last_rotated",
                   "rotation_max_age_days", "notes", "selectors")
OWNER_FIELDS = ("team", "contact")
PATH_OWNER_FIELDS = ("pattern", "owners", "repository")
TOP_FIELDS = ("version", "identity", "path_owner")
_ID = re.compile(r"[A-Za-z0-9._:/@+-]{1,200}")


@dataclass(frozen=True)
class Owner:
    team: str
    contact: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"team": self.team, "contact": self.contact}


@dataclass(frozen=True)
class Identity:
    id: str
    kind: str
    name: str = ""
    owner: Owner | None = None
    environment: str | None = None
    tags: tuple[str, ...] = ()
    created: dt.datetime | None = None
    last_rotated: dt.datetime | None = None
    max_age_days: int | None = None
    notes: str = ""
    selectors: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (selector kind, normalised values), registry order
    line: int = 0

    @property
    def display_name(self) -> str:
        return self.name or self.id

    def values(self, kind: str) -> tuple[str, ...]:
        for name, values in self.selectors:
            if name == kind:
                return values
        return ()


@dataclass(frozen=True)
class PathOwner:
    pattern: str
    owners: tuple[str, ...]
    repository: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Inventory:
    identities: tuple[Identity, ...] = ()
    path_owners: tuple[PathOwner, ...] = ()
    source: str = ""
    by_id: Mapping[str, Identity] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def of(identities: tuple[Identity, ...], path_owners: tuple[PathOwner, ...] = (), source: str = "") -> Inventory:
        return Inventory(identities, path_owners, source, {i.id: i for i in identities})


def load_inventory(path: Path) -> Inventory:
    """Read and check an inventory file (TOML, or JSON when it ends in .json or starts with ``{``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: inventory file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the inventory: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_inventory(text, str(path), as_json=path.suffix.lower() == ".json" or text.lstrip().startswith("{"))


def parse_inventory(text: str, source: str, as_json: bool = False) -> Inventory:
    locator: Locator
    if as_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        locator = JsonLocator(text)
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            where = m.group(1) if m else "1"
            reason = re.sub(r" \(at .*\)$", "", str(exc))
            raise UsageError(f"{source}:{where}: invalid TOML: {reason}") from None
        locator = TomlLocator(text)
    return _Checker(source, locator).inventory(data)


class _Checker:
    """Turns the parsed document into an Inventory, or raises at the first problem."""

    def __init__(self, source: str, locator: Locator) -> None:
        self.source = source
        self.locator = locator

    def fail(self, path: KeyPath, message: str, value: str | None = None) -> UsageError:
        return UsageError(f"{self.source}:{self.locator.line(path, value)}: {message}")

    def inventory(self, data: Any) -> Inventory:
        if not isinstance(data, dict):
            raise self.fail((), "an inventory is a table (TOML) or an object (JSON)")
        self.unknown(data, (), TOP_FIELDS, "top-level key")
        version = data.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise self.fail(("version",), f"unsupported inventory version {version!r} (this credsprawl reads {FORMAT_VERSION})")
        identities: list[Identity] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(self.table_list(data, "identity")):
            ident = self.identity(raw, ("identity", i))
            if ident.id in seen:
                raise self.fail(("identity", i, "id"), f"duplicate identity id {ident.id!r} (first defined on line {seen[ident.id]})")
            seen[ident.id] = ident.line
            identities.append(ident)
        owners = tuple(self.path_owner(raw, ("path_owner", i)) for i, raw in enumerate(self.table_list(data, "path_owner")))
        return Inventory.of(tuple(identities), owners, self.source)

    def table_list(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail((key,), f"{key!r} must be an array of tables ([[{key}]])")
        return value

    def unknown(self, table: dict[str, Any], path: KeyPath, known: tuple[str, ...], what: str) -> None:
        for key in table:
            if key not in known:
                raise self.fail((*path, key), f"unknown {what} {key!r} (known: {', '.join(known)})")

    def text(self, table: dict[str, Any], path: KeyPath, key: str, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                raise self.fail(path, f"missing required key {key!r}")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail((*path, key), f"{key!r} must be a non-empty string")
        return value.strip()

    def strings(self, table: dict[str, Any], path: KeyPath, key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail((*path, key), f"{key!r} must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def when(self, table: dict[str, Any], path: KeyPath, key: str) -> dt.datetime | None:
        value = table.get(key)
        if value is None:
            return None
        parsed = to_datetime(value)
        if parsed is None:
            raise self.fail((*path, key), f"{key!r} must be a date (2024-01-31) or an ISO 8601 date-time")
        return parsed

    def identity(self, raw: dict[str, Any], path: KeyPath) -> Identity:
        self.unknown(raw, path, IDENTITY_FIELDS, "identity field")
        ident = self.text(raw, path, "id", required=True) or ""
        if not _ID.fullmatch(ident):
            raise self.fail((*path, "id"), f"identity id {ident!r} may hold only letters, digits and . _ - : / @ +")
        kind = self.text(raw, path, "kind", required=True) or ""
        if kind not in KINDS:
            raise self.fail((*path, "kind"), f"identity {ident!r}: unknown kind {kind!r} (choose one of {', '.join(KINDS)})")
        age = raw.get("rotation_max_age_days")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or age < 1):
            raise self.fail((*path, "rotation_max_age_days"), f"identity {ident!r}: rotation_max_age_days must be a whole number of days, 1 or more")
        return Identity(
            id=ident, kind=kind, name=self.text(raw, path, "name") or "", owner=self.owner(raw, path, ident),
            environment=self.text(raw, path, "environment"), tags=self.strings(raw, path, "tags"),
            created=self.when(raw, path, "created"), last_rotated=self.when(raw, path, "last_rotated"),
            max_age_days=age, notes=self.text(raw, path, "notes") or "",
            selectors=self.selectors(raw.get("selectors", {}), (*path, "selectors"), ident),
            line=self.locator.line(path),
        )

    def owner(self, raw: dict[str, Any], path: KeyPath, ident: str) -> Owner | None:
        value = raw.get("owner")
        if value is None:
            return None
        here = (*path, "owner")
        if isinstance(value, str) and value.strip():
            return Owner(value.strip())
        if not isinstance(value, dict):
            raise self.fail(here, f"identity {ident!r}: owner must be a table {{team = ..., contact = ...}} or a team name")
        self.unknown(value, here, OWNER_FIELDS, "owner field")
        return Owner(self.text(value, here, "team", required=True) or "", self.text(value, here, "contact") or "")

    def selectors(self, raw: Any, path: KeyPath, ident: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(raw, dict):
            raise self.fail(path, f"identity {ident!r}: selectors must be a table")
        self.unknown(raw, path, tuple(SELECTORS), "selector")
        out: list[tuple[str, tuple[str, ...]]] = []
        for name, kind in SELECTORS.items():
            values = raw.get(name)
            if values is None:
                continue
            if isinstance(values, (str, int)) and not isinstance(values, bool):
                values = [values]
            if not isinstance(values, list):
                raise self.fail((*path, name), f"identity {ident!r}: selector {name!r} must be a list")
            normalised: list[str] = []
            for value in values:
                if isinstance(value, int) and not isinstance(value, bool) and name == "cert_serials":
                    value = format(value, "x")  # an integer serial is the decimal number
                if not isinstance(value, str):
                    raise self.fail((*path, name), f"identity {ident!r}: selector {name!r} holds a non-string value")
                try:
                    normalised.append(kind.normalise(value))
                except ValueError as exc:
                    if "clear" in str(exc):
                        message = f"identity {ident!r}: {name}: {exc}"
                    elif looks_like_clear_secret(value) and name != "paths":
                        message = (f"identity {ident!r}: {name}: {exc} (the value is not shown: "
                                   "it looks like it could be a secret in clear)")
                    else:
                        message = f"identity {ident!r}: {name} {value!r}: {exc}"
                    raise self.fail((*path, name), message, value) from None
            if normalised:
                out.append((name, tuple(dict.fromkeys(normalised))))
        return tuple(out)

    def path_owner(self, raw: dict[str, Any], path: KeyPath) -> PathOwner:
        self.unknown(raw, path, PATH_OWNER_FIELDS, "path_owner field")
        pattern = self.text(raw, path, "pattern", required=True) or ""
        owners = self.strings(raw, path, "owners")  # empty: explicitly unowned, as in CODEOWNERS
        return PathOwner(pattern, owners, self.text(raw, path, "repository"), self.locator.line(path))


def to_datetime(value: Any) -> dt.datetime | None:
    """A TOML date/datetime or an ISO 8601 string as an aware datetime (UTC when no offset is given)."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
