"""Cost model, budget frame, gap and municipal shares of one scenario (`tyosim budget`).

The plan (§1) sets the frame of the area's budget to the municipalities' state-grant
increase (about €7.8 M a year, the 2025 level for the first three years) plus a transition
funding in the first two years, and says the draft budget exceeds it, so an *adjustment*
(sopeuttaminen) must fall on staff, purchased services or other expenses. This module
turns a validated `Scenario` into that budget, year by year:

cost, EUR a year
    - **staff**: FTE × cost per person-year by role. Customer service per hub
      (`Scenario.staff_by_hub`, explicit figures or the allocation rule), specialists and
      administration (``[staff]``, default the region's figures); cost per person-year
      ``budget.cost_per_fte_eur_by_role`` or else ``staff.cost_per_fte_eur`` (€60,000,
      DOMAIN §5);
    - **regional services** bought from the Jyväskylä area: ``staff.regional_services_fte``
      htv-equivalents × ``budget.regional_services_cost_per_fte_eur``;
    - **purchased services**, the *planned* cost = capacity × unit cost (`planned_purchases`):
      ``places × 12 × unit_cost_eur_per_month``; ``budget_eur_per_year`` as given; a target
      share of broad unemployment × the broad unemployment expected from the start state,
      B = (start stock + participants of the services with places or a budget) / (1 − Σ
      target shares) — the fixed point of "broad = unemployed + all participants";
    - **other expenses** (premises, IT, travel): ``budget.other_expenses_eur_per_year``.

    Only the area's own money is a cost line (DOMAIN.md §5, "What is not the employment
    area's money"): a service's ``payer`` is ``"area"`` (default), ``"wellbeing_county"``
    (rehabilitative work activity, organised and paid by the wellbeing services county since
    1.1.2023) or ``"outside_frame"`` (billed at cost outside the frame); an area service's
    ``outside_frame_share`` of the cost (e.g. the integration-training part of labour-market
    training) is outside the frame too. Those amounts are **memo lines**: shown, never in
    the cost or the gap. The flows of every service are simulated whoever pays.
frame, EUR a year
    ``budget.frame_eur_per_year`` (or ``frame_eur_by_year[year]``) +
    ``budget.transition_funding_eur_by_year[year]``.
gap
    cost − frame (positive: over the frame, to adjust). The gap counts as *closed* when
    |gap| ≤ ``budget.gap_tolerance_share_of_frame`` × frame (1 %).

The cost is constant over the years of a scenario (capacities and prices do not change
with the year); the frame changes with the transition funding.

Cost shares per municipality use `simulation.money.cost_sharing` with the scenario's key and
rounding rule. Each municipality's share of the **unemployment-benefit** bill is its own
cost and the meter of the services' effect (plan §1): it is shown *beside* the gap, per
municipality, from simulated results (``--results DIR``), and never added to the cost or
the gap. When the results carry no ``benefit_cost_municipal_eur`` it says "not available".
Beside it stand the municipality's **compensation** (``budget.benefit_compensation``: the
permanent state-grant addition for the larger benefit share, fixed on the 2023 level, EUR
a year, dated) and the **net** cost = municipal share (gross) − compensation.

Longer than 400 lines because one concept, the area's budget: its items, frame, gap and shares
are small functions over one scenario, and splitting them would scatter the frame's arithmetic.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..scenario.budget_config import BudgetConfig
from ..scenario.config import Scenario
from ..tables.kpis import mean_ci
from ..tables.store import read_table
from .cost_sharing import share_amount, weights_for_key

NOT_AVAILABLE = "not available"
MONTHS_PER_YEAR = 12


# ---------------------------------------------------------------------------------------
# cost model

def budget_config(scenario: Scenario) -> BudgetConfig:
    """The scenario's `[budget]` table, or an InputError saying where to add one."""
    if scenario.budget is None:
        raise InputError(scenario.source_file or scenario.name, "budget",
                         "the scenario has no [budget] table (scenarios/base/area.toml has the "
                         "sourced defaults; extend it or add one)")
    return scenario.budget


def budget_years(scenario: Scenario) -> list[int]:
    """Calendar years the scenario's run touches (each budgeted as a full year)."""
    start = scenario.run.start_date
    end = start + timedelta(days=max(scenario.run.years * 365.25 - 1, 0))
    return list(range(start.year, end.year + 1))


def expected_broad_unemployment(scenario: Scenario) -> float:
    """Broad unemployment expected from the start state (module docstring: the B rule)."""
    stock = float(sum(scenario.start_state.stock_by_municipality.values()))
    fixed = 0.0
    target_sum = 0.0
    for svc in scenario.services.values():
        if svc.target_share_of_broad_unemployment is not None:
            target_sum += svc.target_share_of_broad_unemployment
        else:
            fixed += _capacity_places(svc) or 0.0
    if target_sum >= 1:
        raise InputError(scenario.source_file, "services",
                         f"target shares of broad unemployment sum to {target_sum:.3f} >= 1")
    return (stock + fixed) / (1 - target_sum)


def _capacity_places(svc) -> float | None:
    """Places that do not move with the caseload (`ServiceConfig.capacity_terms`), or None."""
    places, share = svc.capacity_terms()
    return None if share or math.isinf(places) else places


PAYERS_OUTSIDE = {"wellbeing_county": "wellbeing services county (not the area's money)",
                  "outside_frame": "outside the frame (billed at cost)"}


def area_cost_share(svc) -> float:
    """Share of a service's cost that is the area's own money, inside the frame."""
    return (1.0 - svc.outside_frame_share) if svc.payer == "area" else 0.0


def memo_payer(svc) -> str | None:
    """Who pays the part of a service's cost that is not the area's (None: nothing)."""
    if svc.payer != "area":
        return svc.payer
    return "outside_frame" if svc.outside_frame_share > 0 else None


def planned_purchases(scenario: Scenario) -> pd.DataFrame:
    """Planned cost of each service: capacity × unit cost, with the rule used.

    ``gross_cost_eur`` is capacity × unit cost whoever pays; ``planned_cost_eur`` the
    area's part (inside the frame, the budget's cost line); ``memo_cost_eur`` the rest,
    paid by ``memo_payer`` (a memo line, outside the cost and the gap).
    """
    broad = expected_broad_unemployment(scenario) if scenario.services else float("nan")
    rows = []
    for name, svc in scenario.services.items():
        if svc.budget_eur_per_year is not None:
            places = _capacity_places(svc)
            cost = svc.budget_eur_per_year   # validation allows one capacity key: no places beside it
            rule = "budget_eur_per_year"
        elif svc.places is not None:
            places = svc.places
            cost = places * MONTHS_PER_YEAR * svc.unit_cost_eur_per_month
            rule = "places x 12 x unit cost"
        elif svc.target_share_of_broad_unemployment is not None:
            places = svc.target_share_of_broad_unemployment * broad
            cost = places * MONTHS_PER_YEAR * svc.unit_cost_eur_per_month
            rule = f"target {svc.target_share_of_broad_unemployment:g} x broad {broad:,.0f} x 12 x unit cost"
        else:
            places, cost, rule = None, 0.0, "no capacity given: no planned purchase"
        area = float(cost) * area_cost_share(svc)
        rows.append({"service": name, "label_fi": svc.label_fi, "kind": svc.kind or name,
                     "planned_places": places, "unit_cost_eur_per_month": svc.unit_cost_eur_per_month,
                     "planned_cost_eur": area, "rule": rule, "payer": svc.payer,
                     "outside_frame_share": svc.outside_frame_share, "gross_cost_eur": float(cost),
                     "memo_cost_eur": float(cost) - area, "memo_payer": memo_payer(svc)})
    return pd.DataFrame(rows, columns=["service", "label_fi", "kind", "planned_places",
                                       "unit_cost_eur_per_month", "planned_cost_eur", "rule", "payer",
                                       "outside_frame_share", "gross_cost_eur", "memo_cost_eur",
                                       "memo_payer"])


def _fte(scenario: Scenario, key: str, region_key: str) -> float:
    v = getattr(scenario.staff, key)
    return float(v if v is not None else scenario.region_obj().staff_fte.get(region_key, 0.0))


def cost_items(scenario: Scenario) -> pd.DataFrame:
    """One row per cost item: group, item, fte (for staff), unit cost, cost EUR a year."""
    b = budget_config(scenario)
    per_fte = scenario.staff.cost_per_fte_eur
    role_cost = {r: b.cost_per_fte_eur_by_role.get(r, per_fte)
                 for r in ("customer_service", "specialists", "administration")}
    rows: list[dict[str, Any]] = []
    for hub, fte in scenario.staff_by_hub().items():
        rows.append({"group": "staff", "item": f"customer_service:{hub}", "fte": fte,
                     "unit_cost_eur": role_cost["customer_service"],
                     "cost_eur": fte * role_cost["customer_service"]})
    for role, key, rkey in (("specialists", "specialists_fte", "specialists"),
                            ("administration", "administration_fte", "administration")):
        fte = _fte(scenario, key, rkey)
        rows.append({"group": "staff", "item": role, "fte": fte, "unit_cost_eur": role_cost[role],
                     "cost_eur": fte * role_cost[role]})
    reg_fte = _fte(scenario, "regional_services_fte", "regional_services_bought")
    reg_price = b.regional_services_cost_per_fte_eur if b.regional_services_cost_per_fte_eur is not None else per_fte
    rows.append({"group": "regional_services", "item": "regional_services_jyvaskyla", "fte": reg_fte,
                 "unit_cost_eur": reg_price, "cost_eur": reg_fte * reg_price})
    for _, p in planned_purchases(scenario).iterrows():
        if p.payer != "area":
            continue                       # not the area's money: a memo line (memo_items)
        rows.append({"group": "purchased_services", "item": f"service:{p.service}", "fte": np.nan,
                     "unit_cost_eur": p.unit_cost_eur_per_month, "cost_eur": p.planned_cost_eur})
    rows.append({"group": "other_expenses", "item": "other_expenses", "fte": np.nan,
                 "unit_cost_eur": np.nan, "cost_eur": b.other_expenses_eur_per_year})
    return pd.DataFrame(rows)


def memo_items(scenario: Scenario) -> pd.DataFrame:
    """Service costs that are not the area's money: payer, amount EUR a year (never in the cost)."""
    p = planned_purchases(scenario)
    p = p[p["memo_payer"].notna()]
    return pd.DataFrame({"item": [f"service:{s}" for s in p["service"]], "payer": p["memo_payer"],
                         "planned_places": p["planned_places"],
                         "share_of_service_cost": 1 - p["planned_cost_eur"] / p["gross_cost_eur"].where(
                             p["gross_cost_eur"] > 0),
                         "memo_cost_eur": p["memo_cost_eur"]}).reset_index(drop=True)


def frame_by_year(scenario: Scenario) -> pd.DataFrame:
    """State grant, transition funding and frame, EUR, per budget year."""
    b = budget_config(scenario)
    rows = []
    for y in budget_years(scenario):
        grant = b.frame_eur_by_year.get(str(y), b.frame_eur_per_year)
        trans = b.transition_funding_eur_by_year.get(str(y), 0.0)
        rows.append({"year": y, "state_grant_eur": grant, "transition_funding_eur": trans,
                     "frame_eur": grant + trans})
    return pd.DataFrame(rows)


def budget_table(scenario: Scenario) -> pd.DataFrame:
    """Per year: cost by group, total cost, frame, gap and whether the gap is closed."""
    b = budget_config(scenario)
    items = cost_items(scenario)
    by_group = items.groupby("group", sort=False)["cost_eur"].sum()
    fr = frame_by_year(scenario)
    for g in ("staff", "regional_services", "purchased_services", "other_expenses"):
        fr[f"{g}_eur"] = float(by_group.get(g, 0.0))
    fr["cost_eur"] = float(items["cost_eur"].sum())
    fr["memo_not_in_budget_eur"] = float(memo_items(scenario)["memo_cost_eur"].sum())
    fr["gap_eur"] = fr["cost_eur"] - fr["frame_eur"]
    fr["gap_share_of_frame"] = fr["gap_eur"] / fr["frame_eur"].where(fr["frame_eur"] > 0)
    fr["gap_tolerance_eur"] = b.gap_tolerance_share_of_frame * fr["frame_eur"]
    fr["closed"] = fr["gap_eur"].abs() <= fr["gap_tolerance_eur"]
    return fr


def sharing_weights(scenario: Scenario) -> dict[str, float]:
    b = budget_config(scenario)
    region = scenario.region_obj()
    given = b.use_of_services_by_municipality if b.cost_sharing_key == "use_of_services" else None
    if b.cost_sharing_key == "use_of_services" and not given:
        raise InputError(scenario.source_file, "budget.use_of_services_by_municipality",
                         "cost_sharing_key = \"use_of_services\" needs the figures per municipality")
    return weights_for_key(region, b.cost_sharing_key, None, given)


def municipal_shares(scenario: Scenario, table: pd.DataFrame | None = None,
                     benefit: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per year × municipality: share of the cost and of the gap (and, beside them, benefits).

    `benefit` (from `benefit_by_municipality`) adds the municipality's simulated share of
    unemployment benefits — its own cost, kept outside the area's cost and gap.
    """
    b = budget_config(scenario)
    table = budget_table(scenario) if table is None else table
    weights = sharing_weights(scenario)
    rows = []
    for _, t in table.iterrows():
        cost = share_amount(t.cost_eur, weights, b.cost_sharing_rounding, b.cost_sharing_percent_decimals)
        gap = share_amount(t.gap_eur, weights, b.cost_sharing_rounding, b.cost_sharing_percent_decimals)
        for c, g in zip(cost, gap, strict=False):
            rows.append({"year": int(t.year), "municipality": c.municipality, "weight": float(c.weight),
                         "share": float(c.share_used), "cost_share_eur": float(c.amount_eur),
                         "gap_share_eur": float(g.amount_eur)})
    out = pd.DataFrame(rows)
    if benefit is not None and len(benefit):
        out = out.merge(benefit, on=["year", "municipality"], how="left")
    comp = b.benefit_compensation
    if comp is not None:
        out["benefit_compensation_eur"] = [comp.eur_in_year(m, int(y))
                                           for y, m in zip(out["year"], out["municipality"], strict=True)]
        if "benefit_municipal_eur" in out:
            for src, dst in (("benefit_municipal_eur", "benefit_municipal_net_eur"),
                             ("benefit_municipal_eur_ci95_lo", "benefit_municipal_net_eur_ci95_lo"),
                             ("benefit_municipal_eur_ci95_hi", "benefit_municipal_net_eur_ci95_hi")):
                out[dst] = out[src] - out["benefit_compensation_eur"]
    return out


# ---------------------------------------------------------------------------------------
# simulated results beside the plan

def scenario_results_folder(results: Path, name: str) -> Path | None:
    """`results` itself (a scenario folder) or `results/<name>`, if it holds a monthly table."""
    results = Path(results)
    for cand in (results / name, results):
        if (cand / "monthly").is_dir() and (cand / "manifest.json").exists():
            man = json.loads((cand / "manifest.json").read_text(encoding="utf-8"))
            if man.get("scenario") == name:
                return cand
    return None


def _yearly_ci(df: pd.DataFrame, value: str, by: list[str], annualise: bool = False) -> pd.DataFrame:
    """Sum `value` per replication × year × by, then mean and 95 % CI over replications.

    With `annualise`, a year the run covers only partly is scaled to twelve months
    (sum × 12 / simulated months of that year); ``simulated_months`` says how many there were.
    """
    d = df.assign(year=df["month"].astype(str).str[:4].astype(int))
    months = d.groupby("year")["month"].nunique()
    per_rep = d.groupby(["replication", "year", *by], as_index=False)[value].sum()
    if annualise:
        per_rep[value] = per_rep[value] * MONTHS_PER_YEAR / per_rep["year"].map(months)
    rows = []
    for key, g in per_rep.groupby(["year", *by]):
        key = key if isinstance(key, tuple) else (key,)
        mean, _sd, lo, hi = mean_ci(g[value])
        rows.append({**dict(zip(["year", *by], key, strict=False)), f"{value}_mean": mean,
                     f"{value}_ci95_lo": lo, f"{value}_ci95_hi": hi, "n_replications": len(g),
                     "simulated_months": int(months[key[0]])})
    return pd.DataFrame(rows)


def benefit_by_municipality(monthly: pd.DataFrame) -> pd.DataFrame | None:
    """Municipal benefit share, EUR a year (annualised), per year × municipality, mean and 95 % CI.

    None when the monthly table has no ``benefit_cost_municipal_eur`` column.
    """
    if monthly is None or monthly.empty or "benefit_cost_municipal_eur" not in monthly:
        return None
    out = _yearly_ci(monthly, "benefit_cost_municipal_eur", ["municipality"], annualise=True)
    out = out.rename(columns={"benefit_cost_municipal_eur_mean": "benefit_municipal_eur",
                              "benefit_cost_municipal_eur_ci95_lo": "benefit_municipal_eur_ci95_lo",
                              "benefit_cost_municipal_eur_ci95_hi": "benefit_municipal_eur_ci95_hi"})
    return out.drop(columns=["n_replications"])


def actual_service_cost(services: pd.DataFrame, scenario: Scenario | None = None) -> pd.DataFrame | None:
    """Simulated service cost (``services.cost_eur``) per year × service, EUR a year, mean and 95 % CI.

    Annualised: a year the run covers only partly is scaled to twelve months, so it compares
    with the planned cost (``simulated_months`` tells how many months were simulated). The
    cost is whoever pays; with `scenario`, ``payer`` and ``area_cost_share`` say how much of
    it is the area's own money (`simulated_area_cost`).
    """
    if services is None or services.empty or "cost_eur" not in services:
        return None
    out = _yearly_ci(services, "cost_eur", ["service"], annualise=True)
    if scenario is not None:
        svcs = scenario.services
        out["payer"] = out["service"].map(lambda s: svcs[s].payer if s in svcs else "area")
        out["area_cost_share"] = out["service"].map(lambda s: area_cost_share(svcs[s]) if s in svcs else 1.0)
    return out


def simulated_area_cost(actual: pd.DataFrame) -> pd.Series:
    """Per year: the area's part of the simulated service cost (mean, EUR a year)."""
    share = actual["area_cost_share"] if "area_cost_share" in actual else 1.0
    return (actual["cost_eur_mean"] * share).groupby(actual["year"]).sum()


# ---------------------------------------------------------------------------------------
# the budget of one scenario

@dataclass
class Budget:
    scenario: Scenario
    table: pd.DataFrame                       # per year
    items: pd.DataFrame                       # per cost item (a year)
    purchases: pd.DataFrame                   # planned purchases with their rule
    municipalities: pd.DataFrame              # per year × municipality
    actual_services: pd.DataFrame | None = None
    benefit_available: bool = False
    notes: list[str] = field(default_factory=list)
    memo: pd.DataFrame = field(default_factory=pd.DataFrame)   # service costs not the area's money

    def to_dict(self) -> dict[str, Any]:
        b = budget_config(self.scenario)
        years: dict[str, Any] = {}
        for _, t in self.table.iterrows():
            y = str(int(t.year))
            years[y] = {
                "cost_eur": t.cost_eur, "frame_eur": t.frame_eur, "gap_eur": t.gap_eur,
                "state_grant_eur": t.state_grant_eur, "transition_funding_eur": t.transition_funding_eur,
                "gap_share_of_frame": t.gap_share_of_frame, "closed": bool(t.closed),
                "cost_by_group_eur": {g: t[f"{g}_eur"] for g in
                                      ("staff", "regional_services", "purchased_services", "other_expenses")},
                "memo_not_in_budget_eur": t.memo_not_in_budget_eur,
            }
            if self.actual_services is not None:
                area = simulated_area_cost(self.actual_services)
                years[y]["simulated_service_cost_eur"] = float(area[int(t.year)]) if int(t.year) in area else None
        munis = []
        for _, r in self.municipalities.iterrows():
            d = {"year": int(r.year), "municipality": r.municipality, "weight": r.weight,
                 "share": r.share, "cost_share_eur": r.cost_share_eur, "gap_share_eur": r.gap_share_eur}
            def simulated(key: str, d: dict = d, r=r) -> None:   # a simulated figure with its CI, or n/a
                if self.benefit_available and pd.notna(r.get(key, np.nan)):
                    d[key] = r[key]
                    d[f"{key}_ci95"] = [r[f"{key}_ci95_lo"], r[f"{key}_ci95_hi"]]
                else:
                    d[key] = NOT_AVAILABLE
            simulated("benefit_municipal_eur")
            if "benefit_compensation_eur" in r:
                d["benefit_compensation_eur"] = r.benefit_compensation_eur
                simulated("benefit_municipal_net_eur")
            else:
                d["benefit_compensation_eur"] = d["benefit_municipal_net_eur"] = NOT_AVAILABLE
            munis.append(d)
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "years": years,
            "cost_items": _records(self.items),
            "memo_not_in_budget": _records(self.memo),
            "purchases": _records(self.purchases),
            "cost_sharing": {"key": b.cost_sharing_key, "rounding": b.cost_sharing_rounding,
                             "municipalities": munis},
            "benefit_compensation": (b.benefit_compensation.model_dump(mode="json")
                                     if b.benefit_compensation is not None else NOT_AVAILABLE),
            "gap_tolerance_share_of_frame": b.gap_tolerance_share_of_frame,
            "sources": dict(b.sources),
            "notes": list(self.notes),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for r in df.to_dict(orient="records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()})
    return out


def compute_budget(scenario: Scenario, results: str | Path | None = None) -> Budget:
    """The budget of `scenario`; with `results` (a run/batch folder) also simulated figures."""
    table = budget_table(scenario)
    notes = []
    b = budget_config(scenario)
    years = budget_years(scenario)
    if len(years) > 3:
        notes.append(f"the plan fixes the frame for the first three years only; "
                     f"{years[3]}–{years[-1]} use the same level unless frame_eur_by_year says otherwise")
    if not b.transition_funding_eur_by_year:
        notes.append("transition funding: none entered (the plan gives no figure; "
                     "budget.transition_funding_eur_by_year)")
    benefit = actual = None
    if results is not None:
        folder = scenario_results_folder(Path(results), scenario.name)
        if folder is None:
            notes.append(f"no results of scenario {scenario.name!r} under {results}: simulated figures "
                         f"not available")
        else:
            monthly = read_table(folder, "monthly", scenario=scenario)
            benefit = benefit_by_municipality(monthly)
            actual = actual_service_cost(read_table(folder, "services", scenario=scenario), scenario)
    if benefit is None:
        notes.append("municipal benefit share: not available (run the scenario and pass --results DIR; "
                     "the monthly table must carry benefit_cost_municipal_eur)")
    memo = memo_items(scenario)
    if len(memo):
        notes.append("not the area's money, outside the cost and the gap (memo): "
                     + "; ".join(f"{r['item']} {r.memo_cost_eur:,.0f} EUR ({PAYERS_OUTSIDE[r.payer]})"
                                 for _, r in memo.iterrows()))
    if b.benefit_compensation is None:
        notes.append("benefit compensation: none entered (budget.benefit_compensation); "
                     "net municipal benefit cost not available")
    elif b.benefit_compensation.derived:
        notes.append("benefit compensation: a stated derivation (budget.benefit_compensation.source); "
                     "replace it with each municipality's figure from its valtionosuus decision")
    munis = municipal_shares(scenario, table, benefit)
    return Budget(scenario, table, cost_items(scenario), planned_purchases(scenario), munis,
                  actual, benefit is not None, notes, memo)
