"""The records one replication produces: their named types, their codes, and their columns.

The model appends one record per event to the lists of `Records`; tables are built afterwards
by pure functions (`tables.metrics`, `money.benefits`). Each kind of record has a `NamedTuple`
type here — `Spell`, `Participation`, `Meeting`, `Unheld`, `Overdue` — and the type is the one
definition of its fields and their order. Read records by name: a whole kind as columns,
``rec.columns("spells").exit_day`` (an array per field), or row by row, ``rec.rows("spells")``
(the named type); `SPELL_FIELDS` and the like are the field names, `COLUMN[kind][name]` the
position of a field in `Records.array(kind)` for code that reads a plain array. No module
outside this one counts columns (`tests/test_records.py` checks the package).

The lists hold plain tuples in the type's field order: building a named tuple costs about four
times a plain one, and a 3-year run appends 175,000 records in its hot loop (a meeting held,
`AreaModel.meeting_held`), so the model builds plain tuples, each producer marked with its
record type, and `tests/test_records.py` checks a run's records field by field. A record built
with its type (``Spell(person=..., ...)``) may be appended as well.

Codes that records carry are `IntEnum`s: `Group` (the latent group of a spell), `Dest` (where
a spell went) and `Outcome` (how a participation in a service ended). They compare equal to
the integers stored in the arrays, so ``sp.dest == Dest.EMPLOYMENT`` works on a column.
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
    spells: list[tuple] = field(default_factory=list)         # Spell
    meetings: list[tuple] = field(default_factory=list)       # Meeting
    services: list[tuple] = field(default_factory=list)       # Participation
    unheld: list[tuple] = field(default_factory=list)         # Unheld
    overdue: list[tuple] = field(default_factory=list)        # Overdue
    outlook_target: np.ndarray | None = None   # forecast stock followed (month × municipality)
    regular_interval_days: float = 365.25 / 4     # the regular rhythm at the start (rules)
    cancelled_meetings: int = 0
    hub_logs: list = field(default_factory=list)       # office.HubDayLog per hub
    _arrays: dict = field(default_factory=dict, repr=False, compare=False)

    def array(self, kind: str) -> np.ndarray:
        """The records of `kind` ("spells", "meetings", "services", "unheld", "overdue") as a
        float array, one row per record, one column per field (`COLUMN[kind]`). Built once,
        after the run (later appends are not seen)."""
        a = self._arrays.get(kind)
        if a is None:
            rows = getattr(self, kind)
            width = len(self.fields(kind))
            a = np.fromiter(chain.from_iterable(rows), dtype=float, count=len(rows) * width)
            a = a.reshape(-1, width)
            self._arrays[kind] = a
        return a

    @staticmethod
    def fields(kind: str) -> tuple[str, ...]:
        """The field names of a kind of record, in their order."""
        return RECORD_TYPES[kind]._fields

    def rows(self, kind: str) -> list:
        """The records of `kind` as their named type, one per record."""
        make = RECORD_TYPES[kind]._make
        return [make(r) for r in getattr(self, kind)]

    def columns(self, kind: str) -> Any:
        """The records of `kind` by column: the kind's record type holding one float array per
        field, e.g. ``rec.columns("spells").exit_day``."""
        return RECORD_TYPES[kind]._make(self.array(kind).T)
