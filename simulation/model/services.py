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
from bisect import bisect_right
from typing import TYPE_CHECKING

from ..scenario.config import ServiceConfig
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
        self._prepare_referral_tables()

    def _prepare_referral_tables(self) -> None:
        """Per group and per stage of job search, the candidates and their first-success
        cumulative probabilities (the hot path then needs a bisect, not a loop over services).

        A group's stages start at the distinct `eligible_from_months` of its services; in
        stage s the candidates are the services eligible by then, in order. For the
        candidates from position a on, ``cum[a][j] = 1 − Π_{a ≤ i ≤ a+j} (1 − p_i)`` is the
        probability that one of trials a..a+j succeeds. Services with referral probability
        0 are left out: they could never be chosen.
        """
        self._stage_days: list[list[float]] = []
        self._stages: list[list[tuple[list[int], list[list[float]]]]] = []
        for g in range(len(GROUPS)):
            cands = [i for i in self.order if g in self.eligible_groups[i] and self.prob[i] > 0]
            days = sorted({self.eligible_days[i] for i in cands})
            stages = []
            for d in days:
                idx = [i for i in cands if self.eligible_days[i] <= d]
                cums = []
                for a in range(len(idx)):
                    none, cum = 1.0, []
                    for i in idx[a:]:
                        none *= 1 - self.prob[i]
                        cum.append(1 - none)
                    cums.append(cum)
                stages.append((idx, cums))
            self._stage_days.append(days)
            self._stages.append(stages)

    def __bool__(self) -> bool:
        return bool(self.names)

    def capacity(self, i: int, broad: float) -> float:
        """Participants service i may have now (inf if unlimited)."""
        t = self.target[i]
        return self.fixed_cap[i] if t is None else min(self.fixed_cap[i], t * broad)

    def refer(self, js: "Jobseeker", now: float, broad: float) -> int | None:
        """The service a jobseeker is referred to at a meeting now, or None.

        Services are tried in order; an eligible jobseeker is referred with the service's
        probability if it has room, else the next eligible service is tried. One uniform
        draw finds the first trial that succeeds (a bisect in the cumulative first-success
        probabilities); if that service is full, the draw rescaled within the chosen
        interval is again uniform and independent, and the search goes on after it. This is
        exactly the sequence of independent trials, without a loop over every service.
        """
        days_th = self._stage_days[js.group]
        if not days_th:
            return None
        s = bisect_right(days_th, now - js.start) - 1
        if s < 0:
            return None
        idx, cums = self._stages[js.group][s]
        u = self.uniform()
        a, n = 0, len(idx)
        participants, fixed, target = self.participants, self.fixed_cap, self.target
        while a < n:
            cum = cums[a]
            j = bisect_right(cum, u)
            if j >= len(cum):
                return None          # no trial from a on succeeds
            i = idx[a + j]
            t = target[i]
            if participants[i] + 1 <= (fixed[i] if t is None else min(fixed[i], t * broad)):
                return i
            lo = cum[j - 1] if j else 0.0
            u = (u - lo) / (cum[j] - lo)   # uniform again, given the first success at j
            a += j + 1
        return None

    def duration_days(self, i: int) -> float:
        c = self.cfg[i]
        d = self.gamma2() * c.duration_mean_months / 2
        if c.duration_max_months is not None:
            d = min(d, c.duration_max_months)
        return max(d, 1 / DAYS_PER_MONTH) * DAYS_PER_MONTH
