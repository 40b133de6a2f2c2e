"""The human report: findings grouped by file (each with a line of its derived facts), then a summary
block that counts skipped files (by reason) and certificates found (expired, expiring soon). The lists
of certificates and of skipped files follow the findings only when asked (``--list-certificates``,
``--list-skipped``): a site-packages tree holds hundreds of CA roots. Colour only when asked."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.filesize import decimal
from rich.text import Text

from scanner.model import Finding, Severity, redact
from scanner.report._common import origin_extra, shown_line
from scanner.report.certs import EXPIRING_DAYS, certificate_counts
from scanner.report.options import ReportOptions
from scanner.report.remediation import remediation
from scanner.results import ScanReport

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}
VERIFICATION_ORDER = ("live", "invalid", "unknown", "error", "skipped")
VERIFICATION_STYLE = {"live": "bold red", "invalid": "green", "unknown": "yellow", "error": "yellow"}
MAX_WARNINGS = 10
CONTEXT_WIDTH = 160
PLAIN_WIDTH = 200


def printable(value: str) -> str:
    """Escape control and format characters (ANSI escapes, bidi overrides) so input cannot drive the terminal."""
    value = value.replace("\t", " ")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in value)


def clip(line: str, anchor: int, width: int = CONTEXT_WIDTH) -> str:
    """At most ``width`` characters of ``line`` around ``anchor``, with ``…`` where it was cut."""
    if len(line) <= width:
        return line
    start = max(0, min(anchor - width // 4, len(line) - width))
    end = start + width
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")


def write_text(report: ScanReport, out: TextIO, options: ReportOptions) -> None:
    console = Console(
        file=out,
        force_terminal=options.color,
        no_color=not options.color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        width=None if options.color else PLAIN_WIDTH,
    )
    groups: dict[str, list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault(finding.origin.render(), []).append(finding)
    counts = {fp: len(found) for fp, found in report.occurrences().items()}
    for path, findings in groups.items():
        console.print(Text(printable(path), style="bold underline"))
        _print_group(console, report, findings, counts, options.show_secrets)
        console.print()
    if not report.findings and options.summary:  # --quiet (summary off): the findings and nothing else
        left = sum(1 for s in report.summary.skipped if s.noteworthy)
        if left:  # never a clean "No secrets found." over inputs nobody looked at
            console.print(Text(f"No secrets found in what was scanned; {left} input(s) not scanned "
                               "(see Warnings below).", style="bold yellow"))
        else:
            console.print(Text("No secrets found.", style="bold green"))
        console.print()
    if report.findings and options.summary:
        _print_remediation(console, report)
    if report.inventory and options.list_certificates:
        _print_certificates(console, report)
    if report.summary.skipped and options.list_skipped:
        _print_skipped(console, report)
    if options.summary:
        _print_summary(console, report, options)


def _print_group(
    console: Console, report: ScanReport, findings: list[Finding], counts: dict[str, int], show: bool
) -> None:
    locations = [f"{f.start_line}:{f.start_column}" for f in findings]
    loc_width = max(len(loc) for loc in locations)
    id_width = max(len(f.rule_id) for f in findings)
    indent = " " * (2 + loc_width + 2)
    for location, finding in zip(locations, findings):
        rule = report.rules.get(finding.rule_id)
        row = Text("  " + location.rjust(loc_width) + "  ")
        row.append(finding.severity.value.ljust(8), style=SEVERITY_STYLE[finding.severity])
        row.append("  " + printable(finding.rule_id).ljust(id_width) + "  ", style="bold")
        row.append(printable(redact(finding.secret, show)), style="magenta")
        row.append("  " + printable(rule.name if rule else finding.rule_id))
        if counts[finding.fingerprint] > 1:
            row.append(f"  (seen in {counts[finding.fingerprint]} places)", style="dim")
        console.print(row)
        line = shown_line(finding, show)
        if line.strip():
            stripped = line.lstrip()
            anchor = max(0, finding.start_column - 1 - (len(line) - len(stripped)))
            console.print(Text(indent + "│ " + printable(clip(stripped.rstrip(), anchor)), style="dim"))
        extra = origin_extra(finding.origin)
        if extra:
            facts = "  ".join(f"{key}={value}" for key, value in extra.items())
            console.print(Text(indent + printable(facts), style="dim"))
        brief = facts_brief(dict(finding.attributes))
        if brief:
            console.print(Text(indent + "» " + printable(brief), style="cyan"))
        if finding.verification is not None:
            console.print(Text(indent + printable(finding.verification.note()),
                               style=VERIFICATION_STYLE.get(finding.verification.status, "dim")))


def _key_brief(a: dict[str, str]) -> str:
    kind = "-".join(filter(None, (a.get("key.type"), a.get("key.bits") if a.get("key.type") == "rsa" else None)))
    words = [kind, a.get("key.curve", ""), a.get("key.ssh_sha256") or a.get("key.spki_sha256", "")[:16]]
    if a.get("key.encrypted") == "true":
        words.append(f"({a.get('key.format', '')} encrypted)".replace("( ", "("))
    if a.get("key.comment"):
        words.append(a["key.comment"])
    paired = [c for c in a.get("key.paired_certs", "").split(",") if c]
    if paired:
        words.append(f"paired with {len(paired)} certificate(s)")
    return "key " + " ".join(w for w in words if w)


def facts_brief(a: dict[str, str]) -> str:
    """The most useful derived facts on one line, e.g. ``aws account 123456789012 (long-term) ·
    key ed25519 SHA256:… · cert CN=api expires 2027-01-01``; '' when there are none."""
    parts: list[str] = []
    if a.get("aws.account_id") or a.get("aws.key_id"):
        what = f"aws account {a['aws.account_id']}" if a.get("aws.account_id") else f"aws key {a['aws.key_id']}"
        parts.append(what + (f" ({a['aws.key_kind']})" if a.get("aws.key_kind") else ""))
    if a.get("gcp.client_email") or a.get("gcp.project_id"):
        parts.append(" ".join(filter(None, ("gcp", a.get("gcp.client_email"),
                                            f"project {a['gcp.project_id']}" if a.get("gcp.project_id") else ""))))
    if a.get("azure.storage_account"):
        parts.append(f"azure storage account {a['azure.storage_account']}")
    if a.get("db.scheme"):
        user = f"{a['db.user']}@" if a.get("db.user") else ""
        port = f":{a['db.port']}" if a.get("db.port") else ""
        database = f"/{a['db.database']}" if a.get("db.database") else ""
        parts.append(f"db {a['db.scheme']}://{user}{a.get('db.host', '')}{port}{database}")
    if a.get("kube.user") or a.get("kube.server"):
        parts.append(" ".join(filter(None, ("kube user", a.get("kube.user", "?"),
                                            f"@ {a['kube.server']}" if a.get("kube.server") else ""))))
    if a.get("token.kind"):
        parts.append(a["token.kind"] + (f" {a['token.id']}" if a.get("token.id") else ""))
    claims = [f"{k} {a['jwt.' + k]}" for k in ("iss", "sub", "aud", "exp") if a.get("jwt." + k)]
    if a.get("jwt.alg"):
        parts.append(" ".join(["jwt", a["jwt.alg"], *claims]))
    if a.get("key.type") or a.get("key.format"):
        parts.append(_key_brief(a))
    if a.get("cert.subject") is not None:
        expiry = f" expires {a['cert.not_after'][:10]}" if a.get("cert.not_after") else ""
        parts.append(f"cert {a['cert.subject'] or '(empty subject)'}{expiry}"
                     + (" (expired)" if a.get("cert.expired") == "true" else ""))
    return " · ".join(parts)


def _print_remediation(console: Console, report: ScanReport) -> None:
    """Where each rule's credentials are revoked or rotated, once per rule (in order of first finding)."""
    console.print(Text("Revoke or rotate", style="bold"))
    for rule_id in dict.fromkeys(f.rule_id for f in report.findings):
        rule = report.rules.get(rule_id)
        console.print(Text("  " + printable(rule_id) + ": ", style="bold").append(printable(remediation(rule))))
    console.print()


def _print_certificates(console: Console, report: ScanReport) -> None:
    console.print(Text(f"Certificates ({len(report.inventory)})", style="bold"))
    for cert in report.inventory:
        a = dict(cert.attributes)
        row = Text("  " + printable(f"{cert.origin.render()}:{cert.start_line}"))
        row.append("  " + printable(a.get("cert.subject") or "(not parsed)"))
        if a.get("cert.issuer") and a.get("cert.issuer") != a.get("cert.subject"):
            row.append("  issued by " + printable(a["cert.issuer"]), style="dim")
        elif a.get("cert.issuer"):
            row.append("  self-signed", style="dim")
        if a.get("cert.not_after"):
            expired = a.get("cert.expired") == "true"
            row.append(f"  {'expired' if expired else 'expires'} {a['cert.not_after'][:10]}",
                       style="red" if expired else "")
        console.print(row)
    console.print()


def _print_skipped(console: Console, report: ScanReport) -> None:
    console.print(Text(f"Skipped ({len(report.summary.skipped)})", style="bold"))
    for skip in report.summary.skipped:
        detail = f" ({skip.detail})" if skip.detail else ""
        console.print(Text("  " + printable(f"{skip.path}  {skip.reason}{detail}")))
    console.print()


def _certificates_line(report: ScanReport, options: ReportOptions) -> str:
    counts = certificate_counts(report.inventory)
    hint = "" if options.list_certificates else "; --list-certificates lists them"
    return (f"{counts['total']} ({counts['expired']} expired, {counts['expiring']} expiring within "
            f"{EXPIRING_DAYS} days){hint}")


def _print_summary(console: Console, report: ScanReport, options: ReportOptions) -> None:
    summary = report.summary
    severity = report.by_severity()
    by_reason = summary.skipped_by_reason()
    rows = [
        ("Files scanned", f"{summary.files_scanned:,}"),
        ("Bytes scanned", decimal(summary.bytes_scanned)),
        ("Time", f"{summary.seconds:.2f} s ({summary.mb_per_second:.2f} MB/s)"),
        ("Findings", f"{len(report.findings)} (" + ", ".join(f"{k} {v}" for k, v in severity.items()) + ")"),
        *([("Verified", _verified_line(report))] if any(f.verification for f in report.findings) else []),
        *([("Certificates", _certificates_line(report, options))] if report.inventory else []),
        ("Skipped", _count_with(len(summary.skipped), by_reason)
         + ("; --list-skipped lists them" if summary.skipped and not options.list_skipped else "")),
        ("Warnings", str(len(summary.warnings))),
    ]
    console.print(Text("Summary", style="bold"))
    for label, value in rows:
        console.print(Text(f"  {label + ':':<15} {value}"))
    for warning in summary.warnings[:MAX_WARNINGS]:
        console.print(Text("    - " + printable(warning), style="yellow"))
    hidden = len(summary.warnings) - MAX_WARNINGS
    if hidden > 0:
        console.print(Text(f"    … and {hidden} more", style="yellow"))


def _verified_line(report: ScanReport) -> str:
    """Distinct credentials by what their providers said: ``2 credential(s) (live 1, invalid 1)``."""
    said = {f.fingerprint: f.verification.status for f in report.findings if f.verification is not None}
    counts = {status: list(said.values()).count(status) for status in VERIFICATION_ORDER}
    return f"{len(said)} credential(s) (" + ", ".join(f"{k} {v}" for k, v in counts.items() if v) + ")"


def _count_with(total: int, parts: dict[str, int]) -> str:
    if not parts:
        return str(total)
    return f"{total} (" + ", ".join(f"{k} {v}" for k, v in parts.items()) + ")"
