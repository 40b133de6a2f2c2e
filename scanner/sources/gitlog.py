"""Read a repository's history in one pass: every commit with the files it added or changed.

One ``git log --raw`` walks the chosen commits (parents before children) and lists, per commit, each
path whose blob changed against its first parent (root commits against the empty tree; merges against
their first parent, so every commit's tree is its first parent's plus its own changes). The pass is
linear in the size of the history: git diffs trees, never file contents (no ``-p``).

From this one pass come the unique blobs to scan (each once, whatever the number of paths and commits
that hold it) and everything attribution needs afterwards.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator, Sequence

from scanner.sources.git import (BLOB_MODES, GITLINK_MODE, NULL_SHA, GitError, Repo, git_env, open_repo, show_path,
                                 widen_pipe)

_FORMAT = "%x01%H %P%x00%an%x00%ae%x00%aI%x00%s"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str  # author date, strict ISO 8601
    subject: str


# (path, blob before, blob after); a side that is not a regular file (deleted, a submodule, a
# symlink) is NULL_SHA
Change = tuple[str, str, str]


@dataclass
class History:
    """Commits in walk order (parents first), each with its changes, and the blobs they introduced."""

    commits: list[Commit] = field(default_factory=list)
    changes: list[tuple[Change, ...]] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)  # commit sha -> position in ``commits``
    blob_paths: dict[str, dict[str, None]] = field(default_factory=dict)  # blob -> paths (ordered set)
    gitlinks: dict[str, str] = field(default_factory=dict)  # submodule path -> last commit seen
    warnings: list[str] = field(default_factory=list)
    # called with (blob, path) when the walk first meets a blob: a scan can start on it at once
    on_new_blob: Callable[[str, str], None] | None = field(default=None, repr=False, compare=False)

    # blob -> the blob its path held before the first change that brought it from another blob (kept
    # as the walk goes: ``predecessors``)
    _preds: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def predecessors(self) -> dict[str, str]:
        """For each blob, the blob its path held before the change that first brought it (the first
        change that brought it in place of another blob)."""
        return self._preds

    def blobs(self) -> list[str]:
        """Every blob introduced by a walked commit, once, in the order the walk first met it."""
        return list(self.blob_paths)

    def add(self, commit: Commit, changes: list[Change]) -> None:
        self.index[commit.sha] = len(self.commits)
        self.commits.append(commit)
        self.changes.append(tuple(changes))
        preds = self._preds
        for path, old, new in changes:
            if new != NULL_SHA:
                if old != NULL_SHA and new not in preds:
                    preds[new] = old
                seen = self.blob_paths.get(new)
                if seen is None:
                    self.blob_paths[new] = {path: None}
                    if self.on_new_blob is not None:
                        self.on_new_blob(new, path)
                else:
                    seen[path] = None


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-separated tokens of a stream, read in large chunks."""
    rest = b""
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


class _Drained:
    """A pipe read to its end by a helper thread, so the writer never waits on a full pipe while the
    caller does other work between reads (a history scan scans blobs while ``git log`` runs)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), name="git-log-reader", daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[bytes]) -> None:
        try:
            while chunk := stream.read1(_CHUNK):  # type: ignore[attr-defined]
                self._chunks.put(chunk)
        except (OSError, ValueError):
            pass
        finally:
            self._chunks.put(b"")

    def read(self, _size: int = -1) -> bytes:
        return self._chunks.get()


def _intern(cache: dict[str, str], value: str) -> str:
    return cache.setdefault(value, value)


def parse_log(stream: IO[bytes], history: History) -> None:
    """Parse ``git log -z --raw --format=_FORMAT`` output into ``history``."""
    tokens = _tokens(stream)
    paths: dict[str, str] = {}
    blobs: dict[str, str] = {NULL_SHA: NULL_SHA}
    commit: Commit | None = None
    changes: list[Change] = []
    for token in tokens:
        token = token.lstrip(b"\n")
        if token.startswith(b"\x01"):
            if commit is not None:
                history.add(commit, changes)
            head = token[1:].decode("ascii").split(" ")
            author, email, date, subject = (next(tokens).decode("utf-8", "replace") for _ in range(4))
            commit = Commit(head[0], tuple(p for p in head[1:] if p), author, email, date, subject)
            changes = []
        elif token.startswith(b":") and commit is not None:
            old_mode, new_mode, old, new, _status = token[1:].split(b" ")
            path = _intern(paths, show_path(next(tokens)))
            if new_mode == GITLINK_MODE:
                history.gitlinks[path] = new.decode()
            old_s = _intern(blobs, old.decode()) if old_mode in BLOB_MODES else NULL_SHA
            new_s = _intern(blobs, new.decode()) if new_mode in BLOB_MODES else NULL_SHA
            if old_s != new_s:
                changes.append((path, old_s, new_s))
    if commit is not None:
        history.add(commit, changes)


# the walk: parents before children, each commit's changes against its first parent (the empty tree
# for a root), as raw records, NUL-separated; extra commits come on stdin
LOG_OPTIONS = ("--stdin", "--date-order", "--reverse", "--no-abbrev", "--raw", "-r", "-z", "--root",
               "--no-renames", "--diff-merges=first-parent", "--no-textconv", "--no-ext-diff", "--no-color",
               "--encoding=UTF-8", f"--format={_FORMAT}")


class LogWalk:
    """The ``git log`` of a walk (:func:`read_history` reads it), started on construction. Its output
    pipe is as wide as the system allows (1 MB on Linux): started before a scanner loads its rules
    (:func:`start_walk`), git walks on that long before anything reads it. Close it to stop a walk
    nobody read."""

    def __init__(self, repo: Repo, revs: Sequence[str], extra_commits: Sequence[str] = ()) -> None:
        self.proc = subprocess.Popen(repo.argv("log", *revs, *LOG_OPTIONS), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env(),
                                     cwd=repo.worktree or repo.git_dir)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        widen_pipe(self.proc.stdout.fileno())
        self.proc.stdin.write("".join(f"{c}\n" for c in extra_commits).encode())
        self.proc.stdin.close()

    def close(self) -> None:
        """Stop git when it still runs, and release its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        self.proc.wait()


EVERY_REF = ("--all",)  # the walk of a history scan that chooses no commits


class EarlyWalk:
    """The walk of every ref of the repository at ``path``, started before the scan (:func:`start_walk`)."""

    def __init__(self, path: str, repo: Repo, log: LogWalk) -> None:
        self.path, self.repo, self.log = path, repo, log

    def close(self) -> None:
        self.log.close()


def start_walk(path: str) -> EarlyWalk:
    """Start walking every ref of the repository at ``path`` now: ``git log`` runs while the caller
    loads the scanner, its rules and settings (``history.scan.run_history`` takes it over for a
    request that walks every ref of that repository). A UsageError when ``path`` is no repository.
    Close what is not run."""
    repo = open_repo(path)
    return EarlyWalk(path, repo, LogWalk(repo, EVERY_REF))


def read_history(repo: Repo, revs: Sequence[str], extra_commits: Sequence[str] = (),
                 on_new_blob: Callable[[str, str], None] | None = None, drain: bool = False,
                 started: Callable[[], None] | None = None, walk: LogWalk | None = None) -> History:
    """Walk ``revs`` (git revision arguments: ``--all``, ``main``, ``^base``) plus ``extra_commits``;
    ``walk``: that walk, already started (then ``revs`` and ``extra_commits`` are its own).

    ``on_new_blob(blob, path)`` is called as the walk first meets each blob. ``drain``: a thread
    reads git's output, so that git runs on while ``on_new_blob`` does long work. ``started`` is
    called once git runs, before anything is read (and before that thread starts): work done there
    overlaps git's.

    A walk that git cannot finish (a missing tree in a damaged repository) keeps what it read and
    says so in ``History.warnings``.
    """
    history = History(on_new_blob=on_new_blob)
    walk = walk or LogWalk(repo, revs, extra_commits)
    with walk.proc as proc:
        assert proc.stdout is not None and proc.stderr is not None
        if started is not None:
            started()
        parse_log(_Drained(proc.stdout) if drain else proc.stdout, history)  # type: ignore[arg-type]
        stderr = proc.stderr.read()
        code = proc.wait()
    if code != 0:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        first = next((m for m in message if m.startswith(("fatal:", "error:"))), message[0] if message else "")
        if not history.commits:
            raise GitError(f"git log failed in {repo.root}: {first}")
        history.warnings.append(f"history walk stopped early ({first}); the history scanned is partial")
    return history
