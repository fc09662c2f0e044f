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
# # 04 — Comparing scenarios
#
# A batch runs several scenarios with the same replications (common random numbers:
# replication *k* of every scenario sees the same registrations and the same personal
# draws), so a difference between scenarios is measured with much less noise than with
# independent runs. `compare` pairs replication *k* of each scenario with replication *k*
# of the baseline and gives the mean difference with a paired 95 % confidence interval,
# for the area (`by="area"`), per hub or per municipality.
#
# Here: the plan's service mix (the baseline) against today's mix (wage subsidy at 16 %
# of broad unemployment), and the baseline with two more officers at Laukaa
# (`with_staff` changes one hub and keeps the others).

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt

import simulation as ts

FAST = os.environ.get("TYOSIM_NOTEBOOK_FAST") == "1"
ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
YEARS, REPS = (2.0, 3) if FAST else (3.0, 10)

base = ts.load_scenario(ROOT / "scenarios" / "baseline.toml", years=YEARS)
current = ts.load_scenario(ROOT / "scenarios" / "service_mix_current.toml", years=YEARS)
batch = ts.run_batch([base, current, base.with_staff("Laukaa", add_fte=2)], reps=REPS)
print(batch.out, batch.done)

# %% [markdown]
# The differences from the baseline for the area, per year. Shares are in %, their
# differences in percentage points; `clear` says whether the 95 % interval excludes zero
# (a difference the replications can tell apart from noise).

# %%
diff = batch.compare()
print("\n".join(diff.attrs["notes"]))
ts.readable_differences(diff)

# %% [markdown]
# A figure a strategist would show: the change in a few KPIs against the baseline, with
# the paired 95 % intervals, in the last simulated year.

# %%
show = ["stock_mean", "late_meetings_share", "benefit_cost_municipal_eur", "service_cost_eur"]
year = int(diff.year.max())
d = diff[diff.kpi.isin(show) & (diff.year == year)]
fig, axes = plt.subplots(1, len(show), figsize=(15, 3.4), sharey=True)
for ax, kpi in zip(axes, show, strict=False):
    g = d[d.kpi == kpi]
    scale = 100 if kpi.endswith("_share") else (1e-3 if kpi.endswith("_eur") else 1)
    x, lo, hi = g.diff_mean * scale, g.diff_ci95_lo * scale, g.diff_ci95_hi * scale
    ax.errorbar(x, g.scenario, xerr=[x - lo, hi - x], fmt="o", capsize=4)
    ax.axvline(0, color="grey", lw=1)
    label = ts.kpi_label(kpi, diff=True).replace("(€)", "(thousand €)")
    ax.set_title(label.split(" (")[0], fontsize=10)
    ax.set_xlabel("difference, " + label.split(" (")[1].rstrip(")"))
fig.suptitle(f"Difference from the baseline, {year}: mean and paired 95 % CI over {REPS} replications")
fig.tight_layout()

# %% [markdown]
# ## A question per municipality
#
# *Two more officers at Laukaa: what happens to the interview deadlines missed and to the
# municipal share of the benefit cost in Laukaa and Hankasalmi (both served by the Laukaa
# hub) in 2026?* Three lines of API: the scenario, the batch (above) and the comparison.

# %%
plus2 = base.with_staff("Laukaa", add_fte=2)
answer = ts.compare(batch, by="municipality", years=2026, municipalities=["Laukaa", "Hankasalmi"],
                    kpis=["late_meetings", "late_meetings_share", "benefit_municipal_share"])
ts.readable_differences(answer[answer.scenario == plus2.name])
