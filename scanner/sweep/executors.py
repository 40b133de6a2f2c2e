"""Where a sweep's tasks run, behind one small interface: inline (``--jobs 1``), a local process pool
(the default), or an existing Dask distributed cluster (``--scheduler tcp://HOST:PORT``).

All three run the same task functions (``scanner.sweep.tasks.run``) on the same descriptors, so their
results are the same. Dask is imported only when a scheduler is given; its workers must be able to
import credsprawl (``pip install 'credsprawl[distributed]'`` on every worker machine) and see the
repositories at the same paths (local repositories, and the mirror cache for cloned ones).

Tokens for private repositories never travel with a task: a task names only which environment
variable serves which host (``Target.token_vars``: ``GITHUB_TOKEN`` for github.com and the
``--github-api-url`` host, ``GITLAB_TOKEN`` for gitlab.com and the ``--gitlab-url`` host), and the
process that clones reads the token from its own environment. Local pool workers inherit the
sweep's environment; a Dask worker must be started with the variables set (``GITHUB_TOKEN=...
dask worker ...``), or it clones without credentials and private repositories fail.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Collection, Protocol

from scanner.errors import UsageError
from scanner.pipeline.pool import pool_context
from scanner.sweep.tasks import SweepSpec, Task, init_worker, prebuild, run, scans

DISTRIBUTED_EXTRA = "pip install 'credsprawl[distributed]'"


class Handle(Protocol):
    def result(self) -> Any: ...


class Executor(Protocol):
    """Runs tasks; the driver submits, waits for some to finish, and reads their results."""

    name: str
    workers: int  # tasks that can run at once

    def submit(self, task: Task) -> Handle: ...

    def wait(self, handles: Collection[Handle], timeout: float) -> list[Handle]:
        """Those of ``handles`` that have finished (none when ``timeout`` seconds pass first)."""
        ...

    def close(self) -> None: ...


class SerialExecutor:
    """Every task inline, in this process, as it is submitted: for ``--jobs 1`` and debugging."""

    name = "serial"
    workers = 1

    def __init__(self, spec: SweepSpec) -> None:
        init_worker(spec)

    def submit(self, task: Task) -> Handle:
        future: Future[Any] = Future()
        try:
            future.set_result(run(task))
        except Exception as exc:  # noqa: BLE001 - a task's failure is its result, as in a pool
            future.set_exception(exc)
        return future

    def wait(self, handles: Collection[Handle], timeout: float) -> list[Handle]:
        return list(handles)

    def close(self) -> None:
        pass


class _Job:
    """A task on the local pool; resubmitted once when a worker process dies under it."""

    def __init__(self, task: Task, future: Future[Any], generation: int) -> None:
        self.task = task
        self.future = future
        self.generation = generation  # which pool it ran on
        self.retried = False

    def result(self) -> Any:
        return self.future.result()


class LocalPoolExecutor:
    """A pool of worker processes on this machine, the spec given once through the initializer.

    Its unit is a whole repository (a task that may fetch, walk and scan for minutes, and whose
    worker may be killed by the kernel), not a batch of blobs: a task's worker builds its engine only
    when the task has something new to scan, and a pool that breaks is started again and its tasks
    retried once. It shares the start method (:func:`scanner.pipeline.pool.pool_context`) with the
    scan's :class:`~scanner.pipeline.pool.WorkerPool`; a task scans its blobs in its own process with the
    pool's per-batch function (``scanner.pipeline.blobs.scan_batch``)."""

    name = "local"

    def __init__(self, spec: SweepSpec, jobs: int) -> None:
        self.spec = spec
        self.jobs = self.workers = jobs
        self.generation = 0
        self.warm = False
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, mp_context=pool_context(), initializer=init_worker, initargs=(self.spec,))

    def submit(self, task: Task) -> Handle:
        if not self.warm and scans(task):
            # the first task that scans: build the engine here first, so a cold compiled-rules cache is
            # filled once rather than by every worker at the same time (a sweep with nothing new never
            # builds one)
            prebuild(self.spec)
            self.warm = True
        try:
            future = self.pool.submit(run, task)
        except BrokenProcessPool:  # a worker died since the last wait: the pool refuses new work at once
            self._restart()
            future = self.pool.submit(run, task)
        return _Job(task, future, self.generation)

    def wait(self, handles: Collection[Handle], timeout: float) -> list[Handle]:
        jobs = {h.future: h for h in handles if isinstance(h, _Job)}
        done, _ = wait(jobs, timeout=timeout, return_when=FIRST_COMPLETED)
        finished: list[Handle] = []
        for future in done:
            job = jobs[future]
            if isinstance(future.exception(), BrokenProcessPool) and not job.retried:
                if job.generation == self.generation:
                    self._restart()
                job.future, job.generation, job.retried = self.pool.submit(run, job.task), self.generation, True
                continue
            finished.append(job)
        return finished

    def _restart(self) -> None:
        """A worker died (out of memory, a crash): every task that was on the pool fails with it, so
        start a new pool; each such task is tried once more before it counts as failed."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.generation += 1
        self.pool = self._start()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Tasks on an existing Dask distributed cluster; the spec is sent to every worker once."""

    name = "dask"

    def __init__(self, spec: SweepSpec, address: str) -> None:
        try:
            import distributed
        except ImportError:
            raise UsageError(f"--scheduler needs Dask distributed, which is not installed: {DISTRIBUTED_EXTRA}") from None
        self._distributed: Any = distributed  # untyped: every call below goes through Any
        try:
            self.client: Any = self._distributed.Client(address, timeout="20s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc} (is it running? "
                             "'dask scheduler' prints its address)") from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.spec = self.client.scatter(spec, broadcast=True, hash=False)

    def submit(self, task: Task) -> Handle:
        handle: Handle = self.client.submit(run, task, self.spec, pure=False, retries=1)
        return handle

    def wait(self, handles: Collection[Handle], timeout: float) -> list[Handle]:
        try:
            with self.client.as_current():
                done, _ = self._distributed.wait(list(handles), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        return list(done)

    def close(self) -> None:
        self.client.close()


def make_executor(spec: SweepSpec, jobs: int, scheduler: str | None) -> Executor:
    if scheduler:
        return DaskExecutor(spec, scheduler)
    if jobs <= 1:
        return SerialExecutor(spec)
    return LocalPoolExecutor(spec, jobs)
