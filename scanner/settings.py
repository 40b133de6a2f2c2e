"""Settings: which rules run and which findings are kept, built once per command.

Every scanning command (``scan``, ``history``, ``staged``, the GitHub Action, ``ci github``, ``sweep``,
``rules list``) builds one :class:`Settings` with :func:`build_settings` from its :class:`Flags` (the
command line, or the Action's inputs) and the project's config file, and makes its request from it.
So a config's ``[extend] gitleaks`` rules, its allowlists and ``--exclude`` mean the same everywhere.

Precedence: an explicit ``--config`` file, else the first ``.credsprawl.toml`` (or pyproject.toml
with ``[tool.credsprawl]``) of the search folders (the scanned folder or repository, then the working
directory); flags add to the config's rule files, gitleaks files, disabled rules and excludes, and
``--min-confidence`` replaces the config's.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from scanner.config import Config, discover, load_config
from scanner.errors import UsageError
from scanner.filters.findings import FindingFilter
from scanner.match.backends import hyperscan_available
from scanner.model import Confidence
from scanner.pipeline.engine import MB, EngineSettings
from scanner.rules.cache import load_rules_cached
from scanner.rules.load import RuleSet


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
        )


@dataclass(frozen=True)
class Settings:
    config: Config
    ruleset: RuleSet
    engine: EngineSettings
    excludes: tuple[str, ...] = ()  # the config's allowlist paths, then --exclude

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


def build_settings(flags: Flags, search: Sequence[Path], quick_start: bool = False,
                   config: Config | None = None) -> Settings:
    """The one builder. ``search``: folders to look for a config file in, in order (unless ``--config``
    or ``config`` gives it). ``quick_start`` (the pre-commit hook: a few small files) runs ``auto`` as
    Aho-Corasick, which builds faster than Hyperscan loads."""
    config = config if config is not None else find_config(flags, search)
    # the loaded rules come from the start-up cache (parsing ninety rule files is a serial tenth of a second)
    ruleset = with_gitleaks_rules(load_rules_cached([*config.rules, *flags.rules]), [*config.gitleaks, *flags.gitleaks])
    ruleset = ruleset.without([*config.disable, *flags.disable])
    min_conf = Confidence(flags.min_confidence) if flags.min_confidence else config.min_confidence
    engine = EngineSettings(
        max_file_size=flags.max_file_size,
        regex_timeout=flags.regex_timeout,
        max_decode_depth=max(0, flags.max_decode_depth),
        engine="ahocorasick" if quick_start and flags.engine == "auto" else resolve_engine(flags.engine),
        filter=FindingFilter(config.allow_regexes, config.stopwords, min_conf),
    )
    return Settings(config, ruleset, engine, (*config.allow_paths, *flags.exclude))
