"""Plain records that one replication produces (summarised later by `metrics`).

The model only appends tuples to lists here; tables are built afterwards by pure
functions. Field order is given by the `*_FIELDS` tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SPELL_FIELDS = ("person", "municipality", "group", "start_day", "exit_day", "dest", "reentry")
MEETING_FIELDS = ("municipality", "hub", "mtype", "channel", "due_day", "open_day", "held_day",
                  "minutes", "purchased")
GROUPS = ("layoff", "short", "long")
DESTS = ("employment", "other")          # -1 = still unemployed at the horizon


@dataclass
class Records:
    spells: list[tuple] = field(default_factory=list)
    meetings: list[tuple] = field(default_factory=list)
    cancelled_meetings: int = 0
    hub_logs: list = field(default_factory=list)       # office.HubDayLog per hub
    events: int = 0
