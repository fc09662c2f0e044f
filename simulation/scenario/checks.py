"""How a scenario's validators reject a value: the key below the model, and the reason.

The checks of a scenario live beside the fields they check, as pydantic validators on the
model that owns the field (`config`, `budget_config`). A validator calls `fail(key, reason)`
with `key` the path *below* that model ("" for the model itself, ``"Laukaa"`` for a key of
a table field, ``"[2]"`` for an item of a list); pydantic adds the model's own path, and
`config._validate` turns the error into ``InputError(file that set the key, key.path,
reason)`` — the reason exactly as written here, with no "Value error," in front.

A check that needs another part of the scenario (the region's municipalities and hubs, the
services, the run's dates) is a method on the model that owns the field, called by the
scenario's own validator inside ``under("staff")`` so that its keys get the model's path.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

from pydantic_core import PydanticCustomError

CHECK_ERROR = "scenario_check"     # the pydantic error type of these checks
SHARE_SUM_TOLERANCE = 1e-6         # shares that must sum to 1
AVERAGE_TOLERANCE = 1e-3           # monthly factors that must average 1


def fail(key: str, reason: str) -> NoReturn:
    """Reject the value at `key` (a path below the model being validated) for `reason`."""
    raise PydanticCustomError(CHECK_ERROR, "{reason}", {"key": key, "reason": reason})


def join(prefix: str, key: str) -> str:
    """``join("meetings", "duration_minutes")``; list items as ``x[0]``; "" leaves the other."""
    if not key:
        return prefix
    if not prefix:
        return key
    return prefix + key if key.startswith("[") else f"{prefix}.{key}"


@contextmanager
def under(prefix: str) -> Iterator[None]:
    """Run a sub-model's check from an enclosing validator: its keys get `prefix` in front."""
    try:
        yield
    except PydanticCustomError as e:
        if e.type != CHECK_ERROR:
            raise
        ctx = e.context or {}
        fail(join(prefix, str(ctx.get("key", ""))), str(ctx.get("reason", e.message())))


def check_names(mapping: Iterable[str] | None, key: str, known: Iterable[str], what: str) -> None:
    """Every name is one of `known` (an unknown one gets the nearest known name)."""
    known = sorted(known)
    for name in mapping or ():
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            fail(join(key, name), f"unknown {what}{suggestion}")


def check_complete(mapping: Mapping[str, Any], key: str, known: Iterable[str], what: str) -> None:
    """The names are exactly `known`: none unknown, none missing (the missing are named)."""
    known = set(known)
    check_names(mapping, key, known, what)
    missing = sorted(known - set(mapping))
    if missing:
        fail(key, f"missing {what}(s): {', '.join(missing)}")


def check_counts(mapping: Mapping[str, float], upper: float) -> None:
    """Every value 0..`upper` (a count of people by municipality, a service's participants)."""
    for name, v in mapping.items():
        if v < 0:
            fail(name, f"cannot be negative (got {v})")
        if v > upper:
            fail(name, f"at most {upper:g} (got {v})")


def check_month_factors(factors: list[float], what: str) -> None:
    """Twelve monthly multipliers: none negative, averaging 1."""
    if any(f < 0 for f in factors):
        fail("", f"{what} factors cannot be negative")
    mean = sum(factors) / 12
    if abs(mean - 1) > AVERAGE_TOLERANCE:
        fail("", f"{what} factors must average 1 (they average {mean:.4f})")


def check_shares(shares: Mapping[str, float], key: str, known: Iterable[str], what: str,
                 each: Callable[[str, float], None] | None = None) -> None:
    """A mix: names known, each share 0–1 (then `each(name, share)`), summing to 1."""
    check_names(shares, key, known, what)
    for name, v in shares.items():
        if not 0 <= v <= 1:
            fail(join(key, name), f"share {v} outside 0–1")
        if each is not None:
            each(name, v)
    total = sum(shares.values())
    if abs(total - 1) > SHARE_SUM_TOLERANCE:
        fail(key, f"shares must sum to 1 (they sum to {total:.6g})")
