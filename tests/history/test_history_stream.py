"""Blobs scanned while ``git log`` still runs: the same report as scanning after the walk, on one
process and on a pool; the helpers that make it cheap (sizes asked of one ``git cat-file
--batch-check``, reads without a thread into a widened pipe, compiled regexes from a cache)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from fixtures import fakecreds
from gitutil import GitRepo, cli_inprocess
from scanner.history import scan as history_scan
from scanner.rules import regexcache
from scanner.rules.load import load_rules
from scanner.sources import git as gitsrc


def _history(tmp_path: Path) -> GitRepo:
    """Many small files (some with secrets), a large file edited often, and a secret first committed
    under an excluded folder, then copied elsewhere."""
    rng = random.Random(9)
    repo = GitRepo(tmp_path / "repo")
    big = [f"line {i} = {rng.random():.12f}" for i in range(1500)]
    for n in range(30):
        for k in range(rng.randint(2, 6)):
            body = [f"value_{n}_{k}_{j} = {rng.randint(0, 10**9)}" for j in range(rng.randint(3, 40))]
            if rng.random() < 0.3:
                body.insert(1, f"GITHUB_TOKEN={fakecreds.github_token(rng)}")
            repo.write(f"pkg{k}/mod_{n}.py", "\n".join(body) + "\n")
        at = rng.randrange(len(big))
        big[at] = f"AWS_SECRET_ACCESS_KEY = {fakecreds.aws_secret_access_key(rng)}" if n % 7 == 0 else f"x{n} = {n}"
        repo.write("conf/big.cfg", "\n".join(big) + "\n")
        if n == 10:
            repo.write("vendor/creds.env", f"SLACK_TOKEN={fakecreds.slack_bot_token(rng)}\n")
        if n == 20:
            repo.write("app/creds.env", (repo.path / "vendor" / "creds.env").read_text())
        repo.commit(f"change {n}")
    return repo


def _report(repo: GitRepo, jobs: int) -> dict:
    code, out, err = cli_inprocess("history", str(repo.path), "-f", "json", "-q", "--jobs", str(jobs),
                                   "--exclude", "vendor/")
    assert code == 1, err
    doc = json.loads(out)
    for key in ("seconds", "mb_per_second"):
        doc["summary"].pop(key)
    return doc


def test_streamed_scan_gives_the_report_of_a_scan_after_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _history(tmp_path)
    monkeypatch.setattr(history_scan, "STREAM_BATCH", 10**9)  # nothing is streamed: everything after the walk
    after = _report(repo, 1)
    streamed: list[int] = []
    flush = history_scan._Streamer.flush

    def counted(self: history_scan._Streamer) -> None:
        flush(self)
        streamed.append(len(self.streamed))

    monkeypatch.setattr(history_scan, "STREAM_BATCH", 7)
    monkeypatch.setattr(history_scan, "POOL_MIN_OBJECTS", 0)  # a pool even for this small repository
    monkeypatch.setattr(history_scan._Streamer, "flush", counted)
    for jobs in (1, 2):
        streamed.clear()
        assert _report(repo, jobs) == after, jobs
        assert len(streamed) > 5 and streamed[-2] > 50  # most small blobs went before the walk ended
    paths = {f["path"] for f in after["findings"]}
    assert "app/creds.env" in paths and "vendor/creds.env" not in paths  # first seen excluded, still scanned
    assert "conf/big.cfg" in paths and sum(p.startswith("pkg") for p in paths) >= 3


def test_object_sizer_answers_in_rounds_and_names_missing_objects(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    for i in range(600):
        repo.write(f"f{i}.txt", "x" * i)
    repo.commit("files")
    blobs = [repo.blob(f"HEAD:f{i}.txt") for i in range(600)]
    missing = "1" * 40
    with gitsrc.ObjectSizer(gitsrc.open_repo(str(repo.path))) as sizer:
        infos = sizer.infos([*blobs, missing])  # more than one round (ROUND ids a write)
        again = sizer.infos(blobs[:3])
    assert [infos[b].size for b in blobs] == list(range(600))
    assert {infos[b].kind for b in blobs} == {"blob"} and infos[missing].kind == "missing"
    assert [again[b].size for b in blobs[:3]] == [0, 1, 2]


def test_sizer_rounds_answered_while_the_caller_works(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    for i in range(300):
        repo.write(f"f{i}.txt", "x" * i)
    repo.commit("files")
    blobs = [repo.blob(f"HEAD:f{i}.txt") for i in range(300)]
    missing = "3" * 40
    with gitsrc.ObjectSizer(gitsrc.open_repo(str(repo.path))) as sizer:
        assert sizer.collect() == {}  # nothing asked
        sizer.request([*blobs[:200], missing])
        with pytest.raises(ValueError):
            sizer.request(blobs[200:])  # one round at a time
        first = sizer.collect()
        sizer.request(blobs[200:])
        assert sizer._proc is not None
        sizer._proc.kill()  # git dies with a round outstanding: a one-off process answers it
        sizer._proc.wait()
        second = sizer.collect()
    assert [first[b].size for b in blobs[:200]] == list(range(200)) and first[missing].kind == "missing"
    assert [second[b].size for b in blobs[200:]] == list(range(200, 300))


def test_sized_reads_match_threaded_reads(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    rng = random.Random(4)
    for i in range(300):
        repo.write(f"f{i}.bin", rng.randbytes(rng.randint(0, 9000)))
    repo.commit("files")
    blobs = [repo.blob(f"HEAD:f{i}.bin") for i in range(300)]
    missing = "2" * 40
    shas = [*blobs[:150], missing, *blobs[150:]]
    opened = gitsrc.open_repo(str(repo.path))
    with gitsrc.ObjectSizer(opened) as sizer:
        sizes = [sizer.infos([s])[s].size for s in shas]
    with gitsrc.BlobReader(opened) as reader:
        threaded = list(reader.read_many(shas))
        sized = list(reader.read_many(shas, sizes=sizes))
        reader._capacity = 4096  # a narrow pipe: fewer ids ahead, the same answers
        narrow = list(reader._read_ahead(shas, 64, sizes))
    assert sized == threaded == narrow
    assert sized[150] == (missing, None, f"object {missing} is missing or corrupt")
    assert [len(d or b"") for _s, d, _r in sized] == sizes


def test_compiled_regexes_come_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDSPRAWL_CACHE_DIR", str(tmp_path / "cache"))
    regexcache.shipped_patterns.cache_clear()
    try:
        built = regexcache.shipped_patterns()  # a miss: compiled and stored
        assert list((tmp_path / "cache").glob("regex-*.cache"))
        regexcache.shipped_patterns.cache_clear()
        loaded = regexcache.shipped_patterns()  # from the file
        assert loaded.rules.keys() == built.rules.keys() and loaded.matcher.keys() == built.matcher.keys()
        ruleset = load_rules()
        changed = replace(ruleset.by_id["github-pat-classic"], regex=r"\b(?P<secret>ghp_[0-9A-Za-z]{36})\b(?#changed)")
        rules = tuple(changed if r.id == changed.id else r for r in ruleset.rules)
        compiled = type(ruleset)(rules).compiled
        assert regexcache.preload(compiled) == len(rules) - 1  # every rule but the changed one
        by_id = {c.rule.id: c for c in compiled}
        gh = by_id["github-pat-classic"]
        assert "_loader" not in gh.__dict__ and gh.pattern.pattern.endswith("(?#changed)")
        aws = by_id["aws-access-key-id"]
        assert "_loader" in aws.__dict__ and "pattern" not in aws.__dict__  # loaded on first use only
        assert aws.pattern.pattern == aws.rule.regex and "_loader" not in aws.__dict__
        token = fakecreds.github_token(random.Random(1))
        assert gh.pattern.search(f"t={token}").group("secret") == token
    finally:
        regexcache.shipped_patterns.cache_clear()


def test_the_matchers_own_patterns_come_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The placeholder and validator patterns (``regex``, parsed in Python) are kept beside the rules'
    and given ahead; a pattern whose source changed is not in the file and compiles itself."""
    import regex

    from scanner.match.lazy import Lazy

    monkeypatch.setenv("CREDSPRAWL_CACHE_DIR", str(tmp_path / "cache"))
    regexcache.shipped_patterns.cache_clear()
    try:
        stored = regexcache.shipped_patterns()
        regexcache.shipped_patterns.cache_clear()
        assert regexcache.shipped_patterns().matcher.keys() == stored.matcher.keys()

        def never(source: str, flags: int) -> regex.Pattern[str]:
            raise AssertionError(f"compiled {source!r}: it was in the cache")

        originals = regexcache.MATCHER_PATTERNS
        fresh = tuple(Lazy(never, p.pattern, p.flags) for p in originals)
        changed = Lazy(regex.compile, originals[0].pattern + "(?#changed)")
        monkeypatch.setattr(regexcache, "MATCHER_PATTERNS", (*fresh, changed))
        assert regexcache.give_matcher_patterns(stored.matcher) == len(fresh)
        for lazy, original in zip(fresh, originals):
            assert lazy.compiled.pattern == original.pattern and lazy.compiled.flags == original.compiled.flags
        assert changed._compiled is None and changed.search("${TOKEN}")  # compiled on its first use
    finally:
        regexcache.shipped_patterns.cache_clear()
