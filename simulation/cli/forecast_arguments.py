"""The command-line arguments of ``tyosim forecast | backtest | data fetch``, and the defaults
they show — kept apart from the forecasting code so that building the parser (``tyosim
--help``, every command) imports no pandas, statsmodels or scipy. The heavy modules take
their defaults from here.
"""

from __future__ import annotations

import argparse

from ..forecast.defaults import (  # noqa: F401 — re-exported for the commands
    DEFAULT_ORIGINS,
    DEFAULT_PATHS,
    DEFAULT_SEED,
    MAX_HORIZON_MONTHS,
    MAX_PATHS,
    MAX_TIMEOUT_S,
    MAX_WORKERS,
    MIN_PATHS,
    PXWEB_TABLE_URL,
    RECONCILIATION_METHODS,
)
from ..forecast.defaults import (
    default_workers as _default_workers,
)
from .argtypes import bounded_float, bounded_int
from .argtypes import seed as seed_type


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        required=True,
        help="monthly series: long CSV (month, municipality, unemployed, ...), "
        "or a Statistics Finland PxWeb CSV / JSON-stat file",
    )
    parser.add_argument(
        "--horizon", type=bounded_int(1, MAX_HORIZON_MONTHS), default=12,
        help=f"months ahead, 1–{MAX_HORIZON_MONTHS} (default 12)"
    )
    parser.add_argument(
        "--paths",
        type=bounded_int(MIN_PATHS, MAX_PATHS),
        default=DEFAULT_PATHS,
        help=f"simulated paths per series, {MIN_PATHS}–{MAX_PATHS} (default {DEFAULT_PATHS}); fewer "
        "cannot give 80/95 %% intervals",
    )
    parser.add_argument(
        "--seed", type=seed_type, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--workers",
        type=bounded_int(1, MAX_WORKERS),
        default=_default_workers(),
        help="processes for model fitting (default: up to 2)",
    )
    parser.add_argument(
        "--reconciliation",
        choices=RECONCILIATION_METHODS,
        default="ols",
        help="how municipalities, hubs and the area are made to add up (default ols)",
    )


def add_forecast_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tyosim forecast`` (DESIGN.md: --data, --until, --horizon, --out)."""
    _common(parser)
    parser.add_argument("--until", help="use the data up to and including this month (YYYY-MM)")
    parser.add_argument(
        "--out", default="results/forecast", help="output folder (default results/forecast)"
    )
    parser.add_argument(
        "--lang", choices=["fi", "en"], default="fi", help="fan-chart labels (default fi)"
    )
    parser.add_argument(
        "--scenario",
        help="scenario TOML whose cost figures ([benefits], [forecast_cost]) and rule "
        "overrides the cost forecast uses (default: scenarios/baseline.toml's figures and "
        "the packaged rules)",
    )
    parser.add_argument("--no-charts", action="store_true", help="skip the fan charts")


def add_backtest_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tyosim backtest`` (DESIGN.md: --data, --origins, --horizon)."""
    _common(parser)
    parser.add_argument(
        "--origins",
        default=",".join(DEFAULT_ORIGINS),
        help=f"forecast origins YYYY-MM,... (default {','.join(DEFAULT_ORIGINS)})",
    )
    parser.add_argument("--out", help="also write the scores per origin and series to this CSV")


def add_data_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tyosim data fetch``."""
    parser.add_argument("--out", required=True, help="CSV to write (long format)")
    parser.add_argument(
        "--url", default=PXWEB_TABLE_URL, help="PxWeb table address (default table 12r5)"
    )
    parser.add_argument(
        "--municipalities",
        help="comma-separated names (default: the 13 municipalities of the area)",
    )
    parser.add_argument(
        "--timeout", type=bounded_float(0, MAX_TIMEOUT_S, lo_open=True), default=60.0,
        help="seconds per request (default 60)"
    )
