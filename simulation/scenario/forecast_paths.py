"""The sample paths of a caseload forecast that a scenario's inflow may follow.

``tyosim forecast`` (and ``tyosim calibrate --forecast``) write the municipalities' reconciled
sample paths as Parquet: ``municipality, month (YYYY-MM), path, stock``. A scenario names the
file in ``[inflow.forecast]``; this module reads and checks it (at load, so a file that does
not cover the run is one line and exit 2 before anything runs) and gives a replication's
target: the median path, or sample path r for replication r. Used by `config` and
`model.outlook`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

COLUMNS = ("municipality", "month", "path", "stock")


@lru_cache(maxsize=4)
def _read(file: str, mtime: float) -> pd.DataFrame:
    try:
        df = pd.read_parquet(file)
    except (OSError, ValueError) as e:
        raise InputError(file, None, f"cannot read the forecast paths: {e}") from None
    if not set(COLUMNS) <= set(df.columns):
        raise InputError(file, None, f"expected columns {list(COLUMNS)}, found {list(df.columns)}")
    stock = df["stock"].to_numpy(dtype=float)
    if not np.isfinite(stock).all() or (stock < 0).any():
        raise InputError(file, "stock", "a path has a negative or non-finite stock")
    return df


def read_paths(file: str) -> pd.DataFrame:
    p = Path(file)
    if not p.is_file():
        raise InputError(file, None, "forecast paths file not found (tyosim forecast writes paths.parquet)")
    return _read(str(p), p.stat().st_mtime)


def check_covers(file: str, municipalities: list[str], months: list[str]) -> None:
    """InputError unless the file has paths for every municipality and run month, from the first."""
    df = read_paths(file)
    have_m = set(df["municipality"])
    missing = [m for m in municipalities if m not in have_m]
    if missing:
        raise InputError(file, "municipality", f"the forecast has no paths for {missing}")
    have = sorted(set(df["month"]))
    if months and (months[0] != have[0] or not set(months) <= set(have)):
        raise InputError(file, "month", f"the forecast covers {have[0]}..{have[-1]}; the run needs "
                         f"{months[0]}..{months[-1]} (its first month must be the run's first)")
    paths = sorted(set(df["path"]))
    if paths != list(range(len(paths))):
        raise InputError(file, "path", "paths must be numbered 0, 1, … without gaps")
    sub = df[df["month"].isin(months) & df["municipality"].isin(municipalities)]
    n = sub.groupby(["month", "municipality"]).size()
    full = len(paths)
    if len(n) < len(months) * len(municipalities) or (n != full).any():
        bad = n[n != full]
        where = f"{bad.index[0][1]} {bad.index[0][0]}" if len(bad) else "a month or municipality"
        raise InputError(file, "path", f"every path needs a stock for every run month and municipality; "
                         f"{where} has {int(bad.iloc[0]) if len(bad) else 0} of {full}")


def target_stock(file: str, municipalities: list[str], months: list[str], mode: str,
                 replication: int) -> np.ndarray:
    """Target end-of-month stock (months × municipalities) of one replication."""
    check_covers(file, municipalities, months)
    df = read_paths(file)
    df = df[df["month"].isin(months) & df["municipality"].isin(municipalities)]
    if mode == "median":
        t = df.groupby(["month", "municipality"])["stock"].median()
    else:
        n = int(df["path"].max()) + 1
        if replication >= n:
            raise InputError(file, "path", f"replication {replication} needs its own path; the forecast "
                             f"has {n} (make more paths, or run fewer replications)")
        t = df[df["path"] == replication].set_index(["month", "municipality"])["stock"]
    return t.unstack("municipality").loc[months, municipalities].to_numpy(dtype=float)
