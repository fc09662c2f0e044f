"""The page's worker process: ``python -m simulation.app.worker RUN_DIR`` (from `runs.start_run`).

Reads ``RUN_DIR/request.json``, loads the scenario files it names (``RUN_DIR/scenarios/``)
with `ts.load_scenario` and runs them with `ts.run_batch` into ``RUN_DIR/results`` — the
runner of ``tyosim batch``. At the end it writes ``RUN_DIR/status.json``: ``done``, or
``failed`` with the message (an `InputError`'s words, or the last lines of the traceback).
It stops by itself when the process that started it (the page's server) is gone.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path


def _write_status(run_dir: Path, status: dict) -> None:
    tmp = run_dir / ".status.json.tmp"
    tmp.write_text(json.dumps(status, indent=2), encoding="utf-8")
    os.replace(tmp, run_dir / "status.json")


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="tyosim-app-parent-watchdog", daemon=True).start()


def run(run_dir: Path) -> int:
    import simulation as ts

    started = time.time()
    try:
        req = json.loads((run_dir / "request.json").read_text(encoding="utf-8"))
        scenarios = [ts.load_scenario(run_dir / "scenarios" / f) for f in req["scenarios"]]
        batch = ts.run_batch(
            scenarios,
            reps=int(req["reps"]),
            out=run_dir / req.get("out", "results"),
            workers=int(req["workers"]),
            progress=False,
        )
    except ts.InputError as e:
        _write_status(run_dir, {"state": "failed", "message": e.message})
        return 2
    except Exception as e:  # noqa: BLE001 — reported to the page in words, with the traceback's end
        tb = traceback.format_exc()
        print(tb, file=sys.stderr)
        _write_status(
            run_dir,
            {"state": "failed", "message": f"{type(e).__name__}: {e}", "traceback": tb[-4000:]},
        )
        return 1
    _write_status(
        run_dir,
        {
            "state": "done",
            "message": "",
            "names": batch.names,
            "seconds": round(time.time() - started, 1),
        },
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m simulation.app.worker RUN_DIR", file=sys.stderr)
        return 2
    _watch_parent(os.getppid())
    return run(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())
