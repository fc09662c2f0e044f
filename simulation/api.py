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
