"""The scenario page's Streamlit layout (``streamlit run simulation/app/page.py``, or `serve`).

Layout only: every decision is in `levers` (controls → scenario, validation), `runs` (the
worker process, progress, downloads) and `results` (tables in words). Order on the page:
the scenario (sidebar: language, a file from ``scenarios/`` or an upload) → its levers,
each validation error under its control → the run (horizon, replications, scenarios to
compare, a progress bar while the worker runs) → the results of the run (KPIs with 95 %
CIs, stock by hub, late meetings by month, benefit cost by payer and municipality, the
budget gap) → paired differences → downloads (results folder, workbook, scenario files).

Widget keys are ``<scenario id>|<control id>``, so another scenario starts from its own
values and switching the language keeps what was typed.

Longer than 400 lines because the Streamlit layout of the whole page (controls, run, results,
compare, downloads); its logic is in levers, runs and results.
"""

from __future__ import annotations

import hashlib

import altair as alt
import pandas as pd
import streamlit as st

import simulation as ts
from simulation.app import levers as L
from simulation.app import results as Q
from simulation.app import runs as R
from simulation.app import scenarios_folder
from simulation.app.texts import LANGS, reason_in, t

LANG_NAMES = {"fi": "Suomi", "en": "English"}
BY = ("area", "hub", "municipality")


def _key(base_id: str, control: str) -> str:
    return f"{base_id}|{control}"


def _show_error(lang: str, errors: dict[str, str], control: str) -> None:
    if control in errors:
        st.error(reason_in(lang, errors[control]), icon="⚠️")


def _service_name(lang: str, scenario: ts.Scenario, svc: str) -> str:
    from simulation.report.labels import service_label

    return service_label(lang, svc, scenario.services[svc].label_fi)


def _describe(lang: str, f: L.ScenarioFile) -> str:
    from simulation.report.labels import scenario_description

    d = scenario_description(lang, f.name, f.description, f.description_fi)
    return f"{f.name} — {d}" if d else f.name


# ---------------------------------------------------------------------------------------
# the scenario


@st.cache_data(ttl=60, show_spinner=False)
def _scenario_files(folder: str) -> tuple[list[L.ScenarioFile], dict[str, str]]:
    return L.list_scenarios(folder)


def choose_scenario(lang: str) -> tuple[ts.Scenario | None, str, list[L.ScenarioFile]]:
    """Sidebar: a scenario file or an upload. Returns the base scenario, its id and the files."""
    folder = scenarios_folder()
    files, skipped = _scenario_files(str(folder))
    st.sidebar.subheader(t(lang, "source"))
    source = st.sidebar.radio(
        t(lang, "source"),
        ("folder", "upload"),
        key="source",
        label_visibility="collapsed",
        format_func=lambda s: t(lang, f"source_{s}"),
    )
    if source == "upload":
        up = st.sidebar.file_uploader(
            t(lang, "upload"), type=["toml"], key="upload", help=t(lang, "upload_hint")
        )
        if up is None:
            return None, "", files
        data = up.getvalue()
        digest = hashlib.sha256(data).hexdigest()[:10]
        cache = st.session_state.setdefault("uploads", {})
        if digest not in cache:
            try:
                cache[digest] = L.load_uploaded(
                    data, up.name, folder, R.results_root() / "uploads" / digest
                )
            except ts.InputError as e:
                st.sidebar.error(e.message, icon="⚠️")
                return None, "", files
        return cache[digest], f"upload:{digest}", files
    if not files:
        st.sidebar.warning(t(lang, "no_scenarios", folder=folder))
    if skipped:  # files that are no complete scenario (or do not load), with the reason
        with st.sidebar.expander(t(lang, "not_loaded", items=", ".join(sorted(skipped)))):
            for name, reason in sorted(skipped.items()):
                st.caption(f"{name}: {reason}")
    if not files:
        return None, "", files
    chosen = st.sidebar.selectbox(
        t(lang, "pick"), files, key="pick", format_func=lambda f: _describe(lang, f)
    )
    try:
        base = ts.load_scenario(chosen.path)
    except ts.InputError as e:  # edited on disk since it was listed
        st.sidebar.error(e.message, icon="⚠️")
        return None, "", files
    return base, f"file:{chosen.path.name}", files


# ---------------------------------------------------------------------------------------
# the levers


def lever_controls(base: ts.Scenario, base_id: str, lang: str, errors: dict[str, str]) -> L.Levers:
    """The controls, filled with the scenario's values; returns the values as `Levers`."""
    start = L.levers_of(base)
    lv = start.copy()
    k = lambda c: _key(base_id, c)  # noqa: E731

    st.header(t(lang, "levers"))
    st.caption(t(lang, "levers_intro"))
    if st.button(t(lang, "reset"), key="reset"):
        for name in [n for n in st.session_state if str(n).startswith(base_id + "|")]:
            del st.session_state[name]
        st.rerun()
    _show_error(lang, errors, L.GENERAL)
    lv.name = st.text_input(t(lang, "name"), value=start.name, key=k(L.NAME))
    _show_error(lang, errors, L.NAME)

    with st.expander(t(lang, "staff"), expanded=True):
        cols = st.columns(min(4, max(1, len(start.staff_fte_by_hub))))
        for i, (hub, fte) in enumerate(start.staff_fte_by_hub.items()):
            control = f"{L.STAFF}.{hub}"
            with cols[i % len(cols)]:
                lv.staff_fte_by_hub[hub] = float(
                    st.number_input(
                        t(lang, "staff_fte", hub=hub),
                        value=float(fte),
                        step=0.5,
                        format="%.2f",
                        key=k(control),
                    )
                )
                _show_error(lang, errors, control)
        st.caption(
            t(
                lang,
                "staff_total",
                fte=Q.fmt(sum(lv.staff_fte_by_hub.values()), lang, decimals=1),
                base=Q.fmt(sum(start.staff_fte_by_hub.values()), lang, decimals=1),
            )
        )

    with st.expander(t(lang, "services"), expanded=False):
        if not start.capacity:
            st.caption(t(lang, "no_services"))
        cols = st.columns(2)
        for i, (svc, (key, value)) in enumerate(start.capacity.items()):
            control = f"services.{svc}.{key}"
            label = t(lang, key, service=_service_name(lang, base, svc))
            with cols[i % 2]:
                if key == "target_share_of_broad_unemployment":
                    v = (
                        st.number_input(
                            label,
                            value=100 * value,
                            min_value=0.0,
                            max_value=100.0,
                            step=0.1,
                            format="%.2f",
                            key=k(control),
                        )
                        / 100
                    )
                elif key == "budget_eur_per_year":
                    v = st.number_input(
                        label, value=value, step=10_000.0, format="%.0f", key=k(control)
                    )
                else:
                    v = st.number_input(label, value=value, step=5.0, format="%.0f", key=k(control))
                lv.capacity[svc] = (key, float(v))
                _show_error(lang, errors, control)

    with st.expander(t(lang, "meetings"), expanded=False):
        lv.any_hub_share = (
            float(
                st.number_input(
                    t(lang, "any_hub_share"),
                    value=100 * start.any_hub_share,
                    min_value=0.0,
                    max_value=100.0,
                    step=1.0,
                    format="%.1f",
                    key=k(L.ANY_HUB),
                )
            )
            / 100
        )
        _show_error(lang, errors, L.ANY_HUB)

    with st.expander(t(lang, "absence"), expanded=False):
        lv.absence_share = (
            float(
                st.number_input(
                    t(lang, "absence_share"),
                    value=100 * start.absence_share,
                    min_value=0.0,
                    max_value=100.0,
                    step=0.5,
                    format="%.1f",
                    key=k(L.ABSENCE_SHARE),
                )
            )
            / 100
        )
        _show_error(lang, errors, L.ABSENCE_SHARE)
        profiles = ("months", "flat")
        profile = st.radio(
            t(lang, "absence_profile"),
            profiles,
            key=k("absence_profile"),
            horizontal=True,
            index=0 if start.absence_month_factors is not None else 1,
            format_func=lambda p: t(lang, "profile_scenario" if p == "months" else "profile_flat"),
        )
        if profile == "flat":
            lv.absence_month_factors = None
        else:
            months = t(lang, "month_short").split(",")
            factors = start.absence_month_factors or [1.0] * 12
            st.caption(t(lang, "absence_factors"))
            cols = st.columns(6)
            lv.absence_month_factors = [
                float(
                    cols[i % 6].number_input(
                        months[i],
                        value=float(f),
                        step=0.05,
                        format="%.2f",
                        key=k(f"{L.ABSENCE_FACTORS}[{i}]"),
                    )
                )
                for i, f in enumerate(factors)
            ]
        _show_error(lang, errors, L.ABSENCE_FACTORS)
    return lv


# ---------------------------------------------------------------------------------------
# the run


def run_controls(
    base: ts.Scenario,
    base_id: str,
    lang: str,
    files: list[L.ScenarioFile],
    built: L.Built,
    years_default: float,
) -> None:
    st.header(t(lang, "run_section"))
    c1, c2 = st.columns(2)
    with c1:
        st.number_input(
            t(lang, "years"),
            value=float(years_default),
            step=0.5,
            format="%.2f",
            key=_key(base_id, L.YEARS),
        )
        _show_error(lang, built.errors, L.YEARS)
    with c2:
        reps = int(
            st.number_input(
                t(lang, "reps"), value=10, min_value=1, max_value=1000, step=1, key="reps"
            )
        )
    same_start = [f for f in files if f.start_date == str(base.run.start_date)]
    default = [f for f in same_start if f.name == "baseline"][:1]
    chosen = st.multiselect(
        t(lang, "compare_with"),
        same_start,
        default=default,
        key=_key(base_id, "compare_with"),  # each scenario starts from the baseline
        format_func=lambda f: _describe(lang, f),
        help=t(lang, "compare_help"),
    )
    running = "run" in st.session_state
    clicked = st.button(t(lang, "run"), type="primary", key="run_button", disabled=running)
    if built.scenario is not None:
        st.download_button(
            t(lang, "dl_current"),
            key="dl_current",
            mime="application/toml",
            file_name=f"{built.scenario.name}.toml",
            data=L.scenario_toml(built.scenario).encode("utf-8"),
        )
    if not clicked:
        return
    if not built.ok:
        st.error(t(lang, "fix_first"), icon="⚠️")
        return
    edited = built.scenario
    try:
        others = [
            ts.load_scenario(f.path, years=edited.run.years, seed=edited.run.seed) for f in chosen
        ]
    except ts.InputError as e:
        st.error(e.message, icon="⚠️")
        return
    if edited.name in {o.name for o in others}:
        st.error(t(lang, "duplicate_name", name=edited.name), icon="⚠️")
        return
    try:
        handle = R.start_run([*others, edited], reps)
    except ts.InputError as e:
        st.error(e.message, icon="⚠️")
        return
    st.session_state["run"] = {"handle": handle, "edited": edited.name}
    st.session_state.pop("result", None)
    st.session_state.pop("run_message", None)
    st.rerun()


@st.fragment(run_every=1.0)
def run_progress(lang: str) -> None:
    """The progress bar of the running worker; the whole page reruns when it ends."""
    run = st.session_state.get("run")
    if run is None:
        return
    h: R.RunHandle = run["handle"]
    done, total = h.progress()
    st.progress(done / total if total else 0.0, text=t(lang, "running", done=done, total=total))
    if st.button(t(lang, "cancel"), key="cancel"):
        h.cancel()
    if h.finished:
        st.rerun(scope="app")


def harvest(lang: str) -> None:
    """A finished run: its tables into the session (once), or its error."""
    run = st.session_state.get("run")
    if run is None or not run["handle"].finished:
        return
    h: R.RunHandle = run["handle"]
    status = h.wait(timeout=10)
    del st.session_state["run"]
    if status["state"] == "done":
        st.session_state["result"] = {
            "handle": h,
            "edited": run["edited"],
            "tables": Q.collect_results(h.results_dir),
            "diffs": {},
            "files": {},
        }
    elif status["state"] == "cancelled":
        st.session_state["run_message"] = ("info", t(lang, "run_cancelled"))
    else:
        st.session_state["run_message"] = (
            "error",
            f"{t(lang, 'run_failed')}: {status.get('message', '')}",
        )


# ---------------------------------------------------------------------------------------
# results


def _band_chart(
    data: pd.DataFrame, x: str, color: str, title_x: str, title_y: str, title_c: str
) -> alt.Chart:
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:O", title=title_x), color=alt.Color(f"{color}:N", title=title_c)
    )
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("ci95_lo:Q", title=title_y), y2="ci95_hi:Q")
    line = base.mark_line(point=True).encode(
        y="mean:Q", tooltip=[x, color, "mean", "ci95_lo", "ci95_hi"]
    )
    return (band + line).properties(width="container")


def show_results(lang: str) -> None:
    result = st.session_state.get("result")
    if result is None:
        return
    res: Q.PageResults = result["tables"]
    h: R.RunHandle = result["handle"]
    st.header(t(lang, "results"))
    names = res.names
    edited = result["edited"] if result["edited"] in names else names[-1]
    shown = st.selectbox(
        t(lang, "show_scenario"), names, index=names.index(edited), key="show_scenario"
    )
    st.caption(
        t(
            lang,
            "results_of",
            name=shown,
            reps=res.replications.get(shown, 0),
            years=Q.fmt(res.years.get(shown), lang, decimals=2),
        )
    )
    sections = (
        "kpis",
        "stock_by_hub",
        "late_by_month",
        "benefits_by_payer",
        "benefits_by_municipality",
        "budget_gap",
    )
    tabs = st.tabs([t(lang, f"tab_{k}") for k in sections])
    for tab, k in zip(tabs, sections, strict=True):
        tab.caption(t(lang, k))
    with tabs[0]:
        st.dataframe(Q.kpi_table(res, shown, lang))
    with tabs[1]:
        data = Q.stock_chart_data(res, shown)
        if len(data):
            st.altair_chart(
                _band_chart(
                    data,
                    "month",
                    "hub",
                    t(lang, "col_month"),
                    t(lang, "axis_persons"),
                    t(lang, "col_hub"),
                )
            )
    with tabs[2]:
        late = res.late_by_month
        if len(late):
            total = late[late["type"] == "total"]
            st.altair_chart(
                _band_chart(
                    total,
                    "month",
                    "scenario",
                    t(lang, "col_month"),
                    t(lang, "axis_meetings"),
                    t(lang, "col_scenario"),
                )
            )
            mine = late[late["scenario"] == shown].pivot(
                index="month", columns="type", values="mean"
            )
            mine = mine.rename(
                columns={
                    "initial": t(lang, "col_initial"),
                    "job_search": t(lang, "col_job_search"),
                    "total": t(lang, "col_late"),
                }
            )
            mine.index.name = t(lang, "col_month")
            st.dataframe(mine.round(1))
    with tabs[3]:
        st.dataframe(Q.benefits_table(res, lang), hide_index=True)
    with tabs[4]:
        st.dataframe(Q.municipality_table(res, shown, lang), hide_index=True)
    with tabs[5]:
        b = Q.budget_table(res, lang)
        if b.empty:
            st.caption(t(lang, "budget_none"))
        else:
            st.dataframe(b, hide_index=True)

    st.header(t(lang, "comparison"))
    if len(names) < 2:
        st.caption(t(lang, "compare_none"))
    else:
        c1, c2 = st.columns(2)
        baseline = c1.selectbox(t(lang, "baseline"), names, index=0, key="compare_baseline")
        by = c2.radio(
            t(lang, "compare_by"),
            BY,
            key="compare_by",
            horizontal=True,
            format_func=lambda b: t(lang, f"by_{b}"),
        )
        st.caption(t(lang, "compare_intro"))
        cache = result["diffs"]
        if (baseline, by) not in cache:
            cache[(baseline, by)] = Q.differences(h.results_dir, baseline, by)
        diff = cache[(baseline, by)]
        st.dataframe(Q.differences_table(diff, lang), hide_index=True)
        for note in diff.attrs.get("notes", []):
            st.caption(note)

    st.header(t(lang, "downloads"))
    c1, c2, c3 = st.columns(3)
    stamp = h.run_dir.name
    files = result["files"]
    if "zip" not in files:
        files["zip"] = R.results_zip(h.results_dir)
    if f"xlsx_{lang}" not in files:  # the workbook in the page's language (about 2 s, once)
        files[f"xlsx_{lang}"] = R.workbook_bytes(h.results_dir, lang)
    c1.download_button(
        t(lang, "dl_results"),
        key="dl_results",
        mime="application/zip",
        file_name=f"tyosim-{stamp}.zip",
        data=files["zip"],
    )
    c2.download_button(
        t(lang, "dl_workbook"),
        key="dl_workbook",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file_name=f"tyosim-{stamp}_{lang}.xlsx",
        data=files[f"xlsx_{lang}"],
    )
    for name in names:
        f = h.scenario_file(name)
        if f.is_file():
            c3.download_button(
                f"{t(lang, 'dl_scenario')}: {name}",
                key=f"dl_scenario_{name}",
                mime="application/toml",
                file_name=f"{name}.toml",
                data=f.read_bytes(),
            )
    st.caption(t(lang, "folder", folder=h.results_dir))


# ---------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="tyosim", layout="wide")
    lang = st.sidebar.radio(
        "Kieli / Language",
        LANGS,
        key="lang",
        horizontal=True,
        format_func=lambda code: LANG_NAMES[code],
    )
    st.title(t(lang, "page_title"))
    st.caption(t(lang, "intro"))
    base, base_id, files = choose_scenario(lang)
    if base is None:
        return
    harvest(lang)
    # the values first (the controls are drawn below, with the errors of these values)
    lv = _current_levers(base, base_id)
    built = L.build_scenario(base, lv)
    lever_controls(base, base_id, lang, built.errors)
    run_controls(base, base_id, lang, files, built, L.levers_of(base).years)
    if "run_message" in st.session_state:  # kept until the next run starts
        kind, text = st.session_state["run_message"]
        (st.error if kind == "error" else st.info)(text)
    if "run" in st.session_state:
        run_progress(lang)
    show_results(lang)


def _current_levers(base: ts.Scenario, base_id: str) -> L.Levers:
    """The levers as the controls hold them now (session state), the scenario's where untouched."""
    lv = L.levers_of(base)
    s = st.session_state
    get = lambda c, d: s.get(_key(base_id, c), d)  # noqa: E731
    lv.name = get(L.NAME, lv.name)
    lv.years = float(get(L.YEARS, lv.years))
    for hub, fte in list(lv.staff_fte_by_hub.items()):
        lv.staff_fte_by_hub[hub] = float(get(f"{L.STAFF}.{hub}", fte))
    for svc, (key, _value) in list(lv.capacity.items()):
        shown = get(f"services.{svc}.{key}", None)
        if shown is not None:
            lv.capacity[svc] = (
                key,
                float(shown) / 100 if key == "target_share_of_broad_unemployment" else float(shown),
            )
    shown = get(L.ANY_HUB, None)
    if shown is not None:
        lv.any_hub_share = float(shown) / 100
    shown = get(L.ABSENCE_SHARE, None)
    if shown is not None:
        lv.absence_share = float(shown) / 100
    profile = get("absence_profile", "months" if lv.absence_month_factors is not None else "flat")
    if profile == "flat":
        lv.absence_month_factors = None
    else:
        factors = lv.absence_month_factors or [1.0] * 12
        lv.absence_month_factors = [
            float(get(f"{L.ABSENCE_FACTORS}[{i}]", f)) for i, f in enumerate(factors)
        ]
    return lv


main()
