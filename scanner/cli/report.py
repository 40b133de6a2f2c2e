"""Command-line parsers and handlers of ``report`` (the identity report over scan results) and
``inventory`` (import, check, hash-token). Parsing and dispatch only: the work lives in
``scanner.identity``, imported when a command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from scanner.cli.options import positive_int
from scanner.cli.output import open_output, tell_count, use_color
from scanner.errors import UsageError
from scanner.results import ExitStatus

Handler = Callable[[argparse.Namespace], int]
REPORT_FORMATS = ("text", "json", "sarif", "html")
IMPORT_KINDS = ("aws-credential-report", "aws-access-keys", "gcloud-keys", "authorized-keys", "pem-bundle", "codeowners")


def _when(value: str) -> dt.datetime:
    from scanner.identity.inventory import to_datetime

    parsed = to_datetime(value)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (2026-03-01 or 2026-03-01T12:00:00Z)")
    return parsed


def add_commands(sub: Any, only: str | None = None) -> None:  # only: both commands are added whichever it names
    """Add ``report`` and ``inventory`` to ``sub`` (their handlers are in HANDLERS)."""
    report = sub.add_parser("report", help="tie leaked credentials to identities and owners: lifecycle, sprawl, remediation")
    report.add_argument("results", nargs="*", metavar="RESULTS.json",
                        help="credsprawl JSON (or JSON Lines) results of scan, history or ci ('-': stdin)")
    report.add_argument("--inventory", "-i", type=Path, metavar="FILE", help="inventory of identities (TOML or JSON; docs/inventory.md)")
    report.add_argument("--format", "-f", choices=REPORT_FORMATS, default="text", help="report format (default: text)")
    report.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report here (default: stdout)")
    report.add_argument("--now", type=_when, metavar="DATE", help="measure ages and exposure at this date (default: now)")
    report.add_argument("--datastore", type=Path, metavar="PATH", help="also read the findings and certificates of a sweep datastore")
    report.add_argument("--new-since", metavar="DATE|SWEEP", help="with --datastore: only findings (and certificates) new since this date or sweep")
    report.add_argument("--exit-zero", action="store_true", help="exit 0 even when credentials are reported")
    report.add_argument("--no-color", action="store_true", help="never colour the text report (NO_COLOR=1 does the same)")
    report.add_argument("--show-secrets", action="store_true",
                        help="show secrets the results hold in clear (default: redact them, as every output does)")
    report.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")

    inventory = sub.add_parser("inventory", help="build and check the inventory of identities")
    isub = inventory.add_subparsers(dest="inventory_command", metavar="ACTION")
    isub.required = True
    imp = isub.add_parser("import", help="add identities from a provider listing, SSH keys, certificates or CODEOWNERS")
    imp.add_argument("--from", dest="source_kind", required=True, choices=IMPORT_KINDS, metavar="KIND",
                     help="what FILE is: " + ", ".join(IMPORT_KINDS))
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE", help="file(s) to import ('-': stdin)")
    imp.add_argument("--into", type=Path, metavar="INVENTORY.toml",
                     help="merge into this inventory (created if missing); default: print the imported TOML")
    imp.add_argument("--owner", metavar="TEAM", help="owner team of every imported identity")
    imp.add_argument("--contact", metavar="CONTACT", help="owner contact (with --owner)")
    imp.add_argument("--environment", metavar="ENV", help="environment of every imported identity")
    imp.add_argument("--kind", metavar="KIND", help="identity kind instead of the importer's default")
    imp.add_argument("--tag", action="append", default=[], metavar="TAG", help="tag every imported identity (repeatable)")
    imp.add_argument("--rotation-max-age-days", type=positive_int, metavar="N",
                     help="rotation policy of every imported identity that has none")
    imp.add_argument("--repository", metavar="NAME", help="codeowners: the repository the file belongs to")
    check = isub.add_parser("check", help="validate an inventory file: exit 0 when good, 2 with the first problem")
    check.add_argument("file", type=Path, metavar="INVENTORY", help="the inventory file (TOML or JSON)")
    isub.add_parser("hash-token", help="print the secret_sha256 selector of a token read from stdin (never store the token)")


# ------------------------------------------------------------------------------------------------
# report


def _cmd_report(args: argparse.Namespace) -> int:
    from scanner.identity.document import build_document, no_gc
    from scanner.identity.inventory import load_inventory
    from scanner.identity.results_input import Results, add_datastore, load_results

    if not args.results and args.datastore is None:
        raise UsageError("report needs RESULTS.json file(s) or --datastore PATH")
    if args.new_since and args.datastore is None:
        raise UsageError("--new-since needs --datastore PATH")
    with no_gc():
        inventory = load_inventory(args.inventory) if args.inventory else None
        results = load_results(args.results) if args.results else Results()
        if args.datastore is not None:
            from scanner.report.datastore import load_certificate_objects, load_finding_objects

            add_datastore(results, args.datastore, load_finding_objects(args.datastore, args.new_since),
                          load_certificate_objects(args.datastore, args.new_since))
        if not args.show_secrets:  # results made with --show-secrets hold secrets in clear: not re-emitted
            from scanner.match.masking import redact_objects

            redact_objects([f for f, _ in results.findings])
        now = args.now or dt.datetime.now(dt.timezone.utc)
        doc = build_document(results, inventory, now, str(args.inventory) if args.inventory else None)
        _write(args, doc)
    s = doc["summary"]
    tell_count(args, f"{s['credentials']} credential(s), {s['unknown_credentials']} unknown, "
                            f"{s['shared_credentials']} shared")
    if args.exit_zero or not doc["credentials"]:
        return ExitStatus.CLEAN
    return ExitStatus.FINDINGS


def _write(args: argparse.Namespace, doc: dict[str, Any]) -> None:
    if args.format == "html":
        try:
            from scanner.report.html import render_html
        except ImportError:
            raise UsageError("the HTML report is not available in this installation: use --format json") from None
    with open_output(args.output) as out:
        if args.format == "json":
            from scanner.report.identity_json import write_report_json

            write_report_json(doc, out)
        elif args.format == "sarif":
            from scanner.report.identity_sarif import write_report_sarif

            write_report_sarif(doc, out)
        elif args.format == "html":
            render_html(doc, out)
        else:
            from scanner.report.identity_text import write_report_text

            write_report_text(doc, out, color=use_color(args))


# ------------------------------------------------------------------------------------------------
# inventory


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None


def _cmd_import(args: argparse.Namespace) -> int:
    from scanner.identity.importers import IMPORTERS
    from scanner.identity.inventory import KINDS, Inventory, load_inventory
    from scanner.identity.inventory_write import dump_inventory, merge, with_owner

    if args.kind and args.kind not in KINDS:
        raise UsageError(f"unknown identity kind {args.kind!r} (choose one of {', '.join(KINDS)})")
    if args.contact and not args.owner:
        raise UsageError("--contact needs --owner TEAM")
    importer = IMPORTERS[args.source_kind]
    identities: list[Any] = []
    owners: list[Any] = []
    notes: list[str] = []
    for path in args.files:
        result = importer.read(_read_text(path), str(path))
        identities += [with_owner(i, args.owner, args.contact, args.environment, args.kind, tuple(args.tag))
                       for i in result.identities]
        if args.rotation_max_age_days:
            identities = [i if i.max_age_days else replace(i, max_age_days=args.rotation_max_age_days) for i in identities]
        owners += [replace(p, repository=args.repository or p.repository) for p in result.path_owners]
        notes += result.notes
    base = Inventory.of(())
    if args.into is not None and args.into.exists():
        base = load_inventory(args.into)
    merged, added, updated = merge(base, identities, owners)
    text = dump_inventory(merged, header="credsprawl inventory (docs/inventory.md); never put a secret here")
    if args.into is None:
        sys.stdout.write(text)
    else:
        try:
            args.into.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.into}: {exc.strerror or exc}") from None
    for note in dict.fromkeys(notes):
        print(f"credsprawl: note: {note}", file=sys.stderr)
    where = f" into {args.into}" if args.into else ""
    print(f"credsprawl: {added} identities added, {updated} updated, {len(owners)} path owner(s){where}", file=sys.stderr)
    return ExitStatus.CLEAN


def _cmd_inventory(args: argparse.Namespace) -> int:
    if args.inventory_command == "import":
        return _cmd_import(args)
    if args.inventory_command == "hash-token":
        from scanner.model import normalise_secret

        token = normalise_secret(sys.stdin.buffer.read().decode("utf-8", "surrogateescape"))
        if not token:
            raise UsageError("no token on stdin (credsprawl inventory hash-token < token.txt)")
        # the same digest as the secret.sha256 attribute of a finding (scanner.identity.facts)
        print(hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest())
        return ExitStatus.CLEAN
    from scanner.identity.inventory import load_inventory

    inv = load_inventory(args.file)
    selectors = sum(len(v) for i in inv.identities for _n, v in i.selectors)
    print(f"ok: {args.file}: {len(inv.identities)} identities, {selectors} selectors, {len(inv.path_owners)} path owners")
    return ExitStatus.CLEAN


HANDLERS: dict[str, Handler] = {
    "report": _cmd_report,
    "inventory": _cmd_inventory,
}
