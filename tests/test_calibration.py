"""Tests of the calibration: the deterministic analogue's book-keeping and steady states,
recovery of known parameters from synthetic data, and the script's input errors/outputs.

All fast (a few seconds): the fit test uses 4 synthetic municipalities; the real data are
only read (never fitted) and the tests skip if ``../shared/data`` is absent.
"""

from __future__ import annotations

import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from simulation.calibration import fit_area as cal  # noqa: E402
from simulation.calibration.analogue import (  # noqa: E402
    DAYS_PER_MONTH,
    FlowParams,
    GroupParams,
    seasonal_from_free,
    simulate,
    stationary_start,
)
from simulation.calibration.fitting import STATISTICS, FitSetup, Penalty, fit, run_model  # noqa: E402

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
DATA_CSV = DATA_DIR / "unemployed_monthly_area.csv"
SCEN = REPO / "scenarios" / "base"


def _calendar(T: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = [f"{2016 + t // 12}-{t % 12 + 1:02d}" for t in range(T)]
    return cal.calendar_arrays(months)


def test_conservation_exact() -> None:
    rng = np.random.default_rng(7)
    T, M = 40, 5
    cm, days, _ = _calendar(T)
    groups = GroupParams(0.2, 1.5, 0.6, 2.5, 18.0)
    flows = FlowParams((0.9, 0.6, 0.3), 0.3, 6.0)
    new = rng.uniform(5, 200, size=(T, M))
    exit_s = seasonal_from_free(rng.normal(0, 0.3, 11))
    start = rng.uniform(10, 1000, size=(M, 3))
    pool0 = rng.uniform(0, 50, size=M)
    tr = simulate(new, cm, days, exit_s, groups, flows, start, pool0)
    stock = tr.stock
    np.testing.assert_allclose(
        stock[1:], stock[:-1] + tr.inflow - tr.exits.sum(axis=2), rtol=1e-12, atol=1e-9
    )
    # by group as well, and the re-entry pool
    split = groups.inflow_split()
    np.testing.assert_allclose(
        tr.stock_by_group[1:],
        tr.stock_by_group[:-1] + tr.inflow[:, :, None] * split - tr.exits,
        rtol=1e-12,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        tr.pool[1:],
        tr.pool[:-1] + 0.3 * tr.exits_to_employment - tr.reentries,
        rtol=1e-12,
        atol=1e-9,
    )
    assert np.all(tr.exits >= 0) and np.all(stock >= 0) and np.all(tr.pool >= 0)


def test_one_group_steady_state_by_hand() -> None:
    # only the short group, no re-entry, months of exactly 30.4375 days
    mean, inflow = 5.0, 100.0
    g = GroupParams(0.0, 2.0, 1.0, mean, 20.0)
    flows = FlowParams((1.0, 0.6, 0.35), 0.0, 8.0)
    T = 400
    cm = np.tile(np.arange(1, 13), T // 12 + 1)[:T]
    days = np.full(T, DAYS_PER_MONTH)
    tr = simulate(
        np.full((T, 1), inflow), cm, days, np.ones(12), g, flows, np.zeros((1, 3)), np.zeros(1)
    )
    assert tr.stock[-1, 0] == pytest.approx(inflow * mean, rel=1e-9)  # stock = inflow × mean
    assert tr.exits[-1].sum() == pytest.approx(inflow, rel=1e-9)
    assert g.long_term_share(12.0) == pytest.approx(np.exp(-12.0 / mean), rel=1e-12)
    assert g.mean_elapsed_months() == pytest.approx(mean)
    assert g.share_ending_within(3.0) == pytest.approx(1 - np.exp(-3.0 / mean))


def test_mixture_stationary_composition_by_hand() -> None:
    g = GroupParams(0.15, 2.0, 0.7, 3.0, 14.0)
    w = np.array([0.15 * 2.0, 0.85 * 0.7 * 3.0, 0.85 * 0.3 * 14.0])
    w /= w.sum()
    np.testing.assert_allclose(g.stationary_weights(), w)
    lt = float(np.sum(w * np.exp(-12.0 / np.array([2.0, 3.0, 14.0]))))
    assert g.long_term_share() == pytest.approx(lt)
    assert STATISTICS["mean_elapsed_duration_weeks"](g) == pytest.approx(
        float(w @ [2.0, 3.0, 14.0]) * 30.4375 / 7
    )
    # a stationary start with its stationary pool stays put under a matching constant inflow
    flows = FlowParams((0.95, 0.6, 0.35), 0.25, 8.0)
    S = np.array([1000.0, 60.0])
    by_group, pool = stationary_start(S, g, flows, "stationary")
    total_inflow = S / g.mean_spell_months()
    reent = pool * -np.expm1(-1.0 / 8.0)
    T = 24
    cm = np.tile(np.arange(1, 13), 2)
    tr = simulate(
        np.tile(total_inflow - reent, (T, 1)),
        cm,
        np.full(T, DAYS_PER_MONTH),
        np.ones(12),
        g,
        flows,
        by_group,
        pool,
    )
    np.testing.assert_allclose(tr.stock, np.tile(S, (T + 1, 1)), rtol=1e-10)
    np.testing.assert_allclose(tr.pool, np.tile(pool, (T + 1, 1)), rtol=1e-10)


def test_fit_recovers_known_parameters() -> None:
    rng = np.random.default_rng(42)
    T, M, _Y = 36, 4, 3
    cm, days, yr = _calendar(T)
    year_index = yr - yr[0]
    true_g = GroupParams(0.15, 2.0, 0.75, 2.5, 15.0)
    flows = FlowParams((0.95, 0.6, 0.35), 0.25, 8.0)
    f_in = seasonal_from_free(rng.normal(0, 0.25, 11))
    levels = rng.uniform(20, 200, size=(M, 1)) * np.array([[1.2, 1.0, 0.9]])
    start = levels[:, 0] * true_g.mean_spell_months() * 1.1
    obs = run_model(levels, f_in, np.ones(12), true_g, flows, start, cm, days, year_index).stock[1:]
    penalties = (
        Penalty("long_term_share", true_g.long_term_share(), 0.03),
        Penalty(
            "mean_elapsed_duration_weeks", STATISTICS["mean_elapsed_duration_weeks"](true_g), 5.0
        ),
    )
    setup = FitSetup(
        0.15,
        2.0,
        flows,
        penalties,
        initial_short_share=0.6,
        initial_short_mean=3.5,
        initial_long_mean=10.0,
    )
    res = fit(obs, start, cm, days, year_index, setup)
    assert res.success
    g = res.groups
    assert g.short_share == pytest.approx(0.75, rel=0.03)
    assert g.short_mean == pytest.approx(2.5, rel=0.05)
    assert g.long_mean == pytest.approx(15.0, rel=0.05)
    np.testing.assert_allclose(res.levels, levels, rtol=0.02)
    np.testing.assert_allclose(res.inflow_seasonal, f_in, atol=0.02)
    np.testing.assert_allclose(res.fitted, obs, rtol=1e-3)


def test_seasonal_rounding_averages_exactly_one() -> None:
    rng = np.random.default_rng(3)
    f = seasonal_from_free(rng.normal(0, 0.4, 11))
    r = cal.seasonal_4sig(f)
    assert sum(r, Decimal(0)) == Decimal(12)
    assert all(Decimal(repr(cal.sig4(x))) == y for x, y in zip(f[:11], r[:11], strict=False))
    assert cal.fmt(1179.0) == "1179.0" and cal.fmt(0.123456) == "0.1235"


def test_missing_data_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cal.main(["--data", str(tmp_path / "nope.csv"), "--out-dir", str(tmp_path)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "nope.csv" in err and "not found" in err
    assert not list(tmp_path.glob("*.toml"))


def test_malformed_target_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = cal.DEFAULT_TARGETS.read_text(encoding="utf-8")
    bad = tmp_path / "targets.toml"
    bad.write_text(
        text.replace(
            "[assumptions.reentry_mean_months]\nvalue = 8.0",
            '[assumptions.reentry_mean_months]\nvalue = "eight"',
        ),
        encoding="utf-8",
    )
    rc = cal.main(["--targets", str(bad), "--out-dir", str(tmp_path)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "targets.toml" in err and "assumptions.reentry_mean_months.value" in err
    missing = tmp_path / "t2.toml"
    missing.write_text(
        text.replace("[targets.long_term_share]\nvalue = 0.41\n", "[targets.long_term_share]\n"),
        encoding="utf-8",
    )
    assert cal.main(["--targets", str(missing), "--out-dir", str(tmp_path)]) == 2
    assert "targets.long_term_share.value: required key is missing" in capsys.readouterr().err


def test_malformed_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("month,municipality,unemployed\n2016-13,Laukaa,5\n", encoding="utf-8")
    assert cal.main(["--data", str(bad), "--out-dir", str(tmp_path)]) == 2
    assert "row 2: month" in capsys.readouterr().err


@pytest.mark.skipif(not DATA_CSV.is_file(), reason="real data not available")
def test_real_data_loads_and_windows() -> None:
    from simulation.scenario.region import load_region

    munis = list(load_region().municipality_names)
    wide = cal.load_stocks(DATA_CSV, munis)
    w = cal.window(wide, "2015-12", "2019-12", str(DATA_CSV))
    assert w.shape == (49, 13) and (w > 0).all().all()
    idx = cal.stock_seasonal_index(wide.sum(axis=1), (2010, 2019))
    assert idx.mean() == pytest.approx(1.0) and idx[11] > 1.0 > idx[4]  # Dec peak, May trough


@pytest.mark.skipif(
    not (SCEN / "calibrated_2016_2018.toml").is_file(), reason="scenario files not generated yet"
)
def test_generated_scenarios_match_schema() -> None:
    from simulation.scenario.config import ExitsConfig, InflowConfig, StartStateConfig, deep_merge

    def load(name: str) -> dict:
        return tomllib.loads((SCEN / name).read_text(encoding="utf-8"))

    base = load("calibrated_2016_2018.toml")
    assert base.pop("extends") == "area.toml"
    assert set(base) == {"inflow", "exits"}
    for name in ("start_2019.toml", "start_2025.toml"):
        over = load(name)
        assert over.pop("extends") == "calibrated_2016_2018.toml"
        merged = deep_merge(base, over)[0]
        InflowConfig.model_validate(merged["inflow"])
        ExitsConfig.model_validate(merged["exits"])
        StartStateConfig.model_validate(merged["start_state"])
        assert len(merged["start_state"]["stock_by_municipality"]) == 13
    assert len(base["inflow"]["per_month_by_municipality"]) == 13
    for key in ("inflow", "exits"):
        f = [Decimal(repr(x)) for x in base[key]["seasonal_factors"]]
        assert sum(f, Decimal(0)) == Decimal(12)
