"""What ``tyosim run`` prints and writes beside the tables: the summary of headline KPIs
with their intervals, how closely a forecast-driven run followed its forecast, the staff
by hub, and ``yearly_by_municipality.csv``."""

from __future__ import annotations

from ..experiments.runner import RunResult
from ..files import write_atomic
from ..tables.kpis import forecast_gap, interval_split, yearly_by_municipality_ci
from ..tables.summary import format_summary, summary_table


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
    monthly = res.table("monthly")
    if monthly.empty:
        return
    budget = res.scenario.budget
    table = yearly_by_municipality_ci(monthly, budget.benefit_compensation if budget is not None else None)
    write_atomic(res.folder / "yearly_by_municipality.csv", table.to_csv(index=False))
    print(f"yearly summary by municipality: {res.folder / 'yearly_by_municipality.csv'}")
