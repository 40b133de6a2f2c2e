"""Escaping for values that came from scanned input (file names, rule ids, context lines) on their way
into an output format.

File names are bytes: one that is not UTF-8 reaches us with its bad bytes as lone surrogates
(``surrogateescape``), which no UTF-8 writer accepts. Every format reports such a name, escaped:

- in a URI (SARIF ``artifactLocation.uri``) the name's bytes are percent-encoded (RFC 3986), so
  ``f\\xff.txt`` is ``f%FF.txt``;
- in text, CSV, SARIF text and the HTML report a lone surrogate is written as a backslash escape
  (``f\\udcff.txt``); the JSON reports keep it as a JSON escape (``"f\\udcff.txt"``), which reads
  back to the same name.

CSV cells are also neutralised against injection (OWASP "CSV injection"): control characters are
backslash-escaped, so a cell never spans physical lines and no output line can start with ``::`` (a
GitHub workflow command when the Action prints the report), and a cell that starts with ``=``, ``+``,
``-``, ``@``, tab or carriage return is prefixed with ``'`` so a spreadsheet shows it as text.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 and C1 controls, DEL, line and paragraph separators, bidi controls and lone surrogates
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def uri_path(path: str) -> str:
    """A ``/``-separated path as a URI path: every byte outside the unreserved set percent-encoded,
    undecodable file-name bytes included (``f\\udcff.txt`` -> ``f%FF.txt``)."""
    return quote(path.replace("\\", "/").encode("utf-8", "surrogateescape"), safe="/")


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as a backslash escape (``\\udcff``); other text unchanged."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def deep_no_surrogates(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with ``no_surrogates`` applied to every string."""
    if isinstance(value, str):
        return no_surrogates(value)
    if isinstance(value, dict):
        return {no_surrogates(k) if isinstance(k, str) else k: deep_no_surrogates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [deep_no_surrogates(v) for v in value]
    return value


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def csv_cell(value: object) -> str | object:
    """One CSV field, safe to open in a spreadsheet and to print in a CI log (numbers pass unchanged)."""
    if not isinstance(value, str):
        return value
    text = value
    if text.startswith(FORMULA_START):
        text = "'" + text
    return _UNSAFE.sub(_escape, text)
