"""Statistics Finland's PxWeb: parse its CSV and JSON-stat files, and download the table.

The monthly jobseeker figures come from the Employment Service Statistics
(Työnvälitystilasto): table 1001 of the old StatFin database (``tym/tyonv/kk/
statfin_tyonv_pxt_1001.px``, the source of ``../shared/data/``), continued since 2022 as
table 12r5 (``tyonv/statfin_tyonv_pxt_12r5.px``) on ``pxdata.stat.fi``. Both have the
variables ``Alue`` (area, municipality codes ``KU992`` ...), ``Kuukausi`` (``2020M10``)
and ``Tiedot`` (the measures).

This module turns a PxWeb response into the raw long table that
`simulation.forecast.data.validate_long` checks, whatever its layout:

- CSV as the API or the web download gives it (comma, semicolon or tab separated; with
  or without a title line; months in a column or spread over columns such as
  ``2020M10`` or ``2020M10 Työttömät työnhakijat``; measures in a ``Tiedot`` column or
  one column each; area labels ``Äänekoski``, ``KU992 Äänekoski`` or ``KU992``);
- JSON-stat version 1 (``{"dataset": ...}``) and version 2 (``"class": "dataset"``).

`fetch_table` asks the API for the table's metadata (GET), picks the codes of the wanted
municipalities and measures from their labels, POSTs the query and saves the answer as
the project's long CSV. It uses only `urllib`; tests replace `_http` with a function
that returns hand-made files, so nothing here needs the internet to be tested.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError

from .defaults import PXWEB_TABLE_URL  # noqa: E402  (the defaults the CLI shows)
"""Table 12r5, the continuation of table 1001 (Statistics Finland, CC BY 4.0)."""

OLD_TABLE_1001_URL = (
    "http://pxnet2.stat.fi/PXWeb/api/v1/fi/StatFin/tym/tyonv/kk/statfin_tyonv_pxt_1001.px"
)
"""Where table 1001 lived before 2022 (the source of ``../shared/data/``); kept for reference."""

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

MUNICIPALITY_CODES: dict[str, str] = {
    # Statistics Finland municipality codes (kuntanumero, 2020 boundaries) of the area, used
    # only when a response carries codes without names.
    "KU077": "Hankasalmi",
    "KU216": "Kannonkoski",
    "KU226": "Karstula",
    "KU256": "Kinnula",
    "KU265": "Kivijärvi",
    "KU275": "Konnevesi",
    "KU312": "Kyyjärvi",
    "KU410": "Laukaa",
    "KU601": "Pihtipudas",
    "KU729": "Saarijärvi",
    "KU892": "Uurainen",
    "KU931": "Viitasaari",
    "KU992": "Äänekoski",
}

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
    if s in MUNICIPALITY_CODES:
        return MUNICIPALITY_CODES[s]
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


# ---------------------------------------------------------------------------------------
# download


def _http(url: str, body: bytes | None = None, timeout_s: float = 60.0) -> bytes:
    """GET (body None) or POST JSON `body` to `url`; returns the response bytes.

    Tests monkeypatch this function; it is the only place that touches the network.
    """
    req = urllib.request.Request(
        url,
        data=body,
        method="POST" if body is not None else "GET",
        headers={"Content-Type": "application/json", "User-Agent": "tyosim (statistics download)"},
    )
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 (https URL from the user)
        return resp.read()


def build_query(
    metadata: dict[str, Any], municipalities: Iterable[str], url: str
) -> dict[str, Any]:
    """The PxWeb POST query for `municipalities`, all months and our three measures.

    Codes are taken from the table's own metadata (``GET url``), matched by label, so a
    renamed code in a later table version does not break the download.

    Raises
    ------
    InputError
        If the table has no area, month or measure variable, or does not know a
        municipality.
    """
    variables = metadata.get("variables")
    if not isinstance(variables, list):
        raise InputError(url, "variables", "the PxWeb metadata has no list of variables")

    def var(headings: Sequence[str], time: bool = False) -> dict[str, Any] | None:
        for v in variables:
            if (
                str(v.get("code", "")).lower() in headings
                or str(v.get("text", "")).lower() in headings
            ):
                return v
        if time:
            return next((v for v in variables if v.get("time")), None)
        return None

    area, month, meas = var(AREA_HEADINGS), var(TIME_HEADINGS, time=True), var(MEASURE_HEADINGS)
    for v, what in ((area, "area (Alue)"), (month, "month (Kuukausi)"), (meas, "measure (Tiedot)")):
        if v is None:
            raise InputError(url, "variables", f"the table has no {what} variable")
    assert area is not None and month is not None and meas is not None
    by_name = {}
    for code, text in zip(area["values"], area.get("valueTexts", area["values"]), strict=False):
        n = municipality_of(text) if text != code else municipality_of(code)
        if n:
            by_name[n] = code
    wanted = list(municipalities)
    unknown = [m for m in wanted if m not in by_name]
    if unknown:
        raise InputError(url, "Alue", f"the table has no municipality {', '.join(unknown)}")
    meas_codes = []
    for code, text in zip(meas["values"], meas.get("valueTexts", meas["values"]), strict=False):
        if measure_of(code) or measure_of(text):
            meas_codes.append(code)
    if not any((measure_of(c) == "unemployed") for c in meas_codes) and not any(
        measure_of(t) == "unemployed"
        for c, t in zip(meas["values"], meas.get("valueTexts", []), strict=False)
        if c in meas_codes
    ):
        raise InputError(url, "Tiedot", "the table has no measure of unemployed jobseekers")
    others = [v for v in variables if v not in (area, month, meas)]
    query = [
        {
            "code": area["code"],
            "selection": {"filter": "item", "values": [by_name[m] for m in wanted]},
        },
        {"code": month["code"], "selection": {"filter": "all", "values": ["*"]}},
        {"code": meas["code"], "selection": {"filter": "item", "values": meas_codes}},
    ]
    for v in others:  # any further variable: its first value (e.g. a total)
        query.append(
            {"code": v["code"], "selection": {"filter": "item", "values": [v["values"][0]]}}
        )
    return {"query": query, "response": {"format": "json-stat2"}}


def fetch_table(
    out: str | Path,
    municipalities: Iterable[str],
    url: str = PXWEB_TABLE_URL,
    timeout_s: float = 60.0,
) -> pd.DataFrame:
    """Download the monthly series from Statistics Finland and save them as our long CSV.

    Parameters
    ----------
    out : path
        The CSV to write (atomically: temporary file in the same folder, then rename).
    municipalities : iterable of str
        Municipality names as Statistics Finland labels them (``Äänekoski`` ...).
    url : str
        The PxWeb table address; default table 12r5.
    timeout_s : float
        Network timeout per request, seconds.

    Returns
    -------
    pandas.DataFrame
        The long table written (``month, municipality, unemployed, labour_force,
        open_vacancies``).

    Raises
    ------
    InputError
        If the API cannot be reached or answers with something that is not the table.
    """
    from .data import validate_long

    try:
        meta = json.loads(_http(url, None, timeout_s).decode("utf-8-sig"))
        query = build_query(meta, municipalities, url)
        answer = _http(url, json.dumps(query).encode("utf-8"), timeout_s).decode("utf-8-sig")
    except urllib.error.HTTPError as e:
        raise InputError(
            url, None, f"Statistics Finland answered HTTP {e.code} {e.reason}"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise InputError(
            url,
            None,
            f"cannot reach Statistics Finland ({reason}); without internet, "
            "download the table by hand and pass the file with --data",
        ) from None
    except json.JSONDecodeError as e:
        raise InputError(url, None, f"the metadata is not JSON ({e.msg})") from None
    long = parse_jsonstat_text(answer, url)
    validate_long(long, url)  # refuse to save a table the forecast would reject
    cols = ["month", "municipality", "unemployed", "labour_force", "open_vacancies"]
    table = long.reindex(columns=cols).fillna("")
    for c in ("unemployed", "labour_force", "open_vacancies"):
        table[c] = table[c].map(_plain_number)
    table = table.sort_values(["municipality", "month"], kind="stable")
    write_csv_atomic(table, Path(out))
    return table


def _plain_number(v: Any) -> str:
    if v == "" or v is None:
        return ""
    x = float(v)
    return str(int(x)) if x.is_integer() else repr(x)


def write_csv_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write `df` as UTF-8 CSV: a temporary file in the same folder, then `os.replace`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
