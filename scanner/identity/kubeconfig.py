"""Kubeconfig facts: which user entry holds a secret (``kube.user``) and the API server of the
cluster its context names (``kube.server``; the only cluster's server when no context says). A
small reader of the kubeconfig's three lists (``clusters``, ``contexts``, ``users``), enough for the
layout kubectl writes and the common hand-written variants; anything else gives no facts.
"""

from __future__ import annotations

import re

from scanner.match.lazy import Lazy

_SECTION = Lazy(re.compile, r"(?m)^([ \t]*)(clusters|contexts|users):[ \t]*(?:#[^\n]*)?\r?$")
_LINE = Lazy(re.compile, r"[^\n]*\n?")


def _yaml_items(text: str, section: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each list item of the first top-level ``section:`` of a YAML text."""
    items: list[tuple[int, int, str]] = []
    for head in _SECTION.finditer(text):
        if head.group(2) != section:
            continue
        indent, item_indent, start = len(head.group(1)), None, None
        pos = head.end() + 1
        end = len(text)
        for line in _LINE.finditer(text, pos):
            if not line.group(0):
                break
            body = line.group(0).lstrip(" \t")
            col = len(line.group(0)) - len(body)
            if not body.strip() or body.startswith("#"):
                continue
            if col < indent or (col == indent and not body.startswith("-")):
                end = line.start()
                break
            if body.startswith("-") and (item_indent is None or col == item_indent):
                item_indent = col
                if start is not None:
                    items.append((start, line.start(), text[start : line.start()]))
                start = line.start()
        if start is not None:
            items.append((start, end, text[start:end]))
        return items
    return items


def _item_scalar(item: str, key: str) -> str | None:
    m = re.search(r"(?m)^[ \t]*(?:-[ \t]+)?" + re.escape(key) + r":[ \t]*[\"']?([^\"'\s#]+)", item)
    return m.group(1) if m else None


def _item_name(item: str) -> str | None:
    """The ``name`` of a list item at the item's own level (not one of a nested list's entries)."""
    lines = item.split("\n")
    dash = len(lines[0]) - len(lines[0].lstrip(" \t"))
    after = lines[0][dash + 1 :]
    level = dash + 1 + len(after) - len(after.lstrip(" "))
    for n, line in enumerate(lines):
        if n and len(line) - len(line.lstrip(" ")) != level:
            continue
        body = line[level:]
        if body.startswith("name:"):
            return body[5:].split(" #")[0].strip().strip("\"'") or None
    return None


def document_facts(text: str, offset: int) -> dict[str, str]:
    """The kubeconfig user whose entry holds the secret, and the server of the cluster its context
    names (or of the only cluster)."""
    if len(text) > 1 << 18:
        lo = max(0, offset - (1 << 17))
        text, offset = text[lo : offset + (1 << 17)], offset - lo
    user = next((_item_name(item) for start, end, item in _yaml_items(text, "users") if start <= offset < end), None)
    servers = {_item_name(item): _item_scalar(item, "server") for _, _, item in _yaml_items(text, "clusters")}
    servers = {name: server for name, server in servers.items() if name and server}
    server = None
    if user is not None:
        linked = {_item_scalar(item, "cluster") for _, _, item in _yaml_items(text, "contexts")
                  if _item_scalar(item, "user") == user}
        found = {servers[c] for c in linked if c in servers}
        server = found.pop() if len(found) == 1 else None
    if server is None and len(set(servers.values())) == 1:
        server = next(iter(servers.values()))
    return {key: value for key, value in (("kube.user", user), ("kube.server", server)) if value}
