"""Exit hazards without a model: the budget drawn at registration gives exponential spells of
the group's mean, and a change of multiplier re-times the exit exactly (no SimPy is run)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from simulation.model.hazards import ExitHazards
from simulation.model.jobseeker import Jobseeker
from simulation.model.records import Dest, Group
from simulation.model.streams import Buffered, stream
from simulation.scenario.calendar import DAYS_PER_MONTH

DAYS = 20_000


def hazards(seasonal: list[float] | None = None, seed: int = 0) -> ExitHazards:
    exits = SimpleNamespace(hazard_multiplier=0.5, layoff_mean_months=2.0,
                            short_group_mean_months=3.0, long_group_mean_months=12.0,
                            short_group_share=0.6, employment_share_layoff=0.9,
                            employment_share_short_group=0.5, employment_share_long_group=0.2,
                            seasonal_factors=seasonal or [1.0] * 12)
    sc = SimpleNamespace(exits=exits, inflow=SimpleNamespace(layoff_share=0.2))
    months = [1 + (d // 30) % 12 for d in range(DAYS)]
    return ExitHazards(sc, months, DAYS - 400, Buffered(stream(seed, 0, "exits")))


def spell(group: Group, start: float = 0.0) -> Jobseeker:
    return Jobseeker(1, 0, 0, int(group), start, math.inf, 0, False, False)


def test_groups_means_are_net_of_services_and_shares_cumulate():
    h = hazards()
    assert h.group_mean_months == [2.0, 6.0, 24.0]        # short and long ÷ hazard_multiplier
    assert h.group_cum == pytest.approx([0.2, 0.2 + 0.8 * 0.6, 1.0])


def test_spells_are_exponential_with_the_groups_mean_and_destination_shares():
    h = hazards()
    js = [spell(Group.SHORT) for _ in range(20_000)]
    for j in js:
        h.start(j, 0.0)
    months = np.array([j.exit_time for j in js]) / DAYS_PER_MONTH
    assert months.mean() == pytest.approx(6.0, rel=0.03)
    assert np.median(months) == pytest.approx(6.0 * math.log(2), rel=0.04)
    assert np.mean([j.dest == Dest.EMPLOYMENT for j in js]) == pytest.approx(0.5, abs=0.015)


def test_a_season_with_double_hazard_halves_the_time_it_takes():
    flat, busy = hazards(), hazards([2.0] * 12)
    a, b = spell(Group.LONG), spell(Group.LONG)
    flat.start(a, 10.0)
    busy.start(b, 10.0)       # same stream, same budget
    assert b.exit_time - 10.0 == pytest.approx((a.exit_time - 10.0) / 2)


def test_a_multiplier_spends_the_budget_used_and_retimes_the_rest():
    h = hazards()
    js = spell(Group.LONG)
    h.start(js, 0.0)
    end = js.exit_time
    now = end / 4
    h.retime(js, now, 1.0)                 # the same hazard: the same exit
    assert js.exit_time == pytest.approx(end)
    h.retime(js, now, 0.5)                 # half the hazard: the rest takes twice as long
    assert js.exit_time == pytest.approx(now + 2 * (end - now))
    h.retime(js, now + 10, 0.0)            # no hazard: no exit
    assert js.exit_time == math.inf
    h.retime(js, now + 20, 1.0)            # back to 1 after 10 days at 0.5 and 10 at 0
    assert js.exit_time == pytest.approx(end + 5 + 10)


def test_an_exit_beyond_the_horizon_is_never():
    h = hazards()
    js = spell(Group.LONG)
    h.start(js, h.horizon_day - 1.0)
    assert js.exit_time == math.inf or js.exit_time < h.horizon_day
