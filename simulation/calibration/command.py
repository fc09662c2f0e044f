"""``tyosim calibrate``: a runnable scenario folder for any set of municipalities.

    tyosim calibrate --data CSV [--municipalities "A,B,C"] [--region FILE]
                     [--fit YYYY-MM:YYYY-MM] [--start YYYY-MM] --out DIR

Reads a monthly file of the shape of Statistics Finland's table 1001 (``month,
municipality, unemployed`` and, to make a region, ``labour_force``), fits inflow levels,
seasonality and the duration structure on the fit window (`fit_area.calibrate`, the same fit
as the default area's), and writes into DIR:

* ``scenario.toml`` — complete: ``[run]`` starting on the first day of ``--start`` from the
  stock observed at the end of the month before, the fitted ``[inflow]`` and ``[exits]``, the
  start state; the fit and hold-out figures in its header. ``tyosim run DIR/scenario.toml``
  runs it as it is;
* ``area.toml`` — the base it extends (staff, working time, meetings, benefits, budget): a
  copy of ``scenarios/base/area.toml``, with the staff and budget of a made region set by the
  rules stated in the scenario;
* ``region.toml`` — when the municipalities are not the default area: the given region file,
  or a region made from the data (one hub per municipality; customer-service staff from the
  national caseload norm, DOMAIN.md §3–5; every assumption written with its source).

When the data hold the 12 months from ``--start``, the command also runs the scenario (the
same history check as ``scenarios/calibration_2019.toml``) and prints the simulated stock's
MAPE against them. Bad input (unknown municipality, too short a fit window, a start month
after the data, a region that does not match the file) is one line, exit 2.

Longer than 400 lines because the whole `tyosim calibrate` pipeline — data, fit, region,
scenario text, forecast, history check — reads best in one place, and each step is its own
function.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..scenario.region import DEFAULT_REGION, Region, load_region
from .fit_area import (
    DATA_TABLE,
    DEFAULT_TARGETS,
    REPO,
    Outcome,
    calibrate,
    fitted_lines,
    fmt,
    load_targets,
    qkey,
    qstr,
    read_monthly,
    read_settings,
    window,
    write_atomic,
)

MIN_FIT_MONTHS = 24
"""A fit needs two full seasonal cycles: one inflow level per year and 12 seasonal factors."""

AREA_BASE = REPO / "scenarios" / "base" / "area.toml"

def default_area_basis(targets: Path) -> dict[str, Any]:
    """What a made region is scaled from, read where each figure lives: the caseload norm
    (targets.toml ``made_region``, with its source), the default area's staff by role (its
    region file, the plan), its budget frame and other expenses (``scenarios/base/area.toml``)
    and its labour force (the region file)."""
    import tomllib

    t = load_targets(targets)
    region = load_region()
    own = region.staff_fte["customer_service"] + region.staff_fte["specialists"] + region.staff_fte["administration"]
    raw = tomllib.loads(AREA_BASE.read_text(encoding="utf-8"))["budget"]
    return {
        "caseload": t.get("made_region.caseload_per_advisor", float, 10, 1000),
        "caseload_source": t.get("made_region.caseload_source", str),
        "staff": {k: float(region.staff_fte[k]) for k in ("customer_service", "specialists",
                                                          "administration", "regional_services_bought")},
        "staff_source": f"{region.name}: staff by role in {region.source_file} (the plan, DOMAIN.md §3)",
        "frame_eur": float(raw["frame_eur_per_year"]),
        "labour_force": float(sum(m.labour_force_2019 for m in region.municipalities.values())),
        "other_per_htv_eur": float(raw["other_expenses_eur_per_year"]) / own,
    }


@dataclass
class Calibrated:
    folder: Path
    scenario_file: Path
    outcome: Outcome
    history_mape: dict[str, float] | None


# ---------------------------------------------------------------------------------------
# inputs

def choose_municipalities(df: pd.DataFrame, path: Path, names: str | None,
                          region: Region | None) -> list[str]:
    known = list(dict.fromkeys(df["municipality"]))
    if names is None:
        wanted = list(region.municipality_names) if region else list(load_region().municipality_names)
    else:
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        if not wanted:
            raise InputError("command line", "--municipalities", "no municipality named")
        if len(set(wanted)) != len(wanted):
            raise InputError("command line", "--municipalities", "a municipality is named twice")
    for m in wanted:
        if m not in known:
            hint = difflib.get_close_matches(m, known, n=1)
            raise InputError(str(path), "municipality", f"unknown municipality {m!r}: not in the file"
                             + (f"; did you mean {hint[0]!r}?" if hint else ""))
    return wanted


def parse_fit(text: str | None, wide: pd.DataFrame, start: str) -> tuple[str, str]:
    """The fit window: given, or the last three full years before the start month."""
    if text is None:
        end = (pd.Period(start, freq="M") - 1)
        end = pd.Period(f"{end.year - 1}-12", freq="M") if end.month != 12 else end
        beg = pd.Period(f"{end.year - 2}-01", freq="M")
        return beg.strftime("%Y-%m"), end.strftime("%Y-%m")
    parts = text.split(":")
    if len(parts) != 2 or not all(pd.Series(parts).str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")):
        raise InputError("command line", "--fit", f"expected YYYY-MM:YYYY-MM, got {text!r}")
    a, b = parts
    if b < a:
        raise InputError("command line", "--fit", f"the window ends ({b}) before it starts ({a})")
    n = (pd.Period(b, freq="M") - pd.Period(a, freq="M")).n + 1
    if n < MIN_FIT_MONTHS:
        raise InputError("command line", "--fit",
                         f"too short a fit window: {n} months; at least {MIN_FIT_MONTHS} are needed "
                         "(one inflow level per year and 12 seasonal factors)")
    before = (pd.Period(a, freq="M") - 1).strftime("%Y-%m")
    if before not in wide.index:
        raise InputError("command line", "--fit", f"the data must hold the month before the fit "
                         f"window ({before}): its stock starts the fit")
    if b > wide.index.max():
        raise InputError("command line", "--fit", f"the fit window ends after the data ({wide.index.max()})")
    return a, b


def parse_start(text: str | None, wide: pd.DataFrame, path: Path) -> str:
    last = str(wide.index.max())
    if text is None:
        return (pd.Period(last, freq="M") + 1).strftime("%Y-%m")
    if not pd.Series([text]).str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").iloc[0]:
        raise InputError("command line", "--start", f"expected YYYY-MM, got {text!r}")
    before = (pd.Period(text, freq="M") - 1).strftime("%Y-%m")
    if before > last:
        raise InputError(str(path), "--start", f"start month {text} is after the data: the stock at the "
                         f"end of {before} is needed and the data end in {last}")
    if before < str(wide.index.min()):
        raise InputError(str(path), "--start", f"start month {text} is before the data ({wide.index.min()})")
    return text


# ---------------------------------------------------------------------------------------
# a region made from the data

def make_region(df: pd.DataFrame, munis: list[str], start_stock: dict[str, float], fit_end: str,
                path: Path, basis: dict[str, Any]) -> tuple[str, dict[str, float]]:
    """region.toml text for `munis` (one hub per municipality) and the staff it implies."""
    if "labour_force" not in df or df["labour_force"].isna().all():
        raise InputError(str(path), "labour_force", "to make a region the data need a labour_force "
                         "column (or give --region FILE)")
    year = fit_end[:4]
    sub = df[df["municipality"].isin(munis)]
    lf_rows = sub[sub["month"].str[:4] <= year].dropna(subset=["labour_force"])
    lf = lf_rows.sort_values("month").groupby("municipality")["labour_force"].last()
    mean = sub[sub["month"].str[:4] == year].groupby("municipality")["unemployed"].mean()
    missing = [m for m in munis if m not in lf.index or m not in mean.index]
    if missing:
        raise InputError(str(path), "labour_force", f"no labour force or stock in {year} for {missing}")
    main = max(munis, key=lambda m: lf[m])
    total = sum(start_stock.values())
    cs = total / basis["caseload"]
    staff = {k: cs * v / basis["staff"]["customer_service"] for k, v in basis["staff"].items()}
    staff["customer_service"] = cs
    L = [
        f"# A region made by `tyosim calibrate` from {path.name} on {datetime.now(UTC).date()}.",
        "# One hub per municipality (no hub structure was given); the largest labour force is the main",
        "# office. REPLACE the staff with your own figures. Rules used:",
        f"#   customer service htv = unemployed at the start ({total:,.0f}) / {basis['caseload']:g}: "
        f"{basis['caseload_source']}",
        f"#   specialists, administration, regional services: in the proportions of {basis['staff_source']}",
        f"#   labour_force_2019 holds the labour force of {lf_rows['month'].max()[:4]} and unemployed_2019_mean",
        f"#   the mean stock of {year} (the field names are the default area's; the values are stated here).",
        "",
        f"name = {qstr('Employment area of ' + ', '.join(munis))}",
        f"responsible_municipality = {qstr(main)}",
        "",
        "[staff_fte]",
    ]
    L += [f"{k} = {fmt(v)}" for k, v in staff.items()]
    for m in munis:
        L += ["", f"[hubs.{qkey(m)}]", f"address = {qstr(m + ' (address not given)')}",
              f"serves = [{qstr(m)}]"] + (["main_office = true"] if m == main else [])
    for m in munis:
        L += ["", f"[municipalities.{qkey(m)}]", f"service_point = {qstr(m)}",
              f"labour_force_2019 = {int(round(lf[m]))}", f"unemployed_2019_mean = {fmt(mean[m])}"]
    return "\n".join(L) + "\n", staff


# ---------------------------------------------------------------------------------------
# the scenario file

def render_scenario(out: Outcome, settings: Any, start: str, stock: dict[str, float], name: str,
                    data: Path, data_hash: str, region_line: str | None, staff_lines: list[str],
                    history: dict[str, float] | None, years: float = 1.0) -> str:
    r, g = out.result, out.result.groups
    fit_txt = f"{settings.fit_start}..{settings.fit_end}"
    has_oos = not math.isnan(out.mape_oos_area)
    L = [
        f"# Scenario made by `tyosim calibrate` on {datetime.now(UTC).date()} — re-run the command rather",
        "# than edit the fitted values; the assumptions below may be edited.",
        f"# Data: {data} ({DATA_TABLE} or the same shape), sha256 {data_hash[:16]}…",
        f"# Municipalities: {', '.join(out.munis)}.",
        f"# Fit window {fit_txt} (end-of-month stocks, least squares on log stocks; targets and",
        "# assumptions: simulation/calibration/targets.toml, each with its source).",
        f"# In-sample MAPE: area {out.mape_in_area:.2f} %; hubs "
        + ", ".join(f"{h} {v:.2f} %" for h, v in out.mape_in_hub.items()) + ".",
        (f"# Out-of-sample {settings.holdout_start}..{settings.holdout_end} (deterministic analogue): area "
         f"{out.mape_oos_area:.2f} %; hubs " + ", ".join(f"{h} {v:.2f} %" for h, v in out.mape_oos_hub.items()) + "."
         if has_oos else "# Out-of-sample: no hold-out year in the data after the fit window."),
        (f"# History check (this scenario simulated from {start}, 12 months, mean of replications): area "
         f"MAPE {history['area']:.2f} %; hubs "
         + ", ".join(f"{h} {v:.2f} %" for h, v in history.items() if h != "area") + "."
         if history else "# History check: the data do not hold the 12 months from the start."),
        f"# Implied stationary statistics: long-term share {r.statistics['long_term_share']:.3f}, new spells "
        f"ending within 3 months {r.statistics['share_new_spells_ending_within_3_months']:.3f}.",
        f"# Start: the observed stock at the end of {(pd.Period(start, freq='M') - 1).strftime('%Y-%m')};"
        f" inflow at the {settings.output_year} level (scale 1: set [inflow] scale or trend_per_year for an outlook).",
        "",
        'extends = "area.toml"',
        "",
        f"name = {qstr(name)}",
        f"description = {qstr('Calibrated on ' + fit_txt + ', starting ' + start)}",
    ]
    if region_line:
        L.append(region_line)
    L += [
        "",
        "[run]",
        f"start_date = {start}-01",
        f"years = {years:g}",
        "replications = 10",
        f"seed = {int(start.replace('-', ''))}",
        "",
    ]
    L += staff_lines
    L += [
    ]
    L += fitted_lines(out, settings)
    L += [
        "[start_state]",
        f"layoff_share = {fmt(float(g.stationary_weights()[0]))}   # stationary lay-off share implied by the fit",
        f"source = {qstr(f'{data.name}: unemployed jobseekers at the end of the month before {start}')}",
        "",
        "[start_state.stock_by_municipality]   # observed",
    ]
    L += [f"{qkey(m)} = {int(round(v))}" for m, v in stock.items()]
    return "\n".join(L) + "\n"


def _staff_lines(staff: dict[str, float], lf_total: float, basis: dict[str, Any]) -> list[str]:
    frame = basis["frame_eur"] * lf_total / basis["labour_force"]
    own = staff["customer_service"] + staff["specialists"] + staff["administration"]
    return [
        "[staff]   # a made region: see region.toml for the rules",
        f"customer_service_fte_total = {fmt(staff['customer_service'])}   # htv, {basis['caseload_source']}",
        f"specialists_fte = {fmt(staff['specialists'])}                  # htv, proportional to the default area",
        f"administration_fte = {fmt(staff['administration'])}",
        f"regional_services_fte = {fmt(staff['regional_services_bought'])}",
        "",
        "[budget]",
        f"frame_eur_per_year = {fmt(frame)}   # DERIVED: the default area's frame €{basis['frame_eur']:,.0f} x labour "
        f"force {lf_total:,.0f} / {basis['labour_force']:,.0f}; replace with the area's state-grant increase",
        f"other_expenses_eur_per_year = {fmt(basis['other_per_htv_eur'] * own)}   # DERIVED: "
        f"€{basis['other_per_htv_eur']:,.0f} per own htv, as the default area (scenarios/base/area.toml)",
        "",
    ]


# ---------------------------------------------------------------------------------------
# the command

def write_forecast(data: Path, out_dir: Path, munis: list[str], region: Region, start: str,
                   months: int, mode: str, n_paths: int, log=print) -> str:
    """Forecast the municipalities' stock from the month before `start` (the caseload
    forecast of ``tyosim forecast``), write its sample paths beside the scenario and return
    the scenario's ``[inflow.forecast]`` section."""
    from dataclasses import replace as dc_replace

    from ..files import write_parquet_atomic
    from ..forecast.data import load_monthly
    from ..forecast.forecaster import DEFAULT_SEED, forecast
    before = (pd.Period(start, freq="M") - 1).strftime("%Y-%m")
    md = load_monthly(data)
    md = dc_replace(md.until(before), unemployed=md.until(before).unemployed[munis])
    log(f"forecasting {len(munis)} municipalities {start} + {months} months ({n_paths} paths) …")
    run = forecast(md, region, months, n_paths=n_paths, seed=DEFAULT_SEED, workers=1)
    write_parquet_atomic(out_dir / "forecast_paths.parquet", run.municipal_paths())
    return "\n".join([
        "[inflow.forecast]   # new registrations follow the caseload forecast (simulation/model/outlook.py)",
        'paths_file = "forecast_paths.parquet"',
        f'mode = "{mode}"                 # median: every replication the median path; paths: each its own',
        "source = " + qstr(f"tyosim forecast on {data.name} up to {before}, {n_paths} reconciled sample paths, "
                           f"seed {DEFAULT_SEED}"),
        "",
    ])


def calibrate_folder(data: Path, out_dir: Path, municipalities: str | None = None,
                     region_file: Path | None = None, fit: str | None = None,
                     start: str | None = None, targets: Path = DEFAULT_TARGETS,
                     check_reps: int = 4, log=print, forecast_mode: str | None = None,
                     forecast_paths: int = 200, years: float = 1.0) -> Calibrated:
    """Fit and write the scenario folder (see the module docstring)."""
    df = read_monthly(data)
    if region_file is not None and not Path(region_file).is_file():
        raise InputError(str(region_file), None, "region file not found")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(str(out_dir), None, "--out is a file, not a folder")
    given_region = load_region(region_file) if region_file is not None else None
    munis = choose_municipalities(df, data, municipalities, given_region)
    if given_region is not None and set(given_region.municipality_names) != set(munis):
        raise InputError(str(region_file), "municipalities",
                         f"the region does not match the data selection: region "
                         f"{sorted(given_region.municipality_names)}, selected {sorted(munis)}")
    sub = df[df["municipality"].isin(munis)]
    wide = sub.pivot(index="month", columns="municipality", values="unemployed")[munis].sort_index()
    start = parse_start(start, wide, data)
    fit_start, fit_end = parse_fit(fit, wide, start)
    if fit_end >= start:
        raise InputError("command line", "--fit", f"the fit window must end before the start month {start}")
    hold_a = (pd.Period(fit_end, freq="M") + 1).strftime("%Y-%m")
    hold_b = (pd.Period(fit_end, freq="M") + 12).strftime("%Y-%m")
    has_holdout = hold_b <= wide.index.max() and not wide.loc[hold_a:hold_b].isna().any().any()
    settings = replace(read_settings(load_targets(targets)), fit_start=fit_start, fit_end=fit_end,
                       holdout_start=hold_a if has_holdout else "",
                       holdout_end=hold_b if has_holdout else "", output_year=int(fit_end[:4]))
    default = given_region is None and municipalities is None
    region = given_region if given_region is not None else (load_region() if default else None)
    before = (pd.Period(start, freq="M") - 1).strftime("%Y-%m")
    stock_row = window(wide, before, before, str(data)).iloc[0]
    stock = {m: float(stock_row[m]) for m in munis}

    if not AREA_BASE.is_file():
        raise InputError(str(AREA_BASE), None, "the base scenario file is missing (run from the project folder)")
    region_line, staff_lines = None, []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(str(out_dir), None, f"cannot create the folder: {e.strerror}") from None
    if region is None:        # make one
        basis = default_area_basis(targets)
        text, staff = make_region(df, munis, stock, fit_end, data, basis)
        write_atomic(out_dir / "region.toml", text)
        region = load_region(out_dir / "region.toml")
        region_line = 'region = "region.toml"          # beside this file'
        lf_total = sum(m.labour_force_2019 for m in region.municipalities.values())
        staff_lines = _staff_lines(staff, lf_total, basis)
    elif given_region is not None:
        shutil.copyfile(region_file, out_dir / "region.toml")
        region_line = 'region = "region.toml"          # a copy of ' + qstr(str(region_file))[1:-1]
    hubs = {h.name: list(h.serves) for h in region.hubs.values()}
    log(f"fitting {len(munis)} municipalities on {fit_start}..{fit_end} …")
    outcome = calibrate(wide, settings, hubs, str(data))
    shutil.copyfile(AREA_BASE, out_dir / "area.toml.tmp")
    (out_dir / "area.toml.tmp").replace(out_dir / "area.toml")
    data_hash = hashlib.sha256(data.read_bytes()).hexdigest()
    name = out_dir.resolve().name
    scen = out_dir / "scenario.toml"
    if forecast_mode is not None:
        staff_lines = staff_lines + [write_forecast(data, out_dir, munis, region, start,
                                                    max(1, math.ceil(12 * years)), forecast_mode,
                                                    forecast_paths, log)]
    write_atomic(scen, render_scenario(outcome, settings, start, stock, name, data, data_hash,
                                       region_line, staff_lines, None, years))
    history = None
    end_12 = (pd.Period(start, freq="M") + 11).strftime("%Y-%m")
    if check_reps > 0 and end_12 <= wide.index.max():
        from ..experiments.validation import history_check
        from ..scenario.config import load_scenario
        log(f"history check: {check_reps} replications of {start}..{end_12} …")
        chk = history_check(load_scenario(scen, {"run": {"years": 1.0}}), wide.loc[start:end_12], reps=check_reps)
        history = {"area": chk.mape_of("area", "area")}
        history.update({h: chk.mape_of("hub", h) for h in hubs})
        write_atomic(scen, render_scenario(outcome, settings, start, stock, name, data, data_hash,
                                           region_line, staff_lines, history, years))
    return Calibrated(out_dir, scen, outcome, history)


__all__ = ["calibrate_folder", "DEFAULT_REGION"]
