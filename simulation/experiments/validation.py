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

from ..scenario.config import Scenario
from .runner import simulate_replication


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


# ---- the M/M/c reduction ----------------------------------------------------------------

def mmc_scenario(folder, rho: float, servers: int = 3, mean_meeting_min: float = 144.0,
                 years: float = 1.0, base: str | None = None) -> tuple[Scenario, float, float]:
    """The model reduced to an M/M/c queue, as a scenario; returns (scenario, λ per day, μ per day).

    One hub (Äänekoski) with `servers` officers in continuous time and no calendar
    (``office.model = "servers"``); Poisson registrations at a constant daily rate (month
    factors ∝ month length, 2025 and 2026 not being leap years) in Äänekoski only; each
    jobseeker needs exactly one meeting (rules overridden: no interview follows the initial
    one) and nobody leaves during the run; exponential meeting times of mean
    `mean_meeting_min`. Written as a TOML file in `folder` that extends
    `scenarios/base/area.toml`.
    """
    import calendar as pycal
    from pathlib import Path

    import tomli_w

    from ..scenario.config import load_scenario
    from ..scenario.region import load_region

    root = Path(__file__).resolve().parents[2]
    area = Path(base) if base else root / "scenarios" / "base" / "area.toml"
    region = load_region()
    munis = list(region.municipality_names)
    mu = 1440.0 / mean_meeting_min
    lam = rho * servers * mu
    days = [pycal.monthrange(2025, k)[1] for k in range(1, 13)]
    channels = ("in_person", "service_point", "remote", "phone")
    data = {
        "extends": str(area), "name": f"mmc_rho{int(round(rho * 100))}",
        "run": {"start_date": __import__("datetime").date(2025, 1, 1), "years": float(years),
                "replications": 10, "seed": 7},
        "office": {"model": "servers"},
        "staff": {"customer_service_fte_by_hub": {h: (float(servers) if h == "Äänekoski" else 1.0)
                                                  for h in region.hub_names},
                  "absence_share": 0.0, "customer_meeting_time_share": 1.0},
        "meetings": {"duration_distribution": "exponential", "supplementary_needs_share": 0.0,
                     "job_search_profile_by_authority_share": 0.0,
                     "duration_minutes": {t: {c: mean_meeting_min for c in channels}
                                          for t in ("initial", "job_search", "supplementary")}},
        "inflow": {"per_month_by_municipality": {m: (lam * 365 / 12 if m == "Äänekoski" else 0.0) for m in munis},
                   "seasonal_factors": [d * 12 / 365 for d in days], "scale": 1.0, "layoff_share": 0.0,
                   "reentry_probability": 0.0, "reentry_mean_months": 6.0},
        "exits": {"short_group_share": 0.0, "short_group_mean_months": 1.0, "long_group_mean_months": 600.0,
                  "hazard_multiplier": 1e-6,   # nobody leaves: 600 months / 1e-6
                  "seasonal_factors": [1.0] * 12, "layoff_mean_months": 1.0,
                  "employment_share_short_group": 0.5, "employment_share_long_group": 0.5,
                  "employment_share_layoff": 0.5},
        "start_state": {"stock_by_municipality": {m: 0.0 for m in munis}, "layoff_share": 0.0,
                        "source": "M/M/c reduction: empty start"},
        "rules": {"intensive_interview_interval_days": [{"value": 0, "source": "reduction: one meeting only"}],
                  "intensive_repeat_every_months": [{"value": 0}],
                  "regular_interview_interval_months": [{"value": 60}]},
    }
    path = Path(folder) / f"{data['name']}.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return load_scenario(path), lam, mu


def mmc_mean_waits(scenario: Scenario, reps: int, warmup_days: float = 60.0,
                   cooldown_days: float = 20.0) -> list[float]:
    """Mean wait (days) per replication of an `mmc_scenario`, leaving out the empty start
    and the arrivals at the very end (which may not be served yet)."""
    from ..model.area import AreaModel

    out = []
    for r in range(reps):
        model = AreaModel(scenario, r)
        model.run()
        w = [w for t, w in model.office.waits if warmup_days <= t < model.horizon_day - cooldown_days]
        out.append(float(np.mean(w)))
    return out
