"""Unemployment-benefit cost and municipal share (simulation/benefits.py), DOMAIN.md §5.

The hand calculations use plain date arithmetic and the legal figures written out here
(€37.21/day; 2024 municipal share 50 % from paid day 301; from 2025 the labour-market
subsidy 10/20/30/40/50 % from days 101/201/301/401/701 and the daily allowances 10/20/30/40 %
from days 101/201/301/401 (1290/2002 14:3 a–3 b § and 555/1998 4 § as amended by 385/2023 and
387/2023); days of every benefit paid since 1.1.2015 count, the count does not restart on
1.1.2025; earnings-related 80 % from day 41, 75 % from day 171, maximum 400 days), not the
rules module, so they check the engine independently.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.money.benefits import (
    LEDGER_TYPES,
    benefit_costs,
    benefit_rules_used,
    monthly_benefit_table,
    paid_days,
    person_ledger,
)
from simulation.scenario.calendar import SimCalendar
from simulation.scenario.config import BENEFIT_TYPES, load_scenario
from simulation.scenario.rules import load_rules, parse_overrides
from tests.scenario_factory import simple_data, write_scenario

ER, BASIC, LMS = (BENEFIT_TYPES.index(n) for n in
                  ("earnings_related", "basic_allowance", "labour_market_subsidy"))
BASIC_EUR = 37.21
START = date(2024, 6, 3)                      # a Monday
CAL = SimCalendar(START, (date(2028, 1, 1) - START).days)


def scenario(er_full: float = 80.0) -> SimpleNamespace:
    """Scenario-like object; services: 0 'coaching' (benefit paid), 1 'wage_subsidy' (not)."""
    return SimpleNamespace(
        benefits=SimpleNamespace(earnings_related_full_eur_per_day=er_full),
        services={"coaching": SimpleNamespace(benefit_paid_during=True),
                  "wage_subsidy": SimpleNamespace(benefit_paid_during=False)})


def idx(d: date) -> float:
    """Day index of date d in CAL."""
    return float((d - START).days)


def spell(person: int, start: float, exit_: float, btype: int, prior: int, muni: int = 0,
          continues: bool = False, group: int = 2, short: bool = False) -> tuple:
    dest = -1 if math.isinf(exit_) else 0
    return (person, muni, group, start, exit_, dest, continues, btype, prior, continues, short)


def first_date(ledger: pd.DataFrame, mask: pd.Series) -> date:
    return ledger.loc[mask, "date"].iloc[0].date()


def weekdays(a: date, b: date) -> list[date]:
    """Monday–Friday dates in [a, b)."""
    every = (a + timedelta(days=i) for i in range((b - a).days))
    return [d for d in every if d.weekday() < 5]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def rules_restart():
    """A reform reading (not the law): the municipal-share count restarts on 1.1.2025."""
    return load_rules(parse_overrides({"municipal_share_count_from": [
        {"valid_from": date(2025, 1, 1), "value": date(2025, 1, 1)}]}, "test.toml"))


# ---- the hand calculation: labour-market subsidy across 2024 → 2025 --------------

def test_labour_market_subsidy_path_by_hand(rules, rules_restart):
    # Registered 400 days before the run start (2024-06-03), 250 benefit days already paid,
    # leaves on 2027-10-16 (a Saturday: the last paid day is Friday 2027-10-15).
    sp = [spell(1, -400.0, idx(date(2027, 10, 16)), LMS, 250)]
    led = person_ledger(sp, [], scenario(), CAL, rules, person=1)

    # Paid days: Monday–Friday from 2024-06-03 to 2027-10-15, holidays included:
    #   152 in 2024 (2024-06-03 … 2024-12-31) + 728 in 2025-01-01 … 2027-10-15 = 880.
    days = weekdays(START, date(2027, 10, 16))
    assert len(days) == 880 == len(led)
    assert [d.date() for d in led["date"]] == days
    # cost = 880 × 37.21 = 32,744.80
    assert round(led["amount_eur"].sum(), 2) == 32744.80

    # Municipal share, until 2024 (labour-market subsidy, 50 % from paid day 301):
    #   day count D = 250 prior + n-th paid day in the run; D = 301 on the 51st weekday
    #   from 2024-06-03 = 2024-08-12; 2024 has 152 − 50 = 102 days at 50 %: 102 × 18.605 = 1,897.71.
    # From 2025 the count goes on (385/2023 transition: days paid before 1.1.2025 count, back
    # to 1.1.2015): D = 402 at the end of 2024, so 2025 starts at D = 403 (40 %):
    #   D 403 … 700 = 298 days × 14.884 = 4,435.432; D 701 … 1130 = 430 days × 18.605 = 8,000.15;
    # total 1,897.71 + 4,435.432 + 8,000.15 = 14,333.292 → 14,333.29.
    assert led.loc[led["date"] == "2024-12-31", "count_day"].item() == 250 + 152
    assert led.loc[led["date"] == "2025-01-01", "count_day"].item() == 403
    assert led.loc[led["date"] == "2025-01-01", "share"].item() == 0.4
    assert first_date(led, led["share"] == 0.5) == date(2024, 8, 12)
    in_2025 = led["date"] >= "2025-01-01"
    assert first_date(led, (led["share"] == 0.5) & in_2025) == date(2026, 2, 23)   # D 701: n = 299
    assert round(led["municipal_eur"].sum(), 2) == 14333.29

    # independent loop over the dates: the same totals
    exp_cost = exp_muni = 0.0
    for n_run, d in enumerate(days, start=1):
        exp_cost += BASIC_EUR
        D = 250 + n_run
        if d < date(2025, 1, 1):
            share = 0.5 if D >= 301 else 0.0
        else:
            share = next((s for f, s in ((701, .5), (401, .4), (301, .3), (201, .2), (101, .1))
                          if D >= f), 0.0)
        exp_muni += share * BASIC_EUR
    assert round(led["amount_eur"].sum(), 2) == round(exp_cost, 2)
    assert round(led["municipal_eur"].sum(), 2) == round(exp_muni, 2)

    # from 1 May 2026 (a Friday) the benefit is the general benefit, same amount
    assert set(led.loc[led["date"] < "2026-05-01", "benefit"]) == {"labour_market_subsidy"}
    assert set(led.loc[led["date"] >= "2026-05-01", "benefit"]) == {"general_benefit"}

    # A reform reading that restarts the count on 1.1.2025 (a dated rule a scenario can set):
    #   D = n-th weekday from 2025-01-01: day 101 = 2025-05-21 (10 %), 201 = 2025-10-08 (20 %),
    #   301 = 2026-02-25 (30 %), 401 = 2026-07-15 (40 %), 701 = 2027-09-08 (50 %), last D = 728:
    #   100 × 3.721 + 100 × 7.442 + 100 × 11.163 + 300 × 14.884 + 28 × 18.605
    #   = 372.10 + 744.20 + 1,116.30 + 4,465.20 + 520.94 = 7,218.74; with 2024: 9,116.45
    led2 = person_ledger(sp, [], scenario(), CAL, rules_restart, person=1)
    assert led2.loc[led2["date"] == "2025-01-01", "count_day"].item() == 1
    assert round(led2["municipal_eur"].sum(), 2) == 9116.45
    shares = {0.1: date(2025, 5, 21), 0.2: date(2025, 10, 8), 0.3: date(2026, 2, 25),
              0.4: date(2026, 7, 15)}
    for s, d in shares.items():
        assert first_date(led2, led2["share"] == s) == d


# ---- the hand calculation: earnings-related across days 41, 171 and 400 ----------

def test_earnings_related_path_by_hand(rules):
    # New spell registered 2024-10-01 (day 120 of the run; start_day 119.5 → first day 120),
    # full earnings-related allowance €45/day (below the 2025 basic component once stepped
    # down), no prior days, still unemployed at the horizon (2027-12-31).
    sp = [spell(7, 119.5, math.inf, ER, 0)]
    led = person_ledger(sp, [], scenario(er_full=45.0), CAL, rules, person=7)
    assert led["date"].iloc[0].date() == date(2024, 10, 1)
    assert len(led) == len(weekdays(date(2024, 10, 1), date(2028, 1, 1))) == 849
    # benefit day k (weekdays from 2024-10-01): k 41 = 2024-11-26, k 171 = 2025-05-27,
    # k 400 = 2026-04-13, then labour-market subsidy (general benefit from 2026-05-01)
    assert first_date(led, led["benefit_day"] == 41) == date(2024, 11, 26)
    assert first_date(led, led["benefit_day"] == 171) == date(2025, 5, 27)
    assert first_date(led, led["benefit"] != "earnings_related") == date(2026, 4, 14)
    assert led.loc[led["benefit_day"] == 40, "amount_eur"].item() == 45.0
    assert led.loc[led["benefit_day"] == 41, "amount_eur"].item() == 36.0
    assert led.loc[led["benefit_day"] == 171, "amount_eur"].item() == 33.75
    assert led.loc[led["benefit_day"] == 401, "benefit"].item() == "labour_market_subsidy"
    # cost: 40 × 45.00 + 130 × 36.00 (80 %) + 230 × 33.75 (75 %) + 449 × 37.21
    #     = 1,800.00 + 4,680.00 + 7,762.50 + 16,707.29 = 30,949.79
    assert round(led["amount_eur"].sum(), 2) == 30949.79
    # municipal share: nothing in 2024 (earnings-related not billed; 66 paid days). From 2025
    # the 2024 days count too (all benefits since 1.1.2015), so D = k; the earnings-related
    # allowance's basic component has the daily-allowance schedule (no 50 % step), the
    # labour-market subsidy after day 400 the subsidy's schedule; base = min(amount, 37.21):
    #   k 101–170:   70 × 36.00 × 10 % =   252.00
    #   k 171–200:   30 × 33.75 × 10 % =   101.25
    #   k 201–300:  100 × 33.75 × 20 % =   675.00
    #   k 301–400:  100 × 33.75 × 30 % = 1,012.50
    #   k 401–700:  300 × 37.21 × 40 % = 4,465.20   (labour-market subsidy, general benefit
    #   k 701–849:  149 × 37.21 × 50 % = 2,772.145   from 2026-05-01, subsidy schedule)
    #   total                            9,278.095
    assert led.loc[led["date"] < "2025-01-01", "municipal_eur"].sum() == 0.0
    assert round(led["municipal_eur"].sum(), 3) == 9278.095
    row = led.loc[led["benefit_day"] == 171].iloc[0]
    assert (row["count_day"], row["share"], row["billing_base_eur"]) == (171, 0.1, 33.75)
    assert led.loc[led["benefit_day"] == 400, "share"].item() == 0.3

    # independent loop over the dates
    exp_cost = exp_muni = 0.0
    for k, d in enumerate(weekdays(date(2024, 10, 1), date(2028, 1, 1)), start=1):
        amount = (45.0 if k < 41 else 36.0 if k < 171 else 33.75) if k <= 400 else BASIC_EUR
        exp_cost += amount
        if d >= date(2025, 1, 1):
            steps = ((701, .5), (401, .4), (301, .3), (201, .2), (101, .1))
            if k <= 400:          # earnings-related: no 50 % step
                steps = steps[1:]
            share = next((s for f, s in steps if k >= f), 0.0)
            exp_muni += share * min(amount, BASIC_EUR)
    assert round(led["amount_eur"].sum(), 2) == round(exp_cost, 2) == 30949.79
    assert round(led["municipal_eur"].sum(), 3) == round(exp_muni, 3) == 9278.095


def test_stepdowns_apply_to_periods_begun_from_2024_09_02(rules):
    # HE 13/2024: the step-downs apply to benefit periods that began from 2.9.2024. A period
    # begun 2024-06-03 keeps the full €80 (day 41 = 2024-07-29 and beyond, also after 2.9.2024);
    # one begun 2024-09-02 has 80 % from its day 41 (2024-10-28) and 75 % from day 171.
    old = person_ledger([spell(3, 0.0, idx(date(2025, 3, 1)), ER, 0)], [], scenario(), CAL,
                        rules, person=3)
    assert (old["amount_eur"] == 80.0).all()
    new = person_ledger([spell(3, idx(date(2024, 9, 2)), idx(date(2025, 9, 1)), ER, 0)], [],
                        scenario(), CAL, rules, person=3)
    assert new.loc[new["benefit_day"] == 40, "amount_eur"].item() == 80.0
    assert first_date(new, new["benefit_day"] == 41) == date(2024, 10, 28)
    assert new.loc[new["benefit_day"] == 41, "amount_eur"].item() == 64.0
    assert new.loc[new["benefit_day"] == 171, "amount_eur"].item() == 60.0
    # a period with prior days that began before 2.9.2024 is an old period: no step-down
    cont = person_ledger([spell(3, idx(date(2024, 10, 1)), idx(date(2025, 3, 1)), ER, 100)], [],
                         scenario(), CAL, rules, person=3)
    assert (cont["amount_eur"] == 80.0).all()


def test_short_work_history_maximum_is_300_days(rules):
    # a period begun 2024-09-02 with a short work history: labour-market subsidy from day 301
    # (weekday 301 from 2024-09-02 = 2025-10-27), with 400 days from day 401 (2026-03-16)
    sp_short = [spell(6, idx(date(2024, 9, 2)), math.inf, ER, 0, short=True)]
    sp_long = [spell(6, idx(date(2024, 9, 2)), math.inf, ER, 0)]
    short = person_ledger(sp_short, [], scenario(), CAL, rules, person=6)
    long_ = person_ledger(sp_long, [], scenario(), CAL, rules, person=6)
    assert short.loc[short["benefit_day"] == 300, "benefit"].item() == "earnings_related"
    assert short.loc[short["benefit_day"] == 301, "benefit"].item() == "labour_market_subsidy"
    assert first_date(short, short["benefit_day"] == 301) == date(2025, 10, 27)
    assert long_.loc[long_["benefit_day"] == 301, "benefit"].item() == "earnings_related"
    assert first_date(long_, long_["benefit"] != "earnings_related") == date(2026, 3, 16)


# ---- services ---------------------------------------------------------------------------

def test_services_stop_payment_and_count_by_the_rules_of_the_day(rules, rules_restart):
    # Labour-market subsidy, 250 prior days; without services D = 301 on 2024-08-12 (50 %).
    sp = [spell(5, -400.0, math.inf, LMS, 250)]
    svc = [
        # wage subsidy: no benefit, 10 weekdays
        (5, 0, 1, idx(date(2024, 7, 1)), idx(date(2024, 7, 15)), 0),
        # coaching: paid, 10 weekdays
        (5, 0, 0, idx(date(2024, 7, 15)), idx(date(2024, 7, 29)), 0),
        # coaching in 2025: paid, counts
        (5, 0, 0, idx(date(2025, 5, 5)), idx(date(2025, 6, 2)), 0),
        # wage subsidy in 2025: 10 weekdays unpaid
        (5, 0, 1, idx(date(2025, 6, 2)), idx(date(2025, 6, 16)), 0),
    ]
    # the law: from 2025 every paid day counts, the 2024 coaching days included (the rules
    # of the day billed decide): D on 2025-01-01 = 250 prior + 142 paid 2024 days + 1
    law = person_ledger(sp, svc, scenario(), CAL, rules, person=5)
    assert law.loc[law["date"] == "2025-01-01", "count_day"].item() == 250 + 152 - 10 + 1
    # the rest, with the count restarting on 1.1.2025 (a reform reading), to see 2025 alone
    base = person_ledger(sp, [], scenario(), CAL, rules_restart, person=5)
    led = person_ledger(sp, svc, scenario(), CAL, rules_restart, person=5)
    dates = led["date"]
    # no benefit while in the wage-subsidy service
    for a, b in (("2024-07-01", "2024-07-15"), ("2025-06-02", "2025-06-16")):
        assert not ((dates >= a) & (dates < b)).any()
    assert len(base) - len(led) == 20
    # 2024 coaching: paid, but the days do not count and are not billed: D stands still
    c24 = led[(dates >= "2024-07-15") & (dates < "2024-07-29")]
    assert len(c24) == 10 and c24["in_service"].all() and not c24["counted"].any()
    assert (c24["amount_eur"] == BASIC_EUR).all() and (c24["share"] == 0).all()
    assert c24["count_day"].nunique() == 1
    # ... so D = 301 (50 %) comes 20 weekdays later than without services
    assert first_date(base, base["share"] == 0.5) == date(2024, 8, 12)
    assert first_date(led, led["share"] == 0.5) == date(2024, 9, 9)
    # 2025 coaching: the days count; D = 101 falls inside the service on the same date as
    # without services, and the share moves to 10 % during the service
    c25 = led[(dates >= "2025-05-05") & (dates < "2025-06-02")]
    assert c25["counted"].all() and c25["in_service"].all()
    assert first_date(led, led["share"] == 0.1) == first_date(base, base["share"] == 0.1) \
        == date(2025, 5, 21)
    assert set(c25["share"]) == {0.0, 0.1}
    # the unpaid 2025 days neither pay nor count: D = 201 (20 %) 10 weekdays later
    assert first_date(base, base["share"] == 0.2) == date(2025, 10, 8)
    assert first_date(led, led["share"] == 0.2) == date(2025, 10, 22)


# ---- a slow reference loop --------------------------------------------------------------

def _billed(r, t: int) -> bool:
    listed = r.municipal_share_benefits
    return BENEFIT_TYPES[t] in listed or (r.benefit_system == "general_benefit" and t != ER
                                          and "general_benefit" in listed)


def reference(spells, services, sc, cal, rules) -> list[dict]:
    """Day-by-day loop with `rules.on(date)`, written from the module docstring.

    A person's spells in time order; a spell with `continues` carries on the previous one's
    history (paid days, benefit day k). The day count D on day d counts every day of the
    history that the rules in force on d count (benefit billed, service days, count-from).
    """
    out = []
    paid_during = [s.benefit_paid_during for s in sc.services.values()]
    er_full = sc.benefits.earnings_related_full_eur_per_day
    order = sorted(range(len(spells)), key=lambda i: (spells[i][0], spells[i][3]))
    history: list[tuple] = []        # (date, base type, in_service, layoff)
    k = 0
    last_person = None
    for si in order:
        person, _m, group, start, exit_, _d, _r, btype, prior, cont, short = spells[si]
        if btype < 0:
            continue
        first = min(max(math.ceil(start), 0), cal.days)
        stop = cal.days if math.isinf(exit_) else min(max(math.ceil(exit_), 0), cal.days)
        if stop <= first:
            continue
        layoff = group == 0
        if not (cont and person == last_person):
            # prior days: the last `prior` paid weekdays before the first day, oldest first
            prior_days, d = [], cal.start + timedelta(days=first - 1)
            while len(prior_days) < prior:
                if d.weekday() < rules.on(d).paid_days_per_week:
                    prior_days.append(d)
                d -= timedelta(days=1)
            prior_days.reverse()
            # the benefit period began on its first day: its step-downs and maximum
            r0 = rules.on(prior_days[0] if prior_days else cal.start + timedelta(days=first))
            maxd = (r0.earnings_related_max_days_short_history if short
                    else r0.earnings_related_max_days)
            history = [(d, LMS if (btype in (ER, BASIC) and n > maxd) else btype,
                        False, layoff) for n, d in enumerate(prior_days, start=1)]
            k = prior
        last_person = person
        for i in range(first, stop):
            d = cal.start + timedelta(days=i)
            r = rules.on(d)
            if d.weekday() >= r.paid_days_per_week:
                continue
            svcs = [s for s in services if s[0] == person and s[3] <= i < s[4]]
            if any(not paid_during[s[2]] for s in svcs):
                continue
            in_service = bool(svcs)
            k += 1
            t = btype
            if t in (ER, BASIC) and k > maxd:     # the daily allowances end at their maximum
                t = LMS
            if t == ER:
                amount = er_full * r0.earnings_related_factor(k)
                base = min(amount, r.basic_allowance_eur_per_day)
            else:
                amount = base = r.basic_allowance_eur_per_day
            general = r.benefit_system == "general_benefit" and t != ER
            history.append((d, t, in_service, layoff))

            def counts(e, r=r) -> bool:
                ed, et, es, el = e
                return (_billed(r, et) and not el and (not es or r.municipal_share_service_days_count)
                        and ed >= r.municipal_share_count_from)
            D = sum(counts(e) for e in history)
            counted = counts(history[-1])
            share = r.municipal_share(D, daily_allowance=t != LMS) if counted else 0.0
            out.append({"spell": si, "day": i, "benefit": "general_benefit" if general else BENEFIT_TYPES[t],
                        "benefit_day": k, "amount_eur": amount, "count_day": D, "share": share,
                        "municipal_eur": share * base, "in_service": in_service})
    return out


@st.composite
def cases(draw):
    start = draw(st.sampled_from([date(2024, 3, 4), date(2024, 11, 15), date(2025, 6, 1),
                                  date(2026, 3, 2)]))
    cal = SimCalendar(start, draw(st.integers(200, 700)))
    spells, services = [], []
    for p in range(draw(st.integers(1, 5))):
        s = draw(st.floats(-400, cal.days - 1, allow_nan=False))
        exit_ = draw(st.one_of(st.just(math.inf), st.floats(s + 0.1, cal.days + 50)))
        btype = draw(st.sampled_from([-1, ER, ER, BASIC, LMS]))
        prior = draw(st.integers(0, 500)) if s < 0 or draw(st.booleans()) else 0
        group = draw(st.sampled_from([0, 1, 1, 2]))
        short = draw(st.booleans())
        spells.append((p, p % 3, group, s, exit_, 0, False, btype, prior, False, short))
        if math.isfinite(exit_) and exit_ < cal.days - 2 and draw(st.booleans()):
            # the same person returns, continuing the count or not
            s2 = draw(st.floats(exit_ + 0.5, cal.days - 1))
            e2 = draw(st.one_of(st.just(math.inf), st.floats(s2 + 0.1, cal.days + 50)))
            cont = draw(st.booleans())
            spells.append((p, p % 3, group, s2, e2, 0, True, btype if cont else draw(
                st.sampled_from([ER, BASIC, LMS])), draw(st.integers(0, 50)), cont, draw(st.booleans())))
        for _ in range(draw(st.integers(0, 2)) if exit_ > 0 else 0):
            lo = max(s, 0.0) - 5
            a = draw(st.floats(lo, max(lo, min(exit_, cal.days + 5.0))))
            b = draw(st.one_of(st.just(math.inf), st.floats(a, a + 200)))
            services.append((p, p % 3, draw(st.integers(0, 1)), a, min(b, exit_), 0))
    return cal, spells, services, draw(st.sampled_from([30.0, 45.0, 80.0])), draw(st.booleans())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_engine_matches_reference_loop(rules, rules_restart, case):
    cal, spells, services, er_full, restart = case
    # services of one person must not overlap in the model: keep them disjoint here
    services = _disjoint(services)
    rr = rules_restart if restart else rules
    sc = scenario(er_full)
    got = paid_days(spells, services, sc, cal, rr)
    exp = reference(spells, services, sc, cal, rr)
    assert len(got) == len(exp)
    if not exp:
        return
    e = pd.DataFrame(exp)
    np.testing.assert_array_equal(got.spell, e["spell"])
    np.testing.assert_array_equal(got.day, e["day"])
    np.testing.assert_array_equal(np.asarray(LEDGER_TYPES)[got.benefit], e["benefit"])
    np.testing.assert_array_equal(got.benefit_day, e["benefit_day"])
    np.testing.assert_array_equal(got.in_service, e["in_service"])
    np.testing.assert_array_equal(got.count_day, e["count_day"])
    np.testing.assert_allclose(got.amount_eur, e["amount_eur"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.share, e["share"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.municipal_eur, e["municipal_eur"], rtol=0, atol=1e-9)


def _disjoint(services: list[tuple]) -> list[tuple]:
    out: list[tuple] = []
    for s in sorted(services, key=lambda s: (s[0], s[3])):
        if out and out[-1][0] == s[0] and s[3] < out[-1][4]:
            continue
        out.append(s)
    return out


# ---- monthly table = sum of the ledger ----------------------------------------------------

@pytest.fixture(scope="module")
def real_scenario(tmp_path_factory):
    data = simple_data()
    data["benefits"] = {"type_shares": {"earnings_related": 0.367, "basic_allowance": 0.106,
                                        "labour_market_subsidy": 0.527},
                        "no_benefit_share": 0.1, "earnings_related_full_eur_per_day": 80.0}
    svc = {"referral_probability": 0.1, "duration_mean_months": 3.0,
           "unit_cost_eur_per_month": 500.0, "lock_in_exit_multiplier": 0.5,
           "employment_at_end_share": 0.2}
    data["services"] = {"coaching": {**svc, "benefit_paid_during": True},
                        "wage_subsidy": {**svc, "benefit_paid_during": False}}
    data["run"] = {"start_date": "2024-07-01", "years": 2.0, "replications": 1, "seed": 1}
    return load_scenario(write_scenario(tmp_path_factory.mktemp("benefits"), data=data))


def _random_records(rng: np.random.Generator, cal: SimCalendar, n: int = 400) -> tuple[list, list]:
    spells, services = [], []
    for p in range(n):
        s = rng.uniform(-600, cal.days) if rng.random() < 0.7 else -rng.exponential(300)
        e = s + rng.exponential(250)
        e = math.inf if e >= cal.days else e
        prior = int(-s * 5 / 7) if s < 0 else 0
        btype = int(rng.integers(-1, 3))
        spells.append((p, int(rng.integers(13)), 1, s, e, 0, False, btype, prior))
        if rng.random() < 0.4 and min(e, cal.days) - max(s, 0) > 20:
            a = rng.uniform(max(s, 0), min(e, cal.days))
            b = min(a + rng.exponential(90), e)
            services.append((p, spells[-1][1], int(rng.integers(2)), a, b, 0))
    return spells, services


def test_monthly_table_equals_ledger_sums(real_scenario):
    sc = real_scenario
    cal = SimCalendar.for_years(sc.run.start_date, sc.run.years)
    spells, services = _random_records(np.random.default_rng(3), cal)
    res = benefit_costs(spells, services, sc, cal)
    m, led = res.monthly, person_ledger(spells, services, sc, cal)
    munis = list(sc.region_obj().municipality_names)
    assert len(m) == len(cal.month_labels) * len(munis)
    assert list(m["month"].unique()) == cal.month_labels
    assert m["paid_days"].sum() == len(led) > 0
    assert round(m["benefit_cost_eur"].sum(), 2) == round(led["amount_eur"].sum(), 2)
    assert round(m["benefit_cost_municipal_eur"].sum(), 2) == round(led["municipal_eur"].sum(), 2)
    by_type = m[[f"benefit_cost_{t}_eur" for t in LEDGER_TYPES]].sum(axis=1)
    np.testing.assert_allclose(by_type, m["benefit_cost_eur"], atol=1e-6)
    # cell by cell
    led = led.assign(month=led["date"].dt.strftime("%Y-%m"),
                     municipality=np.asarray(munis, dtype=object)[led["municipality"]])
    g = led.groupby(["month", "municipality"])[["amount_eur", "municipal_eur"]].sum()
    mm = m.set_index(["month", "municipality"]).loc[g.index]
    np.testing.assert_allclose(mm["benefit_cost_eur"], g["amount_eur"], atol=1e-6)
    np.testing.assert_allclose(mm["benefit_cost_municipal_eur"], g["municipal_eur"], atol=1e-6)
    # one person's ledger is that person's rows of everyone's ledger
    p = int(led["person"].iloc[len(led) // 2])
    one = person_ledger(spells, services, sc, cal, person=p)
    np.testing.assert_allclose(one["municipal_eur"].to_numpy(),
                               led.loc[led["person"] == p, "municipal_eur"].to_numpy())
    assert (one["spell"].to_numpy() == led.loc[led["person"] == p, "spell"].to_numpy()).all()
    # yearly view and the rules shown in reports
    assert set(res.by_year()["year"]) == {2024, 2025, 2026}
    sched = res.rules_used["municipal_share_schedule"]
    assert [p["valid_from"] for p in sched] == ["2013-01-01", "2025-01-01"]
    assert sched[1]["to_verify"] is False and "385/2023" in sched[1]["source"]
    assert "2015" in res.rules_used["municipal_share_count_from"][-1]["source"]


def test_no_benefit_and_empty_records(rules):
    sc = scenario()
    res = benefit_costs([spell(1, -10.0, math.inf, -1, 7)], [], sc, CAL, rules, ["A"])
    assert res.monthly["paid_days"].sum() == 0 and res.monthly["benefit_cost_eur"].sum() == 0
    res = benefit_costs([], [], sc, CAL, rules, ["A", "B"])
    assert len(res.monthly) == 2 * len(CAL.month_labels)
    assert benefit_rules_used(rules, CAL)["basic_allowance_eur_per_day"][0]["value"] == 37.21


def test_count_from_rule_follows_the_2025_transition_provision(rules):
    # 385/2023 and 387/2023, transition: days paid before 1.1.2025 count, not before 1.1.2015
    assert rules.on(date(2025, 1, 1)).municipal_share_count_from == date(2015, 1, 1)
    src = rules.sources_on(date(2025, 1, 1))["municipal_share_count_from"]
    assert src["to_verify"] is False and "1 päivää tammikuuta 2015" in src["source"]
    # the daily allowances stop at 40 % (no day-701 step); the subsidy goes to 50 %
    r = rules.on(date(2025, 6, 1))
    assert r.municipal_share(701, daily_allowance=True) == 0.4
    assert r.municipal_share(701) == 0.5
    assert r.municipal_share(100) == r.municipal_share(100, daily_allowance=True) == 0.0


def test_a_return_without_a_new_work_condition_continues_the_count(rules):
    # 300 prior days of labour-market subsidy; out for a while, back on 2025-03-03 (Monday):
    # continuing, the count goes on from where it stopped; starting afresh, from zero.
    exit_day = idx(date(2025, 2, 3))
    back = idx(date(2025, 3, 3))
    a = spell(9, -10.0, exit_day, LMS, 300)
    cont = spell(9, back, idx(date(2025, 4, 1)), LMS, 0, continues=True)
    fresh = spell(9, back, idx(date(2025, 4, 1)), LMS, 0, continues=False)
    led_c = person_ledger([a, cont], [], scenario(), CAL, rules, person=9)
    led_f = person_ledger([a, fresh], [], scenario(), CAL, rules, person=9)
    # the first spell: 2024-06-03 … 2025-01-31 = 152 + 23 weekdays paid in the run
    n1 = len(weekdays(START, date(2025, 2, 3)))
    assert n1 == 152 + 23
    assert led_c.loc[led_c["date"] == "2025-03-03", "count_day"].item() == 300 + n1 + 1
    assert led_c.loc[led_c["date"] == "2025-03-03", "benefit_day"].item() == 300 + n1 + 1
    assert led_f.loc[led_f["date"] == "2025-03-03", "count_day"].item() == 1
    assert led_f.loc[led_f["date"] == "2025-03-03", "share"].item() == 0.0
    assert led_c.loc[led_c["date"] == "2025-03-03", "share"].item() == 0.4   # D 476


def test_no_municipal_share_on_lay_off_days(rules):
    # 555/1998 4 § 3 mom. (387/2023): no municipal share on lay-off days
    sp = [spell(4, -10.0, math.inf, BASIC, 600, group=0)]
    led = person_ledger(sp, [], scenario(), CAL, rules, person=4)
    assert len(led) > 0 and led["municipal_eur"].sum() == 0.0 and not led["counted"].any()


def test_costing_in_chunks_of_persons_gives_the_same_table(real_scenario):
    """Chunked costing (bounded memory) equals costing everything at once, cell by cell,
    also when a person's spells (a continued count) fall at a chunk's edge."""
    sc = real_scenario
    cal = SimCalendar.for_years(sc.run.start_date, sc.run.years)
    spells, services = _random_records(np.random.default_rng(11), cal, n=600)
    spells = [(*s, 0) for s in spells]
    # returns of the same people, continuing their count
    for p in range(0, 600, 7):
        s = spells[p]
        if math.isfinite(s[4]) and s[4] < cal.days - 30:
            spells.append((s[0], s[1], 1, s[4] + 10, math.inf, -1, True, s[7], 0, 1))
    whole = benefit_costs(spells, services, sc, cal, keep_days=True).monthly
    for chunk in (37, 250):
        part = benefit_costs(spells, services, sc, cal, chunk_spells=chunk).monthly
        num = whole.columns[2:]
        np.testing.assert_allclose(part[num].to_numpy(float), whole[num].to_numpy(float), atol=1e-6)


def test_basic_allowance_ends_at_its_maximum_then_the_subsidy_schedule(rules):
    # 640 prior days of basic allowance from before the run; from 2025: D = 640 + 152 + n.
    # The basic allowance's maximum is 400 days: past it the person is paid labour-market
    # subsidy (same €37.21) whose schedule has the 50 % step from day 701 (the daily
    # allowance's stops at 40 %).
    sp = [spell(8, -900.0, math.inf, BASIC, 640)]
    led = person_ledger(sp, [], scenario(), CAL, rules, person=8)
    assert set(led["benefit"]) <= {"labour_market_subsidy", "general_benefit"}
    d25 = led[led["date"] >= "2025-01-01"]
    assert d25["count_day"].iloc[0] == 640 + 152 + 1
    assert (d25["share"] == 0.5).all()                 # D ≥ 793 > 700: 50 %
    # with a fresh 300 prior days, the first 100 run days are basic allowance, then subsidy
    led2 = person_ledger([spell(8, -500.0, math.inf, BASIC, 300)], [], scenario(), CAL, rules, person=8)
    assert (led2.loc[led2["benefit_day"] <= 400, "benefit"] == "basic_allowance").all()
    assert led2.loc[led2["benefit_day"] == 401, "benefit"].item() == "labour_market_subsidy"


# ---- pieces, not person-days ------------------------------------------------------------

def test_table_from_pieces_equals_the_day_level_table(real_scenario):
    """`benefit_costs` sums pieces; `monthly_benefit_table` sums the same pieces expanded to
    days: every column, cell by cell, with chains continued across spells."""
    sc = real_scenario
    cal = SimCalendar.for_years(sc.run.start_date, sc.run.years)
    spells, services = _random_records(np.random.default_rng(5), cal, n=500)
    spells = [(*s, 0, int(i % 3 == 0)) for i, s in enumerate(spells)]
    for p in range(0, 500, 5):
        s = spells[p]
        if math.isfinite(s[4]) and s[4] < cal.days - 30:
            spells.append((s[0], s[1], 1, s[4] + 10, math.inf, -1, True, s[7], 0, 1, 0))
    munis = list(sc.region_obj().municipality_names)
    res = benefit_costs(spells, services, sc, cal, keep_days=True)
    days = monthly_benefit_table(res.paid, cal, munis)
    assert res.monthly["paid_days"].sum() == len(res.paid) > 10_000
    assert list(days.columns) == list(res.monthly.columns)
    assert (days[["month", "municipality"]] == res.monthly[["month", "municipality"]]).all().all()
    for c in ("paid_days", "paid_days_in_services", "counted_days"):
        assert (days[c] == res.monthly[c]).all(), c
    num = days.columns[5:]
    np.testing.assert_allclose(res.monthly[num].to_numpy(float), days[num].to_numpy(float),
                               rtol=1e-12, atol=1e-8)


def test_costing_does_not_expand_person_days(rules, monkeypatch):
    """A spell of 880 paid days is a handful of pieces: one per month, cut again where the
    rules change and where the count crosses a share step; `benefit_costs` never expands
    them to days."""
    from simulation.money import benefits as b

    sp = [spell(1, -400.0, idx(date(2027, 10, 16)), LMS, 250)]
    P = b._prepare(b._as_array(sp, b.SPELL_FIELDS), np.zeros((0, 6)), scenario(), CAL, rules)
    pieces = b._pieces(P, 0, 1)
    assert pieces.m.sum() == 880
    months = 41                                                  # 2024-06 … 2027-10
    # cuts beyond the months: at most one per rule change inside a month (5 dates in the
    # run) and per step of any share schedule in force (D 101, 201, 301, 401, 701, 1001)
    assert months <= len(pieces.m) <= months + 5 + 6
    monkeypatch.setattr(b, "_expand", lambda *a: pytest.fail("person-days expanded"))
    res = b.benefit_costs(sp, [], scenario(), CAL, rules, ["A"])
    assert res.paid is None and res.monthly["paid_days"].sum() == 880
    assert round(res.monthly["benefit_cost_municipal_eur"].sum(), 2) == 14333.29
