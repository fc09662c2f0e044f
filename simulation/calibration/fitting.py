"""Least-squares fit of the deterministic analogue to monthly stocks by municipality.

Free parameters (all shared across municipalities unless stated):

* inflow level of new registrations per municipality and calendar year (M × Y);
* 12 inflow seasonal factors (11 free, average exactly 1 by construction);
* optionally 12 exit seasonal factors (11 free, with a ridge prior towards 1), else fixed 1;
* short-group share (logit), short-group mean and long-group mean (log).

The residuals are ``weight_m * (log model − log observed) / sigma`` for every
municipality-month, plus one penalty residual ``sqrt(weight) * (implied − target) /
tolerance`` for each target on the stationary implied statistics (long-term share of stock,
mean elapsed duration, ...). The layoff share and mean, employment shares and re-entry
parameters are fixed assumptions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from .analogue import (
    DAYS_PER_MONTH,
    FloatArray,
    FlowParams,
    GroupParams,
    Trajectory,
    free_from_seasonal,
    seasonal_from_free,
    simulate,
    stationary_start,
)

WEEKS_PER_MONTH = DAYS_PER_MONTH / 7.0

#: Implied statistics a penalty can target, by name.
STATISTICS: dict[str, Callable[[GroupParams], float]] = {
    "long_term_share": lambda g: g.long_term_share(12.0),
    "mean_elapsed_duration_weeks": lambda g: g.mean_elapsed_months() * WEEKS_PER_MONTH,
    "share_new_spells_ending_within_3_months": lambda g: g.share_ending_within(3.0),
}


@dataclass(frozen=True)
class Penalty:
    statistic: str
    target: float
    tolerance: float
    weight: float = 1.0

    def residual(self, g: GroupParams) -> float:
        return float(
            np.sqrt(self.weight) * (STATISTICS[self.statistic](g) - self.target) / self.tolerance
        )


@dataclass(frozen=True)
class FitSetup:
    """Everything the fit holds fixed, plus options."""

    layoff_share: float
    layoff_mean: float
    flows: FlowParams
    penalties: tuple[Penalty, ...] = ()
    fit_exit_seasonal: bool = False
    exit_seasonal_prior_sd: float = 0.1  # sd of log factor when fitted
    sigma_log: float = 0.05  # assumed sd of log-stock residuals
    seasonal_log_ratio_bound: float = 4.0  # |log(f_i / f_Dec)| bound, keeps factors > 0
    short_share_bounds: tuple[float, float] = (0.05, 0.95)
    short_mean_bounds: tuple[float, float] = (0.25, 6.0)
    long_mean_bounds: tuple[float, float] = (6.0, 240.0)
    initial_short_share: float = 0.7
    initial_short_mean: float = 3.0
    initial_long_mean: float = 14.0
    start_pool: str = "stationary"


@dataclass
class FitResult:
    groups: GroupParams
    levels: FloatArray  # (M, Y) new registrations per month, seasonally adjusted
    inflow_seasonal: FloatArray  # (12,)
    exit_seasonal: FloatArray  # (12,)
    trajectory: Trajectory
    fitted: FloatArray  # (T, M) model end-of-month stocks
    cost: float
    success: bool
    message: str
    nfev: int
    statistics: dict[str, float] = field(default_factory=dict)
    group_param_se: dict[str, float] = field(default_factory=dict)  # approx. relative s.e.
    jac_condition: float = float("nan")


def _unpack(
    x: FloatArray, M: int, Y: int, setup: FitSetup
) -> tuple[FloatArray, FloatArray, FloatArray, GroupParams]:
    i = 0
    levels = np.exp(x[i : i + M * Y]).reshape(M, Y)
    i += M * Y
    f_in = seasonal_from_free(x[i : i + 11])
    i += 11
    if setup.fit_exit_seasonal:
        f_ex = seasonal_from_free(x[i : i + 11])
        i += 11
    else:
        f_ex = np.ones(12)
    short_share = 1.0 / (1.0 + np.exp(-x[i]))
    groups = GroupParams(
        setup.layoff_share,
        setup.layoff_mean,
        float(short_share),
        float(np.exp(x[i + 1])),
        float(np.exp(x[i + 2])),
    )
    return levels, f_in, f_ex, groups


def run_model(
    levels: FloatArray,
    inflow_seasonal: FloatArray,
    exit_seasonal: FloatArray,
    groups: GroupParams,
    flows: FlowParams,
    start_stock: FloatArray,
    calendar_month: NDArray[np.int_],
    days: FloatArray,
    year_index: NDArray[np.int_],
    start_pool: str = "stationary",
) -> Trajectory:
    """Run the analogue with levels (M, Y) indexed by `year_index` (T,)."""
    new = (
        np.asarray(levels)[:, np.asarray(year_index)].T
        * np.asarray(inflow_seasonal)[np.asarray(calendar_month) - 1][:, None]
    )
    by_group, pool = stationary_start(start_stock, groups, flows, start_pool)
    return simulate(new, calendar_month, days, exit_seasonal, groups, flows, by_group, pool)


def _jacobian_sparsity(T: int, M: int, Y: int, n_pen: int, fit_exit: bool) -> NDArray[np.int8]:
    """Which residuals each parameter can move: a municipality's levels move only its own
    rows, so finite differences perturb the levels of all municipalities at once."""
    n_ex = 11 if fit_exit else 0
    n_par = M * Y + 11 + n_ex + 3
    n_res = T * M + n_pen + (12 if fit_exit else 0)  # ridge rows: log of all 12 factors
    S = np.zeros((n_res, n_par), dtype=np.int8)
    rows = np.arange(T * M).reshape(T, M)
    for m in range(M):
        S[rows[:, m][:, None], m * Y + np.arange(Y)[None, :]] = 1
    S[: T * M, M * Y :] = 1  # shared parameters move every data row
    S[T * M : T * M + n_pen, n_par - 3 :] = 1  # penalties depend on group parameters only
    if fit_exit:
        S[T * M + n_pen :, M * Y + 11 : M * Y + 22] = 1
    return S


def fit(
    observed: FloatArray,
    start_stock: FloatArray,
    calendar_month: NDArray[np.int_],
    days: FloatArray,
    year_index: NDArray[np.int_],
    setup: FitSetup,
    residual_weights: FloatArray | None = None,
    initial_inflow_seasonal: FloatArray | None = None,
) -> FitResult:
    """Fit levels, seasonal factors and group parameters to `observed` (T, M) stocks."""
    obs = np.asarray(observed, dtype=float)
    if np.any(obs <= 0) or not np.all(np.isfinite(obs)):
        raise ValueError("observed stocks must be positive and finite for a log fit")
    T, M = obs.shape
    year_index = np.asarray(year_index)
    Y = int(year_index.max()) + 1
    w = np.ones(M) if residual_weights is None else np.asarray(residual_weights, dtype=float)
    log_obs = np.log(obs)

    g0 = GroupParams(
        setup.layoff_share,
        setup.layoff_mean,
        setup.initial_short_share,
        setup.initial_short_mean,
        setup.initial_long_mean,
    )
    # initial levels: stock / mean spell, less the re-entry share of the inflow
    emp_share_of_exits = float(g0.inflow_split() @ setup.flows.employment_array())
    reentry_frac = setup.flows.reentry_probability * emp_share_of_exits
    lev0 = np.stack([obs[year_index == y].mean(axis=0) for y in range(Y)], axis=1)
    lev0 = lev0 / g0.mean_spell_months() * (1.0 - reentry_frac)
    f_in0 = np.ones(12) if initial_inflow_seasonal is None else np.asarray(initial_inflow_seasonal)
    x0 = [np.log(lev0).ravel(), free_from_seasonal(f_in0)]
    b = setup.seasonal_log_ratio_bound
    lo = [np.full(M * Y, -np.inf), np.full(11, -b)]
    hi = [np.full(M * Y, np.inf), np.full(11, b)]
    if setup.fit_exit_seasonal:
        x0.append(np.zeros(11))
        lo.append(np.full(11, -b))
        hi.append(np.full(11, b))

    def logit(p: float) -> float:
        return float(np.log(p / (1 - p)))

    x0.append(
        np.array(
            [
                logit(setup.initial_short_share),
                np.log(setup.initial_short_mean),
                np.log(setup.initial_long_mean),
            ]
        )
    )
    lo.append(
        np.array(
            [
                logit(setup.short_share_bounds[0]),
                np.log(setup.short_mean_bounds[0]),
                np.log(setup.long_mean_bounds[0]),
            ]
        )
    )
    hi.append(
        np.array(
            [
                logit(setup.short_share_bounds[1]),
                np.log(setup.short_mean_bounds[1]),
                np.log(setup.long_mean_bounds[1]),
            ]
        )
    )
    x0a, loa, hia = np.concatenate(x0), np.concatenate(lo), np.concatenate(hi)
    x0a = np.clip(x0a, loa + 1e-9, hia - 1e-9)

    def trajectory(levels, f_in, f_ex, groups):
        return run_model(levels, f_in, f_ex, groups, setup.flows, start_stock, calendar_month,
                         days, year_index, setup.start_pool)

    def residuals(x: FloatArray) -> FloatArray:
        levels, f_in, f_ex, groups = _unpack(x, M, Y, setup)
        traj = trajectory(levels, f_in, f_ex, groups)
        model = np.maximum(traj.stock[1:], 1e-9)
        r = ((np.log(model) - log_obs) * w[None, :] / setup.sigma_log).ravel()
        extra = [pen.residual(groups) for pen in setup.penalties]
        if setup.fit_exit_seasonal:
            extra.extend(np.log(f_ex) / setup.exit_seasonal_prior_sd)
        return np.concatenate([r, np.asarray(extra, dtype=float)])

    sparsity = _jacobian_sparsity(T, M, Y, len(setup.penalties), setup.fit_exit_seasonal)
    sol = least_squares(
        residuals,
        x0a,
        bounds=(loa, hia),
        x_scale="jac",
        method="trf",
        jac_sparsity=sparsity,
        xtol=1e-10,
        ftol=1e-10,
        gtol=1e-10,
        max_nfev=4000,
    )
    levels, f_in, f_ex, groups = _unpack(sol.x, M, Y, setup)
    traj = trajectory(levels, f_in, f_ex, groups)
    # approximate standard errors of the group parameters (log scale = relative s.e.),
    # treating the residuals as unit-variance (sigma_log is the assumed noise)
    se: dict[str, float] = {}
    cond = float("nan")
    try:
        J = sol.jac.toarray() if hasattr(sol.jac, "toarray") else np.asarray(sol.jac)
        JTJ = J.T @ J
        cond = float(np.linalg.cond(JTJ))
        cov = np.linalg.pinv(JTJ)
        d = np.sqrt(np.maximum(np.diag(cov), 0.0))
        k = len(sol.x)
        se = {
            "short_share_logit": float(d[k - 3]),
            "short_mean_rel": float(d[k - 2]),
            "long_mean_rel": float(d[k - 1]),
        }
    except np.linalg.LinAlgError:
        pass
    stats = {name: float(fn(groups)) for name, fn in STATISTICS.items()}
    return FitResult(
        groups=groups,
        levels=levels,
        inflow_seasonal=f_in,
        exit_seasonal=f_ex,
        trajectory=traj,
        fitted=traj.stock[1:],
        cost=float(sol.cost),
        success=bool(sol.success),
        message=str(sol.message),
        nfev=int(sol.nfev),
        statistics=stats,
        group_param_se=se,
        jac_condition=cond,
    )


def mape(model: FloatArray, observed: FloatArray, axis: int | None = 0) -> FloatArray:
    """Mean absolute percentage error (in %) along `axis`."""
    return 100.0 * np.mean(np.abs(np.asarray(model) / np.asarray(observed) - 1.0), axis=axis)
