"""The Excel workbook: one sheet per report table, numbers stored as numbers.

Written with pandas' ExcelWriter (openpyxl). Headers and sheet names are in the report's
language (`labels.SHEETS`, `labels.LABELS`); cell values are the numbers of the tables
(never text), and each numeric column gets a display format from `labels.XLSX_FORMATS`
(euros with two decimals, counts with thousands grouping, shares as percentages; with
``--lang fi`` the euro sign after the number and a space before "%"). The
``stock_by_hub`` sheet holds the Parquet numbers themselves (monthly table summed by
hub, per scenario × replication × month), so a budget preparer can check any figure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from .labels import SHEETS, XLSX_FORMATS, label
from .tables import ReportData

SHEET_ORDER = ("scenarios", "budget", "cost_items", "kpis", "municipalities", "services", "benefits",
               "stock_by_hub", "rules")
SHARE_COLS = {"gap_share_of_frame", "share", "late_meetings_share"}
DECIMAL_COLS = {"fte", "weight", "planned_places", "years", "unit_cost_eur_per_month"}
INT_COLS = {"year", "replication", "n", "replications", "n_replications"}


def _kind(col: str) -> str | None:
    if col in SHARE_COLS:
        return "share"
    if col in INT_COLS:
        return "int"
    if col in DECIMAL_COLS:
        return "decimal"
    if "_eur" in col:
        return "eur"
    return "count"


def _row_kind(kpi: str) -> str:
    if kpi.endswith("_share"):
        return "share"
    if kpi.endswith("_eur"):
        return "eur"
    return "decimal"


def write_xlsx(rd: ReportData, path: Path, lang: str) -> Path:
    """Write the workbook to `path` atomically (temporary file + os.replace)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmts = XLSX_FORMATS[lang]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx")
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for key in SHEET_ORDER:
                df = rd.tables.get(key, pd.DataFrame())
                sheet = SHEETS[lang][key]
                if df is None or df.empty:
                    pd.DataFrame({label(lang, "notes"): [label(lang, "not_available")]}).to_excel(
                        xw, sheet_name=sheet, index=False)
                    continue
                df = df.reset_index(drop=True)
                df.to_excel(xw, sheet_name=sheet, index=False,
                            header=[label(lang, c) for c in df.columns])
                ws = xw.sheets[sheet]
                ws.freeze_panes = "A2"
                for j, col in enumerate(df.columns, start=1):
                    letter = ws.cell(row=1, column=j).column_letter
                    width = max(len(str(ws.cell(row=1, column=j).value)), 10)
                    ws.column_dimensions[letter].width = min(width + 2, 48)
                    if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
                        continue
                    per_row = key in ("kpis", "benefits") and col in ("mean", "ci95_lo", "ci95_hi")
                    for i in range(len(df)):
                        kind = (_row_kind(df.at[i, "kpi"]) if per_row and "kpi" in df
                                else ("eur" if per_row else _kind(col)))
                        ws.cell(row=i + 2, column=j).number_format = fmts[kind]
        from . import _umask

        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
