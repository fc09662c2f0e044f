"""The speed and memory goals of issue 15, measured in one run and printed as one table.

Figures (goals from issue 15; benchmarks, not timed tests):

- one 3-year baseline replication with its tables: wall and CPU time (the median of `--reps`
  runs in bare units) and the
  traced peak (tracemalloc) — goals <= 1.5 s and <= 120 MiB; the model run and the benefit
  costing are also timed alone, to show where the time goes;
- the x10 area (`bench_scale.scaled`: start stock, inflow, staff, service places and start
  participants x10), one 3-year replication with its tables, in a child process: wall time
  and the child's peak resident memory (``resource.getrusage``) — goals <= 25 s and <= 1 GiB;
- ``tyosim --help`` and ``tyosim validate scenarios/baseline.toml``: wall time of the whole
  process (median of 5) — goals 0.3 s and 0.6 s.

This machine's speed varies from minute to minute (a shared VM), so a bare SimPy loop (200
processes doing nothing but timeouts) is timed just before and just after each figure, and
every time is also printed in *bare units*: the figure divided by the seconds the bare loop
takes for one million events around it. Ratios in bare units can be compared across machines
and loads; the goals are in seconds, as the issue states them, and are also shown in bare
units of the machine they were set on (`REFERENCE_BARE`), so that a loaded run still says
whether the goal is met. The model's events per second against the bare loop are reported by
`bench_model.py`, not aimed at.

Usage: python benchmarks/bench_all.py [--reps 3] [--factor 10] [--years 3] [--skip-scale]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import simpy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
MIB = 2**20


# ---------------------------------------------------------------------------------------
# the yardstick

def bare_seconds_per_million(n_events: int = 400_000) -> float:
    """Seconds a bare SimPy loop (200 processes, one timeout each a day) takes per 10^6 events."""
    env = simpy.Environment()

    def proc(env):
        while True:
            yield env.timeout(1.0)

    for _ in range(200):
        env.process(proc(env))
    gc_was = gc.isenabled()
    gc.disable()
    t0 = time.perf_counter()
    env.run(until=n_events / 200)
    dt = time.perf_counter() - t0
    if gc_was:
        gc.enable()
    return dt * 1e6 / n_events


# ---------------------------------------------------------------------------------------
# measurements

def _bracketed(f):
    """Run f() between two timings of the bare loop: (f's result, bare seconds per 10^6)."""
    b0 = bare_seconds_per_million()
    out = f()
    return out, (b0 + bare_seconds_per_million()) / 2


def baseline_replication(reps: int) -> dict[str, float]:
    """One 3-year baseline replication with its tables: wall and CPU time, each run between
    two timings of the bare loop; the model and the benefit costing alone; the traced peak."""
    from simulation.experiments.runner import simulate_replication
    from simulation.model.area import AreaModel
    from simulation.money.benefits import benefit_costs
    from simulation.scenario.config import load_scenario

    sc = load_scenario(BASELINE)
    simulate_replication(sc, 0)                    # warm up: imports, rule tables, caches

    def one(r: int) -> tuple[float, float]:
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        simulate_replication(sc, r)
        return time.perf_counter() - t0, time.process_time() - c0

    walls, cpus, bares, models, benefits = [], [], [], [], []
    for r in range(reps):
        (wall, cpu), bare = _bracketed(lambda r=r: one(r))
        walls.append(wall)
        cpus.append(cpu)
        bares.append(bare)
        gc.disable()
        t0 = time.perf_counter()
        model = AreaModel(sc, r)
        rec = model.run()
        models.append(time.perf_counter() - t0)
        sp, sv = rec.array("spells"), rec.array("services")
        t0 = time.perf_counter()
        benefit_costs(sp, sv, sc, model.cal, rules=model.rules, municipalities=model.munis)
        benefits.append(time.perf_counter() - t0)
        gc.enable()
        del model, rec, sp, sv
    gc.collect()
    tracemalloc.start()
    simulate_replication(sc, 0)
    peak = tracemalloc.get_traced_memory()[1] / MIB
    tracemalloc.stop()
    i = sorted(range(reps), key=lambda j: walls[j] / bares[j])[reps // 2]     # the median run
    return {"wall": walls[i], "cpu": cpus[i], "bare": bares[i],
            "wall_min": min(walls), "wall_max": max(walls),
            "model": statistics.median(models), "benefits": statistics.median(benefits),
            "peak_mib": peak, "years": sc.run.years}


def scale_child(factor: float, years: float) -> dict[str, float]:
    """In this (child) process: one replication of the scaled area; wall and CPU time, the
    bare loop before and after, and the process's peak resident memory."""
    from bench_scale import scaled

    from simulation.experiments.runner import simulate_replication
    from simulation.scenario.config import load_scenario

    sc = scaled(load_scenario(BASELINE, {"run": {"years": years}}), factor)

    def one() -> tuple[float, float, int]:
        t0, c0 = time.perf_counter(), time.process_time()
        tables = simulate_replication(sc, 0)
        return time.perf_counter() - t0, time.process_time() - c0, sum(len(df) for df in tables.values())

    (wall, cpu, rows), bare = _bracketed(one)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB   # KiB on Linux
    stock = sum(sc.start_state.stock_by_municipality.values())
    return {"wall": wall, "cpu": cpu, "rss_mib": rss, "bare": bare, "start_stock": stock, "rows": rows}


def run_scale(factor: float, years: float) -> dict[str, float]:
    """`scale_child` in a fresh process, so that its peak RSS is its own."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-scale",
           "--factor", str(factor), "--years", str(years)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_seconds(args: list[str], n: int = 5) -> tuple[float, float]:
    """Median wall time of the whole `tyosim ARGS` process (the console script if installed),
    and the bare loop's seconds per million around the runs."""
    exe = shutil.which("tyosim")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "simulation", *args]
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)   # warm the file caches

    def runs() -> float:
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    return _bracketed(runs)


# ---------------------------------------------------------------------------------------
# report

REFERENCE_BARE = 0.81
"""Seconds per million events of the bare loop on the machine the goals were set on (2 cores,
quiet, 1 December 2026; 0.81-0.91 in quiet runs): a goal of g seconds is g / 0.81 bare units."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3, help="baseline replications timed (median)")
    ap.add_argument("--factor", type=float, default=10.0, help="size of the scaled area")
    ap.add_argument("--years", type=float, default=3.0, help="years of the scaled area's run")
    ap.add_argument("--skip-scale", action="store_true", help="leave out the scaled area")
    ap.add_argument("--child-scale", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child_scale:
        print(json.dumps(scale_child(a.factor, a.years)))
        return

    base = baseline_replication(a.reps)
    scale = None if a.skip_scale else run_scale(a.factor, a.years)
    help_s, help_b = cli_seconds(["--help"])
    validate_s, validate_b = cli_seconds(["validate", str(BASELINE.relative_to(ROOT))])

    print(f"bare SimPy loop, seconds per million events, around each figure: baseline "
          f"{base['bare']:.2f}" + ("" if scale is None else f", x{a.factor:g} area {scale['bare']:.2f}")
          + f", CLI {help_b:.2f}/{validate_b:.2f} (reference machine, quiet: {REFERENCE_BARE})")
    print(f"baseline, {base['years']:g} years, 1 replication with tables: {base['wall']:.2f} s "
          f"(CPU {base['cpu']:.2f} s; range {base['wall_min']:.2f}-{base['wall_max']:.2f} in {a.reps} runs); "
          f"model alone {base['model']:.2f} s, benefit costing alone {base['benefits']:.2f} s")
    rows: list[tuple[str, float, str, float | None]] = [
        ("baseline 3-year replication with tables, s", base["wall"], f"{base['wall'] / base['bare']:.2f}", 1.5),
        ("  of which benefit costing, s", base["benefits"], f"{base['benefits'] / base['bare']:.2f}", None),
        ("baseline replication, traced peak, MiB", base["peak_mib"], "", 120),
    ]
    if scale is not None:
        print(f"x{a.factor:g} area (start stock {scale['start_stock']:,.0f}), {a.years:g} years, 1 replication "
              f"with tables, child process: {scale['wall']:.1f} s (CPU {scale['cpu']:.1f} s), "
              f"peak RSS {scale['rss_mib']:,.0f} MiB")
        rows += [
            (f"x{a.factor:g} area {a.years:g}-year replication, s", scale["wall"],
             f"{scale['wall'] / scale['bare']:.1f}", 25),
            (f"x{a.factor:g} area replication, peak RSS, MiB", scale["rss_mib"], "", 1024),
        ]
    rows += [
        ("tyosim --help, s", help_s, f"{help_s / help_b:.2f}", 0.3),
        ("tyosim validate scenarios/baseline.toml, s", validate_s, f"{validate_s / validate_b:.2f}", 0.6),
    ]
    w = max(len(r[0]) for r in rows)
    print()
    print(f"{'figure':<{w}}  {'measured':>9}  {'bare units':>10}  {'goal':>6}  {'goal, bare':>10}  met")
    print(f"{'-' * w}  {'-' * 9}  {'-' * 10}  {'-' * 6}  {'-' * 10}  ---")
    for name, val, bare_u, goal in rows:
        fmt = ",.0f" if "MiB" in name else ".1f" if val >= 10 else ".2f"
        gb = f"{goal / REFERENCE_BARE:.2f}" if goal is not None and bare_u else ""
        if goal is None:
            met = ""
        elif val <= goal:
            met = "yes"
        elif bare_u and float(bare_u) <= goal / REFERENCE_BARE:
            met = "in bare units (machine loaded)"
        else:
            met = "NO"
        print(f"{name:<{w}}  {format(val, fmt):>9}  {bare_u:>10}  {'' if goal is None else f'{goal:g}':>6}  "
              f"{gb:>10}  {met}")


if __name__ == "__main__":
    main()
