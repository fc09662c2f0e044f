"""Structural change (plan §6): a plant closure's dismissed people, and the area's response.

A `[[structural_change]]` event of the scenario (`config.StructuralChangeConfig`) gives notice
to a number of people in one municipality on a date. Those who become unemployed
(`registering_share`) register as jobseekers when their employment ends: spread evenly over
the last `registration_spread_months` of the notice period, or all on its last day. Each is
drawn, from this module's own streams, to be in change security (muutosturva), to have the
earnings-related allowance (else the basic allowance: a long work history, no fund
membership), and to follow the long group's exit hazard (else the short group's): a dismissed
worker's spell is that of a permanently dismissed jobseeker, not a temporary lay-off.

Change security, as far as the model can express it: the employment plan of those in change
security — their initial interview — is booked at the hub when notice is given, due within
the initial-interview deadline in force (they register as jobseekers under threat of
unemployment on the notice day), and held during the notice period as the hub's book allows.
When such a person becomes unemployed with the plan made, the spell needs no initial
interview: the rhythm counts from that day, and `referral_share` of them start
`referral_service` at once if it has room. A plan not made by then is cancelled (late if its
deadline passed: an unheld interview) and the person gets the ordinary initial interview.

The response: `extra_services` add places to a service from a date (to a date), and
`staff_concentration` adds customer-service FTE to the affected municipality's hub between
two dates (taken from another hub with `moved_from_hub`) — `office.AppointmentBook` reads it
as extra minutes on those days.

Randomness: everything the dismissed draw — the event's draws, their spells' group, exit,
return, benefit and needs, their meetings' channels and lengths, their referrals at meetings
— comes from streams named ``structural_change.*``, and their person numbers start at
`PERSON_BASE`: the other jobseekers' draws are those of the same scenario without the event
(common random numbers), and a scenario without the section runs exactly as before.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from simpy.events import Timeout

from ..scenario.calendar import DAYS_PER_MONTH, SimCalendar
from ..scenario.config import BENEFIT_TYPES
from .hazards import ExitHazards
from .inflow import Intake
from .jobseeker import INITIAL, Jobseeker
from .meetings import MeetingRequests
from .office import Request
from .plan import PH_INITIAL
from .records import Group

if TYPE_CHECKING:
    from ..scenario.config import Scenario
    from ..scenario.region import Region

PERSON_BASE = 1_000_000_000     # person numbers of the dismissed (others count from 1)
PH_NOTICE = -1                  # the phase of an employment-plan meeting during notice
STREAM = "structural_change"
EARNINGS_RELATED = BENEFIT_TYPES.index("earnings_related")
BASIC_ALLOWANCE = BENEFIT_TYPES.index("basic_allowance")


class Dismissed(NamedTuple):
    """One person who becomes unemployed in a structural change."""

    time: float                 # registration as unemployed (days since the run's start)
    municipality: int
    event: int                  # index into scenario.structural_change
    change_security: bool
    earnings_related: bool
    long_group: bool
    referred: bool              # starts the event's referral service if the plan was made


def dismissals(sc: Scenario, cal: SimCalendar, munis: list[str],
               g: np.random.Generator) -> list[Dismissed]:
    """Everyone who registers after a structural change, in time order (also those whose
    registration falls after the horizon: their notice-period plan may still be made)."""
    out: list[Dismissed] = []
    for i, e in enumerate(sc.structural_change):
        n = e.registering()
        end = cal.to_time(e.dismissal_date) + e.notice_period_months * DAYS_PER_MONTH
        spread = e.registration_spread_months * DAYS_PER_MONTH
        times = g.uniform(end - spread, end, n) if spread > 0 else np.full(n, end)
        u = g.random((n, 4))
        m = munis.index(e.municipality)
        for k in range(n):
            cs = bool(u[k, 0] < e.change_security_share)
            out.append(Dismissed(float(times[k]), m, i, cs, bool(u[k, 1] < e.earnings_related_share),
                                 bool(u[k, 2] < e.long_group_share),
                                 cs and bool(u[k, 3] < e.referral_share)))
    out.sort(key=lambda d: d.time)
    return out


def extra_fte_by_day(sc: Scenario, region: Region, cal: SimCalendar,
                     hubs: list[str]) -> list[list[float]] | None:
    """Per hub, per day index (horizon and margin): FTE added by staff concentrations
    (negative at a hub they were moved from); None when no event concentrates staff."""
    events = [e for e in sc.structural_change if e.staff_concentration is not None]
    if not events:
        return None
    n = cal.days + cal.margin_days
    out = [[0.0] * n for _ in hubs]
    for e in events:
        s = e.staff_concentration
        assert s is not None
        a = max(int(cal.to_time(s.from_date)), 0)
        b = min(int(cal.to_time(s.to_date)) + 1, n)
        to = out[hubs.index(region.hub_of(e.municipality))]
        frm = out[hubs.index(s.moved_from_hub)] if s.moved_from_hub is not None else None
        for d in range(a, b):
            to[d] += s.extra_customer_service_fte
            if frm is not None:
                frm[d] -= s.extra_customer_service_fte
    return out


class StructuralChange:
    """The events of a run, wired into `AreaModel`: own intake, meeting requests and referral
    (each on ``structural_change.*`` streams), the notice-period plans, the registrations and
    the dated service places. `is_dismissed(js)` tells the model whose draws are whose."""

    def __init__(self, model: Any) -> None:
        """`model`: the `area.AreaModel` being built (not imported here: area imports this)."""
        sc = model.sc
        self.model = model
        self.env, self.cal, self.path = model.env, model.cal, model.path
        s = lambda name: model.stream(f"{STREAM}.{name}")  # noqa: E731
        self.g_events = s("events").gen
        hazards = ExitHazards(sc, model.path.month_by_day, model.horizon_day, s("exits"))
        self.intake = Intake(sc, model.muni_hub, hazards, model.path.rules_on_day, s,
                             model.alive, model.exits.schedule)
        self.intake.persons = PERSON_BASE
        self.requests = MeetingRequests(sc.meetings, model.path,
                                        [x in model.hubs for x in model.munis], s,
                                        model.office.submit, model.records.meetings.append)
        self.desk = copy.copy(model.desk)      # shares participants and capacity with the model's
        self.desk.uniform = s("services").uniform
        self.referral = [None if e.referral_service is None else model.desk.names.index(e.referral_service)
                         for e in sc.structural_change]
        self.people = dismissals(sc, model.cal, model.munis, self.g_events)
        self.plans: list[Jobseeker | None] = [None] * len(self.people)   # notice-period plans

    @staticmethod
    def is_dismissed(js: Jobseeker) -> bool:
        return js.person > PERSON_BASE

    # ---- the run's processes -------------------------------------------------------
    def start(self) -> None:
        """Book the notice-period plans, the registrations and the service places."""
        env, sc = self.env, self.model.sc
        for i, e in enumerate(sc.structural_change):
            t = self.cal.to_time(e.dismissal_date)
            Timeout(env, max(t, 0.0), i).callbacks.append(self._notice)
        env.process(self._registrations())
        desk = self.model.desk
        for e in sc.structural_change:
            for x in e.extra_services:
                i = desk.names.index(x.service)
                self._at(self.cal.to_time(x.from_date), _add_places(desk.cap_places, i, x.extra_places))
                if x.to_date is not None:
                    self._at(self.cal.to_time(x.to_date) + 1,
                             _add_places(desk.cap_places, i, -x.extra_places))

    def _at(self, t: float, action: Callable[[], None]) -> None:
        if t < self.model.horizon_day:
            Timeout(self.env, max(t - self.env.now, 0.0)).callbacks.append(lambda _ev: action())

    def _notice(self, ev: Timeout) -> None:
        """Notice is given: book the employment plan of each person in change security."""
        event = ev._value
        path, model = self.path, self.model
        day = int(self.env.now)
        deadline = path.rules_on_day(day).initial_interview_deadline_working_days
        due = path.add_working_days(day, deadline)
        open_day = path.add_working_days(day, 1)
        if open_day >= model.horizon_day:
            return
        for k, p in enumerate(self.people):
            if p.event != event or not p.change_security:
                continue
            stub = Jobseeker(-1, p.municipality, model.muni_hub[p.municipality], int(Group.SHORT),
                             float(day), math.inf, 0, False, False)
            stub.pending = self.requests.request(stub, INITIAL, due, open_day, (PH_NOTICE, k))
            self.plans[k] = stub

    def plan_held(self, req: Request, day: int) -> None:
        """The office held an employment-plan meeting during the notice period."""
        self.model.records.meetings.append((req.municipality, req.hub, req.mtype,  # records.Meeting
                                            req.channel, req.due_day, req.open_day, day,
                                            req.minutes, False))
        req.js.pending = None
        req.js.anchor = day

    def _registrations(self):
        env, model = self.env, self.model
        horizon = model.horizon_day
        for k, p in enumerate(self.people):
            if p.time >= horizon:
                return
            if p.time > env.now:
                yield env.timeout(p.time - env.now)
            self._register(k, p)

    def _register(self, k: int, p: Dismissed) -> None:
        """Person k becomes unemployed now."""
        model, now = self.model, self.env.now
        js = self.intake.new(p.municipality, now,
                             group=int(Group.LONG if p.long_group else Group.SHORT))
        js.benefit_type = EARNINGS_RELATED if p.earnings_related else BASIC_ALLOWANCE
        if p.change_security:
            js.short_history = False   # change security needs years of work for the employer
        self.requests.profile_task(js, now)
        plan = self.plans[k]
        if plan is not None and plan.pending is None:   # the employment plan is made
            svc = self.referral[p.event]
            if (p.referred and svc is not None and
                    self.desk.participants[svc] + 1 <= self.desk.capacity(svc, len(model.alive))):
                model.start_service(js, svc)
                return
            model.advance(js, self.path.next_meeting(js, int(now), (PH_INITIAL, 0)))
            return
        if plan is not None:        # not made in time: cancelled, and late if past its deadline
            req = plan.pending
            req.cancelled = True
            plan.pending = None
            if req.due_day < int(now):
                model.records.unheld.append((req.municipality, req.mtype, req.due_day, now))
        model.advance(js, self.path.first_meeting(js, None))

    def finish(self) -> None:
        """At the horizon: plans still waiting past their deadline are unheld interviews."""
        horizon = self.model.horizon_day
        for plan in self.plans:
            req = plan.pending if plan is not None else None
            if req is not None and not req.cancelled and req.due_day < horizon:
                self.model.records.unheld.append((req.municipality, req.mtype, req.due_day, horizon))


def _add_places(cap_places: list[float], i: int, places: float) -> Callable[[], None]:
    def add() -> None:
        cap_places[i] += places
    return add
