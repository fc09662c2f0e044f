"""The SimPy model of the statutory service process.

`office` holds the hub offices' appointment books (staff capacity on working days,
earliest-deadline-first booking, backup from the main office) and a server-pool
variant used to check the model against queueing theory; `jobseeker` is the statutory
path one jobseeker follows; `area` builds one replication from a scenario and a seed
and runs it; `records` is the plain data a run produces.
"""

from .area import run_replication

__all__ = ["run_replication"]
