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
(`simulation.money.budget`), so it always matches the scenario that produced the tables.

Longer than 400 lines because every table of the report and the workbook, each a short pure
function of the results; the HTML and the workbook must read the same numbers from one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..experiments.compare import (
    KPIS as COMPARE_KPIS,
)
from ..experiments.compare import (
    MUNICIPALITY_KPIS,
    clear_difference,
    kpis_from_tables,
    municipality_kpis,
    paired_differences,
)
from ..scenario.config import Scenario
from ..tables.kpis import mean_ci_bounded
from ..tables.store import read_table

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
    #: (label key, parameters) of each note, for the report's language (`labels`)
    note_items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    baseline: str | None = None
    #: replications per scenario (finished), for the few-replications warning
    replications: dict[str, int] = field(default_factory=dict)
    #: how many interval ends were clipped at a bound (0 € / 0 % / 100 %)
    clipped: int = 0


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


def _ci_rows(values: pd.Series, lower: float | None = 0.0, upper: float | None = None) -> dict[str, Any]:
    """n, mean and the 95 % t-interval clipped to [lower, upper] (`kpis.mean_ci_bounded`)."""
    mean, _sd, lo, hi, clipped = mean_ci_bounded(values, lower, upper)
    return {"n": int(np.isfinite(np.asarray(values, dtype=float)).sum()), "mean": mean,
            "ci95_lo": lo, "ci95_hi": hi, "ci95_clipped": clipped}


#: KPIs that can be negative (none today); every other KPI is ≥ 0 and shares are ≤ 1.
SIGNED_KPIS: set[str] = set()


# ---------------------------------------------------------------------------------------
# tables

KPI_ORDER = ("stock_mean", "stock_end", "initial_interviews_deadline_missed",
             "job_search_interviews_deadline_missed", "late_meetings", "late_meetings_share",
             "benefit_cost_eur", "benefit_cost_municipal_eur", "benefit_municipal_share", "service_cost_eur")


def kpis_per_rep(sd: ScenarioData) -> pd.DataFrame:
    """scenario × replication × year: the KPIs of `compare` (the same numbers as `tyosim compare`)."""
    if sd.monthly.empty:
        return pd.DataFrame()
    k = kpis_from_tables(sd.monthly, sd.hubs, sd.services, sd.manifest)
    k["scenario"] = sd.name
    k["year"] = k["year"].astype(int)
    return k


def kpi_table(sd: ScenarioData, per_rep: pd.DataFrame | None = None) -> pd.DataFrame:
    """scenario × year × KPI: n, mean, 95 % CI over replications (t-interval, clipped to ≥ 0 / ≤ 100 %).

    ``late_meetings`` are the statutory deadlines missed (held late or never held) when the
    tables carry them, as in `tyosim compare`; ``late_meetings_share`` of the deadlines.
    """
    k = kpis_per_rep(sd) if per_rep is None else per_rep
    if k.empty:
        return pd.DataFrame()
    rows = []
    for year, g in k.groupby("year"):
        for c in KPI_ORDER:
            if c in g and g[c].notna().any():
                lower = None if c in SIGNED_KPIS else 0.0
                upper = 1.0 if c.endswith("_share") else None
                rows.append({"scenario": sd.name, "year": int(year), "kpi": c, **_ci_rows(g[c], lower, upper)})
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
    from ..money.budget import (
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
    if "benefit_municipal_eur_ci95_lo" in munis:       # a euro amount: the t-interval clipped at 0
        low = munis["benefit_municipal_eur_ci95_lo"] < 0
        munis["ci95_clipped"] = low
        munis.loc[low, "benefit_municipal_eur_ci95_lo"] = 0.0
        if "benefit_municipal_net_eur_ci95_lo" in munis:
            munis["benefit_municipal_net_eur_ci95_lo"] = (munis["benefit_municipal_eur_ci95_lo"]
                                                          - munis["benefit_compensation_eur"])
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
        low = services["simulated_cost_eur_ci95_lo"] < 0
        services["ci95_clipped"] = low
        services.loc[low, "simulated_cost_eur_ci95_lo"] = 0.0
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


def choose_baseline(data: list[ScenarioData]) -> str | None:
    """The scenario the others are compared with: "baseline" when present, else the first."""
    names = [sd.name for sd in data if len(sd.monthly)]
    if not names:
        return None
    return "baseline" if "baseline" in names else names[0]


DIFF_KPIS = (*COMPARE_KPIS, "initial_interviews_deadline_missed", "job_search_interviews_deadline_missed",
             "benefit_municipal_share")


def muni_per_rep(data: list[ScenarioData]) -> pd.DataFrame:
    """scenario × replication × year × municipality KPIs (`compare.municipality_kpis`), with
    ``benefit_municipal_eur_a_year``: the municipal benefit share annualised as in the budget
    (× 12 / simulated months of the year), so it matches the municipalities sheet."""
    frames = []
    for sd in data:
        if sd.monthly.empty:
            continue
        mk = municipality_kpis(sd.monthly)
        mk["year"] = mk["year"].astype(int)
        months = _year(sd.monthly).groupby("year")["month"].nunique()
        if "benefit_cost_municipal_eur" in mk:
            mk["benefit_municipal_eur_a_year"] = mk["benefit_cost_municipal_eur"] * 12 / mk["year"].map(months)
        frames.append(mk)
    return _concat(frames)


def differences_table(kpis_rep: pd.DataFrame, muni_rep: pd.DataFrame, baseline: str | None) -> pd.DataFrame:
    """Paired differences from the baseline by year, for the area and each municipality.

    ``municipality`` is empty for the area total. ``clear``: the 95 % interval excludes 0.
    The differences are `compare.paired_differences` of the same per-replication KPIs
    (common random numbers: replication k against replication k).
    """
    if baseline is None or kpis_rep.empty or kpis_rep["scenario"].nunique() < 2:
        return pd.DataFrame()
    area = paired_differences(kpis_rep, baseline, DIFF_KPIS)
    area.insert(4, "municipality", "")
    frames = [area]
    if len(muni_rep):
        frames.append(paired_differences(muni_rep, baseline, MUNICIPALITY_KPIS, by=("municipality",)))
    d = _concat(frames)
    if d.empty:
        return d
    d["year"] = d["year"].astype(int)
    d["clear"] = [clear_difference(lo, hi) for lo, hi in zip(d["diff_ci95_lo"], d["diff_ci95_hi"], strict=True)]
    return d.reset_index(drop=True)


def options_table(budget: pd.DataFrame, munis: pd.DataFrame, muni_rep: pd.DataFrame,
                  baseline: str | None) -> pd.DataFrame:
    """Each option beside the baseline, per year, for the area and each municipality.

    Cost and gap are the plan's (the area's cost and gap, a municipality's share of them by
    the sharing key), so their difference is exact; the municipal benefit share (EUR a year,
    simulated) is a mean over replications and its difference a paired 95 % interval.
    """
    if baseline is None or budget.empty or budget["scenario"].nunique() < 2 or baseline not in set(budget.scenario):
        return pd.DataFrame()
    ben = "benefit_municipal_eur_a_year"
    have_ben = len(muni_rep) > 0 and ben in muni_rep
    area_rep = (muni_rep.groupby(["scenario", "replication", "year"], as_index=False)[ben].sum()
                if have_ben else pd.DataFrame())
    area_rep = area_rep.assign(municipality="") if have_ben else area_rep
    both = _concat([area_rep, muni_rep[["scenario", "replication", "year", "municipality", ben]]]) if have_ben \
        else pd.DataFrame()
    diffs = (paired_differences(both, baseline, [ben], by=("municipality",)) if have_ben else pd.DataFrame())
    b = budget.set_index(["scenario", "year"])
    m = munis.set_index(["scenario", "year", "municipality"]) if len(munis) else None
    rows = []
    for opt in [s for s in pd.unique(budget["scenario"]) if s != baseline]:
        for year in sorted(budget.loc[budget.scenario == opt, "year"].astype(int)):
            if (baseline, year) not in b.index:
                continue
            places = [""] + (sorted(munis.loc[(munis.scenario == opt) & (munis.year == year), "municipality"],
                                    key=list(munis["municipality"]).index) if m is not None else [])
            for muni in places:
                if muni == "":
                    oc, bc = b.loc[(opt, year), "cost_eur"], b.loc[(baseline, year), "cost_eur"]
                    og, bg = b.loc[(opt, year), "gap_eur"], b.loc[(baseline, year), "gap_eur"]
                else:
                    if (baseline, year, muni) not in m.index:
                        continue
                    oc, bc = m.loc[(opt, year, muni), "cost_share_eur"], m.loc[(baseline, year, muni), "cost_share_eur"]
                    og, bg = m.loc[(opt, year, muni), "gap_share_eur"], m.loc[(baseline, year, muni), "gap_share_eur"]
                row = {"option": opt, "baseline": baseline, "year": int(year), "municipality": muni,
                       "opt_cost_eur": float(oc), "base_cost_eur": float(bc), "diff_cost_eur": float(oc - bc),
                       "opt_gap_eur": float(og), "base_gap_eur": float(bg), "diff_gap_eur": float(og - bg)}
                if len(diffs):
                    d = diffs[(diffs.scenario == opt) & (diffs.year.astype(int) == year)
                              & (diffs.municipality == muni)]
                    if len(d):
                        d = d.iloc[0]
                        row.update({"opt_benefit_municipal_eur": d.scenario_mean,
                                    "base_benefit_municipal_eur": d.baseline_mean,
                                    "diff_benefit_municipal_eur": d.diff_mean,
                                    "diff_benefit_municipal_eur_ci95_lo": d.diff_ci95_lo,
                                    "diff_benefit_municipal_eur_ci95_hi": d.diff_ci95_hi,
                                    "benefit_clear": clear_difference(d.diff_ci95_lo, d.diff_ci95_hi),
                                    "n": int(d.n)})
                rows.append(row)
    return pd.DataFrame(rows)


def budget_beside_baseline(budget: pd.DataFrame, options: pd.DataFrame, kpis: pd.DataFrame,
                           baseline: str | None) -> pd.DataFrame:
    """The budget table with, per row, the municipal benefit share (area, EUR a year) and the
    differences from the baseline (cost, gap, benefit share with its paired interval)."""
    if budget.empty:
        return budget
    out = budget.copy()
    if baseline is None or baseline not in set(out.scenario):
        return out
    base = out[out.scenario == baseline].set_index("year")
    pos = out.columns.get_loc("closed") + 1
    out.insert(pos, "diff_cost_eur", out["cost_eur"] - out["year"].map(base["cost_eur"]))
    out.insert(pos + 1, "diff_gap_eur", out["gap_eur"] - out["year"].map(base["gap_eur"]))
    if len(options) and "diff_benefit_municipal_eur" in options:
        area = options[options.municipality == ""].set_index(["option", "year"])
        key = list(zip(out["scenario"], out["year"].astype(int), strict=True))
        def pick(col: str, base_col: str | None = None) -> list[float]:
            vals = []
            for s, y in key:
                if s == baseline:
                    vals.append(np.nan if base_col is None else
                                (area.xs(y, level="year")[base_col].iloc[0] if y in area.index.get_level_values(1)
                                 else np.nan))
                else:
                    vals.append(area.loc[(s, y), col] if (s, y) in area.index else np.nan)
            return vals
        out.insert(pos + 2, "benefit_municipal_eur", pick("opt_benefit_municipal_eur", "base_benefit_municipal_eur"))
        out.insert(pos + 3, "diff_benefit_municipal_eur", pick("diff_benefit_municipal_eur"))
        out.insert(pos + 4, "diff_benefit_municipal_eur_ci95_lo", pick("diff_benefit_municipal_eur_ci95_lo"))
        out.insert(pos + 5, "diff_benefit_municipal_eur_ci95_hi", pick("diff_benefit_municipal_eur_ci95_hi"))
    return out


def hub_load(data: list[ScenarioData]) -> pd.DataFrame:
    """scenario × year × hub: customer-service FTE, utilisation (used / capacity hours) and the
    deadlines missed there (mean over replications) — the "why" of late meetings."""
    rows = []
    for sd in data:
        if sd.hubs.empty or sd.monthly.empty:
            continue
        h = _year(sd.hubs)
        g = h.groupby(["replication", "year", "hub"])
        per = pd.DataFrame({"staff_fte": g["staff_fte"].mean(),
                            "used_hours": g["used_hours"].sum(), "capacity_hours": g["capacity_hours"].sum()})
        m = _year(sd.monthly)
        miss = [c for c in ("initial_interviews_deadline_missed", "job_search_interviews_deadline_missed")
                if c in m]
        if not miss:
            miss = ["initial_interviews_late", "job_search_interviews_late"]
        late = m.groupby(["replication", "year", "hub"])[miss].sum().sum(axis=1).rename("late_meetings")
        per = per.join(late, how="left").reset_index()
        agg = per.groupby(["year", "hub"], sort=False).agg(
            staff_fte=("staff_fte", "mean"), used_hours=("used_hours", "mean"),
            capacity_hours=("capacity_hours", "mean"), late_meetings=("late_meetings", "mean")).reset_index()
        agg["utilisation"] = agg["used_hours"] / agg["capacity_hours"].where(agg["capacity_hours"] > 0)
        agg.insert(0, "scenario", sd.name)
        rows.append(agg)
    return _concat(rows)


def collect(root: str | Path) -> ReportData:
    """Read every scenario under `root` and compute the report's tables."""
    root = Path(root)
    data = [load_scenario_data(f) for f in scenario_folders(root)]
    rd = ReportData(root, data)
    per_rep = _concat([stock_by_hub(sd) for sd in data])
    bud = [budget_tables(sd) for sd in data]
    rd.baseline = choose_baseline(data)
    k_rep = {sd.name: kpis_per_rep(sd) for sd in data}
    kpis_rep = _concat(list(k_rep.values()))
    m_rep = muni_per_rep(data)
    budget = _concat([b.get("budget") for b in bud])
    munis = _concat([b.get("municipalities") for b in bud])
    options = options_table(budget, munis, m_rep, rd.baseline)
    kpis = _concat([kpi_table(sd, k_rep[sd.name]) for sd in data])
    rd.tables = {
        "scenarios": scenarios_table(data),
        "kpis": kpis,
        "differences": differences_table(kpis_rep, m_rep, rd.baseline),
        "options": options,
        "hub_load": hub_load(data),
        "budget": budget_beside_baseline(budget, options, kpis, rd.baseline),
        "cost_items": _concat([b.get("cost_items") for b in bud]),
        "municipalities": munis,
        "services": _concat([b.get("services") for b in bud]),
        "benefits": _concat([benefits_by_payer(sd) for sd in data]),
        "stock_by_hub": per_rep,
        "stock_by_hub_ci": _region_order(stock_by_hub_ci(per_rep), data) if len(per_rep) else pd.DataFrame(),
        "rules": _concat([rules_table(sd) for sd in data]),
    }
    rd.benefits_available = len(rd.tables["benefits"]) > 0
    rd.replications = {sd.name: int(sd.monthly["replication"].nunique()) if len(sd.monthly) else 0 for sd in data}
    rd.clipped = int(sum(int(t["ci95_clipped"].sum()) for t in rd.tables.values()
                         if isinstance(t, pd.DataFrame) and "ci95_clipped" in t))
    for sd, b in zip(data, bud, strict=False):
        if not b:
            rd.notes.append(f"{sd.name}: budget not available (no [budget] table in its resolved scenario)")
            rd.note_items.append(("note_no_budget", {"s": sd.name}))
        if sd.monthly.empty:
            rd.notes.append(f"{sd.name}: no replication finished")
            rd.note_items.append(("note_no_reps", {"s": sd.name}))
    return rd
