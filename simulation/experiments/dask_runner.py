"""Batch tasks on Dask distributed (the optional extra ``distributed``).

`DaskExecutor` runs `tasks.run_task` on a Dask cluster and yields results as they
finish; the batch stores them exactly as it stores local results, so the tables are
the same whatever ran them.

- ``scheduler=None`` or ``"local"``: tyosim starts a `LocalCluster` of ``workers``
  single-threaded worker processes that listens on **loopback only** (127.0.0.1,
  no dashboard) and stops it afterwards.
- ``scheduler="tcp://host:port"``: connects to the user's own scheduler. That is the
  user's explicit choice; its workers need tyosim installed (same version).

At the start every worker's `code_fingerprint` (a hash of tyosim's code and data files)
must equal the one this process took when the batch started: workers with other code
would give other tables, so they are refused (exit code 2). Scripts that start a
cluster need the usual ``if __name__ == "__main__":`` guard (workers are spawned).

Dask is imported only here and only when used; without it the command says how to
install it (exit code 2).
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import InputError
from .tasks import TaskResult, local_fingerprint

LOOPBACK = "127.0.0.1"
CONNECT_TIMEOUT = "20s"


def _fingerprint_on_worker() -> str:
    """Run on every worker at the start: its code's fingerprint. Importing the task module
    here also loads the model on the worker before the first task is timed."""
    from .tasks import code_fingerprint

    return code_fingerprint()


def _run_scattered(scenarios: dict[str, Any], task: Any) -> Any:
    """A task on a worker, with the batch's scenarios scattered to it once."""
    from . import tasks

    tasks.install_scenarios(scenarios)
    return tasks.run_task(task)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError("command line", "--scheduler",
                         "Dask is not installed; install the extra: pip install 'tyosim[distributed]'"
                         ) from None
    return distributed


class DaskExecutor:
    """Tasks on a Dask cluster: a loopback `LocalCluster` tyosim starts, or the user's."""

    kind = "dask"

    def __init__(self, scheduler: str | None = None, workers: int = 1) -> None:
        distributed = _import_distributed()
        self.cluster = None
        self.started_here = scheduler in (None, "local")
        if self.started_here:
            self.cluster = distributed.LocalCluster(
                host=LOOPBACK, n_workers=max(1, workers), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=40)
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as e:
                raise InputError("command line", "--scheduler",
                                 f"cannot connect to Dask scheduler {scheduler!r}: {e}") from None
        self.address = self.client.scheduler.address
        self._scattered: Any = None
        self._scattered_keys: frozenset[str] = frozenset()
        self.fingerprint = local_fingerprint()
        try:
            theirs = self.client.run(_fingerprint_on_worker)
        except Exception as e:  # noqa: BLE001 — e.g. tyosim not importable on a worker
            self.close()
            raise InputError("command line", "--scheduler",
                             f"Dask workers cannot run tyosim ({type(e).__name__}: {e}); "
                             "install the same tyosim on every worker") from None
        other = sorted(w for w, fp in theirs.items() if fp != self.fingerprint)
        if other:
            self.close()
            raise InputError("command line", "--scheduler",
                             f"Dask workers run other tyosim code than this process ({', '.join(other)}); "
                             "their tables would differ — install the same tyosim on every worker")

    def run(self, scenarios: dict[str, Any], tasks: Sequence[Any]) -> Iterator[Any]:
        from distributed import as_completed

        if self._scattered is None or self._scattered_keys != frozenset(scenarios):
            # the scenarios go to every worker once, not pickled with each task
            self._scattered = self.client.scatter(dict(scenarios), broadcast=True, hash=False)
            self._scattered_keys = frozenset(scenarios)
        futs = {}
        for t in tasks:
            if not self.started_here:   # a remote worker may not see this file system
                t = dataclasses.replace(t, folder=None)
            f = self.client.submit(_run_scattered, self._scattered, t, pure=False,
                                   key=f"tyosim-rep{t.replication:04d}-{id(t):x}")
            futs[f] = t
        try:
            for f in as_completed(list(futs)):
                t = futs[f]
                try:
                    yield f.result()
                except Exception:  # noqa: BLE001 — a worker lost, a serialisation error, ...
                    sc = scenarios[t.key]
                    yield TaskResult(sc.name, t.replication, sc.run.seed, None,
                                     traceback.format_exc(), 0.0)
                f.release()
        finally:
            for f in futs:
                if not f.done():
                    f.cancel()

    def worker_addresses(self) -> list[str]:
        return sorted(self.client.scheduler_info().get("workers", {}))

    def describe(self) -> dict[str, Any]:
        workers = self.worker_addresses()
        return {"kind": self.kind, "scheduler": self.address, "started_by_tyosim": self.started_here,
                "workers": len(workers), "worker_addresses": workers,
                "code_fingerprint": self.fingerprint}

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
