"""Unit tests: hierarchy and reconciliation, accuracy measures, models' paths, cost arithmetic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from simulation.forecast import accuracy, cost, hierarchy, models
from simulation.scenario.region import load_region
from simulation.scenario.rules import load_rules


@pytest.fixture(scope="module")
def region():
    return load_region()


# ---------------------------------------------------------------------------------------
# hierarchy


def test_hierarchy_of_the_area(region) -> None:
    h = hierarchy.build_hierarchy(list(region.municipality_names), region)
    assert h.n_series == 13 + 4 + 1 and not h.outside and not h.notes
    hub_rows = {k.name: h.summing[i] for i, k in enumerate(h.keys) if k.level == "hub"}
    assert hub_rows["Laukaa"].sum() == 2 and hub_rows["Saarijärvi"].sum() == 4
    assert h.summing[-1].sum() == 13 and h.keys[-1].level == "area"


def test_outside_municipality_is_kept_out_and_noted(region) -> None:
    h = hierarchy.build_hierarchy(["Laukaa", "Jyväskylä", "Hankasalmi"], region)
    assert h.outside == ("Jyväskylä",)
    assert h.bottom == ("Laukaa", "Hankasalmi")
    assert [k.id for k in h.keys] == [
        "municipality:Laukaa",
        "municipality:Hankasalmi",
        "hub:Laukaa",
        f"area:{region.name}",
    ]
    assert any("Jyväskylä" in n and "outside the hierarchy" in n for n in h.notes)
    assert any("area total lacks" in n for n in h.notes)


@pytest.mark.parametrize("method", ["bottom_up", "ols", "mint_shrink"])
def test_reconciliation_is_coherent_and_keeps_coherent_forecasts(region, method: str) -> None:
    h = hierarchy.build_hierarchy(list(region.municipality_names), region)
    rng = np.random.default_rng(3)
    errors = rng.normal(size=(120, h.n_series)) * np.r_[np.full(13, 5.0), np.full(5, 20.0)]
    g, info = hierarchy.reconciliation_matrix(h.summing, method, errors)
    base = rng.uniform(20, 1500, size=(h.n_series, 12, 7))
    rec = hierarchy.reconcile(base, h.summing, g)
    bottom = rec[:13].reshape(13, -1)
    np.testing.assert_allclose(h.summing @ bottom, rec.reshape(h.n_series, -1), rtol=1e-12)
    coherent = h.summing @ rng.uniform(20, 1500, size=(13, 5))
    np.testing.assert_allclose(hierarchy.reconcile(coherent, h.summing, g), coherent, rtol=1e-9)
    if method == "mint_shrink":
        assert 0.0 <= info["shrinkage_lambda"] <= 1.0


def test_shrinkage_goes_to_diagonal_for_independent_noise() -> None:
    rng = np.random.default_rng(0)
    _, lam_indep = hierarchy.shrink_covariance(rng.normal(size=(60, 6)))
    common = rng.normal(size=(60, 1))
    _, lam_corr = hierarchy.shrink_covariance(common + 0.3 * rng.normal(size=(60, 6)))
    assert lam_indep > 0.5 > lam_corr


# ---------------------------------------------------------------------------------------
# accuracy


def test_mase_smape_coverage_by_hand() -> None:
    train = np.array([10.0] * 12 + [12.0] * 12)  # seasonal differences: 2 for 12 months → scale 2
    assert accuracy.mase_scale(train) == 2.0
    assert accuracy.mase([14, 16], [12, 12], train) == pytest.approx(3.0 / 2.0)
    assert accuracy.smape([100, 100], [100, 50]) == pytest.approx(100 * (0 + 2 * 50 / 150) / 2)
    assert accuracy.coverage([1, 5, 9], [0, 0, 0], [4, 6, 8]) == pytest.approx(2 / 3)


# ---------------------------------------------------------------------------------------
# models: paths come from the draws the caller passes in


def _series(n: int = 96, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.exp(5 + 0.2 * np.sin(2 * np.pi * t / 12) - 0.002 * t + 0.03 * rng.standard_normal(n))


@pytest.mark.parametrize(
    "spec",
    [models.EtsLog(), models.StlEts(), pytest.param(models.Sarima(), marks=pytest.mark.slow),
     models.Naive(), models.SeasonalNaive()],
    ids=lambda s: s.name,
)
def test_paths_are_driven_by_the_draws(spec) -> None:
    f = spec.fit(_series())
    z = np.random.default_rng(7).standard_normal((12, 400))
    a, b = f.simulate(12, z), f.simulate(12, z.copy())
    np.testing.assert_array_equal(a, b)
    assert a.shape == (12, 400) and (a >= 0).all()
    np.testing.assert_allclose(np.median(a, axis=1), f.point(12), rtol=0.05)
    zero = f.simulate(12, np.zeros((12, 1)))[:, 0]
    np.testing.assert_allclose(zero, f.point(12), rtol=0.02)  # no noise ⇒ the point forecast
    assert np.isfinite(f.innovations[~np.isnan(f.innovations)]).all()


def test_combination_is_the_log_mean_of_members() -> None:
    y = _series()
    a, b = models.EtsLog().fit(y), models.StlEts().fit(y)
    c = models.combine_fitted((a, b))
    np.testing.assert_allclose(c.point(12), np.sqrt(a.point(12) * b.point(12)), rtol=1e-10)
    assert c.name == "combo(ets_log+stl_ets)"


def test_zero_counts_use_an_offset() -> None:
    y = np.r_[np.zeros(3), _series(45) / 50]
    f = models.SeasonalNaive().fit(y)
    assert np.isfinite(f.point(12)).all() and f.scale.offset == 1.0


# ---------------------------------------------------------------------------------------
# cost arithmetic


def test_effective_share_of_a_single_step() -> None:
    # exponential paid days with mean 300: share 0.5 from day 301 → 0.5 × exp(-300/300)
    assert cost.effective_municipal_share(((301, 0.5),), 300.0) == pytest.approx(0.5 * np.exp(-1.0))


def test_month_rates_by_hand_2021_and_2025() -> None:
    rules = load_rules()
    a = cost.CostAssumptions()
    r21 = cost.month_rates(pd.Period("2021-03", "M"), rules.on(date(2021, 3, 15)), a)
    basic21 = 33.78
    assert r21.basic_allowance_eur_per_day == basic21
    per_day = a.earnings_related_share * 71.0 + (1 - a.earnings_related_share) * basic21
    recipients = 1 - 0.10       # scenarios/base/area.toml: benefits.no_benefit_share
    assert r21.cost_eur_per_jobseeker == pytest.approx(recipients * 21.5 * per_day)
    # until 2024 only the labour-market subsidy is co-paid
    assert r21.co_paid_share_of_recipients == pytest.approx(a.labour_market_subsidy_share)
    r25 = cost.month_rates(pd.Period("2025-03", "M"), rules.on(date(2025, 3, 15)), a)
    assert r25.co_paid_share_of_recipients == pytest.approx(1.0)
    assert r25.municipal_eur_per_jobseeker == pytest.approx(
        recipients * 21.5 * 37.21 * r25.effective_municipal_share
    )
    assert 0 < r21.effective_municipal_share < r25.effective_municipal_share < 0.5


def test_default_assumptions_are_the_baseline_scenarios_figures() -> None:
    """No figure in code: the defaults are the baseline's [benefits] and [forecast_cost]."""
    import tomllib

    area = tomllib.loads(
        (cost.BASELINE_SCENARIO.parent / "base" / "area.toml").read_text(encoding="utf-8")
    )
    b, f = area["benefits"], area["forecast_cost"]
    a = cost.CostAssumptions()
    assert a == cost.load_cost_assumptions(cost.BASELINE_SCENARIO)
    assert a.earnings_related_share == b["type_shares"]["earnings_related"]
    assert a.labour_market_subsidy_share == b["type_shares"]["labour_market_subsidy"]
    assert a.basic_allowance_share == pytest.approx(b["type_shares"]["basic_allowance"])
    assert a.benefit_recipient_share == pytest.approx(1 - b["no_benefit_share"])
    assert a.earnings_related_eur_per_day == f["earnings_related_paid_eur_per_day"]
    assert a.paid_days_per_month == f["paid_days_per_month"]
    assert a.long_term_share == f["long_term_share"]
    assert a.long_term_threshold_paid_days == pytest.approx(
        f["long_term_threshold_months"] * f["paid_days_per_month"]
    )
    assert set(a.sources) == set(cost.FIGURES) and all(a.sources.values())
    assert a.scenario.endswith("baseline.toml")
    # a figure given keeps the others from the baseline, and says it was given
    b2 = cost.CostAssumptions(long_term_share=0.5)
    assert b2.long_term_share == 0.5 and b2.sources["long_term_share"] == "given"
    assert b2.paid_days_per_month == a.paid_days_per_month


def test_assumptions_follow_the_scenario(complete_scenario_toml) -> None:
    """The forecast's cost moves with the scenario's [benefits] and [forecast_cost] figures."""
    from simulation.scenario.config import load_scenario

    base = cost.load_cost_assumptions(complete_scenario_toml("a.toml"))
    other = cost.load_cost_assumptions(load_scenario(complete_scenario_toml("b.toml", {
        "benefits": {"no_benefit_share": 0.25,
                     "type_shares": {"earnings_related": 0.5, "basic_allowance": 0.1,
                                     "labour_market_subsidy": 0.4}},
        "forecast_cost": {"earnings_related_paid_eur_per_day": 90.0, "paid_days_per_month": 21.0},
    })))
    assert (other.benefit_recipient_share, other.earnings_related_share) == (0.75, 0.5)
    assert other.labour_market_subsidy_share == 0.4
    assert other.earnings_related_eur_per_day == 90.0 and other.paid_days_per_month == 21.0
    assert other.long_term_threshold_paid_days == pytest.approx(12 * 21.0)
    assert other.long_term_share == base.long_term_share
    rif = load_rules().on(date(2025, 3, 15))
    month = pd.Period("2025-03", "M")
    r1, r2 = cost.month_rates(month, rif, base), cost.month_rates(month, rif, other)
    assert r2.cost_eur_per_jobseeker == pytest.approx(0.75 * 21.0 * (0.5 * 90.0 + 0.5 * 37.21))
    assert r1.cost_eur_per_jobseeker != pytest.approx(r2.cost_eur_per_jobseeker)


def test_scenario_without_cost_tables_is_refused(complete_scenario_toml) -> None:
    from simulation.errors import InputError

    path = complete_scenario_toml("a.toml", {"forecast_cost": None}, standalone=True)
    with pytest.raises(InputError) as e:
        cost.load_cost_assumptions(path)
    assert e.value.key == "forecast_cost" and "[forecast_cost]" in e.value.reason


def test_cost_moves_with_an_assumption_and_intervals_bracket_mean() -> None:
    rules = load_rules()
    months = pd.period_range("2024-11", periods=4, freq="M")  # two years: 2 + 2 months
    rng = np.random.default_rng(2)
    paths = {("municipality", "Laukaa"): 800 + 40 * rng.standard_normal((4, 500))}
    t1 = cost.cost_table(paths, months, rules, cost.CostAssumptions())
    t2 = cost.cost_table(
        paths, months, rules, cost.CostAssumptions(earnings_related_eur_per_day=90.0)
    )
    assert list(t1.year) == [2024, 2025] and list(t1.months) == [2, 2]
    assert (t2.cost_eur > t1.cost_eur).all()
    assert (t1.cost_eur_lo95 < t1.cost_eur_lo80).all() and (t1.cost_eur_lo80 < t1.cost_eur).all()
    assert (t1.cost_eur < t1.cost_eur_hi80).all() and (t1.cost_eur_hi80 < t1.cost_eur_hi95).all()
    # the municipal share rises when 2025 rules start (all benefits, from day 101)
    per_jobseeker = t1.municipal_cost_eur / (t1.jobseekers_mean * t1.months)
    assert per_jobseeker.iloc[1] > 1.5 * per_jobseeker.iloc[0]
    r = cost.rates_for_months(months, rules, cost.CostAssumptions())
    expected_2025 = sum(
        r[i].municipal_eur_per_jobseeker * paths[("municipality", "Laukaa")][i].mean()
        for i in (2, 3)
    )
    assert t1.municipal_cost_eur.iloc[1] == pytest.approx(expected_2025)


def test_bad_assumption_is_refused() -> None:
    with pytest.raises(ValueError, match="long_term_share"):
        cost.CostAssumptions(long_term_share=1.5)


def test_municipality_codes_are_data_with_a_source(region) -> None:
    """The codes PxWeb files may carry instead of names come from a data file, not code."""
    import tomllib
    from importlib import resources

    from simulation.forecast import pxweb_files
    from simulation.scenario.region import municipality_codes

    raw = tomllib.loads(
        (resources.files("simulation") / "data" / "municipality_codes_fi.toml").read_text("utf-8")
    )
    assert "Statistics Finland" in raw["source"]
    codes = municipality_codes()
    assert dict(codes) == raw["codes"]
    assert set(codes.values()) == set(region.municipality_names)
    assert all(pxweb_files.municipality_of(c) == n for c, n in codes.items())


@pytest.mark.slow
def test_forecast_command_costs_with_the_scenarios_figures(tmp_path, complete_scenario_toml) -> None:
    """`tyosim forecast --scenario` costs the caseload with that scenario's figures: half the
    jobseekers without benefit halves the recipients (0.9 -> 0.5), and the cost scales by it."""
    import json

    from simulation.cli.main import main

    real = cost.BASELINE_SCENARIO.parents[2] / "shared" / "data" / "unemployed_monthly_area.csv"
    if not real.is_file():
        pytest.skip(f"real data not found at {real}")
    d = pd.read_csv(real)
    d = d[d.municipality.isin(["Kinnula", "Kivijärvi"]) & (d.month >= "2015-11")]
    d.to_csv(tmp_path / "d.csv", index=False)
    sc = complete_scenario_toml("half.toml", {"benefits": {"no_benefit_share": 0.5}})
    common = ["forecast", "--data", str(tmp_path / "d.csv"), "--paths", "50", "--horizon", "3",
              "--no-charts", "--workers", "1"]
    assert main([*common, "--out", str(tmp_path / "base")]) == 0
    assert main([*common, "--out", str(tmp_path / "half"), "--scenario", str(sc)]) == 0
    base, half = (pd.read_csv(tmp_path / o / "costs.csv") for o in ("base", "half"))
    np.testing.assert_allclose(half.cost_eur / base.cost_eur, 0.5 / 0.9, rtol=1e-9)
    manifest = json.loads((tmp_path / "half" / "forecast_manifest.json").read_text("utf-8"))
    assert manifest["cost_assumptions"]["benefit_recipient_share"] == 0.5
    assert manifest["cost_assumptions"]["scenario"] == str(sc)
