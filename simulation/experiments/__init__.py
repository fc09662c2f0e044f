"""Experiments (layer 5): the one replication runner (`runner`), batches of scenarios
(`batch`, `tasks`, `dask_runner`), paired comparison (`compare`), checks against theory and
history (`validation`, `queueing`) and provenance (`provenance`).

May import every layer below (`scenario`, `model`, `tables`, `money`, `forecast`); never
`calibration`, `report`, `api`, `cli` or `app`.
"""
