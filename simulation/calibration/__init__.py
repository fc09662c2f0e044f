"""Calibration of inflow and exit parameters against monthly stocks of unemployed jobseekers.

`analogue` holds the deterministic monthly analogue of the stochastic model (expected
stocks by group and the re-entry pool); `fitting` fits its parameters by least squares on
log stocks; `fit_area` reads the data and `targets.toml` (every target and assumption with
its source) and fits any set of municipalities; `command` is ``tyosim calibrate``: it writes
a complete, runnable scenario folder for any employment area. May import `simulation`'s
scenario and region layers and `simulation.experiments.validation`; nothing below imports it.
"""
