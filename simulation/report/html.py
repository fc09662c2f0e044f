"""The HTML report: one self-contained page (tables and embedded PNG figures).

The page is rendered from ``templates/report.html.j2`` with Jinja2 autoescaping on, so
any text from scenario files (names, descriptions, notes) is escaped. Figures are
embedded as ``data:image/png;base64,...`` URIs and the page has no other references
(no scripts, no style sheets, no links to files), so it can be mailed or archived as is.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from . import figures
from .labels import fmt_number, label
from .tables import ReportData

EUR_COLS = {"cost_eur", "frame_eur", "gap_eur", "state_grant_eur", "transition_funding_eur", "staff_eur",
            "regional_services_eur", "purchased_services_eur", "other_expenses_eur",
            "simulated_service_cost_eur", "planned_cost_eur", "cost_share_eur", "gap_share_eur",
            "unit_cost_eur"}


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("simulation.report", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def _cell(v: Any, lang: str, kind: str = "auto") -> dict[str, Any]:
    """A table cell: text and whether it is a number (right-aligned)."""
    if kind == "text" or isinstance(v, str):
        return {"text": "" if v is None else str(v), "num": False}
    if isinstance(v, (bool, np.bool_)):
        return {"text": label(lang, "yes" if v else "no"), "num": False}
    if kind == "share":
        return {"text": fmt_number(v, lang, 1, percent=True), "num": True}
    if kind == "decimal":
        return {"text": fmt_number(v, lang, 1), "num": True}
    return {"text": fmt_number(v, lang, 0), "num": True}


def _ci_text(mean: float, lo: float, hi: float, lang: str, decimals: int = 0, percent: bool = False) -> str:
    s = fmt_number(mean, lang, decimals, percent)
    if lo is None or pd.isna(lo):
        return s
    return f"{s} [{fmt_number(lo, lang, decimals, percent)} – {fmt_number(hi, lang, decimals, percent)}]"


def _table(headers: list[str], rows: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"headers": headers, "rows": rows}


def scenarios_section(rd: ReportData, lang: str) -> dict[str, Any]:
    t = rd.tables["scenarios"]
    cols = ["scenario", "description", "replications", "years", "file", "notes"]
    rows = [[_cell(r[c], lang, "decimal" if c == "years" else ("text" if c != "replications" else "auto"))
             for c in cols] for _, r in t.iterrows()]
    return _table([label(lang, c) for c in cols], rows)


def budget_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["budget"]
    if t.empty:
        return None
    cols = ["scenario", "year", "cost_eur", "frame_eur", "gap_eur", "gap_share_of_frame", "closed",
            "staff_eur", "regional_services_eur", "purchased_services_eur", "other_expenses_eur"]
    if "simulated_service_cost_eur" in t:
        cols.append("simulated_service_cost_eur")
    rows = []
    for _, r in t.iterrows():
        rows.append([_cell(r[c], lang, "text" if c == "scenario" else
                           ("share" if c == "gap_share_of_frame" else ("text" if c == "year" else "auto")))
                     for c in cols])
    return _table([label(lang, c) for c in cols], rows)


def cost_items_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["cost_items"]
    if t.empty:
        return None
    scen = list(dict.fromkeys(t["scenario"]))
    items = list(dict.fromkeys(t["item"]))
    piv = t.pivot(index="item", columns="scenario", values="cost_eur").reindex(items)
    fte = t.pivot(index="item", columns="scenario", values="fte").reindex(items)
    group = t.drop_duplicates("item").set_index("item")["group"]
    rows = []
    for it in items:
        row = [_cell(it, lang, "text"), _cell(label(lang, f"group_{group[it]}"), lang, "text")]
        for s in scen:
            v = piv.loc[it, s] if s in piv.columns else np.nan
            f = fte.loc[it, s] if s in fte.columns else np.nan
            txt = fmt_number(v, lang, 0)
            if pd.notna(f):
                txt += f" ({fmt_number(f, lang, 1)} {label(lang, 'fte')})"
            row.append({"text": txt, "num": True})
        rows.append(row)
    return _table([label(lang, "item"), label(lang, "group"), *scen], rows)


def kpi_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["kpis"]
    if t.empty:
        return None
    years = sorted(t["year"].unique())
    rows = []
    for (s, k), g in t.groupby(["scenario", "kpi"], sort=False):
        g = g.set_index("year")
        pct = k == "late_meetings_share"
        row = [_cell(s, lang, "text"), _cell(label(lang, f"kpi_{k}"), lang, "text")]
        for y in years:
            if y in g.index:
                r = g.loc[y]
                row.append({"text": _ci_text(r["mean"], r["ci95_lo"], r["ci95_hi"], lang, 1 if pct else 0, pct),
                            "num": True})
            else:
                row.append({"text": "", "num": True})
        rows.append(row)
    return _table([label(lang, "scenario"), label(lang, "kpi"), *[str(y) for y in years]], rows)


def benefits_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["benefits"]
    if t.empty:
        return None
    names = {"municipal": label(lang, "payer_municipal"), "state": label(lang, "payer_state"),
             "total": label(lang, "benefit_cost_eur")}
    rows = [[_cell(r.scenario, lang, "text"), _cell(str(r.year), lang, "text"),
             _cell(names.get(r.payer, r.payer), lang, "text"),
             {"text": _ci_text(r["mean"], r["ci95_lo"], r["ci95_hi"], lang), "num": True}]
            for _, r in t.iterrows()]
    return _table([label(lang, "scenario"), label(lang, "year"), label(lang, "payer"),
                   f"{label(lang, 'mean')} [{label(lang, 'ci95')}]"], rows)


def municipalities_sections(rd: ReportData, lang: str) -> list[dict[str, Any]]:
    t = rd.tables["municipalities"]
    out = []
    if t.empty:
        return out
    for s, g in t.groupby("scenario", sort=False):
        y0 = int(g["year"].min())
        g = g[g.year == y0]
        rows = []
        for _, r in g.iterrows():
            if "benefit_municipal_eur" in r and pd.notna(r["benefit_municipal_eur"]):
                ben = _ci_text(r["benefit_municipal_eur"], r["benefit_municipal_eur_ci95_lo"],
                               r["benefit_municipal_eur_ci95_hi"], lang)
            else:
                ben = label(lang, "not_available")
            row = [_cell(r.municipality, lang, "text"), _cell(r.weight, lang, "decimal"),
                   _cell(r.share, lang, "share"), _cell(r.cost_share_eur, lang),
                   _cell(r.gap_share_eur, lang), {"text": ben, "num": True}]
            if "benefit_compensation_eur" in g:
                net = r.get("benefit_municipal_net_eur", np.nan)
                row += [_cell(r.benefit_compensation_eur, lang),
                        {"text": (_ci_text(net, r["benefit_municipal_net_eur_ci95_lo"],
                                           r["benefit_municipal_net_eur_ci95_hi"], lang)
                                  if pd.notna(net) else label(lang, "not_available")), "num": True}]
            rows.append(row)
        cols = ["municipality", "weight", "share", "cost_share_eur", "gap_share_eur", "benefit_municipal_eur"]
        if "benefit_compensation_eur" in g:
            cols += ["benefit_compensation_eur", "benefit_municipal_net_eur"]
        out.append({"scenario": s, "year": y0, **_table([label(lang, c) for c in cols], rows)})
    return out


def services_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["services"]
    if t.empty:
        return None
    if "year" in t:
        t = t[t["year"] == t["year"].min()]
    rows = []
    for _, r in t.iterrows():
        sim = (_ci_text(r["simulated_cost_eur"], r["simulated_cost_eur_ci95_lo"], r["simulated_cost_eur_ci95_hi"], lang)
               if "simulated_cost_eur" in r and pd.notna(r.get("simulated_cost_eur")) else label(lang, "not_available"))
        rows.append([_cell(r.scenario, lang, "text"), _cell(r.service, lang, "text"),
                     _cell(r.label_fi, lang, "text"), _cell(r.planned_places, lang, "decimal"),
                     _cell(r.planned_cost_eur, lang), {"text": sim, "num": True}, _cell(r.rule, lang, "text")])
    year = f" ({int(t['year'].iloc[0])})" if "year" in t and len(t) else ""
    return _table([label(lang, "scenario"), label(lang, "service"), "label_fi", label(lang, "planned_places"),
                   label(lang, "planned_cost_eur"), label(lang, "simulated_service_cost_eur") + year,
                   label(lang, "rule")], rows)


def rules_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["rules"]
    if t.empty:
        return None
    rows = [[_cell(r.scenario, lang, "text"), _cell(r.rule, lang, "text"), _cell(r.value, lang, "text"),
             _cell(r.valid_from, lang, "text"), _cell(bool(r.to_verify), lang), _cell(r.source, lang, "text")]
            for _, r in t.iterrows()]
    return _table([label(lang, c) for c in ("scenario", "rule", "rule_value", "valid_from", "to_verify",
                                            "rule_source")], rows)


def make_figures(rd: ReportData, lang: str) -> dict[str, bytes | None]:
    return {
        "stock_by_hub": figures.stock_by_hub(rd.tables["stock_by_hub_ci"], lang),
        "late_meetings": figures.late_meetings(rd.tables["kpis"], lang),
        "benefits_by_payer": figures.benefits_by_payer(rd.tables["benefits"], lang),
        "budget_gap": figures.budget_gap(rd.tables["budget"], lang),
    }


def render_html(rd: ReportData, lang: str, figs: dict[str, bytes | None] | None = None) -> str:
    """The report page as a string (figures embedded)."""
    figs = make_figures(rd, lang) if figs is None else figs
    uris = {k: ("data:image/png;base64," + base64.b64encode(v).decode("ascii")) if v else None
            for k, v in figs.items()}
    budget = rd.tables["budget"]
    tol = (float((budget["gap_tolerance_eur"] / budget["frame_eur"]).max() * 100)
           if len(budget) else 1.0)
    munis = rd.tables["municipalities"]
    key = rounding = ""
    for sd in rd.scenarios:
        if sd.scenario is not None and sd.scenario.budget is not None:
            key, rounding = sd.scenario.budget.cost_sharing_key, sd.scenario.budget.cost_sharing_rounding
            break
    L = {k: label(lang, k) for k in (
        "title", "area", "generated", "source_dir", "scenarios", "kpis", "kpis_intro", "budget",
        "budget_intro", "cost_items", "municipalities", "services", "services_intro", "benefits",
        "stock_by_hub", "rules", "rules_intro", "notes", "fig_stock_by_hub", "fig_late", "fig_benefits",
        "fig_gap", "fig_benefits_na", "budget_na", "not_available", "year", "contents")}
    L["budget_closed"] = label(lang, "budget_closed").format(tol=fmt_number(tol, lang, 0))
    L["municipalities_intro"] = label(lang, "municipalities_intro").format(key=key, rounding=rounding)
    return _env().get_template("report.html.j2").render(
        lang=lang, L=L,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        source=str(rd.source),
        scenarios=scenarios_section(rd, lang),
        budget=budget_section(rd, lang),
        cost_items=cost_items_section(rd, lang),
        kpis=kpi_section(rd, lang),
        benefits=benefits_section(rd, lang),
        municipalities=municipalities_sections(rd, lang) if len(munis) else [],
        services=services_section(rd, lang),
        rules=rules_section(rd, lang),
        figs=uris,
        notes=rd.notes,
    )
