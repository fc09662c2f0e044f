"""A lever test for every scenario key the other tests never vary (issue 16, item 7).

The SimPy carwash bug — code that reads a constant instead of the scenario, unnoticed because
the two were equal — is caught only by a test that *changes* a parameter and expects the
output to move. `tests/test_model.py` (LEVERS), `test_services.py`, `test_benefits.py` and
`test_budget.py` vary most keys; this file varies the rest, found by listing every key of
the resolved baseline scenario and searching the tests for each
(`test_every_scenario_key_is_named_by_some_test` keeps the list honest).

Each test runs a small scenario (`tests/scenario_factory.py`: a few hundred jobseekers,
three to six months) with the key moved and reads the model's records (`AreaModel.run`).
Both runs use the same seed and replication, so every source of randomness draws the same
numbers (common random numbers): a lever's direction shows in one replication.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from simulation.model.area import AreaModel
from simulation.model.records import Dest, Group, Outcome
from simulation.scenario.calendar import DAYS_PER_MONTH
from simulation.scenario.config import CHANNELS, MEETING_TYPES, Scenario, load_scenario
from tests.scenario_factory import ROOT, simple_data, write_scenario

SMALL = dict(inflow_per_month_area=150.0, stock_area=700.0)
LIGHT_STAFF = {"customer_service_fte_total": 40.0}   # a light load: the lever's own effect only
JOB_SEARCH, SUPPLEMENTARY, PROFILE = 1, 2, len(MEETING_TYPES)
PHONE, IN_PERSON = CHANNELS.index("phone"), CHANNELS.index("in_person")

# one service that every short- and long-term jobseeker may be referred to from the start
SERVICE = {"referral_probability": 0.5, "duration_mean_months": 2.0, "places": 400.0,
           "unit_cost_eur_per_month": 500.0, "lock_in_exit_multiplier": 0.5,
           "employment_at_end_share": 0.1, "source": "tests/test_levers.py"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("levers")


def small(folder: Path, name: str, start: str = "2025-01-01", years: float = 0.5,
          **over) -> Scenario:
    d = simple_data(**SMALL)
    d["run"].update({"start_date": start, "years": years})
    over.setdefault("staff", LIGHT_STAFF)
    return load_scenario(write_scenario(folder, name, d, **over))


_RUNS: dict[tuple[str, int], object] = {}


def records(sc: Scenario, rep: int = 0):
    """The records of one replication (each scenario runs once per module)."""
    key = (sc.model_dump_json(), rep)
    if key not in _RUNS:
        _RUNS[key] = AreaModel(sc, rep).run()
    return _RUNS[key]


def spells(sc: Scenario, rep: int = 0):
    return records(sc, rep).columns("spells")


def meetings(sc: Scenario, rep: int = 0):
    return records(sc, rep).columns("meetings")


def participations(sc: Scenario, rep: int = 0):
    return records(sc, rep).columns("services")


def open_at_end(sc: Scenario, group: int | None = None) -> int:
    s = spells(sc)
    sel = np.isinf(s.exit_day) if group is None else np.isinf(s.exit_day) & (s.group == group)
    return int(sel.sum())


def to_work(sc: Scenario, group: int) -> int:
    s = spells(sc)
    return int(((s.dest == Dest.EMPLOYMENT) & (s.group == group) & np.isfinite(s.exit_day)).sum())


def new_registrations(sc: Scenario) -> np.ndarray:
    """Registration days of new jobseekers (not returns)."""
    s = spells(sc)
    return s.start_day[~s.reentry.astype(bool)]


def return_delay_days(sc: Scenario) -> float:
    """Mean days from a spell's exit to work to the same person's next registration."""
    s = spells(sc)
    order = np.lexsort((s.start_day, s.person))
    person, start, exit_day = s.person[order], s.start_day[order], s.exit_day[order]
    again = (person[1:] == person[:-1]) & s.reentry[order][1:].astype(bool)
    return float((start[1:] - exit_day[:-1])[again].mean())


def first_vs_second_quarter(days: np.ndarray) -> float:
    q = 3 * DAYS_PER_MONTH
    return ((days >= 0) & (days < q)).sum() / max(((days >= q) & (days < 2 * q)).sum(), 1)


# ---- keys of the exit hazards, the inflow and the benefits: (override, measure, direction) --

LEVERS = [
    ("exits.short_group_share", {"exits": {"short_group_share": 0.8}}, open_at_end, -1),
    ("exits.short_group_mean_months", {"exits": {"short_group_mean_months": 4.0}}, open_at_end, +1),
    ("exits.layoff_mean_months", {"exits": {"layoff_mean_months": 6.0}},
     lambda sc: open_at_end(sc, Group.LAYOFF), +1),
    ("exits.employment_share_layoff", {"exits": {"employment_share_layoff": 0.5}},
     lambda sc: to_work(sc, Group.LAYOFF), -1),
    ("exits.employment_share_long_group", {"exits": {"employment_share_long_group": 0.7}},
     lambda sc: to_work(sc, Group.LONG), +1),
    ("exits.hazard_multiplier", {"exits": {"hazard_multiplier": 2.0}}, open_at_end, -1),
    # exits bunched in the first quarter
    ("exits.seasonal_factors", {"exits": {"seasonal_factors": [1.6] * 3 + [0.4] * 3 + [1.0] * 6}},
     lambda sc: first_vs_second_quarter(spells(sc).exit_day), +1),
    ("inflow.seasonal_factors", {"inflow": {"seasonal_factors": [1.6] * 3 + [0.4] * 3 + [1.0] * 6}},
     lambda sc: first_vs_second_quarter(new_registrations(sc)), +1),
    ("inflow.trend_per_year", {"inflow": {"trend_per_year": 1.0}},
     lambda sc: int((spells(sc).start_day >= 0).sum()), +1),
    ("inflow.reentry_probability", {"inflow": {"reentry_probability": 0.8}},
     lambda sc: int(spells(sc).reentry.sum()), +1),
    # the delay of a return (in steady state the flow of returns does not depend on it)
    ("inflow.reentry_mean_months", {"inflow": {"reentry_mean_months": 1.0}},
     lambda sc: return_delay_days(sc), -1),
]


@pytest.mark.parametrize("key,over,measure,direction", LEVERS, ids=[x[0] for x in LEVERS])
def test_key_moves_its_output(folder, key, over, measure, direction):
    base = small(folder, "base")
    a, b = measure(base), measure(base.with_overrides(over))
    assert np.sign(b - a) == direction, (key, a, b)


def test_short_work_history_share_sets_the_share_of_short_maxima(folder):
    """benefits.short_work_history_share: the share of earnings-related benefit periods with
    the shorter maximum (300 days, rule earnings_related_max_days_short_history)."""
    base = small(folder, "base")
    shares = []
    for share in (0.0, 0.3, 1.0):
        s = spells(base.with_overrides({"benefits": {"short_work_history_share": share}}))
        er = s.benefit_type == 0     # BENEFIT_TYPES[0]: earnings-related
        shares.append(s.short_work_history[er].mean())
    assert shares[0] == 0.0 and shares[2] == 1.0
    assert 0.2 < shares[1] < 0.4, shares


# ---- meetings ------------------------------------------------------------------------------

def with_meetings(sc: Scenario, **meetings_keys) -> Scenario:
    return sc.with_overrides({"meetings": meetings_keys})


def _factor_cv(sc: Scenario) -> float:
    """Coefficient of variation of staff-held job-search meetings in person (minutes / mean)."""
    m = meetings(sc)
    sel = (m.mtype == JOB_SEARCH) & (m.channel == IN_PERSON) & (m.purchased == 0)
    x = m.minutes[sel] / sc.meetings.duration_minutes["job_search"]["in_person"]
    assert sel.sum() > 300
    return float(x.std() / x.mean())


def test_duration_cv_and_distribution_set_the_spread_of_meeting_lengths(folder):
    """meetings.duration_cv: a lognormal meeting length has that coefficient of variation;
    duration_distribution "fixed": every meeting its mean; "exponential": CV 1."""
    base = small(folder, "base")
    cv = {c: _factor_cv(base.with_overrides({"meetings": {"duration_cv": c}})) for c in (0.1, 0.6)}
    assert cv[0.1] == pytest.approx(0.1, rel=0.25) and cv[0.6] == pytest.approx(0.6, rel=0.25)
    fixed = base.with_overrides({"meetings": {"duration_distribution": "fixed"}})
    assert _factor_cv(fixed) == 0.0
    expo = base.with_overrides({"meetings": {"duration_distribution": "exponential"}})
    assert _factor_cv(expo) == pytest.approx(1.0, rel=0.25)


def _phone_share(sc: Scenario) -> float:
    m = meetings(sc)
    js = (m.mtype == JOB_SEARCH) & (m.purchased == 0)
    return float((m.channel[js] == PHONE).mean())


def test_later_channel_shares_apply_from_the_stated_month(folder):
    """meetings.later_channel_shares_from_month: job-search interviews from that month of job
    search on use the later mix (here all by phone); the earlier month, the more by phone."""
    base = small(folder, "base", meetings={"later_channel_shares": {
        "in_person": 0.0, "service_point": 0.0, "remote": 0.0, "phone": 1.0}})
    share = {k: _phone_share(with_meetings(base, later_channel_shares_from_month=k))
             for k in (0, 2, 6, 600)}
    assert share[0] == 1.0
    assert share[0] > share[2] > share[6] > share[600]
    early = base.meetings.channel_shares["job_search"]["phone"]
    assert share[600] == pytest.approx(early, abs=0.05)   # never: the early mix throughout


def test_needs_based_supplementary_interviews_per_interval(folder):
    """meetings.needs_based_supplementary_per_interval (from 2026, HE 108/2025): more
    supplementary interviews between two 3-monthly interviews for those who need them."""
    base = small(folder, "y2026", start="2026-01-01")
    counts = []
    for n in (0, 1, 3):
        m = meetings(with_meetings(base, needs_based_supplementary_per_interval=n))
        counts.append(int((m.mtype == SUPPLEMENTARY).sum()))
    assert counts[0] < counts[1] < counts[2], counts


def _profile_tasks(sc: Scenario):
    m = meetings(sc)
    return m.minutes[m.mtype == PROFILE]


def test_job_search_profile_minutes_and_deadline(folder):
    """meetings.job_search_profile_minutes: each profile the authority makes (from 1.9.2026)
    takes that many staff minutes (0: no task); job_search_profile_deadline_days: a longer
    deadline leaves fewer profiles to the authority (more jobseekers have left by then)."""
    base = small(folder, "y2026_09", start="2026-08-01", years=0.35)
    tasks = {m: _profile_tasks(with_meetings(base, job_search_profile_minutes=m))
             for m in (0.0, 20.0, 45.0)}
    assert len(tasks[0.0]) == 0
    assert len(tasks[20.0]) > 20 and (tasks[20.0] == 20.0).all() and (tasks[45.0] == 45.0).all()
    n = {d: len(_profile_tasks(with_meetings(base, job_search_profile_deadline_days=d)))
         for d in (7.0, 14.0, 45.0)}
    assert n[7.0] > n[14.0] > n[45.0], n


# ---- services ------------------------------------------------------------------------------

def _with_service(folder: Path, **svc) -> Scenario:
    return small(folder, "svc", services={"coaching": {**SERVICE, **svc}},
                 service_order=["coaching"])


def _service_starts_by_group(sc: Scenario) -> dict[int, int]:
    """Participations started during the run, by the group of the spell they were part of."""
    p, s = participations(sc), spells(sc)
    order = np.lexsort((s.start_day, s.person))
    person, start, group = s.person[order], s.start_day[order], s.group[order]
    out = {int(g): 0 for g in Group}
    for who, day in zip(p.person[p.start_day >= 0], p.start_day[p.start_day >= 0], strict=True):
        lo, hi = np.searchsorted(person, who, "left"), np.searchsorted(person, who, "right")
        k = lo + np.searchsorted(start[lo:hi], day, "right") - 1   # the spell it started in
        out[int(group[k])] += 1
    return out


def test_eligible_groups_decide_who_is_referred(folder):
    """services.*.eligible_groups: a group left out gets no service; let in, it does."""
    both = _service_starts_by_group(_with_service(folder, eligible_groups=["short", "long"]))
    short = _service_starts_by_group(_with_service(folder, eligible_groups=["short"]))
    layoff = _service_starts_by_group(_with_service(folder, eligible_groups=["layoff"]))
    assert both[Group.SHORT] > 0 and both[Group.LONG] > 0 and both[Group.LAYOFF] == 0
    assert short[Group.SHORT] > 0 and short[Group.LONG] == 0 and short[Group.LAYOFF] == 0
    assert layoff[Group.LAYOFF] > 0 and layoff[Group.SHORT] == layoff[Group.LONG] == 0


def test_duration_max_months_caps_every_participation(folder):
    """services.*.duration_max_months: no participation lasts longer; the mean falls."""
    def lengths(sc):
        p = participations(sc)
        done = (p.start_day >= 0) & (p.outcome != Outcome.OPEN) & (p.outcome != Outcome.LEFT)
        return (p.end_day - p.start_day)[done] / DAYS_PER_MONTH
    free = lengths(_with_service(folder))
    capped = lengths(_with_service(folder, duration_max_months=2.0))
    assert free.max() > 2.5 and capped.max() <= 2.0 + 1e-9
    assert capped.mean() < free.mean()


def _exits_after_service(sc: Scenario, within_months: float) -> float:
    """Share of participations that ended back in job search whose spell ended in work within
    `within_months` of the service's end."""
    p, s = participations(sc), spells(sc)
    window = within_months * DAYS_PER_MONTH
    back = (p.outcome == Outcome.JOB_SEARCH) & (p.end_day <= sc.run.years * 365.25 - window)
    exit_by_person = {}
    for who, start, end, dest in zip(s.person, s.start_day, s.exit_day, s.dest, strict=True):
        exit_by_person.setdefault(int(who), []).append((start, end, dest))
    hits = 0
    for who, end in zip(p.person[back], p.end_day[back], strict=True):
        for start, exit_day, dest in exit_by_person[int(who)]:
            if start <= end <= exit_day:
                hits += exit_day - end <= window and dest == Dest.EMPLOYMENT
    return hits / max(int(back.sum()), 1)


def test_post_exit_multiplier_moves_exits_after_a_service(folder):
    """services.*.post_exit_multiplier > 1: more leave for work in the months after a service
    (during post_effect_months); below 1: fewer."""
    share = {k: _exits_after_service(
        _with_service(folder, post_exit_multiplier=k, post_effect_months=3.0), 3.0)
        for k in (0.3, 1.0, 3.0)}
    assert share[0.3] < share[1.0] < share[3.0], share


def test_post_effect_months_is_how_long_the_effect_lasts(folder):
    """services.*.post_effect_months: with a multiplier above 1, a longer after-effect means
    more exits to work in the three months after the service."""
    share = {m: _exits_after_service(
        _with_service(folder, post_exit_multiplier=3.0, post_effect_months=m), 3.0)
        for m in (0.25, 1.0, 3.0)}
    assert share[0.25] < share[1.0] < share[3.0], share


# ---- the budget (simulation.money.budget): keys that act on the plan, not in the model ------

@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "baseline.toml")


@pytest.mark.parametrize("key,over,column,change", [
    ("staff.specialists_fte", {"staff": {"specialists_fte": 20.0}}, "staff_eur", 2 * 60_000.0),
    ("staff.administration_fte", {"staff": {"administration_fte": 4.0}}, "staff_eur", -60_000.0),
    ("staff.regional_services_fte", {"staff": {"regional_services_fte": 7.0}},
     "regional_services_eur", 60_000.0),
    ("budget.gap_tolerance_share_of_frame", {"budget": {"gap_tolerance_share_of_frame": 0.05}},
     "gap_tolerance_eur", 0.04 * 7_800_000.0),
])
def test_budget_key_moves_its_line(baseline, key, over, column, change):
    """Staff outside customer service cost their FTE × €60,000 a year (staff.cost_per_fte_eur,
    budget.regional_services_cost_per_fte_eur); the tolerance is a share of the €7.8 M frame."""
    from simulation.money.budget import budget_table

    a = budget_table(baseline)[column]
    b = budget_table(baseline.with_overrides(over))[column]
    assert (b - a).to_numpy() == pytest.approx(change), key


def test_gap_tolerance_decides_whether_the_gap_is_closed(baseline):
    """budget.gap_tolerance_share_of_frame: the baseline's gap (about 1.7 % of the frame) is
    open at 1 % and closed at 5 %."""
    from simulation.money.budget import budget_table

    t = budget_table(baseline)
    assert 0.01 < t.gap_share_of_frame.iloc[0] < 0.05 and not t.closed.any()
    wider = baseline.with_overrides({"budget": {"gap_tolerance_share_of_frame": 0.05}})
    assert budget_table(wider).closed.all()


def test_cost_sharing_keys_set_each_municipalitys_share(baseline, region):
    """budget.cost_sharing_key: the shares follow the named municipal figure;
    cost_sharing_rounding = "rounded_percent" with cost_sharing_percent_decimals: shares are
    whole (0) or one-decimal (1) percentages of it (the plan's appendix used 32.2 %)."""
    from simulation.money.budget import municipal_shares

    def shares(**b):
        t = municipal_shares(baseline.with_overrides({"budget": b}))
        return t[t.year == t.year.min()].set_index("municipality").share

    for key in ("labour_force_2019", "unemployed_2019_mean"):
        w = region.attribute_by_municipality(key)
        got = shares(cost_sharing_key=key)
        for m, v in w.items():
            assert got[m] == pytest.approx(v / sum(w.values()))
    exact = shares(cost_sharing_key="unemployed_2019_mean")
    pct0 = shares(cost_sharing_key="unemployed_2019_mean", cost_sharing_rounding="rounded_percent",
                  cost_sharing_percent_decimals=0)
    pct1 = shares(cost_sharing_key="unemployed_2019_mean", cost_sharing_rounding="rounded_percent",
                  cost_sharing_percent_decimals=1)
    assert (pct0 * 100).round(9).eq((exact * 100).round(0)).all()
    assert (pct1 * 1000).round(9).eq((exact * 1000).round(0)).all()
    assert not pct0.equals(pct1) and not pct1.equals(exact)


# ---- the list stays honest -----------------------------------------------------------------

# Keys that are no lever: labels, sources, and figures only a report shows.
NOT_LEVERS = {"name", "description", "description_fi", "source", "sources", "label_fi", "kind",
              "notes", "derived", "basis_year", "valid_from", "valid_to"}


def _leaf_keys(d: dict, prefix: str = "") -> set[str]:
    """Dotted keys of a resolved scenario; a service's keys once (``services.*.places``), a
    table of numbers by name (municipality, hub, channel, service) as one key."""
    out = set()
    for k, v in d.items():
        if k == "services":
            for svc in v.values():
                out |= _leaf_keys(svc, prefix + "services.*.")
        elif isinstance(v, dict) and v and k not in NOT_LEVERS and not all(
                isinstance(x, (int, float)) for x in v.values()):
            out |= _leaf_keys(v, prefix + k + ".")
        else:
            out.add(prefix + k)
    return out


def test_every_scenario_key_is_named_by_some_test():
    """Every key of the resolved baseline is named in some test other than the fixtures that
    build scenarios (a name is not a variation, but a key named nowhere is certainly never
    varied). Prints the keys when one is missing."""
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml")
    leaf = {k: k.rsplit(".", 1)[-1] for k in _leaf_keys(sc.resolved_dict())}
    keys = {k: name for k, name in leaf.items() if name not in NOT_LEVERS}
    tests = [p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py")]
    missing = sorted(k for k, name in keys.items()
                     if not any(re.search(rf"\b{re.escape(name)}\b", t) for t in tests))
    assert not missing, f"scenario keys no test names: {missing}"
    assert len(keys) > 60
