"""The tables of a report, computed from a results folder (pure functions, no output here).

A results folder is either one scenario's folder (``manifest.json`` + ``monthly/``,
``hubs/``, ``services/`` Parquet tables, as ``tyosim run`` writes under ``--out``) or a
batch folder holding several of them (``tyosim batch``; ``batch.json`` gives the order),
or a run's ``--out`` folder with one scenario inside. `collect` reads every scenario and
returns `ReportData`: tidy DataFrames with English column names (the HTML and Excel
writers translate the headers). Columns absent from the tables (e.g. the benefit costs
before the benefit ledger lands) make their table empty and the report says "not
available"; they are picked up as soon as the tables carry them.

The budget of each scenario is recomputed from the resolved scenario in its manifest
(`simulation.budget`), so it always matches the scenario that produced the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import Scenario
from ..errors import InputError
from ..experiment import read_table
from ..kpis import mean_ci, yearly_kpis

BENEFIT_COLS = ("benefit_cost_eur", "benefit_cost_municipal_eur")


@dataclass
class ScenarioData:
    name: str
    folder: Path
    manifest: dict[str, Any]
    scenario: Scenario | None
    monthly: pd.DataFrame
    hubs: pd.DataFrame
    services: pd.DataFrame


@dataclass
class ReportData:
    source: Path
    scenarios: list[ScenarioData]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    benefits_available: bool = False
    notes: list[str] = field(default_factory=list)


def scenario_folders(root: Path) -> list[Path]:
    """Scenario folders under `root` (or `root` itself), in batch.json order when present."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(str(root), None, "not a folder")
    if (root / "manifest.json").is_file():
        return [root]
    names: list[str] = []
    bf = root / "batch.json"
    if bf.is_file():
        try:
            names = [s["folder"] for s in json.loads(bf.read_text(encoding="utf-8")).get("scenarios", [])]
        except (OSError, ValueError, KeyError, TypeError):
            names = []
    found = sorted(p.name for p in root.iterdir() if (p / "manifest.json").is_file())
    rest = [n for n in found if n not in names]
    rest.sort(key=lambda n: (n != "baseline", n))          # the baseline first, then by name
    ordered = [n for n in names if n in found] + rest
    if not ordered:
        raise InputError(str(root), None, "no scenario results here (no */manifest.json); "
                         "give the folder of `tyosim run --out` or `tyosim batch --out`")
    return [root / n for n in ordered]


def scenario_from_manifest(manifest: dict[str, Any]) -> Scenario | None:
    """The resolved scenario of a manifest as a `Scenario`, or None if it no longer validates."""
    resolved = manifest.get("resolved_scenario")
    if not resolved:
        return None
    try:
        return Scenario.model_validate_json(json.dumps(resolved))
    except Exception:  # noqa: BLE001 — an old manifest: the report says "not available"
        return None


def load_scenario_data(folder: Path) -> ScenarioData:
    mf = folder / "manifest.json"
    try:
        manifest = json.loads(mf.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(str(mf), None, f"unreadable manifest: {e}") from None
    name = manifest.get("scenario") or folder.name
    return ScenarioData(name, folder, manifest, scenario_from_manifest(manifest),
                        read_table(folder, "monthly"), read_table(folder, "hubs"),
                        read_table(folder, "services"))


def _year(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(year=df["month"].astype(str).str[:4].astype(int))


def _ci_rows(values: pd.Series) -> dict[str, float]:
    mean, _sd, lo, hi = mean_ci(values)
    return {"n": int(np.isfinite(np.asarray(values, dtype=float)).sum()), "mean": mean,
            "ci95_lo": lo, "ci95_hi": hi}


# ---------------------------------------------------------------------------------------
# tables

KPI_ORDER = ("stock_mean", "stock_end", "initial_interviews_late", "job_search_interviews_late",
             "late_meetings", "late_meetings_share", "benefit_cost_eur", "benefit_cost_municipal_eur",
             "service_cost_eur")


def kpi_table(sd: ScenarioData) -> pd.DataFrame:
    """scenario × year × KPI: n, mean, 95 % CI over replications."""
    if sd.monthly.empty:
        return pd.DataFrame()
    k = yearly_kpis(sd.monthly, sd.hubs if len(sd.hubs) else None)
    held = k["initial_interviews"] + k["job_search_interviews"]
    k["late_meetings"] = k["initial_interviews_late"] + k["job_search_interviews_late"]
    k["late_meetings_share"] = (k["late_meetings"] / held).where(held > 0)
    if len(sd.services) and "cost_eur" in sd.services:
        sc = _year(sd.services).groupby(["replication", "year"])["cost_eur"].sum()
        k = k.drop(columns=["service_cost_eur"], errors="ignore")
        k = k.assign(year=k["year"].astype(int)).merge(
            sc.rename("service_cost_eur").reset_index(), on=["replication", "year"], how="left")
    k["year"] = k["year"].astype(int)
    rows = []
    for year, g in k.groupby("year"):
        for c in KPI_ORDER:
            if c in g and g[c].notna().any():
                rows.append({"scenario": sd.name, "year": int(year), "kpi": c, **_ci_rows(g[c])})
    return pd.DataFrame(rows)


def stock_by_hub(sd: ScenarioData) -> pd.DataFrame:
    """scenario × replication × month × hub: sums of the monthly table (the Parquet numbers)."""
    if sd.monthly.empty:
        return pd.DataFrame()
    cols = ["stock_end", "initial_interviews", "initial_interviews_late", "job_search_interviews",
            "job_search_interviews_late", *[c for c in BENEFIT_COLS if c in sd.monthly]]
    return (sd.monthly.groupby(["scenario", "replication", "month", "hub"], as_index=False, sort=True)[cols]
            .sum())


def stock_by_hub_ci(per_rep: pd.DataFrame) -> pd.DataFrame:
    """scenario × month × hub: mean stock and 95 % CI over replications (for the figure)."""
    rows = []
    for (s, m, h), g in per_rep.groupby(["scenario", "month", "hub"], sort=True):
        rows.append({"scenario": s, "month": m, "hub": h, **_ci_rows(g["stock_end"])})
    return pd.DataFrame(rows)


def benefits_by_payer(sd: ScenarioData) -> pd.DataFrame:
    """scenario × year × payer (municipalities, state and funds): mean and CI, if the columns exist."""
    if sd.monthly.empty or not all(c in sd.monthly for c in BENEFIT_COLS):
        return pd.DataFrame()
    d = _year(sd.monthly).groupby(["replication", "year"])[list(BENEFIT_COLS)].sum()
    d["state"] = d["benefit_cost_eur"] - d["benefit_cost_municipal_eur"]
    rows = []
    for year, g in d.groupby(level="year"):
        for payer, col in (("municipal", "benefit_cost_municipal_eur"), ("state", "state"),
                           ("total", "benefit_cost_eur")):
            rows.append({"scenario": sd.name, "year": int(year), "payer": payer, **_ci_rows(g[col])})
    return pd.DataFrame(rows)


def budget_tables(sd: ScenarioData) -> dict[str, pd.DataFrame]:
    """The scenario's budget (plan) beside its simulated service cost and benefit shares."""
    from ..budget import (
        actual_service_cost,
        benefit_by_municipality,
        budget_table,
        cost_items,
        municipal_shares,
        planned_purchases,
        simulated_area_cost,
    )

    sc = sd.scenario
    if sc is None or sc.budget is None:
        return {}
    t = budget_table(sc)
    act = actual_service_cost(sd.services, sc)
    if act is not None:
        t["simulated_service_cost_eur"] = t["year"].map(simulated_area_cost(act))   # the area's part
    t.insert(0, "scenario", sd.name)
    order = ["scenario", "year", "cost_eur", "frame_eur", "gap_eur", "gap_share_of_frame", "closed",
             "state_grant_eur", "transition_funding_eur", "staff_eur", "regional_services_eur",
             "purchased_services_eur", "other_expenses_eur", "simulated_service_cost_eur", "gap_tolerance_eur"]
    t = t[[c for c in order if c in t] + [c for c in t if c not in order]]
    items = cost_items(sc)
    items.insert(0, "scenario", sd.name)
    ben = benefit_by_municipality(sd.monthly)
    munis = municipal_shares(sc, budget_table(sc), ben)
    munis.insert(0, "scenario", sd.name)
    plan = planned_purchases(sc)
    services = plan[["service", "label_fi", "planned_places", "planned_cost_eur", "rule", "payer",
                     "memo_cost_eur"]].copy()
    services.insert(0, "scenario", sd.name)
    if act is not None:
        services = services.merge(act.rename(columns={"cost_eur_mean": "simulated_cost_eur",
                                                      "cost_eur_ci95_lo": "simulated_cost_eur_ci95_lo",
                                                      "cost_eur_ci95_hi": "simulated_cost_eur_ci95_hi"})
                                  .drop(columns=["n_replications", "payer", "area_cost_share"],
                                        errors="ignore"), on="service", how="left")
    return {"budget": t, "cost_items": items, "municipalities": munis, "services": services}


def rules_table(sd: ScenarioData) -> pd.DataFrame:
    rules = sd.manifest.get("rules_at_start") or {}
    rows = []
    for name in ("municipal_share_schedule", "municipal_share_benefits", "municipal_share_count_from",
                 "municipal_share_service_days_count", "basic_allowance_eur_per_day"):
        r = rules.get(name)
        if r:
            rows.append({"scenario": sd.name, "rule": name, "value": json.dumps(r.get("value"), ensure_ascii=False),
                         "valid_from": r.get("valid_from"), "to_verify": bool(r.get("to_verify")),
                         "source": r.get("source", "")})
    return pd.DataFrame(rows)


def scenarios_table(data: list[ScenarioData]) -> pd.DataFrame:
    rows = []
    for sd in data:
        sc = sd.scenario
        rows.append({"scenario": sd.name,
                     "description": (sc.description if sc else
                                     sd.manifest.get("resolved_scenario", {}).get("description", "")),
                     "file": sd.manifest.get("scenario_file", ""),
                     "replications": len(sd.manifest.get("replications_done", [])),
                     "years": (sc.run.years if sc else np.nan),
                     "notes": "; ".join(f"{k}: {v}" for k, v in (sc.notes if sc else {}).items())})
    return pd.DataFrame(rows)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _region_order(ci: pd.DataFrame, data: list[ScenarioData]) -> pd.DataFrame:
    """Hubs in the order of the region data (the monthly table's order), not alphabetical."""
    order: list[str] = []
    for sd in data:
        if len(sd.monthly):
            order += [h for h in pd.unique(sd.monthly["hub"]) if h not in order]
    rank = {h: i for i, h in enumerate(order)}
    return ci.sort_values(["hub", "scenario", "month"], key=lambda s: s.map(rank) if s.name == "hub" else s,
                          kind="stable").reset_index(drop=True)


def collect(root: str | Path) -> ReportData:
    """Read every scenario under `root` and compute the report's tables."""
    root = Path(root)
    data = [load_scenario_data(f) for f in scenario_folders(root)]
    rd = ReportData(root, data)
    per_rep = _concat([stock_by_hub(sd) for sd in data])
    bud = [budget_tables(sd) for sd in data]
    rd.tables = {
        "scenarios": scenarios_table(data),
        "kpis": _concat([kpi_table(sd) for sd in data]),
        "budget": _concat([b.get("budget") for b in bud]),
        "cost_items": _concat([b.get("cost_items") for b in bud]),
        "municipalities": _concat([b.get("municipalities") for b in bud]),
        "services": _concat([b.get("services") for b in bud]),
        "benefits": _concat([benefits_by_payer(sd) for sd in data]),
        "stock_by_hub": per_rep,
        "stock_by_hub_ci": _region_order(stock_by_hub_ci(per_rep), data) if len(per_rep) else pd.DataFrame(),
        "rules": _concat([rules_table(sd) for sd in data]),
    }
    rd.benefits_available = len(rd.tables["benefits"]) > 0
    for sd, b in zip(data, bud, strict=False):
        if not b:
            rd.notes.append(f"{sd.name}: budget not available (no [budget] table in its resolved scenario)")
        if sd.monthly.empty:
            rd.notes.append(f"{sd.name}: no replication finished")
    return rd
