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
# # 04 — Comparing scenarios
#
# A batch runs several scenarios with the same replications (common random numbers:
# replication *k* of every scenario sees the same registrations and the same personal
# draws), so a difference between scenarios is measured with much less noise than with
# independent runs. `compare` gives each scenario's mean difference from the baseline with
# a paired 95 % confidence interval.
#
# Here: the plan's service mix (the baseline) against today's mix (wage subsidy at 16 %
# of broad unemployment), and the baseline with four more officers at Laukaa.

# %%
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import simulation as ts

FAST = os.environ.get("TYOSIM_NOTEBOOK_FAST") == "1"
ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
YEARS, REPS = (0.5, 3) if FAST else (3.0, 10)
OUT = Path(tempfile.mkdtemp(prefix="tyosim-batch-"))

base = ts.load_scenario(ROOT / "scenarios" / "baseline.toml", years=YEARS)
current = ts.load_scenario(ROOT / "scenarios" / "service_mix_current.toml", years=YEARS)
staff = dict(base.staff_by_hub())
staff["Laukaa"] += 4.0
more_laukaa = base.with_overrides({"staff": {"customer_service_fte_by_hub": staff}}, name="laukaa_plus_4")

batch = ts.run_batch([base, current, more_laukaa], reps=REPS, out=OUT)
print({name: len(reps) for name, reps in batch.done.items()})

# %%
diff = ts.compare(OUT, baseline="baseline")
print("\n".join(diff.attrs["notes"]))
cols = ["scenario", "kpi", "year", "baseline_mean", "diff_mean", "diff_ci95_lo", "diff_ci95_hi"]
diff[cols].round(1)

# %% [markdown]
# A figure a strategist would show: the change in a few KPIs against the baseline, with
# the paired 95 % intervals. An interval that does not cross zero is a difference the
# replications can tell apart from noise.

# %%
show = ["stock_mean", "late_meetings_share", "benefit_cost_municipal_eur", "service_cost_eur"]
d = diff[diff.kpi.isin(show)]
year = d.year.min()
d = d[d.year == year]
fig, axes = plt.subplots(1, len(show), figsize=(14, 3.2))
for ax, kpi in zip(axes, show):
    g = d[d.kpi == kpi]
    ax.errorbar(g.diff_mean, g.scenario, xerr=[g.diff_mean - g.diff_ci95_lo, g.diff_ci95_hi - g.diff_mean],
                fmt="o", capsize=4)
    ax.axvline(0, color="grey", lw=1)
    ax.set_title(kpi)
fig.suptitle(f"difference from the baseline, {year} (mean and paired 95 % CI over {REPS} replications)")
fig.tight_layout()
