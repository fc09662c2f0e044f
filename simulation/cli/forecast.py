"""The `tyosim forecast`, `tyosim backtest` and `tyosim data fetch` commands.

`simulation.cli.main` builds the parsers and calls these functions: each ``add_*`` adds a
command's arguments to its argparse subparser, each ``*_command`` does the work, prints
what a user needs and returns the exit code. Bad input raises `InputError` (the CLI turns
it into ``file: key: reason`` and exit code 2). Files are written atomically.

``forecast`` writes into ``--out``: ``forecasts.csv`` (DESIGN.md columns first),
``costs.csv`` (benefit cost and municipal share by series and year, with intervals),
``fan_hub_*.png`` and ``fan_area_*.png``, and ``forecast_manifest.json`` (data file,
cut-off month, seed, paths, the model chosen for each series with its cross-validation
scores, the cost assumptions and the rules used).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import write_atomic
from ..forecast.backtest import run_backtest
from ..forecast.cost import cost_table, load_cost_assumptions
from ..forecast.data import load_monthly, parse_month
from ..forecast.forecaster import forecast
from ..forecast.plots import chart_file_name, fan_chart
from ..forecast.pxweb import fetch_table, write_csv_atomic
from ..forecast.selection import COMPARISON_MODELS, MethodConfig
from ..scenario.region import load_region
from .argtypes import positive_int
from .forecast_arguments import (  # noqa: F401
    DEFAULT_ORIGINS,
    DEFAULT_PATHS,
    DEFAULT_SEED,
    MAX_HORIZON_MONTHS,
    MAX_PATHS,
    MAX_TIMEOUT_S,
    MAX_WORKERS,
    MIN_PATHS,
    PXWEB_TABLE_URL,
    RECONCILIATION_METHODS,
    add_backtest_arguments,
    add_data_fetch_arguments,
    add_forecast_arguments,
)

_positive_int = positive_int


def _method(args: argparse.Namespace, compare: bool = False) -> MethodConfig:
    return MethodConfig(
        reconciliation=args.reconciliation, comparison=COMPARISON_MODELS if compare else ()
    )


def _write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, text)


def _rules_for(scenario: str | None) -> tuple[Any, str]:
    if scenario:
        from ..scenario.config import load_scenario

        sc = load_scenario(scenario)
        return sc.rules_obj(), f"packaged rules with the overrides of {scenario}"
    from ..scenario.rules import load_rules

    return load_rules(), "packaged rules (simulation/data/rules_fi.toml)"


def forecast_command(args: argparse.Namespace) -> int:
    """Run ``tyosim forecast``: caseload and cost forecasts, fan charts, manifest.

    Returns
    -------
    int
        0 on success. Bad input raises `InputError`.
    """
    t0 = time.perf_counter()
    from ..tables.store import ensure_folder

    ensure_folder(Path(args.out), "--out")   # before minutes of fitting, not after
    data = load_monthly(args.data)
    if args.until:
        data = data.until(parse_month(args.until, "--until"))
    region = load_region()
    run = forecast(data, region, args.horizon, _method(args), args.paths, args.seed, args.workers)
    out = Path(args.out)
    write_csv_atomic(run.table, out / "forecasts.csv")
    from ..files import write_parquet_atomic
    write_parquet_atomic(out / "paths.parquet", run.municipal_paths())

    rules, rules_note = _rules_for(getattr(args, "scenario", None))
    assumptions = load_cost_assumptions(getattr(args, "scenario", None))
    costs = cost_table(run.paths_by_key(), run.months, rules, assumptions)
    write_csv_atomic(costs, out / "costs.csv")

    charts = []
    if not args.no_charts:
        for i, k in enumerate(run.keys):
            if k.level in ("hub", "area") and i < run.hierarchy.n_series:
                rows = run.table[(run.table.level == k.level) & (run.table.series == k.name)]
                charts.append(
                    fan_chart(
                        run.history[k.id],
                        rows,
                        k.name,
                        k.level,
                        out / chart_file_name(k.level, k.name),
                        args.lang,
                        model=f"{run.choices[k.id].model}, {args.reconciliation}",
                    )
                )

    manifest = {
        "command": "forecast",
        "data": str(args.data),
        "data_until": str(data.last_month),
        "horizon_months": args.horizon,
        "seed": args.seed,
        "paths": args.paths,
        "reconciliation": args.reconciliation,
        "info": _jsonable(run.info),
        "models": {
            k.id: {
                "model": run.choices[k.id].model,
                "cv_mase": {o: round(v, 4) for o, v in run.choices[k.id].cv_mase.items()},
                "cv_origins_used": run.choices[k.id].cv_origins_used,
            }
            for k in run.keys
        },
        "outside_hierarchy": list(run.hierarchy.outside),
        "cost_assumptions": assumptions.as_dict(),
        "rules": rules_note,
        "rules_in_force": {
            str(m): _jsonable(rules.sources_on(date(m.year, m.month, 15)))
            for m in (run.months[0], run.months[-1])
        },
        "written": date.today().isoformat(),
        "wall_time_s": round(time.perf_counter() - t0, 2),
    }
    _write_text_atomic(
        out / "forecast_manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2)
    )

    _print_forecast_summary(run, data, costs, out, charts, t0)
    sys.stdout.flush()   # a closed pipe (`| head`) raises here, where `cli.main` catches it
    return 0


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, date):
        return x.isoformat()
    return x


def _print_forecast_summary(
    run: Any, data: Any, costs: pd.DataFrame, out: Path, charts: list, t0: float
) -> None:
    print(
        f"data: {data.source}, {data.first_month}–{data.last_month}, "
        f"{len(data.municipalities)} municipalities"
    )
    for note in run.info.get("notes", []):
        print(f"note: {note}")
    counts = pd.Series([c.model for c in run.choices.values()]).value_counts()
    print(
        "models chosen (rolling-origin cross-validation): "
        + ", ".join(f"{m} ×{n}" for m, n in counts.items())
    )
    print(
        f"reconciliation: {run.info['reconciliation']}; {run.info['paths']} paths, "
        f"seed {run.info['seed']}"
    )
    area = run.table[run.table.level == "area"]
    if len(area):
        first, last = area.iloc[0], area.iloc[-1]
        print(
            f"area {first.series}: {first.month} {first['mean']:.0f} "
            f"(80 %: {first.lo80:.0f}–{first.hi80:.0f}), "
            f"{last.month} {last['mean']:.0f} (80 %: {last.lo80:.0f}–{last.hi80:.0f})"
        )
        ac = costs[costs.level == "area"]
        for _, r in ac.iterrows():
            print(
                f"  benefit cost {r.year} ({r.months} months): €{r.cost_eur / 1e6:.1f} M "
                f"(80 %: {r.cost_eur_lo80 / 1e6:.1f}–{r.cost_eur_hi80 / 1e6:.1f}), municipal share "
                f"€{r.municipal_cost_eur / 1e6:.2f} M"
            )
    print(
        f"wrote {out / 'forecasts.csv'}, {out / 'costs.csv'}, {out / 'forecast_manifest.json'}"
        + (f" and {len(charts)} fan charts" if charts else "")
    )
    print(f"wall time {time.perf_counter() - t0:.1f} s")


def backtest_command(args: argparse.Namespace) -> int:
    """Run ``tyosim backtest`` and print MASE, sMAPE and interval coverage per method."""
    t0 = time.perf_counter()
    if args.out:
        out = Path(args.out)
        if out.is_dir():
            raise InputError(str(out), "--out", "is a folder; give a CSV file name")
        if any(p.exists() and not p.is_dir() for p in out.parents):
            raise InputError(str(out), "--out", "a part of the path is a file, not a folder")
    data = load_monthly(args.data)
    origins = [o.strip() for o in str(args.origins).split(",") if o.strip()]
    if not origins:
        raise InputError("command line", "--origins", "no origin given")
    for o in origins:
        parse_month(o, "--origins")
    region = load_region()
    res = run_backtest(
        data,
        region,
        origins,
        args.horizon,
        _method(args, compare=True),
        args.paths,
        args.seed,
        args.workers,
    )
    summary = res.summary()
    n_series = (
        res.scores.drop_duplicates(["origin", "series", "level"]).groupby("origin").size().max()
    )
    print(
        f"backtest: {data.source}; origins {', '.join(origins)}; horizon {args.horizon} months; "
        f"{n_series} series per origin; {args.paths} paths, seed {args.seed}"
    )
    print(f"{'method':38s} {'MASE':>6s} {'sMAPE%':>7s} {'cov80':>6s} {'cov95':>6s}")
    for name, r in summary.iterrows():
        tag = {
            "snaive": "  (baseline: seasonal naive)",
            "ets_log": "  (baseline: plain log-ETS)",
            res.method_name: "  <= the method",
        }.get(str(name), "")
        print(f"{str(name):38s} {r.mase:6.3f} {r.smape:7.2f} {r.cov80:6.1%} {r.cov95:6.1%}{tag}")
    f = res.figures()
    print(
        f"method / seasonal naive MASE = {f['ratio_to_snaive']:.3f} (goal ≤ 0.7); "
        f"method {f['method_mase']:.3f} vs plain log-ETS {f['ets_log_mase']:.3f} (goal: below); "
        f"80 % coverage {f['method_cov80']:.1%} (goal 70–90 %)"
    )
    by_level = res.by_level().loc[[res.method_name, "ets_log", "snaive"]]
    print(
        "mean MASE by level: "
        + "; ".join(
            f"{m}: " + ", ".join(f"{lv} {v:.3f}" for lv, v in row.items())
            for m, row in by_level.iterrows()
        )
    )
    chosen = pd.Series(
        [c.model for run in res.runs.values() for c in run.choices.values()]
    ).value_counts()
    print("models chosen over all origins: " + ", ".join(f"{m} ×{n}" for m, n in chosen.items()))
    if args.out:
        write_csv_atomic(res.scores, Path(args.out))
        print(f"wrote {args.out}")
    print(f"wall time {time.perf_counter() - t0:.1f} s")
    return 0


def data_fetch_command(args: argparse.Namespace) -> int:
    """Run ``tyosim data fetch``: download the series from Statistics Finland's PxWeb API."""
    if getattr(args, "data_command", "fetch") != "fetch":
        raise InputError("command line", "data", f"unknown data command {args.data_command!r}")
    from urllib.parse import urlparse

    url = urlparse(str(args.url))
    if url.scheme not in ("http", "https") or not url.netloc:
        raise InputError("command line", "--url", f"expected an http(s):// address, got {args.url!r}")
    out = Path(args.out)
    if out.is_dir():
        raise InputError(str(out), "--out", "is a folder; give a CSV file name")
    if any(p.exists() and not p.is_dir() for p in out.parents):
        raise InputError(str(out), "--out", "a part of the path is a file, not a folder")
    if args.municipalities:
        munis = [m.strip() for m in args.municipalities.split(",") if m.strip()]
    else:
        munis = list(load_region().municipality_names)
    table = fetch_table(args.out, munis, args.url, args.timeout)
    months = sorted(table["month"].unique())
    print(
        f"wrote {args.out}: {len(table)} rows, {table['municipality'].nunique()} municipalities, "
        f"{months[0]}–{months[-1]} (Statistics Finland, Employment Service Statistics, CC BY 4.0)",
        file=sys.stdout,
    )
    return 0
