"""The forecasts' defaults and bounds, in a light module (no pandas, statsmodels or scipy):
the command line shows them in its help and the API and the forecasting code use them.
"""

from __future__ import annotations

import os

DEFAULT_SEED = 20201031
DEFAULT_PATHS = 1000
RECONCILIATION_METHODS: tuple[str, ...] = ("ols", "mint_shrink", "bottom_up", "none")
DEFAULT_ORIGINS = ("2015-12", "2016-12", "2017-12", "2018-12")
PXWEB_TABLE_URL = "https://pxdata.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
MAX_HORIZON_MONTHS = 60      # five years ahead: beyond it a monthly caseload forecast means nothing
MIN_PATHS = 50               # fewer paths cannot place the 2.5 % and 97.5 % quantiles
MAX_PATHS = 100_000
MAX_WORKERS = 64
MAX_TIMEOUT_S = 600.0


def default_workers() -> int:
    """Forecast workers by default: the cores, at most 2."""
    return max(1, min(2, os.cpu_count() or 1))


