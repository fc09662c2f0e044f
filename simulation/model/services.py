"""Employment services: referral at meetings, capacity, duration, and a participation's course.

A `ServiceDesk` holds the scenario's services (DOMAIN.md §4). At a meeting held by an
officer, an eligible jobseeker (group, months of job search) may be referred to the
first service in `service_order` that has room, with the service's referral
probability. Room is the smallest of the capacities the scenario gives: places, a
yearly purchase budget turned into average places (budget / 12 / unit cost a month),
and a target share of broad unemployment (unemployed + participants). Durations are
Gamma(2, mean/2), capped at the service's maximum.

`Participations` runs a participation's course: participants are not in the unemployed
stock; their exit hazard is multiplied by the service's lock-in multiplier, and when the
service ends they leave for work with `employment_at_end_share` or return to job search
(an interview within the initial-interview deadline) with a post-service multiplier for
`post_effect_months`. Each participation ends in one `Participation` record (`Outcome`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy
from simpy.events import Timeout

from ..scenario.calendar import DAYS_PER_MONTH
from ..scenario.config import ServiceConfig
from .records import GROUPS, Dest, Outcome

if TYPE_CHECKING:
    from .jobseeker import Jobseeker


class ServiceDesk:
    def __init__(self, services: dict[str, ServiceConfig], order: list[str], rng_uniform,
                 rng_gamma2) -> None:
        self.names = list(services)
        self.cfg = [services[n] for n in self.names]
        order = order or self.names
        self.order = ([self.names.index(n) for n in order]
                      + [i for i, n in enumerate(self.names) if n not in order])
        self.participants = [0] * len(self.names)
        self.uniform = rng_uniform
        self.gamma2 = rng_gamma2
        self.eligible_groups = [{GROUPS.index(g) for g in c.eligible_groups} for c in self.cfg]
        self.eligible_days = [c.eligible_from_months * DAYS_PER_MONTH for c in self.cfg]
        # capacity = places + share × broad unemployment (`ServiceConfig.capacity_terms`: the one
        # definition; split so the hot path multiplies only)
        terms = [c.capacity_terms() for c in self.cfg]
        self.cap_places = [pl for pl, _ in terms]
        self.cap_share = [sh for _, sh in terms]
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
        return self.cap_places[i] + self.cap_share[i] * broad

    def refer(self, js: Jobseeker, now: float, broad: float) -> int | None:
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
        participants, places, share = self.participants, self.cap_places, self.cap_share
        while a < n:
            cum = cums[a]
            j = bisect_right(cum, u)
            if j >= len(cum):
                return None          # no trial from a on succeeds
            i = idx[a + j]
            if participants[i] + 1 <= places[i] + share[i] * broad:
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


class Participations:
    """The course of each participation in a service, on the model's clock.

    The model's callbacks: `set_multiplier` (re-time the exit at a new hazard multiplier),
    `exit_now` (the spell ends now), `back_to_job_search` (book the interview after a service).
    """

    def __init__(self, env: simpy.Environment, desk: ServiceDesk, records: list[tuple],
                 set_multiplier: Callable[[Jobseeker, float], None],
                 exit_now: Callable[[Jobseeker], None],
                 back_to_job_search: Callable[[Jobseeker], None]) -> None:
        self.env = env
        self.desk = desk
        self.records = records
        self.uniform = desk.uniform
        self.set_multiplier = set_multiplier
        self.exit_now = exit_now
        self.back_to_job_search = back_to_job_search

    def start(self, js: Jobseeker, service: int, duration_days: float | None = None,
              started: float | None = None) -> None:
        """The jobseeker starts taking part in a service (now, or `started` for the start state)."""
        env = self.env
        cfg = self.desk.cfg[service]
        js.service = service
        js.service_start = env.now if started is None else started
        self.desk.participants[service] += 1
        self.set_multiplier(js, cfg.lock_in_exit_multiplier)
        if duration_days is None:
            duration_days = self.desk.duration_days(service)
        Timeout(env, duration_days, (js, js.service_count)).callbacks.append(self._planned_end)

    def _planned_end(self, ev: Timeout) -> None:
        """A service's planned end: to work, or back to job search (and its next meeting)."""
        js, service_count = ev._value
        if js.exited or js.service_count != service_count:   # left during the service
            return
        cfg = self.desk.cfg[js.service]
        if self.uniform() < cfg.employment_at_end_share:
            js.dest = Dest.EMPLOYMENT
            self.end(js, Outcome.EMPLOYMENT)
            js.exit_version += 1
            self.exit_now(js)
            return
        self.end(js, Outcome.JOB_SEARCH)
        self.set_multiplier(js, cfg.post_exit_multiplier)
        if cfg.post_effect_months > 0 and cfg.post_exit_multiplier != 1.0:
            Timeout(self.env, cfg.post_effect_months * DAYS_PER_MONTH,
                    (js, js.service_count)).callbacks.append(self._post_effect_ends)
        self.back_to_job_search(js)

    def _post_effect_ends(self, ev: Timeout) -> None:
        """A service's after-effect ends (unless a later service or the exit came first)."""
        js, service_count = ev._value
        if not js.exited and js.service < 0 and js.service_count == service_count:
            self.set_multiplier(js, 1.0)

    def end(self, js: Jobseeker, outcome: Outcome) -> None:
        """The participation ends now with `outcome`."""
        self.records.append(_participation(js, self.env.now, outcome))
        self.desk.participants[js.service] -= 1
        js.service = -1
        js.service_count += 1

    def close(self, js: Jobseeker) -> None:
        """Still in the service at the horizon: an open record."""
        self.records.append(_participation(js, math.inf, Outcome.OPEN))


def _participation(js: Jobseeker, end: float, outcome: Outcome) -> tuple:
    """The record (`records.Participation`) of the service `js` takes part in, ending at `end`."""
    return (js.person, js.municipality, js.service, js.service_start, end, outcome)
