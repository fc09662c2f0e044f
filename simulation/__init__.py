"""tyosim: simulation and forecasting for Finnish municipal employment areas.

The folders are the layers, each importing only from those before it in this list
(`tests/test_layers.py` checks it):

0. `errors`, `files` (atomic writes), `data` (rules and region files);
1. `scenario` — the validated inputs: scenario files, dated rules, region, calendar;
2. `model` — the SimPy model, its records and random streams;
3. `tables` — tables and KPIs from records, the results folder on disk;
4. `money` (benefits, budget, cost sharing) and `forecast` (statistical forecasts);
5. `experiments` — the replication runner, batches, Dask, comparison, validation;
6. `calibration` and `report`;
7. `api` — the notebook interface, `import simulation as ts`;
8. `cli` (the `tyosim` command) and `app` (the scenario page).

Importing the package has no side effects and loads nothing heavy: the API's names are
loaded from `api` on first use, so that ``tyosim --help`` starts without pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import InputError

__version__ = "0.1.0"

_API_NAMES = (
    "BatchResults", "Forecast", "Results", "backtest", "compare", "default_workers",
    "forecast_caseload", "format_value", "kpi_label", "load_batch", "load_scenario", "mean_ci",
    "paired_by", "readable_differences", "readable_summary", "run", "run_batch", "summarise",
    "unit_kpis", "with_staff", "yearly_by_municipality", "yearly_kpis",
)

__all__ = ["Scenario", "InputError", "paired_differences", "__version__", *_API_NAMES]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .api import (  # noqa: F401
        BatchResults,
        Forecast,
        Results,
        backtest,
        compare,
        default_workers,
        forecast_caseload,
        format_value,
        kpi_label,
        load_batch,
        load_scenario,
        mean_ci,
        paired_by,
        readable_differences,
        readable_summary,
        run,
        run_batch,
        summarise,
        unit_kpis,
        with_staff,
        yearly_by_municipality,
        yearly_kpis,
    )
    from .experiments.compare import paired_differences  # noqa: F401
    from .scenario.config import Scenario  # noqa: F401


def __getattr__(name: str) -> Any:
    """Load the public API's names on first use (PEP 562)."""
    if name in _API_NAMES:
        from . import api
        value = getattr(api, name)
    elif name == "paired_differences":
        from .experiments.compare import paired_differences as value
    elif name == "Scenario":
        from .scenario.config import Scenario as value
    else:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
