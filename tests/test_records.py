"""Records are read by name: a record built with its named type reads back field by field
through the table builders, and the tables do not change when a record type's field order
does (issue 16: inserting a field must not mis-read silently)."""

from __future__ import annotations

import ast
import math
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from simulation.model import records
from simulation.model.records import (
    COLUMN,
    RECORD_TYPES,
    Dest,
    Meeting,
    Outcome,
    Overdue,
    Participation,
    Records,
    Spell,
    Unheld,
)
from simulation.scenario.calendar import SimCalendar
from simulation.scenario.config import MEETING_TYPES
from simulation.tables.metrics import hubs_table, meetings_frame, monthly_table, spells_frame

INITIAL, JOB_SEARCH = MEETING_TYPES.index("initial"), MEETING_TYPES.index("job_search")
CAL = SimCalendar.for_years(date(2025, 1, 1), 0.25)     # January to March 2025: days 0-89
MUNIS, HUBS = ["A", "B"], ["H"]


def _fields() -> dict[str, list[dict]]:
    """A few records of each kind, as field-name → value (every field a distinct value)."""
    return {
        "spells": [
            dict(person=1, municipality=1, group=2, start_day=5.0, exit_day=40.0,
                 dest=Dest.EMPLOYMENT, reentry=False, benefit_type=-1, prior_paid_days=0,
                 continues=False, short_work_history=False),
            dict(person=2, municipality=0, group=1, start_day=-30.0, exit_day=70.0,
                 dest=Dest.OTHER, reentry=True, benefit_type=0, prior_paid_days=12,
                 continues=True, short_work_history=True),
            dict(person=3, municipality=1, group=0, start_day=-3.0, exit_day=math.inf,
                 dest=Dest.OPEN, reentry=False, benefit_type=1, prior_paid_days=3,
                 continues=False, short_work_history=False),
        ],
        "services": [
            dict(person=3, municipality=1, service=0, start_day=-2.0, end_day=50.0,
                 outcome=Outcome.JOB_SEARCH),
            dict(person=2, municipality=0, service=0, start_day=10.0, end_day=math.inf,
                 outcome=Outcome.OPEN),
        ],
        "meetings": [
            dict(municipality=1, hub=0, mtype=INITIAL, channel=2, due_day=9, open_day=6,
                 held_day=13, minutes=45.0, purchased=False),
            dict(municipality=0, hub=0, mtype=JOB_SEARCH, channel=0, due_day=40, open_day=33,
                 held_day=38, minutes=30.0, purchased=False),
        ],
        "unheld": [dict(municipality=0, mtype=JOB_SEARCH, due_day=60, end_day=70.0)],
        "overdue": [dict(month=1, municipality=1, mtype=INITIAL)],
    }


def _records(types: dict[str, type]) -> Records:
    rec = Records()
    for kind, rows in _fields().items():
        getattr(rec, kind).extend(types[kind](**row) for row in rows)
    return rec


def _reversed(t: type) -> type:
    """The same record type with its fields in the opposite order."""
    fields = [(n, t.__annotations__[n]) for n in reversed(t._fields)]
    return NamedTuple(f"Reversed{t.__name__}", fields)  # type: ignore[misc]


def test_a_record_built_by_name_reads_back_by_name():
    rec = _records(RECORD_TYPES)
    for kind, rows in _fields().items():
        cols = rec.columns(kind)
        assert type(cols) is RECORD_TYPES[kind]
        for name in RECORD_TYPES[kind]._fields:
            np.testing.assert_array_equal(getattr(cols, name), [float(r[name]) for r in rows],
                                          err_msg=name)
            assert (rec.array(kind)[:, COLUMN[kind][name]] == getattr(cols, name)).all()
    sp, mt = spells_frame(rec), meetings_frame(rec)
    assert sp.exit_day.tolist() == [40.0, 70.0, math.inf] and sp.dest.tolist() == [0, 1, -1]
    assert mt.held_day.tolist() == [13, 38] and mt.minutes.tolist() == [45.0, 30.0]


def test_the_tables_read_records_by_name_not_position(monkeypatch):
    """The monthly table of hand-made records is what the records say — and the same when every
    record type's field order is reversed (a reader counting columns would mis-read)."""
    rec = _records(RECORD_TYPES)
    m = monthly_table(rec, CAL, MUNIS, ["H", "H"]).set_index(["month", "municipality"])
    assert m.loc[("2025-01", "B"), "inflow"] == 1
    assert m.loc[("2025-02", "B"), "exits_employment"] == 1
    assert m.loc[("2025-03", "A"), "exits_other"] == 1
    assert m.loc[("2025-01", "B"), "initial_interviews_late"] == 1
    assert m.loc[("2025-02", "A"), "job_search_interviews"] == 1
    assert m.loc[("2025-02", "B"), "initial_interviews_overdue_end"] == 1
    assert m.loc[("2025-03", "A"), "job_search_interviews_deadline_missed"] == 1
    assert m.loc[("2025-01", "B"), "in_services_end"] == 1
    assert m.loc[("2025-02", "B"), "service_returns"] == 1
    h = hubs_table(rec, CAL, HUBS, [1.0])
    sp, mt = spells_frame(rec), meetings_frame(rec)

    rev = {kind: _reversed(t) for kind, t in RECORD_TYPES.items()}
    monkeypatch.setattr(records, "RECORD_TYPES", rev)
    swapped = _records(rev)
    assert swapped.array("spells")[0].tolist() != rec.array("spells")[0].tolist()   # it did change
    m2 = monthly_table(swapped, CAL, MUNIS, ["H", "H"]).set_index(["month", "municipality"])
    pd.testing.assert_frame_equal(m, m2)
    pd.testing.assert_frame_equal(h, hubs_table(swapped, CAL, HUBS, [1.0]))
    for before, frame in ((sp, spells_frame), (mt, meetings_frame)):
        pd.testing.assert_frame_equal(before, frame(swapped)[list(before.columns)])


@pytest.mark.parametrize("kind", list(RECORD_TYPES))
def test_an_empty_run_gives_empty_columns(kind):
    cols = Records().columns(kind)
    assert all(len(c) == 0 for c in cols) and len(cols) == len(RECORD_TYPES[kind]._fields)


def test_codes_are_the_integers_stored():
    assert (Dest.OPEN, Dest.EMPLOYMENT, Dest.OTHER) == (-1, 0, 1)
    assert (Outcome.OPEN, Outcome.JOB_SEARCH, Outcome.EMPLOYMENT, Outcome.LEFT) == (-1, 0, 1, 2)
    assert records.GROUPS == ("layoff", "short", "long")
    assert records.DESTS == ("employment", "other")
    assert Spell._fields == records.SPELL_FIELDS and Participation._fields == records.SERVICE_FIELDS
    kinds = ["meetings", "unheld", "overdue"]
    assert [Meeting, Unheld, Overdue] == [RECORD_TYPES[k] for k in kinds]


def test_no_module_reads_a_record_array_by_column_number():
    """Outside records.py, an array of records (`Records.array`) is never indexed by a number:
    ``rec.array("spells")[:, 3]`` would read another field once the order changes."""
    pkg = Path(records.__file__).resolve().parents[1]
    bad = []
    for path in pkg.rglob("*.py"):
        if path.name == "records.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Attribute)
                    and node.value.func.attr == "array"
                    and any(isinstance(n, ast.Constant) and isinstance(n.value, int)
                            for n in ast.walk(node.slice))):
                bad.append(f"{path.relative_to(pkg)}:{node.lineno}")
    assert not bad, bad


def test_a_runs_records_are_in_their_types_field_order():
    """The model builds plain tuples (for speed): every record of a run with services has its
    type's width, and read by name each field holds what its name says."""
    from simulation.model.area import AreaModel
    from simulation.scenario.config import CHANNELS, load_scenario
    root = Path(__file__).resolve().parents[1]
    sc = load_scenario(root / "scenarios" / "service_mix_plan.toml",
                       {"run": {"years": 0.25}, "staff": {"customer_service_fte_total": 6.0},
                        "meetings": {"any_hub_share": 0.0}})
    model = AreaModel(sc, 0)
    rec = model.run()
    for kind, t in RECORD_TYPES.items():
        assert len(getattr(rec, kind)) > 0, kind
        assert {len(r) for r in getattr(rec, kind)} == {len(t._fields)}, kind
    horizon, n_munis = model.horizon_day, len(model.munis)
    sp = rec.columns("spells")
    assert (sp.person >= 1).all()
    start = np.bincount(sp.municipality[sp.start_day < 0].astype(int), minlength=n_munis)
    assert (start >= [round(sc.start_state.stock_by_municipality[m]) for m in model.munis]).all()
    assert np.isin(sp.municipality, range(n_munis)).all()
    assert np.isin(sp.group, list(records.Group)).all()
    assert (sp.exit_day > sp.start_day).all() and np.isin(sp.dest, list(Dest)).all()
    assert ((sp.dest == Dest.OPEN) == np.isinf(sp.exit_day)).all()
    assert np.isin(sp.reentry, [0, 1]).all() and np.isin(sp.continues, [0, 1]).all()
    assert (sp.prior_paid_days >= 0).all()
    assert (sp.prior_paid_days == np.round(sp.prior_paid_days)).all()
    mt = rec.columns("meetings")
    assert np.isin(mt.hub, range(len(model.hubs))).all()
    assert np.isin(mt.mtype, range(len(MEETING_TYPES) + 1)).all()
    assert np.isin(mt.channel, [records.PROVIDER, *range(len(CHANNELS))]).all()
    assert (mt.open_day <= mt.held_day).all() and (mt.held_day < horizon).all()
    assert (mt.minutes >= 0).all()
    assert ((mt.purchased == 1) == (mt.channel == records.PROVIDER)).all()
    assert (mt.mtype[mt.purchased == 1] == MEETING_TYPES.index("supplementary")).all()
    assert (mt.hub == np.asarray(model.intake.muni_hub)[mt.municipality.astype(int)]).all()
    sv = rec.columns("services")
    assert np.isin(sv.service, range(len(sc.services))).all()
    assert np.isin(sv.outcome, list(Outcome)).all() and (sv.end_day > sv.start_day).all()
    assert ((sv.outcome == Outcome.OPEN) == np.isinf(sv.end_day)).all()
    un = rec.columns("unheld")
    assert (un.end_day > un.due_day).all() and (un.end_day <= horizon).all()
    ov = rec.columns("overdue")
    assert np.isin(ov.month, range(len(model.cal.month_starts))).all()
    assert np.isin(ov.municipality, range(n_munis)).all()
    assert np.isin(ov.mtype, range(len(MEETING_TYPES))).all()
    row = rec.rows("spells")[0]
    assert type(row) is Spell and row.person == sp.person[0]
