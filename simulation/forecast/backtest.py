"""Rolling-origin backtest: how well the method would have forecast what came after.

For each origin (e.g. 2015-12 … 2018-12) the data are cut at the origin, the whole
method runs (`forecaster.forecast`: model choice by inner cross-validation on the data
up to the origin only, joint simulation, reconciliation), and the next `horizon` months
are compared with what really happened, for every municipality, hub and the area.

Besides the method itself ("chosen + <reconciliation>") every row also scores, on the
same cut data and actuals:

- each single option for all series (unreconciled), including the two baselines the
  issue asks for: ``snaive`` (seasonal naive) and ``ets_log`` (plain damped additive ETS
  on log values);
- the chosen models before reconciliation (``chosen (base)``) and with the other
  reconciliation methods, to show what reconciliation adds.

Measures: MASE (scaled by the in-sample seasonal naive error), sMAPE, and the empirical
coverage of the 80 % and 95 % intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..scenario.region import Region
from .accuracy import coverage, mase, smape
from .data import MonthlyData, parse_month
from .defaults import DEFAULT_ORIGINS  # noqa: E402  (the defaults the CLI shows)
from .forecaster import DEFAULT_PATHS, DEFAULT_SEED, QUANTILES, ForecastRun, forecast
from .hierarchy import RECONCILIATION_METHODS, reconcile, reconciliation_matrix
from .selection import MethodConfig


@dataclass
class BacktestResult:
    """Scores of every method on every origin × series, and the runs that produced them."""

    scores: pd.DataFrame  # origin, series, level, method, mase, smape, cov80, cov95
    method_name: str
    runs: dict[str, ForecastRun]
    horizon: int

    def summary(self) -> pd.DataFrame:
        """Mean MASE, sMAPE and coverage per method, best MASE first."""
        g = self.scores.groupby("method")[["mase", "smape", "cov80", "cov95"]].mean()
        g["n"] = self.scores.groupby("method").size()
        return g.sort_values("mase")

    def by_level(self) -> pd.DataFrame:
        return self.scores.pivot_table(
            index="method", columns="level", values="mase", aggfunc="mean"
        )

    def figures(self) -> dict[str, float]:
        """The issue's goal figures for the method."""
        s = self.summary()
        m, sn, le = (
            s.loc[self.method_name, "mase"],
            s.loc["snaive", "mase"],
            s.loc["ets_log", "mase"],
        )
        return {
            "method_mase": float(m),
            "snaive_mase": float(sn),
            "ets_log_mase": float(le),
            "ratio_to_snaive": float(m / sn),
            "method_cov80": float(s.loc[self.method_name, "cov80"]),
            "method_cov95": float(s.loc[self.method_name, "cov95"]),
        }


def _score(
    actual: np.ndarray, train: np.ndarray, point: np.ndarray, paths: np.ndarray
) -> dict[str, float]:
    q = np.quantile(
        paths, [QUANTILES["lo80"], QUANTILES["hi80"], QUANTILES["lo95"], QUANTILES["hi95"]], axis=1
    )
    n = len(actual)
    return {
        "mase": mase(actual, point[:n], train),
        "smape": smape(actual, point[:n]),
        "cov80": coverage(actual, q[0, :n], q[1, :n]),
        "cov95": coverage(actual, q[2, :n], q[3, :n]),
    }


def run_backtest(
    data: MonthlyData,
    region: Region,
    origins: list[str] | tuple[str, ...] = DEFAULT_ORIGINS,
    horizon: int = 12,
    config: MethodConfig | None = None,
    n_paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    compare_options: bool = True,
) -> BacktestResult:
    """Run the method from each origin and score it against what came after.

    Parameters
    ----------
    data : MonthlyData
        The full series (the actuals come from here).
    region : Region
    origins : sequence of str
        ``YYYY-MM`` months; each needs at least one month of data after it.
    horizon : int
    config : MethodConfig, optional
    n_paths, seed, workers
        As for `forecaster.forecast`.
    compare_options : bool
        Also score every single option and the baselines (fits them all).

    Returns
    -------
    BacktestResult

    Raises
    ------
    InputError
        If an origin is malformed or has no data after it.
    """
    config = config or MethodConfig()
    method_name = f"chosen + {config.reconciliation}"
    rows = []
    runs: dict[str, ForecastRun] = {}
    for o in origins:
        origin = parse_month(o, "--origins")
        if origin >= data.last_month:
            raise InputError(
                data.source,
                "--origins",
                f"origin {origin} leaves no month to check (the data end {data.last_month})",
            )
        cut = data.until(origin)
        run = forecast(
            cut, region, horizon, config, n_paths, seed, workers, fit_all=compare_options
        )
        runs[str(origin)] = run
        full = (
            run.hierarchy.aggregate(data.unemployed)
            if run.hierarchy.bottom
            else pd.DataFrame(index=data.unemployed.index)
        )
        for m in run.hierarchy.outside:
            full[f"municipality:{m}"] = data.unemployed[m]
        after = full.loc[origin + 1 : origin + horizon]
        rng = np.random.default_rng(np.random.SeedSequence([seed, origin.ordinal]))
        n_h = run.hierarchy.n_series
        variants: dict[str, tuple[np.ndarray, np.ndarray]] = {
            method_name: (run.point, run.paths),
            "chosen (base)": (run.base_point, run.base_paths),
        }
        if n_h and compare_options:
            errors = np.column_stack([run.choices[k.id].fitted.errors for k in run.keys[:n_h]])
            errors = errors[~np.isnan(errors).any(axis=1)]
            for rm in RECONCILIATION_METHODS:
                if rm in ("none", config.reconciliation):
                    continue
                g, _ = reconciliation_matrix(run.hierarchy.summing, rm, errors)
                p, pa = run.base_point.copy(), run.base_paths.copy()
                p[:n_h] = reconcile(run.base_point[:n_h], run.hierarchy.summing, g)
                pa[:n_h] = reconcile(run.base_paths[:n_h], run.hierarchy.summing, g)
                variants[f"chosen + {rm}"] = (p, pa)
        for i, k in enumerate(run.keys):
            actual = after[k.id].to_numpy(dtype=float)
            train = run.history[k.id].to_numpy(dtype=float)
            base = {"origin": str(origin), "series": k.name, "level": k.level}
            for name, (p, pa) in variants.items():
                rows.append({**base, "method": name, **_score(actual, train, p[i], pa[i])})
            if compare_options:
                z = rng.standard_normal((horizon, min(n_paths, 500)))
                for name, fitted in run.choices[k.id].fitted_options.items():
                    rows.append(
                        {
                            **base,
                            "method": name,
                            **_score(
                                actual, train, fitted.point(horizon), fitted.simulate(horizon, z)
                            ),
                        }
                    )
    return BacktestResult(pd.DataFrame(rows), method_name, runs, horizon)
