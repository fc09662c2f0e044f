"""Dated legal rules: what is in force on a given day.

Every legal figure the model uses (deadlines, interview rhythm, benefit levels, the
municipal-share schedule) is a `Rule`: a list of `Period`s, each with `valid_from`
(inclusive), `valid_to` (exclusive, or open), a value and its source. The defaults live in
`simulation/data/rules_fi.toml`; a scenario may override any rule with periods of its own
(a reform scenario), which take precedence where they apply.

``rules.on(date)`` returns a typed, frozen `RulesInForce`. Lookups are cached per
interval between change points, so the model may call it on every event.
"""

from __future__ import annotations

import bisect
import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from itertools import pairwise
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ..errors import InputError

RULES_FILE = "rules_fi.toml"


class RulesInForce(BaseModel):
    """The values of every rule on one day. Field names are the rule names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    initial_interview_deadline_working_days: int
    intensive_interview_interval_days: int
    intensive_period_months: int
    intensive_repeat_every_months: int
    intensive_repeat_interviews: int
    regular_interview_interval_months: int
    regular_interviews_counted_from: Literal["previous_interview", "initial_interview"] = "previous_interview"
    job_search_profile_by_authority: bool = False
    supplementary_interviews_per_intensive_period: int
    supplementary_interviews_scheduled: bool
    job_applications_per_month: int = 4
    layoff_obligation_start_months: int
    basic_allowance_eur_per_day: float
    paid_days_per_week: int
    earnings_related_stepdowns: tuple[tuple[int, float], ...]
    earnings_related_max_days: int = 400
    earnings_related_max_days_short_history: int = 300
    benefit_system: Literal["separate", "general_benefit"]
    municipal_share_benefits: tuple[
        Literal["basic_allowance", "labour_market_subsidy", "earnings_related", "general_benefit"], ...
    ]
    municipal_share_schedule: tuple[tuple[int, float], ...]
    municipal_share_schedule_daily_allowance: tuple[tuple[int, float], ...] = ()
    municipal_share_service_days_count: bool
    municipal_share_count_from: date
    work_condition_months: float = 12.0

    def municipal_share(self, paid_day: int, daily_allowance: bool = False) -> float:
        """Municipal share for the `paid_day`-th cumulative paid day (1-based): of the
        labour-market subsidy, or with `daily_allowance` of the basic allowance and the
        earnings-related allowance's basic component."""
        share = 0.0
        schedule = (self.municipal_share_schedule_daily_allowance if daily_allowance
                    else self.municipal_share_schedule)
        for from_day, s in schedule:
            if paid_day >= from_day:
                share = s
        return share

    def earnings_related_factor(self, benefit_day: int) -> float:
        """Multiplier of the full earnings-related allowance on the `benefit_day`-th day."""
        f = 1.0
        for from_day, m in self.earnings_related_stepdowns:
            if benefit_day >= from_day:
                f = m
        return f


_FIELDS = RulesInForce.model_fields
_OPTIONAL = {n for n, f in _FIELDS.items() if not f.is_required()}

#: The range a rule's number can mean (inclusive), checked for the packaged rules and for
#: every scenario override: a deadline of -5 or 100,000 working days is no law.
RANGES: dict[str, tuple[float, float]] = {
    "initial_interview_deadline_working_days": (1, 250),
    "intensive_interview_interval_days": (0, 366),      # 0: none
    "intensive_period_months": (0, 60),
    "intensive_repeat_every_months": (0, 120),          # 0: none
    "intensive_repeat_interviews": (0, 50),
    "regular_interview_interval_months": (1, 60),
    "supplementary_interviews_per_intensive_period": (0, 50),
    "job_applications_per_month": (0, 100),
    "layoff_obligation_start_months": (0, 60),
    "basic_allowance_eur_per_day": (0, 1000),
    "paid_days_per_week": (1, 7),
    "earnings_related_max_days": (1, 3650),
    "earnings_related_max_days_short_history": (1, 3650),
    "work_condition_months": (0, 120),
}
#: Day numbers inside step schedules (paid day or benefit day).
STEP_DAY_RANGE = (0, 10_000)


@dataclass(frozen=True)
class Period:
    valid_from: date
    valid_to: date | None
    value: Any
    source: str
    to_verify: bool = False
    override: bool = False

    def covers(self, d: date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d < self.valid_to)


@dataclass(frozen=True)
class Rule:
    name: str
    unit: str
    description: str
    periods: tuple[Period, ...]


class Rules:
    """All rules, with optional scenario overrides; ``on(date)`` gives the values in force."""

    def __init__(self, rules: Mapping[str, Rule], overrides: Mapping[str, tuple[Period, ...]] | None = None):
        self.rules = dict(rules)
        self.overrides = dict(overrides or {})
        points: set[date] = set()
        for periods in [r.periods for r in self.rules.values()] + list(self.overrides.values()):
            for p in periods:
                points.add(p.valid_from)
                if p.valid_to:
                    points.add(p.valid_to)
        self._points = sorted(points)
        self._cache: dict[int, RulesInForce] = {}

    def period_on(self, name: str, d: date) -> Period | None:
        for p in self.overrides.get(name, ()):
            if p.covers(d):
                return p
        for p in self.rules[name].periods:
            if p.covers(d):
                return p
        return None

    def on(self, d: date) -> RulesInForce:
        """The rules in force on day `d`."""
        seg = bisect.bisect_right(self._points, d)
        hit = self._cache.get(seg)
        if hit is not None:
            return hit
        values = {}
        for name in self.rules:
            p = self.period_on(name, d)
            if p is None:
                if name in _OPTIONAL:
                    continue
                raise InputError(RULES_FILE, name, f"no value in force on {d.isoformat()}")
            values[name] = p.value
        rif = RulesInForce(**values)
        self._cache[seg] = rif
        return rif

    def sources_on(self, d: date) -> dict[str, dict[str, Any]]:
        """For reports: each rule's value, source and flags on day `d`."""
        out = {}
        for name, rule in self.rules.items():
            p = self.period_on(name, d)
            if p is not None:
                out[name] = {"value": p.value, "unit": rule.unit, "source": p.source,
                             "to_verify": p.to_verify, "override": p.override,
                             "valid_from": p.valid_from.isoformat(),
                             "valid_to": p.valid_to.isoformat() if p.valid_to else None}
        return out

    def change_points(self, start: date, end: date) -> list[date]:
        """Dates in (start, end) at which some rule changes."""
        return [p for p in self._points if start < p < end]


def _parse_period(raw: Mapping[str, Any], name: str, where: str, file: str, override: bool) -> Period:
    allowed = {"valid_from", "valid_to", "value", "source", "to_verify"}
    for k in raw:
        if k not in allowed:
            hint = difflib.get_close_matches(k, allowed, n=1)
            raise InputError(file, f"{where}.{k}",
                             "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    if "value" not in raw:
        raise InputError(file, f"{where}.value", "missing")
    vf = raw.get("valid_from", date(1900, 1, 1))
    vt = raw.get("valid_to")
    for key, v in (("valid_from", vf), ("valid_to", vt)):
        if v is not None and (not isinstance(v, date) or isinstance(v, datetime)):
            raise InputError(file, f"{where}.{key}", f"expected a date (YYYY-MM-DD), got {v!r}")
    if vt is not None and vt <= vf:
        raise InputError(file, f"{where}.valid_to", f"{vt} is not after valid_from {vf}")
    try:
        value = TypeAdapter(_FIELDS[name].annotation).validate_python(raw["value"])
    except ValidationError as e:
        raise InputError(file, f"{where}.value", e.errors()[0]["msg"]) from None
    if name in RANGES:
        lo, hi = RANGES[name]
        if not (isinstance(value, (int, float)) and lo <= value <= hi):  # also rejects inf and nan
            raise InputError(file, f"{where}.value", f"must be {lo:g}–{hi:g} (got {value!r})")
    if name in ("municipal_share_schedule", "municipal_share_schedule_daily_allowance",
                "earnings_related_stepdowns"):
        for i, (d, s) in enumerate(value):
            if not 0.0 <= s <= 1.0:
                raise InputError(file, f"{where}.value[{i}]", f"share {s} outside 0–1")
            if not STEP_DAY_RANGE[0] <= d <= STEP_DAY_RANGE[1]:
                raise InputError(file, f"{where}.value[{i}]",
                                 f"day {d} outside {STEP_DAY_RANGE[0]}–{STEP_DAY_RANGE[1]}")
        days = [d for d, _ in value]
        if any(b <= a for a, b in pairwise(days)):
            raise InputError(file, f"{where}.value", f"steps must be in increasing day order, got {days}")
    return Period(vf, vt, value, str(raw.get("source", "scenario override" if override else "")),
                  bool(raw.get("to_verify", False)), override)


def parse_overrides(raw: Mapping[str, Any], file: str, prefix: str = "rules") -> dict[str, tuple[Period, ...]]:
    """Scenario ``[[rules.NAME]]`` tables → override periods, validated."""
    out: dict[str, tuple[Period, ...]] = {}
    for name, periods in raw.items():
        if name not in _FIELDS:
            hint = difflib.get_close_matches(name, list(_FIELDS), n=1)
            raise InputError(file, f"{prefix}.{name}",
                             "unknown rule" + (f"; did you mean {hint[0]!r}?" if hint else ""))
        if isinstance(periods, Mapping):
            periods = [periods]
        if not isinstance(periods, list) or not all(isinstance(p, Mapping) for p in periods):
            raise InputError(file, f"{prefix}.{name}",
                             "expected a table or an array of tables ([[rules.NAME]] with value = ...)")
        out[name] = tuple(_parse_period(p, name, f"{prefix}.{name}[{i}]", file, True)
                          for i, p in enumerate(periods))
        ps = sorted(out[name], key=lambda p: p.valid_from)
        for a, b in pairwise(ps):
            if a.valid_to is None or a.valid_to > b.valid_from:
                raise InputError(file, f"{prefix}.{name}", "override periods overlap")
    return out


def load_rules(overrides: Mapping[str, tuple[Period, ...]] | None = None) -> Rules:
    """The packaged Finnish rules, with optional overrides from a scenario."""
    text = (resources.files("simulation") / "data" / RULES_FILE).read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    rules = {}
    for name, r in raw.items():
        if name not in _FIELDS:
            raise InputError(RULES_FILE, name, "not a field of RulesInForce")
        periods = tuple(_parse_period(p, name, f"{name}.periods[{i}]", RULES_FILE, False)
                        for i, p in enumerate(r["periods"]))
        rules[name] = Rule(name, r.get("unit", ""), r.get("description", ""), periods)
    missing = set(_FIELDS) - set(rules) - _OPTIONAL
    if missing:
        raise InputError(RULES_FILE, None, f"rules missing: {sorted(missing)}")
    return Rules(rules, overrides)
