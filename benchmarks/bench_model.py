"""Speed of the SimPy model against bare SimPy, measured in the same run.

Prints:
- events per second of one baseline replication (the model) and of a bare SimPy loop
  of timeouts (the baseline of SimPy itself), and their ratio (goal: >= 40 %);
- wall time and peak memory (tracemalloc) of one 3-year baseline replication
  (goal: under 5 s on a 2-core machine), with the time to build the tables.

Usage: python benchmarks/bench_model.py [SCENARIO] [--reps N]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from pathlib import Path

import simpy

from simulation.config import load_scenario
from simulation.experiment import simulate_replication
from simulation.model.area import AreaModel

ROOT = Path(__file__).resolve().parents[1]


def bare_simpy_rate(n_events: int = 400_000) -> float:
    """Events per second of 200 processes doing nothing but timeouts."""
    env = simpy.Environment()

    def proc(env):
        while True:
            yield env.timeout(1.0)

    for _ in range(200):
        env.process(proc(env))
    t0 = time.perf_counter()
    env.run(until=n_events / 200)
    dt = time.perf_counter() - t0
    return n_events / dt


def model_run(scenario, rep: int) -> tuple[float, int]:
    model = AreaModel(scenario, rep)
    gc.disable()
    t0 = time.perf_counter()
    model.run()
    dt = time.perf_counter() - t0
    gc.enable()
    n = next(model.env._eid)  # events scheduled so far
    return dt, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "baseline.toml"))
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    print(f"scenario {sc.name}: {sc.run.years} years from {sc.run.start_date}")

    bare = bare_simpy_rate()
    rates, walls = [], []
    for r in range(args.reps):
        dt, n = model_run(sc, r)
        rates.append(n / dt)
        walls.append(dt)
        print(f"  replication {r}: {n:,} events in {dt:.2f} s = {n / dt:,.0f} events/s")
    model_rate = sum(rates) / len(rates)
    print(f"bare SimPy loop: {bare:,.0f} events/s")
    print(f"model: {model_rate:,.0f} events/s = {100 * model_rate / bare:.0f} % of bare SimPy (goal >= 40 %)")

    tracemalloc.start()
    t0 = time.perf_counter()
    tables = simulate_replication(sc, 0)
    wall = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t0 = time.perf_counter()
    simulate_replication(sc, 1)
    wall_untraced = time.perf_counter() - t0
    rows = sum(len(df) for df in tables.values())
    print(f"one replication with tables: {wall_untraced:.2f} s wall (goal < 5 s); "
          f"peak traced memory {peak / 2**20:.0f} MiB ({wall:.2f} s under tracemalloc); {rows:,} table rows")


if __name__ == "__main__":
    main()
