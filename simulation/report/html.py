"""The HTML report: one self-contained page (tables and embedded PNG figures).

The page is rendered from ``templates/report.html.j2`` with Jinja2 autoescaping on, so
any text from scenario files (names, descriptions, notes) is escaped. Figures are
embedded as ``data:image/png;base64,...`` URIs and the page has no other references
(no scripts, no style sheets, no links to files), so it can be mailed or archived as is.

Longer than 400 lines because the report page's sections, each a short function feeding the
Jinja2 template.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from ..tables.kpis import MIN_REPS_FOR_CI, few_replications, t_multiplier
from . import figures
from .labels import (
    clear_label,
    fmt_number,
    fmt_signed,
    item_label,
    kpi_label,
    label,
    payer_label,
    purchase_rule_text,
    rule_value_text,
    scenario_description,
    scenario_title,
    sharing_key_text,
)
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


def titles(rd: ReportData, lang: str) -> dict[str, str]:
    """Scenario name → the title people read (`labels.scenario_title`)."""
    out = {}
    for sd in rd.scenarios:
        desc = sd.scenario.description if sd.scenario else ""
        out[sd.name] = scenario_title(lang, sd.name, desc)
    return out


def descriptions(rd: ReportData, lang: str) -> dict[str, str]:
    out = {}
    for sd in rd.scenarios:
        res = sd.manifest.get("resolved_scenario", {}) or {}
        desc = sd.scenario.description if sd.scenario else res.get("description", "")
        desc_fi = (getattr(sd.scenario, "description_fi", "") if sd.scenario else "") or res.get("description_fi", "")
        out[sd.name] = scenario_description(lang, sd.name, desc, desc_fi or "")
    return out


def service_labels(rd: ReportData) -> dict[str, str]:
    out: dict[str, str] = {}
    for sd in rd.scenarios:
        if sd.scenario is not None:
            out.update({n: s.label_fi for n, s in sd.scenario.services.items() if n not in out})
    return out


def scenarios_section(rd: ReportData, lang: str) -> dict[str, Any]:
    t = rd.tables["scenarios"]
    tt, dd = titles(rd, lang), descriptions(rd, lang)
    cols = ["scenario", "description", "replications", "years", "file", "notes"]
    rows = []
    for _, r in t.iterrows():
        rows.append([_cell(tt.get(r.scenario, r.scenario), lang, "text"),
                     _cell(dd.get(r.scenario, r.description), lang, "text"),
                     _cell(r.replications, lang), _cell(r.years, lang, "decimal"),
                     _cell(r.file, lang, "text"), _cell(r.notes, lang, "text")])
    return _table([label(lang, c) for c in cols], rows)


def budget_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["budget"]
    if t.empty:
        return None
    tt = titles(rd, lang)
    cols = ["scenario", "year", "cost_eur", "frame_eur", "gap_eur", "gap_share_of_frame", "closed",
            "staff_eur", "regional_services_eur", "purchased_services_eur", "other_expenses_eur"]
    if "simulated_service_cost_eur" in t:
        cols.append("simulated_service_cost_eur")
    rows = []
    for _, r in t.iterrows():
        rows.append([_cell(tt.get(r[c], r[c]) if c == "scenario" else r[c], lang, "text" if c == "scenario" else
                           ("share" if c == "gap_share_of_frame" else ("text" if c == "year" else "auto")))
                     for c in cols])
    return _table([label(lang, c) for c in cols], rows)


def cost_items_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["cost_items"]
    if t.empty:
        return None
    scen = list(dict.fromkeys(t["scenario"]))
    items = list(dict.fromkeys(t["item"]))
    tt, sl = titles(rd, lang), service_labels(rd)
    piv = t.pivot(index="item", columns="scenario", values="cost_eur").reindex(items)
    fte = t.pivot(index="item", columns="scenario", values="fte").reindex(items)
    group = t.drop_duplicates("item").set_index("item")["group"]
    rows = []
    for it in items:
        row = [_cell(item_label(lang, it, sl), lang, "text"), _cell(label(lang, f"group_{group[it]}"), lang, "text")]
        for s in scen:
            v = piv.loc[it, s] if s in piv.columns else np.nan
            f = fte.loc[it, s] if s in fte.columns else np.nan
            txt = fmt_number(v, lang, 0)
            if pd.notna(f):
                txt += f" ({fmt_number(f, lang, 1)} {label(lang, 'fte')})"
            row.append({"text": txt, "num": True})
        rows.append(row)
    return _table([label(lang, "item"), label(lang, "group"), *[tt.get(x, x) for x in scen]], rows)


def kpi_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["kpis"]
    if t.empty:
        return None
    years = sorted(t["year"].unique())
    tt = titles(rd, lang)
    rows = []
    for (s, k), g in t.groupby(["scenario", "kpi"], sort=False):
        g = g.set_index("year")
        pct = k.endswith("_share")
        row = [_cell(tt.get(s, s), lang, "text"), _cell(kpi_label(lang, k), lang, "text")]
        for y in years:
            if y in g.index:
                r = g.loc[y]
                row.append({"text": _ci_text(r["mean"], r["ci95_lo"], r["ci95_hi"], lang, 1 if pct else 0, pct)
                            + ("*" if r.get("ci95_clipped", False) else ""), "num": True})
            else:
                row.append({"text": "", "num": True})
        rows.append(row)
    return _table([label(lang, "scenario"), label(lang, "kpi"), *[str(y) for y in years]], rows)


def benefits_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["benefits"]
    if t.empty:
        return None
    names = {"municipal": label(lang, "payer_municipal"), "state": label(lang, "payer_state"),
             "total": label(lang, "payer_total")}
    tt = titles(rd, lang)
    rows = [[_cell(tt.get(r.scenario, r.scenario), lang, "text"), _cell(str(r.year), lang, "text"),
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
        out.append({"scenario": titles(rd, lang).get(s, s), "year": y0,
                    **_table([label(lang, c) for c in cols], rows)})
    return out


def services_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["services"]
    if t.empty:
        return None
    if "year" in t:
        t = t[t["year"] == t["year"].min()]
    rows = []
    tt = titles(rd, lang)
    scs = {sd.name: sd.scenario for sd in rd.scenarios}
    from ..money.budget import expected_broad_unemployment
    for _, r in t.iterrows():
        sim = (_ci_text(r["simulated_cost_eur"], r["simulated_cost_eur_ci95_lo"], r["simulated_cost_eur_ci95_hi"], lang)
               if "simulated_cost_eur" in r and pd.notna(r.get("simulated_cost_eur")) else label(lang, "not_available"))
        sc = scs.get(r.scenario)
        if sc is not None and r.service in sc.services:
            rule = purchase_rule_text(lang, sc.services[r.service], expected_broad_unemployment(sc))
        else:
            rule = r.rule
        from .labels import service_label
        rows.append([_cell(tt.get(r.scenario, r.scenario), lang, "text"),
                     _cell(service_label(lang, r.service, r.label_fi), lang, "text"),
                     _cell(payer_label(lang, r.payer), lang, "text"), _cell(r.planned_places, lang, "decimal"),
                     _cell(r.planned_cost_eur, lang), {"text": sim, "num": True}, _cell(rule, lang, "text")])
    year = f" ({int(t['year'].iloc[0])})" if "year" in t and len(t) else ""
    return _table([label(lang, "scenario"), label(lang, "service"), label(lang, "payer"),
                   label(lang, "planned_places"), label(lang, "planned_cost_eur"),
                   label(lang, "simulated_service_cost_eur") + year, label(lang, "rule")], rows)


def rules_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    t = rd.tables["rules"]
    if t.empty:
        return None
    tt = titles(rd, lang)
    rows = [[_cell(tt.get(r.scenario, r.scenario), lang, "text"), _cell(label(lang, f"rule_{r.rule}"), lang, "text"),
             _cell(rule_value_text(lang, r.rule, json.loads(r.value)), lang, "text"),
             _cell(r.valid_from, lang, "text"), _cell(bool(r.to_verify), lang), _cell(r.source, lang, "text")]
            for _, r in t.iterrows()]
    return _table([label(lang, c) for c in ("scenario", "rule", "rule_value", "valid_from", "to_verify",
                                            "rule_source")], rows)


def _kpi_dec(kpi: str) -> tuple[int, bool]:
    """Decimals and percent flag for a KPI's figures."""
    if kpi.endswith("_share"):
        return 1, True
    return (0, False) if kpi.endswith("_eur") or "late" in kpi or "missed" in kpi else (1, False)


def _diff_text(r: Any, lang: str) -> str:
    dec, pct = _kpi_dec(r.kpi)
    dec = 2 if pct else dec
    sep = "; " if lang == "fi" else ", "
    if pd.isna(r.diff_ci95_lo):
        return fmt_signed(r.diff_mean, lang, dec, pct)
    return (f"{fmt_signed(r.diff_mean, lang, dec, pct)} [{fmt_signed(r.diff_ci95_lo, lang, dec, pct)}{sep}"
            f"{fmt_signed(r.diff_ci95_hi, lang, dec, pct)}]")


def differences_sections(rd: ReportData, lang: str) -> dict[str, Any] | None:
    """The paired differences: area (all KPIs, each year) and by municipality (key KPIs)."""
    d = rd.tables.get("differences", pd.DataFrame())
    if d is None or d.empty:
        return None
    tt = titles(rd, lang)
    area = d[d.municipality == ""]
    head = [label(lang, "option"), label(lang, "year"), label(lang, "kpi"), label(lang, "baseline_mean"),
            label(lang, "scenario_mean"), label(lang, "diff_ci95"), label(lang, "clear")]
    rows = []
    for r in area.itertuples():
        dec, pct = _kpi_dec(r.kpi)
        rows.append([_cell(tt.get(r.scenario, r.scenario), lang, "text"), _cell(str(r.year), lang, "text"),
                     _cell(kpi_label(lang, r.kpi), lang, "text"),
                     {"text": fmt_number(r.baseline_mean, lang, dec, pct), "num": True},
                     {"text": fmt_number(r.scenario_mean, lang, dec, pct), "num": True},
                     {"text": _diff_text(r, lang), "num": True},
                     _cell(clear_label(lang, r.clear), lang, "text")])
    muni = d[(d.municipality != "") & d.kpi.isin(["late_meetings", "benefit_cost_municipal_eur"])]
    mrows = []
    for (s, y, m), g in muni.groupby(["scenario", "year", "municipality"], sort=False):
        g = g.set_index("kpi")
        row = [_cell(tt.get(s, s), lang, "text"), _cell(str(y), lang, "text"), _cell(m, lang, "text")]
        for k in ("late_meetings", "benefit_cost_municipal_eur"):
            if k in g.index:
                r = g.loc[k]
                txt = _diff_text(SimpleNamespace(kpi=k, diff_mean=r["diff_mean"], diff_ci95_lo=r["diff_ci95_lo"],
                                                 diff_ci95_hi=r["diff_ci95_hi"]), lang)
                row.append({"text": txt + (" •" if r["clear"] else ""), "num": True})
            else:
                row.append({"text": label(lang, "not_available"), "num": True})
        mrows.append(row)
    mhead = [label(lang, "option"), label(lang, "year"), label(lang, "municipality"),
             f"{kpi_label(lang, 'late_meetings')}: {label(lang, 'diff_ci95')}",
             f"{kpi_label(lang, 'benefit_cost_municipal_eur')}: {label(lang, 'diff_ci95')}"]
    return {"area": _table(head, rows), "muni": _table(mhead, mrows) if mrows else None,
            "sentence": clear_sentence(rd, lang)}


def clear_sentence(rd: ReportData, lang: str) -> str:
    """Which area differences are clear (95 % interval excludes 0), in words, first year."""
    d = rd.tables.get("differences", pd.DataFrame())
    if d is None or d.empty:
        return label(lang, "h_only_baseline")
    tt = titles(rd, lang)
    y0 = int(d["year"].min())
    a = d[(d.municipality == "") & (d.year == y0) & (d.kpi.isin(_HEADLINE_KPIS))]
    clear = a[a.clear]
    if clear.empty:
        return label(lang, "h_clear_none").format(year=y0)
    items = [f"{tt.get(r.scenario, r.scenario)}: {kpi_label(lang, r.kpi).lower()} {_diff_text(r, lang)}"
             for r in clear.itertuples()]
    text = label(lang, "h_clear").format(year=y0, items="; ".join(items))
    if (~a.clear & (a.diff_mean != 0)).any():
        text += " " + label(lang, "h_not_clear")
    return text


_HEADLINE_KPIS = ("stock_mean", "late_meetings", "late_meetings_share", "benefit_cost_eur",
                  "benefit_cost_municipal_eur", "service_cost_eur")


def options_section(rd: ReportData, lang: str) -> dict[str, Any] | None:
    o = rd.tables.get("options", pd.DataFrame())
    if o is None or o.empty:
        return None
    tt = titles(rd, lang)
    has_ben = "diff_benefit_municipal_eur" in o
    head = [label(lang, "option"), label(lang, "year"), label(lang, "municipality"),
            label(lang, "opt_cost_eur"), label(lang, "base_cost_eur"), label(lang, "diff_cost_eur"),
            label(lang, "opt_gap_eur"), label(lang, "base_gap_eur"), label(lang, "diff_gap_eur")]
    if has_ben:
        head += [label(lang, "opt_benefit_municipal_eur"), label(lang, "base_benefit_municipal_eur"),
                 f"{label(lang, 'diff_benefit_municipal_eur')} [{label(lang, 'ci95')}]"]
    rows = []
    for r in o.itertuples():
        row = [_cell(tt.get(r.option, r.option), lang, "text"), _cell(str(r.year), lang, "text"),
               _cell(r.municipality or label(lang, "area_total"), lang, "text"),
               _cell(r.opt_cost_eur, lang), _cell(r.base_cost_eur, lang),
               {"text": fmt_signed(r.diff_cost_eur, lang), "num": True},
               _cell(r.opt_gap_eur, lang), _cell(r.base_gap_eur, lang),
               {"text": fmt_signed(r.diff_gap_eur, lang), "num": True}]
        if has_ben:
            sep = "; " if lang == "fi" else ", "
            txt = (f"{fmt_signed(r.diff_benefit_municipal_eur, lang)} "
                   f"[{fmt_signed(r.diff_benefit_municipal_eur_ci95_lo, lang)}"
                   f"{sep}{fmt_signed(r.diff_benefit_municipal_eur_ci95_hi, lang)}]"
                   + (" •" if r.benefit_clear else "")) if pd.notna(r.diff_benefit_municipal_eur) else \
                label(lang, "not_available")
            row += [_cell(r.opt_benefit_municipal_eur, lang), _cell(r.base_benefit_municipal_eur, lang),
                    {"text": txt, "num": True}]
        rows.append(row)
    return _table(head, rows)


def warnings_list(rd: ReportData, lang: str) -> list[str]:
    """Visible warnings: too few replications for the 95 % interval; no common random numbers."""
    out = []
    few = {s: n for s, n in rd.replications.items() if few_replications(n)}
    if few:
        n = min(few.values())
        names = ", ".join(titles(rd, lang).get(s, s) for s in few)
        t = fmt_number(t_multiplier(n), lang, 1) if n >= 2 else "∞"
        out.append(label(lang, "warn_few_reps").format(n=n, scenarios=names, t=t, min=MIN_REPS_FOR_CI))
    seeds = {sd.name: sd.manifest.get("root_seed") for sd in rd.scenarios}
    if rd.baseline in seeds:
        other = [titles(rd, lang).get(s, s) for s, v in seeds.items() if v != seeds[rd.baseline]]
        if other:
            out.append(label(lang, "warn_no_crn").format(names=", ".join(other)))
    return out


def method_text(rd: ReportData, lang: str) -> str:
    ns = sorted({n for n in rd.replications.values() if n})
    n = "–".join(str(x) for x in (ns[0], ns[-1])) if len(ns) > 1 else (str(ns[0]) if ns else "0")
    text = label(lang, "method_text").format(n=n)
    if rd.clipped:
        text += " " + label(lang, "note_clipped").format(k=rd.clipped)
    return text


def headline(rd: ReportData, lang: str) -> list[str]:
    """The report's first words: late statutory meetings and why, the municipal benefit share,
    the budget gap and the options, and which differences are clear — each with its figure."""
    out = []
    base = rd.baseline
    tt = titles(rd, lang)
    k = rd.tables["kpis"]
    if base is not None and len(k):
        kb = k[k.scenario == base]
        y0 = int(kb["year"].min())
        g = kb[kb.year == y0].set_index("kpi")
        if "late_meetings" in g.index and "late_meetings_share" in g.index:
            sh = g.loc["late_meetings_share"]
            ini, js = (g.loc[k, "mean"] if k in g.index else np.nan
                       for k in ("initial_interviews_deadline_missed", "job_search_interviews_deadline_missed"))
            out.append(label(lang, "h_late").format(
                s=tt.get(base, base), late=fmt_number(g.loc["late_meetings", "mean"], lang), year=y0,
                share=fmt_number(sh["mean"], lang, 1, True), lo=fmt_number(sh["ci95_lo"], lang, 1, True),
                hi=fmt_number(sh["ci95_hi"], lang, 1, True), ini=fmt_number(ini, lang), js=fmt_number(js, lang)))
            hl = rd.tables.get("hub_load", pd.DataFrame())
            if len(hl):
                h = hl[(hl.scenario == base) & (hl.year == str(y0))] if hl["year"].dtype == object else \
                    hl[(hl.scenario == base) & (hl.year == y0)]
                if len(h):
                    util = h["used_hours"].sum() / h["capacity_hours"].sum()
                    worst = h.sort_values("late_meetings", ascending=False).iloc[0]
                    out.append(label(lang, "h_late_why").format(
                        year=y0, fte=fmt_number(h["staff_fte"].sum(), lang, 1), util=fmt_number(util, lang, 0, True),
                        hub=worst.hub, hub_late=fmt_number(worst.late_meetings, lang),
                        hub_util=fmt_number(worst.utilisation, lang, 0, True))
                        + (" " + label(lang, "h_late_rule_2025") if y0 <= 2025 else ""))
        if "benefit_cost_municipal_eur" in g.index and "benefit_cost_eur" in g.index:
            mb, tot = g.loc["benefit_cost_municipal_eur"], g.loc["benefit_cost_eur"]
            m = rd.tables["municipalities"]
            mm = m[(m.scenario == base) & (m.year == y0)] if len(m) else m
            big = (mm.sort_values("benefit_municipal_eur", ascending=False).iloc[0]
                   if len(mm) and "benefit_municipal_eur" in mm and mm["benefit_municipal_eur"].notna().any() else None)
            out.append(label(lang, "h_benefit").format(
                year=y0, eur=_eur(mb["mean"], lang), lo=_eur(mb["ci95_lo"], lang), hi=_eur(mb["ci95_hi"], lang),
                pct=fmt_number(mb["mean"] / tot["mean"], lang, 1, True), total=_eur(tot["mean"], lang),
                muni=big.municipality if big is not None else label(lang, "not_available"),
                muni_eur=_eur(big.benefit_municipal_eur, lang) if big is not None else ""))
    b = rd.tables["budget"]
    if base is not None and len(b) and base in set(b.scenario):
        bb = b[b.scenario == base].iloc[0]
        out.append(label(lang, "h_gap").format(
            year=int(bb.year), cost=_eur(bb.cost_eur, lang), frame=_eur(bb.frame_eur, lang),
            gap=_eur(bb.gap_eur, lang), pct=fmt_number(bb.gap_share_of_frame, lang, 1, True),
            closed=label(lang, "h_gap_closed" if bb.closed else "h_gap_open")))
        others = b[(b.scenario != base) & (b.year == bb.year)]
        if len(others):
            items = [label(lang, "h_option_item").format(
                s=tt.get(r.scenario, r.scenario), gap=_eur(r.gap_eur, lang),
                closed=label(lang, "h_gap_closed" if r.closed else "h_gap_open")) for r in others.itertuples()]
            out.append(label(lang, "h_options").format(items="; ".join(items)))
    if len(rd.scenarios) > 1:
        out.append(clear_sentence(rd, lang))
    return out


def _eur(x: float, lang: str) -> str:
    return f"{fmt_number(x, lang)}\u00a0€" if lang == "fi" else f"EUR {fmt_number(x, lang)}"


def make_figures(rd: ReportData, lang: str) -> dict[str, bytes | None]:
    tt = titles(rd, lang)
    return {
        "stock_by_hub": figures.stock_by_hub(rd.tables["stock_by_hub_ci"], lang, tt, rd.baseline),
        "late_meetings": figures.late_meetings(rd.tables["kpis"], lang, tt),
        "benefits_by_payer": figures.benefits_by_payer(rd.tables["benefits"], lang, tt),
        "municipal_benefit": figures.municipal_benefit(rd.tables["municipalities"], lang, tt),
        "budget_gap": figures.budget_gap(rd.tables["budget"], lang, tt),
        "differences": figures.differences(rd.tables.get("differences"), lang, tt),
        "differences_by_municipality": figures.differences_by_municipality(rd.tables.get("differences"), lang, tt),
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
            key, rounding = sharing_key_text(lang, sd.scenario.budget.cost_sharing_key,
                                             sd.scenario.budget.cost_sharing_rounding)
            break
    L = {k: label(lang, k) for k in (
        "title", "area", "generated", "source_dir", "scenarios", "kpis", "kpis_intro", "budget",
        "budget_intro", "cost_items", "municipalities", "services", "services_intro", "benefits",
        "stock_by_hub", "rules", "rules_intro", "notes", "fig_stock_by_hub", "fig_late", "fig_benefits",
        "fig_gap", "fig_benefits_na", "budget_na", "not_available", "year", "contents", "headline", "warnings",
        "method", "differences", "differences_intro", "differences_muni", "options", "options_intro",
        "rules_sources_note")}
    L["fig_diff"] = label(lang, "fig_diff").format(year="")
    L["fig_diff_muni"] = label(lang, "fig_diff_muni").format(year="")
    L["fig_municipal_benefit"] = label(lang, "fig_municipal_benefit").format(year="")
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
        notes=[label(lang, k).format(**kw) for k, kw in rd.note_items],
        headline=headline(rd, lang),
        warnings=warnings_list(rd, lang),
        method=method_text(rd, lang),
        differences=differences_sections(rd, lang),
        options=options_section(rd, lang),
    )
