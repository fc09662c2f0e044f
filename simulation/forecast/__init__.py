"""Forecasts of caseload and benefit costs from monthly jobseeker series (issue 5).

Modules, one concept each:

- `data`: read and validate the monthly series (long CSV or PxWeb files) → `MonthlyData`;
- `pxweb`: Statistics Finland PxWeb CSV / JSON-stat parsing and the `data fetch` download;
- `models`: ETS, SARIMAX, STL + ETS, naive baselines, combinations, on a log scale;
- `selection`: the model for each series by rolling-origin cross-validation;
- `hierarchy`: municipality → hub → area; bottom-up, OLS and MinT reconciliation;
- `forecaster`: the whole caseload forecast with joint simulated paths;
- `backtest` and `accuracy`: rolling-origin evaluation (MASE, sMAPE, coverage);
- `cost`: caseload paths → benefit cost and municipal share by year;
- `plots`: fan charts; `commands`: the `tyosim forecast | backtest | data fetch` commands.
"""
