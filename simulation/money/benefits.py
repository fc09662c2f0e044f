"""Unemployment-benefit cost and the municipal share, from spell records, by intervals.

A pure, vectorised computation (no simulation here): the model's spell and service
records and the dated rules (`simulation.scenario.rules`) go in; a monthly table per
month × municipality comes out, and on request one entry per *paid benefit day* (ledgers,
hand checks). DOMAIN.md §5 gives the rules; the rules below are stated day by day, and the
engine computes them by intervals (see "How it is computed").

Conventions
-----------
Day index ``i`` is the calendar date ``cal.start + i``; a record's state on day ``i`` is its
state at the start of that day (time ``t = i``):

- a spell ``(start_day, exit_day)`` covers days ``i`` with ``start_day <= i < exit_day``,
  clipped to the horizon ``[0, cal.days)``; ``exit_day = inf`` runs to the horizon;
- a service ``(start_day, end_day)`` covers days ``i`` with ``start_day <= i < end_day``;
  it belongs to the spell of the same person that covers its last day, clipped to it.

Which days are paid, and how much (rules in force *on the day*)
----------------------------------------------------------------
- Paid: the first ``paid_days_per_week`` weekdays (5: Monday–Friday, public holidays
  included), while unemployed or in a service whose ``benefit_paid_during`` is true.
- ``basic_allowance`` and ``labour_market_subsidy``: ``basic_allowance_eur_per_day``; from
  ``benefit_system == "general_benefit"`` both are reported as ``general_benefit`` at the
  same daily amount.
- ``earnings_related``: ``earnings_related_full_eur_per_day × earnings_related_factor(k)``
  with the step-downs in force on the benefit period's first day (from 2.9.2024 only for
  periods begun then or later, HE 13/2024); ``k`` the person's benefit day (see chains below;
  every paid day, also one in a service, uses up a day).
- The daily allowances (``earnings_related`` and ``basic_allowance``) end after
  ``earnings_related_max_days`` (``..._short_history`` for a spell with
  ``short_work_history``) in force at the period's start; the person is then paid the
  labour-market subsidy.

Chains: a person's benefit period across spells
-----------------------------------------------
A spell with ``continues`` carries on the count of the same person's previous spell (a
return without a new work condition, `model.area`); a chain is a person's run of such spells.
Its first spell's ``prior_paid_days`` (days paid before the run) are placed on the last paid
weekdays before its first day, outside services, with the spell's benefit (for a daily
allowance: up to its maximum, then labour-market subsidy); the period begins on the first of
them. ``k`` counts the chain's days: prior days + paid days so far.

Municipal share (from 1.1.2025: acts 385/2023 and 387/2023)
-----------------------------------------------------------
A day is *billed* when, by the rules in force on that day, its benefit is in
``municipal_share_benefits``, it is not a lay-off day (no share on lay-off days, 555/1998
4 § 3 mom.) and it is outside a service or ``municipal_share_service_days_count`` holds. The
day count ``D`` on day ``d`` counts the chain's days up to and including ``d`` — prior days
too — that the rules in force **on ``d``** count: their benefit billed under those rules,
outside services unless service days count, lay-off days excluded, dated on or after
``municipal_share_count_from`` (1.1.2015 from 2025: days paid before 1.1.2025 count, the
count did not restart). The municipality pays ``share(D) × base`` with the schedule in force
on ``d`` — ``municipal_share_schedule`` for the labour-market subsidy (to 50 % from day 701),
``municipal_share_schedule_daily_allowance`` for the basic allowance and the earnings-related
allowance's basic component (to 40 % from day 401) — where the base is the amount paid, for
the earnings-related allowance at most the basic amount.

How it is computed: pieces, not days
------------------------------------
Within a spell, the count of paid days is a monotone function of the day, and every
per-day quantity above is constant between a few boundaries. Each spell is cut at its
calendar boundaries — month starts, rule changes, count-from dates, its services' ends —
into runs of payable days (``payable_cum``: weekdays under ``paid_days_per_week``); runs in
an unpaid service are dropped. A run's benefit day at its start, ``k0``, is the chain's
prior days plus its paid days in the runs before. Runs are then cut where ``k`` reaches a
step-down or the maximum + 1 (so the benefit and the amount are constant), the day count
``D0`` at each run's start is, for each distinct count criterion, the chain's prior days it
counts plus its flagged days before (a running sum over runs), and counted runs are cut
where ``D`` reaches a step of the share schedule. A *piece* then has one month, benefit,
amount, service status, count status and share, and ``m`` paid days: the table sums
``m``, ``m × amount`` and ``m × share × base`` (numpy over pieces, a few per spell-month),
never materialising person-days. `paid_days` expands the same pieces to days (payable days
``pos0 .. pos0 + m``; ``k = k0 + 1 + j``, ``D = D0 + 1 + j`` if counted), which the tests
compare to a day-by-day reference loop. `benefit_costs` cuts whole persons in chunks
(`CHUNK_SPELLS`), so memory is bounded by a chunk's pieces.

Usage
-----
>>> res = benefit_costs(rec.spells, rec.services, scenario, cal)      # doctest: +SKIP
>>> res.monthly            # month × municipality table
>>> person_ledger(rec.spells, rec.services, scenario, cal, person=17)  # doctest: +SKIP

Longer than 400 lines because the benefit rules of the law (paid days, step-downs, maximum, the
municipal share's count) as segment arithmetic, beside the slow day-by-day reference it is
tested against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..model.records import GROUPS, SERVICE_FIELDS, SPELL_FIELDS
from ..scenario.calendar import SimCalendar
from ..scenario.config import BENEFIT_TYPES
from ..scenario.rules import Rules, RulesInForce

ER, BASIC, LMS, GENERAL = 0, 1, 2, 3
LEDGER_TYPES: tuple[str, ...] = (*BENEFIT_TYPES, "general_benefit")
"""Benefit names of the ledger and the ``benefit_cost_<name>_eur`` columns (codes 0–3)."""

assert BENEFIT_TYPES == ("earnings_related", "basic_allowance", "labour_market_subsidy")

BENEFIT_RULES: tuple[str, ...] = (
    "basic_allowance_eur_per_day", "paid_days_per_week", "earnings_related_stepdowns",
    "earnings_related_max_days", "benefit_system", "municipal_share_benefits",
    "municipal_share_schedule", "municipal_share_schedule_daily_allowance",
    "municipal_share_service_days_count", "municipal_share_count_from", "work_condition_months",
)
"""Rules this module reads (for reports: `benefit_rules_used`)."""

_S = {n: i for i, n in enumerate(SPELL_FIELDS)}
_V = {n: i for i, n in enumerate(SERVICE_FIELDS)}


# ---------------------------------------------------------------------------------------
# results

@dataclass(frozen=True, eq=False)
class PaidDays:
    """One entry per paid benefit day (parallel arrays, in spell order then day order).

    Per-entry arrays
    ----------------
    benefit : code into `LEDGER_TYPES` (0 earnings-related, 1 basic allowance,
        2 labour-market subsidy, 3 general benefit).
    benefit_day : the spell's benefit day k (``prior_paid_days`` + paid days so far, this
        one included).
    in_service : the day is spent in a service (with benefit paid).
    amount_eur : benefit paid for the day.
    billing_base_eur : the part of it the municipal share applies to.
    counted : the day counts towards the municipal-share day count and is billed.
    count_day : the municipal-share day count D on this day (this day included if counted).
    share : municipal share applied (0 on days not billed).
    municipal_eur : the municipality's part, ``share × billing_base_eur``.

    ``day`` (day index), ``spell`` (index of the spell in the input records), ``person``
    and ``municipality`` are derived on first use from the compact fields ``rep`` (the
    entry's spell among the costed ones), ``pos`` (the entry's payable day) and the
    per-spell arrays.
    """

    rep: np.ndarray
    pos: np.ndarray
    pay_days: np.ndarray
    spell_index: np.ndarray
    spell_person: np.ndarray
    spell_municipality: np.ndarray
    benefit: np.ndarray
    benefit_day: np.ndarray
    in_service: np.ndarray
    amount_eur: np.ndarray
    billing_base_eur: np.ndarray
    counted: np.ndarray
    count_day: np.ndarray
    share: np.ndarray
    municipal_eur: np.ndarray

    _ENTRY = ("rep", "pos", "benefit", "benefit_day", "in_service", "amount_eur",
              "billing_base_eur", "counted", "count_day", "share", "municipal_eur")

    @cached_property
    def day(self) -> np.ndarray:
        return self.pay_days[self.pos]

    @cached_property
    def spell(self) -> np.ndarray:
        return self.spell_index[self.rep]

    @cached_property
    def person(self) -> np.ndarray:
        return self.spell_person[self.rep]

    @cached_property
    def municipality(self) -> np.ndarray:
        return self.spell_municipality[self.rep]

    def __len__(self) -> int:
        return len(self.rep)

    def select(self, mask: np.ndarray) -> PaidDays:
        """The entries where `mask` is true."""
        kw = {k: getattr(self, k) for k in self.__dataclass_fields__}
        kw.update({k: kw[k][mask] for k in self._ENTRY})
        return PaidDays(**kw)


@dataclass(frozen=True)
class BenefitResult:
    """Benefit cost of one replication.

    Attributes
    ----------
    monthly : pandas.DataFrame
        One row per month × municipality (month order of ``cal.month_labels``, municipality
        order of the names given): ``month, municipality, paid_days, paid_days_in_services,
        counted_days, benefit_cost_eur, benefit_cost_municipal_eur`` and
        ``benefit_cost_<type>_eur`` for each of `LEDGER_TYPES`.
    paid : PaidDays or None
        The day-level entries behind the table (see `ledger_frame`), with ``keep_days``.
    rules_used : dict
        Each benefit rule's periods in force during the run (value, source, to_verify),
        so a report can show which municipal-share schedule was used.
    """

    monthly: pd.DataFrame
    paid: PaidDays | None
    rules_used: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def by_year(self) -> pd.DataFrame:
        """Sums of the monthly table by calendar year × municipality."""
        df = self.monthly.assign(year=self.monthly["month"].str[:4].astype(int))
        return df.drop(columns="month").groupby(["year", "municipality"], sort=False,
                                                 as_index=False).sum()


# ---------------------------------------------------------------------------------------
# rules as arrays over day indices

@dataclass
class _DayRules:
    """Benefit rules as arrays: per rule segment (tables) and per day (segment index)."""

    lo: int                        # first day index covered (may be negative)
    seg: np.ndarray                # day - lo -> segment index
    payable_cum: np.ndarray        # [n+1] payable weekdays in [lo, lo + j)
    payable_idx: np.ndarray        # extended indices (day - lo) of payable days
    in_force: list[RulesInForce | None]   # per segment (None: before the rules' coverage)
    general: np.ndarray            # per segment: benefit_system == general_benefit
    billed: np.ndarray             # [n_seg, 3] base type t billed / counted
    service_counts: np.ndarray     # per segment
    count_from: np.ndarray         # per segment: day index of municipal_share_count_from
    max_days: np.ndarray           # per segment (at a benefit period's start: its maximum)
    max_days_short: np.ndarray     # per segment, for a work history of 3 years or less
    basic: np.ndarray              # per segment: basic allowance EUR a day
    factor: np.ndarray             # [n_seg, W_f] earnings-related multiplier by benefit day k
                                   # under the step-downs in force on a period's first day
    share: np.ndarray              # [n_seg, 2, W] municipal share by class (0: labour-market
                                   # subsidy, 1: daily allowances) and count day (clipped)


def _billed_types(benefits: Sequence[str], general: bool) -> list[bool]:
    """Which base types (ER, basic, LMS) are billed under `benefits`.

    Under the general benefit, a basic-allowance or labour-market-subsidy day is billed if
    ``general_benefit`` or its own former name is listed.
    """
    b = set(benefits)
    out = ["earnings_related" in b, "basic_allowance" in b, "labour_market_subsidy" in b]
    if general and "general_benefit" in b:
        out[BASIC] = out[LMS] = True
    return out


def _value_on(rules: Rules, name: str, d: date, default: Any) -> Any:
    """One rule's value on day `d`, or `default` where no period covers it."""
    p = rules.period_on(name, d)
    return default if p is None else p.value


def _day_rules(rules: Rules, start: date, lo: int, hi: int) -> _DayRules:
    """Rule arrays for day indices [lo, hi).

    Days before 0 may lie before the rules' coverage: there only the benefit types billed
    and the paid weekdays are needed (for prior days), and a date no rule covers bills nothing.
    """
    d0, d1 = start + timedelta(days=lo), start + timedelta(days=hi)
    bounds = [d0, *rules.change_points(d0, d1)]
    in_force: list[RulesInForce | None] = []
    vals: list[tuple[int, str, Sequence[str]]] = []
    for b in bounds:
        try:
            rif: RulesInForce | None = rules.on(b)
        except InputError:
            if b >= start:
                raise
            rif = None
        in_force.append(rif)
        if rif is not None:
            vals.append((rif.paid_days_per_week, rif.benefit_system, rif.municipal_share_benefits))
        else:
            vals.append((_value_on(rules, "paid_days_per_week", b, 5),
                         _value_on(rules, "benefit_system", b, "separate"),
                         _value_on(rules, "municipal_share_benefits", b, ())))
    n_seg = len(bounds)
    offs = np.asarray([(b - start).days for b in bounds], dtype=np.int64)
    days = np.arange(lo, hi, dtype=np.int64)
    seg = (np.searchsorted(offs, days, side="right") - 1).astype(np.int32)
    weekday = (start.weekday() + days) % 7
    ppw = np.asarray([v[0] for v in vals])
    general = np.asarray([v[1] == "general_benefit" for v in vals])
    billed = np.asarray([_billed_types(v[2], g) for v, g in zip(vals, general, strict=True)],
                        dtype=bool).reshape(n_seg, 3)
    payable = weekday < ppw[seg]
    payable_cum = np.concatenate([[0], np.cumsum(payable)])

    known = [r for r in in_force if r is not None]
    w_s = max([s for r in known for s, _ in (*r.municipal_share_schedule,
                                             *r.municipal_share_schedule_daily_allowance)] + [1]) + 1
    share = np.zeros((n_seg, 2, w_s))
    service_counts = np.zeros(n_seg, dtype=bool)
    count_from = np.zeros(n_seg, dtype=np.int64)
    max_days = np.zeros(n_seg, dtype=np.int64)
    max_days_short = np.zeros(n_seg, dtype=np.int64)
    basic = np.zeros(n_seg)
    w_f = max([s for r in known for s, _ in r.earnings_related_stepdowns] + [1]) + 1
    factor = np.ones((n_seg, w_f))
    for i, r in enumerate(in_force):
        if r is None:
            continue
        share[i, 0] = [r.municipal_share(k) for k in range(w_s)]
        share[i, 1] = [r.municipal_share(k, daily_allowance=True) for k in range(w_s)]
        service_counts[i] = r.municipal_share_service_days_count
        count_from[i] = (r.municipal_share_count_from - start).days
        max_days[i] = r.earnings_related_max_days
        max_days_short[i] = r.earnings_related_max_days_short_history
        basic[i] = r.basic_allowance_eur_per_day
        factor[i] = [r.earnings_related_factor(k) for k in range(w_f)]
    return _DayRules(lo, seg, payable_cum, np.flatnonzero(payable), in_force, general,
                     billed, service_counts, count_from, max_days, max_days_short, basic, factor, share)


# ---------------------------------------------------------------------------------------
# inputs

def _as_array(records: Any, fields: Sequence[str]) -> np.ndarray:
    """Records (list of tuples, array, or DataFrame with the named columns) → float array."""
    if isinstance(records, pd.DataFrame):
        return records[list(fields)].to_numpy(dtype=float)
    if len(records) == 0:
        return np.zeros((0, len(fields)))
    a = np.asarray(records, dtype=float)
    a = a.reshape(-1, a.shape[-1])[:, :len(fields)]
    if a.shape[1] < len(fields):       # records written before a trailing field was added
        a = np.hstack([a, np.zeros((len(a), len(fields) - a.shape[1]))])
    return a


def _scenario_inputs(scenario: Any) -> tuple[float, np.ndarray]:
    """(full earnings-related EUR/day, per service index: benefit paid during it)."""
    b = getattr(scenario, "benefits", None)
    er_full = float(b.earnings_related_full_eur_per_day) if b is not None else 0.0
    services: Mapping[str, Any] = getattr(scenario, "services", None) or {}
    paid_during = np.asarray([bool(s.benefit_paid_during) for s in services.values()], dtype=bool)
    return er_full, paid_during


def _cover(start: np.ndarray, end: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Day range [first, stop) of records covering days i with start <= i < end, in [0, horizon)."""
    with np.errstate(invalid="ignore"):
        first = np.clip(np.ceil(start), 0, horizon)
        stop = np.clip(np.ceil(end), 0, horizon)
    return first.astype(np.int64), stop.astype(np.int64)


# ---------------------------------------------------------------------------------------
# the engine: spells, chains and rules prepared once; pieces per chunk of persons

@dataclass
class _Prepared:
    """The costed spells (a benefit, some day in the horizon) in costing order — by person,
    then start — with their chains, the rule arrays and the services' day ranges."""

    H: int
    er_full: float
    R: _DayRules
    Wh: np.ndarray            # [H + 1] payable days in [0, i)
    pay_day: np.ndarray       # payable day indices in [0, H)
    month_starts: np.ndarray  # day index of each month of the horizon
    bounds: np.ndarray        # days in (0, H) where a month, a rule or a count-from date begins
    # per costed spell
    index: np.ndarray         # into the input records
    person: np.ndarray
    muni: np.ndarray
    btype: np.ndarray
    first: np.ndarray
    stop: np.ndarray
    layoff: np.ndarray
    chain: np.ndarray
    # per chain
    prior: np.ndarray         # days paid before the chain's first day
    s0: np.ndarray            # rule segment in force on the benefit period's first day
    maxd: np.ndarray          # the daily allowances' maximum for the period
    prior_counted: np.ndarray  # [n_crit, n_chain] prior days each count criterion counts
    # count criteria: distinct (billed types, service days count, count-from day)
    crit_billed: np.ndarray   # [n_crit, 3]
    crit_services: np.ndarray  # [n_crit]
    crit_from: np.ndarray     # [n_crit] day index
    crit_of_seg: np.ndarray   # rule segment -> criterion
    k_steps: np.ndarray       # benefit days k from which some earnings-related factor changes
    d_steps: np.ndarray       # count days D from which some municipal share changes
    # services, by costed spell: the day range [start, stop) clipped to the spell
    svc_rep: np.ndarray
    svc_start: np.ndarray
    svc_stop: np.ndarray
    svc_unpaid: np.ndarray    # 1 where no benefit is paid during the service


def _prepare(sp: np.ndarray, sv: np.ndarray, scenario: Any, cal: SimCalendar,
             rules: Rules) -> _Prepared:
    """Everything the pieces need that is per spell, per chain or per rule (no day arrays
    but the rules' calendar)."""
    er_full, paid_during = _scenario_inputs(scenario)
    H = int(cal.days)
    btype_all = sp[:, _S["benefit_type"]].astype(np.int64)
    if np.any(btype_all >= len(BENEFIT_TYPES)):
        raise ValueError(f"benefit_type must be -1 or an index into {BENEFIT_TYPES}")
    first_all, stop_all = _cover(sp[:, _S["start_day"]], sp[:, _S["exit_day"]], H)
    sidx = np.flatnonzero((btype_all >= 0) & (stop_all > first_all))
    # a person's spells in time order, so that a spell continuing the person's count
    # (`continues`) follows the spell it continues
    sidx = sidx[np.lexsort((sp[sidx, _S["start_day"]], sp[sidx, _S["person"]]))]
    ns = len(sidx)
    person = sp[sidx, _S["person"]].astype(np.int64)
    muni = sp[sidx, _S["municipality"]].astype(np.int64)
    btype = btype_all[sidx]
    first, stop = first_all[sidx], stop_all[sidx]
    prior = np.maximum(sp[sidx, _S["prior_paid_days"]], 0).astype(np.int64)
    layoff = sp[sidx, _S["group"]] == GROUPS.index("layoff")
    short = sp[sidx, _S["short_work_history"]] > 0
    # chains: a spell that continues the person's count joins the chain of the spell before
    cont = sp[sidx, _S["continues"]] > 0
    head = np.ones(ns, dtype=bool)
    if ns > 1:
        head[1:] = ~(cont[1:] & (person[1:] == person[:-1]))
    chain = np.cumsum(head) - 1                   # chain of each spell
    hs = np.flatnonzero(head)                     # first spell of each chain
    prior = prior[hs]                             # only a chain's first spell brings prior days

    # rule arrays, reaching back far enough to hold every chain's prior paid days
    need = (first[hs] - np.ceil(prior * 7 / 5) - 14).astype(np.int64)
    lo = int(min(0, need.min())) if ns else 0
    while True:
        R = _day_rules(rules, cal.start, lo, H)
        if not ns or np.all(R.payable_cum[first[hs] - lo] >= prior):
            break
        lo -= max(366, -lo)
    PC = R.payable_cum
    Wh = PC[-lo:] - PC[-lo]                        # payable days in [0, i), i = 0..H
    pay_day = R.payable_idx[R.payable_idx >= -lo] + lo

    # ---- per chain: the benefit period's start, its maximum and the prior days counted ---
    # A chain is one benefit period: it began on its first prior day (or its first day), and
    # the earnings-related step-downs and maximum are those in force then ([TTL] HE 13/2024:
    # the step-downs apply to periods that began from 2.9.2024; 300 days with a work history
    # of 3 years or less); past the maximum the person is paid the labour-market subsidy.
    # Prior days occupy the last `prior` payable days before the chain's first day: [p0, ef);
    # earnings-related or basic ones beyond the maximum were labour-market subsidy: [q, ef).
    ef = first[hs] - lo
    pidx = R.payable_idx
    last = max(len(pidx) - 1, 0)
    pstart = PC[ef] - prior
    p0 = np.where(prior > 0, pidx[np.clip(pstart, 0, last)], ef) if ns else ef
    s0 = R.seg[p0]
    maxd = np.where(short[hs], R.max_days_short[s0], R.max_days[s0])
    bh = btype[hs]
    split = ((bh == ER) | (bh == BASIC)) & (prior > maxd)
    q = np.where(split, pidx[np.clip(pstart + maxd, 0, last)], ef) if ns else ef

    # ---- count criteria: which days the rules in force on a day count -----------------------
    # Which days count is decided by the rules in force on the day billed (DOMAIN.md §5, the
    # 2025 transition: days of every benefit paid since 1.1.2015 count): under the criteria c
    # of that day's rules (benefits billed, service days counted, count-from date), D is the
    # number of the chain's paid days up to and including this one that meet c — the chain's
    # prior days and its days so far. Lay-off days are neither billed nor counted
    # ([RahL-387] 4 § 3 mom.).
    crit = np.column_stack([R.billed.astype(np.int64), R.service_counts.astype(np.int64),
                            R.count_from])
    cvals, c_of_seg = np.unique(crit, axis=0, return_inverse=True)
    c_of_seg = np.asarray(c_of_seg).ravel()
    crit_billed = cvals[:, :3].astype(bool)
    crit_services = cvals[:, 3].astype(bool)
    crit_from = cvals[:, 4].astype(np.int64)
    prior_counted = np.zeros((len(cvals), len(hs)), dtype=np.int64)
    for ci in range(len(cvals)):
        billed_c = crit_billed[ci]
        ce = max(int(crit_from[ci]) - lo, 0)
        pc = (billed_c[bh] * (PC[q] - PC[np.clip(ce, p0, q)])
              + billed_c[LMS] * (PC[ef] - PC[np.clip(ce, q, ef)]))
        prior_counted[ci] = pc * ~layoff[hs]

    # ---- calendar boundaries and the counters' steps ---------------------------------------
    month_starts = np.asarray(cal.month_starts, dtype=np.int64)
    rule_days = np.flatnonzero(np.diff(R.seg[-lo:])) + 1
    bounds = np.unique(np.concatenate([month_starts, rule_days, crit_from]))
    bounds = bounds[(bounds > 0) & (bounds < H)]
    f = R.factor
    k_steps = np.flatnonzero(np.any(f[:, 1:] != f[:, :-1], axis=0)) + 1
    s = R.share
    d_steps = np.flatnonzero(np.any(s[:, :, 1:] != s[:, :, :-1], axis=(0, 1))) + 1

    # ---- services: each belongs to the person's spell that covers its last day -------------
    svc_rep = np.zeros(0, dtype=np.int64)
    svc_start = svc_stop = svc_unpaid = svc_rep
    if len(sv) and ns:
        s_first, s_stop = _cover(sv[:, _V["start_day"]], sv[:, _V["end_day"]], H)
        s_person = sv[:, _V["person"]].astype(np.int64)
        s_kind = sv[:, _V["service"]].astype(np.int64)
        if np.any((s_kind < 0) | (s_kind >= len(paid_during))):
            raise ValueError("a service record's index is outside scenario.services")
        order = np.lexsort((first, person))
        key_sp = person[order] * (H + 1) + first[order]
        # the person's spell that covers the service's last day (clipped to that spell)
        j = np.searchsorted(key_sp, s_person * (H + 1) + s_stop - 1, side="right") - 1
        cand = order[np.maximum(j, 0)]
        ok = (j >= 0) & (person[cand] == s_person) & (s_first < stop[cand]) & (s_stop > s_first)
        cand = cand[ok]
        o = np.argsort(cand, kind="stable")
        svc_rep = cand[o]
        svc_start = np.maximum(s_first[ok], first[cand])[o]
        svc_stop = np.minimum(s_stop[ok], stop[cand])[o]
        svc_unpaid = (~paid_during[s_kind[ok]]).astype(np.int64)[o]

    return _Prepared(H, er_full, R, Wh, pay_day, month_starts, bounds, sidx, person, muni,
                     btype, first, stop, layoff, chain, prior, s0, maxd, prior_counted,
                     crit_billed, crit_services, crit_from, c_of_seg, k_steps, d_steps,
                     svc_rep, svc_start, svc_stop, svc_unpaid)


@dataclass
class _Pieces:
    """Runs of consecutive paid days of one spell with one month, benefit, amount, service
    status, count status and share (parallel arrays, in spell order then day order).

    A piece's entries are the payable days ``pay_day[pos0 : pos0 + m]``; on its ``j``-th
    (from 0) the benefit day is ``k0 + 1 + j`` and the count day ``D0 + 1 + j`` if counted,
    else ``D0``.
    """

    rep: np.ndarray           # costed spell
    pos0: np.ndarray          # first entry's payable day (index into pay_day)
    m: np.ndarray             # paid days
    month: np.ndarray
    benefit: np.ndarray       # code into LEDGER_TYPES
    in_service: np.ndarray
    counted: np.ndarray
    k0: np.ndarray
    D0: np.ndarray
    amount_eur: np.ndarray    # a day
    billing_base_eur: np.ndarray
    share: np.ndarray


def _starts_before(m: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For rows sorted by `group`: the sum of `m` over the group's earlier rows."""
    cm = np.cumsum(m) - m
    n = len(m)
    if not n:
        return cm
    start = np.ones(n, dtype=bool)
    start[1:] = group[1:] != group[:-1]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    return cm - cm[first]


def _split(c0: np.ndarray, m: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut pieces where a counter reaches a threshold.

    Entry ``j`` (from 0) of a piece has the counter ``c0 + 1 + j``; a threshold ``t`` in the
    piece's row of `T` (negative: none) begins a new piece at the entry whose counter is ``t``.
    Returns ``(parent, j, m)``: each new piece's parent, first entry within it and length.
    """
    n = len(m)
    off = T - (c0 + 1)[:, None]
    ok = (off > 0) & (off < m[:, None])
    rows = np.flatnonzero(ok.any(axis=1))
    if not len(rows):
        return np.arange(n), np.zeros(n, dtype=np.int64), m
    # only the rows that are cut: sorted distinct offsets, with 0 first
    big = np.iinfo(np.int64).max
    o = np.where(ok[rows], off[rows], big)
    o.sort(axis=1)
    cut = o < big
    cut[:, 1:] &= o[:, 1:] != o[:, :-1]
    cuts = np.zeros(n, dtype=np.int64)
    cuts[rows] = cut.sum(axis=1)
    parent = np.repeat(np.arange(n), cuts + 1)
    j = np.zeros(len(parent), dtype=np.int64)
    first_new = np.cumsum(cuts + 1) - (cuts + 1)                 # each parent's first row
    at = (first_new[rows][:, None] + np.cumsum(cut, axis=1))[cut]
    j[at] = o[cut]
    last = np.ones(len(parent), dtype=bool)
    last[:-1] = parent[1:] != parent[:-1]
    end = np.where(last, m[parent], np.append(j[1:], 0))
    return parent, j, end - j


def _pieces(P: _Prepared, a0: int, b0: int) -> _Pieces:
    """The pieces of costed spells [a0, b0) (whole chains)."""
    H, R, lo = P.H, P.R, P.R.lo
    n = b0 - a0
    f, s = P.first[a0:b0], P.stop[a0:b0]

    # ---- calendar pieces: each spell cut at the calendar's bounds and its services' ends ----
    G = P.bounds
    gl = np.searchsorted(G, f, side="right")
    ng = np.maximum(np.searchsorted(G, s, side="left") - gl, 0)
    gi = np.arange(int(ng.sum()), dtype=np.int64) + np.repeat(gl - (np.cumsum(ng) - ng), ng)
    v0, v1 = np.searchsorted(P.svc_rep, [a0, b0])
    vr, unp = P.svc_rep[v0:v1], P.svc_unpaid[v0:v1]
    reps = np.concatenate([np.arange(a0, b0), np.repeat(np.arange(a0, b0), ng), vr, vr])
    days = np.concatenate([f, G[gi], P.svc_start[v0:v1], P.svc_stop[v0:v1]])
    nz = n + len(gi)
    d_unpaid = np.concatenate([np.zeros(nz, dtype=np.int64), unp, -unp])
    d_any = np.concatenate([np.zeros(nz, dtype=np.int64), np.ones(len(vr), dtype=np.int64),
                            -np.ones(len(vr), dtype=np.int64)])
    key = reps * (H + 1) + days
    o = np.argsort(key, kind="stable")
    key = key[o]
    # coverage after each point: services of one spell begin and end within it, so the
    # running sums return to 0 at each spell's end
    unpaid_cov = np.cumsum(d_unpaid[o])
    any_cov = np.cumsum(d_any[o])
    keep = np.ones(len(key), dtype=bool)
    keep[:-1] = key[1:] != key[:-1]                 # the last point of each (spell, day)
    key, unpaid_cov, any_cov = key[keep], unpaid_cov[keep], any_cov[keep]
    rep = key // (H + 1)
    a = key - rep * (H + 1)
    same = np.zeros(len(rep), dtype=bool)
    same[:-1] = rep[1:] == rep[:-1]
    b = np.where(same, np.append(a[1:], 0), P.stop[rep])
    pos0 = P.Wh[a]
    m = P.Wh[b] - pos0
    keep = (a < b) & (unpaid_cov == 0) & (m > 0)     # no benefit during an unpaid service
    rep, a, pos0, m = rep[keep], a[keep], pos0[keep], m[keep]
    in_s = any_cov[keep] > 0
    seg = R.seg[a - lo].astype(np.int64)
    month = np.searchsorted(P.month_starts, a, side="right") - 1
    ch = P.chain[rep]
    bt = P.btype[rep]

    # ---- benefit day k: the chain's prior days + its paid days so far -----------------------
    k0 = P.prior[ch] + _starts_before(m, ch)
    daily = (bt == ER) | (bt == BASIC)
    T = np.column_stack([np.where((bt == ER)[:, None], P.k_steps[None, :], -1),
                         np.where(daily, P.maxd[ch] + 1, -1)])
    parent, j, m = _split(k0, m, T)
    rep, a, in_s, seg, month, ch, bt = (x[parent] for x in (rep, a, in_s, seg, month, ch, bt))
    k0 = k0[parent] + j
    pos0 = pos0[parent] + j

    # ---- benefit and amount ----------------------------------------------------------------
    exhausted = ((bt == ER) | (bt == BASIC)) & (k0 + 1 > P.maxd[ch])   # the daily allowances end
    bt = np.where(exhausted, LMS, bt)
    basic = R.basic[seg]
    amount = basic.copy()
    er = bt == ER
    w_f = R.factor.shape[1]
    amount[er] = P.er_full * R.factor[P.s0[ch[er]], np.minimum(k0[er] + 1, w_f - 1)]
    base = np.minimum(amount, basic)
    code = bt.astype(np.int8)
    code[R.general[seg] & (bt != ER)] = GENERAL

    # ---- municipal-share day count D under the criteria of the day's rules ------------------
    c_own = P.crit_of_seg[seg]
    D0 = np.zeros(len(m), dtype=np.int64)
    counted = np.zeros(len(m), dtype=bool)
    not_layoff = ~P.layoff[rep]
    for ci in range(len(P.crit_from)):
        flag = P.crit_billed[ci][bt] & not_layoff & (a >= P.crit_from[ci])
        if not P.crit_services[ci]:
            flag &= ~in_s
        before = _starts_before(m * flag, ch)
        use = c_own == ci
        D0[use] = P.prior_counted[ci, ch[use]] + before[use]
        counted[use] = flag[use]
    T = np.where(counted[:, None], P.d_steps[None, :], -1)
    parent, j, m = _split(D0, m, T)
    rep, month, in_s, seg, bt, code, amount, base, counted = (
        x[parent] for x in (rep, month, in_s, seg, bt, code, amount, base, counted))
    D0 = D0[parent] + j
    k0 = k0[parent] + j
    pos0 = pos0[parent] + j
    w_s = R.share.shape[2]
    share = R.share[seg, np.where(bt == LMS, 0, 1), np.minimum(D0 + 1, w_s - 1)]
    share *= counted
    return _Pieces(rep, pos0, m, month, code, in_s, counted, k0, D0, amount, base, share)


def _expand(P: _Prepared, pc: _Pieces) -> PaidDays:
    """The pieces' paid days, one entry each."""
    m = pc.m
    N = int(m.sum())
    start = np.cumsum(m) - m
    j = np.arange(N, dtype=np.int64) - np.repeat(start, m)
    counted = np.repeat(pc.counted, m)
    return PaidDays(
        rep=np.repeat(pc.rep, m), pos=np.repeat(pc.pos0, m) + j, pay_days=P.pay_day,
        spell_index=P.index, spell_person=P.person, spell_municipality=P.muni,
        benefit=np.repeat(pc.benefit, m), benefit_day=np.repeat(pc.k0, m) + 1 + j,
        in_service=np.repeat(pc.in_service, m), amount_eur=np.repeat(pc.amount_eur, m),
        billing_base_eur=np.repeat(pc.billing_base_eur, m), counted=counted,
        count_day=np.repeat(pc.D0, m) + np.where(counted, 1 + j, 0),
        share=np.repeat(pc.share, m), municipal_eur=np.repeat(pc.share * pc.billing_base_eur, m))


def paid_days(spells: Any, services: Any, scenario: Any, cal: SimCalendar,
              rules: Rules | None = None) -> PaidDays:
    """Every paid benefit day of the run with its amount and municipal share.

    The day-level view of the pieces `benefit_costs` sums (for ledgers and hand checks):
    the same engine, each piece expanded to its days.

    Parameters
    ----------
    spells : list of tuples, array or DataFrame
        Spell records in `SPELL_FIELDS` order (``Records.spells``).
    services : list of tuples, array or DataFrame
        Service records in `SERVICE_FIELDS` order (``Records.services``); may be empty.
    scenario : Scenario (or an object with ``benefits.earnings_related_full_eur_per_day``
        and ``services``: name → object with ``benefit_paid_during``, in index order).
    cal : SimCalendar
        The run's calendar; days ``[0, cal.days)`` are costed.
    rules : Rules, optional
        Dated rules; default ``scenario.rules_obj()`` (the packaged rules with the
        scenario's overrides).

    Returns
    -------
    PaidDays
    """
    if rules is None:
        rules = scenario.rules_obj()
    P = _prepare(_as_array(spells, SPELL_FIELDS), _as_array(services, SERVICE_FIELDS),
                 scenario, cal, rules)
    return _expand(P, _pieces(P, 0, len(P.index)))


# ---------------------------------------------------------------------------------------
# tables

_LEVELS = len(LEDGER_TYPES) * 4
"""Cells of one month × municipality: benefit × in a service × counted."""


def _cell(month: np.ndarray, muni: np.ndarray, benefit: np.ndarray, in_service: np.ndarray,
          counted: np.ndarray, n_k: int) -> np.ndarray:
    """One bincount index: (month × municipality) × benefit × in a service × counted."""
    idx = month * (n_k * _LEVELS)
    idx += muni * _LEVELS
    idx += benefit * 4
    idx += in_service * 2
    idx += counted
    return idx


def _check_municipalities(spell_municipality: np.ndarray, n_k: int) -> None:
    if len(spell_municipality) and int(spell_municipality.max()) >= n_k:
        raise ValueError(f"a spell's municipality index is outside the {n_k} municipality names")


def _frame(days: np.ndarray, cost: np.ndarray, municipal: np.ndarray, cal: SimCalendar,
           municipalities: Sequence[str]) -> pd.DataFrame:
    """The month × municipality table from its cells' sums (see `BenefitResult.monthly`)."""
    n_m, n_k, n_t = len(cal.month_starts), len(municipalities), len(LEDGER_TYPES)
    size = n_m * n_k
    days = days.reshape(size, n_t, 2, 2)
    cost = cost.reshape(size, n_t, 4).sum(axis=2)
    cols: dict[str, Any] = {
        "month": np.repeat(cal.month_labels, n_k),
        "municipality": np.tile(np.asarray(municipalities, dtype=object), n_m),
        "paid_days": days.sum(axis=(1, 2, 3)).astype(np.int64),
        "paid_days_in_services": days[:, :, 1, :].sum(axis=(1, 2)).astype(np.int64),
        "counted_days": days[:, :, :, 1].sum(axis=(1, 2)).astype(np.int64),
        "benefit_cost_eur": cost.sum(axis=1),
        "benefit_cost_municipal_eur": municipal.reshape(size, _LEVELS).sum(axis=1),
    }
    for code, name in enumerate(LEDGER_TYPES):
        cols[f"benefit_cost_{name}_eur"] = cost[:, code]
    return pd.DataFrame(cols)


def monthly_benefit_table(paid: PaidDays, cal: SimCalendar,
                          municipalities: Sequence[str]) -> pd.DataFrame:
    """Sum paid days into one row per month × municipality (see `BenefitResult.monthly`).

    The day-level route, for checks: `benefit_costs` sums the same figures from pieces
    without expanding them to days.
    """
    n_k = len(municipalities)
    _check_municipalities(paid.spell_municipality, n_k)
    L = len(cal.month_starts) * n_k * _LEVELS
    month_p = np.searchsorted(np.asarray(cal.month_starts, dtype=np.int64), paid.pay_days,
                              side="right") - 1
    idx = _cell(month_p[paid.pos], paid.spell_municipality[paid.rep], paid.benefit.astype(np.int64),
                paid.in_service.astype(np.int64), paid.counted.astype(np.int64), n_k)
    return _frame(np.bincount(idx, minlength=L)[:L],
                  np.bincount(idx, weights=paid.amount_eur, minlength=L)[:L],
                  np.bincount(idx, weights=paid.municipal_eur, minlength=L)[:L], cal, municipalities)


def benefit_rules_used(rules: Rules, cal: SimCalendar) -> dict[str, list[dict[str, Any]]]:
    """Each benefit rule's periods in force during the run: value, dates, source, to_verify."""
    out: dict[str, list[dict[str, Any]]] = {}
    days = [cal.start, *rules.change_points(cal.start, cal.end)]
    for name in BENEFIT_RULES:
        seen: list[dict[str, Any]] = []
        for d in days:
            p = rules.period_on(name, d)
            if p is None:
                continue
            row = {"value": p.value, "valid_from": p.valid_from.isoformat(),
                   "valid_to": p.valid_to.isoformat() if p.valid_to else None,
                   "source": p.source, "to_verify": p.to_verify, "override": p.override}
            if not seen or seen[-1] != row:
                seen.append(row)
        out[name] = seen
    return out


CHUNK_SPELLS = 4_000
"""Spells cut into pieces at a time by `benefit_costs` (whole persons per chunk): the pieces
of one chunk are what a replication's costing holds beyond its per-spell arrays."""


def benefit_costs(spells: Any, services: Any, scenario: Any, cal: SimCalendar,
                  rules: Rules | None = None,
                  municipalities: Sequence[str] | None = None,
                  keep_days: bool = False, chunk_spells: int = CHUNK_SPELLS) -> BenefitResult:
    """Benefit cost and municipal share per month × municipality for one replication.

    Parameters
    ----------
    spells, services : records in `SPELL_FIELDS` / `SERVICE_FIELDS` order
        (``Records.spells``, ``Records.services``; lists of tuples, arrays or DataFrames).
    scenario : Scenario
        Gives ``benefits.earnings_related_full_eur_per_day`` and ``services`` (in index order).
    cal : SimCalendar
    rules : Rules, optional
        Default ``scenario.rules_obj()``.
    municipalities : sequence of str, optional
        Names by municipality index; default ``scenario.region_obj().municipality_names``.
    keep_days : bool
        Also expand the pieces to their days (``BenefitResult.paid``, as `paid_days`).
    chunk_spells : int
        Spells cut into pieces at a time (whole persons per chunk); without `keep_days`,
        memory is bounded by a chunk's pieces. The table does not depend on it (a person's
        count never crosses persons).

    Returns
    -------
    BenefitResult
    """
    if rules is None:
        rules = scenario.rules_obj()
    if municipalities is None:
        municipalities = list(scenario.region_obj().municipality_names)
    used = benefit_rules_used(rules, cal)
    P = _prepare(_as_array(spells, SPELL_FIELDS), _as_array(services, SERVICE_FIELDS),
                 scenario, cal, rules)
    n_k = len(municipalities)
    _check_municipalities(P.muni, n_k)
    L = len(cal.month_starts) * n_k * _LEVELS
    days = np.zeros(L, dtype=np.int64)
    cost = np.zeros(L)
    municipal = np.zeros(L)
    ns = len(P.index)
    kept: list[_Pieces] = []
    a0 = 0
    while a0 < ns:
        b0 = ns if keep_days else min(a0 + max(int(chunk_spells), 1), ns)
        if b0 < ns:                          # end the chunk at a person boundary
            b0 = int(np.searchsorted(P.person, P.person[b0 - 1], side="right"))
        pc = _pieces(P, a0, b0)
        idx = _cell(pc.month, P.muni[pc.rep], pc.benefit.astype(np.int64),
                    pc.in_service.astype(np.int64), pc.counted.astype(np.int64), n_k)
        days += np.bincount(idx, weights=pc.m, minlength=L)[:L].astype(np.int64)
        cost += np.bincount(idx, weights=pc.amount_eur * pc.m, minlength=L)[:L]
        municipal += np.bincount(idx, weights=pc.share * pc.billing_base_eur * pc.m, minlength=L)[:L]
        if keep_days:
            kept.append(pc)
        a0 = b0
    paid = None
    if keep_days:
        paid = _expand(P, kept[0] if kept else _pieces(P, 0, 0))
    return BenefitResult(_frame(days, cost, municipal, cal, municipalities), paid, used)


def ledger_frame(paid: PaidDays, cal: SimCalendar) -> pd.DataFrame:
    """Paid days as a table, one row per paid day, for reports and hand checks.

    Columns: ``person, spell, municipality, day, date, benefit, benefit_day, in_service,
    amount_eur, billing_base_eur, counted, count_day, share, municipal_eur``.
    """
    dates = np.datetime64(cal.start, "D") + paid.day.astype("timedelta64[D]")
    return pd.DataFrame({
        "person": paid.person, "spell": paid.spell, "municipality": paid.municipality,
        "day": paid.day, "date": dates,
        "benefit": pd.Categorical.from_codes(paid.benefit.astype(int),
                                             categories=list(LEDGER_TYPES)),
        "benefit_day": paid.benefit_day, "in_service": paid.in_service,
        "amount_eur": paid.amount_eur, "billing_base_eur": paid.billing_base_eur,
        "counted": paid.counted, "count_day": paid.count_day, "share": paid.share,
        "municipal_eur": paid.municipal_eur,
    })


def person_ledger(spells: Any, services: Any, scenario: Any, cal: SimCalendar,
                  rules: Rules | None = None, person: int | None = None) -> pd.DataFrame:
    """One row per paid day of one person (or of everyone with ``person=None``).

    The same engine as `benefit_costs`, so the ledger's sums equal the monthly table.
    See `ledger_frame` for the columns.
    """
    sp = _as_array(spells, SPELL_FIELDS)
    sv = _as_array(services, SERVICE_FIELDS)
    if person is not None:
        keep = np.flatnonzero(sp[:, _S["person"]] == person)
        paid = paid_days(sp[keep], sv[sv[:, _V["person"]] == person], scenario, cal, rules)
        paid = PaidDays(**{**{k: getattr(paid, k) for k in paid.__dataclass_fields__},
                           "spell_index": keep[paid.spell_index]})
    else:
        paid = paid_days(sp, sv, scenario, cal, rules)
    return ledger_frame(paid, cal)
