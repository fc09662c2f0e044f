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
# # 01 — Quickstart: run a scenario from Python
#
# Load the baseline scenario (the area as the plan describes it, from 1 January 2025),
# run a few replications, and look at the tidy tables: `monthly` (per municipality),
# `hubs` (staff capacity and use) and `services`. Every figure comes with a 95 %
# confidence interval over replications. Every column, with its unit, is listed in
# `docs/columns.md`.
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
# Headline KPIs per year: the mean over replications with its 95 % confidence interval.
# Counts are per year (one replication's year, averaged over replications); shares in %.

# %%
ts.readable_summary(res.summary())

# %% [markdown]
# Unemployed jobseekers by hub, month by month: the line is the mean over replications,
# the shaded band the lowest to highest replication.

# %%
by_hub = res.monthly.groupby(["replication", "month", "hub"], as_index=False)["stock_end"].sum()
fig, ax = plt.subplots(figsize=(10, 4))
for i, (hub, g) in enumerate(by_hub.groupby("hub")):
    w = g.pivot(index="month", columns="replication", values="stock_end")
    ax.plot(w.index, w.mean(axis=1), color=f"C{i}", label=hub)
    ax.fill_between(w.index, w.min(axis=1), w.max(axis=1), color=f"C{i}", alpha=0.25)
ax.fill_between([], [], [], color="grey", alpha=0.25, label=f"band: lowest–highest of {REPS} replications")
ax.set_title("Unemployed jobseekers by hub (line: mean of replications)")
ax.set_ylabel("unemployed jobseekers at month end")
ax.set_xlabel("month")
ax.tick_params(axis="x", rotation=90)
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout()

# %% [markdown]
# Staff use per hub and year (hours per year, mean over replications) and the interview
# deadlines missed (held late or never) per year, with their share of the deadlines.

# %%
h = res.hubs.assign(year=res.hubs.month.str[:4].astype(int))
per_rep = h.groupby(["replication", "year", "hub"])[["capacity_hours", "used_hours"]].sum()
hubs = per_rep.groupby(["year", "hub"]).mean()
hubs["utilisation %"] = 100 * hubs.used_hours / hubs.capacity_hours
hubs = hubs.round({"capacity_hours": 0, "used_hours": 0, "utilisation %": 1})
hubs.rename(columns={"capacity_hours": "meeting hours available / year",
                     "used_hours": "meeting hours used / year"})

# %%
late = res.kpis(by="hub").groupby(["year", "hub"])[["late_meetings", "late_meetings_share"]].mean()
late["late_meetings_share"] = (100 * late.late_meetings_share).round(1)
late["late_meetings"] = late.late_meetings.round(0).astype(int)
late.rename(columns={"late_meetings": "deadlines missed / year (mean of replications)",
                     "late_meetings_share": "deadlines missed, % of deadlines"})
