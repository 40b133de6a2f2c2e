"""Git plumbing for the history and staged sources: open a repository, list refs and objects, and
stream blob contents through one persistent ``git cat-file --batch`` process.

Everything here speaks to ``git`` as a subprocess (GitPython is not used: its object database layer
is pure Python and slower than git's own). Paths come back as bytes from ``-z`` output and are shown
as UTF-8, or as latin-1 when they are not valid UTF-8 (``caf\\xe9.txt`` shows as ``café.txt``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass
from typing import IO, Generator, Iterator, Sequence

from scanner.errors import CredsprawlError, UsageError

NULL_SHA = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
BLOB_MODES = frozenset({b"100644", b"100755", b"100664"})
GITLINK_MODE = b"160000"
AHEAD_BYTES = 32 * 1024 * 1024  # blob contents read ahead of the scan, at most (one bigger blob goes alone)
# options that make porcelain-ish commands behave the same whatever the user's config says
_CONFIG = (
    "-c", "core.quotePath=false", "-c", "log.showSignature=false", "-c", "color.ui=false",
    "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "diff.external=",
    "-c", "core.fsmonitor=false",
)


class GitError(CredsprawlError):
    """A git command failed in a way the user must fix (a broken repository, a bad revision)."""


def show_path(raw: bytes) -> str:
    """A repository path for people and reports: UTF-8 where it is valid, else latin-1 (what a
    non-UTF-8 name most often is; one character per byte, so nothing is lost or made unsafe)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_PAGER": "cat"})
    return env


def _first_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    return (fatal or lines or ["git failed"])[0]


@dataclass(frozen=True)
class Repo:
    """A repository: its git directory, and its work tree unless it is bare."""

    git_dir: str
    worktree: str | None
    shallow: bool = False

    @property
    def root(self) -> str:
        """The folder findings are relative to: the work tree, or the git directory when bare."""
        return self.worktree or self.git_dir

    def argv(self, *args: str) -> list[str]:
        return ["git", f"--git-dir={self.git_dir}", *( [f"--work-tree={self.worktree}"] if self.worktree else []),
                *_CONFIG, *args]

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
        """Run ``git ARGS``; stdout as bytes. A failure is a GitError with git's own first line."""
        proc = subprocess.run(self.argv(*args), input=input, capture_output=True, env=git_env(),
                              cwd=self.worktree or self.git_dir)
        if check and proc.returncode != 0:
            raise GitError(f"git {args[0]} failed in {self.root}: {_first_line(proc.stderr)}")
        return proc.stdout

    def try_run(self, *args: str, input: bytes | None = None) -> tuple[int, bytes, bytes]:
        proc = subprocess.run(self.argv(*args), input=input, capture_output=True, env=git_env(),
                              cwd=self.worktree or self.git_dir)
        return proc.returncode, proc.stdout, proc.stderr

    def popen(self, *args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.argv(*args), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=git_env(), cwd=self.worktree or self.git_dir)


def open_repo(path: str) -> Repo:
    """The repository at (or above) ``path``; a UsageError when there is none."""
    if not os.path.isdir(path):
        raise UsageError(f"not a git repository: {path} (no such folder)")
    proc = subprocess.run(
        ["git", "-C", path, "rev-parse", "--absolute-git-dir", "--is-bare-repository", "--is-shallow-repository",
         "--show-toplevel"],
        capture_output=True, env=git_env(),
    )
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if proc.returncode != 0 and len(lines) < 3:
        reason = _first_line(proc.stderr)
        if "not a git repository" in reason:
            raise UsageError(f"not a git repository: {path} (run it inside a clone, or pass the clone's folder)")
        raise UsageError(f"cannot open git repository {path}: {reason}")
    git_dir, bare, shallow = lines[0], lines[1] == "true", lines[2] == "true"
    worktree = None if bare or len(lines) < 4 else lines[3]
    return Repo(git_dir, worktree, shallow)


def open_worktree(path: str) -> Repo:
    """The repository at (or above) ``path``, which has a work tree; a bare one (no index) is a UsageError."""
    repo = open_repo(path)
    if repo.worktree is None:
        raise UsageError(f"{path} is a bare repository: there is no index to scan")
    return repo


# ------------------------------------------------------------------------------------------------
# refs, HEAD and trees


@dataclass(frozen=True)
class Ref:
    """A ref and the object it names, peeled through annotated tags."""

    name: str  # refs/heads/main, refs/tags/v1, refs/stash, HEAD (when detached)
    target: str  # the object the ref names, peeled through annotated tags
    kind: str  # commit, tree or blob: what ``target`` is


def list_refs(repo: Repo) -> list[Ref]:
    """Every ref, peeled through annotated tags, plus HEAD when it is detached."""
    out = repo.run("for-each-ref", "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)")
    refs: list[Ref] = []
    for line in out.decode("utf-8", "backslashreplace").splitlines():
        sha, kind, peeled, peeled_kind, name = line.split(" ", 4)
        if kind == "tag" and peeled:
            sha, kind = peeled, peeled_kind
        if kind == "tag":  # a tag of a tag: let git peel it
            code, resolved, _ = repo.try_run("rev-parse", "--verify", "--quiet", f"{name}^{{}}")
            if code != 0:
                continue
            sha = resolved.decode().strip()
            kind = repo.run("cat-file", "-t", sha).decode().strip()
        refs.append(Ref(name, sha, kind))
    head = head_commit(repo)
    if head is not None and symbolic_head(repo) is None:
        refs.append(Ref("HEAD", head, "commit"))
    return sorted(refs, key=lambda r: r.name)


def head_commit(repo: Repo, rev: str = "HEAD") -> str | None:
    code, out, _ = repo.try_run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return out.decode().strip() if code == 0 else None


def symbolic_head(repo: Repo) -> str | None:
    code, out, _ = repo.try_run("symbolic-ref", "--quiet", "HEAD")
    return out.decode("utf-8", "backslashreplace").strip() if code == 0 else None


def resolve_commit(repo: Repo, rev: str) -> str:
    """A revision to its commit id; a UsageError naming the revision when it does not resolve."""
    sha = head_commit(repo, rev)
    if sha is None:
        raise UsageError(f"unknown revision {rev!r} in {repo.root} (is it fetched? try 'git fetch' first)")
    return sha


@dataclass(frozen=True)
class TreeEntry:
    """A file of a tree: its path, mode and blob id."""

    path: str
    mode: bytes
    sha: str


def tree_entries(repo: Repo, treeish: str) -> list[TreeEntry]:
    """Every file of a tree (recursively), as ``git ls-tree -r`` lists it."""
    out = repo.run("ls-tree", "-r", "-z", "--full-tree", treeish)
    entries: list[TreeEntry] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, sha = meta.split(b" ")
        entries.append(TreeEntry(show_path(path), mode, sha.decode()))
    return entries


# ------------------------------------------------------------------------------------------------
# objects


@dataclass(frozen=True)
class ObjectInfo:
    """An object's type and size, as ``git cat-file --batch-check`` gives them."""

    sha: str
    kind: str  # blob, tree, commit, tag, or "missing"
    size: int


def object_info(repo: Repo, shas: Sequence[str]) -> dict[str, ObjectInfo]:
    """Type and size of each object from one ``git cat-file --batch-check`` (no content is read)."""
    if not shas:
        return {}
    out = repo.run("cat-file", "--batch-check", input="".join(f"{s}\n" for s in shas).encode())
    found: dict[str, ObjectInfo] = {}
    for line in out.decode().splitlines():
        info = _check_line(line)
        if info is not None:
            found[info.sha] = info
    return found


def _check_line(line: str) -> ObjectInfo | None:
    """One answer of ``git cat-file --batch-check``: ``sha kind size`` or ``name missing``."""
    parts = line.split()
    if len(parts) == 2 and parts[1] == "missing":
        return ObjectInfo(parts[0], "missing", 0)
    if len(parts) == 3:
        return ObjectInfo(parts[0], parts[1], int(parts[2]))
    return None


class ObjectSizer:
    """One persistent ``git cat-file --batch-check``, asked in rounds: a history scan sizes the blobs
    it discovers while ``git log`` is still running, without a process per round. Should git die
    (a damaged repository), the rest of the round is asked of a one-off ``object_info``."""

    ROUND = 512  # ids per write: requests (41 bytes) and answers stay within a pipe's capacity

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._proc: subprocess.Popen[bytes] | None = None
        self._asked: list[str] = []  # ids requested by ``request`` and not collected yet

    def request(self, shas: Sequence[str]) -> None:
        """Ask for at most ``ROUND`` ids without waiting for the answers (``collect`` reads them):
        git sizes them while the caller does other work. One round at a time."""
        if self._asked or len(shas) > self.ROUND:
            raise ValueError("one round of at most ROUND ids may be outstanding")
        self._asked = list(shas)
        try:
            proc = self._start()
            assert proc.stdin is not None
            proc.stdin.write("".join(f"{s}\n" for s in shas).encode())
            proc.stdin.flush()
        except (OSError, ValueError):
            self.close()  # ``collect`` asks a one-off process instead

    def collect(self) -> dict[str, ObjectInfo]:
        """The answers to the last ``request``."""
        chunk, self._asked = self._asked, []
        if not chunk:
            return {}
        if self._proc is not None:
            try:
                return self._answers(chunk)
            except (OSError, ValueError, EOFError):
                self.close()
        return object_info(self.repo, chunk)

    def infos(self, shas: Sequence[str]) -> dict[str, ObjectInfo]:
        found: dict[str, ObjectInfo] = {}
        for i in range(0, len(shas), self.ROUND):
            chunk = shas[i:i + self.ROUND]
            try:
                found.update(self._ask(chunk))
            except (OSError, ValueError, EOFError):
                self.close()
                found.update(object_info(self.repo, chunk))
        return found

    def start(self) -> None:
        """Start git now: it opens the repository while the caller does other work."""
        self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            self._proc = subprocess.Popen(self.repo.argv("cat-file", "--batch-check"), stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(),
                                          cwd=self.repo.worktree or self.repo.git_dir)
        return self._proc

    def _ask(self, chunk: Sequence[str]) -> dict[str, ObjectInfo]:
        proc = self._start()
        assert proc.stdin is not None
        proc.stdin.write("".join(f"{s}\n" for s in chunk).encode())
        proc.stdin.flush()
        return self._answers(chunk)

    def _answers(self, chunk: Sequence[str]) -> dict[str, ObjectInfo]:
        assert self._proc is not None and self._proc.stdout is not None
        found: dict[str, ObjectInfo] = {}
        for sha in chunk:
            line = self._proc.stdout.readline()
            if not line:
                raise EOFError(f"git cat-file --batch-check stopped before {sha}")
            info = _check_line(line.decode())
            found[sha] = info if info is not None else ObjectInfo(sha, "missing", 0)
        return found

    def close(self) -> None:
        """Every answer asked for has been read: stop git outright. Closing its input would not be
        enough when worker processes forked meanwhile hold a copy of that pipe."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            _close_pipes(proc)
            proc.wait()

    def __enter__(self) -> ObjectSizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def all_objects(repo: Repo) -> list[ObjectInfo]:
    """Every object in the repository's object database, reachable or not."""
    out = repo.run("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)",
                   "--unordered")
    objects = []
    for line in out.decode().splitlines():
        sha, kind, size = line.split()
        objects.append(ObjectInfo(sha, kind, int(size)))
    return objects


class BlobUnavailable(Exception):
    """An object that ``git cat-file`` could not produce (missing or corrupt)."""


class BlobReader:
    """One persistent ``git cat-file --batch``: blob ids in, contents out, one process for many blobs.

    A worker creates one in its initializer and keeps it for all its batches. When git dies on a
    corrupt object the reader reports that blob as unavailable and starts a fresh process.
    """

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._proc: subprocess.Popen[bytes] | None = None
        self._capacity = _PIPE_DEFAULT  # of git's output pipe

    def start(self) -> None:
        """Start git now: it opens the repository while the caller does other work."""
        self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(self.repo.argv("cat-file", "--batch"), stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(),
                                          cwd=self.repo.worktree or self.repo.git_dir)
            assert self._proc.stdout is not None
            self._capacity = widen_pipe(self._proc.stdout.fileno())
        return self._proc

    def read(self, sha: str) -> bytes:
        for attempt in (1, 2):
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(sha.encode() + b"\n")
                proc.stdin.flush()
                return _read_one(proc.stdout, sha)
            except (BrokenPipeError, EOFError):
                self.close()
                if attempt == 2:
                    raise BlobUnavailable(f"git cat-file failed on object {sha} (corrupt object?)") from None
        raise AssertionError("unreachable")

    def read_many(self, shas: Sequence[str], ahead: int = 64,
                  sizes: Sequence[int] | None = None) -> Iterator[tuple[str, bytes | None, str]]:
        """(sha, content or None, reason when None) for each id, in order.

        Requests run up to ``ahead`` ids in front of the one being read (41 bytes a request: far below
        a pipe's capacity, so writing ahead never blocks on git's full output pipe), and a thread
        drains git's answers into memory (up to ``AHEAD_BYTES``) while the caller scans: git inflates
        the next blobs instead of waiting on a full pipe. With the blobs' ``sizes``, when every blob
        is small, there is no thread: git's output pipe is widened (to 1 MB on Linux) and as many ids
        are requested ahead as their answers fit in it, so git never waits and no answer is handed
        from thread to thread. The process is kept for the next call unless the caller stops before
        the last answer.
        """
        done = 0
        try:
            for item in self._answers(shas, ahead, sizes):
                done += 1  # counted before it is handed over: a caller that stops after the last one is done
                yield item
        finally:
            if done < len(shas):  # the caller stopped early: answers may still be in the pipe
                self.close()

    def _answers(self, shas: Sequence[str], ahead: int,
                 sizes: Sequence[int] | None) -> Iterator[tuple[str, bytes | None, str]]:
        i = 0
        if sizes is not None and len(sizes) == len(shas):
            self._start()
            if max(sizes, default=0) <= self._capacity // 4:
                yield from self._read_ahead(shas, ahead, sizes)
                return
        if len(shas) > 1:
            i = yield from self._read_threaded(shas, ahead)
        if i < len(shas):  # one blob, or what followed an object git died on
            yield from self._read_ahead(shas[i:], ahead)

    def _read_threaded(self, shas: Sequence[str], ahead: int) -> Generator[tuple[str, bytes | None, str], None, int]:
        """Answers read by a helper thread; returns how many ids were answered (fewer when git died:
        that object is reported unavailable and the caller goes on without the thread)."""
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout
        ready: deque[tuple[str, bytes | None, str] | None] = deque()
        state = {"bytes": 0, "stop": False, "failed": -1}
        cond = threading.Condition()

        def pump() -> None:
            i = sent = 0
            try:
                while i < len(shas):
                    if sent - i < ahead // 2 and sent < len(shas):
                        stop = min(len(shas), i + ahead)
                        stdin.write("".join(f"{x}\n" for x in shas[sent:stop]).encode())
                        stdin.flush()
                        sent = stop
                    try:
                        item: tuple[str, bytes | None, str] = (shas[i], _read_one(stdout, shas[i]), "")
                    except BlobUnavailable as exc:
                        item = (shas[i], None, str(exc))
                    size = len(item[1] or b"")
                    with cond:
                        while state["bytes"] > AHEAD_BYTES and ready and not state["stop"]:
                            cond.wait()
                        if state["stop"]:
                            return
                        ready.append(item)
                        state["bytes"] += size
                        cond.notify_all()
                    i += 1
            except (BrokenPipeError, EOFError, OSError, ValueError):
                with cond:
                    state["failed"] = i
            with cond:
                ready.append(None)
                cond.notify_all()

        thread = threading.Thread(target=pump, name="git-cat-file-reader", daemon=True)
        thread.start()
        done = 0
        try:
            while True:
                with cond:
                    while not ready:
                        cond.wait()
                    item = ready.popleft()
                    if item is not None:
                        state["bytes"] -= len(item[1] or b"")
                        cond.notify_all()
                if item is None:
                    break
                done += 1
                yield item
        finally:
            with cond:
                state["stop"] = True
                cond.notify_all()
            if done < len(shas) and state["failed"] < 0:
                self.close()  # stopped early: unblock the thread
            thread.join()
        if state["failed"] >= 0:
            # git died on this object (corrupt): report it and let the caller restart on the rest
            failed = state["failed"]
            self.close()
            yield shas[failed], None, f"git cat-file failed on object {shas[failed]} (corrupt object?)"
            return failed + 1
        return done

    def _read_ahead(self, shas: Sequence[str], ahead: int,
                    sizes: Sequence[int] | None = None) -> Iterator[tuple[str, bytes | None, str]]:
        """Without a thread. ``sizes``: request ahead as long as the answers fit in git's output pipe
        (at most ``_MAX_AHEAD`` ids); else ``ahead`` ids."""
        i = 0
        while i < len(shas):
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            sent = i
            pending = 0  # bytes of the answers requested and not read yet
            try:
                while i < len(shas):
                    if sizes is not None:
                        stop = sent
                        while stop < len(shas) and stop - i < _MAX_AHEAD and (
                                stop == i or pending + sizes[stop] + _ANSWER_EXTRA <= self._capacity):
                            pending += sizes[stop] + _ANSWER_EXTRA
                            stop += 1
                    else:
                        stop = min(len(shas), i + ahead) if sent - i < ahead else sent
                    if stop > sent:
                        proc.stdin.write("".join(f"{x}\n" for x in shas[sent:stop]).encode())
                        proc.stdin.flush()
                        sent = stop
                    if sizes is not None:
                        pending -= sizes[i] + _ANSWER_EXTRA
                    try:
                        data = _read_one(proc.stdout, shas[i])
                    except BlobUnavailable as exc:
                        yield shas[i], None, str(exc)
                    else:
                        yield shas[i], data, ""
                    i += 1
            except (BrokenPipeError, EOFError):
                # git died on this object (corrupt): report it, restart, ask again for the rest
                self.close()
                yield shas[i], None, f"git cat-file failed on object {shas[i]} (corrupt object?)"
                i += 1

    def close_input(self) -> None:
        """Tell git to stop (its input closed: it exits once it has answered) without waiting for it;
        ``close`` waits."""
        if self._proc is not None and self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
            except OSError:
                pass

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        _close_pipes(proc)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _close_pipes(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


_PIPE_DEFAULT = 64 * 1024
_PIPE_WIDE = 1 << 20  # Linux's default limit for an unprivileged process (/proc/sys/fs/pipe-max-size)
_MAX_AHEAD = 1000  # ids requested ahead at most: 41 bytes each, within the request pipe's capacity
_ANSWER_EXTRA = 64  # an answer's header line and trailing newline


def widen_pipe(fd: int) -> int:
    """Make a pipe hold ``_PIPE_WIDE`` bytes where the system allows it; returns its capacity."""
    try:
        import fcntl

        set_size, get_size = getattr(fcntl, "F_SETPIPE_SZ", 1031), getattr(fcntl, "F_GETPIPE_SZ", 1032)
        if sys.platform.startswith("linux"):
            try:
                fcntl.fcntl(fd, set_size, _PIPE_WIDE)
            except OSError:
                pass
            return int(fcntl.fcntl(fd, get_size))
    except (ImportError, OSError):
        pass
    return _PIPE_DEFAULT


def _read_one(stdout: IO[bytes], sha: str) -> bytes:
    header = stdout.readline()
    if not header:
        raise EOFError
    parts = header.split()
    if len(parts) == 2 and parts[1] == b"missing":
        raise BlobUnavailable(f"object {sha} is missing or corrupt")
    if len(parts) != 3:
        raise BlobUnavailable(f"unexpected answer from git cat-file for {sha}: {header[:80]!r}")
    size = int(parts[2])
    data = stdout.read(size)
    if len(data) != size or stdout.read(1) != b"\n":
        raise EOFError
    if parts[1] != b"blob":
        raise BlobUnavailable(f"object {sha} is a {parts[1].decode()}, not a blob")
    return data
