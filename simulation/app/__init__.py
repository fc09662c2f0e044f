"""The local scenario page (``tyosim app``): edit levers, run, compare and download in a browser.

For the area's strategists and budget preparers, who should not need to write TOML or use a
terminal. A Streamlit page that sits on top of the public API (``import simulation as ts``:
`ts.load_scenario`, `Scenario.with_overrides`, `ts.run_batch`, `ts.compare`,
`ts.load_batch`) and the report (`simulation.report.build_report`), so what the page shows
and downloads is what the command line computes:

- `levers` — a scenario's levers (customer-service FTE per hub, service places / budgets /
  target shares, the any-hub share, absence and its monthly profile) → an edited, validated
  scenario, with each validation error keyed by the control it belongs to; a scenario back
  to a complete TOML file;
- `runs` — a run in a worker process (`worker`, the ``tyosim batch`` runner), its progress
  from the results folder, and the downloads (results folder as a zip, the workbook);
- `results` — the report's tables for the page, in Finnish or English (`texts`);
- `page` — the Streamlit layout only (``streamlit run simulation/app/page.py``).

`serve` starts the page on the loopback address by default. The page needs the ``app``
extra (``pip install -e ".[app]"``: Streamlit); the other modules need only the package.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE = Path(__file__).with_name("page.py")


def streamlit_command(host: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The command `serve` runs: ``python -m streamlit run page.py`` with the server's options."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PAGE),
        "--server.address",
        str(host),
        "--server.port",
        str(int(port)),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]


def serve(
    host: str = "127.0.0.1",
    port: int = 8501,
    open_browser: bool = False,
    *,
    scenarios_dir: str | Path | None = None,
    results_dir: str | Path | None = None,
) -> int:
    """Run the scenario page until interrupted; return the server's exit code.

    Parameters
    ----------
    host, port : where the page listens (loopback by default; another address makes the
        page reachable from the network, and it has no login).
    open_browser : open the page in the default browser once the server answers.
    scenarios_dir : the folder of scenario files to pick from (default ``./scenarios``,
        else the one beside the package); passed to the page as ``TYOSIM_SCENARIOS``.
    results_dir : where runs are written (default ``<temp>/tyosim-app``); ``TYOSIM_APP_RESULTS``.
    """
    try:
        import streamlit  # noqa: F401
    except ImportError:
        print('tyosim app needs Streamlit: pip install -e ".[app]"', file=sys.stderr)
        return 2
    env = dict(os.environ)
    if scenarios_dir is not None:
        env["TYOSIM_SCENARIOS"] = str(Path(scenarios_dir).resolve())
    if results_dir is not None:
        env["TYOSIM_APP_RESULTS"] = str(Path(results_dir).resolve())
    url = f"http://{'[' + host + ']' if ':' in host else host}:{int(port)}/"
    proc = subprocess.Popen(streamlit_command(host, port), env=env)
    print(f"tyosim app: {url}  (Ctrl+C stops it)", file=sys.stderr)
    if open_browser:
        threading.Thread(target=_open_when_up, args=(url, proc), daemon=True).start()
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 0


def _open_when_up(url: str, proc: subprocess.Popen, timeout_s: float = 60.0) -> None:
    import urllib.request
    import webbrowser

    end = time.monotonic() + timeout_s
    while time.monotonic() < end and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.5)


def scenarios_folder() -> Path:
    """Scenario files to pick from: ``$TYOSIM_SCENARIOS``, ``./scenarios`` or the repository's."""
    env = os.environ.get("TYOSIM_SCENARIOS")
    if env:
        return Path(env)
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios"


__all__ = ["PAGE", "scenarios_folder", "serve", "streamlit_command"]
