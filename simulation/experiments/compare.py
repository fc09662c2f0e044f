"""Scenario differences against a baseline, with paired 95 % confidence intervals.

`scenario_kpis` turns one scenario folder (tables + manifest) into yearly KPIs per
replication; `paired_differences` pairs replication *k* of each scenario with
replication *k* of the baseline (the same random streams under common random numbers)
and gives the mean difference and the Student-t 95 % CI of the paired differences.

KPIs (per year, area totals):

=============================  ===========================================================
``stock_mean``                 unemployed jobseekers, mean of month-end stocks
``stock_end``                  unemployed jobseekers at the end of the year
``late_meetings``              late interviews: the time people waited past an initial or
                               job-search interview's deadline, held or not, in statutory
                               interviews (÷ the 3-month rhythm; ``interviews_missed_equivalent``)
                               — never fewer with fewer staff; older folders: missed deadlines,
                               or interviews held late
``late_meetings_share``        the part of the unemployed person-time spent waiting past a
                               deadline; older folders: of the deadlines, or of interviews held
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

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..scenario.calendar import DAYS_PER_MONTH
from ..tables.kpis import MIN_REPS_FOR_CI, few_replications, mean_ci, t_multiplier, yearly_kpis
from ..tables.store import iter_batch_scenarios, read_table

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
    "benefit_municipal_share": "municipal share of benefits",
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
    services = read_table(folder, "services")
    if len(hubs) and "staff_cost_eur" not in hubs and manifest is None:
        manifest = read_manifest(folder)
    return kpis_from_tables(monthly, hubs, services, manifest)


def kpis_from_tables(monthly: pd.DataFrame, hubs: pd.DataFrame | None = None,
                     services: pd.DataFrame | None = None,
                     manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """`scenario_kpis` from tables already in memory (the report uses this)."""
    if monthly is None or monthly.empty:
        return pd.DataFrame(columns=[*KEYS])
    hubs = hubs if hubs is not None else pd.DataFrame()
    k = yearly_kpis(monthly, hubs if len(hubs) else None)
    k = _late_meetings(k)
    if services is not None and len(services) and "cost_eur" in services:
        sc = _year(services).groupby(KEYS)["cost_eur"].sum().rename("service_cost_eur").reset_index()
        k = k.drop(columns=["service_cost_eur"], errors="ignore").merge(sc, on=KEYS, how="left")
    if "benefit_cost_municipal_eur" in k and "benefit_cost_eur" in k:
        k["benefit_municipal_share"] = (k["benefit_cost_municipal_eur"]
                                        / k["benefit_cost_eur"].where(k["benefit_cost_eur"] > 0))
    if len(hubs):
        h = _year(hubs)
        staff = None
        if "staff_cost_eur" in h:
            staff = h.groupby(KEYS)["staff_cost_eur"].sum()
        else:
            cost = ((manifest or {}).get("resolved_scenario", {}).get("staff", {}) or {}).get("cost_per_fte_eur")
            staff = (h.groupby(KEYS)["staff_fte"].sum() * float(cost) / 12) if cost is not None else None
        if staff is not None:
            k = k.merge(staff.rename("staff_cost_eur").reset_index(), on=KEYS, how="left")
    return k


def _late_meetings(k: pd.DataFrame) -> pd.DataFrame:
    """late_meetings(_share): deadlines missed when the tables carry them, else interviews held late."""
    if "late_interviews" in k:
        k["late_meetings"] = k["late_interviews"]
        k["late_meetings_share"] = k["late_interviews_share"]
    else:   # tables from before the deadline-missed columns
        held = k["initial_interviews"] + k["job_search_interviews"]
        k["late_meetings"] = k["initial_interviews_late"] + k["job_search_interviews_late"]
        k["late_meetings_share"] = (k["late_meetings"] / held).where(held > 0)
    return k


#: KPIs compared per municipality (`municipality_kpis`), those present in the tables.
MUNICIPALITY_KPIS = ("stock_mean", "late_meetings", "late_meetings_share", "benefit_cost_eur",
                     "benefit_cost_municipal_eur", "benefit_municipal_share")
MUNI_KEYS = ["scenario", "replication", "year", "municipality"]


def municipality_kpis(monthly: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario × replication × year × municipality (`MUNICIPALITY_KPIS`).

    ``late_meetings`` are the municipality's late interviews as for the area: the time its
    people waited past a deadline, held or not, in 3-month interviews
    (``interviews_missed_equivalent``), and ``late_meetings_share`` the part of its unemployed
    person-time spent so; older tables: missed deadlines, or interviews held late. ``benefit_cost_municipal_eur`` is the
    municipality's own share of the benefits paid to its residents (EUR, the year's sum),
    ``benefit_municipal_share`` that share as a ratio of the benefits paid.
    """
    if monthly is None or monthly.empty:
        return pd.DataFrame(columns=MUNI_KEYS)
    m = _year(monthly)
    g = m.groupby(MUNI_KEYS)
    out = pd.DataFrame({"stock_mean": g["stock_end"].mean()})
    sums = [c for c in ("initial_interviews", "initial_interviews_late", "job_search_interviews",
                        "job_search_interviews_late", "initial_interviews_deadline_missed",
                        "job_search_interviews_deadline_missed", "benefit_cost_eur",
                        "benefit_cost_municipal_eur", "interviews_overdue_days",
                        "interviews_missed_equivalent") if c in m]
    out = out.join(g[sums].sum(min_count=1))
    if "interviews_missed_equivalent" in out:   # as for the area (kpis.yearly_kpis)
        out["late_meetings"] = out["interviews_missed_equivalent"]
        person_days = out["stock_mean"] * g["month"].nunique() * DAYS_PER_MONTH
        out["late_meetings_share"] = (out["interviews_overdue_days"]
                                      / person_days.where(person_days > 0)).clip(upper=1.0)
    elif "initial_interviews_deadline_missed" in out:
        out["late_meetings"] = (out["initial_interviews_deadline_missed"]
                                + out["job_search_interviews_deadline_missed"])
        on_time = (out["initial_interviews"] - out["initial_interviews_late"]
                   + out["job_search_interviews"] - out["job_search_interviews_late"])
        denom = on_time + out["late_meetings"]
    else:
        out["late_meetings"] = out["initial_interviews_late"] + out["job_search_interviews_late"]
        denom = out["initial_interviews"] + out["job_search_interviews"]
    if "interviews_missed_equivalent" not in out:
        out["late_meetings_share"] = (out["late_meetings"] / denom).where(denom > 0)
    if "benefit_cost_municipal_eur" in out and "benefit_cost_eur" in out:
        out["benefit_municipal_share"] = (out["benefit_cost_municipal_eur"]
                                          / out["benefit_cost_eur"].where(out["benefit_cost_eur"] > 0))
    return out.reset_index()


def paired_differences(kpis: pd.DataFrame, baseline: str,
                       columns: Sequence[str] = KPIS, level: float = 0.95,
                       by: Sequence[str] = ()) -> pd.DataFrame:
    """Mean difference scenario − baseline per scenario × KPI × year, paired by replication.

    Parameters
    ----------
    kpis : one row per scenario × replication × year (e.g. `scenario_kpis` of each folder).
    baseline : the scenario to compare against.
    columns : KPIs to compare (those absent from `kpis` are skipped).
    by : further keys to pair within, e.g. ``("municipality",)`` for `municipality_kpis`;
        they appear after ``year`` in the result.

    Returns
    -------
    DataFrame with `COLUMNS` (and the `by` keys): ``n`` is the number of pairs (replications
    present in both), the CI is Student-t over the paired differences.
    """
    by = list(by)
    base = kpis[kpis["scenario"] == baseline]
    cols = [c for c in columns if c in kpis.columns and kpis[c].notna().any()]
    rows = []
    others = [s for s in pd.unique(kpis["scenario"]) if s != baseline]
    for name in others:
        sc = kpis[kpis["scenario"] == name]
        pairs = sc.merge(base, on=["replication", "year", *by], suffixes=("", "_base"))
        for key, g in pairs.groupby(["year", *by], sort=True):
            key = key if isinstance(key, tuple) else (key,)
            year = key[0]
            for c in cols:
                ok = g[c].notna() & g[f"{c}_base"].notna()
                a, b = g.loc[ok, c].to_numpy(float), g.loc[ok, f"{c}_base"].to_numpy(float)
                d_mean, d_sd, lo, hi = mean_ci(a - b, level)
                b_mean = float(b.mean()) if len(b) else math.nan
                rows.append({
                    "scenario": name, "baseline": baseline, "kpi": c, "year": year,
                    **dict(zip(by, key[1:], strict=True)), "n": int(ok.sum()),
                    "baseline_mean": b_mean, "scenario_mean": float(a.mean()) if len(a) else math.nan,
                    "diff_mean": d_mean, "diff_sd": d_sd, "diff_ci95_lo": lo, "diff_ci95_hi": hi,
                    "diff_pct": 100 * d_mean / b_mean if b_mean else math.nan,
                })
    cols_out = COLUMNS[:4] + by + COLUMNS[4:]
    return pd.DataFrame(rows, columns=cols_out)


def clear_difference(lo: float, hi: float) -> bool:
    """A difference is *clear* when its interval does not contain zero (NaN: not clear)."""
    return bool(np.isfinite(lo) and np.isfinite(hi) and (lo > 0 or hi < 0))


def load_batch_kpis(folder: Path) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Yearly KPIs of every scenario folder under a batch folder, and their manifests."""

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
    notes = _check(folder, baseline, kpis, manifests)
    present = [c for c in KPIS if c in kpis.columns and kpis[c].notna().any()]
    missing = [c for c in KPIS if c not in present]
    if missing:
        notes.append("not in the tables (skipped): " + ", ".join(missing))
    df = paired_differences(kpis, baseline)
    notes += few_reps_notes(df)
    return df, notes


def _check(folder: Path, baseline: str, kpis: pd.DataFrame, manifests: dict[str, dict[str, Any]]) -> list[str]:
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
    return notes


def few_reps_notes(df: pd.DataFrame) -> list[str]:
    """A warning when the paired intervals rest on fewer than `MIN_REPS_FOR_CI` pairs."""
    if df.empty:
        return []
    n = int(df["n"].min())
    if not few_replications(n):
        return []
    return [f"warning: only {n} paired replications: the 95 % interval is unstable "
            f"(t multiplier {t_multiplier(n):.1f}, against 2.8 with five); run at least "
            f"{MIN_REPS_FOR_CI} replications (tyosim batch --reps {MIN_REPS_FOR_CI}), or --reps auto"]


def compare_by_municipality(folder: Path, baseline: str) -> tuple[pd.DataFrame, list[str]]:
    """Paired differences per year × municipality (`MUNICIPALITY_KPIS`); and notes.

    The same pairing as `compare` (replication k of each scenario against replication k of
    the baseline), within each municipality: columns `COLUMNS` with ``municipality`` after
    ``year``; ``year`` is an int.
    """

    folder = Path(folder)
    kpis, manifests = load_batch_kpis(folder)
    notes = _check(folder, baseline, kpis, manifests)
    frames = [municipality_kpis(read_table(folder / n, "monthly")) for n in iter_batch_scenarios(folder)]
    frames = [f for f in frames if len(f)]
    mk = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=MUNI_KEYS)
    mk["year"] = mk["year"].astype(int)
    df = paired_differences(mk, baseline, MUNICIPALITY_KPIS, by=("municipality",))
    notes += few_reps_notes(df)
    return df, notes


# ---------------------------------------------------------------------------------------
# output

def to_json(df: pd.DataFrame, notes: Sequence[str] = ()) -> str:
    rows = [{k: (None if isinstance(v, float) and not math.isfinite(v) else
                 (v.item() if isinstance(v, np.generic) else v)) for k, v in r.items()}
            for r in df.to_dict(orient="records")]
    return json.dumps({"differences": rows, "notes": list(notes)}, indent=2, ensure_ascii=False)
