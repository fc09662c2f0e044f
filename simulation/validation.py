"""Checks of the model against history: simulated monthly stock vs the real series.

`history_check` runs a scenario whose start state is an observed month (e.g.
`scenarios/calibration_2019.toml`, calibrated on 2016–2018 only), averages the monthly
stock over replications and compares it with Statistics Finland's series for the same
months: MAPE for the area, each hub and each municipality. Used by the history test,
the validation notebook and `benchmarks/`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Scenario
from .experiment import simulate_replication


@dataclass(frozen=True)
class HistoryCheck:
    comparison: pd.DataFrame      # month, level, series, simulated, observed
    mape: pd.DataFrame            # level, series, mape_pct
    replications: int

    def mape_of(self, level: str, series: str) -> float:
        m = self.mape
        return float(m[(m.level == level) & (m.series == series)].mape_pct.iloc[0])


def simulated_stock(scenario: Scenario, reps: int) -> pd.DataFrame:
    """Mean end-of-month stock over replications: index month (YYYY-MM), one column per municipality."""
    frames = [simulate_replication(scenario, r)["monthly"] for r in range(reps)]
    m = pd.concat(frames)
    return m.pivot_table(index="month", columns="municipality", values="stock_end", aggfunc="mean")


def history_check(scenario: Scenario, observed: pd.DataFrame, reps: int = 10) -> HistoryCheck:
    """Compare the simulated stock with `observed` (index: monthly Periods or YYYY-MM, columns: municipalities)."""
    region = scenario.region_obj()
    sim = simulated_stock(scenario, reps)
    obs = observed.copy()
    obs.index = [str(i) for i in obs.index]
    months = [m for m in sim.index if m in obs.index]
    if not months:
        raise ValueError("the observed series has none of the simulated months")
    sim, obs = sim.loc[months], obs.loc[months, list(sim.columns)]
    rows = []

    def add(level: str, name: str, s: pd.Series, o: pd.Series) -> None:
        for month in months:
            rows.append({"month": month, "level": level, "series": name,
                         "simulated": float(s[month]), "observed": float(o[month])})

    add("area", "area", sim.sum(axis=1), obs.sum(axis=1))
    for hub in region.hub_names:
        cols = [m for m in sim.columns if region.hub_of(m) == hub]
        add("hub", hub, sim[cols].sum(axis=1), obs[cols].sum(axis=1))
    for m in sim.columns:
        add("municipality", m, sim[m], obs[m])
    comp = pd.DataFrame(rows)
    comp["ape_pct"] = 100 * np.abs(comp.simulated - comp.observed) / comp.observed
    mape = comp.groupby(["level", "series"], as_index=False, sort=False)["ape_pct"].mean()
    return HistoryCheck(comp, mape.rename(columns={"ape_pct": "mape_pct"}), reps)
