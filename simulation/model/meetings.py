"""From a planned meeting to a request in a hub's book: staff or not, channel, length.

A step of the statutory path (`plan`) becomes an `office.Request` here. A supplementary
interview needs staff only if the rules in force schedule it or the jobseeker needs it; a
stated share of those is bought from providers (recorded as held on its due day, no staff
time). The channel is drawn from the meeting type's shares (for job-search interviews from
`later_channel_shares_from_month` on, from the later shares); a service-point meeting in a
hub town is held at the hub. The length is the type's and channel's mean duration × a
unit-mean factor (fixed, exponential or lognormal with `duration_cv`). From 1.9.2026 the
authority also makes the job-search profile of a new jobseeker who has not made it by the
deadline (`profile_task`). Draws from the `purchases`, `channels`, `durations` and `profiles`
streams.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..scenario.calendar import DAYS_PER_MONTH
from ..scenario.config import CHANNELS, MEETING_TYPES
from .jobseeker import IN_PERSON, JOB_SEARCH, PROFILE, REMOTE, SERVICE_POINT, SUPPLEMENTARY
from .office import Request
from .plan import PH_NEED, StatutoryPath
from .records import PROVIDER
from .streams import BLOCK, Buffered, endless

if TYPE_CHECKING:
    from ..scenario.config import MeetingsConfig
    from .jobseeker import Jobseeker


LAST_CHANNEL = len(CHANNELS) - 1

class MeetingRequests:
    """Turns the path's steps into requests and hands them to the office (`submit`); bought
    meetings go straight to the records (`record`). `streams` gives a named stream's draws."""

    def __init__(self, m: MeetingsConfig, path: StatutoryPath, muni_is_hub_town: list[bool],
                 streams: Callable[[str], Buffered], submit: Callable[[Request], None],
                 record: Callable[[tuple], None]) -> None:
        def cum(shares: dict[str, float]) -> list[float]:
            c, out = 0.0, []
            for ch in CHANNELS:
                c += shares.get(ch, 0.0)
                out.append(c)
            out[-1] = 1.0
            return out
        self.channel_cum = [cum(m.channel_shares[t]) for t in MEETING_TYPES]
        self.later_cum = (cum(m.later_channel_shares) if m.later_channel_shares
                          else self.channel_cum[JOB_SEARCH])
        self.later_from_day = m.later_channel_shares_from_month * DAYS_PER_MONTH
        self.duration_mean = [[m.duration_minutes[t].get(ch, 0.0) for ch in CHANNELS]
                              for t in MEETING_TYPES]
        self._duration_factor = duration_factors(m.duration_distribution, m.duration_cv,
                                                 streams("durations"))
        self.purchased_share = m.supplementary_purchased_share
        self.profile_share = (m.job_search_profile_by_authority_share
                              if m.job_search_profile_minutes > 0 else 0.0)
        self.profile_minutes = m.job_search_profile_minutes
        self.profile_deadline_days = m.job_search_profile_deadline_days
        self.path = path
        self.horizon_day = path.horizon_day
        self._supp_scheduled = [r.supplementary_interviews_scheduled for r in path.rules_by_day]
        self.muni_is_hub_town = muni_is_hub_town
        self._u_purchase = streams("purchases").uniform
        self.r_profile = streams("profiles")
        self._u_channel = streams("channels").uniform
        self._submit = submit
        self._record = record

    def request(self, js: Jobseeker, mtype: int, due: int, open_day: int,
                phase: tuple = ()) -> Request | None:
        """Book a meeting; returns the Request, or None when no staff time is needed."""
        if mtype == SUPPLEMENTARY:
            if not js.needs_supplementary and not (
                    self._supp_scheduled[open_day] if open_day < len(self._supp_scheduled)
                    else self.path.rules_on_day(open_day).supplementary_interviews_scheduled):
                return None
            if self._u_purchase() < self.purchased_share:
                if due < self.horizon_day:   # held by a provider on its due day
                    self._record((js.municipality, js.hub, mtype, PROVIDER,  # records.Meeting
                                  due, open_day, due, 0.0, True))
                return None
        if mtype == JOB_SEARCH and open_day - js.start >= self.later_from_day:
            cum = self.later_cum
        else:
            cum = self.channel_cum[mtype]
        ch = bisect_right(cum, self._u_channel())
        if ch > LAST_CHANNEL:
            ch = LAST_CHANNEL
        sp = False
        ch_eff = ch
        if ch == SERVICE_POINT:
            if self.muni_is_hub_town[js.municipality]:
                ch_eff = IN_PERSON
            else:
                sp = True
        req = Request(due, open_day, self.duration_mean[mtype][ch] * self._duration_factor(), mtype,
                      ch_eff, js.municipality, js.hub, js, phase, sp,
                      js.any_hub and ch_eff == IN_PERSON)
        self._submit(req)
        return req

    def profile_task(self, js: Jobseeker, now: float) -> None:
        """From 1.9.2026 (HE 108/2025) the authority makes the job-search profile of a new
        jobseeker who has not made it by the deadline: an officer's task (remote work) that
        opens at the deadline and is due within the initial-interview deadline after it."""
        if self.profile_share <= 0:
            return
        t = int(now)
        path = self.path
        if (not path.rules_on_day(t).job_search_profile_by_authority
                or self.r_profile.uniform() >= self.profile_share):
            return
        open_day = int(t + self.profile_deadline_days)
        if open_day >= self.horizon_day or open_day >= js.exit_time:
            return
        open_day = path.add_working_days(open_day - 1, 1)    # the first working day from then on
        if open_day >= self.horizon_day:
            return
        r = path.rules_on_day(open_day)
        due = path.add_working_days(open_day, r.initial_interview_deadline_working_days)
        req = Request(due, open_day, self.profile_minutes, PROFILE, REMOTE, js.municipality, js.hub,
                      js, (PH_NEED, 0))
        js.profile_req = req
        self._submit(req)


def duration_factors(dist: str, cv: float, r_duration: Buffered) -> Callable[[], float]:
    """A callable giving unit-mean factors of meeting duration, drawn in blocks: a meeting
    lasts `duration_minutes[type][channel]` × the next factor (fixed, exponential or
    lognormal with coefficient of variation `cv`)."""
    if dist == "fixed":
        return itertools.repeat(1.0).__next__
    if dist == "exponential":
        return r_duration.exponential
    gen, sigma = r_duration.gen, math.sqrt(math.log(1 + cv ** 2))
    return endless(lambda: np.exp(sigma * gen.standard_normal(BLOCK) - sigma ** 2 / 2).tolist())
