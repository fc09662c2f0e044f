"""Back-test against stored results: every figure of a fixed-seed run of
`tests/regression/scenario.toml` equals the stored tables (`tests/regression/stored/`).

A refactoring (issue 16) must move no number; a change meant to move numbers regenerates the
stored tables with `python tests/regression/make_stored.py` and says so in its commit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.regression.make_stored import tables

STORED = Path(__file__).resolve().parent / "regression" / "stored"


@pytest.fixture(scope="module")
def now():
    return tables()


@pytest.mark.parametrize("name", ["monthly", "hubs", "services"])
def test_tables_equal_the_stored_results(now, name):
    stored = pd.read_csv(STORED / f"{name}.csv.gz")
    got = now[name]
    assert list(got.columns) == list(stored.columns), "columns changed: regenerate only if meant"
    assert len(got) == len(stored)
    for c in got.columns:
        a, b = got[c].to_numpy(), stored[c].to_numpy()
        if np.issubdtype(np.asarray(a).dtype, np.number) and np.issubdtype(np.asarray(b).dtype, np.number):
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-9, atol=1e-6,
                                       err_msg=f"{name}.{c}")
        else:
            assert (pd.Series(a).astype(str).to_numpy() == pd.Series(b).astype(str).to_numpy()).all(), f"{name}.{c}"
