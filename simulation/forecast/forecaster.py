"""The caseload forecast: every series chosen, fitted, simulated jointly and reconciled.

Steps, for data cut at month T and a horizon of h months:

1. the hierarchy (`hierarchy.build_hierarchy`): municipalities of the region, their hubs
   and the area, as sums; municipalities outside the region on their own;
2. for every series, a model chosen by rolling-origin cross-validation on its own
   training data and fitted (`selection.choose_and_fit`), in parallel worker processes
   if asked;
3. standard-normal draws for all series at once, correlated across series with the
   (shrunk) correlation of the models' one-step errors, from one seeded
   `numpy.random.Generator`; each model turns its draws into sample paths;
4. reconciliation (`hierarchy`): the point forecasts and every path are projected with
   the same matrix, so municipalities add up to hubs and hubs to the area, path by path;
5. the table of `forecasts.csv`: ``series, level, month, mean, lo80, hi80, lo95, hi95,
   model`` and, after these, ``hub, reconciliation, in_hierarchy, note``. ``mean`` is the
   reconciled point forecast (the back-transformed log-scale forecast, i.e. close to the
   median); the intervals are quantiles of the reconciled paths.

Same data, method, number of paths and seed ⇒ identical output.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario.region import Region
from .data import MonthlyData
from .defaults import (
    DEFAULT_PATHS,  # noqa: E402  (the defaults the CLI shows)
    DEFAULT_SEED,  # noqa: E402  (the defaults the CLI shows)
)
from .hierarchy import (
    Hierarchy,
    SeriesKey,
    build_hierarchy,
    reconcile,
    reconciliation_matrix,
    shrink_covariance,
)
from .models import FittedModel
from .selection import Choice, MethodConfig, choose_and_fit

QUANTILES = {"lo95": 0.025, "lo80": 0.10, "hi80": 0.90, "hi95": 0.975}
FORECAST_COLUMNS = ("series", "level", "month", "mean", "lo80", "hi80", "lo95", "hi95", "model")


@dataclass
class ForecastRun:
    """Everything a forecast produced.

    Attributes
    ----------
    table : pandas.DataFrame
        Rows of `forecasts.csv`.
    keys : list of SeriesKey
        All series: the hierarchy's, then the outside municipalities.
    history : pandas.DataFrame
        Observed values of every series (columns `SeriesKey.id`).
    months : pandas.PeriodIndex
        Forecast months.
    point : numpy.ndarray
        Reconciled point forecasts, (n_series, h).
    paths : numpy.ndarray
        Reconciled sample paths, (n_series, h, n_paths).
    choices : dict
        `SeriesKey.id` → `Choice`.
    hierarchy : Hierarchy
    info : dict
        Seed, paths, reconciliation method, shrinkage intensities, notes.
    """

    table: pd.DataFrame
    keys: list[SeriesKey]
    history: pd.DataFrame
    months: pd.PeriodIndex
    point: np.ndarray
    paths: np.ndarray
    choices: dict[str, Choice]
    hierarchy: Hierarchy
    info: dict[str, object] = field(default_factory=dict)
    base_point: np.ndarray | None = None
    base_paths: np.ndarray | None = None

    def paths_by_key(self) -> dict[tuple[str, str], np.ndarray]:
        return {(k.level, k.name): self.paths[i] for i, k in enumerate(self.keys)}

    def municipal_paths(self) -> pd.DataFrame:
        """The reconciled sample paths of the municipalities, long: ``municipality, month
        (YYYY-MM), path, stock`` — the input of a scenario's ``[inflow.forecast]``."""
        rows = []
        labels = [str(m) for m in self.months]
        for i, k in enumerate(self.keys):
            if k.level != "municipality":
                continue
            p = self.paths[i]                       # (h, n_paths)
            h, n = p.shape
            rows.append(pd.DataFrame({"municipality": k.name, "month": np.repeat(labels, n),
                                      "path": np.tile(np.arange(n), h), "stock": p.ravel()}))
        return pd.concat(rows, ignore_index=True)


def series_table(data: MonthlyData, hierarchy: Hierarchy) -> tuple[list[SeriesKey], pd.DataFrame]:
    """All series to forecast: the hierarchy's (aggregated) and the outside municipalities."""
    keys = list(hierarchy.keys)
    frame = (
        hierarchy.aggregate(data.unemployed)
        if hierarchy.bottom
        else pd.DataFrame(index=data.unemployed.index)
    )
    for m in hierarchy.outside:
        k = SeriesKey("municipality", m)
        keys.append(k)
        frame[k.id] = data.unemployed[m].to_numpy(dtype=float)
    return keys, frame


def _choose(args: tuple[np.ndarray, MethodConfig, bool]) -> Choice:
    y, config, fit_all = args
    return choose_and_fit(y, config, fit_all)


def choose_all(
    frame: pd.DataFrame, config: MethodConfig, workers: int = 1, fit_all: bool = False
) -> dict[str, Choice]:
    """`choose_and_fit` for every column of `frame`, in `workers` processes."""
    jobs = [(frame[c].to_numpy(dtype=float), config, fit_all) for c in frame.columns]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_choose, jobs))
    else:
        results = [_choose(j) for j in jobs]
    return dict(zip(frame.columns, results, strict=False))


def correlated_draws(
    innovations: np.ndarray, h: int, n_paths: int, rng: np.random.Generator
) -> tuple[np.ndarray, float]:
    """Standard-normal draws (n_series, h, n_paths) correlated like the columns of `innovations`.

    The correlation is the Schäfer–Strimmer shrunk correlation of the standardised
    one-step errors (rows with any missing value dropped).
    """
    e = innovations[~np.isnan(innovations).any(axis=1)]
    k = innovations.shape[1]
    if len(e) > k // 2 + 2 and k > 1:
        cov, lam = shrink_covariance(e)
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
    else:
        corr, lam = np.eye(k), 1.0
    chol = np.linalg.cholesky(corr + 1e-9 * np.eye(k))
    z = rng.standard_normal((k, h * n_paths))
    return (chol @ z).reshape(k, h, n_paths), lam


def simulate_and_reconcile(
    keys: list[SeriesKey],
    fitted: list[FittedModel],
    hierarchy: Hierarchy,
    h: int,
    n_paths: int,
    seed: int,
    method: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Base and reconciled point forecasts and paths for fitted models of all series.

    Returns
    -------
    point, paths, base_point, base_paths, info
        Reconciled point (n, h), reconciled paths (n, h, n_paths), and the same before
        reconciliation; info has the shrinkage intensities.
    """
    n_h = hierarchy.n_series
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    innov = np.column_stack([f.innovations for f in fitted])
    z, lam_corr = correlated_draws(innov, h, n_paths, rng)
    base_point = np.vstack([f.point(h) for f in fitted])
    base_paths = np.stack([f.simulate(h, z[i]) for i, f in enumerate(fitted)])
    point, paths = base_point.copy(), base_paths.copy()
    info: dict[str, float] = {"draws_correlation_shrinkage": lam_corr}
    if n_h and method != "none":
        errors = np.column_stack([f.errors for f in fitted[:n_h]])
        errors = errors[~np.isnan(errors).any(axis=1)]
        g, ginfo = reconciliation_matrix(hierarchy.summing, method, errors)
        info.update({f"reconciliation_{k}": v for k, v in ginfo.items()})
        point[:n_h] = reconcile(base_point[:n_h], hierarchy.summing, g)
        paths[:n_h] = reconcile(base_paths[:n_h], hierarchy.summing, g)
    return point, paths, base_point, base_paths, info


def forecast(
    data: MonthlyData,
    region: Region,
    horizon: int = 12,
    config: MethodConfig | None = None,
    n_paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    fit_all: bool = False,
) -> ForecastRun:
    """Forecast every municipality, hub and the area `horizon` months past the data.

    Parameters
    ----------
    data : MonthlyData
        Validated series (cut with ``data.until(...)`` for a backtest).
    region : Region
    horizon : int
        Months ahead.
    config : MethodConfig, optional
        The method; default `MethodConfig()`.
    n_paths : int
        Simulated paths per series (intervals are their quantiles).
    seed : int
        Root seed of the draws.
    workers : int
        Processes for fitting.
    fit_all : bool
        Fit every option and baseline too (backtests).

    Returns
    -------
    ForecastRun
    """
    config = config or MethodConfig()
    hierarchy = build_hierarchy(data.municipalities, region)
    keys, frame = series_table(data, hierarchy)
    choices = choose_all(frame, config, workers, fit_all)
    fitted = [choices[k.id].fitted for k in keys]
    point, paths, base_point, base_paths, info = simulate_and_reconcile(
        keys, fitted, hierarchy, horizon, n_paths, seed, config.reconciliation
    )
    months = pd.period_range(data.last_month + 1, periods=horizon, freq="M")
    table = forecast_table(keys, hierarchy, months, point, paths, choices, config.reconciliation)
    info.update(
        {
            "seed": seed,
            "paths": n_paths,
            "reconciliation": config.reconciliation,
            "data_until": str(data.last_month),
            "notes": list(data.notes) + list(hierarchy.notes),
        }
    )
    return ForecastRun(
        table, keys, frame, months, point, paths, choices, hierarchy, info, base_point, base_paths
    )


def forecast_table(
    keys: list[SeriesKey],
    hierarchy: Hierarchy,
    months: pd.PeriodIndex,
    point: np.ndarray,
    paths: np.ndarray,
    choices: dict[str, Choice],
    reconciliation: str,
) -> pd.DataFrame:
    """The rows of `forecasts.csv` (columns `FORECAST_COLUMNS` first)."""
    q = np.quantile(paths, list(QUANTILES.values()), axis=2)  # (4, n, h)
    rows = []
    n_h = hierarchy.n_series
    for i, k in enumerate(keys):
        inside = i < n_h
        hub = (
            hierarchy.hub_of.get(k.name, "")
            if k.level == "municipality" and inside
            else (k.name if k.level == "hub" else "")
        )
        note = "" if inside else "not in the region: forecast on its own, outside the hierarchy"
        for j, m in enumerate(months):
            row = {"series": k.name, "level": k.level, "month": str(m), "mean": point[i, j]}
            for qi, name in enumerate(QUANTILES):
                row[name] = q[qi, i, j]
            row.update(
                {
                    "model": choices[k.id].model,
                    "hub": hub,
                    "reconciliation": reconciliation if inside else "none",
                    "in_hierarchy": inside,
                    "note": note,
                }
            )
            rows.append(row)
    df = pd.DataFrame(rows)
    cols = list(FORECAST_COLUMNS) + [c for c in df.columns if c not in FORECAST_COLUMNS]
    return df[cols]
