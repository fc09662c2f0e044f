"""The budget for people and machines: `tyosim budget`'s text table (Finnish or English),
its CSV (machine, or for Excel) and its JSON. (The figures are `money.budget`'s.)
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..money.budget import NOT_AVAILABLE, Budget, budget_config, expected_broad_unemployment, simulated_area_cost


def _eur(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.0f}"


def format_budget(bud: Budget, fmt: str = "table", lang: str = "en", excel: bool = False) -> str:
    """The budget as a text table, a long CSV or JSON.

    `lang` ("fi" or "en") is the language of the table and of the Excel CSV; JSON and the
    plain CSV are machine tables and keep the identifiers. With `excel` (``--format csv
    --excel``) the CSV is for people: words in `lang`, semicolons, decimal commas, a UTF-8
    byte-order mark (`report.csv_excel`). Intervals of the municipal benefit share are
    t-intervals with the lower end clipped at zero (a share cannot be negative).
    """
    if fmt == "json":
        return json.dumps(_clean(bud.to_dict()), ensure_ascii=False, indent=2, default=_json_default)
    if fmt == "csv":
        return _budget_people_csv(bud, lang) if excel else _budget_csv(bud)
    return _budget_table(bud, lang)


#: the words of `format_budget`'s table
_WORDS = {
    "en": dict(title="budget of scenario {name}",
               unit="EUR a year; cost = plan (capacities x unit costs), not simulated use",
               item="item", fte="fte", rows=("cost", "  staff", "  regional services (Jyväskylä)",
                                             "  purchased services", "  other expenses", "frame",
                                             "  state-grant increase", "  transition funding",
                                             "gap (cost - frame)"),
               gap_pct="gap, % of frame", closed="closed (|gap| <= {tol} % of frame)", yes="yes", no="no",
               memo="memo, not the area's money (in neither cost nor gap):", county="county",
               outside="outside frame", simulated="simulated service cost, area (mean, a year)",
               purchases="planned purchases (rule):", places="places", memo_item="memo",
               shares="share per municipality, {y0} (key {key}, rounding {rounding}); municipal benefit "
                      "share beside the gap, not in it;",
               net="net benefit cost = municipal share (gross) - compensation (budget.benefit_compensation):",
               cols=("municipality", "share %", "cost share", "gap share", "benefit, municipal gross (sim.)",
                     "compensation", "net (sim.)"), notes="notes:"),
    "fi": dict(title="skenaarion {name} talousarvio",
               unit="€ vuodessa; kustannus = suunnitelma (kapasiteetti × yksikkökustannus), ei simuloitu käyttö",
               item="kustannuserä", fte="htv", rows=("kustannus", "  henkilöstö", "  seudulliset palvelut (Jyväskylä)",
                                                     "  palveluiden ostot", "  muut menot", "kehys",
                                                     "  valtionosuuslisäys", "  siirtymäajan rahoitus",
                                                     "erotus (kustannus − kehys)"),
               gap_pct="erotus, % kehyksestä", closed="suljettu (|erotus| ≤ {tol} % kehyksestä)", yes="kyllä",
               no="ei", memo="muistierät, ei alueen rahaa (ei kustannuksessa eikä erotuksessa):",
               county="hyvinvointialue", outside="kehyksen ulkopuolella",
               simulated="simuloitu palvelukustannus, alue (ka., vuodessa)",
               purchases="suunnitellut ostot (laskentasääntö):", places="paikkaa", memo_item="muistierä",
               shares="osuudet kunnittain {y0} (jakoavain: {key}, {rounding}); kunnan työttömyysturvaosuus "
                      "erotuksen rinnalla, ei sen sisällä;",
               net="nettokustannus = kunnan osuus (brutto) − valtionosuuden kompensaatio:",
               cols=("kunta", "osuus %", "kust.osuus", "erotusosuus", "työttömyysturva, kunta (sim.)",
                     "kompensaatio", "netto (sim.)"), notes="huomiot:"),
}
_TABLE_COLUMNS = ("cost_eur", "staff_eur", "regional_services_eur", "purchased_services_eur",
                  "other_expenses_eur", "frame_eur", "state_grant_eur", "transition_funding_eur", "gap_eur")


def _budget_table(bud: Budget, lang: str) -> str:
    """`format_budget`'s text table in `lang` ("en" or "fi": the same figures, Finnish words
    and number formats)."""
    from .labels import (
        item_label,
        label,
        payer_label,
        purchase_rule_text,
        scenario_description,
        sharing_key_text,
    )

    W = _WORDS["fi" if lang == "fi" else "en"]
    fi = lang == "fi"

    def num(x: float, decimals: int = 0) -> str:
        if fi:
            return _fi(x, decimals)
        return _eur(x) if decimals == 0 else ("" if x is None or pd.isna(x) else f"{x:,.{decimals}f}")

    sc, t = bud.scenario, bud.table
    years = [int(y) for y in t.year]
    w = 14
    svc_labels = {n: s.label_fi for n, s in sc.services.items()}
    desc = (scenario_description("fi", sc.name, sc.description, getattr(sc, "description_fi", "") or "")
            if fi else sc.description)
    lines = [W["title"].format(name=sc.name) + (f": {desc}" if desc else ""), W["unit"], ""]
    lines.append(f"{W['item']:<44}{W['fte']:>7}" + "".join(f"{y:>{w}}" for y in years))
    for _, r in bud.items.iterrows():
        fte = "" if pd.isna(r.fte) else num(r.fte, 1)
        item = item_label("fi", r["item"], svc_labels)[:43] if fi else r["item"]
        lines.append(f"{item:<44}{fte:>7}" + "".join(f"{num(r.cost_eur):>{w}}" for _ in years))
    lines.append("-" * (51 + w * len(years)))
    for lab, col in zip(W["rows"], _TABLE_COLUMNS, strict=True):
        lines.append(f"{lab:<51}" + "".join(f"{num(v):>{w}}" for v in t[col]))
    lines.append(f"{W['gap_pct']:<51}" + "".join(f"{num(100 * v, 1):>{w}}" for v in t.gap_share_of_frame))
    tol = budget_config(sc).gap_tolerance_share_of_frame
    lines.append(f"{W['closed'].format(tol=num(100 * tol, 0) if fi else f'{100 * tol:g}'):<51}"
                 + "".join(f"{(W['yes'] if c else W['no']):>{w}}" for c in t.closed))
    if len(bud.memo):
        lines.append(W["memo"])
        for _, r in bud.memo.iterrows():
            who = W["county"] if r.payer == "wellbeing_county" else W["outside"]
            name = item_label("fi", r["item"], svc_labels) if fi else r["item"].removeprefix("service:")
            lab = f"  {name} ({who})"
            lines.append(f"{lab:<51}" + "".join(f"{num(r.memo_cost_eur):>{w}}" for _ in years))
    if bud.actual_services is not None:
        act = simulated_area_cost(bud.actual_services)
        lines.append(f"{W['simulated']:<51}" + "".join(f"{num(act.get(y, np.nan)):>{w}}" for y in years))
    broad = expected_broad_unemployment(sc) if (fi and sc.services) else float("nan")
    lines += ["", W["purchases"]]
    for _, p in bud.purchases.iterrows():
        places = "" if p.planned_places is None or pd.isna(p.planned_places) else num(p.planned_places, 1)
        if fi:
            memo = "" if p.memo_payer is None or p.memo_cost_eur == 0 else \
                f"  [{W['memo_item']} {num(p.memo_cost_eur)}, {payer_label('fi', p.memo_payer)}]"
            rule = purchase_rule_text("fi", sc.services[p.service], broad) if p.service in sc.services else p.rule
            lines.append(f"  {svc_labels.get(p.service) or p.service:<42}{places:>9} {W['places']}  "
                         f"{num(p.planned_cost_eur):>12}  {rule}{memo}")
        else:
            memo = "" if p.memo_payer is None or p.memo_cost_eur == 0 else \
                f"  [{W['memo_item']} {num(p.memo_cost_eur)} {p.memo_payer}]"
            lines.append(f"  {p.service:<30}{places:>9} {W['places']}  {num(p.planned_cost_eur):>12}  {p.rule}{memo}")
    b = budget_config(sc)
    y0 = years[0]
    m = bud.municipalities[bud.municipalities.year == y0]
    key, rounding = (sharing_key_text("fi", b.cost_sharing_key, b.cost_sharing_rounding) if fi
                     else (b.cost_sharing_key, b.cost_sharing_rounding))
    lines += ["", W["shares"].format(y0=y0, key=key, rounding=rounding), W["net"]]
    c = W["cols"]
    lines.append(f"  {c[0]:<14}{c[1]:>9}{c[2]:>14}{c[3]:>14}{c[4]:>34}{c[5]:>14}{c[6]:>14}")
    na = label("fi", "not_available") if fi else NOT_AVAILABLE
    for _, r in m.iterrows():
        if bud.benefit_available and pd.notna(r.get("benefit_municipal_eur", np.nan)):
            ben = f"{num(r.benefit_municipal_eur)} [{num(_clip0(r.benefit_municipal_eur_ci95_lo))}–" \
                  f"{num(r.benefit_municipal_eur_ci95_hi)}]"
        else:
            ben = na
        comp = num(r.benefit_compensation_eur) if "benefit_compensation_eur" in r else na
        net = r.get("benefit_municipal_net_eur", np.nan)
        net = num(net) if bud.benefit_available and pd.notna(net) else na
        lines.append(f"  {r.municipality:<14}{num(100 * r.share, 2):>9}{num(r.cost_share_eur):>14}"
                     f"{num(r.gap_share_eur):>14}{ben:>34}{comp:>14}{net:>14}")
    notes = ([*map(_note_fi, bud.notes), *_interval_notes(bud, "fi")] if fi
             else list(bud.notes) + _interval_notes(bud, "en"))
    if notes:
        lines += ["", W["notes"]] + [f"  - {n}" for n in notes]
    return "\n".join(lines)


def _clip0(x: float) -> float:
    """A lower interval end of a non-negative amount, clipped at zero (NaN stays NaN)."""
    return x if x is None or pd.isna(x) else max(float(x), 0.0)


def _n_replications(bud: Budget) -> int | None:
    if bud.actual_services is not None and "n_replications" in bud.actual_services and len(bud.actual_services):
        return int(bud.actual_services["n_replications"].min())
    return None


def _few_reps_warning(bud: Budget, lang: str) -> str | None:
    """A warning when the simulated figures rest on fewer than `kpis.MIN_REPS_FOR_CI` replications."""
    from ..tables.kpis import MIN_REPS_FOR_CI, few_replications, t_multiplier

    n = _n_replications(bud)
    if n is None or not few_replications(n):
        return None
    if lang == "fi":
        return (f"VAROITUS: vain {n} toistoa; 95 %:n väli on epävakaa (t-kerroin "
                + f"{t_multiplier(n):.1f}".replace(".", ",") + f"); aja vähintään {MIN_REPS_FOR_CI} "
                "toistoa tai käytä --reps auto")
    return (f"WARNING: only {n} replications; the 95 % interval is unstable (t multiplier "
            f"{t_multiplier(n):.1f}); run at least {MIN_REPS_FOR_CI} or use --reps auto")


def _interval_notes(bud: Budget, lang: str) -> list[str]:
    """The interval method (clipped t-interval) and a warning when replications are few."""
    out = []
    if bud.benefit_available:
        m = bud.municipalities
        clipped = int((m.get("benefit_municipal_eur_ci95_lo", pd.Series(dtype=float)) < 0).sum())
        if lang == "fi":
            out.append("luottamusväli: Studentin t-väli toistojen yli, alaraja rajattu nollaan"
                       + (f" ({clipped} kunnan väli rajattiin)" if clipped else ""))
        else:
            out.append("interval: Student-t over replications, lower end clipped at zero"
                       + (f" ({clipped} municipalities' intervals clipped)" if clipped else ""))
    warn = _few_reps_warning(bud, lang)
    return out + ([warn] if warn else [])


def _fi(x: float, decimals: int = 0) -> str:
    from .labels import fmt_number
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt_number(x, "fi", decimals)


_NOTES_FI = (
    ("the plan fixes the frame for the first three years only",
     "suunnitelma kiinnittää kehyksen vain kolmelle ensimmäiselle vuodelle; myöhemmät vuodet samalla tasolla, "
     "ellei frame_eur_by_year muuta sano"),
    ("transition funding: none entered",
     "siirtymäajan rahoitus: ei annettu (suunnitelmassa ei lukua; budget.transition_funding_eur_by_year)"),
    ("no results of scenario",
     "skenaarion tuloksia ei löytynyt annetusta kansiosta: simuloidut luvut eivät ole saatavilla"),
    ("municipal benefit share: not available",
     "kuntien työttömyysturvaosuus: ei saatavilla (aja skenaario ja anna --results KANSIO)"),
    ("not the area's money, outside the cost and the gap (memo)",
     "muistierät eivät ole alueen rahaa eivätkä kuulu kustannukseen eikä erotukseen (ks. yllä)"),
    ("benefit compensation: none entered",
     "työttömyysturvan kompensaatio: ei annettu (budget.benefit_compensation); nettokustannus ei saatavilla"),
    ("benefit compensation: a stated derivation",
     "työttömyysturvan kompensaatio on johdettu arvio (budget.benefit_compensation.source); korvaa se kunnan "
     "valtionosuuspäätöksen luvulla"),
)


def _note_fi(note: str) -> str:
    """A note of `compute_budget` in Finnish (known notes; any other is shown as written)."""
    for en, fi in _NOTES_FI:
        if note.startswith(en):
            return fi
    return note


def _budget_people_csv(bud: Budget, lang: str) -> str:
    """The budget for Excel: a long table with words in `lang` (`report.csv_excel`)."""
    from .csv_excel import excel_csv
    from .labels import item_label, label, payer_label

    svc_labels = {n: s.label_fi for n, s in bud.scenario.services.items()}
    rows = []
    for _, t in bud.table.iterrows():
        y = int(t.year)
        for col in ("cost_eur", "frame_eur", "gap_eur", "state_grant_eur", "transition_funding_eur",
                    "staff_eur", "regional_services_eur", "purchased_services_eur", "other_expenses_eur",
                    "memo_not_in_budget_eur"):
            rows.append((label(lang, "budget"), y, label(lang, col), t[col]))
        for _, r in bud.items.iterrows():
            rows.append((label(lang, "cost_items"), y, item_label(lang, r["item"], svc_labels), r.cost_eur))
        for _, r in bud.memo.iterrows():
            rows.append((f"{label(lang, 'memo_not_in_budget_eur')}: {payer_label(lang, r.payer)}", y,
                         item_label(lang, r["item"], svc_labels), r.memo_cost_eur))
    for _, r in bud.municipalities.iterrows():
        for col in ("cost_share_eur", "gap_share_eur", "benefit_municipal_eur", "benefit_municipal_eur_ci95_lo",
                    "benefit_municipal_eur_ci95_hi", "benefit_compensation_eur", "benefit_municipal_net_eur"):
            v = r.get(col, np.nan)
            if col.startswith("benefit_municipal") and not bud.benefit_available:
                v = np.nan
            if col == "benefit_municipal_eur_ci95_lo":
                v = _clip0(v)
            rows.append((f"{label(lang, 'municipalities')}: {label(lang, col)}", int(r.year), r.municipality,
                         v if pd.notna(v) else label(lang, "not_available")))
    df = pd.DataFrame(rows, columns=[label(lang, "group"), label(lang, "year"), label(lang, "item"),
                                     label(lang, "value")])
    return excel_csv(df)


def _budget_csv(bud: Budget) -> str:
    rows = []
    for _, t in bud.table.iterrows():
        y = int(t.year)
        for col in ("cost_eur", "frame_eur", "gap_eur", "state_grant_eur", "transition_funding_eur",
                    "staff_eur", "regional_services_eur", "purchased_services_eur", "other_expenses_eur",
                    "memo_not_in_budget_eur"):
            rows.append({"section": "total", "year": y, "name": col, "value": t[col]})
        for _, r in bud.items.iterrows():
            rows.append({"section": "cost_item", "year": y, "name": r["item"], "value": r.cost_eur})
        for _, r in bud.memo.iterrows():
            rows.append({"section": f"memo_not_in_budget:{r.payer}", "year": y, "name": r["item"],
                         "value": r.memo_cost_eur})
    for _, r in bud.municipalities.iterrows():
        for col in ("cost_share_eur", "gap_share_eur", "benefit_municipal_eur", "benefit_compensation_eur",
                    "benefit_municipal_net_eur"):
            if col in r and pd.notna(r[col]) and (col != "benefit_municipal_net_eur" or bud.benefit_available):
                rows.append({"section": f"municipality:{col}", "year": int(r.year),
                             "name": r.municipality, "value": r[col]})
            elif col != "cost_share_eur" and col != "gap_share_eur":
                rows.append({"section": f"municipality:{col}", "year": int(r.year),
                             "name": r.municipality, "value": NOT_AVAILABLE})
    return pd.DataFrame(rows).to_csv(index=False).rstrip("\n")


def _clean(x: Any) -> Any:
    """NaN → None, numpy scalars → Python (strict JSON)."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(x) else float(x)
    return x


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if np.isnan(o) else float(o)
    if isinstance(o, (np.bool_,)):
        return bool(o)
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(f"not JSON serialisable: {type(o)}")


