"""Structural change (`[[structural_change]]`, docs/structural_change.md): a plant closure's
dismissed people raise the affected municipality's stock, late interviews and municipal
benefit cost, leave the other hubs' municipalities nearly as they were, and the response
(staff concentrated to the hub, training places) lowers the late interviews again.

The runs are the example files (`scenarios/structural_change_aanekoski*.toml`) over 2025–2026,
two replications each, with common random numbers: the baseline and both variants draw the
same numbers for everyone but the dismissed (their draws are on streams of their own). The
example's Kaipola-sized event (45 % of 450 registering) is absorbed by the Äänekoski hub on
time, so the late-interview tests use its stress case: all 450 become unemployed, 360 of them
with an employment plan due within ten working days of the notices.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.cli.main import main
from simulation.experiments.tasks import simulate_replication
from simulation.scenario.calendar import DAYS_PER_MONTH, SimCalendar
from simulation.scenario.config import Scenario, load_scenario
from tests.scenario_factory import ROOT

SCENARIOS = ROOT / "scenarios"
REPS = 2
RUN = {"run": {"years": 2.0}}
MUNI = "Äänekoski"
OTHER_HUBS = ("Laukaa", "Saarijärvi", "Viitasaari")


def _all_register(sc: Scenario) -> Scenario:
    """The stress case: every dismissed person becomes unemployed."""
    event = sc.structural_change[0].model_dump()
    event["registering_share"] = 1.0
    return sc.with_overrides({"structural_change": [event]}, name=sc.name + "_all")


def _monthly(sc: Scenario) -> pd.DataFrame:
    return pd.concat([simulate_replication(sc, r)["monthly"] for r in range(REPS)])


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[Scenario, pd.DataFrame]]:
    base = load_scenario(SCENARIOS / "baseline.toml", RUN)
    layoff = load_scenario(SCENARIOS / "structural_change_aanekoski.toml", RUN)
    response = load_scenario(SCENARIOS / "structural_change_aanekoski_response.toml", RUN)
    scenarios = {"baseline": base, "layoff": layoff, "layoff_all": _all_register(layoff),
                 "response_all": _all_register(response)}
    return {k: (sc, _monthly(sc)) for k, sc in scenarios.items()}


def _by_month(m: pd.DataFrame, column: str, munis: tuple[str, ...] = (MUNI,)) -> pd.Series:
    """Mean over replications of the municipalities' sum, by month."""
    x = m[m.municipality.isin(munis)].groupby(["replication", "month"])[column].sum()
    return x.groupby("month").mean()


def expected_extra_stock(sc: Scenario, months: list[str]) -> np.ndarray:
    """People registering × the share still unemployed at each month end: registrations even
    over the last `registration_spread_months` of the notice period, exits at the long or the
    short group's hazard (net of services, `exits.hazard_multiplier`; seasons are 1 here), no
    services and no returns."""
    e, ex = sc.structural_change[0], sc.exits
    cal = SimCalendar.for_years(sc.run.start_date, sc.run.years)
    k = ex.hazard_multiplier
    mu_long, mu_short = ex.long_group_mean_months / k, ex.short_group_mean_months / k
    end = cal.to_time(e.dismissal_date) + e.notice_period_months * DAYS_PER_MONTH
    taus = np.linspace(end - e.registration_spread_months * DAYS_PER_MONTH, end, 401)
    labels = list(cal.month_labels)
    starts = cal.month_starts + [cal.days]
    out = []
    for label in months:
        t_end = starts[labels.index(label) + 1]
        dt = np.clip(t_end - taus, 0, None) / DAYS_PER_MONTH
        alive = np.where(taus < t_end, e.long_group_share * np.exp(-dt / mu_long)
                         + (1 - e.long_group_share) * np.exp(-dt / mu_short), 0.0)
        out.append(e.registering() * alive.mean())
    return np.array(out)


def test_the_layoff_raises_the_stock_by_those_still_unemployed(runs):
    sc, m = runs["layoff"]
    months = [f"2026-{i:02d}" for i in range(7, 13)]   # after the notice periods' ends
    extra = (_by_month(m, "stock_end") - _by_month(runs["baseline"][1], "stock_end"))[months]
    expected = expected_extra_stock(sc, months)
    assert 130 < expected.mean() < 170   # 203 registering, 0.8 on the long hazard
    ratio = extra.to_numpy().mean() / expected.mean()
    # below 1: some start services (out of the stock); above: returns after short jobs
    assert 0.6 < ratio < 1.2, (extra.round(1).tolist(), expected.round(1).tolist())
    before = (_by_month(m, "stock_end") - _by_month(runs["baseline"][1], "stock_end"))["2026-02"]
    assert before == 0            # nothing moves before the notices (common random numbers)


def test_the_layoff_raises_the_municipal_benefit_cost(runs):
    months = slice("2026-06", "2026-12")
    base = _by_month(runs["baseline"][1], "benefit_cost_municipal_eur")[months].sum()
    layoff = _by_month(runs["layoff_all"][1], "benefit_cost_municipal_eur")[months].sum()
    assert layoff > base * 1.01, (base, layoff)
    # the earnings-related share: the dismissed's benefit cost is mostly earnings-related
    er_base = _by_month(runs["baseline"][1], "benefit_cost_earnings_related_eur")[months].sum()
    er = _by_month(runs["layoff_all"][1], "benefit_cost_earnings_related_eur")[months].sum()
    assert er > er_base * 1.1


def test_the_layoff_raises_late_interviews_and_the_response_lowers_them(runs):
    late = {k: _by_month(m, "initial_interviews_deadline_missed")["2026-03":"2026-05"].sum()
            for k, (_, m) in runs.items()}
    missed = {k: _by_month(m, "interviews_missed_equivalent")["2026-03":].sum()
              for k, (_, m) in runs.items()}
    assert late["layoff_all"] > late["baseline"] + 20, late
    assert missed["layoff_all"] >= missed["baseline"], missed
    assert late["response_all"] < late["layoff_all"], late
    assert missed["response_all"] <= missed["layoff_all"], missed


def test_other_hubs_municipalities_are_nearly_unaffected(runs):
    sc = runs["baseline"][0]
    region = sc.region_obj()
    others = tuple(mu for mu in region.municipality_names if region.hub_of(mu) in OTHER_HUBS)
    base, layoff = runs["baseline"][1], runs["layoff_all"][1]
    months = slice("2026-03", "2026-12")
    d_muni = (_by_month(layoff, "stock_end") - _by_month(base, "stock_end"))[months].mean()
    d_other = (_by_month(layoff, "stock_end", others)
               - _by_month(base, "stock_end", others))[months].mean()
    assert d_muni > 200
    assert abs(d_other) < 0.1 * d_muni, (d_muni, d_other)


def test_a_scenario_without_the_section_has_none():
    sc = load_scenario(SCENARIOS / "baseline.toml")
    assert sc.structural_change == []


EVENT = """
[[structural_change]]
municipality = "Äänekoski"
dismissal_date = 2026-03-02
dismissed_people = 450
notice_period_months = 6.0
earnings_related_share = 0.9
long_group_share = 0.8
change_security_share = 0.8
"""


@pytest.mark.parametrize("edit, key, needle", [
    (('municipality = "Äänekoski"', 'municipality = "Äänekosk"'),
     "structural_change[0].municipality", "did you mean 'Äänekoski'"),
    (("dismissal_date = 2026-03-02", "dismissal_date = 2031-03-02"),
     "structural_change[0].dismissal_date", "outside the run"),
    (("dismissed_people = 450", "dismissed_people = -5"),
     "structural_change[0].dismissed_people", "cannot be negative"),
    (("earnings_related_share = 0.9", "earnings_related_share = 1.5"),
     "structural_change[0].earnings_related_share", "less than or equal to 1"),
    (("change_security_share = 0.8", "change_security_share = -0.1"),
     "structural_change[0].change_security_share", "greater than or equal to 0"),
    (("notice_period_months = 6.0", "notice_period_months = 6.0\nregistration_spread_months = 7.0"),
     "structural_change[0].registration_spread_months", "longer than the notice period"),
    (("long_group_share = 0.8", 'long_group_share = 0.8\nreferral_service = "coachin"\nreferral_share = 0.5'),
     "structural_change[0].referral_service", "did you mean 'coaching'"),
    (("change_security_share = 0.8", "change_security_share = 0.8\n[[structural_change.extra_services]]\n"
      'service = "coaching"\nextra_places = 10.0\nfrom_date = 2026-05-01\nto_date = 2026-04-01'),
     "structural_change[0].extra_services[0].to_date", "before from_date"),
    (("change_security_share = 0.8", "change_security_share = 0.8\n[structural_change.staff_concentration]\n"
      "extra_customer_service_fte = 2.0\nfrom_date = 2026-03-02\nto_date = 2026-12-31\n"
      'moved_from_hub = "Laukka"'),
     "structural_change[0].staff_concentration.moved_from_hub", "did you mean 'Laukaa'"),
])
def test_bad_structural_change_inputs_exit_2_naming_the_key(edit, key, needle, tmp_path: Path, capsys):
    text = (f'extends = "{(SCENARIOS / "baseline.toml").as_posix()}"\nname = "bad"\n'
            + EVENT.replace(*edit))
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert key in err and needle in err and str(f.name) in err, err
    assert "Traceback" not in err


def test_the_examples_validate_and_their_event_sizes_are_stated():
    for name in ("structural_change_aanekoski", "structural_change_aanekoski_response"):
        sc = load_scenario(SCENARIOS / f"{name}.toml")
        e = sc.structural_change[0]
        assert e.municipality == MUNI and e.registering() == 202   # round(450 × 0.45)
        assert math.isclose(e.notice_period_months, 6.0)
    response = load_scenario(SCENARIOS / "structural_change_aanekoski_response.toml")
    e = response.structural_change[0]
    assert e.staff_concentration is not None and e.extra_services
    assert e.referral_service in response.services
