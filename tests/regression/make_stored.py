"""Regenerate the stored results the regression test compares against.

    python tests/regression/make_stored.py

Runs `tests/regression/scenario.toml` (a small area, 2 years, 2 replications, fixed seed) and
writes its monthly, hubs and services tables to `tests/regression/stored/`. Run it only when a
change is *meant* to move the numbers, and say so in the commit; `tests/test_regression.py`
fails on any other change of any figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from simulation.experiments.runner import simulate_replication  # noqa: E402
from simulation.scenario.config import load_scenario  # noqa: E402

REPS = 2


def tables() -> dict:
    sc = load_scenario(HERE / "scenario.toml")
    out = {}
    for r in range(REPS):
        for name, df in simulate_replication(sc, r).items():
            out.setdefault(name, []).append(df.assign(replication=r))
    import pandas as pd
    return {k: pd.concat(v, ignore_index=True) for k, v in out.items()}


def main() -> None:
    stored = HERE / "stored"
    stored.mkdir(exist_ok=True)
    for name, df in tables().items():
        df.to_csv(stored / f"{name}.csv.gz", index=False, float_format="%.10g")
        print(f"wrote {stored / (name + '.csv.gz')}: {len(df)} rows")


if __name__ == "__main__":
    main()
