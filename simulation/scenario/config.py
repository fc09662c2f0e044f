"""Scenario files: load TOML, resolve `extends`, validate, freeze.

A scenario is a TOML file with units in its key names. ``extends = "other.toml"``
(relative to the file) takes another scenario as the base and overrides keys: tables
merge key by key, everything else (numbers, strings, arrays) is replaced. Validation
happens once, at load: an unknown key (with the nearest valid name), a wrong type, a
negative staff figure, a share outside 0–1, a mix that does not sum to 1, an unknown or
missing municipality or hub, dates out of order, an `extends` cycle, a missing file or a
TOML syntax error all raise `InputError` naming the file that set the key, the key path and
the reason. The result is a frozen `Scenario`; variants are new objects
(`scenario.with_overrides({...})`), never edits.

Each check sits beside the field it checks: a pydantic validator on the model that owns the
field (`checks` says how they report). Checks that need the region, the services or the
run's dates are methods of the owning model, called by `Scenario`'s own validator.

Longer than 400 lines because the scenario's schema: one pydantic sub-model per section, each
with its checks beside its fields.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..errors import InputError
from .budget_config import BudgetConfig
from .checks import (  # noqa: F401
    CHECK_ERROR,
    SHARE_SUM_TOLERANCE,
    check_complete,
    check_counts,
    check_month_factors,
    check_names,
    check_shares,
    fail,
    join,
    under,
)
from .region import DEFAULT_REGION, Region, load_region
from .rules import Rules, load_rules, parse_overrides

Share = Field(ge=0.0, le=1.0)
MEETING_TYPES = ("initial", "job_search", "supplementary")
CHANNELS = ("in_person", "service_point", "remote", "phone")
# Ranges that mean something for this area (a few thousand unemployed, tens of staff): far
# above any real value, low enough that no input can make a run exhaust memory or time.
MAX_FTE = 10_000.0                 # staff of one role or hub, person-years
MAX_EXTENDS_DEPTH = 32             # files in one `extends` chain
MAX_SEED = 2**63 - 1               # numpy SeedSequence entropy and Parquet int64 both hold it
MAX_REPLICATIONS = 10_000
MIN_YEARS = 1 / 12                 # one month: the tables are monthly
MAX_JOBSEEKERS = 2_000_000         # start stock + expected registrations over the horizon
MAX_COUNT = 1_000_000.0            # a municipality's monthly inflow or start stock, a service's places
MAX_MONTHS = 600.0                 # durations in months (50 years)
MAX_EUR = 1e12                     # any amount in euros
MAX_MEETING_MINUTES = 480.0        # one meeting, a working day at most
START_OVER_PLACES = 2.0            # start participants at most this × a service's places
MONTHS_PER_YEAR = 12


class _Strict(BaseModel):
    # strict: a boolean is not a number and a string is not a number or a date
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class RunConfig(_Strict):
    start_date: date
    years: float = Field(ge=MIN_YEARS, le=30)
    replications: int = Field(default=10, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(default=12345, ge=0, le=MAX_SEED)


class StaffConfig(_Strict):
    allocation_rule: str = "proportional_to_unemployed_2019_mean"
    customer_service_fte_total: float | None = Field(default=None, ge=0, le=MAX_FTE)
    customer_service_fte_by_hub: dict[str, float] | None = None   # each 0..MAX_FTE, every hub
    specialists_fte: float | None = Field(default=None, ge=0, le=MAX_FTE)
    administration_fte: float | None = Field(default=None, ge=0, le=MAX_FTE)
    regional_services_fte: float | None = Field(default=None, ge=0, le=MAX_FTE)
    working_hours_per_day: float = Field(gt=0, le=24)
    absence_share: float = Share
    # Absence by calendar month, as multipliers of absence_share that average 1 (annual leave
    # bunches in the summer). None: the same absence every month.
    absence_month_factors: list[float] | None = Field(default=None, min_length=12, max_length=12)
    customer_meeting_time_share: float = Share
    cost_per_fte_eur: float = Field(ge=0, le=10_000_000)

    @field_validator("customer_service_fte_by_hub")
    @classmethod
    def _hub_fte_in_range(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        for hub, fte in (v or {}).items():
            if fte < 0:
                fail(hub, f"staff cannot be negative (got {fte})")
            if fte > MAX_FTE:
                fail(hub, f"at most {MAX_FTE:g} FTE (got {fte})")
        return v

    @field_validator("absence_month_factors")
    @classmethod
    def _absence_factors(cls, v: list[float] | None) -> list[float] | None:
        if v is not None:
            check_month_factors(v, "absence")
        return v

    @model_validator(mode="after")
    def _absence_at_most_1(self) -> StaffConfig:
        factors = self.absence_month_factors
        if factors is not None and max(factors) * self.absence_share > 1:
            worst = max(factors) * self.absence_share
            fail("absence_month_factors",
                 f"absence_share {self.absence_share} × the largest factor {max(factors)} = {worst:.3f}: "
                 "absence cannot exceed 1; lower absence_share or the factors")
        return self

    def by_hub(self, region: Region) -> dict[str, float]:
        """Customer-service FTE per hub: explicit figures, or the total split by the rule."""
        if self.customer_service_fte_by_hub is not None:
            return dict(self.customer_service_fte_by_hub)
        total = self.customer_service_fte_total
        if total is None:
            total = region.staff_fte["customer_service"]
        return region.split_by_rule(total, self.allocation_rule)

    def check_region(self, region: Region) -> None:
        """Staff figures for exactly the region's hubs (each hub named if missing), or a rule it knows."""
        if self.customer_service_fte_by_hub is not None:   # every hub needs its staff figure
            check_complete(self.customer_service_fte_by_hub, "customer_service_fte_by_hub",
                           region.hub_names, "hub")
        try:
            self.by_hub(region)
        except InputError as e:
            fail("allocation_rule", e.reason)


class BackupConfig(_Strict):
    enabled: bool = True
    max_share_of_main_hub_capacity: float = Share


class OfficeConfig(_Strict):
    """How hub offices hold meetings.

    ``appointment_book`` (the model): daily meeting minutes on working days, earliest
    deadline first. ``servers``: c officers per hub in continuous time, with no calendar
    (c = staff FTE × presence × meeting share, rounded) — the reduction to an M/M/c
    queue that the validation tests compare with Erlang C. ``servers`` uses the yearly
    mean absence and each customer's own hub (no absence by month, no any-hub customers).
    """

    model: Literal["appointment_book", "servers"] = "appointment_book"


class MeetingsConfig(_Strict):
    duration_minutes: dict[str, dict[str, float]]
    duration_distribution: Literal["fixed", "lognormal", "exponential"] = "lognormal"
    duration_cv: float = Field(default=0.3, ge=0, le=10)
    channel_shares: dict[str, dict[str, float]]
    later_channel_shares: dict[str, float] | None = None
    later_channel_shares_from_month: int = Field(default=3, ge=0, le=600)
    service_point_visit_weekdays: list[int] = Field(default_factory=lambda: [1])
    booking_window_working_days: int = Field(default=5, ge=0, le=250)
    supplementary_purchased_share: float = Share
    supplementary_needs_share: float = Share
    # when supplementary interviews are by need (from 2026), how many a jobseeker who needs
    # them has between two regular job-search interviews, evenly spaced
    needs_based_supplementary_per_interval: int = Field(default=1, ge=0, le=6)
    # from 2026 the rhythm is a grid from the initial interview: after a late interview, the
    # next grid point closer than this share of the interval is passed over (the late one
    # stands for it)
    grid_skip_within_interval_share: float = Field(default=0.5, ge=0, le=1)
    # the job-search profile the authority makes from 1.9.2026 (HE 108/2025) for a jobseeker
    # who has not made it: the share of new jobseekers who do not, and the officer's minutes
    job_search_profile_by_authority_share: float = Field(default=0.0, ge=0, le=1)
    job_search_profile_minutes: float = Field(default=0.0, ge=0, le=480)
    job_search_profile_deadline_days: float = Field(default=14.0, ge=0, le=365)
    # share of jobseekers who take their in-person meetings at whichever hub office can see
    # them first ("a customer may use any service point in the area"); 0: own hub only
    any_hub_share: float = Field(default=0.0, ge=0, le=1)

    @field_validator("service_point_visit_weekdays")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        for i, wd in enumerate(v):
            if not 0 <= wd <= 4:
                fail(f"[{i}]", f"weekday {wd} must be 0 (Mon) – 4 (Fri)")
        return v

    @model_validator(mode="after")
    def _types_channels_and_mixes(self) -> MeetingsConfig:
        """Meeting types and channels known, durations 0–480 minutes, every mix summing to 1,
        and a duration for every channel a mix uses."""
        check_complete(self.duration_minutes, "duration_minutes", MEETING_TYPES, "meeting type")
        check_complete(self.channel_shares, "channel_shares", MEETING_TYPES, "meeting type")
        for mt, by_ch in self.duration_minutes.items():
            check_names(by_ch, f"duration_minutes.{mt}", CHANNELS, "channel")
            for ch, v in by_ch.items():
                if not 0 < v <= MAX_MEETING_MINUTES:
                    fail(f"duration_minutes.{mt}.{ch}", f"must be 0–{MAX_MEETING_MINUTES:g} minutes (got {v})")

        def needs_duration(mt: str) -> Any:
            def check(ch: str, share: float) -> None:
                if share > 0 and ch not in self.duration_minutes.get(mt, {}):
                    fail(f"duration_minutes.{mt}.{ch}", "missing duration for a channel in use")
            return check

        mixes = {f"channel_shares.{mt}": (by_ch, mt) for mt, by_ch in self.channel_shares.items()}
        if self.later_channel_shares is not None:   # job-search interviews after the first months
            for ch, v in self.later_channel_shares.items():
                if ch in CHANNELS:
                    needs_duration("job_search")(ch, v)
            mixes["later_channel_shares"] = (self.later_channel_shares, "job_search")
        for key, (by_ch, mt) in mixes.items():
            check_shares(by_ch, key, CHANNELS, "channel", needs_duration(mt))
        return self


class InflowForecastConfig(_Strict):
    """New registrations set so that the expected stock follows a caseload forecast.

    `paths_file` holds sample paths of the municipal stock (``tyosim forecast`` writes
    ``paths.parquet``; ``tyosim calibrate --forecast`` writes it beside the scenario), its
    first month the run's first. ``median``: every replication follows the median path;
    ``paths``: replication r follows sample path r, so a run's interval carries the forecast's
    uncertainty as well as the simulation's (the summary splits it).
    """

    paths_file: str
    mode: Literal["median", "paths"] = "median"
    source: str = ""

    def check_covers(self, municipalities: list[str], months: list[str]) -> None:
        """InputError (naming the paths file) unless it has paths for every municipality and month."""
        from .forecast_paths import check_covers
        check_covers(self.paths_file, municipalities, months)


class InflowConfig(_Strict):
    per_month_by_municipality: dict[str, float]
    seasonal_factors: list[float] = Field(min_length=12, max_length=12)
    scale: float = Field(default=1.0, ge=0, le=100)   # the volume is bounded too (MAX_JOBSEEKERS)
    trend_per_year: float = Field(default=0.0, gt=-1, le=10)
    # an outlook as a monthly index: each month's inflow × the value of the latest listed
    # month at or before it ("YYYY-MM" = factor); months before the first listed: 1
    index_by_month: dict[str, float] = Field(default_factory=dict)
    # new registrations from a caseload forecast instead of the level x season x scale above
    forecast: InflowForecastConfig | None = None
    layoff_share: float = Share
    reentry_probability: float = Share
    reentry_mean_months: float = Field(gt=0, le=MAX_MONTHS)

    @field_validator("per_month_by_municipality")
    @classmethod
    def _counts(cls, v: dict[str, float]) -> dict[str, float]:
        check_counts(v, MAX_COUNT)
        return v

    @field_validator("seasonal_factors")
    @classmethod
    def _seasonal(cls, v: list[float]) -> list[float]:
        check_month_factors(v, "seasonal")
        return v

    @field_validator("index_by_month")
    @classmethod
    def _index_months(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", k):
                raise ValueError(f"month {k!r}: expected YYYY-MM")
            if not 0 <= x <= 100:
                raise ValueError(f"{k}: index {x} outside 0–100")
        return dict(sorted(v.items()))

    def check_region(self, municipalities: tuple[str, ...]) -> None:
        """An inflow for exactly the region's municipalities."""
        check_complete(self.per_month_by_municipality, "per_month_by_municipality", municipalities,
                       "municipality")

    def expected_registrations(self, years: float) -> float:
        """New registrations over `years` at the highest index and the trend's end: a bound."""
        peak = max([1.0, *self.index_by_month.values()])
        growth = (1 + self.trend_per_year) ** years if self.trend_per_year > 0 else 1.0
        return sum(self.per_month_by_municipality.values()) * self.scale * peak * growth * 12 * years


class ExitsConfig(_Strict):
    short_group_share: float = Share
    short_group_mean_months: float = Field(gt=0, le=MAX_MONTHS)
    long_group_mean_months: float = Field(gt=0, le=MAX_MONTHS)
    seasonal_factors: list[float] = Field(min_length=12, max_length=12)
    layoff_mean_months: float = Field(gt=0, le=MAX_MONTHS)
    employment_share_short_group: float = Share
    employment_share_long_group: float = Share
    employment_share_layoff: float = Share
    # Multiplier on the short and long groups' exit hazards (their mean durations are divided
    # by it). 1 = the hazards as calibrated on 2016–2018, when services were not modelled
    # apart: those hazards already hold the exits that services brought about. A scenario that
    # models services explicitly sets it below 1 (calibration/net_of_services.py) so that
    # those exits are not counted twice.
    hazard_multiplier: float = Field(default=1.0, gt=0, le=100)

    @field_validator("seasonal_factors")
    @classmethod
    def _seasonal(cls, v: list[float]) -> list[float]:
        check_month_factors(v, "seasonal")
        return v


BENEFIT_TYPES = ("earnings_related", "basic_allowance", "labour_market_subsidy")


class BenefitsConfig(_Strict):
    """Who receives which unemployment benefit, and the average earnings-related amount.

    Amounts of the basic allowance / labour-market subsidy, the earnings-related
    step-downs, maximum days and the municipal-share schedule are dated rules
    (`simulation/data/rules_fi.toml`), not scenario values. The caseload forecast's cost
    (`simulation.forecast.cost`) reads the same shares, with `ForecastCostConfig`.
    """

    type_shares: dict[str, float]
    no_benefit_share: float = Share
    earnings_related_full_eur_per_day: float = Field(ge=0, le=1000)
    # share of earnings-related benefit periods with a work history of 3 years or less
    # (their maximum is the shorter one, rule earnings_related_max_days_short_history)
    short_work_history_share: float = Field(default=0.0, ge=0, le=1)
    source: str = ""

    @field_validator("type_shares")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        check_complete(v, "", BENEFIT_TYPES, "benefit type")
        check_shares(v, "", BENEFIT_TYPES, "benefit type")
        return v


class ForecastCostConfig(_Strict):
    """What the caseload forecast needs to cost a count of unemployed jobseekers
    (`simulation.forecast.cost`), beyond the benefit mix of `BenefitsConfig`.

    The model follows each person's paid days, step-downs and municipal-share steps; the
    forecast has only a count of jobseekers a month, so it needs averages: the
    earnings-related allowance as paid (after step-downs), paid days a month, and how many
    recipients have been paid long enough for the municipal share (long-term unemployed,
    ≥ `long_term_threshold_months`). Defaults with their sources: ``scenarios/base/area.toml``.
    """

    earnings_related_paid_eur_per_day: float = Field(gt=0, le=1000)
    paid_days_per_month: float = Field(gt=0, le=31)
    long_term_share: float = Share
    long_term_threshold_months: float = Field(gt=0, le=MAX_MONTHS)
    sources: dict[str, str] = Field(default_factory=dict)


CAPACITY_KEYS = ("places", "budget_eur_per_year", "target_share_of_broad_unemployment")


class ServiceConfig(_Strict):
    """One employment service (DOMAIN.md §4): who is referred, for how long, at what cost, with what effect.

    Capacity is given as places (participants at a time), as a purchase budget per year,
    or as a target share of broad unemployment (unemployed + participants in services) —
    at most one of them (`capacity`); referral stops when the capacity is reached, and a
    target the places cannot meet is reported as a shortfall in the `services` table, never
    capped silently.
    """

    label_fi: str = ""
    kind: str = ""                                   # grouping, e.g. "wage_subsidy"
    referral_probability: float = Share              # at a job-search interview of an eligible jobseeker
    eligible_from_months: float = Field(default=0.0, ge=0, le=MAX_MONTHS)
    eligible_groups: list[Literal["layoff", "short", "long"]] = Field(default_factory=lambda: ["short", "long"])
    duration_mean_months: float = Field(gt=0, le=MAX_MONTHS)
    duration_max_months: float | None = Field(default=None, gt=0, le=MAX_MONTHS)
    places: float | None = Field(default=None, ge=0, le=MAX_COUNT)
    budget_eur_per_year: float | None = Field(default=None, ge=0, le=MAX_EUR)
    target_share_of_broad_unemployment: float | None = Field(default=None, ge=0, le=1)
    unit_cost_eur_per_month: float = Field(ge=0, le=1_000_000)
    lock_in_exit_multiplier: float = Field(ge=0, le=100)     # exit hazard multiplier while in the service
    employment_at_end_share: float = Share            # leave straight to work when the service ends
    post_exit_multiplier: float = Field(default=1.0, ge=0, le=100)
    post_effect_months: float = Field(default=0.0, ge=0, le=MAX_MONTHS)
    benefit_paid_during: bool = True                  # unemployment benefit continues during the service
    # Who pays the service (DOMAIN.md §5, "What is not the employment area's money"): the
    # budget's cost lines and the frame gap count only "area"; the others are memo lines.
    payer: Literal["area", "wellbeing_county", "outside_frame"] = "area"
    outside_frame_share: float = Field(default=0.0, ge=0, le=1)  # of an "area" service's cost, funded outside the frame
    source: str = ""

    @model_validator(mode="after")
    def _one_capacity_and_durations_in_order(self) -> ServiceConfig:
        given = [k for k in CAPACITY_KEYS if getattr(self, k) is not None]
        if len(given) > 1:
            fail("", "give one capacity (places, budget_eur_per_year or target_share_of_broad_unemployment), "
                 f"got {given}")
        if self.duration_max_months is not None and self.duration_max_months < self.duration_mean_months:
            fail("duration_max_months", "is below duration_mean_months")
        if self.budget_eur_per_year is not None and self.unit_cost_eur_per_month <= 0:
            fail("unit_cost_eur_per_month", "a budget needs a positive unit cost")
        return self

    @property
    def capacity_key(self) -> str | None:
        """The key that gives the capacity (one of `CAPACITY_KEYS`), or None: no limit."""
        return next((k for k in CAPACITY_KEYS if getattr(self, k) is not None), None)

    def capacity_terms(self) -> tuple[float, float]:
        """The capacity as ``(places, share)``: participants allowed = places + share × broad
        unemployment (`capacity`). For a hot path that knows broad unemployment only later."""
        if self.places is not None:
            return float(self.places), 0.0
        if self.budget_eur_per_year is not None:   # the average places a yearly budget buys
            return self.budget_eur_per_year / MONTHS_PER_YEAR / self.unit_cost_eur_per_month, 0.0
        if self.target_share_of_broad_unemployment is not None:
            return 0.0, float(self.target_share_of_broad_unemployment)
        return math.inf, 0.0

    def capacity(self, broad_unemployment: float | None = None) -> float:
        """Participants the service may have at a time — the one definition of capacity.

        ``places``; or ``budget_eur_per_year / 12 / unit_cost_eur_per_month`` (the average
        places the yearly purchase budget buys); or ``target_share_of_broad_unemployment ×
        broad_unemployment`` (unemployed + participants in services, needed only then);
        ``inf`` when the scenario gives no capacity. Validation allows at most one of them.
        """
        places, share = self.capacity_terms()
        if share == 0.0:
            return places
        if broad_unemployment is None:
            raise ValueError("a target share of broad unemployment needs broad_unemployment")
        return places + share * broad_unemployment


class StartStateConfig(_Strict):
    stock_by_municipality: dict[str, float]
    layoff_share: float = Share
    # share of the start stock unemployed 12 months or more (default: the stationary share of
    # the calibrated hazards); the short/long mix of the start stock is set to give it
    long_term_share: float | None = Field(default=None, ge=0, le=1)
    # participants in each service at the start (default: the service's capacity then)
    service_participants: dict[str, float] | None = None
    source: str = ""

    @field_validator("stock_by_municipality")
    @classmethod
    def _counts(cls, v: dict[str, float]) -> dict[str, float]:
        check_counts(v, MAX_COUNT)
        return v

    @field_validator("service_participants")
    @classmethod
    def _participants(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        for name, n in (v or {}).items():
            if not 0 <= n <= MAX_COUNT:
                fail(name, f"must be 0–{MAX_COUNT:g} (got {n})")
        return v

    def check_region(self, municipalities: tuple[str, ...]) -> None:
        """A start stock for exactly the region's municipalities."""
        check_complete(self.stock_by_municipality, "stock_by_municipality", municipalities, "municipality")

    def check_services(self, services: Mapping[str, ServiceConfig]) -> None:
        """Start participants only in defined services, at most `START_OVER_PLACES` × their places."""
        for name, n in (self.service_participants or {}).items():
            key = f"service_participants.{name}"
            if name not in services:
                fail(key, "service not defined under [services]")
            # places may be cut from the start level (baseline: 110 -> 90), and the excess then
            # finishes its spells; a start above twice the places is no cut but a wrong figure
            places = services[name].places
            if places is not None and n > START_OVER_PLACES * places:
                fail(key, f"{n:g} participants at the start, more than {START_OVER_PLACES:g} × the "
                          f"service's {places:g} places")


def _known(name: str, key: str, known: tuple[str, ...], what: str) -> None:
    """`name` is one of `known`; else the error at `key` names the nearest."""
    if name not in known:
        hint = difflib.get_close_matches(name, list(known), n=1)
        fail(key, f"unknown {what} {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
             + f" ({what}s: {', '.join(known)})")


class ExtraServicePlacesConfig(_Strict):
    """Places of a service bought for a structural change, from a date (to a date).

    The places are added to the service's capacity on `from_date` and taken off after
    `to_date`; they are not reserved for the dismissed (the model's services are the area's,
    not a municipality's): any eligible jobseeker may be referred to them.
    """

    service: str
    extra_places: float = Field(gt=0, le=MAX_COUNT)    # participants at a time
    from_date: date
    to_date: date | None = None                       # last day; None: to the run's end
    source: str = ""

    @model_validator(mode="after")
    def _dates_in_order(self) -> ExtraServicePlacesConfig:
        if self.to_date is not None and self.to_date < self.from_date:
            fail("to_date", f"{self.to_date} is before from_date {self.from_date}")
        return self


class StaffConcentrationConfig(_Strict):
    """Customer-service staff concentrated to the affected municipality's hub for a while.

    `extra_customer_service_fte` person-years work at the hub from `from_date` to `to_date`
    (inclusive); with `moved_from_hub` they are taken from that hub over the same days
    (a move inside the area), otherwise they come from outside the hubs' staff (the
    province's structural-change team, specialists, the Jyväskylä area) and are not costed.
    """

    extra_customer_service_fte: float = Field(gt=0, le=MAX_FTE)
    from_date: date
    to_date: date
    moved_from_hub: str | None = None
    source: str = ""

    @model_validator(mode="after")
    def _dates_in_order(self) -> StaffConcentrationConfig:
        if self.to_date < self.from_date:
            fail("to_date", f"{self.to_date} is before from_date {self.from_date}")
        return self


class StructuralChangeConfig(_Strict):
    """A sudden structural change (plan §6): a plant closure or mass dismissal in one
    municipality, and the area's response (`docs/structural_change.md`).

    On `dismissal_date` the employer gives notice to `dismissed_people`; of them
    `registering_share` become unemployed jobseekers (the rest move inside the company,
    retire or find work during the notice). They register when their employment ends:
    spread evenly over the last `registration_spread_months` of the notice period (0: all on
    its last day). `change_security_share` of those registering are in change security
    (muutosturva): their employment plan (the initial interview) is made during the notice
    period, and `referral_share` of them start `referral_service` on their first day of
    unemployment if it has room.
    """

    label: str = ""
    municipality: str
    dismissal_date: date                              # notices given; the notice period runs from it
    dismissed_people: int = Field(ge=0, le=int(MAX_COUNT))
    registering_share: float = Field(default=1.0, ge=0, le=1)
    notice_period_months: float = Field(ge=0, le=24)
    registration_spread_months: float = Field(default=0.0, ge=0, le=24)
    earnings_related_share: float = Share             # the rest: basic allowance
    long_group_share: float = Share                   # spells on the long group's hazard; rest short
    change_security_share: float = Share
    referral_service: str | None = None
    referral_share: float = Field(default=0.0, ge=0, le=1)
    extra_services: list[ExtraServicePlacesConfig] = Field(default_factory=list)
    staff_concentration: StaffConcentrationConfig | None = None
    source: str = ""

    @field_validator("dismissed_people", mode="before")
    @classmethod
    def _not_negative(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
            fail("", f"cannot be negative (got {v})")
        return v

    @model_validator(mode="after")
    def _spread_within_notice(self) -> StructuralChangeConfig:
        if self.registration_spread_months > self.notice_period_months:
            fail("registration_spread_months",
                 f"{self.registration_spread_months:g} months is longer than the notice period "
                 f"({self.notice_period_months:g} months)")
        if self.referral_share > 0 and self.referral_service is None:
            fail("referral_service", "referral_share > 0 needs the service to refer to")
        return self

    def registering(self) -> int:
        """People who register as unemployed jobseekers (rounded)."""
        return int(round(self.dismissed_people * self.registering_share))

    def check(self, region: Region, services: Mapping[str, ServiceConfig], start: date,
              end: date, office_model: str) -> None:
        """The municipality and hubs in the region, the date inside the run, the services
        defined with a capacity that places can be added to."""
        _known(self.municipality, "municipality", region.municipality_names, "municipality")
        if not start <= self.dismissal_date < end:
            fail("dismissal_date", f"{self.dismissal_date} is outside the run ({start} – {end})")

        def known_service(name: str, key: str) -> ServiceConfig:
            if name not in services:
                hint = difflib.get_close_matches(name, list(services), n=1)
                fail(key, f"service {name!r} is not defined under [services]"
                     + (f"; did you mean {hint[0]!r}?" if hint else ""))
            return services[name]
        if self.referral_service is not None:
            known_service(self.referral_service, "referral_service")
        for i, x in enumerate(self.extra_services):
            c = known_service(x.service, f"extra_services[{i}].service")
            if c.capacity_key is None:
                fail(f"extra_services[{i}].service",
                     f"service {x.service!r} has no capacity (no limit) to add places to")
        s = self.staff_concentration
        if s is not None:
            if office_model != "appointment_book":
                fail("staff_concentration", "needs office.model = \"appointment_book\"")
            hub = region.hub_of(self.municipality)
            if s.moved_from_hub is not None:
                _known(s.moved_from_hub, "staff_concentration.moved_from_hub", region.hub_names,
                       "hub")
                if s.moved_from_hub == hub:
                    fail("staff_concentration.moved_from_hub",
                         f"is the affected municipality's own hub ({hub})")


class Scenario(_Strict):
    """A validated, resolved scenario. Build it with `load_scenario`."""

    name: str = Field(min_length=1, max_length=200)   # a label; its folder is `experiment.folder_key`
    description: str = ""
    description_fi: str = ""          # the description in Finnish, shown by reports in fi
    region: str = DEFAULT_REGION
    run: RunConfig
    staff: StaffConfig
    backup: BackupConfig = BackupConfig(max_share_of_main_hub_capacity=0.0, enabled=False)
    office: OfficeConfig = OfficeConfig()
    meetings: MeetingsConfig
    inflow: InflowConfig
    exits: ExitsConfig
    start_state: StartStateConfig
    benefits: BenefitsConfig | None = None
    forecast_cost: ForecastCostConfig | None = None
    budget: BudgetConfig | None = None
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    service_order: list[str] = Field(default_factory=list)
    # plant closures and mass dismissals, with the area's response (plan §6)
    structural_change: list[StructuralChangeConfig] = Field(default_factory=list)
    rules: dict[str, Any] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)
    source_file: str = Field(default="", exclude=True)
    extends_chain: tuple[str, ...] = Field(default=(), exclude=True)

    @field_validator("rules", mode="before")
    @classmethod
    def _rule_dates_from_json(cls, v: Any, info: ValidationInfo) -> Any:
        """A resolved scenario read back from JSON (a run's manifest) has its rule overrides'
        dates as text: read them as the dates they were (TOML files keep needing dates)."""
        if info.mode != "json" or not isinstance(v, dict):
            return v

        def period(p: Any) -> Any:
            if not isinstance(p, dict):
                return p
            return {k: (date.fromisoformat(x) if k in ("valid_from", "valid_to") and isinstance(x, str)
                        and re.fullmatch(r"\d{4}-\d{2}-\d{2}", x) else x) for k, x in p.items()}
        return {name: [period(p) for p in ps] if isinstance(ps, list) else period(ps)
                for name, ps in v.items()}

    # -- checks across sections (each part a method of the model that owns the field) ------
    @model_validator(mode="after")
    def _check_across_sections(self, info: ValidationInfo) -> Scenario:
        """The region's names, the services named elsewhere, the run's volume and rules.

        The forecast paths file is read only when the context asks (``check_files``):
        `load_scenario` does; a scenario read back from a results folder does not.
        """
        try:
            region = self.region_obj()
        except InputError as e:
            if e.file:            # a broken region file: the error names that file
                raise
            fail("region", e.reason)
        munis = region.municipality_names
        with under("staff"):
            self.staff.check_region(region)
        with under("inflow"):
            self.inflow.check_region(munis)
        if self.inflow.forecast is not None and (info.context or {}).get("check_files"):
            from .calendar import SimCalendar  # the paths must cover the run (before anything runs)
            months = list(SimCalendar.for_years(self.run.start_date, self.run.years).month_labels)
            self.inflow.forecast.check_covers(list(munis), months)
        with under("start_state"):
            self.start_state.check_region(munis)
        # the volume a run must hold in memory: start stock + expected registrations
        persons = (sum(self.start_state.stock_by_municipality.values())
                   + self.inflow.expected_registrations(self.run.years)
                   + sum(e.registering() for e in self.structural_change))
        if persons > MAX_JOBSEEKERS:
            fail("inflow.scale", f"start stock + inflow × scale over {self.run.years:g} years ≈ {persons:,.0f} "
                                 f"jobseekers, more than the {MAX_JOBSEEKERS:,} one run can hold; "
                                 "lower inflow.scale, the inflow or run.years")
        if self.budget is not None:
            with under("budget"):
                self.budget.check_region(munis)
        with under("start_state"):
            self.start_state.check_services(self.services)
        self._check_services()
        self._check_rules()
        if self.structural_change:
            from .calendar import SimCalendar
            end = SimCalendar.for_years(self.run.start_date, self.run.years).end
            for i, event in enumerate(self.structural_change):
                with under(f"structural_change[{i}]"):
                    event.check(region, self.services, self.run.start_date, end, self.office.model)
        return self

    def _check_services(self) -> None:
        """Target shares that can all be met together; `service_order` names defined services."""
        targets = {n: s.target_share_of_broad_unemployment for n, s in self.services.items()
                   if s.target_share_of_broad_unemployment is not None}
        if sum(targets.values()) > 1 + SHARE_SUM_TOLERANCE:
            fail(f"services.{max(targets, key=targets.__getitem__)}.target_share_of_broad_unemployment",
                 f"target shares of broad unemployment sum to {sum(targets.values()):.4g} over the services "
                 f"({', '.join(targets)}); they can sum to at most 1")
        for name in self.service_order:
            if name not in self.services:
                hint = difflib.get_close_matches(name, list(self.services), n=1)
                fail("service_order", f"service {name!r} is referred to but not defined under [services]"
                     + (f"; did you mean {hint[0]!r}?" if hint else ""))

    def _check_rules(self) -> None:
        """Rule overrides parse, do not end before the run starts, and rules are in force then."""
        try:
            overrides = parse_overrides(self.rules, self.source_file)
        except InputError as e:
            fail(e.key or "rules", e.reason)
        start = self.run.start_date
        for name, periods in overrides.items():
            for i, p in enumerate(periods):
                if p.valid_to is not None and p.valid_to <= start:
                    fail(f"rules.{name}[{i}].valid_to", f"override ends ({p.valid_to}) before the run starts ({start})")
        try:
            load_rules(overrides).on(start)
        except InputError as e:
            fail("run.start_date", f"no rules in force on {start}: {e.reason}")

    # -- derived views ----------------------------------------------------------------
    def region_obj(self) -> Region:
        return load_region(self.region)

    def rules_obj(self) -> Rules:
        return load_rules(parse_overrides(self.rules, self.source_file))

    def staff_by_hub(self) -> dict[str, float]:
        """Customer-service FTE per hub: explicit figures, or the total split by the rule."""
        return self.staff.by_hub(self.region_obj())

    def resolved_dict(self) -> dict[str, Any]:
        """Plain data of the resolved scenario (for manifests and `validate --show`)."""
        return self.model_dump(mode="json")

    def with_overrides(self, overrides: Mapping[str, Any], name: str | None = None) -> Scenario:
        """A new, validated scenario with nested `overrides` merged in."""
        data = deep_merge(self.model_dump(mode="python"), dict(overrides))[0]
        if name:
            data["name"] = name
        return _validate(data, {}, self.source_file or "<scenario>", self.extends_chain)

    def with_staff(self, hub: str, add_fte: float | None = None, fte: float | None = None,
                   name: str | None = None) -> Scenario:
        """A new scenario with one hub's customer-service staff changed, the others kept.

        Every hub's figure is written out (`staff_by_hub`, whether the scenario gives them
        or splits a total by its rule), so the others stay as they were; only `hub` changes.

        Parameters
        ----------
        hub : a hub of the scenario's region (e.g. ``"Laukaa"``).
        add_fte : FTE to add (negative to remove); or
        fte : the hub's new FTE.
        name : the new scenario's name (default e.g. ``"baseline_Laukaa_plus_2fte"``, so it
            can run in a batch beside the original).

        Raises
        ------
        InputError : an unknown hub (with the nearest name), neither or both of
            `add_fte` and `fte`, or a negative result.
        """
        file, key = self.source_file or "<scenario>", f"staff.customer_service_fte_by_hub.{hub}"
        if (add_fte is None) == (fte is None):
            raise InputError(file, key, "give exactly one of add_fte (a change) and fte (the new figure)")
        staff = self.staff_by_hub()
        if hub not in staff:
            hint = difflib.get_close_matches(hub, sorted(staff), n=1)
            raise InputError(file, key, "unknown hub" + (f"; did you mean {hint[0]!r}?" if hint else "")
                             + f" (hubs: {', '.join(staff)})")
        new = staff[hub] + float(add_fte) if add_fte is not None else float(fte)
        if new < 0:
            raise InputError(file, key, f"staff cannot be negative (got {new:g})")
        staff[hub] = new
        if name is None:   # letters, digits and _ . - only: the name is its own folder
            change = (f"{'plus' if add_fte >= 0 else 'minus'}_{abs(float(add_fte)):g}" if add_fte is not None
                      else f"{new:g}")
            name = f"{self.name}_{hub}_{change}fte"
        return self.with_overrides({"staff": {"customer_service_fte_by_hub": staff}}, name=name)


# ---------------------------------------------------------------------------------------
# loading

def deep_merge(base: dict, over: Mapping, prov: dict | None = None, file: str = "",
               prefix: str = "") -> tuple[dict, dict]:
    """Merge `over` into a copy of `base`: tables key by key, other values replaced.

    Returns the merged dict and the provenance map (dotted key → file that set it).
    """
    out = copy.deepcopy(base)
    prov = dict(prov or {})
    for k, v in over.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping) and isinstance(out.get(k), dict) and k != "rules":
            out[k], prov = deep_merge(out[k], v, prov, file, key)
        elif isinstance(v, Mapping) and k == "rules" and isinstance(out.get(k), dict):
            merged = dict(out[k])
            for rk, rv in v.items():
                merged[rk] = copy.deepcopy(rv)
                prov.pop(f"{key}.{rk}", None)
                prov[f"{key}.{rk}"] = file
            out[k] = merged
        else:
            out[k] = copy.deepcopy(v)
            prov.pop(key, None)
            prov[key] = file
    return out, prov


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), None, "file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(str(path), None, f"cannot read file: {e}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(str(path), None, f"TOML syntax error: {e}") from None


def _load_raw(path: Path, chain: tuple[str, ...]) -> tuple[dict, dict, tuple[str, ...]]:
    path = path.resolve()
    if str(path) in chain:
        cycle = " -> ".join(Path(c).name for c in (*chain, str(path)))
        raise InputError(str(path), "extends", f"cycle of extends: {cycle}")
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise InputError(str(path), "extends",
                         f"extends chain deeper than {MAX_EXTENDS_DEPTH} files (from {Path(chain[0]).name})")
    raw = _read_toml(path)
    chain = (*chain, str(path))
    parent = raw.pop("extends", None)
    if parent is None:
        data, prov = deep_merge({}, raw, {}, str(path))
        return data, prov, chain
    if not isinstance(parent, str):
        raise InputError(str(path), "extends", "expected a file name (string)")
    parent_path = (path.parent / parent)
    if not parent_path.exists():
        raise InputError(str(path), "extends", f"file not found: {parent_path}")
    base, prov, chain = _load_raw(parent_path, chain)
    data, prov = deep_merge(base, raw, prov, str(path))
    return data, prov, chain


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, resolve and validate a scenario file.

    Parameters
    ----------
    path : the scenario TOML file.
    overrides : optional nested dict merged on top (e.g. ``{"run": {"years": 1}}``).

    Raises
    ------
    InputError : naming the file, the key path and the reason.
    """
    path = Path(path)
    data, prov, chain = _load_raw(path, ())
    region = data.get("region")
    if isinstance(region, str) and region.endswith(".toml") and not Path(region).is_absolute():
        # a region file is relative to the scenario file that names it
        data["region"] = str((Path(prov.get("region", str(path))).parent / region).resolve())
    fc = (data.get("inflow") or {}).get("forecast")
    if isinstance(fc, dict) and isinstance(fc.get("paths_file"), str) and not Path(fc["paths_file"]).is_absolute():
        where = _file_for(prov, "inflow.forecast.paths_file", str(path))
        fc["paths_file"] = str((Path(where).parent / fc["paths_file"]).resolve())
    if overrides:
        data, prov = deep_merge(data, overrides, prov, "<command line>")
    return _validate(data, prov, str(path), chain)


def _file_for(prov: Mapping[str, str], key: str, default: str) -> str:
    """The file that set `key` (or, for a table, the last file that set a key inside it)."""
    key = re.sub(r"\[\d+\]", "", key)
    if key in prov:
        return prov[key]
    inside = [f for k, f in prov.items() if k.startswith(key + ".")]
    if inside:
        return inside[-1]
    parts = key.split(".")
    for n in range(len(parts) - 1, 0, -1):
        f = prov.get(".".join(parts[:n]))
        if f:
            return f
    # a key missing everywhere: blame the leaf file
    return default


def _as_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (X, X | None, dict[str, X])."""
    import typing
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        m = _as_model(arg)
        if m is not None:
            return m
    return None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model whose field list holds the last part of `loc` (for "did you mean")."""
    import typing
    model: Any = Scenario
    parts = list(loc[:-1])
    i = 0
    while i < len(parts):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        f = model.model_fields.get(str(parts[i]))
        if f is None:
            return None
        ann = f.annotation
        inner = _as_model(ann)
        origin = typing.get_origin(ann)
        is_dict = origin is dict or any(typing.get_origin(a) is dict for a in typing.get_args(ann))
        if is_dict and inner is not None:
            i += 1  # skip the dict key (e.g. the service's name)
        model = inner
        i += 1
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _validate(data: dict, prov: Mapping[str, str], file: str, chain: tuple[str, ...]) -> Scenario:
    data = {k: v for k, v in data.items() if k not in ("source_file", "extends_chain")}
    try:
        return Scenario.model_validate({**data, "source_file": file, "extends_chain": chain},
                                       context={"check_files": True})
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        key = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                      for i, p in enumerate(loc))
        reason = err["msg"]
        if err["type"] == CHECK_ERROR:   # a check beside its field (`checks.fail`): key below loc
            ctx = err.get("ctx") or {}
            key, reason = join(key, str(ctx.get("key", ""))), str(ctx.get("reason", reason))
        elif err["type"] == "extra_forbidden":
            model = _model_at(loc)
            hint = difflib.get_close_matches(str(loc[-1]), list(model.model_fields) if model else [], n=1)
            reason = "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else "")
        elif err["type"] == "missing":
            reason = "required key is missing"
        else:
            reason = f"{reason} (got {err.get('input')!r})"
        raise InputError(_file_for(prov, key, file), key, reason) from None
