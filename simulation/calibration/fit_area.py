"""Calibrate tyosim's inflow and exit parameters to the monthly stock of unemployed jobseekers.

Usage (from the repository root)::

    python calibration/calibrate.py [--data CSV] [--out-dir scenarios/base] [--targets TOML]

(`calibration/calibrate.py` calls `main` here; ``tyosim calibrate`` uses the same fit for any
set of municipalities, see `simulation.calibration.command`.)

Reads the monthly end-of-month stocks by municipality (Statistics Finland, Employment
Service Statistics, table 1001; default ``../shared/data/unemployed_monthly_area.csv``
relative to the repository root) and ``simulation/calibration/targets.toml`` (every target and
assumption with its source), fits the deterministic monthly analogue of the model
(`simulation.calibration.analogue`) on 2016-01..2018-12 by least squares on log stocks with penalty
terms on the implied long-term share and mean elapsed duration, checks it out of sample
on 2019 (area and hubs), and writes three scenario files atomically:

* ``calibrated_2016_2018.toml`` — ``[inflow]`` and ``[exits]`` (extends ``area.toml``);
* ``start_2019.toml`` — ``[start_state]`` at the observed December 2018 stock;
* ``start_2025.toml`` — ``[start_state]`` for 2025-01-01 and ``[inflow] scale``, scaled
  from the 2019 stock by the stated growth assumption.

Bad input (missing or malformed data file, missing or malformed target) prints
``file: key: reason`` and exits with code 2.

Longer than 400 lines because the calibration of an area against its series with every target
and assumption and their sources; a script entry point as well.
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import math
import os
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..scenario.region import load_region
from .analogue import FlowParams
from .fitting import FitResult, FitSetup, Penalty, fit, mape, run_model

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "unemployed_monthly_area.csv"
DEFAULT_TARGETS = Path(__file__).resolve().parent / "targets.toml"
DATA_TABLE = "Statistics Finland, Employment Service Statistics, table 1001"
REQUIRED_COLUMNS = ("month", "municipality", "unemployed")


# ---------------------------------------------------------------------------------------
# targets


@dataclass(frozen=True)
class Targets:
    raw: dict[str, Any]
    path: str

    def get(
        self,
        key: str,
        kind: type | tuple[type, ...] = float,
        lo: float | None = None,
        hi: float | None = None,
    ) -> Any:
        """Value at dotted `key`, checked for type and range; InputError otherwise."""
        node: Any = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise InputError(self.path, key, "required key is missing")
            node = node[part]
        if kind is float:
            if isinstance(node, bool) or not isinstance(node, (int, float)):
                raise InputError(self.path, key, f"expected a number, got {node!r}")
            node = float(node)
            if not math.isfinite(node):
                raise InputError(self.path, key, f"expected a finite number, got {node!r}")
        elif not isinstance(node, kind):
            raise InputError(self.path, key, f"expected {kind}, got {node!r}")
        if lo is not None and node < lo or hi is not None and node > hi:
            raise InputError(self.path, key, f"{node!r} outside [{lo}, {hi}]")
        return node

    def pair(self, key: str, lo: float, hi: float) -> tuple[float, float]:
        v = self.get(key, list)
        if len(v) != 2 or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in v
        ):
            raise InputError(self.path, key, f"expected [low, high], got {v!r}")
        a, b = float(v[0]), float(v[1])
        if not lo <= a < b <= hi:
            raise InputError(self.path, key, f"expected {lo} <= low < high <= {hi}, got {v!r}")
        return a, b

    def choice(self, key: str, options: Sequence[str]) -> str:
        v = self.get(key, str)
        if v not in options:
            raise InputError(self.path, key, f"expected one of {list(options)}, got {v!r}")
        return v

    def month(self, key: str) -> str:
        v = self.get(key, str)
        try:
            datetime.strptime(v, "%Y-%m")
        except ValueError:
            raise InputError(self.path, key, f"expected YYYY-MM, got {v!r}") from None
        return v


def load_targets(path: Path) -> Targets:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), None, "targets file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(str(path), None, f"cannot read file: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(str(path), None, f"TOML syntax error: {e}") from None
    return Targets(raw, str(path))


@dataclass(frozen=True)
class Settings:
    fit_start: str
    fit_end: str
    holdout_start: str
    holdout_end: str
    output_year: int
    setup: FitSetup
    weighting: str
    starts: tuple[tuple[float, float, float], ...]
    growth: float
    growth_num: float
    growth_den: float
    start_2025: date
    seasonal_month: int
    seasonal_years: tuple[int, int]
    inflow_scale_rule: str = "sustain"
    start_rate: float = 0.132               # unemployed / labour force, end of January of the start year
    december_over_january: float = 1.0      # regional stock, end of December before / end of January


def read_settings(t: Targets) -> Settings:
    a = "assumptions."
    flows = FlowParams(
        employment_share=(
            t.get(a + "employment_share_layoff.value", float, 0, 1),
            t.get(a + "employment_share_short_group.value", float, 0, 1),
            t.get(a + "employment_share_long_group.value", float, 0, 1),
        ),
        reentry_probability=t.get(a + "reentry_probability.value", float, 0, 1),
        reentry_mean_months=t.get(a + "reentry_mean_months.value", float, 1e-3, 1e3),
    )
    penalties = []
    for name in (
        "long_term_share",
        "mean_elapsed_duration_weeks",
        "share_new_spells_ending_within_3_months",
    ):
        base = f"targets.{name}."
        penalties.append(
            Penalty(
                name,
                t.get(base + "value", float, 0),
                t.get(base + "tolerance", float, 1e-9),
                t.get(base + "weight", float, 0),
            )
        )
    starts_raw = t.get("fit.starts", list)
    starts = []
    for i, s in enumerate(starts_raw):
        if (
            not isinstance(s, list)
            or len(s) != 3
            or not all(isinstance(x, (int, float)) and x > 0 for x in s)
            or not s[0] < 1
        ):
            raise InputError(
                t.path,
                f"fit.starts[{i}]",
                f"expected [short_share<1, short_mean>0, long_mean>0], got {s!r}",
            )
        starts.append((float(s[0]), float(s[1]), float(s[2])))
    if not starts:
        raise InputError(t.path, "fit.starts", "at least one start is needed")
    setup = FitSetup(
        layoff_share=t.get(a + "layoff_share.value", float, 0, 1),
        layoff_mean=t.get(a + "layoff_mean_months.value", float, 1e-3, 1e3),
        flows=flows,
        penalties=tuple(penalties),
        fit_exit_seasonal=t.choice("fit.exit_seasonal", ("fixed", "fit")) == "fit",
        exit_seasonal_prior_sd=t.get("fit.exit_seasonal_prior_sd", float, 1e-6),
        sigma_log=t.get("fit.residual_sigma_log", float, 1e-6),
        seasonal_log_ratio_bound=t.get("fit.seasonal_log_ratio_bound", float, 0.1),
        short_share_bounds=t.pair("fit.short_group_share_bounds", 1e-6, 1 - 1e-6),
        short_mean_bounds=t.pair("fit.short_group_mean_months_bounds", 1e-3, 1e4),
        long_mean_bounds=t.pair("fit.long_group_mean_months_bounds", 1e-3, 1e4),
        start_pool=t.choice("fit.reentry_pool_at_start", ("stationary", "empty")),
    )
    num = t.get("growth_2019_to_2025.numerator", float, 1e-9)
    den = t.get("growth_2019_to_2025.denominator", float, 1e-9)
    sd = t.get("start_2025.start_date", (str, date))
    try:
        start_2025 = sd if isinstance(sd, date) else date.fromisoformat(sd)
    except ValueError:
        raise InputError(
            t.path, "start_2025.start_date", f"expected YYYY-MM-DD, got {sd!r}"
        ) from None
    years = t.pair("start_2025.seasonal_index_years", 1900, 2100)
    s = Settings(
        fit_start=t.month("fit_window.start"),
        fit_end=t.month("fit_window.end"),
        holdout_start=t.month("fit_window.holdout_start"),
        holdout_end=t.month("fit_window.holdout_end"),
        output_year=int(t.get("fit_window.output_level_year", int)),
        setup=setup,
        weighting=t.choice("fit.residual_weighting", ("equal", "sqrt_mean_stock")),
        starts=tuple(starts),
        growth=num / den,
        growth_num=num,
        growth_den=den,
        start_2025=start_2025,
        seasonal_month=int(t.get("start_2025.seasonal_month", int, 1, 12)),
        seasonal_years=(int(years[0]), int(years[1])),
        inflow_scale_rule=_scale_rule(t),
        start_rate=t.get("start_2025.unemployment_rate_january", float, 0, 1),
        december_over_january=(t.get("start_2025.region_stock_december_before", float, 1e-9)
                               / t.get("start_2025.region_stock_january", float, 1e-9)),
    )
    if not s.fit_start <= s.fit_end < s.holdout_start <= s.holdout_end:
        raise InputError(
            t.path, "fit_window", "expected start <= end < holdout_start <= holdout_end"
        )
    if not int(s.fit_start[:4]) <= s.output_year <= int(s.fit_end[:4]):
        raise InputError(
            t.path, "fit_window.output_level_year", "must be a year inside the fit window"
        )
    return s


# ---------------------------------------------------------------------------------------
# data


def read_monthly(path: Path) -> pd.DataFrame:
    """The monthly file, validated: month (YYYY-MM), municipality, unemployed ≥ 0."""
    if not path.is_file():
        raise InputError(str(path), None, "data file not found; expected a CSV with columns month "
                         "(YYYY-MM), municipality, unemployed[, labour_force] (Statistics Finland table 1001); "
                         "pass --data PATH")
    try:
        df = pd.read_csv(path, dtype={"month": str, "municipality": str}, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        raise InputError(str(path), None, f"cannot parse CSV: {e}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(str(path), ", ".join(missing), f"missing column(s); found {list(df.columns)}")
    bad = ~df["month"].astype(str).str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(str(path), f"row {i + 2}: month", f"expected YYYY-MM, got {df['month'].iloc[i]!r}")
    for col in ("unemployed", "labour_force"):
        if col not in df:
            continue
        v = pd.to_numeric(df[col], errors="coerce")
        bad = (v.isna() & df[col].notna()) | (v < 0) | ~np.isfinite(v.fillna(0))
        if col == "unemployed":
            bad |= v.isna()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(str(path), f"row {i + 2}: {col}",
                             f"expected a non-negative number, got {df[col].iloc[i]!r}")
        df[col] = v.astype(float)
    if "labour_force" in df:
        over = df["unemployed"] > df["labour_force"]
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise InputError(str(path), f"row {i + 2}: unemployed",
                             f"{df['unemployed'].iloc[i]:g} unemployed exceed the labour force "
                             f"{df['labour_force'].iloc[i]:g}")
    dup = df.duplicated(["month", "municipality"])
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(str(path), f"row {i + 2}", "duplicate month and municipality")
    return df


def load_stocks(path: Path, municipalities: Sequence[str]) -> pd.DataFrame:
    """Monthly stocks as a (month × municipality) frame; InputError on any defect."""
    df = read_monthly(path)
    unknown = sorted(set(df["municipality"]) - set(municipalities))
    absent = sorted(set(municipalities) - set(df["municipality"]))
    if unknown or absent:
        raise InputError(
            str(path),
            "municipality",
            f"municipalities differ from the region file: unknown {unknown}, missing {absent}",
        )
    wide = df.pivot(index="month", columns="municipality", values="unemployed")
    return wide[list(municipalities)].sort_index()


def window(wide: pd.DataFrame, start: str, end: str, path: str) -> pd.DataFrame:
    months = [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]
    missing = [m for m in months if m not in wide.index]
    if missing:
        raise InputError(path, "month", f"months needed but absent: {missing[0]}..{missing[-1]}")
    sub = wide.loc[months]
    if sub.isna().any().any():
        m, col = next((i, c) for i in sub.index for c in sub.columns if pd.isna(sub.at[i, c]))
        raise InputError(path, f"{m}, {col}", "no value for this month and municipality")
    if (sub <= 0).any().any():
        m, col = next((i, c) for i in sub.index for c in sub.columns if sub.at[i, c] <= 0)
        raise InputError(path, f"{m}, {col}", "stock must be positive for a log fit")
    return sub


def calendar_arrays(months: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(calendar month 1..12, days in month, calendar year) for YYYY-MM strings."""
    y = np.array([int(m[:4]) for m in months])
    c = np.array([int(m[5:7]) for m in months])
    d = np.array(
        [calendar.monthrange(int(a), int(b))[1] for a, b in zip(y, c, strict=False)], dtype=float
    )
    return c, d, y


def stock_seasonal_index(total: pd.Series, years: tuple[int, int]) -> np.ndarray:
    """Seasonal index of a monthly stock: ratio to a centred 2×12 moving average,
    averaged by calendar month over `years` and normalised to average 1."""
    ma = total.rolling(12, center=True).mean().rolling(2).mean().shift(-1)
    ratio = (total / ma).dropna()
    yrs = np.array([int(m[:4]) for m in ratio.index])
    keep = (yrs >= years[0]) & (yrs <= years[1])
    cm = np.array([int(m[5:7]) for m in ratio.index])[keep]
    idx = np.array([ratio.to_numpy()[keep][cm == k].mean() for k in range(1, 13)])
    return idx / idx.mean()


# ---------------------------------------------------------------------------------------
# TOML output


def sig4(x: float) -> float:
    return float(f"{x:.4g}")


def fmt(x: float) -> str:
    """A float rounded to 4 significant digits, as a TOML float."""
    v = sig4(x)
    s = repr(v)
    return s if ("." in s or "e" in s or "inf" in s or "nan" in s) else s + ".0"


def seasonal_4sig(factors: Sequence[float]) -> list[Decimal]:
    """Round to 4 significant digits, then make the last one restore an average of exactly 1."""
    vals = [Decimal(repr(sig4(f))) for f in factors]
    vals[-1] = Decimal(12) - sum(vals[:-1], Decimal(0))
    if vals[-1] <= 0:
        raise ValueError("seasonal factors cannot be re-normalised after rounding")
    return vals


def qkey(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qstr(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and os.replace; check it parses first."""
    from ..files import write_atomic as _write

    tomllib.loads(text)
    _write(path, text, 0o644)  # mkstemp makes 0600; scenario files are ordinary files


# ---------------------------------------------------------------------------------------
# the calibration


@dataclass
class Outcome:
    result: FitResult
    munis: list[str]
    hubs: dict[str, list[str]]
    fit_obs: pd.DataFrame
    mape_in_muni: dict[str, float]
    mape_in_area: float
    mape_in_hub: dict[str, float]
    oos_obs: pd.DataFrame
    oos_model: np.ndarray
    mape_oos_area: float
    mape_oos_hub: dict[str, float]
    mape_oos_muni: dict[str, float]
    mape_oos_area_empty_pool: float
    mape_oos_hub_empty_pool: dict[str, float]
    levels_out: dict[str, float]
    level_year_factors: dict[int, float]
    stationary_stock_2018_level: float
    all_starts: list[tuple[tuple[float, float, float], float]]


def hub_sum(values: np.ndarray, munis: list[str], members: list[str]) -> np.ndarray:
    idx = [munis.index(m) for m in members]
    return values[..., idx].sum(axis=-1)


def calibrate(
    wide: pd.DataFrame, s: Settings, hubs: dict[str, list[str]], data_path: str
) -> Outcome:
    munis = list(wide.columns)
    fit_obs = window(wide, s.fit_start, s.fit_end, data_path)
    before = (pd.Period(s.fit_start, freq="M") - 1).strftime("%Y-%m")
    start_stock = window(wide, before, before, data_path).to_numpy()[0]
    cm, days, yr = calendar_arrays(list(fit_obs.index))
    years = sorted(set(yr.tolist()))
    year_index = yr - years[0]
    obs = fit_obs.to_numpy()
    weights = (
        np.sqrt(obs.mean(axis=0) / obs.mean())
        if s.weighting == "sqrt_mean_stock"
        else np.ones(obs.shape[1])
    )
    best: FitResult | None = None
    tried = []
    for st in s.starts:
        setup = replace(
            s.setup, initial_short_share=st[0], initial_short_mean=st[1], initial_long_mean=st[2]
        )
        r = fit(obs, start_stock, cm, days, year_index, setup, weights)
        tried.append((st, r.cost))
        if best is None or r.cost < best.cost:
            best = r
    assert best is not None
    res = best
    total_obs = obs.sum(axis=1)
    mape_in_muni = dict(zip(munis, mape(res.fitted, obs).tolist(), strict=False))
    mape_in_area = float(mape(res.fitted.sum(axis=1), total_obs))
    mape_in_hub = {
        h: float(mape(hub_sum(res.fitted, munis, mem), hub_sum(obs, munis, mem)))
        for h, mem in hubs.items()
    }

    # out of sample: start at the observed stock before the hold-out, output-year levels
    lev = res.levels[:, [s.output_year - years[0]]]
    if not s.holdout_start:    # no hold-out year in the data (a fit up to the latest month)
        return _outcome(res, munis, hubs, fit_obs, mape_in_muni, mape_in_area, mape_in_hub,
                        None, None, {}, {}, lev, years, s, tried)
    oos_obs = window(wide, s.holdout_start, s.holdout_end, data_path)
    before_oos = (pd.Period(s.holdout_start, freq="M") - 1).strftime("%Y-%m")
    oos_start = window(wide, before_oos, before_oos, data_path).to_numpy()[0]
    ocm, odays, _ = calendar_arrays(list(oos_obs.index))
    zero = np.zeros(len(ocm), dtype=int)
    flows = s.setup.flows
    o = oos_obs.to_numpy()
    runs = {}
    for pool in ("stationary", "empty"):
        traj = run_model(
            lev,
            res.inflow_seasonal,
            res.exit_seasonal,
            res.groups,
            flows,
            oos_start,
            ocm,
            odays,
            zero,
            pool,
        )
        runs[pool] = traj.stock[1:]
    oos_model = runs[s.setup.start_pool]

    def hub_mapes(model: np.ndarray) -> dict[str, float]:
        return {
            h: float(mape(hub_sum(model, munis, mem), hub_sum(o, munis, mem)))
            for h, mem in hubs.items()
        }

    return _outcome(res, munis, hubs, fit_obs, mape_in_muni, mape_in_area, mape_in_hub,
                    oos_obs, oos_model, runs, hub_mapes, lev, years, s, tried)


def _outcome(res, munis, hubs, fit_obs, mape_in_muni, mape_in_area, mape_in_hub, oos_obs,
             oos_model, runs, hub_mapes, lev, years, s: Settings, tried) -> Outcome:
    """The Outcome, with the hold-out figures NaN when there was no hold-out."""
    flows = s.setup.flows
    # steady-state stock that the output-year inflow level would sustain (no seasonality)
    g = res.groups
    emp_share = float(g.inflow_split() @ flows.employment_array())
    total_level = float(lev.sum())
    inflow_total = total_level / (1 - flows.reentry_probability * emp_share)
    stationary_stock = inflow_total * g.mean_spell_months()
    if oos_obs is not None:
        o = oos_obs.to_numpy()
        oos = dict(mape_oos_area=float(mape(oos_model.sum(axis=1), o.sum(axis=1))),
                   mape_oos_hub=hub_mapes(oos_model),
                   mape_oos_muni=dict(zip(munis, mape(oos_model, o).tolist(), strict=False)),
                   mape_oos_area_empty_pool=float(mape(runs["empty"].sum(axis=1), o.sum(axis=1))),
                   mape_oos_hub_empty_pool=hub_mapes(runs["empty"]))
    else:
        nan = float("nan")
        oos = dict(mape_oos_area=nan, mape_oos_hub={h: nan for h in hubs}, mape_oos_muni={},
                   mape_oos_area_empty_pool=nan, mape_oos_hub_empty_pool={h: nan for h in hubs})
        oos_obs, oos_model = fit_obs.iloc[:0], np.zeros((0, len(munis)))
    return Outcome(
        result=res,
        munis=munis,
        hubs=hubs,
        fit_obs=fit_obs,
        mape_in_muni=mape_in_muni,
        mape_in_area=mape_in_area,
        mape_in_hub=mape_in_hub,
        oos_obs=oos_obs,
        oos_model=oos_model,
        levels_out=dict(zip(munis, lev[:, 0].tolist(), strict=False)),
        level_year_factors={y: float(res.levels[:, i].sum()) for i, y in enumerate(years)},
        stationary_stock_2018_level=stationary_stock,
        all_starts=tried,
        **oos,
    )


# ---------------------------------------------------------------------------------------
# writing the scenario files


def _display_path(p: Path) -> str:
    """A path relative to the repository root when possible (no machine-specific prefix)."""
    try:
        return os.path.relpath(p.resolve(), REPO)
    except ValueError:
        return str(p)


def header(
    title: str, out: Outcome, s: Settings, data_path: Path, data_hash: str, targets_path: Path
) -> list[str]:
    today = datetime.now(UTC).date().isoformat()
    r = out.result
    lines = [
        f"# {title}",
        f"# Generated by calibration/calibrate.py on {today} — do not edit by hand; re-run the script.",
        f"# Data: {_display_path(data_path)} ({DATA_TABLE}, CC BY 4.0), sha256 {data_hash[:16]}…",
        f"# Targets and assumptions: {_display_path(targets_path)} (each with its source).",
        f"# Fit window: {s.fit_start}..{s.fit_end} (end-of-month stocks, least squares on log stocks);"
        f" inflow levels per municipality and year, {s.output_year} level written out.",
        f"# Hold-out: {s.holdout_start}..{s.holdout_end}, deterministic analogue started at the observed"
        f" stock of the month before.",
        f"# In-sample MAPE {s.fit_start[:4]}–{s.fit_end[:4]}: area {out.mape_in_area:.2f} %; hubs "
        + ", ".join(f"{h} {v:.2f} %" for h, v in out.mape_in_hub.items())
        + ".",
        "# In-sample MAPE by municipality: "
        + ", ".join(f"{m} {v:.1f} %" for m, v in out.mape_in_muni.items())
        + ".",
        f"# Out-of-sample MAPE {s.holdout_start[:4]} (re-entry pool {s.setup.start_pool} at start):"
        f" area {out.mape_oos_area:.2f} %; hubs "
        + ", ".join(f"{h} {v:.2f} %" for h, v in out.mape_oos_hub.items())
        + ".",
        f"# Same with an empty re-entry pool at the start (as a run whose start state holds no one"
        f" waiting to re-enter): area {out.mape_oos_area_empty_pool:.2f} %; hubs "
        + ", ".join(f"{h} {v:.2f} %" for h, v in out.mape_oos_hub_empty_pool.items())
        + ".",
        f"# Implied stationary statistics: long-term (>= 12 months) share of stock"
        f" {r.statistics['long_term_share']:.3f}, mean elapsed duration"
        f" {r.statistics['mean_elapsed_duration_weeks']:.1f} weeks, new spells ending within 3 months"
        f" {r.statistics['share_new_spells_ending_within_3_months']:.3f}.",
    ]
    return lines


def fitted_lines(out: Outcome, s: Settings) -> list[str]:
    """The ``[inflow]`` and ``[exits]`` tables of a fit, as scenario lines (the fitted values
    and the fixed assumptions of targets.toml); ends with an empty line."""
    r, g, f = out.result, out.result.groups, s.setup.flows
    L = [
        "[inflow]",
        "seasonal_factors = [" + ", ".join(str(v) for v in seasonal_4sig(r.inflow_seasonal)) + "]",
        "scale = 1.0",
        "trend_per_year = 0.0",
        f"layoff_share = {fmt(s.setup.layoff_share)}            # assumption, to verify",
        f"reentry_probability = {fmt(f.reentry_probability)}     # assumption, to verify",
        f"reentry_mean_months = {fmt(f.reentry_mean_months)}      # assumption, to verify",
        "",
        f"[inflow.per_month_by_municipality]   # new registrations per month, {s.output_year} level (fitted)",
    ]
    L += [f"{qkey(m)} = {fmt(v)}" for m, v in out.levels_out.items()]
    L += [
        "",
        "[exits]",
        f"short_group_share = {fmt(g.short_share)}          # fitted",
        f"short_group_mean_months = {fmt(g.short_mean)}    # fitted",
        f"long_group_mean_months = {fmt(g.long_mean)}     # fitted",
        "seasonal_factors = ["
        + ", ".join(str(v) for v in seasonal_4sig(r.exit_seasonal))
        + "]"
        + ("" if s.setup.fit_exit_seasonal else "   # fixed to 1"),
        f"layoff_mean_months = {fmt(s.setup.layoff_mean)}          # assumption, to verify",
        f"employment_share_short_group = {fmt(f.employment_share[1])}  # assumption, to verify",
        f"employment_share_long_group = {fmt(f.employment_share[2])}  # assumption, to verify",
        f"employment_share_layoff = {fmt(f.employment_share[0])}      # assumption, to verify",
        "",
    ]
    return L


def render_calibrated(out: Outcome, s: Settings, head: list[str]) -> str:
    L = head + [
        "#",
        "# Assumptions (fixed, not fitted; see simulation/calibration/targets.toml): layoff_share,",
        "# layoff_mean_months, employment shares of exits, reentry_probability, reentry_mean_months.",
        "# Fitted: per_month_by_municipality (new registrations per month, seasonally adjusted,",
        f"# {s.output_year} level), inflow.seasonal_factors, short/long group share and means"
        + (
            ", exits.seasonal_factors."
            if s.setup.fit_exit_seasonal
            else "; exits.seasonal_factors are fixed to 1 (not identified separately from the"
            " inflow seasonality by a stock series)."
        ),
        "",
        'extends = "area.toml"',
        "",
    ]
    L += fitted_lines(out, s)
    return "\n".join(L)


def render_start_2019(out: Outcome, wide: pd.DataFrame, s: Settings, head: list[str]) -> str:
    month = (pd.Period(s.holdout_start, freq="M") - 1).strftime("%Y-%m")
    stock = wide.loc[month]
    layoff = float(out.result.groups.stationary_weights()[0])
    L = head + [
        "#",
        f"# Start state for a run starting {s.holdout_start}-01: the observed end-of-month stock of {month}.",
        "# Group composition is the stationary one implied by the fit.",
        "",
        'extends = "calibrated_2016_2018.toml"',
        "",
        "[start_state]",
        f"layoff_share = {fmt(layoff)}   # stationary lay-off share of the stock implied by the fit",
        f"source = {qstr(f'{DATA_TABLE}, unemployed jobseekers at the end of {month}')}",
        "",
        f"[start_state.stock_by_municipality]   # observed, {month}",
    ]
    L += [f"{qkey(m)} = {int(round(float(stock[m])))}" for m in out.munis]
    L.append("")
    return "\n".join(L)


def render_start_2025(
    out: Outcome, wide: pd.DataFrame, s: Settings, head: list[str],
    labour_force: tuple[float, str] | None = None,
) -> tuple[str, dict[str, float], float]:
    """The 2025 start: the area's published unemployment rate of January 2025 × its labour force,
    moved back to the end of December 2024 by the region's December/January ratio, split over the
    municipalities by their shares of the hold-out year's average stock (issue 14)."""
    base_year = s.holdout_start[:4]
    avg = window(wide, f"{base_year}-01", f"{base_year}-12", "data").mean(axis=0)
    if labour_force is None:
        raise InputError("data", "labour_force", "the 2025 start needs the labour force column")
    lf, lf_year = labour_force
    total_jan = s.start_rate * lf
    total = total_jan * s.december_over_january
    stock = {m: total * float(avg[m]) / float(avg.sum()) for m in out.munis}
    y0, y1 = s.seasonal_years
    factor = float(stock_seasonal_index(wide.sum(axis=1), (y0, y1))[s.seasonal_month - 1])
    sustain = total / factor      # the yearly average that a start at this month's level implies
    layoff = float(out.result.groups.stationary_weights()[0])
    L = head + [
        "#",
        f"# Start state for a run starting {s.start_2025.isoformat()} (the stock at the end of December 2024).",
        f"# Area total = unemployment rate January 2025 {100 * s.start_rate:.1f} % [the area's own bulletin,",
        "#   reference_central_finland_2023_2026.csv] x labour force "
        f"{lf:,.0f} ({lf_year}, the latest year in the data, {DATA_TABLE})",
        f"#   = {total_jan:,.0f} at the end of January 2025, x {s.december_over_january:.4f} "
        "(Central Finland's stock at",
        "#   the end of December 2024 / January 2025, TEM bulletins) = "
        f"{total:,.0f} at the end of December 2024.",
        f"# Split over the municipalities by their shares of the {base_year} average stock ({DATA_TABLE}).",
        "# REPLACE WITH YOUR OWN STOCK FIGURES (tyosim calibrate --start with your latest month does it).",
        f"# Inflow scale: the {s.output_year} inflow level sustains a stationary area stock of"
        f" {out.stationary_stock_2018_level:.0f};",
        f"#   the scale below sustains the start's yearly-average equivalent {sustain:,.0f} (the start over the",
        f"#   stock's seasonal index of {calendar.month_name[s.seasonal_month]}, {factor:.4f}, {y0}–{y1}; "
        f"rule '{s.inflow_scale_rule}').",
        "#   The 2025 path (the region rose ~10 % in 2025) is set on top of it by",
        "#   calibration/outlook_2025.py (scenarios/base/outlook_2025.toml).",
        "",
        'extends = "calibrated_2016_2018.toml"',
        "",
        "[inflow]",
        f"scale = {fmt(inflow_scale(out, s, sustain))}   # rule '{s.inflow_scale_rule}' above",
        "",
        "[start_state]",
        f"layoff_share = {fmt(layoff)}   # stationary lay-off share of the stock implied by the fit",
        "source = " + qstr(
            f"unemployment rate January 2025 {100 * s.start_rate:.1f} % (the area) x labour force {lf:,.0f} "
            f"({lf_year}) x Dec 2024/Jan 2025 {s.december_over_january:.4f} (Central Finland); split by "
            f"{base_year} average shares ({DATA_TABLE}); replace with your own stock figures"),
        "",
        "[start_state.stock_by_municipality]   "
        "# estimate from the published rate — replace with your own stock figures",
    ]
    L += [f"{qkey(m)} = {fmt(v)}" for m, v in stock.items()]
    L.append("")
    return "\n".join(L), stock, factor


def latest_labour_force(path: Path, municipalities: Sequence[str]) -> tuple[float, str] | None:
    """The municipalities' labour force in the latest year of the data file (None without it)."""
    df = pd.read_csv(path, dtype={"month": str, "municipality": str}, encoding="utf-8")
    if "labour_force" not in df:
        return None
    df = df[df["municipality"].isin(municipalities)].dropna(subset=["labour_force"])
    year = df["month"].str[:4].max()
    last = df[df["month"].str[:4] == year].sort_values("month").groupby("municipality")["labour_force"].last()
    return float(last.sum()), str(year)


def _scale_rule(t: Targets) -> str:
    rule = t.get("start_2025.inflow_scale_rule", str)
    if rule not in ("sustain", "growth"):
        raise InputError(t.path, "start_2025.inflow_scale_rule", f"expected 'sustain' or 'growth', got {rule!r}")
    return rule


def inflow_scale(out: Outcome, s: Settings, level: float | None = None) -> float:
    """The 2025 inflow scale by the rule chosen in targets.toml."""
    return consistent_scale(out, s, level) if s.inflow_scale_rule == "sustain" else s.growth


def consistent_scale(out: Outcome, s: Settings, level: float | None = None) -> float:
    """Inflow scale that would sustain a yearly-average stock `level` (default: growth × the
    hold-out year's average)."""
    if level is None:
        level = s.growth * float(out.oos_obs.to_numpy().sum(axis=1).mean())
    return level / out.stationary_stock_2018_level


def summary(out: Outcome, s: Settings, stock_2025: dict[str, float], factor: float) -> str:
    r, g = out.result, out.result.groups
    lines = [
        f"fit {s.fit_start}..{s.fit_end}: cost {r.cost:.2f}, {r.nfev} evaluations, {r.message}",
        "  starts (short share, short mean, long mean) -> cost: "
        + "; ".join(f"{st} -> {c:.2f}" for st, c in out.all_starts),
        f"  short_group_share {g.short_share:.4f}, short_group_mean_months {g.short_mean:.3f},"
        f" long_group_mean_months {g.long_mean:.3f}",
        f"  approx. s.e. (log/logit scale, sigma={s.setup.sigma_log:.3g}): "
        + ", ".join(f"{k} {v:.3f}" for k, v in r.group_param_se.items()),
        "  implied: "
        + ", ".join(f"{k} {v:.3f}" for k, v in r.statistics.items())
        + f", stationary layoff share of stock {g.stationary_weights()[0]:.4f},"
        f" mean spell {g.mean_spell_months():.2f} months",
        "  inflow seasonal: " + " ".join(f"{v:.3f}" for v in r.inflow_seasonal),
        "  exit seasonal:   " + " ".join(f"{v:.3f}" for v in r.exit_seasonal),
        "  area new registrations/month by year: "
        + ", ".join(f"{y} {v:.1f}" for y, v in out.level_year_factors.items()),
        f"  stationary area stock sustained by the {s.output_year} level: {out.stationary_stock_2018_level:.0f}"
        f" (observed {s.holdout_start[:4]} mean {out.oos_obs.to_numpy().sum(axis=1).mean():.0f})",
        f"in-sample MAPE: area {out.mape_in_area:.2f} %; hubs "
        + ", ".join(f"{h} {v:.2f}" for h, v in out.mape_in_hub.items()),
        "  municipalities: " + ", ".join(f"{m} {v:.2f}" for m, v in out.mape_in_muni.items()),
        f"out-of-sample {s.holdout_start}..{s.holdout_end} MAPE (pool {s.setup.start_pool}):"
        f" area {out.mape_oos_area:.2f} %; hubs "
        + ", ".join(f"{h} {v:.2f}" for h, v in out.mape_oos_hub.items()),
        "  municipalities: " + ", ".join(f"{m} {v:.2f}" for m, v in out.mape_oos_muni.items()),
        f"  with an empty re-entry pool at start: area {out.mape_oos_area_empty_pool:.2f} %; hubs "
        + ", ".join(f"{h} {v:.2f}" for h, v in out.mape_oos_hub_empty_pool.items()),
        "  area 2019 observed vs model: "
        + " ".join(
            f"{a:.0f}/{b:.0f}"
            for a, b in zip(
                out.oos_obs.to_numpy().sum(axis=1), out.oos_model.sum(axis=1), strict=False
            )
        ),
        f"start 2025: area stock {sum(stock_2025.values()):.0f} (rate {100 * s.start_rate:.1f} % x labour force"
        f" x Dec/Jan {s.december_over_january:.4f}); seasonal index {factor:.4f}; inflow scale"
        f" {consistent_scale(out, s, sum(stock_2025.values()) / factor):.4f}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="monthly stocks CSV (month, municipality, unemployed); default %(default)s",
    )
    ap.add_argument(
        "--out-dir",
        type=Path,
        default=REPO / "scenarios" / "base",
        help="where the three scenario files go; default %(default)s",
    )
    ap.add_argument(
        "--targets",
        type=Path,
        default=DEFAULT_TARGETS,
        help="targets and assumptions TOML; default %(default)s",
    )
    args = ap.parse_args(argv)
    try:
        settings = read_settings(load_targets(args.targets))
        region = load_region()
        hubs = {h.name: list(h.serves) for h in region.hubs.values()}
        wide = load_stocks(args.data, list(region.municipality_names))
        data_hash = hashlib.sha256(args.data.read_bytes()).hexdigest()
        out = calibrate(wide, settings, hubs, str(args.data))
    except InputError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 2
    if not out.result.success:
        print(
            f"warning: optimiser did not report convergence: {out.result.message}", file=sys.stderr
        )
    head = lambda title: header(title, out, settings, args.data, data_hash, args.targets)  # noqa: E731
    cal = render_calibrated(out, settings, head("Calibrated inflow and exit parameters"))
    s19 = render_start_2019(out, wide, settings, head("Start state 2019-01-01 (observed)"))
    s25, stock_2025, factor = render_start_2025(
        out, wide, settings, head("Start state 2025-01-01 (from the published unemployment rate)"),
        latest_labour_force(args.data, list(wide.columns))
    )
    out_dir = args.out_dir
    write_atomic(out_dir / "calibrated_2016_2018.toml", cal)
    write_atomic(out_dir / "start_2019.toml", s19)
    write_atomic(out_dir / "start_2025.toml", s25)
    print(summary(out, settings, stock_2025, factor))
    print(
        f"wrote {out_dir / 'calibrated_2016_2018.toml'}, {out_dir / 'start_2019.toml'},"
        f" {out_dir / 'start_2025.toml'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
