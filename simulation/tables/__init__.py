"""Tables from a run's records (layer 3): monthly and hub tables (`metrics`), KPIs and their
confidence intervals (`kpis`), the run summary (`summary`) and the results folder on disk
(`store`: replication files, manifests, scenario hashes).

May import `scenario` and `model` (for the record types); never `money`, `experiments` or above.
"""
