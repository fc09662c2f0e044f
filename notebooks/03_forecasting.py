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
# # 03 — Forecasting caseload and benefit costs
#
# Statistical forecasts (statsmodels ETS, chosen per series by rolling-origin
# cross-validation, reconciled over municipality → hub → area) with 80 % and 95 %
# prediction intervals from simulated paths. First a backtest against the baselines
# (seasonal naive, plain log-ETS), then a forecast cut at a month so it can be set against
# what came after, then the benefit cost it implies. Method and measured accuracy:
# `docs/forecast.md`. Data: Statistics Finland, Employment Service Statistics, table 1001.

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt

import simulation as ts
from simulation.forecast.data import load_monthly

FAST = os.environ.get("TYOSIM_NOTEBOOK_FAST") == "1"
ROOT = Path.cwd() if (Path.cwd() / "scenarios").exists() else Path.cwd().parent
DATA = ROOT.parent / "shared" / "data" / "unemployed_monthly_area.csv"
PATHS = 200 if FAST else 1000
ORIGINS = ("2018-12",) if FAST else ("2015-12", "2016-12", "2017-12", "2018-12")

# %% [markdown]
# ## Backtest: how good is the method, and are its intervals honest?

# %%
bt = ts.backtest(DATA, origins=ORIGINS, paths=PATHS)
bt.summary().round(3)

# %%
bt.figures()

# %% [markdown]
# ## A forecast cut at the end of 2018, against 2019

# %%
fc = ts.forecast_caseload(DATA, until="2018-12", horizon=12, paths=PATHS)
actual = load_monthly(DATA).unemployed
fig, axes = plt.subplots(1, 5, figsize=(17, 3.3))
region = ts.load_scenario(ROOT / "scenarios" / "baseline.toml").region_obj()
series = [("area", region.name)] + [("hub", h) for h in region.hub_names]
for ax, (level, name) in zip(axes, series, strict=False):
    f = fc.table[(fc.table.level == level) & (fc.table.series == name)]
    h = fc.history(level, name)["2016-01":]
    x = [str(m) for m in f.month]
    cols = list(actual.columns) if level == "area" else [m for m in actual.columns if region.hub_of(m) == name]
    obs = actual[cols].sum(axis=1)
    ax.plot([str(m) for m in h.index], h.values, "k-", lw=1)
    ax.fill_between(x, f.lo95, f.hi95, alpha=0.2, color="C0", label="95 %")
    ax.fill_between(x, f.lo80, f.hi80, alpha=0.35, color="C0", label="80 %")
    ax.plot(x, f["mean"], "C0-", label="forecast")
    ax.plot(x, obs.loc["2019-01":"2019-12"].values, "C3.", label="what came")
    ax.set_title(name if level == "hub" else "Area")
    ax.set_xlabel("month")
    ax.set_xticks(range(0, len(h) + 12, 12))
    ax.tick_params(axis="x", rotation=90)
axes[0].set_ylabel("unemployed jobseekers at month end")
axes[0].legend(fontsize=8)
fig.suptitle("Forecast from December 2018 (bands: 80 % and 95 % prediction intervals) and what came")
fig.tight_layout()

# %% [markdown]
# ## Benefit cost and the municipalities' share, by year
# The caseload paths turned into benefit cost with the dated rules (amounts, the municipal
# share schedule in force each month). Cost assumptions: `simulation.forecast.cost.CostAssumptions`
# (each with its source).

# %%
costs = fc.costs[fc.costs.level != "municipality"].set_index(["series", "year"])
eur = [c for c in costs.columns if c.endswith("_eur") or "_eur_" in c]
table = (costs[eur] / 1e6).round(2).add_suffix(" (M€)")
table.insert(0, "months", costs["months"])
table["municipal share (%)"] = (100 * costs["effective_municipal_share"]).round(1)
table
