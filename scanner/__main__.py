from scanner.cli import run

raise SystemExit(run())
