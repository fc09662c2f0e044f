"""The summary `tyosim run` prints: headline KPIs per year, mean and 95 % CI over replications."""

from __future__ import annotations

import pandas as pd

from ..experiments.runner import RunResult
from .kpis import forecast_gap, interval_split, summarise, yearly_kpis

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


def print_run_summary(res: RunResult) -> None:
    monthly, hubs = res.table("monthly"), res.table("hubs")
    if monthly.empty:
        print(f"{res.scenario.name}: no replication finished")
        return
    print(format_summary(summary_table(monthly, hubs)))
    gap = forecast_gap(monthly)
    if gap is not None:
        for _, r in gap.iterrows():
            line = (f"{r.scenario} {r.year}: the simulated stock followed the forecast within "
                    f"{100 * r.mean_gap:.1f} % on average (at most {100 * r.max_gap:.1f} %, {r.max_gap_month})")
            if r.max_gap > 0.05:
                line += ("; warning: more than 5 % — explicit services (their start participants and "
                         "lock-in) are not in the inflow's inversion, so the stock is the forecast's "
                         "with the services' effect on top")
            print(line)
    split = interval_split(monthly)
    if split is not None:
        for _, r in split.iterrows():
            print(f"{r.scenario} {r.year}: the interval of the monthly mean stock is "
                  f"{100 * r.forecast_share:.0f} % forecast uncertainty (the spread of the forecast "
                  f"paths followed) and {100 * r.simulation_share:.0f} % simulation noise (variance shares)")
    staff = res.scenario.staff_by_hub()
    rule = ("explicit figures" if res.scenario.staff.customer_service_fte_by_hub is not None
            else f"rule {res.scenario.staff.allocation_rule}")
    print("customer-service staff by hub (fte, " + rule + "): "
          + ", ".join(f"{h} {v:.1f}" for h, v in staff.items()))
    print(f"results: {res.folder}  (replications {len(res.done)}; manifest.json beside the tables)")


def write_yearly_csv(res: RunResult) -> None:
    """`yearly_by_municipality.csv` beside the tables: per year and municipality, benefit cost by
    payer, service cost, participants and broad unemployment, mean and 95 % CI (for Excel).
    With ``budget.benefit_compensation`` in the scenario, also the compensation and the net
    municipal benefit cost (gross share − compensation), next to the gross share."""
    from .kpis import yearly_by_municipality_ci
    from ..experiments.provenance import write_atomic

    monthly = res.table("monthly")
    if monthly.empty:
        return
    budget = res.scenario.budget
    table = yearly_by_municipality_ci(monthly, budget.benefit_compensation if budget is not None else None)
    write_atomic(res.folder / "yearly_by_municipality.csv", table.to_csv(index=False))
    print(f"yearly summary by municipality: {res.folder / 'yearly_by_municipality.csv'}")
