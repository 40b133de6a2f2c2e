"""Write an inventory as TOML, and merge imported identities into an existing inventory.

The writer knows the inventory's few value types (strings, whole numbers, dates, string lists), so no
TOML library is needed; what it writes reads back to the same Inventory.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Iterable

from scanner.identity.inventory import FORMAT_VERSION, Identity, Inventory, Owner, PathOwner
from scanner.identity.selectors import SELECTORS


def _str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _list(values: Iterable[str]) -> str:
    items = [_str(v) for v in values]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 100:
        return one_line
    return "[\n" + "".join(f"  {item},\n" for item in items) + "]"


def _when(value: dt.datetime) -> str:
    utc = value.astimezone(dt.timezone.utc)
    if utc.time() == dt.time(0, 0):
        return utc.date().isoformat()
    return utc.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def dump_inventory(inventory: Inventory, header: str = "") -> str:
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += [f"version = {FORMAT_VERSION}", ""]
    for ident in inventory.identities:
        lines.append("[[identity]]")
        lines.append(f"id = {_str(ident.id)}")
        if ident.name and ident.name != ident.id:
            lines.append(f"name = {_str(ident.name)}")
        lines.append(f"kind = {_str(ident.kind)}")
        if ident.owner is not None:
            contact = f", contact = {_str(ident.owner.contact)}" if ident.owner.contact else ""
            lines.append(f"owner = {{ team = {_str(ident.owner.team)}{contact} }}")
        if ident.environment:
            lines.append(f"environment = {_str(ident.environment)}")
        if ident.tags:
            lines.append(f"tags = {_list(ident.tags)}")
        if ident.created:
            lines.append(f"created = {_when(ident.created)}")
        if ident.last_rotated:
            lines.append(f"last_rotated = {_when(ident.last_rotated)}")
        if ident.max_age_days:
            lines.append(f"rotation_max_age_days = {ident.max_age_days}")
        if ident.notes:
            lines.append(f"notes = {_str(ident.notes)}")
        if ident.selectors:
            lines.append("")
            lines.append("[identity.selectors]")
            for name, values in ident.selectors:
                lines.append(f"{name} = {_list(values)}")
        lines.append("")
    for po in inventory.path_owners:
        lines.append("[[path_owner]]")
        lines.append(f"pattern = {_str(po.pattern)}")
        lines.append(f"owners = {_list(po.owners)}")
        if po.repository:
            lines.append(f"repository = {_str(po.repository)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _merge_one(old: Identity, new: Identity) -> Identity:
    """Imported facts refresh an identity; what a person wrote (name, kind, owner, policy) is kept."""
    selectors: dict[str, tuple[str, ...]] = {name: values for name, values in old.selectors}
    for name, values in new.selectors:
        selectors[name] = tuple(dict.fromkeys((*selectors.get(name, ()), *values)))
    ordered = tuple((name, selectors[name]) for name in SELECTORS if name in selectors)
    created = min((d for d in (old.created, new.created) if d), default=None)
    return replace(
        old,
        name=old.name or new.name,
        owner=old.owner or new.owner,
        environment=old.environment or new.environment,
        tags=tuple(dict.fromkeys((*old.tags, *new.tags))),
        created=created,
        last_rotated=new.last_rotated or old.last_rotated,
        max_age_days=old.max_age_days or new.max_age_days,
        notes=old.notes or new.notes,
        selectors=ordered,
    )


def merge(base: Inventory, identities: Iterable[Identity], path_owners: Iterable[PathOwner] = ()) -> tuple[Inventory, int, int]:
    """``base`` with ``identities`` added (or merged by id) and ``path_owners`` added (or replaced by
    pattern and repository). Returns the inventory, and how many identities were added and updated."""
    merged: dict[str, Identity] = {i.id: i for i in base.identities}
    added = updated = 0
    for ident in identities:
        if ident.id in merged:
            merged[ident.id] = _merge_one(merged[ident.id], ident)
            updated += 1
        else:
            merged[ident.id] = ident
            added += 1
    owners: dict[tuple[str, str | None], PathOwner] = {(p.pattern, p.repository): p for p in base.path_owners}
    for po in path_owners:
        owners.pop((po.pattern, po.repository), None)  # re-added last: CODEOWNERS order is meaningful
        owners[(po.pattern, po.repository)] = po
    return Inventory.of(tuple(merged.values()), tuple(owners.values()), base.source), added, updated


def with_owner(ident: Identity, team: str | None, contact: str | None, environment: str | None,
               kind: str | None, tags: tuple[str, ...]) -> Identity:
    """An imported identity with the owner, environment, kind and tags given on the command line."""
    owner = Owner(team, contact or "") if team else ident.owner
    return replace(ident, owner=owner, environment=environment or ident.environment, kind=kind or ident.kind,
                   tags=tuple(dict.fromkeys((*ident.tags, *tags))))
