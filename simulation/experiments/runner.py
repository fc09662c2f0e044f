"""The one replication runner: `tyosim run`, `tyosim batch`, the API and Dask all store
results through `ScenarioStore` and run tasks through an executor (`executors`).

Each replication's tables are written atomically to
``OUT/<scenario>/<table>/rep-NNNN.parquet`` as soon as it finishes (by the worker itself
when it shares this file system), and the scenario's ``manifest.json`` (resolved scenario,
seeds, versions, git commit, wall time, replications done) is kept up to date (rewritten at
most every `MANIFEST_EVERY_S` seconds while a run goes on, and at its end). A re-run finds
the replications already there and computes only the missing ones; a folder made from a
different scenario is refused rather than mixed (`tables.store`). The tables do not depend
on how or where they were run.

**Workers die with their parent**: pool processes start with `executors.worker_init`, which
asks Linux to kill them when the parent dies (``PR_SET_PDEATHSIG``) and also watches the
parent's pid, so a SIGKILL/SIGTERM of ``tyosim`` leaves no worker running.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..files import write_json_atomic
from ..model.streams import replication_seed
from ..scenario.config import MAX_REPLICATIONS, Scenario
from ..tables.store import (
    check_folder,
    done_replications,
    ensure_folder,
    folder_lock,
    read_table,
    remove_stale_tmp,
    scenario_folder,
    scenario_hash,
    write_rep,
)
from .executors import Executor, make_executor, process_pool, worker_init  # noqa: F401
from .provenance import git_commit, now_iso, versions
from .tasks import Task, TaskFailure, TaskResult, scenario_key, simulate_replication  # noqa: F401

MANIFEST_EVERY_S = 1.0


def check_reps(reps: Any, what: str = "reps") -> int:
    """`reps` as a whole number ≥ 1, or `InputError` (never silently something else)."""
    import numbers

    if isinstance(reps, bool) or not isinstance(reps, numbers.Integral):
        raise InputError(None, what, f"expected a whole number of replications ≥ 1, got {reps!r}")
    if not 1 <= int(reps) <= MAX_REPLICATIONS:
        raise InputError(None, what, f"must be 1–{MAX_REPLICATIONS}, got {reps}")
    return int(reps)


def scenario_manifest(scenario: Scenario, reps: list[int], wall: float, failed: dict[int, str],
                      extra: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a scenario folder: what ran, with which seeds, code and versions."""
    rules = scenario.rules_obj()
    return {
        "tool": "tyosim",
        "scenario": scenario.name,
        "scenario_file": scenario.source_file,
        "extends_chain": list(scenario.extends_chain),
        "resolved_scenario": scenario.resolved_dict(),
        "staff_by_hub_fte": scenario.staff_by_hub(),
        "staff_allocation_rule": (None if scenario.staff.customer_service_fte_by_hub is not None
                                  else scenario.staff.allocation_rule),
        "rules_at_start": rules.sources_on(scenario.run.start_date),
        "rule_overrides": list(scenario.rules),
        "scenario_hash": scenario_hash(scenario),
        "root_seed": scenario.run.seed,
        "seeds": {str(r): {"entropy": scenario.run.seed,
                           "spawn_key": list(replication_seed(scenario.run.seed, r).spawn_key)}
                  for r in reps},
        "replications_done": sorted(reps),
        "replications_failed": {str(k): v for k, v in failed.items()},
        "versions": versions(),
        "git": git_commit(),
        "wall_time_s": round(wall, 3),
        "written_at": now_iso(),
        **extra,
    }


class ScenarioStore:
    """The folder of one scenario: what is done, storing results, the manifest."""

    def __init__(self, scenario: Scenario, out: Path, extra: dict[str, Any],
                 elapsed_wall: bool = False) -> None:
        self.scenario = scenario
        self.key = scenario_key(scenario)
        self.folder = scenario_folder(Path(out), scenario)
        self.hash = scenario_hash(scenario)
        old = check_folder(self.folder, scenario)  # refuses another scenario's folder
        self.is_new = old is None
        remove_stale_tmp(self.folder)
        self.done: set[int] = (done_replications(self.folder, self.hash, repair=True)
                               if self.folder.exists() else set())
        self.already = set(self.done)
        self.wall_before = float(old.get("wall_time_s", 0.0)) if old else 0.0
        self.compute_s = self.wall_before
        self.elapsed_wall = elapsed_wall   # wall_time_s: elapsed time (run) or summed task time (batch)
        self.t0 = time.perf_counter()
        self.failed: dict[int, str] = {}
        self.extra = extra
        self._base: dict[str, Any] | None = None
        self._base_extra: dict[str, Any] | None = None
        self._written_at = 0.0
        self.folder.mkdir(parents=True, exist_ok=True)

    def task(self, replication: int, write_here: bool = True) -> Task:
        """The task of one replication; `write_here`: the worker writes into this folder."""
        return Task(self.key, replication, str(self.folder) if write_here else None, self.hash)

    def store(self, res: TaskResult) -> TaskFailure | None:
        self.compute_s += res.seconds
        if res.tables is None and not res.written:
            fail = TaskFailure(res.scenario, res.replication, res.seed, res.error or "")
            self.failed[res.replication] = fail.message
            self.write_manifest()
            return fail
        for name, df in (res.tables or {}).items():
            write_rep(self.folder, name, res.replication, df, self.hash)
        self.done.add(res.replication)
        self.failed.pop(res.replication, None)
        self.write_manifest(force=False)
        return None

    def wall_time(self) -> float:
        if self.elapsed_wall:
            return self.wall_before + time.perf_counter() - self.t0
        return self.compute_s

    def write_manifest(self, force: bool = True) -> None:
        """Rewrite the manifest (unless `force` is false and it was written under
        `MANIFEST_EVERY_S` ago: the replication files themselves say what is done)."""
        now = time.perf_counter()
        if not force and now - self._written_at < MANIFEST_EVERY_S:
            return
        # the slow parts (rules, versions, git) once; the rest at every write
        if self._base is None or self._base_extra != self.extra:
            self._base = scenario_manifest(self.scenario, [], 0.0, {}, self.extra)
            self._base_extra = dict(self.extra)
        seed = self.scenario.run.seed
        m = {**self._base,
             "seeds": {str(r): {"entropy": seed, "spawn_key": list(replication_seed(seed, r).spawn_key)}
                       for r in sorted(self.done)},
             "replications_done": sorted(self.done),
             "replications_failed": {str(k): v for k, v in sorted(self.failed.items())},
             "wall_time_s": round(self.wall_time(), 3),
             "written_at": now_iso()}
        write_json_atomic(self.folder / "manifest.json", m)
        self._written_at = time.perf_counter()


def run_tasks(stores: Sequence[ScenarioStore], reps: int, executor: Executor,
              progress: bool | None, desc: str,
              on_done: Callable[[TaskResult], None] | None = None) -> tuple[list[TaskFailure], int]:
    """Replications 0..reps-1 of every store's scenario not yet done, replication-major (a
    partial run holds complete pairs); stored as they finish. Returns failures and count."""
    by_name = {s.scenario.name: s for s in stores}
    todo = [s.task(r) for r in range(reps) for s in stores if r not in s.done]
    failures: list[TaskFailure] = []
    if not todo:
        return failures, 0
    import sys

    from tqdm import tqdm

    scenarios = {s.key: s.scenario for s in stores}
    with tqdm(total=len(todo), desc=desc, unit="rep", disable=(None if progress is None else not progress),
              leave=False) as bar:
        for res in executor.run(scenarios, todo):
            fail = by_name[res.scenario].store(res)
            if fail is not None:
                failures.append(fail)
                bar.write(f"failed: {res.scenario} replication {res.replication} (seed {res.seed})",
                          file=sys.stderr)
            bar.update(1)
            if on_done:
                on_done(res)
    for s in stores:
        s.write_manifest()
    return failures, len(todo)


@dataclass
class RunResult:
    folder: Path
    scenario: Scenario
    done: list[int]
    failed: dict[int, str] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        return read_table(self.folder, name)


def run_scenario(scenario: Scenario, reps: int, out: Path, workers: int = 1,
                 progress: bool = True, extra_manifest: dict[str, Any] | None = None,
                 executor: Executor | None = None) -> RunResult:
    """Run replications 0..reps-1 of `scenario` into ``out/<folder_key(name)>``, resuming.

    Raises `InputError` for `reps` that is not a whole number ≥ 1, an `out` that cannot be
    a folder, a folder of another scenario, or a folder another process is writing.
    """
    reps = check_reps(reps)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InputError(None, "workers", f"expected a whole number ≥ 1, got {workers!r}")
    ensure_folder(Path(out))
    folder = scenario_folder(Path(out), scenario)
    with folder_lock(folder):
        store = ScenarioStore(scenario, Path(out), dict(extra_manifest or {}), elapsed_wall=True)
        todo = reps - len([r for r in store.done if r < reps])
        store.write_manifest()   # the manifest first: a killed run leaves files it can vouch for
        own = executor is None
        ex = executor or make_executor(min(workers, max(1, todo), os.cpu_count() or 1))
        try:
            run_tasks([store], reps, ex, progress if progress else False, scenario.name)
        finally:
            if own:
                ex.close()
        return RunResult(store.folder, scenario, sorted(store.done), dict(store.failed))
