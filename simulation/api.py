"""The Python API for notebooks and scripts: scenarios in, pandas DataFrames out.

    import simulation as ts
    base = ts.load_scenario("scenarios/baseline.toml", years=2)
    batch = ts.run_batch([base, base.with_staff("Laukaa", add_fte=2)], reps=10)
    ts.compare(batch, by="municipality", years=[2026], municipalities=["Laukaa", "Hankasalmi"])

`run` wraps the replication runner of `experiment` (results written to a folder when
`out` is given, resumable), `run_batch` the batch runner (common random numbers across
scenarios) and returns the batch with its tables, `compare` the paired differences against
a baseline (area, hub or municipality), `forecast` the statistical forecasts. Everything
returns plain pandas objects whose ``year`` columns are integers; every column is described
in ``docs/columns.md``. Workers default to all cores, as on the command line.

Longer than 400 lines because the whole public notebook interface in one place, by design: what
`import simulation as ts` offers is read here.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .scenario.config import Scenario
from .scenario.config import load_scenario as _load_scenario
from .tables.kpis import mean_ci, summarise  # noqa: F401  (public: `ts.summarise`)
from .tables.kpis import yearly_by_municipality as _yearly_by_municipality
from .tables.kpis import yearly_kpis as _yearly_kpis

TABLES = ("monthly", "hubs", "services")
BY = ("area", "hub", "municipality")
# paired KPIs of `compare(..., by="hub" | "municipality")` (and the extra area ratio)
UNIT_KPIS = ("stock_mean", "stock_end", "late_meetings", "late_meetings_share", "benefit_cost_eur",
             "benefit_cost_municipal_eur", "benefit_municipal_share", "benefit_compensation_eur",
             "benefit_cost_municipal_net_eur", "service_cost_eur")
COMPARE_COLUMNS = ["scenario", "baseline", "kpi", "year", "n", "baseline_mean", "scenario_mean",
                   "diff_mean", "diff_sd", "diff_ci95_lo", "diff_ci95_hi", "diff_pct"]


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """``year`` (and ``n``, ``replication``) as integers: ``d[d.year == 2026]`` must work."""
    for c in ("year", "n", "replication"):
        if c in df.columns and len(df) and df[c].notna().all():
            df[c] = df[c].astype(int)
    return df


def default_workers(n_tasks: int | None = None) -> int:
    """Worker processes when none are given: all cores (at most one per task), as the CLI."""
    n = os.cpu_count() or 1
    return max(1, min(n, n_tasks)) if n_tasks else n


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None, *,
                  years: float | None = None, seed: int | None = None) -> Scenario:
    """Load and validate a scenario file, optionally shortening it or changing its seed.

    Parameters
    ----------
    path : a scenario TOML file (e.g. ``"scenarios/baseline.toml"``).
    overrides : nested overrides, e.g. ``{"staff": {"customer_service_fte_total": 30}}``.
        A table given here replaces nothing but the keys it names; to change one hub's staff
        use `with_staff` (a partial ``customer_service_fte_by_hub`` is not the other hubs).
    years : simulated years instead of the file's ``run.years``.
    seed : root seed instead of the file's ``run.seed``.
    """
    over: dict[str, Any] = dict(overrides or {})
    run = dict(over.get("run", {}))
    if years is not None:
        run["years"] = float(years)
    if seed is not None:
        run["seed"] = seed           # checked by the scenario (an integer 0..2**63-1): 1.7 is refused
    if run:
        over["run"] = run
    return _load_scenario(path, over or None)


def with_staff(scenario: Scenario, hub: str, add_fte: float | None = None, fte: float | None = None,
               name: str | None = None) -> Scenario:
    """`Scenario.with_staff`: one hub's customer-service FTE changed, the other hubs kept."""
    return scenario.with_staff(hub, add_fte=add_fte, fte=fte, name=name)


# ---------------------------------------------------------------------------------------
# KPI tables with integer years

def yearly_kpis(monthly: pd.DataFrame, hubs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Headline KPIs per scenario × replication × year (area totals); ``year`` an integer."""
    return _typed(_yearly_kpis(monthly, hubs))


def yearly_by_municipality(monthly: pd.DataFrame, compensation=None) -> pd.DataFrame:
    """Per scenario × replication × year × municipality: benefit cost by payer, service cost,
    participants (see `kpis.yearly_by_municipality`); ``year`` an integer."""
    return _typed(_yearly_by_municipality(monthly, compensation))


def unit_kpis(monthly: pd.DataFrame, by: str = "municipality", compensation=None) -> pd.DataFrame:
    """Yearly KPIs per scenario × replication × year × municipality (or hub, or the area).

    The KPIs of `UNIT_KPIS` (units in ``docs/columns.md``): the late meetings are the
    deadlines missed (held late or never) and their share of the deadlines, as the area's
    ``late_meetings`` of `compare`; ``benefit_municipal_share`` is the municipalities'
    share of the benefit cost (municipal € / all €, a fraction); the compensation and the net
    municipal cost only when `compensation` (``budget.benefit_compensation``) is given.
    """
    if by not in BY:
        raise InputError("compare", "by", f"expected one of {', '.join(BY)}, got {by!r}")
    keys = ["scenario", "replication", "year"] + ([by] if by != "area" else [])
    m = monthly.assign(year=monthly["month"].astype(str).str[:4].astype(int))
    per_month = m.groupby([*keys, "month"], sort=True).sum(numeric_only=True)
    g = per_month.groupby(level=keys, sort=True)
    out = pd.DataFrame({"stock_mean": g["stock_end"].mean(), "stock_end": g["stock_end"].last()})
    s = g.sum()
    if "initial_interviews_deadline_missed" in s:
        late = s["initial_interviews_deadline_missed"] + s["job_search_interviews_deadline_missed"]
        on_time = (s["initial_interviews"] - s["initial_interviews_late"]
                   + s["job_search_interviews"] - s["job_search_interviews_late"])
        deadlines = on_time + late
    else:   # tables from before the deadline-missed columns: held late, of the held
        late = s["initial_interviews_late"] + s["job_search_interviews_late"]
        deadlines = s["initial_interviews"] + s["job_search_interviews"]
    out["late_meetings"] = late
    out["late_meetings_share"] = (late / deadlines).where(deadlines > 0)
    if "benefit_cost_eur" in s and monthly["benefit_cost_eur"].notna().any():
        out["benefit_cost_eur"] = s["benefit_cost_eur"]
        out["benefit_cost_municipal_eur"] = s["benefit_cost_municipal_eur"]
        out["benefit_municipal_share"] = (s["benefit_cost_municipal_eur"] / s["benefit_cost_eur"]).where(
            s["benefit_cost_eur"] > 0)
        if compensation is not None:
            y = _yearly_by_municipality(monthly, compensation)
            y["year"] = y["year"].astype(int)
            comp = y.assign(hub=y["municipality"].map(dict(zip(m["municipality"], m["hub"], strict=False))))
            comp = comp.groupby(keys)["benefit_compensation_eur"].sum()
            out["benefit_compensation_eur"] = comp.reindex(out.index)
            out["benefit_cost_municipal_net_eur"] = out["benefit_cost_municipal_eur"] - out["benefit_compensation_eur"]
    if "service_cost_eur" in s:
        out["service_cost_eur"] = s["service_cost_eur"]
    out = out.reset_index()
    if by == "municipality":
        out.insert(out.columns.get_loc("municipality") + 1, "hub",
                   out["municipality"].map(dict(zip(m["municipality"], m["hub"], strict=False))))
    return out


def paired_by(kpis: pd.DataFrame, baseline: str, by: str = "municipality",
              columns: Sequence[str] = UNIT_KPIS, level: float = 0.95) -> pd.DataFrame:
    """Mean difference scenario − baseline per scenario × unit × KPI × year, paired by replication.

    Replication *k* of each scenario is paired with replication *k* of the baseline (common
    random numbers); the CI is Student-t over the paired differences (`mean_ci`).
    """
    unit = [by] if by != "area" else []
    extra = ["hub"] if by == "municipality" and "hub" in kpis else []
    base = kpis[kpis["scenario"] == baseline]
    cols = [c for c in columns if c in kpis.columns and kpis[c].notna().any()]
    rows = []
    for name in [s for s in pd.unique(kpis["scenario"]) if s != baseline]:
        pairs = kpis[kpis["scenario"] == name].merge(
            base.drop(columns=["scenario", *extra]), on=["replication", "year", *unit], suffixes=("", "_base"))
        for key, g in pairs.groupby([*unit, "year"], sort=True):
            key = key if isinstance(key, tuple) else (key,)
            ids = dict(zip([*unit, "year"], key, strict=True))
            if extra:
                ids["hub"] = g["hub"].iloc[0]
            for c in cols:
                ok = g[c].notna() & g[f"{c}_base"].notna()
                a, b = g.loc[ok, c].to_numpy(float), g.loc[ok, f"{c}_base"].to_numpy(float)
                d_mean, d_sd, lo, hi = mean_ci(a - b, level)
                b_mean = float(b.mean()) if len(b) else math.nan
                rows.append({"scenario": name, "baseline": baseline, **ids, "kpi": c, "n": int(ok.sum()),
                             "baseline_mean": b_mean, "scenario_mean": float(a.mean()) if len(a) else math.nan,
                             "diff_mean": d_mean, "diff_sd": d_sd, "diff_ci95_lo": lo, "diff_ci95_hi": hi,
                             "diff_pct": 100 * d_mean / b_mean if b_mean else math.nan})
    head = ["scenario", "baseline", *unit, *extra]
    return _typed(pd.DataFrame(rows, columns=[*head, *COMPARE_COLUMNS[2:]]))


# ---------------------------------------------------------------------------------------
# results

@dataclass
class Results:
    """Tables of one scenario's replications (tidy, one row per replication × month × ...)."""

    scenario: Scenario | None
    folder: Path
    monthly: pd.DataFrame
    hubs: pd.DataFrame
    services: pd.DataFrame

    def yearly(self) -> pd.DataFrame:
        """Headline KPIs per replication and year (area totals)."""
        return yearly_kpis(self.monthly, self.hubs)

    def summary(self) -> pd.DataFrame:
        """Headline KPIs per year: mean, SD and 95 % CI over replications."""
        from .tables.summary import summary_table
        return _typed(summary_table(self.monthly, self.hubs))

    def by_municipality(self) -> pd.DataFrame:
        """Per year and municipality: benefit cost by payer, service cost, participants (mean, 95 % CI)."""
        from .tables.kpis import yearly_by_municipality_ci
        return _typed(yearly_by_municipality_ci(self.monthly, _compensation(self.scenario)))

    def kpis(self, by: str = "municipality") -> pd.DataFrame:
        """`unit_kpis` of this scenario: one row per replication × year × municipality (or hub, area)."""
        return unit_kpis(self.monthly, by, _compensation(self.scenario))


def _compensation(sc: Scenario | None):
    return sc.budget.benefit_compensation if sc is not None and sc.budget is not None else None


def run(scenario: Scenario | str | Path, reps: int | None = None, out: str | Path | None = None,
        workers: int | None = None, progress: bool = False) -> Results:
    """Run replications 0..reps-1 of a scenario and return its tables.

    With `out`, results are written to ``out/<scenario>/`` (and a re-run resumes); without
    it they go to a temporary folder that is removed afterwards. `workers`: local
    processes (default all cores, as ``tyosim run``).
    """
    from .experiments.runner import run_scenario
    from .tables.store import read_table

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    n = sc.run.replications if reps is None else reps
    workers = default_workers(n) if workers is None else workers
    if out is None:
        with tempfile.TemporaryDirectory(prefix="tyosim-") as tmp:
            res = run_scenario(sc, n, Path(tmp), workers=workers, progress=progress)
            tables = {t: read_table(res.folder, t) for t in TABLES}
            folder = Path(tmp)
    else:
        res = run_scenario(sc, n, Path(out), workers=workers, progress=progress)
        tables = {t: read_table(res.folder, t) for t in TABLES}
        folder = res.folder
    if res.failed:
        raise RuntimeError("replications failed:\n" + "\n".join(res.failed.values()))
    return Results(sc, folder, tables["monthly"], tables["hubs"], tables["services"])


@dataclass
class BatchResults:
    """A batch folder and its tables: per scenario (``batch["name"]``, a `Results`) or long
    tables of all scenarios (``batch.monthly``, ``.hubs``, ``.services``, with the
    ``scenario`` column). Tables are read from the folder when first asked for.

    ``batch.compare(by="municipality")`` is `compare` on this batch; the run's bookkeeping
    (``done``, ``failed``, ``computed``, ``precision``, ``backend``) is that of
    `batch.BatchResult` when the batch was run here (None when loaded with `load_batch`).
    """

    out: Path
    names: list[str]
    folders: dict[str, Path]
    scenarios: dict[str, Scenario | None] = field(default_factory=dict)
    run_info: Any = None

    @property
    def baseline(self) -> str:
        """The first scenario (the default baseline of `compare`)."""
        return self.names[0]

    def __getitem__(self, name: str) -> Results:
        if name not in self.names:
            raise KeyError(f"no scenario {name!r} in this batch; have {', '.join(self.names)}")
        return self._results[name]

    def __iter__(self):
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    @cached_property
    def _results(self) -> dict[str, Results]:
        from .tables.store import read_table
        out = {}
        for n in self.names:
            t = {k: read_table(self.folders[n], k) for k in TABLES}
            out[n] = Results(self.scenarios.get(n), self.folders[n], t["monthly"], t["hubs"], t["services"])
        return out

    def _long(self, table: str) -> pd.DataFrame:
        frames = [getattr(self._results[n], table) for n in self.names]
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def monthly(self) -> pd.DataFrame:
        return self._long("monthly")

    @property
    def hubs(self) -> pd.DataFrame:
        return self._long("hubs")

    @property
    def services(self) -> pd.DataFrame:
        return self._long("services")

    @property
    def done(self) -> dict[str, list[int]]:
        if self.run_info is not None:
            return self.run_info.done
        from .tables.store import done_replications
        return {n: sorted(done_replications(self.folders[n])) for n in self.names}

    def __getattr__(self, item: str):   # failed, computed, precision, backend of the run
        if item.startswith("_") or self.__dict__.get("run_info") is None:
            raise AttributeError(item)
        return getattr(self.run_info, item)

    def summary(self) -> pd.DataFrame:
        """Headline KPIs per scenario and year: mean, SD and 95 % CI over replications."""
        return pd.concat([self[n].summary() for n in self.names], ignore_index=True)

    def compare(self, baseline: str | None = None, by: str = "area", **filters: Any) -> pd.DataFrame:
        """`compare` on this batch."""
        return compare(self, baseline, by=by, **filters)


def _scenario_from_manifest(manifest: dict[str, Any]) -> Scenario | None:
    try:
        return Scenario.model_validate_json(json.dumps(manifest.get("resolved_scenario")))
    except Exception:   # a folder written by another version: the tables still compare
        return None


def _batch_folders(out: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Scenario name → (its folder, its manifest), in batch order (a name is not a folder)."""
    from .experiments.compare import read_manifest
    from .tables.store import iter_batch_scenarios

    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for f in iter_batch_scenarios(out):
        manifest = read_manifest(out / f)
        found.setdefault(str(manifest.get("scenario") or f), (out / f, manifest))
    return found


def load_batch(folder: str | Path) -> BatchResults:
    """A batch folder written earlier (``tyosim batch`` or `run_batch`), with its tables."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), None, "folder not found")
    found = _batch_folders(folder)
    if not found:
        raise InputError(str(folder), None, "no scenario results here (no <scenario>/manifest.json)")
    return BatchResults(folder, list(found), {n: f for n, (f, _) in found.items()},
                        {n: _scenario_from_manifest(m) for n, (_, m) in found.items()})


def run_batch(scenarios: Sequence[Scenario | str | Path], reps: int | str = 10, out: str | Path | None = None,
              workers: int | None = None, years: float | None = None, progress: bool = False,
              precision: float | None = None, scheduler: str | None = None) -> BatchResults:
    """Run scenarios × replications with common random numbers into `out` (resumable).

    Parameters
    ----------
    scenarios : scenario files (loaded with `batch.prepare_scenarios`, one common seed) or
        `Scenario` objects (they must share ``run.seed``); the first is the baseline.
    reps : replications 0..reps-1 of each, or ``"auto"`` (precision mode).
    out : the batch folder (default: a new temporary folder, kept so the tables stay readable).
    workers : local processes (default all cores, at most one per task, as ``tyosim batch``).

    Returns
    -------
    BatchResults : the tables per scenario and as long tables; ``.compare(by=...)``.
    """
    from .experiments.batch import DEFAULT_MIN_REPS, prepare_scenarios
    from .experiments.batch import run_batch as _run_batch

    paths = [s for s in scenarios if not isinstance(s, Scenario)]
    if paths and len(paths) != len(scenarios):
        raise TypeError("give either scenario files or Scenario objects, not both")
    if paths:
        scs, seed_info = prepare_scenarios(paths, years=years)
    else:
        scs, seed_info = list(scenarios), None
        if years is not None:
            scs = [s.with_overrides({"run": {"years": float(years)}}) for s in scs]
    out = Path(tempfile.mkdtemp(prefix="tyosim-batch-")) if out is None else Path(out)
    if workers is None:
        workers = 1 if scheduler not in (None, "local") else default_workers(
            len(scs) * (reps if isinstance(reps, int) else DEFAULT_MIN_REPS))
    kwargs: dict[str, Any] = dict(workers=workers, progress=progress, precision=precision, scheduler=scheduler)
    if seed_info is not None:
        kwargs["seed_info"] = seed_info
    res = _run_batch(scs, reps, out, **kwargs)
    if res.failed:
        raise RuntimeError("replications failed:\n" + "\n".join(f.message for f in res.failed))
    found = _batch_folders(out)
    names = [s.name for s in scs]
    return BatchResults(out, names, {n: found[n][0] for n in names}, {s.name: s for s in scs}, res)


def compare(batch: BatchResults | str | Path, baseline: str | None = None, by: str = "area", *,
            kpis: Iterable[str] | str | None = None, years: Iterable[int] | int | None = None,
            municipalities: Iterable[str] | str | None = None,
            hubs: Iterable[str] | str | None = None) -> pd.DataFrame:
    """Paired differences from the baseline with 95 % CIs, per scenario × KPI × year (× unit).

    Replication *k* of each scenario is paired with replication *k* of the baseline (common
    random numbers); ``diff_ci95_lo``/``hi`` is the Student-t interval of the paired
    differences. Shares are fractions (0.05 = 5 %; a difference of 0.05 = 5 points).

    Parameters
    ----------
    batch : a `BatchResults` (from `run_batch` or `load_batch`) or a batch folder.
    baseline : scenario to compare against (default the batch's first, or ``"baseline"``
        when a folder holds one).
    by : ``"area"`` (the KPIs of ``tyosim compare``, plus ``benefit_municipal_share``),
        ``"hub"`` or ``"municipality"`` (`UNIT_KPIS`, with ``hub`` beside the municipality).
    kpis, years, municipalities, hubs : keep only these rows.

    Returns
    -------
    DataFrame: ``scenario, baseline, [municipality, hub | hub], kpi, year (int), n,
    baseline_mean, scenario_mean, diff_mean, diff_sd, diff_ci95_lo, diff_ci95_hi, diff_pct``;
    ``attrs["notes"]`` says what the reader should know (seeds, missing KPIs).
    """
    from .experiments.compare import compare as _compare

    if by not in BY:
        raise InputError("compare", "by", f"expected one of {', '.join(BY)}, got {by!r}")
    b = batch if isinstance(batch, BatchResults) else load_batch(batch)
    if baseline is None:
        baseline = "baseline" if not isinstance(batch, BatchResults) and "baseline" in b.names else b.baseline
    if baseline not in b.names:
        raise InputError(str(b.out), "baseline", f"no scenario {baseline!r} here; available: {', '.join(b.names)}")
    if by == "area":
        table, notes = _compare(b.out, baseline)
        table = _typed(table[table["scenario"].isin(b.names)].reset_index(drop=True))
        if "benefit_municipal_share" not in set(table["kpi"]):   # the ratio, where compare lacks it
            ratio = paired_by(_batch_unit_kpis(b, "area"), baseline, "area", ["benefit_municipal_share"])
            if len(ratio):
                table = pd.concat([table, ratio], ignore_index=True)
                table = table.sort_values(["scenario", "year"], kind="stable", ignore_index=True)
    else:
        table = paired_by(_batch_unit_kpis(b, by), baseline, by)
        notes = _seed_notes(b, baseline)
    for col, want in (("kpi", kpis), ("year", years), ("municipality", municipalities), ("hub", hubs)):
        if want is None:
            continue
        if col not in table:
            raise InputError("compare", col, f"no {col} column when by={by!r}")
        want = [want] if isinstance(want, (str, int, np.integer)) else list(want)
        unknown = sorted(set(want) - set(table[col]))
        if unknown and len(table):
            raise InputError("compare", col, f"not in the comparison: {', '.join(map(str, unknown))}; "
                             f"have {', '.join(map(str, pd.unique(table[col])))}")
        table = table[table[col].isin(want)].reset_index(drop=True)
    table.attrs["notes"] = notes
    return table


def _batch_unit_kpis(b: BatchResults, by: str) -> pd.DataFrame:
    frames = [b[n].kpis(by) for n in b.names if len(b[n].monthly)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["scenario", "replication", "year"])


def _seed_notes(b: BatchResults, baseline: str) -> list[str]:
    from .experiments.compare import read_manifest
    seeds = {n: read_manifest(b.folders[n]).get("root_seed") for n in b.names}
    other = [n for n, s in seeds.items() if s != seeds[baseline]]
    notes = []
    if other:
        notes.append("not common random numbers: root seed differs from the baseline's "
                     f"({seeds[baseline]}) for " + ", ".join(f"{n} ({seeds[n]})" for n in other)
                     + "; the paired intervals are valid but wider")
    empty = [n for n in b.names if not len(b[n].monthly)]
    if empty:
        notes.append("no finished replication: " + ", ".join(empty))
    return notes


# ---------------------------------------------------------------------------------------
# tables for people (notebooks): labels with units, shares in %, differences in points

KPI_LABELS: dict[str, tuple[str, str]] = {
    "stock_mean": ("Unemployed jobseekers, monthly mean", "jobseekers"),
    "stock_end": ("Unemployed jobseekers, end of year", "jobseekers"),
    "inflow": ("New registrations", "per year"),
    "exits_employment": ("Exits to employment", "per year"),
    "exits_other": ("Exits elsewhere", "per year"),
    "initial_on_time_pct": ("Initial interviews on time", "%"),
    "job_search_on_time_pct": ("Job-search interviews on time", "%"),
    "late_meetings": ("Interview deadlines missed", "per year"),
    "late_meetings_share": ("Interview deadlines missed, share", "%"),
    "benefit_cost_eur": ("Benefit cost, all payers", "€"),
    "benefit_cost_municipal_eur": ("Benefit cost, municipalities' share", "€"),
    "benefit_municipal_share": ("Municipalities' share of benefit cost", "%"),
    "benefit_compensation_eur": ("State compensation for the benefit share", "€"),
    "benefit_cost_municipal_net_eur": ("Benefit cost, municipalities, net of compensation", "€"),
    "service_cost_eur": ("Service cost", "€"),
    "staff_cost_eur": ("Customer-service staff cost", "€"),
    "customer_service_fte": ("Customer-service staff", "FTE"),
}


def _is_share(kpi: str) -> bool:
    return kpi.endswith("_share") or kpi.startswith("utilisation_")


def kpi_label(kpi: str, diff: bool = False) -> str:
    """A KPI's name for people with its unit, e.g. ``"Interview deadlines missed, share (%)"``;
    with `diff`, the unit of a difference (percentage points for shares)."""
    if kpi.startswith("utilisation_"):
        label, unit = f"Staff utilisation, {kpi.split('_', 1)[1]}", "%"
    else:
        label, unit = KPI_LABELS.get(kpi, (kpi.replace("_", " ").capitalize(), ""))
    if diff and unit == "%":
        unit = "percentage points"
    return f"{label} ({unit})" if unit else label


def format_value(kpi: str, x: float, diff: bool = False) -> str:
    """One figure as people read it: shares in % (differences in pp) with one decimal, euros
    in thousands or millions, counts whole; never ``-0.0``."""
    if x is None or not np.isfinite(x):
        return "–"
    sign = "+" if diff else ""
    if _is_share(kpi) or kpi.endswith("_pct"):
        v = 100 * x if _is_share(kpi) else x
        dec = 2 if 0 < abs(v) < 0.1 else 1          # 0.04 pp, not 0.0 pp
        v = round(v, dec) + 0.0
        unit = " pp" if diff else " %"
        return f"{v:{sign}.{dec}f}{unit}" if v != 0 else f"0{unit}"
    if kpi.endswith("_eur"):
        if abs(x) >= 1e6:
            v = round(x / 1e6, 2) + 0.0
            return f"{v:{sign}.2f} M€" if v != 0 else "0 M€"
        v = round(x / 1e3, 0) + 0.0
        return f"{v:{sign},.0f} k€".replace(",", " ") if v != 0 else "0 k€"
    v = round(x, 0) + 0.0 if abs(x) >= 10 else round(x, 1) + 0.0
    if v == 0:
        return "0"
    return (f"{v:{sign},.0f}" if abs(x) >= 10 else f"{v:{sign},.1f}").replace(",", " ")


def readable_summary(summary: pd.DataFrame, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """A `summarise` table (kpi, year, mean, ci95_lo, ci95_hi) as one row per KPI (with its
    unit) and one column per year: ``mean [95 % CI]`` formatted by `format_value`. The KPIs
    here are counts, euros and shares, none below zero nor a share above 100 %: an interval
    end past that (a Student-t interval of few replications) is shown cut at the limit, and
    the table's heading says so."""
    s = summary if kpis is None else summary[summary["kpi"].isin(list(kpis))]
    order = list(pd.unique(s["kpi"])) if kpis is None else [k for k in kpis if k in set(s["kpi"])]
    cells = {}
    for r in s.itertuples():
        lo, hi = r.ci95_lo, r.ci95_hi
        if np.isfinite(lo):   # a t-interval of few replications can pass the possible range
            lo = max(lo, 0.0)
            if _is_share(r.kpi) or r.kpi.endswith("_pct"):
                hi = min(hi, 1.0 if _is_share(r.kpi) else 100.0)
        ci = "" if not np.isfinite(lo) else f" [{format_value(r.kpi, lo)} – {format_value(r.kpi, hi)}]"
        cells[(kpi_label(r.kpi), int(r.year))] = format_value(r.kpi, r.mean) + ci
    out = pd.Series(cells).unstack()
    out = out.reindex([kpi_label(k) for k in order])
    out.index.name = "KPI (mean of replications [95 % CI, cut to the possible range])"
    out.columns.name = "year"
    return out


def readable_differences(diff: pd.DataFrame) -> pd.DataFrame:
    """A `compare` table for people: KPI with its unit, baseline and scenario means, the
    difference and its paired 95 % CI (shares in percentage points), and whether the CI
    excludes zero (``clear``)."""
    from .experiments.compare import clear_difference

    unit = [c for c in ("municipality", "hub") if c in diff.columns][:1]
    rows = []
    for r in diff.to_dict(orient="records"):
        k = r["kpi"]
        lo, hi = r["diff_ci95_lo"], r["diff_ci95_hi"]
        clear = clear_difference(lo, hi)
        rows.append({"scenario": r["scenario"], **{u: r[u] for u in unit}, "year": int(r["year"]),
                     "KPI": kpi_label(k), "baseline": format_value(k, r["baseline_mean"]),
                     "scenario mean": format_value(k, r["scenario_mean"]),
                     "difference": format_value(k, r["diff_mean"], diff=True),
                     "95 % CI": ("–" if not np.isfinite(lo) else
                                 f"{format_value(k, lo, diff=True)} … {format_value(k, hi, diff=True)}"),
                     "clear": "yes" if clear else "no", "n": int(r["n"])})
    return pd.DataFrame(rows)


@dataclass
class Forecast:
    """Caseload forecasts (the rows of forecasts.csv), benefit costs by year, and the run."""

    table: pd.DataFrame
    costs: pd.DataFrame
    run: Any

    def history(self, level: str, series: str) -> pd.Series:
        """The observed series behind one forecast (for plots)."""
        k = next(k for k in self.run.keys if k.level == level and k.name == series)
        return self.run.history[k.id]


def forecast_caseload(data: str | Path, until: str | None = None, horizon: int = 12,
                      paths: int = 1000, seed: int = 20201031, workers: int | None = None) -> Forecast:
    """Forecast unemployed jobseekers per municipality, hub and area, with benefit costs.

    Parameters
    ----------
    data : a monthly series file (long CSV as in ../shared/data, PxWeb CSV or JSON-stat).
    until : cut the data at this month (``"YYYY-MM"``), to check against what came after.
    horizon : months ahead.  paths : simulated paths for the intervals.  seed : their seed.
    workers : processes for the model fits (default as ``tyosim forecast``).
    """
    from .forecast.cost import CostAssumptions, cost_table
    from .forecast.data import load_monthly, parse_month
    from .forecast.defaults import default_workers as _default_workers
    from .forecast.forecaster import forecast as _forecast
    from .scenario.region import load_region
    from .scenario.rules import load_rules

    d = load_monthly(data)
    if until:
        d = d.until(parse_month(until, "until"))
    workers = _default_workers() if workers is None else workers
    run = _forecast(d, load_region(), horizon, None, paths, seed, workers)
    costs = cost_table(run.paths_by_key(), run.months, load_rules(), CostAssumptions())
    return Forecast(run.table, costs, run)


def backtest(data: str | Path, origins: tuple[str, ...] = ("2015-12", "2016-12", "2017-12", "2018-12"),
             horizon: int = 12, paths: int = 1000, seed: int = 20201031, workers: int | None = None):
    """Rolling-origin backtest of the forecasting method against its baselines.

    Returns the backtest result: ``.summary()`` (MASE, sMAPE, coverage per method),
    ``.by_level()``, ``.figures()`` (the goal figures), ``.scores`` (every origin × series).
    """
    from .forecast.backtest import run_backtest
    from .forecast.data import load_monthly
    from .forecast.defaults import default_workers as _default_workers
    from .scenario.region import load_region

    workers = _default_workers() if workers is None else workers
    return run_backtest(load_monthly(data), load_region(), list(origins), horizon, None, paths, seed, workers)
