"""One replication: the employment area's jobseekers, hubs and rules in one SimPy run.

`AreaModel` is built from a validated `Scenario` and a replication index; it reads only the
scenario, the dated rules and the region. It is the wiring: the parts live by concept in
`plan` (the statutory path), `hazards` (exits), `inflow` (registrations, returns, a new
spell's draws), `start_state`, `meetings` (a planned meeting's request), `office` (the hubs'
books) and `services` (referral and a participation's course); here they are joined by the
events that move a jobseeker on — a meeting held, an exit, a return — and the run's
processes. `run_replication` returns the raw `Records`.
"""

from __future__ import annotations

import math

import simpy
from simpy.events import Timeout

from ..scenario.calendar import SimCalendar
from ..scenario.config import Scenario
from .hazards import ExitClock, ExitHazards
from .inflow import Intake, Registration, registrations
from .jobseeker import PROFILE, Jobseeker
from .meetings import MeetingRequests
from .office import Request, build_office, overdue_at_month_ends
from .plan import StatutoryPath
from .records import Dest, Outcome, Records
from .services import Participations, ServiceDesk
from .start_state import StartState
from .streams import Buffered, stream
from .structural_change import PH_NOTICE, StructuralChange, extra_fte_by_day


class AreaModel:
    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.sc, self.rep, self.seed = scenario, replication, scenario.run.seed
        self.region, self.rules = scenario.region_obj(), scenario.rules_obj()
        self.cal = cal = SimCalendar.for_years(scenario.run.start_date, scenario.run.years)
        self.horizon_day = cal.days
        self.env = simpy.Environment()
        self.records = rec = Records()
        self.munis = list(self.region.municipality_names)
        self.hubs = list(self.region.hub_names)
        self.muni_hub = muni_hub = [self.hubs.index(self.region.hub_of(m)) for m in self.munis]
        self.alive: dict[int, Jobseeker] = {}
        s = lambda name: stream(self.seed, replication, name)  # noqa: E731  (one per source of randomness)
        b = lambda name: Buffered(s(name))  # noqa: E731
        self.stream = b
        self.g_arrivals, self.g_reentry_pool = s("arrivals"), s("reentry_pool")
        r_service = b("services")
        m = scenario.meetings
        self.path = path = StatutoryPath(self.rules, cal, m.booking_window_working_days,
                                         m.grid_skip_within_interval_share,
                                         m.needs_based_supplementary_per_interval)
        self.hazards = ExitHazards(scenario, path.month_by_day, self.horizon_day, b("exits"))
        self.exits = ExitClock(self.env, self.hazards, self.on_exit)
        self.desk = ServiceDesk(scenario.services, scenario.service_order, r_service.uniform,
                                lambda: r_service.exponential() + r_service.exponential())
        self.staff_fte = [scenario.staff_by_hub()[h] for h in self.hubs]
        changes = bool(scenario.structural_change)
        self.office = build_office(scenario, self.env, cal, self.staff_fte,
                                   self.hubs.index(self.region.main_hub), len(self.munis),
                                   path.month_by_day,
                                   self._held_or_plan if changes else self.meeting_held,
                                   extra_fte_by_day(scenario, self.region, cal, self.hubs))
        rec.hub_logs = getattr(self.office, "logs", [])
        self.requests = MeetingRequests(m, path, [x in self.hubs for x in self.munis], b,
                                        self.office.submit, rec.meetings.append)
        self.intake = Intake(scenario, muni_hub, self.hazards, path.rules_on_day, b, self.alive,
                             self.exits.schedule)
        self.services = Participations(self.env, self.desk, rec.services, self.exits.set_multiplier,
                                       self.on_exit, self._back_to_job_search)
        self.start = StartState(scenario, self.munis, path.rules_by_day[0], self.hazards, self.desk,
                                b("start_state"))
        # the rhythm at the start, for the interviews a long wait misses (metrics)
        rec.regular_interval_days = path.plan_by_day[0].regular_days
        # hot path: bound methods looked up once
        self.new_jobseeker, self.next_meeting = self.intake.new, path.next_meeting
        self.request_meeting, self.start_service = self.requests.request, self.services.start
        self._record_meeting = rec.meetings.append
        self._refer = self.desk.refer if self.desk else None
        self.new_return, self.profile_task = self.intake.new, self.requests.profile_task
        # structural change: the dismissed draw from their own streams (the others' draws stay
        # those of the scenario without it); without it, nothing here changes
        self.change = StructuralChange(self) if changes else None
        if self.change is not None:
            self._wire_structural_change(self.change)

    def _wire_structural_change(self, change: StructuralChange) -> None:
        """The model's draws by person: the dismissed use the change's intake, meeting
        requests and referral (own streams), everyone else the model's own."""
        own_request, own_return, own_profile = (self.request_meeting, self.new_jobseeker,
                                                self.requests.profile_task)
        dismissed = change.is_dismissed
        self.request_meeting = lambda js, *a: (change.requests.request if dismissed(js)
                                               else own_request)(js, *a)
        self.new_return = lambda m, t, previous, **kw: (
            change.intake.new if dismissed(previous) else own_return)(m, t, previous=previous, **kw)
        self.profile_task = lambda js, t: (change.requests.profile_task if dismissed(js)
                                           else own_profile)(js, t)
        if self._refer is not None:
            own_refer = self._refer
            self._refer = lambda js, now, broad: (change.desk.refer if dismissed(js)
                                                  else own_refer)(js, now, broad)

    def _held_or_plan(self, req: Request, day: int) -> None:
        """The office's callback with structural change: an employment plan made during the
        notice period, or any other meeting."""
        if req.phase and req.phase[0] == PH_NOTICE:
            self.change.plan_held(req, day)
        else:
            self.meeting_held(req, day)

    # ---- the statutory path, driven by events --------------------------------------
    def advance(self, js: Jobseeker, plan: tuple | None) -> None:
        """Book the next meeting of `plan` that needs staff; the path then waits for it.

        Meetings bought from a provider, or not needed, are passed over at once (the next
        one is planned from their due day). The path ends when a meeting would open after
        the exit or the horizon.
        """
        exit_time = js.exit_time
        horizon = self.horizon_day
        while plan is not None:
            mtype, due, open_day, phase = plan
            if open_day >= exit_time or open_day >= horizon:
                return
            req = self.request_meeting(js, mtype, due, open_day, phase)
            if req is not None:
                js.pending = req
                return
            if due >= exit_time:
                return
            plan = self.next_meeting(js, due, phase)

    def meeting_held(self, req: Request, day: int) -> None:
        """The office's callback: a meeting was held on `day`. Record it, maybe refer the
        jobseeker to a service, else book the next meeting."""
        self._record_meeting((req.municipality, req.hub, req.mtype, req.channel,  # records.Meeting
                              req.due_day, req.open_day, day, req.minutes, False))
        js = req.js
        if req.mtype == PROFILE:
            js.profile_req = None
            return
        js.pending = None
        if self._refer is not None:
            svc = self._refer(js, self.env.now, len(self.alive))
            if svc is not None:
                self.start_service(js, svc)
                return
        plan = self.next_meeting(js, day, req.phase)
        if plan is not None:
            self.advance(js, plan)

    def _back_to_job_search(self, js: Jobseeker) -> None:
        self.advance(js, self.path.after_service(int(self.env.now)))

    # ---- exits and returns ---------------------------------------------------------
    def on_exit(self, js: Jobseeker) -> None:
        """The spell ends now: cancel what it waits for, record it, maybe plan a return."""
        now = self.env.now
        js.exited = True
        js.exit_time = now
        del self.alive[js.person]
        req = js.pending
        if req is not None:
            req.cancelled = True
            js.pending = None
            self.records.cancelled_meetings += 1
            if req.due_day < int(now):   # left with the deadline missed: a records.Unheld
                self.records.unheld.append((req.municipality, req.mtype, req.due_day, now))
        if js.profile_req is not None:
            js.profile_req.cancelled = True
            js.profile_req = None
        if js.service >= 0:   # left during the service
            self.services.end(js, Outcome.LEFT)
        self.records.spells.append(js.spell(js.exit_time, js.dest))
        if js.reentry:
            delay = self.intake.return_delay()
            if now + delay < self.horizon_day:
                Timeout(self.env, delay, js).callbacks.append(self._register)

    def _register(self, ev: Timeout) -> None:
        """A return falls due (timeout callback; value: the person's last spell)."""
        prev = ev._value
        js = self.new_return(prev.municipality, self.env.now, is_reentry=True, previous=prev)
        self.advance(js, self.path.first_meeting(js, None))
        self.profile_task(js, self.env.now)

    # ---- the run's processes -------------------------------------------------------
    def _arrivals(self, times: list[Registration]):
        """Registrations, in time order, as one process (SimPy's heap holds one at a time)."""
        env = self.env
        for t, m, reentry in times:
            if t > env.now:
                yield env.timeout(t - env.now)
            js = self.new_jobseeker(m, env.now, is_reentry=reentry)
            if reentry:   # left for work before the start: brings the earlier spell's days back
                js.prior_paid_days = self.start.returning_paid_days(t)
            self.requests.profile_task(js, env.now)
            self.advance(js, self.path.first_meeting(js, None))

    def run(self) -> Records:
        rec = self.records
        for p in self.start.stock():           # the start stock, each on its rhythm
            js = self.new_jobseeker(p.municipality, 0.0, group=p.group, registered=p.registered)
            js.prior_paid_days += p.earlier_paid_days
            js.anchor = js.last_base = p.anchor
            self.advance(js, self.path.first_meeting(js, p.first_due))
        for q in self.start.participants():    # and the services running
            js = self.new_jobseeker(q.municipality, 0.0, group=q.group, registered=q.registered)
            self.start_service(js, q.service, q.remaining_days, q.started)
        times, rec.outlook_target = registrations(self.sc, self.cal, self.munis, self.rep,
                                                  self.g_arrivals, self.g_reentry_pool)
        self.env.process(self._arrivals(times))
        if self.change is not None:
            self.change.start()
        self.env.process(overdue_at_month_ends(self.env, self.cal, self.alive, rec.overdue))
        self.env.run(until=self.horizon_day)
        if self.change is not None:
            self.change.finish()
        # spells (and services) still open at the horizon: end = inf, dest/outcome open
        for js in self.alive.values():
            req = js.pending
            if req is not None and not req.cancelled and req.due_day < self.horizon_day:
                rec.unheld.append((req.municipality, req.mtype, req.due_day, self.horizon_day))
            if js.service >= 0:
                self.services.close(js)
            rec.spells.append(js.spell(math.inf, Dest.OPEN))
        return rec


def run_replication(scenario: Scenario, replication: int) -> Records:
    """Run replication `replication` of `scenario` and return its raw records."""
    return AreaModel(scenario, replication).run()
