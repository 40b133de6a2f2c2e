"""Command-line parser and handler of ``triage``: carry each credential of a sweep's datastore from
found to revoked, with an audit log. Parsing and dispatch only: the work lives in ``scanner.triage``.

    credsprawl triage list   [FILTERS] [--format text|json]
    credsprawl triage show   FINGERPRINT [--format text|json]
    credsprawl triage set    FINGERPRINT... --state STATE [--reason TEXT] [--expires DATE] [--as NAME]
    credsprawl triage assign FINGERPRINT... (--owner NAME | --unassign) [--as NAME]
    credsprawl triage note   FINGERPRINT TEXT [--as NAME]
    credsprawl triage log    [FINGERPRINT] [--format text|json]
    credsprawl triage export [FILTERS] [--format json|csv] [--output FILE] | --baseline FILE
    credsprawl triage import-baseline FILE [--expires DATE] [--as NAME]

FILTERS: --state, --owner, --severity, --repository, --verified live|invalid|unverified (each
repeatable), --since/--until (first seen).
A fingerprint may be given by a unique prefix of 8 characters or more.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Callable

from scanner.cli.output import open_output, printable
from scanner.errors import UsageError
from scanner.model import Severity
from scanner.results import ExitStatus

Handler = Callable[[argparse.Namespace], int]


def _when(value: str) -> str:
    """A date or time (UTC unless it says otherwise) as the datastore writes times."""
    from scanner.identity.inventory import to_datetime

    parsed = to_datetime(value)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (2026-03-01 or 2026-03-01T12:00:00Z)")
    return parsed.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")


def _datastore(p: argparse.ArgumentParser) -> None:
    p.add_argument("--datastore", type=Path, metavar="PATH",
                   help="the sweep's SQLite datastore (default: sweep.sqlite in the user's cache folder)")


def _actor(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="actor", metavar="NAME", help="who acts, for the audit log (default: the OS user)")


def _filters(p: argparse.ArgumentParser) -> None:
    from scanner.triage.states import STATES

    p.add_argument("--state", action="append", default=[], choices=STATES, help="only credentials in this state (repeatable)")
    p.add_argument("--owner", action="append", default=[], metavar="NAME", help="only credentials assigned to this owner (repeatable)")
    p.add_argument("--severity", action="append", default=[], choices=[s.value for s in Severity], help="only this severity (repeatable)")
    p.add_argument("--repository", action="append", default=[], metavar="NAME",
                   help="only credentials found in this repository: its name, URL or path (repeatable)")
    p.add_argument("--since", type=_when, metavar="DATE", help="only credentials first seen at or after this date")
    p.add_argument("--until", type=_when, metavar="DATE", help="only credentials first seen before this date")
    p.add_argument("--verified", action="append", default=[], choices=("live", "invalid", "unverified"),
                   help="only credentials whose provider said live or invalid when a sweep --verify last asked; "
                        "unverified: never asked, or no answer (repeatable)")


def add_commands(sub: Any, only: str | None = None) -> None:  # only: one command here, or all of them
    """Add ``triage`` to ``sub`` (its handler is in HANDLERS)."""
    from scanner.triage.states import STATES

    triage = sub.add_parser("triage", help="triage a sweep's credentials: states, owners, notes, an audit log")
    tsub = triage.add_subparsers(dest="triage_command", metavar="ACTION")
    tsub.required = True
    listing = tsub.add_parser("list", help="credentials with their triage state (filters narrow the list)")
    _filters(listing)
    listing.add_argument("--format", "-f", choices=("text", "json"), default="text", help="default: text")
    show = tsub.add_parser("show", help="one credential: state, owner, every location, notes and audit log")
    show.add_argument("fingerprint", metavar="FINGERPRINT", help="a fingerprint, or a unique prefix of 8 characters or more")
    show.add_argument("--format", "-f", choices=("text", "json"), default="text", help="default: text")
    setp = tsub.add_parser("set", help="set the state of credentials")
    setp.add_argument("fingerprints", nargs="+", metavar="FINGERPRINT", help="fingerprints, or unique prefixes of 8 characters or more")
    setp.add_argument("--state", required=True, choices=STATES, help="the new state")
    setp.add_argument("--reason", metavar="TEXT", help="why (required for false-positive and accepted-risk)")
    setp.add_argument("--expires", metavar="DATE", help="accepted-risk: the date the acceptance ends (required)")
    _actor(setp)
    assign = tsub.add_parser("assign", help="assign credentials to an owner (an inventory owner or CODEOWNERS team)")
    assign.add_argument("fingerprints", nargs="+", metavar="FINGERPRINT", help="fingerprints, or unique prefixes of 8 characters or more")
    who = assign.add_mutually_exclusive_group(required=True)
    who.add_argument("--owner", metavar="NAME", help="the owner (normalised as the reports count owners)")
    who.add_argument("--unassign", action="store_true", help="remove the assignee")
    _actor(assign)
    note = tsub.add_parser("note", help="add a note to a credential (kept in the audit log)")
    note.add_argument("fingerprint", metavar="FINGERPRINT", help="a fingerprint, or a unique prefix of 8 characters or more")
    note.add_argument("text", metavar="TEXT", help="the note")
    _actor(note)
    log = tsub.add_parser("log", help="the audit log (of one credential, or all), oldest first")
    log.add_argument("fingerprint", nargs="?", metavar="FINGERPRINT", help="only this credential's log (default: every entry)")
    log.add_argument("--format", "-f", choices=("text", "json"), default="text", help="default: text")
    export = tsub.add_parser("export", help="credentials as JSON or CSV for ticketing, or marks as a baseline file")
    _filters(export)
    export.add_argument("--format", "-f", choices=("json", "csv"), default="json", help="default: json")
    export.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here (default: stdout)")
    export.add_argument("--baseline", type=Path, metavar="FILE",
                        help="write the false positives and accepted risks as a credsprawl baseline file instead")
    imp = tsub.add_parser("import-baseline", help="take a baseline file's marks as false-positive and accepted-risk states")
    imp.add_argument("file", type=Path, metavar="FILE", help="a credsprawl baseline file")
    imp.add_argument("--expires", metavar="DATE", help="expiry date of the accepted risks imported (a baseline has none)")
    _actor(imp)
    for p in (listing, show, setp, assign, note, log, export, imp):
        _datastore(p)


def _open(args: argparse.Namespace) -> Any:
    from scanner.store.db import default_datastore, open_existing

    return open_existing(args.datastore or default_datastore())


def _query_filters(args: argparse.Namespace) -> Any:
    from scanner.triage.queries import Filters

    return Filters.of(tuple(args.state), tuple(args.owner), tuple(args.severity), tuple(args.repository),
                      args.since, args.until, tuple(args.verified))


def _line(row: dict[str, Any]) -> str:
    repos = ", ".join(row["repositories"])
    owner = row["assignee"] or "-"
    state = row["state"] + (" (expired)" if row["expired"] else "")
    return printable(f"{row['fingerprint'][:12]}  {row['severity'] or '-':<8} {state:<16} {owner:<16} "
                     f"{row['rule_id']:<32} {_verified(row):<10} {row['first_seen'][:10]}  {repos}")


def _verified(row: dict[str, Any]) -> str:
    """What the provider said when last asked, in the words the reports use."""
    return {"live": "live", "invalid": "invalid"}.get(row.get("verification") or "", "unverified")


def _cmd_list(args: argparse.Namespace) -> int:
    from scanner.triage.exchange import write_json
    from scanner.triage.queries import credentials

    with _open(args) as store:
        rows = credentials(store, _query_filters(args))
    if args.format == "json":
        write_json(rows, sys.stdout)
    else:
        for row in rows:
            print(_line(row))
        print(f"{len(rows)} credential(s)", file=sys.stderr)
    return ExitStatus.CLEAN


def _cmd_show(args: argparse.Namespace) -> int:
    from scanner.report.escape import deep_no_surrogates
    from scanner.triage.queries import credential

    with _open(args) as store:
        row = credential(store, args.fingerprint)
    if args.format == "json":
        json.dump(deep_no_surrogates(row), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return ExitStatus.CLEAN
    print(printable(f"{row['fingerprint']}  {row['rule']} ({row['rule_id']}, {row['severity'] or 'no severity'})"))
    state = row["state"] + (f" until {row['expires']}" + (" (expired)" if row["expired"] else "") if row["expires"] else "")
    print(printable(f"state: {state}" + (f" — {row['reason']}" if row["reason"] else "")))
    print(printable(f"assignee: {row['assignee'] or '-'}   first seen: {row['first_seen']}"))
    if row.get("verification"):
        print(printable(f"verification: {row['verification']} ({row['verified_by']}, checked {row['verified_at']})"))
    print(f"locations ({len(row['locations'])}):")
    for loc in row["locations"]:
        commit = (loc["commit"] or "")[:12]
        print(printable(f"  {loc['repository']}: {loc['path']}:{loc['line']}  {commit} {loc['date'] or ''} {loc['status'] or ''}"))
    print("audit log:")
    for entry in row["audit"]:
        print(printable(_audit_line(entry, with_fingerprint=False)))
    return ExitStatus.CLEAN


def _audit_line(entry: dict[str, Any], with_fingerprint: bool = True) -> str:
    head = f"  {entry['at']}  {entry['who']}"
    if with_fingerprint:
        head += f"  {entry['fingerprint'][:12]}"
    if entry["action"] == "note":
        return f"{head}  note: {entry['new']}"
    what = f"{entry['action']}: {entry['old'] or '-'} -> {entry['new'] or '-'}"
    return f"{head}  {what}" + (f" ({entry['reason']})" if entry["reason"] else "")


def _cmd_set(args: argparse.Namespace) -> int:
    from scanner.triage.states import Change, actor
    from scanner.triage.writes import set_state

    change = Change.of(args.state, args.reason, args.expires)
    with _open(args) as store:
        written = set_state(store, args.fingerprints, change, actor(args.actor))
    for w in written:
        print(f"{w.fingerprint[:12]}: {w.old} -> {w.new}" if w.changed else f"{w.fingerprint[:12]}: already {w.new}")
    return ExitStatus.CLEAN


def _cmd_assign(args: argparse.Namespace) -> int:
    from scanner.triage.states import actor, owner_name
    from scanner.triage.writes import assign

    owner = None if args.unassign else owner_name(args.owner)
    with _open(args) as store:
        written = assign(store, args.fingerprints, owner, actor(args.actor))
    for w in written:
        print(printable(f"{w.fingerprint[:12]}: assigned to {w.new or 'nobody'}"))
    return ExitStatus.CLEAN


def _cmd_note(args: argparse.Namespace) -> int:
    from scanner.triage.states import actor
    from scanner.triage.writes import add_note

    with _open(args) as store:
        written = add_note(store, args.fingerprint, args.text, actor(args.actor))
    print(f"{written.fingerprint[:12]}: note added")
    return ExitStatus.CLEAN


def _cmd_log(args: argparse.Namespace) -> int:
    from scanner.report.escape import deep_no_surrogates
    from scanner.triage.queries import audit
    from scanner.triage.writes import resolve

    with _open(args) as store:
        entries = audit(store, resolve(store.db, args.fingerprint) if args.fingerprint else None)
    if args.format == "json":
        json.dump(deep_no_surrogates(entries), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        for entry in entries:
            print(printable(_audit_line(entry)))
    return ExitStatus.CLEAN


def _cmd_export(args: argparse.Namespace) -> int:
    from scanner.filters.baseline import save
    from scanner.triage.exchange import to_baseline, write_csv, write_json
    from scanner.triage.queries import credentials

    if args.baseline is not None and args.output is not None:
        raise UsageError("--baseline FILE is where the baseline goes: give it without --output")
    with _open(args) as store:
        if args.baseline is not None:
            baseline = to_baseline(store, _query_filters(args))
            save(baseline, args.baseline)
            print(f"credsprawl: {len(baseline.entries)} marked credential(s) written to {args.baseline}", file=sys.stderr)
            return ExitStatus.CLEAN
        rows = credentials(store, _query_filters(args))
    with open_output(args.output) as out:
        (write_csv if args.format == "csv" else write_json)(rows, out)
    return ExitStatus.CLEAN


def _cmd_import_baseline(args: argparse.Namespace) -> int:
    from scanner.filters.baseline import load
    from scanner.triage.exchange import from_baseline
    from scanner.triage.states import actor

    baseline = load(args.file)
    with _open(args) as store:
        done = from_baseline(store, baseline, actor(args.actor), args.expires, str(args.file))
    print(f"credsprawl: {done.changed} state(s) set, {done.unchanged} already so, {done.unmarked} unmarked "
          f"entr(ies) and {done.unknown} fingerprint(s) not in the datastore skipped", file=sys.stderr)
    return ExitStatus.CLEAN


ACTIONS: dict[str, Handler] = {"list": _cmd_list, "show": _cmd_show, "set": _cmd_set, "assign": _cmd_assign,
                               "note": _cmd_note, "log": _cmd_log, "export": _cmd_export,
                               "import-baseline": _cmd_import_baseline}


def _cmd_triage(args: argparse.Namespace) -> int:
    return ACTIONS[args.triage_command](args)


HANDLERS: dict[str, Handler] = {"triage": _cmd_triage}
