"""Forecast accuracy measures: MASE, sMAPE and interval coverage.

MASE (Hyndman & Koehler 2006) divides the mean absolute error of a forecast by the mean
absolute error of the seasonal naive forecast *within the training data* (lag 12), so a
value below 1 beats last year's figures repeated, on average over the training years.
sMAPE is the symmetric mean absolute percentage error in per cent (0–200).
"""

from __future__ import annotations

import numpy as np

SEASON_MONTHS = 12


def mase_scale(train: np.ndarray, season: int = SEASON_MONTHS) -> float:
    """In-sample mean absolute seasonal difference of `train` (the MASE denominator)."""
    train = np.asarray(train, dtype=float)
    if len(train) <= season:
        d = np.abs(np.diff(train))
    else:
        d = np.abs(train[season:] - train[:-season])
    scale = float(np.mean(d)) if len(d) else 0.0
    return scale if scale > 0 else 1.0


def mase(
    actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int = SEASON_MONTHS
) -> float:
    """Mean absolute scaled error of `forecast` against `actual`, scaled on `train`."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    return float(np.mean(np.abs(a - f)) / mase_scale(train, season))


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric mean absolute percentage error, per cent."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    denom = np.abs(a) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(denom > 0, 2 * np.abs(a - f) / denom, 0.0)
    return float(100 * np.mean(r))


def coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of `actual` values inside [lo, hi]."""
    a = np.asarray(actual, dtype=float)
    return float(np.mean((a >= np.asarray(lo)) & (a <= np.asarray(hi))))
