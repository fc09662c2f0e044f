"""Hub offices: appointment books with staff capacity on working days.

Each hub has meeting capacity in minutes on each working day (staff FTE × working
hours × the share present that day × the share of time for customer meetings; absence
may differ by calendar month, as annual leave bunches in the summer). Meeting requests
enter the hub's book when they open (the earliest day they may be held); every working
day the hub serves open requests in **earliest-deadline-first** order until the day's
minutes are used. A request not served by its due day is late, and the number of
working days it was late is recorded. Requests for a municipal service point wait for
the officer's visiting day there. An in-person request of a customer who uses any
service point is in every hub's book; the first hub to reach it holds it (in the backup
pass below, the main office). After the hubs have served their own customers, the main
office lends up to a set share of its unused minutes to the other hubs' overdue
requests (the plan's backup staff).

`ServerPool` is the same interface as c parallel officers in continuous time
(a priority queue by due date): with Poisson arrivals and exponential meeting times
it is an M/M/c queue, which the tests compare with Erlang C.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import simpy

from ..scenario.calendar import SimCalendar

if TYPE_CHECKING:
    from ..scenario.config import Scenario


class Request:
    """One meeting to be held for jobseeker `js`; the office calls ``on_held(req, day)`` when it is.

    `phase` is the jobseeker's place in the statutory rhythm, handed back to the model
    with the request so that it can plan the meeting after this one.
    """

    __slots__ = ("due_day", "open_day", "minutes", "mtype", "channel", "municipality", "hub",
                 "js", "phase", "cancelled", "seq", "sp", "anywhere")

    def __init__(self, due_day: int, open_day: int, minutes: float, mtype: int, channel: int,
                 municipality: int, hub: int, js: Any = None, phase: tuple = (),
                 service_point: bool = False, anywhere: bool = False) -> None:
        self.due_day = due_day
        self.open_day = open_day
        self.minutes = minutes
        self.mtype = mtype            # index into MEETING_TYPES
        self.channel = channel        # index into CHANNELS
        self.municipality = municipality
        self.hub = hub
        self.js = js
        self.phase = phase
        self.cancelled = False        # no longer waiting: the jobseeker left (or if anywhere, held)
        self.seq = 0                  # booking order, set by the office
        self.sp = service_point       # held at a municipal service point
        self.anywhere = anywhere      # in person at whichever hub reaches it first; `hub` is then
                                      # the home hub until held, the hub that held it after


@dataclass
class HubDayLog:
    """Per hub, per working day: capacity, use, queue."""

    day: list[int] = field(default_factory=list)
    capacity_min: list[float] = field(default_factory=list)
    used_min: list[float] = field(default_factory=list)
    lent_min: list[float] = field(default_factory=list)
    # taken at the end of each calendar month's last day
    month_end_day: list[int] = field(default_factory=list)
    overdue_end: list[int] = field(default_factory=list)
    waiting_end: list[int] = field(default_factory=list)


class AppointmentBook:
    """All hubs' appointment books, served by one daily process."""

    def __init__(
        self,
        env: simpy.Environment,
        cal: SimCalendar,
        capacity_min_per_day: list[float],
        presence_by_day: list[float],
        main_hub: int,
        backup_share: float,
        service_point_weekdays: list[int],
        n_municipalities: int,
        on_held: Callable[[Request, int], None],
        extra_capacity_by_day: list[list[float]] | None = None,
    ) -> None:
        self.env = env
        self.cal = cal
        self.capacity = list(capacity_min_per_day)   # per hub, everyone present
        self.presence = presence_by_day               # per day: share of staff present
        # per hub, per day: minutes added (or taken) by staff concentrated for a structural
        # change (`model.structural_change`), everyone present; None: none
        self.extra = extra_capacity_by_day
        self.main_hub = main_hub
        self.backup_share = backup_share
        self.sp_weekdays = set(service_point_weekdays)
        self.on_held = on_held
        n_hubs = len(capacity_min_per_day)
        self.office: list[list] = [[] for _ in range(n_hubs)]           # heaps per hub
        self.sp: list[list] = [[] for _ in range(n_municipalities)]      # heaps per service point
        self.sp_hub: list[int] = [0] * n_municipalities
        self._seq = itertools.count()
        self.debt = [0.0] * n_hubs    # minutes overrun yesterday, taken from today
        self.opening: dict[int, list[Request]] = {}   # open day -> requests booked, not yet open
        self.today = -1
        self.logs = [HubDayLog() for _ in range(n_hubs)]
        env.process(self._run())

    def submit(self, req: Request) -> None:
        """Book `req`; it joins the EDF queue on its open day."""
        req.seq = next(self._seq)
        if req.open_day > self.today:
            bucket = self.opening.get(req.open_day)
            if bucket is None:
                self.opening[req.open_day] = [req]
            else:
                bucket.append(req)
        else:
            self._enqueue(req)

    def _enqueue(self, req: Request) -> None:
        item = (req.due_day, req.seq, req)
        if req.sp:
            self.sp_hub[req.municipality] = req.hub
            heapq.heappush(self.sp[req.municipality], item)
        elif req.anywhere:
            for hp in self.office:
                heapq.heappush(hp, item)
        else:
            heapq.heappush(self.office[req.hub], item)

    # ------------------------------------------------------------------------------
    def _run(self):
        env = self.env
        yield env.timeout(0.5)  # serve at midday; requests opened that morning are in
        month_ends = {s - 1 for s in self.cal.month_starts[1:]} | {self.cal.days - 1}
        day = 0
        opening = self.opening
        while True:
            self.today = day
            for req in opening.pop(day, ()):
                if not req.cancelled:
                    if req.sp:
                        self.sp_hub[req.municipality] = req.hub
                        heapq.heappush(self.sp[req.municipality], (req.due_day, req.seq, req))
                    elif req.anywhere:
                        self._enqueue(req)
                    else:
                        heapq.heappush(self.office[req.hub], (req.due_day, req.seq, req))
            if self.cal.working[day]:
                self._serve_day(day)
            if day in month_ends:
                self._log_queue(day)
            day += 1
            yield env.timeout(1.0)

    def _log_queue(self, day: int) -> None:
        for h, log in enumerate(self.logs):
            heaps = [self.office[h]] + [self.sp[m] for m in range(len(self.sp))
                                        if self.sp_hub[m] == h]
            waiting = overdue = 0
            for hp in heaps:
                for due, _, r in hp:
                    if not r.cancelled and r.hub == h:   # a request in every book counts at home
                        waiting += 1
                        overdue += due < day
            log.month_end_day.append(day)
            log.waiting_end.append(waiting)
            log.overdue_end.append(overdue)

    def _serve_day(self, day: int) -> None:
        weekday = (self.cal.start.weekday() + day) % 7
        visit = weekday in self.sp_weekdays
        left = []
        presence = self.presence[day]
        if self.extra is None:
            caps = [c * presence for c in self.capacity]
        else:
            caps = [max(c + e[day], 0.0) * presence
                    for c, e in zip(self.capacity, self.extra, strict=True)]
        for h, cap in enumerate(caps):
            heaps = [self.office[h]]
            if visit:
                heaps += [self.sp[m] for m in range(len(self.sp))
                          if self.sp_hub[m] == h and self.sp[m]]
            # a meeting that starts within the day's minutes may overrun; the overrun is
            # taken from the next working day, so use never exceeds capacity over time
            avail = cap - self.debt[h]
            used = self._serve(heaps, avail, day, False, h)
            self.debt[h] = max(used - avail, 0.0)
            left.append(avail - used)
            log = self.logs[h]
            log.day.append(day)
            log.capacity_min.append(cap)
            log.used_min.append(used)
            log.lent_min.append(0.0)
        # backup: the main office's unused minutes serve other hubs' overdue requests
        if self.backup_share > 0:
            m = self.main_hub
            lend = min(max(left[m], 0.0), self.backup_share * caps[m])
            if lend > 0:
                others = [self.office[h] for h in range(len(self.capacity)) if h != m]
                used = self._serve(others, lend, day, True, m)
                self.debt[m] += max(used - lend, 0.0)
                self.logs[m].used_min[-1] += used
                self.logs[m].lent_min[-1] = used

    def _serve(self, heaps: list[list], budget: float, day: int, overdue_only: bool,
               hub: int) -> float:
        """Serve EDF across `heaps` while minutes remain; returns minutes used.

        With `overdue_only`, only requests due on or before `day` are served. Each request
        held is handed to ``on_held`` at once (which may book later requests: they open on
        a later day, so today's heaps are not changed). A request in every hub's book
        (`anywhere`) is held by `hub` and leaves the other books.
        """
        used = 0.0
        on_held = self.on_held
        pop = heapq.heappop
        if len(heaps) == 1:               # the common case: one hub's own book
            hp = heaps[0]
            while used < budget and hp:
                if overdue_only and hp[0][0] > day:
                    break
                req = pop(hp)[2]
                if req.cancelled:
                    continue
                used += req.minutes
                if req.anywhere:
                    _taken_by(req, hub)
                on_held(req, day)
            return used
        while used < budget:
            best = None
            bkey: Any = None
            for hp in heaps:
                while hp and hp[0][2].cancelled:
                    pop(hp)
                if hp:
                    top = hp[0]
                    if best is None or top[0] < bkey[0] or (top[0] == bkey[0] and top[1] < bkey[1]):
                        best, bkey = hp, top
            if best is None or (overdue_only and bkey[0] > day):
                break
            req = pop(best)[2]
            used += req.minutes
            if req.anywhere:
                _taken_by(req, hub)
            on_held(req, day)
        return used


def _taken_by(req: Request, hub: int) -> None:
    """An any-hub request is held by `hub`: recorded there, and it leaves the other books."""
    req.hub = hub
    req.cancelled = True


class ServerPool:
    """c officers per hub in continuous time, earliest deadline first (for theory checks)."""

    def __init__(self, env: simpy.Environment, servers_per_hub: list[int],
                 on_held: Callable[[Request, int], None]) -> None:
        self.env = env
        self.res = [simpy.PriorityResource(env, capacity=max(1, c)) for c in servers_per_hub]
        self.on_held = on_held
        self.waits: list[tuple[float, float]] = []   # (time requested, wait), in days

    def submit(self, req: Request) -> None:
        self.env.process(self._serve(req))

    def _serve(self, req: Request):
        t0 = self.env.now
        with self.res[req.hub].request(priority=req.due_day) as r:
            yield r
            if req.cancelled:     # the jobseeker left while waiting: no officer time used
                return
            self.waits.append((t0, self.env.now - t0))
            yield self.env.timeout(req.minutes / (24 * 60))
        if not req.cancelled:
            self.on_held(req, int(self.env.now))


def build_office(scenario: Scenario, env: simpy.Environment, cal: SimCalendar,
                 staff_fte: list[float], main_hub: int, n_municipalities: int,
                 month_by_day: list[int], on_held: Callable[[Request, int], None],
                 extra_fte_by_day: list[list[float]] | None = None,
                 ) -> AppointmentBook | ServerPool:
    """The hubs' offices of a scenario (`office.model`): appointment books whose meeting
    minutes on a working day are FTE × working hours × the share for customer meetings × the
    share present that day (absence by calendar month, `month_by_day`), or the server pool.
    `extra_fte_by_day` (per hub, per day index) adds staff concentrated for a structural
    change to the books (validation keeps it from the server pool)."""
    st = scenario.staff
    if scenario.office.model == "servers":
        servers = [int(round(f * (1 - st.absence_share) * st.customer_meeting_time_share))
                   for f in staff_fte]
        return ServerPool(env, servers, on_held)
    per_fte = st.working_hours_per_day * 60 * st.customer_meeting_time_share
    capacity_min = [f * per_fte for f in staff_fte]
    extra = (None if extra_fte_by_day is None
             else [[f * per_fte for f in hub] for hub in extra_fte_by_day])
    factors = st.absence_month_factors or [1.0] * 12
    presence_by_month = [1 - st.absence_share * f for f in factors]
    presence_by_day = [presence_by_month[m - 1] for m in month_by_day]
    b = scenario.backup
    return AppointmentBook(env, cal, capacity_min, presence_by_day, main_hub,
                           b.max_share_of_main_hub_capacity if b.enabled else 0.0,
                           scenario.meetings.service_point_visit_weekdays, n_municipalities,
                           on_held, extra)


def overdue_at_month_ends(env: simpy.Environment, cal: SimCalendar, alive: dict,
                          overdue: list[tuple]) -> Generator:
    """A process: at the end of each month's last day (after the office has served it), every
    interview still waiting past its deadline (`alive`: person → Jobseeker)."""
    ends = cal.month_starts[1:] + [cal.days]
    for i, end in enumerate(ends):
        yield env.timeout(end - 0.25 - env.now)
        for js in alive.values():
            req = js.pending
            if req is not None and not req.cancelled and req.due_day <= end - 1:
                overdue.append((i, req.municipality, req.mtype))   # an Overdue record
