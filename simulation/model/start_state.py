"""The state at the start: the stock on its rhythm, the services running, the past they bring.

There is no warm-up. The start stock is the scenario's, municipality by municipality; a
person's group is drawn from the start composition (`outlook.start_composition`: stationary
under the group means, or the stated long-term share) and the time already unemployed from
the stationary distribution of the group's exit hazard (Exp(mean)). The next meeting lies at a
uniformly random phase of the rhythm in force (the intensive one early in a spell); a
laid-off person whose obligations have not started yet begins with them. A return (the share
e·p of spells, `inflow.reentry_share`) brings the benefit days of one earlier spell too
(`history_paid_days`). The services run at their capacity on the start date (or at the stated
number of participants), filled with long-term jobseekers part-way through.

`StartState` only draws (from the `start_state` stream; services' durations from theirs): it
yields who is there, and the model registers them (`AreaModel.run`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..scenario.calendar import DAYS_PER_MONTH
from .hazards import ExitHazards
from .inflow import reentry_share
from .outlook import start_composition
from .records import Group
from .services import ServiceDesk
from .streams import Buffered

if TYPE_CHECKING:
    from ..scenario.config import Scenario
    from ..scenario.rules import RulesInForce

LAYOFF = Group.LAYOFF.value


class StartJobseeker(NamedTuple):
    municipality: int
    group: int
    registered: float            # < 0: days before the start
    earlier_paid_days: int       # benefit days of an earlier spell (a return), besides this one's
    first_due: float | None      # the next meeting's due day (None: a laid-off person's
                                 # obligations start later; the spell begins with them)
    anchor: float                # the day the rhythm counts from (its phase)


class StartParticipant(NamedTuple):
    municipality: int
    group: int
    registered: float
    service: int
    remaining_days: float        # of the service
    started: float               # the service's start (< 0)


class StartState:
    """The start state of a run (`rules`: the rules in force on the start date)."""

    def __init__(self, sc: Scenario, munis: list[str], rules: RulesInForce, hazards: ExitHazards,
                 desk: ServiceDesk, r_start: Buffered) -> None:
        self.sc = sc
        self.munis = munis
        self.rules = rules
        self.hazards = hazards
        self.desk = desk
        self.r_start = r_start
        self.reentry_days = sc.inflow.reentry_mean_months * DAYS_PER_MONTH   # mean time away

    def history_paid_days(self, away_days: float) -> int:
        """Benefit days of an earlier spell that a person brings back after `away_days` away
        (0 when the work condition was met meanwhile). The earlier spell's group is drawn
        from the inflow shares and its length from the group's calibrated duration."""
        r = self.rules
        if away_days >= r.work_condition_months * DAYS_PER_MONTH:
            return 0
        g = self.r_start.choice(self.hazards.group_cum)
        months = self.r_start.exponential() * self.hazards.group_mean_months[g]
        return int(months * DAYS_PER_MONTH * r.paid_days_per_week / 7)

    def returning_paid_days(self, t: float) -> int:
        """The earlier spell's benefit days of a person who left for work before the start and
        registers again at t: the time away before the start is Exp(mean delay) in the steady
        state (memoryless delays)."""
        return self.history_paid_days(self.r_start.exponential() * self.reentry_days + t)

    def stock(self) -> Iterator[StartJobseeker]:
        """The unemployed at the start, municipality by municipality."""
        comp = start_composition(self.sc)
        cum = [comp[0], comp[0] + comp[1], 1.0]
        r, rs, means = self.rules, self.r_start, self.hazards.group_mean_months
        p_return = reentry_share(self.sc)      # share of spells that are returns
        intensive_days = r.intensive_period_months * DAYS_PER_MONTH
        layoff_days = r.layoff_obligation_start_months * DAYS_PER_MONTH
        for m, name in enumerate(self.munis):
            for _ in range(int(round(self.sc.start_state.stock_by_municipality[name]))):
                g = rs.choice(cum)
                elapsed = rs.exponential() * means[g] * DAYS_PER_MONTH
                earlier = 0
                if rs.uniform() < p_return:    # a return: the earlier spell's days too
                    earlier = self.history_paid_days(rs.exponential() * self.reentry_days)
                # the next meeting: in the rhythm in force, at a uniformly random phase
                interval = r.intensive_interview_interval_days
                gap = (interval if g != LAYOFF and interval > 0 and elapsed < intensive_days
                       else r.regular_interview_interval_months * DAYS_PER_MONTH)
                due = 1 + rs.uniform() * gap
                anchor = due - gap
                later = g == LAYOFF and elapsed < layoff_days   # obligations not started yet
                first_due = None if later else due
                yield StartJobseeker(m, g, -max(elapsed, 1e-3), earlier, first_due, anchor)

    def participants(self) -> Iterator[StartParticipant]:
        """Those in services at the start: each service filled to its capacity on the start
        date, or to the start state's number; in municipalities as the stock."""
        desk = self.desk
        if not desk:
            return
        ss = self.sc.start_state
        stock = [ss.stock_by_municipality[m] for m in self.munis]
        total = sum(stock)
        cum, c = [], 0.0
        for v in stock:
            c += v / total if total else 1 / len(stock)
            cum.append(c)
        cum[-1] = 1.0
        broad = total
        given = ss.service_participants or {}
        rs, means = self.r_start, self.hazards.group_mean_months
        for i in desk.order:
            name = desk.names[i]
            if name in given:          # the start state says how many take part now
                cap = float(given[name])
            else:                      # otherwise: the service's capacity on the start date
                cap = desk.capacity(i, broad)
                cap = cap if math.isfinite(cap) else 0.0
            n = int(round(cap))
            groups = sorted(desk.eligible_groups[i])
            for _ in range(n):
                m = rs.choice(cum)
                g = groups[-1]   # the longest-spell group it takes (in services: long-term)
                dur = desk.duration_days(i)
                elapsed_service = rs.uniform() * dur
                registered = -(desk.eligible_days[i] + elapsed_service
                               + rs.exponential() * means[g] * DAYS_PER_MONTH)
                yield StartParticipant(m, g, registered, i, dur - elapsed_service, -elapsed_service)
            broad += n
