"""New registrations that make the expected stock follow a caseload forecast (issue 14).

A scenario's ``[inflow.forecast]`` names a file of sample paths of the municipal stock
(``tyosim forecast`` writes ``paths.parquet``). The target of a replication is the median
path (``mode = "median"``) or its own sample path (``mode = "paths"``: replication r takes
path r), so that a run's interval carries the forecast's uncertainty as well as the
simulation's.

The expected stock of the model evolves month by month as in the deterministic analogue the
calibration fits (`simulation.calibration.analogue`): within a month the group hazards are
constant (as the model runs them, ``exits.hazard_multiplier`` included), the month's arrivals
come uniformly, people who left for work return from a pool (the same start pool the model
draws, `stationary_pool`). Explicit services are not in the recursion: their start
participants returning to the stock and their lock-in move the simulated stock away from the
target, and `tyosim run` reports how far (`kpis.forecast_gap`).
Given the target stock at a month's end, that recursion is linear in the month's new
registrations, so each month's registrations follow from one equation; a month whose target
falls faster than the exits can take the stock gets none (and the stock stays above the
target). Pure functions of the scenario and the file: no randomness here.
"""

from __future__ import annotations

import calendar as pycal
import math

import numpy as np

from ..scenario.calendar import DAYS_PER_MONTH
from ..scenario.forecast_paths import target_stock  # noqa: F401  (re-exported for the model)


def group_means(scenario, with_multiplier: bool = True) -> np.ndarray:
    """Mean spell by group (lay-off, short, long), months; the short and long groups' divided
    by ``exits.hazard_multiplier`` (as the model runs them) unless `with_multiplier` is off."""
    ex = scenario.exits
    k = ex.hazard_multiplier if with_multiplier else 1.0
    return np.array([ex.layoff_mean_months, ex.short_group_mean_months / k,
                     ex.long_group_mean_months / k])


def start_composition(scenario) -> np.ndarray:
    """Shares of the start stock by group (lay-off, short, long), as the model draws them: the
    stated lay-off share, and the short/long mix stationary under the group means — or, with
    ``start_state.long_term_share``, the mix that gives that share of spells of 12 months or
    more (elapsed time in a group is exponential, so the share is linear in the mix; clipped
    to the mixes possible)."""
    ss, ex = scenario.start_state, scenario.exits
    means = group_means(scenario)
    w_l = ss.layoff_share
    ws = np.array([ex.short_group_share * means[1], (1 - ex.short_group_share) * means[2]])
    short = ws[0] / ws.sum()
    if ss.long_term_share is not None:
        e = np.exp(-12.0 / means)                     # P(elapsed ≥ 12 months) by group
        rest = (ss.long_term_share - w_l * e[0]) / (1 - w_l) if w_l < 1 else 0.0
        short = 0.5 if e[2] == e[1] else min(max((e[2] - rest) / (e[2] - e[1]), 0.0), 1.0)
    return np.array([w_l, (1 - w_l) * short, (1 - w_l) * (1 - short)])


def stationary_pool(scenario, stock: np.ndarray) -> np.ndarray:
    """People who left a stock of this size for work and will return, per municipality: the
    level its own exits to work keep up (the fixed point of the analogue's monthly recursion)."""
    inf, ex = scenario.inflow, scenario.exits
    means = group_means(scenario)
    emp = np.array([ex.employment_share_layoff, ex.employment_share_short_group,
                    ex.employment_share_long_group])
    by_group = np.asarray(stock, dtype=float)[:, None] * start_composition(scenario)[None, :]
    to_emp = (by_group * emp / means).sum(axis=1)
    leave = -math.expm1(-1.0 / inf.reentry_mean_months)
    return inf.reentry_probability * to_emp / leave if leave > 0 else np.zeros(len(stock))


def registrations_for(target: np.ndarray, start_stock: np.ndarray, month_labels: list[str],
                      scenario) -> np.ndarray:
    """New registrations per month × municipality whose expected stock follows `target`.

    Parameters
    ----------
    target : (T, M) end-of-month stock to follow.
    start_stock : (M,) the stock at the start (the scenario's start state).
    month_labels : T labels YYYY-MM.
    scenario : gives ``inflow`` (lay-off share, re-entry) and ``exits`` (groups, seasons).
    """
    inf, ex = scenario.inflow, scenario.exits
    p_l = inf.layoff_share
    split = np.array([p_l, (1 - p_l) * ex.short_group_share,
                      (1 - p_l) * (1 - ex.short_group_share)])
    means = group_means(scenario)
    emp = np.array([ex.employment_share_layoff, ex.employment_share_short_group,
                    ex.employment_share_long_group])
    # the start as the model draws it, and the same pool of people returning after it
    stock = np.asarray(start_stock, dtype=float)[:, None] * start_composition(scenario)[None, :]
    pool = stationary_pool(scenario, np.asarray(start_stock, dtype=float))
    T, M = target.shape
    out = np.zeros((T, M))
    seasonal = np.asarray(ex.seasonal_factors, dtype=float)
    for t, label in enumerate(month_labels):
        y, c = int(label[:4]), int(label[5:7])
        d = pycal.monthrange(y, c)[1]
        h = seasonal[c - 1] * (d / DAYS_PER_MONTH) / means
        keep, keep_new = np.exp(-h), -np.expm1(-h) / h
        reent = pool * -math.expm1(-d / DAYS_PER_MONTH / inf.reentry_mean_months)
        a = float(split @ keep_new)
        base = stock @ keep + reent * a
        new = np.maximum((target[t] - base) / a, 0.0)
        arrivals = (new + reent)[:, None] * split[None, :]
        nxt = stock * keep + arrivals * keep_new
        exits = stock + arrivals - nxt
        pool = pool - reent + inf.reentry_probability * (exits @ emp)
        stock = nxt
        out[t] = new
    return out
