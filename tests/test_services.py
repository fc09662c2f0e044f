"""Services: flows are conserved, the plan's and today's wage-subsidy levels are reached,
capacity binds, and a service lever moves the stock the way it should."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.errors import InputError
from simulation.experiments.runner import simulate_replication
from simulation.model.area import AreaModel
from simulation.scenario.config import load_scenario
from simulation.tables.metrics import monthly_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan():
    return load_scenario(ROOT / "scenarios" / "service_mix_plan.toml", {"run": {"years": 0.5}})


@pytest.fixture(scope="module")
def current():
    return load_scenario(ROOT / "scenarios" / "service_mix_current.toml", {"run": {"years": 0.5}})


def test_unemployed_and_participants_are_conserved(plan):
    model = AreaModel(plan.with_overrides({"run": {"years": 0.25}}), 0)
    rec = model.run()
    m = monthly_table(rec, model.cal, model.munis, [model.region.hub_of(x) for x in model.munis])
    area = m.groupby("month", sort=True).sum(numeric_only=True)
    sp = np.asarray([(s.start_day, s.exit_day) for s in rec.rows("spells")])
    sv = np.asarray([(s.start_day, s.end_day) for s in rec.rows("services")])
    stock0 = int(((sp[:, 0] < 0) & (sp[:, 1] >= 0)).sum()) - int(((sv[:, 0] < 0) & (sv[:, 1] >= 0)).sum())
    svc0 = int(((sv[:, 0] < 0) & (sv[:, 1] >= 0)).sum())
    assert svc0 > 0   # services are running at the start
    prev_u, prev_s = stock0, svc0
    for _, r in area.iterrows():
        exits_from_unemployment = r.exits_employment + r.exits_other - r.exits_from_services
        assert r.stock_end == prev_u + r.inflow - exits_from_unemployment - r.service_starts + r.service_returns
        assert r.in_services_end == prev_s + r.service_starts - r.service_returns - r.exits_from_services
        assert r.broad_unemployment_end == r.stock_end + r.in_services_end
        prev_u, prev_s = r.stock_end, r.in_services_end


WS_EMPTY = {"start_state": {"service_participants": {
    "wage_subsidy_company": 0.0, "wage_subsidy_association": 0.0, "wage_subsidy_municipality": 0.0}}}


def _wage_subsidy_share(sc, reps=3):
    """Mean share of wage subsidy in broad unemployment, months 3–6, starting from none:
    the targets are reached by referrals at meetings, not by the start state."""
    sc = sc.with_overrides(WS_EMPTY)
    shares = []
    for r in range(reps):
        t = simulate_replication(sc, r)
        broad = t["monthly"].groupby("month").broad_unemployment_end.sum()
        ws = t["services"][t["services"].kind == "wage_subsidy"].groupby("month").participants_end.sum()
        shares.append((ws / broad).iloc[2:].mean())   # from the third month on
    return float(np.mean(shares))


def _target(sc) -> float:
    return sum(s.target_share_of_broad_unemployment or 0.0 for s in sc.services.values()
               if s.kind == "wage_subsidy")


@pytest.mark.slow
def test_plan_reaches_its_target_and_current_16_percent(plan, current):
    # the plan's 6 % less the municipal wage subsidy, limited since 2025 (HE 120/2024): 4.4 %
    assert _target(plan) == pytest.approx(0.044)
    assert _wage_subsidy_share(plan) == pytest.approx(_target(plan), abs=0.01)
    assert _wage_subsidy_share(current) == pytest.approx(0.16, abs=0.02)


def test_places_bind_and_a_target_they_cannot_meet_is_reported(plan):
    sc = plan.with_overrides({"run": {"years": 0.25}, **WS_EMPTY,
                              "services": {"wage_subsidy_company": {"referral_probability": 0.0}}})
    t = simulate_replication(sc, 0)["services"]
    comp = t[t.service == "wage_subsidy_company"]
    assert (comp.shortfall_places.iloc[1:] > 0).all()      # nobody referred: the target is missed, and said
    coach = t[t.service == "coaching"]
    assert (coach.participants_end <= sc.services["coaching"].places).all()


@pytest.mark.slow
def test_fewer_coaching_places_means_a_larger_stock_and_municipal_bill(plan):
    """Issue 4's functional test: paired 95 % CIs of the differences do not overlap zero."""
    from simulation.tables.kpis import mean_ci
    base = plan.with_overrides({"run": {"years": 0.75}})
    # (the same 160 start participants in both: at most 2 x places may start, so 80 places)
    few = base.with_overrides({"services": {"coaching": {"places": 80.0}}})
    many = base.with_overrides({"services": {"coaching": {"places": 600.0, "referral_probability": 0.5}}})
    d_stock, d_bill = [], []
    for r in range(4):
        a, b = simulate_replication(few, r)["monthly"], simulate_replication(many, r)["monthly"]
        d_stock.append(a.stock_end.sum() - b.stock_end.sum())            # summed over months
        d_bill.append(a.benefit_cost_municipal_eur.sum() - b.benefit_cost_municipal_eur.sum())
    for d in (d_stock, d_bill):
        mean, _, lo, hi = mean_ci(d)
        assert lo > 0, (mean, lo, hi, d)


def test_undefined_service_in_order_is_an_error(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
                 'name = "bad"\nservice_order = ["coaching", "mentoring"]\n', encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scenario(p)
    assert e.value.key == "service_order" and "mentoring" in e.value.reason


def test_negative_capacity_or_cost_is_an_error(tmp_path):
    for key, value in (("places", -5.0), ("unit_cost_eur_per_month", -1.0)):
        p = tmp_path / f"neg_{key}.toml"
        p.write_text(f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
                     f'name = "neg"\n[services.coaching]\n{key} = {value}\n', encoding="utf-8")
        with pytest.raises(InputError) as e:
            load_scenario(p)
        assert e.value.key == f"services.coaching.{key}"


def test_referral_trials_are_independent_with_one_draw():
    """Two services with room, p = 0.3 then 0.5: referred to the first with 0.3, to the
    second with 0.7 × 0.5 = 0.35, to none with 0.35 — from one uniform draw per meeting."""
    from types import SimpleNamespace

    import numpy as np

    from simulation.model.services import ServiceDesk
    from simulation.scenario.config import ServiceConfig
    common = dict(duration_mean_months=1.0, unit_cost_eur_per_month=0.0, lock_in_exit_multiplier=1.0,
                  employment_at_end_share=0.0)
    svcs = {"a": ServiceConfig(referral_probability=0.3, **common),
            "b": ServiceConfig(referral_probability=0.5, **common)}
    rng = np.random.default_rng(1)
    desk = ServiceDesk(svcs, [], lambda: float(rng.random()), lambda: 1.0)
    js = SimpleNamespace(group=1, start=0.0)
    picks = [desk.refer(js, 1000.0, 100) for _ in range(40_000)]
    share = {k: picks.count(k) / len(picks) for k in (0, 1, None)}
    assert share[0] == pytest.approx(0.30, abs=0.01)
    assert share[1] == pytest.approx(0.35, abs=0.01)
    assert share[None] == pytest.approx(0.35, abs=0.01)
    # a full first service passes its referrals on: the second gets 0.3·0.5 + 0.35 = 0.5
    desk.participants[0] = 10 ** 9
    desk.cap_places[0] = 0
    picks = [desk.refer(js, 1000.0, 100) for _ in range(40_000)]
    assert picks.count(1) / len(picks) == pytest.approx(0.5, abs=0.01)


def test_referral_follows_order_eligibility_and_room_exactly():
    """Three services (p = 0.2, 0.5, 0.4; the third from 6 months on), the second full:
    referral shares agree with the sequential trials worked by hand, before and after
    6 months of job search."""
    from types import SimpleNamespace

    import numpy as np

    from simulation.model.services import ServiceDesk
    from simulation.scenario.config import ServiceConfig
    common = dict(duration_mean_months=1.0, unit_cost_eur_per_month=0.0, lock_in_exit_multiplier=1.0,
                  employment_at_end_share=0.0)
    svcs = {"a": ServiceConfig(referral_probability=0.2, **common),
            "b": ServiceConfig(referral_probability=0.5, places=0, **common),
            "c": ServiceConfig(referral_probability=0.4, eligible_from_months=6.0, **common)}
    rng = np.random.default_rng(7)
    desk = ServiceDesk(svcs, [], lambda: float(rng.random()), lambda: 1.0)
    n = 60_000
    early = SimpleNamespace(group=1, start=0.0)      # 3 months: a, b only
    picks = [desk.refer(early, 91.0, 100) for _ in range(n)]
    assert picks.count(1) == 0                       # b is full
    assert picks.count(2) == 0                       # c not yet eligible
    assert picks.count(0) / n == pytest.approx(0.2, abs=0.006)
    late = SimpleNamespace(group=1, start=0.0)       # 12 months: a, b (full), c
    picks = [desk.refer(late, 365.0, 100) for _ in range(n)]
    assert picks.count(1) == 0
    assert picks.count(0) / n == pytest.approx(0.2, abs=0.006)
    assert picks.count(2) / n == pytest.approx(0.8 * 0.4, abs=0.007)   # b's trial does not matter
    assert picks.count(None) / n == pytest.approx(0.8 * 0.6, abs=0.007)
