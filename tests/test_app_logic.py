"""The scenario page's logic without Streamlit (simulation/app: levers, runs, results, texts).

Levers → an edited scenario (one lever at a time and together), validation errors keyed by
the control they belong to (in words, Finnish for the common ones), the scenario written
back as TOML and loaded to the same resolved scenario, an upload with a relative
``extends``, a small real run in the worker process (2 replications, half a year) with the
page's tables, the comparison, the downloads, cancelling a run, and the command `serve` runs.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest

import simulation as ts
from simulation.app import levers as L
from simulation.app import results as Q
from simulation.app import runs as R
from simulation.app.texts import TEXTS, reason_in, t

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def base() -> ts.Scenario:
    return ts.load_scenario(SCENARIOS / "baseline.toml")


def test_texts_have_both_languages():
    assert set(TEXTS["fi"]) == set(TEXTS["en"])
    assert t("fi", "staff_fte", hub="Laukaa") == "Laukaa: asiakaspalvelu, htv"
    assert t("en", "staff_fte", hub="Laukaa") == "Laukaa: customer service, FTE"


def test_list_scenarios_baseline_first_and_skips_non_scenarios(tmp_path):
    files, skipped = L.list_scenarios(SCENARIOS)
    names = [f.name for f in files]
    assert names[0] == "baseline" and "adjust_staff" in names
    (tmp_path / "part.toml").write_text('name = "part"\n', encoding="utf-8")
    files, skipped = L.list_scenarios(tmp_path)
    assert files == [] and "part.toml" in skipped


def test_levers_of_baseline(base):
    lv = L.levers_of(base)
    assert lv.name == "baseline_edited"
    assert set(lv.staff_fte_by_hub) == {"Äänekoski", "Laukaa", "Saarijärvi", "Viitasaari"}
    assert sum(lv.staff_fte_by_hub.values()) == pytest.approx(base.staff.customer_service_fte_total)
    assert lv.capacity["coaching"] == ("places", base.services["coaching"].places)
    assert lv.capacity["wage_subsidy_company"][0] == "target_share_of_broad_unemployment"
    assert lv.any_hub_share == base.meetings.any_hub_share
    assert lv.absence_share == base.staff.absence_share
    assert lv.absence_month_factors == list(base.staff.absence_month_factors)
    assert lv.years == base.run.years


def test_unchanged_levers_give_the_base_scenario_renamed(base):
    built = L.build_scenario(base, L.levers_of(base))
    assert built.ok and built.changed == []
    got = built.scenario.resolved_dict()
    want = base.resolved_dict()
    assert got.pop("name") == "baseline_edited" and want.pop("name") == "baseline"
    assert got == want


def test_staff_levers_change_their_hubs_only(base):
    lv = L.levers_of(base)
    was = dict(lv.staff_fte_by_hub)
    lv.staff_fte_by_hub["Laukaa"] += 2
    lv.staff_fte_by_hub["Viitasaari"] = 5.0
    built = L.build_scenario(base, lv)
    assert built.ok, built.errors
    got = built.scenario.staff_by_hub()
    assert got["Laukaa"] == pytest.approx(was["Laukaa"] + 2)
    assert got["Viitasaari"] == 5.0
    assert got["Äänekoski"] == pytest.approx(was["Äänekoski"])
    assert got["Saarijärvi"] == pytest.approx(was["Saarijärvi"])
    # the same as the API's own lever
    api = ts.with_staff(base, "Laukaa", add_fte=2).staff_by_hub()["Laukaa"]
    assert got["Laukaa"] == pytest.approx(api)


def test_service_meeting_absence_and_horizon_levers(base):
    lv = L.levers_of(base)
    lv.capacity["coaching"] = ("places", 300.0)
    lv.capacity["wage_subsidy_company"] = ("target_share_of_broad_unemployment", 0.03)
    lv.any_hub_share = 0.25
    lv.absence_share = 0.10
    lv.absence_month_factors = None
    lv.years = 1.0
    lv.name = "my_option"
    built = L.build_scenario(base, lv)
    assert built.ok, built.errors
    sc = built.scenario
    assert sc.name == "my_option"
    assert sc.services["coaching"].places == 300.0
    assert sc.services["wage_subsidy_company"].target_share_of_broad_unemployment == 0.03
    assert sc.meetings.any_hub_share == 0.25
    assert sc.staff.absence_share == 0.10 and sc.staff.absence_month_factors is None
    assert sc.run.years == 1.0
    assert set(built.changed) == {
        "services.coaching.places",
        "services.wage_subsidy_company.target_share_of_broad_unemployment",
        L.ANY_HUB,
        L.ABSENCE_SHARE,
        L.ABSENCE_FACTORS,
        L.YEARS,
    }
    assert sc.run.seed == base.run.seed  # common random numbers with the base


def _with(base: ts.Scenario, **change) -> L.Levers:
    lv = L.levers_of(base)
    for k, v in change.items():
        if k == "laukaa":
            lv.staff_fte_by_hub["Laukaa"] = v
        elif k == "coaching":
            lv.capacity["coaching"] = ("places", v)
        else:
            setattr(lv, k, v)
    return lv


@pytest.mark.parametrize(
    "change, control, words",
    [
        ({"laukaa": -1.0}, "staff.customer_service_fte_by_hub.Laukaa", "negative"),
        ({"absence_month_factors": [1.5] * 12}, L.ABSENCE_FACTORS, "average 1"),
        ({"absence_share": 0.3}, L.ABSENCE_SHARE, "cannot exceed 1"),
        ({"coaching": 10.0}, "services.coaching.places", "places"),
        ({"coaching": -5.0}, "services.coaching.places", "greater than or equal to 0"),
        ({"any_hub_share": 1.5}, L.ANY_HUB, "less than or equal to 1"),
        ({"years": 0.0}, L.YEARS, "greater than or equal to"),
        ({"name": ""}, L.NAME, "at least 1 character"),
        ({"name": "my option/2"}, L.NAME, "letters, digits"),
    ],
)
def test_validation_error_is_in_words_at_its_control(base, change, control, words):
    built = L.build_scenario(base, _with(base, **change))
    assert built.scenario is None and not built.ok
    assert control in built.errors, built.errors
    assert words in built.errors[control]


def test_every_wrong_control_says_so_at_once(base):
    built = L.build_scenario(base, _with(base, laukaa=-2.0, any_hub_share=2.0, coaching=10.0))
    assert {
        "staff.customer_service_fte_by_hub.Laukaa",
        L.ANY_HUB,
        "services.coaching.places",
    } <= set(built.errors)


def test_reasons_in_finnish():
    assert (
        reason_in("fi", "staff cannot be negative (got -1.0)")
        == "henkilöstö ei voi olla negatiivinen (annettu -1.0)"
    )
    assert "keskiarvon" in reason_in("fi", "absence factors must average 1 (they average 1.5000)")
    assert (
        reason_in("en", "staff cannot be negative (got -1.0)")
        == "staff cannot be negative (got -1.0)"
    )
    assert reason_in("fi", "something new") == "something new"  # never hidden


def test_control_of_maps_scenario_keys_to_controls():
    controls = [
        "staff.customer_service_fte_by_hub.Laukaa",
        "services.coaching.places",
        L.ABSENCE_FACTORS,
    ]
    assert L.control_of("staff.absence_month_factors[3]", controls) == L.ABSENCE_FACTORS
    assert (
        L.control_of("start_state.service_participants.coaching", controls)
        == "services.coaching.places"
    )
    assert L.control_of("services.coaching", controls) == "services.coaching.places"
    assert L.control_of("inflow.scale", controls) == L.GENERAL
    assert L.control_of(None, controls) == L.GENERAL


def test_scenario_toml_loads_back_to_the_same_scenario(base, tmp_path):
    lv = _with(base, laukaa=9.5, coaching=260.0)
    sc = L.build_scenario(base, lv).scenario
    text = L.scenario_toml(sc, "first line\nsecond line")
    assert text.startswith("# first line\n# second line\n")
    assert "extends" not in text
    f = tmp_path / "edited.toml"
    f.write_text(text, encoding="utf-8")
    assert ts.load_scenario(f).resolved_dict() == sc.resolved_dict()


def test_upload_with_relative_extends_reads_the_scenarios_folder(tmp_path):
    text = (
        'extends = "baseline.toml"\nname = "uploaded_option"\n\n[staff]\nspecialists_fte = 17.0\n'
    )
    sc = L.load_uploaded(text.encode("utf-8"), "my option.toml", SCENARIOS, tmp_path / "up")
    assert sc.name == "uploaded_option" and sc.staff.specialists_fte == 17.0
    assert sc.staff_by_hub() == ts.load_scenario(SCENARIOS / "baseline.toml").staff_by_hub()
    with pytest.raises(ts.InputError, match="TOML syntax error"):
        L.load_uploaded(b"name = = 1", "bad.toml", SCENARIOS, tmp_path / "up2")
    with pytest.raises(ts.InputError, match="unknown key"):
        L.load_uploaded(
            b'extends = "baseline.toml"\n[staff]\nnonsense = 1.0\n',
            "x.toml",
            SCENARIOS,
            tmp_path / "up3",
        )


# ---------------------------------------------------------------------------------------
# a small real run


@pytest.fixture(scope="module")
def small_run(base, tmp_path_factory):
    short = base.with_overrides({"run": {"years": 0.5}})
    lv = L.levers_of(short)
    lv.staff_fte_by_hub["Laukaa"] += 2
    edited = L.build_scenario(short, lv).scenario
    run_dir = R.new_run_dir(tmp_path_factory.mktemp("app-runs"))
    t0 = time.monotonic()
    h = R.start_run([short, edited], reps=2, run_dir=run_dir, workers=2)
    status = h.wait(timeout=300)
    return h, status, time.monotonic() - t0, edited


def test_small_run_finishes_in_the_worker(small_run):
    h, status, seconds, edited = small_run
    assert status["state"] == "done", (status, h.log_tail())
    assert h.progress() == (4, 4)
    assert status["names"] == ["baseline", "baseline_edited"]
    # the scenario files it ran load to the scenarios it was given
    assert (
        ts.load_scenario(h.scenario_file("baseline_edited")).resolved_dict()
        == edited.resolved_dict()
    )
    # the usual batch folder: the API reads it
    b = ts.load_batch(h.results_dir)
    assert b.names == ["baseline", "baseline_edited"]
    assert sorted(b.done["baseline_edited"]) == [0, 1]
    print(f"2 scenarios x 2 replications x 0.5 years: {seconds:.1f} s")


def test_small_run_tables_for_the_page(small_run):
    h, _status, _s, _e = small_run
    res = Q.collect_results(h.results_dir)
    assert res.names == ["baseline", "baseline_edited"] and res.baseline == "baseline"
    assert res.replications == {"baseline": 2, "baseline_edited": 2}
    k = Q.kpi_table(res, "baseline_edited", "fi")
    assert list(k.columns) == ["2025"]
    assert "Työttömät, kuukausikeskiarvo" in k.index
    assert all("[" in v for v in k["2025"] if v != "–")  # mean [95 % CI]
    k_en = Q.kpi_table(res, "baseline_edited", "en")
    assert "Unemployed, monthly mean" in k_en.index
    late = res.late_by_month
    assert sorted(late["month"].unique()) == [f"2025-0{m}" for m in range(1, 7)]
    assert set(late["type"]) == {"initial", "job_search", "total"}
    tot = late[late["type"] == "total"].set_index(["scenario", "month"])["mean"]
    parts = late[late["type"] != "total"].groupby(["scenario", "month"])["mean"].sum()
    assert tot.sort_index().to_numpy() == pytest.approx(parts.sort_index().to_numpy())
    stock = Q.stock_chart_data(res, "baseline_edited")
    assert (
        set(stock["hub"]) == {"Äänekoski", "Laukaa", "Saarijärvi", "Viitasaari"}
        and len(stock) == 4 * 6
    )
    b = Q.benefits_table(res, "fi")
    assert set(b["Maksaja"]) == {"Kunnat", "Valtio ja rahastot", "Yhteensä"}
    m = Q.municipality_table(res, "baseline_edited", "fi")
    assert len(m) == 13 and "Laukaa" in set(m["Kunta"])
    g = Q.budget_table(res, "en")
    assert list(g["Scenario"]) == ["baseline", "baseline_edited"]
    # two more FTE at the cost per FTE: the edited option costs that much more
    cost = res.budget.set_index("scenario")["cost_eur"]
    per_fte = ts.load_scenario(h.scenario_file("baseline")).staff.cost_per_fte_eur
    assert cost["baseline_edited"] - cost["baseline"] == pytest.approx(2 * per_fte)


def test_small_run_compared_with_the_baseline(small_run):
    h, _status, _s, _e = small_run
    diff = Q.differences(h.results_dir, "baseline", "area")
    assert set(diff["scenario"]) == {"baseline_edited"}
    assert {"stock_mean", "late_meetings", "benefit_cost_municipal_eur"} <= set(diff["kpi"])
    assert (diff["n"] == 2).all()
    table = Q.differences_table(diff, "fi")
    assert {"Skenaario", "Tunnusluku", "Ero", "95 %:n lv.", "Selvä ero"} <= set(table.columns)
    by_m = Q.differences_table(Q.differences(h.results_dir, "baseline", "municipality"), "en")
    assert "Laukaa" in set(by_m["Municipality"])


def test_small_run_downloads(small_run, tmp_path):
    import openpyxl

    h, _status, _s, _e = small_run
    z = zipfile.ZipFile(io.BytesIO(R.results_zip(h.results_dir)))
    names = z.namelist()
    top = names[0].split("/")[0]
    assert f"{top}/batch.json" in names
    assert f"{top}/baseline_edited/manifest.json" in names
    assert any(n.startswith(f"{top}/baseline/monthly/rep-") for n in names)
    manifest = json.loads(z.read(f"{top}/baseline_edited/manifest.json"))
    assert manifest["scenario"] == "baseline_edited"
    xlsx = tmp_path / "w.xlsx"
    xlsx.write_bytes(R.workbook_bytes(h.results_dir, "fi", out=tmp_path / "report"))
    wb = openpyxl.load_workbook(xlsx)
    assert "Erot perusvaihtoehtoon" in wb.sheetnames


def test_cancel_stops_the_worker(base, tmp_path):
    h = R.start_run(
        [base.with_overrides({"run": {"years": 3.0}})],
        reps=4,
        run_dir=R.new_run_dir(tmp_path),
        workers=1,
    )
    time.sleep(1.0)
    h.cancel()
    assert h.process.poll() is not None
    assert h.status()["state"] == "cancelled"


def test_start_run_refuses_duplicate_names(base, tmp_path):
    with pytest.raises(ts.InputError, match="same name"):
        R.start_run([base, base], reps=1, run_dir=tmp_path / "r")


def test_same_seed_gives_common_random_numbers(base):
    other = base.with_overrides({"run": {"seed": 7}}, name="other")
    a, b = R.same_seed([base, other])
    assert a is base and b.run.seed == base.run.seed


def test_serve_runs_streamlit_on_loopback(monkeypatch, tmp_path):
    import simulation.app as app

    seen = {}

    class FakePopen:
        def __init__(self, cmd, env=None, **kw):
            seen["cmd"], seen["env"] = cmd, env

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(app.subprocess, "Popen", FakePopen)
    assert app.serve(port=8765, scenarios_dir=SCENARIOS, results_dir=tmp_path) == 0
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(app.PAGE)
    opts = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert opts["--server.address"] == "127.0.0.1" and opts["--server.port"] == "8765"
    assert opts["--server.headless"] == "true" and opts["--browser.gatherUsageStats"] == "false"
    assert seen["env"]["TYOSIM_SCENARIOS"] == str(SCENARIOS.resolve())
    assert seen["env"]["TYOSIM_APP_RESULTS"] == str(tmp_path.resolve())


def test_a_name_that_looks_like_a_path_stays_inside_the_run_folder(tmp_path):
    """The page's name control is a label: '../../escaped' writes no file outside the run folder."""
    from simulation.app import runs

    base = ts.load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml")
    evil = base.with_overrides({"run": {"years": 0.1}}, name="../../escaped")
    run_dir = tmp_path / "a" / "b" / "run"
    handle = runs.start_run([evil], reps=1, run_dir=run_dir, workers=1)
    handle.cancel()
    written = list(tmp_path.rglob("*.toml"))
    assert written and all(run_dir in p.parents for p in written), written
    assert handle.scenario_file(evil.name).parent == run_dir / "scenarios"
