"""An area ten times larger: wall time and peak memory of one replication, against the area itself.

The baseline scenario with its start stock, inflow, customer-service staff, service places
and start participants all multiplied by `--factor` (default 10: about 50,000 unemployed, the
size of the largest employment areas) is run for `--years` (default 1), one replication with
its tables, beside the unscaled baseline in the same run, and the ratios are printed: time
should grow about linearly with the people in the system, and memory no faster (the benefit
engine costs spells by pieces — runs of paid days with one month, amount and share — in chunks
of whole persons, `benefits.CHUNK_SPELLS`, never expanding person-days). Also prints the peak
with the paid days expanded (`keep_days=True`: one entry per paid person-day, as the engine
before issue 15 held them) for the larger area. Traced peaks (tracemalloc) here; the goals'
figures (3 years, resident memory in a child process) are printed by `bench_all.py`.

Usage: python benchmarks/bench_scale.py [--factor 10] [--years 1]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from pathlib import Path
from unittest import mock

from simulation.experiments.runner import simulate_replication
from simulation.money import benefits
from simulation.scenario.config import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def scaled(sc: Scenario, k: float) -> Scenario:
    """The same area with k times the people, staff and service capacity."""
    over: dict = {
        "start_state": {"stock_by_municipality": {m: v * k for m, v in sc.start_state.stock_by_municipality.items()},
                        "service_participants": {n: v * k for n, v in
                                                 (sc.start_state.service_participants or {}).items()}},
        "inflow": {"per_month_by_municipality": {m: v * k for m, v in sc.inflow.per_month_by_municipality.items()}},
        "staff": {"customer_service_fte_total": sc.staff.customer_service_fte_total * k},
        "services": {n: {"places": s.places * k} for n, s in sc.services.items() if s.places is not None},
    }
    return sc.with_overrides(over, name=f"{sc.name}_x{k:g}")


def measure(sc: Scenario, keep_days: bool = False) -> tuple[float, float]:
    """(wall seconds, peak traced MiB) of replication 0 with its tables."""
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    if keep_days:
        orig = benefits.benefit_costs
        with mock.patch("simulation.experiments.runner.benefit_costs",
                        lambda *a, **kw: orig(*a, **{**kw, "keep_days": True})):
            simulate_replication(sc, 0)
    else:
        simulate_replication(sc, 0)
    wall = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return wall, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factor", type=float, default=10.0)
    ap.add_argument("--years", type=float, default=1.0)
    a = ap.parse_args()
    base = load_scenario(ROOT / "scenarios" / "baseline.toml", {"run": {"years": a.years}})
    big = scaled(base, a.factor)
    t1, m1 = measure(base)
    tk, mk = measure(big)
    _, mk_whole = measure(big, keep_days=True)
    stock = sum(big.start_state.stock_by_municipality.values())
    print(f"baseline, {a.years:g} year(s), 1 replication with tables: {t1:.1f} s, peak {m1:.0f} MiB")
    print(f"x{a.factor:g} area (start stock {stock:,.0f}): {tk:.1f} s, peak {mk:.0f} MiB")
    print(f"ratios: time x{tk / t1:.1f}, memory x{mk / m1:.1f} (people x{a.factor:g})")
    print(f"x{a.factor:g} area with the paid days expanded: peak {mk_whole:.0f} MiB "
          f"(pieces save {mk_whole - mk:.0f} MiB)")


if __name__ == "__main__":
    main()
