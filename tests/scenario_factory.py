"""Small complete scenarios for model tests, written to a temporary folder.

`write_scenario(tmp_path, **overrides)` writes a TOML file that extends
`scenarios/base/area.toml` and fills run, inflow, exits and start state with simple,
stated values; nested `overrides` replace any of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from simulation.scenario.config import deep_merge
from simulation.scenario.region import load_region

ROOT = Path(__file__).resolve().parents[1]
AREA = ROOT / "scenarios" / "base" / "area.toml"


def simple_data(inflow_per_month_area: float = 300.0, stock_area: float = 1500.0) -> dict[str, Any]:
    region = load_region()
    u = region.attribute_by_municipality("unemployed_2019_mean")
    tot = sum(u.values())
    return {
        "extends": str(AREA),
        "name": "test",
        "run": {"start_date": "2025-01-01", "years": 1.0, "replications": 2, "seed": 7},
        "inflow": {
            "per_month_by_municipality": {m: inflow_per_month_area * v / tot for m, v in u.items()},
            "seasonal_factors": [1.0] * 12, "scale": 1.0, "layoff_share": 0.1,
            "reentry_probability": 0.2, "reentry_mean_months": 6.0,
        },
        "exits": {
            "short_group_share": 0.5, "short_group_mean_months": 2.0, "long_group_mean_months": 12.0,
            "seasonal_factors": [1.0] * 12, "layoff_mean_months": 2.0,
            "employment_share_short_group": 0.6, "employment_share_long_group": 0.35,
            "employment_share_layoff": 0.95,
        },
        "start_state": {"stock_by_municipality": {m: stock_area * v / tot for m, v in u.items()},
                        "layoff_share": 0.05, "source": "test"},
    }


def _dates(d: Any) -> Any:
    """ISO date strings → dates, so TOML writes them as dates."""
    from datetime import date
    if isinstance(d, dict):
        return {k: _dates(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_dates(v) for v in d]
    if isinstance(d, str) and len(d) == 10 and d[4] == "-" and d[7] == "-":
        try:
            return date.fromisoformat(d)
        except ValueError:
            return d
    return d


def write_scenario(folder: Path, name: str = "test", data: dict | None = None, **overrides: Any) -> Path:
    base = data if data is not None else simple_data()
    merged = deep_merge(base, overrides)[0] if overrides else base
    merged["name"] = name
    path = Path(folder) / f"{name}.toml"
    path.write_text(tomli_w.dumps(_dates(merged)), encoding="utf-8")
    return path
