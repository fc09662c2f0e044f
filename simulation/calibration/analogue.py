"""Deterministic monthly analogue of tyosim's stochastic jobseeker model.

The SimPy model (simulation/model/) draws registrations from a Poisson process and gives
each jobseeker a constant exit hazard by group (laid off / short / long), modulated by a
calendar-month seasonal factor; exits to employment may re-enter after an exponential
delay. This module propagates the *expected values* of that process month by month,
vectorised over municipalities, so that it can be fitted fast:

* within a calendar month of ``d`` days the hazard of group g is
  ``s[c] * (d / 30.4375) / mean_g`` (months of 30.4375 days), constant in the month;
* registrations (new + re-entries) arrive uniformly within the month, so the expected
  share of a month's arrivals still registered at its end is ``(1 - exp(-h)) / h``;
* the re-entry pool holds the expected number of people who left to employment and will
  come back; it empties at rate ``1 / reentry_mean_months`` per month. People who exit to
  employment during month t join the pool at the end of month t (a half-month
  discretisation lag against the continuous model; stated in calibration/README.md).

The book-keeping is exact in expectation: ``stock[t] = stock[t-1] + inflow[t] - exits[t]``
and ``pool[t] = pool[t-1] + p * exits_to_employment[t] - reentries[t]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..scenario.calendar import DAYS_PER_MONTH  # the model's month for rates (365.25 / 12)

GROUPS: tuple[str, ...] = ("layoff", "short", "long")

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class GroupParams:
    """Group mix of registrations and mean spell durations (months)."""

    layoff_share: float
    layoff_mean: float
    short_share: float
    short_mean: float
    long_mean: float

    def inflow_split(self) -> FloatArray:
        """Share of registrations going to (layoff, short, long)."""
        rest = 1.0 - self.layoff_share
        return np.array(
            [self.layoff_share, rest * self.short_share, rest * (1.0 - self.short_share)]
        )

    def means(self) -> FloatArray:
        return np.array([self.layoff_mean, self.short_mean, self.long_mean])

    def stationary_weights(self) -> FloatArray:
        """Stationary composition of the stock: weights ∝ inflow share × mean duration."""
        w = self.inflow_split() * self.means()
        return w / w.sum()

    def long_term_share(self, threshold_months: float = 12.0) -> float:
        """Stationary share of the stock with elapsed duration ≥ threshold."""
        return float(np.sum(self.stationary_weights() * np.exp(-threshold_months / self.means())))

    def mean_elapsed_months(self) -> float:
        """Stationary mean elapsed duration of ongoing spells (elapsed ~ Exp(mean_g))."""
        return float(np.sum(self.stationary_weights() * self.means()))

    def mean_spell_months(self) -> float:
        """Mean completed spell length of a registration (= stock / inflow in a steady state)."""
        return float(np.sum(self.inflow_split() * self.means()))

    def share_ending_within(self, months: float) -> float:
        """Share of new spells that end within `months` (no seasonality)."""
        return float(np.sum(self.inflow_split() * (1.0 - np.exp(-months / self.means()))))


@dataclass(frozen=True)
class FlowParams:
    """Where exits go and how exits to employment come back."""

    employment_share: tuple[float, float, float]  # by group (layoff, short, long)
    reentry_probability: float
    reentry_mean_months: float

    def employment_array(self) -> FloatArray:
        return np.asarray(self.employment_share, dtype=float)


@dataclass(frozen=True)
class Trajectory:
    """Expected values month by month. Index 0 of the stock arrays is the start state.

    Shapes: T months, M municipalities, G = 3 groups.
    """

    stock_by_group: FloatArray  # (T+1, M, G), end of month
    pool: FloatArray  # (T+1, M), re-entry pool at end of month
    new: FloatArray  # (T, M) new registrations in month
    reentries: FloatArray  # (T, M) re-entries in month
    exits: FloatArray  # (T, M, G) exits in month
    exits_to_employment: FloatArray  # (T, M)

    @property
    def stock(self) -> FloatArray:
        """(T+1, M) total stock, index 0 = start."""
        return self.stock_by_group.sum(axis=2)

    @property
    def inflow(self) -> FloatArray:
        """(T, M) observed inflow = new registrations + re-entries."""
        return self.new + self.reentries


def stationary_start(
    stock: FloatArray, groups: GroupParams, flows: FlowParams, pool: str = "stationary"
) -> tuple[FloatArray, FloatArray]:
    """Start state: stock (M,) split by the stationary composition, and the re-entry pool.

    ``pool="stationary"`` sets the pool to the level that the stock's own exits to
    employment keep up in a steady state (≈ p × flow to employment × mean delay; exactly the
    fixed point of the monthly recursion);
    ``pool="empty"`` starts it at zero (as a simulation that starts with no one waiting
    to re-enter).
    """
    stock = np.asarray(stock, dtype=float)
    by_group = stock[:, None] * groups.stationary_weights()[None, :]
    if pool == "empty":
        return by_group, np.zeros_like(stock)
    if pool != "stationary":
        raise ValueError(f"pool must be 'stationary' or 'empty', got {pool!r}")
    # exits to employment per model month from the stationary stock, and the pool that the
    # monthly recursion of `simulate` keeps constant: p * to_emp = pool * (1 - exp(-1/r))
    to_emp = (by_group * flows.employment_array()[None, :] / groups.means()[None, :]).sum(axis=1)
    leave = -np.expm1(-1.0 / flows.reentry_mean_months)
    return by_group, flows.reentry_probability * to_emp / leave


def simulate(
    new: FloatArray,
    calendar_month: NDArray[np.int_],
    days: FloatArray,
    exit_seasonal: FloatArray,
    groups: GroupParams,
    flows: FlowParams,
    start_by_group: FloatArray,
    start_pool: FloatArray,
) -> Trajectory:
    """Propagate expected stocks month by month.

    Parameters
    ----------
    new : (T, M) expected new registrations per month (already seasonal, scaled).
    calendar_month : (T,) 1..12.
    days : (T,) days in each month.
    exit_seasonal : (12,) multipliers of every exit hazard by calendar month.
    start_by_group : (M, G) stock at the start by group; start_pool : (M,).
    """
    new = np.asarray(new, dtype=float)
    T, M = new.shape
    split = groups.inflow_split()
    inv_mean = 1.0 / groups.means()
    emp = flows.employment_array()
    p = flows.reentry_probability
    # hazards per month (T, G) and the survival factors
    h = (
        np.asarray(exit_seasonal, dtype=float)[np.asarray(calendar_month) - 1]
        * (np.asarray(days, dtype=float) / DAYS_PER_MONTH)
    )[:, None] * inv_mean[None, :]
    keep = np.exp(-h)  # survival over the month of those present at start
    keep_new = -np.expm1(-h) / h  # expected share of uniform arrivals still in at end
    r_leave = -np.expm1(-np.asarray(days, dtype=float) / DAYS_PER_MONTH / flows.reentry_mean_months)

    stock = np.empty((T + 1, M, len(GROUPS)))
    pool = np.empty((T + 1, M))
    exits = np.empty((T, M, len(GROUPS)))
    reent = np.empty((T, M))
    to_emp = np.empty((T, M))
    stock[0] = start_by_group
    pool[0] = start_pool
    for t in range(T):
        reent[t] = pool[t] * r_leave[t]
        arrivals = (new[t] + reent[t])[:, None] * split[None, :]
        stock[t + 1] = stock[t] * keep[t] + arrivals * keep_new[t]
        exits[t] = stock[t] + arrivals - stock[t + 1]
        to_emp[t] = exits[t] @ emp
        pool[t + 1] = pool[t] - reent[t] + p * to_emp[t]
    return Trajectory(stock, pool, new, reent, exits, to_emp)


def seasonal_from_free(theta: FloatArray) -> FloatArray:
    """12 positive factors averaging exactly 1 from 11 free parameters (12th logit = 0)."""
    z = np.concatenate([np.asarray(theta, dtype=float), [0.0]])
    e = np.exp(z - z.max())
    return 12.0 * e / e.sum()


def free_from_seasonal(factors: FloatArray) -> FloatArray:
    """Inverse of `seasonal_from_free`."""
    f = np.asarray(factors, dtype=float)
    return np.log(f[:11] / f[11])
