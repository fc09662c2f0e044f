"""Budget parameters of a scenario: the `[budget]` table.

The cost model (`simulation.money.budget`) reads staff figures and service capacities from the
scenario itself (``[staff]``, ``[services.*]``) — those are the levers the simulation
sees, so an adjustment made there shows its consequences in the model's tables. This
table holds what only the budget needs: the frame (the state-grant increase and the
transition funding), costs that do not act in the model (other expenses, the price of
the regional services bought from the Jyväskylä area, cost per person-year by role) and
how the cost is shared between municipalities. Units are in the key names; every default
lives in ``scenarios/base/area.toml`` with its source, not here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .checks import check_complete, check_names

STAFF_ROLES = ("customer_service", "specialists", "administration")
SHARING_KEYS = ("population_2022_12_31", "labour_force_2019", "unemployed_2019_mean",
                "use_of_services")
ROUNDING_RULES = ("exact", "rounded_percent", "rounded_percent_largest_remainder")
_YEAR = re.compile(r"^\d{4}$")


#: Any amount in euros: far above the area's budget (~EUR 10 M), finite (no Infinity in JSON).
MAX_EUR = 1e12


def _non_negative(v: dict[str, float]) -> dict[str, float]:
    """Every value of a keyed table must be 0..MAX_EUR (the key is named in the error)."""
    for k, x in v.items():
        if x < 0:
            raise ValueError(f"{k}: cannot be negative (got {x})")
        if x > MAX_EUR:
            raise ValueError(f"{k}: at most {MAX_EUR:g} (got {x})")
    return v


EurNonNegative = Annotated[float, Field(ge=0, le=MAX_EUR)]


class BenefitCompensationConfig(BaseModel):
    """The state's permanent compensation for the municipalities' larger benefit share.

    From 1.1.2025 the municipalities pay a share of all three unemployment benefits; the
    increase in that liability is compensated by a permanent annual state-grant addition,
    fixed on the 2023 level and allocated by formula (tem.fi/kuntien-rahoituslaskelmat;
    DOMAIN.md §5). A municipality's **net** benefit cost is its share (gross) minus this
    compensation. Amounts are EUR a year per municipality, in force from ``valid_from``
    (before it: none) until ``valid_to`` (inclusive; default open).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

    valid_from: date
    valid_to: date | None = None
    basis_year: int = Field(default=2023, ge=2000, le=2100)
    eur_per_year_by_municipality: dict[str, EurNonNegative]
    derived: bool = True
    """True: a stated derivation to replace with the municipality's own figure."""
    source: str = ""

    def eur_in_month(self, municipality: str, year: int, month: int) -> float:
        """Compensation of one calendar month (a twelfth of the year's amount) if in force."""
        first = date(year, month, 1)
        if first < date(self.valid_from.year, self.valid_from.month, 1):
            return 0.0
        if self.valid_to is not None and first > self.valid_to:
            return 0.0
        return self.eur_per_year_by_municipality.get(municipality, 0.0) / 12

    def eur_in_year(self, municipality: str, year: int) -> float:
        """Compensation of a calendar year (the months in force)."""
        return sum(self.eur_in_month(municipality, year, m) for m in range(1, 13))


class BudgetConfig(BaseModel):
    """The `[budget]` table of a scenario (see ``docs/budget.md``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)

    # -- the frame ------------------------------------------------------------------------
    frame_eur_per_year: float = Field(ge=0, le=MAX_EUR)
    """The state-grant increase of the area's municipalities, EUR a year (the 2025 level)."""
    frame_eur_by_year: dict[str, float] = Field(default_factory=dict)
    """Optional frame for given years ("2028" = ...), replacing `frame_eur_per_year`."""
    transition_funding_eur_by_year: dict[str, float] = Field(default_factory=dict)
    """Transition funding on top of the grant, EUR, by year ("2025" = ...)."""

    # -- costs that do not act in the model -------------------------------------------------
    other_expenses_eur_per_year: float = Field(ge=0, le=MAX_EUR)
    regional_services_cost_per_fte_eur: float | None = Field(default=None, ge=0, le=10_000_000)
    """Price of one htv-equivalent bought from the Jyväskylä area (default: staff.cost_per_fte_eur)."""
    cost_per_fte_eur_by_role: dict[str, float] = Field(default_factory=dict)
    """Optional cost per person-year by role (customer_service, specialists, administration)."""

    # -- cost sharing between municipalities ---------------------------------------------
    cost_sharing_key: Literal["population_2022_12_31", "labour_force_2019", "unemployed_2019_mean",
                              "use_of_services"] = "labour_force_2019"
    cost_sharing_rounding: Literal["exact", "rounded_percent",
                                   "rounded_percent_largest_remainder"] = "exact"
    cost_sharing_percent_decimals: int = Field(default=1, ge=0, le=6)
    use_of_services_by_municipality: dict[str, float] = Field(default_factory=dict)
    """Weights for ``cost_sharing_key = "use_of_services"`` (e.g. participant-months)."""

    # -- the municipalities' benefit compensation (net = municipal share - compensation) --
    benefit_compensation: BenefitCompensationConfig | None = None

    # -- how "closed" is judged ------------------------------------------------------------
    gap_tolerance_share_of_frame: float = Field(default=0.01, ge=0, le=1)

    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("frame_eur_by_year", "transition_funding_eur_by_year")
    @classmethod
    def _years(cls, v: dict[str, float]) -> dict[str, float]:
        for k in v:
            if not _YEAR.match(k):
                raise ValueError(f"key {k!r} is not a year (write \"2025\" = ...)")
        return _non_negative(v)

    @field_validator("cost_per_fte_eur_by_role")
    @classmethod
    def _roles(cls, v: dict[str, float]) -> dict[str, float]:
        for k in v:
            if k not in STAFF_ROLES:
                raise ValueError(f"unknown role {k!r}; known: {', '.join(STAFF_ROLES)}")
        return _non_negative(v)

    @field_validator("use_of_services_by_municipality")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        return _non_negative(v)

    def check_region(self, municipalities: tuple[str, ...]) -> None:
        """Weights only for the region's municipalities; a compensation for every one of them."""
        check_names(self.use_of_services_by_municipality, "use_of_services_by_municipality",
                    municipalities, "municipality")
        if self.benefit_compensation is not None:
            check_complete(self.benefit_compensation.eur_per_year_by_municipality,
                           "benefit_compensation.eur_per_year_by_municipality", municipalities,
                           "municipality")
