"""Argument types for the command line: numbers checked at parse time (exit 2 with a reason)."""

from __future__ import annotations

import argparse


def positive_int(s: str) -> int:
    try:
        v = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {s!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def positive_float(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {s!r}") from None
    if not v > 0 or v == float("inf"):   # also nan and inf
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {s}")
    return v


def bounded_int(lo: int, hi: int, what: str = "a whole number"):
    """An argparse type: a whole number in lo..hi (inclusive), else exit 2 with the range."""

    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {s!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"must be {lo}–{hi}, got {v}")
        return v

    parse.__name__ = f"int {lo}..{hi}"
    return parse


def bounded_float(lo: float, hi: float, lo_open: bool = False):
    """An argparse type: a finite number in lo..hi (lo excluded with `lo_open`)."""
    import math

    def parse(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {s!r}") from None
        if not math.isfinite(v) or v > hi or v < lo or (lo_open and v == lo):
            raise argparse.ArgumentTypeError(f"must be {'above' if lo_open else 'at least'} {lo:g} "
                                             f"and at most {hi:g}, got {s}")
        return v

    parse.__name__ = f"float {lo}..{hi}"
    return parse


#: The largest root seed: numpy's SeedSequence takes any non-negative integer, but the
#: seed is stored in int64 Parquet columns and JSON read by other tools.
MAX_SEED = 2**63 - 1
seed = bounded_int(0, MAX_SEED, "a whole-number seed")
