"""Speed of scenario batches: 1 worker against 2, and the overhead of the Dask path.

Two small-but-real scenarios — ``scenarios/baseline.toml`` shortened to ``--years`` (1)
and the same with more customer-service staff — × ``--reps`` (8) replications, run as
one batch:

- with 1 worker (in this process) and with 2 local worker processes: wall times and the
  speed-up (goal: >= 1.7x on 2 cores);
- on a loopback Dask ``LocalCluster`` of 2 single-threaded worker processes that tyosim
  starts: cluster start-up, wall time, and overhead per replication against the local
  pool ((Dask wall - pool wall) / tasks).

Every run checks that its tables equal the 1-worker tables. Prints figures; asserts
nothing. Wall times include writing the Parquet files and manifests, and starting the
pool (but not the Dask cluster, timed separately). Figures are only as good as the
machine is quiet: the load average is printed.

Usage: python benchmarks/bench_batch.py [--reps 8] [--years 1] [--workers 2] [--no-dask]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.experiments.batch import PoolExecutor, SerialExecutor, run_batch  # noqa: E402
from simulation.scenario.config import load_scenario  # noqa: E402
from simulation.tables.store import TABLES, read_table  # noqa: E402


def scenarios(years: float) -> list:
    base = load_scenario(ROOT / "scenarios" / "baseline.toml", {"run": {"years": years}})
    staff = sum(base.staff_by_hub().values())
    more = base.with_overrides({"staff": {"customer_service_fte_total": round(staff * 1.25, 1)}},
                               name="more_staff")
    return [base, more]


def timed(scs: list, reps: int, out: Path, executor) -> float:
    t0 = time.perf_counter()
    res = run_batch(scs, reps, out, executor=executor, progress=False)
    wall = time.perf_counter() - t0
    if res.failed:
        raise SystemExit(res.failed[0].message)
    return wall


def same_tables(x: Path, y: Path, names: list[str]) -> bool:
    for n in names:
        for t in TABLES:
            try:
                pd.testing.assert_frame_equal(read_table(x / n, t), read_table(y / n, t))
            except AssertionError:
                return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=8)
    ap.add_argument("--years", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    scs = scenarios(args.years)
    names = [s.name for s in scs]
    n_tasks = len(scs) * args.reps
    tmp = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    print(f"{len(scs)} scenarios ({', '.join(names)}; {args.years:g} years) × {args.reps} replications "
          f"= {n_tasks} tasks; {os.cpu_count()} CPUs; load average before "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    try:
        t1 = timed(scs, args.reps, tmp / "w1", SerialExecutor())
        print(f"1 worker:            {t1:7.1f} s  ({t1 / n_tasks:.2f} s per replication)")
        pool = PoolExecutor(args.workers)
        try:
            tw = timed(scs, args.reps, tmp / "wN", pool)
        finally:
            pool.close()
        print(f"{args.workers} workers (pool):    {tw:7.1f} s  speed-up {t1 / tw:.2f}x "
              f"(goal >= 1.7x for 2); tables identical: {same_tables(tmp / 'w1', tmp / 'wN', names)}")
        if not args.no_dask:
            from simulation.experiments.dask_runner import DaskExecutor

            t0 = time.perf_counter()
            dx = DaskExecutor(scheduler=None, workers=args.workers)
            start = time.perf_counter() - t0
            try:
                td = timed(scs, args.reps, tmp / "dask", dx)
            finally:
                t0 = time.perf_counter()
                dx.close()
                stop = time.perf_counter() - t0
            print(f"{args.workers} workers (Dask):    {td:7.1f} s  speed-up {t1 / td:.2f}x; "
                  f"tables identical: {same_tables(tmp / 'w1', tmp / 'dask', names)}")
            print(f"Dask overhead per replication vs the local pool: {(td - tw) / n_tasks * 1000:+.0f} ms "
                  f"({(td - tw) / tw:+.1%} of the pool's wall time); LocalCluster start {start:.1f} s, "
                  f"stop {stop:.1f} s (once per batch)")
        print(f"load average after {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
