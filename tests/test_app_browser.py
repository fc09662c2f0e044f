"""The scenario page in a real browser: the issue's "done when", as a person does it.

``python -m simulation.app`` (what ``tyosim app`` runs: `simulation.app.serve`) starts the
page on a free loopback port; Playwright drives the system Chromium (Debian's, the one
``.ci/run`` installs; ``executable_path`` given, so ``playwright install`` is not needed).
The person changes Laukaa's staff, sets a one-year horizon, runs 10 replications with the
baseline (chosen by default), sees the results and the paired differences, and downloads
the workbook, which must be a valid xlsx with the comparison in it. No other command is used.

Without /usr/bin/chromium (or Playwright) the test is skipped with the reason, unless the
environment variable CI is set, where it fails instead. A screenshot of the results is kept
in the test's temporary folder (path printed with ``-s``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPS, YEARS = 10, 1


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what}, but CI is set: .ci/run must install it")
    pytest.skip(f"{what}; in CI this test fails instead")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """The page served by ``tyosim app`` (as ``python -m simulation app``) on a free loopback port."""
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulation",   # the command line: `tyosim app`
            "app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--scenarios",
            str(ROOT / "scenarios"),
            "--results",
            str(tmp_path / "runs"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        end = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > end:
                log.flush()
                pytest.fail(
                    "the page did not start:\n" + (tmp_path / "server.log").read_text()[-3000:]
                )
            time.sleep(0.25)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its workers (own session)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        log.close()


@pytest.mark.slow
def test_change_laukaa_run_compare_download_in_chromium(server, tmp_path):
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _missing("Python Playwright not installed (pip install -e '.[dev]')")
    import openpyxl

    t0 = time.monotonic()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(accept_downloads=True, viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(server)
            expect(page.get_by_role("heading", name="Työllisyysalueen skenaariot")).to_be_visible()

            # Laukaa's staff: + 2 htv (the total follows on the page: the server has the value)
            laukaa = page.get_by_label("Laukaa: asiakaspalvelu, htv")
            before = float(laukaa.input_value())
            laukaa.fill(f"{before + 2:.2f}")
            laukaa.press("Enter")
            expect(page.get_by_text(re.compile(r"Yhteensä 30,0 htv"))).to_be_visible()

            years = page.get_by_label("Simuloitavat vuodet")
            years.fill(str(YEARS))
            years.press("Enter")
            expect(years).to_have_value(f"{YEARS:.2f}")
            assert page.get_by_label("Toistoja").input_value() == str(REPS)  # the default
            expect(
                page.get_by_text("baseline — Suunnitelma sellaisenaan", exact=False).first
            ).to_be_visible()

            page.get_by_role("button", name="Aja", exact=True).click()
            expect(
                page.get_by_text(re.compile(rf"Ajetaan: \d+/{2 * REPS} toistoa valmiina"))
            ).to_be_visible()
            expect(page.get_by_role("heading", name="Vertailu")).to_be_visible(timeout=240_000)
            run_s = time.monotonic() - t0
            expect(
                page.get_by_text(f"Tulokset: baseline_edited ({REPS} toistoa, {YEARS},00 v)")
            ).to_be_visible()
            page.get_by_role("heading", name="Tulokset").evaluate("e => e.scrollIntoView()")
            page.screenshot(path=str(tmp_path / "results.png"))

            with page.expect_download(timeout=120_000) as dl:
                page.get_by_role("button", name="Työkirja (xlsx)").click()
            xlsx = tmp_path / dl.value.suggested_filename
            dl.value.save_as(xlsx)
        except BaseException:
            page.screenshot(path=str(tmp_path / "failure.png"))
            (tmp_path / "failure.txt").write_text(page.inner_text("body"), encoding="utf-8")
            print(f"failure screenshot and text in {tmp_path}")
            raise
        finally:
            browser.close()

    assert xlsx.suffix == ".xlsx" and xlsx.read_bytes()[:2] == b"PK"
    wb = openpyxl.load_workbook(xlsx)
    assert "Erot perusvaihtoehtoon" in wb.sheetnames
    head, *rows = list(wb["Erot perusvaihtoehtoon"].iter_rows(values_only=True))
    assert head[0] == "Skenaario" and rows
    assert {r[0] for r in rows} == {"baseline_edited"}  # against the baseline
    assert {r[head.index("Toistoja")] for r in rows} == {REPS}  # paired over the 10 replications
    print(
        f"run of {REPS} replications x 2 scenarios x {YEARS} year(s): results after {run_s:.0f} s; "
        f"total {time.monotonic() - t0:.0f} s; screenshot {tmp_path / 'results.png'}"
    )
