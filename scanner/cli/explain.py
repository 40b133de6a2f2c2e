"""``credsprawl explain PATH[:LINE]``: every candidate the rules saw in a file (or on one line of it)
and the step that kept or dropped it, so a user who expected a finding sees why there is none.

The file is scanned once with a trace sink (``scanner.match.trace``): keyword windows where a rule's
regex ran, regex matches judged by the rule (deny_key, decode, allowlist, placeholder, entropy,
validator), pairing with companions, identifiers, overlaps with more specific rules, then the
config's filters and a baseline. Exit 0 whatever it finds; 2 on a usage or input error.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.cli.options import add_settings_options
from scanner.errors import UsageError
from scanner.model import Origin, redact
from scanner.results import ExitStatus

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_GUNZIP = 256 * 1024 * 1024


def add_commands(sub: Any, only: str | None = None) -> None:  # only: one command here, or all of them
    p = sub.add_parser("explain", help="why a file (or one line of it) has or has not a finding: every candidate and its step")
    p.add_argument("target", metavar="PATH[:LINE]", help="a file, optionally with a 1-based line number")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="text (default) or json")
    p.add_argument("--baseline", type=Path, metavar="FILE", help="also say which kept findings this baseline hides")
    p.add_argument("--show-secrets", action="store_true", help="show candidate values in clear (redacted by default)")
    p.add_argument("--all-windows", action="store_true",
                   help="also list the keyword windows where a rule's regex matched nothing (text format)")
    add_settings_options(p)


@dataclass(frozen=True)
class Row:
    rule_id: str
    step: str
    kept: bool
    detail: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    secret: str
    decoded: tuple[str, ...]

    def to_json(self, show: bool) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "step": self.step, "kept": self.kept, "detail": self.detail,
                "start_line": self.start_line, "start_column": self.start_column, "end_line": self.end_line,
                "end_column": self.end_column, "secret": redact(self.secret, show) if self.secret else "",
                "decoded": list(self.decoded)}


def split_target(target: str) -> tuple[Path, int | None]:
    """``PATH`` or ``PATH:LINE`` (a path that exists as written wins over a trailing ``:N``)."""
    path = Path(target)
    if path.exists() or ":" not in target:
        return path, None
    head, _, tail = target.rpartition(":")
    if not tail.isdigit() or int(tail) < 1:
        raise UsageError(f"explain: {target!r}: LINE must be a positive number")
    return Path(head), int(tail)


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"explain: {path} is a folder: name one file") from None
    except OSError as exc:
        raise UsageError(f"explain: cannot read {path}: {exc.strerror or exc}") from None
    if data.startswith(_GZIP_MAGIC):  # a .sql.gz dump, a .log.gz: explained as the text inside
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                inner = fh.read(_MAX_GUNZIP + 1)
        except (OSError, EOFError, zlib.error):
            return data
        if len(inner) <= _MAX_GUNZIP:
            return inner
    return data


def explain(args: argparse.Namespace) -> tuple[Path, int | None, list[Row], int]:
    """The rows for ``args.target`` and how many findings the scan reports there."""
    from scanner import api
    from scanner.cli.requests import settings_of
    from scanner.filters import baseline as baseline_mod
    from scanner.match.content import display, prepare
    from scanner.match.locate import LineIndex
    from scanner.match.trace import Trace
    from scanner.pipeline.engine import Engine

    path, line = split_target(args.target)
    data = _read(path)
    if args.engine == "auto":
        # the portable backend runs a rule wherever its keyword occurs, so every keyword hit is listed;
        # Hyperscan would skip a common keyword where no candidate of the whole pattern is (same findings)
        args.engine = "ahocorasick"
    settings = settings_of(args, api.config_search([str(path.parent if path.parent != Path("") else Path("."))]))
    engine = Engine(settings.ruleset, settings.engine)
    trace = Trace()
    prepared = prepare(data)
    if prepared is None:
        raise UsageError(f"explain: {path} is binary: nothing in it is scanned as text")
    scan = engine.scan_bytes(data, Origin(str(path)), trace)
    rules = engine.matcher.rules
    lines = LineIndex(prepared.text)
    hidden: set[tuple[str, int]] = set()
    if args.baseline is not None:
        known = {e.fingerprint: e for e in baseline_mod.load(args.baseline).entries}
        hidden = {(f.rule_id, f.offset) for f in scan.findings
                  if f.fingerprint in known and known[f.fingerprint].suppresses(f)}
    rows: list[Row] = []
    for step in trace.steps:
        rule_id = rules[step.rule_index].rule.id
        sl, sc = lines.position(step.start)
        el, ec = lines.position(max(step.start, step.end))
        if line is not None and not sl <= line <= el:
            continue
        name, kept, detail = step.step, step.kept, step.detail
        if name == "kept" and (rule_id, step.start) in hidden:
            name, kept, detail = "baseline", False, f"the baseline {args.baseline} knows this finding"
        rows.append(Row(rule_id, name, kept, detail, sl, sc, el, ec, display(step.secret), step.decoded))
    found = sum(1 for f in scan.findings if (line is None or f.start_line <= line <= f.end_line)
                and (f.rule_id, f.offset) not in hidden)
    return path, line, rows, found


def _text(path: Path, line: int | None, rows: list[Row], found: int, show: bool, all_windows: bool) -> str:
    where = f"{path}:{line}" if line is not None else str(path)
    out = [f"{where}: {found} finding(s)"]
    shown = [r for r in rows if all_windows or r.step != "pattern"]
    if not rows:
        out.append("  no rule's keyword occurs here: no rule ran its pattern on this text")
    for r in shown:
        span = f"{r.start_line}:{r.start_column}" + (f"-{r.end_line}:{r.end_column}" if r.step in ("keyword", "pattern") else "")
        verdict = "kept" if r.kept else "dropped"
        value = f" {redact(r.secret, show)}" if r.secret else ""
        chain = f" [decoded: {' > '.join(r.decoded)}]" if r.decoded else ""
        step = r.step if r.step != "kept" else "reported"
        tail = f": {r.detail}" if r.detail else ""
        if r.step == "keyword":
            out.append(f"  {r.rule_id:<40} {span:<18} keyword seen, regex ran{tail}{chain}")
        else:
            out.append(f"  {r.rule_id:<40} {span:<18} {verdict:<8} at {step}{tail}{value}{chain}")
    hidden = len(rows) - len(shown)
    if hidden:
        out.append(f"  ({hidden} keyword window(s) where the regex matched nothing: --all-windows lists them)")
    return "\n".join(out)


def _cmd_explain(args: argparse.Namespace) -> int:
    path, line, rows, found = explain(args)
    if args.format == "json":
        doc = {"path": str(path), "line": line, "findings": found,
               "candidates": [r.to_json(args.show_secrets) for r in rows]}
        json.dump(doc, sys.stdout, indent=2)
        print()
    else:
        print(_text(path, line, rows, found, args.show_secrets, args.all_windows))
    return ExitStatus.CLEAN


HANDLERS = {"explain": _cmd_explain}
