"""The validated inputs (layer 1): scenario files (`config`), dated legal rules (`rules`), the
area's municipalities and hubs (`region`), working days (`calendar`), the budget's inputs
(`budget_config`) and forecast paths files (`forecast_paths`).

May import only `simulation.errors` and `simulation.files`; every other layer reads its inputs here.
"""
