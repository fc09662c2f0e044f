"""New registrations that make the expected stock follow a caseload forecast (issue 14).

A scenario's ``[inflow.forecast]`` names a file of sample paths of the municipal stock
(``tyosim forecast`` writes ``paths.parquet``). The target of a replication is the median
path (``mode = "median"``) or its own sample path (``mode = "paths"``: replication r takes
path r), so that a run's interval carries the forecast's uncertainty as well as the
simulation's.

The expected stock of the model with the calibrated hazards (the model without explicit
services, which the status quo with services reproduces by construction, see
``exits.hazard_multiplier``) evolves month by month as in the deterministic analogue the
calibration fits (`simulation.calibration.analogue`): within a month the group hazards are
constant, the month's arrivals come uniformly, people who left for work return from a pool.
Given the target stock at a month's end, that recursion is linear in the month's new
registrations, so each month's registrations follow from one equation; a month whose target
falls faster than the exits can take the stock gets none (and the stock stays above the
target). Pure functions of the scenario and the file: no randomness here.
"""

from __future__ import annotations

import calendar as pycal
import math

import numpy as np

from ..forecast_paths import target_stock  # noqa: F401  (re-exported for the model)

DAYS_PER_MONTH = 365.25 / 12


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
    inf, ex, ss = scenario.inflow, scenario.exits, scenario.start_state
    p_l = inf.layoff_share
    split = np.array([p_l, (1 - p_l) * ex.short_group_share, (1 - p_l) * (1 - ex.short_group_share)])
    means = np.array([ex.layoff_mean_months, ex.short_group_mean_months, ex.long_group_mean_months])
    emp = np.array([ex.employment_share_layoff, ex.employment_share_short_group,
                    ex.employment_share_long_group])
    w = split[1:] * means[1:]
    w_l = ss.layoff_share
    weights = np.array([w_l, (1 - w_l) * w[0] / w.sum(), (1 - w_l) * w[1] / w.sum()])
    stock = np.asarray(start_stock, dtype=float)[:, None] * weights[None, :]
    to_emp = (stock * emp / means).sum(axis=1)
    leave0 = -math.expm1(-1.0 / inf.reentry_mean_months)
    pool = inf.reentry_probability * to_emp / leave0 if leave0 > 0 else np.zeros(len(start_stock))
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
