"""Statistics Finland's PxWeb: download the table (`tyosim data fetch`).

The monthly jobseeker figures come from the Employment Service Statistics
(Työnvälitystilasto): table 1001 of the old StatFin database (``tym/tyonv/kk/
statfin_tyonv_pxt_1001.px``, the source of ``../shared/data/``), continued since 2022 as
table 12r5 (``tyonv/statfin_tyonv_pxt_12r5.px``) on ``pxdata.stat.fi``. Both have the
variables ``Alue`` (area, municipality codes ``KU992`` ...), ``Kuukausi`` (``2020M10``)
and ``Tiedot`` (the measures).

The files' parsers (CSV and JSON-stat, whatever the layout) are in
`simulation.forecast.pxweb_files`, named here too for callers of this module.

`fetch_table` asks the API for the table's metadata (GET), picks the codes of the wanted
municipalities and measures from their labels, POSTs the query and saves the answer as
the project's long CSV. It uses only `urllib`; tests replace `_http` with a function
that returns hand-made files, so nothing here needs the internet to be tested.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from .data import validate_long
from .defaults import PXWEB_TABLE_URL  # noqa: E402  (the defaults the CLI shows)
from .pxweb_files import (  # noqa: F401
    AREA_HEADINGS,
    MEASURE_HEADINGS,
    MEASURE_PATTERNS,
    TIME_HEADINGS,
    measure_of,
    municipality_of,
    parse_jsonstat,
    parse_jsonstat_text,
    parse_pxweb_csv_text,
)

"""Table 12r5, the continuation of table 1001 (Statistics Finland, CC BY 4.0)."""

OLD_TABLE_1001_URL = (
    "http://pxnet2.stat.fi/PXWeb/api/v1/fi/StatFin/tym/tyonv/kk/statfin_tyonv_pxt_1001.px"
)
"""Where table 1001 lived before 2022 (the source of ``../shared/data/``); kept for reference."""

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
