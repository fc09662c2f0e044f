# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 — Calibration and validation
#
# 1. **History.** The inflow and exit parameters were fitted on 2016–2018 only
#    (`calibration/calibrate.py`). `scenarios/calibration_2019.toml` starts from the
#    observed December 2018 stock under the rules then in force; here its simulated
#    monthly stock is set against Statistics Finland's 2019 series, which the calibration
#    never saw.
# 2. **Theory.** The model reduced to one hub with Poisson arrivals, exponential meeting
#    times and c officers is an M/M/c queue; its mean wait is compared with Erlang C.
#
# Data: Statistics Finland, Employment Service Statistics, table 1001 (`../shared/data/`).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt

import simulation as ts
from simulation.experiments.validation import history_check
from simulation.forecast.data import load_monthly

FAST = os.environ.get("TYOSIM_NOTEBOOK_FAST") == "1"
ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
DATA = ROOT.parent / "shared" / "data" / "unemployed_monthly_area.csv"
REPS = 3 if FAST else 10

observed = load_monthly(DATA).unemployed
sc = ts.load_scenario(ROOT / "scenarios" / "calibration_2019.toml")
check = history_check(sc, observed, reps=REPS)
check.mape.round(1)

# %%
fig, axes = plt.subplots(1, 5, figsize=(16, 3.2), sharex=True)
panels = [("area", "area")] + [("hub", h) for h in sc.region_obj().hub_names]
for ax, (level, series) in zip(axes, panels, strict=False):
    d = check.comparison[(check.comparison.level == level) & (check.comparison.series == series)]
    ax.plot(d.month.str[5:], d.observed, "k-", label="observed")
    ax.plot(d.month.str[5:], d.simulated, "C1--", label=f"simulated (mean of {check.replications})")
    ax.set_title(f"{'Area' if level == 'area' else series}: MAPE {check.mape_of(level, series):.1f} %")
    ax.set_xlabel("month of 2019")
axes[0].set_ylabel("unemployed jobseekers at month end")
axes[0].legend()
fig.suptitle("Simulated against observed unemployed jobseekers, 2019 (out of sample)")
fig.tight_layout()

# %% [markdown]
# ## Erlang C
# One hub (Äänekoski) with 3 officers and no calendar, Poisson registrations, one
# exponential meeting each (the rules are overridden so no interview follows), nobody
# leaving during the run. The scenario is built by the same helper the tests use.

# %%
import tempfile

import pandas as pd

from simulation.experiments.queueing import erlang_c_mean_wait
from simulation.experiments.validation import mmc_mean_waits, mmc_scenario
from simulation.tables.kpis import mean_ci

rows = []
for rho in (0.5, 0.8) if FAST else (0.5, 0.7, 0.9):
    scn, lam, mu = mmc_scenario(tempfile.mkdtemp(), rho, servers=3, years=1.0 if FAST else 2.0)
    mean, sd, lo, hi = mean_ci(mmc_mean_waits(scn, reps=4 if FAST else 20))
    minutes = 24 * 60
    rows.append((rho, erlang_c_mean_wait(lam, mu, 3) * minutes, mean * minutes, lo * minutes, hi * minutes))
pd.DataFrame(rows, columns=["utilisation ρ", "Erlang C mean wait (min)", "simulated mean wait (min)",
                           "95 % CI low (min)", "95 % CI high (min)"]).round(1)
