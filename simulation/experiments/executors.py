"""Where tasks run: in this process, in a local process pool, or on Dask (`dask_runner`).

Every executor takes the scenarios once (`run(scenarios, tasks)`: a pool gets them in its
workers' initializer, Dask scatters them to every worker) and the tasks by key, and yields
`TaskResult`s as they finish, in any order. The pool's workers are started once and reused
across calls with the same scenarios (precision rounds); they die with the parent
(`worker_init`).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from ..scenario.config import Scenario
from . import tasks as _tasks
from .tasks import Task, TaskResult, install_scenarios

_PR_SET_PDEATHSIG = 1


def worker_init(parent_pid: int, scenarios: dict[str, Scenario] | None = None) -> None:
    """Initializer of every pool worker: die when the parent process dies, and hold the
    scenarios the tasks name.

    On Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; everywhere a daemon thread that checks
    twice a second whether the parent is still the process that started this worker.
    """
    import signal

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:   # the parent died before we got here
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="tyosim-parent-watchdog", daemon=True).start()
    if scenarios:
        install_scenarios(scenarios)


def process_pool(workers: int, scenarios: dict[str, Scenario] | None = None) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (`worker_init`) and hold `scenarios`."""
    return ProcessPoolExecutor(max_workers=workers, initializer=worker_init,
                               initargs=(os.getpid(), scenarios))


def _failure(scenarios: dict[str, Scenario], t: Task) -> TaskResult:
    sc = scenarios[t.key]
    return TaskResult(sc.name, t.replication, sc.run.seed, None, traceback.format_exc(), 0.0)


class Executor(Protocol):
    """Runs tasks and yields their results as they finish (any order)."""

    kind: str

    def run(self, scenarios: dict[str, Scenario], tasks: Sequence[Task]) -> Iterator[TaskResult]: ...

    def describe(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Tasks one after the other in this process."""

    kind = "serial"

    def run(self, scenarios: dict[str, Scenario], tasks: Sequence[Task]) -> Iterator[TaskResult]:
        for t in tasks:
            yield _tasks.run_task(t, scenarios[t.key])

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": 1}

    def close(self) -> None:
        pass


class PoolExecutor:
    """A local process pool, started once and kept open while the scenarios stay the same."""

    kind = "local_processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._keys: frozenset[str] = frozenset()

    def run(self, scenarios: dict[str, Scenario], tasks: Sequence[Task]) -> Iterator[TaskResult]:
        if self._pool is not None and not {t.key for t in tasks} <= self._keys:
            self.close()   # other scenarios: a new pool that holds them
        if self._pool is None:
            self._pool = process_pool(self.workers, dict(scenarios))
            self._keys = frozenset(scenarios)
        futs = {self._pool.submit(_tasks.run_task, t): t for t in tasks}
        try:
            for f in as_completed(futs):
                t = futs[f]
                try:
                    yield f.result()
                except BrokenProcessPool:  # a worker died (out of memory, killed, ...)
                    yield _failure(scenarios, t)
        finally:
            for f in futs:
                f.cancel()

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": self.workers}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._keys = frozenset()


def make_executor(workers: int = 1, scheduler: str | None = None, dask: bool = False) -> Executor:
    """Serial (1 worker), local process pool, or Dask (``dask`` or a ``scheduler`` address)."""
    if dask or scheduler is not None:
        from .dask_runner import DaskExecutor

        return DaskExecutor(scheduler=scheduler, workers=workers)
    if workers <= 1:
        return SerialExecutor()
    return PoolExecutor(workers)
