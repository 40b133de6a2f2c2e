"""The staged index as a source: what a commit would add, read from git.

One ``git diff --cached --raw -p -U0`` lists the added, copied, modified and renamed files with their
staged blob ids and the line ranges the staged diff adds; ``git cat-file --batch-check`` sizes those
blobs and ``git cat-file --batch`` reads them.

:class:`StagedIndex` starts those three processes at once, before the caller has anything to ask:
the diff runs, and both ``cat-file`` processes open the repository, while the caller loads its
modules and rules and builds its engine (the pre-commit hook's start-up), then answers without a
process start in the way. Nothing else changes: the same commands, the same options, the same
answers as one-off runs give. Light to import (no engine, no matcher): the hook imports it first.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import Sequence

from scanner.sources.git import BLOB_MODES, BlobReader, GitError, ObjectInfo, ObjectSizer, Repo, show_path
from scanner.sources.git import _first_line as first_line

_HUNK = re.compile(rb"(?m)^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {b"n": 10, b"t": 9, b"r": 13, b'"': 34, b"\\": 92, b"a": 7, b"b": 8, b"f": 12, b"v": 11}

# the staged diff: raw records (modes, blob ids, status) then the patch of each, without context lines
STAGED_DIFF = ("diff", "--cached", "--raw", "-p", "-U0", "--no-abbrev", "-M", "--diff-filter=ACMR", "--no-color",
               "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/")
# every path the index changes (what pre-commit passes on a commit: added, copied, modified, renamed,
# type-changed; never deleted)
STAGED_NAMES = ("diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRTUXB", "--no-ext-diff")


@dataclass(frozen=True)
class StagedFile:
    """A file the index would commit: its path, staged blob and the lines the commit adds."""

    path: str
    blob: str
    status: str  # A, C, M or R
    # inclusive line ranges the staged diff adds; None when git diffs the file as binary (it may
    # still be text to the engine, UTF-16 say): then every line counts as added
    added: tuple[tuple[int, int], ...] | None = ()


def unquote(raw: bytes) -> bytes:
    """A path as git prints it: as is, or C-quoted (``"q\\"uote.txt"``, octal bytes)."""
    if not raw.startswith(b'"') or not raw.endswith(b'"'):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i:i + 1]
        if ch == b"\\" and i + 1 < len(body):
            nxt = body[i + 1:i + 2]
            if nxt.isdigit():
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(_ESCAPES.get(nxt, nxt[0]))
            i += 2
            continue
        out += ch
        i += 1
    return bytes(out)


def parse_staged_diff(output: bytes) -> list[StagedFile]:
    """Parse ``git diff --cached --raw -p -U0`` output: the raw records, then one ``diff --git``
    section per record, in the same order, with the added line ranges of its hunks."""
    raw_part, _, patch = output.partition(b"\n\n")
    records: list[tuple[str, str, str]] = []
    for line in raw_part.splitlines():
        if not line.startswith(b":"):
            continue
        meta, *names = line.split(b"\t")
        _old_mode, new_mode, _old, new, status = meta[1:].split(b" ")
        if new_mode not in BLOB_MODES:
            continue  # a submodule or a symlink: nothing to scan
        records.append((show_path(unquote(names[-1])), new.decode(), status[:1].decode()))
    # the patch part may be empty when only raw records were printed
    sections = re.split(rb"(?m)^diff --git ", patch) if patch else []
    sections = [s for s in sections if s]
    ranges: list[tuple[tuple[int, int], ...] | None] = []
    for section in sections:
        if re.search(rb"(?m)^Binary files .* differ$", section):
            ranges.append(None)
            continue
        found = []
        for m in _HUNK.finditer(section):  # hunk headers only: every other line starts with + - or a blank
            start, count = int(m.group(1)), int(m.group(2) or b"1")
            if count:
                found.append((start, start + count - 1))
        ranges.append(tuple(found))
    return [StagedFile(p, blob, status, ranges[i] if i < len(ranges) else ()) for i, (p, blob, status) in enumerate(records)]


def _finish(repo: Repo, proc: subprocess.Popen[bytes], command: str) -> bytes:
    """The output of a git process started with ``Repo.popen``, once it ended; a GitError as ``Repo.run`` raises."""
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise GitError(f"git {command} failed in {repo.root}: {first_line(err)}")
    return out


class StagedIndex:
    """The git side of a staged scan, started on construction (see the module docstring): the staged
    diff (and, with ``names``, the list of staged paths) runs and both ``cat-file`` processes wait for
    blob ids. Close it (or use it as a context manager) to stop what is still running."""

    def __init__(self, repo: Repo, *, names: bool = False) -> None:
        self.repo = repo
        self.reader = BlobReader(repo)
        self._sizer = ObjectSizer(repo)
        self._names = repo.popen(*STAGED_NAMES) if names else None
        self._diff: subprocess.Popen[bytes] | None = repo.popen(*STAGED_DIFF)
        self._files: list[StagedFile] | None = None
        self._sizer.start()
        self.reader.start()

    def names(self) -> frozenset[str]:
        """Every path the index changes (``STAGED_NAMES``); asked for on construction with ``names``."""
        if self._names is None:
            raise ValueError("StagedIndex(names=True) lists the staged paths")
        out = _finish(self.repo, self._names, "diff")
        return frozenset(show_path(raw) for raw in out.split(b"\0") if raw)

    def files(self) -> list[StagedFile]:
        """The staged files, with the lines the commit adds (the diff's answer, waited for once)."""
        if self._files is None:
            assert self._diff is not None
            self._files = parse_staged_diff(_finish(self.repo, self._diff, "diff"))
            self._diff = None
        return self._files

    def ask_sizes(self, shas: Sequence[str]) -> None:
        """Ask for the type and size of ``shas`` now: git answers while the caller does other work
        (:meth:`sizes` collects). At most ``ObjectSizer.ROUND`` ids; more are asked by ``sizes``."""
        if len(shas) <= ObjectSizer.ROUND:
            self._sizer.request(shas)

    def sizes(self, shas: Sequence[str]) -> dict[str, ObjectInfo]:
        """Type and size of each of ``shas``: the answers to :meth:`ask_sizes` when it asked for them."""
        asked = self._sizer.collect()
        return asked if set(asked) >= set(shas) else {**asked, **self._sizer.infos(shas)}

    def close(self) -> None:
        """Stop what still runs: every process is told first (killed, or its input closed), then each
        is waited for, so they end side by side."""
        running = [p for p in (self._diff, self._names) if p is not None]
        for proc in running:
            if proc.poll() is None:
                proc.kill()
        self.reader.close_input()
        self._sizer.close()
        for proc in running:
            proc.communicate()
        self._diff = self._names = None
        self.reader.close()

    def __enter__(self) -> StagedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def staged_files(repo: Repo) -> list[StagedFile]:
    """The staged files of ``repo`` (one ``git diff``, no ``cat-file``)."""
    return parse_staged_diff(repo.run(*STAGED_DIFF))
