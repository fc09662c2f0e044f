"""Unemployment-benefit cost and the municipal share, day by day, from spell records.

A pure, vectorised computation (no simulation here): the model's spell and service
records and the dated rules (`simulation.scenario.rules`) go in; one entry per *paid benefit day*
and a monthly table per month × municipality come out. DOMAIN.md §5 gives the rules.

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

Performance: spells are expanded to their payable days with ``np.repeat``; services are
scattered from their day ranges; ``D`` is a running count per rule criteria minus a per-chain
constant. `benefit_costs` costs whole persons in chunks (`CHUNK_SPELLS`), so memory is bounded
by a chunk's paid days.

Usage
-----
>>> res = benefit_costs(rec.spells, rec.services, scenario, cal)      # doctest: +SKIP
>>> res.monthly            # month × municipality table
>>> person_ledger(rec.spells, rec.services, scenario, cal, person=17)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..scenario.calendar import SimCalendar
from ..scenario.config import BENEFIT_TYPES
from ..errors import InputError
from ..model.records import GROUPS, SERVICE_FIELDS, SPELL_FIELDS
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
    n_seg, n = len(bounds), hi - lo
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
# the engine

def paid_days(spells: Any, services: Any, scenario: Any, cal: SimCalendar,
              rules: Rules | None = None) -> PaidDays:
    """Every paid benefit day of the run with its amount and municipal share.

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
    er_full, paid_during = _scenario_inputs(scenario)
    H = int(cal.days)
    sp = _as_array(spells, SPELL_FIELDS)
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
    head_spell = np.flatnonzero(head)             # first spell of each chain
    prior = np.where(head, prior, 0)              # only a chain's first spell brings prior days

    # rule arrays, reaching back far enough to hold every spell's prior paid days
    need = (first - np.ceil(prior * 7 / 5) - 14).astype(np.int64)
    lo = int(min(0, need.min())) if ns else 0
    while True:
        R = _day_rules(rules, cal.start, lo, H)
        if not ns or np.all(R.payable_cum[first - lo] >= prior):
            break
        lo -= max(366, -lo)

    # ---- expand spells to their payable days in the horizon ------------------------------
    # `pos` indexes the run's payable days (pay_day); everything per day is looked up by pos
    Wh = R.payable_cum[-lo:] - R.payable_cum[-lo]       # payable days in [0, i), i = 0..H
    pay_day = R.payable_idx[R.payable_idx >= -lo] + lo  # payable day indices in [0, H)
    seg_p = R.seg[pay_day - lo].astype(np.int64)        # rule segment by pos
    a = Wh[first]
    n = Wh[stop] - a
    off = np.concatenate([[0], np.cumsum(n)])
    N = int(off[-1])
    rep = np.repeat(np.arange(ns, dtype=np.int64), n)
    pos = np.arange(N, dtype=np.int64)
    pos += np.repeat(a - off[:-1], n)

    # ---- services: in-service and unpaid days, scattered from the services' day ranges ---
    in_svc: np.ndarray | None = None
    sv = _as_array(services, SERVICE_FIELDS)
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
        sf = np.maximum(s_first[ok], first[cand])
        ss = np.minimum(s_stop[ok], stop[cand])
        ps = off[:-1][cand] + Wh[sf] - a[cand]            # entry range [ps, pe) of each service
        m = Wh[ss] - Wh[sf]
        if m.sum():
            e_off = np.concatenate([[0], np.cumsum(m)])
            ent = np.arange(int(e_off[-1]), dtype=np.int64) + np.repeat(ps - e_off[:-1], m)
            no_pay = np.repeat(~paid_during[s_kind[ok]], m)
            in_svc = np.zeros(N, dtype=bool)
            in_svc[ent] = True
            if no_pay.any():
                keep = np.ones(N, dtype=bool)
                keep[ent[no_pay]] = False
                rep, pos, in_svc = rep[keep], pos[keep], in_svc[keep]
                n = np.bincount(rep, minlength=ns)
                off = np.concatenate([[0], np.cumsum(n)])
                N = int(off[-1])
                paid_ent = ent[~no_pay]
                ent = (np.cumsum(keep) - 1)[paid_ent[keep[paid_ent]]]
            if not len(ent):
                in_svc = None

    # ---- benefit day k, type and amount ----------------------------------------------------
    # k counts the chain's paid days: its first spell's prior days + entries so far. A chain
    # is one benefit period: it began on its first prior day (or its first day), and the
    # earnings-related step-downs and maximum are those in force then ([TTL] HE 13/2024: the
    # step-downs apply to periods that began from 2.9.2024; 300 days with a work history of
    # 3 years or less); past the maximum the person is paid the labour-market subsidy.
    chain_off = off[:-1][head_spell]                       # first entry of each chain
    crep = chain[rep]
    k = np.arange(N, dtype=np.int64)
    k -= (chain_off - prior[head_spell] - 1)[crep]
    seg_e = seg_p[pos]
    hs = head_spell
    ef = first[hs] - lo
    pidx = R.payable_idx
    pstart = R.payable_cum[ef] - prior[hs]
    p0 = np.where(prior[hs] > 0, pidx[np.minimum(np.maximum(pstart, 0), len(pidx) - 1)], ef)
    s0 = R.seg[p0]                                          # rule segment of the period's start
    maxd = np.where(short[hs], R.max_days_short[s0], R.max_days[s0])
    basic_e = R.basic[seg_e]
    general_e = R.general[seg_e]
    bt = btype[rep]
    er = bt == ER
    exhausted = ((bt == ER) | (bt == BASIC)) & (k > maxd[crep])   # the daily allowances end
    bt[exhausted] = LMS
    amount = basic_e.copy()
    er &= ~exhausted
    w_f = R.factor.shape[1]
    amount[er] = er_full * R.factor.ravel()[s0[crep[er]] * w_f + np.minimum(k[er], w_f - 1)]
    base = np.minimum(amount, basic_e)
    code = bt.astype(np.int8)
    code[general_e & (bt != ER)] = GENERAL
    del basic_e, general_e

    # ---- municipal-share day count D ----------------------------------------------------
    # Which days count is decided by the rules in force on the day billed (DOMAIN.md §5, the
    # 2025 transition: days of every benefit paid since 1.1.2015 count): under the criteria c
    # of that day's rules (benefits billed, service days counted, count-from date), D is the
    # number of the chain's paid days up to and including this one that meet c — the chain's
    # prior days and its entries so far. Lay-off days are neither billed nor counted
    # ([RahL-387] 4 § 3 mom.).
    crit = np.column_stack([R.billed.astype(np.int64), R.service_counts.astype(np.int64),
                            R.count_from])
    cvals, c_of_seg = np.unique(crit, axis=0, return_inverse=True)
    c_of_seg = np.asarray(c_of_seg).ravel()
    c_e = c_of_seg[seg_e]
    D = np.zeros(N, dtype=np.int64)
    counted = np.zeros(N, dtype=bool)
    not_layoff = ~layoff[rep]
    in_s = in_svc if in_svc is not None else np.zeros(N, dtype=bool)
    day_e = pay_day[pos]
    # prior days of each chain's first spell occupy the last `prior` payable days before its
    # first day: [p0, ef); earnings-related ones beyond the maximum were labour-market subsidy: [q, ef)
    split = ((btype[hs] == ER) | (btype[hs] == BASIC)) & (prior[hs] > maxd)
    q = np.where(split, pidx[np.minimum(np.maximum(pstart + maxd, 0), len(pidx) - 1)], ef)
    PC = R.payable_cum
    for ci, cv in enumerate(cvals):
        billed_c, counts_services, cf = cv[:3].astype(bool), bool(cv[3]), int(cv[4])
        use = c_e == ci
        if not use.any():
            continue
        flag = billed_c[bt] & not_layoff & (day_e >= cf)
        if not counts_services:
            flag &= ~in_s
        cc = np.cumsum(flag, dtype=np.int64)
        before = np.concatenate([[0], cc])[chain_off]          # counted before each chain
        ce = max(cf - lo, 0)
        prior_c = (billed_c[btype[hs]] * (PC[q] - PC[np.clip(ce, p0, q)])
                   + billed_c[LMS] * (PC[ef] - PC[np.clip(ce, q, ef)]))
        prior_c *= ~layoff[hs]
        Dc = cc - (before - prior_c)[crep]
        D[use] = Dc[use]
        counted[use] = flag[use]
        del cc, Dc, flag
    w_s = R.share.shape[2]
    si = np.minimum(D, w_s - 1)
    si += (seg_e * (2 * w_s))
    si += np.where(bt == LMS, 0, w_s)
    share = R.share.ravel()[si]
    share *= counted
    del si

    return PaidDays(
        rep=rep, pos=pos, pay_days=pay_day, spell_index=sidx, spell_person=person,
        spell_municipality=muni, benefit=code, benefit_day=k,
        in_service=in_svc if in_svc is not None else np.zeros(N, dtype=bool),
        amount_eur=amount, billing_base_eur=base, counted=counted, count_day=D, share=share,
        municipal_eur=share * base)


# ---------------------------------------------------------------------------------------
# tables

def monthly_benefit_table(paid: PaidDays, cal: SimCalendar,
                          municipalities: Sequence[str]) -> pd.DataFrame:
    """Sum paid days into one row per month × municipality (see `BenefitResult.monthly`)."""
    edges = np.asarray(cal.month_starts, dtype=np.int64)
    n_m, n_k, n_t = len(edges), len(municipalities), len(LEDGER_TYPES)
    size = n_m * n_k
    if len(paid.spell_municipality) and int(paid.spell_municipality.max()) >= n_k:
        raise ValueError(f"a spell's municipality index is outside the {n_k} municipality names")
    # one bincount index: cell (month × municipality) × benefit × in_service × counted
    month_p = np.searchsorted(edges, paid.pay_days, side="right") - 1
    idx = (month_p * (n_k * n_t * 4))[paid.pos]
    idx += (paid.spell_municipality * (n_t * 4))[paid.rep]
    idx += paid.benefit * 4
    idx += paid.in_service * 2
    idx += paid.counted
    levels = n_t * 4
    days = np.bincount(idx, minlength=size * levels)[:size * levels].reshape(size, n_t, 2, 2)
    cost = np.bincount(idx, weights=paid.amount_eur, minlength=size * levels)[:size * levels]
    cost = cost.reshape(size, n_t, 4).sum(axis=2)
    muni = np.bincount(idx, weights=paid.municipal_eur, minlength=size * levels)[:size * levels]
    cols: dict[str, Any] = {
        "month": np.repeat(cal.month_labels, n_k),
        "municipality": np.tile(np.asarray(municipalities, dtype=object), n_m),
        "paid_days": days.sum(axis=(1, 2, 3)).astype(np.int64),
        "paid_days_in_services": days[:, :, 1, :].sum(axis=(1, 2)).astype(np.int64),
        "counted_days": days[:, :, :, 1].sum(axis=(1, 2)).astype(np.int64),
        "benefit_cost_eur": cost.sum(axis=1),
        "benefit_cost_municipal_eur": muni.reshape(size, levels).sum(axis=1),
    }
    for code, name in enumerate(LEDGER_TYPES):
        cols[f"benefit_cost_{name}_eur"] = cost[:, code]
    return pd.DataFrame(cols)


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


CHUNK_SPELLS = 20_000
"""Spells costed at a time by `benefit_costs` (whole persons per chunk): the day-level arrays
of one chunk are what a replication's costing holds in memory, however long the run."""


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
        Keep the day-level entries (``BenefitResult.paid``). Without it the spells are costed
        in chunks of whole persons (`chunk_spells` spells), so memory stays bounded by a
        chunk's paid days, not the run's; the table is the same (a person's count never
        crosses persons).

    Returns
    -------
    BenefitResult
    """
    if rules is None:
        rules = scenario.rules_obj()
    if municipalities is None:
        municipalities = list(scenario.region_obj().municipality_names)
    used = benefit_rules_used(rules, cal)
    sp = _as_array(spells, SPELL_FIELDS)
    sv = _as_array(services, SERVICE_FIELDS)
    if keep_days or len(sp) <= chunk_spells:
        paid = paid_days(sp, sv, scenario, cal, rules)
        return BenefitResult(monthly_benefit_table(paid, cal, municipalities),
                             paid if keep_days else None, used)
    person = sp[:, _S["person"]]
    order = np.argsort(person, kind="stable")
    sp, person = sp[order], person[order]
    sv = sv[np.argsort(sv[:, _V["person"]], kind="stable")] if len(sv) else sv
    sv_person = sv[:, _V["person"]] if len(sv) else np.zeros(0)
    table: pd.DataFrame | None = None
    a = 0
    while a < len(sp):
        b = min(a + chunk_spells, len(sp))
        if b < len(sp):                      # end the chunk at a person boundary
            b = int(np.searchsorted(person, person[b - 1], side="right"))
        lo_p, hi_p = person[a], person[b - 1]
        s0, s1 = np.searchsorted(sv_person, lo_p, "left"), np.searchsorted(sv_person, hi_p, "right")
        part = monthly_benefit_table(paid_days(sp[a:b], sv[s0:s1], scenario, cal, rules), cal,
                                     municipalities)
        if table is None:
            table = part
        else:
            num = table.columns[2:]
            table[num] = table[num].to_numpy() + part[num].to_numpy()
        a = b
    assert table is not None
    return BenefitResult(table, None, used)


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
