"""The appointment books (simulation/model/office.py) on hand-made requests."""

from __future__ import annotations

from datetime import date

import simpy

from simulation.model.office import AppointmentBook, Request
from simulation.scenario.calendar import SimCalendar


def book(capacities, held):
    env = simpy.Environment()
    cal = SimCalendar.for_years(date(2025, 1, 1), 0.25)
    b = AppointmentBook(env, cal, capacities, [1.0] * (cal.days + cal.margin_days), main_hub=0,
                        backup_share=0.0, service_point_weekdays=[1], n_municipalities=2,
                        on_held=lambda req, day: held.append((req, req.hub, day)))
    return env, cal, b


def test_a_request_of_any_hub_is_held_once_by_the_hub_with_time():
    """Home hub 0 has no minutes, hub 1 has: the request is held on the first working day
    (2 Jan 2025, day 1), once, and recorded at hub 1."""
    held = []
    env, cal, b = book([0.0, 100.0], held)
    req = Request(due_day=10, open_day=0, minutes=30.0, mtype=1, channel=0, municipality=0, hub=0,
                  anywhere=True)
    b.submit(req)
    env.run(until=20)
    assert [(h, d) for _, h, d in held] == [(1, 1)]
    assert b.logs[1].used_min[0] == 30.0 and b.logs[0].used_min[0] == 0.0


def test_an_own_hub_request_waits_for_its_hub_and_counts_once_in_the_queue():
    held = []
    env, cal, b = book([0.0, 100.0], held)
    mine = Request(due_day=3, open_day=0, minutes=30.0, mtype=1, channel=0, municipality=0, hub=0)
    anywhere = Request(due_day=3, open_day=0, minutes=30.0, mtype=1, channel=0, municipality=0, hub=0,
                       anywhere=True)
    b.submit(mine)
    env.run(until=cal.month_starts[1] + 1)      # past the end of January
    assert held == [] and b.logs[0].waiting_end[0] == 1 and b.logs[0].overdue_end[0] == 1
    b.capacity = [0.0, 0.0]
    b.submit(anywhere)
    env.run(until=cal.month_starts[2] + 1)      # past the end of February: both wait, counted at home
    assert b.logs[0].waiting_end[1] == 2 and b.logs[1].waiting_end[1] == 0


def test_a_request_of_any_hub_is_not_held_twice_when_every_hub_has_time():
    held = []
    env, cal, b = book([100.0, 100.0], held)
    b.submit(Request(due_day=10, open_day=0, minutes=30.0, mtype=1, channel=0, municipality=1, hub=1,
                     anywhere=True))
    env.run(until=20)
    assert [(h, d) for _, h, d in held] == [(0, 1)]     # hub 0 serves first that day
