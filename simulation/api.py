"""The Python API for notebooks and scripts: scenarios in, pandas DataFrames out.

    import simulation as ts
    sc = ts.load_scenario("scenarios/baseline.toml", years=1)
    res = ts.run(sc, reps=4)
    res.monthly.head(); res.summary()

`run` wraps the replication runner of `experiment` (results written to a folder when
`out` is given, resumable), `run_batch` the batch runner (common random numbers across
scenarios), `forecast` the statistical forecasts. Everything returns plain pandas objects.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .config import Scenario
from .config import load_scenario as _load_scenario


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None, *,
                  years: float | None = None, seed: int | None = None) -> Scenario:
    """Load and validate a scenario file, optionally shortening it or changing its seed.

    Parameters
    ----------
    path : a scenario TOML file (e.g. ``"scenarios/baseline.toml"``).
    overrides : nested overrides, e.g. ``{"staff": {"customer_service_fte_total": 30}}``.
    years : simulated years instead of the file's ``run.years``.
    seed : root seed instead of the file's ``run.seed``.
    """
    over: dict[str, Any] = dict(overrides or {})
    run = dict(over.get("run", {}))
    if years is not None:
        run["years"] = float(years)
    if seed is not None:
        run["seed"] = int(seed)
    if run:
        over["run"] = run
    return _load_scenario(path, over or None)


@dataclass
class Results:
    """Tables of one scenario's replications (tidy, one row per replication × month × ...)."""

    scenario: Scenario
    folder: Path
    monthly: pd.DataFrame
    hubs: pd.DataFrame
    services: pd.DataFrame

    def yearly(self) -> pd.DataFrame:
        """Headline KPIs per replication and year (area totals)."""
        from .kpis import yearly_kpis
        return yearly_kpis(self.monthly, self.hubs)

    def summary(self) -> pd.DataFrame:
        """Headline KPIs per year: mean, SD and 95 % CI over replications."""
        from .summary import summary_table
        return summary_table(self.monthly, self.hubs)

    def by_municipality(self) -> pd.DataFrame:
        """Per year and municipality: benefit cost by payer, service cost, participants (mean, 95 % CI)."""
        from .kpis import yearly_by_municipality_ci
        return yearly_by_municipality_ci(self.monthly)


def run(scenario: Scenario | str | Path, reps: int | None = None, out: str | Path | None = None,
        workers: int = 1, progress: bool = False) -> Results:
    """Run replications 0..reps-1 of a scenario and return its tables.

    With `out`, results are written to ``out/<scenario>/`` (and a re-run resumes); without
    it they go to a temporary folder that is removed afterwards.
    """
    from .experiment import read_table, run_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    n = reps or sc.run.replications
    if out is None:
        with tempfile.TemporaryDirectory(prefix="tyosim-") as tmp:
            res = run_scenario(sc, n, Path(tmp), workers=workers, progress=progress)
            tables = {t: read_table(res.folder, t) for t in ("monthly", "hubs", "services")}
            folder = Path(tmp)
    else:
        res = run_scenario(sc, n, Path(out), workers=workers, progress=progress)
        tables = {t: read_table(res.folder, t) for t in ("monthly", "hubs", "services")}
        folder = res.folder
    if res.failed:
        raise RuntimeError("replications failed:\n" + "\n".join(res.failed.values()))
    return Results(sc, folder, tables["monthly"], tables["hubs"], tables["services"])


def run_batch(scenarios: list[Scenario | str | Path], reps: int | str = 10, out: str | Path = "results/batch",
              workers: int = 1, years: float | None = None, progress: bool = False,
              precision: float | None = None, scheduler: str | None = None):
    """Run scenarios × replications with common random numbers into `out` (resumable).

    Scenario files are loaded with `batch.prepare_scenarios` (one common seed). Returns the
    batch result; compare with `compare(out, baseline=...)`.
    """
    from .batch import prepare_scenarios
    from .batch import run_batch as _run_batch

    paths = [s for s in scenarios if not isinstance(s, Scenario)]
    if paths and len(paths) != len(scenarios):
        raise TypeError("give either scenario files or Scenario objects, not both")
    if paths:
        scs, seed_info = prepare_scenarios(paths, years=years)
    else:
        scs, seed_info = list(scenarios), None
    kwargs = dict(workers=workers, progress=progress, precision=precision, scheduler=scheduler)
    if seed_info is not None:
        kwargs["seed_info"] = seed_info
    return _run_batch(scs, reps, out, **kwargs)


def compare(folder: str | Path, baseline: str = "baseline") -> pd.DataFrame:
    """Mean differences from the baseline with paired 95 % CIs, per scenario, KPI and year."""
    from .compare import compare as _compare

    table, notes = _compare(Path(folder), baseline)
    table.attrs["notes"] = notes
    return table


@dataclass
class Forecast:
    """Caseload forecasts (the rows of forecasts.csv), benefit costs by year, and the run."""

    table: pd.DataFrame
    costs: pd.DataFrame
    run: Any

    def history(self, level: str, series: str) -> pd.Series:
        """The observed series behind one forecast (for plots)."""
        k = next(k for k in self.run.keys if k.level == level and k.name == series)
        return self.run.history[k.id]


def forecast_caseload(data: str | Path, until: str | None = None, horizon: int = 12,
                      paths: int = 1000, seed: int = 20201031, workers: int = 1) -> Forecast:
    """Forecast unemployed jobseekers per municipality, hub and area, with benefit costs.

    Parameters
    ----------
    data : a monthly series file (long CSV as in ../shared/data, PxWeb CSV or JSON-stat).
    until : cut the data at this month (``"YYYY-MM"``), to check against what came after.
    horizon : months ahead.  paths : simulated paths for the intervals.  seed : their seed.
    """
    from .forecast.cost import CostAssumptions, cost_table
    from .forecast.data import load_monthly, parse_month
    from .forecast.forecaster import forecast as _forecast
    from .region import load_region
    from .rules import load_rules

    d = load_monthly(data)
    if until:
        d = d.until(parse_month(until, "until"))
    run = _forecast(d, load_region(), horizon, None, paths, seed, workers)
    costs = cost_table(run.paths_by_key(), run.months, load_rules(), CostAssumptions())
    return Forecast(run.table, costs, run)


def backtest(data: str | Path, origins: tuple[str, ...] = ("2015-12", "2016-12", "2017-12", "2018-12"),
             horizon: int = 12, paths: int = 1000, seed: int = 20201031, workers: int = 1):
    """Rolling-origin backtest of the forecasting method against its baselines.

    Returns the backtest result: ``.summary()`` (MASE, sMAPE, coverage per method),
    ``.by_level()``, ``.figures()`` (the goal figures), ``.scores`` (every origin × series).
    """
    from .forecast.backtest import run_backtest
    from .forecast.data import load_monthly
    from .region import load_region

    return run_backtest(load_monthly(data), load_region(), list(origins), horizon, None, paths, seed, workers)
