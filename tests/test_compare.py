"""`tyosim compare`: paired differences against a baseline, KPIs picked up when present,
output formats, and bad input.

One tiny batch (scenarios a and b, b with a quarter of the customer-service staff) per
test module; tests that alter tables work on a copy.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.cli.main import main
from simulation.experiments.batch import prepare_scenarios, run_batch
from simulation.experiments.compare import COLUMNS, compare, paired_differences, scenario_kpis
from simulation.files import write_parquet_atomic
from simulation.tables.store import read_table, rep_file
from tests.scenario_factory import simple_data, write_scenario

REPS = 4
REQUIRED = ["scenario", "kpi", "year", "baseline_mean", "scenario_mean", "diff_mean",
            "diff_ci95_lo", "diff_ci95_hi", "n"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("compare")
    d = simple_data(inflow_per_month_area=150.0, stock_area=700.0)
    d["run"]["years"] = 0.25
    a = write_scenario(tmp, "a", copy.deepcopy(d))
    b = write_scenario(tmp, "b", copy.deepcopy(d), staff={"customer_service_fte_total": 6.0})
    scs, info = prepare_scenarios([a, b])
    run_batch(scs, REPS, tmp / "out", workers=1, progress=False, seed_info=info)
    return tmp / "out"


def copy_of(batch: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "batch"
    shutil.copytree(batch, dst)
    return dst


def test_paired_differences_with_student_t_intervals(batch):
    df, _notes = compare(batch, "a")
    assert set(REQUIRED) <= set(df.columns) and list(df.columns) == COLUMNS
    assert set(df.scenario) == {"b"} and (df.n == REPS).all()
    assert {"stock_mean", "late_meetings", "late_meetings_share", "staff_cost_eur"} <= set(df.kpi)
    # the interval is the paired Student-t interval, replication k against replication k
    ka, kb = scenario_kpis(batch / "a"), scenario_kpis(batch / "b")
    pairs = kb.merge(ka, on=["replication", "year"], suffixes=("", "_a"))
    d = (pairs["late_meetings"] - pairs["late_meetings_a"]).to_numpy(float)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    row = df[df.kpi == "late_meetings"].iloc[0]
    assert row.diff_mean == pytest.approx(d.mean())
    assert (row.diff_ci95_lo, row.diff_ci95_hi) == pytest.approx((d.mean() - half, d.mean() + half))
    assert row.baseline_mean == pytest.approx(pairs["late_meetings_a"].mean())
    assert row.diff_mean > 0  # fewer staff, more late interviews
    # staff cost: hub-months of staff_fte × cost_per_fte_eur / 12, from the manifest's scenario
    ma = json.loads((batch / "a" / "manifest.json").read_text())
    mb = json.loads((batch / "b" / "manifest.json").read_text())
    cost = ma["resolved_scenario"]["staff"]["cost_per_fte_eur"]
    months = read_table(batch / "a", "hubs")["month"].nunique()
    expected = (sum(mb["staff_by_hub_fte"].values()) - sum(ma["staff_by_hub_fte"].values())) * cost * months / 12
    row = df[df.kpi == "staff_cost_eur"].iloc[0]
    assert row.diff_mean == pytest.approx(expected)
    assert row.diff_ci95_lo == pytest.approx(expected) and row.diff_ci95_hi == pytest.approx(expected)


def test_missing_kpis_are_skipped_and_picked_up_once_the_tables_carry_them(batch, tmp_path):
    folder = copy_of(batch, tmp_path)
    df, _ = compare(folder, "a")
    costs = {"benefit_cost_eur", "benefit_cost_municipal_eur", "service_cost_eur"}
    present = costs & set(scenario_kpis(folder / "a").columns)
    # another engineer adds these columns; the test fakes them so it holds before and after
    for name in ("a", "b"):
        for r in range(REPS):
            f = rep_file(folder / name, "monthly", r)
            m = pd.read_parquet(f)
            m["benefit_cost_eur"] = 1000.0 * m["job_search_interviews_late"] + 10.0
            m["benefit_cost_municipal_eur"] = 0.3 * m["benefit_cost_eur"]
            write_parquet_atomic(f, m)
            months = sorted(m["month"].unique())
            services = pd.DataFrame({"scenario": name, "replication": r, "seed": 7, "month": months,
                                     "service": "training", "starts": 1, "participants_end": 1,
                                     "cost_eur": 100.0 if name == "a" else 250.0})
            write_parquet_atomic(rep_file(folder / name, "services", r), services)
    df2, notes = compare(folder, "a")
    assert costs <= set(df2.kpi)
    assert not any("benefit_cost_eur" in n for n in notes)
    ka, kb = scenario_kpis(folder / "a"), scenario_kpis(folder / "b")
    late_diff = (kb.sort_values("replication")["job_search_interviews_late"].to_numpy()
                 - ka.sort_values("replication")["job_search_interviews_late"].to_numpy())
    row = df2[df2.kpi == "benefit_cost_eur"].iloc[0]
    assert row.diff_mean == pytest.approx(1000.0 * late_diff.mean())
    row = df2[df2.kpi == "benefit_cost_municipal_eur"].iloc[0]
    assert row.diff_mean == pytest.approx(300.0 * late_diff.mean())
    months = read_table(folder / "a", "monthly")["month"].nunique()
    row = df2[df2.kpi == "service_cost_eur"].iloc[0]
    assert row.diff_mean == pytest.approx(150.0 * months)
    # before the fake columns: whatever was not in the tables was skipped, with a note
    assert set(df.kpi) & costs == present


def test_output_formats(batch, capsys):
    assert main(["compare", str(batch), "--baseline", "a", "--format", "csv"]) == 0
    csv = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(REQUIRED) <= set(csv.columns) and set(csv.scenario) == {"b"}
    assert main(["compare", str(batch), "--baseline", "a", "--format", "json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert {r["kpi"] for r in js["differences"]} == set(csv.kpi) and "notes" in js
    assert all(set(REQUIRED) <= set(r) for r in js["differences"])
    assert main(["compare", str(batch), "--baseline", "a"]) == 0
    out = capsys.readouterr().out
    assert "b − a" in out and "95 % CI" in out and "late interviews" in out
    # the other way round works too
    assert main(["compare", str(batch), "--baseline", "b", "--format", "csv"]) == 0
    assert set(pd.read_csv(io.StringIO(capsys.readouterr().out)).scenario) == {"a"}


def test_unknown_baseline_or_folder_exits_2(batch, tmp_path, capsys):
    assert main(["compare", str(batch), "--baseline", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert str(batch) in err and "'nope'" in err and "a, b" in err and len(err.splitlines()) == 1
    assert main(["compare", str(tmp_path / "missing")]) == 2
    assert "folder not found" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["compare", str(tmp_path / "empty")]) == 2
    assert "no scenario results" in capsys.readouterr().err


def test_pairs_only_replications_present_in_both():
    k = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 2, "replication": [0, 1, 2, 0, 2],
                      "year": "2025", "stock_mean": [10.0, 12.0, 14.0, 11.0, 16.0]})
    df = paired_differences(k, "a", ["stock_mean", "not_there"])
    assert len(df) == 1
    row = df.iloc[0]
    assert row.n == 2 and row.diff_mean == pytest.approx(1.5) and row.baseline_mean == pytest.approx(12.0)
