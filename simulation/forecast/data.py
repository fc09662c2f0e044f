"""Monthly jobseeker series in: read, validate, and shape them for forecasting.

The forecast reads one table of monthly figures per municipality, in any of three
shapes:

- the project's long CSV (``month, municipality, unemployed[, labour_force,
  open_vacancies]``, as in ``../shared/data/``);
- a Statistics Finland PxWeb download of table 12r5 / 1001, as CSV or JSON-stat
  (parsed by `simulation.forecast.pxweb_files`);

and turns it into a `MonthlyData`: one column of unemployed jobseekers per
municipality on a monthly `PeriodIndex`. Every bad-input case raises `InputError`
naming the file, the row or column, and the reason: a missing file or column, a
non-numeric or negative value, a duplicated month, a gap in a municipality's months
(which months), series that end in different months, too short a history.
Nothing is filled in or dropped silently.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

REQUIRED_COLUMNS = ("month", "municipality", "unemployed")
OPTIONAL_NUMERIC_COLUMNS = ("labour_force", "open_vacancies")
#: Unemployed may exceed a municipality's 2019 labour force (the region file) by this factor
#: at most — labour forces change slowly; 900,000 unemployed in a town of 2,346 is a typo.
LABOUR_FORCE_HEADROOM = 1.5
#: No Finnish municipality has more unemployed than this (Helsinki: ~50,000).
MAX_UNEMPLOYED = 1_000_000
MIN_MONTHS = 24
"""Shortest history accepted: two seasonal cycles (the seasonal models need them)."""


@dataclass(frozen=True)
class MonthlyData:
    """Validated monthly series: unemployed jobseekers per municipality.

    Attributes
    ----------
    unemployed : pandas.DataFrame
        Index: monthly `PeriodIndex`; one float column per municipality, no gaps.
    source : str
        The file the figures came from (for messages and output provenance).
    notes : tuple of str
        What the loader did that a user should know (e.g. trimmed to a common start).
    """

    unemployed: pd.DataFrame
    source: str
    notes: tuple[str, ...] = field(default=())

    @property
    def municipalities(self) -> tuple[str, ...]:
        return tuple(self.unemployed.columns)

    @property
    def first_month(self) -> pd.Period:
        return self.unemployed.index[0]

    @property
    def last_month(self) -> pd.Period:
        return self.unemployed.index[-1]

    def until(self, month: str | pd.Period) -> MonthlyData:
        """The data cut at `month` (inclusive), so forecasts can be checked against later data.

        Raises
        ------
        InputError
            If `month` is not ``YYYY-MM`` or leaves fewer than `MIN_MONTHS` months.
        """
        p = parse_month(month, "--until") if isinstance(month, str) else month
        if p < self.first_month:
            raise InputError(
                self.source,
                "--until",
                f"{p} is before the first month of the data ({self.first_month})",
            )
        cut = self.unemployed.loc[:p]
        if len(cut) < MIN_MONTHS:
            raise InputError(
                self.source,
                "--until",
                f"cutting at {p} leaves {len(cut)} months; at least {MIN_MONTHS} needed",
            )
        return MonthlyData(cut, self.source, self.notes)


def parse_month(text: str, where: str, file: str | None = "command line") -> pd.Period:
    """Parse ``YYYY-MM`` (also the PxWeb form ``YYYYMmm``) into a monthly Period."""
    s = str(text).strip()
    if len(s) == 7 and s[4] == "M" and s[:4].isdigit() and s[5:].isdigit():
        s = f"{s[:4]}-{s[5:]}"
    if not (
        len(s) == 7
        and s[4] == "-"
        and s[:4].isdigit()
        and s[5:].isdigit()
        and 1 <= int(s[5:]) <= 12
    ):
        raise InputError(file, where, f"expected a month as YYYY-MM, got {text!r}")
    return pd.Period(s, freq="M")


def load_monthly(path: str | Path) -> MonthlyData:
    """Read a monthly series file in any supported shape and validate it.

    Parameters
    ----------
    path : str or Path
        Long CSV (``month, municipality, unemployed, ...``), PxWeb CSV, or JSON-stat
        (``.json``, versions 1 and 2).

    Returns
    -------
    MonthlyData

    Raises
    ------
    InputError
        For a missing file, an unreadable format, a missing column, a non-numeric or
        negative value, a duplicated month, a gap, or too short a series.
    """
    from . import pxweb_files as pxweb

    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise InputError(name, None, "file not found (expected a monthly CSV or JSON-stat file)")
    raw = p.read_bytes()
    text = _decode(raw, name)
    if p.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        long = pxweb.parse_jsonstat_text(text, name)
    else:
        header = _first_header(text)
        if {"month", "municipality"} <= {h.strip().lower() for h in header}:
            long = read_long_text(text, name)
        else:
            long = pxweb.parse_pxweb_csv_text(text, name)
    return validate_long(long, name)


def _decode(raw: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(name, None, "cannot decode the file as UTF-8 or Windows-1252 text")


def _first_header(text: str) -> list[str]:
    for line in text.splitlines():
        if line.strip():
            return next(csv.reader([line]))
    return []


def read_long_text(text: str, name: str) -> pd.DataFrame:
    """Parse the long CSV format into a raw long table (strings; validated later).

    Returns a DataFrame with columns ``month, municipality, unemployed`` (+ optional
    numeric columns present in the file) and ``_row``, the row label used in messages
    (``row N`` = line N of the file, the header being line 1).
    """
    try:
        df = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except pd.errors.ParserError as e:
        raise InputError(name, None, f"not a readable CSV: {e}") from None
    df.columns = [c.strip().lower() for c in df.columns]
    for col in REQUIRED_COLUMNS:
        if col not in df.columns:
            raise InputError(
                name,
                f"column {col!r}",
                f"missing; the file has columns {', '.join(df.columns)} "
                f"(expected {', '.join(REQUIRED_COLUMNS)}[, "
                f"{', '.join(OPTIONAL_NUMERIC_COLUMNS)}])",
            )
    keep = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_NUMERIC_COLUMNS) if c in df.columns]
    df = df[keep].copy()
    df["_row"] = [f"row {i + 2}" for i in range(len(df))]
    blank = (df[list(REQUIRED_COLUMNS)].apply(lambda s: s.str.strip()) == "").all(axis=1)
    return df[~blank].reset_index(drop=True)


def validate_long(long: pd.DataFrame, name: str) -> MonthlyData:
    """Validate a raw long table (strings) and pivot it to a `MonthlyData`.

    `long` has columns ``month, municipality, unemployed`` (strings or numbers) and
    ``_row`` (the row label for messages). Every problem raises `InputError` with
    ``file: row N (municipality, month): column: reason``.
    """
    if long.empty:
        raise InputError(name, None, "no data rows")
    months: list[pd.Period] = []
    values = np.empty(len(long))
    munis = long["municipality"].astype(str).str.strip().tolist()
    for i, (row, m, mon, val) in enumerate(
        zip(long["_row"], munis, long["month"], long["unemployed"], strict=False)
    ):
        if not m:
            raise InputError(name, f"{row}: municipality", "empty")
        months.append(parse_month(str(mon), f"{row} ({m}): month", name))
        values[i] = _number(val, name, f"{row} ({m}, {months[-1]}): unemployed", required=True)
    lf_given: dict[int, float] = {}
    for col in OPTIONAL_NUMERIC_COLUMNS:
        if col in long.columns:
            for i, (row, m, mon, val) in enumerate(zip(long["_row"], munis, months, long[col], strict=False)):
                x = _number(val, name, f"{row} ({m}, {mon}): {col}", required=False)
                if col == "labour_force" and x == x:   # not NaN
                    lf_given[i] = x
    _check_against_labour_force(long["_row"].tolist(), munis, months, values, lf_given, name)
    df = pd.DataFrame(
        {
            "municipality": munis,
            "month": months,
            "unemployed": values,
            "_row": long["_row"].tolist(),
        }
    )
    dup = df.duplicated(["municipality", "month"], keep=False)
    if dup.any():
        first = df[dup].iloc[0]
        rows = df[dup & (df.municipality == first.municipality) & (df.month == first.month)]["_row"]
        raise InputError(
            name,
            f"{' and '.join(rows)} ({first.municipality}, {first.month})",
            "duplicated month: each municipality may have one row per month",
        )
    wide = df.pivot(index="month", columns="municipality", values="unemployed").sort_index()
    notes: list[str] = []
    ends: dict[str, pd.Period] = {}
    starts: dict[str, pd.Period] = {}
    for m in df["municipality"].unique():
        s = df.loc[df.municipality == m, "month"].sort_values()
        starts[m], ends[m] = s.iloc[0], s.iloc[-1]
        expected = pd.period_range(starts[m], ends[m], freq="M")
        missing = expected.difference(pd.PeriodIndex(s, freq="M"))
        if len(missing):
            raise InputError(
                name,
                f"municipality {m}",
                f"gap: months missing {_month_ranges(missing)} "
                f"(the series runs {starts[m]}–{ends[m]}; fill or cut the file)",
            )
    if len(set(ends.values())) > 1:
        last = max(ends.values())
        early = {m: e for m, e in ends.items() if e != last}
        listed = ", ".join(f"{m} ends {e}" for m, e in sorted(early.items()))
        raise InputError(
            name, "municipality", f"series end in different months: {listed}; the others end {last}"
        )
    common_start = max(starts.values())
    if len(set(starts.values())) > 1:
        late = ", ".join(f"{m} starts {s}" for m, s in sorted(starts.items()) if s == common_start)
        notes.append(
            f"series start in different months ({late}); all series are used from "
            f"{common_start} so that hubs and the area add up"
        )
        wide = wide.loc[common_start:]
    if len(wide) < MIN_MONTHS:
        raise InputError(
            name, "month", f"only {len(wide)} months of data; at least {MIN_MONTHS} are needed"
        )
    wide.columns.name = None
    wide.index = pd.PeriodIndex(wide.index, freq="M", name="month")
    return MonthlyData(wide.astype(float), name, tuple(notes))


def _check_against_labour_force(rows: list, munis: list[str], months: list, values: np.ndarray,
                                lf_given: dict[int, float], name: str) -> None:
    """Unemployed within the labour force: the row's own, else the region file's (2019)."""
    try:
        from ..scenario.region import load_region

        lf = load_region().attribute_by_municipality("labour_force_2019")
    except Exception:  # noqa: BLE001 — no region attribute: only the row's own labour force
        lf = {}
    for i, (row, m, mon) in enumerate(zip(rows, munis, months, strict=False)):
        v = values[i]
        where = f"{row} ({m}, {mon}): unemployed"
        if not np.isfinite(v) or v > MAX_UNEMPLOYED:
            raise InputError(name, where, f"{v:g} is not a number of unemployed in a municipality "
                                          f"(at most {MAX_UNEMPLOYED:,})")
        if i in lf_given and v > lf_given[i]:
            raise InputError(name, where, f"{v:g} unemployed is more than the labour force "
                                          f"{lf_given[i]:g} on the same row")
        if i not in lf_given and m in lf and v > LABOUR_FORCE_HEADROOM * lf[m]:
            raise InputError(name, where, f"{v:g} unemployed is more than {LABOUR_FORCE_HEADROOM:g} × "
                                          f"{m}'s labour force ({lf[m]:,.0f}, 2019); a typo?")


def _number(val: object, name: str, where: str, required: bool) -> float:
    if val is None or (isinstance(val, float) and np.isnan(val)):
        s = ""
    else:
        s = str(val).strip()
    if s in ("", ".", "..", "...", "-"):
        if required:
            raise InputError(name, where, f"missing value ({s or 'empty'}); a number is required")
        return float("nan")
    try:
        x = float(s.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise InputError(name, where, f"expected a number, got {s!r}") from None
    if not np.isfinite(x) or x < 0:
        raise InputError(name, where, f"expected a non-negative number, got {s!r}")
    return x


def _month_ranges(missing: pd.PeriodIndex) -> str:
    """``2019-03–2019-05, 2019-09`` for a set of months."""
    parts: list[str] = []
    ms = sorted(missing)
    start = prev = ms[0]
    for m in ms[1:] + [None]:
        if m is not None and m == prev + 1:
            prev = m
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if m is not None:
            start = prev = m
    return ", ".join(parts)
