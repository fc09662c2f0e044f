"""The forecast hierarchy (municipality → hub → area) and forecast reconciliation.

Forecasts made series by series do not add up: the hub forecast is not the sum of its
municipalities' forecasts. Reconciliation fixes that. With the summing matrix ``S``
(one row per series, one column per municipality) and base forecasts ``ŷ`` for every
series, a reconciled forecast is ``ỹ = S G ŷ``; it is coherent by construction.

- bottom-up: ``G`` picks the municipal forecasts;
- OLS: ``G = (SᵀS)⁻¹Sᵀ``;
- MinT (shrink) (Wickramasuriya, Athanasopoulos & Hyndman 2019):
  ``G = (SᵀW⁻¹S)⁻¹SᵀW⁻¹`` with ``W`` the covariance of the one-step in-sample errors,
  shrunk towards its diagonal with the Schäfer–Strimmer intensity.

The same ``G`` is applied to every simulated path, so the intervals are coherent too.
A municipality of the data that is not in the region is kept *outside* the hierarchy:
it is forecast on its own and marked as such in the output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..scenario.region import Region

Level = Literal["municipality", "hub", "area"]
Method = Literal["bottom_up", "ols", "mint_shrink", "none"]
from .defaults import RECONCILIATION_METHODS  # noqa: E402  (the defaults the CLI shows)


@dataclass(frozen=True)
class SeriesKey:
    """One series: its level and name (a hub and a municipality may share a name)."""

    level: Level
    name: str

    @property
    def id(self) -> str:
        return f"{self.level}:{self.name}"


@dataclass(frozen=True)
class Hierarchy:
    """Series of the hierarchy and its summing matrix.

    Attributes
    ----------
    keys : tuple of SeriesKey
        Municipalities (the bottom level, in `bottom` order), then hubs, then the area.
    summing : numpy.ndarray
        ``S``, shape (len(keys), len(bottom)); row i says which municipalities add up to series i.
    bottom : tuple of str
        Municipalities inside the hierarchy.
    outside : tuple of str
        Municipalities of the data that are not in the region: forecast on their own.
    hub_of : dict
        Hub of each municipality in the hierarchy.
    notes : tuple of str
        Messages for the user (outside municipalities, hubs with missing members).
    """

    keys: tuple[SeriesKey, ...]
    summing: np.ndarray
    bottom: tuple[str, ...]
    outside: tuple[str, ...]
    hub_of: dict[str, str]
    area_name: str
    notes: tuple[str, ...] = field(default=())

    @property
    def n_series(self) -> int:
        return len(self.keys)

    def aggregate(self, bottom_values: pd.DataFrame) -> pd.DataFrame:
        """All series of the hierarchy from municipal values (columns = `bottom`).

        Returns a DataFrame with one column per `SeriesKey.id`, in `keys` order.
        """
        x = bottom_values[list(self.bottom)].to_numpy(dtype=float)
        return pd.DataFrame(
            x @ self.summing.T, index=bottom_values.index, columns=[k.id for k in self.keys]
        )


def build_hierarchy(municipalities: tuple[str, ...] | list[str], region: Region) -> Hierarchy:
    """The hierarchy for the municipalities present in the data.

    Parameters
    ----------
    municipalities : sequence of str
        Municipalities in the data.
    region : Region
        The employment area: which hub serves which municipality.

    Returns
    -------
    Hierarchy
        Municipalities of the region (in the region's order), the hubs that have at
        least one of them, and the area. Municipalities not in the region are listed in
        `outside`. A hub some of whose municipalities are missing is kept and noted.
    """
    present = set(municipalities)
    bottom = tuple(m for m in region.municipality_names if m in present)
    outside = tuple(m for m in municipalities if m not in region.municipalities)
    notes: list[str] = []
    if outside:
        notes.append(
            f"not in {region.name}: {', '.join(outside)}; forecast on their own, "
            "outside the hierarchy (not reconciled, not in any hub or the area)"
        )
    hubs = [h for h in region.hub_names if any(region.hub_of(m) == h for m in bottom)]
    for h in hubs:
        missing = [m for m in region.hubs[h].serves if m not in present]
        if missing:
            notes.append(
                f"hub {h} lacks {', '.join(missing)} in the data; its total covers only "
                f"{', '.join(m for m in region.hubs[h].serves if m in present)}"
            )
    missing_all = [m for m in region.municipality_names if m not in present]
    keys = [SeriesKey("municipality", m) for m in bottom]
    keys += [SeriesKey("hub", h) for h in hubs]
    rows = [np.eye(len(bottom))]
    if bottom:
        rows.append(
            np.array([[1.0 if region.hub_of(m) == h else 0.0 for m in bottom] for h in hubs])
        )
        keys.append(SeriesKey("area", region.name))
        rows.append(np.ones((1, len(bottom))))
        if missing_all:
            notes.append(f"the area total lacks {', '.join(missing_all)}")
    summing = np.vstack(rows) if bottom else np.zeros((0, 0))
    return Hierarchy(
        tuple(keys),
        summing,
        bottom,
        outside,
        {m: region.hub_of(m) for m in bottom},
        region.name,
        tuple(notes),
    )


# ---------------------------------------------------------------------------------------
# reconciliation


def shrink_covariance(errors: np.ndarray) -> tuple[np.ndarray, float]:
    """Covariance of `errors` shrunk towards its diagonal (Schäfer & Strimmer 2005).

    Parameters
    ----------
    errors : numpy.ndarray
        Shape (n_obs, n_series), in-sample one-step errors (mean not removed, as in MinT).

    Returns
    -------
    W : numpy.ndarray
        Shrunk covariance, (n_series, n_series), positive definite.
    lambda_ : float
        The shrinkage intensity in [0, 1] (1 = diagonal only).
    """
    e = np.asarray(errors, dtype=float)
    n, k = e.shape
    cov = e.T @ e / n
    sd = np.sqrt(np.clip(np.diag(cov), 1e-12, None))
    x = e / sd
    corr = x.T @ x / n
    # variance of each sample correlation: n/(n-1)^3 * sum_t (w_tij - mean w_ij)^2
    w = x[:, :, None] * x[:, None, :]
    var_r = n / (n - 1) ** 3 * ((w - w.mean(axis=0)) ** 2).sum(axis=0)
    off = ~np.eye(k, dtype=bool)
    denom = float((corr[off] ** 2).sum())
    lam = 1.0 if denom == 0 else float(np.clip(var_r[off].sum() / denom, 0.0, 1.0))
    shrunk = (1 - lam) * corr
    np.fill_diagonal(shrunk, 1.0)
    return shrunk * np.outer(sd, sd), lam


def reconciliation_matrix(
    summing: np.ndarray, method: str, errors: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, float]]:
    """``G`` (n_bottom × n_series) such that ``S G ŷ`` is the reconciled forecast.

    Parameters
    ----------
    summing : numpy.ndarray
        ``S``.
    method : {"mint_shrink", "ols", "bottom_up", "none"}
        ``none`` returns None-equivalent: the caller keeps base forecasts.
    errors : numpy.ndarray, optional
        (n_obs, n_series) one-step in-sample errors, needed for ``mint_shrink``.

    Returns
    -------
    G : numpy.ndarray
    info : dict
        ``{"shrinkage_lambda": ...}`` for MinT.
    """
    n, m = summing.shape
    if method == "bottom_up":
        g = np.zeros((m, n))
        g[:, :m] = np.eye(m)
        return g, {}
    if method == "ols":
        return np.linalg.solve(summing.T @ summing, summing.T), {}
    if method == "mint_shrink":
        if errors is None:
            raise ValueError("mint_shrink needs in-sample errors")
        w, lam = shrink_covariance(errors)
        wi_s = np.linalg.solve(w, summing)
        return np.linalg.solve(summing.T @ wi_s, wi_s.T), {"shrinkage_lambda": lam}
    raise ValueError(f"unknown reconciliation method {method!r}; one of {RECONCILIATION_METHODS}")


def reconcile(
    base: np.ndarray, summing: np.ndarray, g: np.ndarray, nonnegative: bool = True
) -> np.ndarray:
    """Apply ``S G`` along the first axis of `base` (n_series, ...) → coherent (n_series, ...).

    With `nonnegative`, the reconciled municipal values are floored at 0 *before* they are
    summed, so the result stays coherent (a count cannot be negative; MinT can give a
    slightly negative value for a tiny municipality on an extreme path).
    """
    flat = base.reshape(base.shape[0], -1)
    bottom = g @ flat
    if nonnegative:
        bottom = np.maximum(bottom, 0.0)
    return (summing @ bottom).reshape(base.shape)
