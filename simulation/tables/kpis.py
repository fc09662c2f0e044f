"""Headline KPIs per replication and their confidence intervals over replications.

`yearly_kpis` turns the monthly and hubs tables into one row per scenario ×
replication × year; `mean_ci` summarises any KPI column over replications with a
Student-t 95 % confidence interval. Used by the run summary, `compare` and reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenario.calendar import DAYS_PER_MONTH

KEYS = ["scenario", "replication"]


def yearly_kpis(monthly: pd.DataFrame, hubs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per scenario × replication × year (area totals)."""
    m = monthly.assign(year=monthly["month"].str[:4])
    area = m.groupby([*KEYS, "year", "month"], as_index=False).sum(numeric_only=True)
    g = area.groupby([*KEYS, "year"])
    out = pd.DataFrame({
        "stock_mean": g["stock_end"].mean(),
        "stock_end": g["stock_end"].last(),
        "inflow": g["inflow"].sum(),
        "exits_employment": g["exits_employment"].sum(),
        "exits_other": g["exits_other"].sum(),
        "initial_interviews": g["initial_interviews"].sum(),
        "initial_interviews_late": g["initial_interviews_late"].sum(),
        "job_search_interviews": g["job_search_interviews"].sum(),
        "job_search_interviews_late": g["job_search_interviews_late"].sum(),
    })
    for col in ("benefit_cost_eur", "benefit_cost_municipal_eur", "service_cost_eur",
                "initial_interviews_deadline_missed", "job_search_interviews_deadline_missed",
                "job_search_profiles_by_authority"):
        if col in area:
            out[col] = g[col].sum()
    for col in ("initial_interviews_overdue_end", "job_search_interviews_overdue_end"):
        if col in area:
            out[col] = g[col].last()
    for col in ("interviews_overdue_days", "interviews_missed_equivalent"):
        if col in area:
            out[col] = g[col].sum()
    if "interviews_missed_equivalent" in out:
        # late interviews: the time people waited past a deadline, held or not, in statutory
        # interviews (÷ the 3-month rhythm) — fewer staff never give fewer; its share: of the
        # unemployed person-time, the part spent waiting past a deadline
        out["late_interviews"] = out["interviews_missed_equivalent"]
        person_days = g["stock_end"].mean() * g["month"].nunique() * DAYS_PER_MONTH
        out["late_interviews_share"] = (out["interviews_overdue_days"] / person_days).clip(upper=1.0)
    if "initial_interviews_deadline_missed" in out:
        for kind in ("initial", "job_search"):   # on time: of the deadlines, not of the held
            ok = out[f"{kind}_interviews"] - out[f"{kind}_interviews_late"]
            out[f"{kind}_on_time_pct"] = 100 * ok / (ok + out[f"{kind}_interviews_deadline_missed"])
    if "initial_on_time_pct" not in out:   # tables from before the deadline-missed columns
        out["initial_on_time_pct"] = 100 * (1 - out["initial_interviews_late"] / out["initial_interviews"])
        out["job_search_on_time_pct"] = 100 * (1 - out["job_search_interviews_late"] / out["job_search_interviews"])
    out = out.reset_index()
    if hubs is not None and len(hubs):
        h = hubs.assign(year=hubs["month"].str[:4])
        hg = h.groupby([*KEYS, "year", "hub"])
        util = (hg["used_hours"].sum() / hg["capacity_hours"].sum()).unstack("hub")
        util.columns = [f"utilisation_{c}" for c in util.columns]
        staff = h.groupby([*KEYS, "year"])["staff_fte"].sum() / h.groupby([*KEYS, "year"])["month"].nunique()
        out = out.merge(util.reset_index(), on=[*KEYS, "year"], how="left")
        out = out.merge(staff.rename("customer_service_fte").reset_index(), on=[*KEYS, "year"], how="left")
    return out


def mean_ci(values: pd.Series | np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the Student-t CI (lo, hi) over replications."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if n < 2:
        return (mean, np.nan, np.nan, np.nan)
    sd = float(x.std(ddof=1))
    from scipy import stats  # here, not at import: `tyosim --help` need not load scipy
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / np.sqrt(n)
    return (mean, sd, mean - half, mean + half)


def summarise(kpis: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """Long table: by-keys × KPI → n, mean, sd, ci95_lo, ci95_hi."""
    rows = []
    for key, grp in kpis.groupby(by):
        key = key if isinstance(key, tuple) else (key,)
        for c in columns:
            if c not in grp:
                continue
            mean, sd, lo, hi = mean_ci(grp[c])
            rows.append({**dict(zip(by, key, strict=True)), "kpi": c, "n": int(grp[c].notna().sum()),
                         "mean": mean, "sd": sd, "ci95_lo": lo, "ci95_hi": hi})
    return pd.DataFrame(rows)


def yearly_by_municipality(monthly: pd.DataFrame, compensation=None) -> pd.DataFrame:
    """Per scenario × replication × year × municipality: benefit cost by payer, service cost,
    participants and broad unemployment (means of month-end figures).

    With `compensation` (a `BenefitCompensationConfig`, ``budget.benefit_compensation``):
    ``benefit_compensation_eur`` (a twelfth of the year's amount for each simulated month it is
    in force) and ``benefit_cost_municipal_net_eur`` = municipal share (gross) − compensation,
    beside ``benefit_cost_municipal_eur`` (the gross share).
    """
    m = monthly.assign(year=monthly["month"].str[:4])
    g = m.groupby([*KEYS, "year", "municipality"])
    out = pd.DataFrame({
        "stock_mean": g["stock_end"].mean(),
        "participants_mean": g["in_services_end"].mean(),
        "broad_unemployment_mean": g["broad_unemployment_end"].mean(),
        "benefit_cost_eur": g["benefit_cost_eur"].sum(min_count=1),
        "benefit_cost_municipal_eur": g["benefit_cost_municipal_eur"].sum(min_count=1),
        "service_cost_eur": g["service_cost_eur"].sum() if "service_cost_eur" in m else np.nan,
    })
    if compensation is not None:
        months = m[[*KEYS, "year", "municipality", "month"]].drop_duplicates()
        months["comp"] = [compensation.eur_in_month(mu, int(mo[:4]), int(mo[5:7]))
                          for mu, mo in zip(months["municipality"], months["month"], strict=True)]
        comp = months.groupby([*KEYS, "year", "municipality"])["comp"].sum()
        pos = out.columns.get_loc("benefit_cost_municipal_eur") + 1
        out.insert(pos, "benefit_compensation_eur", comp.reindex(out.index))
        out.insert(pos + 1, "benefit_cost_municipal_net_eur",
                   out["benefit_cost_municipal_eur"] - out["benefit_compensation_eur"])
    out["benefit_cost_state_and_funds_eur"] = out["benefit_cost_eur"] - out["benefit_cost_municipal_eur"]
    return out.reset_index()


def yearly_by_municipality_ci(monthly: pd.DataFrame, compensation=None) -> pd.DataFrame:
    """`yearly_by_municipality` summarised over replications: mean and 95 % CI per figure."""
    y = yearly_by_municipality(monthly, compensation)
    cols = [c for c in y.columns if c not in (*KEYS, "year", "municipality")]
    s = summarise(y, ["scenario", "year", "municipality"], cols)
    return s


def interval_split(monthly: pd.DataFrame) -> pd.DataFrame | None:
    """How much of the spread of the yearly mean stock over replications is the forecast's.

    With a forecast-driven inflow (``monthly.forecast_stock_target``, each replication its own
    sample path), a replication's yearly mean stock is its target plus simulation noise that
    does not depend on the path, so its variance over replications is the targets' variance
    (forecast uncertainty) plus the residuals' variance (simulation noise). Shares are of
    their sum. One row per scenario × year: ``var_total`` (of the stock itself),
    ``forecast_share``, ``simulation_share``. None without targets.
    """
    if "forecast_stock_target" not in monthly or monthly["forecast_stock_target"].isna().all():
        return None
    m = monthly.assign(year=monthly["month"].str[:4])
    area = m.groupby([*KEYS, "year", "month"], as_index=False)[["stock_end", "forecast_stock_target"]].sum()
    y = area.groupby([*KEYS, "year"])[["stock_end", "forecast_stock_target"]].mean()
    rows = []
    for (scen, year), g in y.groupby(["scenario", "year"]):
        if len(g) < 2:
            continue
        total = float(g["stock_end"].var(ddof=1))
        fc = float(g["forecast_stock_target"].var(ddof=1))
        noise = float((g["stock_end"] - g["forecast_stock_target"]).var(ddof=1))
        share = fc / (fc + noise) if fc + noise > 0 else float("nan")
        rows.append({"scenario": scen, "year": year, "var_total": total,
                     "forecast_share": share, "simulation_share": 1 - share})
    return pd.DataFrame(rows) if rows else None


# ---------------------------------------------------------------------------------------
# honest intervals for small samples and bounded quantities (issue 18, item 3)

#: Fewer replications than this and the Student-t 95 % interval is too unstable to read
#: (its multiplier is 12.7 at n = 2, 4.3 at n = 3, 3.2 at n = 4, 2.8 at n = 5): the
#: commands and the report warn and suggest ``--reps auto``.
MIN_REPS_FOR_CI = 5


def mean_ci_bounded(values: pd.Series | np.ndarray, lower: float | None = 0.0, upper: float | None = None,
                    level: float = 0.95) -> tuple[float, float, float, float, bool]:
    """`mean_ci` for a quantity that cannot leave [lower, upper] (euros, counts: ≥ 0; shares: ≤ 1).

    The Student-t interval is computed as in `mean_ci` and then clipped to the bounds (the
    interval method is "t-interval, clipped"; the mean is never changed). Returns mean, sd,
    lo, hi and whether a bound was clipped, so a reader can be told.
    """
    mean, sd, lo, hi = mean_ci(values, level)
    clipped = False
    if lower is not None and np.isfinite(lo) and lo < lower:
        lo, clipped = float(lower), True
    if upper is not None and np.isfinite(hi) and hi > upper:
        hi, clipped = float(upper), True
    return mean, sd, lo, hi, clipped


def few_replications(n: int) -> bool:
    """True when `n` replications are too few for a readable 95 % interval (`MIN_REPS_FOR_CI`)."""
    return 0 < int(n) < MIN_REPS_FOR_CI


def t_multiplier(n: int, level: float = 0.95) -> float:
    """The Student-t multiplier of a `level` interval over `n` replications (NaN for n < 2)."""
    from scipy import stats
    return float(stats.t.ppf(0.5 + level / 2, n - 1)) if n >= 2 else float("nan")


def forecast_gap(monthly: pd.DataFrame) -> pd.DataFrame | None:
    """How closely the simulated area stock followed a forecast-driven inflow's target: per
    scenario × year, the mean and the largest monthly gap |simulated / target − 1| of the
    replications' mean stocks, and the month of the largest. None without targets."""
    if "forecast_stock_target" not in monthly or monthly["forecast_stock_target"].isna().all():
        return None
    area = monthly.groupby([*KEYS, "month"], as_index=False)[["stock_end", "forecast_stock_target"]].sum()
    mean = area.groupby(["scenario", "month"], as_index=False)[["stock_end", "forecast_stock_target"]].mean()
    mean["gap"] = (mean["stock_end"] / mean["forecast_stock_target"] - 1).abs()
    mean["year"] = mean["month"].str[:4]
    rows = []
    for (scen, year), g in mean.groupby(["scenario", "year"]):
        worst = g.loc[g["gap"].idxmax()]
        rows.append({"scenario": scen, "year": year, "mean_gap": float(g["gap"].mean()),
                     "max_gap": float(worst["gap"]), "max_gap_month": worst["month"]})
    return pd.DataFrame(rows)
