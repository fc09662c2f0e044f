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

import json
from pathlib import Path

import pandas as pd

from ..files import PUBLIC, atomic_path
from .csv_excel import is_formula_like
from .labels import SHEETS, XLSX_FORMATS, label
from .tables import ReportData

SHEET_ORDER = ("about", "options", "differences", "scenarios", "budget", "cost_items", "kpis", "municipalities",
               "services", "benefits", "stock_by_hub", "rules")
SHARE_COLS = {"gap_share_of_frame", "share", "late_meetings_share", "benefit_municipal_share"}
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


def for_people(key: str, df: pd.DataFrame, rd: ReportData, lang: str) -> pd.DataFrame:
    """A report table with its identifiers in words (scenarios, KPIs, payers, cost items,
    services, rules, booleans); the numbers are untouched. The Parquet/CSV/JSON keep the ids."""
    from .html import descriptions, service_labels, titles
    from .labels import (
        clear_label,
        item_label,
        kpi_label,
        payer_label,
        rule_value_text,
        service_label,
    )

    if df is None or df.empty:
        return df
    df = df.copy()
    tt = titles(rd, lang)
    for c in ("scenario", "option", "baseline"):
        if c in df:
            df[c] = df[c].map(lambda s: tt.get(s, s))
    if key == "scenarios" and "description" in df:
        dd = descriptions(rd, lang)
        df["description"] = [dd.get(n, d) for n, d in zip(rd.tables["scenarios"]["scenario"], df["description"],
                                                          strict=True)]
    if "kpi" in df:
        df["kpi_code"] = df["kpi"]
        df["kpi"] = df["kpi"].map(lambda k: kpi_label(lang, k))
    if key == "benefits" and "payer" in df:
        df["payer"] = df["payer"].map(lambda p: payer_label(lang, p))
    if key == "services":
        if "payer" in df:
            df["payer"] = df["payer"].map(lambda p: payer_label(lang, p))
        df["service"] = [service_label(lang, s, lf) for s, lf in zip(df["service"], df["label_fi"], strict=True)]
        df = df.drop(columns=["label_fi"])
        from ..money.budget import expected_broad_unemployment
        from .labels import purchase_rule_text
        scs = {sd.name: sd.scenario for sd in rd.scenarios}
        rules = []
        for name, svc, rule in zip(rd.tables["services"]["scenario"], rd.tables["services"]["service"],
                                   df["rule"], strict=True):
            sc = scs.get(name)
            rules.append(purchase_rule_text(lang, sc.services[svc], expected_broad_unemployment(sc))
                         if sc is not None and svc in sc.services else rule)
        df["rule"] = rules
    if key == "cost_items":
        sl = service_labels(rd)
        df["item"] = df["item"].map(lambda i: item_label(lang, i, sl))
        df["group"] = df["group"].map(lambda g: label(lang, f"group_{g}"))
    if key == "rules":
        df["value"] = [rule_value_text(lang, r, json.loads(v)) for r, v in zip(df["rule"], df["value"], strict=True)]
        df["rule"] = df["rule"].map(lambda r: label(lang, f"rule_{r}"))
    if "municipality" in df and key in ("differences", "options"):
        df["municipality"] = df["municipality"].map(lambda m: m or label(lang, "area_total"))
    for c in ("clear", "benefit_clear"):
        if c in df:
            df[c] = df[c].map(lambda v: clear_label(lang, v) if pd.notna(v) else "")
    for c in ("closed", "to_verify", "ci95_clipped"):
        if c in df:
            df[c] = df[c].map(lambda v: label(lang, "yes" if bool(v) else "no"))
    drop = [c for c in ("kpi_code", "gap_tolerance_eur", "baseline") if c in df and key != "budget"]
    if key == "differences":
        drop = [c for c in ("kpi_code", "diff_sd") if c in df]
    return df.drop(columns=[c for c in drop if c != "baseline" or key in ("options",)])


def about_sheet(rd: ReportData, lang: str) -> pd.DataFrame:
    """The first sheet: warnings, headline findings in words, the interval method, notes."""
    from .html import headline, method_text, warnings_list

    rows = [(label(lang, "warnings"), w) for w in warnings_list(rd, lang)]
    rows += [(label(lang, "headline"), h) for h in headline(rd, lang)]
    rows.append((label(lang, "method"), method_text(rd, lang)))
    rows += [(label(lang, "notes"), label(lang, k).format(**kw)) for k, kw in rd.note_items]
    return pd.DataFrame(rows, columns=[label(lang, "group"), label(lang, "description")])


def _text_cells_stay_text(ws) -> None:
    """Formula injection: a text cell that starts with = + - @ is stored as text, never a formula."""
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if isinstance(v, str) and is_formula_like(v):
                cell.data_type = "s"
                cell.quotePrefix = True


def write_xlsx(rd: ReportData, path: Path, lang: str) -> Path:
    """Write the workbook to `path` atomically (temporary file + os.replace)."""
    path = Path(path)
    fmts = XLSX_FORMATS[lang]
    with atomic_path(path, PUBLIC, suffix=".xlsx") as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for key in SHEET_ORDER:
                if key == "about":
                    df = about_sheet(rd, lang)
                    df.to_excel(xw, sheet_name=SHEETS[lang][key], index=False)
                    ws = xw.sheets[SHEETS[lang][key]]
                    ws.column_dimensions["A"].width = 28
                    ws.column_dimensions["B"].width = 160
                    _text_cells_stay_text(ws)
                    continue
                df = rd.tables.get(key, pd.DataFrame())
                sheet = SHEETS[lang][key]
                if df is None or df.empty:
                    if key in ("options", "differences"):
                        continue                       # one scenario: nothing to compare
                    pd.DataFrame({label(lang, "notes"): [label(lang, "not_available")]}).to_excel(
                        xw, sheet_name=sheet, index=False)
                    continue
                codes = df["kpi"].reset_index(drop=True) if "kpi" in df else None
                df = for_people(key, df, rd, lang).reset_index(drop=True)
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
                    per_row = (key in ("kpis", "benefits") and col in ("mean", "ci95_lo", "ci95_hi")) or \
                        (key == "differences" and col in ("baseline_mean", "scenario_mean", "diff_mean",
                                                          "diff_ci95_lo", "diff_ci95_hi"))
                    for i in range(len(df)):
                        kind = (_row_kind(codes[i]) if per_row and codes is not None
                                else ("eur" if per_row else _kind(col)))
                        if key == "differences" and col == "diff_pct":
                            kind = "decimal"
                        ws.cell(row=i + 2, column=j).number_format = fmts[kind]
                _text_cells_stay_text(ws)
    return path
