"""Calibration of tyosim's inflow and exit parameters against the monthly stock series.

`analogue` holds the deterministic monthly analogue of the stochastic model (expected
stocks by group and the re-entry pool); `fitting` fits its parameters by least squares on
log stocks; `calibrate.py` is the script that reads the data and `targets.toml` and writes
the scenario files under `scenarios/base/`.
"""
