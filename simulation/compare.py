"""Scenario differences against a baseline, with paired 95 % confidence intervals.

`scenario_kpis` turns one scenario folder (tables + manifest) into yearly KPIs per
replication; `paired_differences` pairs replication *k* of each scenario with
replication *k* of the baseline (the same random streams under common random numbers)
and gives the mean difference and the Student-t 95 % CI of the paired differences.

KPIs (per year, area totals):

=============================  ===========================================================
``stock_mean``                 unemployed jobseekers, mean of month-end stocks
``stock_end``                  unemployed jobseekers at the end of the year
``late_meetings``              initial + job-search interview deadlines missed: held late or
                               never held (count); in folders written before these columns
                               existed, interviews held late
``late_meetings_share``        of the deadlines (met + missed); before: of interviews held
``benefit_cost_eur``           benefit cost (``monthly.benefit_cost_eur``), when present
``benefit_cost_municipal_eur`` municipalities' share, when present
``service_cost_eur``           ``services.cost_eur`` (or ``monthly.service_cost_eur``), when present
``staff_cost_eur``             customer-service staff at the hubs: Σ hub-months staff_fte ×
                               ``staff.cost_per_fte_eur`` / 12 (from the manifest's
                               resolved scenario), or ``hubs.staff_cost_eur`` when present
=============================  ===========================================================

A KPI whose columns are not in the tables is left out, and picked up as soon as the
tables carry it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .experiment import read_table
from .kpis import mean_ci, yearly_kpis

KPIS = ("stock_mean", "stock_end", "late_meetings", "late_meetings_share", "benefit_cost_eur",
        "benefit_cost_municipal_eur", "service_cost_eur", "staff_cost_eur")
LABELS = {
    "stock_mean": "unemployed jobseekers, monthly mean",
    "stock_end": "unemployed jobseekers, end of year",
    "late_meetings": "late interviews (initial + job search)",
    "late_meetings_share": "late interviews, share",
    "benefit_cost_eur": "benefit cost, EUR",
    "benefit_cost_municipal_eur": "benefit cost, municipalities, EUR",
    "service_cost_eur": "service cost, EUR",
    "staff_cost_eur": "customer-service staff cost, EUR",
}
COLUMNS = ["scenario", "baseline", "kpi", "year", "n", "baseline_mean", "scenario_mean", "diff_mean",
           "diff_sd", "diff_ci95_lo", "diff_ci95_hi", "diff_pct"]
KEYS = ["scenario", "replication", "year"]


def read_manifest(folder: Path) -> dict[str, Any]:
    mf = Path(folder) / "manifest.json"
    try:
        return json.loads(mf.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(mf), None, "file not found") from None
    except (OSError, ValueError) as e:
        raise InputError(str(mf), None, f"unreadable manifest: {e}") from None


def _year(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(year=df["month"].astype(str).str[:4])


def scenario_kpis(folder: Path, manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """Yearly KPIs (see the module docstring) per replication of one scenario folder."""
    folder = Path(folder)
    monthly = read_table(folder, "monthly")
    if monthly.empty:
        return pd.DataFrame(columns=[*KEYS])
    hubs = read_table(folder, "hubs")
    k = yearly_kpis(monthly, hubs if len(hubs) else None)
    if "late_interviews" in k:
        k["late_meetings"] = k["late_interviews"]
        k["late_meetings_share"] = k["late_interviews_share"]
    else:   # tables from before the deadline-missed columns
        held = k["initial_interviews"] + k["job_search_interviews"]
        k["late_meetings"] = k["initial_interviews_late"] + k["job_search_interviews_late"]
        k["late_meetings_share"] = (k["late_meetings"] / held).where(held > 0)
    services = read_table(folder, "services")
    if len(services) and "cost_eur" in services:
        sc = _year(services).groupby(KEYS)["cost_eur"].sum().rename("service_cost_eur").reset_index()
        k = k.drop(columns=["service_cost_eur"], errors="ignore").merge(sc, on=KEYS, how="left")
    if len(hubs):
        h = _year(hubs)
        if "staff_cost_eur" in h:
            staff = h.groupby(KEYS)["staff_cost_eur"].sum()
        else:
            manifest = manifest if manifest is not None else read_manifest(folder)
            cost = (manifest.get("resolved_scenario", {}).get("staff", {}) or {}).get("cost_per_fte_eur")
            staff = (h.groupby(KEYS)["staff_fte"].sum() * float(cost) / 12) if cost is not None else None
        if staff is not None:
            k = k.merge(staff.rename("staff_cost_eur").reset_index(), on=KEYS, how="left")
    return k


def paired_differences(kpis: pd.DataFrame, baseline: str,
                       columns: Sequence[str] = KPIS, level: float = 0.95) -> pd.DataFrame:
    """Mean difference scenario − baseline per scenario × KPI × year, paired by replication.

    Parameters
    ----------
    kpis : one row per scenario × replication × year (e.g. `scenario_kpis` of each folder).
    baseline : the scenario to compare against.
    columns : KPIs to compare (those absent from `kpis` are skipped).

    Returns
    -------
    DataFrame with `COLUMNS`: ``n`` is the number of pairs (replications present in
    both), the CI is Student-t over the paired differences.
    """
    base = kpis[kpis["scenario"] == baseline]
    cols = [c for c in columns if c in kpis.columns and kpis[c].notna().any()]
    rows = []
    others = [s for s in pd.unique(kpis["scenario"]) if s != baseline]
    for name in others:
        sc = kpis[kpis["scenario"] == name]
        pairs = sc.merge(base, on=["replication", "year"], suffixes=("", "_base"))
        for year, g in pairs.groupby("year", sort=True):
            for c in cols:
                ok = g[c].notna() & g[f"{c}_base"].notna()
                a, b = g.loc[ok, c].to_numpy(float), g.loc[ok, f"{c}_base"].to_numpy(float)
                d_mean, d_sd, lo, hi = mean_ci(a - b, level)
                b_mean = float(b.mean()) if len(b) else math.nan
                rows.append({
                    "scenario": name, "baseline": baseline, "kpi": c, "year": year, "n": int(ok.sum()),
                    "baseline_mean": b_mean, "scenario_mean": float(a.mean()) if len(a) else math.nan,
                    "diff_mean": d_mean, "diff_sd": d_sd, "diff_ci95_lo": lo, "diff_ci95_hi": hi,
                    "diff_pct": 100 * d_mean / b_mean if b_mean else math.nan,
                })
    return pd.DataFrame(rows, columns=COLUMNS)


def load_batch_kpis(folder: Path) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Yearly KPIs of every scenario folder under a batch folder, and their manifests."""
    from .batch import iter_batch_scenarios

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), None, "folder not found")
    names = list(iter_batch_scenarios(folder))
    if not names:
        raise InputError(str(folder), None, "no scenario results here (no <scenario>/manifest.json)")
    manifests = {n: read_manifest(folder / n) for n in names}
    frames = [scenario_kpis(folder / n, manifests[n]) for n in names]
    frames = [f for f in frames if len(f)]
    kpis = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KEYS)
    return kpis, manifests


def compare(folder: Path, baseline: str) -> tuple[pd.DataFrame, list[str]]:
    """Differences of every scenario in `folder` from `baseline`; and notes for the reader."""
    folder = Path(folder)
    kpis, manifests = load_batch_kpis(folder)
    if baseline not in manifests:
        raise InputError(str(folder), "--baseline",
                         f"no scenario {baseline!r} here; available: {', '.join(manifests)}")
    notes = []
    seeds = {n: m.get("root_seed") for n, m in manifests.items()}
    other_seed = [n for n, s in seeds.items() if s != seeds[baseline]]
    if other_seed:
        notes.append("not common random numbers: root seed differs from the baseline's "
                     f"({seeds[baseline]}) for " + ", ".join(f"{n} ({seeds[n]})" for n in other_seed)
                     + "; the paired intervals are valid but wider")
    empty = [n for n in manifests if n not in set(kpis.get("scenario", []))]
    if empty:
        notes.append("no finished replication: " + ", ".join(empty))
    present = [c for c in KPIS if c in kpis.columns and kpis[c].notna().any()]
    missing = [c for c in KPIS if c not in present]
    if missing:
        notes.append("not in the tables (skipped): " + ", ".join(missing))
    return paired_differences(kpis, baseline), notes


# ---------------------------------------------------------------------------------------
# output

def _fmt(kpi: str, x: float, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if kpi.endswith("_share"):
        return f"{100 * x:+.2f} pp" if signed else f"{100 * x:.2f} %"
    fmt = "{:+,.0f}" if signed else "{:,.0f}"
    if abs(x) < 100 and not kpi.endswith("_eur"):
        fmt = "{:+,.1f}" if signed else "{:,.1f}"
    return fmt.format(x).replace(",", " ")


def format_table(df: pd.DataFrame, notes: Sequence[str] = ()) -> str:
    """The comparison for people: one block per scenario and year."""
    lines = []
    for (name, year), g in df.groupby(["scenario", "year"], sort=False):
        base = g["baseline"].iloc[0]
        n = int(g["n"].max()) if len(g) else 0
        lines.append(f"{name} − {base}, {year}  (mean of {n} paired replications, 95 % CI)")
        lines.append(f"  {'':<40}{'baseline':>16}{'scenario':>16}{'difference':>16}  95 % CI")
        for r in g.itertuples():
            ci = ("" if r.n < 2 or math.isnan(r.diff_ci95_lo) else
                  f"  [{_fmt(r.kpi, r.diff_ci95_lo, True)}, {_fmt(r.kpi, r.diff_ci95_hi, True)}]")
            lines.append(f"  {LABELS.get(r.kpi, r.kpi):<40}{_fmt(r.kpi, r.baseline_mean):>16}"
                         f"{_fmt(r.kpi, r.scenario_mean):>16}{_fmt(r.kpi, r.diff_mean, True):>16}{ci}")
        lines.append("")
    if df.empty:
        lines.append("no scenario to compare with the baseline")
    lines += [f"note: {x}" for x in notes]
    return "\n".join(lines).rstrip()


def to_json(df: pd.DataFrame, notes: Sequence[str] = ()) -> str:
    rows = [{k: (None if isinstance(v, float) and not math.isfinite(v) else
                 (v.item() if isinstance(v, np.generic) else v)) for k, v in r.items()}
            for r in df.to_dict(orient="records")]
    return json.dumps({"differences": rows, "notes": list(notes)}, indent=2, ensure_ascii=False)


def compare_command(args: argparse.Namespace) -> int:
    """``tyosim compare DIR --baseline NAME --format table|csv|json``."""
    df, notes = compare(Path(args.dir), args.baseline)
    if args.format == "csv":
        sys.stdout.write(df.to_csv(index=False))
        for x in notes:
            print(f"note: {x}", file=sys.stderr)
    elif args.format == "json":
        print(to_json(df, notes))
    else:
        print(format_table(df, notes))
    return 0
