"""The page's result tables: the report's numbers, formatted for people in Finnish or English.

`collect_results` reads a batch folder once with the report's own `collect` (the tables the
workbook gets: KPIs with 95 % CIs, stock by hub, benefit cost by payer, the budget and the
municipal benefit shares), adds the statutory meetings past their deadline by month, and
keeps them as tidy DataFrames (`PageResults`). The ``*_table`` functions turn them into
tables of words for one language; `differences` is `ts.compare` (paired by replication,
common random numbers) in the same words. Numbers are never made up here: an interval that
cannot be computed (one replication) is shown as a dash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import simulation as ts
from simulation.experiments.compare import clear_difference

from .texts import t

DEADLINE_COLS = ("initial_interviews_deadline_missed", "job_search_interviews_deadline_missed")
LATE_COLS = ("initial_interviews_late", "job_search_interviews_late")
#: the KPIs the page shows, in this order (those the results carry)
PAGE_KPIS = (
    "stock_mean",
    "stock_end",
    "late_meetings",
    "late_meetings_share",
    "initial_interviews_deadline_missed",
    "job_search_interviews_deadline_missed",
    "benefit_cost_eur",
    "benefit_cost_municipal_eur",
    "benefit_municipal_share",
    "service_cost_eur",
)


@dataclass
class PageResults:
    """Tidy tables of one batch folder (English column names, ids as in the results)."""

    folder: Path
    names: list[str]
    kpis: pd.DataFrame
    stock_by_hub: pd.DataFrame
    late_by_month: pd.DataFrame
    benefits: pd.DataFrame
    municipalities: pd.DataFrame
    budget: pd.DataFrame
    replications: dict[str, int] = field(default_factory=dict)
    years: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> str:
        return self.names[0]


def collect_results(results: str | Path) -> PageResults:
    """Read the batch folder `results` (as ``tyosim report`` does) into `PageResults`."""
    from simulation.report.tables import collect  # the workbook's own tables

    results = Path(results)
    rd = collect(results)
    names = [sd.name for sd in rd.scenarios]
    late = pd.concat(
        [late_by_month(sd.monthly) for sd in rd.scenarios if len(sd.monthly)] or [pd.DataFrame()],
        ignore_index=True,
    )
    years = {
        sd.name: float(sd.scenario.run.years) if sd.scenario is not None else math.nan
        for sd in rd.scenarios
    }
    tab = rd.tables
    return PageResults(
        results,
        names,
        tab["kpis"],
        tab["stock_by_hub_ci"],
        late,
        tab["benefits"],
        tab["municipalities"],
        tab["budget"],
        dict(rd.replications),
        years,
        list(rd.notes),
    )


def late_by_month(monthly: pd.DataFrame) -> pd.DataFrame:
    """scenario × month × meeting type: meetings past their statutory deadline, mean and 95 % CI.

    The deadlines missed (held late or never held) when the tables carry them, else the
    meetings held late. ``type`` is ``initial``, ``job_search`` or ``total``.
    """
    cols = DEADLINE_COLS if all(c in monthly for c in DEADLINE_COLS) else LATE_COLS
    per_rep = monthly.groupby(["scenario", "replication", "month"], as_index=False)[
        list(cols)
    ].sum()
    per_rep = per_rep.rename(columns=dict(zip(cols, ("initial", "job_search"), strict=True)))
    per_rep["total"] = per_rep["initial"] + per_rep["job_search"]
    rows = []
    for (scenario, month), g in per_rep.groupby(["scenario", "month"], sort=True):
        for kind in ("initial", "job_search", "total"):
            mean, _sd, lo, hi = ts.mean_ci(g[kind])
            rows.append(
                {
                    "scenario": scenario,
                    "month": str(month),
                    "type": kind,
                    "n": len(g),
                    "mean": mean,
                    "ci95_lo": max(lo, 0.0) if np.isfinite(lo) else lo,
                    "ci95_hi": hi,
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------
# formatting


def _is_share(kpi: str) -> bool:
    return kpi.endswith("_share")


def fmt(x: float, lang: str, kpi: str = "", decimals: int | None = None) -> str:
    """A number as the language writes it: shares in % with one decimal, the rest whole."""
    from simulation.report.labels import fmt_number

    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–"
    if _is_share(kpi):
        return fmt_number(x, lang, 1 if decimals is None else decimals, percent=True)
    return fmt_number(x, lang, 0 if decimals is None else decimals)


def fmt_ci(mean: float, lo: float, hi: float, lang: str, kpi: str = "") -> str:
    """``mean [lo – hi]`` (the interval left out where it cannot be computed)."""
    if lo is None or not np.isfinite(lo):
        return fmt(mean, lang, kpi)
    return f"{fmt(mean, lang, kpi)} [{fmt(lo, lang, kpi)} – {fmt(hi, lang, kpi)}]"


def kpi_name(kpi: str, lang: str) -> str:
    from simulation.report.labels import kpi_label

    name = kpi_label(lang, kpi)
    return name if name != f"kpi_{kpi}" else kpi.replace("_", " ")


def kpi_table(res: PageResults, scenario: str, lang: str) -> pd.DataFrame:
    """One row per KPI, one column per year: ``mean [95 % CI]``."""
    k = res.kpis
    if k.empty:
        return pd.DataFrame()
    k = k[k["scenario"] == scenario]
    order = [c for c in PAGE_KPIS if c in set(k["kpi"])]
    cells = {
        (kpi_name(r.kpi, lang), str(int(r.year))): fmt_ci(r.mean, r.ci95_lo, r.ci95_hi, lang, r.kpi)
        for r in k.itertuples()
        if r.kpi in order
    }
    if not cells:
        return pd.DataFrame()
    out = pd.Series(cells).unstack()
    out = out.reindex([kpi_name(c, lang) for c in order])
    out.index.name = t(lang, "col_kpi")
    out.columns.name = t(lang, "col_year")
    return out


def benefits_table(res: PageResults, lang: str) -> pd.DataFrame:
    """scenario × year × payer: benefit cost in EUR, mean [95 % CI]."""
    from simulation.report.labels import payer_label

    b = res.benefits
    if b.empty:
        return pd.DataFrame()
    rows = [
        {
            t(lang, "col_scenario"): r.scenario,
            t(lang, "col_year"): int(r.year),
            t(lang, "col_payer"): payer_label(lang, r.payer),
            t(lang, "col_value"): fmt_ci(r.mean, r.ci95_lo, r.ci95_hi, lang),
        }
        for r in b.itertuples()
    ]
    return pd.DataFrame(rows)


def municipality_table(res: PageResults, scenario: str, lang: str) -> pd.DataFrame:
    """year × municipality: municipal benefit share (gross, CI), compensation, net, cost share."""
    m = res.municipalities
    if m.empty:
        return pd.DataFrame()
    m = m[m["scenario"] == scenario]
    rows = []
    for r in m.to_dict(orient="records"):
        row = {t(lang, "col_year"): int(r["year"]), t(lang, "col_municipality"): r["municipality"]}
        if "benefit_municipal_eur" in r and pd.notna(r.get("benefit_municipal_eur")):
            row[t(lang, "col_benefit_gross")] = fmt_ci(
                r["benefit_municipal_eur"],
                r.get("benefit_municipal_eur_ci95_lo"),
                r.get("benefit_municipal_eur_ci95_hi"),
                lang,
            )
        if "benefit_compensation_eur" in r and pd.notna(r.get("benefit_compensation_eur")):
            row[t(lang, "col_compensation")] = fmt(r["benefit_compensation_eur"], lang)
        if "benefit_municipal_net_eur" in r and pd.notna(r.get("benefit_municipal_net_eur")):
            row[t(lang, "col_benefit_net")] = fmt(r["benefit_municipal_net_eur"], lang)
        row[t(lang, "col_cost_share")] = fmt(r["cost_share_eur"], lang)
        rows.append(row)
    return pd.DataFrame(rows)


def budget_table(res: PageResults, lang: str) -> pd.DataFrame:
    """scenario × year: cost, frame, gap (EUR and % of the frame), closed."""
    b = res.budget
    if b.empty:
        return pd.DataFrame()
    rows = [
        {
            t(lang, "col_scenario"): r["scenario"],
            t(lang, "col_year"): int(r["year"]),
            t(lang, "col_cost"): fmt(r["cost_eur"], lang),
            t(lang, "col_frame"): fmt(r["frame_eur"], lang),
            t(lang, "col_gap"): fmt(r["gap_eur"], lang),
            t(lang, "col_gap_share"): fmt(r["gap_share_of_frame"], lang, "gap_share"),
            t(lang, "col_closed"): t(lang, "yes" if bool(r["closed"]) else "no"),
        }
        for r in b.to_dict(orient="records")
    ]
    return pd.DataFrame(rows)


def stock_chart_data(res: PageResults, scenario: str) -> pd.DataFrame:
    """month × hub: mean stock and its 95 % CI for one scenario (for the chart)."""
    s = res.stock_by_hub
    if s.empty:
        return s
    return s[s["scenario"] == scenario][["month", "hub", "mean", "ci95_lo", "ci95_hi"]].reset_index(
        drop=True
    )


def differences(results: str | Path, baseline: str, by: str = "area") -> pd.DataFrame:
    """`ts.compare` of the batch folder against `baseline` (paired by replication)."""
    return ts.compare(ts.load_batch(results), baseline=baseline, by=by)


def differences_table(diff: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A `ts.compare` table in words: KPI, baseline, option, difference, 95 % CI, clear."""
    if diff is None or diff.empty:
        return pd.DataFrame()
    unit = [c for c in ("municipality", "hub") if c in diff.columns][:1]
    rows = []
    for r in diff.to_dict(orient="records"):
        k = r["kpi"]
        lo, hi = r["diff_ci95_lo"], r["diff_ci95_hi"]
        clear = clear_difference(lo, hi)
        row = {t(lang, "col_scenario"): r["scenario"]}
        for u in unit:
            row[t(lang, f"col_{u}")] = r[u]
        row.update(
            {
                t(lang, "col_year"): int(r["year"]),
                t(lang, "col_kpi"): kpi_name(k, lang),
                t(lang, "col_baseline"): fmt(r["baseline_mean"], lang, k),
                t(lang, "col_scenario_mean"): fmt(r["scenario_mean"], lang, k),
                t(lang, "col_difference"): _signed(r["diff_mean"], lang, k),
                t(lang, "col_ci"): (
                    "–"
                    if not np.isfinite(lo)
                    else f"{_signed(lo, lang, k)} … {_signed(hi, lang, k)}"
                ),
                t(lang, "col_clear"): t(lang, "yes" if clear else "no"),
                t(lang, "col_n"): int(r["n"]),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _signed(x: float, lang: str, kpi: str) -> str:
    from simulation.report.labels import fmt_signed

    if x is None or not np.isfinite(x):
        return "–"
    return fmt_signed(x, lang, 1 if _is_share(kpi) else 0, percent=_is_share(kpi))
