"""The SimPy model: conservation, reproducibility, the statutory rhythm, levers.

Small scenarios (tests/scenario_factory.py) keep each run under a second. Every lever
test changes one parameter and expects the output that depends on it to move the way
it should — the guard against code that reads a constant instead of the scenario.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from simulation.experiments.runner import simulate_replication
from simulation.model.area import AreaModel
from simulation.scenario.config import MEETING_TYPES, load_scenario
from simulation.tables.metrics import meetings_frame, spells_frame
from tests.scenario_factory import simple_data, write_scenario

SMALL = dict(inflow_per_month_area=150.0, stock_area=700.0)


def small(tmp_path, name="small", years=0.5, data=None, **over):
    d = data or simple_data(**SMALL)
    d["run"]["years"] = years
    return load_scenario(write_scenario(tmp_path, name, d, **over))


def tables(sc, rep=0):
    return simulate_replication(sc, rep)


# ---- conservation and bookkeeping ----------------------------------------------------

def test_stock_is_conserved_every_month_and_municipality(tmp_path):
    sc = small(tmp_path, years=1.0)
    model = AreaModel(sc, 0)
    rec = model.run()
    from simulation.tables.metrics import monthly_table
    m = monthly_table(rec, model.cal, model.munis, [model.region.hub_of(x) for x in model.munis])
    start = spells_frame(rec).query("start_day < 0").groupby("municipality").size()
    for k, name in enumerate(model.munis):
        g = m[m.municipality == name].reset_index(drop=True)
        prev = np.concatenate([[start.get(k, 0)], g.stock_end.to_numpy()[:-1]])
        expected = prev + g.inflow - g.exits_employment - g.exits_other
        assert (g.stock_end.to_numpy() == expected.to_numpy()).all(), name
        assert (g.in_services_end == 0).all()
    # the start stock is the scenario's, municipality by municipality
    for k, name in enumerate(model.munis):
        assert start.get(k, 0) == round(sc.start_state.stock_by_municipality[name])


def test_every_spell_ends_once_and_meetings_follow_registration(tmp_path):
    sc = small(tmp_path)
    rec = AreaModel(sc, 1).run()
    sp = spells_frame(rec)
    # a person's spells (a return keeps the person) never overlap, and a spell that continues
    # the count follows a spell of the same person that ended in work
    assert not sp.duplicated(["person", "start_day"]).any()
    s = sp.sort_values(["person", "start_day"])
    same = s.person.eq(s.person.shift())
    assert (s.start_day[same] >= s.exit_day.shift()[same]).all()
    assert same.any() and not (s.continues & ~same).any()
    assert (s.dest.shift()[same] == 0).all() and s.reentry[same].all()
    assert (sp.exit_day > sp.start_day).all()
    mt = meetings_frame(rec)
    assert (mt.held_day >= mt.open_day).all()
    assert (mt.held_day < AreaModel(sc, 1).horizon_day).all()


# ---- reproducibility ---------------------------------------------------------------

def test_same_seed_gives_identical_tables_and_other_seed_differs(tmp_path):
    sc = small(tmp_path)
    a, b = tables(sc, 0), tables(sc, 0)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    c = tables(sc, 1)
    assert not a["monthly"]["stock_end"].equals(c["monthly"]["stock_end"])
    sc2 = sc.with_overrides({"run": {"seed": 99}})
    d = tables(sc2, 0)
    assert not a["monthly"]["inflow"].equals(d["monthly"]["inflow"])


def test_common_random_numbers_keep_arrivals_when_staff_changes(tmp_path):
    """Replication k sees the same registrations whatever the staffing."""
    sc = small(tmp_path)
    sc2 = sc.with_overrides({"staff": {"customer_service_fte_total": 10.0}})
    a, b = tables(sc, 3)["monthly"], tables(sc2, 3)["monthly"]
    np.testing.assert_array_equal(a["inflow"].to_numpy(), b["inflow"].to_numpy())


# ---- the statutory rhythm ----------------------------------------------------------

def _meetings(sc, rep=0):
    model = AreaModel(sc, rep)
    rec = model.run()
    mt = meetings_frame(rec)
    mt["type"] = [MEETING_TYPES[t] for t in mt.mtype]
    mt["date"] = pd.to_datetime(sc.run.start_date) + pd.to_timedelta(mt.held_day, unit="D")
    return mt, spells_frame(rec), model


def test_nordic_model_has_intensive_interviews_and_2026_makes_supplementary_needs_based(tmp_path):
    d = simple_data(**SMALL)
    d["run"].update(start_date="2025-07-01", years=1.0)
    d["meetings"] = {"supplementary_needs_share": 0.0, "supplementary_purchased_share": 0.0}
    sc = load_scenario(write_scenario(tmp_path, "n2026", d))
    mt, _, _ = _meetings(sc)
    supp = mt[mt.type == "supplementary"]
    before = supp[supp.date < "2026-01-01"]
    after = supp[supp.date >= "2026-01-15"]   # a few booked before the change are still held
    assert len(before) > 100
    assert len(after) == 0


def test_before_may_2022_no_intensive_period(tmp_path):
    d = simple_data(**SMALL)
    d["run"].update(start_date="2019-01-01", years=1.0)
    sc = load_scenario(write_scenario(tmp_path, "r2019", d))
    mt, sp, model = _meetings(sc)
    assert (mt.type == "supplementary").sum() == 0
    # registrations in 2019 get an initial interview, then one every 3 months
    js = mt[mt.type == "job_search"]
    new = sp[(sp.start_day >= 0) & (sp.group != 0)]
    n_js_per_new = len(js[js.municipality.isin(new.municipality)]) / max(len(new), 1)
    assert n_js_per_new < 3.5   # at most ~3 a year per person in 2019, vs ~8 under the Nordic model


def test_initial_interview_deadline_follows_rules(tmp_path):
    """Under light load nearly every initial interview is on time, within 5 working days in 2025."""
    d = simple_data(**SMALL)
    sc = load_scenario(write_scenario(tmp_path, "light", d, staff={"customer_service_fte_total": 60.0}))
    mt, sp, model = _meetings(sc)
    init = mt[mt.type == "initial"]
    late = (init.held_day > init.due_day).mean()
    assert late < 0.01
    cal = model.cal
    # held within the deadline: at most 5 working days after registration's day
    wd = [cal.working_days_between(int(o) - 1, int(h)) for o, h in zip(init.open_day, init.held_day, strict=True)]
    assert max(wd) <= 5


# ---- levers move outputs ---------------------------------------------------------------

def _late_share(sc, reps=3):
    out = []
    for r in range(reps):
        m = tables(sc, r)["monthly"]
        late = m.initial_interviews_late.sum() + m.job_search_interviews_late.sum()
        out.append(late / (m.initial_interviews.sum() + m.job_search_interviews.sum()))
    return np.array(out)


def test_more_staff_means_fewer_late_meetings(tmp_path):
    few = small(tmp_path, "few", staff={"customer_service_fte_total": 4.0})
    many = small(tmp_path, "many", staff={"customer_service_fte_total": 8.0})
    a, b = _late_share(few), _late_share(many)
    assert (a > b).all(), (a, b)        # in every replication (common random numbers)
    assert a.mean() > 0.05


def test_shorter_deadline_means_more_late_initial_interviews(tmp_path):
    base = small(tmp_path, "d5", staff={"customer_service_fte_total": 5.0})
    short = small(tmp_path, "d2", staff={"customer_service_fte_total": 5.0},
                  rules={"initial_interview_deadline_working_days": [{"value": 2, "source": "test"}]})
    def late_initial(sc):
        m = tables(sc, 0)["monthly"]
        return m.initial_interviews_late.sum() / m.initial_interviews.sum()
    assert late_initial(short) > late_initial(base) + 0.05


def test_customers_using_any_hub_move_meetings_to_the_hub_with_time(tmp_path):
    """One hub well staffed, three barely: customers who may use any service point have
    their in-person meetings held at the well-staffed hub, so fewer are late."""
    staff = {"customer_service_fte_by_hub": {"Äänekoski": 20.0, "Laukaa": 1.0, "Saarijärvi": 1.0,
                                             "Viitasaari": 1.0}}
    own = small(tmp_path, "own", staff=staff, backup={"enabled": False})
    anyhub = own.with_overrides({"meetings": {"any_hub_share": 1.0}})
    m_own, m_any = tables(own, 0)["monthly"], tables(anyhub, 0)["monthly"]
    late = lambda m: m.job_search_interviews_late.sum() / m.job_search_interviews.sum()  # noqa: E731
    assert late(m_any) < late(m_own) - 0.05
    h_own, h_any = tables(own, 0)["hubs"], tables(anyhub, 0)["hubs"]
    held = lambda h, hub: h[h.hub == hub].meetings_held.sum()  # noqa: E731
    assert held(h_any, "Äänekoski") > 1.2 * held(h_own, "Äänekoski")
    assert held(h_any, "Laukaa") < held(h_own, "Laukaa")


SUMMER = [0.52, 0.83, 0.59, 0.63, 0.53, 2.12, 3.69, 1.18, 0.42, 0.59, 0.33, 0.57]


def test_absence_by_month_sets_each_months_capacity(tmp_path):
    """Capacity per working day in month m is FTE × hours × 60 × meeting share × (1 − absence
    × factor_m), worked by hand; July (leave season) has ~60 % of an October day."""
    staff = {"customer_service_fte_by_hub": {"Äänekoski": 10.0, "Laukaa": 8.0, "Saarijärvi": 6.0,
                                             "Viitasaari": 4.0},
             "absence_share": 0.13, "absence_month_factors": SUMMER,
             "working_hours_per_day": 7.25, "customer_meeting_time_share": 0.6}
    sc = small(tmp_path, years=1.0, staff=staff)
    model = AreaModel(sc, 0)
    hubs = tables(sc, 0)["hubs"]
    cal = model.cal
    working = np.add.reduceat(cal.working[:cal.days].astype(int), cal.month_starts)
    for hub, fte in staff["customer_service_fte_by_hub"].items():
        per_day = hubs[hubs.hub == hub].capacity_hours.to_numpy() / working
        expected = fte * 7.25 * 0.6 * (1 - 0.13 * np.asarray(SUMMER))
        np.testing.assert_allclose(per_day, expected, rtol=1e-9)
    july_vs_october = (1 - 0.13 * SUMMER[6]) / (1 - 0.13 * SUMMER[9])
    assert 0.55 < july_vs_october < 0.65


def test_summer_leave_makes_summer_meetings_later(tmp_path):
    """The same yearly absence bunched in the summer: more initial interviews late in June to
    August than with the same absence every month (a loaded office)."""
    staff = {"customer_service_fte_total": 5.5, "absence_share": 0.13, "absence_month_factors": [1.0] * 12}
    flat = small(tmp_path, "flat", years=1.0, staff=staff)
    summer = flat.with_overrides({"staff": {"absence_month_factors": SUMMER}})

    def late_in_summer(sc):
        m = tables(sc, 0)["monthly"]
        m = m[m.month.str[5:7].isin(["06", "07", "08"])]
        return m.initial_interviews_late.sum() / m.initial_interviews.sum()
    assert late_in_summer(summer) > late_in_summer(flat) + 0.05


LEVERS = [
    # (override, table, column, direction)
    ({"inflow": {"scale": 1.5}}, "monthly", "inflow", +1),
    ({"exits": {"long_group_mean_months": 24.0}}, "monthly", "stock_end", +1),
    ({"exits": {"employment_share_short_group": 0.9}}, "monthly", "exits_employment", +1),
    ({"inflow": {"layoff_share": 0.5}}, "monthly", "initial_interviews", -1),
    ({"staff": {"absence_share": 0.2}}, "hubs", "capacity_hours", -1),
    ({"staff": {"absence_month_factors": [2.0] * 6 + [0.0] * 6}}, "hubs", "capacity_hours", -1),
    ({"staff": {"working_hours_per_day": 8.0}}, "hubs", "capacity_hours", +1),
    ({"staff": {"customer_meeting_time_share": 0.8}}, "hubs", "capacity_hours", +1),
    ({"meetings": {"duration_minutes": {"job_search": {"in_person": 60.0}}}}, "hubs", "used_hours", +1),
    ({"meetings": {"supplementary_purchased_share": 0.9}}, "monthly", "supplementary_interviews_purchased", +1),
    # no window: a service-point meeting can no longer be pulled to the visiting day before its due day
    ({"meetings": {"booking_window_working_days": 0}}, "monthly", "job_search_interviews_late", +1),
    ({"meetings": {"service_point_visit_weekdays": [0, 1, 2, 3, 4]}}, "monthly", "job_search_interviews_late", -1),
    ({"start_state": {"layoff_share": 0.5}}, "monthly", "job_search_interviews", -1),
    ({"rules": {"regular_interview_interval_months": [{"value": 6}]}}, "monthly", "job_search_interviews", -1),
]


@pytest.mark.parametrize("over,table,column,direction", LEVERS,
                         ids=[f"{t}.{c}<-{list(o)[0]}" for o, t, c, _ in LEVERS])
def test_parameter_moves_its_output(tmp_path, over, table, column, direction):
    staff = {"customer_service_fte_total": 40.0}  # light load: isolate the lever's own effect
    base = small(tmp_path, "base", years=0.5, staff=staff)
    changed = base.with_overrides(over)
    a = tables(base, 0)[table][column].sum()
    b = tables(changed, 0)[table][column].sum()
    assert np.sign(b - a) == direction, (a, b)


def test_backup_lends_main_office_minutes_to_overloaded_hubs(tmp_path):
    staff = {"customer_service_fte_by_hub": {"Äänekoski": 20.0, "Laukaa": 1.0, "Saarijärvi": 1.0,
                                             "Viitasaari": 1.0}}
    on = small(tmp_path, "on", staff=staff, backup={"enabled": True, "max_share_of_main_hub_capacity": 0.5})
    off = on.with_overrides({"backup": {"enabled": False}})
    h_on, h_off = tables(on, 0)["hubs"], tables(off, 0)["hubs"]
    assert h_on.lent_hours.sum() > 0 and h_off.lent_hours.sum() == 0
    laukaa_on = h_on[h_on.hub == "Laukaa"].backlog_end.iloc[-1]
    laukaa_off = h_off[h_off.hub == "Laukaa"].backlog_end.iloc[-1]
    assert laukaa_on < laukaa_off


# ---- late means past the deadline, held or not (issue 13) -----------------------------

@pytest.mark.slow
def test_halving_staff_never_lowers_late_interviews(tmp_path):
    """A backlog never served is late: the late interviews (the time waited past a deadline,
    held or not, in 3-month interviews) never fall when staff are halved — from a loaded
    office down to none, in every year and in every replication. (Counting only late meetings
    *held* fell when staff were cut; so did counting each missed deadline once, in an
    overloaded office: a person never given an initial interview has no later deadlines.)"""
    from simulation.tables.kpis import yearly_kpis
    base = small(tmp_path, "load", years=2.0)

    def kpis(fte, rep):
        sc = base.with_overrides({"staff": {"customer_service_fte_total": fte}})
        m = tables(sc, rep)["monthly"].assign(scenario="s", replication=rep)
        return yearly_kpis(m).set_index("year")
    for rep in (0, 1):
        k = [kpis(fte, rep) for fte in (3.0, 1.5, 0.75, 0.0)]
        for more, fewer in itertools.pairwise(k):
            assert (fewer["late_interviews"] >= more["late_interviews"]).all(), (rep, more, fewer)
            assert (fewer["late_interviews_share"] >= more["late_interviews_share"]).all()
    zero = k[-1]
    # with no staff nothing is held, so nothing is held late — yet every deadline is missed
    assert zero["initial_interviews_late"].sum() == 0 and (zero["initial_on_time_pct"] == 0).all()
    assert (zero["initial_interviews_overdue_end"] > 0).all()


def test_2026_rhythm_and_profile_task_follow_he_108_2025(tmp_path):
    """From 2026: job-search interviews every 3 months (plus supplementary ones by need) —
    at most 0.5 interviews per unemployed jobseeker-month, far fewer than in 2025's biweekly
    intensive period; from 1.9.2026 the authority's profile tasks use staff time."""
    sc = small(tmp_path, "rhythm", years=2.0, staff={"customer_service_fte_total": 40.0})
    t = tables(sc, 0)
    m = t["monthly"].assign(year=lambda d: d.month.str[:4])
    y = m.groupby("year")[["job_search_interviews", "stock_end", "job_search_profiles_by_authority"]].sum()
    per_month = y.job_search_interviews / y.stock_end
    assert per_month["2026"] <= 0.5
    assert per_month["2025"] > per_month["2026"] * 1.2
    by_month = m.groupby("month").job_search_profiles_by_authority.sum()
    assert by_month[by_month.index < "2026-09"].sum() == 0 and by_month["2026-10":].min() > 0
    # no profile task when nobody needs one
    none = sc.with_overrides({"meetings": {"job_search_profile_by_authority_share": 0.0}})
    assert tables(none, 0)["monthly"].job_search_profiles_by_authority.sum() == 0


# ---- an outlook and a stated long-term share at the start (issue 14) --------------------

def test_inflow_index_by_month_scales_the_months_from_its_first(tmp_path):
    sc = small(tmp_path, "idx", years=1.0)
    up = sc.with_overrides({"inflow": {"index_by_month": {"2025-07": 1.5}}})
    a = tables(sc, 0)["monthly"].groupby("month").inflow.sum()
    b = tables(up, 0)["monthly"].groupby("month").inflow.sum()
    first, second = a.index < "2025-07", a.index >= "2025-07"
    assert (b[first] == a[first]).all()                       # same draws before July
    assert b[second].sum() / a[second].sum() == pytest.approx(1.5, rel=0.08)


def test_start_stock_has_the_stated_long_term_share(tmp_path):
    sc = small(tmp_path, "lt", years=0.1)   # long group mean 12 months: at most ~0.35 is possible
    for share in (0.10, 0.25):
        rec = AreaModel(sc.with_overrides({"start_state": {"long_term_share": share}}), 0).run()
        sp = spells_frame(rec)
        st = sp[sp.start_day < 0]
        assert ((-st.start_day) >= 365.25).mean() == pytest.approx(share, abs=0.03)


def test_grid_skip_share_moves_the_2026_interviews(tmp_path):
    """The 2026 grid's skip rule is a parameter that is read: passing over no grid point after
    a late interview gives at least as many job-search interviews as passing over most."""
    sc = small(tmp_path, "grid", years=2.0, staff={"customer_service_fte_total": 4.0})
    def js_2026(share):
        m = tables(sc.with_overrides({"meetings": {"grid_skip_within_interval_share": share}}), 0)["monthly"]
        return m[m.month.str.startswith("2026")].job_search_interviews.sum()
    assert js_2026(0.0) > js_2026(0.9)
