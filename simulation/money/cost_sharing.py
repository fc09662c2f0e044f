"""Sharing an amount between municipalities by a key, with a stated rounding rule.

Cost sharing between the municipalities of an employment area is by agreement (the
plan, §1). The plan's appendix ("Esitys alueyhteistyön kuntaosuuksiksi vuodelle 2024")
is the worked example: a €100,000 development fund and a €65,000 regional-coordination
fund shared among 7 municipalities in proportion to population on 31.12.2022. The two
columns use two different rules, and both are here:

``exact``
    share = weight / total weight; amount = fund × share, kept unrounded and rounded to
    the cent (half up) only when shown. The appendix's €65,000 column.
``rounded_percent``
    the percentage share is rounded first (half up, to ``percent_decimals`` decimals of a
    percent: 32.19 % → 32.2 %) and amount = fund × rounded percent / 100. The rounded
    shares need not sum to 100 % — in the appendix they sum to 100.1 %, so its rows add
    up to €100,100 although its total row prints €100,000. The residual is reported,
    never hidden. The appendix's €100,000 column.
``rounded_percent_largest_remainder``
    as ``rounded_percent``, but the last-decimal units are handed out by largest
    remainder so the shares sum to exactly 100 % (not used by the appendix; offered for
    agreements that want the fund to add up).

Arithmetic is in `decimal.Decimal`, so a cent is never lost to binary floating point.
A sharing file (``scenarios/examples/regional_fund_2024.toml``, ``kind = "cost_sharing"``)
describes the funds, the municipalities, the key and the rules; ``tyosim budget FILE``
prints its table (`format_sharing`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, getcontext
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError
from ..scenario.region import Region, load_region

getcontext().prec = 34
CENT = Decimal("0.01")
REGION_KEYS = ("population_2022_12_31", "labour_force_2019", "unemployed_2019_mean")
Rule = Literal["exact", "rounded_percent", "rounded_percent_largest_remainder"]


def _dec(x: float | int | str | Decimal) -> Decimal:
    # str() of a float gives its shortest repr (1269.0 -> "1269.0"), not its binary expansion
    return x if isinstance(x, Decimal) else Decimal(str(x))


def round_cent(x: float | Decimal) -> Decimal:
    """Round half up to the cent (the rule of Finnish municipal accounts)."""
    return _dec(x).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Share:
    """One municipality's part of one amount."""

    municipality: str
    weight: Decimal
    share_exact: Decimal          # weight / total weight (fraction)
    share_used: Decimal           # the fraction actually applied (rounded for rounded_percent)
    amount_eur: Decimal           # amount × share_used, unrounded

    @property
    def percent_used(self) -> Decimal:
        return self.share_used * 100

    @property
    def amount_eur_cents(self) -> Decimal:
        return round_cent(self.amount_eur)


def share_amount(amount_eur: float | Decimal, weights: Mapping[str, float | int | Decimal],
                 rule: Rule = "exact", percent_decimals: int = 1) -> list[Share]:
    """Share `amount_eur` among the keys of `weights` in proportion to the weights.

    Parameters
    ----------
    amount_eur : the amount to share, EUR.
    weights : municipality → weight (population, labour force, use of services, ...).
    rule : ``exact``, ``rounded_percent`` or ``rounded_percent_largest_remainder``
        (module docstring).
    percent_decimals : decimals of a percent kept by the rounded rules (1: 32.2 %).

    Returns
    -------
    One `Share` per municipality, in the order of `weights`.
    """
    if not weights:
        raise InputError(None, "weights", "no municipalities to share among")
    w = {m: _dec(v) for m, v in weights.items()}
    if any(v < 0 for v in w.values()):
        raise InputError(None, "weights", "weights cannot be negative")
    total = sum(w.values(), Decimal(0))
    if total <= 0:
        raise InputError(None, "weights", "the weights sum to zero")
    amount = _dec(amount_eur)
    exact = {m: v / total for m, v in w.items()}
    if rule == "exact":
        used = dict(exact)
    elif rule in ("rounded_percent", "rounded_percent_largest_remainder"):
        unit = Decimal(1).scaleb(-percent_decimals)          # 0.1 (percent) for 1 decimal
        pct = {m: (s * 100).quantize(unit, rounding=ROUND_HALF_UP) for m, s in exact.items()}
        if rule == "rounded_percent_largest_remainder":
            floor = {m: ((s * 100) / unit).to_integral_value(rounding="ROUND_FLOOR") * unit
                     for m, s in exact.items()}
            left = int(((Decimal(100) - sum(floor.values(), Decimal(0))) / unit).to_integral_value())
            order = sorted(exact, key=lambda m: (exact[m] * 100 - floor[m]), reverse=True)
            pct = dict(floor)
            for m in order[:left]:
                pct[m] += unit
        used = {m: p / 100 for m, p in pct.items()}
    else:
        raise InputError(None, "rounding", f"unknown rounding rule {rule!r}; known: {', '.join(Rule.__args__)}")
    return [Share(m, w[m], exact[m], used[m], amount * used[m]) for m in w]


def weights_for_key(region: Region, key: str, municipalities: Sequence[str] | None = None,
                    given: Mapping[str, float] | None = None) -> dict[str, float]:
    """Weights by a sharing key.

    ``population_2022_12_31``, ``labour_force_2019``, ``unemployed_2019_mean`` come from the
    region data file; ``use_of_services`` (or any key) from `given`. `municipalities`
    restricts and orders the result (default: all of the region's).
    """
    names = list(municipalities) if municipalities else list(region.municipality_names)
    for m in names:
        if m not in region.municipalities:
            raise InputError(region.source_file, f"municipalities.{m}", "unknown municipality")
    if given:
        missing = [m for m in names if m not in given]
        if missing:
            raise InputError(None, key, f"no weight given for {', '.join(missing)}")
        return {m: float(given[m]) for m in names}
    if key not in REGION_KEYS:
        raise InputError(None, "cost_sharing_key",
                         f"key {key!r} needs its weights given per municipality "
                         f"(e.g. use_of_services_by_municipality)")
    out: dict[str, float] = {}
    for m in names:
        v = getattr(region.municipalities[m], key)
        if v is None:
            raise InputError(region.source_file, f"municipalities.{m}.{key}",
                             f"not known for {m} (the plan gives it for some municipalities "
                             f"only); choose another key or give the weights")
        out[m] = float(v)
    return out


# ---------------------------------------------------------------------------------------
# sharing files (scenarios/examples/regional_fund_2024.toml)

class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class FundSpec(_Strict):
    name: str
    label_fi: str = ""
    label_en: str = ""
    amount_eur: float = Field(ge=0)
    rounding: Rule
    percent_decimals: int = Field(default=1, ge=0, le=6)


class SharingSpec(_Strict):
    """A standalone cost-sharing file: funds shared among municipalities by one key."""

    kind: Literal["cost_sharing"]
    name: str
    title_fi: str = ""
    title_en: str = ""
    source: str = ""
    region: str = "pohjoinen_keski_suomi"
    key: str
    key_label_fi: str = ""
    key_label_en: str = ""
    municipalities: list[str] = Field(default_factory=list)
    weights: dict[str, float] = Field(default_factory=dict)
    funds: list[FundSpec] = Field(min_length=1)
    published: dict[str, dict[str, float]] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)
    source_file: str = Field(default="", exclude=True)


def is_sharing_file(path: str | Path) -> bool:
    """True when a TOML file says ``kind = "cost_sharing"`` (not a scenario)."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return raw.get("kind") == "cost_sharing"


def load_sharing_file(path: str | Path) -> SharingSpec:
    """Load and validate a cost-sharing file (errors name the file and the key)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), None, "file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(str(path), None, f"TOML syntax error: {e}") from None
    try:
        spec = SharingSpec.model_validate({**raw, "source_file": str(path)})
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise InputError(str(path), key, err["msg"]) from None
    names = {f.name for f in spec.funds}
    if len(names) != len(spec.funds):
        raise InputError(str(path), "funds", "fund names must be unique")
    for f in spec.published:
        if f not in names and f != "total":
            raise InputError(str(path), f"published.{f}", "no fund of this name")
    return spec


@dataclass(frozen=True)
class SharingResult:
    spec: SharingSpec
    weights: dict[str, float]
    shares: dict[str, list[Share]]            # fund name → shares

    def table(self) -> pd.DataFrame:
        """One row per municipality: weight, exact and used shares, amounts per fund (cents), total."""
        rows = []
        for i, m in enumerate(self.weights):
            row: dict[str, object] = {"municipality": m, "weight": self.weights[m]}
            first = True
            total = Decimal(0)
            for f in self.spec.funds:
                s = self.shares[f.name][i]
                if first:
                    row["share_exact_pct"] = float(s.share_exact * 100)
                    first = False
                if f.rounding != "exact":
                    row[f"{f.name}_share_pct"] = float(s.percent_used)
                row[f"{f.name}_eur"] = float(s.amount_eur_cents)
                total += s.amount_eur
            row["total_eur"] = float(round_cent(total))
            rows.append(row)
        return pd.DataFrame(rows)

    def checks(self) -> list[str]:
        """Plain-language notes: each rule, sums against the funds, published figures."""
        out = []
        for f in self.spec.funds:
            sh = self.shares[f.name]
            rows_sum = sum((s.amount_eur_cents for s in sh), Decimal(0))
            pct_sum = sum((s.percent_used for s in sh), Decimal(0))
            fund = round_cent(f.amount_eur)
            if f.rounding == "exact":
                rule = "exact shares (weight / total), amounts rounded half up to the cent when shown"
            elif f.rounding == "rounded_percent":
                rule = (f"percentage shares rounded half up to {f.percent_decimals} decimal(s) first, "
                        f"amount = fund x rounded percentage")
            else:
                rule = (f"percentage shares rounded to {f.percent_decimals} decimal(s) by largest "
                        f"remainder (they sum to 100 %), amount = fund x percentage")
            line = f"{f.name}: {rule}; rows sum to {_fmt_eur(rows_sum)} EUR"
            if f.rounding != "exact":
                line += f" (shares sum to {_fmt_num(pct_sum)} %)"
            diff = rows_sum - fund
            if diff != 0:
                line += (f", {_fmt_eur(abs(diff))} EUR {'more' if diff > 0 else 'less'} than the fund "
                         f"{_fmt_eur(fund)} EUR")
            else:
                line += " = the fund"
            out.append(line)
        for fname, pub in self.spec.published.items():
            got = ({m: float(v) for m, v in zip(self.weights, self.table()["total_eur"], strict=False)}
                   if fname == "total"
                   else {s.municipality: float(s.amount_eur_cents) for s in self.shares[fname]})
            bad = [m for m, v in pub.items() if m not in got or round_cent(v) != round_cent(got[m])]
            out.append(f"published {fname}: " + (f"all {len(pub)} amounts match to the cent"
                                                 if not bad else f"differ for {', '.join(bad)}"))
        return out


def compute_sharing(spec: SharingSpec, region: Region | None = None) -> SharingResult:
    """Apply every fund of `spec` to its municipalities by its key."""
    region = region or load_region(spec.region)
    weights = weights_for_key(region, spec.key, spec.municipalities or None, spec.weights or None)
    shares = {f.name: share_amount(f.amount_eur, weights, f.rounding, f.percent_decimals)
              for f in spec.funds}
    return SharingResult(spec, weights, shares)


def _fmt_num(x: Decimal) -> str:
    s = format(x.normalize(), "f")
    return s


def _fmt_eur(x: Decimal | float) -> str:
    return f"{round_cent(x):,.2f}"


def format_sharing(res: SharingResult, fmt: str = "table") -> str:
    """The sharing table as text (``table``), CSV or JSON."""
    spec = res.spec
    df = res.table()
    if fmt == "csv":
        return df.to_csv(index=False, float_format="%.2f").rstrip("\n")
    if fmt == "json":
        import json
        return json.dumps({
            "kind": "cost_sharing", "name": spec.name, "title": spec.title_fi or spec.title_en,
            "key": spec.key, "source": spec.source,
            "funds": [{"name": f.name, "amount_eur": f.amount_eur, "rounding": f.rounding,
                       "percent_decimals": f.percent_decimals} for f in spec.funds],
            "rows": df.round(6).to_dict(orient="records"),
            "checks": res.checks(),
        }, ensure_ascii=False, indent=2)
    lines = [spec.title_fi or spec.title_en or spec.name]
    if spec.title_en and spec.title_fi:
        lines.append(spec.title_en)
    lines.append(f"key: {spec.key}" + (f" ({spec.source})" if spec.source else ""))
    head = f"{'municipality':<14}{'weight':>9}{'share %':>9}"
    for f in spec.funds:
        if f.rounding != "exact":
            head += f"{'used %':>8}"
        head += f"{f.name:>24}"
    head += f"{'total_eur':>14}"
    lines.append(head)
    for _, r in df.iterrows():
        s = f"{r.municipality:<14}{r.weight:>9,.0f}{r.share_exact_pct:>9.3f}"
        for f in spec.funds:
            if f.rounding != "exact":
                s += f"{r[f'{f.name}_share_pct']:>8.{f.percent_decimals}f}"
            s += f"{r[f'{f.name}_eur']:>24,.2f}"
        s += f"{r.total_eur:>14,.2f}"
        lines.append(s)
    s = f"{'sum of rows':<14}{df.weight.sum():>9,.0f}{df.share_exact_pct.sum():>9.3f}"
    fund_line = f"{'fund':<14}{'':>9}{'':>9}"
    for f in spec.funds:
        if f.rounding != "exact":
            pct = sum((x.percent_used for x in res.shares[f.name]), Decimal(0))
            s += f"{float(pct):>8.{f.percent_decimals}f}"
            fund_line += f"{'':>8}"
        s += f"{df[f'{f.name}_eur'].sum():>24,.2f}"
        fund_line += f"{f.amount_eur:>24,.2f}"
    s += f"{df.total_eur.sum():>14,.2f}"
    fund_line += f"{sum(f.amount_eur for f in spec.funds):>14,.2f}"
    lines += [s, fund_line, "rules and checks:"]
    lines += [f"  {c}" for c in res.checks()]
    for k, v in spec.notes.items():
        lines.append(f"  note ({k}): {v}")
    return "\n".join(lines)
