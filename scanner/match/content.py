"""Bytes to scannable text: binary sniffing, UTF-16 detection, and the latin-1 view.

The matcher scans a ``str`` whose characters are the bytes of UTF-8 (or single-byte) content, so
offsets are byte offsets and nothing is decoded on the hot path. UTF-16 content is transcoded to
UTF-8 first. Text shown to people is decoded as UTF-8 where it is valid and as latin-1 where not.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

SNIFF_BYTES = 8192
# bytes that are never in text: C0 controls other than tab, newlines, form feed, backspace, escape
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\b\x1b\x0b\x07")
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_BINARY_MAGIC = (
    b"\x7fELF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ",
    b"%PDF", b"\xca\xfe\xba\xbe", b"MZ", b"SQLite format 3", b"\x00asm", b"7z\xbc\xaf",
)


@dataclass(frozen=True)
class Content:
    """Bytes made ready for matching: their latin-1 view and the encoding they were in."""

    text: str  # latin-1 view: one character per byte of ``data``
    encoding: str  # what the original bytes were: utf-8, utf-16-le, utf-16-be
    bom: int = 0  # bytes of byte-order mark removed from the front


def _utf16_order(sample: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    if zeros_odd >= 0.4 * len(odd) and zeros_even <= 0.05 * len(even):
        return "utf-16-le"
    if zeros_even >= 0.4 * len(even) and zeros_odd <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def sniff(data: bytes) -> str | None:
    """The text encoding of ``data``, or None when it is binary."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le-bom"
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be-bom"
    sample = data[:SNIFF_BYTES]
    if b"\0" in sample:
        return _utf16_order(sample)
    if sample.startswith(_BINARY_MAGIC):
        return None
    controls = len(sample.translate(None, _NOT_CONTROL))
    return None if controls > 0.1 * max(1, len(sample)) else "utf-8"


def prepare(data: bytes, encoding: str | None = None) -> Content | None:
    """Scannable content, or None for binary data."""
    enc = encoding or sniff(data)
    if enc is None:
        return None
    if enc == "utf-8":
        return Content(data.decode("latin-1"), "utf-8")
    if enc == "utf-8-sig":
        return Content(data[3:].decode("latin-1"), "utf-8", bom=3)
    if enc.startswith("utf-16"):
        bom = 2 if enc.endswith("-bom") else 0
        codec = enc.removesuffix("-bom")
        body = data[bom:]
        body = body[: len(body) - len(body) % 2]
        utf8 = body.decode(codec, errors="replace").encode("utf-8")
        return Content(utf8.decode("latin-1"), codec, bom=bom)
    raise ValueError(f"unknown encoding {enc}")


def display(view: str) -> str:
    """Turn a slice of the latin-1 view back into the characters a person wrote."""
    raw = view.encode("latin-1", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
