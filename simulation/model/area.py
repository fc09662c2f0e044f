"""One replication: the employment area's jobseekers, hubs and rules in one SimPy run.

`AreaModel` is built from a validated `Scenario` and a replication index. It reads only
the scenario, the dated rules and the region — no module constants, no data files.
It generates the start stock (with elapsed durations from the stationary distribution
of the calibrated exit hazards), the inflow (a non-homogeneous Poisson process by
municipality and month), re-entries, and each jobseeker's statutory path through the
hub offices' appointment books. `run_replication` returns the raw `Records`.
"""

from __future__ import annotations

import bisect
import itertools
import math
from calendar import monthrange
from datetime import timedelta
from typing import NamedTuple

import numpy as np
import simpy
from simpy.events import Timeout

from ..scenario.calendar import SimCalendar
from ..scenario.config import BENEFIT_TYPES, CHANNELS, MEETING_TYPES, Scenario
from .streams import BLOCK, Buffered, endless, stream
from .jobseeker import (DAYS_PER_MONTH, INITIAL, IN_PERSON, JOB_SEARCH, PROFILE, REMOTE,
                        SERVICE_POINT, SUPPLEMENTARY, Jobseeker, intensive_slot_is_job_search)
from .office import AppointmentBook, Request, ServerPool
from .outlook import registrations_for, start_composition, stationary_pool, target_stock
from .services import ServiceDesk
from .records import Dest, Group, Meeting, Outcome, Overdue, Participation, PROVIDER, Records, Spell, Unheld

LAYOFF = Group.LAYOFF.value
EMPLOYMENT, OTHER = Dest.EMPLOYMENT, Dest.OTHER
# plan phases: the initial interview, the biweekly intensive period, the half-yearly repeat
# month, the regular rhythm, a needs-based supplementary interview between regular ones, the
# first interview back from a service (the rhythm counts from it, as from an initial interview)
PH_INITIAL, PH_INTENSIVE, PH_REPEAT, PH_REGULAR, PH_NEED, PH_AFTER_SERVICE = range(6)


class Plan(NamedTuple):
    """The statutory rhythm derived once per set of rules in force (days are calendar days)."""

    interval: int              # intensive period: days between interviews (0: none)
    intensive_days: float      # length of the intensive period
    n_slots: int               # interviews in the intensive period
    n_supp: int                # of them supplementary interviews
    repeat_n: int              # interviews in each half-yearly repeat month
    regular_days: float        # the regular rhythm
    repeat_days: float         # the repeat month comes every this many days (0: never)
    layoff_days: float         # a laid-off jobseeker's obligations start this late
    slot_type: list[int]       # meeting type of intensive slot k = 0, 1, ...
    anchored: bool             # the rhythm counts from the initial interview (a fixed grid)
    needs_based: bool          # supplementary interviews by need only, between regular ones


class AreaModel:
    def __init__(self, scenario: Scenario, replication: int) -> None:
        self.sc = scenario
        self.rep = replication
        self.seed = scenario.run.seed
        self.region = scenario.region_obj()
        self.rules = scenario.rules_obj()
        self.cal = SimCalendar.for_years(scenario.run.start_date, scenario.run.years)
        self.horizon_day = self.cal.days
        self.env = simpy.Environment()
        self.records = Records()
        self.munis = list(self.region.municipality_names)
        self.hubs = list(self.region.hub_names)
        self.muni_hub = [self.hubs.index(self.region.hub_of(m)) for m in self.munis]
        self.muni_is_hub_town = [m in self.hubs for m in self.munis]
        self._person = 0
        self.alive: dict[int, Jobseeker] = {}
        # streams (one per source of randomness)
        s = lambda name: stream(self.seed, replication, name)  # noqa: E731
        self.g_arrivals = s("arrivals")
        self.g_reentry_pool = s("reentry_pool")
        self.r_group = Buffered(s("groups"))
        self.r_exit = Buffered(s("exits"))
        self.r_channel = Buffered(s("channels"))
        self.r_duration = Buffered(s("durations"))
        self.r_purchase = Buffered(s("purchases"))
        self.r_start = Buffered(s("start_state"))
        self.r_reentry = Buffered(s("reentry"))
        self.r_benefit = Buffered(s("benefits"))
        self.r_service = Buffered(s("services"))
        self.r_any_hub = Buffered(s("any_hub"))
        self.r_profile = Buffered(s("profiles"))
        m = scenario.meetings
        self._profile_share = m.job_search_profile_by_authority_share if m.job_search_profile_minutes > 0 else 0.0
        self._profile_minutes = m.job_search_profile_minutes
        self._profile_deadline_days = m.job_search_profile_deadline_days
        self.desk = ServiceDesk(scenario.services, scenario.service_order, self.r_service.uniform,
                                lambda: self.r_service.exponential() + self.r_service.exponential())
        # calendar month (1-12) of each day index, horizon and margin
        self._month_by_day = [(self.cal.start + timedelta(days=i)).month
                              for i in range(self.cal.days + self.cal.margin_days)]
        self._prepare_benefits()
        self._prepare_rules()
        self._prepare_hazards()
        self._prepare_meetings()
        staff = scenario.staff_by_hub()
        self.staff_fte = [staff[h] for h in self.hubs]
        st = scenario.staff
        # meeting minutes per hub on a working day with everyone present, and the share
        # present on each day (absence by calendar month)
        per_fte = st.working_hours_per_day * 60 * st.customer_meeting_time_share
        self.capacity_min = [f * per_fte for f in self.staff_fte]
        factors = st.absence_month_factors or [1.0] * 12
        presence_by_month = [1 - st.absence_share * f for f in factors]
        self.presence_by_day = [presence_by_month[m - 1] for m in self._month_by_day]
        self.office: AppointmentBook | ServerPool
        if scenario.office.model == "servers":
            servers = [int(round(f * (1 - st.absence_share) * st.customer_meeting_time_share)) for f in self.staff_fte]
            self.office = ServerPool(self.env, servers, self.meeting_held)
        else:
            b = scenario.backup
            self.office = AppointmentBook(
                self.env, self.cal, self.capacity_min, self.presence_by_day, self.hubs.index(self.region.main_hub),
                b.max_share_of_main_hub_capacity if b.enabled else 0.0,
                scenario.meetings.service_point_visit_weekdays, len(self.munis), self.meeting_held)
        self.records.hub_logs = getattr(self.office, "logs", [])
        # the statutory rhythm, for counting the interviews a long wait misses (metrics)
        self.records.regular_interval_days = self._plan_by_day[0].regular_days
        self.records.intensive_interval_by_day = np.array([p.interval for p in self._plan_by_day], dtype=np.int32)
        self.records.intensive_period_days = self._plan_by_day[0].intensive_days
        # hot path: bound methods looked up once
        self._submit = self.office.submit
        self._record_meeting = self.records.meetings.append
        self._refer = self.desk.refer if self.desk else None

    # ---- hazards ---------------------------------------------------------------------
    def _prepare_hazards(self) -> None:
        ex, inf = self.sc.exits, self.sc.inflow
        k = ex.hazard_multiplier   # net of explicit services (config.ExitsConfig)
        self.group_mean_months = [ex.layoff_mean_months, ex.short_group_mean_months / k, ex.long_group_mean_months / k]
        p_l = inf.layoff_share
        p_s = (1 - p_l) * ex.short_group_share
        self.group_cum = [p_l, p_l + p_s, 1.0]
        self.emp_share = [ex.employment_share_layoff, ex.employment_share_short_group, ex.employment_share_long_group]
        self._reentry_probability = inf.reentry_probability
        self._supp_needs_share = self.sc.meetings.supplementary_needs_share
        self._needs_per_interval = self.sc.meetings.needs_based_supplementary_per_interval
        self._grid_skip = self.sc.meetings.grid_skip_within_interval_share
        self._any_hub_share = self.sc.meetings.any_hub_share
        # cumulative seasonal hazard (in "months") at each day index
        months = np.array(self._month_by_day)
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

    def _time_at(self, target: float, t0: float) -> float:
        """The time at which the integrated intensity reaches `target` (inf past the horizon)."""
        i = bisect.bisect_right(self._cum_list, target) - 1
        if i >= len(self._rate_list):
            return math.inf
        t = i + (target - self._cum_list[i]) / self._rate_list[i]
        t = max(t, t0 + 1e-6)
        return t if t < self.horizon_day else math.inf

    def start_hazard(self, js: Jobseeker, t0: float) -> None:
        """Draw the spell's hazard budget and its exit time from t0 (at multiplier 1)."""
        js.e_rem = self.r_exit.exponential() * self.group_mean_months[js.group]
        js.hz_t = t0
        js.mult = 1.0
        js.exit_time = self._time_at(self.cum_hazard(max(t0, 0.0)) + js.e_rem, t0)

    def set_multiplier(self, js: Jobseeker, mult: float) -> None:
        """Change the exit-hazard multiplier from now on; the exit is re-timed."""
        now = self.env.now
        if js.mult > 0:
            js.e_rem -= (self.cum_hazard(now) - self.cum_hazard(max(js.hz_t, 0.0))) * js.mult
            js.e_rem = max(js.e_rem, 0.0)
        js.hz_t = now
        js.mult = mult
        js.exit_time = (self._time_at(self.cum_hazard(now) + js.e_rem / mult, now) if mult > 0 else math.inf)
        self._schedule_exit(js)

    # ---- meetings --------------------------------------------------------------------
    def _prepare_meetings(self) -> None:
        m = self.sc.meetings
        def cum(shares: dict[str, float]) -> list[float]:
            c, out = 0.0, []
            for ch in CHANNELS:
                c += shares.get(ch, 0.0)
                out.append(c)
            out[-1] = 1.0
            return out
        self.channel_cum = [cum(m.channel_shares[t]) for t in MEETING_TYPES]
        self.later_cum = cum(m.later_channel_shares) if m.later_channel_shares else self.channel_cum[JOB_SEARCH]
        self.later_from_day = m.later_channel_shares_from_month * DAYS_PER_MONTH
        self.duration_mean = [[m.duration_minutes[t].get(ch, 0.0) for ch in CHANNELS] for t in MEETING_TYPES]
        self.dist = m.duration_distribution
        self.sigma = math.sqrt(math.log(1 + m.duration_cv ** 2))
        self._duration_factor = self._duration_factors()
        self.window = m.booking_window_working_days
        self.purchased_share = m.supplementary_purchased_share
        self._plan_cache: dict[int, tuple] = {}
        self._plan_by_day = [self._plan_params(r) for r in self._rules_by_day]
        self._last_due = self.horizon_day + 30   # meetings due later are beyond the horizon
        self._supp_scheduled = [r.supplementary_interviews_scheduled for r in self._rules_by_day]
        self._u_channel = self.r_channel.uniform
        self._prepare_days()

    def _duration_factors(self):
        """A callable giving unit-mean factors of meeting duration, drawn in blocks: a meeting
        lasts `duration_minutes[type][channel]` × the next factor (fixed, exponential or
        lognormal with `duration_cv`)."""
        if self.dist == "fixed":
            return itertools.repeat(1.0).__next__
        gen, sigma = self.r_duration.gen, self.sigma
        if self.dist == "exponential":
            return self.r_duration.exponential
        return endless(lambda: np.exp(sigma * gen.standard_normal(BLOCK) - sigma ** 2 / 2).tolist())

    def rules_on_day(self, day: float):
        i = int(day)
        if 0 <= i < len(self._rules_by_day):
            return self._rules_by_day[i]
        return self.rules.on(self.cal.start + timedelta(days=int(math.floor(day))))

    def _prepare_rules(self) -> None:
        # one RulesInForce reference per day index: the hot path is a list lookup
        n = self.cal.days + self.cal.margin_days
        self._rules_by_day = [self.rules.on(self.cal.start + timedelta(days=i)) for i in range(n)]

    def _due_working(self, day: int) -> int:
        """A due date on a day off moves back to the last working day before it."""
        return self._last_working[min(max(day, 0), self.horizon_day + 30)]

    def first_meeting(self, js: Jobseeker, first_due: float | None):
        """(type, due_day, open_day, phase) of the spell's first meeting."""
        r = self._rules_by_day[int(js.start)] if js.start > 0 else self._rules_by_day[0]
        start_day = int(math.floor(js.start))
        if js.group == LAYOFF:
            start_day = int(math.floor(js.start + r.layoff_obligation_start_months * DAYS_PER_MONTH))
        if first_due is not None:  # start stock: next meeting already planned
            due = self._due_working(int(first_due))
            elapsed = -js.start
            interval = r.intensive_interview_interval_days
            phase = ((PH_INTENSIVE, int(elapsed // interval)) if js.group != LAYOFF and interval > 0
                     and elapsed < r.intensive_period_months * DAYS_PER_MONTH else (PH_REGULAR, 0))
            return (JOB_SEARCH, due, max(0, self._open(due, 0)), phase)
        base = max(start_day, 0)
        due = self._add_working_days(base, r.initial_interview_deadline_working_days)
        open_day = self._add_working_days(base, 1) if js.group != LAYOFF else base
        return (INITIAL, due, open_day, (PH_INITIAL, 0))

    def _add_working_days(self, day: int, n: int) -> int:
        """`SimCalendar.add_working_days` on plain lists (the hot path)."""
        if day + 1 < len(self._cum_working):
            k = self._cum_working[day + 1] + n - 1
            if k < len(self._working_index):
                return self._working_index[k]
        return self.cal.add_working_days(day, n)


    def _open(self, due: int, not_before: int) -> int:
        """The earliest day a meeting due on `due` may be held: `window` working days before."""
        d = self._open_of_due[due]
        return d if d > not_before else not_before + 1

    def _prepare_days(self) -> None:
        """Per-day lookups for the hot path: last working day, opening day of a due day."""
        working = self.cal.working
        last, cur = [], 0
        for i in range(len(working)):
            if working[i]:
                cur = i
            last.append(cur)
        self._last_working = last
        cum, idx = self.cal._cum_working, self.cal._working_index
        self._cum_working = cum.tolist()
        self._working_index = idx.tolist()
        self._open_of_due = [int(idx[k]) if k >= 0 else 0
                             for k in (int(cum[d + 1]) - 1 - self.window for d in range(len(working)))]

    def _plan_params(self, r) -> Plan:
        """Rhythm parameters derived once per set of rules in force."""
        p = self._plan_cache.get(id(r))
        if p is None:
            interval = r.intensive_interview_interval_days
            intensive_days = r.intensive_period_months * DAYS_PER_MONTH
            n_slots = int(intensive_days // interval) if interval > 0 else 0
            n_supp = r.supplementary_interviews_per_intensive_period
            # the meeting type of each intensive slot k = 1.. (beyond: computed when needed)
            slot_type = [JOB_SEARCH] + [JOB_SEARCH if intensive_slot_is_job_search(k, n_slots, n_supp)
                                        else SUPPLEMENTARY for k in range(1, n_slots + 3)]
            p = Plan(interval, intensive_days, n_slots, n_supp, r.intensive_repeat_interviews,
                     r.regular_interview_interval_months * DAYS_PER_MONTH,
                     r.intensive_repeat_every_months * DAYS_PER_MONTH,
                     r.layoff_obligation_start_months * DAYS_PER_MONTH,
                     slot_type, r.regular_interviews_counted_from == "initial_interview",
                     not r.supplementary_interviews_scheduled and interval == 0)
            self._plan_cache[id(r)] = p
        return p

    def _plan_on_day(self, day: int) -> Plan:
        i = int(day)
        if 0 <= i < len(self._plan_by_day):
            return self._plan_by_day[i]
        return self._plan_params(self.rules_on_day(day))

    def next_meeting(self, js: Jobseeker, held: int, phase):
        """(type, due_day, open_day, phase) of the meeting after one held (or due) on day
        `held`; None when it falls beyond the horizon.

        Until 2025 (HE 167/2021) the regular interview comes `regular_days` after the last
        interview; from 2026 (HE 108/2025) on a fixed grid every `regular_days` from the
        initial interview (`js.anchor`): a late interview does not push the next one back,
        and the next grid point less than half an interval away is passed over (the late
        interview stands for it). Needs-based supplementary interviews (from 2026, for the
        jobseekers who need them) fall evenly between two regular interviews.
        A due date on a day off moves back to the last working day before it; the meeting
        opens `booking_window_working_days` before its due day, and after `held`.
        """
        plans = self._plan_by_day
        p = plans[held] if held < len(plans) else self._plan_on_day(held)
        interval = p.interval
        kind, k = phase
        if kind == PH_INITIAL or kind == PH_AFTER_SERVICE:
            js.anchor = held
        if kind != PH_NEED:
            js.last_base = held
        laid_off = js.group == LAYOFF
        reg = js.start + p.layoff_days if laid_off else js.start
        last_working = self._last_working
        if not laid_off and interval > 0 and kind <= PH_INTENSIVE:   # initial or intensive
            nxt = held + interval
            if nxt <= reg + p.intensive_days:
                k += 1
                slot_type = p.slot_type
                t = (slot_type[k] if k < len(slot_type) else
                     JOB_SEARCH if intensive_slot_is_job_search(k, p.n_slots, p.n_supp) else SUPPLEMENTARY)
                due = last_working[int(nxt)]
                phase = (PH_INTENSIVE, k)
            else:
                due = -1
        else:
            due = -1
        if due < 0 and kind == PH_REPEAT and k < p.repeat_n and interval > 0:
            due = last_working[int(held + interval)]
            phase = (PH_REPEAT, k + 1)
            t = JOB_SEARCH
        if due < 0:
            base = js.last_base
            rd = p.regular_days
            if p.anchored:
                j = math.floor((base - js.anchor) / rd) + 1
                regular = js.anchor + j * rd
                if regular - base < rd * self._grid_skip:
                    regular += rd
            else:
                regular = base + rd
            if regular > self.horizon_day + 60:
                regular = self.horizon_day + 60   # marks "beyond the horizon"
                beyond = True
            else:
                beyond = False
            if not laid_off and p.repeat_days > 0 and interval > 0 and p.repeat_n > 0:
                j = math.floor((held - reg) / p.repeat_days) + 1
                mark = reg + j * p.repeat_days
                if mark - held < interval:   # the meeting just held opens this repeat
                    mark += p.repeat_days
                if mark < regular:
                    due = last_working[int(mark)]
                    phase = (PH_REPEAT, 1)
            if due < 0 and p.needs_based and js.needs_supplementary and not laid_off and not beyond:
                k_next = k + 1 if kind == PH_NEED else 1
                n_need = self._needs_per_interval
                if k_next <= n_need:
                    t_need = base + (regular - base) * k_next / (n_need + 1)
                    if t_need > held:
                        due = last_working[int(t_need)]
                        phase = (PH_NEED, k_next)
                        t = SUPPLEMENTARY
            if due < 0:
                due = last_working[int(regular)]
                phase = (PH_REGULAR, 0)
                t = JOB_SEARCH
            elif phase[0] != PH_NEED:
                t = JOB_SEARCH
        if due >= self._last_due:
            return None
        o = self._open_of_due[due]
        return (t, due, o if o > held else held + 1, phase)

    def request_meeting(self, js: Jobseeker, mtype: int, due: int, open_day: int, phase=()):
        """Book a meeting; returns the Request, or None when no staff time is needed."""
        if mtype == SUPPLEMENTARY:
            if not js.needs_supplementary and not (self._supp_scheduled[open_day] if open_day < len(self._supp_scheduled)
                                                   else self.rules_on_day(open_day).supplementary_interviews_scheduled):
                return None
            if self.r_purchase.uniform() < self.purchased_share:
                if due < self.horizon_day:   # held by a provider on its due day
                    self.records.meetings.append(Meeting(js.municipality, js.hub, mtype, PROVIDER, due, open_day, due, 0.0, True))
                return None
        if mtype == JOB_SEARCH and open_day - js.start >= self.later_from_day:
            cum = self.later_cum
        else:
            cum = self.channel_cum[mtype]
        ch = bisect.bisect_right(cum, self._u_channel())
        if ch >= len(cum):
            ch = len(cum) - 1
        sp = False
        ch_eff = ch
        if ch == SERVICE_POINT:
            if self.muni_is_hub_town[js.municipality]:
                ch_eff = IN_PERSON
            else:
                sp = True
        req = Request(due, open_day, self.duration_mean[mtype][ch] * self._duration_factor(), mtype, ch_eff,
                      js.municipality, js.hub, js, phase, sp, js.any_hub and ch_eff == IN_PERSON)
        self._submit(req)
        return req

    # ---- the statutory path, driven by events --------------------------------------
    def advance(self, js: Jobseeker, plan) -> None:
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
        self._record_meeting(Meeting(req.municipality, req.hub, req.mtype, req.channel, req.due_day,
                                     req.open_day, day, req.minutes, False))
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

    # ---- jobseekers ------------------------------------------------------------------
    def _prepare_benefits(self) -> None:
        b = self.sc.benefits
        self._short_history_share = b.short_work_history_share if b is not None else 0.0
        if b is None:
            self.benefit_cum = None
            return
        c, out = b.no_benefit_share, [b.no_benefit_share]
        for t in BENEFIT_TYPES:
            c += (1 - b.no_benefit_share) * b.type_shares[t]
            out.append(c)
        out[-1] = 1.0
        self.benefit_cum = out

    def draw_benefit_type(self) -> int:
        """Index into BENEFIT_TYPES, or -1 for a jobseeker without benefit."""
        if self.benefit_cum is None:
            return -1
        return self.r_benefit.choice(self.benefit_cum) - 1

    def new_jobseeker(self, municipality: int, t: float, is_reentry: bool = False,
                      group: int | None = None, registered: float | None = None,
                      previous: Jobseeker | None = None) -> Jobseeker:
        """Register a jobseeker at time t (drawing group, exit, destination, benefit).

        `previous` is the same person's last spell when they return: without a new work
        condition (away less than `work_condition_months`, the rule in force on return)
        the new spell continues that spell's benefit-day and municipal-share count, with
        the same benefit; otherwise the count starts again from zero.
        """
        g = self.r_group.choice(self.group_cum) if group is None else group
        if previous is None:
            self._person += 1
            person = self._person
        else:
            person = previous.person
        start = t if registered is None else registered
        js = Jobseeker(person, municipality, self.muni_hub[municipality], g, start, math.inf, 0,
                       False, False, is_reentry)
        self.start_hazard(js, t)
        js.dest = EMPLOYMENT if self.r_exit.uniform() < self.emp_share[g] else OTHER
        js.reentry = js.dest == EMPLOYMENT and self.r_reentry.uniform() < self._reentry_probability
        js.needs_supplementary = self.r_group.uniform() < self._supp_needs_share
        js.any_hub = self._any_hub_share > 0 and self.r_any_hub.uniform() < self._any_hub_share
        js.benefit_type = self.draw_benefit_type()
        js.short_history = self.r_benefit.uniform() < self._short_history_share
        if previous is not None and previous.benefit_type >= 0:
            wc_days = self.rules_on_day(t).work_condition_months * DAYS_PER_MONTH
            if t - previous.exit_time < wc_days:
                js.continues = True
                js.benefit_type = previous.benefit_type
                js.short_history = previous.short_history
        if start < 0:   # benefit paid for the time already unemployed, so many days a week
            js.prior_paid_days = int(-start * self.rules_on_day(0).paid_days_per_week / 7)
        self.alive[js.person] = js
        self._schedule_exit(js)
        return js

    def history_paid_days(self, away_days: float) -> int:
        """Benefit days of an earlier spell that a person brings back after `away_days` away
        (0 when the work condition was met meanwhile). The earlier spell's group is drawn
        from the inflow shares and its length from the group's calibrated duration."""
        r = self.rules_on_day(0)
        if away_days >= r.work_condition_months * DAYS_PER_MONTH:
            return 0
        g = self.r_start.choice(self.group_cum)
        months = self.r_start.exponential() * self.group_mean_months[g]
        return int(months * DAYS_PER_MONTH * r.paid_days_per_week / 7)

    def _schedule_exit(self, js: Jobseeker) -> None:
        js.exit_version += 1
        if js.exit_time != math.inf:
            Timeout(self.env, js.exit_time - self.env.now, (js, js.exit_version)).callbacks.append(self._exit_due)

    def _exit_due(self, ev: Timeout) -> None:
        js, version = ev._value
        if js.exit_version == version and not js.exited:
            self.on_exit(js)

    def on_exit(self, js: Jobseeker) -> None:
        js.exited = True
        js.exit_time = self.env.now
        del self.alive[js.person]
        req = js.pending
        if req is not None:
            req.cancelled = True
            js.pending = None
            self.records.cancelled_meetings += 1
            if req.due_day < int(self.env.now):   # left with the deadline already missed
                self.records.unheld.append(Unheld(req.municipality, req.mtype, req.due_day, self.env.now))
        if js.profile_req is not None:
            js.profile_req.cancelled = True
            js.profile_req = None
        if js.service >= 0:   # left during the service
            self._end_service(js, Outcome.LEFT)
        self.records.spells.append(Spell(js.person, js.municipality, js.group, js.start, js.exit_time, js.dest,
                                         js.is_reentry, js.benefit_type, js.prior_paid_days, js.continues,
                                         js.short_history))
        if js.reentry:
            delay = self.r_reentry.exponential() * self.sc.inflow.reentry_mean_months * DAYS_PER_MONTH
            if self.env.now + delay < self.horizon_day:
                Timeout(self.env, delay, js).callbacks.append(self._register)

    def _register(self, ev: Timeout) -> None:
        """A re-entry falls due (timeout callback; value: the person's last spell)."""
        prev: Jobseeker = ev._value
        js = self.new_jobseeker(prev.municipality, self.env.now, is_reentry=True, previous=prev)
        self.advance(js, self.first_meeting(js, None))
        if self._profile_share > 0:
            self._profile_task(js)

    def _reentry_share(self) -> float:
        """e·p: the share of spells that end in work and return (steady state)."""
        inf, ex = self.sc.inflow, self.sc.exits
        p_l = inf.layoff_share
        e = (p_l * ex.employment_share_layoff
             + (1 - p_l) * ex.short_group_share * ex.employment_share_short_group
             + (1 - p_l) * (1 - ex.short_group_share) * ex.employment_share_long_group)
        return e * inf.reentry_probability

    def reentry_pool_times(self) -> list[tuple[float, int, bool]]:
        """Returns of people who left for work *before* the start and will re-register.

        In a steady state the re-entry flow is r = new × e·p / (1 − e·p) a month (e: share of
        exits that go to work, p: re-entry probability); the people on their way back number
        r × D (D: mean delay) and, delays being exponential, return at Exp(D) after the start.
        Without them the first months would miss this flow (the start state holds jobseekers
        only).
        """
        inf = self.sc.inflow
        ep = self._reentry_share()
        if ep <= 0:
            return []
        g = self.g_reentry_pool
        d_days = inf.reentry_mean_months * DAYS_PER_MONTH
        out = []
        if inf.forecast is not None:    # the pool the start stock keeps up (as model.outlook assumes)
            stock = np.array([self.sc.start_state.stock_by_municipality[m] for m in self.munis])
            sizes = stationary_pool(self.sc, stock)
        else:
            sizes = [inf.per_month_by_municipality[name] * inf.scale * ep / (1 - ep) * inf.reentry_mean_months
                     for name in self.munis]
        for m, name in enumerate(self.munis):
            n = int(g.poisson(sizes[m]))
            for t in g.exponential(d_days, n):
                if t < self.horizon_day:
                    out.append((float(t), m, True))
        return out

    def arrival_times(self) -> list[tuple[float, int, bool]]:
        """New registrations for the whole horizon: (time, municipality), sorted."""
        inf = self.sc.inflow
        g = self.g_arrivals
        out: list[tuple[float, int, bool]] = []
        starts = self.cal.month_starts + [self.cal.days]
        index = list(inf.index_by_month.items())     # sorted by month
        forecast = self._forecast_registrations() if inf.forecast is not None else None
        for mi in range(len(starts) - 1):
            a, b = starts[mi], starts[mi + 1]
            d = self.cal.to_date(a)
            years = a / 365.25
            f = inf.seasonal_factors[d.month - 1] * inf.scale * (1 + inf.trend_per_year) ** years
            label = f"{d.year:04d}-{d.month:02d}"
            k = bisect.bisect_right(index, (label, math.inf)) - 1
            if k >= 0:
                f *= index[k][1]
            frac = (b - a) / monthrange(d.year, d.month)[1]   # a horizon may end mid-month
            for m, name in enumerate(self.munis):
                lam = (forecast[mi, m] * frac if forecast is not None
                       else inf.per_month_by_municipality[name] * f * frac)
                n = int(g.poisson(lam))
                if n:
                    for t in g.uniform(a, b, n):
                        out.append((float(t), m, False))
        out.sort()
        return out

    def _forecast_registrations(self) -> np.ndarray:
        """New registrations (month × municipality) that make the expected stock follow the
        forecast of `inflow.forecast` (`model.outlook`); the target is kept in the records."""
        fc = self.sc.inflow.forecast
        labels = list(self.cal.month_labels)
        target = target_stock(fc.paths_file, self.munis, labels, fc.mode, self.rep)
        start = np.array([self.sc.start_state.stock_by_municipality[m] for m in self.munis])
        self.records.outlook_target = target
        return registrations_for(target, start, labels, self.sc)

    def _arrivals(self, times: list[tuple[float, int, bool]]):
        """Registrations, in time order, as one process (SimPy's heap holds one at a time)."""
        env = self.env
        d_days = self.sc.inflow.reentry_mean_months * DAYS_PER_MONTH
        for t, m, reentry in times:
            if t > env.now:
                yield env.timeout(t - env.now)
            js = self.new_jobseeker(m, env.now, is_reentry=reentry)
            if reentry:   # left for work before the start: brings the earlier spell's days back
                # time away before the start: Exp(D) in the steady state (memoryless delays)
                js.prior_paid_days = self.history_paid_days(self.r_start.exponential() * d_days + t)
            if self._profile_share > 0:
                self._profile_task(js)
            self.advance(js, self.first_meeting(js, None))

    def _start_stock(self) -> None:
        ss = self.sc.start_state
        comp = start_composition(self.sc)   # by group (model.outlook: stationary, or a stated long-term share)
        cum = [comp[0], comp[0] + comp[1], 1.0]
        r = self.rules_on_day(0)
        p_return = self._reentry_share()      # share of spells that are returns
        d_days = self.sc.inflow.reentry_mean_months * DAYS_PER_MONTH
        for m, name in enumerate(self.munis):
            n = int(round(ss.stock_by_municipality[name]))
            for _ in range(n):
                g = self.r_start.choice(cum)
                elapsed = self.r_start.exponential() * self.group_mean_months[g] * DAYS_PER_MONTH
                js = self.new_jobseeker(m, 0.0, group=g, registered=-max(elapsed, 1e-3))
                if self.r_start.uniform() < p_return:   # a return: the earlier spell's days too
                    js.prior_paid_days += self.history_paid_days(self.r_start.exponential() * d_days)
                # the next meeting: in the regular rhythm, at a uniformly random phase
                gap = (r.intensive_interview_interval_days if (g != LAYOFF and r.intensive_interview_interval_days > 0
                       and elapsed < r.intensive_period_months * DAYS_PER_MONTH)
                       else r.regular_interview_interval_months * DAYS_PER_MONTH)
                first_due = 1 + self.r_start.uniform() * gap
                js.anchor = js.last_base = first_due - gap   # the rhythm's phase
                if g == LAYOFF and elapsed < r.layoff_obligation_start_months * DAYS_PER_MONTH:
                    first_due = None  # laid off: obligations start later
                self.advance(js, self.first_meeting(js, first_due))

    def _month_ends(self):
        """At the end of each month's last day (after the office has served it): every
        interview still waiting past its deadline, as (month, municipality, type)."""
        env, overdue = self.env, self.records.overdue
        ends = self.cal.month_starts[1:] + [self.cal.days]
        for i, end in enumerate(ends):
            yield env.timeout(end - 0.25 - env.now)
            last = end - 1
            for js in self.alive.values():
                req = js.pending
                if req is not None and not req.cancelled and req.due_day <= last:
                    overdue.append(Overdue(i, req.municipality, req.mtype))

    def _profile_task(self, js: Jobseeker) -> None:
        """From 1.9.2026 (HE 108/2025) the authority makes the job-search profile of a new
        jobseeker who has not made it by the deadline: an officer's task (remote work) that
        opens at the deadline and is due within the initial-interview deadline after it."""
        t = int(self.env.now)
        if not self.rules_on_day(t).job_search_profile_by_authority or self.r_profile.uniform() >= self._profile_share:
            return
        open_day = int(t + self._profile_deadline_days)
        if open_day >= self.horizon_day or open_day >= js.exit_time:
            return
        open_day = self._add_working_days(open_day - 1, 1)    # the first working day from then on
        if open_day >= self.horizon_day:
            return
        due = self._add_working_days(open_day, self.rules_on_day(open_day).initial_interview_deadline_working_days)
        req = Request(due, open_day, self._profile_minutes, PROFILE, REMOTE, js.municipality, js.hub, js, (PH_NEED, 0))
        js.profile_req = req
        self._submit(req)

    def run(self) -> Records:
        self._start_stock()
        self._start_participants()
        self.env.process(self._arrivals(sorted(self.arrival_times() + self.reentry_pool_times())))
        self.env.process(self._month_ends())
        self.env.run(until=self.horizon_day)
        # spells (and services) still open at the horizon: end = inf, dest/outcome = -1
        for js in self.alive.values():
            req = js.pending
            if req is not None and not req.cancelled and req.due_day < self.horizon_day:
                self.records.unheld.append(Unheld(req.municipality, req.mtype, req.due_day, self.horizon_day))
            if js.service >= 0:
                self.records.services.append(Participation(js.person, js.municipality, js.service, js.service_start,
                                                           math.inf, Outcome.OPEN))
            self.records.spells.append(Spell(js.person, js.municipality, js.group, js.start, math.inf, Dest.OPEN,
                                             js.is_reentry, js.benefit_type, js.prior_paid_days, js.continues,
                                             js.short_history))
        return self.records

    # ---- services --------------------------------------------------------------------
    def start_service(self, js: Jobseeker, service: int, duration_days: float | None = None,
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
        Timeout(env, duration_days, (js, js.service_count)).callbacks.append(self._service_ends)

    def _service_ends(self, ev: Timeout) -> None:
        """A service's planned end: to work, or back to job search (and its next meeting)."""
        js, service_count = ev._value
        if js.exited or js.service_count != service_count:   # left during the service
            return
        cfg = self.desk.cfg[js.service]
        if self.r_service.uniform() < cfg.employment_at_end_share:
            js.dest = EMPLOYMENT
            self._end_service(js, Outcome.EMPLOYMENT)
            js.exit_version += 1
            self.on_exit(js)
            return
        self._end_service(js, Outcome.JOB_SEARCH)
        self.set_multiplier(js, cfg.post_exit_multiplier)
        if cfg.post_effect_months > 0 and cfg.post_exit_multiplier != 1.0:
            Timeout(self.env, cfg.post_effect_months * DAYS_PER_MONTH,
                    (js, js.service_count)).callbacks.append(self._post_effect_ends)
        self.advance(js, self.after_service_meeting(js))

    def _post_effect_ends(self, ev: Timeout) -> None:
        """The after-effect of a service ends (unless a later service or the exit came first)."""
        js, service_count = ev._value
        if not js.exited and js.service < 0 and js.service_count == service_count:
            self.set_multiplier(js, 1.0)

    def _end_service(self, js: Jobseeker, outcome: Outcome) -> None:
        self.records.services.append(Participation(js.person, js.municipality, js.service, js.service_start,
                                                   self.env.now, outcome))
        self.desk.participants[js.service] -= 1
        js.service = -1
        js.service_count += 1

    def after_service_meeting(self, js: Jobseeker):
        """Back from a service: a job-search interview within the initial-interview deadline."""
        day = int(self.env.now)
        r = self.rules_on_day(day)
        due = self._add_working_days(day, r.initial_interview_deadline_working_days)
        return (JOB_SEARCH, due, self._open(due, day), (PH_AFTER_SERVICE, 0))

    def _start_participants(self) -> None:
        """Services are running at the start: fill each to its capacity at the start state."""
        if not self.desk:
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
        for i in self.desk.order:
            name = self.desk.names[i]
            if name in given:          # the start state says how many take part now
                cap = float(given[name])
            else:                      # otherwise: the service's capacity on the start date
                cap = self.desk.capacity(i, broad)
                cap = cap if math.isfinite(cap) else 0.0
            n = int(round(cap))
            groups = sorted(self.desk.eligible_groups[i])
            for _ in range(n):
                m = self.r_start.choice(cum)
                g = groups[-1]   # the longest-spell group the service takes (stock in services is long-term)
                dur = self.desk.duration_days(i)
                elapsed_service = self.r_start.uniform() * dur
                registered = -(self.desk.eligible_days[i] + elapsed_service
                               + self.r_start.exponential() * self.group_mean_months[g] * DAYS_PER_MONTH)
                js = self.new_jobseeker(m, 0.0, group=g, registered=registered)
                self.start_service(js, i, dur - elapsed_service, -elapsed_service)
            broad += n


def run_replication(scenario: Scenario, replication: int) -> Records:
    """Run replication `replication` of `scenario` and return its raw records."""
    return AreaModel(scenario, replication).run()
