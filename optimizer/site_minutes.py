"""Site-to-site minutes for the rules between sites (spacing, distance from the county hospital)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from healthplan.geodata.instance import Instance, TravelTimes


def exact_site_minutes(instance: Instance) -> TravelTimes | None:
    """The Instance's computed site → site minutes, or ``None`` when it has none (or they do not fit its sites)."""
    st = instance.site_travel
    ids = instance.sites.index
    if st is None or not (st.site_ids.equals(ids) and st.demand_ids.equals(ids)):
        return None
    return st


def site_to_site_minutes(st: TravelTimes, a_idx: np.ndarray, b_idx: np.ndarray, limit: float) -> np.ndarray:
    """Exact minutes from each site in ``a_idx`` to each site in ``b_idx`` (|a| × |b|; inf above ``limit``).

    ``st`` is ``Instance.site_travel`` (rows = from, columns = to); a pair it does not store is beyond its cutoff.
    """
    sub = st.to_csr(offset=1.0)[a_idx][:, b_idx].toarray()  # +1 keeps zero-minute pairs apart from "absent"
    out = np.where(sub > 0, sub - 1.0, np.inf)
    return np.where(out <= limit + 1e-9, out, np.inf)


def site_minutes_via_demand(travel: TravelTimes, a_idx: np.ndarray, b_idx: np.ndarray, limit: float) -> np.ndarray:
    """Site-to-site minutes |a| × |b| via the best common demand point: min_d t_ad + t_bd (inf above ``limit``).

    The fallback when the Instance has no site → site times (``Instance.site_travel`` is ``None``, e.g. an OD
    matrix without site pairs): an upper bound on the true site-to-site time that is exact when a path passes a
    demand point (villages sit on the road network); the plan's assumptions say so.
    """
    out = np.full((len(a_idx), len(b_idx)), np.inf)
    if not len(a_idx) or not len(b_idx):
        return out
    csr = travel.to_csr(offset=1.0)  # +1 keeps zero-minute pairs stored
    db = csr[b_idx].toarray()
    db = np.where(db > 0, db - 1.0, np.inf)  # |b| × demand
    for r, a in enumerate(a_idx):  # loop over a few hundred eligible sites, vectorised over demand
        row = csr[a]
        t = row.data - 1.0
        keep = t <= limit
        if keep.any():
            best = (t[keep][None, :] + db[:, row.indices[keep]]).min(axis=1)
            out[r] = np.where(best <= limit + 1e-9, best, np.inf)
    return out


def population_within(travel: TravelTimes, limit: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """Persons within ``limit`` (minutes per demand point) of each site."""
    m = travel.within(limit)
    return np.bincount(travel.site_idx[m], weights=pop[travel.demand_idx[m]], minlength=len(travel.site_ids))
