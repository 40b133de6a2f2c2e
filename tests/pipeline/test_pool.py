"""The one worker pool (scanner.pipeline.pool) and the one progress module (scanner.pipeline.progress)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from scanner.model import Origin
from scanner.pipeline.engine import Engine, EngineSettings
from scanner.pipeline.pool import EngineSpec, WorkerPool, constant
from scanner.rules.load import load_rules


def _spec() -> EngineSpec:
    return EngineSpec(load_rules().rules, EngineSettings())


def _find(engine: Engine, prefix: str, text: str) -> tuple[str, int, tuple[str, ...]]:
    """A work function (module level: sent to workers by name): the rules that match, and the pid."""
    found = engine.scan_bytes(text.encode(), Origin("x.txt")).findings
    return prefix + text[:4], os.getpid(), tuple(sorted(f.rule_id for f in found))


class _Local:
    """A per-process resource that counts how often it was made and released."""

    made: list[int] = []
    released: list[int] = []

    def __init__(self) -> None:
        _Local.made.append(os.getpid())

    def close(self) -> None:
        _Local.released.append(os.getpid())


def _with_local(engine: Engine, local: _Local, n: int) -> tuple[int, int]:
    return n * n, id(local)


def test_inline_runs_each_descriptor_when_asked_in_the_order_submitted() -> None:
    calls: list[str] = []

    def work(engine: Engine, local: Any, text: str) -> str:
        calls.append(text)
        return text.upper()

    pool: WorkerPool[str, str, int] = WorkerPool(_spec(), work, 1)
    with pool:
        assert pool.inline
        pool.submit("a", 0)
        pool.submit("b", 1)
        assert calls == []  # nothing runs before its result is asked for
        assert next(iter(pool.drain())) == (0, "A") and calls == ["a"]
        pool.submit("c", 2)
        assert list(pool.drain()) == [(1, "B"), (2, "C")]
        assert calls == ["a", "b", "c"] and pool.ready() == []


def test_workers_give_what_the_inline_path_gives(gh: str) -> None:
    texts = [f"token = '{gh}'", "nothing here", f"t='{gh}' # again"] * 4
    Found = tuple[str, int, tuple[str, ...]]
    inline: WorkerPool[str, Found, int] = WorkerPool(_spec(), _find, 1, constant("p:"))
    with inline:
        for i, text in enumerate(texts):
            inline.submit(text, i)
        serial = dict(inline.drain())
    pooled_pool: WorkerPool[str, Found, int] = WorkerPool(_spec(), _find, 2, constant("p:"))
    with pooled_pool:
        pooled_pool.start()
        for i, text in enumerate(texts):
            pooled_pool.submit(text, i)
        pooled = dict(pooled_pool.drain())
    assert [(r[0], r[2]) for _, r in sorted(serial.items())] == [(r[0], r[2]) for _, r in sorted(pooled.items())]
    assert {r[1] for r in serial.values()} == {os.getpid()}
    assert os.getpid() not in {r[1] for r in pooled.values()}
    assert serial[0][2] and not serial[1][2]


def test_a_local_is_made_once_per_process_and_released() -> None:
    _Local.made.clear()
    _Local.released.clear()
    pool: WorkerPool[int, tuple[int, int], int] = WorkerPool(_spec(), _with_local, 1, _Local, _Local.close)
    with pool:
        for n in range(5):
            pool.submit(n, n)
        got = dict(pool.drain())
    assert [v[0] for _, v in sorted(got.items())] == [0, 1, 4, 9, 16]
    assert len({v[1] for v in got.values()}) == 1  # one local for every descriptor
    assert _Local.made == [os.getpid()] and _Local.released == [os.getpid()]


def test_a_hidden_progress_draws_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.pipeline.progress import Progress, progress

    bar = progress(False, "files", 100)
    assert type(bar) is Progress
    with bar:
        bar.update(3, 50)
        bar.set_total(200)
    assert capsys.readouterr() == ("", "")


def test_a_shown_progress_draws_on_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.pipeline.progress import ProgressBar, progress

    bar = progress(True, "blobs")
    assert isinstance(bar, ProgressBar)
    with bar:
        bar.set_total(100)
        bar.update(2, 40)
    assert capsys.readouterr().out == ""
