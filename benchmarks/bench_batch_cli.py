"""Whole-process speed of `tyosim batch`: 1 worker against 2, as a user runs it.

Two scenarios (the baseline and the same with 50 customer-service fte) × ``--reps`` (4)
replications, for 1-year and 3-year runs, each `tyosim batch` a fresh process into a fresh
folder: the times include start-up, writing the tables and the manifests. Goals (issue 15):
2 workers ≥ 1.7× the 1-worker time on 3-year runs, ≥ 1.4× on 1-year runs. Prints figures;
asserts nothing; the load average is printed (figures are only as good as the machine is quiet).

Usage: python benchmarks/bench_batch_cli.py [--reps 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {1: 1.4, 3: 1.7}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_batch_cli_"))
    base = ROOT / "scenarios" / "baseline.toml"
    more = tmp / "more.toml"
    more.write_text(f'extends = "{base}"\nname = "more_staff"\n[staff]\ncustomer_service_fte_total = 50.0\n')
    print(f"load average before {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs")
    try:
        for years, goal in GOALS.items():
            wall = {}
            for w in (1, 2):
                out = tmp / f"out_{years}_{w}"
                t0 = time.perf_counter()
                r = subprocess.run([sys.executable, "-m", "simulation", "batch", str(base), str(more),
                                    "--reps", str(args.reps), "--years", str(years), "--workers", str(w),
                                    "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=ROOT)
                wall[w] = time.perf_counter() - t0
                if r.returncode:
                    raise SystemExit(r.stderr[-2000:])
            ratio = wall[1] / wall[2]
            print(f"{years}-year runs, 2 scenarios x {args.reps} reps: 1 worker {wall[1]:.1f} s, 2 workers "
                  f"{wall[2]:.1f} s, speed-up {ratio:.2f}x (goal >= {goal}x: {'met' if ratio >= goal else 'NOT met'})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
