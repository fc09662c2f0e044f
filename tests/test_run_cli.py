"""`tyosim run` end to end: tables and manifest written, a re-run resumes, a clash is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from simulation.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.toml")


def test_run_writes_tables_and_manifest_and_resumes(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", BASELINE, "--years", "0.25", "--reps", "2", "--out", str(out), "--quiet",
                 "--workers", "1"]) == 0
    text = capsys.readouterr().out
    assert "initial interviews on time" in text and "95 % CI" in text
    folder = out / "baseline"
    for t in ("monthly", "hubs", "services"):
        assert sorted(p.name for p in (folder / t).glob("*.parquet")) == ["rep-0000.parquet", "rep-0001.parquet"]
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["replications_done"] == [0, 1]
    assert m["resolved_scenario"]["run"]["years"] == 0.25
    assert set(m["seeds"]) == {"0", "1"} and m["root_seed"] == 20250101
    assert {"simpy", "numpy", "pandas"} <= set(m["versions"]) and "commit" in m["git"]
    assert m["rules_at_start"]["initial_interview_deadline_working_days"]["value"] == 5
    monthly = pd.read_parquet(folder / "monthly")
    assert {"scenario", "replication", "seed", "month", "municipality", "hub", "stock_end", "inflow",
            "exits_employment", "exits_other", "initial_interviews", "initial_interviews_late",
            "job_search_interviews", "job_search_interviews_late", "in_services_end",
            "benefit_cost_eur", "benefit_cost_municipal_eur"} <= set(monthly.columns)
    assert len(monthly) == 2 * 3 * 13
    assert (folder / "yearly_by_municipality.csv").exists()
    # a re-run with more replications computes only the new one; the old files stay as they were
    before = {p: p.stat().st_mtime_ns for p in (folder / "monthly").glob("*.parquet")}
    assert main(["run", BASELINE, "--years", "0.25", "--reps", "3", "--out", str(out), "--quiet",
                 "--workers", "1"]) == 0
    after = {p: p.stat().st_mtime_ns for p in (folder / "monthly").glob("*.parquet")}
    assert all(after[p] == t for p, t in before.items()) and len(after) == 3
    assert not list(folder.rglob("*.tmp"))
    # the same folder with another horizon is refused, nothing written
    assert main(["run", BASELINE, "--years", "0.5", "--reps", "1", "--out", str(out), "--quiet"]) == 2
    assert "different scenario" in capsys.readouterr().err
