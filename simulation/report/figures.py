"""Report figures (matplotlib, Agg backend) as PNG bytes.

Each function takes the report tables (`simulation.report.tables`) and a language and
returns PNG bytes, or None when its data are not available (the report then says so in
words). Confidence intervals are the 95 % Student-t intervals over replications
(`kpis.mean_ci`). The HTML embeds the bytes as ``data:image/png;base64,...`` URIs, so the
page has no external references; the same bytes are written as PNG files beside it.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .labels import fmt_number, label  # noqa: E402

DPI = 100


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _num_formatter(lang: str, decimals: int = 0, percent: bool = False, scale: float = 1.0):
    return FuncFormatter(lambda v, _pos: fmt_number(v * scale, lang, decimals, percent))


def stock_by_hub(ci: pd.DataFrame, lang: str) -> bytes | None:
    """One panel per hub: month-end unemployed stock, a line and a CI band per scenario."""
    if ci is None or ci.empty:
        return None
    hubs = list(dict.fromkeys(ci["hub"]))
    n = len(hubs)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(11, 3.2 * rows), squeeze=False, sharex=True)
    scenarios = list(dict.fromkeys(ci["scenario"]))
    for ax, hub in zip(axes.flat, hubs, strict=False):
        for s in scenarios:
            d = ci[(ci.hub == hub) & (ci.scenario == s)].sort_values("month")
            x = pd.to_datetime(d["month"] + "-01")
            line, = ax.plot(x, d["mean"], label=s, lw=1.6)
            if d["ci95_lo"].notna().any():
                ax.fill_between(x, d["ci95_lo"], d["ci95_hi"], color=line.get_color(), alpha=0.2, lw=0)
        ax.set_title(hub, fontsize=10)
        ax.yaxis.set_major_formatter(_num_formatter(lang))
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8, loc="best")
    fig.suptitle(label(lang, "fig_stock_by_hub"), fontsize=11)
    fig.autofmt_xdate()
    return _png(fig)


def _grouped_bars(ax, table: pd.DataFrame, group_col: str, bar_col: str, lang: str) -> None:
    groups = list(dict.fromkeys(table[group_col]))
    bars = list(dict.fromkeys(table[bar_col]))
    width = 0.8 / max(len(bars), 1)
    x = np.arange(len(groups))
    for i, b in enumerate(bars):
        d = table[table[bar_col] == b].set_index(group_col).reindex(groups)
        err = None
        if d["ci95_lo"].notna().any():
            err = np.vstack([(d["mean"] - d["ci95_lo"]).clip(lower=0).fillna(0),
                             (d["ci95_hi"] - d["mean"]).clip(lower=0).fillna(0)])
        ax.bar(x + (i - (len(bars) - 1) / 2) * width, d["mean"], width, yerr=err, capsize=3, label=str(b))
    ax.set_xticks(x, [str(g) for g in groups])
    ax.grid(axis="y", alpha=0.3)


def late_meetings(kpis: pd.DataFrame, lang: str) -> bytes | None:
    """Share of initial + job-search interviews held late, per scenario and year, with CIs."""
    if kpis is None or kpis.empty:
        return None
    d = kpis[kpis.kpi == "late_meetings_share"]
    if d.empty:
        return None
    fig, ax = plt.subplots(figsize=(10, 3.8))
    _grouped_bars(ax, d, "scenario", "year", lang)
    ax.yaxis.set_major_formatter(_num_formatter(lang, 0, percent=True))
    ax.set_ylabel(label(lang, "late_share"))
    ax.legend(title=label(lang, "year"), fontsize=8)
    ax.set_title(label(lang, "fig_late"), fontsize=11)
    return _png(fig)


def benefits_by_payer(benefits: pd.DataFrame, lang: str) -> bytes | None:
    """Benefit cost by payer (municipalities, state and funds) per scenario, all years, with CIs."""
    if benefits is None or benefits.empty:
        return None
    d = benefits[benefits.payer.isin(["municipal", "state"])].copy()
    d["group"] = d["scenario"] + " " + d["year"].astype(str)
    d["payer"] = d["payer"].map({"municipal": label(lang, "payer_municipal"), "state": label(lang, "payer_state")})
    fig, ax = plt.subplots(figsize=(11, 4))
    _grouped_bars(ax, d, "group", "payer", lang)
    ax.yaxis.set_major_formatter(_num_formatter(lang, 1, scale=1e-6))
    ax.set_ylabel(label(lang, "million_eur"))
    ax.legend(title=label(lang, "payer"), fontsize=8)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    ax.set_title(label(lang, "fig_benefits"), fontsize=11)
    return _png(fig)


def budget_gap(budget: pd.DataFrame, lang: str) -> bytes | None:
    """Gap (cost − frame) per scenario and year, with the ±tolerance band around zero."""
    if budget is None or budget.empty:
        return None
    d = budget.assign(mean=budget["gap_eur"], ci95_lo=np.nan, ci95_hi=np.nan)
    fig, ax = plt.subplots(figsize=(10, 3.8))
    _grouped_bars(ax, d, "scenario", "year", lang)
    tol = float(budget["gap_tolerance_eur"].max())
    ax.axhspan(-tol, tol, color="green", alpha=0.15, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.yaxis.set_major_formatter(_num_formatter(lang, 1, scale=1e-6))
    ax.set_ylabel(label(lang, "million_eur"))
    ax.legend(title=label(lang, "year"), fontsize=8)
    ax.set_title(label(lang, "fig_gap"), fontsize=11)
    return _png(fig)
