"""tyosim: simulation and forecasting for Finnish municipal employment areas.

The package is organised one concept per module: `config` (scenario files), `rules`
(dated legal parameters), `region` (the area), `calendar` (working days), `streams`
(random streams), `model` (the SimPy model), `metrics` and `kpis` (tables and KPIs),
`experiment` (replications), `forecast` (statistical forecasts), `cli` (the command).
Importing the package has no side effects.
"""

# the submodule `compare` is loaded first, so that the name `simulation.experiments.compare` below stays the
# API function (a submodule loaded later would overwrite the package attribute with itself)
from .experiments import compare as _compare_module  # noqa: F401
from .api import (
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
from .experiments.compare import paired_differences
from .scenario.config import Scenario
from .errors import InputError

__version__ = "0.1.0"

__all__ = ["Scenario", "InputError", "BatchResults", "Forecast", "Results", "backtest", "compare",
           "default_workers", "forecast_caseload", "format_value", "kpi_label", "load_batch", "load_scenario", "mean_ci", "paired_by",
           "paired_differences", "readable_differences", "readable_summary", "run", "run_batch", "summarise", "unit_kpis", "with_staff",
           "yearly_by_municipality", "yearly_kpis", "__version__"]
