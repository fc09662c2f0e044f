"""Issue 18: differences where people read them, Finnish-first, Excel-safe, honest intervals.

Uses the same kind of small folder as test_report (baseline + adjust_staff from the model,
0.1 years, 2 replications, the same seed) plus synthetic benefit columns, so the municipal
benefit share and its paired differences exist.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from simulation.cli.main import main
from simulation.experiments.compare import municipality_kpis, paired_differences
from simulation.experiments.runner import run_scenario
from simulation.report import build_report
from simulation.report.csv_excel import excel_csv
from simulation.report.labels import SHEETS, item_label
from simulation.report.tables import collect
from simulation.scenario.config import load_scenario
from simulation.tables.kpis import mean_ci, mean_ci_bounded
from simulation.tables.store import read_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("i18")
    short = {"run": {"years": 0.1}}
    for name in ("baseline", "adjust_purchases"):
        run_scenario(load_scenario(ROOT / "scenarios" / f"{name}.toml", short), reps=2, out=out, progress=False)
    return out


@pytest.fixture(scope="module")
def fi(folder):
    return build_report(folder, ["html", "xlsx"], "fi", folder / "rep")


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.cells: list[str] = []
        self._skip = False
        self._cell = False

    def handle_starttag(self, tag, attrs):
        self._skip = tag in ("style", "script")
        self._cell = tag in ("td", "th")
        for k, v in attrs:
            if k == "alt" and v:
                self.text.append(v)

    def handle_endtag(self, tag):
        self._skip = False
        self._cell = False

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())
            if self._cell:
                self.cells.append(data.strip())


def _sheet(path: Path, key: str, lang: str = "fi") -> pd.DataFrame:
    ws = openpyxl.load_workbook(path)[SHEETS[lang][key]]
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_finnish_html_visible_text_has_no_english_ids(fi):
    p = _Visible()
    p.feed(fi.html.read_text(encoding="utf-8"))
    text = "\n".join(p.text)
    for ident in ("stock_mean", "late_meetings", "customer_service:", "service:", "_eur", "label_fi",
                  "wage_subsidy", "municipal_share_schedule", "labour_force_2019", "places x 12"):
        assert ident not in text, ident
    # payer words: no cell says municipal / state / total / area
    assert not {"municipal", "state", "total", "area", "wellbeing_county", "outside_frame"} & set(p.cells)
    assert "Keskeiset havainnot" in text and "Erot perusvaihtoehtoon" in text


def test_two_replications_warn_in_report_and_commands(fi, folder, capsys):
    html = fi.html.read_text(encoding="utf-8")
    assert 'class="warn"' in html and "Vain 2 toistoa" in html and "--reps auto" in html
    about = _sheet(fi.xlsx, "about")
    assert about.iloc[:, 1].str.contains("Vain 2 toistoa").any()
    assert main(["report", str(folder), "--format", "xlsx", "--out", str(folder / "rep2")]) == 0
    assert "Vain 2 toistoa" in capsys.readouterr().err
    assert main(["compare", str(folder), "--lang", "fi"]) == 0
    assert "Vain 2 toistoa" in capsys.readouterr().err
    assert main(["compare", str(folder)]) == 0
    assert "only 2 paired replications" in capsys.readouterr().err


def test_differences_sheet_equals_hand_paired_differences(fi, folder):
    d = _sheet(fi.xlsx, "differences")
    # by municipality: the municipal benefit share (synthetic or simulated), replication k against k
    mb, ma = (municipality_kpis(read_table(folder / n, "monthly")) for n in ("baseline", "adjust_purchases"))
    pairs = ma.merge(mb, on=["replication", "year", "municipality"], suffixes=("", "_b"))
    muni = "Laukaa"
    g = pairs[pairs.municipality == muni]
    diff = (g["late_meetings"] - g["late_meetings_b"]).to_numpy(float)
    mean, _sd, lo, hi = mean_ci(diff)
    row = d[(d["Kunta"] == muni) & (d["Tunnusluku"] == "Lakisääteiset tapaamiset, määräaika ylittyi")]
    assert len(row) == 1
    assert row["Ero"].iloc[0] == pytest.approx(mean)
    assert row["Ero, 95 % lv. alaraja"].iloc[0] == pytest.approx(lo)
    assert row["Ero, 95 % lv. yläraja"].iloc[0] == pytest.approx(hi)
    clear = bool(lo > 0 or hi < 0)
    assert row["Selvä ero"].iloc[0] == ("selvä" if clear else "ei selvä")
    # the area row is there too, and the same pairing as paired_differences
    area = d[(d["Kunta"] == "Alue yhteensä") & (d["Tunnusluku"] == "Työttömät, kuukausikeskiarvo")]
    assert len(area) == 1


def test_options_sheet_cost_gap_and_municipal_share_beside_the_baseline(fi, folder):
    o = _sheet(fi.xlsx, "options")
    assert {"Alue yhteensä", "Laukaa", "Kannonkoski"} <= set(o["Kunta"])
    for _, r in o.iterrows():      # the differences are worked out: nothing to subtract
        assert r["Kustannus, ero, €"] == pytest.approx(
            r["Kustannus, vaihtoehto, €"] - r["Kustannus, perusvaihtoehto, €"])
        assert r["Erotus kehykseen, ero, €"] == pytest.approx(
            r["Erotus kehykseen, vaihtoehto, €"] - r["Erotus kehykseen, perusvaihtoehto, €"])
    # the municipal benefit share difference: hand-paired, annualised like the municipalities sheet
    months = read_table(folder / "baseline", "monthly")["month"].nunique()
    per = {}
    for n in ("baseline", "adjust_purchases"):
        m = read_table(folder / n, "monthly")
        per[n] = m[m.municipality == "Laukaa"].groupby("replication")["benefit_cost_municipal_eur"].sum() * 12 / months
    mean, _sd, lo, hi = mean_ci((per["adjust_purchases"] - per["baseline"]).to_numpy(float))
    r = o[o["Kunta"] == "Laukaa"].iloc[0]
    assert r["Kuntien työttömyysturvaosuus, ero, €/v"] == pytest.approx(mean)
    assert r["Työttömyysturvaosuuden ero, 95 % lv. alaraja"] == pytest.approx(lo)
    assert r["Työttömyysturvaosuuden ero, 95 % lv. yläraja"] == pytest.approx(hi)
    assert r["Kuntien työttömyysturvaosuus, perusvaihtoehto, €/v"] == pytest.approx(per["baseline"].mean())


def test_non_negative_intervals_never_below_zero(folder):
    rd = collect(folder)
    k = rd.tables["kpis"]
    assert (k["ci95_lo"].dropna() >= 0).all()
    shares = k[k.kpi.str.endswith("_share")]
    assert (shares["ci95_hi"].dropna() <= 1).all()
    for key, col in (("benefits", "ci95_lo"), ("stock_by_hub_ci", "ci95_lo"),
                     ("municipalities", "benefit_municipal_eur_ci95_lo"), ("services", "simulated_cost_eur_ci95_lo")):
        t = rd.tables[key]
        if col in t:
            assert (t[col].dropna() >= 0).all(), key
    # the helper: a t-interval that would go negative is clipped and says so
    mean, _sd, lo, hi, clipped = mean_ci_bounded([0.0, 10.0])
    assert lo == 0.0 and clipped and hi > mean
    _m, _s, lo2, hi2, c2 = mean_ci_bounded([0.2, 0.9], 0.0, 1.0)
    assert lo2 == 0.0 and hi2 == 1.0 and c2


def test_formula_like_text_is_stored_as_text_in_the_workbook(folder, tmp_path):
    import shutil
    dst = tmp_path / "f"
    shutil.copytree(folder, dst, ignore=shutil.ignore_patterns("rep"))
    rd = collect(dst)
    rd.tables["scenarios"].loc[0, "notes"] = "=2+3"
    rd.tables["scenarios"].loc[1, "file"] = "@SUM(A1:A2)"
    from simulation.report.xlsx import write_xlsx
    path = write_xlsx(rd, tmp_path / "w.xlsx", "fi")
    ws = openpyxl.load_workbook(path)[SHEETS["fi"]["scenarios"]]
    cells = [c for row in ws.iter_rows() for c in row if c.value in ("=2+3", "@SUM(A1:A2)")]
    assert len(cells) == 2
    assert all(c.data_type == "s" for c in cells)


def test_excel_csv_semicolons_decimal_comma_bom_and_text_safety():
    text = excel_csv(pd.DataFrame({"nimi": ["=2+3", "Laukaa"], "arvo": [1234.5, -0.25]}))
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[0] == "nimi;arvo"
    assert lines[1] == "'=2+3;1234,5" and lines[2] == "Laukaa;-0,25"


def test_compare_and_budget_excel_csv_in_finnish(folder, capsys):
    assert main(["compare", str(folder), "--format", "csv", "--excel", "--lang", "fi", "--by", "municipality"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")
    df = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), sep=";", decimal=",")
    assert "Kunta" in df.columns and "Selvä ero" in df.columns
    assert "stock_mean" not in out and "Työttömät, kuukausikeskiarvo" in out
    assert re.search(r";-?\d+,\d+", out)                       # decimal commas
    assert main(["budget", str(ROOT / "scenarios" / "baseline.toml"), "--format", "csv", "--excel",
                 "--lang", "fi"]) == 0
    b = capsys.readouterr().out
    assert b.startswith("\ufeff") and "Asiakaspalvelu, Laukaa" in b and "customer_service:" not in b
    assert "Kustannus, €;" in b and re.search(r";\d+,\d+", b)
    # the machine CSV keeps ids, commas and decimal points
    assert main(["compare", str(folder), "--format", "csv"]) == 0
    assert "stock_mean" in capsys.readouterr().out


def test_budget_table_in_finnish(capsys):
    assert main(["budget", str(ROOT / "scenarios" / "baseline.toml"), "--lang", "fi"]) == 0
    out = capsys.readouterr().out
    assert "Asiakaspalvelu, Laukaa" in out and "Valmennus" in out and "kehys" in out
    assert "customer_service:" not in out and "service:" not in out


def test_item_labels():
    assert item_label("fi", "customer_service:Laukaa") == "Asiakaspalvelu, Laukaa"
    assert item_label("fi", "service:coaching", {"coaching": "Valmennus"}) == "Valmennus"
    assert item_label("en", "service:coaching") == "Coaching"


def test_per_municipality_paired_differences_match_hand_pairing(folder):
    from simulation.experiments.compare import compare_by_municipality
    df, _notes = compare_by_municipality(folder, "baseline")
    assert df["year"].dtype.kind == "i" and "municipality" in df
    a = municipality_kpis(read_table(folder / "adjust_purchases", "monthly"))
    b = municipality_kpis(read_table(folder / "baseline", "monthly"))
    p = a.merge(b, on=["replication", "year", "municipality"], suffixes=("", "_b"))
    g = p[p.municipality == "Äänekoski"]
    want = mean_ci((g["stock_mean"] - g["stock_mean_b"]).to_numpy(float))
    r = df[(df.municipality == "Äänekoski") & (df.kpi == "stock_mean")].iloc[0]
    assert (r.diff_mean, r.diff_ci95_lo, r.diff_ci95_hi) == pytest.approx(want[0:1] + want[2:4])
    # paired_differences without `by` is unchanged (the area)
    assert "municipality" not in paired_differences(pd.concat([a.assign(scenario="x"), b.assign(scenario="y")]),
                                                    "y", ["stock_mean"]).columns
    assert np.isfinite(r.diff_mean)
