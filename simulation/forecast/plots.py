"""Fan charts of the caseload forecast: one PNG per hub and one for the area.

Each chart shows the last years of observed unemployed jobseekers, the forecast, and its
80 % and 95 % prediction intervals as two shades. Labels are in Finnish or English
(``lang``); the source line cites Statistics Finland table 1001 as the data README asks.
Uses matplotlib's non-interactive Agg backend; files are written atomically.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

LABELS = {
    "fi": {
        "observed": "toteutunut",
        "forecast": "ennuste",
        "pi80": "80 %:n ennusteväli",
        "pi95": "95 %:n ennusteväli",
        "ylabel": "työttömät työnhakijat (kuukauden lopussa)",
        "hub": "palvelupiste",
        "area": "työllisyysalue",
        "title": "Työttömät työnhakijat: {name} ({level})",
        "model": "malli",
        "source": "Lähde: Tilastokeskus, työnvälitystilasto, taulu 1001; ennuste: tyosim",
    },
    "en": {
        "observed": "observed",
        "forecast": "forecast",
        "pi80": "80 % prediction interval",
        "pi95": "95 % prediction interval",
        "ylabel": "unemployed jobseekers (end of month)",
        "hub": "hub",
        "area": "employment area",
        "title": "Unemployed jobseekers: {name} ({level})",
        "model": "model",
        "source": "Source: Statistics Finland, Employment Service Statistics, "
        "table 1001; forecast: tyosim",
    },
}
HISTORY_MONTHS = 48


def fan_chart(
    history: pd.Series,
    forecast: pd.DataFrame,
    name: str,
    level: str,
    path: Path,
    lang: str = "fi",
    model: str | None = None,
) -> Path:
    """Draw one fan chart and write it to `path` (PNG).

    Parameters
    ----------
    history : pandas.Series
        Observed values on a monthly PeriodIndex.
    forecast : pandas.DataFrame
        Rows of `forecasts.csv` for this series: ``month, mean, lo80, hi80, lo95, hi95``.
    name, level : str
        Series name and level (``hub`` or ``area``) for the title.
    path : Path
        Output file.
    lang : {"fi", "en"}
    model : str, optional
        Model description shown in the corner.
    """
    lab = LABELS[lang]
    hist = history.iloc[-HISTORY_MONTHS:]
    fc = forecast.copy()
    fc_idx = pd.PeriodIndex(fc["month"], freq="M").to_timestamp()
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    ax.plot(
        hist.index.to_timestamp(), hist.to_numpy(), color="black", lw=1.4, label=lab["observed"]
    )
    ax.fill_between(
        fc_idx, fc["lo95"], fc["hi95"], color="#9ecae1", alpha=0.6, lw=0, label=lab["pi95"]
    )
    ax.fill_between(
        fc_idx, fc["lo80"], fc["hi80"], color="#4292c6", alpha=0.6, lw=0, label=lab["pi80"]
    )
    ax.plot(fc_idx, fc["mean"], color="#08306b", lw=1.8, label=lab["forecast"])
    ax.set_title(lab["title"].format(name=name, level=lab.get(level, level)))
    ax.set_ylabel(lab["ylabel"])
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=0.9)
    foot = lab["source"] + (f"; {lab['model']}: {model}" if model else "")
    fig.text(0.01, 0.01, foot, fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    from ..files import atomic_path

    try:
        with atomic_path(Path(path), suffix=".png") as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return Path(path)


def chart_file_name(level: str, name: str) -> str:
    """``fan_hub_aanekoski.png`` style name (ASCII, lower case)."""
    table = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "a", "Ö": "o", "Å": "a"})
    slug = re.sub(r"[^a-z0-9]+", "_", name.translate(table).lower()).strip("_")
    return f"fan_{level}_{slug}.png"
