"""Reports (simulation/report/): HTML page and Excel workbook from a small results folder.

The folder is made by the model itself on a short horizon (0.1 years, 2 replications, two
scenarios), in the layout `tyosim run --out` writes. One scenario carries HTML in its
description and notes, to check escaping. The benefit-cost columns, which the model adds in
another issue, are also added synthetically to a copy, to check both "not available" and
their pick-up.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from simulation.cli.main import main
from simulation.experiments.runner import run_scenario
from simulation.money.budget import compute_budget
from simulation.report import build_report
from simulation.report.labels import SHEETS, fmt_number
from simulation.scenario.config import load_scenario
from simulation.tables.store import read_table

ROOT = Path(__file__).resolve().parents[1]
EVIL = '<script>alert("x")</script> & <b>bold</b>'
#: what people read for each scenario (adjust_staff's description is edited: it keeps its name)
TITLE_FI = {"baseline": "Perusvaihtoehto", "adjust_staff": "adjust_staff"}
TITLE_EN = {"baseline": "Baseline", "adjust_staff": "adjust_staff"}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    """baseline and "adjust_staff" from the model (0.1 years, 2 replications, the same seed).

    adjust_staff carries HTML in its description and notes (escaping); 2 replications are
    too few for a 95 % interval, so the report must warn.
    """
    out = tmp_path_factory.mktemp("results")
    short = {"run": {"years": 0.1}}
    run_scenario(load_scenario(ROOT / "scenarios" / "baseline.toml", short), reps=2, out=out, progress=False)
    evil = load_scenario(ROOT / "scenarios" / "adjust_staff.toml",
                         {**short, "description": EVIL, "notes": {"why": EVIL}})
    run_scenario(evil, reps=2, out=out, progress=False)
    return out


def _copy_results(results: Path, dst: Path, benefits: bool) -> Path:
    """A copy of the results whose monthly tables have (or lack) the benefit-cost columns."""
    shutil.copytree(results, dst, ignore=shutil.ignore_patterns("report"))
    for f in dst.glob("*/monthly/rep-*.parquet"):
        df = pd.read_parquet(f)
        if benefits and "benefit_cost_eur" not in df:
            df["benefit_cost_eur"] = df["stock_end"] * 800.0 + df["replication"]
            df["benefit_cost_municipal_eur"] = df["stock_end"] * 120.0 + df["replication"]
        if not benefits:
            df = df.drop(columns=[c for c in df if c.startswith("benefit_cost")])
        df.to_parquet(f)
    return dst


@pytest.fixture(scope="module")
def with_benefits(results, tmp_path_factory) -> Path:
    return _copy_results(results, tmp_path_factory.mktemp("benefits") / "res", benefits=True)


@pytest.fixture(scope="module")
def without_benefits(results, tmp_path_factory) -> Path:
    return _copy_results(results, tmp_path_factory.mktemp("nobenefits") / "res", benefits=False)


@pytest.fixture(scope="module")
def report_fi(results):
    return build_report(results, ["html", "xlsx"], "fi")


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[str] = []
        self.refs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        if tag == "script":
            self.scripts += 1
        for k in ("src", "href"):
            if a.get(k):
                self.refs.append(a[k])


def test_html_is_self_contained_with_figures(report_fi):
    html = report_fi.html.read_text(encoding="utf-8")
    p = _Refs()
    p.feed(html)
    assert len(p.imgs) >= 3                                   # stock by hub, late meetings, budget gap
    assert all(s.startswith("data:image/png;base64,") for s in p.imgs)
    assert all(r.startswith(("data:", "#")) for r in p.refs), p.refs
    assert p.scripts == 0
    assert report_fi.html.parent == report_fi.xlsx.parent
    assert all(f.exists() and f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in report_fi.figures)


def test_scenario_text_is_escaped(report_fi):
    html = report_fi.html.read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.slow
def test_html_in_finnish_and_english(results, report_fi):
    fi = report_fi.html.read_text(encoding="utf-8")
    assert 'lang="fi"' in fi and "Talousarvio" in fi and "Työttömät toimipisteittäin" in fi
    assert "7\u00a0930\u00a0141" in fi                        # baseline cost, Finnish grouping
    en = build_report(results, ["html"], "en").html.read_text(encoding="utf-8")
    assert 'lang="en"' in en and "Budget" in en and "7,930,141" in en
    assert "Talousarvio" not in en


@pytest.mark.slow
def test_benefits_not_available_then_picked_up(without_benefits, with_benefits):
    fi = build_report(without_benefits, ["html"], "fi").html.read_text(encoding="utf-8")
    assert "Työttömyysturvan kustannukset: ei saatavilla" in fi
    assert fi.count("data:image/png;base64,") == 4            # stock, late, gap, differences
    files = build_report(with_benefits, ["html", "xlsx"], "en")
    en = files.html.read_text(encoding="utf-8")
    assert "not available (the result tables have no benefit_cost_eur" not in en
    assert en.count("data:image/png;base64,") == 7   # + by payer, municipal share, its differences
    wb = openpyxl.load_workbook(files.xlsx)
    ws = wb[SHEETS["en"]["benefits"]]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, [c.value for c in r], strict=False)) for r in ws.iter_rows(min_row=2)]
    monthly = read_table(with_benefits / "baseline", "monthly")
    per_rep = monthly.groupby("replication")["benefit_cost_municipal_eur"].sum()
    got = [r for r in rows
           if r["Scenario"] == TITLE_EN["baseline"] and r["Payer"] == "Municipalities" and r["Year"] == 2025]
    assert got[0]["Mean"] == pytest.approx(per_rep.mean())


def test_workbook_sheets_numbers_and_finnish_formats(report_fi):
    wb = openpyxl.load_workbook(report_fi.xlsx)
    assert wb.sheetnames == [SHEETS["fi"][k] for k in ("about", "options", "differences", "scenarios",
                                                        "budget", "cost_items", "kpis",
                                                        "municipalities", "services", "benefits",
                                                        "stock_by_hub", "rules")]
    ws = wb[SHEETS["fi"]["budget"]]
    head = [c.value for c in ws[1]]
    assert head[:5] == ["Skenaario", "Vuosi", "Kustannus, €", "Kehys, €", "Erotus, €"]
    cost = ws.cell(row=2, column=3)
    assert cost.data_type == "n" and isinstance(cost.value, float)
    assert "€" in cost.number_format and "#,##0.00" in cost.number_format
    share = ws.cell(row=2, column=head.index("Erotus, osuus kehyksestä") + 1)
    assert share.number_format == "0.0\\ %"


def test_workbook_holds_the_parquet_numbers(results, report_fi):
    wb = openpyxl.load_workbook(report_fi.xlsx)
    ws = wb[SHEETS["fi"]["stock_by_hub"]]
    head = [c.value for c in ws[1]]
    sheet = pd.DataFrame([[c.value for c in r] for r in ws.iter_rows(min_row=2)], columns=head)
    for name in ("baseline", "adjust_staff"):
        monthly = read_table(results / name, "monthly")
        want = monthly.groupby(["replication", "month", "hub"])["stock_end"].sum()
        got = sheet[sheet["Skenaario"] == TITLE_FI[name]].set_index(["Toisto", "Kuukausi", "Toimipiste"])[
            "Työttömät kuun lopussa"]
        assert len(got) == len(want)
        assert np.array_equal(got.loc[want.index].to_numpy(), want.to_numpy())
        late = monthly.groupby(["replication", "month", "hub"])["initial_interviews_late"].sum()
        got_late = sheet[sheet["Skenaario"] == TITLE_FI[name]].set_index(["Toisto", "Kuukausi", "Toimipiste"])[
            "Myöhästyneet alkuhaastattelut"]
        assert np.array_equal(got_late.loc[late.index].to_numpy(), late.to_numpy())


def test_workbook_budget_matches_the_budget_model(results, report_fi):
    wb = openpyxl.load_workbook(report_fi.xlsx)
    ws = wb[SHEETS["fi"]["budget"]]
    head = [c.value for c in ws[1]]
    rows = {r[0].value: {h: c.value for h, c in zip(head, r, strict=False)} for r in ws.iter_rows(min_row=2)}
    for name in ("baseline", "adjust_staff"):
        sc = load_scenario(ROOT / "scenarios" / f"{name}.toml", {"run": {"years": 0.1}})
        t = compute_budget(sc).table.iloc[0]
        assert rows[TITLE_FI[name]]["Kustannus, €"] == pytest.approx(t.cost_eur)
        assert rows[TITLE_FI[name]]["Erotus, €"] == pytest.approx(t.gap_eur)
        services = read_table(results / name, "services")
        months = services["month"].nunique()
        # the area's part only: the wellbeing county's and the out-of-frame parts are memo lines
        from simulation.money.budget import area_cost_share
        share = services["service"].map(lambda s, sc=sc: area_cost_share(sc.services[s]))
        sim = (services["cost_eur"] * share).groupby(services["replication"]).sum().mean() * 12 / months
        assert rows[TITLE_FI[name]]["Simuloitu palvelukustannus, € vuositasolla"] == pytest.approx(sim)


def test_cli_report_and_bad_format(results, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", str(results / "baseline"), "--format", "xlsx", "--lang", "en",
                 "--out", str(out)]) == 0
    assert (out / "report_en.xlsx").exists() and not (out / "report_en.html").exists()
    capsys.readouterr()
    assert main(["report", str(results), "--format", "pdf"]) == 2
    assert "unknown format pdf" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing")]) == 2


def test_number_formats():
    assert fmt_number(1234567.891, "fi", 2) == "1\u00a0234\u00a0567,89"
    assert fmt_number(1234567.891, "en", 2) == "1,234,567.89"
    assert fmt_number(0.123, "fi", 1, percent=True) == "12,3\u00a0%"
    assert fmt_number(float("nan"), "fi") == "ei saatavilla"
    assert re.fullmatch(r"\u2212\d", fmt_number(-5, "fi"))
