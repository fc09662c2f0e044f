"""Bad input, table-driven: every row is a command line (and optionally an edit of a small
scenario file) with the exit code and a piece of the one-line message it must give.

Issue 17's classes: a name is a label (never a path), ranges that mean something for
every number, bounded work, one line and exit 2 for every error. Each row also checks that
nothing was written outside the results folder (the test's working folder is watched).
The fault-injection tests of a results folder (truncate, delete the manifest, two
writers) and the process test (workers die with their parent) are at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulation.cli.main import main
from simulation.experiments import runner as experiment
from simulation.tables import store
from tests.scenario_factory import ROOT, simple_data, write_scenario

SMALL = dict(inflow_per_month_area=150.0, stock_area=700.0)


def _service(**over):
    s = {"referral_probability": 0.1, "duration_mean_months": 3.0, "unit_cost_eur_per_month": 500.0,
         "lock_in_exit_multiplier": 0.5, "employment_at_end_share": 0.2}
    s.update(over)
    return s


def _chain(tmp: Path, depth: int) -> Path:
    """A scenario at the end of an `extends` chain `depth` files deep."""
    base = write_scenario(tmp, "chain0", _data())
    prev = base
    for i in range(1, depth):
        p = tmp / f"chain{i}.toml"
        p.write_text(f'extends = "{prev.name}"\nname = "chain{i}"\n', encoding="utf-8")
        prev = p
    return prev


def _data(years: float = 0.1) -> dict:
    d = simple_data(**SMALL)
    d["run"]["years"] = years
    return d


def _csv(tmp: Path, value: str, municipality: str = "Kinnula", last_only: bool = False) -> Path:
    """A monthly data file of 48 months for the area with one value replaced."""
    from simulation.scenario.region import load_region

    munis = load_region().municipality_names
    rows = ["month,municipality,unemployed"]
    months = [f"{y}-{m:02d}" for y in range(2015, 2019) for m in range(1, 13)]
    for mon in months:
        for mu in munis:
            v = "50"
            if mu == municipality and (mon == months[-1] if last_only else mon == months[5]):
                v = value
            rows.append(f"{mon},{mu},{v}")
    p = tmp / "data.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return p


# (id, argv — "{a}" is the scenario file, "{out}" the results folder, "{tmp}" the test
#  folder —, edit of the scenario (nested dict, or a callable tmp -> path), exit, substring)
CASES = [
    # -- a name is a label: these run and write inside --out only ------------------------
    ("name-parent-dirs", ["batch", "{a}", "--reps", "1", "--out", "{out}", "--quiet"],
     {"name": "../../x"}, 0, None),
    ("name-absolute", ["run", "{a}", "--reps", "1", "--out", "{out}", "--quiet"],
     {"name": "{tmp}/elsewhere"}, 0, None),
    ("name-dot-hidden", ["batch", "{a}", "--reps", "1", "--out", "{out}", "--quiet"],
     {"name": ".."}, 0, None),
    ("name-empty", ["validate", "{a}"], {"name": ""}, 2, "name"),
    ("name-too-long", ["validate", "{a}"], {"name": "x" * 500}, 2, "name"),
    # -- ranges that mean something --------------------------------------------------------
    ("staff-inf", ["validate", "{a}"], {"staff": {"customer_service_fte_total": float("inf")}},
     2, "staff.customer_service_fte_total"),
    ("staff-nan", ["validate", "{a}"], {"staff": {"specialists_fte": float("nan")}}, 2, "specialists_fte"),
    ("staff-huge", ["validate", "{a}"], {"staff": {"customer_service_fte_total": 1e9}},
     2, "customer_service_fte_total"),
    ("staff-hub-inf", ["validate", "{a}"], {"staff": {"customer_service_fte_by_hub": {
        "Äänekoski": float("inf"), "Laukaa": 1.0, "Saarijärvi": 1.0, "Viitasaari": 1.0}}},
     2, "customer_service_fte_by_hub"),
    ("staff-hub-missing", ["validate", "{a}"], {"staff": {"customer_service_fte_by_hub": {
        "Äänekoski": 10.0, "Laukaa": 7.0, "Saarijärvi": 6.0}}}, 2, "missing hub(s): Viitasaari"),
    ("deadline-negative", ["validate", "{a}"],
     {"rules": {"initial_interview_deadline_working_days": [{"valid_from": "2025-01-01", "value": -5}]}},
     2, "initial_interview_deadline_working_days"),
    ("deadline-huge", ["validate", "{a}"],
     {"rules": {"initial_interview_deadline_working_days": [{"valid_from": "2025-01-01", "value": 100000}]}},
     2, "must be 1–250"),
    ("interval-huge", ["validate", "{a}"],
     {"rules": {"regular_interview_interval_months": [{"valid_from": "2025-01-01", "value": 10**6}]}},
     2, "regular_interview_interval_months"),
    ("allowance-negative", ["validate", "{a}"],
     {"rules": {"basic_allowance_eur_per_day": [{"valid_from": "2025-01-01", "value": -1.0}]}},
     2, "basic_allowance_eur_per_day"),
    ("target-shares-over-1", ["validate", "{a}"],
     {"services": {"s1": _service(target_share_of_broad_unemployment=0.7),
                   "s2": _service(target_share_of_broad_unemployment=0.518)}},
     2, "sum to 1.218"),
    ("start-participants-over-places", ["validate", "{a}"],
     {"services": {"s1": _service(places=240.0)},
      "start_state": {"service_participants": {"s1": 100000.0}}}, 2, "places"),
    ("start-participants-negative", ["validate", "{a}"],
     {"services": {"s1": _service(places=240.0)},
      "start_state": {"service_participants": {"s1": -1.0}}}, 2, "service_participants.s1"),
    ("service-duration-huge", ["validate", "{a}"],
     {"services": {"s1": _service(duration_mean_months=1e9)}}, 2, "duration_mean_months"),
    ("inflow-scale-huge", ["validate", "{a}"], {"inflow": {"scale": 1e6}}, 2, "inflow.scale"),
    ("inflow-volume", ["validate", "{a}"], {"inflow": {"scale": 90.0}, "run": {"years": 30.0}},
     2, "jobseekers"),
    ("stock-huge", ["validate", "{a}"],
     {"start_state": {"stock_by_municipality": {"Kinnula": 1e12}}}, 2, "stock_by_municipality.Kinnula"),
    ("meeting-minutes-huge", ["validate", "{a}"],
     {"meetings": {"duration_minutes": {"initial": {"in_person": 1e7}}}}, 2, "duration_minutes.initial"),
    ("budget-frame-inf", ["validate", "{a}"],
     {"budget": {"frame_eur_per_year": float("inf"), "other_expenses_eur_per_year": 0.0}},
     2, "frame_eur_per_year"),
    ("extends-1100-deep", ["validate", "{a}"], lambda tmp: _chain(tmp, 1100), 2, "extends chain deeper"),
    ("run-seed-2**200", ["run", "{a}", "--seed", str(2**200), "--reps", "1", "--out", "{out}"],
     None, 2, "--seed: must be 0–"),
    ("run-seed-negative", ["run", "{a}", "--seed", "-1", "--reps", "1", "--out", "{out}"],
     None, 2, "--seed: must be 0–"),
    ("batch-seed-2**64", ["batch", "{a}", "--seed", str(2**64), "--reps", "1", "--out", "{out}"],
     None, 2, "--seed"),
    ("run-years-1e-9", ["run", "{a}", "--years", "1e-9", "--reps", "1", "--out", "{out}"],
     None, 2, "run.years"),
    ("run-years-inf", ["run", "{a}", "--years", "inf", "--out", "{out}"], None, 2, "--years"),
    ("run-years-nan", ["run", "{a}", "--years", "nan", "--out", "{out}"], None, 2, "--years"),
    ("batch-years-1e-9", ["batch", "{a}", "--years", "1e-9", "--reps", "1", "--out", "{out}"],
     None, 2, "run.years"),
    ("run-years-100", ["run", "{a}", "--years", "100", "--out", "{out}"], None, 2, "run.years"),
    ("batch-reps-huge", ["batch", "{a}", "--reps", "100000000", "--out", "{out}"], None, 2, "--reps"),
    ("batch-max-reps-huge", ["batch", "{a}", "--reps", "auto", "--max-reps", "100000000", "--out", "{out}"],
     None, 2, "--max-reps"),
    ("run-reps-huge", ["run", "{a}", "--reps", "100000000", "--out", "{out}"], None, 2, "reps"),
    # -- one line for an output that cannot be written -----------------------------------------
    ("run-out-is-file", ["run", "{a}", "--reps", "1", "--out", "{tmp}/afile"], None, 2, "is a file"),
    ("batch-out-is-file", ["batch", "{a}", "--reps", "1", "--out", "{tmp}/afile"], None, 2, "is a file"),
    ("batch-out-below-file", ["batch", "{a}", "--reps", "1", "--out", "{tmp}/afile/sub"], None, 2, "--out"),
    ("run-out-cannot-create", ["run", "{a}", "--reps", "1", "--out", "/proc/tyosim-no/x"], None, 2, "--out"),
    ("forecast-out-is-file", ["forecast", "--data", "{csv}", "--out", "{tmp}/afile", "--no-charts"],
     None, 2, "is a file"),
    # -- forecasts: bounded work, honest intervals, data checked -----------------------------
    ("forecast-horizon-huge", ["forecast", "--data", "{csv}", "--horizon", "100000", "--out", "{out}"],
     None, 2, "--horizon"),
    ("forecast-paths-1", ["forecast", "--data", "{csv}", "--paths", "1", "--out", "{out}"], None, 2, "--paths"),
    ("forecast-paths-huge", ["forecast", "--data", "{csv}", "--paths", "10000000", "--out", "{out}"],
     None, 2, "--paths"),
    ("forecast-seed-huge", ["forecast", "--data", "{csv}", "--seed", str(2**200), "--out", "{out}"],
     None, 2, "--seed"),
    ("forecast-workers-huge", ["forecast", "--data", "{csv}", "--workers", "1000", "--out", "{out}"],
     None, 2, "--workers"),
    ("backtest-horizon-huge", ["backtest", "--data", "{csv}", "--horizon", "100000"], None, 2, "--horizon"),
    ("data-1e30", ["forecast", "--data", "{csv:1e30}", "--out", "{out}"], None, 2, "Kinnula"),
    ("data-last-month-900000", ["forecast", "--data", "{csv:900000:last}", "--out", "{out}"],
     None, 2, "labour force"),
    ("data-fetch-not-a-url", ["data", "fetch", "--url", "notaurl", "--out", "{tmp}/x.csv"], None, 2, "--url"),
    ("data-fetch-file-url", ["data", "fetch", "--url", "file:///etc/passwd", "--out", "{tmp}/x.csv"],
     None, 2, "--url"),
    ("data-fetch-timeout-negative", ["data", "fetch", "--timeout", "-1", "--out", "{tmp}/x.csv"],
     None, 2, "--timeout"),
    # -- results folders that are not results ------------------------------------------------
    ("compare-missing", ["compare", "{tmp}/nothing"], None, 2, "nothing"),
    ("budget-results-file", ["budget", "{a}", "--results", "{tmp}/afile"], None, 0, None),
]


def _fill(argv: list[str], tmp: Path, a: Path, out: Path) -> list[str]:
    res = []
    for x in argv:
        if x.startswith("{csv"):
            parts = x.strip("{}").split(":")
            value = parts[1] if len(parts) > 1 else "50"
            x = str(_csv(tmp, value, last_only=len(parts) > 2))
        res.append(x.replace("{a}", str(a)).replace("{out}", str(out)).replace("{tmp}", str(tmp)))
    return res


def _snapshot(root: Path, skip: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*")
            if skip not in p.parents and p != skip}


@pytest.mark.parametrize("case_id,argv,edit,code,needle", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case_id, argv, edit, code, needle, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    if callable(edit):
        a = edit(tmp_path)
    else:
        over = json.loads(json.dumps(edit or {}).replace("{tmp}", str(tmp_path)))
        name = over.pop("name", "a")
        d = _data()
        a = write_scenario(tmp_path, "a", d, **over)
        if name != "a":   # write_scenario names the scenario after the file
            text = a.read_text(encoding="utf-8").replace('name = "a"', f"name = {json.dumps(name)}")
            a.write_text(text, encoding="utf-8")
    out = tmp_path / "results"
    argv = _fill(argv, tmp_path, a, out)
    # a sentinel outside --out that a stale-.tmp sweep must never remove
    (tmp_path / ".sentinel.tmp").write_text("x", encoding="utf-8")
    (tmp_path.parent / ".sentinel-outside.tmp").write_text("x", encoding="utf-8")
    before = _snapshot(tmp_path, out)
    rc = main(argv)
    cap = capsys.readouterr()
    assert rc == code, (rc, cap.err[-2000:])
    if code == 2:
        lines = [ln for ln in cap.err.splitlines() if ln.strip()]
        assert len(lines) == 1, cap.err
        assert "Traceback" not in cap.err
        assert needle in lines[0], lines[0]
    assert (tmp_path / ".sentinel.tmp").exists() and (tmp_path.parent / ".sentinel-outside.tmp").exists()
    after = _snapshot(tmp_path, out)
    new = sorted(set(after) - set(before))
    new = [p for p in new if not p.endswith("data.csv")]
    assert new == [], f"written outside the results folder: {new}"
    assert not list(work.iterdir()), "written into the working folder"
    if code == 0 and out.exists():
        # every file lies inside --out, in a folder that is a plain key
        for p in out.rglob("*"):
            assert out.resolve() in p.resolve().parents
        for sub in (p for p in out.iterdir() if p.is_dir()):
            assert not sub.name.startswith(".")


def test_a_name_is_shown_as_given(tmp_path, capsys):
    d = _data()
    a = write_scenario(tmp_path, "a", d)
    a.write_text(a.read_text(encoding="utf-8").replace('name = "a"', 'name = "../Äänekoski / plan"'),
                 encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(a), "--reps", "1", "--out", str(out), "--quiet"]) == 0
    key = store.folder_key("../Äänekoski / plan")
    assert key != "../Äänekoski / plan" and "/" not in key and not key.startswith(".")
    assert (out / key / "manifest.json").is_file()
    man = json.loads((out / key / "manifest.json").read_text(encoding="utf-8"))
    assert man["scenario"] == "../Äänekoski / plan"
    batch = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert batch["scenarios"][0] == {"name": "../Äänekoski / plan", "file": str(a), "folder": key}
    assert set(store.read_table(out / key, "monthly")["scenario"]) == {"../Äänekoski / plan"}
    # two names that sanitise alike keep their own folders
    assert store.folder_key("a/b") != store.folder_key("a_b")
    assert store.folder_key("a/b") != store.folder_key("a:b")


def test_the_stale_tmp_sweep_stays_inside_the_folder(tmp_path):
    outside = tmp_path / ".keep.tmp"
    outside.write_text("x")
    folder = tmp_path / "out" / "a"
    (folder / "monthly").mkdir(parents=True)
    (folder / "monthly" / ".rep-0000.parquet.123.tmp").write_text("x")
    (folder / "deeper" / "x").mkdir(parents=True)
    deep = folder / "deeper" / "x" / ".user.tmp"
    deep.write_text("x")
    os.symlink(tmp_path, folder / "hubs")           # a symlink out of the folder is not followed
    assert store.remove_stale_tmp(folder) == 1
    assert outside.exists() and deep.exists()


# ---------------------------------------------------------------------------------------
# the Python API's checks (in the functions it calls)

@pytest.mark.parametrize("reps", [0, -2, 1.5, "3", True, None])
def test_run_scenario_refuses_reps_that_are_not_a_count(reps, tmp_path):
    from simulation.errors import InputError
    from simulation.scenario.config import load_scenario

    sc = load_scenario(write_scenario(tmp_path, "a", _data()))
    with pytest.raises(InputError, match="reps"):
        experiment.run_scenario(sc, reps, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.parquet"))


@pytest.mark.parametrize("seed", [1.7, -1, 2**64, "5"])
def test_a_scenario_refuses_seeds_that_are_not_seeds(seed, tmp_path):
    from simulation.errors import InputError
    from simulation.scenario.config import load_scenario

    with pytest.raises(InputError, match="run.seed"):
        load_scenario(write_scenario(tmp_path, "a", _data()), {"run": {"seed": seed}})


# ---------------------------------------------------------------------------------------
# fault injection: a results folder that is not what it claims

def _batch(a: Path, out: Path, reps: int = 3, *extra: str) -> int:
    return main(["batch", str(a), "--reps", str(reps), "--workers", "1", "--out", str(out), "--quiet", *extra])


def test_a_truncated_replication_is_refused_by_readers_and_recomputed_on_resume(tmp_path, capsys):
    a = write_scenario(tmp_path, "a", _data())
    b = write_scenario(tmp_path, "b", _data(), staff={"customer_service_fte_total": 6.0})
    out = tmp_path / "out"
    assert main(["batch", str(a), str(b), "--reps", "3", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    good = store.read_table(out / "a", "monthly")
    f = store.rep_file(out / "a", "monthly", 1)
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    capsys.readouterr()
    for argv in (["compare", str(out), "--baseline", "a"], ["report", str(out), "--format", "html"],
                 ["budget", str(a), "--results", str(out)]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and str(f) in err[0] and "unreadable" in err[0], err
    # a resume recomputes it, with a note, and the table is as before
    assert main(["batch", str(a), str(b), "--reps", "3", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    cap = capsys.readouterr()
    assert "note:" in cap.err and "rep-0001" in cap.err and "recomputed" in cap.err
    assert "1 replications computed, 5 already stored" in cap.out
    import pandas as pd
    pd.testing.assert_frame_equal(store.read_table(out / "a", "monthly"), good)
    assert main(["compare", str(out), "--baseline", "a"]) == 0


def test_a_truncated_replication_is_recomputed_by_run_too(tmp_path, capsys):
    a = write_scenario(tmp_path, "a", _data())
    out = tmp_path / "out"
    assert main(["run", str(a), "--reps", "2", "--out", str(out), "--quiet", "--workers", "1"]) == 0
    f = store.rep_file(out / "a", "hubs", 0)
    f.write_bytes(b"PAR1")
    capsys.readouterr()
    assert main(["run", str(a), "--reps", "2", "--out", str(out), "--quiet", "--workers", "1"]) == 0
    assert "rep-0000" in capsys.readouterr().err
    assert len(store.read_table(out / "a", "hubs")["replication"].unique()) == 2


def test_a_folder_without_its_manifest_takes_in_no_other_scenario(tmp_path, capsys):
    a = write_scenario(tmp_path, "a", _data())
    other = write_scenario(tmp_path, "other", _data(), staff={"customer_service_fte_total": 6.0})
    text = other.read_text(encoding="utf-8").replace('name = "other"', 'name = "a"')   # same name
    other.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert _batch(a, out, 2) == 0
    (out / "a" / "manifest.json").unlink()
    before = sorted(p.name for p in (out / "a" / "monthly").iterdir())
    capsys.readouterr()
    assert _batch(other, out, 3) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another scenario" in err[0] and str(out / "a") in err[0]
    assert sorted(p.name for p in (out / "a" / "monthly").iterdir()) == before
    assert not (out / "a" / "manifest.json").exists()
    # the same scenario adopts its own files and computes only the missing one
    assert _batch(a, out, 3) == 0
    assert "1 replications computed, 2 already stored" in capsys.readouterr().out


def test_a_replication_file_of_another_scenario_is_refused_by_readers(tmp_path, capsys):
    a = write_scenario(tmp_path, "a", _data())
    b = write_scenario(tmp_path, "b", _data(), staff={"customer_service_fte_total": 6.0})
    assert _batch(a, tmp_path / "A", 2) == 0
    assert _batch(b, tmp_path / "B", 2) == 0
    # a replication of b slipped into a's folder under a's file name
    src = store.rep_file(tmp_path / "B" / "b", "monthly", 1)
    dst = store.rep_file(tmp_path / "A" / "a", "monthly", 1)
    dst.write_bytes(src.read_bytes())
    capsys.readouterr()
    assert main(["compare", str(tmp_path / "A"), "--baseline", "a"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "different scenario" in err[0] and str(dst) in err[0]


def test_an_edited_manifest_is_refused(tmp_path, capsys):
    a = write_scenario(tmp_path, "a", _data())
    out = tmp_path / "out"
    assert _batch(a, out, 2) == 0
    mf = out / "a" / "manifest.json"
    man = json.loads(mf.read_text(encoding="utf-8"))
    man["resolved_scenario"]["staff"]["cost_per_fte_eur"] = 1.0
    mf.write_text(json.dumps(man), encoding="utf-8")
    capsys.readouterr()
    for argv in (["compare", str(out), "--baseline", "a"], ["batch", str(a), "--reps", "2", "--out", str(out)]):
        assert main(argv) == 2, argv
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_results_of_another_version_of_a_scenario_are_refused_when_named(tmp_path):
    from simulation.errors import InputError
    from simulation.scenario.config import load_scenario

    a = write_scenario(tmp_path, "a", _data())
    out = tmp_path / "out"
    assert _batch(a, out, 2) == 0
    newer = load_scenario(a).with_overrides({"staff": {"customer_service_fte_total": 6.0}})
    with pytest.raises(InputError, match="another version"):
        store.read_table(out / "a", "monthly", scenario=newer)
    assert len(store.read_table(out / "a", "monthly", scenario=load_scenario(a)))


def test_a_second_writer_gets_one_line(tmp_path, capsys):
    a = write_scenario(tmp_path, "a", _data())
    out = tmp_path / "out"
    with store.folder_lock(out):            # another batch holds the batch folder
        assert _batch(a, out, 1) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "another tyosim run or batch is writing" in err[0]
    with store.folder_lock(out / "a"):      # a run holds the scenario folder
        assert _batch(a, out, 1) == 2
        assert main(["run", str(a), "--reps", "1", "--out", str(out), "--quiet"]) == 2
    assert _batch(a, out, 1) == 0                # released: it runs


@pytest.mark.slow
def test_two_batch_processes_on_one_folder(tmp_path):
    """Two real processes: one writes, the other stops with one line; nothing is lost."""
    d = _data(years=5.0)
    a = write_scenario(tmp_path, "a", d)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "simulation", "batch", str(a), "--reps", "12", "--workers", "1",
           "--out", str(out), "--quiet"]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (out / "a" / "manifest.json").exists() and time.time() < deadline:
        time.sleep(0.1)
    assert first.poll() is None, "the first batch ended before the second started"
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.poll() is None, "the first batch ended before the second one checked the lock"
    first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 2, second.stderr
    assert len(second.stderr.strip().splitlines()) == 1 and "writing this folder" in second.stderr
    assert store.done_replications(out / "a") == set(range(12))
    assert not list(out.rglob(".*.tmp"))


def test_batch_workers_are_capped_by_the_work(tmp_path):
    a = write_scenario(tmp_path, "a", _data())
    out = tmp_path / "out"
    assert main(["batch", str(a), "--reps", "2", "--workers", "1000", "--out", str(out), "--quiet"]) == 0
    backend = json.loads((out / "batch.json").read_text(encoding="utf-8"))["backend"]
    assert backend["workers"] <= 2


# ---------------------------------------------------------------------------------------
# processes die with their parent

def _children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except FileNotFoundError:
        pytest.skip("pgrep not available")
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"   # a zombie is dead
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
@pytest.mark.slow
def test_pool_workers_die_with_the_batch(sig, tmp_path):
    a = write_scenario(tmp_path, "a", _data(years=5.0))
    cmd = [sys.executable, "-m", "simulation", "batch", str(a), "--reps", "40", "--workers", "2",
           "--out", str(tmp_path / "out"), "--quiet"]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        deadline = time.time() + 60
        kids: list[int] = []
        while time.time() < deadline:
            kids = [k for k in _children(p.pid) if _alive(k)]
            if len(kids) >= 2:
                break
            time.sleep(0.2)
        assert len(kids) >= 2, "the pool did not start"
        time.sleep(1.0)
        os.kill(p.pid, sig)
        p.wait(timeout=30)
        deadline = time.time() + 5
        while time.time() < deadline and any(_alive(k) for k in kids):
            time.sleep(0.2)
        survivors = [k for k in kids if _alive(k)]
        for k in survivors:   # do not leave them behind if the test fails
            os.kill(k, signal.SIGKILL)
        assert survivors == [], f"workers outlived their parent by 5 s: {survivors}"
    finally:
        if p.poll() is None:
            p.kill()
