"""Exit hazards: when a spell ends, and where to.

A spell of group g ends at the hazard 1 / (the group's mean months) × the calendar month's
seasonal factor × a multiplier (1, or a service's lock-in or after-effect multiplier). At
registration it draws a budget E ~ Exp(1) × the group's mean: the spell ends when the
integrated seasonal intensity, times the multiplier, has used the budget up. A change of
multiplier spends the budget used so far and re-times the exit exactly (`retime`). The short
and long groups' means are divided by ``exits.hazard_multiplier`` (hazards net of explicit
services, `config.ExitsConfig`). `ExitHazards` is arithmetic on the day tables and draws
from the `exits` stream (no SimPy); `ExitClock` keeps each spell's exit event on the model's
clock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import simpy
from simpy.events import Timeout

from ..scenario.calendar import DAYS_PER_MONTH
from .records import Dest
from .streams import Buffered

if TYPE_CHECKING:
    from ..scenario.config import Scenario
    from .jobseeker import Jobseeker

EMPLOYMENT, OTHER = Dest.EMPLOYMENT, Dest.OTHER


class ExitHazards:
    """The groups' exit hazards over the run's days (`month_by_day`: the calendar month of
    each day index, the horizon's and the margin's)."""

    def __init__(self, scenario: Scenario, month_by_day: list[int], horizon_day: int,
                 r_exit: Buffered) -> None:
        ex, inf = scenario.exits, scenario.inflow
        k = ex.hazard_multiplier   # net of explicit services (config.ExitsConfig)
        self.group_mean_months = [ex.layoff_mean_months, ex.short_group_mean_months / k,
                                  ex.long_group_mean_months / k]
        p_l = inf.layoff_share
        p_s = (1 - p_l) * ex.short_group_share
        self.group_cum = [p_l, p_l + p_s, 1.0]     # the groups' shares of new registrations
        self.emp_share = [ex.employment_share_layoff, ex.employment_share_short_group,
                          ex.employment_share_long_group]
        self.horizon_day = horizon_day
        self.r_exit = r_exit
        # cumulative seasonal hazard (in "months") at each day index
        months = np.array(month_by_day)
        rate = np.asarray(ex.seasonal_factors)[months - 1] / DAYS_PER_MONTH
        self._rate_list = rate.tolist()
        self._cum_list = np.concatenate([[0.0], np.cumsum(rate)]).tolist()

    def cum_hazard(self, t: float) -> float:
        """Integrated seasonal exit intensity (in months of unit hazard) from the start to t."""
        if t <= 0:
            return t / DAYS_PER_MONTH  # before the start: no seasonality needed (memoryless)
        i = int(t)
        if i >= len(self._rate_list):
            return math.inf
        return self._cum_list[i] + (t - i) * self._rate_list[i]

    def time_at(self, target: float, t0: float) -> float:
        """The time at which the integrated intensity reaches `target` (inf past the horizon)."""
        i = bisect.bisect_right(self._cum_list, target) - 1
        if i >= len(self._rate_list):
            return math.inf
        t = i + (target - self._cum_list[i]) / self._rate_list[i]
        t = max(t, t0 + 1e-6)
        return t if t < self.horizon_day else math.inf

    def start(self, js: Jobseeker, t0: float) -> None:
        """Draw the spell's hazard budget, so its exit time from t0 (at multiplier 1), and its
        destination."""
        js.e_rem = self.r_exit.exponential() * self.group_mean_months[js.group]
        js.hz_t = t0
        js.mult = 1.0
        js.exit_time = self.time_at(self.cum_hazard(max(t0, 0.0)) + js.e_rem, t0)
        js.dest = EMPLOYMENT if self.r_exit.uniform() < self.emp_share[js.group] else OTHER

    def retime(self, js: Jobseeker, now: float, mult: float) -> None:
        """The exit-hazard multiplier is `mult` from `now` on: spend the budget used since the
        last change and re-time the exit (inf at multiplier 0)."""
        if js.mult > 0:
            js.e_rem -= (self.cum_hazard(now) - self.cum_hazard(max(js.hz_t, 0.0))) * js.mult
            js.e_rem = max(js.e_rem, 0.0)
        js.hz_t = now
        js.mult = mult
        js.exit_time = (self.time_at(self.cum_hazard(now) + js.e_rem / mult, now) if mult > 0
                        else math.inf)


class ExitClock:
    """Each spell's exit as an event: scheduled at registration, re-timed when the hazard
    multiplier changes (an earlier event is then void: `exit_version`); `on_exit` is called
    when it comes."""

    def __init__(self, env: simpy.Environment, hazards: ExitHazards,
                 on_exit: Callable[[Jobseeker], None]) -> None:
        self.env = env
        self.hazards = hazards
        self.on_exit = on_exit

    def schedule(self, js: Jobseeker) -> None:
        """Schedule the spell's exit at `js.exit_time` (none if it lies beyond the horizon)."""
        js.exit_version += 1
        if js.exit_time != math.inf:
            ev = Timeout(self.env, js.exit_time - self.env.now, (js, js.exit_version))
            ev.callbacks.append(self._due)

    def set_multiplier(self, js: Jobseeker, mult: float) -> None:
        """Change the exit-hazard multiplier from now on; the exit is re-timed."""
        self.hazards.retime(js, self.env.now, mult)
        self.schedule(js)

    def _due(self, ev: Timeout) -> None:
        js, version = ev._value
        if js.exit_version == version and not js.exited:
            self.on_exit(js)
