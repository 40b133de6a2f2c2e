"""Settings: which rules run and which findings are kept, built once per command.

Every scanning command (``scan``, ``history``, ``staged``, the GitHub Action, ``ci github``, ``sweep``,
``rules list``) builds one :class:`Settings` with :func:`build_settings` from its :class:`Flags` (the
command line, or the Action's inputs) and the project's config file, and makes its request from it.
So a config's ``[extend] gitleaks`` rules, its allowlists and ``--exclude`` mean the same everywhere.

Precedence: an explicit ``--config`` file, else the first ``.credsprawl.toml`` (or pyproject.toml
with ``[tool.credsprawl]``) of the search folders (the scanned folder or repository, then the working
directory); flags add to the config's rule files, gitleaks files, disabled rules and excludes, and
``--min-confidence`` replaces the config's.

Verification (``--verify``, ``--only-verified``) is off unless asked. Where each provider is asked
(``[verify] endpoints``) comes only from ``--config`` or the user's own config file
(``$XDG_CONFIG_HOME/credsprawl/config.toml``), the ``--config`` file's entries winning: a config found
in the scanned tree, the working directory or a swept repository is a repository's, and a repository
must not be able to redirect its own secrets, so its ``[verify]`` table is ignored (one warning line).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from scanner.config import Config, discover, load_config, load_user_config, user_config_path
from scanner.errors import ConfigError, UsageError
from scanner.filters.findings import FindingFilter
from scanner.match.backends import hyperscan_available
from scanner.model import Confidence
from scanner.pipeline.engine import MB, EngineSettings
from scanner.rules.cache import load_rules_cached
from scanner.rules.load import RuleSet

if TYPE_CHECKING:
    from scanner.verify.endpoints import Endpoints

VERIFY_TIMEOUT = 300.0  # seconds for a run's whole verification (--verify-timeout)
RECHECK_AFTER = 7 * 86400.0  # seconds before a sweep asks again about a credential ([verify] recheck_after)


@dataclass(frozen=True)
class Flags:
    """The rule, filter and engine options a user gave (every scanning command offers the same)."""

    config: Path | None = None
    rules: tuple[Path, ...] = ()
    disable: tuple[str, ...] = ()
    gitleaks: tuple[Path, ...] = ()  # --gitleaks-config
    exclude: tuple[str, ...] = ()
    min_confidence: str | None = None
    max_file_size: int = 50 * MB
    regex_timeout: float = 2.0
    max_decode_depth: int = 2
    engine: str = "auto"
    verify: bool = False  # --verify
    only_verified: bool = False  # --only-verified (verifies too)
    verify_timeout: float = VERIFY_TIMEOUT
    verify_hosts_from_content: bool = False  # --verify-hosts-from-content
    verify_recheck_after: float | None = None  # --verify-recheck-after (sweeps), seconds

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Flags:
        """The flags of parsed arguments (``scanner.cli.options.add_settings_options``)."""
        d = cls()
        return cls(
            config=getattr(args, "config", None),
            rules=tuple(getattr(args, "rules", None) or ()),
            disable=tuple(getattr(args, "disable", None) or ()),
            gitleaks=tuple(getattr(args, "gitleaks_config", None) or ()),
            exclude=tuple(getattr(args, "exclude", None) or ()),
            min_confidence=getattr(args, "min_confidence", None),
            max_file_size=getattr(args, "max_file_size", d.max_file_size),
            regex_timeout=getattr(args, "regex_timeout", d.regex_timeout),
            max_decode_depth=getattr(args, "max_decode_depth", d.max_decode_depth),
            engine=getattr(args, "engine", d.engine),
            verify=getattr(args, "verify", False),
            only_verified=getattr(args, "only_verified", False),
            verify_timeout=getattr(args, "verify_timeout", d.verify_timeout),
            verify_hosts_from_content=getattr(args, "verify_hosts_from_content", False),
            verify_recheck_after=getattr(args, "verify_recheck_after", None),
        )


@dataclass(frozen=True)
class VerifySettings:
    """Whether a run asks providers about its findings, and where. ``endpoints`` is set (checked:
    https, or http to loopback) exactly when ``enabled``."""

    enabled: bool = False
    only_verified: bool = False  # keep only the findings a provider confirmed live
    timeout: float = VERIFY_TIMEOUT  # seconds for the whole run's verification
    endpoints: Endpoints | None = field(default=None, repr=False)
    hosts_from_content: bool = False  # a per-organisation host written beside the secret may be asked
    recheck_after: float = RECHECK_AFTER  # sweeps: seconds before a stored result is checked again


@dataclass(frozen=True)
class Settings:
    """Everything a scanning command needs from flags and config: rules, engine, excludes, verification."""

    config: Config
    ruleset: RuleSet
    engine: EngineSettings
    excludes: tuple[str, ...] = ()  # the config's allowlist paths, then --exclude
    verify: VerifySettings = VerifySettings()

    @property
    def max_file_size(self) -> int:
        return self.engine.max_file_size


def resolve_engine(name: str) -> str:
    """``auto`` becomes the backend that will run, so every worker runs the same one."""
    if name == "hyperscan" and not hyperscan_available():
        raise UsageError("--engine hyperscan: the hyperscan package is not installed on this platform")
    if name == "auto":
        return "hyperscan" if hyperscan_available() else "ahocorasick"
    return name


def with_gitleaks_rules(ruleset: RuleSet, files: Sequence[Path]) -> RuleSet:
    """``ruleset`` plus the translated rules of gitleaks-format files; one warning line on stderr
    for each rule that could not be translated whole."""
    if not files:
        return ruleset
    from scanner.rules.gitleaks import extend_ruleset

    extended, warnings = extend_ruleset(ruleset, list(files))
    for w in warnings:
        print(f"credsprawl: warning: {w}", file=sys.stderr)
    return extended


def find_config(flags: Flags, search: Sequence[Path]) -> Config:
    return load_config(flags.config) if flags.config is not None else discover(list(search))


def verify_settings(flags: Flags, config: Config, trusted: bool) -> VerifySettings:
    """Verification as asked: off without ``--verify`` / ``--only-verified`` (nothing is read or
    imported then); else the endpoints of the user's config file, overridden by ``config``'s when it
    is ``trusted`` (given with ``--config``). An untrusted config's ``[verify]`` table is ignored,
    and one line on stderr says so."""
    if not (flags.verify or flags.only_verified):
        return VerifySettings()
    from scanner.verify.endpoints import Endpoints  # imports the HTTP client: only when verifying

    if (config.verify_endpoints or config.verify_recheck_after is not None) and not trusted:
        print(f"credsprawl: warning: {config.source}: [verify] ignored: endpoints are read only from --config "
              f"or {user_config_path()} (a scanned repository must not redirect its secrets)", file=sys.stderr)
    overrides: dict[str, str] = {}
    recheck = RECHECK_AFTER
    for source in (load_user_config(user_config_path()), *([config] if trusted else [])):
        try:
            Endpoints.from_overrides(dict(source.verify_endpoints))  # each file's mistakes name that file
        except ConfigError as exc:
            raise ConfigError(f"{source.source}: {exc}") from None
        overrides.update(source.verify_endpoints)
        recheck = source.verify_recheck_after if source.verify_recheck_after is not None else recheck
    if flags.verify_recheck_after is not None:
        recheck = flags.verify_recheck_after
    return VerifySettings(True, flags.only_verified, flags.verify_timeout, Endpoints.from_overrides(overrides),
                          flags.verify_hosts_from_content, recheck)


def build_settings(flags: Flags, search: Sequence[Path], config: Config | None = None) -> Settings:
    """The one builder. ``search``: folders to look for a config file in, in order (unless ``--config``
    or ``config`` gives it). Only a ``--config`` file may set ``[verify]``: ``config`` (a swept
    repository's) and a discovered one may not."""
    trusted = config is None and flags.config is not None
    config = config if config is not None else find_config(flags, search)
    # the loaded rules come from the start-up cache (parsing ninety rule files is a serial tenth of a second)
    ruleset = with_gitleaks_rules(load_rules_cached([*config.rules, *flags.rules]), [*config.gitleaks, *flags.gitleaks])
    ruleset = ruleset.without([*config.disable, *flags.disable])
    min_conf = Confidence(flags.min_confidence) if flags.min_confidence else config.min_confidence
    engine = EngineSettings(
        max_file_size=flags.max_file_size,
        regex_timeout=flags.regex_timeout,
        max_decode_depth=max(0, flags.max_decode_depth),
        engine=resolve_engine(flags.engine),
        filter=FindingFilter(config.allow_regexes, config.stopwords, min_conf),
    )
    return Settings(config, ruleset, engine, (*config.allow_paths, *flags.exclude),
                    verify_settings(flags, config, trusted))
