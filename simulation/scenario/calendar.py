"""Simulation time and the Finnish working calendar.

One SimPy time unit is one calendar day; ``t = 0.0`` is midnight at the start of the
scenario's start date. Office capacity exists on *working days* only: Monday to Friday
minus Finnish public holidays (from the `holidays` package, which also counts Midsummer
Eve and Christmas Eve, the de-facto days off in Finnish offices).

Everything is precomputed once per calendar as arrays over the day index, so the model's
hot path (is this a working day? which day is 10 working days after day d?) is an array
lookup, not a date computation.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays as holidays_lib
import numpy as np

#: Mean calendar days in a month (the Gregorian year of 365.25 days over 12 months): the
#: one conversion between durations in months (scenario keys ``*_months``) and model days.
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class SimCalendar:
    """Calendar of a simulation run from `start` (inclusive) for `days` calendar days.

    A margin of one year is kept after the horizon so that deadlines falling just after
    the end can still be computed.
    """

    start: date
    days: int
    margin_days: int = 400
    _holidays: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def for_years(cls, start: date, years: float) -> SimCalendar:
        end = add_months(start, round(years * 12))
        return cls(start, (end - start).days)

    # ---- conversions -------------------------------------------------------------------
    @property
    def end(self) -> date:
        """First day after the horizon."""
        return self.start + timedelta(days=self.days)

    def to_date(self, t: float) -> date:
        """Calendar date of simulation time `t` (days since start)."""
        return self.start + timedelta(days=int(t))

    def to_time(self, d: date) -> float:
        """Simulation time at midnight starting date `d`."""
        return float((d - self.start).days)

    # ---- working days ------------------------------------------------------------------
    @cached_property
    def _n(self) -> int:
        return self.days + self.margin_days

    @cached_property
    def working(self) -> np.ndarray:
        """Boolean array: day index -> is a working day."""
        years = range(self.start.year, (self.start + timedelta(days=self._n)).year + 1)
        fi = holidays_lib.Finland(years=list(years))
        out = np.zeros(self._n, dtype=bool)
        for i in range(self._n):
            d = self.start + timedelta(days=i)
            out[i] = d.weekday() < 5 and d not in fi
        return out

    @cached_property
    def _working_index(self) -> np.ndarray:
        """Sorted day indices of working days."""
        return np.flatnonzero(self.working)

    @cached_property
    def _cum_working(self) -> np.ndarray:
        """cum[i] = number of working days in [0, i)."""
        return np.concatenate([[0], np.cumsum(self.working)])

    def is_working_day(self, d: date) -> bool:
        i = (d - self.start).days
        if 0 <= i < self._n:
            return bool(self.working[i])
        return is_finnish_working_day(d)

    def add_working_days(self, day_index: int, n: int) -> int:
        """Day index of the `n`-th working day after day `day_index` (n >= 1).

        ``add_working_days(d, 5)`` is the deadline "within 5 working days" of an event
        on day d: the event day itself does not count.
        """
        k = int(self._cum_working[day_index + 1]) + n - 1
        idx = self._working_index
        if k >= len(idx):
            return int(idx[-1]) + (k - len(idx) + 1) * 7 // 5 + 1
        return int(idx[k])

    def working_days_between(self, a: int, b: int) -> int:
        """Working days in day indices (a, b]: how many working days late is b after a."""
        if b <= a:
            return -self.working_days_between(b, a) if b < a else 0
        b = min(b, self._n - 1)
        return int(self._cum_working[b + 1] - self._cum_working[a + 1])

    def next_working_day(self, day_index: int) -> int:
        """The first working day with index >= day_index."""
        idx = self._working_index
        j = bisect.bisect_left(idx, day_index)
        return int(idx[j]) if j < len(idx) else day_index

    # ---- months ------------------------------------------------------------------------
    @cached_property
    def month_starts(self) -> list[int]:
        """Day indices at which each calendar month of the horizon starts (first = 0)."""
        out = [0]
        d = self.start
        while True:
            d = add_months(date(d.year, d.month, 1), 1)
            i = (d - self.start).days
            if i >= self.days:
                break
            out.append(i)
        return out

    @cached_property
    def month_labels(self) -> list[str]:
        return [self.to_date(i).strftime("%Y-%m") for i in self.month_starts]

    def month_index(self, t: float) -> int:
        """Index into `month_starts` of the month containing time `t`."""
        return bisect.bisect_right(self.month_starts, int(t)) - 1


def add_months(d: date, months: int) -> date:
    """Same day of month `months` later (clamped to the month's last day)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise ValueError(d)


def is_finnish_working_day(d: date) -> bool:
    """Monday–Friday and not a Finnish public holiday (or Midsummer/Christmas Eve)."""
    return d.weekday() < 5 and d not in holidays_lib.Finland(years=d.year)
