"""tyosim: simulation and forecasting for Finnish municipal employment areas.

The package is organised one concept per module: `config` (scenario files), `rules`
(dated legal parameters), `region` (the area), `calendar` (working days), `streams`
(random streams), `model` (the SimPy model), `metrics` and `kpis` (tables and KPIs),
`experiment` (replications), `forecast` (statistical forecasts), `cli` (the command).
Importing the package has no side effects.
"""

from .api import Forecast, Results, backtest, compare, forecast_caseload, load_scenario, run, run_batch
from .config import Scenario
from .errors import InputError

__version__ = "0.1.0"

__all__ = ["Scenario", "InputError", "Forecast", "Results", "backtest", "compare", "forecast_caseload",
           "load_scenario", "run", "run_batch", "__version__"]
