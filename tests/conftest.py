"""Shared fixtures for the tyosim test suite.

The scenario fixtures build *complete, valid* scenarios in ``tmp_path`` so tests never
depend on the generated start-state files under ``scenarios/base/`` (which may not exist
yet). Two shapes:

- ``complete_scenario_toml(filename="scenario.toml", overrides=None, standalone=False)``
  writes ``tmp_path/base/area.toml`` (a copy of the repository's ``scenarios/base/area.toml``)
  and a scenario file that ``extends = "base/area.toml"`` and adds ``name``, ``[run]``,
  ``[inflow]``, ``[exits]`` and ``[start_state]``. With ``standalone=True`` the file holds
  everything itself (no ``extends``). ``overrides`` is a nested dict merged into the
  scenario file's own content (tables key by key); a value of ``None`` deletes the key
  (TOML has no null). Returns the path of the scenario file.
- ``complete_scenario_dict()`` returns (a fresh deep copy of) the scenario file's own
  content, for tests that write their own TOML.

Other helpers: ``repo_root``, ``area_toml_path``, ``region`` (the packaged region),
``write_toml(path, data)``.
"""

from __future__ import annotations

import copy
import shutil
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import tomli_w

REPO_ROOT = Path(__file__).resolve().parents[1]
AREA_TOML = REPO_ROOT / "scenarios" / "base" / "area.toml"

# The 13 municipalities with a plausible monthly inflow and start stock (roughly the 2019
# average of unemployed jobseekers, region_pohjoinen_keski_suomi.toml).
_STOCK_2019 = {
    "Äänekoski": 1128.67, "Laukaa": 790.17, "Saarijärvi": 553.17, "Viitasaari": 266.83,
    "Hankasalmi": 216.33, "Kannonkoski": 51.58, "Karstula": 199.33, "Kinnula": 67.67,
    "Kivijärvi": 41.42, "Konnevesi": 115.92, "Kyyjärvi": 51.75, "Pihtipudas": 179.33,
    "Uurainen": 127.92,
}

# The part of a complete scenario that area.toml does not give.
_SCENARIO_REST: dict[str, Any] = {
    "name": "test_scenario",
    "description": "complete scenario written by tests/conftest.py",
    "run": {"start_date": date(2025, 1, 1), "years": 3.0, "replications": 2, "seed": 42},
    "inflow": {
        "per_month_by_municipality": {m: round(v / 6, 2) for m, v in _STOCK_2019.items()},
        "seasonal_factors": [1.2, 1.0, 0.9, 0.9, 1.0, 1.1, 1.2, 1.0, 0.9, 0.9, 0.9, 1.0],
        "scale": 1.0,
        "trend_per_year": 0.0,
        "layoff_share": 0.10,
        "reentry_probability": 0.30,
        "reentry_mean_months": 6.0,
    },
    "exits": {
        "short_group_share": 0.55,
        "short_group_mean_months": 3.0,
        "long_group_mean_months": 16.0,
        "seasonal_factors": [1.0] * 12,
        "layoff_mean_months": 2.0,
        "employment_share_short_group": 0.65,
        "employment_share_long_group": 0.40,
        "employment_share_layoff": 0.90,
    },
    "start_state": {
        "stock_by_municipality": dict(_STOCK_2019),
        "layoff_share": 0.10,
        "source": "tests/conftest.py: 2019 averages",
    },
}


def merge_overrides(base: dict, overrides: Mapping[str, Any] | None) -> dict:
    """Copy of `base` with nested `overrides` merged in; a value of None deletes the key."""
    out = copy.deepcopy(base)
    for k, v in (overrides or {}).items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, Mapping):
            out[k] = merge_overrides(out[k] if isinstance(out.get(k), dict) else {}, v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def write_toml(path: Path, data: Mapping[str, Any]) -> Path:
    """Write `data` as TOML to `path` (parents created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(dict(data)), encoding="utf-8")
    return path


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def area_toml_path(tmp_path: Path) -> Path:
    """A copy of scenarios/base/area.toml at tmp_path/base/area.toml."""
    dst = tmp_path / "base" / "area.toml"
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(AREA_TOML, dst)
    return dst


@pytest.fixture
def complete_scenario_dict() -> Callable[[], dict]:
    """Factory: a fresh copy of the scenario content that area.toml lacks."""
    return lambda: copy.deepcopy(_SCENARIO_REST)


@pytest.fixture
def complete_scenario_toml(tmp_path: Path, area_toml_path: Path) -> Callable[..., Path]:
    """Factory writing a complete valid scenario into tmp_path; returns its path.

    ``make(filename="scenario.toml", overrides=None, standalone=False)``: see the module
    docstring. Call it several times for several files in the same folder.
    """

    def make(filename: str = "scenario.toml", overrides: Mapping[str, Any] | None = None,
             standalone: bool = False) -> Path:
        data = copy.deepcopy(_SCENARIO_REST)
        if standalone:
            area = tomllib.loads(AREA_TOML.read_text(encoding="utf-8"))
            area.pop("extends", None)
            data = merge_overrides(area, data)
        else:
            data = {"extends": "base/area.toml", **data}
        data = merge_overrides(data, overrides)
        return write_toml(tmp_path / filename, data)

    return make


@pytest.fixture(scope="session")
def region():
    from simulation.scenario.region import load_region

    return load_region()


@pytest.fixture(scope="session")
def rules():
    from simulation.scenario.rules import load_rules

    return load_rules()
