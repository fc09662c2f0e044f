"""Scenario files: load TOML, resolve `extends`, validate, freeze.

A scenario is a TOML file with units in its key names. ``extends = "other.toml"``
(relative to the file) takes another scenario as the base and overrides keys: tables
merge key by key, everything else (numbers, strings, arrays) is replaced. Validation
happens once, here: an unknown key (with the nearest valid name), a wrong type, a
negative staff figure, a share outside 0–1, a mix that does not sum to 1, an unknown
municipality or hub, dates out of order, an `extends` cycle, a missing file or a TOML
syntax error all raise `InputError` naming the file that set the key, the key path and
the reason. The result is a frozen `Scenario`; variants are new objects
(`scenario.with_overrides({...})`), never edits.
"""

from __future__ import annotations

import copy
import re
import difflib
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .budget_config import BudgetConfig
from ..errors import InputError
from .region import DEFAULT_REGION, Region, load_region
from .rules import Rules, load_rules, parse_overrides

Share = Field(ge=0.0, le=1.0)
MEETING_TYPES = ("initial", "job_search", "supplementary")
CHANNELS = ("in_person", "service_point", "remote", "phone")
SHARE_SUM_TOLERANCE = 1e-6
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
START_OVER_PLACES = 2.0            # start participants at most this × a service's places


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

    @field_validator("index_by_month")
    @classmethod
    def _index_months(cls, v: dict[str, float]) -> dict[str, float]:
        for k, x in v.items():
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", k):
                raise ValueError(f"month {k!r}: expected YYYY-MM")
            if not 0 <= x <= 100:
                raise ValueError(f"{k}: index {x} outside 0–100")
        return dict(sorted(v.items()))


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


BENEFIT_TYPES = ("earnings_related", "basic_allowance", "labour_market_subsidy")


class BenefitsConfig(_Strict):
    """Who receives which unemployment benefit, and the average earnings-related amount.

    Amounts of the basic allowance / labour-market subsidy, the earnings-related
    step-downs, maximum days and the municipal-share schedule are dated rules
    (`simulation/data/rules_fi.toml`), not scenario values.
    """

    type_shares: dict[str, float]
    no_benefit_share: float = Share
    earnings_related_full_eur_per_day: float = Field(ge=0, le=1000)
    # share of earnings-related benefit periods with a work history of 3 years or less
    # (their maximum is the shorter one, rule earnings_related_max_days_short_history)
    short_work_history_share: float = Field(default=0.0, ge=0, le=1)
    source: str = ""


class ServiceConfig(_Strict):
    """One employment service (DOMAIN.md §4): who is referred, for how long, at what cost, with what effect.

    Capacity is given as places (participants at a time), as a purchase budget per year,
    or as a target share of broad unemployment (unemployed + participants in services);
    referral stops when the capacity is reached, and a target the places cannot meet is
    reported as a shortfall in the `services` table, never capped silently.
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


class StartStateConfig(_Strict):
    stock_by_municipality: dict[str, float]
    layoff_share: float = Share
    # share of the start stock unemployed 12 months or more (default: the stationary share of
    # the calibrated hazards); the short/long mix of the start stock is set to give it
    long_term_share: float | None = Field(default=None, ge=0, le=1)
    # participants in each service at the start (default: the service's capacity then)
    service_participants: dict[str, float] | None = None
    source: str = ""


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
    budget: BudgetConfig | None = None
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    service_order: list[str] = Field(default_factory=list)
    rules: dict[str, Any] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)
    source_file: str = Field(default="", exclude=True)
    extends_chain: tuple[str, ...] = Field(default=(), exclude=True)

    # -- derived views ----------------------------------------------------------------
    def region_obj(self) -> Region:
        return load_region(self.region)

    def rules_obj(self) -> Rules:
        return load_rules(parse_overrides(self.rules, self.source_file))

    def staff_by_hub(self) -> dict[str, float]:
        """Customer-service FTE per hub: explicit figures, or the total split by the rule."""
        region = self.region_obj()
        if self.staff.customer_service_fte_by_hub is not None:
            return dict(self.staff.customer_service_fte_by_hub)
        total = self.staff.customer_service_fte_total
        if total is None:
            total = region.staff_fte["customer_service"]
        return region.split_by_rule(total, self.staff.allocation_rule)

    def resolved_dict(self) -> dict[str, Any]:
        """Plain data of the resolved scenario (for manifests and `validate --show`)."""
        return self.model_dump(mode="json")

    def with_overrides(self, overrides: Mapping[str, Any], name: str | None = None) -> "Scenario":
        """A new, validated scenario with nested `overrides` merged in."""
        data = deep_merge(self.model_dump(mode="python"), dict(overrides))[0]
        if name:
            data["name"] = name
        return _validate(data, {}, self.source_file or "<scenario>", self.extends_chain)

    def with_staff(self, hub: str, add_fte: float | None = None, fte: float | None = None,
                   name: str | None = None) -> "Scenario":
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
        sc = Scenario.model_validate({**data, "source_file": file, "extends_chain": chain})
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        key = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                      for i, p in enumerate(loc))
        reason = err["msg"]
        if err["type"] == "extra_forbidden":
            model = _model_at(loc)
            hint = difflib.get_close_matches(str(loc[-1]), list(model.model_fields) if model else [], n=1)
            reason = "unknown key" + (f"; did you mean {hint[0]!r}?" if hint else "")
        elif err["type"] == "missing":
            reason = "required key is missing"
        else:
            reason = f"{reason} (got {err.get('input')!r})"
        raise InputError(_file_for(prov, key, file), key, reason) from None
    _check_semantics(sc, prov, file)
    return sc


def _check_semantics(sc: Scenario, prov: Mapping[str, str], file: str) -> None:
    def fail(key: str, reason: str) -> None:
        raise InputError(_file_for(prov, key, file), key, reason)

    region = sc.region_obj()
    munis, hubs = set(region.municipality_names), set(region.hub_names)

    def check_names(mapping: Mapping[str, Any] | None, key: str, known: set[str], what: str) -> None:
        for name in mapping or {}:
            if name not in known:
                hint = difflib.get_close_matches(name, sorted(known), n=1)
                fail(f"{key}.{name}", f"unknown {what}" + (f"; did you mean {hint[0]!r}?" if hint else ""))

    def check_complete(mapping: Mapping[str, Any], key: str, known: set[str], what: str) -> None:
        check_names(mapping, key, known, what)
        missing = sorted(known - set(mapping))
        if missing:
            fail(key, f"missing {what}(s): {', '.join(missing)}")

    check_names(sc.staff.customer_service_fte_by_hub, "staff.customer_service_fte_by_hub", hubs, "hub")
    for h, v in (sc.staff.customer_service_fte_by_hub or {}).items():
        if v < 0:
            fail(f"staff.customer_service_fte_by_hub.{h}", f"staff cannot be negative (got {v})")
        if v > MAX_FTE:
            fail(f"staff.customer_service_fte_by_hub.{h}", f"at most {MAX_FTE:g} FTE (got {v})")
    if sc.staff.customer_service_fte_by_hub is not None:   # every hub needs its staff figure
        check_complete(sc.staff.customer_service_fte_by_hub, "staff.customer_service_fte_by_hub", hubs, "hub")
    try:
        sc.staff_by_hub()
    except InputError as e:
        fail("staff.allocation_rule", e.reason)
    check_complete(sc.inflow.per_month_by_municipality, "inflow.per_month_by_municipality", munis, "municipality")
    if sc.inflow.forecast is not None:   # the paths must cover the run (one line, before anything runs)
        from .calendar import SimCalendar
        from .forecast_paths import check_covers
        months = list(SimCalendar.for_years(sc.run.start_date, sc.run.years).month_labels)
        check_covers(sc.inflow.forecast.paths_file, list(region.municipality_names), months)
    check_complete(sc.start_state.stock_by_municipality, "start_state.stock_by_municipality", munis, "municipality")
    for key, mapping in (("inflow.per_month_by_municipality", sc.inflow.per_month_by_municipality),
                         ("start_state.stock_by_municipality", sc.start_state.stock_by_municipality)):
        for m, v in mapping.items():
            if v < 0:
                fail(f"{key}.{m}", f"cannot be negative (got {v})")
            if v > MAX_COUNT:
                fail(f"{key}.{m}", f"at most {MAX_COUNT:g} (got {v})")
    # the volume a run must hold in memory: start stock + expected registrations
    peak = max([1.0, *sc.inflow.index_by_month.values()])
    growth = (1 + sc.inflow.trend_per_year) ** sc.run.years if sc.inflow.trend_per_year > 0 else 1.0
    persons = (sum(sc.start_state.stock_by_municipality.values())
               + sum(sc.inflow.per_month_by_municipality.values()) * sc.inflow.scale * peak * growth
               * 12 * sc.run.years)
    if persons > MAX_JOBSEEKERS:
        fail("inflow.scale", f"start stock + inflow × scale over {sc.run.years:g} years ≈ {persons:,.0f} "
                             f"jobseekers, more than the {MAX_JOBSEEKERS:,} one run can hold; "
                             "lower inflow.scale, the inflow or run.years")
    for key, factors in (("inflow.seasonal_factors", sc.inflow.seasonal_factors),
                         ("exits.seasonal_factors", sc.exits.seasonal_factors)):
        if any(f < 0 for f in factors):
            fail(key, "seasonal factors cannot be negative")
        if abs(sum(factors) / 12 - 1) > 1e-3:
            fail(key, f"seasonal factors must average 1 (they average {sum(factors) / 12:.4f})")
    factors = sc.staff.absence_month_factors
    if factors is not None:
        key = "staff.absence_month_factors"
        if any(f < 0 for f in factors):
            fail(key, "absence factors cannot be negative")
        if abs(sum(factors) / 12 - 1) > 1e-3:
            fail(key, f"absence factors must average 1 (they average {sum(factors) / 12:.4f})")
        worst = max(factors) * sc.staff.absence_share
        if worst > 1:
            fail(key, f"absence_share {sc.staff.absence_share} × the largest factor {max(factors)} = {worst:.3f}: "
                      "absence cannot exceed 1; lower absence_share or the factors")
    # meetings: types and channels known, shares sum to 1, durations positive
    m = sc.meetings
    check_complete(m.duration_minutes, "meetings.duration_minutes", set(MEETING_TYPES), "meeting type")
    check_complete(m.channel_shares, "meetings.channel_shares", set(MEETING_TYPES), "meeting type")
    for mt, by_ch in m.duration_minutes.items():
        check_names(by_ch, f"meetings.duration_minutes.{mt}", set(CHANNELS), "channel")
        for ch, v in by_ch.items():
            if not 0 < v <= 480:
                fail(f"meetings.duration_minutes.{mt}.{ch}", f"must be 0–480 minutes (got {v})")
    shares = {f"meetings.channel_shares.{k}": v for k, v in m.channel_shares.items()}
    if m.later_channel_shares is not None:
        shares["meetings.later_channel_shares"] = m.later_channel_shares
        for ch, v in m.later_channel_shares.items():
            if v > 0 and ch in CHANNELS and ch not in m.duration_minutes.get("job_search", {}):
                fail(f"meetings.duration_minutes.job_search.{ch}", "missing duration for a channel in use")
    for key, by_ch in shares.items():
        check_names(by_ch, key, set(CHANNELS), "channel")
        for ch, v in by_ch.items():
            if not 0 <= v <= 1:
                fail(f"{key}.{ch}", f"share {v} outside 0–1")
            mt = key.rsplit(".", 1)[-1]
            if v > 0 and mt in MEETING_TYPES and ch not in m.duration_minutes.get(mt, {}):
                fail(f"meetings.duration_minutes.{mt}.{ch}", "missing duration for a channel in use")
        total = sum(by_ch.values())
        if abs(total - 1) > SHARE_SUM_TOLERANCE:
            fail(key, f"shares must sum to 1 (they sum to {total:.6g})")
    if sc.benefits is not None:
        b = sc.benefits
        check_complete(b.type_shares, "benefits.type_shares", set(BENEFIT_TYPES), "benefit type")
        for t, v in b.type_shares.items():
            if not 0 <= v <= 1:
                fail(f"benefits.type_shares.{t}", f"share {v} outside 0–1")
        total = sum(b.type_shares.values())
        if abs(total - 1) > SHARE_SUM_TOLERANCE:
            fail("benefits.type_shares", f"shares must sum to 1 (they sum to {total:.6g})")
    if sc.budget is not None:
        check_names(sc.budget.use_of_services_by_municipality, "budget.use_of_services_by_municipality",
                    munis, "municipality")
        if sc.budget.benefit_compensation is not None:
            check_complete(sc.budget.benefit_compensation.eur_per_year_by_municipality,
                           "budget.benefit_compensation.eur_per_year_by_municipality", munis, "municipality")
    for name, n in (sc.start_state.service_participants or {}).items():
        key = f"start_state.service_participants.{name}"
        if name not in sc.services:
            fail(key, "service not defined under [services]")
        if not 0 <= n <= MAX_COUNT:
            fail(key, f"must be 0–{MAX_COUNT:g} (got {n})")
        # places may be cut from the start level (baseline: 110 -> 90), and the excess then
        # finishes its spells; a start above twice the places is no cut but a wrong figure
        places = sc.services[name].places
        if places is not None and n > START_OVER_PLACES * places:
            fail(key, f"{n:g} participants at the start, more than {START_OVER_PLACES:g} × the "
                      f"service's {places:g} places")
    targets = {n: s.target_share_of_broad_unemployment for n, s in sc.services.items()
               if s.target_share_of_broad_unemployment is not None}
    if sum(targets.values()) > 1 + SHARE_SUM_TOLERANCE:
        fail(f"services.{max(targets, key=targets.get)}.target_share_of_broad_unemployment",
             f"target shares of broad unemployment sum to {sum(targets.values()):.4g} over the services "
             f"({', '.join(targets)}); they can sum to at most 1")
    for name in sc.service_order:
        if name not in sc.services:
            hint = difflib.get_close_matches(name, list(sc.services), n=1)
            fail("service_order", f"service {name!r} is referred to but not defined under [services]"
                 + (f"; did you mean {hint[0]!r}?" if hint else ""))
    for name, svc in sc.services.items():
        key = f"services.{name}"
        given = [k for k in ("places", "budget_eur_per_year", "target_share_of_broad_unemployment")
                 if getattr(svc, k) is not None]
        if len(given) > 1:
            fail(key, f"give one capacity (places, budget_eur_per_year or target_share_of_broad_unemployment), got {given}")
        if svc.duration_max_months is not None and svc.duration_max_months < svc.duration_mean_months:
            fail(f"{key}.duration_max_months", "is below duration_mean_months")
        if svc.budget_eur_per_year is not None and svc.unit_cost_eur_per_month <= 0:
            fail(f"{key}.unit_cost_eur_per_month", "a budget needs a positive unit cost")
    for i, wd in enumerate(m.service_point_visit_weekdays):
        if not 0 <= wd <= 4:
            fail(f"meetings.service_point_visit_weekdays[{i}]", f"weekday {wd} must be 0 (Mon) – 4 (Fri)")
    # dates in order: rule overrides must parse; start before end of their validity
    try:
        overrides = parse_overrides(sc.rules, file)
    except InputError as e:
        fail(e.key or "rules", e.reason)
    for name, periods in overrides.items():
        for i, p in enumerate(periods):
            if p.valid_to is not None and p.valid_to <= sc.run.start_date:
                fail(f"rules.{name}[{i}].valid_to", f"override ends ({p.valid_to}) before the run starts ({sc.run.start_date})")
    try:
        load_rules(overrides).on(sc.run.start_date)
    except InputError as e:
        fail(f"run.start_date", f"no rules in force on {sc.run.start_date}: {e.reason}")
