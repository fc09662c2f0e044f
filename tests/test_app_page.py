"""The scenario page through Streamlit's own test client (`streamlit.testing.v1.AppTest`).

The script runs as a person's session would: Finnish by default and English on the switch,
a wrong value shows its reason under the control and blocks the run, Laukaa's staff changed
and a short run (2 replications, half a year) in the worker process shows the KPI table,
the other result tables, the paired differences against the baseline and the downloads;
a failed worker shows its message. The real browser check is tests/test_app_browser.py.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="the page needs Streamlit: pip install -e '.[app]'")
from streamlit.testing.v1 import AppTest  # noqa: E402

from simulation.app import PAGE  # noqa: E402
from simulation.app import runs as R  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LAUKAA_FI = "Laukaa: asiakaspalvelu, htv"


@pytest.fixture
def app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("TYOSIM_APP_RESULTS", str(tmp_path / "runs"))
    monkeypatch.setenv("TYOSIM_SCENARIOS", str(ROOT / "scenarios"))
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _number(at: AppTest, label: str):
    found = [w for w in at.number_input if w.label == label]
    assert found, [w.label for w in at.number_input]
    return found[0]


def _wait_for_run(at: AppTest, timeout_s: float = 240) -> None:
    end = time.monotonic() + timeout_s
    while "run" in at.session_state and time.monotonic() < end:
        time.sleep(0.5)
        at.run()
        assert not at.exception, at.exception
    assert "run" not in at.session_state, "the run did not finish in time"


def test_finnish_by_default_english_on_the_switch(app):
    assert app.title[0].value == "Työllisyysalueen skenaariot"
    assert _number(app, LAUKAA_FI).value == pytest.approx(7.4357, abs=1e-3)
    app.sidebar.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Employment area scenarios"
    assert _number(app, "Laukaa: customer service, FTE").value == pytest.approx(7.4357, abs=1e-3)
    assert [h.value for h in app.header][:2] == ["Levers", "Run"]


def test_wrong_value_shows_its_reason_and_blocks_the_run(app):
    _number(app, LAUKAA_FI).set_value(-1.0).run()
    errors = [e.value for e in app.error]
    assert any("henkilöstö ei voi olla negatiivinen" in e for e in errors), errors
    app.button(key="run_button").click().run()
    assert any("Korjaa ensin" in e.value for e in app.error)
    assert "run" not in app.session_state
    # the same in English, in the scenario's own words
    app.sidebar.radio(key="lang").set_value("en").run()
    assert any("staff cannot be negative" in e.value for e in app.error)


@pytest.mark.slow
def test_change_laukaa_run_see_kpis_and_compare(app):
    laukaa = _number(app, LAUKAA_FI)
    laukaa.set_value(laukaa.value + 2).run()
    assert not app.error
    _number(app, "Simuloitavat vuodet").set_value(0.5).run()
    app.number_input(key="reps").set_value(2).run()
    chosen = next(m for m in app.multiselect if m.label == "Vertailtavat skenaariot").value
    assert [f.name for f in chosen] == ["baseline"]  # compared with the baseline by default
    app.button(key="run_button").click().run()
    assert "run" in app.session_state
    _wait_for_run(app)
    assert "result" in app.session_state, [e.value for e in app.error]
    headers = [h.value for h in app.header]
    assert headers == ["Vivut", "Ajo", "Tulokset", "Vertailu", "Lataukset"]
    assert app.selectbox(key="show_scenario").value == "baseline_edited"
    kpis = app.dataframe[0].value
    assert "Työttömät, kuukausikeskiarvo" in kpis.index and "2025" in kpis.columns
    assert "[" in kpis.loc["Työttömät, kuukausikeskiarvo", "2025"]  # with its 95 % CI
    tables = [d.value for d in app.dataframe]
    diff = next(d for d in tables if "Selvä ero" in d.columns)
    assert set(diff["Skenaario"]) == {"baseline_edited"}
    staff = diff[diff["Tunnusluku"] == "Asiakaspalveluhenkilöstön kustannus, €"].iloc[0]
    assert staff["Ero"].startswith("+") and staff["Selvä ero"] == "kyllä"  # two more FTE cost more
    assert any("Kunta" in d.columns for d in tables)  # benefit share by municipality
    assert any("Erotus, €" in d.columns for d in tables)  # the budget gap
    # by municipality: Laukaa's own row
    app.radio(key="compare_by").set_value("municipality").run()
    diff = next(d.value for d in app.dataframe if "Selvä ero" in d.value.columns)
    assert "Laukaa" in set(diff["Kunta"])
    labels = [b.label for b in app.get("download_button")]
    assert {
        "Tuloskansio (zip)",
        "Työkirja (xlsx)",
        "Skenaariotiedosto (TOML): baseline_edited",
    } <= set(labels)


def test_failed_worker_shows_its_message(app, monkeypatch):
    def failing_start(scenarios, reps, run_dir=None, workers=None):
        d = R.new_run_dir()
        with open(d / R.LOG, "wb") as log:
            p = subprocess.Popen(
                [sys.executable, "-c", "print('no luck'); raise SystemExit(1)"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return R.RunHandle(d, [s.name for s in scenarios], reps, p, time.time())

    monkeypatch.setattr(R, "start_run", failing_start)
    app.button(key="run_button").click().run()
    _wait_for_run(app, 30)
    errors = [e.value for e in app.error]
    assert any(e.startswith("Ajo epäonnistui") and "no luck" in e for e in errors), errors


def test_another_scenario_starts_from_its_own_values(app):
    from simulation.app import levers as L

    _number(app, LAUKAA_FI).set_value(12.0).run()
    files, _ = L.list_scenarios(ROOT / "scenarios")
    staff = next(f for f in files if f.name == "adjust_staff")
    app.sidebar.selectbox(key="pick").set_value(staff).run()
    assert not app.exception, app.exception
    assert _number(app, LAUKAA_FI).value == pytest.approx(
        7.4357, abs=1e-3
    )  # not the 12 typed before
    assert app.text_input[0].value == "adjust_staff_edited"
    chosen = next(m for m in app.multiselect if m.label == "Vertailtavat skenaariot").value
    assert [f.name for f in chosen] == ["baseline"]
