"""Requests of the scanning commands, each made from one :class:`scanner.settings.Settings` value
(``build_settings``): the only place a command turns its options into what the pipeline runs. The
requests themselves are the Python API's (``scanner.api``), so the CLI and an embedder scan alike."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.errors import UsageError
from scanner.settings import Flags, Settings, build_settings

if TYPE_CHECKING:
    from scanner.history.scan import HistoryRequest
    from scanner.pipeline.route import ContentOptions
    from scanner.pipeline.scan import ScanRequest

def settings_of(args: argparse.Namespace, search: list[Path]) -> Settings:
    return build_settings(Flags.from_args(args), search)


def content_options(args: argparse.Namespace) -> ContentOptions:
    """ContentOptions from parsed arguments; defaults for commands that do not offer the options."""
    from scanner.pipeline.route import ContentOptions
    from scanner.sources.limits import ArchiveLimits

    defaults = ArchiveLimits()
    limits = ArchiveLimits(
        max_depth=getattr(args, "max_archive_depth", defaults.max_depth),
        max_member_size=getattr(args, "max_file_size", defaults.max_member_size),
        max_archive_size=getattr(args, "max_archive_size", defaults.max_archive_size),
        max_ratio=getattr(args, "max_compression_ratio", defaults.max_ratio),
        max_members=getattr(args, "max_archive_members", defaults.max_members),
    )
    return ContentOptions(limits, binary_strings=getattr(args, "binary_strings", False))


def _paths(args: argparse.Namespace) -> tuple[str, ...]:
    return tuple(getattr(args, "paths", ()) or ()) or (".",)


def scan_settings(args: argparse.Namespace) -> Settings:
    """The settings of a filesystem scan: the config of the first path's folder, else of the working
    directory (unless ``--config``)."""
    from scanner import api

    return settings_of(args, api.config_search(_paths(args)))


def scan_request(args: argparse.Namespace, settings: Settings | None = None) -> ScanRequest:
    from scanner import api

    chosen = settings if settings is not None else scan_settings(args)
    return api.paths_request(_paths(args), chosen, jobs=getattr(args, "jobs", None),
                             follow_symlinks=getattr(args, "follow_symlinks", False),
                             respect_gitignore=getattr(args, "respect_gitignore", False),
                             progress=not args.quiet and sys.stderr.isatty(), content=content_options(args))


def history_settings(args: argparse.Namespace) -> Settings:
    """The settings of a history scan: the config of the repository folder, else of the working
    directory (unless ``--config``)."""
    return settings_of(args, [Path(args.repo or "."), Path.cwd()])


def history_request(args: argparse.Namespace, rev_range: str | None = None,
                    settings: Settings | None = None) -> HistoryRequest:
    from scanner import api

    path = args.repo or "."
    restricting = [name for name, value in (("--branch", args.branch), ("--since", args.since),
                                            ("--range", rev_range or args.range)) if value]
    if args.include_unreachable and restricting:
        raise UsageError(f"--include-unreachable looks at every object; it cannot be combined with {restricting[0]}")
    if args.since and (rev_range or args.range):
        raise UsageError("--since and --range both choose a range: give one of them")
    chosen = settings if settings is not None else history_settings(args)
    return api.history_request(path, chosen, branches=args.branch,
                               since=args.since, rev_range=rev_range or args.range,
                               include_unreachable=args.include_unreachable,
                               recurse_submodules=args.recurse_submodules, jobs=args.jobs,
                               progress=not args.quiet and sys.stderr.isatty())
