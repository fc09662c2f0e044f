"""Plain records that one replication produces (summarised later by `metrics`).

The model only appends tuples to lists here; tables are built afterwards by pure
functions. Field order is given by the `*_FIELDS` tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain

import numpy as np

SPELL_FIELDS = ("person", "municipality", "group", "start_day", "exit_day", "dest", "reentry",
                "benefit_type", "prior_paid_days", "continues", "short_work_history")
# benefit_type: index into config.BENEFIT_TYPES, or -1 for no benefit
# prior_paid_days: benefit days paid before start_day and before the run (the person's
#   history: the start stock's elapsed spell, a returning person's earlier spells)
# continues: 1 when the spell continues the same person's previous spell's benefit-day and
#   municipal-share count (a return without a new work condition), 0 when it starts afresh
# short_work_history: 1 when an earnings-related period has the shorter maximum (work
#   history of 3 years or less); read from a chain's first spell
SERVICE_FIELDS = ("person", "municipality", "service", "start_day", "end_day", "outcome")
# outcome: 0 back to job search, 1 to work at the end, 2 left during the service (see the
# spell's exit), -1 still in the service at the horizon
MEETING_FIELDS = ("municipality", "hub", "mtype", "channel", "due_day", "open_day", "held_day",
                  "minutes", "purchased")
# mtype: index into config.MEETING_TYPES, or len(MEETING_TYPES) for the authority's
# job-search-profile task (staff time, not an interview)
UNHELD_FIELDS = ("municipality", "mtype", "due_day", "end_day")
# an interview whose deadline passed while it was never held: the jobseeker left (end_day:
# the exit) or the run ended (end_day: the horizon)
OVERDUE_FIELDS = ("month", "municipality", "mtype")
# an interview still waiting past its deadline at the end of month index `month`
GROUPS = ("layoff", "short", "long")
DESTS = ("employment", "other")          # -1 = still unemployed at the horizon


@dataclass
class Records:
    spells: list[tuple] = field(default_factory=list)
    meetings: list[tuple] = field(default_factory=list)
    services: list[tuple] = field(default_factory=list)
    service_shortfall: list[tuple] = field(default_factory=list)   # (day, service, places short)
    unheld: list[tuple] = field(default_factory=list)     # UNHELD_FIELDS
    overdue: list[tuple] = field(default_factory=list)    # OVERDUE_FIELDS
    outlook_target: np.ndarray | None = None   # forecast stock followed (month × municipality)
    regular_interval_days: float = 365.25 / 4     # the regular rhythm at the start (rules)
    intensive_interval_by_day: np.ndarray | None = None   # biweekly rhythm in force by day (0: none)
    intensive_period_days: float = 0.0                    # length of the intensive period
    cancelled_meetings: int = 0
    hub_logs: list = field(default_factory=list)       # office.HubDayLog per hub
    events: int = 0
    _arrays: dict = field(default_factory=dict, repr=False, compare=False)

    def array(self, kind: str) -> np.ndarray:
        """The records of `kind` ("spells", "meetings", "services") as a float array, one row
        per record in its `*_FIELDS` order. Built once, after the run (later appends are not
        seen)."""
        a = self._arrays.get(kind)
        if a is None:
            rows = getattr(self, kind)
            width = _WIDTH[kind]
            a = np.fromiter(chain.from_iterable(rows), dtype=float, count=len(rows) * width).reshape(-1, width)
            self._arrays[kind] = a
        return a


_WIDTH = {"spells": len(SPELL_FIELDS), "meetings": len(MEETING_FIELDS), "services": len(SERVICE_FIELDS),
          "unheld": len(UNHELD_FIELDS), "overdue": len(OVERDUE_FIELDS)}
