"""Speed of the SimPy model against bare SimPy, measured in the same run.

Prints, for the baseline scenario (3 years):
- the model's rate against a bare SimPy loop of timeouts measured just before and just
  after each replication (issue 3 asked >= 40 %; reported, not aimed at — the ratio
  rewards more events, not less work: docs/model.md, "Events and speed"), counted two ways:
  * SimPy events: what SimPy's event loop processes (registrations, exits, service
    ends, office days, ...);
  * model events: SimPy events plus the meetings each office day holds, which the model
    handles as callbacks inside the office-day event instead of one SimPy event each;
  and, for reference, the same loop when each event does only the least bookkeeping a
  meeting needs (a draw, a heap push and pop, a record);
- wall time of one 3-year baseline replication, model alone and with its tables
  (goal: under 5 s on this 2-core machine), and its peak memory (tracemalloc).

This machine's speed varies by up to 2x from minute to minute (a shared VM), so each
figure is measured `--reps` times; the ratio is taken per pair (model and the bare loop
around it) and the median is printed with the range.

Usage: python benchmarks/bench_model.py [SCENARIO] [--reps N]
"""

from __future__ import annotations

import argparse
import gc
import heapq
import itertools
import statistics
import time
import tracemalloc
from pathlib import Path

import simpy

from simulation.experiments.runner import simulate_replication
from simulation.model.area import AreaModel
from simulation.model.streams import Buffered, stream
from simulation.scenario.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def bare_simpy_rate(n_events: int = 400_000) -> float:
    """Events per second of 200 processes doing nothing but timeouts."""
    env = simpy.Environment()

    def proc(env):
        while True:
            yield env.timeout(1.0)

    for _ in range(200):
        env.process(proc(env))
    return _timed_rate(env, n_events)


def bookkeeping_loop_rate(n_events: int = 400_000) -> float:
    """Events per second of the bare loop when each event also does the least bookkeeping a
    meeting needs: one random draw, a booking pushed to and popped from an appointment
    heap, the next due day computed, and one record appended. A reference for the ratio
    goal: the model's events cannot be cheaper than this."""
    env = simpy.Environment()
    book: list = []
    records: list = []
    draw = Buffered(stream(0, 0, "bench")).uniform
    seq = itertools.count()

    def proc(env, who):
        due = 0
        while True:
            yield env.timeout(1.0)
            due += 10 + int(5 * draw())
            heapq.heappush(book, (due, next(seq), who))
            d, s, w = heapq.heappop(book)
            records.append((w, 0, 1, 2, d, d - 5, d, 30.0, False))

    for i in range(200):
        env.process(proc(env, i))
    return _timed_rate(env, n_events)


def _timed_rate(env: simpy.Environment, n_events: int) -> float:
    """Run 200 one-event-a-day processes for n_events events; events per second."""
    gc.disable()
    t0 = time.perf_counter()
    env.run(until=n_events / 200)
    dt = time.perf_counter() - t0
    gc.enable()
    return n_events / dt


def model_run(scenario, rep: int) -> tuple[float, int, int]:
    """(seconds, SimPy events, meetings held by staff) of one replication's model run."""
    model = AreaModel(scenario, rep)
    gc.disable()
    t0 = time.perf_counter()
    rec = model.run()
    dt = time.perf_counter() - t0
    gc.enable()
    simpy_events = next(model.env._eid) - len(model.env._queue)   # scheduled, less those left pending
    held = int((rec.columns("meetings").purchased == 0).sum())
    return dt, simpy_events, held


def _spread(xs: list[float], fmt: str) -> str:
    return f"{format(statistics.median(xs), fmt)} (range {format(min(xs), fmt)}-{format(max(xs), fmt)})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "baseline.toml"))
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    print(f"scenario {sc.name}: {sc.run.years} years from {sc.run.start_date}; {args.reps} measurements each")

    r_simpy, r_model, walls, bares, r_book = [], [], [], [], []
    for r in range(args.reps):
        before = bare_simpy_rate()
        r_book.append(bookkeeping_loop_rate() / before)
        dt, n_simpy, n_held = model_run(sc, r)
        after = bare_simpy_rate()
        bare = (before + after) / 2
        bares.append(bare)
        walls.append(dt)
        r_simpy.append(n_simpy / dt / bare)
        r_model.append((n_simpy + n_held) / dt / bare)
        print(f"  replication {r}: {dt:.2f} s; {n_simpy:,} SimPy events + {n_held:,} meetings held "
              f"= {(n_simpy + n_held) / dt:,.0f} model events/s; bare SimPy {bare:,.0f} events/s")
    print(f"bare SimPy loop: {_spread(bares, ',.0f')} events/s")
    print(f"model, SimPy events: {_spread([100 * x for x in r_simpy], '.0f')} % of bare SimPy (issue 3 asked >= 40 %)")
    print(f"model, model events: {_spread([100 * x for x in r_model], '.0f')} % of bare SimPy (issue 3 asked >= 40 %)")
    print(f"reference, bare loop + least bookkeeping of a meeting per event: "
          f"{_spread([100 * x for x in r_book], '.0f')} % of bare SimPy")
    print(f"model run: {_spread(walls, '.2f')} s")

    with_tables = []
    for r in range(args.reps):
        t0 = time.perf_counter()
        tables = simulate_replication(sc, r)
        with_tables.append(time.perf_counter() - t0)
    rows = sum(len(df) for df in tables.values())
    print(f"one replication with tables: {_spread(with_tables, '.2f')} s wall (goal < 5 s); {rows:,} table rows")

    tracemalloc.start()
    model = AreaModel(sc, 0)
    model.run()
    model_peak = tracemalloc.get_traced_memory()[1]
    del model
    tracemalloc.reset_peak()
    simulate_replication(sc, 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory: model {model_peak / 2**20:.0f} MiB; replication with tables {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
