"""Authenticated cache files: what credsprawl reads back from its cache folder cannot run code.

The cache folder (``$CREDSPRAWL_CACHE_DIR``, else ``$XDG_CACHE_HOME/credsprawl``) is not trusted:
it may be shared, or restored by CI from another branch's run. Every cache file is therefore

    MAGIC (16 bytes) | format version (1 byte) | key id (8 bytes) | HMAC-SHA256 tag (32 bytes) | payload

where the tag covers the version, the kind of cache, the file's own name and the payload, keyed by
a per-user secret kept *outside* the cache folder (``$XDG_STATE_HOME/credsprawl/cache.key``, else
``~/.local/state/credsprawl/cache.key``; 32 random bytes, mode 0600, owned by the user, created on
first use). A file is used only when it is a regular file owned by the user, not writable by group
or others, and its tag verifies; anything else is ignored and rebuilt (one warning line per process
for a file that is foreign-owned, writable by others, not in this format or tampered with; a file
made under another key, such as a cache restored onto a new CI runner, is rebuilt silently).
Binding the name means a valid file cannot be swapped in under another file's key.

Payloads are data: the rule cache and the regex cache are pickles read by :func:`restricted_loads`,
which resolves only the globals a cache may name (the rule dataclasses, ``regex``'s own compile
function) and refuses any other, so even a file whose tag verified could not call ``os.system``;
Hyperscan databases are raw bytes given to ``hyperscan.loadb`` only after their tag verified (a
crafted database fed to its C deserialiser would be a memory-safety risk, as crafted ``regex`` code
would be). Verifying costs about 1 ms per 2 MB (SHA-256 in OpenSSL).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import hmac
import io
import os
import pickle
import stat
import sys
import threading
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Sequence

MAGIC = b"credsprawl-cache"  # 16 bytes
VERSION = 1
_KEY_BYTES = 32
_TAG_BYTES = 32
_ID_BYTES = 8
_HEADER = len(MAGIC) + 1 + _ID_BYTES + _TAG_BYTES
_POSIX = hasattr(os, "geteuid")


def key_path() -> Path:
    """Where the per-user cache key lives: never inside the cache folder."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "credsprawl" / "cache.key"


def _private(st: os.stat_result, *, owner_only: bool) -> str | None:
    """Why a file with this status cannot be trusted, or None."""
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if _POSIX and st.st_uid != os.geteuid():
        return f"owned by uid {st.st_uid}, not this user"
    if _POSIX and st.st_mode & (0o077 if owner_only else 0o022):
        return "readable or writable by others" if owner_only else "writable by group or others"
    return None


def _read_key(path: Path, quiet: bool = False) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        why = _private(os.fstat(fd), owner_only=True)
        if why is not None:
            if not quiet:
                warn_once(f"cache key {path} is {why}: caches are not used")
            return None
        key = fh.read(_KEY_BYTES + 1)
    if len(key) != _KEY_BYTES:
        if not quiet:
            warn_once(f"cache key {path} is not {_KEY_BYTES} bytes: caches are not used (delete it to make a new one)")
        return None
    return key


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"credsprawl cache key id|" + key).digest()[:_ID_BYTES]


@functools.lru_cache(maxsize=1)
def _key() -> tuple[bytes, bytes] | None:
    """(key, key id) of this user, created when there is none; None when it cannot be had."""
    path = key_path()
    key = _read_key(path)
    if key is None and not os.path.lexists(path):  # lexists: an unsearchable folder is no error here
        import tempfile  # only when a key or a file is written: not on a warm start

        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache.key-")  # mode 0600
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(os.urandom(_KEY_BYTES))
                os.link(tmp, path)  # never replaces a key another process made first
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: the last writer's key wins, once
                os.replace(tmp, path)
                tmp = ""
            finally:
                if tmp:
                    os.unlink(tmp)
        except OSError:
            return None
        key = _read_key(path)
    if key is None:
        return None
    return key, _key_id(key)


_warned: list[str] = []


def warn_once(message: str) -> None:
    """One warning line on stderr per process, whatever the number of refused files."""
    if not _warned:
        _warned.append(message)
        print(f"credsprawl: warning: {message}", file=sys.stderr)


def _tag(key: bytes, kind: str, name: str, parts: Iterable[bytes]) -> bytes:
    mac = hmac.new(key, f"{VERSION}|{kind}|{name}|".encode("utf-8", "surrogateescape"), "sha256")
    for part in parts:
        mac.update(part)
    return mac.digest()


def load(path: Path, kind: str) -> bytes | None:
    """The payload of the cache file at ``path`` when it is this user's and verifies; else None
    (a missing file silently, an untrusted one with one warning line per process)."""
    parts = _taken(path, kind, None) or _load(path, kind, None)
    return None if parts is None else parts[0]


Lengths = Callable[[bytes], Sequence[int]]


def load_parts(path: Path, kind: str, head: int, lengths: Lengths) -> list[bytes] | None:
    """The payload of the cache file at ``path`` as :func:`load` gives it, in parts read apart (so a
    reader that needs a part as its own ``bytes`` gets it without a copy out of the whole): its first
    ``head`` bytes, then one part of each length ``lengths(first head bytes)`` gives. The parts must
    make up the whole payload; the tag covers them all, and nothing is returned before it verified."""
    return _taken(path, kind, (head, lengths)) or _load(path, kind, (head, lengths))


def _read_parts(fh: BinaryIO, size: int, split: tuple[int, Lengths] | None) -> list[bytes] | None:
    """The ``size`` bytes left in ``fh`` as one part, or split as ``split`` says; None when they do not
    add up (the lengths come from bytes not verified yet: they only size the reads)."""
    if split is None:
        return [fh.readall()]  # type: ignore[attr-defined]  # an unbuffered file: one read
    first = fh.read(split[0])
    try:
        lengths = [int(n) for n in split[1](first)]
    except Exception:  # noqa: BLE001 - a head that does not parse: not a file of this layout
        return None
    if len(first) != split[0] or min(lengths, default=0) < 0 or len(first) + sum(lengths) != size:
        return None
    parts = [first, *(fh.read(n) for n in lengths)]
    return parts if sum(map(len, parts)) == size else None


def _load(path: Path, kind: str, split: tuple[int, Lengths] | None,
          held: tuple[bytes, bytes] | None = None, quiet: bool = False) -> list[bytes] | None:
    """The verified parts of the file, or None (with a warning line unless ``quiet``). ``held``: the
    key to verify with (default: this user's, made when there is none)."""
    held = held or _key()
    if held is None:
        return None
    key, key_id = held
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if not quiet:
            warn_once(f"ignored cache file {path} ({exc.strerror or exc}); it is rebuilt")
        return None
    with os.fdopen(fd, "rb", buffering=0) as fh:  # unbuffered: the rest comes in one read, not in chunks
        why = _private(os.fstat(fd), owner_only=False)
        header = b"" if why else fh.read(_HEADER)
        if why is None and (len(header) < _HEADER or not header.startswith(MAGIC) or header[len(MAGIC)] != VERSION):
            why = "not a credsprawl cache file"
        if why is None and header[len(MAGIC) + 1:len(MAGIC) + 1 + _ID_BYTES] != key_id:
            return None  # made under another key (a new key, a cache from elsewhere): rebuilt
        # unbuffered reads of bytes, not slices: readers take them without a copy
        parts = None if why else _read_parts(fh, os.fstat(fd).st_size - _HEADER, split)
        if why is None and parts is None:
            why = "not a credsprawl cache file"
    if why is None and parts is not None:
        if hmac.compare_digest(_tag(key, kind, path.name, parts), header[_HEADER - _TAG_BYTES:]):
            return parts
        why = "its authentication tag does not match: tampered with"
    if not quiet:
        warn_once(f"ignored cache file {path} ({why}); it is rebuilt")
    return None


# ------------------------------------------------------------------------------------------------
# reading ahead


class _Ahead:
    """A file to read ahead: its parts once verified (None: anything amiss, or not read). Either the
    thread starts it or the caller, asking first, takes it back and reads it itself (``claim``)."""

    def __init__(self, path: Path, kind: str, split: tuple[int, Lengths] | None) -> None:
        self.path, self.kind, self.split = path, kind, split
        self.parts: list[bytes] | None = None
        self.done = threading.Event()
        self._lock = threading.Lock()
        self._claimed = False

    def claim(self) -> bool:
        """Whether whoever asks first (the thread or the caller) has it: the other one leaves it."""
        with self._lock:
            claimed, self._claimed = self._claimed, True
        return not claimed


_AHEAD: dict[tuple[Path, str], _Ahead] = {}


def read_ahead(files: Sequence[tuple[Path, str, tuple[int, Lengths] | None]]) -> None:
    """Start reading and verifying these cache files (path, kind, and ``load_parts``' (head, lengths)
    or None for ``load``) in one thread, in order, while the caller goes on: reading a file and its
    HMAC run in C without the interpreter's lock, so on a second core they cost the caller nothing
    (the pre-commit hook reads its caches while it imports its modules).

    The thread only ever hands over parts whose tag this user's key verified, exactly as ``load``
    would; it says nothing. ``load`` and ``load_parts`` take what it read for their file, and when it
    read nothing (a missing, foreign, tampered or unreadable file, no key yet) they read the file
    themselves as usual: the warnings and the rebuild come from them, at the usual point."""
    _AHEAD.clear()
    ahead = [_Ahead(path, kind, split) for path, kind, split in files]
    for item in ahead:
        _AHEAD[(item.path, item.kind)] = item
    threading.Thread(target=_read_all, args=(ahead,), name="credsprawl-cache-read", daemon=True).start()


def _read_all(ahead: list[_Ahead]) -> None:
    try:
        key = _read_key(key_path(), quiet=True)  # never made here: ``_key`` makes it, with its warnings
        held = (key, _key_id(key)) if key is not None else None
        for item in ahead:
            if not item.claim():
                continue  # the caller got there first and reads it itself
            try:
                if held is not None:
                    item.parts = _load(item.path, item.kind, item.split, held=held, quiet=True)
            except BaseException:  # noqa: BLE001 - the caller reads the file itself and meets it
                item.parts = None
            finally:
                item.done.set()
    finally:
        for item in ahead:
            item.done.set()


def _taken(path: Path, kind: str, split: tuple[int, Lengths] | None) -> list[bytes] | None:
    """The parts read ahead for this file, once, when read the same way: waited for when the thread is
    reading it; None (read it yourself) when it has not started it yet."""
    item = _AHEAD.pop((path, kind), None)
    if item is None or item.claim():
        return None
    item.done.wait()
    return item.parts if item.split == split else None


def store(path: Path, kind: str, parts: Iterable[bytes]) -> None:
    """Write the cache file atomically (the payload is ``parts`` joined); a cache that cannot be
    written (no key, a read-only folder) only costs the time of building it again."""
    held = _key()
    if held is None:
        return
    key, key_id = held
    parts = list(parts)
    import tempfile  # only when a key or a file is written: not on a warm start

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{kind}-")  # mode 0600, this user's
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + bytes([VERSION]) + key_id + _tag(key, kind, path.name, parts))
                for part in parts:
                    fh.write(part)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return


class _Restricted(pickle.Unpickler):
    def __init__(self, data: bytes | memoryview, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(io.BytesIO(data))
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._allowed:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a cache may not name {module}.{name}")


def restricted_loads(data: bytes | memoryview, allowed: Iterable[tuple[str, str]] = ()) -> Any:
    """Unpickle data that may name only the ``allowed`` (module, name) globals: without any, only
    plain values (numbers, strings, bytes, tuples, lists, dicts, sets) can come out.

    The cyclic garbage collector is paused meanwhile: a cache is thousands of fresh containers that
    all live on, and a collection every few hundred of them would only walk them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _Restricted(data, frozenset(allowed)).load()
    finally:
        if enabled:
            gc.enable()
