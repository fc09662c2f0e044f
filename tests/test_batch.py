"""Scenario batches: common random numbers, workers, resume after a kill, failures, Dask,
precision mode and the command line.

Tiny scenarios (a quarter of a year, 700 jobseekers) keep each replication well under a
second. Scenario ``b`` has a quarter of ``a``'s customer-service staff, so it has late
interviews, while the inflow and exits (which do not depend on staff) are the same.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli.main import main
from simulation.experiments import tasks
from simulation.experiments.batch import BATCH_FILE, precision_check, prepare_scenarios, run_batch
from simulation.experiments.compare import paired_differences, scenario_kpis
from simulation.scenario.config import load_scenario
from simulation.tables import store
from simulation.tables.store import done_replications, read_table
from tests.scenario_factory import ROOT, simple_data, write_scenario

SMALL = dict(inflow_per_month_area=150.0, stock_area=700.0)
FEW_STAFF = {"staff": {"customer_service_fte_total": 6.0}}


def files(tmp_path: Path, years: float = 0.25, **b_over) -> tuple[Path, Path]:
    d = simple_data(**SMALL)
    d["run"]["years"] = years
    a = write_scenario(tmp_path, "a", copy.deepcopy(d))
    b = write_scenario(tmp_path, "b", copy.deepcopy(d), **{**FEW_STAFF, **b_over})
    return a, b


def assert_same_tables(x: Path, y: Path, names=("a", "b")) -> None:
    for n in names:
        for t in store.TABLES:
            left, right = read_table(x / n, t), read_table(y / n, t)
            assert len(left) > 0 or t != "monthly"
            keys = [c for c in ("scenario", "replication", "month", "municipality", "hub") if c in left]
            pd.testing.assert_frame_equal(left.sort_values(keys).reset_index(drop=True),
                                          right.sort_values(keys).reset_index(drop=True))


def half_width(df: pd.DataFrame, kpi: str) -> float:
    r = df[df.kpi == kpi].iloc[0]
    return (r.diff_ci95_hi - r.diff_ci95_lo) / 2


# ---- common random numbers ------------------------------------------------------------

@pytest.mark.slow
def test_common_random_numbers_give_a_narrower_interval_for_a_difference(tmp_path):
    """Paired CIs of b − a and c − a: scenarios run with the batch's common seed versus
    b and c run with an independent seed. b cuts staff (which does not move the stock in
    this model); c lengthens the long group's spells (which does)."""
    a, b = files(tmp_path)
    c = write_scenario(tmp_path, "c", data=load_toml_data(a), exits={"long_group_mean_months": 14.0})
    scs, _ = prepare_scenarios([a, b, c])
    run_batch(scs, 5, tmp_path / "crn", progress=False)
    independent = [sc.with_overrides({"run": {"seed": 999}}) for sc in scs[1:]]
    run_batch(independent, 5, tmp_path / "ind", progress=False)
    ka = scenario_kpis(tmp_path / "crn" / "a")
    crn = paired_differences(pd.concat([ka, *(scenario_kpis(tmp_path / "crn" / n) for n in "bc")]), "a")
    ind = paired_differences(pd.concat([ka, *(scenario_kpis(tmp_path / "ind" / n) for n in "bc")]), "a")
    assert (crn.n == 5).all() and (ind.n == 5).all()
    # c: longer spells raise the stock; with CRN the rise is measured far more precisely
    c_crn, c_ind = crn[crn.scenario == "c"], ind[ind.scenario == "c"]
    assert half_width(c_crn, "stock_mean") < 0.5 * half_width(c_ind, "stock_mean")
    assert c_crn[c_crn.kpi == "stock_mean"].diff_ci95_lo.iloc[0] > 0  # and it is significant
    # b: staff hardly moves the stock: with CRN its difference is (nearly) free of noise
    b_crn, b_ind = crn[crn.scenario == "b"], ind[ind.scenario == "b"]
    assert half_width(b_crn, "stock_mean") < 0.5 * half_width(b_ind, "stock_mean")
    # replication k of every scenario sees the same arrivals
    m_a, m_b = read_table(tmp_path / "crn" / "a", "monthly"), read_table(tmp_path / "crn" / "b", "monthly")
    assert m_a["inflow"].tolist() == m_b["inflow"].tolist()


def load_toml_data(path: Path) -> dict:
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_seed_policy_first_scenario_or_seed_option_and_unique_names(tmp_path, capsys):
    a, b = files(tmp_path, run={"seed": 99})
    out = tmp_path / "out"
    assert main(["batch", str(a), str(b), "--reps", "1", "--years", "0.1", "--workers", "1",
                 "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "b had 99" in err
    bj = json.loads((out / BATCH_FILE).read_text())
    assert bj["root_seed"] == 7 and bj["seeds_overridden"] == {"b": 99}
    assert bj["years"] == 0.1
    for n in ("a", "b"):
        m = json.loads((out / n / "manifest.json").read_text())
        assert m["root_seed"] == 7 and m["resolved_scenario"]["run"]["years"] == 0.1
    assert set(read_table(out / "b", "monthly")["seed"]) == {7}
    # --seed sets every scenario's seed
    scs, info = prepare_scenarios([a, b], seed=5)
    assert [s.run.seed for s in scs] == [5, 5] and info.source == "--seed"
    # two scenarios with the same name: exit 2, naming both files
    (tmp_path / "other").mkdir()
    dup = write_scenario(tmp_path / "other", "a", simple_data(**SMALL))
    assert main(["batch", str(a), str(dup), "--reps", "1", "--out", str(tmp_path / "o2")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'a'" in err and str(dup) in err and str(a) in err
    assert not (tmp_path / "o2").exists()


# ---- workers: tables do not depend on how replications ran ------------------------------

def test_one_and_two_workers_give_identical_tables(tmp_path):
    a, b = files(tmp_path)
    scs, info = prepare_scenarios([a, b])
    r1 = run_batch(scs, 3, tmp_path / "w1", workers=1, progress=False, seed_info=info)
    r2 = run_batch(scs, 3, tmp_path / "w2", workers=2, progress=False, seed_info=info)
    assert r1.backend["kind"] == "serial" and r2.backend == {"kind": "local_processes", "workers": 2}
    assert r1.done == r2.done == {"a": [0, 1, 2], "b": [0, 1, 2]}
    assert_same_tables(tmp_path / "w1", tmp_path / "w2")
    # a second run finds everything stored and computes nothing
    r3 = run_batch(scs, 3, tmp_path / "w2", workers=2, progress=False, seed_info=info)
    assert (r3.computed, r3.already_stored) == (0, 6)
    # more replications extend the folder; another scenario under the same name is refused
    r4 = run_batch(scs[:1], 4, tmp_path / "w2", progress=False, seed_info=info)
    assert (r4.computed, r4.done["a"]) == (1, [0, 1, 2, 3])
    other = scs[0].with_overrides({"staff": {"customer_service_fte_total": 9.0}})
    from simulation.errors import InputError
    with pytest.raises(InputError, match="different scenario"):
        run_batch([other], 3, tmp_path / "w2", progress=False)


# ---- resume after a kill --------------------------------------------------------------

@pytest.mark.slow
def test_killed_batch_resumes_and_ends_with_the_uninterrupted_tables(tmp_path):
    a, b = files(tmp_path)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "simulation", "batch", str(a), str(b), "--reps", "6",
           "--workers", "2", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if any(done_replications(out / n) for n in ("a", "b")):
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the batch finished before it could be killed"
    stored = sum(len(done_replications(out / n)) for n in ("a", "b"))
    assert 0 < stored < 12
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"{12 - stored} replications computed, {stored} already stored" in r.stdout
    assert json.loads((out / BATCH_FILE).read_text())["status"] == "complete"
    assert not list(out.rglob("*.tmp"))
    # the same tables as a batch that was never interrupted
    scs, info = prepare_scenarios([a, b])
    run_batch(scs, 6, tmp_path / "whole", workers=1, progress=False, seed_info=info)
    assert_same_tables(out, tmp_path / "whole")
    for n in ("a", "b"):
        m = json.loads((out / n / "manifest.json").read_text())
        assert m["replications_done"] == list(range(6)) and m["replications_failed"] == {}


# ---- a failing replication ------------------------------------------------------------

def test_a_failing_replication_is_reported_and_the_others_kept(tmp_path, monkeypatch, capsys):
    a, b = files(tmp_path)
    out = tmp_path / "out"
    real = tasks.simulate_replication

    def flaky(scenario, replication):
        if scenario.name == "b" and replication == 1:
            raise RuntimeError("injected failure")
        return real(scenario, replication)

    monkeypatch.setattr(tasks, "simulate_replication", flaky)
    argv = ["batch", str(a), str(b), "--reps", "3", "--workers", "1", "--out", str(out), "--quiet"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "scenario b, replication 1, seed 7" in err
    assert "Traceback" in err and "RuntimeError: injected failure" in err
    assert done_replications(out / "a") == {0, 1, 2} and done_replications(out / "b") == {0, 2}
    mb = json.loads((out / "b" / "manifest.json").read_text())
    assert list(mb["replications_failed"]) == ["1"] and "injected failure" in mb["replications_failed"]["1"]
    bj = json.loads((out / BATCH_FILE).read_text())
    assert bj["status"] == "failed"
    assert [(f["scenario"], f["replication"], f["seed"]) for f in bj["failed"]] == [("b", 1, 7)]
    # fixed, a re-run computes only the failed replication
    monkeypatch.setattr(tasks, "simulate_replication", real)
    assert main(argv) == 0
    assert "1 replications computed, 5 already stored" in capsys.readouterr().out
    assert json.loads((out / "b" / "manifest.json").read_text())["replications_failed"] == {}


# ---- Dask -----------------------------------------------------------------------------

@pytest.mark.slow
def test_dask_on_a_users_local_cluster_gives_the_local_tables(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    a, b = files(tmp_path)
    scs, info = prepare_scenarios([a, b])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        res = run_batch(scs, 3, tmp_path / "dask", scheduler=cluster.scheduler_address,
                        progress=False, seed_info=info)
        # workers with other tyosim code would give other tables: refused
        from simulation.errors import InputError
        from simulation.experiments import dask_runner

        with monkeypatch.context() as mp:
            mp.setattr(dask_runner, "local_fingerprint", lambda: "not-the-workers-code")
            with pytest.raises(InputError, match="other tyosim code"):
                dask_runner.DaskExecutor(scheduler=cluster.scheduler_address)
    assert res.backend["kind"] == "dask" and res.backend["started_by_tyosim"] is False
    assert res.backend["workers"] == 2
    run_batch(scs, 3, tmp_path / "local", workers=1, progress=False, seed_info=info)
    assert_same_tables(tmp_path / "dask", tmp_path / "local")


def test_cluster_started_by_tyosim_listens_on_loopback_only(tmp_path, capsys):
    pytest.importorskip("distributed")
    a, _ = files(tmp_path, years=0.1)
    out = tmp_path / "out"
    assert main(["batch", str(a), "--reps", "2", "--dask", "--workers", "1", "--out", str(out),
                 "--quiet"]) == 0
    backend = json.loads((out / BATCH_FILE).read_text())["backend"]
    assert backend["kind"] == "dask" and backend["started_by_tyosim"] is True
    addresses = [backend["scheduler"], *backend["worker_addresses"]]
    assert len(addresses) == 2 and all(x.startswith("tcp://127.0.0.1:") for x in addresses)
    assert done_replications(out / "a") == {0, 1}


def test_without_dask_the_dask_options_exit_2(tmp_path, monkeypatch, capsys):
    a, _ = files(tmp_path)
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    assert main(["batch", str(a), "--reps", "1", "--dask", "--out", str(tmp_path / "o")]) == 2
    assert "pip install 'tyosim[distributed]'" in capsys.readouterr().err


# ---- precision mode -------------------------------------------------------------------

def test_precision_mode_adds_replications_until_met(tmp_path, capsys):
    a, b = files(tmp_path, staff={"customer_service_fte_total": 1.5})
    out = tmp_path / "out"
    assert main(["batch", str(b), "--reps", "auto", "--precision", "0.3", "--min-reps", "2",
                 "--max-reps", "12", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert "precision met" in capsys.readouterr().out
    p = json.loads((out / BATCH_FILE).read_text())["precision"]
    assert p["result"] == "met" and 2 <= p["replications"] <= 12 and p["not_met"] == []
    assert [r["replications"] for r in p["rounds"]][0] == 2
    assert json.loads((out / "b" / "manifest.json").read_text())["precision"]["result"] == "met"
    scs = [load_scenario(b)]
    check = precision_check(out, scs, 0.3)
    assert check["ok"].all() and set(check["kpi"]) >= {"stock_mean", "late_meetings_share"}
    assert (check["n"] == p["replications"]).all()
    assert (check["half_width"] <= 0.3 * check["mean"].abs()).all()


def test_precision_mode_stops_at_the_maximum_and_says_so(tmp_path):
    a, _ = files(tmp_path, years=0.1)
    scs, info = prepare_scenarios([a])
    res = run_batch(scs, "auto", tmp_path / "out", precision=1e-6, min_reps=2, max_reps=3,
                    progress=False, seed_info=info)
    assert res.precision["result"] == "max_reached" and res.precision["replications"] == 3
    assert res.done == {"a": [0, 1, 2]} and res.precision["not_met"]
    assert json.loads((tmp_path / "out" / "a" / "manifest.json").read_text())["precision"]["result"] \
        == "max_reached"


# ---- command-line input errors --------------------------------------------------------

@pytest.mark.parametrize("extra,needle", [
    (["--reps", "x"], "--reps"),
    (["--reps", "0"], "--reps"),
    (["--reps", "3", "--precision", "0.05"], "--precision"),
    (["--scheduler", "tcp://10.0.0.1:8786", "--workers", "2"], "--workers"),
])
def test_batch_input_errors_exit_2(tmp_path, capsys, extra, needle):
    a, _ = files(tmp_path)
    assert main(["batch", str(a), "--out", str(tmp_path / "o"), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
