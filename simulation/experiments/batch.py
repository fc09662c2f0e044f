"""Scenario batches: every scenario × replication, common random numbers, resume.

A batch runs replications 0..N-1 of several scenarios into one folder::

    OUT/batch.json                          what ran: scenarios, reps, seed, precision, versions
    OUT/<scenario>/manifest.json            as `runner.ScenarioStore` writes it
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
(one worker), in a local process pool (``workers``) or on Dask (`dask_runner`), all through
`runner.run_tasks`; a task is a pure function of (scenario, replication), so the tables do not depend on where or in
which order it ran.

**Resume and safety.** A task's tables are written atomically as soon as it returns; a
replication counts as done only when every table is on disk. Started again, a batch
computes only what is missing (stale ``.tmp`` files of a killed run are removed first,
inside the batch folder only; a truncated replication file is recomputed with a note).
A replication that raises is reported with scenario, replication, seed and traceback;
the others are kept, and a re-run retries it. A batch locks its folder and every
scenario folder while it writes (`tables.store.folder_lock`): a second batch or run on
the same folder stops with one line (exit 2). Scenario folders are
`tables.store.folder_key(name)` — a name never chooses a path. Pool workers die with the
batch process (`executors.worker_init`); ``--workers`` is capped by the number of tasks
and the CPUs.

**Precision mode** (``reps="auto"``): replications are added in rounds until the 95 %
confidence interval of every headline KPI (per scenario and year) is within
±``precision`` × its mean, or ``max_reps`` is reached — like Simul8's trial calculator.
Each round estimates the replications needed from the current interval
(n × (half-width / target)²). ``batch.json`` and the manifests say which happened.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..files import write_json_atomic
from ..scenario.config import MAX_REPLICATIONS, MAX_SEED, Scenario, load_scenario
from ..tables.store import BATCH_FILE, ensure_folder, folder_key, folder_lock, scenario_folder
from .executors import Executor, PoolExecutor, SerialExecutor, make_executor  # noqa: F401
from .provenance import git_commit, now_iso, versions
from .runner import ScenarioStore, run_tasks
from .tasks import TaskFailure, local_fingerprint

DEFAULT_MIN_REPS = 5
DEFAULT_MAX_REPS = 50
#: KPI columns of `compare.scenario_kpis` that precision mode watches (those present).
HEADLINE_KPIS = ("stock_mean", "late_meetings_share", "benefit_cost_eur", "benefit_cost_municipal_eur")


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
        return self.out / folder_key(name)


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
        "scenarios": [{"name": sc.name, "file": sc.source_file, "folder": folder_key(sc.name)}
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
        "code_fingerprint": local_fingerprint(),
        "versions": versions(),
        "git": git_commit(),
        "written_at": now_iso(),
    }


def _run_round(scenarios: Sequence[Scenario], stores: dict[str, ScenarioStore], reps: int,
               executor: Executor, progress: bool | None, desc: str) -> tuple[list[TaskFailure], int]:
    return run_tasks([stores[sc.name] for sc in scenarios], reps, executor, progress, desc)


def precision_check(out: Path, scenarios: Sequence[Scenario], precision: float,
                    kpis: Sequence[str] = HEADLINE_KPIS, reps: int | None = None) -> pd.DataFrame:
    """Per scenario × headline KPI × year: n, mean, 95 % CI half-width and whether it is
    within ``precision`` × |mean| (over replications 0..reps-1, or all stored)."""
    from ..tables.kpis import mean_ci
    from .compare import scenario_kpis

    rows = []
    for sc in scenarios:
        k = scenario_kpis(scenario_folder(Path(out), sc))
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
    out = ensure_folder(Path(out))
    with ExitStack() as locks:
        locks.enter_context(folder_lock(out))
        for sc in scenarios:
            locks.enter_context(folder_lock(scenario_folder(out, sc)))
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
