"""Benefit cost forecast: caseload paths → unemployment-benefit cost and the municipal share.

The caseload forecast gives simulated paths of unemployed jobseekers per municipality
and month. Each path is turned into euros month by month with the rules in force in that
month (`simulation.scenario.rules`: the basic daily allowance, which benefits the municipality
pays a share of, the municipal-share step schedule) and a small set of explicit
assumptions (`CostAssumptions`: benefit mix, earnings-related daily amount, paid days a
month, how long recipients have been paid), then summed by calendar year. Means and
80 %/95 % intervals come from the paths, so a year's interval accounts for the months
moving together.

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

from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from ..scenario.rules import Rules, RulesInForce

# Kela, benefit recipients at the end of 2024 (DOMAIN.md §6): 334,068 in all,
# 122,512 earnings-related allowance, 176,133 labour-market subsidy, the rest basic allowance.
_KELA_2024_RECIPIENTS = 334_068
_KELA_2024_EARNINGS_RELATED = 122_512
_KELA_2024_LABOUR_MARKET_SUBSIDY = 176_133


@dataclass(frozen=True)
class CostAssumptions:
    """Assumptions that turn a count of unemployed jobseekers into benefit cost.

    Every default states its source in `sources`. Legal amounts that change over time
    (basic allowance, municipal-share schedule) are *not* here: they come from the dated
    rules (`simulation/data/rules_fi.toml`) of the month being costed.
    """

    paid_days_per_month: float = 21.5
    earnings_related_eur_per_day: float = 80.0
    earnings_related_share: float = _KELA_2024_EARNINGS_RELATED / _KELA_2024_RECIPIENTS
    labour_market_subsidy_share: float = _KELA_2024_LABOUR_MARKET_SUBSIDY / _KELA_2024_RECIPIENTS
    benefit_recipient_share: float = 1.0
    long_term_share: float = 0.42
    long_term_threshold_paid_days: float = 258.0
    sources: dict[str, str] = field(
        default_factory=lambda: {
            "paid_days_per_month": "DOMAIN.md §5: paid 5 days a week, "
            "21.5 days a month on average (Kela)",
            "earnings_related_eur_per_day": "DOMAIN.md §5: average earnings-related "
            "allowance about €80/day",
            "earnings_related_share": "DOMAIN.md §6: Kela, end of 2024, "
            "122,512 of 334,068 recipients",
            "labour_market_subsidy_share": "DOMAIN.md §6: Kela, end of 2024, "
            "176,133 of 334,068 recipients",
            "benefit_recipient_share": "ASSUMPTION: every unemployed jobseeker is paid a benefit "
            "(Kela 2024: 334,068 recipients vs ~300,000 unemployed jobseekers, same order)",
            "long_term_share": "DOMAIN.md §6: 42 % of unemployed jobseekers long-term "
            "(≥ 12 months), whole country, Nov 2025 (TEM); used as the share paid > threshold days",
            "long_term_threshold_paid_days": "12 months × 21.5 paid days ≈ 258 paid days",
        }
    )

    def __post_init__(self) -> None:
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
