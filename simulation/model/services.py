"""Employment services: referral at meetings, capacity, duration, lock-in and effect.

A `ServiceDesk` holds the scenario's services (DOMAIN.md §4). At a meeting held by an
officer, an eligible jobseeker (group, months of job search) may be referred to the
first service in `service_order` that has room, with the service's referral
probability. Room is the smallest of the capacities the scenario gives: places, a
yearly purchase budget turned into average places (budget / 12 / unit cost a month),
and a target share of broad unemployment (unemployed + participants). Participants are
not in the unemployed stock; their exit hazard is multiplied by the service's lock-in
multiplier, and when the service ends they leave for work with `employment_at_end_share`
or return to job search with a post-service multiplier for a while. Durations are
Gamma(2, mean/2), capped at the service's maximum.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..config import ServiceConfig
from .records import GROUPS

if TYPE_CHECKING:
    from .jobseeker import Jobseeker

DAYS_PER_MONTH = 365.25 / 12


def fixed_capacity(c: ServiceConfig) -> float:
    """Places a service has whatever the caseload: min(places, budget / 12 / unit cost); inf if none."""
    caps = []
    if c.places is not None:
        caps.append(c.places)
    if c.budget_eur_per_year is not None and c.unit_cost_eur_per_month > 0:
        caps.append(c.budget_eur_per_year / 12 / c.unit_cost_eur_per_month)
    return min(caps, default=math.inf)


def capacity(c: ServiceConfig, broad: float) -> float:
    """Participants a service may have when broad unemployment is `broad` (inf if unlimited)."""
    t = c.target_share_of_broad_unemployment
    return fixed_capacity(c) if t is None else min(fixed_capacity(c), t * broad)


class ServiceDesk:
    def __init__(self, services: dict[str, ServiceConfig], order: list[str], rng_uniform, rng_gamma2) -> None:
        self.names = list(services)
        self.cfg = [services[n] for n in self.names]
        order = order or self.names
        self.order = [self.names.index(n) for n in order] + [i for i, n in enumerate(self.names) if n not in order]
        self.participants = [0] * len(self.names)
        self.uniform = rng_uniform
        self.gamma2 = rng_gamma2
        self.eligible_groups = [{GROUPS.index(g) for g in c.eligible_groups} for c in self.cfg]
        self.eligible_days = [c.eligible_from_months * DAYS_PER_MONTH for c in self.cfg]
        # the part of the capacity that does not move with the caseload (hot path: computed once)
        self.fixed_cap = [fixed_capacity(c) for c in self.cfg]
        self.target = [c.target_share_of_broad_unemployment for c in self.cfg]
        self.prob = [c.referral_probability for c in self.cfg]
        # per group: the services it may be referred to, in order (hot path)
        self._by_group = [[(i, self.eligible_days[i], self.prob[i]) for i in self.order
                           if g in self.eligible_groups[i] and self.prob[i] > 0] for g in range(len(GROUPS))]

    def __bool__(self) -> bool:
        return bool(self.names)

    def capacity(self, i: int, broad: int) -> float:
        """Participants service i may have now (inf if unlimited)."""
        t = self.target[i]
        return self.fixed_cap[i] if t is None else min(self.fixed_cap[i], t * broad)

    def refer(self, js: "Jobseeker", now: float, broad: int) -> int | None:
        """The service a jobseeker is referred to at a meeting now, or None.

        Services are tried in order; an eligible jobseeker is referred with the service's
        probability if it has room (the draw and the room are independent, so checking the
        cheap draw first changes nothing but speed). Services with referral probability 0
        are left out of the candidates: they could never be chosen and leave the draw as it is.
        """
        cands = self._by_group[js.group]
        if not cands:
            return None
        days = now - js.start
        u = self.uniform()   # one draw, rescaled after each trial: the trials stay independent
        participants, fixed, target = self.participants, self.fixed_cap, self.target
        for i, eligible_days, p in cands:
            if days < eligible_days:
                continue
            if u >= p:
                u = (u - p) / (1 - p)
                continue
            t = target[i]
            if participants[i] + 1 <= (fixed[i] if t is None else min(fixed[i], t * broad)):
                return i
            u = u / p
        return None

    def duration_days(self, i: int) -> float:
        c = self.cfg[i]
        d = self.gamma2() * c.duration_mean_months / 2
        if c.duration_max_months is not None:
            d = min(d, c.duration_max_months)
        return max(d, 1 / DAYS_PER_MONTH) * DAYS_PER_MONTH
