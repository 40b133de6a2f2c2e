"""Project configuration: ``.credsprawl.toml`` or ``[tool.credsprawl]`` in pyproject.toml.

```toml
rules = ["ci/extra-rules.toml"]      # extra rule files or folders, relative to this file
disable = ["generic-password"]       # rule ids to turn off
min_confidence = "medium"            # low | medium | high

[allowlist]
paths = ["tests/fixtures/**", "*.lock"]   # gitignore-style globs, never scanned
regexes = ['''^dev-only-''']              # a secret matching one is not reported
stopwords = ["localhost"]                 # a secret containing one is not reported

[extend]
gitleaks = "ci/gitleaks.toml"             # rules in gitleaks' format (a file or a list), translated

[verify]                                  # honoured only from --config or the user's config file
endpoints = { github = "https://ghe.example.com/api/v3" }   # where each provider is asked
recheck_after = "7d"                      # sweeps: ask again about a credential checked longer ago
```

``[verify]`` decides where secrets are sent, so a config file found in a scanned tree or a swept
repository never sets it: :mod:`scanner.settings` uses it only from ``--config`` or the user's own
config file (:func:`user_config_path`, which holds only ``[verify]``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import regex

from scanner.errors import ConfigError
from scanner.model import Confidence

CONFIG_NAME = ".credsprawl.toml"
USER_CONFIG = Path("credsprawl") / "config.toml"  # under $XDG_CONFIG_HOME, else ~/.config
_TOP = frozenset({"rules", "disable", "min_confidence", "allowlist", "extend", "verify"})
_EXTEND = frozenset({"gitleaks"})
_VERIFY = frozenset({"endpoints", "recheck_after"})
_ALLOW = frozenset({"paths", "regexes", "stopwords"})


@dataclass(frozen=True)
class Config:
    """A project's config file (``.credsprawl.toml`` or pyproject.toml's ``[tool.credsprawl]``), read and checked."""

    rules: tuple[Path, ...] = ()
    disable: tuple[str, ...] = ()
    min_confidence: Confidence = Confidence.LOW
    allow_paths: tuple[str, ...] = ()
    allow_regexes: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    source: str = ""  # the file it came from, or "" for defaults
    gitleaks: tuple[Path, ...] = ()  # gitleaks-format rule files ([extend] gitleaks)
    # [verify] endpoints as written (provider, URL); checked and used only when the file is trusted
    verify_endpoints: tuple[tuple[str, str], ...] = ()
    verify_recheck_after: float | None = None  # [verify] recheck_after, in seconds


def _strings(value: Any, what: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{what}' must be a list of strings")
    return tuple(value)


def _section(doc: dict[str, Any], name: str, known: frozenset[str], where: str) -> dict[str, Any]:
    """The ``[name]`` table of a config (empty when absent); refused when it is no table or holds a key
    not in ``known``."""
    table = doc.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    unknown = set(table) - known
    if unknown:
        raise ConfigError(f"{where}: unknown [{name}] key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})")
    return table


def _verify_endpoints(doc: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """The ``[verify] endpoints`` table's pairs, in their order (their URLs are checked where they are
    used: ``scanner.verify.endpoints``)."""
    table = _section(doc, "verify", _VERIFY, where)
    endpoints = table.get("endpoints", {})
    if not isinstance(endpoints, dict) or not all(isinstance(v, str) for v in endpoints.values()):
        raise ConfigError(f"{where}: [verify] endpoints must be a table of provider = \"URL\"")
    return tuple(endpoints.items())


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration(value: str) -> float:
    """``7d``, ``12h``, ``30m``, ``90s``, ``2w`` or a plain number of seconds, as seconds (0 or more);
    a ValueError saying what is accepted otherwise."""
    text = str(value).strip().lower()
    number, unit = (text[:-1], text[-1]) if text[-1:] in _UNITS else (text, "s")
    try:
        seconds = float(number) * _UNITS[unit]
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"not a duration: {value!r} (7d, 12h, 30m, 90s or seconds)")
    return seconds


def _verify_recheck(doc: dict[str, Any], where: str) -> float | None:
    value = _section(doc, "verify", _VERIFY, where).get("recheck_after")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(f"{where}: [verify] recheck_after must be a duration such as \"7d\"")
    try:
        return duration(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: [verify] recheck_after: {exc}") from None


def parse_config(doc: dict[str, Any], where: str, base: Path) -> Config:
    unknown = set(doc) - _TOP
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(_TOP))})")
    allow = _section(doc, "allowlist", _ALLOW, where)
    extend = _section(doc, "extend", _EXTEND, where)
    gitleaks = extend.get("gitleaks", [])
    gitleaks = _strings([gitleaks] if isinstance(gitleaks, str) else gitleaks, "extend.gitleaks", where)
    regexes = _strings(allow.get("regexes", []), "allowlist.regexes", where)
    for r in regexes:
        try:
            regex.compile(r)
        except regex.error as exc:
            raise ConfigError(f"{where}: allowlist regex {r!r} does not compile: {exc}") from None
    try:
        min_conf = Confidence(doc.get("min_confidence", "low"))
    except ValueError:
        raise ConfigError(f"{where}: min_confidence must be one of low, medium, high") from None
    return Config(
        rules=tuple(base / p for p in _strings(doc.get("rules", []), "rules", where)),
        disable=_strings(doc.get("disable", []), "disable", where),
        min_confidence=min_conf,
        allow_paths=_strings(allow.get("paths", []), "allowlist.paths", where),
        allow_regexes=regexes,
        stopwords=tuple(s.lower() for s in _strings(allow.get("stopwords", []), "allowlist.stopwords", where)),
        source=where,
        gitleaks=tuple(base / p for p in gitleaks),
        verify_endpoints=_verify_endpoints(doc, where),
        verify_recheck_after=_verify_recheck(doc, where),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # loaded only when there is a config file to read

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_config(path: Path) -> Config:
    doc = _read_toml(path)
    if path.name == "pyproject.toml":
        doc = doc.get("tool", {}).get("credsprawl", {})
        if not isinstance(doc, dict):
            raise ConfigError(f"{path}: [tool.credsprawl] must be a table")
    return parse_config(doc, str(path), path.parent)


def discover(directories: list[Path]) -> Config:
    """The first ``.credsprawl.toml``, or pyproject.toml with ``[tool.credsprawl]``, in the given
    directories (the scan root first, then the working directory); defaults when there is none."""
    for d in directories:  # os.path.isfile: a folder that cannot be searched has no config (the walk names it)
        candidate = d / CONFIG_NAME
        if os.path.isfile(candidate):
            return load_config(candidate)
        pyproject = d / "pyproject.toml"
        if os.path.isfile(pyproject) and "tool" in (doc := _read_toml(pyproject)) and "credsprawl" in doc["tool"]:
            return load_config(pyproject)
    return Config()


def user_config_path(env: Mapping[str, str] = os.environ) -> Path:
    """The user's own config file: ``$XDG_CONFIG_HOME/credsprawl/config.toml``, else
    ``~/.config/credsprawl/config.toml``."""
    base = env.get("XDG_CONFIG_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".config") / USER_CONFIG


def load_user_config(path: Path) -> Config:
    """The user's config file (only ``[verify]``); defaults when there is none."""
    if not os.path.isfile(path):
        return Config()
    doc = _read_toml(path)
    unknown = set(doc) - {"verify"}
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}: this file holds only [verify] "
                          f"(rules and allowlists go in .credsprawl.toml or --config)")
    return Config(source=str(path), verify_endpoints=_verify_endpoints(doc, str(path)),
                  verify_recheck_after=_verify_recheck(doc, str(path)))
