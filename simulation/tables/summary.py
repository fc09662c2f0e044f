"""The summary `tyosim run` prints: headline KPIs per year, mean and 95 % CI over replications."""

from __future__ import annotations

import pandas as pd

from .kpis import summarise, yearly_kpis

HEADLINE = [
    ("stock_mean", "unemployed jobseekers, monthly mean", "{:,.0f}"),
    ("stock_end", "unemployed jobseekers, end of year", "{:,.0f}"),
    ("inflow", "inflow (registrations)", "{:,.0f}"),
    ("exits_employment", "exits to employment", "{:,.0f}"),
    ("exits_other", "exits elsewhere", "{:,.0f}"),
    ("initial_on_time_pct", "initial interviews on time, %", "{:.1f}"),
    ("job_search_on_time_pct", "job-search interviews on time, %", "{:.1f}"),
    ("benefit_cost_eur", "benefit cost, EUR", "{:,.0f}"),
    ("benefit_cost_municipal_eur", "  of which municipalities, EUR", "{:,.0f}"),
]


def summary_table(monthly: pd.DataFrame, hubs: pd.DataFrame) -> pd.DataFrame:
    k = yearly_kpis(monthly, hubs)
    cols = [c for c, _, _ in HEADLINE] + [c for c in k.columns if c.startswith("utilisation_")]
    return summarise(k, ["scenario", "year"], cols)


def format_summary(s: pd.DataFrame) -> str:
    labels = {c: (lab, fmt) for c, lab, fmt in HEADLINE}
    lines = []
    for (scen, year), g in s.groupby(["scenario", "year"]):
        n = int(g["n"].max())
        lines.append(f"{scen} {year}  (mean over {n} replication{'s' if n != 1 else ''}, 95 % CI)")
        for _, row in g.iterrows():
            if row.kpi in labels:
                lab, fmt = labels[row.kpi]
            else:
                lab, fmt = f"staff utilisation {row.kpi.split('_', 1)[-1]}, %", "{:.1f}"
            scale = 100 if row.kpi.startswith("utilisation_") else 1
            mean = fmt.format(row["mean"] * scale)
            ci = ("" if pd.isna(row.ci95_lo) else
                  f"  [{fmt.format(row.ci95_lo * scale)} – {fmt.format(row.ci95_hi * scale)}]")
            lines.append(f"  {lab:<42}{mean:>14}{ci}")
    return "\n".join(lines)
