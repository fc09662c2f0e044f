"""Records → tidy monthly tables (pure functions, no simulation here).

`monthly_table` gives one row per month × municipality, `hubs_table` one row per
month × hub, with the columns of DESIGN.md. Stock, inflow and exits are all counted
from the same spell records, so stock_end(m) = stock_end(m−1) + inflow(m) − exits(m)
holds exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import SimCalendar
from .config import MEETING_TYPES
from .model.records import MEETING_FIELDS, SPELL_FIELDS, Records

INITIAL = MEETING_TYPES.index("initial")
JOB_SEARCH_TYPES = [MEETING_TYPES.index("job_search"), MEETING_TYPES.index("supplementary")]
SUPPLEMENTARY = MEETING_TYPES.index("supplementary")


def spells_frame(rec: Records) -> pd.DataFrame:
    return pd.DataFrame.from_records(rec.spells, columns=list(SPELL_FIELDS))


def meetings_frame(rec: Records) -> pd.DataFrame:
    return pd.DataFrame.from_records(rec.meetings, columns=list(MEETING_FIELDS))


def _month_edges(cal: SimCalendar) -> np.ndarray:
    return np.asarray(cal.month_starts + [cal.days], dtype=float)


def monthly_table(rec: Records, cal: SimCalendar, munis: list[str], muni_hub: list[str]) -> pd.DataFrame:
    """One row per month × municipality."""
    edges = _month_edges(cal)
    n_m, n_k = len(edges) - 1, len(munis)
    sp = np.asarray([(s[1], s[3], s[4], s[5]) for s in rec.spells], dtype=float).reshape(-1, 4)
    muni, start, end, dest = sp[:, 0].astype(int), sp[:, 1], sp[:, 2], sp[:, 3].astype(int)

    def count(times: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.zeros((n_m, n_k), dtype=np.int64)
        idx = np.searchsorted(edges, times[mask], side="right") - 1
        ok = (idx >= 0) & (idx < n_m)
        np.add.at(out, (idx[ok], muni[mask][ok]), 1)
        return out

    inflow = count(start, start >= 0)
    exits_emp = count(end, np.isfinite(end) & (dest == 0))
    exits_oth = count(end, np.isfinite(end) & (dest == 1))
    stock = np.zeros((n_m, n_k), dtype=np.int64)
    for i, t in enumerate(edges[1:]):
        alive = (start < t) & (end >= t)
        stock[i] = np.bincount(muni[alive], minlength=n_k)

    mt = np.asarray(rec.meetings, dtype=float).reshape(-1, len(MEETING_FIELDS))
    m_muni = mt[:, 0].astype(int)
    m_type = mt[:, 2].astype(int)
    due, held = mt[:, 4].astype(int), mt[:, 6].astype(int)
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
    purchased = mt[:, 8].astype(bool)
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
        "in_services_end": np.zeros(n_m * n_k, dtype=np.int64),
    })
    return df


def hubs_table(rec: Records, cal: SimCalendar, hubs: list[str], staff_fte: list[float]) -> pd.DataFrame:
    """One row per month × hub: staff, capacity, use, backlog and waits."""
    edges = _month_edges(cal)
    n_m = len(edges) - 1
    mt = np.asarray(rec.meetings, dtype=float).reshape(-1, len(MEETING_FIELDS))
    staffed = ~mt[:, 8].astype(bool)
    mt = mt[staffed]
    hub = mt[:, 1].astype(int)
    open_d, held = mt[:, 5].astype(int), mt[:, 6].astype(int)
    cw = cal._cum_working  # working days in [0, i)
    top = len(cw) - 1
    wait = np.maximum(cw[np.minimum(held + 1, top)] - cw[np.minimum(open_d + 1, top)], 0).astype(float)
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
            me = np.searchsorted(edges, np.asarray(log.month_end_day, dtype=float), side="right") - 1
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
