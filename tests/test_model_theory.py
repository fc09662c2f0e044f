"""Validation against queueing theory: the model reduced to an M/M/c queue.

One hub (Äänekoski) with c officers in continuous time and no calendar
(`office.model = "servers"`), Poisson registrations at a constant daily rate, each
jobseeker needing exactly one meeting (the rules are overridden so no interview follows
the initial one, and nobody leaves during the run), exponential meeting times. The mean
wait must agree with Erlang C within the 95 % confidence interval over replications.
"""

from __future__ import annotations

import calendar as pycal

import numpy as np
import pytest

from simulation.config import load_scenario
from simulation.kpis import mean_ci
from simulation.model.area import AreaModel
from simulation.queueing import erlang_c_mean_wait
from tests.scenario_factory import simple_data, write_scenario

SERVERS = 3
MEAN_MEETING_MIN = 144.0          # 0.1 day
WARMUP_DAYS = 60.0                # start empty: leave the first two months out
COOLDOWN_DAYS = 20.0              # arrivals at the very end may not be served yet: leave them out


def reduced_scenario(tmp_path, rho: float, years: float = 1.0):
    data = simple_data()
    mu = 1440.0 / MEAN_MEETING_MIN                     # meetings per officer-day
    lam_per_day = rho * SERVERS * mu
    munis = data["inflow"]["per_month_by_municipality"]
    for m in munis:
        munis[m] = 0.0
    munis["Äänekoski"] = lam_per_day * 365 / 12        # mean per month
    # constant daily rate: month factor ∝ its length (2025 is not a leap year)
    # (2025 and 2026 are not leap years, so the same factors hold in both)
    days = [pycal.monthrange(2025, k)[1] for k in range(1, 13)]
    data["inflow"]["seasonal_factors"] = [d * 12 / 365 for d in days]
    data["inflow"].update(layoff_share=0.0, reentry_probability=0.0)
    data["start_state"]["stock_by_municipality"] = {m: 0.0 for m in munis}
    data["exits"].update(short_group_share=0.0, long_group_mean_months=1e9)
    data["office"] = {"model": "servers"}
    data["staff"] = {"customer_service_fte_by_hub": {"Äänekoski": float(SERVERS), "Laukaa": 1.0,
                                                     "Saarijärvi": 1.0, "Viitasaari": 1.0},
                     "absence_share": 0.0, "customer_meeting_time_share": 1.0}
    data["meetings"] = {
        "duration_distribution": "exponential",
        "duration_minutes": {t: {c: MEAN_MEETING_MIN for c in ("in_person", "service_point", "remote", "phone")}
                             for t in ("initial", "job_search", "supplementary")},
    }
    data["run"]["years"] = years
    data["rules"] = {
        "intensive_interview_interval_days": [{"value": 0, "source": "test: one meeting only"}],
        "intensive_repeat_every_months": [{"value": 0}],
        "regular_interview_interval_months": [{"value": 100000}],
    }
    return load_scenario(write_scenario(tmp_path, f"mmc_{int(rho * 100)}", data)), lam_per_day, mu


# At rho = 0.9 the wait of one replication is heavy-tailed (long busy periods), so that
# case runs longer, with more replications, and is judged by the 99 % interval.
@pytest.mark.parametrize("rho,reps,years,level", [(0.5, 8, 1.0, 0.95), (0.9, 20, 2.0, 0.99)])
def test_mean_wait_agrees_with_erlang_c(tmp_path, rho, reps, years, level):
    sc, lam, mu = reduced_scenario(tmp_path, rho, years)
    means, counts = [], []
    for r in range(reps):
        model = AreaModel(sc, r)
        model.run()
        w = np.array([w for t, w in model.office.waits
                      if WARMUP_DAYS <= t < model.horizon_day - COOLDOWN_DAYS])
        means.append(w.mean())
        counts.append(len(w))
    theory = erlang_c_mean_wait(lam, mu, SERVERS)
    mean, sd, lo, hi = mean_ci(means, level)
    # the arrival rate was what we asked for (Poisson count per day)
    assert np.mean(counts) == pytest.approx(lam * (sc_days(sc) - WARMUP_DAYS - COOLDOWN_DAYS), rel=0.03)
    assert lo <= theory <= hi, f"rho={rho}: simulated {mean:.4f} [{lo:.4f}, {hi:.4f}] vs Erlang C {theory:.4f}"
    # and the interval is tight enough to mean something (half-width within 15 % of the theory)
    assert hi - lo < 0.3 * theory


def sc_days(sc) -> int:
    from simulation.calendar import SimCalendar
    return SimCalendar.for_years(sc.run.start_date, sc.run.years).days


def test_erlang_c_known_value():
    # M/M/3, a = 2: P(wait) = 4/9, Wq = 4/9 / (3 - 2)
    assert erlang_c_mean_wait(2.0, 1.0, 3) == pytest.approx(4 / 9)
