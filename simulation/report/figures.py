"""Report figures (matplotlib, Agg backend) as PNG bytes.

Each function takes the report tables (`simulation.report.tables`), a language and the
scenario titles people read, and returns PNG bytes, or None when its data are not
available (the report then says so in words). Every figure has labelled axes with units,
a title in the report's language and, where it draws an interval, a line *on the plot*
saying what the band or bar is: the 95 % Student-t interval of the mean over replications
(`kpis.mean_ci_bounded`, clipped at zero for non-negative amounts), or the 95 % interval of
a paired difference from the baseline (`compare.paired_differences`, not clipped).

The municipalities' own benefit share has its own figure (`municipal_benefit`) and its own
panel beside the state's (`benefits_by_payer`), so it is not lost beside the state's money.
The HTML embeds the bytes as ``data:image/png;base64,...`` URIs, so the page has no
external references; the same bytes are written as PNG files beside it.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .labels import fmt_number, kpi_label, label  # noqa: E402

DPI = 100
NOTE = {"fontsize": 8, "color": "#444444"}


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _num_formatter(lang: str, decimals: int = 0, percent: bool = False, scale: float = 1.0):
    return FuncFormatter(lambda v, _pos: fmt_number(v * scale, lang, decimals, percent))


def _note(fig, text: str) -> None:
    """What the band/bar means, written on the figure, below everything else (tick labels too)."""
    fig.canvas.draw()
    bb = fig.get_tightbbox(fig.canvas.get_renderer())      # inches
    fig.text(0.01, bb.y0 / fig.get_figheight() - 0.02, text, ha="left", va="top", **NOTE)


def _n(table: pd.DataFrame) -> str:
    ns = sorted({int(x) for x in table["n"].dropna()}) if "n" in table else []
    return "–".join(str(x) for x in (ns[0], ns[-1])) if len(ns) > 1 else (str(ns[0]) if ns else "?")


def _t(titles: dict[str, str] | None, s: str) -> str:
    return (titles or {}).get(s, s)


def stock_by_hub(ci: pd.DataFrame, lang: str, titles: dict[str, str] | None = None,
                 baseline: str | None = None) -> bytes | None:
    """One panel per hub: month-end unemployed stock, a line per scenario; the band is the
    baseline's 95 % interval only (four overlapping bands hide each other)."""
    if ci is None or ci.empty:
        return None
    hubs = list(dict.fromkeys(ci["hub"]))
    n = len(hubs)
    cols = 2 if n > 1 else 1
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(11, 3.2 * rows), squeeze=False, sharex=True)
    scenarios = list(dict.fromkeys(ci["scenario"]))
    band_of = baseline if baseline in scenarios else scenarios[0]
    for ax, hub in zip(axes.flat, hubs, strict=False):
        for s in scenarios:
            d = ci[(ci.hub == hub) & (ci.scenario == s)].sort_values("month")
            x = pd.to_datetime(d["month"] + "-01")
            line, = ax.plot(x, d["mean"], label=_t(titles, s), lw=1.6)
            if s == band_of and d["ci95_lo"].notna().any():
                ax.fill_between(x, d["ci95_lo"], d["ci95_hi"], color=line.get_color(), alpha=0.2, lw=0)
        ax.set_title(hub, fontsize=10)
        ax.yaxis.set_major_formatter(_num_formatter(lang))
        ax.set_ylabel(label(lang, "axis_persons"))
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(label(lang, "axis_month"))
    axes.flat[0].legend(fontsize=8, loc="best")
    fig.suptitle(label(lang, "fig_stock_by_hub"), fontsize=11)
    fig.autofmt_xdate()
    _note(fig, label(lang, "fig_band_baseline").format(n=_n(ci[ci.scenario == band_of])))
    return _png(fig)


def _grouped_bars(ax, table: pd.DataFrame, group_col: str, bar_col: str, lang: str,
                  names: dict[str, str] | None = None) -> None:
    groups = list(dict.fromkeys(table[group_col]))
    bars = list(dict.fromkeys(table[bar_col]))
    width = 0.8 / max(len(bars), 1)
    x = np.arange(len(groups))
    for i, b in enumerate(bars):
        d = table[table[bar_col] == b].set_index(group_col).reindex(groups)
        err = None
        if "ci95_lo" in d and d["ci95_lo"].notna().any():
            err = np.vstack([(d["mean"] - d["ci95_lo"]).clip(lower=0).fillna(0),
                             (d["ci95_hi"] - d["mean"]).clip(lower=0).fillna(0)])
        ax.bar(x + (i - (len(bars) - 1) / 2) * width, d["mean"], width, yerr=err, capsize=4,
               error_kw={"elinewidth": 1.4, "ecolor": "black"}, label=str(b))
    ax.set_xticks(x, [(names or {}).get(g, str(g)) for g in groups])
    ax.grid(axis="y", alpha=0.3)


def late_meetings(kpis: pd.DataFrame, lang: str, titles: dict[str, str] | None = None) -> bytes | None:
    """Share of statutory deadlines missed, per scenario and year, with 95 % intervals."""
    if kpis is None or kpis.empty:
        return None
    d = kpis[kpis.kpi == "late_meetings_share"]
    if d.empty:
        return None
    fig, ax = plt.subplots(figsize=(10, 3.8))
    _grouped_bars(ax, d, "scenario", "year", lang, titles)
    ax.yaxis.set_major_formatter(_num_formatter(lang, 0, percent=True))
    ax.set_ylabel(label(lang, "late_share") + ", %")
    ax.set_xlabel(label(lang, "axis_option"))
    ax.legend(title=label(lang, "year"), fontsize=8)
    ax.set_title(label(lang, "fig_late"), fontsize=11)
    _note(fig, label(lang, "fig_errorbar_note").format(n=_n(d)))
    return _png(fig)


def benefits_by_payer(benefits: pd.DataFrame, lang: str, titles: dict[str, str] | None = None) -> bytes | None:
    """Benefit cost by payer: the municipalities and the state each on its own axis, with CIs."""
    if benefits is None or benefits.empty:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, payer, key in ((axes[0], "municipal", "fig_benefit_muni_panel"),
                           (axes[1], "state", "fig_benefit_state_panel")):
        d = benefits[benefits.payer == payer]
        _grouped_bars(ax, d, "scenario", "year", lang, titles)
        ax.yaxis.set_major_formatter(_num_formatter(lang, 1, scale=1e-6))
        ax.set_ylabel(label(lang, "million_eur"))
        ax.set_title(label(lang, key), fontsize=10)
        ax.legend(title=label(lang, "year"), fontsize=8)
        plt.setp(ax.get_xticklabels(), rotation=20, ha="right", fontsize=8)
    fig.suptitle(label(lang, "fig_benefits"), fontsize=11)
    _note(fig, label(lang, "fig_errorbar_note").format(n=_n(benefits)))
    return _png(fig)


def municipal_benefit(munis: pd.DataFrame, lang: str, titles: dict[str, str] | None = None) -> bytes | None:
    """Each municipality's own benefit share (EUR a year, first year), per scenario, with CIs."""
    if (munis is None or munis.empty or "benefit_municipal_eur" not in munis
            or munis["benefit_municipal_eur"].isna().all()):
        return None
    y0 = int(munis["year"].min())
    d = munis[munis.year == y0].rename(columns={"benefit_municipal_eur": "mean",
                                                "benefit_municipal_eur_ci95_lo": "ci95_lo",
                                                "benefit_municipal_eur_ci95_hi": "ci95_hi"})
    d = d.assign(scenario=d["scenario"].map(lambda s: _t(titles, s)))
    fig, ax = plt.subplots(figsize=(11, 4.2))
    _grouped_bars(ax, d, "municipality", "scenario", lang)
    ax.yaxis.set_major_formatter(_num_formatter(lang, 1, scale=1e-6))
    ax.set_ylabel(label(lang, "million_eur") + (" / v" if lang == "fi" else " a year"))
    ax.set_xlabel(label(lang, "municipality"))
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    ax.legend(title=label(lang, "scenario"), fontsize=8)
    ax.set_title(label(lang, "fig_municipal_benefit").format(year=y0), fontsize=11)
    _note(fig, label(lang, "fig_errorbar_note").format(n="≥2"))
    return _png(fig)


def budget_gap(budget: pd.DataFrame, lang: str, titles: dict[str, str] | None = None) -> bytes | None:
    """Gap (cost − frame) per scenario, with the ±tolerance band around zero; one bar per
    scenario when the gap is the same every year (no repeated identical bars)."""
    if budget is None or budget.empty:
        return None
    same = budget.groupby("scenario")["gap_eur"].nunique().max() == 1
    d = budget.assign(mean=budget["gap_eur"], ci95_lo=np.nan, ci95_hi=np.nan)
    if same:
        d = d.drop_duplicates("scenario").assign(year=label(lang, "all_years"))
    fig, ax = plt.subplots(figsize=(10, 3.8))
    _grouped_bars(ax, d, "scenario", "year", lang, titles)
    tol = float(budget["gap_tolerance_eur"].max())
    tol_pct = float((budget["gap_tolerance_eur"] / budget["frame_eur"]).max() * 100)
    ax.axhspan(-tol, tol, color="green", alpha=0.15, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    for p in ax.patches:
        h = p.get_height()
        if np.isfinite(h):
            ax.annotate(fmt_number(h / 1e3, lang, 0) + (" t€" if lang == "fi" else "k"),
                        (p.get_x() + p.get_width() / 2, h), ha="center",
                        va="bottom" if h >= 0 else "top", fontsize=8)
    ax.yaxis.set_major_formatter(_num_formatter(lang, 2, scale=1e-6))
    ax.set_ylabel(label(lang, "million_eur"))
    ax.set_xlabel(label(lang, "axis_option"))
    ax.legend(title=label(lang, "year"), fontsize=8)
    ax.set_title(label(lang, "fig_gap"), fontsize=11)
    _note(fig, label(lang, "fig_gap_note").format(tol=fmt_number(tol_pct, lang, 0)))
    return _png(fig)


DIFF_KPIS = ("late_meetings", "stock_mean", "benefit_cost_municipal_eur", "service_cost_eur")


def differences(diffs: pd.DataFrame | None, lang: str, titles: dict[str, str] | None = None) -> bytes | None:
    """Paired differences from the baseline (area, first year): one panel per KPI (own units),
    a dot per option with its 95 % interval; filled when the interval excludes zero."""
    if diffs is None or diffs.empty:
        return None
    y0 = int(diffs["year"].min())
    d = diffs[(diffs.municipality == "") & (diffs.year == y0)]
    kpis = [k for k in DIFF_KPIS if k in set(d.kpi)]
    if not kpis:
        return None
    options = list(dict.fromkeys(d["scenario"]))
    fig, axes = plt.subplots(1, len(kpis), figsize=(3.0 * len(kpis) + 1.5, 0.6 * len(options) + 2.0),
                             squeeze=False, sharey=True)
    for ax, k in zip(axes[0], kpis, strict=True):
        g = d[d.kpi == k].set_index("scenario").reindex(options)
        y = np.arange(len(options))
        scale = 1e3 if k.endswith("_eur") else 1.0
        for i, (_s, r) in enumerate(g.iterrows()):
            if pd.isna(r.diff_mean):
                continue
            lo, hi = r.diff_ci95_lo, r.diff_ci95_hi
            if pd.notna(lo):
                ax.plot([lo / scale, hi / scale], [y[i], y[i]], color="#2b5d8c", lw=2)
            ax.plot(r.diff_mean / scale, y[i], "o", color="#2b5d8c",
                    mfc="#2b5d8c" if bool(r.clear) else "white", ms=7)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [_t(titles, s) for s in options])
        ax.set_title(kpi_label(lang, k), fontsize=9, wrap=True)
        unit = (" t€" if lang == "fi" else ", EUR thousand") if k.endswith("_eur") else \
            (" " + label(lang, "axis_persons") if k.startswith("stock") else " " + label(lang, "axis_meetings"))
        ax.set_xlabel(label(lang, "axis_diff") + ("," if lang == "fi" else "") + unit, fontsize=8)
        ax.xaxis.set_major_formatter(_num_formatter(lang, 0))
        ax.grid(axis="x", alpha=0.3)
        ax.invert_yaxis() if ax is axes[0][0] else None
    fig.suptitle(label(lang, "fig_diff").format(year=y0), fontsize=11)
    _note(fig, label(lang, "fig_diff_note"))
    return _png(fig)


def differences_by_municipality(diffs: pd.DataFrame | None, lang: str,
                                titles: dict[str, str] | None = None) -> bytes | None:
    """The difference in each municipality's own benefit share (EUR a year), per option, with CIs."""
    if diffs is None or diffs.empty:
        return None
    y0 = int(diffs["year"].min())
    d = diffs[(diffs.municipality != "") & (diffs.year == y0) & (diffs.kpi == "benefit_cost_municipal_eur")]
    if d.empty:
        return None
    d = d.assign(mean=d["diff_mean"], ci95_lo=d["diff_ci95_lo"], ci95_hi=d["diff_ci95_hi"],
                 scenario=d["scenario"].map(lambda s: _t(titles, s)))
    fig, ax = plt.subplots(figsize=(11, 4.2))
    groups = list(dict.fromkeys(d["municipality"]))
    bars = list(dict.fromkeys(d["scenario"]))
    width = 0.8 / max(len(bars), 1)
    x = np.arange(len(groups))
    for i, b in enumerate(bars):
        g = d[d.scenario == b].set_index("municipality").reindex(groups)
        err = np.vstack([(g["mean"] - g["ci95_lo"]).fillna(0), (g["ci95_hi"] - g["mean"]).fillna(0)])
        ax.errorbar(x + (i - (len(bars) - 1) / 2) * width, g["mean"] / 1e3, yerr=err / 1e3, fmt="o",
                    capsize=3, label=b)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x, groups)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    ax.yaxis.set_major_formatter(_num_formatter(lang, 0))
    ax.set_ylabel(label(lang, "axis_diff") + (", t€/v" if lang == "fi" else ", EUR thousand a year"))
    ax.set_xlabel(label(lang, "municipality"))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(label(lang, "fig_diff_muni").format(year=y0), fontsize=11)
    _note(fig, label(lang, "fig_diff_note"))
    return _png(fig)
