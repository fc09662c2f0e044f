"""Benchmark: fit and choose the models of all 18 series (issue 5 goal: under 60 s on 2 cores).

Measures, in one run on the same data (the real series up to 2020-10):

1. *the method*: model choice by rolling-origin cross-validation and the final fits for
   the 13 municipalities, 4 hubs and the area (`forecaster.choose_all`), with
   ``--workers`` processes;
2. *the full forecast*: the same plus the joint simulation (``--paths``) and reconciliation;
3. *the baseline*: one plain log-ETS fit (estimated initial states) per series, in one
   process — the cost of the simplest model the method must beat.

and prints the wall times and the ratio method / baseline. Run:

    python benchmarks/bench_forecast.py [--data CSV] [--workers 2] [--paths 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulation.forecast.data import load_monthly  # noqa: E402
from simulation.forecast.forecaster import choose_all, forecast, series_table  # noqa: E402
from simulation.forecast.hierarchy import build_hierarchy  # noqa: E402
from simulation.forecast.models import BASELINE_LOG_ETS  # noqa: E402
from simulation.forecast.selection import MethodConfig  # noqa: E402
from simulation.scenario.region import load_region  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "unemployed_monthly_area.csv"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--paths", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; the best time is reported")
    args = ap.parse_args()
    if not Path(args.data).is_file():
        print(f"data not found: {args.data}", file=sys.stderr)
        return 2
    data = load_monthly(args.data)
    region = load_region()
    config = MethodConfig()
    hierarchy = build_hierarchy(data.municipalities, region)
    _, frame = series_table(data, hierarchy)

    def best_of(fn) -> float:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    t_choose = best_of(lambda: choose_all(frame, config, workers=args.workers))
    t_full = best_of(lambda: forecast(data, region, 12, config, args.paths, workers=args.workers))
    t_base = best_of(lambda: [BASELINE_LOG_ETS.fit(frame[c].to_numpy()) for c in frame.columns])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_forecast: {len(frame.columns)} series, {len(frame)} months, data {args.data}")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f} at the end; best of {args.repeat}"
    )
    print(
        f"fit + choose (method, {args.workers} workers):        {t_choose:6.2f} s   (goal < 60 s)"
    )
    print(f"full forecast (+ {args.paths} joint paths, reconcile): {t_full:6.2f} s")
    print(f"baseline: plain log-ETS fit of every series (1 process): {t_base:6.2f} s")
    print(f"ratio fit + choose / baseline: {t_choose / t_base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
