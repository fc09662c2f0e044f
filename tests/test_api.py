"""The research API: one hub's staff changed without losing the others, batches that carry
their tables, paired differences per municipality (checked against a hand-paired
computation from the runs' own Parquet tables), integer years, the column dictionary
(checked against what a small run writes) and the notebook extra.

One small batch (baseline and +2 FTE at Laukaa, 2 years, 3 replications) is shared by the
module's tests.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulation as ts
from simulation.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
REAL = ROOT.parent / "shared" / "data" / "unemployed_monthly_area.csv"
REPS = 3


@pytest.fixture(scope="module")
def base():
    return ts.load_scenario(BASELINE, years=2)


@pytest.fixture(scope="module")
def laukaa(base, tmp_path_factory):
    """The Laukaa question in three lines of API (as a researcher would write it)."""
    out = tmp_path_factory.mktemp("batch")
    batch = ts.run_batch([base, base.with_staff("Laukaa", add_fte=2)], reps=REPS, out=out)
    answer = ts.compare(batch, by="municipality", years=2026, municipalities=["Laukaa", "Hankasalmi"],
                        kpis=["late_meetings", "late_meetings_share", "benefit_municipal_share"])
    return batch, answer


# ---------------------------------------------------------------------------------------
# with_staff

def test_with_staff_changes_one_hub_and_keeps_the_others(base):
    before = base.staff_by_hub()
    plus = base.with_staff("Laukaa", add_fte=2)
    after = plus.staff_by_hub()
    assert set(after) == set(before)
    assert after["Laukaa"] == pytest.approx(before["Laukaa"] + 2)
    for hub in before:
        if hub != "Laukaa":
            assert after[hub] == pytest.approx(before[hub])
    assert plus.name == "baseline_Laukaa_plus_2fte"      # can run beside it in a batch
    assert base.staff_by_hub() == before                # the original is not changed
    assert ts.with_staff(base, "Laukaa", fte=9.44).staff_by_hub()["Laukaa"] == 9.44
    # a second change keeps the first
    two = plus.with_staff("Viitasaari", add_fte=-1, name="two")
    assert two.staff_by_hub()["Laukaa"] == pytest.approx(before["Laukaa"] + 2)
    assert two.staff_by_hub()["Viitasaari"] == pytest.approx(before["Viitasaari"] - 1)
    assert two.name == "two"


def test_with_staff_rejects_bad_input(base):
    with pytest.raises(InputError, match="did you mean 'Laukaa'"):
        base.with_staff("Lauka", add_fte=2)
    with pytest.raises(InputError, match="exactly one"):
        base.with_staff("Laukaa")
    with pytest.raises(InputError, match="exactly one"):
        base.with_staff("Laukaa", add_fte=1, fte=3)
    with pytest.raises(InputError, match="negative"):
        base.with_staff("Laukaa", add_fte=-100)


# ---------------------------------------------------------------------------------------
# the Laukaa question against a hand-paired computation

def _hand_paired(folders: dict[str, Path], base: str, other: str, year: int) -> pd.DataFrame:
    """Paired mean and Student-t 95 % CI per municipality, straight from the Parquet files."""
    def per_rep(name: str) -> pd.DataFrame:
        files = sorted((folders[name] / "monthly").glob("rep-*.parquet"))
        m = pd.concat([pd.read_parquet(f) for f in files])
        m = m[m.month.str.startswith(str(year))]
        s = m.groupby(["replication", "municipality"]).sum(numeric_only=True)
        missed = s.initial_interviews_deadline_missed + s.job_search_interviews_deadline_missed
        held_on_time = (s.initial_interviews - s.initial_interviews_late
                        + s.job_search_interviews - s.job_search_interviews_late)
        return pd.DataFrame({"late_meetings": missed, "late_meetings_share": missed / (held_on_time + missed),
                             "benefit_municipal_share": s.benefit_cost_municipal_eur / s.benefit_cost_eur})

    a, b = per_rep(other), per_rep(base)
    rows = []
    for muni in ("Laukaa", "Hankasalmi"):
        for kpi in a.columns:
            d = (a[kpi].xs(muni, level="municipality") - b[kpi].xs(muni, level="municipality")).sort_index()
            n = len(d)
            half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / np.sqrt(n)
            rows.append({"municipality": muni, "kpi": kpi, "n": n, "diff_mean": d.mean(),
                         "diff_ci95_lo": d.mean() - half, "diff_ci95_hi": d.mean() + half,
                         "baseline_mean": b[kpi].xs(muni, level="municipality").mean()})
    return pd.DataFrame(rows)


def test_laukaa_question_matches_the_hand_paired_result(laukaa, base):
    batch, answer = laukaa
    other = f"{base.name}_Laukaa_plus_2fte"
    assert set(answer.municipality) == {"Laukaa", "Hankasalmi"}
    assert set(answer.year) == {2026} and (answer.scenario == other).all()
    assert (answer.hub == "Laukaa").all() and (answer.n == REPS).all()
    hand = _hand_paired(batch.folders, base.name, other, 2026)
    got = answer.merge(hand, on=["municipality", "kpi"], suffixes=("", "_hand"))
    assert len(got) == len(hand) == 6
    for c in ("n", "diff_mean", "diff_ci95_lo", "diff_ci95_hi", "baseline_mean"):
        np.testing.assert_allclose(got[c].astype(float), got[f"{c}_hand"].astype(float), rtol=1e-9, err_msg=c)
    assert (got.diff_ci95_hi - got.diff_ci95_lo > 0).all()
    # more staff at Laukaa: fewer deadlines missed there (a lever that must move the output)
    laukaa_late = got[(got.municipality == "Laukaa") & (got.kpi == "late_meetings")]
    assert float(laukaa_late.diff_mean.iloc[0]) < 0


def test_compare_years_are_integers_and_filters_work(laukaa):
    batch, _ = laukaa
    for by in ("area", "hub", "municipality"):
        d = ts.compare(batch, by=by)
        assert d["year"].dtype.kind == "i", by
        assert len(d[d.year == 2026]) > 0, by
        assert d.attrs["notes"] == [] or isinstance(d.attrs["notes"], list)
    area = ts.compare(batch.out)           # a folder works too; baseline defaults to "baseline"
    assert {"late_meetings_share", "benefit_municipal_share", "staff_cost_eur"} <= set(area.kpi)
    assert callable(ts.compare)            # the submodule `simulation.experiments.compare` never shadows it
    with pytest.raises(InputError, match="Jyväskylä"):
        ts.compare(batch, by="municipality", municipalities="Jyväskylä")
    with pytest.raises(InputError, match="by"):
        ts.compare(batch, by="county")


def test_area_ratio_is_the_ratio_of_sums(laukaa):
    batch, _ = laukaa
    d = ts.compare(batch, kpis="benefit_municipal_share", years=2025)
    m = batch["baseline"].monthly
    m = m[m.month.str.startswith("2025")].groupby("replication")[
        ["benefit_cost_municipal_eur", "benefit_cost_eur"]].sum()
    assert d.baseline_mean.iloc[0] == pytest.approx((m.benefit_cost_municipal_eur / m.benefit_cost_eur).mean())


# ---------------------------------------------------------------------------------------
# batch results, workers, public helpers

def test_batch_carries_its_tables(laukaa):
    batch, _ = laukaa
    names = list(batch)
    assert len(names) == 2 and batch.baseline == "baseline"
    for t in ("monthly", "hubs", "services"):
        long = getattr(batch, t)
        assert set(long.scenario) == set(names)
        for n in names:
            files = sorted((batch.folders[n] / t).glob("rep-*.parquet"))
            own = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
            pd.testing.assert_frame_equal(getattr(batch[n], t).reset_index(drop=True), own)
    assert batch.done == {n: list(range(REPS)) for n in names}
    loaded = ts.load_batch(batch.out)
    assert loaded.names == names and loaded["baseline"].scenario is not None
    assert loaded.done == batch.done
    pd.testing.assert_frame_equal(loaded.compare(by="municipality"), batch.compare(by="municipality"))
    assert batch.summary()["year"].dtype.kind == "i"
    assert batch["baseline"].yearly()["year"].dtype.kind == "i"
    assert batch["baseline"].by_municipality()["year"].dtype.kind == "i"


def test_default_workers_are_all_cores_as_the_cli(laukaa, monkeypatch):
    batch, _ = laukaa
    assert batch.backend["workers"] == max(1, min(os.cpu_count() or 1, 2 * REPS))
    import simulation.experiments.runner as experiment
    seen = {}

    def fake_run_scenario(sc, n, out, workers=1, progress=False):
        seen["workers"] = workers
        raise RuntimeError("stop")
    monkeypatch.setattr(experiment, "run_scenario", fake_run_scenario)
    monkeypatch.setattr(os, "cpu_count", lambda: 7)
    with pytest.raises(RuntimeError, match="stop"):
        ts.run(batch["baseline"].scenario, reps=20)
    assert seen["workers"] == 7
    assert ts.default_workers(3) == 3


def test_statistics_helpers_are_public():
    mean, sd, lo, hi = ts.mean_ci([1.0, 2.0, 3.0])
    assert (mean, sd) == (2.0, 1.0)
    assert hi - mean == pytest.approx(stats.t.ppf(0.975, 2) / np.sqrt(3))
    for name in ("summarise", "yearly_kpis", "yearly_by_municipality", "paired_differences",
                 "paired_by", "unit_kpis", "with_staff", "load_batch"):
        assert callable(getattr(ts, name)), name
        assert name in ts.__all__


# ---------------------------------------------------------------------------------------
# the column dictionary

def _documented() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "columns.md").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    section = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            out[section] = []
        elif section and (m := re.match(r"\|\s*`([^`]+)`\s*\|", line)):
            out[section].append(m.group(1))
    return out


def test_column_dictionary_matches_a_run(laukaa, tmp_path):
    from simulation.cli.main import main
    from simulation.cli.run import write_yearly_csv
    from simulation.experiments.compare import COLUMNS, KPIS
    from simulation.experiments.runner import RunResult

    batch, _ = laukaa
    doc = _documented()
    for section, names in doc.items():
        assert len(names) == len(set(names)), f"{section}: a column listed twice"
    for t in ("monthly", "hubs", "services"):
        assert doc[t] == list(getattr(batch, t).columns), t
    folder = batch.folders["baseline"]
    write_yearly_csv(RunResult(folder=folder, scenario=batch["baseline"].scenario, done=list(range(REPS))))
    yearly = pd.read_csv(folder / "yearly_by_municipality.csv")
    assert doc["yearly_by_municipality.csv"] == list(yearly.columns)
    assert doc["yearly_by_municipality.csv: kpi"] == list(pd.unique(yearly.kpi))
    # compare: the CLI's columns and the API's, every KPI either can give
    area, muni = ts.compare(batch), ts.compare(batch, by="municipality")
    hub = ts.compare(batch, by="hub")
    assert list(area.columns) == COLUMNS
    assert set(doc["compare"]) == set(COLUMNS) | set(muni.columns) | set(hub.columns)
    assert set(doc["compare: kpi"]) == set(KPIS) | set(area.kpi) | set(muni.kpi) | set(ts.api.UNIT_KPIS)
    assert set(area.kpi) <= set(doc["compare: kpi"]) and set(muni.kpi) <= set(doc["compare: kpi"])
    if not REAL.is_file():
        pytest.skip("real data not found beside the project (forecasts.csv not checked)")
    long = pd.read_csv(REAL)
    small = tmp_path / "small.csv"
    long[long.municipality.isin(["Laukaa", "Hankasalmi"])].to_csv(small, index=False)
    out = tmp_path / "fc"
    assert main(["forecast", "--data", str(small), "--paths", "50", "--out", str(out), "--no-charts",
                 "--workers", "1"]) == 0
    assert doc["forecasts.csv"] == list(pd.read_csv(out / "forecasts.csv").columns)
    assert doc["costs.csv"] == list(pd.read_csv(out / "costs.csv").columns)


# ---------------------------------------------------------------------------------------
# packaging

def test_notebook_extra_installs_jupyterlab_and_nbconvert_not_in_dev():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]
    nb = extras["notebook"]
    for pkg in ("jupyterlab", "nbconvert"):
        spec = next((s for s in nb if re.match(rf"{pkg}\b", s)), None)
        assert spec is not None and ">=" in spec, f"{pkg} with a lower bound in [notebook]"
        assert not any(re.match(rf"{pkg}\b", s) for s in extras["dev"]), f"{pkg} not in [dev]"
