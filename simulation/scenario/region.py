"""The employment area: municipalities, hub offices, service points and staff.

The facts (addresses, labour force, unemployed jobseekers, populations, staff by role)
live in a TOML data file with their sources (`simulation/data/region_*.toml`); this
module loads them into a frozen `Region` and answers questions such as "which hub serves
this municipality". Staff per hub is *not* a fact the plan gives (its figure is lost):
`split_by_rule` distributes a total by a stated rule, and the rule travels with the result.

Statistics Finland's municipality codes (``KU992`` = Äänekoski), which PxWeb files may carry
instead of names, are data too (`municipality_codes`, `simulation/data/municipality_codes_fi.toml`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from ..errors import InputError

DEFAULT_REGION = "pohjoinen_keski_suomi"


@dataclass(frozen=True)
class Municipality:
    name: str
    hub: str
    service_point: str
    labour_force_2019: int
    unemployed_2019_mean: float
    population_2022_12_31: int | None = None


@dataclass(frozen=True)
class Hub:
    name: str
    address: str
    serves: tuple[str, ...]
    main_office: bool = False


@dataclass(frozen=True)
class Region:
    """A read-only view of one employment area."""

    name: str
    responsible_municipality: str
    hubs: Mapping[str, Hub]
    municipalities: Mapping[str, Municipality]
    staff_fte: Mapping[str, float]
    source_file: str = field(default="", compare=False)

    @property
    def hub_names(self) -> tuple[str, ...]:
        return tuple(self.hubs)

    @property
    def municipality_names(self) -> tuple[str, ...]:
        return tuple(self.municipalities)

    def hub_of(self, municipality: str) -> str:
        """The hub office that serves `municipality`."""
        try:
            return self.municipalities[municipality].hub
        except KeyError:
            raise InputError(
                self.source_file, None,
                f"unknown municipality {municipality!r}; known: {', '.join(self.municipalities)}",
            ) from None

    @property
    def main_hub(self) -> str:
        return next(h.name for h in self.hubs.values() if h.main_office)

    def attribute_by_municipality(self, key: str) -> dict[str, float]:
        """A numeric attribute (e.g. ``unemployed_2019_mean``) for every municipality."""
        return {m.name: float(getattr(m, key)) for m in self.municipalities.values()}

    def by_hub(self, values: Mapping[str, float]) -> dict[str, float]:
        """Sum per-municipality values to their hubs."""
        out = {h: 0.0 for h in self.hubs}
        for m, v in values.items():
            out[self.hub_of(m)] += float(v)
        return out

    def split_by_rule(self, total: float, rule: str) -> dict[str, float]:
        """Distribute `total` over hubs in proportion to a municipal attribute summed by hub.

        `rule` is ``proportional_to_<attribute>``, e.g.
        ``proportional_to_unemployed_2019_mean`` or ``proportional_to_labour_force_2019``.
        """
        prefix = "proportional_to_"
        if not rule.startswith(prefix):
            raise InputError(None, "staff.allocation_rule", f"unknown rule {rule!r}")
        attr = rule[len(prefix):]
        if attr not in Municipality.__dataclass_fields__ or attr in ("name", "hub", "service_point"):
            raise InputError(None, "staff.allocation_rule",
                             f"no numeric municipal attribute {attr!r} to split by")
        weights = self.by_hub(self.attribute_by_municipality(attr))
        s = sum(weights.values())
        return {h: total * w / s for h, w in weights.items()}


MUNICIPALITY_CODES_FILE = "municipality_codes_fi.toml"


def municipality_codes() -> Mapping[str, str]:
    """Statistics Finland municipality codes → names (``"KU992"`` → ``"Äänekoski"``).

    Read from `simulation/data/municipality_codes_fi.toml`, with its source there.
    """
    res = resources.files("simulation") / "data" / MUNICIPALITY_CODES_FILE
    try:
        raw = tomllib.loads(res.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(MUNICIPALITY_CODES_FILE, None, f"TOML syntax error: {e}") from None
    codes = raw.get("codes")
    if not isinstance(codes, dict) or not all(isinstance(v, str) for v in codes.values()):
        raise InputError(MUNICIPALITY_CODES_FILE, "codes", "expected a table of code = \"name\"")
    return MappingProxyType(dict(codes))


def load_region(name_or_path: str | Path = DEFAULT_REGION) -> Region:
    """Load a region data file, by short name (packaged) or by path."""
    p = Path(name_or_path)
    if p.suffix == ".toml":
        text, src = p.read_text(encoding="utf-8"), str(p)
    else:
        res = resources.files("simulation") / "data" / f"region_{name_or_path}.toml"
        if not res.is_file():
            raise InputError(None, "region", f"unknown region {str(name_or_path)!r}")
        text, src = res.read_text(encoding="utf-8"), f"region_{name_or_path}.toml"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(src, None, f"TOML syntax error: {e}") from None
    hubs: dict[str, Hub] = {}
    owner: dict[str, str] = {}
    for hname, h in raw["hubs"].items():
        hubs[hname] = Hub(hname, h["address"], tuple(h["serves"]), bool(h.get("main_office", False)))
        for m in h["serves"]:
            if m in owner:
                raise InputError(src, f"hubs.{hname}.serves", f"{m} is already served by {owner[m]}")
            owner[m] = hname
    munis: dict[str, Municipality] = {}
    for mname, m in raw["municipalities"].items():
        if mname not in owner:
            raise InputError(src, f"municipalities.{mname}", "no hub serves this municipality")
        munis[mname] = Municipality(
            name=mname, hub=owner[mname], service_point=m["service_point"],
            labour_force_2019=int(m["labour_force_2019"]),
            unemployed_2019_mean=float(m["unemployed_2019_mean"]),
            population_2022_12_31=m.get("population_2022_12_31"),
        )
    missing = set(owner) - set(munis)
    if missing:
        raise InputError(src, "municipalities", f"hub serves undefined {sorted(missing)}")
    if sum(h.main_office for h in hubs.values()) != 1:
        raise InputError(src, "hubs", "exactly one hub must be the main office")
    return Region(
        name=raw["name"], responsible_municipality=raw["responsible_municipality"],
        hubs=MappingProxyType(hubs), municipalities=MappingProxyType(munis),
        staff_fte=MappingProxyType({k: float(v) for k, v in raw["staff_fte"].items()}),
        source_file=src,
    )
