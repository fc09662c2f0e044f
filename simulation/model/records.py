"""The records one replication produces: named record types, their codes, and their columns.

The model appends one record per event to the lists of `Records`; tables are built afterwards
by pure functions (`tables.metrics`, `money.benefits`). Each kind of record is a `NamedTuple`:
the model builds it with the type (``Spell(...)``), and everyone reads it by name — one record
as ``spell.exit_day``, a whole kind as columns, ``rec.columns("spells").exit_day`` (an array
per field). The field order lives here only: `SPELL_FIELDS` and the like are the types' field
names, and `COLUMN[kind][name]` the position of a field in `Records.array(kind)` for code that
reads a plain array. No module outside this one counts columns.

Codes that records carry are `IntEnum`s: `Group` (the latent group of a spell), `Dest` (where
a spell went) and `Outcome` (how a service participation ended). They compare equal to the
integers stored in the arrays, so ``sp.dest == Dest.EMPLOYMENT`` works on a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from itertools import chain
from typing import Any, NamedTuple

import numpy as np


class Group(IntEnum):
    """A spell's latent group: temporarily laid off, short-term and long-term unemployed."""

    LAYOFF = 0
    SHORT = 1
    LONG = 2


class Dest(IntEnum):
    """Where a spell went."""

    OPEN = -1          # still unemployed at the horizon
    EMPLOYMENT = 0
    OTHER = 1          # out of the labour force, moved away, ...


class Outcome(IntEnum):
    """How a participation in a service ended."""

    OPEN = -1          # still in the service at the horizon
    JOB_SEARCH = 0     # back to job search at the service's end
    EMPLOYMENT = 1     # to work at the service's end
    LEFT = 2           # left during the service (the spell's exit says where to)


GROUPS = tuple(g.name.lower() for g in Group)                        # ("layoff", "short", "long")
DESTS = tuple(d.name.lower() for d in Dest if d is not Dest.OPEN)   # ("employment", "other")
PROVIDER = -1   # the channel of a supplementary interview bought from a provider (no staff)


class Spell(NamedTuple):
    """One spell of registered unemployment (a person may have several)."""

    person: int
    municipality: int
    group: int                  # Group
    start_day: float            # registration (days since the run's start; < 0: the start stock)
    exit_day: float             # math.inf: still registered at the horizon
    dest: int                   # Dest
    reentry: bool               # the person came back after an earlier spell that ended in work
    benefit_type: int           # index into config.BENEFIT_TYPES, or -1 for no benefit
    prior_paid_days: int        # benefit days paid before start_day and before the run (the
                                # person's history: the start stock's elapsed spell, a returning
                                # person's earlier spells)
    continues: bool             # continues the person's previous spell's benefit-day and
                                # municipal-share count (a return without a new work condition)
    short_work_history: bool    # an earnings-related period with the shorter maximum (work
                                # history of 3 years or less); read from a chain's first spell


class Participation(NamedTuple):
    """One participation in a service."""

    person: int
    municipality: int
    service: int                # index into the scenario's services
    start_day: float
    end_day: float              # math.inf: still in the service at the horizon
    outcome: int                # Outcome


class Meeting(NamedTuple):
    """One meeting held (by staff, or bought from a provider), or a profile task done."""

    municipality: int
    hub: int
    mtype: int                  # index into config.MEETING_TYPES, or len(MEETING_TYPES) for the
                                # authority's job-search-profile task (staff time, no interview)
    channel: int                # index into config.CHANNELS, or PROVIDER
    due_day: int
    open_day: int
    held_day: int
    minutes: float              # staff minutes (0 when bought)
    purchased: bool


class Unheld(NamedTuple):
    """An interview whose deadline passed while it was never held: the jobseeker left
    (end_day: the exit) or the run ended (end_day: the horizon)."""

    municipality: int
    mtype: int
    due_day: int
    end_day: float


class Overdue(NamedTuple):
    """An interview still waiting past its deadline at the end of month index `month`."""

    month: int
    municipality: int
    mtype: int


RECORD_TYPES: dict[str, Any] = {"spells": Spell, "services": Participation, "meetings": Meeting,
                                "unheld": Unheld, "overdue": Overdue}
SPELL_FIELDS = Spell._fields
SERVICE_FIELDS = Participation._fields
MEETING_FIELDS = Meeting._fields
UNHELD_FIELDS = Unheld._fields
OVERDUE_FIELDS = Overdue._fields
# kind -> field name -> column of Records.array(kind)
COLUMN: dict[str, dict[str, int]] = {kind: {n: i for i, n in enumerate(t._fields)}
                                     for kind, t in RECORD_TYPES.items()}


@dataclass
class Records:
    spells: list[Spell] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    services: list[Participation] = field(default_factory=list)
    unheld: list[Unheld] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)
    outlook_target: np.ndarray | None = None   # forecast stock followed (month × municipality)
    regular_interval_days: float = 365.25 / 4     # the regular rhythm at the start (rules)
    intensive_interval_by_day: np.ndarray | None = None   # biweekly rhythm in force by day (0: none)
    intensive_period_days: float = 0.0                    # length of the intensive period
    cancelled_meetings: int = 0
    hub_logs: list = field(default_factory=list)       # office.HubDayLog per hub
    events: int = 0
    _arrays: dict = field(default_factory=dict, repr=False, compare=False)

    def array(self, kind: str) -> np.ndarray:
        """The records of `kind` ("spells", "meetings", "services", "unheld", "overdue") as a
        float array, one row per record, one column per field (`COLUMN[kind]`). Built once,
        after the run (later appends are not seen)."""
        a = self._arrays.get(kind)
        if a is None:
            rows = getattr(self, kind)
            width = len(self.fields(kind))
            a = np.fromiter(chain.from_iterable(rows), dtype=float, count=len(rows) * width).reshape(-1, width)
            self._arrays[kind] = a
        return a

    @staticmethod
    def fields(kind: str) -> tuple[str, ...]:
        """The field names of a kind of record, in their order."""
        return RECORD_TYPES[kind]._fields

    def columns(self, kind: str) -> Any:
        """The records of `kind` by column: the kind's record type holding one float array per
        field, e.g. ``rec.columns("spells").exit_day``."""
        return RECORD_TYPES[kind]._make(self.array(kind).T)
