"""Finnish and English labels and number formatting for the reports.

Every word a reader sees in a report comes from here (`LABELS[lang][key]`), so a report
is wholly Finnish with ``--lang fi`` and wholly English with ``--lang en``. Names that come
from scenario files (scenario names, descriptions, notes) are shown as written (and
escaped in HTML). `fmt_number` writes numbers the way the language writes them: Finnish
``1 234 567,89`` (no-break space for thousands, decimal comma), English ``1,234,567.89``.
Excel number formats for the workbook are in `XLSX_FORMATS`.

Longer than 400 lines because a table of words: every Finnish and English label of the reports,
one entry per line.
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
        "fig_benefits_na": ("Työttömyysturvan kustannukset: ei saatavilla (tulostaulukoissa ei sarakkeita "
                            "benefit_cost_eur ja benefit_cost_municipal_eur)."),
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
        "fig_benefits_na": ("Unemployment-benefit costs: not available (the result tables have no "
                            "benefit_cost_eur and benefit_cost_municipal_eur columns)."),
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


# ---------------------------------------------------------------------------------------
# words for identifiers (issue 18, item 2): the machine tables keep the ids; people read these

LABELS["fi"].update({
    "headline": "Keskeiset havainnot",
    "warnings": "Varoitukset",
    "method": "Luottamusvälit: menetelmä",
    "differences": "Erot perusvaihtoehtoon",
    "differences_intro": ("Parittaiset erot: vaihtoehdon toisto k verrataan perusvaihtoehdon toistoon k "
                          "(samat satunnaisluvut, common random numbers). Ero = vaihtoehto − perusvaihtoehto; "
                          "95 %:n luottamusväli on Studentin t-väli parittaisista eroista. Ero on selvä, "
                          "kun väli ei sisällä nollaa."),
    "differences_muni": "Erot kunnittain",
    "options": "Vaihtoehdot rinnakkain",
    "options_intro": ("Jokaisen vaihtoehdon kustannus, erotus kehykseen ja kuntien työttömyysturvaosuus "
                      "perusvaihtoehdon rinnalla, ero valmiiksi laskettuna. Kustannus ja erotus ovat "
                      "suunnitelman lukuja (ei satunnaisuutta); työttömyysturvaosuus on simuloitu "
                      "(keskiarvo, vuositasolla) ja sen erolla on 95 %:n luottamusväli."),
    "baseline": "Perusvaihtoehto",
    "baseline_mean": "Perusvaihtoehto, keskiarvo",
    "scenario_mean": "Vaihtoehto, keskiarvo",
    "compared_with": "Verrokki",
    "diff_mean": "Ero",
    "diff_ci95_lo": "Ero, 95 % lv. alaraja",
    "diff_ci95_hi": "Ero, 95 % lv. yläraja",
    "diff_ci95": "Ero [95 % lv.]",
    "diff_sd": "Eron keskihajonta",
    "diff_pct": "Ero, % perusvaihtoehdosta",
    "clear": "Selvä ero",
    "clear_yes": "selvä",
    "clear_no": "ei selvä",
    "area_total": "Alue yhteensä",
    "option": "Vaihtoehto",
    "opt_cost_eur": "Kustannus, vaihtoehto, €",
    "base_cost_eur": "Kustannus, perusvaihtoehto, €",
    "diff_cost_eur": "Kustannus, ero, €",
    "opt_gap_eur": "Erotus kehykseen, vaihtoehto, €",
    "base_gap_eur": "Erotus kehykseen, perusvaihtoehto, €",
    "diff_gap_eur": "Erotus kehykseen, ero, €",
    "opt_benefit_municipal_eur": "Kuntien työttömyysturvaosuus, vaihtoehto, €/v",
    "base_benefit_municipal_eur": "Kuntien työttömyysturvaosuus, perusvaihtoehto, €/v",
    "diff_benefit_municipal_eur": "Kuntien työttömyysturvaosuus, ero, €/v",
    "diff_benefit_municipal_eur_ci95_lo": "Työttömyysturvaosuuden ero, 95 % lv. alaraja",
    "diff_benefit_municipal_eur_ci95_hi": "Työttömyysturvaosuuden ero, 95 % lv. yläraja",
    "benefit_clear": "Työttömyysturvaosuuden ero selvä",
    "ci_clipped": "Väli rajattu",
    "ci95_clipped": "Väli rajattu (t-väli, rajattu nollaan / 100 %:iin)",
    "payer_total": "Yhteensä",
    "payer_area": "Työllisyysalue",
    "payer_wellbeing_county": "Hyvinvointialue (ei alueen rahaa)",
    "payer_outside_frame": "Kehyksen ulkopuolella (laskutetaan kustannuksin)",
    "item_customer_service": "Asiakaspalvelu, {hub}",
    "item_specialists": "Asiantuntijat",
    "item_administration": "Hallinto ja johto",
    "item_regional_services_jyvaskyla": "Seudulliset palvelut (Jyväskylä)",
    "item_other_expenses": "Muut menot (tilat, tietotekniikka, matkat)",
    "purchase_rule_places": "paikat × 12 × yksikkökustannus",
    "purchase_rule_budget": "vuosibudjetti (enintään paikat × 12 × yksikkökustannus)",
    "purchase_rule_target": "tavoite {share} laajasta työttömyydestä ({broad}) × 12 × yksikkökustannus",
    "purchase_rule_none": "kapasiteettia ei annettu: ei suunniteltua ostoa",
    "key_labour_force_2019": "työvoima 2019",
    "key_population_2022_12_31": "asukasluku 31.12.2022",
    "key_unemployed_2019_mean": "työttömät 2019 keskimäärin",
    "key_use_of_services": "palvelujen käyttö",
    "rounding_exact": "tarkat osuudet",
    "rounding_rounded_percent": "pyöristetyt prosenttiosuudet",
    "rounding_rounded_percent_largest_remainder": "pyöristetyt prosenttiosuudet, suurimman jäännöksen menetelmä",
    "rule_municipal_share_schedule": "Kunnan rahoitusosuuden porrastus",
    "rule_municipal_share_benefits": "Etuudet, joista kunta maksaa osuuden",
    "rule_municipal_share_count_from": "Maksupäivien laskenta alkaen",
    "rule_municipal_share_service_days_count": "Palveluajan päivät lasketaan mukaan",
    "rule_basic_allowance_eur_per_day": "Peruspäiväraha, €/päivä",
    "benefit_basic_allowance": "peruspäiväraha",
    "benefit_labour_market_subsidy": "työmarkkinatuki",
    "benefit_earnings_related": "ansiopäiväraha",
    "benefit_general_benefit": "yleistuki",
    "from_day": "päivästä {day}: {share}",
    "rules_sources_note": "Lähteet on esitetty sellaisina kuin ne on kirjattu sääntötiedostoon.",
    "kpi_late_meetings": "Lakisääteiset tapaamiset, määräaika ylittyi",
    "kpi_late_meetings_share": "Lakisääteiset tapaamiset, määräaika ylittyi, osuus",
    "kpi_initial_interviews_deadline_missed": "Alkuhaastattelut, määräaika ylittyi",
    "kpi_job_search_interviews_deadline_missed": "Työnhakukeskustelut, määräaika ylittyi",
    "kpi_staff_cost_eur": "Asiakaspalveluhenkilöstön kustannus, €",
    "kpi_benefit_municipal_share": "Kuntien osuus työttömyysturvasta, %",
    "kpi_inflow": "Uudet työnhakijat",
    "kpi_exits_employment": "Työllistyneet",
    "warn_few_reps": ("Vain {n} toistoa ({scenarios}): 95 %:n luottamusväli on näin pienellä otoksella "
                      "epävakaa (t-kerroin {t}, kun viidellä toistolla 2,8). Aja vähintään {min} toistoa "
                      "tai käytä --reps auto, joka lisää toistoja, kunnes väli on riittävän kapea."),
    "warn_no_crn": ("Vaihtoehdoilla on eri siemenluku kuin perusvaihtoehdolla ({names}): erot eivät ole "
                    "yhteisin satunnaisluvuin, välit ovat leveämpiä."),
    "method_text": ("95 %:n luottamusväli on Studentin t-väli toistojen yli ({n} toistoa). Ei-negatiivisten "
                    "suureiden (eurot, lukumäärät) väli rajataan alhaalta nollaan ja osuuksien väli "
                    "0–100 %:iin (t-väli, rajattu); rajatut välit on merkitty sarakkeella ”Väli rajattu”. "
                    "Erojen välejä ei rajata: ero voi olla negatiivinen."),
    "note_clipped": "{k} välin rajaa rajattiin (mahdoton arvo, esim. negatiivinen euromäärä, ei näy).",
    "note_no_budget": "{s}: talousarvio ei saatavilla (ratkaistussa skenaariossa ei [budget]-taulukkoa)",
    "note_no_reps": "{s}: yksikään toisto ei valmistunut",
    "fig_diff": "Erot perusvaihtoehtoon {year} (alue yhteensä, 95 %:n luottamusväli)",
    "fig_diff_note": ("Piste: keskimääräinen parittainen ero perusvaihtoehtoon; jana: 95 %:n luottamusväli "
                      "(yhteiset satunnaisluvut). Täytetty piste: jana ei leikkaa nollaa, selvä ero."),
    "fig_diff_muni": "Kuntien työttömyysturvaosuuden ero perusvaihtoehtoon kunnittain {year}, €/v",
    "fig_municipal_benefit": "Kuntien työttömyysturvaosuus kunnittain {year}, €/v",
    "fig_band_baseline": "Varjostus: perusvaihtoehdon 95 %:n luottamusväli keskiarvolle ({n} toistoa)",
    "fig_errorbar_note": "Jana: 95 %:n luottamusväli keskiarvolle ({n} toistoa, t-väli, rajattu nollaan)",
    "fig_benefit_muni_panel": "Kunnat",
    "fig_benefit_state_panel": "Valtio ja rahastot",
    "fig_gap_note": "Vihreä vyöhyke: erotus ±{tol} % kehyksestä eli suljettu",
    "axis_persons": "henkilöä",
    "axis_month": "kuukausi",
    "axis_option": "vaihtoehto",
    "axis_diff": "ero perusvaihtoehtoon",
    "axis_meetings": "tapaamisia",
    "all_years": "kaikki vuodet",
    "unemployed_persons": "Työttömiä työnhakijoita, henkilöä",
    "h_late": ("Suunnitelmassa sellaisenaan ({s}) {late} lakisääteistä tapaamista vuonna {year} ylittää "
               "määräaikansa eli {share} määräajoista [95 % lv. {lo} – {hi}]: alkuhaastatteluja {ini}, "
               "työnhakukeskusteluja {js}."),
    "h_late_why": ("Syy on asiakaspalvelun kapasiteetti: {year} toimipisteiden asiakaspalvelu on {fte} htv "
                   "ja sen työaika on käytössä {util}; eniten ylityksiä on toimipisteessä {hub} ({hub_late}, "
                   "käyttöaste {hub_util}). Vuonna 2025 voimassa oleva pohjoismainen malli vaatii "
                   "alkuhaastattelun 5 työpäivässä ja kolmen ensimmäisen kuukauden aikana keskustelun noin "
                   "kahden viikon välein."),
    "h_benefit": ("Kuntien osuus työttömyysturvasta vuonna {year} on {eur} [95 % lv. {lo} – {hi}] eli "
                  "{pct} työttömyysturvan kokonaiskustannuksesta {total}; suurin osuus on kunnalla {muni} "
                  "({muni_eur})."),
    "h_gap": ("Perusvaihtoehdon kustannus {year} on {cost} ja kehys {frame}: erotus {gap} "
              "({pct} kehyksestä), {closed}."),
    "h_gap_closed": "suljettu",
    "h_gap_open": "sopeutettavaa",
    "h_options": "Sopeutusvaihtoehdot: {items}.",
    "h_option_item": "{s} erotus {gap} ({closed})",
    "h_clear": "Selvät erot perusvaihtoehtoon ({year}, alue yhteensä): {items}.",
    "h_clear_none": "Yksikään ero perusvaihtoehtoon ei ole selvä ({year}, alue yhteensä) näillä toistomäärillä.",
    "h_not_clear": "Muut erot eivät ole selviä: niiden 95 %:n väli sisältää nollan.",
    "h_only_baseline": "Vain yksi skenaario: eroja ei ole laskettu (aja tyosim batch useammalla skenaariolla).",
})

LABELS["en"].update({
    "headline": "Headline findings",
    "warnings": "Warnings",
    "method": "Confidence intervals: the method",
    "differences": "Differences from the baseline",
    "differences_intro": ("Paired differences: replication k of each option against replication k of the "
                          "baseline (the same random numbers, common random numbers). Difference = option − "
                          "baseline; the 95 % interval is the Student-t interval of the paired differences. A "
                          "difference is clear when its interval does not contain zero."),
    "differences_muni": "Differences by municipality",
    "options": "Options side by side",
    "options_intro": ("Each option's cost, gap to the frame and municipal benefit share beside the baseline, "
                      "with the difference worked out. Cost and gap are the plan's figures (no randomness); "
                      "the benefit share is simulated (mean, a year) and its difference has a 95 % interval."),
    "baseline": "Baseline",
    "baseline_mean": "Baseline, mean",
    "scenario_mean": "Option, mean",
    "compared_with": "Compared with",
    "diff_mean": "Difference",
    "diff_ci95_lo": "Difference, 95 % CI low",
    "diff_ci95_hi": "Difference, 95 % CI high",
    "diff_ci95": "Difference [95 % CI]",
    "diff_sd": "SD of the difference",
    "diff_pct": "Difference, % of baseline",
    "clear": "Clear difference",
    "clear_yes": "clear",
    "clear_no": "not clear",
    "area_total": "Area total",
    "option": "Option",
    "opt_cost_eur": "Cost, option, EUR",
    "base_cost_eur": "Cost, baseline, EUR",
    "diff_cost_eur": "Cost, difference, EUR",
    "opt_gap_eur": "Gap to frame, option, EUR",
    "base_gap_eur": "Gap to frame, baseline, EUR",
    "diff_gap_eur": "Gap to frame, difference, EUR",
    "opt_benefit_municipal_eur": "Municipal benefit share, option, EUR a year",
    "base_benefit_municipal_eur": "Municipal benefit share, baseline, EUR a year",
    "diff_benefit_municipal_eur": "Municipal benefit share, difference, EUR a year",
    "diff_benefit_municipal_eur_ci95_lo": "Benefit-share difference, 95 % CI low",
    "diff_benefit_municipal_eur_ci95_hi": "Benefit-share difference, 95 % CI high",
    "benefit_clear": "Benefit-share difference clear",
    "ci_clipped": "Interval clipped",
    "ci95_clipped": "Interval clipped (t-interval, clipped at 0 / 100 %)",
    "payer_total": "Total",
    "payer_area": "Employment area",
    "payer_wellbeing_county": "Wellbeing services county (not the area's money)",
    "payer_outside_frame": "Outside the frame (billed at cost)",
    "item_customer_service": "Customer service, {hub}",
    "item_specialists": "Specialists",
    "item_administration": "Administration and management",
    "item_regional_services_jyvaskyla": "Regional services (Jyväskylä)",
    "item_other_expenses": "Other expenses (premises, IT, travel)",
    "purchase_rule_places": "places × 12 × unit cost",
    "purchase_rule_budget": "yearly budget (at most places × 12 × unit cost)",
    "purchase_rule_target": "target {share} of broad unemployment ({broad}) × 12 × unit cost",
    "purchase_rule_none": "no capacity given: no planned purchase",
    "key_labour_force_2019": "labour force 2019",
    "key_population_2022_12_31": "population 31.12.2022",
    "key_unemployed_2019_mean": "unemployed 2019, mean",
    "key_use_of_services": "use of services",
    "rounding_exact": "exact shares",
    "rounding_rounded_percent": "rounded percentages",
    "rounding_rounded_percent_largest_remainder": "rounded percentages, largest remainder",
    "rule_municipal_share_schedule": "Municipal share schedule",
    "rule_municipal_share_benefits": "Benefits the municipal share applies to",
    "rule_municipal_share_count_from": "Payment days counted from",
    "rule_municipal_share_service_days_count": "Days in services count",
    "rule_basic_allowance_eur_per_day": "Basic allowance, EUR a day",
    "benefit_basic_allowance": "basic allowance",
    "benefit_labour_market_subsidy": "labour-market subsidy",
    "benefit_earnings_related": "earnings-related allowance",
    "benefit_general_benefit": "general benefit",
    "from_day": "from day {day}: {share}",
    "rules_sources_note": "Sources are shown as written in the rules file.",
    "kpi_late_meetings": "Statutory meetings, deadline missed",
    "kpi_late_meetings_share": "Statutory meetings, deadline missed, share",
    "kpi_initial_interviews_deadline_missed": "Initial interviews, deadline missed",
    "kpi_job_search_interviews_deadline_missed": "Job-search interviews, deadline missed",
    "kpi_staff_cost_eur": "Customer-service staff cost, EUR",
    "kpi_benefit_municipal_share": "Municipal share of unemployment benefits, %",
    "kpi_inflow": "New jobseekers",
    "kpi_exits_employment": "Exits to employment",
    "warn_few_reps": ("Only {n} replications ({scenarios}): with so few the 95 % interval is unstable "
                      "(t multiplier {t}, against 2.8 with five). Run at least {min} replications, or "
                      "--reps auto, which adds replications until the interval is narrow enough."),
    "warn_no_crn": ("Options with a root seed other than the baseline's ({names}): not common random numbers, "
                    "wider intervals."),
    "method_text": ("The 95 % interval is the Student-t interval over replications ({n} replications). For "
                    "non-negative quantities (euros, counts) the lower end is clipped at zero and for shares "
                    "to 0–100 % (t-interval, clipped); clipped intervals are flagged in the column "
                    "\"Interval clipped\". Intervals of differences are not clipped: a difference can be negative."),
    "note_clipped": "{k} interval ends were clipped (an impossible value, e.g. negative euros, is not shown).",
    "note_no_budget": "{s}: budget not available (no [budget] table in its resolved scenario)",
    "note_no_reps": "{s}: no replication finished",
    "fig_diff": "Differences from the baseline, {year} (area total, 95 % CI)",
    "fig_diff_note": ("Dot: mean paired difference from the baseline; bar: 95 % interval (common random "
                      "numbers). Filled dot: the bar does not cross zero, a clear difference."),
    "fig_diff_muni": "Difference in the municipal benefit share by municipality, {year}, EUR a year",
    "fig_municipal_benefit": "Municipal benefit share by municipality, {year}, EUR a year",
    "fig_band_baseline": "Band: the baseline's 95 % interval of the mean ({n} replications)",
    "fig_errorbar_note": "Bar: 95 % interval of the mean ({n} replications, t-interval, clipped at zero)",
    "fig_benefit_muni_panel": "Municipalities",
    "fig_benefit_state_panel": "State and funds",
    "fig_gap_note": "Green band: gap within ±{tol} % of the frame, i.e. closed",
    "axis_persons": "persons",
    "axis_month": "month",
    "axis_option": "option",
    "axis_diff": "difference from the baseline",
    "axis_meetings": "meetings",
    "all_years": "all years",
    "unemployed_persons": "Unemployed jobseekers, persons",
    "h_late": ("In the plan as written ({s}) {late} statutory meetings in {year} miss their deadline, "
               "{share} of the deadlines [95 % CI {lo} – {hi}]: {ini} initial interviews and {js} "
               "job-search interviews."),
    "h_late_why": ("The cause is customer-service capacity: in {year} the hubs have {fte} FTE of customer "
                   "service and {util} of its working time is in use; most deadlines are missed at {hub} "
                   "({hub_late}, utilisation {hub_util})."),
    "h_late_rule_2025": ("The Nordic model in force in 2025 asks for the initial interview within 5 working "
                         "days and a meeting about every two weeks in the first three months; from 1.1.2026 "
                         "the initial interview within 10 working days and meetings every 3 months."),
    "h_benefit": ("The municipalities' share of unemployment benefits in {year} is {eur} [95 % CI {lo} – {hi}], "
                  "{pct} of the total benefit cost of {total}; the largest share is {muni}'s ({muni_eur})."),
    "h_gap": ("The baseline's cost in {year} is {cost} against a frame of {frame}: a gap of {gap} "
              "({pct} of the frame), {closed}."),
    "h_gap_closed": "closed",
    "h_gap_open": "to adjust",
    "h_options": "Adjustment options: {items}.",
    "h_option_item": "{s} gap {gap} ({closed})",
    "h_clear": "Clear differences from the baseline ({year}, area total): {items}.",
    "h_clear_none": "No difference from the baseline is clear ({year}, area total) with these replications.",
    "h_not_clear": "The other differences are not clear: their 95 % interval contains zero.",
    "h_only_baseline": "Only one scenario: no differences computed (run tyosim batch with several scenarios).",
})

for _lang, _extra in (("fi", {"about": "Tietoja", "differences": "Erot perusvaihtoehtoon",
                              "options": "Vaihtoehdot rinnakkain"}),
                      ("en", {"about": "About", "differences": "Differences from baseline",
                              "options": "Options side by side"})):
    SHEETS[_lang].update(_extra)

#: English names of the shipped services (the scenario files give only ``label_fi``).
SERVICE_EN = {
    "wage_subsidy_company": "Wage subsidy, companies",
    "wage_subsidy_association": "Wage subsidy, associations",
    "wage_subsidy_municipality": "Wage subsidy, municipalities",
    "coaching": "Coaching",
    "work_trial": "Work trial",
    "self_motivated_study": "Self-motivated study",
    "labour_market_training": "Labour-market training (incl. integration training)",
    "rehabilitative_work": "Rehabilitative work activity",
    "start_up_grant": "Start-up grant",
    "change_security_training": "Change-security training (55+)",
}

#: Finnish titles and descriptions of the shipped scenarios. Used only when the scenario's
#: name *and* its English description are exactly these (an edited scenario shows its own
#: text); a scenario's own ``description_fi`` (when the scenario carries one) wins.
KNOWN_SCENARIOS: dict[str, dict[str, str]] = {
    "baseline": {
        "en": "Plan as written: 28 htv of customer service split by 2019 unemployed, rules in force",
        "title_fi": "Perusvaihtoehto", "title_en": "Baseline",
        "fi": "Suunnitelma sellaisenaan: 28 htv asiakaspalvelua jaettuna vuoden 2019 työttömien mukaan, "
              "voimassa olevat säännöt"},
    "adjust_staff": {
        "en": "Adjustment, staff first: specialists -1, administration -0.5 htv; other expenses follow",
        "title_fi": "Sopeutus: henkilöstö", "title_en": "Adjustment: staff",
        "fi": "Sopeutus henkilöstöstä: asiantuntijat −1 htv, hallinto −0,5 htv; muut menot seuraavat"},
    "adjust_purchases": {
        "en": "Adjustment, purchases only: association wage subsidy 1.8 -> 1.7 % of broad unemployment, "
              "coaching 240 -> 230, work trial 70 -> 60",
        "title_fi": "Sopeutus: palveluostot", "title_en": "Adjustment: purchases",
        "fi": "Sopeutus vain palveluostoista: järjestöjen palkkatuki 1,8 → 1,7 % laajasta työttömyydestä, "
              "valmennus 240 → 230 paikkaa, työkokeilu 70 → 60"},
    "adjust_mixed": {
        "en": "Adjustment, mixed: -1 htv, other expenses -8,000 EUR, purchases by service, more "
              "self-motivated study",
        "title_fi": "Sopeutus: yhdistelmä", "title_en": "Adjustment: mixed",
        "fi": "Sopeutus yhdistelmänä: −1 htv, muut menot −8 000 €, ostoja palveluittain, enemmän "
              "omaehtoista opiskelua"},
    "service_mix_current": {
        "en": "Current: wage subsidy at 16 % of broad unemployment",
        "title_fi": "Palvelurakenne nyt", "title_en": "Service mix now",
        "fi": "Nykyinen: palkkatuki 16 % laajasta työttömyydestä"},
    "service_mix_plan": {
        "en": "Plan: wage subsidy at the national 6 % of broad unemployment, more coaching",
        "title_fi": "Palvelurakenne suunnitelman mukaan", "title_en": "Service mix as planned",
        "fi": "Suunnitelma: palkkatuki valtakunnalliseen 6 %:iin laajasta työttömyydestä, enemmän valmennusta"},
    "calibration_2019": {
        "en": "2019 out-of-sample check of the calibration",
        "title_fi": "Kalibroinnin tarkistus 2019", "title_en": "Calibration check 2019",
        "fi": "Kalibroinnin tarkistus vuoden 2019 aineistolla (ei sovitusaineistoa)"},
}


def kpi_label(lang: str, kpi: str) -> str:
    return label(lang, f"kpi_{kpi}")


def payer_label(lang: str, payer: str) -> str:
    return label(lang, f"payer_{payer}")


def service_label(lang: str, service: str, label_fi: str = "") -> str:
    """A service's name: its ``label_fi`` in Finnish, the English name (or the id in words) in English."""
    if lang == "fi" and label_fi:
        return label_fi
    if lang == "en" and service in SERVICE_EN:
        return SERVICE_EN[service]
    return label_fi or service.replace("_", " ").capitalize()


def item_label(lang: str, item: str, service_labels: dict[str, str] | None = None) -> str:
    """A cost item's name: ``customer_service:Laukaa`` → "Asiakaspalvelu, Laukaa",
    ``service:coaching`` → the service's ``label_fi`` (Finnish) or English name."""
    if item.startswith("customer_service:"):
        return label(lang, "item_customer_service").format(hub=item.split(":", 1)[1])
    if item.startswith("service:"):
        s = item.split(":", 1)[1]
        return service_label(lang, s, (service_labels or {}).get(s, ""))
    key = f"item_{item}"
    return label(lang, key) if key in LABELS[lang] else item.replace("_", " ")


def scenario_title(lang: str, name: str, description: str = "") -> str:
    """The scenario's name for people: a Finnish/English title for the shipped scenarios, else the name."""
    k = KNOWN_SCENARIOS.get(name)
    if k and k["en"] == description:
        return k[f"title_{lang}"]
    return name


def scenario_description(lang: str, name: str, description: str = "", description_fi: str = "") -> str:
    """The description in `lang`: ``description_fi`` when given, the shipped translation, else as written."""
    if lang == "fi":
        if description_fi:
            return description_fi
        k = KNOWN_SCENARIOS.get(name)
        if k and k["en"] == description:
            return k["fi"]
    return description


def rule_value_text(lang: str, rule: str, value: object) -> str:
    """A rule's value in words (schedules and benefit lists), numbers in the language's format."""
    if rule.startswith("municipal_share_schedule") and isinstance(value, list):
        parts = []
        for step in value:
            if isinstance(step, (list, tuple)) and len(step) == 2:
                parts.append(label(lang, "from_day").format(day=fmt_number(step[0], lang),
                                                            share=fmt_number(step[1], lang, 0, percent=True)))
        if parts:
            return "; ".join(parts)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(label(lang, f"benefit_{v}") if f"benefit_{v}" in LABELS[lang] else v for v in value)
    if isinstance(value, bool):
        return label(lang, "yes" if value else "no")
    if isinstance(value, (int, float)):
        return fmt_number(value, lang, 2 if isinstance(value, float) and value != int(value) else 0)
    return str(value)


def clear_label(lang: str, clear: object) -> str:
    return label(lang, "clear_yes" if bool(clear) else "clear_no")


def fmt_signed(x: object, lang: str, decimals: int = 0, percent: bool = False) -> str:
    """`fmt_number` with an explicit sign (+/−); shares as percentage points when `percent`."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return label(lang, "not_available")
    s = fmt_number(abs(v), lang, decimals, percent=False if percent else False) if not percent else \
        fmt_number(abs(v) * 100, lang, decimals)
    sign = "+" if v > 0 else ("\u2212" if v < 0 else "±")
    if round(abs(v) * (100 if percent else 1), decimals) == 0:
        sign = "±"
    unit = ("\u00a0%-yks." if lang == "fi" else " pp") if percent else ""
    return f"{sign}{s}{unit}"


def purchase_rule_text(lang: str, svc: object, broad: float | None) -> str:
    """How a service's planned purchase is sized, in words (`budget.planned_purchases`' rule)."""
    if getattr(svc, "budget_eur_per_year", None) is not None:
        return label(lang, "purchase_rule_budget")
    if getattr(svc, "places", None) is not None:
        return label(lang, "purchase_rule_places")
    share = getattr(svc, "target_share_of_broad_unemployment", None)
    if share is not None:
        return label(lang, "purchase_rule_target").format(
            share=fmt_number(share, lang, 1, percent=True), broad=fmt_number(broad, lang))
    return label(lang, "purchase_rule_none")


def sharing_key_text(lang: str, key: str, rounding: str) -> tuple[str, str]:
    return label(lang, f"key_{key}"), label(lang, f"rounding_{rounding}")
