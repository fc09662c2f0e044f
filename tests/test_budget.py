"""Cost model, budget frame, gap and adjustment options (simulation/budget.py, `tyosim budget`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.budget import (
    budget_table,
    compute_budget,
    cost_items,
    expected_broad_unemployment,
    planned_purchases,
)
from simulation.cli import main
from simulation.config import load_scenario
from simulation.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
ADJUSTMENTS = ["adjust_staff", "adjust_purchases", "adjust_mixed"]


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCEN / "baseline.toml")


def _budget_json(capsys, path: Path, *extra: str) -> dict:
    assert main(["budget", str(path), "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_cost_frame_gap_for_each_year(capsys):
    d = _budget_json(capsys, SCEN / "baseline.toml")
    assert list(d["years"]) == ["2025", "2026", "2027"]
    for y in d["years"].values():
        assert {"cost_eur", "frame_eur", "gap_eur"} <= set(y)
        assert y["gap_eur"] == pytest.approx(y["cost_eur"] - y["frame_eur"])
        assert y["frame_eur"] == 7_800_000.0


def test_baseline_draft_exceeds_the_frame(baseline):
    t = budget_table(baseline)
    assert (t["gap_eur"] > 0).all() and not t["closed"].any()


def test_cost_items_arithmetic(baseline):
    items = cost_items(baseline).set_index("item")
    staff = items[items.group == "staff"]
    assert staff["fte"].sum() == pytest.approx(28 + 18 + 5)
    assert staff["cost_eur"].sum() == pytest.approx((28 + 18 + 5) * 60_000)
    assert items.loc["regional_services_jyvaskyla", "cost_eur"] == pytest.approx(6 * 60_000)
    assert items.loc["other_expenses", "cost_eur"] == 400_000
    assert items.loc["service:coaching", "cost_eur"] == pytest.approx(240 * 12 * 600)
    assert items.loc["service:self_motivated_study", "cost_eur"] == 0
    t = budget_table(baseline).iloc[0]
    assert t.cost_eur == pytest.approx(items["cost_eur"].sum())


def test_target_share_rule_uses_expected_broad_unemployment(baseline):
    stock = sum(baseline.start_state.stock_by_municipality.values())
    fixed = sum(s.places for s in baseline.services.values() if s.places is not None)
    targets = sum(s.target_share_of_broad_unemployment for s in baseline.services.values()
                  if s.target_share_of_broad_unemployment is not None)
    broad = (stock + fixed) / (1 - targets)
    assert expected_broad_unemployment(baseline) == pytest.approx(broad)
    p = planned_purchases(baseline).set_index("service")
    assert p.loc["wage_subsidy_company", "planned_places"] == pytest.approx(0.024 * broad)
    assert p.loc["wage_subsidy_company", "planned_cost_eur"] == pytest.approx(0.024 * broad * 12 * 1000)


def test_budget_eur_per_year_service_is_planned_at_its_budget(baseline):
    sc = baseline.with_overrides({"services": {"coaching": {"places": None, "budget_eur_per_year": 500_000.0}}})
    p = planned_purchases(sc).set_index("service")
    assert p.loc["coaching", "planned_cost_eur"] == 500_000.0


@pytest.mark.parametrize("name", ADJUSTMENTS)
def test_each_adjustment_closes_its_gap_within_1_percent(capsys, name):
    d = _budget_json(capsys, SCEN / f"{name}.toml")
    assert d["scenario"] == name
    for year, y in d["years"].items():
        assert abs(y["gap_eur"]) <= 0.01 * y["frame_eur"], (name, year, y["gap_eur"])
        assert y["closed"] is True


def test_adjustments_close_the_gap_their_own_way(baseline):
    base = budget_table(baseline).iloc[0]
    got = {n: budget_table(load_scenario(SCEN / f"{n}.toml")).iloc[0] for n in ADJUSTMENTS}
    # purchases only: staff and other expenses untouched
    assert got["adjust_purchases"].staff_eur == base.staff_eur
    assert got["adjust_purchases"].other_expenses_eur == base.other_expenses_eur
    # staff first: the deepest staff cut of the three
    assert got["adjust_staff"].staff_eur < got["adjust_mixed"].staff_eur < base.staff_eur
    # mixed cuts all three kinds of item
    m = got["adjust_mixed"]
    assert m.staff_eur < base.staff_eur and m.other_expenses_eur < base.other_expenses_eur
    assert m.purchased_services_eur < base.purchased_services_eur


def test_levers_move_the_budget(baseline):
    """A changed parameter moves the output (the carwash test)."""
    t0 = budget_table(baseline).iloc[0]
    more = baseline.with_overrides({"staff": {"cost_per_fte_eur": 70_000.0}})
    assert budget_table(more).iloc[0].staff_eur == pytest.approx(51 * 70_000)
    role = baseline.with_overrides({"budget": {"cost_per_fte_eur_by_role": {"specialists": 80_000.0}}})
    assert budget_table(role).iloc[0].staff_eur == pytest.approx(t0.staff_eur + 18 * 20_000)
    hub = baseline.with_overrides({"staff": {"customer_service_fte_by_hub": {
        "Äänekoski": 9.0, "Laukaa": 7.0, "Saarijärvi": 6.0, "Viitasaari": 4.0}}})
    assert budget_table(hub).iloc[0].staff_eur == pytest.approx((26 + 18 + 5) * 60_000)
    other = baseline.with_overrides({"budget": {"other_expenses_eur_per_year": 100_000.0}})
    assert budget_table(other).iloc[0].gap_eur == pytest.approx(t0.gap_eur - 300_000)
    reg = baseline.with_overrides({"budget": {"regional_services_cost_per_fte_eur": 70_000.0}})
    assert budget_table(reg).iloc[0].regional_services_eur == pytest.approx(6 * 70_000)


def test_transition_funding_and_frame_by_year(baseline):
    sc = baseline.with_overrides({"budget": {"transition_funding_eur_by_year": {"2025": 1_000_000.0,
                                                                             "2026": 500_000.0},
                                             "frame_eur_by_year": {"2027": 8_000_000.0}}})
    t = budget_table(sc).set_index("year")
    assert list(t["frame_eur"]) == [8_800_000.0, 8_300_000.0, 8_000_000.0]
    assert t.loc[2025, "gap_eur"] == pytest.approx(t.loc[2025, "cost_eur"] - 8_800_000.0)


def test_bad_budget_values_name_the_key(tmp_path, capsys):
    p = tmp_path / "s.toml"
    p.write_text(f'extends = "{(SCEN / "baseline.toml").as_posix()}"\nname = "x"\n'
                 '[budget.transition_funding_eur_by_year]\n"year1" = 5.0\n', encoding="utf-8")
    assert main(["budget", str(p)]) == 2
    assert "budget.transition_funding_eur_by_year" in capsys.readouterr().err
    p.write_text(f'extends = "{(SCEN / "baseline.toml").as_posix()}"\nname = "x"\n'
                 '[budget]\nother_expences_eur_per_year = 5.0\n', encoding="utf-8")
    assert main(["budget", str(p)]) == 2
    err = capsys.readouterr().err
    assert "budget.other_expences_eur_per_year: unknown key" in err


def test_scenario_without_budget_table_is_refused(baseline):
    sc = baseline.model_copy(update={"budget": None})
    with pytest.raises(InputError, match=r"no \[budget\] table"):
        budget_table(sc)


def test_shares_add_up_to_cost_and_gap(baseline):
    bud = compute_budget(baseline)
    m = bud.municipalities
    for year, g in m.groupby("year"):
        t = bud.table.set_index("year").loc[year]
        assert g["cost_share_eur"].sum() == pytest.approx(t.cost_eur)
        assert g["gap_share_eur"].sum() == pytest.approx(t.gap_eur)
        assert g["share"].sum() == pytest.approx(1.0)
    assert len(m[m.year == 2025]) == 13


def _fake_results(tmp_path: Path, scenario, with_benefits: bool) -> Path:
    """A results folder in the run layout with small synthetic tables (2 replications)."""
    from simulation.experiment import rep_file
    from simulation.provenance import write_json_atomic, write_parquet_atomic

    folder = tmp_path / "res" / scenario.name
    munis = list(scenario.start_state.stock_by_municipality)
    for rep in (0, 1):
        rows = []
        for month in ("2025-01", "2025-02", "2025-03"):
            for i, m in enumerate(munis):
                r = {"scenario": scenario.name, "replication": rep, "seed": 1, "month": month,
                     "municipality": m, "hub": scenario.region_obj().hub_of(m), "stock_end": 100 + i}
                if with_benefits:
                    r["benefit_cost_eur"] = 10_000.0 * (i + 1) + rep
                    r["benefit_cost_municipal_eur"] = 1_000.0 * (i + 1) + rep
                rows.append(r)
        write_parquet_atomic(rep_file(folder, "monthly", rep), pd.DataFrame(rows))
        svc = pd.DataFrame([{"scenario": scenario.name, "replication": rep, "seed": 1, "month": mo,
                             "service": "coaching", "cost_eur": 100_000.0 + rep}
                            for mo in ("2025-01", "2025-02", "2025-03")])
        write_parquet_atomic(rep_file(folder, "services", rep), svc)
        write_parquet_atomic(rep_file(folder, "hubs", rep), pd.DataFrame({"month": ["2025-01"]}))
    write_json_atomic(folder / "manifest.json", {"scenario": scenario.name,
                                                 "resolved_scenario": scenario.resolved_dict()})
    return folder.parent


def test_municipal_benefit_share_is_beside_the_gap_never_inside(tmp_path, baseline, capsys):
    plain = compute_budget(baseline)
    res = _fake_results(tmp_path, baseline, with_benefits=True)
    bud = compute_budget(baseline, res)
    pd.testing.assert_frame_equal(bud.table, plain.table)          # cost, frame, gap unchanged
    m = bud.municipalities[bud.municipalities.year == 2025].set_index("municipality")
    first = list(baseline.start_state.stock_by_municipality)[0]
    # 3 simulated months of 1,000 + rep, annualised to 12 months, mean over reps 0 and 1
    assert m.loc[first, "benefit_municipal_eur"] == pytest.approx(4 * 3 * 1_000.5)
    assert m.loc[first, "cost_share_eur"] == pytest.approx(plain.municipalities.set_index(
        ["year", "municipality"]).loc[(2025, first), "cost_share_eur"])
    d = _budget_json(capsys, SCEN / "baseline.toml", "--results", str(res))
    rows = [r for r in d["cost_sharing"]["municipalities"] if r["year"] == 2025]
    assert all(isinstance(r["benefit_municipal_eur"], float) for r in rows)
    assert d["years"]["2025"]["simulated_service_cost_eur"] == pytest.approx(4 * 3 * 100_000.5)
    assert d["years"]["2025"]["cost_eur"] == plain.table.iloc[0].cost_eur


def test_benefit_share_not_available_without_the_columns(tmp_path, baseline, capsys):
    res = _fake_results(tmp_path, baseline, with_benefits=False)
    d = _budget_json(capsys, SCEN / "baseline.toml", "--results", str(res))
    assert all(r["benefit_municipal_eur"] == "not available" for r in d["cost_sharing"]["municipalities"])
    assert main(["budget", str(SCEN / "baseline.toml")]) == 0
    out = capsys.readouterr().out
    assert "not available" in out and "gap (cost - frame)" in out


def test_csv_format(capsys):
    assert main(["budget", str(SCEN / "adjust_mixed.toml"), "--format", "csv"]) == 0
    df = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    tot = df[(df.section == "total") & (df.year == 2025)].set_index("name")["value"].astype(float)
    assert tot["gap_eur"] == pytest.approx(tot["cost_eur"] - tot["frame_eur"])
    assert np.isfinite(tot.values).all()
