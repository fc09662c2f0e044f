"""Statistics Finland's PxWeb files: CSV and JSON-stat → the raw long table.

The monthly jobseeker figures come from the Employment Service Statistics
(Työnvälitystilasto), tables 1001 and 12r5 (`simulation.forecast.pxweb` says where they
live). Both have the variables ``Alue`` (area, municipality codes ``KU992`` ...),
``Kuukausi`` (``2020M10``) and ``Tiedot`` (the measures).

This module turns a PxWeb response into the raw long table that
`simulation.forecast.data.validate_long` checks, whatever its layout:

- CSV as the API or the web download gives it (comma, semicolon or tab separated; with
  or without a title line; months in a column or spread over columns such as
  ``2020M10`` or ``2020M10 Työttömät työnhakijat``; measures in a ``Tiedot`` column or
  one column each; area labels ``Äänekoski``, ``KU992 Äänekoski`` or ``KU992``, a bare code
  named from `simulation/data/municipality_codes_fi.toml`);
- JSON-stat version 1 (``{"dataset": ...}``) and version 2 (``"class": "dataset"``).

It reads files only; `simulation.forecast.data` (reading any series file) and
`simulation.forecast.pxweb` (the download) both use it, and it uses neither.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from ..errors import InputError
from ..scenario.region import municipality_codes

MEASURE_PATTERNS: dict[str, tuple[str, ...]] = {
    # our column: regular expressions matched against a measure's code or label (labels
    # case-insensitive). Codes: TYOTTOMAT/TYOVOIMA/AVPAIKAT (table 1001),
    # TYOTTOMATLOPUSSA/TYOVOIMATK/AVPAIKATLOPUSSA (table 12r5).
    "unemployed": (
        r"^TYOTTOMAT(LOPUSSA)?$",
        r"^työttömät( työnhakijat)?\b(?!.*(osuus|%|aste))",
        r"^unemployed( jobseekers)?\b(?!.*(share|%|rate))",
    ),
    "labour_force": (r"^TYOVOIMA(TK)?$", r"^työvoima\b", r"^labour force\b"),
    "open_vacancies": (
        r"^AVPAIKAT(LOPUSSA)?$",
        r"^avoimet työpaikat\b",
        r"^(open )?vacancies\b",
        r"^open job vacancies\b",
    ),
}

AREA_HEADINGS = ("alue", "area", "region", "kunta", "municipality")
TIME_HEADINGS = ("kuukausi", "month", "vuosi ja kuukausi")
MEASURE_HEADINGS = ("tiedot", "information", "data", "measure")


@lru_cache(maxsize=1)
def _municipality_codes() -> Mapping[str, str]:
    """Statistics Finland's municipality codes (``KU992`` → ``Äänekoski``), from the data file
    `simulation/data/municipality_codes_fi.toml` (its source is there); read once."""
    return municipality_codes()


_MONTH_RE = re.compile(r"(?<!\d)(\d{4})M(\d{2})(?!\d)")
_CODE_LABEL_RE = re.compile(r"^([A-Z]{2,3}\d{0,4}|\d{3})\s+(.+)$")


# ---------------------------------------------------------------------------------------
# labels


def measure_of(label: str) -> str | None:
    """Our column name for a PxWeb measure code or label, or None if it is not one we use."""
    s = str(label).strip()
    for col, patterns in MEASURE_PATTERNS.items():
        for pat in patterns:
            flags = 0 if pat.startswith("^TYO") or pat.startswith("^AV") else re.IGNORECASE
            if re.search(pat, s, flags):
                return col
    return None


def municipality_of(label: str) -> str | None:
    """Municipality name from an area label; None for a non-municipal area (region, country).

    ``KU992 Äänekoski`` → ``Äänekoski``; ``KU992`` → ``Äänekoski`` (known codes);
    ``MK13 Keski-Suomi`` / ``SSS KOKO MAA`` → None; a plain name is returned as is.
    """
    s = str(label).strip()
    m = _CODE_LABEL_RE.match(s)
    if m:
        code, name = m.groups()
        if code.isdigit() or code.startswith("KU"):
            return name.strip()
        return None
    codes = _municipality_codes()
    if s in codes:
        return codes[s]
    if re.fullmatch(r"[A-Z]{2,3}\d*", s):
        return None  # an area code we cannot name (a region, the whole country)
    if s.upper() in ("KOKO MAA", "WHOLE COUNTRY", "HELA LANDET"):
        return None
    return s


def _month_text(code: str) -> str | None:
    m = _MONTH_RE.search(str(code))
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}"


# ---------------------------------------------------------------------------------------
# CSV


def parse_pxweb_csv_text(text: str, name: str) -> pd.DataFrame:
    """Parse a PxWeb CSV download into the raw long table (see module docstring).

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (YYYY-MM), ``municipality``, ``unemployed`` and, if present,
        ``labour_force``, ``open_vacancies`` (values as text), and ``_row`` (``row N``,
        line N of the file).

    Raises
    ------
    InputError
        If no area column, no months, or no measure of unemployed jobseekers is found.
    """
    lines = text.splitlines()
    sample = "\n".join(lines[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delim = dialect.delimiter
    except csv.Error:
        delim = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    header_at = None
    for i, r in enumerate(rows):
        cells = [c.strip().lower() for c in r]
        if len(cells) >= 2 and any(c in AREA_HEADINGS for c in cells):
            header_at = i
            break
    if header_at is None:
        raise InputError(
            name,
            "header",
            "no area column (expected a column headed 'Alue' or 'Area'); "
            "not a PxWeb CSV of table 12r5/1001 nor the long format "
            "'month, municipality, unemployed'",
        )
    header = [c.strip() for c in rows[header_at]]
    low = [c.lower() for c in header]
    area_i = next(i for i, c in enumerate(low) if c in AREA_HEADINGS)
    time_i = next((i for i, c in enumerate(low) if c in TIME_HEADINGS), None)
    meas_i = next((i for i, c in enumerate(low) if c in MEASURE_HEADINGS), None)
    value_cols = [i for i in range(len(header)) if i not in (area_i, time_i, meas_i)]

    records: dict[tuple[str, str], dict[str, Any]] = {}
    seen_measures: set[str] = set()
    for ln, r in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in r):
            continue
        if len(r) < len(header):
            if len(r) == 1:
                continue  # a footnote line after the table
            raise InputError(name, f"row {ln}", f"{len(r)} fields, the header has {len(header)}")
        muni = municipality_of(r[area_i])
        if muni is None:
            continue
        for vi in value_cols:
            head = header[vi]
            if time_i is not None:
                month = _month_text(r[time_i])
                if month is None:
                    raise InputError(
                        name,
                        f"row {ln}: {header[time_i]}",
                        f"expected a month such as 2020M10, got {r[time_i]!r}",
                    )
                label = r[meas_i] if meas_i is not None else head
            else:
                month = _month_text(head)
                if month is None:
                    continue  # a column that is neither a month nor a key
                label = r[meas_i] if meas_i is not None else _MONTH_RE.sub("", head).strip(" .,-")
            col = measure_of(label)
            if col is None:
                continue
            seen_measures.add(col)
            rec = records.setdefault((muni, month), {"_row": f"row {ln}"})
            if col == "unemployed":
                rec["_row"] = f"row {ln}"  # messages about the count name its own row
            rec[col] = r[vi]
    return _long_frame(records, seen_measures, name)


def _long_frame(
    records: dict[tuple[str, str], dict[str, Any]], measures: set[str], name: str
) -> pd.DataFrame:
    if "unemployed" not in measures:
        raise InputError(
            name,
            "Tiedot",
            "no measure of unemployed jobseekers found (expected the code "
            "TYOTTOMAT/TYOTTOMATLOPUSSA or a label starting 'Työttömät työnhakijat')",
        )
    if not records:
        raise InputError(name, None, "no municipal rows found")
    out = []
    for (muni, month), rec in records.items():
        out.append(
            {
                "month": month,
                "municipality": muni,
                **{c: rec.get(c, "") for c in sorted(measures)},
                "_row": rec["_row"],
            }
        )
    df = pd.DataFrame(out)
    return df.sort_values(["municipality", "month"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# JSON-stat


def parse_jsonstat_text(text: str, name: str) -> pd.DataFrame:
    """Parse a JSON-stat (version 1 or 2) response into the raw long table.

    Rows are labelled ``Alue=KU992, Kuukausi=2020M10`` in messages.
    """
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(name, f"line {e.lineno}", f"not valid JSON: {e.msg}") from None
    return parse_jsonstat(obj, name)


def parse_jsonstat(obj: dict[str, Any], name: str) -> pd.DataFrame:
    """Parse a decoded JSON-stat object (see `parse_jsonstat_text`)."""
    if not isinstance(obj, dict):
        raise InputError(name, None, "JSON-stat: expected an object at the top level")
    if obj.get("class") == "dataset" or "id" in obj and "dimension" in obj:
        ds = obj
        ids, sizes, dims = ds.get("id"), ds.get("size"), ds.get("dimension", {})
        roles = ds.get("role", {}) or {}
    elif "dataset" in obj:
        ds = obj["dataset"]
        dims = ds.get("dimension", {})
        ids, sizes = dims.get("id"), dims.get("size")
        roles = dims.get("role", {}) or {}
    else:
        raise InputError(
            name, None, "JSON-stat: neither a version-2 dataset nor a version-1 'dataset'"
        )
    if not ids or not sizes or len(ids) != len(sizes):
        raise InputError(name, "id/size", "JSON-stat: dimension ids and sizes missing or unequal")
    cats: list[list[tuple[str, str]]] = []
    for did, size in zip(ids, sizes, strict=False):
        if did not in dims:
            raise InputError(
                name, f"dimension.{did}", "JSON-stat: dimension listed in 'id' is missing"
            )
        cat = dims[did].get("category", {})
        index = cat.get("index")
        labels = cat.get("label", {}) or {}
        if index is None:
            codes = list(labels)
        elif isinstance(index, list):
            codes = list(index)
        else:
            codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
        if len(codes) != size:
            raise InputError(
                name, f"dimension.{did}", f"JSON-stat: {len(codes)} categories but size {size}"
            )
        cats.append([(c, str(labels.get(c, c))) for c in codes])

    def find(
        role: str, headings: Sequence[str], test: Callable[[list[tuple[str, str]]], bool]
    ) -> int | None:
        for d in roles.get(role, []) or []:
            if d in ids:
                return ids.index(d)
        for i, did in enumerate(ids):
            label = str(dims[did].get("label", did)).lower()
            if did.lower() in headings or label in headings:
                return i
        for i, c in enumerate(cats):
            if test(c):
                return i
        return None

    time_i = find("time", TIME_HEADINGS, lambda c: all(_month_text(code) for code, _ in c))
    area_i = find("geo", AREA_HEADINGS, lambda c: False)
    meas_i = find("metric", MEASURE_HEADINGS, lambda c: any(measure_of(x) for x in c[0]))
    if time_i is None:
        raise InputError(name, "dimension", "JSON-stat: no month dimension (Kuukausi) found")
    if area_i is None:
        raise InputError(name, "dimension", "JSON-stat: no area dimension (Alue) found")
    for i, did in enumerate(ids):
        if i not in (time_i, area_i, meas_i) and sizes[i] != 1:
            raise InputError(
                name,
                f"dimension.{did}",
                f"JSON-stat: unexpected dimension with {sizes[i]} categories; select one",
            )
    values = ds.get("value")
    total = 1
    for s in sizes:
        total *= s
    if isinstance(values, dict):
        flat = [values.get(str(k)) for k in range(total)]
    elif isinstance(values, list):
        flat = values
    else:
        raise InputError(name, "value", "JSON-stat: no values")
    if len(flat) != total:
        raise InputError(name, "value", f"JSON-stat: {len(flat)} values for {total} cells")
    strides = [1] * len(sizes)
    for k in range(len(sizes) - 2, -1, -1):
        strides[k] = strides[k + 1] * sizes[k + 1]
    single_measure = None
    if meas_i is None:
        single_measure = measure_of(str(ds.get("label", ""))) or "unemployed"
    records: dict[tuple[str, str], dict[str, Any]] = {}
    measures: set[str] = set()
    for flat_i, v in enumerate(flat):
        pos = [(flat_i // strides[k]) % sizes[k] for k in range(len(sizes))]
        a_code, a_label = cats[area_i][pos[area_i]]
        muni = municipality_of(a_label if a_label != a_code else a_code)
        if muni is None:
            continue
        t_code, _ = cats[time_i][pos[time_i]]
        month = _month_text(t_code)
        if month is None:
            raise InputError(
                name, f"{ids[time_i]}={t_code}", "JSON-stat: not a month such as 2020M10"
            )
        if meas_i is None:
            col = single_measure
        else:
            m_code, m_label = cats[meas_i][pos[meas_i]]
            col = measure_of(m_code) or measure_of(m_label)
        if col is None:
            continue
        measures.add(col)
        rec = records.setdefault(
            (muni, month), {"_row": f"{ids[area_i]}={a_code}, {ids[time_i]}={t_code}"}
        )
        rec[col] = "" if v is None else v
    return _long_frame(records, measures, name)
