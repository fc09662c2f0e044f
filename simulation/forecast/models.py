"""Forecasting models for one monthly series: ETS, SARIMAX, STL + ETS, baselines, combinations.

Every model works on a log scale, ``log(y + offset)`` (offset 0 when all values are
positive, else 1), because the counts are small in the small municipalities
(Kivijärvi about 40) and their ups and downs are proportional to their level. A model is
a frozen *spec* (`ModelSpec`) whose ``fit(y)`` returns a `FittedModel` with

- ``point(h)``: the point forecast on the original scale (the back-transformed forecast
  of the log scale, i.e. the median of the forecast distribution);
- ``simulate(h, z)``: sample paths on the original scale driven by the standard-normal
  draws ``z`` (shape (h, n_paths)) that the caller passes in, so paths of several series
  can be correlated and every run is reproducible from one seed;
- ``innovations``: the one-step errors on the log scale, standardised (for the
  cross-series correlation of the draws), and ``errors``, the one-step errors on the
  original scale (for MinT reconciliation).

Models (statsmodels): ``ets_log`` (`ETSModel`, additive error, additive damped trend,
additive seasonality, on the log scale: the "plain log-ETS" baseline), ``ets_mam``
(`ETSModel` with multiplicative error, damped additive trend and multiplicative
seasonality on the counts themselves), ``stl_ets`` (robust STL of the log series; ETS
with damped trend on the seasonally adjusted part; last year's seasonal pattern carried
forward),
``sarima`` (SARIMAX airline model (0,1,1)(0,1,1)₁₂ on the log scale), ``naive``,
``snaive``, and ``combo(a+b)``: the mean of the members on the log scale, its paths driven
by the same draws.

Longer than 400 lines because one interface with several small model classes (ETS, SARIMAX,
STL, naive, combinations); each is short.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.arima_process import arma2ma
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.statespace.sarimax import SARIMAX

SEASON_MONTHS = 12


class FittedModel(Protocol):
    name: str
    innovations: np.ndarray
    errors: np.ndarray

    def point(self, h: int) -> np.ndarray: ...

    def simulate(self, h: int, z: np.ndarray) -> np.ndarray: ...


class ModelSpec(Protocol):
    name: str

    def fit(self, y: np.ndarray) -> FittedModel: ...


# ---------------------------------------------------------------------------------------
# transform


@dataclass(frozen=True)
class LogScale:
    """``log(y + offset)`` and back; offset 1 if the series has a zero, else 0."""

    offset: float

    @classmethod
    def for_series(cls, y: np.ndarray) -> LogScale:
        return cls(0.0 if np.min(y) > 0 else 1.0)

    def forward(self, y: np.ndarray) -> np.ndarray:
        return np.log(np.asarray(y, dtype=float) + self.offset)

    def back(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(np.exp(x) - self.offset, 0.0)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence statsmodels' convergence and start-value warnings during a fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def _standardise(e: np.ndarray, sigma: float) -> np.ndarray:
    return e / sigma if sigma > 0 else np.zeros_like(e)


@dataclass
class _Fitted:
    """Common fields of a fitted model (on the log scale `scale`)."""

    name: str
    y: np.ndarray
    scale: LogScale
    fitted_log: np.ndarray  # one-step fitted values on the log scale (nan where undefined)
    sigma: float  # standard deviation of the one-step log-scale errors

    @property
    def innovations(self) -> np.ndarray:
        return _standardise(self.scale.forward(self.y) - self.fitted_log, self.sigma)

    @property
    def errors(self) -> np.ndarray:
        return self.y - self.scale.back(self.fitted_log)


# ---------------------------------------------------------------------------------------
# ETS


def _fit_ets(x: np.ndarray, initialization: str, **spec: object):
    """Fit `ETSModel`; ``heuristic`` initial states (Hyndman et al. 2008) when asked and possible.

    Heuristic initial states leave only the smoothing and damping parameters to the
    optimiser, which makes a fit several times faster at about the same accuracy (see
    docs/forecast.md); too short a series falls back to estimated initial states.
    """
    with _quiet():
        if initialization == "heuristic":
            try:
                return ETSModel(x, initialization_method="heuristic", **spec).fit(disp=False)
            except ValueError:
                pass
        return ETSModel(x, **spec).fit(disp=False)


@dataclass(frozen=True)
class EtsLog:
    """`ETSModel` on the log scale (additive error)."""

    trend: str | None = "add"
    damped_trend: bool = True
    seasonal: str | None = "add"
    name: str = "ets_log"
    initialization: str = "estimated"

    def fit(self, y: np.ndarray) -> FittedModel:
        y = np.asarray(y, dtype=float)
        scale = LogScale.for_series(y)
        x = scale.forward(y)
        seasonal = self.seasonal if len(y) >= 2 * SEASON_MONTHS else None
        res = _fit_ets(
            x,
            self.initialization,
            error="add",
            trend=self.trend,
            damped_trend=self.damped_trend and self.trend is not None,
            seasonal=seasonal,
            seasonal_periods=SEASON_MONTHS if seasonal else None,
        )
        return _EtsFitted(
            self.name, y, scale, np.asarray(res.fittedvalues), float(np.sqrt(res.mse)), res
        )


@dataclass
class _EtsFitted(_Fitted):
    res: object = None

    def point(self, h: int) -> np.ndarray:
        return self.scale.back(np.asarray(self.res.forecast(h)))  # type: ignore[attr-defined]

    def point_log(self, h: int) -> np.ndarray:
        return np.asarray(self.res.forecast(h))  # type: ignore[attr-defined]

    def simulate_log(self, h: int, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float).reshape(h, -1)
        sim = self.res.simulate(
            h,
            anchor="end",
            repetitions=z.shape[1],  # type: ignore[attr-defined]
            random_errors=self.sigma * z,
        )
        return np.asarray(sim).reshape(h, -1)

    def simulate(self, h: int, z: np.ndarray) -> np.ndarray:
        return self.scale.back(self.simulate_log(h, z))


@dataclass(frozen=True)
class EtsMultiplicative:
    """`ETSModel` M,Ad,M on the original counts: multiplicative error and seasonality, damped trend.

    Multiplicative errors make the spread proportional to the level, as the log scale does,
    without the log's back-transformation; positive data only (an offset of 1 is added to a
    series with a zero).
    """

    name: str = "ets_mam"
    initialization: str = "estimated"

    def fit(self, y: np.ndarray) -> FittedModel:
        y = np.asarray(y, dtype=float)
        scale = LogScale.for_series(y)
        shifted = y + scale.offset
        seasonal = "mul" if len(y) >= 2 * SEASON_MONTHS else None
        res = _fit_ets(
            shifted,
            self.initialization,
            error="mul",
            trend="add",
            damped_trend=True,
            seasonal=seasonal,
            seasonal_periods=SEASON_MONTHS if seasonal else None,
        )
        fitted_log = np.log(np.maximum(np.asarray(res.fittedvalues), 1e-9))
        return _EtsMulFitted(self.name, y, scale, fitted_log, float(np.sqrt(res.mse)), res)


@dataclass
class _EtsMulFitted(_Fitted):
    res: object = None

    @property
    def innovations(self) -> np.ndarray:
        # relative one-step errors, the model's own innovations, standardised
        fitted = np.exp(self.fitted_log)
        return _standardise((self.y + self.scale.offset - fitted) / fitted, self.sigma)

    def point_log(self, h: int) -> np.ndarray:
        return np.log(np.maximum(np.asarray(self.res.forecast(h)), 1e-9))  # type: ignore[attr-defined]

    def point(self, h: int) -> np.ndarray:
        return self.scale.back(self.point_log(h))

    def simulate_log(self, h: int, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float).reshape(h, -1)
        # relative errors below -1 would make a negative count: truncate the draw there
        e = np.maximum(self.sigma * z, -0.95)
        sim = self.res.simulate(
            h,
            anchor="end",
            repetitions=z.shape[1],  # type: ignore[attr-defined]
            random_errors=e,
        )
        return np.log(np.maximum(np.asarray(sim).reshape(h, -1), 1e-9))

    def simulate(self, h: int, z: np.ndarray) -> np.ndarray:
        return self.scale.back(self.simulate_log(h, z))


# ---------------------------------------------------------------------------------------
# STL + ETS


@dataclass(frozen=True)
class StlEts:
    """Robust STL of the log series; ETS (additive damped trend) on the seasonally adjusted part."""

    name: str = "stl_ets"

    def fit(self, y: np.ndarray) -> FittedModel:
        y = np.asarray(y, dtype=float)
        scale = LogScale.for_series(y)
        x = scale.forward(y)
        with _quiet():
            stl = STL(x, period=SEASON_MONTHS, robust=True).fit()
            seasonal = np.asarray(stl.seasonal)
            adj = x - seasonal
            res = ETSModel(adj, error="add", trend="add", damped_trend=True).fit(disp=False)
        fitted = np.asarray(res.fittedvalues) + seasonal
        return _StlFitted(self.name, y, scale, fitted, float(np.sqrt(res.mse)), res, seasonal)


@dataclass
class _StlFitted(_Fitted):
    res: object = None
    seasonal: np.ndarray | None = None

    def _future_seasonal(self, h: int) -> np.ndarray:
        last = self.seasonal[-SEASON_MONTHS:]  # type: ignore[index]
        return np.resize(last, h)

    def point_log(self, h: int) -> np.ndarray:
        return np.asarray(self.res.forecast(h)) + self._future_seasonal(h)  # type: ignore[attr-defined]

    def point(self, h: int) -> np.ndarray:
        return self.scale.back(self.point_log(h))

    def simulate_log(self, h: int, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float).reshape(h, -1)
        sim = np.asarray(
            self.res.simulate(
                h,
                anchor="end",
                repetitions=z.shape[1],  # type: ignore[attr-defined]
                random_errors=self.sigma * z,
            )
        ).reshape(h, -1)
        return sim + self._future_seasonal(h)[:, None]

    def simulate(self, h: int, z: np.ndarray) -> np.ndarray:
        return self.scale.back(self.simulate_log(h, z))


# ---------------------------------------------------------------------------------------
# SARIMAX


@dataclass(frozen=True)
class Sarima:
    """SARIMAX on the log scale; default the airline model (0,1,1)(0,1,1)12."""

    order: tuple[int, int, int] = (0, 1, 1)
    seasonal_order: tuple[int, int, int] = (0, 1, 1)
    name: str = "sarima"

    def fit(self, y: np.ndarray) -> FittedModel:
        y = np.asarray(y, dtype=float)
        scale = LogScale.for_series(y)
        x = scale.forward(y)
        with _quiet():
            res = SARIMAX(
                x, order=self.order, seasonal_order=(*self.seasonal_order, SEASON_MONTHS)
            ).fit(disp=False)
        fitted = np.asarray(res.fittedvalues, dtype=float).copy()
        burn = self.order[1] + self.seasonal_order[1] * SEASON_MONTHS
        fitted[:burn] = np.nan
        # psi weights of the full (differenced) model, for exact Gaussian sample paths
        ar = np.asarray(res.polynomial_reduced_ar, dtype=float)
        for _ in range(self.order[1]):
            ar = np.convolve(ar, [1.0, -1.0])
        for _ in range(self.seasonal_order[1]):
            ar = np.convolve(ar, np.r_[1.0, np.zeros(SEASON_MONTHS - 1), -1.0])
        ma = np.asarray(res.polynomial_reduced_ma, dtype=float)
        sigma = float(np.sqrt(res.params[-1]))
        return _SarimaFitted(self.name, y, scale, fitted, sigma, res, ar, ma)


@dataclass
class _SarimaFitted(_Fitted):
    res: object = None
    ar: np.ndarray | None = None
    ma: np.ndarray | None = None

    def point_log(self, h: int) -> np.ndarray:
        return np.asarray(self.res.forecast(h))  # type: ignore[attr-defined]

    def point(self, h: int) -> np.ndarray:
        return self.scale.back(self.point_log(h))

    def simulate_log(self, h: int, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float).reshape(h, -1)
        psi = arma2ma(self.ar, self.ma, lags=h)
        lower = np.zeros((h, h))
        for i in range(h):
            lower[i, : i + 1] = psi[: i + 1][::-1]
        return self.point_log(h)[:, None] + lower @ (self.sigma * z)

    def simulate(self, h: int, z: np.ndarray) -> np.ndarray:
        return self.scale.back(self.simulate_log(h, z))


# ---------------------------------------------------------------------------------------
# baselines


@dataclass(frozen=True)
class Naive:
    """Last value carried forward (random walk on the log scale for the paths)."""

    name: str = "naive"

    def fit(self, y: np.ndarray) -> FittedModel:
        y = np.asarray(y, dtype=float)
        scale = LogScale.for_series(y)
        x = scale.forward(y)
        fitted = np.r_[np.nan, x[:-1]]
        sigma = float(np.nanstd(x - fitted, ddof=1))
        return _NaiveFitted(self.name, y, scale, fitted, sigma, 1)


@dataclass(frozen=True)
class SeasonalNaive:
    """The value of the same month a year earlier."""

    name: str = "snaive"

    def fit(self, y: np.ndarray) -> FittedModel:
        y = np.asarray(y, dtype=float)
        scale = LogScale.for_series(y)
        x = scale.forward(y)
        fitted = np.r_[np.full(SEASON_MONTHS, np.nan), x[:-SEASON_MONTHS]]
        sigma = float(np.nanstd(x - fitted, ddof=1))
        return _NaiveFitted(self.name, y, scale, fitted, sigma, SEASON_MONTHS)


@dataclass
class _NaiveFitted(_Fitted):
    lag: int = 1

    def point_log(self, h: int) -> np.ndarray:
        x = self.scale.forward(self.y)
        last = x[-self.lag :]
        return np.resize(last, h)

    def point(self, h: int) -> np.ndarray:
        return self.scale.back(self.point_log(h))

    def simulate_log(self, h: int, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float).reshape(h, -1)
        out = np.empty_like(z)
        base = self.point_log(h)
        for t in range(h):
            prev = out[t - self.lag] if t >= self.lag else base[t]
            out[t] = prev + self.sigma * z[t]
        return out

    def simulate(self, h: int, z: np.ndarray) -> np.ndarray:
        return self.scale.back(self.simulate_log(h, z))


# ---------------------------------------------------------------------------------------
# combinations


@dataclass(frozen=True)
class Combination:
    """Equal-weight mean of member models on the log scale."""

    members: tuple[ModelSpec, ...]

    @property
    def name(self) -> str:
        return "combo(" + "+".join(m.name for m in self.members) + ")"

    def fit(self, y: np.ndarray) -> FittedModel:
        fits = tuple(m.fit(y) for m in self.members)
        return combine_fitted(fits)


def combine_fitted(fits: tuple[FittedModel, ...]) -> FittedModel:
    """A combination of already fitted members (used to avoid refitting in model choice)."""
    y = fits[0].y  # type: ignore[attr-defined]
    scale = fits[0].scale  # type: ignore[attr-defined]
    fitted = np.mean([f.fitted_log for f in fits], axis=0)  # type: ignore[attr-defined]
    e = scale.forward(y) - fitted
    sigma = float(np.sqrt(np.nanmean(e**2)))
    name = "combo(" + "+".join(f.name for f in fits) + ")"
    return _ComboFitted(name, y, scale, fitted, sigma, fits)


@dataclass
class _ComboFitted(_Fitted):
    members: tuple = ()

    def point_log(self, h: int) -> np.ndarray:
        return np.mean([m.point_log(h) for m in self.members], axis=0)

    def point(self, h: int) -> np.ndarray:
        return self.scale.back(self.point_log(h))

    def simulate_log(self, h: int, z: np.ndarray) -> np.ndarray:
        return np.mean([m.simulate_log(h, z) for m in self.members], axis=0)

    def simulate(self, h: int, z: np.ndarray) -> np.ndarray:
        return self.scale.back(self.simulate_log(h, z))


BASELINE_SNAIVE = SeasonalNaive()
BASELINE_LOG_ETS = EtsLog()
"""The issue's two baselines: seasonal naive and plain damped additive ETS on log values."""
