"""The options every command shares, and the argument types behind them: one definition, so the same
flag means the same thing on every command that offers it."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

FORMATS = ("text", "json", "jsonl", "csv", "sarif")


def size(value: str) -> int:
    """``50MB``, ``512k``, ``1G`` or a plain byte count; 0 means no limit."""
    units = {"k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3, "b": 1}
    text = value.strip().lower()
    for suffix in sorted(units, key=len, reverse=True):
        if text.endswith(suffix) and text[: -len(suffix)].strip().replace(".", "", 1).isdigit():
            return int(float(text[: -len(suffix)]) * units[suffix])
    if text.isdigit():
        return int(text)
    raise argparse.ArgumentTypeError(f"not a size: {value!r} (try 50MB, 512KB or a byte count)")


def seconds(value: str) -> float:
    """A positive, finite number of seconds (``0``, ``inf``, ``nan`` and negatives are refused)."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {value!r}")
    return number


class Chosen(argparse.Action):
    """Store an option's value and record that the user gave it (in ``chosen_limits``): what a limit
    the user chose leaves out is counted, never an error (docs/exit-codes.md)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.chosen_limits = frozenset(getattr(namespace, "chosen_limits", frozenset())) | {self.option_strings[0]}


def chosen_limits(args: argparse.Namespace) -> frozenset[str]:
    """The limit options given on the command line (``--max-file-size`` ...)."""
    return frozenset(getattr(args, "chosen_limits", frozenset()))


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more: {value!r}")
    return int(value)


def add_rule_options(p: argparse.ArgumentParser) -> None:
    """Which rules run: a config file, extra rule files, gitleaks-format files, rules turned off."""
    p.add_argument("--config", type=Path, help="config file (default: .credsprawl.toml or pyproject.toml [tool.credsprawl])")
    p.add_argument("--rules", type=Path, action="append", default=[], metavar="FILE", help="extra rule file or folder (repeatable)")
    p.add_argument("--disable", action="append", default=[], metavar="RULE_ID", help="turn a rule off (repeatable)")
    p.add_argument("--gitleaks-config", type=Path, action="append", default=[], metavar="FILE",
                   help="also load the rules of a gitleaks config file, translated (repeatable)")


def add_engine_options(p: argparse.ArgumentParser) -> None:
    """How content is matched: the same three options on every command that scans."""
    p.add_argument("--regex-timeout", type=seconds, default=2.0, metavar="SECONDS",
                   help="time bound per rule and window (a positive number; default 2)")
    p.add_argument("--engine", choices=("auto", "hyperscan", "ahocorasick"), default="auto",
                   help="prefilter backend (default: hyperscan where installed, else ahocorasick)")
    p.add_argument("--max-decode-depth", type=int, default=2, metavar="N",
                   help="how deep to decode base64/percent/escapes/entities (default 2)")


def add_settings_options(p: argparse.ArgumentParser) -> None:
    """The rule and filter options every scanning command takes, with one meaning
    (``scanner.settings.Flags.from_args`` reads them): rules, filters, size limit, engine."""
    add_rule_options(p)
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="gitignore-style path pattern to skip (repeatable)")
    p.add_argument("--min-confidence", choices=("low", "medium", "high"), help="drop findings below this confidence")
    p.add_argument("--max-file-size", type=size, default=50 * 1024**2, metavar="SIZE", action=Chosen,
                   help="skip files (blobs, archive members) larger than this (default 50MB; 0 = no limit)")
    add_engine_options(p)


def add_verify_options(p: argparse.ArgumentParser) -> None:
    """Verification with each credential's provider (network; off unless asked; docs/verification.md)."""
    p.add_argument("--verify", action="store_true",
                   help="ask each credential's provider whether it is live, whose it is and what it may do "
                        "(read-only requests to the provider's host; see docs/verification.md)")
    p.add_argument("--only-verified", action="store_true",
                   help="report only credentials their provider confirmed live (verifies, as --verify)")
    p.add_argument("--verify-timeout", type=seconds, default=300.0, metavar="SECONDS",
                   help="time limit for the run's whole verification (default 300); what is left is 'skipped'")
    p.add_argument("--verify-hosts-from-content", action="store_true",
                   help="let a provider with per-organisation hosts (Okta, self-managed GitLab, GitHub Enterprise, "
                        "Vault ...) whose endpoint is not configured be asked at an https host written beside the "
                        "secret (off by default: a scanned file could send its secrets anywhere)")


def duration(value: str) -> float:
    """``7d``, ``12h``, ``30m``, ``90s`` or seconds (``scanner.config.duration``)."""
    from scanner.config import duration as parse

    try:
        return parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", "-j", type=positive_int, help="worker processes (default: all cores)")


def add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("--output", "-o", type=Path, help="write the report here (default: stdout)")
    p.add_argument("--show-secrets", action="store_true", help="print secrets in clear (redacted by default)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when secrets are found")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="print only the findings (and errors): no progress bar, no summary block or line")
    p.add_argument("--no-color", action="store_true", help="never colour the text report (NO_COLOR=1 does the same)")
    p.add_argument("--list-certificates", action="store_true", help="text and JSON: list every certificate found (default: counts)")
    p.add_argument("--list-skipped", action="store_true", help="text and JSON: list every skipped file (default: counts by reason)")
