"""The identity report as text: rich tables of credentials, identities, owners, candidate identities,
certificates, and the remediation steps per credential. Colour only when asked; every value that came
from scanned content is escaped so it cannot drive the terminal."""

from __future__ import annotations

from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.report.text import PLAIN_WIDTH, printable

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}
# what the provider said, in words no other state uses ("present at HEAD" is a fact of git, shown apart)
VERIFIED_WORDS = {"live": "live (verified)", "invalid": "invalid (revoked or rotated)", "unverified": "unverified"}
VERIFIED_STYLE = {"live": "bold red", "invalid": "green", "unverified": "dim"}
MAX_ROWS = 200  # per table; the JSON and HTML reports hold everything
DO_FIRST = 10


def _t(value: Any) -> str:
    return "" if value is None else printable(str(value))


def _days(value: int | None) -> str:
    return "" if value is None else f"{value}d"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _flags(cred: dict[str, Any]) -> str:
    flags = []
    if cred["shared"]:
        flags.append("shared")
    if cred["rotation_overdue"]:
        flags.append("rotation-overdue")
    if cred["cert_expired"]:
        flags.append("cert-expired")
    elif cred["cert_expires_in_days"] is not None and cred["cert_expires_in_days"] < 30:
        flags.append("cert-expiring")
    return " ".join(flags)


def _state(cred: dict[str, Any]) -> str:
    if cred["removed"]:
        return f"removed {_t((cred['removed'].get('date') or '')[:10])} {_t((cred['removed'].get('commit') or '')[:10])}".rstrip()
    return {True: "present at HEAD", False: "history only", None: ""}[cred.get("present")]


def _do_first(console: Console, creds: list[dict[str, Any]]) -> None:
    """The first credentials to deal with: present at HEAD and critical or high, then the rest, by
    severity, exposure and sprawl (the document's order)."""
    if not creds:
        return
    console.print(Text("Do first", style="bold"))
    for c in creds[:DO_FIRST]:
        who = c["identity"] or "unknown identity"
        owner = f", owner {c['owner']['team']}" if c["owner"] else ""
        where = "present at HEAD" if c.get("present") else "in history only"
        said = VERIFIED_WORDS.get(c.get("verified") or "unverified", "unverified")
        console.print(Text(f"  {c.get('priority', '')}. ", style="bold").append(
            f"{c['severity']} {_t(c['rule_name'])} ({_t(who)}{_t(owner)}): {said}, {where}, "
            f"exposed {_days(c['exposure_days']) or '?'}, {c['sprawl']['locations']} location(s) "
            f"in {c['sprawl']['repositories']} repo(s) [{c['fingerprint'][:12]}]"))
    _more(console, min(len(creds), DO_FIRST), len(creds), "credentials in the table below")
    console.print()


def _more(console: Console, shown: int, total: int, what: str) -> None:
    if total > shown:
        console.print(f"… {total - shown} more {what} in the JSON or HTML report")


def write_report_text(doc: dict[str, Any], out: TextIO, color: bool = False) -> None:
    console = Console(file=out, force_terminal=color, no_color=not color, highlight=False, markup=False,
                      emoji=False, width=None if color else PLAIN_WIDTH)
    s = doc["summary"]
    console.print(Text("credsprawl identity report", style="bold"))
    console.print(f"as of {doc['now']}: {s['credentials']} credential(s) in {s['occurrences']} location(s), "
                  f"{s['present_credentials']} present at HEAD")
    console.print(f"identities: {s['identities_with_leaks']} of {s['identities']} leaked; {s['unknown_credentials']} "
                  f"credential(s) unknown ({s['candidate_identities']} candidate identities); {s['shared_credentials']} "
                  f"shared; {s['rotation_overdue']} rotation overdue")
    if s.get("verified_live") or s.get("verified_invalid"):
        console.print(f"verification: {s['verified_live']} live (verified), {s['verified_invalid']} invalid "
                      f"(revoked or rotated), {s['unverified']} unverified"
                      + (f"; {s['disagreements']} where the inventory and the provider disagree" if s.get("disagreements") else ""))
    if s["certs_expired"] or s["certs_expiring"]:
        console.print(f"certificates: {s['certs_expired']} expired, {s['certs_expiring']} expiring within 30 days")
    console.print()
    creds = doc["credentials"]
    _do_first(console, creds)
    table = _table("Credentials", "#", "fingerprint", "rule", "severity", "identity", "owner", "verified",
                   "first leaked", "state", "exposure", "sprawl", "flags")
    for c in creds[:MAX_ROWS]:
        first = c["first_seen"] or {}
        who = c["identity"] or (f"unknown ({c['candidate']})" if c["candidate"] else "unknown")
        sprawl = c["sprawl"]
        table.add_row(
            str(c.get("priority", "")), c["fingerprint"][:12], _t(" + ".join(c.get("rules") or [c["rule_id"]])), Text(c["severity"], style=SEVERITY_STYLE.get(c["severity"], "")),
            _t(who + (" (provider)" if c.get("identity_source") == "provider" else "")),
            _t(c["owner"]["team"] if c["owner"] else ""),
            Text(VERIFIED_WORDS.get(c.get("verified") or "unverified", "unverified"),
                 style=VERIFIED_STYLE.get(c.get("verified") or "unverified", "")),
            _t(f"{(first.get('date') or '')[:10]} {(first.get('commit') or '')[:10]}".strip()),
            _state(c), _days(c["exposure_days"]),
            f"{sprawl['locations']} loc / {sprawl['files']} files / {sprawl['repositories']} repos",
            _flags(c),
        )
    console.print(table)
    _more(console, min(len(creds), MAX_ROWS), len(creds), "credentials")
    disagreeing = [c for c in creds if c.get("disagreements")]
    if disagreeing:
        console.print(Text("The inventory and the provider disagree", style="bold"))
        for c in disagreeing[:MAX_ROWS]:
            for note in c["disagreements"]:
                console.print(f"  {c['fingerprint'][:12]} {_t(note)}")
        console.print()
    if doc["identities"]:
        table = _table("Identities", "id", "kind", "owner", "leaked", "exposure", "worst", "overdue", "shared")
        for r in doc["identities"][:MAX_ROWS]:
            table.add_row(_t(r["id"]), _t(r["kind"]), _t(r["owner"]["team"] if r["owner"] else ""), str(r["leaked"]),
                          _days(r["exposure_days"]), _t(r["worst_severity"] or ""), str(r["rotation_overdue"]), str(r["shared"]))
        console.print(table)
        _more(console, min(len(doc["identities"]), MAX_ROWS), len(doc["identities"]), "identities")
    if doc["owners"]:
        table = _table("Owners", "team", "contact", "identities", "credentials", "exposure", "worst")
        for r in doc["owners"][:MAX_ROWS]:
            aliases = f" (also {', '.join(r.get('aliases') or [])})" if r.get("aliases") else ""
            table.add_row(_t(r["team"] + aliases), _t(r["contact"]), str(len(r["identities"])), str(r["credentials"]),
                          _days(r["exposure_days"]), _t(r["worst_severity"] or ""))
        console.print(table)
    if doc["candidates"]:
        table = _table("Candidate identities (credentials no identity claims)", "candidate", "facts", "credentials")
        for r in doc["candidates"][:MAX_ROWS]:
            facts = ", ".join(f"{k}={v}" for k, v in r["facts"].items())
            table.add_row(_t(r["id"]), _t(facts), str(len(r["credentials"])))
        console.print(table)
        _more(console, min(len(doc["candidates"]), MAX_ROWS), len(doc["candidates"]), "candidates")
    if doc["certificates"]:
        table = _table("Certificates", "subject", "serial", "not after", "expires in", "identity", "path")
        for r in doc["certificates"][:MAX_ROWS]:
            expires = "expired" if r["expired"] else _days(r["expires_in_days"])
            table.add_row(_t(r["subject"]), _t(r["serial"]), _t((r["not_after"] or "")[:10]), expires,
                          _t(r["identity"]), _t(r["path"]))
        console.print(table)
    if creds:
        console.print(Text("Remediation", style="bold"))
        for c in creds[:MAX_ROWS]:
            console.print(Text(f"{c['fingerprint'][:12]} {_t(c['rule_id'])} ({_t(c['identity'] or 'unknown')})", style="bold"))
            ver = c.get("verification")
            if ver:
                perms = ", ".join(ver.get("permissions") or [])
                console.print(f"  {VERIFIED_WORDS.get(c['verified'], 'unverified')}: {_t(ver.get('provider'))} at "
                              f"{_t(ver.get('checked_at'))}" + (f"; permissions: {_t(perms)}" if perms else ""))
            for i, step in enumerate(c["remediation"], 1):
                console.print(f"  {i}. {step}")
