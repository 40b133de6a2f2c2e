"""A cache folder is not trusted: a planted, tampered, swapped or foreign-owned cache file runs no
code and changes no finding; it is ignored (one warning line at most) and rebuilt."""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import run_cli
from gitutil import GitRepo

from fixtures import fakecreds
from scanner import cachefile
from scanner.rules import regexcache
from scanner.rules import cache as rulecache
from scanner.rules.load import load_rules


class Touch:
    """A pickle that creates ``path`` when it is loaded."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return open, (str(self.path), "w")


def _cache_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _findings(stdout: str) -> list[Any]:
    return json.loads(stdout)["findings"]


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "warning" in line]


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache folder and key for in-process loads; the process-wide memos cleared around."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("CREDSPRAWL_CACHE_DIR", str(cache))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def reset() -> None:
        cachefile._key.cache_clear()
        cachefile._warned.clear()
        regexcache.shipped_patterns.cache_clear()
        rulecache.forget_loaded()

    reset()
    yield cache
    reset()


def _load_in_new_process() -> Any:
    """The shipped rules as a new process loads them: from the cache file (nothing this process loaded)."""
    rulecache.forget_loaded()
    return rulecache.load_rules_cached()


def test_planted_pickles_in_every_cache_file_run_no_code(tmp_path: Path) -> None:
    token = fakecreds.github_token(random.Random(7))
    (tmp_path / "app.env").write_text(f'GITHUB_TOKEN="{token}"\n')
    env = {"CREDSPRAWL_CACHE_DIR": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    first = run_cli("scan", "app.env", "-q", "-f", "json", cwd=tmp_path, env=env)
    assert first.returncode == 1 and _findings(first.stdout), first.stderr
    planted = _cache_files(tmp_path / "cache")
    assert {p.name.split("-")[0] for p in planted} >= {"rules", "regex"}  # and hs- where Hyperscan is installed
    marker = tmp_path / "PWNED"
    for path in planted:
        path.write_bytes(pickle.dumps(Touch(marker)))
    second = run_cli("scan", "app.env", "-q", "-f", "json", cwd=tmp_path, env=env)
    assert not marker.exists(), "a planted cache file ran code"
    assert second.returncode == 1 and _findings(second.stdout) == _findings(first.stdout), second.stderr
    assert "Traceback" not in second.stderr
    [warning] = _warnings(second.stderr)  # one line, whatever the number of planted files
    assert "ignored cache file" in warning and "not a credsprawl cache file" in warning
    # the planted files were replaced by good ones: the next run loads them, quietly
    assert all(p.read_bytes().startswith(cachefile.MAGIC) for p in planted)
    stamps = {p: p.stat().st_mtime_ns for p in planted}
    third = run_cli("scan", "app.env", "-q", "-f", "json", cwd=tmp_path, env=env)
    assert {p: p.stat().st_mtime_ns for p in planted} == stamps  # read back, not rebuilt again
    assert third.returncode == 1 and _findings(third.stdout) == _findings(first.stdout) and not _warnings(third.stderr)
    assert not marker.exists()


def test_a_pickle_in_a_well_formed_envelope_is_refused(own_cache: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """An attacker who copies a real file's header (its key id) cannot forge its tag."""
    want = _load_in_new_process()
    [path] = own_cache.glob("rules-*.cache")
    marker = tmp_path / "PWNED"
    header = path.read_bytes()[:cachefile._HEADER]
    path.write_bytes(header + pickle.dumps(Touch(marker)))
    cachefile._warned.clear()
    rulecache.forget_loaded()
    assert _load_in_new_process().rules == want.rules
    assert not marker.exists()
    assert "tampered with" in capsys.readouterr().err
    assert cachefile.load(path, "rules") is not None  # rebuilt


def test_even_a_verified_cache_names_no_other_global(own_cache: Path, tmp_path: Path) -> None:
    """Defence in depth: with the key itself stolen, a rule or regex cache still cannot name os.system."""
    _load_in_new_process()
    regexcache.shipped_patterns()
    marker = tmp_path / "PWNED"
    for path in [*own_cache.glob("rules-*.cache"), *own_cache.glob("regex-*.cache")]:
        kind = path.name.split("-")[0]
        cachefile.store(path, kind, [pickle.dumps(Touch(marker))])
        assert cachefile.load(path, kind) is not None  # the tag verifies
    regexcache.shipped_patterns.cache_clear()
    rulecache.forget_loaded()
    assert _load_in_new_process().rules == rulecache.for_scanning(load_rules()).rules
    assert regexcache.shipped_patterns()
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError, match="may not name io.open"):
        cachefile.restricted_loads(pickle.dumps(Touch(marker)))


def test_a_tampered_byte_is_refused_and_the_cache_rebuilt(own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    want = _load_in_new_process()
    [path] = own_cache.glob("rules-*.cache")
    data = bytearray(path.read_bytes())
    data[-100] ^= 1
    path.write_bytes(bytes(data))
    assert cachefile.load(path, "rules") is None
    assert "tampered with" in capsys.readouterr().err
    assert _load_in_new_process().rules == want.rules
    assert cachefile.load(path, "rules") is not None


def test_a_valid_file_swapped_in_under_another_name_is_refused(own_cache: Path) -> None:
    """The tag binds the file's name: an old good file cannot stand in for another rule set's."""
    _load_in_new_process()
    [path] = own_cache.glob("rules-*.cache")
    other = path.with_name("rules-" + "0" * 32 + ".cache")
    shutil.copy(path, other)
    assert cachefile.load(other, "rules") is None
    assert cachefile.load(path, "regex") is None  # nor under another kind


def test_writable_by_others_is_refused(own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not cachefile._POSIX:
        pytest.skip("file modes are POSIX")
    _load_in_new_process()
    [path] = own_cache.glob("rules-*.cache")
    path.chmod(0o666)
    assert cachefile.load(path, "rules") is None
    assert "writable by group or others" in capsys.readouterr().err
    _load_in_new_process()  # rebuilt: a new file of this user's, mode 0600
    assert path.stat().st_mode & 0o777 == 0o600 and cachefile.load(path, "rules") is not None


def test_foreign_owned_is_refused_and_rebuilt(own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not cachefile._POSIX or os.geteuid() != 0:
        pytest.skip("making a file another user's needs root")
    _load_in_new_process()
    [path] = own_cache.glob("rules-*.cache")
    os.chown(path, 65534, 65534)
    assert cachefile.load(path, "rules") is None
    assert "owned by uid 65534" in capsys.readouterr().err
    _load_in_new_process()
    assert path.stat().st_uid == 0 and cachefile.load(path, "rules") is not None


def test_a_new_key_rebuilds_quietly(own_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A cache restored onto a new machine (a CI runner) is made under another key: rebuilt, no warning."""
    _load_in_new_process()
    [path] = own_cache.glob("rules-*.cache")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))
    cachefile._key.cache_clear()
    assert cachefile.load(path, "rules") is None
    _load_in_new_process()
    assert cachefile.load(path, "rules") is not None and capsys.readouterr().err == ""
    assert (tmp_path / "elsewhere" / "credsprawl" / "cache.key").stat().st_mode & 0o777 == 0o600


def test_a_key_others_can_read_is_not_used(own_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not cachefile._POSIX:
        pytest.skip("file modes are POSIX")
    _load_in_new_process()
    key = tmp_path / "state" / "credsprawl" / "cache.key"
    key.chmod(0o644)
    cachefile._key.cache_clear()
    assert _load_in_new_process().rules == rulecache.for_scanning(load_rules()).rules  # still right, without the cache
    assert "caches are not used" in capsys.readouterr().err
    [path] = own_cache.glob("rules-*.cache")
    assert cachefile.load(path, "rules") is None


def test_hyperscan_database_is_authenticated(own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("hyperscan")
    from scanner.rules import hscache

    subset = load_rules().rules[:12]
    first = hscache.cached_database(subset)
    [path] = own_cache.glob("hs-*.cache")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside a serialised database: never reaches hyperscan.loadb
    path.write_bytes(bytes(data))
    assert hscache.load(path) is None
    assert "tampered with" in capsys.readouterr().err
    again = hscache.cached_database(subset)
    assert again.entries == first.entries and hscache.load(path) is not None


def test_aho_corasick_automaton_is_authenticated_and_names_no_global(own_cache: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The automaton's state reaches pyahocorasick's C constructor only from a file this user's key
    verified, and its pickle may name no global even then."""
    from scanner.match.prefilter import AhoCorasickPrefilter
    from scanner.rules.accache import STORE

    rules = load_rules().rules
    token = fakecreds.github_token(random.Random(3))
    text = f"token = {token}"
    fresh = AhoCorasickPrefilter(rules).scan(text)
    assert AhoCorasickPrefilter(rules, store=STORE).scan(text) == fresh  # built and stored
    [path] = own_cache.glob("ac-*.cache")
    assert AhoCorasickPrefilter(rules, store=STORE).scan(text) == fresh  # restored from the file
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert AhoCorasickPrefilter(rules, store=STORE).scan(text) == fresh  # refused, rebuilt
    assert "tampered with" in capsys.readouterr().err
    marker = tmp_path / "PWNED"
    cachefile.store(path, "ahocorasick", [pickle.dumps(Touch(marker))])  # with the key itself stolen
    assert AhoCorasickPrefilter(rules, store=STORE).scan(text) == fresh
    assert not marker.exists()


def test_a_planted_mirror_config_or_hook_runs_no_code(own_cache: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A bare mirror in the cache folder is a cache too: git reads its config (``uploadpack`` runs a
    command on fetch) and runs its hooks (``reference-transaction`` on fetch)."""
    from scanner.sweep.targets.mirrors import Mirrors
    from scanner.sweep.targets.repospec import RepoSpec

    up = GitRepo(tmp_path / "upstream")
    up.write("README.md", "# up\n")
    up.git("add", "-A")
    up.git("commit", "-q", "-m", "first")
    spec = RepoSpec("upstream", url=f"file://{up.path}")
    mirrors = Mirrors(own_cache / "mirrors")
    mirror = mirrors.ensure(spec)
    marker = tmp_path / "PWNED"
    subprocess.run(["git", "--git-dir", str(mirror), "config", "remote.origin.uploadpack",
                    f"touch {marker}; git-upload-pack"], check=True)
    hook = mirror / "hooks" / "reference-transaction"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    up.write("app.env", "PASSWORD=not-a-real-one\n")
    up.git("add", "-A")
    up.git("commit", "-q", "-m", "second")
    assert mirrors.ensure(spec) == mirror
    assert not marker.exists(), "a planted mirror config or hook ran code"
    assert "ignored mirror" in capsys.readouterr().err
    head = subprocess.run(["git", "--git-dir", str(mirror), "rev-parse", "refs/heads/main"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert head == up.git("rev-parse", "HEAD")  # cloned again: up to date, and the planted config gone
    assert "uploadpack" not in (mirror / "config").read_text()
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")  # a hook alone: git runs none in a mirror
    hook.chmod(0o755)
    up.write("b.env", "X=1\n")
    up.git("add", "-A")
    up.git("commit", "-q", "-m", "third")
    assert mirrors.ensure(spec) == mirror and not marker.exists()


def test_a_file_read_in_parts_is_verified_whole(own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``load_parts`` (how the Hyperscan database is read without a copy) checks the one tag over every
    part, and refuses lengths that do not make up the payload."""
    path = own_cache / "parts-test.cache"
    parts = [b"\x03\x02", b"abc", b"de"]  # the head holds the lengths of the parts after it
    cachefile.store(path, "parts", parts)
    assert cachefile.load_parts(path, "parts", 2, list) == parts
    assert cachefile.load(path, "parts") == b"".join(parts)  # one payload, one tag, however it is read
    assert cachefile.load_parts(path, "parts", 2, lambda head: [3, 1]) is None  # short of the payload
    assert "not a credsprawl cache file" in capsys.readouterr().err
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # in the last part
    path.write_bytes(bytes(data))
    cachefile._warned.clear()
    assert cachefile.load_parts(path, "parts", 2, list) is None
    assert "tampered with" in capsys.readouterr().err


def _read_ahead_done() -> None:
    for item in list(cachefile._AHEAD.values()):
        assert item.done.wait(30)


def test_read_ahead_hands_over_only_verified_files_and_says_nothing(own_cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    good, bad, missing = own_cache / "good.cache", own_cache / "bad.cache", own_cache / "missing.cache"
    cachefile.store(good, "test", [b"payload"])
    cachefile.store(bad, "test", [b"payload"])
    data = bytearray(bad.read_bytes())
    data[-1] ^= 1
    bad.write_bytes(bytes(data))
    cachefile.read_ahead([(good, "test", None), (bad, "test", None), (missing, "test", None)])
    _read_ahead_done()
    assert capsys.readouterr().err == ""  # the thread warns about nothing, even the tampered file
    reads: list[Path] = []
    real = cachefile._load
    monkeypatch.setattr(cachefile, "_load", lambda path, *a, **k: reads.append(path) or real(path, *a, **k))
    assert cachefile.load(good, "test") == b"payload" and reads == []  # what the thread read and verified
    assert cachefile.load(bad, "test") is None and reads == [bad]  # read again here, and refused here
    assert "tampered with" in capsys.readouterr().err
    assert cachefile.load(good, "test") == b"payload" and reads == [bad, good]  # handed over once only
    cachefile.read_ahead([(good, "test", (1, lambda head: [6]))])
    _read_ahead_done()
    assert cachefile.load(good, "test") == b"payload" and reads[-1] == good  # read another way: not taken


def test_read_ahead_makes_no_key_and_trusts_only_this_users_key(own_cache: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = own_cache / "early.cache"
    cachefile.read_ahead([(path, "test", None)])
    _read_ahead_done()
    assert not cachefile.key_path().exists()  # only ``load`` and ``store`` make it (with their warnings)
    cachefile.store(path, "test", [b"payload"])
    if cachefile._POSIX:
        cachefile.key_path().chmod(0o644)  # a key others can read: caches are not used
        cachefile._key.cache_clear()
        cachefile.read_ahead([(path, "test", None)])
        _read_ahead_done()
        assert capsys.readouterr().err == ""
        assert cachefile.load(path, "test") is None
        assert "caches are not used" in capsys.readouterr().err


def test_a_file_the_thread_has_not_started_is_read_by_the_caller(own_cache: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller never queues behind the thread: a file it has not started is the caller's to read."""
    import threading

    first, second = own_cache / "first.cache", own_cache / "second.cache"
    cachefile.store(first, "test", [b"one"])
    cachefile.store(second, "test", [b"two"])
    release = threading.Event()
    real = cachefile._load
    by_thread: list[Path] = []

    def slow(path: Path, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            by_thread.append(path)
            release.wait(30)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(cachefile, "_load", slow)
    cachefile.read_ahead([(first, "test", None), (second, "test", None)])
    for _ in range(300):  # until the thread is on the first file
        if by_thread:
            break
        threading.Event().wait(0.01)
    assert cachefile.load(second, "test") == b"two"  # read here: the thread is still on the first
    release.set()
    assert cachefile.load(first, "test") == b"one"  # the thread's
    _read_ahead_done()
    assert by_thread == [first]  # it left the second alone
