"""Scenario batches: every scenario × replication, common random numbers, resume.

A batch runs replications 0..N-1 of several scenarios into one folder::

    OUT/batch.json                          what ran: scenarios, reps, seed, precision, versions
    OUT/<scenario>/manifest.json            as `experiment.run_scenario` writes it
    OUT/<scenario>/<table>/rep-NNNN.parquet one file per replication, written atomically

**Common random numbers.** Every scenario of a batch runs with the same root seed, so
replication *k* draws the same named streams (`streams.stream(seed, k, name)`) in every
scenario and a difference between scenarios is measured replication by replication.
The seed is ``--seed`` if given, else the *first* scenario's ``run.seed``; a scenario file
with another seed is run with the batch seed and ``batch.json`` records the seed it had
(``seeds_overridden``). Two scenarios with the same name are refused (they would share a
folder).

**Scheduling.** All scenario × replication tasks form one queue (replication-major:
replication 0 of every scenario, then replication 1, ...), so workers stay busy across
scenario boundaries and a partial batch holds complete pairs. Tasks run in this process
(one worker), in a local process pool (``workers``) or on Dask (`dask_runner`); a task is
a pure function of (scenario, replication), so the tables do not depend on where or in
which order it ran.

**Resume and safety.** A task's tables are written atomically as soon as it returns; a
replication counts as done only when every table is on disk. Started again, a batch
computes only what is missing (stale ``.tmp`` files of a killed run are removed first,
inside the batch folder only; a truncated replication file is recomputed with a note).
A replication that raises is reported with scenario, replication, seed and traceback;
the others are kept, and a re-run retries it. A batch locks its folder and every
scenario folder while it writes (`experiment.folder_lock`): a second batch or run on
the same folder stops with one line (exit 2). Scenario folders are
`experiment.folder_key(name)` — a name never chooses a path. Pool workers die with the
batch process (`experiment.worker_init`); ``--workers`` is capped by the number of tasks
and the CPUs.

**Precision mode** (``reps="auto"``): replications are added in rounds until the 95 %
confidence interval of every headline KPI (per scenario and year) is within
±``precision`` × its mean, or ``max_reps`` is reached — like Simul8's trial calculator.
Each round estimates the replications needed from the current interval
(n × (half-width / target)²). ``batch.json`` and the manifests say which happened.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from . import runner as experiment
from ..scenario.config import MAX_REPLICATIONS, MAX_SEED, Scenario, load_scenario
from .dask_runner import local_fingerprint
from ..errors import InputError
from .provenance import git_commit, now_iso, versions, write_json_atomic
from ..model.streams import replication_seed

BATCH_FILE = "batch.json"
CODE_FINGERPRINT = local_fingerprint()  # pinned at import: the code this process runs
DEFAULT_MIN_REPS = 5
DEFAULT_MAX_REPS = 50
#: KPI columns of `compare.scenario_kpis` that precision mode watches (those present).
HEADLINE_KPIS = ("stock_mean", "late_meetings_share", "benefit_cost_eur", "benefit_cost_municipal_eur")


# ---------------------------------------------------------------------------------------
# tasks

@dataclass(frozen=True)
class Task:
    """One replication of one scenario."""

    scenario: Scenario
    replication: int


@dataclass
class TaskResult:
    """What a worker sends back: the tables, or the traceback of the failure."""

    scenario: str
    replication: int
    seed: int
    tables: dict[str, pd.DataFrame] | None
    error: str | None
    seconds: float


@dataclass(frozen=True)
class TaskFailure:
    scenario: str
    replication: int
    seed: int
    traceback: str

    @property
    def message(self) -> str:
        return (f"replication failed: scenario {self.scenario}, replication {self.replication}, "
                f"seed {self.seed}\n{self.traceback.rstrip()}")


def run_task(scenario: Scenario, replication: int) -> TaskResult:
    """Run one replication anywhere (this process, a pool process, a Dask worker).

    Never raises for a failing model: the traceback is returned instead, so one bad
    replication cannot take the others down.
    """
    t0 = time.perf_counter()
    try:
        # looked up on the module at call time (tests monkeypatch it)
        tables = experiment.simulate_replication(scenario, replication)
        error = None
    except Exception:  # noqa: BLE001 — reported with scenario, seed and traceback
        tables, error = None, traceback.format_exc()
    return TaskResult(scenario.name, replication, scenario.run.seed, tables, error,
                      time.perf_counter() - t0)


class Executor(Protocol):
    """Runs tasks and yields their results as they finish (any order)."""

    kind: str

    def run(self, tasks: Sequence[Task]) -> Iterator[TaskResult]: ...

    def describe(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Tasks one after the other in this process."""

    kind = "serial"

    def run(self, tasks: Sequence[Task]) -> Iterator[TaskResult]:
        for t in tasks:
            yield run_task(t.scenario, t.replication)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": 1}

    def close(self) -> None:
        pass


class PoolExecutor:
    """A local process pool, kept open across precision rounds."""

    kind = "local_processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def run(self, tasks: Sequence[Task]) -> Iterator[TaskResult]:
        if self._pool is None:
            self._pool = experiment.process_pool(self.workers)
        futs = {self._pool.submit(run_task, t.scenario, t.replication): t for t in tasks}
        try:
            for f in as_completed(futs):
                t = futs[f]
                try:
                    yield f.result()
                except BrokenProcessPool:  # a worker died (out of memory, killed, ...)
                    yield TaskResult(t.scenario.name, t.replication, t.scenario.run.seed, None,
                                     traceback.format_exc(), 0.0)
        finally:
            for f in futs:
                f.cancel()

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "workers": self.workers}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def make_executor(workers: int = 1, scheduler: str | None = None, dask: bool = False) -> Executor:
    """Serial (1 worker), local process pool, or Dask (``dask`` or a ``scheduler`` address)."""
    if dask or scheduler is not None:
        from .dask_runner import DaskExecutor

        return DaskExecutor(scheduler=scheduler, workers=workers)
    if workers <= 1:
        return SerialExecutor()
    return PoolExecutor(workers)


# ---------------------------------------------------------------------------------------
# storage per scenario

def remove_stale_tmp(folder: Path) -> int:
    """Delete temporary files a killed run left behind (``.*.tmp``) in a scenario folder
    and its table folders only; returns how many (see `experiment.remove_stale_tmp`)."""
    return experiment.remove_stale_tmp(folder)


class ScenarioStore:
    """The folder of one scenario: what is done, storing results, the manifest."""

    def __init__(self, scenario: Scenario, out: Path, extra: dict[str, Any]) -> None:
        self.scenario = scenario
        self.folder = experiment.scenario_folder(Path(out), scenario)
        self.hash = experiment.scenario_hash(scenario)
        old = experiment.check_folder(self.folder, scenario)  # refuses another scenario's folder
        self.is_new = old is None
        remove_stale_tmp(self.folder)
        self.done: set[int] = (experiment.done_replications(self.folder, self.hash, repair=True)
                               if self.folder.exists() else set())
        self.already = set(self.done)
        self.compute_s = float(old.get("wall_time_s", 0.0)) if old else 0.0
        self.failed: dict[int, str] = {}
        self.extra = extra
        self._base: dict[str, Any] | None = None
        self._base_extra: dict[str, Any] | None = None
        self.folder.mkdir(parents=True, exist_ok=True)

    def store(self, res: TaskResult) -> TaskFailure | None:
        self.compute_s += res.seconds
        if res.tables is None:
            fail = TaskFailure(res.scenario, res.replication, res.seed, res.error or "")
            self.failed[res.replication] = fail.message
            self.write_manifest()
            return fail
        for name, df in res.tables.items():
            experiment.write_rep(self.folder, name, res.replication, df, self.hash)
        self.done.add(res.replication)
        self.failed.pop(res.replication, None)
        self.write_manifest()
        return None

    def write_manifest(self) -> None:
        # the slow parts (rules, versions, git) once; the rest after every replication
        if self._base is None or self._base_extra != self.extra:
            self._base = experiment._manifest(self.scenario, [], 0.0, {}, self.extra)
            self._base_extra = dict(self.extra)
        seed = self.scenario.run.seed
        m = {**self._base,
             "seeds": {str(r): {"entropy": seed, "spawn_key": list(replication_seed(seed, r).spawn_key)}
                       for r in sorted(self.done)},
             "replications_done": sorted(self.done),
             "replications_failed": {str(k): v for k, v in sorted(self.failed.items())},
             "wall_time_s": round(self.compute_s, 3),
             "written_at": now_iso()}
        write_json_atomic(self.folder / "manifest.json", m)


# ---------------------------------------------------------------------------------------
# the batch

@dataclass
class SeedInfo:
    root_seed: int
    source: str
    overridden: dict[str, int] = field(default_factory=dict)  # scenario → seed in its file

    def as_dict(self) -> dict[str, Any]:
        return {"root_seed": self.root_seed, "seed_source": self.source,
                "seeds_overridden": dict(self.overridden)}


@dataclass
class BatchResult:
    out: Path
    scenarios: list[Scenario]
    done: dict[str, list[int]]
    failed: list[TaskFailure]
    computed: int
    already_stored: int
    precision: dict[str, Any] | None
    backend: dict[str, Any]

    def folder(self, name: str) -> Path:
        return self.out / experiment.folder_key(name)


def prepare_scenarios(paths: Sequence[str | Path], years: float | None = None,
                      seed: int | None = None) -> tuple[list[Scenario], SeedInfo]:
    """Load the scenario files of a batch with one common root seed.

    The seed is `seed` if given, else the first file's ``run.seed``; files with another
    seed are run with the common one (recorded in the returned `SeedInfo`). `years`
    shortens (or lengthens) every scenario's horizon. Two files with the same scenario
    name raise `InputError`.
    """
    over = {"run": {"years": years}} if years is not None else None
    loaded: list[Scenario] = []
    first_file: dict[str, str] = {}
    for p in paths:
        sc = load_scenario(p, over)
        if sc.name in first_file:
            raise InputError(str(p), "name",
                             f"scenario name {sc.name!r} is also the name of {first_file[sc.name]}; "
                             "names must be unique in a batch (each has its own folder)")
        first_file[sc.name] = str(p)
        loaded.append(sc)
    if not loaded:
        raise InputError("command line", "batch", "no scenario given")
    if seed is None:
        root, source = loaded[0].run.seed, f"run.seed of the first scenario ({paths[0]})"
    else:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
            raise InputError("command line", "--seed", f"must be a whole number 0–{MAX_SEED}, got {seed!r}")
        root, source = int(seed), "--seed"
    info = SeedInfo(root, source)
    out: list[Scenario] = []
    for sc in loaded:
        if sc.run.seed != root:
            info.overridden[sc.name] = sc.run.seed
            sc = sc.with_overrides({"run": {"seed": root}})
        out.append(sc)
    return out, info


def _check_batch(scenarios: Sequence[Scenario]) -> None:
    names: set[str] = set()
    for sc in scenarios:
        if sc.name in names:
            raise InputError(sc.source_file or "<scenario>", "name",
                             f"two scenarios named {sc.name!r} in one batch")
        names.add(sc.name)
    seeds = {sc.run.seed for sc in scenarios}
    if len(seeds) > 1:
        raise InputError(scenarios[0].source_file or "<scenario>", "run.seed",
                         f"scenarios of a batch must share the root seed (common random numbers); "
                         f"got {sorted(seeds)} — use prepare_scenarios or --seed")


def _batch_manifest(scenarios: Sequence[Scenario], stores: dict[str, ScenarioStore], seed: SeedInfo,
                    reps: int | str, status: str, backend: dict[str, Any], wall: float,
                    failures: list[TaskFailure], precision: dict[str, Any] | None,
                    computed: int, already: int, years: float | None) -> dict[str, Any]:
    return {
        "tool": "tyosim",
        "kind": "batch",
        "status": status,
        "scenarios": [{"name": sc.name, "file": sc.source_file, "folder": experiment.folder_key(sc.name)}
                      for sc in scenarios],
        "replications_requested": reps,
        "replications_done": {n: sorted(s.done) for n, s in stores.items()},
        **seed.as_dict(),
        "years": scenarios[0].run.years if years is None else years,
        "common_random_numbers": True,
        "backend": backend,
        "precision": precision,
        "failed": [{"scenario": f.scenario, "replication": f.replication, "seed": f.seed,
                    "traceback": f.traceback} for f in failures],
        "computed_this_run": computed,
        "already_stored": already,
        "wall_time_s": round(wall, 3),
        "code_fingerprint": CODE_FINGERPRINT,
        "versions": versions(),
        "git": git_commit(),
        "written_at": now_iso(),
    }


def _run_round(scenarios: Sequence[Scenario], stores: dict[str, ScenarioStore], reps: int,
               executor: Executor, progress: bool | None, desc: str) -> tuple[list[TaskFailure], int]:
    tasks = [Task(sc, r) for r in range(reps) for sc in scenarios
             if r not in stores[sc.name].done]
    failures: list[TaskFailure] = []
    if not tasks:
        return failures, 0
    from tqdm import tqdm

    with tqdm(total=len(tasks), desc=desc, unit="rep", disable=(None if progress is None else not progress),
              leave=False) as bar:
        for res in executor.run(tasks):
            fail = stores[res.scenario].store(res)
            if fail is not None:
                failures.append(fail)
                bar.write(f"failed: {res.scenario} replication {res.replication} (seed {res.seed})",
                          file=sys.stderr)
            bar.update(1)
    return failures, len(tasks)


def precision_check(out: Path, scenarios: Sequence[Scenario], precision: float,
                    kpis: Sequence[str] = HEADLINE_KPIS, reps: int | None = None) -> pd.DataFrame:
    """Per scenario × headline KPI × year: n, mean, 95 % CI half-width and whether it is
    within ``precision`` × |mean| (over replications 0..reps-1, or all stored)."""
    from .compare import scenario_kpis
    from ..tables.kpis import mean_ci

    rows = []
    for sc in scenarios:
        k = scenario_kpis(Path(out) / sc.name)
        if reps is not None and len(k):
            k = k[k["replication"] < reps]
        if k.empty:
            continue
        for year, g in k.groupby("year"):
            for c in kpis:
                if c not in g:
                    continue
                mean, _sd, lo, hi = mean_ci(g[c])
                half = (hi - lo) / 2 if not math.isnan(lo) else math.inf
                target = precision * abs(mean)
                ok = bool(half <= target) if not math.isnan(mean) else True
                rows.append({"scenario": sc.name, "kpi": c, "year": year, "n": int(g[c].notna().sum()),
                             "mean": mean, "half_width": half,
                             "relative_half_width": (half / abs(mean)) if mean else
                             (0.0 if half == 0 else math.inf),
                             "ok": ok})
    return pd.DataFrame(rows)


def _reps_needed(check: pd.DataFrame, n: int, precision: float, max_reps: int) -> int:
    need = n + 1
    for _, r in check[~check["ok"]].iterrows():
        target = precision * abs(r["mean"])
        if target <= 0 or not math.isfinite(r["half_width"]):
            return max_reps
        need = max(need, math.ceil(r["n"] * (r["half_width"] / target) ** 2))
    return min(max_reps, need)


def _json_float(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 6)


def run_batch(scenarios: Sequence[Scenario], reps: int | str, out: str | Path, *,
              workers: int = 1, scheduler: str | None = None, dask: bool = False,
              executor: Executor | None = None, progress: bool | None = None,
              precision: float | None = None, min_reps: int = DEFAULT_MIN_REPS,
              max_reps: int = DEFAULT_MAX_REPS, seed_info: SeedInfo | None = None,
              years: float | None = None) -> BatchResult:
    """Run every scenario × replication into `out`, resuming what is already there.

    Parameters
    ----------
    scenarios : resolved scenarios sharing one root seed (see `prepare_scenarios`).
    reps : replications 0..reps-1 of each, or ``"auto"`` for precision mode.
    out : the batch folder.
    workers, scheduler, dask : where tasks run (see `make_executor`); or pass `executor`.
    progress : show a progress bar (None: only on a terminal).
    precision, min_reps, max_reps : precision mode (``reps="auto"``): relative half-width
        of the 95 % CI to reach (default 0.05), first round and maximum.
    seed_info : how the common seed was chosen (recorded in batch.json).

    Returns
    -------
    BatchResult : replications done per scenario, failures, precision outcome.
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise InputError("command line", "batch", "no scenario given")
    _check_batch(scenarios)
    auto = reps == "auto"
    if not auto and (isinstance(reps, bool) or not isinstance(reps, int) or not 1 <= reps <= MAX_REPLICATIONS):
        raise InputError("command line", "--reps",
                         f"expected a whole number 1–{MAX_REPLICATIONS} or 'auto', got {reps!r}")
    if max_reps > MAX_REPLICATIONS:
        raise InputError("command line", "--max-reps", f"at most {MAX_REPLICATIONS}, got {max_reps}")
    n_tasks = len(scenarios) * (max_reps if auto else int(reps))
    workers = max(1, min(int(workers), n_tasks, max(2, os.cpu_count() or 1)))  # no idle processes
    if auto:
        precision = 0.05 if precision is None else precision
        if not precision > 0:
            raise InputError("command line", "--precision", f"must be positive, got {precision}")
        if min_reps < 2 or max_reps < min_reps:
            raise InputError("command line", "--min-reps",
                             f"need 2 ≤ min-reps ≤ max-reps (got {min_reps}, {max_reps})")
    seed_info = seed_info or SeedInfo(scenarios[0].run.seed, "run.seed of the scenarios")
    out = experiment.ensure_folder(Path(out))
    with ExitStack() as locks:
        locks.enter_context(experiment.folder_lock(out))
        for sc in scenarios:
            locks.enter_context(experiment.folder_lock(experiment.scenario_folder(out, sc)))
        return _run_batch_locked(scenarios, reps, out, auto, workers, scheduler, dask, executor, progress,
                                 precision, min_reps, max_reps, seed_info, years)


def _run_batch_locked(scenarios: list[Scenario], reps: int | str, out: Path, auto: bool, workers: int,
                      scheduler: str | None, dask: bool, executor: Executor | None, progress: bool | None,
                      precision: float | None, min_reps: int, max_reps: int, seed_info: SeedInfo,
                      years: float | None) -> BatchResult:
    for p in out.glob(f".{BATCH_FILE}.*.tmp"):  # left by a killed run
        if p.is_file() and not p.is_symlink():
            p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    batch_extra: dict[str, Any] = {"batch": {
        "file": f"../{BATCH_FILE}", **seed_info.as_dict(), "scenarios": [sc.name for sc in scenarios],
        "wall_time_s": "sum of this scenario's replication run times (batch tasks interleave)"}}
    stores = {sc.name: ScenarioStore(sc, out, dict(batch_extra)) for sc in scenarios}
    for s in stores.values():   # the manifest first: a killed batch leaves files it can vouch for
        if s.is_new:
            s.write_manifest()
    already = sum(len(s.already) for s in stores.values())
    own_executor = executor is None
    ex = executor if executor is not None else make_executor(workers, scheduler, dask)
    backend = ex.describe()
    failures: list[TaskFailure] = []
    computed = 0
    prec: dict[str, Any] | None = None

    def manifest(status: str) -> None:
        write_json_atomic(out / BATCH_FILE, _batch_manifest(
            scenarios, stores, seed_info, "auto" if auto else reps, status, backend,
            time.perf_counter() - t0, failures, prec, computed, already, years))

    try:
        manifest("running")
        if not auto:
            f, n = _run_round(scenarios, stores, int(reps), ex, progress, "batch")
            failures += f
            computed += n
        else:
            n_reps = min_reps
            rounds: list[dict[str, Any]] = []
            prec = {"target_relative_half_width": precision, "level": 0.95, "min_reps": min_reps,
                    "max_reps": max_reps, "kpis": list(HEADLINE_KPIS), "result": "running",
                    "replications": None, "rounds": rounds}
            while True:
                f, n = _run_round(scenarios, stores, n_reps, ex, progress, f"batch (≤{n_reps} reps)")
                failures += f
                computed += n
                check = precision_check(out, scenarios, precision, reps=n_reps)
                met = bool(len(check)) and bool(check["ok"].all())
                worst = (check.sort_values("relative_half_width", ascending=False).head(1)
                         if len(check) else check)
                rounds.append({
                    "replications": n_reps, "met": met,
                    "worst": None if worst.empty else {
                        "scenario": worst.iloc[0]["scenario"], "kpi": worst.iloc[0]["kpi"],
                        "year": worst.iloc[0]["year"],
                        "relative_half_width": _json_float(worst.iloc[0]["relative_half_width"])},
                })
                prec["replications"] = n_reps
                prec["not_met"] = [
                    {"scenario": r.scenario, "kpi": r.kpi, "year": r.year, "n": int(r.n),
                     "mean": _json_float(r.mean), "half_width": _json_float(r.half_width),
                     "relative_half_width": _json_float(r.relative_half_width)}
                    for r in check[~check["ok"]].itertuples()] if len(check) else []
                if failures:
                    prec["result"] = "stopped_on_failure"
                    break
                if met:
                    prec["result"] = "met"
                    break
                if n_reps >= max_reps:
                    prec["result"] = "max_reached"
                    break
                n_reps = _reps_needed(check, n_reps, precision, max_reps)
                manifest("running")
            for s in stores.values():  # the manifests say what precision mode did
                s.extra["precision"] = prec
                s.write_manifest()
        manifest("failed" if failures else "complete")
    except BaseException:
        manifest("interrupted")
        raise
    finally:
        if own_executor:
            ex.close()
    return BatchResult(out, scenarios, {n: sorted(s.done) for n, s in stores.items()}, failures,
                       computed, already, prec, backend)


# ---------------------------------------------------------------------------------------
# command line

def _parse_reps(value: str | None) -> int | str | None:
    if value is None:
        return None
    if value.strip().lower() == "auto":
        return "auto"
    try:
        v = int(value)
    except ValueError:
        raise InputError("command line", "--reps", f"expected a whole number or 'auto', got {value!r}") from None
    if not 1 <= v <= MAX_REPLICATIONS:
        raise InputError("command line", "--reps", f"must be 1–{MAX_REPLICATIONS}, got {v}")
    return v


def batch_command(args: argparse.Namespace) -> int:
    """``tyosim batch``: exit 0 when every replication is stored, 1 when one failed."""
    reps = _parse_reps(args.reps)
    if args.precision is not None and reps not in (None, "auto"):
        raise InputError("command line", "--precision", "only with --reps auto")
    if args.precision is not None:
        reps = "auto"
    remote = args.scheduler is not None and args.scheduler != "local"
    if remote and args.workers is not None:
        raise InputError("command line", "--workers",
                         "the workers of a remote --scheduler are the scheduler's; drop --workers")
    scenarios, seed_info = prepare_scenarios(args.scenarios, years=args.years, seed=args.seed)
    if seed_info.overridden:
        print("note: scenarios have different run.seed; all run with "
              f"{seed_info.root_seed} ({seed_info.source}) for common random numbers: "
              + ", ".join(f"{n} had {s}" for n, s in seed_info.overridden.items()), file=sys.stderr)
    if reps is None:
        reps = scenarios[0].run.replications
    dask = bool(args.dask) or args.scheduler is not None
    workers = args.workers
    if workers is None:
        n_tasks = len(scenarios) * (reps if isinstance(reps, int) else args.min_reps)
        workers = 1 if remote else max(1, min(os.cpu_count() or 1, n_tasks))
    res = run_batch(scenarios, reps, Path(args.out), workers=workers,
                    scheduler=None if args.scheduler == "local" else args.scheduler, dask=dask,
                    progress=False if args.quiet else None, precision=args.precision,
                    min_reps=args.min_reps, max_reps=args.max_reps, seed_info=seed_info,
                    years=args.years)
    for sc in res.scenarios:
        print(f"{sc.name}: {len(res.done[sc.name])} replications in {res.folder(sc.name)}")
    print(f"batch: {res.computed} replications computed, {res.already_stored} already stored; "
          f"seed {seed_info.root_seed}; {res.backend.get('kind')}; {res.out / BATCH_FILE}")
    if res.precision is not None:
        p = res.precision
        what = {"met": "precision met", "max_reached": "maximum reached before the precision",
                "stopped_on_failure": "stopped: a replication failed"}.get(p["result"], p["result"])
        print(f"precision ±{p['target_relative_half_width']:.1%} of the mean (95 % CI): {what} "
              f"with {p['replications']} replications")
    for f in res.failed:
        print(f.message, file=sys.stderr)
    if len(res.scenarios) > 1 and not res.failed:
        print(f"compare: tyosim compare {res.out} --baseline {res.scenarios[0].name}")
    sys.stdout.flush()   # a closed pipe (`| head`) raises here, where `cli.main` catches it
    return 1 if res.failed else 0


def iter_batch_scenarios(out: Path) -> Iterable[str]:
    """Scenario folders of a batch folder, in batch.json order when it exists."""
    import json

    out = Path(out)
    names: list[str] = []
    bf = out / BATCH_FILE
    if bf.exists():
        try:
            names = [s["folder"] for s in json.loads(bf.read_text(encoding="utf-8")).get("scenarios", [])]
        except (OSError, ValueError, KeyError, TypeError):
            names = []
    found = sorted(p.name for p in out.iterdir() if (p / "manifest.json").is_file()) if out.is_dir() else []
    return [n for n in names if n in found] + [n for n in found if n not in names]
