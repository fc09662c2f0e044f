"""Benefit cost forecast: caseload paths → unemployment-benefit cost and the municipal share.

The caseload forecast gives simulated paths of unemployed jobseekers per municipality
and month. Each path is turned into euros month by month with the rules in force in that
month (`simulation.scenario.rules`: the basic daily allowance, which benefits the municipality
pays a share of, the municipal-share step schedule) and a small set of explicit
assumptions (`CostAssumptions`: benefit mix, earnings-related daily amount, paid days a
month, how long recipients have been paid), then summed by calendar year. Means and
80 %/95 % intervals come from the paths, so a year's interval accounts for the months
moving together.

The assumptions are a scenario's, so the model and the forecast use one set of figures: the
benefit mix and the share with no benefit from its ``[benefits]`` table (what the model
draws each jobseeker's benefit from), the averages only a count needs from its
``[forecast_cost]`` table, each with its source in ``scenarios/base/area.toml``. Without a
scenario they are the baseline's (`BASELINE_SCENARIO`); no figure lives in this module.

For one month and ``N`` unemployed jobseekers::

    recipients      = N × benefit_recipient_share
    cost_eur        = recipients × paid_days_per_month ×
                      (earnings_related_share × earnings_related_eur_per_day
                       + (1 − earnings_related_share) × basic_allowance_eur_per_day)
    municipal_eur   = recipients × paid_days_per_month × basic_allowance_eur_per_day
                      × (share of recipients whose benefit the municipality co-pays)
                      × effective municipal share

The municipality pays its share of the basic component only (from 2025 for all three
benefits, earnings-related up to the basic amount; until 2024 of the labour-market
subsidy only). The *effective* share averages the step schedule over the recipients'
cumulative paid days, assumed exponentially distributed with the mean that makes
`long_term_share` of them paid for more than `long_term_threshold_paid_days`. This is a
stock-level approximation, stated as such in the output; the simulation model
(`simulation.model`) tracks paid days person by person.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..scenario.rules import Rules, RulesInForce

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario.config import Scenario

#: The scenario whose figures a forecast without a scenario uses (``tyosim forecast`` without
#: ``--scenario``): the repository's baseline, the same file ``tyosim run`` runs by default.
BASELINE_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"

_FROM_BASELINE: Any = None    # a figure not given: the baseline scenario's


@dataclass(frozen=True)
class CostAssumptions:
    """Assumptions that turn a count of unemployed jobseekers into benefit cost.

    The figures are a scenario's (`from_scenario`, `load_cost_assumptions`): the benefit mix
    and the share with no benefit from its ``[benefits]`` table — the figures the model draws
    each jobseeker's benefit from — and the averages only the forecast needs from its
    ``[forecast_cost]`` table, each with its source there (``scenarios/base/area.toml``).
    A figure not given (``CostAssumptions()``, ``CostAssumptions(long_term_share=0.5)``) is
    the baseline scenario's (`BASELINE_SCENARIO`). `sources` says where each figure came from.
    Legal amounts that change over time (basic allowance, municipal-share schedule) are *not*
    here: they come from the dated rules (`simulation/data/rules_fi.toml`, with the scenario's
    overrides) of the month being costed.
    """

    paid_days_per_month: float = _FROM_BASELINE
    earnings_related_eur_per_day: float = _FROM_BASELINE
    earnings_related_share: float = _FROM_BASELINE
    labour_market_subsidy_share: float = _FROM_BASELINE
    benefit_recipient_share: float = _FROM_BASELINE
    long_term_share: float = _FROM_BASELINE
    long_term_threshold_paid_days: float = _FROM_BASELINE
    sources: dict[str, str] = field(default_factory=dict)
    scenario: str = ""            # the scenario file the figures come from

    def __post_init__(self) -> None:
        unset = [f.name for f in fields(self)
                 if f.name in FIGURES and getattr(self, f.name) is None]
        if unset:
            base = baseline_cost_assumptions()
            for name in unset:
                object.__setattr__(self, name, getattr(base, name))
            given = {n: "given" for n in FIGURES if n not in unset and n not in self.sources}
            object.__setattr__(self, "sources", {**{n: base.sources[n] for n in unset}, **given,
                                                 **self.sources})
            if not self.scenario:
                object.__setattr__(self, "scenario", base.scenario)
        for name in (
            "earnings_related_share",
            "labour_market_subsidy_share",
            "benefit_recipient_share",
            "long_term_share",
        ):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} = {v} is outside 0–1")
        if self.earnings_related_share + self.labour_market_subsidy_share > 1.0 + 1e-9:
            raise ValueError("earnings_related_share + labour_market_subsidy_share exceeds 1")
        if self.paid_days_per_month <= 0 or self.long_term_threshold_paid_days <= 0:
            raise ValueError(
                "paid_days_per_month and long_term_threshold_paid_days must be positive"
            )

    @classmethod
    def from_scenario(cls, sc: Scenario) -> CostAssumptions:
        """The figures of a validated scenario: its ``[benefits]`` and ``[forecast_cost]`` tables.

        Raises
        ------
        InputError : the scenario has no ``[benefits]`` or no ``[forecast_cost]`` table.
        """
        where = sc.source_file or sc.name
        for key in ("benefits", "forecast_cost"):
            if getattr(sc, key) is None:
                raise InputError(where, key, f"the cost forecast needs a [{key}] table "
                                 "(scenarios/base/area.toml has one, with its sources)")
        b, f = sc.benefits, sc.forecast_cost
        assert b is not None and f is not None
        def src(key: str, note: str) -> str:
            return f"{key}: {note}"

        fs = f.sources
        return cls(
            paid_days_per_month=f.paid_days_per_month,
            earnings_related_eur_per_day=f.earnings_related_paid_eur_per_day,
            earnings_related_share=b.type_shares["earnings_related"],
            labour_market_subsidy_share=b.type_shares["labour_market_subsidy"],
            benefit_recipient_share=1.0 - b.no_benefit_share,
            long_term_share=f.long_term_share,
            long_term_threshold_paid_days=f.long_term_threshold_months * f.paid_days_per_month,
            sources={
                "paid_days_per_month": src("forecast_cost.paid_days_per_month",
                                           fs.get("paid_days_per_month", "")),
                "earnings_related_eur_per_day": src(
                    "forecast_cost.earnings_related_paid_eur_per_day",
                    fs.get("earnings_related_paid_eur_per_day", "")),
                "earnings_related_share": src("benefits.type_shares.earnings_related", b.source),
                "labour_market_subsidy_share": src("benefits.type_shares.labour_market_subsidy",
                                                   b.source),
                "benefit_recipient_share": "1 − benefits.no_benefit_share (as the model)",
                "long_term_share": src("forecast_cost.long_term_share",
                                       fs.get("long_term_share", "")),
                "long_term_threshold_paid_days": src(
                    "forecast_cost.long_term_threshold_months × paid_days_per_month",
                    fs.get("long_term_threshold_months", "")),
            },
            scenario=where,
        )

    @property
    def basic_allowance_share(self) -> float:
        return 1.0 - self.earnings_related_share - self.labour_market_subsidy_share

    @property
    def mean_paid_days(self) -> float:
        """Mean cumulative paid days of the exponential that matches `long_term_share`."""
        s = min(max(self.long_term_share, 1e-6), 1 - 1e-6)
        return self.long_term_threshold_paid_days / np.log(1.0 / s)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


#: The figures of `CostAssumptions` (the rest says where they came from).
FIGURES = (
    "paid_days_per_month", "earnings_related_eur_per_day", "earnings_related_share",
    "labour_market_subsidy_share", "benefit_recipient_share", "long_term_share",
    "long_term_threshold_paid_days",
)


@lru_cache(maxsize=1)
def baseline_cost_assumptions() -> CostAssumptions:
    """The baseline scenario's cost figures (`BASELINE_SCENARIO`), read once."""
    from ..scenario.config import load_scenario

    if not BASELINE_SCENARIO.is_file():
        raise InputError(str(BASELINE_SCENARIO), None,
                         "the baseline scenario holds the cost forecast's default figures and "
                         "is not found; give a scenario (--scenario)")
    return CostAssumptions.from_scenario(load_scenario(BASELINE_SCENARIO))


def load_cost_assumptions(scenario: str | Path | Scenario | None = None) -> CostAssumptions:
    """The cost figures of a scenario (a file or a loaded `Scenario`); None: the baseline's.

    Raises
    ------
    InputError : a scenario that does not load, or has no ``[benefits]`` / ``[forecast_cost]``.
    """
    if scenario is None:
        return baseline_cost_assumptions()
    if isinstance(scenario, (str, Path)):
        from ..scenario.config import load_scenario

        scenario = load_scenario(scenario)
    return CostAssumptions.from_scenario(scenario)


def effective_municipal_share(
    schedule: tuple[tuple[int, float], ...], mean_paid_days: float
) -> float:
    """Average municipal share over recipients whose paid days are exponential(mean).

    ``schedule`` is ``((from_day, share), ...)``; a recipient on paid day ``d`` is billed
    the share of the last step with ``from_day <= d``.
    """
    steps = sorted(schedule)
    total = 0.0
    for i, (from_day, share) in enumerate(steps):
        upper = steps[i + 1][0] if i + 1 < len(steps) else np.inf
        p = np.exp(-(from_day - 1) / mean_paid_days) - (
            0.0 if upper == np.inf else np.exp(-(upper - 1) / mean_paid_days)
        )
        total += share * p
    return float(total)


@dataclass(frozen=True)
class MonthRates:
    """EUR per unemployed jobseeker in one month (total and municipal), and what produced them."""

    month: pd.Period
    cost_eur_per_jobseeker: float
    municipal_eur_per_jobseeker: float
    basic_allowance_eur_per_day: float
    effective_municipal_share: float
    co_paid_share_of_recipients: float


def month_rates(month: pd.Period, rules_in_force: RulesInForce, a: CostAssumptions) -> MonthRates:
    """Cost per unemployed jobseeker in `month` under the rules in force then."""
    basic = rules_in_force.basic_allowance_eur_per_day
    per_day = (
        a.earnings_related_share * a.earnings_related_eur_per_day
        + (1.0 - a.earnings_related_share) * basic
    )
    covered = set(rules_in_force.municipal_share_benefits)
    co_paid = 0.0
    if "earnings_related" in covered:
        co_paid += a.earnings_related_share
    if "labour_market_subsidy" in covered or "general_benefit" in covered:
        co_paid += a.labour_market_subsidy_share
    if "basic_allowance" in covered or "general_benefit" in covered:
        co_paid += a.basic_allowance_share
    eff = effective_municipal_share(
        tuple(rules_in_force.municipal_share_schedule), a.mean_paid_days
    )
    days = a.paid_days_per_month * a.benefit_recipient_share
    return MonthRates(month, days * per_day, days * basic * co_paid * eff, basic, eff, co_paid)


def rates_for_months(months: pd.PeriodIndex, rules: Rules, a: CostAssumptions) -> list[MonthRates]:
    """`month_rates` for each month, with the rules in force on the 15th of the month."""
    return [month_rates(m, rules.on(date(m.year, m.month, 15)), a) for m in months]


def cost_table(
    paths: dict[tuple[str, str], np.ndarray],
    months: pd.PeriodIndex,
    rules: Rules,
    a: CostAssumptions,
) -> pd.DataFrame:
    """Benefit cost and municipal share by series and calendar year, with intervals.

    Parameters
    ----------
    paths : dict
        ``(level, series) → array (h, n_paths)`` of forecast unemployed jobseekers
        (reconciled, so hubs and the area are sums of their municipalities path by path).
    months : pandas.PeriodIndex
        The h forecast months.
    rules : Rules
        Dated rules (possibly with a scenario's overrides).
    a : CostAssumptions

    Returns
    -------
    pandas.DataFrame
        One row per series × year: ``series, level, year, months, jobseekers_mean,
        cost_eur, cost_eur_lo80, cost_eur_hi80, cost_eur_lo95, cost_eur_hi95,
        municipal_cost_eur`` (and its four interval columns),
        ``basic_allowance_eur_per_day``, ``effective_municipal_share``. A year only
        partly inside the horizon is marked by ``months`` < 12.
    """
    rates = rates_for_months(months, rules, a)
    total = np.array([r.cost_eur_per_jobseeker for r in rates])
    muni = np.array([r.municipal_eur_per_jobseeker for r in rates])
    years = np.array([m.year for m in months])
    rows = []
    for (level, name), p in paths.items():
        for yr in np.unique(years):
            sel = years == yr
            c = (p[sel] * total[sel, None]).sum(axis=0)
            mc = (p[sel] * muni[sel, None]).sum(axis=0)
            row = {
                "series": name,
                "level": level,
                "year": int(yr),
                "months": int(sel.sum()),
                "jobseekers_mean": float(p[sel].mean()),
            }
            for col, v in (("cost_eur", c), ("municipal_cost_eur", mc)):
                lo95, lo80, hi80, hi95 = np.quantile(v, [0.025, 0.10, 0.90, 0.975])
                row.update(
                    {
                        col: float(v.mean()),
                        f"{col}_lo80": float(lo80),
                        f"{col}_hi80": float(hi80),
                        f"{col}_lo95": float(lo95),
                        f"{col}_hi95": float(hi95),
                    }
                )
            rs = [r for r, s in zip(rates, sel, strict=False) if s]
            row["basic_allowance_eur_per_day"] = float(
                np.mean([r.basic_allowance_eur_per_day for r in rs])
            )
            row["effective_municipal_share"] = float(
                np.mean([r.effective_municipal_share for r in rs])
            )
            rows.append(row)
    return pd.DataFrame(rows)
