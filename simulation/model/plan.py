"""The statutory path: which meeting comes next, and when — plain functions of the rules in force.

Until 2025 (HE 167/2021): registration → initial interview within 5 working days → the
biweekly supplementary job-search interviews of the first 3 months (which may be bought
from providers) → the two-interview month at every half-year of job search → an interview
every three months after the last one. From 2026 (HE 108/2025): the initial interview within
10 working days → a job-search interview every three months counted from the initial
interview → supplementary interviews only by need (a stated share of jobseekers, between
the regular interviews); from 1.9.2026 the authority also makes the job-search profile of
those who do not make it themselves (`meetings`). The rules in force on the day a meeting is
planned decide its rhythm (`rules.on(date)`), so a spell that crosses 2 May 2022 or
1 Jan 2026 changes rhythm. Temporarily laid-off jobseekers enter the process only when their
job-search obligation starts.

Nothing here runs SimPy or draws a random number. `plan_for` derives a `Plan` — the rhythm,
with named fields — once per set of rules in force. `StatutoryPath` lays the plans on the
working calendar: each meeting's type, due day, opening day and phase (`first_meeting`,
`next_meeting`, `after_service`), reading the jobseeker's group, registration and needs and
keeping its place in the rhythm (`anchor`, `last_base`). A step of the path is a plain tuple
``(type, due_day, open_day, phase)`` with ``phase = (kind, k)``: the hot path unpacks it.
`tests/test_plan.py` walks the path without a model.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING, NamedTuple

from ..scenario.calendar import DAYS_PER_MONTH, SimCalendar
from .jobseeker import INITIAL, JOB_SEARCH, SUPPLEMENTARY
from .records import Group

if TYPE_CHECKING:
    from ..scenario.rules import Rules, RulesInForce
    from .jobseeker import Jobseeker

LAYOFF = Group.LAYOFF.value
# the kinds of phase: the initial interview, the biweekly intensive period, the half-yearly repeat
# month, the regular rhythm, a needs-based supplementary interview between regular ones, the
# first interview back from a service (the rhythm counts from it, as from an initial interview)
PH_INITIAL, PH_INTENSIVE, PH_REPEAT, PH_REGULAR, PH_NEED, PH_AFTER_SERVICE = range(6)
BEYOND_DAYS = 30   # a meeting due this many days past the horizon is not planned


class Plan(NamedTuple):
    """The statutory rhythm under one set of rules in force (days are calendar days)."""

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

    def slot(self, k: int) -> int:
        """The meeting type of intensive slot k."""
        if k < len(self.slot_type):
            return self.slot_type[k]
        return _slot_type(k, self.n_slots, self.n_supp)


def intensive_slot_is_job_search(k: int, n_slots: int, n_supplementary: int) -> bool:
    """Slot k (1-based) of an intensive period: job-search (True) or supplementary (False).

    The (n_slots − n_supplementary) job-search interviews are spread evenly over the slots.
    """
    n_js = max(n_slots - n_supplementary, 0)
    if n_slots <= 0:
        return True
    return (k * n_js) // n_slots > ((k - 1) * n_js) // n_slots


def _slot_type(k: int, n_slots: int, n_supp: int) -> int:
    return JOB_SEARCH if intensive_slot_is_job_search(k, n_slots, n_supp) else SUPPLEMENTARY


def plan_for(r: RulesInForce) -> Plan:
    """The rhythm of the rules in force `r`."""
    interval = r.intensive_interview_interval_days
    intensive_days = r.intensive_period_months * DAYS_PER_MONTH
    n_slots = int(intensive_days // interval) if interval > 0 else 0
    n_supp = r.supplementary_interviews_per_intensive_period
    return Plan(
        interval=interval,
        intensive_days=intensive_days,
        n_slots=n_slots,
        n_supp=n_supp,
        repeat_n=r.intensive_repeat_interviews,
        regular_days=r.regular_interview_interval_months * DAYS_PER_MONTH,
        repeat_days=r.intensive_repeat_every_months * DAYS_PER_MONTH,
        layoff_days=r.layoff_obligation_start_months * DAYS_PER_MONTH,
        # the type of each intensive slot k = 1.. (beyond: computed when needed, `Plan.slot`)
        slot_type=[JOB_SEARCH] + [_slot_type(k, n_slots, n_supp) for k in range(1, n_slots + 3)],
        anchored=r.regular_interviews_counted_from == "initial_interview",
        needs_based=not r.supplementary_interviews_scheduled and interval == 0,
    )


class StatutoryPath:
    """The statutory path of a run: the plans in force and the working calendar, by day.

    `window` is the booking window (a meeting opens this many working days before its due
    day), `grid_skip` the share of an interval within which a late interview stands for the
    next grid point (2026 rules), `needs_per_interval` the needs-based supplementary
    interviews between two regular ones.
    """

    def __init__(self, rules: Rules, cal: SimCalendar, window: int, grid_skip: float,
                 needs_per_interval: int) -> None:
        self.rules = rules
        self.cal = cal
        self.horizon_day = cal.days
        self.window = window
        self.grid_skip = grid_skip
        self.needs_per_interval = needs_per_interval
        n = cal.days + cal.margin_days
        # per day index: the rules in force and their plan (hot path: a list lookup)
        self.month_by_day = [(cal.start + timedelta(days=i)).month for i in range(n)]
        self.rules_by_day = [rules.on(cal.start + timedelta(days=i)) for i in range(n)]
        self._plans: dict[int, Plan] = {}
        self.plan_by_day = [self._plan(r) for r in self.rules_by_day]
        self._n_days = n
        self.last_due = self.horizon_day + BEYOND_DAYS   # meetings due later are not planned
        # per day index: the last working day on or before it, the day a meeting due on it opens
        working = cal.working
        last, cur = [], 0
        for i in range(len(working)):
            if working[i]:
                cur = i
            last.append(cur)
        self.last_working = last
        cum, idx = cal._cum_working, cal._working_index
        self._cum_working = cum.tolist()
        self._working_index = idx.tolist()
        self._n_cum, self._n_working = len(self._cum_working), len(self._working_index)
        self.open_of_due = [int(idx[k]) if k >= 0 else 0
                            for k in (int(cum[d + 1]) - 1 - window for d in range(len(working)))]

    def _plan(self, r: RulesInForce) -> Plan:
        p = self._plans.get(id(r))   # the rules keep one object per period in force
        if p is None:
            p = self._plans[id(r)] = plan_for(r)
        return p

    # ---- the calendar --------------------------------------------------------------
    def rules_on_day(self, day: float) -> RulesInForce:
        i = int(day)
        if 0 <= i < len(self.rules_by_day):
            return self.rules_by_day[i]
        return self.rules.on(self.cal.start + timedelta(days=int(math.floor(day))))

    def plan_on_day(self, day: int) -> Plan:
        i = int(day)
        if 0 <= i < len(self.plan_by_day):
            return self.plan_by_day[i]
        return self._plan(self.rules_on_day(day))

    def add_working_days(self, day: int, n: int) -> int:
        """`SimCalendar.add_working_days` on plain lists (the hot path)."""
        if day + 1 < self._n_cum:
            k = self._cum_working[day + 1] + n - 1
            if k < self._n_working:
                return self._working_index[k]
        return self.cal.add_working_days(day, n)

    def due_working(self, day: int) -> int:
        """A due date on a day off moves back to the last working day before it."""
        return self.last_working[min(max(day, 0), self.last_due)]

    def opening(self, due: int, not_before: int) -> int:
        """The earliest day a meeting due on `due` may be held: `window` working days before,
        and after `not_before`."""
        d = self.open_of_due[due]
        return d if d > not_before else not_before + 1

    # ---- the path ------------------------------------------------------------------
    def first_meeting(self, js: Jobseeker, first_due: float | None) -> tuple:
        """The spell's first step: its initial interview, or for the start stock (`first_due`
        given) the job-search interview already planned in its rhythm."""
        r = self.rules_by_day[int(js.start)] if js.start > 0 else self.rules_by_day[0]
        start_day = int(math.floor(js.start))
        if js.group == LAYOFF:
            start_day = int(math.floor(js.start
                                       + r.layoff_obligation_start_months * DAYS_PER_MONTH))
        if first_due is not None:  # start stock: next meeting already planned
            due = self.due_working(int(first_due))
            elapsed = -js.start
            interval = r.intensive_interview_interval_days
            phase = ((PH_INTENSIVE, int(elapsed // interval)) if js.group != LAYOFF and interval > 0
                     and elapsed < r.intensive_period_months * DAYS_PER_MONTH else (PH_REGULAR, 0))
            return (JOB_SEARCH, due, max(0, self.opening(due, 0)), phase)
        base = max(start_day, 0)
        due = self.add_working_days(base, r.initial_interview_deadline_working_days)
        open_day = self.add_working_days(base, 1) if js.group != LAYOFF else base
        return (INITIAL, due, open_day, (PH_INITIAL, 0))

    def after_service(self, day: int) -> tuple:
        """Back from a service on `day`: a job-search interview within the initial-interview
        deadline (the rhythm then counts from it)."""
        r = self.rules_on_day(day)
        due = self.add_working_days(day, r.initial_interview_deadline_working_days)
        return (JOB_SEARCH, due, self.opening(due, day), (PH_AFTER_SERVICE, 0))

    def next_meeting(self, js: Jobseeker, held: int, phase: tuple) -> tuple | None:
        """The step after a meeting held (or due) on day `held` in `phase`; None when it falls
        beyond the horizon.

        Until 2025 (HE 167/2021) the regular interview comes `regular_days` after the last
        interview; from 2026 (HE 108/2025) on a fixed grid every `regular_days` from the
        initial interview (`js.anchor`): a late interview does not push the next one back,
        and the next grid point less than `grid_skip` of an interval away is passed over (the
        late interview stands for it). Needs-based supplementary interviews (from 2026, for
        the jobseekers who need them) fall evenly between two regular interviews.
        A due date on a day off moves back to the last working day before it; the meeting
        opens `window` working days before its due day, and after `held`.
        """
        p = self.plan_by_day[held] if held < self._n_days else self.plan_on_day(held)
        interval = p.interval
        kind, k = phase
        if kind == PH_INITIAL or kind == PH_AFTER_SERVICE:
            js.anchor = held
        if kind != PH_NEED:
            js.last_base = held
        laid_off = js.group == LAYOFF
        reg = js.start + p.layoff_days if laid_off else js.start
        last_working = self.last_working
        if not laid_off and interval > 0 and kind <= PH_INTENSIVE:   # initial or intensive
            nxt = held + interval
            if nxt <= reg + p.intensive_days:
                k += 1
                slot_type = p.slot_type
                t = slot_type[k] if k < len(slot_type) else p.slot(k)
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
                if regular - base < rd * self.grid_skip:
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
                n_need = self.needs_per_interval
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
        if due >= self.last_due:
            return None
        o = self.open_of_due[due]
        return (t, due, o if o > held else held + 1, phase)
