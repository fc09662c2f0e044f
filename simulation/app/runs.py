"""Running scenarios from the page: a worker process, its progress, and the downloads.

`start_run` writes each scenario as a TOML file (`levers.scenario_toml`) and a request into
a new run folder, and starts ``python -m simulation.app.worker RUN_DIR`` — the same runner
as ``tyosim batch`` (`ts.run_batch`, common random numbers, all cores) — in its own process,
so the page stays responsive and a run can be cancelled. The run folder::

    RUN_DIR/request.json        what to run (scenario files, replications, workers)
    RUN_DIR/scenarios/*.toml    the scenarios as they ran (complete files, no extends)
    RUN_DIR/results/            the usual batch folder (`tyosim report|compare|budget` read it)
    RUN_DIR/status.json         written by the worker at the end: done or failed (+ message)
    RUN_DIR/worker.log          the worker's output

`RunHandle.progress` counts the replications whose every table is on disk in the results
folder (``<scenario>/{monthly,hubs,services}/rep-NNNN.parquet``), so it needs no channel
back from the worker. `results_zip` and `workbook_bytes` make the downloads (the workbook is
`simulation.report.build_report`'s, the same as ``tyosim report --format xlsx``).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import simulation as ts
from simulation.tables.store import folder_key

from .levers import scenario_toml

TABLES = ("monthly", "hubs", "services")
_REP = re.compile(r"rep-(\d{4,9})\.parquet")
REQUEST, STATUS, LOG = "request.json", "status.json", "worker.log"


def results_root() -> Path:
    """Where the page's runs go: ``$TYOSIM_APP_RESULTS`` or ``<temp>/tyosim-app``."""
    return Path(os.environ.get("TYOSIM_APP_RESULTS") or Path(tempfile.gettempdir()) / "tyosim-app")


def new_run_dir(root: str | Path | None = None) -> Path:
    """A new, empty run folder under `root` (default `results_root`), named by time."""
    root = Path(root) if root is not None else results_root()
    d = root / f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    d.mkdir(parents=True)
    return d


@dataclass
class RunHandle:
    """A run in a worker process (see the module docstring for its folder)."""

    run_dir: Path
    names: list[str]
    reps: int
    process: subprocess.Popen | None = None
    started: float = 0.0

    @property
    def results_dir(self) -> Path:
        return self.run_dir / "results"

    @property
    def total(self) -> int:
        return self.reps * len(self.names)

    def progress(self) -> tuple[int, int]:
        """(replications done, replications asked for), over all scenarios."""
        return min(count_done(self.results_dir), self.total), self.total

    def status(self) -> dict:
        """``{"state": "running" | "done" | "failed" | "cancelled", "message": ...}``."""
        f = self.run_dir / STATUS
        if f.is_file():
            try:
                return json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass  # written atomically; a half file cannot be seen
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            if code in (-signal.SIGTERM, -signal.SIGKILL):
                return {"state": "cancelled", "message": ""}
            return {
                "state": "failed",
                "message": f"worker ended with code {code}: {self.log_tail()}",
            }
        return {"state": "running", "message": ""}

    @property
    def finished(self) -> bool:
        return self.status()["state"] != "running"

    def wait(self, timeout: float | None = None, poll_s: float = 0.2) -> dict:
        """Wait until the run ends (or `timeout` seconds); return its `status`."""
        end = None if timeout is None else time.monotonic() + timeout
        while not self.finished:
            if end is not None and time.monotonic() > end:
                break
            time.sleep(poll_s)
        if self.process is not None and self.finished:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        return self.status()

    def cancel(self) -> None:
        """Stop the worker and its process pool (the worker's own process group)."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def log_tail(self, chars: int = 2000) -> str:
        f = self.run_dir / LOG
        return f.read_text(encoding="utf-8", errors="replace")[-chars:] if f.is_file() else ""

    def scenario_file(self, name: str) -> Path:
        return self.run_dir / "scenarios" / f"{folder_key(name)}.toml"


def count_done(results: Path) -> int:
    """Replications with every table on disk, summed over the scenario folders of `results`."""
    n = 0
    if not Path(results).is_dir():
        return 0
    for folder in Path(results).iterdir():
        sets = []
        for table in TABLES:
            d = folder / table
            reps = {
                m.group(1)
                for p in (d.iterdir() if d.is_dir() else ())
                if (m := _REP.fullmatch(p.name))
            }
            sets.append(reps)
        n += len(set.intersection(*sets))
    return n


def start_run(
    scenarios: list[ts.Scenario],
    reps: int,
    run_dir: str | Path | None = None,
    workers: int | None = None,
) -> RunHandle:
    """Start ``ts.run_batch(scenarios, reps)`` in a worker process; the first is the baseline.

    The scenarios must have distinct names and one root seed (common random numbers;
    `same_seed` makes them so). `workers`: the batch's processes (default all cores, at
    most one per replication, as ``tyosim batch``).
    """
    if not scenarios:
        raise ts.InputError("page", "scenarios", "no scenario to run")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ts.InputError("page", "name", f"two scenarios with the same name: {names}")
    run_dir = Path(run_dir) if run_dir is not None else new_run_dir()
    (run_dir / "scenarios").mkdir(parents=True, exist_ok=True)
    files = []
    for sc in scenarios:
        f = run_dir / "scenarios" / f"{folder_key(sc.name)}.toml"   # a name is a label, never a path
        f.write_text(scenario_toml(sc, _comment(sc)), encoding="utf-8")
        files.append(f.name)
    workers = ts.default_workers(len(scenarios) * reps) if workers is None else int(workers)
    request = {"scenarios": files, "reps": int(reps), "workers": workers, "out": "results"}
    (run_dir / REQUEST).write_text(json.dumps(request, indent=2), encoding="utf-8")
    with open(run_dir / LOG, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "simulation.app.worker", str(run_dir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return RunHandle(run_dir, names, int(reps), proc, time.time())


def _comment(sc: ts.Scenario) -> str:
    src = sc.source_file or "the page"
    return (
        f"Scenario {sc.name!r} as run by the tyosim scenario page "
        f"({datetime.now():%Y-%m-%d %H:%M}),\n"
        f"resolved from {src}: a complete file, no extends.\n"
        "Run it again with: tyosim run THIS_FILE  (or tyosim batch BASELINE.toml THIS_FILE)"
    )


def same_seed(scenarios: list[ts.Scenario]) -> list[ts.Scenario]:
    """The scenarios with the first one's root seed (common random numbers), as ``tyosim batch``."""
    if not scenarios:
        return []
    seed = scenarios[0].run.seed
    return [
        s if s.run.seed == seed else s.with_overrides({"run": {"seed": seed}}) for s in scenarios
    ]


# ---------------------------------------------------------------------------------------
# downloads


def results_zip(results: str | Path, top: str | None = None) -> bytes:
    """The results folder as a zip (under the folder `top`, default the run folder's name)."""
    results = Path(results)
    top = top or f"tyosim-{results.parent.name}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(results.rglob("*")):
            if p.is_file() and not p.name.startswith("."):
                z.write(p, f"{top}/{p.relative_to(results).as_posix()}")
    return buf.getvalue()


def workbook_bytes(results: str | Path, lang: str = "fi", out: str | Path | None = None) -> bytes:
    """The Excel workbook of the results (``tyosim report --format xlsx``), as bytes.

    Written under `out` (default ``<run folder>/report``), beside the results, not inside them.
    """
    from simulation.report import build_report

    results = Path(results)
    out = Path(out) if out is not None else results.parent / "report"
    files = build_report(results, ["xlsx"], lang, out=out)
    return Path(files.xlsx).read_bytes()
