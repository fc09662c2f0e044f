"""`tyosim calibrate`: a runnable scenario folder for any municipalities (issue 14).

The history check is the model itself (the written scenario, simulated from the start month)
against the real series it was not fitted on: the default area's 2019, a subset of its
municipalities, and a made-up area built from the real series with other names and sizes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.calibration.command import calibrate_folder
from simulation.cli.main import main
from simulation.experiments.runner import simulate_replication
from simulation.scenario.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "unemployed_monthly_area.csv"

pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"real data not found at {DATA}")


def quiet(*_a, **_k) -> None:
    pass


@pytest.mark.slow
def test_default_area_reproduces_2019(tmp_path, capsys):
    out = tmp_path / "c19"
    assert main(["calibrate", "--data", str(DATA), "--fit", "2016-01:2018-12", "--start", "2019-01",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "history check (simulated): area" in text
    sc = load_scenario(out / "scenario.toml")
    assert sc.run.start_date.isoformat() == "2019-01-01"
    # the start is the observed December 2018 stock
    obs = pd.read_csv(DATA)
    dec = obs[obs.month == "2018-12"].set_index("municipality").unemployed
    assert sc.start_state.stock_by_municipality == {m: float(dec[m]) for m in sc.start_state.stock_by_municipality}
    # `tyosim run DIR/scenario.toml --years 1` as it is, and the 2019 MAPE of that run
    assert main(["run", str(out / "scenario.toml"), "--years", "1", "--reps", "4", "--out",
                 str(tmp_path / "r"), "--quiet"]) == 0
    sim = pd.read_parquet(tmp_path / "r" / "c19" / "monthly").groupby(["replication", "month"]).stock_end.sum()
    sim = sim.groupby("month").mean()
    real = obs[obs.month.str.startswith("2019")].groupby("month").unemployed.sum()
    mape = float((100 * (sim - real).abs() / real).mean())
    assert mape <= 5.0, mape
    assert "History check" in (out / "scenario.toml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_subset_of_municipalities_gets_a_made_region(tmp_path):
    res = calibrate_folder(DATA, tmp_path / "sub", "Laukaa,Hankasalmi,Uurainen,Konnevesi",
                           fit="2016-01:2018-12", start="2019-01", check_reps=4, log=quiet)
    assert (tmp_path / "sub" / "region.toml").is_file()
    sc = load_scenario(res.scenario_file)
    region = sc.region_obj()
    assert set(region.municipality_names) == {"Laukaa", "Hankasalmi", "Uurainen", "Konnevesi"}
    assert region.main_hub == "Laukaa"           # the largest labour force
    # customer service from the caseload norm: start stock / 149
    stock = sum(sc.start_state.stock_by_municipality.values())
    assert sc.staff.customer_service_fte_total == pytest.approx(stock / 149, rel=1e-3)
    assert res.history_mape["area"] <= 7.5
    assert simulate_replication(sc.with_overrides({"run": {"years": 0.25}}), 0)["monthly"].stock_end.sum() > 0


def made_up_area(path: Path) -> Path:
    """Three municipalities that never existed: real series renamed, rescaled and jittered."""
    real = pd.read_csv(DATA)
    rng = np.random.default_rng(5)
    parts = []
    for src, new, k in (("Saarijärvi", "Alppila", 1.8), ("Pihtipudas", "Böle", 0.7),
                        ("Karstula", "Čirkka", 2.4)):
        d = real[real.municipality == src].copy()
        d["municipality"] = new
        d["unemployed"] = np.round(d["unemployed"] * k * rng.normal(1, 0.01, len(d)))
        d["labour_force"] = np.round(d["labour_force"] * k)
        parts.append(d)
    f = path / "made_up.csv"
    pd.concat(parts).to_csv(f, index=False)
    return f


@pytest.mark.slow
def test_a_made_up_area_runs_and_holds_out_in_line(tmp_path):
    data = made_up_area(tmp_path)
    res = calibrate_folder(data, tmp_path / "mu", "Alppila,Böle,Čirkka", fit="2016-01:2018-12",
                           start="2019-01", check_reps=4, log=quiet)
    assert res.history_mape["area"] <= 7.5
    # the default start is the month after the data; no hold-out there, still runnable
    res2 = calibrate_folder(data, tmp_path / "latest", "Alppila,Böle,Čirkka", check_reps=0, log=quiet)
    sc = load_scenario(res2.scenario_file)
    assert sc.run.start_date.isoformat() == "2020-11-01"
    assert "2017-01..2019-12" in res2.scenario_file.read_text(encoding="utf-8")
    assert simulate_replication(sc.with_overrides({"run": {"years": 0.25}}), 0)["monthly"].inflow.sum() > 0


@pytest.mark.parametrize("args, says", [
    (["--municipalities", "Laukaa,Atlantis"], "unknown municipality 'Atlantis'"),
    (["--municipalities", "Laukaa,Laukka"], "did you mean 'Laukaa'"),
    (["--fit", "2018-01:2018-12"], "too short a fit window: 12 months"),
    (["--fit", "2018-13:2019-01"], "expected YYYY-MM:YYYY-MM"),
    (["--start", "2021-03"], "start month 2021-03 is after the data"),
    (["--fit", "2016-01:2018-12", "--start", "2018-06"], "must end before the start month"),
])
def test_bad_input_is_one_line_exit_2(tmp_path, capsys, args, says):
    out = tmp_path / "bad"
    assert main(["calibrate", "--data", str(DATA), *args, "--out", str(out), "--check-reps", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err
    assert not (out / "scenario.toml").exists()


def test_a_region_that_does_not_match_the_file(tmp_path, capsys):
    region = ROOT / "simulation" / "data" / "region_pohjoinen_keski_suomi.toml"
    assert main(["calibrate", "--data", str(DATA), "--municipalities", "Laukaa,Hankasalmi",
                 "--region", str(region), "--out", str(tmp_path / "x")]) == 2
    assert "the region does not match" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("month,kunta,unemployed\n2019-01,Laukaa,5\n", encoding="utf-8")
    assert main(["calibrate", "--data", str(bad), "--out", str(tmp_path / "y")]) == 2
    assert "missing column(s)" in capsys.readouterr().err


# ---- inflow driven by the caseload forecast -------------------------------------------

@pytest.mark.slow
def test_forecast_driven_inflow_follows_the_median_and_splits_the_interval(tmp_path, capsys):
    res = calibrate_folder(DATA, tmp_path / "fc", fit="2016-01:2018-12", start="2019-01",
                           check_reps=0, log=quiet, forecast_mode="median", forecast_paths=50)
    sc = load_scenario(res.scenario_file)
    assert sc.inflow.forecast.mode == "median" and Path(sc.inflow.forecast.paths_file).is_file()
    frames = [simulate_replication(sc, r)["monthly"] for r in range(3)]
    m = pd.concat(frames)
    area = m.groupby(["replication", "month"])[["stock_end", "forecast_stock_target"]].sum()
    mean = area.groupby("month").mean()
    # the expected stock follows the forecast's median (the target), month by month
    gap = (mean.stock_end / mean.forecast_stock_target - 1).abs()
    assert gap.max() < 0.04 and gap.mean() < 0.025, gap
    # each replication its own path: the run's spread is mostly the forecast's, and says so
    paths = sc.with_overrides({"inflow": {"forecast": {"mode": "paths"}}})
    path_file = tmp_path / "paths.toml"
    path_file.write_text(
        f'extends = "{res.scenario_file}"\nname = "fcp"\n[inflow.forecast]\nmode = "paths"\n',
        encoding="utf-8")
    assert paths.inflow.forecast.mode == "paths"
    assert main(["run", str(path_file), "--reps", "6", "--out", str(tmp_path / "r"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "% forecast uncertainty" in out
    from simulation.tables.kpis import interval_split
    split = interval_split(pd.read_parquet(tmp_path / "r" / "fcp" / "monthly"))
    assert split.forecast_share.iloc[0] > 0.5


@pytest.mark.slow
def test_a_forecast_that_does_not_cover_the_run_is_refused(tmp_path):
    res = calibrate_folder(DATA, tmp_path / "fc", fit="2016-01:2018-12", start="2019-01",
                           check_reps=0, log=quiet, forecast_mode="median", forecast_paths=20)
    from simulation.errors import InputError
    with pytest.raises(InputError, match="the forecast covers 2019-01..2019-12"):
        load_scenario(res.scenario_file, {"run": {"years": 2.0}})


def test_calibrate_refuses_a_missing_region_or_an_out_that_is_a_file(tmp_path, capsys):
    assert main(["calibrate", "--data", str(DATA), "--region", str(tmp_path / "none.toml"),
                 "--out", str(tmp_path / "x")]) == 2
    assert "region file not found" in capsys.readouterr().err
    f = tmp_path / "file"
    f.write_text("x", encoding="utf-8")
    assert main(["calibrate", "--data", str(DATA), "--out", str(f)]) == 2
    assert "--out is a file" in capsys.readouterr().err
    # a failure before the fit leaves nothing behind
    nolf = tmp_path / "nolf.csv"
    pd.read_csv(DATA).drop(columns=["labour_force"]).to_csv(nolf, index=False)
    out = tmp_path / "nolf_out"
    assert main(["calibrate", "--data", str(nolf), "--municipalities", "Laukaa,Hankasalmi",
                 "--out", str(out), "--check-reps", "0"]) == 2
    assert not (out / "area.toml").exists() and not (out / "scenario.toml").exists()


def test_forecast_paths_must_be_whole_and_enough(tmp_path):
    from simulation.errors import InputError
    from simulation.scenario.forecast_paths import check_covers, target_stock
    rows = [{"municipality": m, "month": f"2019-{k:02d}", "path": p, "stock": 10.0}
            for m in ("A", "B") for k in (1, 2) for p in range(3)]
    f = tmp_path / "p.parquet"
    pd.DataFrame(rows[:-1]).to_parquet(f)          # one (path, month, municipality) missing
    with pytest.raises(InputError, match="every path needs a stock"):
        check_covers(str(f), ["A", "B"], ["2019-01", "2019-02"])
    g = tmp_path / "q.parquet"
    pd.DataFrame(rows).to_parquet(g)
    assert target_stock(str(g), ["A", "B"], ["2019-01", "2019-02"], "paths", 2).shape == (2, 2)
    with pytest.raises(InputError, match="replication 3 needs its own path"):
        target_stock(str(g), ["A", "B"], ["2019-01", "2019-02"], "paths", 3)
