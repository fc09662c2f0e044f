"""One jobseeker's state, and the statutory path it follows.

Until 2025 (HE 167/2021): registration → initial interview within 5 working days → the
biweekly supplementary job-search interviews of the first 3 months (which may be bought
from providers) → the two-interview month at every half-year of job search → an interview
every three months after the last one. From 2026 (HE 108/2025): the initial interview within
10 working days → a job-search interview every three months counted from the initial
interview → supplementary interviews only by need (a stated share of jobseekers, between
the regular interviews); from 1.9.2026 the authority also makes the job-search profile of
those who do not make it themselves. The rules in force on the day a meeting is planned decide its rhythm
(`rules.on(date)`), so a spell that crosses 2 May 2022 or 1 Jan 2026 changes rhythm.
Temporarily laid-off jobseekers enter the process only when their job-search obligation
starts. The exit time is drawn once, at registration, from the group's hazard and the
seasonal profile; when it comes, any pending meeting is cancelled.

The path is driven by events, not by a generator per jobseeker: the office's callback
when a meeting is held (`AreaModel.meeting_held`), the end of a service and the exit
each move the jobseeker on (`AreaModel.advance` books the next meeting that needs
staff). A jobseeker waiting for a meeting costs nothing until the meeting is held —
this is what keeps one replication (≈ 200,000 meetings) to a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..scenario.config import CHANNELS, MEETING_TYPES

INITIAL, JOB_SEARCH, SUPPLEMENTARY = (MEETING_TYPES.index(t) for t in ("initial", "job_search", "supplementary"))
PROFILE = len(MEETING_TYPES)   # the authority's job-search-profile task (no interview)
SERVICE_POINT = CHANNELS.index("service_point")
REMOTE = CHANNELS.index("remote")
IN_PERSON = CHANNELS.index("in_person")
DAYS_PER_MONTH = 365.25 / 12


@dataclass(eq=False, slots=True)
class Jobseeker:
    person: int
    municipality: int
    hub: int
    group: int               # index into records.GROUPS
    start: float             # registration time (days since run start; negative for the start stock)
    exit_time: float         # math.inf when beyond the horizon
    dest: int
    reentry: bool
    needs_supplementary: bool
    is_reentry: bool = False
    any_hub: bool = False     # takes in-person meetings at whichever hub can see them first
    pending: Any = None       # the office.Request waiting to be held, if any
    benefit_type: int = -1    # index into config.BENEFIT_TYPES, -1 = no benefit
    prior_paid_days: int = 0  # benefit days paid before the run (history brought into it)
    continues: bool = False   # continues the person's previous spell's benefit-day count
    short_history: bool = False  # an earnings-related period with the shorter maximum
    anchor: float = 0.0       # day the 3-month rhythm counts from (initial interview), if it does
    last_base: float = 0.0    # day of the last interview that was not a needs-based supplementary one
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


def intensive_slot_is_job_search(k: int, n_slots: int, n_supplementary: int) -> bool:
    """Slot k (1-based) of an intensive period: job-search (True) or supplementary (False).

    The (n_slots − n_supplementary) job-search interviews are spread evenly over the slots.
    """
    n_js = max(n_slots - n_supplementary, 0)
    if n_slots <= 0:
        return True
    return (k * n_js) // n_slots > ((k - 1) * n_js) // n_slots
