"""Decoders: find encoded runs in text and decode them so they can be scanned again.

A run is decoded only where there is a reason: base64 where the prefilter saw an encoded keyword,
percent-encoding where ``%XX`` occurs, JSON/unicode escapes where ``\\/`` or ``\\u00`` occurs. A
finding in decoded text is reported at the span of the encoded run. Depth is bounded by the caller.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Callable, Iterator
from urllib.parse import unquote

_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
_MAX_RUN = 65536
_MIN_RUN = 16
# an escaped URL delimiter or punctuation: %20-%2F, %3A-%40, %5B-%60, %7B-%7E (not "%02d")
_PERCENT = re.compile(r"%(?:2[0-9A-Fa-f]|3[A-Fa-f]|40|5[B-Fb-f]|60|7[B-Eb-e])")
_MIN_PERCENT_ESCAPES = 2
_JSON_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|/)")
_RUN_STOP = frozenset(" \t\r\n\"'<>`")
_PRINTABLE = frozenset(range(32, 127)) | {9, 10, 13}

Span = tuple[int, int]


def _printable(raw: bytes) -> bool:
    if len(raw) < 8:
        return False
    good = sum(1 for b in raw if b in _PRINTABLE)
    return good >= 0.9 * len(raw)


def b64decode_text(value: str) -> str | None:
    """Decode standard or URL-safe base64 (padding optional) into printable text, else None."""
    compact = value.strip().rstrip("=")
    if len(compact) % 4 == 1:
        compact = compact[:-1]
    compact += "=" * (-len(compact) % 4)
    altchars = b"-_" if ("-" in compact or "_" in compact) else None
    try:
        raw = base64.b64decode(compact.encode("latin-1"), altchars=altchars, validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return raw.decode("latin-1") if _printable(raw) else None


def percent_decode(value: str) -> str | None:
    decoded = unquote(value, encoding="latin-1")
    return decoded if decoded != value else None


def _json_unescape_one(m: re.Match[str]) -> str:
    token = m.group(0)
    if token == "\\/":
        return "/"
    # keep the latin-1 view: a character becomes the bytes of its UTF-8 encoding
    return chr(int(token[2:], 16)).encode("utf-8", errors="replace").decode("latin-1")


def json_unescape(value: str) -> str | None:
    decoded = _JSON_ESCAPE.sub(_json_unescape_one, value)
    return decoded if decoded != value else None


VALUE_DECODERS: dict[str, Callable[[str], str | None]] = {
    "base64": b64decode_text,
    "percent": lambda v: percent_decode(v) or v,
    "json": lambda v: json_unescape(v) or v,
}


def decode_value(kind: str, value: str) -> str | None:
    """A rule's ``decode``: the secret group is reported decoded (None: not decodable, no match)."""
    return VALUE_DECODERS[kind](value)


def _expand(text: str, pos: int, allowed: Callable[[str], bool]) -> Span:
    start = pos
    lo = max(0, pos - _MAX_RUN // 2)
    while start > lo and allowed(text[start - 1]):
        start -= 1
    end = pos
    hi = min(len(text), pos + _MAX_RUN // 2)
    while end < hi and allowed(text[end]):
        end += 1
    return start, end


def _base64_runs(text: str, hits: list[int]) -> Iterator[Span]:
    last_end = -1
    for hit in sorted(hits):
        if hit < last_end:
            continue  # inside the run already found: one decode per run
        start, end = _expand(text, max(0, min(hit, len(text)) - 1), _B64_CHARS.__contains__)
        while end < len(text) and end - start > 0 and text[end] == "=" and text[end - 2:end] != "==":
            end += 1
        last_end = end
        if end - start >= _MIN_RUN:
            yield start, end


def _keyword_runs(text: str, keyword_hits: list[int]) -> Iterator[tuple[Span, str]]:
    """The runs of text around plain keywords (one per run)."""
    last_end = -1
    for hit in sorted(keyword_hits):
        if hit <= last_end:
            continue
        span = _expand(text, max(0, hit - 1), lambda c: c not in _RUN_STOP)
        last_end = span[1]
        yield span, text[span[0]:span[1]]


def candidates(text: str, base64_hits: list[int], keyword_hits: list[int]) -> Iterator[tuple[Span, str, str]]:
    """Encoded runs worth decoding: ``(span, decoder name, decoded text)``.

    Base64 runs are found by the base64 forms of keywords. Percent-encoded and escaped runs are
    decoded only around a plain keyword: escapes hide the delimiters around a secret (``%22``,
    ``\\u0022``, ``\\/``), rarely the letters of its keyword.
    """
    for span in _base64_runs(text, base64_hits):
        run = text[span[0]:span[1]]
        # the keyword may sit anywhere in the run: try each 4-character alignment of its start
        for shift in range(4):
            decoded = b64decode_text(run[shift:])
            if decoded is not None:
                yield span, "base64", decoded
                break
    if not keyword_hits or ("%" not in text and "\\" not in text):
        return
    for span, run in _keyword_runs(text, keyword_hits):
        if "%" in run and len(_PERCENT.findall(run)) >= _MIN_PERCENT_ESCAPES:
            decoded = percent_decode(run)
            if decoded is not None:
                yield span, "percent", decoded
        if "\\" in run and _JSON_ESCAPE.search(run):
            decoded = json_unescape(run)
            if decoded is not None:
                yield span, "json-escape", decoded
