"""Choosing the model for each series by rolling-origin cross-validation on its training data.

For a series that ends at month T, the candidates are fitted on the data up to
T − h − 12k (h = `cv_horizon`, k = 0 … `cv_origins` − 1) and forecast the next h months,
which are still inside the training data. The candidate with the lowest mean MASE over
these inner origins is chosen and refitted on all the data. Nothing after T is ever
looked at, so the choice can be checked honestly by the outer backtest
(`simulation.forecast.backtest`).

Combinations (the mean of two or more candidates on the log scale) are scored from their
members' fits, without fitting again. The method is the same for every series — the
candidate set, the number of inner origins, the scoring — so it applies unchanged to a
municipality it has never seen.

The default candidates are the two ETS forms that did best in the backtest, with
heuristic initial states (fast): additive damped ETS on the log scale and M,Ad,M ETS on
the counts, and their combination. STL + ETS, SARIMAX, naive and seasonal naive are
fitted by `tyosim backtest` for comparison but are not candidates: with them in the set,
the inner cross-validation picked them for series where they then did worse (mean MASE
0.81–0.86 against 0.76–0.77; docs/forecast.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .accuracy import mase
from .models import (
    BASELINE_LOG_ETS,
    BASELINE_SNAIVE,
    EtsLog,
    EtsMultiplicative,
    FittedModel,
    ModelSpec,
    Naive,
    Sarima,
    SeasonalNaive,
    StlEts,
    combine_fitted,
)

DEFAULT_CANDIDATES: tuple[ModelSpec, ...] = (
    EtsLog(name="ets_log_h", initialization="heuristic"),
    EtsMultiplicative(name="ets_mam_h", initialization="heuristic"),
)
DEFAULT_COMBINATIONS: tuple[tuple[str, ...], ...] = (("ets_log_h", "ets_mam_h"),)
COMPARISON_MODELS: tuple[ModelSpec, ...] = (
    EtsMultiplicative(),
    StlEts(),
    Sarima(),
    Naive(),
)
"""Scored in `tyosim backtest` for comparison only (not candidates: see docs/forecast.md)."""

MIN_TRAIN_MONTHS_FOR_CV = 48
"""An inner origin is used only if at least four years of data precede it."""


@dataclass(frozen=True)
class MethodConfig:
    """The forecasting method: candidates, combinations, cross-validation, reconciliation.

    Attributes
    ----------
    candidates : tuple of ModelSpec
        Single models tried for every series.
    combinations : tuple of tuple of str
        Combinations (by candidate names) also tried; the mean on the log scale.
    cv_origins : int
        Inner rolling origins, 12 months apart, the last 12 months before the end.
    cv_horizon : int
        Months forecast from each inner origin.
    reconciliation : str
        ``ols`` (default), ``mint_shrink``, ``bottom_up`` or ``none``.
    default_model : str
        Used when a series is too short for any inner origin.
    comparison : tuple of ModelSpec
        Further models fitted (with `fit_all`) only to be scored beside the method.
    """

    candidates: tuple[ModelSpec, ...] = DEFAULT_CANDIDATES
    combinations: tuple[tuple[str, ...], ...] = DEFAULT_COMBINATIONS
    cv_origins: int = 3
    cv_horizon: int = 12
    reconciliation: str = "ols"
    default_model: str = "ets_log_h"
    comparison: tuple[ModelSpec, ...] = ()

    def spec(self, name: str) -> ModelSpec:
        for c in self.candidates:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.candidates) + tuple(
            combo_name(c) for c in self.combinations
        )

    def members_of(self, option: str) -> tuple[str, ...]:
        for c in self.combinations:
            if combo_name(c) == option:
                return c
        return (option,)


def combo_name(members: tuple[str, ...]) -> str:
    return "combo(" + "+".join(members) + ")"


@dataclass
class Choice:
    """The model chosen for one series, and why.

    Attributes
    ----------
    model : str
        Chosen option (a candidate or ``combo(a+b)``).
    cv_mase : dict
        Mean inner-origin MASE of every option (empty if the series was too short).
    cv_origins_used : int
    fitted : FittedModel
        The chosen option fitted on all the data.
    fitted_options : dict
        Every option fitted on all the data (only when asked for, as in backtests), plus
        the baselines ``snaive`` and ``ets_log`` and the config's comparison models.
    """

    model: str
    cv_mase: dict[str, float]
    cv_origins_used: int
    fitted: FittedModel
    fitted_options: dict[str, FittedModel] = field(default_factory=dict)


def cross_validate(y: np.ndarray, config: MethodConfig) -> tuple[dict[str, float], int]:
    """Mean MASE of every option over the inner origins of `y`.

    Returns
    -------
    scores : dict
        Option name → mean MASE (empty if no inner origin has enough history).
    used : int
        Number of inner origins used.
    """
    h = config.cv_horizon
    n = len(y)
    ends = [n - h - 12 * k for k in range(config.cv_origins)]
    ends = [t for t in ends if t >= MIN_TRAIN_MONTHS_FOR_CV and t + h <= n]
    if not ends:
        return {}, 0
    per_option: dict[str, list[float]] = {o: [] for o in config.option_names}
    for t in ends:
        train, test = y[:t], y[t : t + h]
        fits = {c.name: c.fit(train) for c in config.candidates}
        for c in config.candidates:
            per_option[c.name].append(mase(test, fits[c.name].point(h), train))
        for members in config.combinations:
            f = combine_fitted(tuple(fits[m] for m in members))
            per_option[combo_name(members)].append(mase(test, f.point(h), train))
    return {o: float(np.mean(v)) for o, v in per_option.items()}, len(ends)


def fit_option(
    y: np.ndarray, option: str, config: MethodConfig, cache: dict[str, FittedModel] | None = None
) -> FittedModel:
    """Fit a candidate or a combination on `y` (reusing fits in `cache`)."""
    cache = {} if cache is None else cache
    members = config.members_of(option)
    for m in members:
        if m not in cache:
            cache[m] = config.spec(m).fit(y)
    if len(members) == 1:
        return cache[members[0]]
    return combine_fitted(tuple(cache[m] for m in members))


def choose_and_fit(y: np.ndarray, config: MethodConfig, fit_all: bool = False) -> Choice:
    """Choose the option for `y` by cross-validation and fit it on all of `y`.

    Parameters
    ----------
    y : numpy.ndarray
        The training series (no gaps).
    config : MethodConfig
    fit_all : bool
        Also fit every option and both baselines on all of `y` (for backtest reports).

    Returns
    -------
    Choice
    """
    y = np.asarray(y, dtype=float)
    scores, used = cross_validate(y, config)
    if scores:
        best = min(scores, key=lambda o: (scores[o], o))
    else:
        best = config.default_model if len(y) >= 2 * 12 else "snaive"
    cache: dict[str, FittedModel] = {}
    if best in config.option_names:
        fitted = fit_option(y, best, config, cache)
    else:
        fitted = SeasonalNaive().fit(y)
    options: dict[str, FittedModel] = {}
    if fit_all:
        for o in config.option_names:
            options[o] = fit_option(y, o, config, cache)
        for b in (BASELINE_SNAIVE, BASELINE_LOG_ETS, *config.comparison):
            if b.name not in options:
                options[b.name] = cache.get(b.name) or b.fit(y)
    return Choice(best, scores, used, fitted, options)
