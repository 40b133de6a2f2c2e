"""One-line hints for options and commands that gitleaks users type out of habit.

argparse would answer ``--report-format`` with the whole usage and "unrecognized arguments"; a
newcomer from gitleaks wants to hear which credsprawl option does that. ``hint`` returns that line
for the first such argument (before a ``--``), or None; the CLI prints it and exits 2.
"""

from __future__ import annotations

from typing import Sequence

# gitleaks' option -> what credsprawl offers instead (none of these names is a credsprawl option)
OPTIONS = {
    "--redact": "credsprawl redacts secrets by default (--show-secrets prints them)",
    "--no-git": "use credsprawl scan PATH (files) instead of credsprawl history (git)",
    "--log-opts": "use credsprawl history --range A..B, --since REV or --branch REF",
    "--report-format": "use -f/--format",
    "--report-path": "use -o/--output",
    "--exit-code": "credsprawl exits 1 on findings; --exit-zero reports without failing",
    "--since-commit": "use credsprawl history --since REV (or --range A..B)",
    "--source": "give the path as an argument: credsprawl scan PATH or credsprawl history REPO",
    "--baseline-path": "use --baseline FILE (credsprawl baseline create makes one)",
    "--max-target-megabytes": "use --max-file-size SIZE (50MB by default)",
    "--no-banner": "credsprawl prints no banner; drop it",
    "--staged": "use credsprawl staged",
}
# gitleaks' commands -> credsprawl's
COMMANDS = {
    "detect": "use credsprawl history (a git repository) or credsprawl scan (files)",
    "git": "use credsprawl history REPO",
    "dir": "use credsprawl scan PATH",
    "directory": "use credsprawl scan PATH",
    "files": "use credsprawl scan PATH",
    "protect": "use credsprawl staged (the pre-commit hook)",
    "stdin": "use credsprawl scan -",
}


def hint(argv: Sequence[str]) -> str | None:
    """The hint line for the first gitleaks-only option or command in ``argv``, else None."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if i == 0 and arg in COMMANDS:
            return f"credsprawl: {arg} is a gitleaks command; {COMMANDS[arg]}"
        name = arg.split("=", 1)[0]
        if name in OPTIONS:
            return f"credsprawl: {name} is gitleaks' option; {OPTIONS[name]}"
    return None
