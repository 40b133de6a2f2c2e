"""HTML: the identity/sprawl report as one self-contained page.

``render_html`` writes a single file: the page skeleton, inline CSS, inline JavaScript and the report
document embedded as JSON in a ``<script type="application/json">`` element. The page's script builds
every table, chart and drill-down from that JSON with DOM calls that set text, never markup, so nothing
from the document is ever parsed as HTML. A Content-Security-Policy allows no network at all and only
the page's own script and style (by hash), so even a mistake in escaping could not run injected code.

The embedded copy is packed to stay small for 100k credentials (the page unpacks it as it loads):

- null values, empty lists and empty objects are dropped (the page reads a missing key as null);
- a credential is an array in ``credential_fields`` order, so key names are not repeated;
- identities and candidates name their credentials by index into that array, not by fingerprint;
- identical remediation lists are stored once and referenced by index;
- a location is an array in ``LOCATION_FIELDS`` order whose repository, path, status and ref are
  indexes into one shared string table;
- each credential embeds at most ``LOCATION_CAP`` locations (the page says how many more the JSON
  report holds).
"""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import resources
from typing import Any, TextIO

from scanner.errors import CredsprawlError
from scanner.report.escape import deep_no_surrogates

DOCUMENT_KIND = "credsprawl-identity-report"
DOCUMENT_VERSIONS = (2, 3)  # 2 has no verification: every credential shows "unverified"
LOCATION_CAP = 1000
LOCATION_FIELDS = ("repository", "path", "line", "column", "commit", "date", "status", "ref")
_INTERNED = frozenset({"repository", "path", "status", "ref"})
DATA_ELEMENT_ID = "credsprawl-data"

_ASSETS = resources.files("scanner.report") / "html_assets"
# the page's script, in order; the parts share one function scope (see _script)
SCRIPT_PARTS = ("data.js", "dom.js", "table.js", "charts.js", "overview.js", "tables.js", "playbook.js",
                "drilldown.js", "main.js")
_SCRIPT_HEAD = (
    "// credsprawl identity report: builds every table, chart and drill-down from the embedded JSON document.\n"
    "// Everything taken from the document becomes DOM text (textContent, attribute values), never markup.\n"
    "(function () {\n'use strict';\n"
)
_JSON_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"))
_CHUNK = 1 << 20


def render_html(doc: dict[str, Any], out: TextIO) -> None:
    """Write ``doc`` (a credsprawl identity report document) to ``out`` as one self-contained HTML page."""
    _check_document(doc)
    css = _asset("report.css")
    js = _script()
    head, tail = _asset("report.html").split("{{DATA}}")
    head = (head.replace("{{CSP}}", _content_security_policy(css, js))
            .replace("{{CSS}}", css))
    out.write(head)
    packed = pack_document(doc)
    try:
        json.dumps(packed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8: its bytes shown as \udcff escapes
        packed = deep_no_surrogates(packed)
    _write_json(packed, out)
    out.write(tail.replace("{{JS}}", js))


def pack_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The copy of ``doc`` the page embeds: compact tables, shared lists and strings, capped locations."""
    packer = _Packer()
    credentials = [packer.credential(c) for c in doc.get("credentials", [])]
    fields = list(dict.fromkeys(key for cred in credentials for key in cred))
    position = {cred.get("fingerprint"): n for n, cred in enumerate(doc.get("credentials", []))}
    packed = {key: _compact(value) for key, value in doc.items() if key != "credentials"}
    for group in ("identities", "candidates"):
        if isinstance(packed.get(group), list):
            packed[group] = [_refer(item, position) for item in packed[group]]
    packed["credential_fields"] = fields
    packed["credentials"] = [_trimmed([cred.get(f) for f in fields]) for cred in credentials]
    packed["remediations"] = packer.remediations
    packed["strings"] = packer.strings
    packed["location_fields"] = list(LOCATION_FIELDS)
    packed["location_cap"] = LOCATION_CAP
    return packed


def _refer(item: Any, position: dict[Any, int]) -> Any:
    """An identity or candidate whose credential fingerprints are replaced by indexes into the credentials."""
    if not isinstance(item, dict) or not isinstance(item.get("credentials"), list):
        return item
    return {**item, "credentials": [position.get(fp, fp) for fp in item["credentials"]]}


def _trimmed(row: list[Any]) -> list[Any]:
    while row and row[-1] is None:
        row.pop()
    return row


class _Packer:
    """Shared tables built while packing credentials: remediation lists and location strings."""

    def __init__(self) -> None:
        self.remediations: list[list[str]] = []
        self.strings: list[str] = []
        self._steps: dict[tuple[str, ...], int] = {}
        self._strings: dict[str, int] = {}

    def credential(self, cred: dict[str, Any]) -> dict[str, Any]:
        packed = {key: _compact(value) for key, value in cred.items() if key not in ("remediation", "locations")}
        packed = {key: value for key, value in packed.items() if not _empty(value)}
        steps = tuple(cred.get("remediation") or ())
        if steps not in self._steps:
            self._steps[steps] = len(self.remediations)
            self.remediations.append(list(steps))
        packed["remediation"] = self._steps[steps]
        locations = cred.get("locations") or []
        if locations:
            packed["locations"] = [self.location(loc) for loc in locations[:LOCATION_CAP]]
        if len(locations) > LOCATION_CAP:
            packed["locations_omitted"] = len(locations) - LOCATION_CAP
        return packed

    def location(self, loc: dict[str, Any]) -> list[Any]:
        return [self.string(loc.get(f)) if f in _INTERNED else loc.get(f) for f in LOCATION_FIELDS]

    def string(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        index = self._strings.get(value)
        if index is None:
            index = self._strings[value] = len(self.strings)
            self.strings.append(value)
        return index


def _compact(value: Any) -> Any:
    """``value`` without null values, empty lists or empty objects inside dictionaries."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if not _empty(v)}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict)) and not value)


def _write_json(value: Any, out: TextIO) -> None:
    """JSON safe inside a script element: ``<``, ``>`` and ``&`` escaped, so no ``</script>`` can occur."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    parts: list[str] = []
    size = 0
    for chunk in encoder.iterencode(value):
        parts.append(chunk)
        size += len(chunk)
        if size >= _CHUNK:
            out.write(_escape_json("".join(parts)))
            parts, size = [], 0
    out.write(_escape_json("".join(parts)))


def _escape_json(text: str) -> str:
    for raw, escaped in _JSON_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _content_security_policy(css: str, js: str) -> str:
    """No network, no plug-ins, no forms; only this page's own script and stylesheet may run."""
    return (
        "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
        f"script-src '{_sha256(js)}'; style-src '{_sha256(css)}'"
    )


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _script() -> str:
    return _SCRIPT_HEAD + "\n".join(_asset(name) for name in SCRIPT_PARTS) + "})();\n"


def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _check_document(doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("kind") != DOCUMENT_KIND:
        kind = doc.get("kind") if isinstance(doc, dict) else type(doc).__name__
        raise CredsprawlError(f"cannot render HTML: expected a {DOCUMENT_KIND} document, got {kind!r}")
    if doc.get("version") not in DOCUMENT_VERSIONS:
        raise CredsprawlError(
            f"cannot render HTML: identity report version {doc.get('version')!r} is not supported "
            f"(this credsprawl reads version {', '.join(map(str, DOCUMENT_VERSIONS))}); upgrade credsprawl"
        )
