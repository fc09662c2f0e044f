"""The HTML report in a real headless browser (Chromium from Debian packages).

Chromium loads the page from a file:// URL, dumps the DOM it built and takes a
screenshot. The test checks that the page loaded (title and headings in the DOM), that
every <img> is a data URI that decoded to a real image, and that no src/href points to a
missing file. Without Chromium on PATH the test is skipped with the reason — unless the
environment variable CI is set (``.ci/run`` installs Chromium), where it fails instead.
The screenshot is kept in the test's temporary folder (path printed with ``-s``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from simulation.experiments.runner import run_scenario
from simulation.report import build_report
from simulation.scenario.config import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium not found on PATH, but CI is set: .ci/run must install it "
                        "(apt-get install chromium)")
        pytest.skip("chromium not found on PATH (install it with `apt-get install chromium`); "
                    "in CI this test fails instead")
    return exe


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.imgs: list[dict[str, str | None]] = []
        self.refs: list[str] = []
        self.title = ""
        self._in_title = False
        self.h2 = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        if tag == "title":
            self._in_title = True
        if tag == "h2":
            self.h2 += 1
        for k in ("src", "href"):
            if a.get(k):
                self.refs.append(a[k])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _run(exe: str, args: list[str], tmp: Path, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=tmp)


@pytest.mark.slow
def test_report_loads_in_headless_chromium(tmp_path):
    exe = _chromium()
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml", {"run": {"years": 0.1}})
    run_scenario(sc, reps=2, out=tmp_path / "res", progress=False)
    html = build_report(tmp_path / "res", ["html"], "fi").html
    url = html.resolve().as_uri()

    dom = _run(exe, ["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    p = _Dom()
    p.feed(dom.stdout)
    assert "Työllisyysalueen simulointiraportti" in p.title
    assert p.h2 >= 8
    assert len(p.imgs) >= 3
    for img in p.imgs:
        assert (img.get("src") or "").startswith("data:image/png;base64,"), img.get("alt")
    for ref in p.refs:
        parsed = urlparse(ref)
        if parsed.scheme == "data" or ref.startswith("#"):
            continue
        assert parsed.scheme in ("", "file"), f"external reference {ref}"
        target = (html.parent / unquote(parsed.path)).resolve()
        assert target.exists(), f"broken reference {ref}"

    # the images decoded: ask the browser for their natural sizes through the DOM it renders
    probe = html.with_name("probe.html")
    probe.write_text(html.read_text(encoding="utf-8").replace(
        "</body>",
        "<script>window.addEventListener('load',()=>{const b=[...document.images]"
        ".filter(i=>!(i.complete&&i.naturalWidth>0)).length;document.title='broken='+b;});</script></body>"),
        encoding="utf-8")
    dom2 = _run(exe, ["--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()], tmp_path)
    assert "<title>broken=0</title>" in dom2.stdout, dom2.stdout[:300]

    shot = tmp_path / "shot.png"
    res = _run(exe, [f"--screenshot={shot}", "--window-size=1280,2000", url], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")
