"""Scripts that re-fit and check the default area's scenario files.

The fitting itself lives in `simulation.calibration` (used by ``tyosim calibrate``):
`calibrate.py` calls it to write the base files under `scenarios/base/`;
`net_of_services.py` finds the exit-hazard multiplier for scenarios with explicit
services; `validation_page.py` writes `docs/validation.md`.
"""
