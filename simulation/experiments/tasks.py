"""One replication as a task: what a worker runs, wherever it runs (this process, a pool
process, a Dask worker), and what it sends back.

A task names its scenario by key (the scenario itself is sent to each worker once, not with
every task: `install_scenarios`), and carries the folder to write into when the worker shares
the parent's file system — then the worker writes the replication's tables itself and sends
back only a small `TaskResult`. A task never raises for a failing model: the traceback is
returned, so one bad replication cannot take the others down.
"""

from __future__ import annotations

import gc
import hashlib
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..model.area import AreaModel
from ..money.benefits import benefit_costs
from ..scenario.config import Scenario
from ..tables.metrics import hubs_table, monthly_table, service_cost_by_municipality, services_table
from ..tables.store import scenario_hash, write_rep


@dataclass(frozen=True)
class Task:
    """One replication of one scenario: the scenario's key in the installed scenarios, and
    the folder the worker writes into (None: send the tables back)."""

    key: str
    replication: int
    folder: str | None = None
    scenario_hash: str | None = None


@dataclass
class TaskResult:
    """What a worker sends back: the tables (unless it wrote them), or the failure's traceback."""

    scenario: str
    replication: int
    seed: int
    tables: dict[str, pd.DataFrame] | None
    error: str | None
    seconds: float
    written: bool = False


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


def scenario_key(scenario: Scenario) -> str:
    """A scenario's key in a worker's installed scenarios (name and content)."""
    return f"{scenario.name}\0{scenario_hash(scenario)}"


# the scenarios a worker process has been given (`install_scenarios`), by key
_INSTALLED: dict[str, Scenario] = {}


def install_scenarios(scenarios: dict[str, Scenario]) -> None:
    """Give this process the scenarios its tasks name (a pool initializer, a Dask worker run)."""
    _INSTALLED.update(scenarios)


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


def run_task(task: Task, scenario: Scenario | None = None) -> TaskResult:
    """Run one replication: the installed scenario `task.key` (or `scenario` if given).

    With `task.folder` the tables are written there (atomically, with the scenario hash) and
    not sent back. Never raises for a failing model: the traceback is returned instead.
    """
    sc = scenario if scenario is not None else _INSTALLED[task.key]
    t0 = time.perf_counter()
    written = False
    try:
        # looked up on the module at call time (tests monkeypatch it)
        tables: dict[str, pd.DataFrame] | None = simulate_replication(sc, task.replication)
        error = None
        if task.folder is not None:
            for name, df in tables.items():
                write_rep(Path(task.folder), name, task.replication, df, task.scenario_hash)
            tables, written = None, True
    except Exception:  # noqa: BLE001 — reported with scenario, seed and traceback
        tables, error = None, traceback.format_exc()
    return TaskResult(sc.name, task.replication, sc.run.seed, tables, error,
                      time.perf_counter() - t0, written)


def code_fingerprint() -> str:
    """Hash of the tyosim package's code and data files (the same on every machine that
    runs the same tyosim)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".toml") and p.is_file()):
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


_LOCAL: list[str] = []


def local_fingerprint() -> str:
    """The fingerprint of the code this process loaded (taken once, on first use — a batch
    takes it when it starts), so a file edited since then is caught too."""
    if not _LOCAL:
        _LOCAL.append(code_fingerprint())
    return _LOCAL[0]


