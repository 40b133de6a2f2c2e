"""One name per owner, however it is spelt.

An owner reaches the report as an inventory team (``data``), a CODEOWNERS entry (``@acme/data``,
``@alice``, ``alice@example.com``) or several CODEOWNERS entries of one path (``@acme/data, @acme/ml``).
``owner_key`` is the name they are counted under:

- surrounding space dropped, letters folded to lower case;
- a leading ``@`` dropped (a GitHub user or team handle);
- a GitHub team ``org/team`` (``@acme/data``) is its team: ``data`` (teams of two organisations
  with the same team name are counted as one owner: the inventory names teams without their
  organisation);
- an e-mail address is kept whole (``alice@example.com``);
- several owners of one path are each normalised, and keep their order.
"""

from __future__ import annotations


def _one(name: str) -> str:
    text = name.strip().lower()
    if "@" in text.lstrip("@"):  # an e-mail address
        return text
    text = text.lstrip("@")
    return text.rsplit("/", 1)[-1] if "/" in text else text


def owner_key(team: str) -> str:
    """The normalised owner name ``team`` is counted under (see the module docstring)."""
    parts = [_one(part) for part in team.split(",")]
    return ", ".join(part for part in parts if part) or team.strip().lower()
