"""The comparison of scenarios for people: the table `tyosim compare` prints and the
notes, in Finnish or English, and the differences with people's headers for Excel.
(The numbers are `experiments.compare`'s.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..experiments.compare import LABELS, clear_difference
from ..tables.kpis import MIN_REPS_FOR_CI, t_multiplier
from .labels import clear_label, fmt_number, fmt_signed, kpi_label, label

_NOTES_FI = (
    ("not common random numbers: root seed differs from the baseline's",
     "ei yhteisiä satunnaislukuja: siemenluku eroaa perusvaihtoehdon siemenluvusta"),
    ("; the paired intervals are valid but wider", "; parittaiset välit ovat oikeita mutta leveämpiä"),
    ("no finished replication: ", "yksikään toisto ei valmistunut: "),
    ("not in the tables (skipped): ", "ei tulostaulukoissa (ohitettu): "),
)


def note_text(note: str, lang: str = "en") -> str:
    """A note of `compare` in `lang` (the JSON keeps the English)."""
    if lang != "fi":
        return note
    if note.startswith("warning: only "):
        n = int(note.split()[2])
        return "varoitus: " + label("fi", "warn_few_reps").format(
            n=n, scenarios="parittaiset vertailut", t=f"{t_multiplier(n):.1f}".replace(".", ","), min=MIN_REPS_FOR_CI)
    out = note
    for en, fi in _NOTES_FI:
        out = out.replace(en, fi)
    if out.startswith("ei tulostaulukoissa"):
        head, ids = out.split(": ", 1)
        out = head + ": " + ", ".join(kpi_label("fi", k) for k in ids.split(", "))
    return out


def _fmt(kpi: str, x: float, signed: bool = False, lang: str = "en") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if lang == "fi":
        share = kpi.endswith("_share")
        dec = 2 if share else (1 if abs(x) < 100 and not kpi.endswith("_eur") else 0)
        if signed:
            return fmt_signed(x, "fi", dec, percent=share)
        return fmt_number(x, "fi", dec, percent=share)
    if kpi.endswith("_share"):
        return f"{100 * x:+.2f} pp" if signed else f"{100 * x:.2f} %"
    fmt = "{:+,.0f}" if signed else "{:,.0f}"
    if abs(x) < 100 and not kpi.endswith("_eur"):
        fmt = "{:+,.1f}" if signed else "{:,.1f}"
    return fmt.format(x).replace(",", " ")


_TABLE_WORDS = {
    "en": {"head": "{name} − {base}, {year}  (mean of {n} paired replications, 95 % CI)",
           "baseline": "baseline", "scenario": "scenario", "difference": "difference", "ci": "95 % CI",
           "none": "no scenario to compare with the baseline", "note": "note", "clear": "clear"},
    "fi": {"head": "{name} − {base}, {year}  ({n} parittaisen toiston keskiarvo, 95 %:n luottamusväli)",
           "baseline": "perusvaiht.", "scenario": "vaihtoehto", "difference": "ero", "ci": "95 % lv.",
           "none": "ei vaihtoehtoja verrattavaksi perusvaihtoehtoon", "note": "huom.", "clear": "selvä"},
}


def format_table(df: pd.DataFrame, notes: Sequence[str] = (), lang: str = "en") -> str:
    """The comparison for people: one block per scenario and year (and municipality, if any)."""
    w = _TABLE_WORDS[lang]
    lines = []
    keys = ["scenario", "year"] + (["municipality"] if "municipality" in df else [])
    name_w = 58 if lang == "fi" else 44
    for key, g in df.groupby(keys, sort=False):
        name, year = key[0], key[1]
        base = g["baseline"].iloc[0]
        n = int(g["n"].max()) if len(g) else 0
        head = w["head"].format(name=name, base=base, year=year, n=n)
        lines.append(head + (f"  {key[2]}" if len(key) > 2 else ""))
        lines.append(f"  {'':<{name_w}}{w['baseline']:>16}{w['scenario']:>16}{w['difference']:>16}  {w['ci']}")
        for r in g.itertuples():
            ci = ""
            if r.n >= 2 and not math.isnan(r.diff_ci95_lo):
                sep = "; " if lang == "fi" else ", "
                ci = (f"  [{_fmt(r.kpi, r.diff_ci95_lo, True, lang)}{sep}{_fmt(r.kpi, r.diff_ci95_hi, True, lang)}]"
                      + (f" {w['clear']}" if clear_difference(r.diff_ci95_lo, r.diff_ci95_hi) else ""))
            lab = kpi_label(lang, r.kpi) if lang == "fi" else LABELS.get(r.kpi, r.kpi)
            lines.append(f"  {lab:<{name_w}}{_fmt(r.kpi, r.baseline_mean, lang=lang):>16}"
                         f"{_fmt(r.kpi, r.scenario_mean, lang=lang):>16}"
                         f"{_fmt(r.kpi, r.diff_mean, True, lang):>16}{ci}")
        lines.append("")
    if df.empty:
        lines.append(w["none"])
    lines += [f"{w['note']}: {note_text(x, lang)}" for x in notes]
    return "\n".join(lines).rstrip()


def for_people(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The differences with headers and KPI names in `lang` and a "clear" column (Excel CSV)."""
    out = df.copy()
    out["kpi"] = [kpi_label(lang, k) for k in out["kpi"]]
    out["clear"] = [clear_label(lang, clear_difference(lo, hi))
                    for lo, hi in zip(df["diff_ci95_lo"], df["diff_ci95_hi"], strict=True)]
    names = {"scenario": label(lang, "option"), "baseline": label(lang, "compared_with"), "kpi": label(lang, "kpi"),
             "year": label(lang, "year"), "municipality": label(lang, "municipality"),
             "n": label(lang, "n")}
    return out.rename(columns={c: names.get(c, label(lang, c)) for c in out.columns})


