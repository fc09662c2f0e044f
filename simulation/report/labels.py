"""Finnish and English labels and number formatting for the reports.

Every word a reader sees in a report comes from here (`LABELS[lang][key]`), so a report
is wholly Finnish with ``--lang fi`` and wholly English with ``--lang en``. Names that come
from scenario files (scenario names, descriptions, notes) are shown as written (and
escaped in HTML). `fmt_number` writes numbers the way the language writes them: Finnish
``1 234 567,89`` (no-break space for thousands, decimal comma), English ``1,234,567.89``.
Excel number formats for the workbook are in `XLSX_FORMATS`.
"""

from __future__ import annotations

import math

LANGS = ("fi", "en")

LABELS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Työllisyysalueen simulointiraportti",
        "area": "Pohjoisen Keski-Suomen työllisyysalue",
        "generated": "Laadittu",
        "source_dir": "Tulokset",
        "contents": "Sisältö",
        "scenarios": "Skenaariot",
        "scenario": "Skenaario",
        "description": "Kuvaus",
        "file": "Tiedosto",
        "replications": "Toistoja",
        "years": "Vuodet",
        "notes": "Huomiot",
        "kpis": "Tunnusluvut",
        "kpis_intro": "Vuosittaiset tunnusluvut: keskiarvo toistojen yli ja 95 %:n luottamusväli.",
        "budget": "Talousarvio",
        "budget_intro": ("Kustannus = suunnitelma (kapasiteetti × yksikkökustannus), kehys = valtionosuuslisäys "
                         "+ siirtymäajan rahoitus, erotus = kustannus − kehys (positiivinen: sopeutettavaa). "
                         "Simuloitu palvelukustannus on mallin toteutunut käyttö vuositasolla (osittain "
                         "simuloitu vuosi skaalataan 12 kuukauteen)."),
        "budget_closed": "Erotus suljettu (±{tol} % kehyksestä)",
        "cost_items": "Kustannuserät",
        "municipalities": "Kunnat",
        "municipalities_intro": ("Kustannusosuus jakoavaimella {key} ({rounding}). Kunnan työttömyysturvan "
                                 "rahoitusosuus on kunnan oma kustannus ja palveluiden vaikuttavuuden mittari: "
                                 "se näytetään erotuksen rinnalla, ei sen sisällä."),
        "services": "Palvelut",
        "services_intro": "Suunniteltu ostokustannus ja simuloitu toteutunut kustannus (keskiarvo, 95 %:n lv.).",
        "benefits": "Työttömyysturvan kustannukset maksajittain",
        "stock_by_hub": "Työttömät toimipisteittäin",
        "rules": "Käytetyt säännöt",
        "rules_intro": "Kuntien rahoitusosuuden porrastus, jota simulointi käytti (tarkistettava, jos merkitty).",
        "not_available": "ei saatavilla",
        "yes": "kyllä",
        "no": "ei",
        "year": "Vuosi",
        "month": "Kuukausi",
        "hub": "Toimipiste",
        "municipality": "Kunta",
        "service": "Palvelu",
        "item": "Kustannuserä",
        "group": "Ryhmä",
        "kpi": "Tunnusluku",
        "mean": "Keskiarvo",
        "ci95_lo": "95 % lv. alaraja",
        "ci95_hi": "95 % lv. yläraja",
        "ci95": "95 % lv.",
        "n": "Toistoja",
        "replication": "Toisto",
        "fte": "htv",
        "unit_cost_eur": "Yksikkökustannus, €",
        "cost_eur": "Kustannus, €",
        "frame_eur": "Kehys, €",
        "gap_eur": "Erotus, €",
        "gap_share_of_frame": "Erotus, osuus kehyksestä",
        "closed": "Suljettu",
        "state_grant_eur": "Valtionosuuslisäys, €",
        "transition_funding_eur": "Siirtymäajan rahoitus, €",
        "staff_eur": "Henkilöstö, €",
        "regional_services_eur": "Seudulliset palvelut (Jyväskylä), €",
        "purchased_services_eur": "Palveluiden ostot, €",
        "other_expenses_eur": "Muut menot, €",
        "simulated_service_cost_eur": "Simuloitu palvelukustannus, € vuositasolla",
        "simulated_cost_eur": "Simuloitu kustannus, € vuositasolla",
        "simulated_cost_eur_ci95_lo": "Simuloitu kustannus, 95 % lv. alaraja",
        "simulated_cost_eur_ci95_hi": "Simuloitu kustannus, 95 % lv. yläraja",
        "simulated_months": "Simuloituja kuukausia",
        "benefit_municipal_eur_ci95_lo": "Kunnan työttömyysturvaosuus, 95 % lv. alaraja",
        "benefit_municipal_eur_ci95_hi": "Kunnan työttömyysturvaosuus, 95 % lv. yläraja",
        "gap_tolerance_eur": "Sallittu poikkeama, €",
        "label_fi": "Nimi",
        "kind": "Laji",
        "unit_cost_eur_per_month": "Yksikkökustannus, €/kk",
        "initial_interviews": "Alkuhaastattelut",
        "job_search_interviews": "Työnhakukeskustelut",
        "value": "Arvo",
        "source": "Lähde",
        "planned_cost_eur": "Suunniteltu kustannus, €",
        "planned_places": "Suunnitellut paikat",
        "rule": "Laskentasääntö",
        "weight": "Jakoavaimen arvo",
        "share": "Osuus",
        "cost_share_eur": "Kustannusosuus, €",
        "gap_share_eur": "Osuus erotuksesta, €",
        "benefit_municipal_eur": "Kunnan työttömyysturvaosuus (sim.), €",
        "benefit_compensation_eur": "Valtionosuuden kompensaatio, €",
        "benefit_municipal_net_eur": "Kunnan työttömyysturvaosuus netto (sim.), €",
        "benefit_municipal_net_eur_ci95_lo": "Nettokustannus, 95 % lv. alaraja",
        "benefit_municipal_net_eur_ci95_hi": "Nettokustannus, 95 % lv. yläraja",
        "memo_cost_eur": "Muistiin: ei alueen rahaa, €",
        "memo_payer": "Muistierän maksaja",
        "gross_cost_eur": "Kustannus maksajasta riippumatta, €",
        "outside_frame_share": "Kehyksen ulkopuolinen osuus",
        "memo_not_in_budget_eur": "Muistierät (ei alueen rahaa), €",
        "payer": "Maksaja",
        "payer_municipal": "Kunnat",
        "payer_state": "Valtio ja rahastot",
        "stock_end": "Työttömät kuun lopussa",
        "initial_interviews_late": "Myöhästyneet alkuhaastattelut",
        "job_search_interviews_late": "Myöhästyneet työnhakukeskustelut",
        "benefit_cost_eur": "Työttömyysturva yhteensä, €",
        "benefit_cost_municipal_eur": "Työttömyysturva, kuntien osuus, €",
        "kpi_stock_mean": "Työttömät, kuukausikeskiarvo",
        "kpi_stock_end": "Työttömät vuoden lopussa",
        "kpi_late_meetings": "Myöhästyneet tapaamiset",
        "kpi_late_meetings_share": "Myöhästyneet tapaamiset, osuus",
        "kpi_initial_interviews_late": "Myöhästyneet alkuhaastattelut",
        "kpi_job_search_interviews_late": "Myöhästyneet työnhakukeskustelut",
        "kpi_benefit_cost_eur": "Työttömyysturva yhteensä, €",
        "kpi_benefit_cost_municipal_eur": "Työttömyysturva, kuntien osuus, €",
        "kpi_service_cost_eur": "Palvelukustannus (sim.), €",
        "fig_stock_by_hub": "Työttömät työnhakijat toimipisteittäin (keskiarvo ja 95 %:n luottamusväli)",
        "fig_late": "Myöhästyneiden tapaamisten osuus (keskiarvo ja 95 %:n luottamusväli)",
        "fig_benefits": "Työttömyysturvan kustannukset maksajittain (keskiarvo ja 95 %:n luottamusväli)",
        "fig_gap": "Talousarvion erotus kehykseen vaihtoehdoittain",
        "fig_benefits_na": "Työttömyysturvan kustannukset: ei saatavilla (tulostaulukoissa ei sarakkeita benefit_cost_eur ja benefit_cost_municipal_eur).",
        "budget_na": "Talousarvio: ei saatavilla (skenaariossa ei [budget]-taulukkoa).",
        "late_share": "Osuus myöhässä",
        "eur": "€",
        "million_eur": "milj. €",
        "rule_value": "Arvo",
        "rule_source": "Lähde",
        "to_verify": "Tarkistettava",
        "valid_from": "Voimassa alkaen",
        "group_staff": "henkilöstö",
        "group_regional_services": "seudulliset palvelut",
        "group_purchased_services": "palveluiden ostot",
        "group_other_expenses": "muut menot",
        "sheet_about": "Tietoja",
    },
    "en": {
        "title": "Employment area simulation report",
        "area": "Northern Central Finland employment area",
        "generated": "Generated",
        "source_dir": "Results",
        "contents": "Contents",
        "scenarios": "Scenarios",
        "scenario": "Scenario",
        "description": "Description",
        "file": "File",
        "replications": "Replications",
        "years": "Years",
        "notes": "Notes",
        "kpis": "Key figures",
        "kpis_intro": "Yearly key figures: mean over replications and 95 % confidence interval.",
        "budget": "Budget",
        "budget_intro": ("Cost = plan (capacity × unit cost), frame = state-grant increase + transition "
                         "funding, gap = cost − frame (positive: to adjust). Simulated service cost is the "
                         "model's actual use, EUR a year (a partly simulated year is scaled to 12 months)."),
        "budget_closed": "Gap closed (±{tol} % of the frame)",
        "cost_items": "Cost items",
        "municipalities": "Municipalities",
        "municipalities_intro": ("Cost share by key {key} ({rounding}). Each municipality's share of "
                                 "unemployment benefits is its own cost and the meter of the services' effect: "
                                 "shown beside the gap, never inside it."),
        "services": "Services",
        "services_intro": "Planned purchase cost and simulated actual cost (mean, 95 % CI).",
        "benefits": "Unemployment-benefit costs by payer",
        "stock_by_hub": "Unemployed by hub",
        "rules": "Rules used",
        "rules_intro": "The municipal-share schedule the simulation used (to verify where flagged).",
        "not_available": "not available",
        "yes": "yes",
        "no": "no",
        "year": "Year",
        "month": "Month",
        "hub": "Hub",
        "municipality": "Municipality",
        "service": "Service",
        "item": "Cost item",
        "group": "Group",
        "kpi": "Key figure",
        "mean": "Mean",
        "ci95_lo": "95 % CI low",
        "ci95_hi": "95 % CI high",
        "ci95": "95 % CI",
        "n": "Replications",
        "replication": "Replication",
        "fte": "FTE",
        "unit_cost_eur": "Unit cost, EUR",
        "cost_eur": "Cost, EUR",
        "frame_eur": "Frame, EUR",
        "gap_eur": "Gap, EUR",
        "gap_share_of_frame": "Gap, share of frame",
        "closed": "Closed",
        "state_grant_eur": "State-grant increase, EUR",
        "transition_funding_eur": "Transition funding, EUR",
        "staff_eur": "Staff, EUR",
        "regional_services_eur": "Regional services (Jyväskylä), EUR",
        "purchased_services_eur": "Purchased services, EUR",
        "other_expenses_eur": "Other expenses, EUR",
        "simulated_service_cost_eur": "Simulated service cost, EUR a year",
        "simulated_cost_eur": "Simulated cost, EUR a year",
        "simulated_cost_eur_ci95_lo": "Simulated cost, 95 % CI low",
        "simulated_cost_eur_ci95_hi": "Simulated cost, 95 % CI high",
        "simulated_months": "Simulated months",
        "benefit_municipal_eur_ci95_lo": "Municipal benefit share, 95 % CI low",
        "benefit_municipal_eur_ci95_hi": "Municipal benefit share, 95 % CI high",
        "gap_tolerance_eur": "Tolerance, EUR",
        "label_fi": "Name (fi)",
        "kind": "Kind",
        "unit_cost_eur_per_month": "Unit cost, EUR a month",
        "initial_interviews": "Initial interviews",
        "job_search_interviews": "Job-search interviews",
        "value": "Value",
        "source": "Source",
        "planned_cost_eur": "Planned cost, EUR",
        "planned_places": "Planned places",
        "rule": "Rule",
        "weight": "Key value",
        "share": "Share",
        "cost_share_eur": "Cost share, EUR",
        "gap_share_eur": "Share of the gap, EUR",
        "benefit_municipal_eur": "Municipal benefit share (sim.), EUR",
        "benefit_compensation_eur": "State-grant compensation, EUR",
        "benefit_municipal_net_eur": "Municipal benefit share, net (sim.), EUR",
        "benefit_municipal_net_eur_ci95_lo": "Net cost, 95 % CI low",
        "benefit_municipal_net_eur_ci95_hi": "Net cost, 95 % CI high",
        "memo_cost_eur": "Memo: not the area's money, EUR",
        "memo_payer": "Memo payer",
        "gross_cost_eur": "Cost whoever pays, EUR",
        "outside_frame_share": "Share outside the frame",
        "memo_not_in_budget_eur": "Memo lines (not the area's money), EUR",
        "payer": "Payer",
        "payer_municipal": "Municipalities",
        "payer_state": "State and funds",
        "stock_end": "Unemployed at month end",
        "initial_interviews_late": "Late initial interviews",
        "job_search_interviews_late": "Late job-search interviews",
        "benefit_cost_eur": "Unemployment benefits, total, EUR",
        "benefit_cost_municipal_eur": "Unemployment benefits, municipal share, EUR",
        "kpi_stock_mean": "Unemployed, monthly mean",
        "kpi_stock_end": "Unemployed, end of year",
        "kpi_late_meetings": "Late meetings",
        "kpi_late_meetings_share": "Late meetings, share",
        "kpi_initial_interviews_late": "Late initial interviews",
        "kpi_job_search_interviews_late": "Late job-search interviews",
        "kpi_benefit_cost_eur": "Unemployment benefits, total, EUR",
        "kpi_benefit_cost_municipal_eur": "Unemployment benefits, municipal share, EUR",
        "kpi_service_cost_eur": "Service cost (simulated), EUR",
        "fig_stock_by_hub": "Unemployed jobseekers by hub (mean and 95 % confidence interval)",
        "fig_late": "Share of meetings held late (mean and 95 % confidence interval)",
        "fig_benefits": "Unemployment-benefit costs by payer (mean and 95 % confidence interval)",
        "fig_gap": "Budget gap to the frame by option",
        "fig_benefits_na": "Unemployment-benefit costs: not available (the result tables have no benefit_cost_eur and benefit_cost_municipal_eur columns).",
        "budget_na": "Budget: not available (the scenario has no [budget] table).",
        "late_share": "Share late",
        "eur": "EUR",
        "million_eur": "EUR million",
        "rule_value": "Value",
        "rule_source": "Source",
        "to_verify": "To verify",
        "valid_from": "Valid from",
        "group_staff": "staff",
        "group_regional_services": "regional services",
        "group_purchased_services": "purchased services",
        "group_other_expenses": "other expenses",
        "sheet_about": "About",
    },
}

#: Sheet names (at most 31 characters, none of []:*?/\).
SHEETS: dict[str, dict[str, str]] = {
    "fi": {"scenarios": "Skenaariot", "kpis": "Tunnusluvut", "budget": "Talousarvio",
           "cost_items": "Kustannuserät", "municipalities": "Kunnat", "services": "Palvelut",
           "benefits": "Työttömyysturva maksajittain", "stock_by_hub": "Työttömät toimipisteittäin",
           "rules": "Säännöt"},
    "en": {"scenarios": "Scenarios", "kpis": "Key figures", "budget": "Budget",
           "cost_items": "Cost items", "municipalities": "Municipalities", "services": "Services",
           "benefits": "Benefits by payer", "stock_by_hub": "Unemployed by hub", "rules": "Rules"},
}

#: Excel number formats by kind of column. Excel stores numbers; the format is display only.
#: Format codes are written in Excel's file syntax ("," groups thousands, "." is the decimal
#: point); Excel shows them with the reader's regional separators, so a Finnish Excel shows
#: 1 234 567,89. The Finnish formats add the euro sign after the number with the Finnish
#: locale tag [$€-40B] and a space before the percent sign, as Finnish writing does.
XLSX_FORMATS: dict[str, dict[str, str]] = {
    "fi": {"eur": '#,##0.00\\ [$€-40B]', "count": "#,##0", "decimal": "#,##0.00",
           "share": "0.0\\ %", "int": "0"},
    "en": {"eur": "#,##0.00", "count": "#,##0", "decimal": "#,##0.00", "share": "0.0%", "int": "0"},
}


def label(lang: str, key: str) -> str:
    """The label for `key` in `lang`; an unknown key is shown as itself."""
    return LABELS[lang].get(key, key)


def fmt_number(x: object, lang: str, decimals: int = 0, percent: bool = False) -> str:
    """A number as text in the language's convention; NaN/None as 'not available'."""
    if x is None:
        return label(lang, "not_available")
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return label(lang, "not_available")
    if percent:
        v *= 100
    s = f"{v:,.{decimals}f}"
    if lang == "fi":
        s = s.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
        return s + ("\u00a0%" if percent else "")
    return s + (" %" if percent else "")
