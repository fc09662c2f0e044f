"""The page's words in Finnish and English (`t(lang, key)`), and validation reasons in Finnish.

Every label a person reads on the scenario page comes from `TEXTS`, so the page is wholly
Finnish (the default) or wholly English. Names that come from scenario files (scenario
names, hub and municipality names) are shown as written. KPI, payer and service names are
the report's (`simulation.report.labels`), so the page and the workbook use the same words.

A validation error is the scenario's own `InputError` reason (English); `reason_in` gives
the Finnish wording of the common ones and falls back to the English text, never hiding it.
"""

from __future__ import annotations

import re

LANGS = ("fi", "en")

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "page_title": "Työllisyysalueen skenaariot",
        "intro": (
            "Valitse skenaario, muuta vipuja, aja toistot ja vertaa perusvaihtoehtoon. "
            "Sivu käyttää samaa ajoa kuin komentorivi (tyosim batch): ladattava tuloskansio, "
            "työkirja ja skenaariotiedosto käyvät myös komentoriville."
        ),
        "language": "Kieli",
        "source": "Skenaario",
        "source_folder": "Kansiosta scenarios/",
        "source_upload": "Oma TOML-tiedosto",
        "pick": "Valitse skenaario",
        "upload": "Lataa skenaariotiedosto (TOML)",
        "upload_hint": "Suhteellinen extends luetaan kansiosta scenarios/.",
        "no_scenarios": "Kansiossa {folder} ei ole skenaarioita.",
        "not_loaded": "Ei ladattavissa: {items}",
        "levers": "Vivut",
        "levers_intro": "Muutetut arvot tarkistetaan heti; virhe näkyy kentän alla.",
        "reset": "Palauta skenaarion arvot",
        "name": "Muokatun skenaarion nimi",
        "staff": "Henkilöasiakaspalvelu toimipisteittäin",
        "staff_fte": "{hub}: asiakaspalvelu, htv",
        "staff_total": "Yhteensä {fte} htv (skenaariossa {base} htv)",
        "services": "Palveluiden paikat ja budjetit",
        "places": "{service}: paikkoja",
        "budget_eur_per_year": "{service}: budjetti, € vuodessa",
        "target_share_of_broad_unemployment": "{service}: tavoite, % laajasta työttömyydestä",
        "no_services": "Skenaariossa ei ole palveluita.",
        "meetings": "Asiointi",
        "any_hub_share": "Asioi missä tahansa toimipisteessä, % työnhakijoista",
        "absence": "Poissaolot",
        "absence_share": "Poissaolo, % työpäivistä",
        "absence_profile": "Poissaolot kuukausittain",
        "profile_scenario": "Kuukausikertoimet (skenaarion mukaan)",
        "profile_flat": "Sama joka kuukausi",
        "absence_factors": "Kuukausikertoimet (keskiarvo 1)",
        "month_short": "tammi,helmi,maalis,huhti,touko,kesä,heinä,elo,syys,loka,marras,joulu",
        "run_section": "Ajo",
        "years": "Simuloitavat vuodet",
        "reps": "Toistoja",
        "compare_with": "Vertailtavat skenaariot",
        "compare_help": "Ajetaan samoilla satunnaisluvuilla; ensimmäinen on perusvaihtoehto.",
        "run": "Aja",
        "cancel": "Keskeytä",
        "fix_first": "Korjaa ensin virheelliset arvot.",
        "duplicate_name": "Nimi {name!r} on jo vertailtavalla skenaariolla; anna toinen nimi.",
        "running": "Ajetaan: {done}/{total} toistoa valmiina",
        "run_failed": "Ajo epäonnistui",
        "run_cancelled": "Ajo keskeytettiin.",
        "results": "Tulokset",
        "results_of": "Tulokset: {name} ({reps} toistoa, {years} v)",
        "show_scenario": "Näytettävä skenaario",
        "kpis": "Tunnusluvut (keskiarvo [95 %:n luottamusväli])",
        "stock_by_hub": "Työttömät toimipisteittäin (kuukauden lopussa, keskiarvo ja 95 %:n lv.)",
        "late_by_month": "Määräajan ylittäneet lakisääteiset tapaamiset kuukausittain",
        "benefits_by_payer": "Työttömyysturvan kustannus maksajittain",
        "benefits_by_municipality": "Kuntien työttömyysturvaosuus kunnittain, € vuodessa",
        "budget_gap": "Talousarvio: kustannus, kehys ja erotus",
        "budget_none": "Skenaariossa ei ole talousarviota ([budget]).",
        "tab_kpis": "Tunnusluvut",
        "tab_stock_by_hub": "Työttömät toimipisteittäin",
        "tab_late_by_month": "Myöhästyneet tapaamiset",
        "tab_benefits_by_payer": "Työttömyysturva maksajittain",
        "tab_benefits_by_municipality": "Kunnat",
        "tab_budget_gap": "Talousarvio",
        "axis_persons": "henkilöä",
        "axis_meetings": "tapaamisia",
        "comparison": "Vertailu",
        "compare_by": "Vertailun taso",
        "by_area": "Koko alue",
        "by_hub": "Toimipisteittäin",
        "by_municipality": "Kunnittain",
        "baseline": "Perusvaihtoehto",
        "compare_intro": (
            "Parittaiset erot: vaihtoehdon toisto k verrataan perusvaihtoehdon toistoon k "
            "(samat satunnaisluvut). Ero on selvä, kun 95 %:n väli ei sisällä nollaa."
        ),
        "compare_none": "Valitse ajoon ainakin kaksi skenaariota, niin erot lasketaan.",
        "downloads": "Lataukset",
        "dl_results": "Tuloskansio (zip)",
        "dl_workbook": "Työkirja (xlsx)",
        "dl_scenario": "Skenaariotiedosto (TOML)",
        "dl_scenario_of": "Ajettu skenaario",
        "dl_current": "Muokattu skenaario (TOML, ajamatta)",
        "folder": "Tulokset kansiossa {folder}",
        "error": "Virhe",
        "col_kpi": "Tunnusluku",
        "col_year": "Vuosi",
        "col_month": "Kuukausi",
        "col_hub": "Toimipiste",
        "col_municipality": "Kunta",
        "col_scenario": "Skenaario",
        "col_payer": "Maksaja",
        "col_value": "Keskiarvo [95 %:n lv.]",
        "col_mean": "Keskiarvo",
        "col_lo": "95 %:n lv. alaraja",
        "col_hi": "95 %:n lv. yläraja",
        "col_benefit_gross": "Työttömyysturvaosuus, € [95 %:n lv.]",
        "col_compensation": "Kompensaatio, €",
        "col_benefit_net": "Nettokustannus, €",
        "col_cost_share": "Osuus alueen kustannuksesta, €",
        "col_cost": "Kustannus, €",
        "col_frame": "Kehys, €",
        "col_gap": "Erotus, €",
        "col_gap_share": "Erotus, % kehyksestä",
        "col_closed": "Suljettu",
        "col_baseline": "Perusvaihtoehto",
        "col_scenario_mean": "Vaihtoehto",
        "col_difference": "Ero",
        "col_ci": "95 %:n lv.",
        "col_clear": "Selvä ero",
        "col_n": "Toistoja",
        "col_initial": "Alkuhaastattelut",
        "col_job_search": "Työnhakukeskustelut",
        "col_late": "Määräaika ylittyi",
        "yes": "kyllä",
        "no": "ei",
    },
    "en": {
        "page_title": "Employment area scenarios",
        "intro": (
            "Pick a scenario, change its levers, run replications and compare with the baseline. "
            "The page uses the same runner as the command line (tyosim batch): the results folder, "
            "workbook and scenario file it downloads work on the command line too."
        ),
        "language": "Language",
        "source": "Scenario",
        "source_folder": "From the scenarios/ folder",
        "source_upload": "My own TOML file",
        "pick": "Pick a scenario",
        "upload": "Upload a scenario file (TOML)",
        "upload_hint": "A relative extends is read from the scenarios/ folder.",
        "no_scenarios": "No scenarios in {folder}.",
        "not_loaded": "Could not load: {items}",
        "levers": "Levers",
        "levers_intro": "Changed values are checked at once; an error shows under its control.",
        "reset": "Back to the scenario's values",
        "name": "Name of the edited scenario",
        "staff": "Customer service by hub",
        "staff_fte": "{hub}: customer service, FTE",
        "staff_total": "Total {fte} FTE (the scenario has {base} FTE)",
        "services": "Service places and budgets",
        "places": "{service}: places",
        "budget_eur_per_year": "{service}: budget, EUR a year",
        "target_share_of_broad_unemployment": "{service}: target, % of broad unemployment",
        "no_services": "The scenario has no services.",
        "meetings": "Meetings",
        "any_hub_share": "Meet at any hub, % of jobseekers",
        "absence": "Absence",
        "absence_share": "Absence, % of working days",
        "absence_profile": "Absence by month",
        "profile_scenario": "Monthly factors (as in the scenario)",
        "profile_flat": "The same every month",
        "absence_factors": "Monthly factors (average 1)",
        "month_short": "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
        "run_section": "Run",
        "years": "Years to simulate",
        "reps": "Replications",
        "compare_with": "Scenarios to compare",
        "compare_help": "Run with common random numbers; the first is the baseline.",
        "run": "Run",
        "cancel": "Cancel",
        "fix_first": "Correct the values marked as wrong first.",
        "duplicate_name": "A scenario to compare is named {name!r}; choose another name.",
        "running": "Running: {done}/{total} replications done",
        "run_failed": "The run failed",
        "run_cancelled": "The run was cancelled.",
        "results": "Results",
        "results_of": "Results: {name} ({reps} replications, {years} years)",
        "show_scenario": "Scenario to show",
        "kpis": "Headline KPIs (mean [95 % confidence interval])",
        "stock_by_hub": "Unemployed jobseekers by hub (end of month, mean and 95 % CI)",
        "late_by_month": "Statutory meetings past their deadline, by month",
        "benefits_by_payer": "Unemployment benefit cost by payer",
        "benefits_by_municipality": "Municipal share of unemployment benefits, EUR a year",
        "budget_gap": "Budget: cost, frame and gap",
        "budget_none": "The scenario has no budget ([budget]).",
        "tab_kpis": "KPIs",
        "tab_stock_by_hub": "Unemployed by hub",
        "tab_late_by_month": "Late meetings",
        "tab_benefits_by_payer": "Benefits by payer",
        "tab_benefits_by_municipality": "Municipalities",
        "tab_budget_gap": "Budget",
        "axis_persons": "persons",
        "axis_meetings": "meetings",
        "comparison": "Comparison",
        "compare_by": "Compare by",
        "by_area": "Whole area",
        "by_hub": "Hub",
        "by_municipality": "Municipality",
        "baseline": "Baseline",
        "compare_intro": (
            "Paired differences: replication k of each option is compared with replication k "
            "of the baseline (common random numbers). A difference is clear when its 95 % "
            "interval excludes zero."
        ),
        "compare_none": "Run at least two scenarios to see their differences.",
        "downloads": "Downloads",
        "dl_results": "Results folder (zip)",
        "dl_workbook": "Workbook (xlsx)",
        "dl_scenario": "Scenario file (TOML)",
        "dl_scenario_of": "Scenario run",
        "dl_current": "Edited scenario (TOML, not run)",
        "folder": "Results in {folder}",
        "error": "Error",
        "col_kpi": "KPI",
        "col_year": "Year",
        "col_month": "Month",
        "col_hub": "Hub",
        "col_municipality": "Municipality",
        "col_scenario": "Scenario",
        "col_payer": "Payer",
        "col_value": "Mean [95 % CI]",
        "col_mean": "Mean",
        "col_lo": "95 % CI low",
        "col_hi": "95 % CI high",
        "col_benefit_gross": "Benefit share, EUR [95 % CI]",
        "col_compensation": "Compensation, EUR",
        "col_benefit_net": "Net cost, EUR",
        "col_cost_share": "Share of the area's cost, EUR",
        "col_cost": "Cost, EUR",
        "col_frame": "Frame, EUR",
        "col_gap": "Gap, EUR",
        "col_gap_share": "Gap, % of frame",
        "col_closed": "Closed",
        "col_baseline": "Baseline",
        "col_scenario_mean": "Option",
        "col_difference": "Difference",
        "col_ci": "95 % CI",
        "col_clear": "Clear",
        "col_n": "Replications",
        "col_initial": "Initial interviews",
        "col_job_search": "Job-search interviews",
        "col_late": "Deadline missed",
        "yes": "yes",
        "no": "no",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang` (an unknown key shows as itself), formatted with `values`."""
    text = TEXTS.get(lang, TEXTS["fi"]).get(key, key)
    return text.format(**values) if values else text


# The scenario's validation reasons (simulation.scenario.config, pydantic) in Finnish.
_REASONS_FI: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"staff cannot be negative \(got (.+)\)"),
        r"henkilöstö ei voi olla negatiivinen (annettu \1)",
    ),
    (re.compile(r"at most (\S+) FTE \(got (.+)\)"), r"enintään \1 htv (annettu \2)"),
    (
        re.compile(r"Input should be greater than or equal to (\S+) \(got (.+)\)"),
        r"arvon on oltava vähintään \1 (annettu \2)",
    ),
    (
        re.compile(r"Input should be greater than (\S+) \(got (.+)\)"),
        r"arvon on oltava yli \1 (annettu \2)",
    ),
    (
        re.compile(r"Input should be less than or equal to (\S+) \(got (.+)\)"),
        r"arvon on oltava enintään \1 (annettu \2)",
    ),
    (
        re.compile(r"Input should be a finite number \(got (.+)\)"),
        r"arvon on oltava luku (annettu \1)",
    ),
    (
        re.compile(r"absence factors must average 1 \(they average (.+)\)"),
        r"kuukausikertoimien keskiarvon on oltava 1 (nyt \1)",
    ),
    (
        re.compile(r"absence factors cannot be negative"),
        "kuukausikertoimet eivät voi olla negatiivisia",
    ),
    (
        re.compile(
            r"absence_share (\S+) × the largest factor (\S+) = (\S+): absence cannot exceed 1.*"
        ),
        r"poissaolo \1 × suurin kerroin \2 = \3: poissaolo ei voi ylittää 100 %; "
        r"pienennä poissaoloa tai kertoimia",
    ),
    (
        re.compile(
            r"(\S+) participants at the start, more than (\S+) × the service's (\S+) places"
        ),
        r"alussa \1 osallistujaa, yli \2 × palvelun \3 paikkaa: "
        r"paikkoja ei voi vähentää näin paljon",
    ),
    (
        re.compile(
            r"target shares of broad unemployment sum to (\S+) over the services \((.+)\); "
            r"they can sum to at most 1"
        ),
        r"tavoiteosuudet laajasta työttömyydestä ovat yhteensä \1 (\2); yhteensä enintään 1",
    ),
    (
        re.compile(r"a budget needs a positive unit cost"),
        "budjetti vaatii positiivisen yksikkökustannuksen",
    ),
    (re.compile(r"String should have at least 1 character.*"), "nimi puuttuu"),
    (
        re.compile(r"start stock \+ inflow × scale over (\S+) years ≈ (\S+) jobseekers.*"),
        r"alkukanta + tulovirta \1 vuodessa ≈ \2 työnhakijaa, enemmän kuin yksi ajo voi käsitellä",
    ),
]


def reason_in(lang: str, reason: str) -> str:
    """A validation reason in `lang`: Finnish for the common ones, else as the scenario gave it."""
    if lang != "fi":
        return reason
    for pattern, fi in _REASONS_FI:
        if pattern.fullmatch(reason):
            return pattern.sub(fi, reason)
    return reason
