"""Cost sharing between municipalities (simulation/cost_sharing.py).

The test case is the plan's appendix "Esitys alueyhteistyön kuntaosuuksiksi vuodelle 2024":
€100,000 (rounded percentage shares) and €65,000 (exact shares) among 7 municipalities by
population 31.12.2022. The expected figures below are copied from the appendix
(../shared/seed/plan_pohjoinen_keski-suomi.txt, around line 1766), not from our TOML file.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from simulation.cli.main import main
from simulation.errors import InputError
from simulation.money.cost_sharing import (
    compute_sharing,
    load_sharing_file,
    round_cent,
    share_amount,
    weights_for_key,
)
from simulation.scenario.region import load_region

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "examples" / "regional_fund_2024.toml"

# municipality: (population 31.12.2022, share % as printed, €100,000 column, €65,000 column, total)
APPENDIX = {
    "Kannonkoski": (1269, "6.9", "6900", "4462.27", "11362.27"),
    "Karstula": (3665, "19.8", "19800", "12887.48", "32687.48"),
    "Kinnula": (1554, "8.4", "8400", "5464.43", "13864.43"),
    "Kivijärvi": (1064, "5.8", "5800", "3741.41", "9541.41"),   # printed 9541,412
    "Kyyjärvi": (1196, "6.5", "6500", "4205.57", "10705.57"),
    "Pihtipudas": (3786, "20.5", "20500", "13312.96", "33812.96"),
    "Viitasaari": (5951, "32.2", "32200", "20925.89", "53125.89"),
}
POP = {m: v[0] for m, v in APPENDIX.items()}


def test_appendix_first_column_rounded_percent_every_row():
    shares = share_amount(100_000, POP, "rounded_percent", percent_decimals=1)
    for s in shares:
        _, pct, eur100, _, _ = APPENDIX[s.municipality]
        assert s.percent_used == Decimal(pct), s.municipality
        assert s.amount_eur_cents == Decimal(eur100).quantize(Decimal("0.01")), s.municipality


def test_appendix_second_column_exact_every_row():
    shares = share_amount(65_000, POP, "exact")
    for s in shares:
        assert s.amount_eur_cents == Decimal(APPENDIX[s.municipality][3]), s.municipality


def test_appendix_totals_every_row_and_viitasaari():
    res = compute_sharing(load_sharing_file(EXAMPLE))
    t = res.table().set_index("municipality")
    assert list(t.index) == list(APPENDIX)
    for m, (pop, _pct, eur100, eur65, total) in APPENDIX.items():
        assert t.loc[m, "weight"] == pop
        assert round_cent(t.loc[m, "development_fund_eur"]) == round_cent(Decimal(eur100))
        assert round_cent(t.loc[m, "regional_coordination_eur"]) == Decimal(eur65)
        assert round_cent(t.loc[m, "total_eur"]) == Decimal(total)
    assert t.loc["Viitasaari", "development_fund_eur"] == 32200.00
    assert t.loc["Viitasaari", "regional_coordination_eur"] == 20925.89
    assert t.loc["Viitasaari", "total_eur"] == 53125.89


def test_the_other_rule_would_not_reproduce_the_columns():
    """Each column needs its own rule: swapping them breaks the reproduction."""
    exact_100 = {s.municipality: s.amount_eur_cents for s in share_amount(100_000, POP, "exact")}
    assert exact_100["Viitasaari"] != Decimal("32200.00")
    rounded_65 = {s.municipality: s.amount_eur_cents
                  for s in share_amount(65_000, POP, "rounded_percent", 1)}
    assert rounded_65["Viitasaari"] != Decimal("20925.89")


def test_rounded_shares_sum_to_100_1_percent_and_the_residual_is_reported():
    shares = share_amount(100_000, POP, "rounded_percent", 1)
    assert sum(s.percent_used for s in shares) == Decimal("100.1")
    assert sum(s.amount_eur_cents for s in shares) == Decimal("100100.00")
    res = compute_sharing(load_sharing_file(EXAMPLE))
    checks = "\n".join(res.checks())
    assert "100.00 EUR more than the fund 100,000.00 EUR" in checks
    assert "published development_fund: all 7 amounts match" in checks
    assert "published regional_coordination: all 7 amounts match" in checks
    assert "published total: all 7 amounts match" in checks


def test_exact_shares_cents_add_up_within_a_cent():
    shares = share_amount(65_000, POP, "exact")
    assert sum(s.amount_eur for s in shares) == Decimal("65000")  # unrounded: exact
    assert sum(s.amount_eur_cents for s in shares) == Decimal("65000.01")  # one cent from rounding


def test_largest_remainder_sums_to_exactly_100_percent():
    shares = share_amount(100_000, POP, "rounded_percent_largest_remainder", 1)
    assert sum(s.percent_used for s in shares) == Decimal("100.0")
    assert sum(s.amount_eur_cents for s in shares) == Decimal("100000.00")


def test_region_data_holds_the_appendix_populations():
    region = load_region()
    assert weights_for_key(region, "population_2022_12_31", list(POP)) == {m: float(v) for m, v in POP.items()}


def test_population_key_for_all_13_municipalities_is_refused():
    with pytest.raises(InputError, match="not known"):
        weights_for_key(load_region(), "population_2022_12_31")


def test_other_keys_and_given_weights():
    region = load_region()
    lf = weights_for_key(region, "labour_force_2019")
    assert len(lf) == 13 and lf["Laukaa"] == 8518
    assert weights_for_key(region, "use_of_services", ["Kinnula", "Kivijärvi"], {"Kinnula": 3, "Kivijärvi": 1}) \
        == {"Kinnula": 3.0, "Kivijärvi": 1.0}
    s = share_amount(1000, {"a": 3, "b": 1})
    assert [x.amount_eur for x in s] == [Decimal(750), Decimal(250)]


def test_changing_the_fund_changes_the_shares(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("amount_eur = 65_000.0", "amount_eur = 130_000.0")
    p = tmp_path / "fund.toml"
    p.write_text(text, encoding="utf-8")
    t = compute_sharing(load_sharing_file(p)).table().set_index("municipality")
    assert t.loc["Viitasaari", "regional_coordination_eur"] == pytest.approx(2 * 20925.89, abs=0.011)


def test_bad_sharing_file_names_file_and_key(tmp_path, capsys):
    p = tmp_path / "bad.toml"
    p.write_text(EXAMPLE.read_text(encoding="utf-8").replace('rounding = "exact"', 'rounding = "nearest"'),
                 encoding="utf-8")
    assert main(["budget", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert str(p) in err and "funds.1.rounding" in err


def test_cli_prints_the_appendix_table(capsys):
    assert main(["budget", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Viitasaari" in out and "32,200.00" in out and "20,925.89" in out and "53,125.89" in out
    assert "rounded half up to 1 decimal" in out and "exact shares" in out
    assert main(["budget", str(EXAMPLE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["municipality"]: r for r in data["rows"]}
    assert rows["Viitasaari"]["total_eur"] == 53125.89
    assert main(["budget", str(EXAMPLE), "--format", "csv"]) == 0
    assert "Kivijärvi" in capsys.readouterr().out
