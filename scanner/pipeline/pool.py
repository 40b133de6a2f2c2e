"""What every scan shares: the engine a worker builds (sent once, through a pool initializer), the
default number of workers, and the clock. The file pool itself is ``workplan``; git blobs are
``blobscan``."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from scanner.pipeline.engine import Engine, EngineSettings
from scanner.model import Rule
from scanner.rules.load import RuleSet


@dataclass(frozen=True)
class EngineSpec:
    """What a worker needs to build its Engine: sent once, through the pool initializer."""

    rules: tuple[Rule, ...]
    settings: EngineSettings

    def build(self) -> Engine:
        return Engine(RuleSet(self.rules), self.settings)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def clock() -> float:
    return time.perf_counter()
