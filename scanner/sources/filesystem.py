"""Filesystem source: walk paths and yield the files to scan (as small descriptors, never contents)
and the ones skipped, with the reason."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from scanner.errors import UsageError
from scanner.results import Skip
from scanner.sources.openfile import open_regular

if TYPE_CHECKING:
    import pathspec

IGNORE_FILE = ".credsprawlignore"
_ALWAYS_SKIPPED_DIRS = frozenset({".git"})




@dataclass(frozen=True)
class FileItem:
    """One file to scan: where to open it and how to show it."""

    path: str  # path to open
    display: str  # path shown to people: relative to the scan root, '/'-separated
    size: int


@dataclass(frozen=True)
class WalkOptions:
    max_file_size: int = 50 * 1024 * 1024  # 0: no limit
    follow_symlinks: bool = False
    respect_gitignore: bool = False
    excludes: tuple[str, ...] = ()  # gitignore-style patterns from --exclude and the config


@dataclass(frozen=True)
class _Ignore:
    base: str  # display prefix of the directory the spec applies to ('' at the root)
    spec: pathspec.PathSpec

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.base:
            if not rel.startswith(self.base + "/"):
                return False
            rel = rel[len(self.base) + 1:]
        return self.spec.match_file(rel + "/" if is_dir else rel)


def _spec(lines: list[str] | tuple[str, ...]) -> pathspec.PathSpec:
    import pathspec  # only a walk with ignore files or excludes needs it

    return pathspec.GitIgnoreSpec.from_lines(lines)  # git's own reading of .gitignore lines


def _load_spec(path: Path) -> pathspec.PathSpec | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return _spec(lines)


def _holds_archive(path: str) -> bool:
    """Whether the file starts like an archive (by content, as it will be opened)."""
    from scanner.sources import archives  # only a file over the size limit needs a look

    with open_regular(path) as fh:  # a path swapped for a FIFO fails at once (NotRegularFile is an OSError)
        return archives.sniff(fh.read(archives.SNIFF_BYTES)) is not None


class FileWalker:
    def __init__(self, options: WalkOptions) -> None:
        self.options = options
        self._excludes = _spec(options.excludes) if options.excludes else None

    def walk(self, roots: list[str]) -> Iterator[FileItem | Skip]:
        for root in roots:
            try:
                os.lstat(root)
            except (FileNotFoundError, NotADirectoryError):
                raise UsageError(f"path does not exist: {root}") from None
            except OSError:
                pass  # there, or not, but out of reach (a folder on the way cannot be searched): a skip below
        # a file that an earlier root reached already (``scan a.txt a.txt``, ``scan dir dir/sub``) is
        # scanned once, under the first name: files are told apart by their real path. Within one root,
        # a followed symlink is a path of its own and stays reported.
        dedupe = len(roots) > 1
        seen: set[str] = set()  # real paths of the files of the roots before
        skipped: set[tuple[str, str]] = set()
        for root in roots:
            reached: set[str] = set()
            for entry in self._walk_root(root, single=len(roots) == 1):
                if dedupe:
                    if isinstance(entry, FileItem):
                        real = os.path.realpath(entry.path)
                        if real in seen:
                            continue
                        reached.add(real)
                    elif (entry.path, entry.reason) in skipped:
                        continue
                    else:
                        skipped.add((entry.path, entry.reason))
                yield entry
            seen |= reached

    def _excluded(self, rel: str, is_dir: bool, ignores: list[_Ignore]) -> bool:
        if self._excludes is not None and self._excludes.match_file(rel + "/" if is_dir else rel):
            return True
        return any(i.matches(rel, is_dir) for i in ignores)

    def _walk_root(self, root: str, single: bool) -> Iterator[FileItem | Skip]:
        try:
            st = os.lstat(root)
        except OSError as exc:
            yield Skip(Path(root).name if single else Path(root).as_posix(), "unreadable", exc.strerror or str(exc))
            return
        if not stat.S_ISDIR(st.st_mode) and not (stat.S_ISLNK(st.st_mode) and os.path.isdir(root)):
            # a file named on the command line is scanned even if it is a symlink
            display = Path(root).name if single else Path(root).as_posix()
            yield from self._file(root, display, follow=True)
            return
        prefix = "" if single else Path(root).as_posix().rstrip("/")
        visited: set[tuple[int, int]] = set()
        yield from self._dir(root, "", prefix, [], visited)

    def _dir(
        self, path: str, rel: str, prefix: str, ignores: list[_Ignore], visited: set[tuple[int, int]]
    ) -> Iterator[FileItem | Skip]:
        shown = f"{prefix}/{rel}".strip("/") if prefix else rel
        try:
            if self.options.follow_symlinks:  # only a followed symlink can lead back to a folder on the way
                st = os.stat(path)
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    yield Skip(shown or ".", "symlink-loop")
                    return
                visited.add(key)
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError as exc:
            yield Skip(shown or path, "unreadable", exc.strerror or str(exc))
            return
        local = list(ignores)
        names = {e.name for e in entries}
        for name in [IGNORE_FILE] + ([".gitignore"] if self.options.respect_gitignore else []):
            if name in names:
                spec = _load_spec(Path(path) / name)
                if spec is not None:
                    local.append(_Ignore(rel, spec))
        for entry in entries:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            child_shown = f"{prefix}/{child_rel}" if prefix else child_rel
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=self.options.follow_symlinks)
            except OSError as exc:
                yield Skip(child_shown, "unreadable", exc.strerror or str(exc))
                continue
            if is_dir and entry.name in _ALWAYS_SKIPPED_DIRS:
                continue
            if self._excluded(child_rel, is_dir, local):
                yield Skip(child_shown, "ignored")
                continue
            if is_link and not self.options.follow_symlinks:
                yield Skip(child_shown, "symlink")
                continue
            if is_dir:
                yield from self._dir(entry.path, child_rel, prefix, local, visited)
            else:
                yield from self._file(entry.path, child_shown, follow=self.options.follow_symlinks)

    def _file(self, path: str, display: str, follow: bool) -> Iterator[FileItem | Skip]:
        try:
            st = os.stat(path) if follow else os.lstat(path)
        except OSError as exc:
            reason = "symlink-loop" if getattr(exc, "errno", None) == 40 else "unreadable"
            yield Skip(display, reason, exc.strerror or str(exc))
            return
        if not stat.S_ISREG(st.st_mode):
            yield Skip(display, "special", "not a regular file (FIFO, socket or device)")
            return
        limit = self.options.max_file_size
        if limit and st.st_size > limit:
            try:
                archive = _holds_archive(path)
            except OSError as exc:
                yield Skip(display, "unreadable", exc.strerror or str(exc))
                return
            if not archive:  # an archive's limit applies to each member, where it is opened
                yield Skip(display, "too-large", f"{st.st_size} bytes > --max-file-size {limit}", "--max-file-size")
                return
        if st.st_size == 0:
            yield Skip(display, "empty")
            return
        yield FileItem(path, display, st.st_size)
