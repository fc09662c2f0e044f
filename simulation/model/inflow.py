"""Who registers, and when: new registrations, returns after work, and a new spell's draws.

New registrations are a non-homogeneous Poisson process by municipality and month: the
municipality's monthly level × the month's seasonal factor × scale × trend × the stated
index of the month (`inflow.index_by_month`), or the registrations that make the expected
stock follow a caseload forecast (`inflow.forecast`, `outlook`). People who leave for work
register again with `reentry_probability` after an exponential delay; those who left before
the start come back from a stationary pool (`reentry_pool_times`). `Intake` registers a
jobseeker: it draws the spell's group, exit (`hazards`), return, needs, any-hub use and
benefit, and lets a return without a new work condition continue the previous spell's
benefit-day count.
"""

from __future__ import annotations

import bisect
import math
from calendar import monthrange
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..scenario.calendar import DAYS_PER_MONTH, SimCalendar
from ..scenario.config import BENEFIT_TYPES
from .hazards import ExitHazards
from .jobseeker import Jobseeker
from .outlook import registrations_for, stationary_pool, target_stock
from .records import Dest
from .streams import Buffered

if TYPE_CHECKING:
    from ..scenario.config import Scenario
    from ..scenario.rules import RulesInForce

Registration = tuple[float, int, bool]   # (time, municipality, a return from before the start)
EMPLOYMENT = Dest.EMPLOYMENT


def reentry_share(sc: Scenario) -> float:
    """e·p: the share of spells that end in work and return (steady state)."""
    inf, ex = sc.inflow, sc.exits
    p_l = inf.layoff_share
    e = (p_l * ex.employment_share_layoff
         + (1 - p_l) * ex.short_group_share * ex.employment_share_short_group
         + (1 - p_l) * (1 - ex.short_group_share) * ex.employment_share_long_group)
    return e * inf.reentry_probability


def registrations(sc: Scenario, cal: SimCalendar, munis: list[str], replication: int,
                  g_arrivals: np.random.Generator, g_pool: np.random.Generator,
                  ) -> tuple[list[Registration], np.ndarray | None]:
    """All the run's registrations from outside it, in time order — the new ones
    (`arrival_times`) and the returns of people who left before the start
    (`reentry_pool_times`) — and the forecast stock they follow (None if they do not)."""
    target = forecast = None
    if sc.inflow.forecast is not None:
        target, forecast = forecast_registrations(sc, cal, munis, replication)
    times = arrival_times(sc, cal, munis, g_arrivals, forecast)
    times += reentry_pool_times(sc, munis, cal.days, g_pool)
    return sorted(times), target


def arrival_times(sc: Scenario, cal: SimCalendar, munis: list[str], g: np.random.Generator,
                  forecast: np.ndarray | None = None) -> list[Registration]:
    """New registrations for the whole horizon, sorted by time; `forecast` (month ×
    municipality, `forecast_registrations`) replaces the levels when the inflow follows one."""
    inf = sc.inflow
    out: list[Registration] = []
    starts = cal.month_starts + [cal.days]
    index = list(inf.index_by_month.items())     # sorted by month
    for mi in range(len(starts) - 1):
        a, b = starts[mi], starts[mi + 1]
        d = cal.to_date(a)
        years = a / 365.25
        f = inf.seasonal_factors[d.month - 1] * inf.scale * (1 + inf.trend_per_year) ** years
        label = f"{d.year:04d}-{d.month:02d}"
        k = bisect.bisect_right(index, (label, math.inf)) - 1
        if k >= 0:
            f *= index[k][1]
        frac = (b - a) / monthrange(d.year, d.month)[1]   # a horizon may end mid-month
        for m, name in enumerate(munis):
            lam = (forecast[mi, m] * frac if forecast is not None
                   else inf.per_month_by_municipality[name] * f * frac)
            n = int(g.poisson(lam))
            if n:
                for t in g.uniform(a, b, n):
                    out.append((float(t), m, False))
    out.sort()
    return out


def forecast_registrations(sc: Scenario, cal: SimCalendar, munis: list[str],
                           replication: int) -> tuple[np.ndarray, np.ndarray]:
    """(target stock, new registrations), month × municipality: the registrations that make
    the expected stock follow the forecast of `inflow.forecast` (`model.outlook`)."""
    fc = sc.inflow.forecast
    assert fc is not None
    labels = list(cal.month_labels)
    target = target_stock(fc.paths_file, munis, labels, fc.mode, replication)
    start = np.array([sc.start_state.stock_by_municipality[m] for m in munis])
    return target, registrations_for(target, start, labels, sc)


def reentry_pool_times(sc: Scenario, munis: list[str], horizon_day: int,
                       g: np.random.Generator) -> list[Registration]:
    """Returns of people who left for work *before* the start and will re-register.

    In a steady state the re-entry flow is r = new × e·p / (1 − e·p) a month (e: share of
    exits that go to work, p: re-entry probability); the people on their way back number
    r × D (D: mean delay) and, delays being exponential, return at Exp(D) after the start.
    Without them the first months would miss this flow (the start state holds jobseekers
    only).
    """
    inf = sc.inflow
    ep = reentry_share(sc)
    if ep <= 0:
        return []
    d_days = inf.reentry_mean_months * DAYS_PER_MONTH
    out = []
    sizes: np.ndarray | list[float]
    if inf.forecast is not None:    # the pool the start stock keeps up (as model.outlook assumes)
        stock = np.array([sc.start_state.stock_by_municipality[m] for m in munis])
        sizes = stationary_pool(sc, stock)
    else:
        sizes = [inf.per_month_by_municipality[name] * inf.scale * ep / (1 - ep)
                 * inf.reentry_mean_months for name in munis]
    for m in range(len(munis)):
        n = int(g.poisson(sizes[m]))
        for t in g.exponential(d_days, n):
            if t < horizon_day:
                out.append((float(t), m, True))
    return out


class Intake:
    """Registers jobseekers: each new spell's draws, and the register of those registered now.

    `alive` (person → Jobseeker) is the register; `schedule_exit` schedules a spell's exit
    event (the model's); `rules_on_day` gives the rules in force on a day; `streams` a named
    stream's draws.
    """

    def __init__(self, sc: Scenario, muni_hub: list[int], hazards: ExitHazards,
                 rules_on_day: Callable[[float], RulesInForce], streams: Callable[[str], Buffered],
                 alive: dict[int, Jobseeker], schedule_exit: Callable[[Jobseeker], None]) -> None:
        self.muni_hub = muni_hub
        self.hazards = hazards
        self.rules_on_day = rules_on_day
        self.r_group, self.r_reentry = streams("groups"), streams("reentry")
        self.r_any_hub, self.r_benefit = streams("any_hub"), streams("benefits")
        self.alive = alive
        self.schedule_exit = schedule_exit
        self.persons = 0
        m, b = sc.meetings, sc.benefits
        self.reentry_probability = sc.inflow.reentry_probability
        self.reentry_days = sc.inflow.reentry_mean_months * DAYS_PER_MONTH
        self.supp_needs_share = m.supplementary_needs_share
        self.any_hub_share = m.any_hub_share
        self.short_history_share = b.short_work_history_share if b is not None else 0.0
        self.benefit_cum: list[float] | None = None    # no benefit first, then BENEFIT_TYPES
        if b is not None:
            c, out = b.no_benefit_share, [b.no_benefit_share]
            for t in BENEFIT_TYPES:
                c += (1 - b.no_benefit_share) * b.type_shares[t]
                out.append(c)
            out[-1] = 1.0
            self.benefit_cum = out

    def return_delay(self) -> float:
        """Days until a person who left for work registers again (exponential)."""
        return self.r_reentry.exponential() * self.reentry_days

    def draw_benefit_type(self) -> int:
        """Index into BENEFIT_TYPES, or -1 for a jobseeker without benefit."""
        if self.benefit_cum is None:
            return -1
        return self.r_benefit.choice(self.benefit_cum) - 1

    def new(self, municipality: int, t: float, is_reentry: bool = False, group: int | None = None,
            registered: float | None = None, previous: Jobseeker | None = None) -> Jobseeker:
        """Register a jobseeker at time t (drawing group, exit, destination, benefit).

        `previous` is the same person's last spell when they return: without a new work
        condition (away less than `work_condition_months`, the rule in force on return)
        the new spell continues that spell's benefit-day and municipal-share count, with
        the same benefit; otherwise the count starts again from zero.
        """
        g = self.r_group.choice(self.hazards.group_cum) if group is None else group
        if previous is None:
            self.persons += 1
            person = self.persons
        else:
            person = previous.person
        start = t if registered is None else registered
        js = Jobseeker(person, municipality, self.muni_hub[municipality], g, start, math.inf, 0,
                       False, False, is_reentry)
        self.hazards.start(js, t)
        js.reentry = js.dest == EMPLOYMENT and self.r_reentry.uniform() < self.reentry_probability
        js.needs_supplementary = self.r_group.uniform() < self.supp_needs_share
        js.any_hub = self.any_hub_share > 0 and self.r_any_hub.uniform() < self.any_hub_share
        js.benefit_type = self.draw_benefit_type()
        js.short_history = self.r_benefit.uniform() < self.short_history_share
        if previous is not None and previous.benefit_type >= 0:
            wc_days = self.rules_on_day(t).work_condition_months * DAYS_PER_MONTH
            if t - previous.exit_time < wc_days:
                js.continues = True
                js.benefit_type = previous.benefit_type
                js.short_history = previous.short_history
        if start < 0:   # benefit paid for the time already unemployed, so many days a week
            js.prior_paid_days = int(-start * self.rules_on_day(0).paid_days_per_week / 7)
        self.alive[js.person] = js
        self.schedule_exit(js)
        return js
