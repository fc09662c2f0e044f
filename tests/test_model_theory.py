"""Validation against queueing theory: the model reduced to an M/M/c queue.

One hub (Äänekoski) with c officers in continuous time and no calendar
(`office.model = "servers"`), Poisson registrations at a constant daily rate, each
jobseeker needing exactly one meeting (the rules are overridden so no interview follows
the initial one, and nobody leaves during the run), exponential meeting times
(`simulation.experiments.validation.mmc_scenario`). The mean wait must agree with Erlang C within the
confidence interval over replications.
"""

from __future__ import annotations

import pytest

from simulation.experiments.queueing import erlang_c_mean_wait
from simulation.experiments.validation import mmc_mean_waits, mmc_scenario
from simulation.tables.kpis import mean_ci

SERVERS = 3


# At rho = 0.9 the wait of one replication is heavy-tailed (long busy periods), so that
# case runs longer, with more replications, and is judged by the 99 % interval.
@pytest.mark.parametrize("rho,reps,years,level", [(0.5, 8, 1.0, 0.95), (0.9, 20, 2.0, 0.99)])
@pytest.mark.slow
def test_mean_wait_agrees_with_erlang_c(tmp_path, rho, reps, years, level):
    sc, lam, mu = mmc_scenario(tmp_path, rho, SERVERS, years=years)
    means = mmc_mean_waits(sc, reps)
    theory = erlang_c_mean_wait(lam, mu, SERVERS)
    mean, sd, lo, hi = mean_ci(means, level)
    assert lo <= theory <= hi, f"rho={rho}: simulated {mean:.4f} [{lo:.4f}, {hi:.4f}] vs Erlang C {theory:.4f}"
    # and the interval is tight enough to mean something (half-width within 15 % of the theory)
    assert hi - lo < 0.3 * theory


def test_reduction_has_the_asked_arrival_rate(tmp_path):
    from simulation.model.area import AreaModel
    from simulation.model.inflow import arrival_times
    sc, lam, mu = mmc_scenario(tmp_path, 0.5, SERVERS, years=1.0)
    models = [AreaModel(sc, r) for r in range(10)]
    counts = [len(arrival_times(sc, m.cal, m.munis, m.g_arrivals)) for m in models]
    assert sum(counts) / 10 == pytest.approx(lam * 365, rel=0.02)


def test_erlang_c_known_value():
    # M/M/3, a = 2: P(wait) = 4/9, Wq = 4/9 / (3 - 2)
    assert erlang_c_mean_wait(2.0, 1.0, 3) == pytest.approx(4 / 9)
