"""CSV for people who open it in Excel (``--format csv --excel``), and text that stays text.

A Finnish Excel reads a CSV with the regional list separator (``;``) and decimal comma, and
guesses the encoding unless the file starts with a UTF-8 byte-order mark. `excel_csv`
writes that: semicolons, decimal commas, a BOM, CRLF line ends. Machine CSV (the default
``--format csv``) keeps commas, decimal points and identifiers.

Formula injection: a text cell that starts with ``= + - @`` (or a tab or carriage return)
would be run by Excel as a formula (issue 17 found ``=2+3`` becoming live). `safe_text`
prefixes such text with an apostrophe in CSV (Excel shows the text as written); the
workbook writer stores such cells as text instead (`xlsx.write_xlsx`).
"""

from __future__ import annotations

import io
from typing import IO

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def is_formula_like(v: object) -> bool:
    """True for text that a spreadsheet would take as a formula."""
    return isinstance(v, str) and v.startswith(FORMULA_START)


def safe_text(v: object) -> object:
    """Text that starts like a formula gets a leading apostrophe; anything else is returned as is."""
    return "'" + v if is_formula_like(v) else v


def _cell(v: object) -> object:
    """A cell of a mixed (object) column: text made safe, numbers with a decimal comma."""
    if isinstance(v, bool | np.bool_):
        return v
    if isinstance(v, float | np.floating):
        return "" if np.isnan(v) else repr(float(v)).replace(".", ",")
    return safe_text(v)


def excel_csv(df: pd.DataFrame) -> str:
    """`df` as Excel-for-Finland CSV text: BOM, ``;``, decimal comma, CRLF, formula-safe text."""
    out = df.copy()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            out.iloc[:, j] = col.map(_cell)
    out.columns = [safe_text(str(c)) for c in out.columns]
    buf = io.StringIO()
    out.to_csv(buf, sep=";", decimal=",", index=False, lineterminator="\r\n")
    return BOM + buf.getvalue()


def write_excel_csv(df: pd.DataFrame, stream: IO[str]) -> None:
    """Write `excel_csv(df)` to a text stream as UTF-8 bytes (through its buffer when it has one)."""
    text = excel_csv(df)
    buf = getattr(stream, "buffer", None)
    if buf is not None:
        stream.flush()
        buf.write(text.encode("utf-8"))
        buf.flush()
    else:
        stream.write(text)
