"""The researchers' notebooks run top to bottom (short runs), and each .ipynb matches its
paired .py (jupytext percent) so the readable diff is the whole story."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DATA = ROOT.parent / "shared" / "data" / "unemployed_monthly_area.csv"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_matches_its_py_pair(nb_path):
    import jupytext
    py = nb_path.with_suffix(".py")
    assert py.exists(), f"{py.name} (jupytext pair) missing"
    a, b = jupytext.read(nb_path), jupytext.read(py)
    assert [c.source for c in a.cells] == [c.source for c in b.cells], \
        f"{nb_path.name} and {py.name} differ: run `jupytext --sync {py}`"
    assert all(not c.get("outputs") for c in a.cells if c.cell_type == "code"), "store notebooks without outputs"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
@pytest.mark.slow
def test_notebook_executes(nb_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient
    if not DATA.exists() and "02" in nb_path.stem:
        pytest.skip("real data not found beside the project")
    monkeypatch.setenv("TYOSIM_NOTEBOOK_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(nb_path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
