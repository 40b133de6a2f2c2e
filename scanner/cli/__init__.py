"""The command line: one module per command, and the only error boundary."""

from scanner.cli.app import main, run

__all__ = ["main", "run"]
