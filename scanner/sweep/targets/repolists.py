"""Repositories named by hand: a list file (``read_repo_file``), or a folder tree searched (``discover``).

Discovery finds work trees (a ``.git`` folder or ``.git`` file) and bare repositories (``HEAD``,
``objects/`` and ``refs/``), and does not walk into a repository it found. Nested checkouts:

- submodules that are checked out (named in the work tree's ``.gitmodules``) are listed as their own
  repositories (``outer/path/of/sub``): their history is not in the outer repository's;
- any other repository inside a work tree (a vendored clone, say) is found only with ``nested=True``,
  which searches whole work trees (everything but ``.git``);
- a linked work tree (``git worktree add``) shares its repository's objects and refs, so only the
  first of them (by name) is listed.

Symbolic links to folders are not followed; a folder that cannot be read is skipped (and passed to
``on_error`` when given). Names are paths relative to the searched folder, ``/``-separated; the result
is sorted by name.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Callable

from scanner.errors import UsageError
from scanner.sweep.targets.repospec import RepoSpec, check_remote, is_remote, name_for_url, redact_url

OnError = Callable[[Path, OSError], None]
_SUBMODULE_PATH = re.compile(r"^\s*path\s*=\s*\"?(.+?)\"?\s*$")


# ------------------------------------------------------------------------------------------------
# list files


def read_repo_file(path: Path) -> list[RepoSpec]:
    """One clone URL or local repository path a line; ``#`` starts a comment, blank lines are skipped.
    Relative paths are resolved against the file's folder. A line that is not a usable URL is a
    UsageError naming ``file:line``; repeats (the same name or the same folder) are dropped, first one
    kept.

    A path is not checked here: a folder that is gone or is not a repository (a stale line, as every
    long-lived list has) fails that one repository when the sweep opens it, with its reason, and the
    sweep goes on (the worker that opens it decides: on a cluster, the driver need not see it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read repository list {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"repository list {path} is not UTF-8 text") from None
    base = path.absolute().parent
    specs: list[RepoSpec] = []
    names: set[str] = set()
    folders: set[Path] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        where = f"{path}:{lineno}"
        if is_remote(line):
            why = check_remote(line)
            if why:
                raise UsageError(f"{where}: {why}: {redact_url(line)}")
            spec = RepoSpec(name_for_url(line), url=line)
        else:
            folder = (base / Path(line).expanduser()).resolve()
            if folder in folders:
                continue
            folders.add(folder)
            spec = RepoSpec(posixpath.normpath(line.replace(os.sep, "/")), path=folder)
        if spec.name not in names:
            names.add(spec.name)
            specs.append(spec)
    return specs


# ------------------------------------------------------------------------------------------------
# discovery


def discover(directory: Path, *, nested: bool = False, on_error: OnError | None = None) -> list[RepoSpec]:
    """Every git repository under ``directory`` (itself included), as local RepoSpecs sorted by name."""
    root = directory.absolute()
    if not root.is_dir():
        raise UsageError(f"cannot search {directory} for repositories: no such folder")
    found: dict[str, RepoSpec] = {}
    shared: set[Path] = set()

    def add(folder: Path, name: str, common: Path | None) -> None:
        if common is not None and common in shared:
            return
        if common is not None:
            shared.add(common)
        found[name] = RepoSpec(name, path=folder)

    _walk(root, root, nested, on_error, add)
    return [found[name] for name in sorted(found)]


def _walk(root: Path, folder: Path, nested: bool, on_error: OnError | None,
          add: Callable[[Path, str, Path | None], None]) -> None:
    try:
        with os.scandir(folder) as it:
            entries = {e.name: e for e in it}
    except OSError as exc:
        if on_error is not None:
            on_error(folder, exc)
        return
    kind = _repo_kind(folder, entries)
    name = folder.relative_to(root).as_posix() if folder != root else root.name or root.as_posix()
    if kind is not None:
        add(folder, name, _common_dir(folder, kind))
        if kind == "bare":
            return
        if not nested:
            for sub in _submodules(folder):
                _walk(root, sub, nested, on_error, add)
            return
    for entry_name in sorted(entries):
        entry = entries[entry_name]
        if entry_name == ".git" or not _is_dir(entry):
            continue
        _walk(root, Path(entry.path), nested, on_error, add)


def _is_dir(entry: os.DirEntry[str], follow: bool = False) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow)
    except OSError:
        return False


def _repo_kind(folder: Path, entries: dict[str, os.DirEntry[str]]) -> str | None:
    """``worktree``, ``bare`` or None."""
    if ".git" in entries:
        return "worktree"
    head, objects, refs = entries.get("HEAD"), entries.get("objects"), entries.get("refs")
    if head and objects and refs and head.is_file() and _is_dir(objects, True) and _is_dir(refs, True):
        return "bare"
    return None


def _common_dir(folder: Path, kind: str) -> Path | None:
    """The folder holding the repository's objects and refs, to tell linked work trees apart."""
    if kind == "bare":
        return folder.resolve()
    dot_git = folder / ".git"
    try:
        if dot_git.is_dir():
            return dot_git.resolve()
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if not text.startswith("gitdir:"):
            return None
        git_dir = (folder / text[len("gitdir:"):].strip()).resolve()
        common = git_dir / "commondir"
        if common.is_file():
            return (git_dir / common.read_text(encoding="utf-8", errors="replace").strip()).resolve()
        return git_dir
    except OSError:
        return None


def _submodules(worktree: Path) -> list[Path]:
    """Checked-out submodules named in ``.gitmodules``, kept inside the work tree."""
    try:
        text = (worktree / ".gitmodules").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    top = worktree.resolve()
    subs: list[Path] = []
    for line in text.splitlines():
        m = _SUBMODULE_PATH.match(line)
        if not m:
            continue
        sub = Path(os.path.normpath(worktree / m.group(1)))
        try:
            inside = sub != worktree and sub.is_relative_to(worktree) and sub.resolve().is_relative_to(top)
            if inside and os.path.lexists(sub / ".git") and sub not in subs:
                subs.append(sub)
        except OSError:
            continue
    return sorted(subs)
