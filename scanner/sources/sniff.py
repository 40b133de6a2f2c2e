"""What content is, from its first bytes: an archive format (no archive reader is imported), or a
notebook (the notebook reader loads only for one)."""

from __future__ import annotations

SNIFF_BYTES = 512


def _tar_checksum_ok(block: bytes) -> bool:
    try:
        stored = int(block[148:156].split(b"\0", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    return stored == sum(block[:148]) + 256 + sum(block[156:512])


def is_tar(head: bytes) -> bool:
    return len(head) >= 512 and head[257:262] == b"ustar" and _tar_checksum_ok(head[:512])


def sniff(head: bytes) -> str | None:
    """The archive format of content starting with ``head`` (512 bytes suffice), or None."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b\x08"):
        return "gzip"
    if head.startswith(b"BZh") and head[3:4] in b"123456789" and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if is_tar(head):
        return "tar"
    return None


def looks_like_notebook(head: bytes, path: str) -> bool:
    """Whether content starting with ``head`` at ``path`` is a Jupyter notebook (:mod:`scanner.sources.notebooks`)."""
    if path.lower().endswith(".ipynb"):
        return True
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start == b"{" and b'"cell_type"' in head and (b'"cells"' in head or b'"worksheets"' in head)
