"""One jobseeker's state during a spell, and the codes of meeting types and channels.

A `Jobseeker` is plain state: who and where, the latent group, registration and exit, the
place in the statutory rhythm (`plan`), the exit hazard's budget (`hazards`), the benefit
drawn at registration (`inflow.Intake`) and the service taken part in (`services`).

The path is driven by events, not by a generator per jobseeker: the office's callback
when a meeting is held (`AreaModel.meeting_held`), the end of a service and the exit
each move the jobseeker on (`AreaModel.advance` books the next meeting that needs
staff). A jobseeker waiting for a meeting costs nothing until the meeting is held —
this is what keeps one replication (≈ 200,000 meetings) to a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..scenario.calendar import DAYS_PER_MONTH  # noqa: F401  (the model's month, re-exported)
from ..scenario.config import CHANNELS, MEETING_TYPES

INITIAL, JOB_SEARCH, SUPPLEMENTARY = (MEETING_TYPES.index(t)
                                      for t in ("initial", "job_search", "supplementary"))
PROFILE = len(MEETING_TYPES)   # the authority's job-search-profile task (no interview)
SERVICE_POINT = CHANNELS.index("service_point")
REMOTE = CHANNELS.index("remote")
IN_PERSON = CHANNELS.index("in_person")


@dataclass(eq=False, slots=True)
class Jobseeker:
    person: int
    municipality: int
    hub: int
    group: int               # records.Group
    start: float             # registration (days since the run's start; < 0: the start stock)
    exit_time: float         # math.inf when beyond the horizon
    dest: int                # records.Dest
    reentry: bool            # will register again after leaving for work
    needs_supplementary: bool  # needs supplementary interviews (2026 rules: by need only)
    is_reentry: bool = False  # this spell is a return after one that ended in work
    any_hub: bool = False     # takes in-person meetings at whichever hub can see them first
    pending: Any = None       # the office.Request waiting to be held, if any
    benefit_type: int = -1    # index into config.BENEFIT_TYPES, -1 = no benefit
    prior_paid_days: int = 0  # benefit days paid before the run (history brought into it)
    continues: bool = False   # continues the person's previous spell's benefit-day count
    short_history: bool = False  # an earnings-related period with the shorter maximum
    anchor: float = 0.0       # day the 3-month rhythm counts from (initial interview), if it does
    last_base: float = 0.0    # day of the last interview not a needs-based supplementary one
    profile_req: Any = None   # the authority's job-search-profile task, if one is waiting
    # exit hazard: remaining budget (months of unit hazard), since when, at what multiplier
    e_rem: float = 0.0
    hz_t: float = 0.0
    mult: float = 1.0
    exit_version: int = 0     # a re-timed exit makes earlier exit events void
    exited: bool = False
    service: int = -1         # index of the service taken part in now, -1 = none
    service_start: float = 0.0
    service_count: int = 0


    def spell(self, end: float, dest: int) -> tuple:
        """The spell's record (`records.Spell`), ending at `end` (math.inf: open at the horizon)
        to `dest`."""
        return (self.person, self.municipality, self.group, self.start, end, dest, self.is_reentry,
                self.benefit_type, self.prior_paid_days, self.continues, self.short_history)
