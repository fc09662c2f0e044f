"""The levers of the scenario page: a scenario's values → controls → an edited `Scenario`.

Plain functions on the public API (``import simulation as ts``), testable without Streamlit:

- `list_scenarios` finds the scenario files a person can pick (``scenarios/*.toml`` that load);
  `load_uploaded` loads an uploaded TOML, reading a relative ``extends`` from that folder;
- `levers_of` reads the levers from a scenario (`Levers`: customer-service FTE per hub, each
  service's capacity — places, budget or target share — the any-hub share, the absence share
  and its monthly profile, the horizon and the new scenario's name);
- `build_scenario` turns changed levers into a new, validated scenario
  (`Scenario.with_overrides`), and collects every validation error as words keyed by the
  control it belongs to (`Built.errors`), so the page can show it next to that control. Each
  changed lever is checked on its own first (so two wrong controls both say so), then all
  together;
- `scenario_toml` writes a scenario back as a complete TOML file (no ``extends``) that
  ``tyosim run``/``batch`` and this page load to the same resolved scenario.

A control's id is the scenario key it sets, e.g. ``staff.customer_service_fte_by_hub.Laukaa``
or ``services.coaching.places``; the scenario's `InputError` names the same key path.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import simulation as ts

#: the keys that give a service's capacity (a service has at most one of them)
CAPACITY_KEYS = ("places", "budget_eur_per_year", "target_share_of_broad_unemployment")
STAFF = "staff.customer_service_fte_by_hub"
ANY_HUB = "meetings.any_hub_share"
ABSENCE_SHARE = "staff.absence_share"
ABSENCE_FACTORS = "staff.absence_month_factors"
YEARS = "run.years"
NAME = "name"
GENERAL = ""  # an error no control owns


@dataclass
class ScenarioFile:
    """A scenario file a person can pick."""

    path: Path
    name: str
    description: str = ""
    description_fi: str = ""
    start_date: str = ""


def list_scenarios(folder: str | Path) -> tuple[list[ScenarioFile], dict[str, str]]:
    """The complete scenarios directly in `folder` (``*.toml``), baseline first, then by name.

    Returns the loadable files and, for the others (a base file that is no scenario by
    itself), file name → the reason it does not load.
    """
    found: list[ScenarioFile] = []
    skipped: dict[str, str] = {}
    for p in sorted(Path(folder).glob("*.toml")):
        try:
            sc = ts.load_scenario(p)
        except ts.InputError as e:
            skipped[p.name] = e.reason
            continue
        found.append(
            ScenarioFile(p, sc.name, sc.description, sc.description_fi, str(sc.run.start_date))
        )
    found.sort(key=lambda f: (f.name != "baseline", f.path.name))
    return found, skipped


def load_uploaded(
    data: bytes, filename: str, scenarios_dir: str | Path, tmp_dir: str | Path
) -> ts.Scenario:
    """Load an uploaded scenario file; a relative ``extends`` is read from `scenarios_dir`.

    The file is written under `tmp_dir` (the name sanitised) and loaded with
    `ts.load_scenario`; a relative ``extends`` that does not exist beside it is pointed to
    `scenarios_dir`. Raises `ts.InputError` for a file that is no valid scenario.
    """
    safe = (
        re.sub(r"[^\w.\-]+", "_", Path(filename or "uploaded.toml").name).strip("._") or "uploaded"
    )
    if not safe.endswith(".toml"):
        safe += ".toml"
    tmp = Path(tmp_dir)
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / safe
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ts.InputError(safe, None, "not a UTF-8 text file") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ts.InputError(safe, None, f"TOML syntax error: {e}") from None
    parent = raw.get("extends")
    if isinstance(parent, str) and not Path(parent).is_absolute() and not (tmp / parent).exists():
        target = (Path(scenarios_dir) / parent).resolve()
        text = re.sub(
            r'(?m)^(\s*extends\s*=\s*)(["\']).*?\2',
            lambda m: f"{m.group(1)}{_toml_str(str(target))}",
            text,
            count=1,
        )
    path.write_text(text, encoding="utf-8")
    return ts.load_scenario(path)


def _toml_str(s: str) -> str:
    import tomli_w

    return tomli_w.dumps({"x": s})[4:].strip()


# ---------------------------------------------------------------------------------------
# levers


@dataclass
class Levers:
    """The values of the page's controls (the scenario's units: FTE, places, EUR, shares 0–1)."""

    name: str
    years: float
    staff_fte_by_hub: dict[str, float]
    capacity: dict[str, tuple[str, float]] = field(default_factory=dict)  # service → (key, value)
    any_hub_share: float = 0.0
    absence_share: float = 0.0
    absence_month_factors: list[float] | None = None

    def copy(self) -> Levers:
        return Levers(
            self.name,
            self.years,
            dict(self.staff_fte_by_hub),
            dict(self.capacity),
            self.any_hub_share,
            self.absence_share,
            None if self.absence_month_factors is None else list(self.absence_month_factors),
        )


def levers_of(scenario: ts.Scenario, name: str | None = None) -> Levers:
    """The levers as `scenario` has them; the new `name` defaults to ``<name>_edited``."""
    capacity = {}
    for svc, cfg in scenario.services.items():
        for key in CAPACITY_KEYS:
            value = getattr(cfg, key)
            if value is not None:
                capacity[svc] = (key, float(value))
                break
    factors = scenario.staff.absence_month_factors
    return Levers(
        name=name or f"{scenario.name}_edited",
        years=float(scenario.run.years),
        staff_fte_by_hub={h: float(v) for h, v in scenario.staff_by_hub().items()},
        capacity=capacity,
        any_hub_share=float(scenario.meetings.any_hub_share),
        absence_share=float(scenario.staff.absence_share),
        absence_month_factors=None if factors is None else [float(f) for f in factors],
    )


def lever_overrides(base: ts.Scenario, levers: Levers) -> dict[str, dict[str, Any]]:
    """Control id → the nested overrides of that control, for the levers that differ from `base`."""
    was = levers_of(base)
    out: dict[str, dict[str, Any]] = {}
    staff = {h: float(v) for h, v in levers.staff_fte_by_hub.items()}
    for hub, fte in staff.items():
        if hub not in was.staff_fte_by_hub or not _same(fte, was.staff_fte_by_hub[hub]):
            # every hub's figure is written (Scenario.with_staff does the same): the others stay
            full = {**was.staff_fte_by_hub, hub: fte}
            out[f"{STAFF}.{hub}"] = {"staff": {"customer_service_fte_by_hub": full}}
    for svc, (key, value) in levers.capacity.items():
        old = was.capacity.get(svc)
        if old is None or old[0] != key or not _same(value, old[1]):
            out[f"services.{svc}.{key}"] = {"services": {svc: {key: float(value)}}}
    if not _same(levers.any_hub_share, was.any_hub_share):
        out[ANY_HUB] = {"meetings": {"any_hub_share": float(levers.any_hub_share)}}
    if not _same(levers.absence_share, was.absence_share):
        out[ABSENCE_SHARE] = {"staff": {"absence_share": float(levers.absence_share)}}
    new_f, old_f = levers.absence_month_factors, was.absence_month_factors
    if (new_f is None) != (old_f is None) or (
        new_f is not None
        and old_f is not None
        and (
            len(new_f) != len(old_f)
            or not all(_same(a, b) for a, b in zip(new_f, old_f, strict=True))
        )
    ):
        out[ABSENCE_FACTORS] = {
            "staff": {"absence_month_factors": None if new_f is None else [float(f) for f in new_f]}
        }
    if not _same(levers.years, was.years):
        out[YEARS] = {"run": {"years": float(levers.years)}}
    return out


def _same(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


def _merge(a: dict[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


@dataclass
class Built:
    """The edited scenario (None when a lever is wrong) and the errors by control id."""

    scenario: ts.Scenario | None
    errors: dict[str, str] = field(default_factory=dict)  # control id (GENERAL: none) → reason
    changed: list[str] = field(default_factory=list)  # control ids that differ from the base

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.errors


def control_of(key: str | None, controls: list[str]) -> str:
    """The control an `InputError` key belongs to (`GENERAL` if none).

    ``staff.absence_month_factors[3]`` belongs to ``staff.absence_month_factors``; a
    service's start participants above twice its places (``start_state.service_participants.X``)
    to that service's capacity control; ``services.X`` (two capacities) likewise.
    """
    if not key:
        return GENERAL
    k = re.sub(r"\[\d+\]$", "", key)
    m = re.fullmatch(r"start_state\.service_participants\.(.+)", k) or re.fullmatch(
        r"services\.([^.]+)", k
    )
    if m:
        for c in controls:
            if c.startswith(f"services.{m.group(1)}."):
                return c
    for c in sorted(controls, key=len, reverse=True):
        if k == c or k.startswith(c + ".") or k.startswith(c + "["):
            return c
    if k.startswith(STAFF):  # e.g. the whole table: the first hub control
        for c in controls:
            if c.startswith(STAFF + "."):
                return c
    return GENERAL


def build_scenario(base: ts.Scenario, levers: Levers) -> Built:
    """The scenario `base` with `levers` applied and named ``levers.name``, or the errors.

    Every changed lever is validated on its own (its errors go to its control), then all
    together (an error that only the combination causes goes to the control the scenario's
    key names, or to `GENERAL`). Validation is the scenario's own (`ts.InputError`); nothing
    here second-guesses it.
    """
    per_control = lever_overrides(base, levers)
    controls = [*per_control, NAME]
    errors: dict[str, str] = {}
    name = (levers.name or "").strip()
    if not name:
        errors[NAME] = "String should have at least 1 character"
    elif not re.fullmatch(r"[\w\-][\w.\-]{0,99}", name):
        errors[NAME] = "use letters, digits, _ . - only (the name is the results folder)"
    for control, over in per_control.items():
        try:
            base.with_overrides(over)
        except ts.InputError as e:
            errors[control] = e.reason
    if errors:
        return Built(None, errors, list(per_control))
    merged: dict[str, Any] = {}
    for over in per_control.values():
        merged = _merge(merged, over)
    if any(c.startswith(STAFF + ".") for c in per_control):  # every hub as the controls say
        merged["staff"]["customer_service_fte_by_hub"] = {
            h: float(v) for h, v in levers.staff_fte_by_hub.items()
        }
    try:
        sc = base.with_overrides(merged, name=name)
    except ts.InputError as e:
        return Built(None, {control_of(e.key, controls): e.reason}, list(per_control))
    return Built(sc, {}, list(per_control))


# ---------------------------------------------------------------------------------------
# back to a file


def scenario_toml(scenario: ts.Scenario, comment: str = "") -> str:
    """The resolved `scenario` as a complete TOML file (no ``extends``) that loads back to it.

    Keys left out of the file are those the scenario leaves unset (None); dates stay TOML
    dates. `comment` (lines) goes at the top.
    """
    import tomli_w

    def clean(x: Any) -> Any:
        if isinstance(x, dict):
            return {str(k): clean(v) for k, v in x.items() if v is not None}
        if isinstance(x, (list, tuple)):
            return [clean(v) for v in x]
        return x

    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return head + tomli_w.dumps(clean(scenario.model_dump(mode="python")))
