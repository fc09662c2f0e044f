# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 — Quickstart: run a scenario from Python
#
# Load the baseline scenario (the area as the plan describes it, from 1 January 2025),
# run a few replications, and look at the tidy tables: `monthly` (per municipality),
# `hubs` (staff capacity and use) and `services`. Every figure comes with a 95 %
# confidence interval over replications.
#
# Set `TYOSIM_NOTEBOOK_FAST=1` for a short run (the test suite does).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt

import simulation as ts

FAST = os.environ.get("TYOSIM_NOTEBOOK_FAST") == "1"
ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
YEARS, REPS = (0.5, 2) if FAST else (3.0, 10)

sc = ts.load_scenario(ROOT / "scenarios" / "baseline.toml", years=YEARS)
print(sc.name, sc.run.start_date, f"{sc.run.years} years")
print("customer-service staff by hub (fte):", {h: round(v, 1) for h, v in sc.staff_by_hub().items()})

# %%
res = ts.run(sc, reps=REPS)
res.monthly.head()

# %% [markdown]
# Headline KPIs per year, mean and 95 % CI over replications:

# %%
summary = res.summary()
summary.pivot_table(index="kpi", columns="year", values="mean").round(1)

# %% [markdown]
# Unemployed jobseekers by hub, month by month (mean over replications, with the range
# of the replications shaded):

# %%
by_hub = res.monthly.groupby(["replication", "month", "hub"], as_index=False)["stock_end"].sum()
fig, ax = plt.subplots(figsize=(9, 4))
for hub, g in by_hub.groupby("hub"):
    w = g.pivot(index="month", columns="replication", values="stock_end")
    ax.plot(w.index, w.mean(axis=1), label=hub)
    ax.fill_between(w.index, w.min(axis=1), w.max(axis=1), alpha=0.2)
ax.set_ylabel("unemployed jobseekers (end of month)")
ax.tick_params(axis="x", rotation=90)
ax.legend()
fig.tight_layout()

# %% [markdown]
# Staff use per hub: capacity and used hours, and the share of meetings held late.

# %%
hubs = res.hubs.groupby(["hub"])[["capacity_hours", "used_hours"]].sum()
hubs["utilisation_%"] = 100 * hubs.used_hours / hubs.capacity_hours
hubs.round(0)

# %%
late = res.monthly.groupby("hub")[["initial_interviews", "initial_interviews_late",
                                   "job_search_interviews", "job_search_interviews_late"]].sum()
late["initial_on_time_%"] = 100 * (1 - late.initial_interviews_late / late.initial_interviews)
late["job_search_on_time_%"] = 100 * (1 - late.job_search_interviews_late / late.job_search_interviews)
late.round(1)
