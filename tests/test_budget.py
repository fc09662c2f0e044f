"""Cost model, budget frame, gap and adjustment options (simulation/budget.py, `tyosim budget`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.cli.main import main
from simulation.errors import InputError
from simulation.money.budget import (
    budget_table,
    compute_budget,
    cost_items,
    expected_broad_unemployment,
    planned_purchases,
)
from simulation.scenario.config import load_scenario

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
    assert items.loc["service:coaching", "cost_eur"] == pytest.approx(240 * 12 * 360)
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
    assert p.loc["wage_subsidy_company", "planned_cost_eur"] == pytest.approx(0.024 * broad * 12 * 600)


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
    from simulation.files import write_json_atomic, write_parquet_atomic
    from simulation.tables.store import rep_file

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


# ---------------------------------------------------------------------------------------
# who pays (issue 13 item 5) and the net municipal benefit cost (item 6)

def test_wellbeing_county_service_is_outside_cost_and_gap_by_hand(baseline):
    """Hand-worked: two services only; the county's one changes neither the cost nor the gap."""
    base = baseline.with_overrides({"services": {}})   # keep the scenario, then replace the services
    svc = {"label_fi": "", "referral_probability": 0.1, "duration_mean_months": 3.0,
           "lock_in_exit_multiplier": 0.5, "employment_at_end_share": 0.1}
    data = base.model_dump(mode="python")
    data["services"] = {"own": {**svc, "places": 10.0, "unit_cost_eur_per_month": 500.0},
                        "county": {**svc, "places": 20.0, "unit_cost_eur_per_month": 300.0,
                                   "payer": "wellbeing_county"},
                        "training": {**svc, "places": 5.0, "unit_cost_eur_per_month": 1000.0,
                                     "outside_frame_share": 0.25}}
    data["service_order"] = ["own", "county", "training"]
    data["start_state"]["service_participants"] = None
    sc = type(baseline).model_validate(data)
    t = budget_table(sc).iloc[0]
    own, training = 10 * 12 * 500.0, 5 * 12 * 1000.0 * 0.75          # 60,000 + 45,000
    non_purchase = (28 + 18 + 5) * 60_000 + 6 * 60_000 + 400_000      # 3,820,000
    assert t.purchased_services_eur == pytest.approx(own + training)
    assert t.cost_eur == pytest.approx(non_purchase + own + training)
    assert t.gap_eur == pytest.approx(non_purchase + own + training - 7_800_000)
    assert t.memo_not_in_budget_eur == pytest.approx(20 * 12 * 300.0 + 5 * 12 * 1000.0 * 0.25)
    items = cost_items(sc)
    assert "service:county" not in set(items["item"])
    bud = compute_budget(sc)
    memo = bud.memo.set_index("item")
    assert memo.loc["service:county", "payer"] == "wellbeing_county"
    assert memo.loc["service:county", "memo_cost_eur"] == pytest.approx(72_000)
    assert memo.loc["service:training", "payer"] == "outside_frame"
    assert memo.loc["service:training", "memo_cost_eur"] == pytest.approx(15_000)
    # the county's service paid by the area instead: cost and gap rise by exactly its cost
    paid = sc.with_overrides({"services": {"county": {"payer": "area"}}})
    assert budget_table(paid).iloc[0].gap_eur == pytest.approx(t.gap_eur + 72_000)


def test_baseline_json_purchases_3_to_6_million_and_no_rehabilitative_cost(capsys):
    d = _budget_json(capsys, SCEN / "baseline.toml")
    for y in d["years"].values():
        assert 3_000_000 <= y["cost_by_group_eur"]["purchased_services"] <= 6_000_000
    assert not [i for i in d["cost_items"] if "rehabilitative" in i["item"]]
    rehab = [p for p in d["purchases"] if p["service"] == "rehabilitative_work_activity"]
    assert rehab and rehab[0]["planned_cost_eur"] == 0 and rehab[0]["payer"] == "wellbeing_county"
    assert any(m["item"] == "service:rehabilitative_work_activity" and m["payer"] == "wellbeing_county"
               for m in d["memo_not_in_budget"])
    lmt = [p for p in d["purchases"] if p["service"] == "labour_market_training"][0]
    assert lmt["planned_cost_eur"] == pytest.approx(lmt["gross_cost_eur"] * 0.8)
    purchases = sum(i["cost_eur"] for i in d["cost_items"] if i["group"] == "purchased_services")
    assert purchases == pytest.approx(d["years"]["2025"]["cost_by_group_eur"]["purchased_services"])


def test_municipal_wage_subsidy_is_small(baseline):
    p = planned_purchases(baseline).set_index("service")
    assert p.loc["wage_subsidy_municipality", "planned_places"] < 20


def test_net_is_gross_minus_compensation_by_municipality(tmp_path, baseline, capsys):
    comp = baseline.budget.benefit_compensation
    assert comp is not None and comp.valid_from.isoformat() == "2025-01-01"
    res = _fake_results(tmp_path, baseline, with_benefits=True)
    bud = compute_budget(baseline, res)
    m = bud.municipalities[bud.municipalities.year == 2025].set_index("municipality")
    for i, muni in enumerate(baseline.start_state.stock_by_municipality):
        gross = 4 * 3 * (1_000.0 * (i + 1) + 0.5)                # annualised, mean of reps 0 and 1
        c = comp.eur_per_year_by_municipality[muni]
        assert m.loc[muni, "benefit_municipal_eur"] == pytest.approx(gross)
        assert m.loc[muni, "benefit_compensation_eur"] == pytest.approx(c)
        assert m.loc[muni, "benefit_municipal_net_eur"] == pytest.approx(gross - c)
    d = _budget_json(capsys, SCEN / "baseline.toml", "--results", str(res))
    rows = [r for r in d["cost_sharing"]["municipalities"] if r["year"] == 2025]
    assert len(rows) == 13
    for r in rows:
        assert r["benefit_municipal_net_eur"] == pytest.approx(
            r["benefit_municipal_eur"] - r["benefit_compensation_eur"])
    # before valid_from there is no compensation
    early = baseline.with_overrides({"budget": {"benefit_compensation": {"valid_from": __import__(
        "datetime").date(2026, 1, 1)}}})
    mm = compute_budget(early).municipalities.set_index(["year", "municipality"])
    assert mm.loc[(2025, "Laukaa"), "benefit_compensation_eur"] == 0
    assert mm.loc[(2026, "Laukaa"), "benefit_compensation_eur"] == pytest.approx(
        comp.eur_per_year_by_municipality["Laukaa"])


def test_yearly_by_municipality_net_columns(baseline):
    from simulation.tables.kpis import yearly_by_municipality, yearly_by_municipality_ci

    comp = baseline.budget.benefit_compensation
    rows = [{"scenario": "s", "replication": r, "month": mo, "municipality": mu, "stock_end": 10,
             "in_services_end": 1, "broad_unemployment_end": 11, "benefit_cost_eur": 5_000.0,
             "benefit_cost_municipal_eur": 1_000.0 + r}
            for r in (0, 1) for mo in ("2025-11", "2025-12", "2026-01") for mu in ("Laukaa", "Kinnula")]
    monthly = pd.DataFrame(rows)
    y = yearly_by_municipality(monthly, comp).set_index(["replication", "year", "municipality"])
    c = comp.eur_per_year_by_municipality["Laukaa"]
    assert y.loc[(0, "2025", "Laukaa"), "benefit_compensation_eur"] == pytest.approx(2 * c / 12)
    assert y.loc[(1, "2025", "Laukaa"), "benefit_cost_municipal_net_eur"] == pytest.approx(2 * 1_001.0 - 2 * c / 12)
    assert y.loc[(0, "2026", "Laukaa"), "benefit_cost_municipal_net_eur"] == pytest.approx(1_000.0 - c / 12)
    cols = list(yearly_by_municipality(monthly, comp).columns)
    i = cols.index("benefit_cost_municipal_eur")
    assert cols[i + 1:i + 3] == ["benefit_compensation_eur", "benefit_cost_municipal_net_eur"]
    assert "benefit_cost_state_and_funds_eur" in cols                          # existing names kept
    assert "benefit_compensation_eur" not in yearly_by_municipality(monthly).columns
    s = yearly_by_municipality_ci(monthly, comp)
    assert {"benefit_cost_municipal_eur", "benefit_compensation_eur",
            "benefit_cost_municipal_net_eur"} <= set(s["kpi"])
    assert list(s.columns) == ["scenario", "year", "municipality", "kpi", "n", "mean", "sd", "ci95_lo", "ci95_hi"]


@pytest.mark.parametrize("body, key", [
    ('[budget.benefit_compensation.eur_per_year_by_municipality]\n"Laukaa" = -5.0\n',
     "budget.benefit_compensation.eur_per_year_by_municipality.Laukaa"),
    ('[budget.benefit_compensation.eur_per_year_by_municipality]\n"Laukka" = 5.0\n',
     "budget.benefit_compensation.eur_per_year_by_municipality.Laukka: unknown municipality"),
    ('[services.coaching]\npayer = "state"\n', "services.coaching.payer"),
    ('[services.coaching]\noutside_frame_share = 1.5\n', "services.coaching.outside_frame_share"),
])
def test_bad_payer_and_compensation_values_one_line_exit_2(tmp_path, capsys, body, key):
    p = tmp_path / "s.toml"
    p.write_text(f'extends = "{(SCEN / "baseline.toml").as_posix()}"\nname = "x"\n' + body, encoding="utf-8")
    for cmd in (["budget", str(p)], ["validate", str(p)]):
        assert main(cmd) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and key in err and err.startswith(str(p)), err
