"""Replications of a scenario: run, store per replication, resume, summarise.

Each replication's tables are written atomically to
``OUT/<scenario>/<table>/rep-NNNN.parquet`` as soon as it finishes, and the scenario's
``manifest.json`` (resolved scenario, seeds, versions, git commit, wall time,
replications done) is rewritten after each. A re-run finds the replications already
there and computes only the missing ones; a folder made from a different scenario is
refused rather than mixed. Replications run in this process or in a local process pool
(``workers``); the tables do not depend on how they were run.
"""

from __future__ import annotations

import gc
import json
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .config import Scenario
from .errors import InputError
from .benefits import benefit_costs
from .metrics import hubs_table, monthly_table, service_cost_by_municipality, services_table
from .model.area import AreaModel
from .provenance import git_commit, now_iso, versions, write_json_atomic, write_parquet_atomic
from .streams import replication_seed

TABLES = ("monthly", "hubs", "services")


def simulate_replication(scenario: Scenario, replication: int) -> dict[str, pd.DataFrame]:
    """Run one replication and return its tables (with scenario, replication, seed columns)."""
    gc_was = gc.isenabled()
    gc.disable()  # the model allocates many small long-lived objects; GC passes only cost time
    try:
        model = AreaModel(scenario, replication)
        rec = model.run()
        cal, munis, hubs, staff_fte, rules = model.cal, model.munis, model.hubs, model.staff_fte, model.rules
        hub_names = [model.region.hub_of(m) for m in munis]
        del model  # the SimPy environment, its events and requests are not needed for the tables
        tables = _tables(scenario, rec, cal, munis, hub_names, hubs, staff_fte, rules)
    finally:
        if gc_was:
            gc.enable()
    for df in tables.values():
        df.insert(0, "seed", scenario.run.seed)
        df.insert(0, "replication", replication)
        df.insert(0, "scenario", scenario.name)
    return tables


def _tables(scenario, rec, cal, munis, hub_names, hubs, staff_fte, rules) -> dict[str, pd.DataFrame]:
    """Records → the result tables (pure)."""
    monthly = monthly_table(rec, cal, munis, hub_names)
    if scenario.benefits is not None:
        res = benefit_costs(rec.array("spells"), rec.array("services"), scenario, cal, rules=rules,
                            municipalities=munis)
        bm = res.monthly
        assert (bm["month"].to_numpy() == monthly["month"].to_numpy()).all()
        for c in bm.columns[2:]:          # same row order: month × municipality
            monthly[c] = bm[c].to_numpy()
    else:
        monthly["benefit_cost_eur"] = float("nan")
        monthly["benefit_cost_municipal_eur"] = float("nan")
    monthly["service_cost_eur"] = service_cost_by_municipality(rec, cal, scenario, len(munis)).ravel()
    broad = monthly.groupby("month", sort=False)["broad_unemployment_end"].sum().to_numpy()
    return {
        "monthly": monthly,
        "hubs": hubs_table(rec, cal, hubs, staff_fte),
        "services": services_table(rec, cal, scenario, broad),
    }


def _worker(scenario: Scenario, replication: int) -> tuple[int, dict[str, pd.DataFrame] | None, str | None, float]:
    t0 = time.perf_counter()
    try:
        return replication, simulate_replication(scenario, replication), None, time.perf_counter() - t0
    except Exception:  # reported with scenario, seed and traceback; the others are kept
        return replication, None, traceback.format_exc(), time.perf_counter() - t0


def rep_file(folder: Path, table: str, replication: int) -> Path:
    return folder / table / f"rep-{replication:04d}.parquet"


def done_replications(folder: Path) -> set[int]:
    """Replications whose every table is on disk."""
    sets = []
    for t in TABLES:
        d = folder / t
        sets.append({int(p.stem.split("-")[1]) for p in d.glob("rep-*.parquet")} if d.is_dir() else set())
    return set.intersection(*sets) if sets else set()


@dataclass
class RunResult:
    folder: Path
    scenario: Scenario
    done: list[int]
    failed: dict[int, str] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        return read_table(self.folder, name)


def read_table(folder: Path, name: str) -> pd.DataFrame:
    files = sorted((Path(folder) / name).glob("rep-*.parquet"))
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def _manifest(scenario: Scenario, reps: list[int], wall: float, failed: dict[int, str],
              extra: dict[str, Any]) -> dict[str, Any]:
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


def _identity(resolved: dict[str, Any] | None) -> dict[str, Any] | None:
    """The resolved scenario without the replication count (more reps extend a folder)."""
    if resolved is None:
        return None
    out = json.loads(json.dumps(resolved, default=str))
    out.get("run", {}).pop("replications", None)
    return out


def check_folder(folder: Path, scenario: Scenario) -> dict[str, Any] | None:
    """The existing manifest, if the folder holds results of this same scenario."""
    mf = folder / "manifest.json"
    if not mf.exists():
        return None
    try:
        old = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(str(mf), None, f"unreadable manifest: {e}") from None
    if _identity(old.get("resolved_scenario")) != _identity(scenario.resolved_dict()):
        raise InputError(str(folder), "resolved_scenario",
                         "holds results of a different scenario (or seed or horizon); "
                         "choose another --out or delete the folder")
    return old


def run_scenario(scenario: Scenario, reps: int, out: Path, workers: int = 1,
                 progress: bool = True, extra_manifest: dict[str, Any] | None = None,
                 on_done: Callable[[int], None] | None = None) -> RunResult:
    """Run replications 0..reps-1 of `scenario` into ``out/<scenario.name>``, resuming."""
    folder = Path(out) / scenario.name
    old = check_folder(folder, scenario)
    done = done_replications(folder) if old is not None or folder.exists() else set()
    wall = float(old.get("wall_time_s", 0.0)) if old else 0.0
    todo = [r for r in range(reps) if r not in done]
    failed: dict[int, str] = {}
    extra = dict(extra_manifest or {})
    t0 = time.perf_counter()
    bar = None
    if progress and todo:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), desc=scenario.name, unit="rep", leave=False)

    def store(rep: int, tables: dict[str, pd.DataFrame] | None, err: str | None) -> None:
        if tables is None:
            failed[rep] = f"scenario {scenario.name}, seed {scenario.run.seed}, replication {rep}:\n{err}"
        else:
            for name, df in tables.items():
                write_parquet_atomic(rep_file(folder, name, rep), df)
            done.add(rep)
        write_json_atomic(folder / "manifest.json",
                          _manifest(scenario, sorted(done), wall + time.perf_counter() - t0, failed, extra))
        if bar is not None:
            bar.update(1)
        if on_done:
            on_done(rep)

    folder.mkdir(parents=True, exist_ok=True)
    if workers <= 1 or len(todo) <= 1:
        for r in todo:
            _, tables, err, _ = _worker(scenario, r)
            store(r, tables, err)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo), os.cpu_count() or 1)) as ex:
            futs = [ex.submit(_worker, scenario, r) for r in todo]
            for f in as_completed(futs):
                r, tables, err, _ = f.result()
                store(r, tables, err)
    if bar is not None:
        bar.close()
    if not todo:  # nothing to do: still make sure the manifest is there
        write_json_atomic(folder / "manifest.json", _manifest(scenario, sorted(done), wall, failed, extra))
    return RunResult(folder, scenario, sorted(done), failed)
