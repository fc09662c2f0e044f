"""Records → tidy monthly tables (pure functions, no simulation here).

`monthly_table` gives one row per month × municipality, `hubs_table` one row per
month × hub, with the columns of DESIGN.md. Lateness is counted three ways:
``*_late`` — interviews held in the month after their deadline (DESIGN.md);
``*_deadline_missed`` — deadlines that fell in the month and were not met, whether the
interview was held later or never (the jobseeker left, or the run ended), each once;
``*_overdue_end`` — interviews still waiting past their deadline at the month end (a
backlog never served shows here); ``interviews_overdue_days`` — the person-days in the month
that initial and job-search interviews waited past their deadline, held or not, and
``interviews_missed_equivalent`` — the same in statutory interviews (÷ the 3-month rhythm: a
person who waits 9 months past a deadline has missed 3 interviews). Only the last two never
fall when staff are cut: a person waits for one interview at a time, so holding one can only
end a wait, while the counts of deadlines depend on how far each person got in the process
(a person never given an initial interview has no job-search deadlines to miss). They are the
headline ("late interviews") in `kpis` and `compare`. Stock, inflow and exits are all counted
from the same spell records, so stock_end(m) = stock_end(m−1) + inflow(m) − exits(m)
holds exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.jobseeker import PROFILE  # the authority's job-search-profile task
from ..model.records import Dest, Outcome, Records
from ..scenario.calendar import DAYS_PER_MONTH, SimCalendar
from ..scenario.config import MEETING_TYPES

INITIAL = MEETING_TYPES.index("initial")
JOB_SEARCH_TYPES = [MEETING_TYPES.index("job_search"), MEETING_TYPES.index("supplementary")]
SUPPLEMENTARY = MEETING_TYPES.index("supplementary")
JOB_SEARCH = MEETING_TYPES.index("job_search")


def spells_frame(rec: Records) -> pd.DataFrame:
    return pd.DataFrame.from_records(rec.spells, columns=list(rec.fields("spells")))


def meetings_frame(rec: Records) -> pd.DataFrame:
    return pd.DataFrame.from_records(rec.meetings, columns=list(rec.fields("meetings")))


def _month_edges(cal: SimCalendar) -> np.ndarray:
    return np.asarray(cal.month_starts + [cal.days], dtype=float)


def monthly_table(rec: Records, cal: SimCalendar, munis: list[str],
                  muni_hub: list[str]) -> pd.DataFrame:
    """One row per month × municipality."""
    edges = _month_edges(cal)
    n_m, n_k = len(edges) - 1, len(munis)
    sp = rec.columns("spells")
    muni, start, end = sp.municipality.astype(int), sp.start_day, sp.exit_day
    dest = sp.dest.astype(int)

    def count(times: np.ndarray, mask: np.ndarray, who: np.ndarray = muni) -> np.ndarray:
        """Events at `times` (where `mask`) per month × municipality `who`."""
        out = np.zeros((n_m, n_k), dtype=np.int64)
        idx = np.searchsorted(edges, times[mask], side="right") - 1
        ok = (idx >= 0) & (idx < n_m)
        np.add.at(out, (idx[ok], who[mask][ok]), 1)
        return out

    def at_month_ends(who: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """How many intervals (a, b] hold each month end, per municipality `who`."""
        out = np.zeros((n_m, n_k), dtype=np.int64)
        for i, t in enumerate(edges[1:]):
            inside = (a < t) & (b >= t)
            out[i] = np.bincount(who[inside], minlength=n_k)
        return out

    inflow = count(start, start >= 0)
    exits_emp = count(end, np.isfinite(end) & (dest == Dest.EMPLOYMENT))
    exits_oth = count(end, np.isfinite(end) & (dest == Dest.OTHER))
    alive = at_month_ends(muni, start, end)
    # services: participants are registered jobseekers but not in the unemployed stock
    sv = rec.columns("services")
    s_muni, s_start, s_end = sv.municipality.astype(int), sv.start_day, sv.end_day
    s_out = sv.outcome.astype(int)
    in_services = at_month_ends(s_muni, s_start, s_end)
    service_starts = count(s_start, s_start >= 0, s_muni)
    service_returns = count(s_end, np.isfinite(s_end) & (s_out == Outcome.JOB_SEARCH), s_muni)
    left = (s_out == Outcome.EMPLOYMENT) | (s_out == Outcome.LEFT)
    exits_from_services = count(s_end, np.isfinite(s_end) & left, s_muni)
    stock = alive - in_services

    mt = rec.columns("meetings")
    m_muni = mt.municipality.astype(int)
    m_type = mt.mtype.astype(int)
    due, held = mt.due_day.astype(int), mt.held_day.astype(int)
    late = held > due
    m_idx = np.searchsorted(edges, held, side="right") - 1
    ok = (m_idx >= 0) & (m_idx < n_m)

    def mcount(mask: np.ndarray) -> np.ndarray:
        out = np.zeros((n_m, n_k), dtype=np.int64)
        mm = mask & ok
        np.add.at(out, (m_idx[mm], m_muni[mm]), 1)
        return out

    is_init = m_type == INITIAL
    is_js = np.isin(m_type, JOB_SEARCH_TYPES)
    purchased = mt.purchased.astype(bool)
    profile = m_type == PROFILE

    # deadlines missed, by the month the deadline fell in: the interview held after it, or
    # never held (the jobseeker left past it, or the run ended)
    un = rec.columns("unheld")
    u_muni, u_type = un.municipality.astype(int), un.mtype.astype(int)
    u_due, u_end = un.due_day, un.end_day
    due_f = due.astype(float)
    # time past a deadline, held or not: per month and municipality, the person-days that
    # initial and job-search interviews waited past their deadline (a late one until it was
    # held, one never held until the exit or the horizon). A person waits for one interview at
    # a time, so holding an interview can only end a wait: fewer staff never give less of it.
    late_any = late & (is_init | is_js)
    w_a = np.concatenate([due_f[late_any], u_due]) + 1.0       # late from the day after the due day
    w_b = np.concatenate([held[late_any].astype(float), u_end])
    w_muni = np.concatenate([m_muni[late_any], u_muni])
    overdue_days = np.zeros((n_m, n_k))
    for i in range(n_m):
        days = np.clip(np.minimum(w_b, edges[i + 1]) - np.maximum(w_a, edges[i]), 0, None)
        overdue_days[i] = np.bincount(w_muni, weights=days, minlength=n_k)
    rd = float(rec.regular_interval_days)

    def missed(types: list[int]) -> np.ndarray:
        return (count(due_f, np.isin(m_type, types) & late, m_muni)
                + count(u_due, np.isin(u_type, types), u_muni))

    # interviews still waiting past their deadline at each month end
    ov = rec.columns("overdue")
    ov_month, ov_muni = ov.month.astype(int), ov.municipality.astype(int)
    ov_type = ov.mtype.astype(int)

    def overdue(types: list[int]) -> np.ndarray:
        out = np.zeros((n_m, n_k), dtype=np.int64)
        sel = np.isin(ov_type, types)
        np.add.at(out, (ov_month[sel], ov_muni[sel]), 1)
        return out
    months = cal.month_labels
    df = pd.DataFrame({
        "month": np.repeat(months, n_k),
        "municipality": np.tile(munis, n_m),
        "hub": np.tile(muni_hub, n_m),
        "stock_end": stock.ravel(),
        "inflow": inflow.ravel(),
        "exits_employment": exits_emp.ravel(),
        "exits_other": exits_oth.ravel(),
        "initial_interviews": mcount(is_init).ravel(),
        "initial_interviews_late": mcount(is_init & late).ravel(),
        "job_search_interviews": mcount(is_js).ravel(),
        "job_search_interviews_late": mcount(is_js & late).ravel(),
        "supplementary_interviews_purchased": mcount(purchased).ravel(),
        "initial_interviews_deadline_missed": missed([INITIAL]).ravel(),
        "job_search_interviews_deadline_missed": missed(JOB_SEARCH_TYPES).ravel(),
        "interviews_overdue_days": overdue_days.ravel(),
        "interviews_missed_equivalent": (overdue_days / rd).ravel(),
        "initial_interviews_overdue_end": overdue([INITIAL]).ravel(),
        "job_search_interviews_overdue_end": overdue(JOB_SEARCH_TYPES).ravel(),
        "job_search_profiles_by_authority": mcount(profile).ravel(),
        "forecast_stock_target": (rec.outlook_target.ravel() if rec.outlook_target is not None
                                  else np.full(n_m * n_k, np.nan)),
        "in_services_end": in_services.ravel(),
        "broad_unemployment_end": alive.ravel(),
        "service_starts": service_starts.ravel(),
        "service_returns": service_returns.ravel(),
        "exits_from_services": exits_from_services.ravel(),
    })
    return df


def services_table(rec: Records, cal: SimCalendar, scenario,
                   broad_area_end: np.ndarray) -> pd.DataFrame:
    """One row per month × service: starts, participants, cost, capacity and any shortfall.

    `broad_area_end` is the area's broad unemployment at each month end (for target shares).
    A target share the capacity cannot meet shows as `shortfall_places` > 0.
    """
    names = list(scenario.services)
    if not names:
        return pd.DataFrame(columns=["month", "service", "kind", "starts", "participants_end",
                                     "participant_days", "cost_eur", "capacity_places",
                                     "target_places", "shortfall_places"])
    edges = _month_edges(cal)
    n_m = len(edges) - 1
    sv = rec.columns("services")
    svc, a, b = sv.service.astype(int), sv.start_day, sv.end_day
    rows = []
    days_per_month = DAYS_PER_MONTH
    for j, name in enumerate(names):
        cfg = scenario.services[name]
        sel = svc == j
        sa, sb = a[sel], np.minimum(b[sel], cal.days)
        for i in range(n_m):
            lo, hi = edges[i], edges[i + 1]
            days = np.clip(np.minimum(sb, hi) - np.maximum(sa, lo), 0, None).sum()
            participants = int(((sa < hi) & (b[sel] >= hi)).sum())
            starts = int(((sa >= lo) & (sa < hi)).sum())
            target = (cfg.target_share_of_broad_unemployment * broad_area_end[i]
                      if cfg.target_share_of_broad_unemployment is not None else np.nan)
            cap = cfg.capacity(broad_area_end[i])
            rows.append({
                "month": cal.month_labels[i], "service": name, "kind": cfg.kind or name,
                "starts": starts, "participants_end": participants, "participant_days": float(days),
                "cost_eur": float(days) * cfg.unit_cost_eur_per_month / days_per_month,
                "capacity_places": cap if np.isfinite(cap) else np.nan,
                "target_places": target,
                "shortfall_places": (max(target - participants, 0.0) if not np.isnan(target)
                                     else 0.0),
            })
    return pd.DataFrame(rows)


def hubs_table(rec: Records, cal: SimCalendar, hubs: list[str],
               staff_fte: list[float]) -> pd.DataFrame:
    """One row per month × hub: staff, capacity, use, backlog and waits."""
    edges = _month_edges(cal)
    n_m = len(edges) - 1
    mt = rec.columns("meetings")
    staffed = ~mt.purchased.astype(bool)
    hub = mt.hub[staffed].astype(int)
    open_d, held = mt.open_day[staffed].astype(int), mt.held_day[staffed].astype(int)
    cw = cal._cum_working  # working days in [0, i)
    top = len(cw) - 1
    wait = np.maximum(cw[np.minimum(held + 1, top)] - cw[np.minimum(open_d + 1, top)], 0)
    wait = wait.astype(float)
    m_idx = np.searchsorted(edges, held, side="right") - 1
    rows = []
    for h, name in enumerate(hubs):
        if rec.hub_logs:
            log = rec.hub_logs[h]
            d = np.asarray(log.day, dtype=float)
            di = np.searchsorted(edges, d, side="right") - 1
            cap = np.bincount(di, weights=np.asarray(log.capacity_min), minlength=n_m)[:n_m]
            used = np.bincount(di, weights=np.asarray(log.used_min), minlength=n_m)[:n_m]
            lent = np.bincount(di, weights=np.asarray(log.lent_min), minlength=n_m)[:n_m]
            backlog = np.zeros(n_m)
            waiting = np.zeros(n_m)
            month_end = np.asarray(log.month_end_day, dtype=float)
            me = np.searchsorted(edges, month_end, side="right") - 1
            backlog[me] = log.overdue_end
            waiting[me] = log.waiting_end
        else:
            cap = used = lent = backlog = waiting = np.full(n_m, np.nan)
        for i in range(n_m):
            sel = (hub == h) & (m_idx == i)
            rows.append({
                "month": cal.month_labels[i], "hub": name, "staff_fte": staff_fte[h],
                "capacity_hours": cap[i] / 60, "used_hours": used[i] / 60,
                "utilisation": used[i] / cap[i] if cap[i] else np.nan,
                "backlog_end": backlog[i], "waiting_end": waiting[i],
                "lent_hours": lent[i] / 60,
                "meetings_held": int(sel.sum()),
                "mean_wait_working_days": float(wait[sel].mean()) if sel.any() else np.nan,
            })
    return pd.DataFrame(rows)


def service_cost_by_municipality(rec: Records, cal: SimCalendar, scenario,
                                 n_munis: int) -> np.ndarray:
    """Service cost (EUR) per month × municipality: participant-days × unit cost a month."""
    edges = _month_edges(cal)
    n_m = len(edges) - 1
    out = np.zeros((n_m, n_munis))
    if not rec.services:
        return out
    unit = (np.asarray([c.unit_cost_eur_per_month for c in scenario.services.values()])
            / DAYS_PER_MONTH)
    sv = rec.columns("services")
    muni, svc = sv.municipality.astype(int), sv.service.astype(int)
    a, b = sv.start_day, np.minimum(sv.end_day, cal.days)
    for i in range(n_m):
        days = np.clip(np.minimum(b, edges[i + 1]) - np.maximum(a, edges[i]), 0, None)
        out[i] = np.bincount(muni, weights=days * unit[svc], minlength=n_munis)
    return out
