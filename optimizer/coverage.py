"""Sparse coverage sets N_k(i) from the travel pairs, merged into demand groups with identical signatures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from healthplan.geodata.instance import Instance
    from healthplan.optimizer.config import OptimizerConfig

# access_time kinds (p-median) look beyond the access standard: the travel matrix must reach this multiple of it.
ACCESS_TIME_HORIZON_FACTOR = 3.0  # ASSUMPTION: nobody is assigned farther than 3 × the access standard


def required_cutoff(cfg: OptimizerConfig, *, ambulance_speed_factor: float = 1.0) -> float:
    """Ordinary-traffic minutes the travel matrix must reach for every enabled kind's thresholds.

    The largest of each enabled kind's own need (:meth:`ResourceKind.cutoff_minutes`: its time standards, with
    ambulance minutes × ``ambulance_speed_factor`` since ambulance minutes are ordinary minutes ÷ the factor;
    ``ACCESS_TIME_HORIZON_FACTOR`` × the access standard for a p-median kind, whose travel beyond the standard
    still counts; rules between sites such as spacing) and of the equity floors' services.
    """
    from healthplan.optimizer.kinds import enabled_kinds, service

    need = [0.0]
    for k in enabled_kinds(cfg):
        need.append(k.cutoff_minutes(k.settings(cfg), ambulance_speed_factor=ambulance_speed_factor))
    for key in cfg.equity.kinds if cfg.equity.theta is not None else []:
        k, svc = service(key)
        if k.enabled(cfg):
            need.append(threshold_minutes(cfg, key, np.array([True, False])).max()
                        * (ambulance_speed_factor if svc.ambulance_minutes else 1.0))
    return float(max(need))


def threshold_minutes(cfg: OptimizerConfig, key: str, urban: np.ndarray) -> np.ndarray:
    """Standard per demand point (minutes; ambulance services in ambulance minutes = drive time after dispatch)."""
    from healthplan.optimizer.kinds import service

    try:
        k, _ = service(key)
    except KeyError:
        raise ValueError(f"unknown coverage key {key!r}") from None
    return k.threshold(k.settings(cfg), key, urban)


def coverage_pairs(instance: Instance, cfg: OptimizerConfig, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(site_idx, demand_idx) of the pairs within the key's standard, sorted by site then demand."""
    tt = instance.travel
    urban = instance.demand["urban"].to_numpy(dtype=bool)
    from healthplan.optimizer.kinds import service

    factor = instance.ambulance_speed_factor if service(key)[1].ambulance_minutes else 1.0
    m = tt.within(threshold_minutes(cfg, key, urban), factor=factor)
    return tt.site_idx[m].astype(np.int64), tt.demand_idx[m].astype(np.int64)


@dataclass(frozen=True)
class Groups:
    """Demand points merged by coverage signature for one key.

    A signature is (existing facilities/vehicles in reach capped at ``cap``, township when equity needs it, the set
    of sites that may add to it). Points with one signature behave identically in every row, so summing their
    population is exact.
    """

    key: str
    of_demand: np.ndarray  # group index of each demand point
    population: np.ndarray  # persons per group
    township: np.ndarray  # township per group ('' when not split by township)
    existing: np.ndarray  # existing units in reach, capped at cap
    sites: tuple[np.ndarray, ...]  # candidate site indices per group, sorted

    @property
    def n(self) -> int:
        """Number of groups."""
        return len(self.population)


def build_groups(
    instance: Instance,
    key: str,
    pairs: tuple[np.ndarray, np.ndarray],
    existing_units: np.ndarray,
    candidate: np.ndarray,
    cap: int,
    *,
    by_township: bool,
) -> Groups:
    """Merge demand points with identical signatures (see :class:`Groups`); loops over points, not pairs."""
    s_idx, d_idx = pairs
    n_d = len(instance.demand)
    pop = instance.demand["population"].to_numpy(dtype=float)
    town = instance.demand["township"].astype(str).to_numpy() if by_township else np.full(n_d, "")
    existing = np.minimum(np.bincount(d_idx, weights=existing_units[s_idx], minlength=n_d), cap).astype(np.int64)
    keep = candidate[s_idx] & (existing[d_idx] < cap)  # candidates only matter where coverage is not saturated
    cs, cd = s_idx[keep], d_idx[keep]
    order = np.lexsort((cs, cd))
    cs, cd = cs[order], cd[order]
    ptr = np.searchsorted(cd, np.arange(n_d + 1))
    index: dict[tuple, int] = {}
    of_demand = np.empty(n_d, dtype=np.int64)
    sites: list[np.ndarray] = []
    for i in range(n_d):  # one dict lookup per demand point; the site sets are sparse slices
        sl = cs[ptr[i] : ptr[i + 1]]
        sig = (int(existing[i]), town[i], sl.tobytes())
        g = index.get(sig)
        if g is None:
            g = index[sig] = len(sites)
            sites.append(sl)
        of_demand[i] = g
    n_g = len(sites)
    first = np.full(n_g, n_d, dtype=np.int64)
    np.minimum.at(first, of_demand, np.arange(n_d))
    return Groups(
        key=key,
        of_demand=of_demand,
        population=np.bincount(of_demand, weights=pop, minlength=n_g),
        township=town[first],
        existing=existing[first],
        sites=tuple(sites),
    )


@dataclass(frozen=True)
class AccessGroups:
    """Demand points merged for a p-median (access_time) kind: identical (site, minutes) lists and fallback.

    ``sites``/``minutes`` list the candidate sites strictly closer than the nearest existing facility (only those
    can improve a point's access, an exact reduction); ``fallback`` is the minutes to the nearest existing
    facility, or the travel horizon when none is within it.
    """

    key: str
    of_demand: np.ndarray
    population: np.ndarray
    fallback: np.ndarray  # minutes
    sites: tuple[np.ndarray, ...]
    minutes: tuple[np.ndarray, ...]
    horizon: float


def build_access_groups(instance: Instance, key: str, existing: np.ndarray, candidate: np.ndarray) -> AccessGroups:
    """Group demand points for the p-median assignment of kind ``key`` (blood or secondary)."""
    tt = instance.travel
    n_d = len(instance.demand)
    pop = instance.demand["population"].to_numpy(dtype=float)
    finite = tt.minutes[np.isfinite(tt.minutes)]
    horizon = tt.cutoff_minutes if np.isfinite(tt.cutoff_minutes) else (float(finite.max()) + 1 if finite.size else 1.0)
    ex = existing[tt.site_idx]
    near = np.full(n_d, horizon)
    np.minimum.at(near, tt.demand_idx[ex], tt.minutes[ex])
    keep = candidate[tt.site_idx] & (tt.minutes < near[tt.demand_idx])
    cs, cd, cm = tt.site_idx[keep].astype(np.int64), tt.demand_idx[keep].astype(np.int64), tt.minutes[keep]
    order = np.lexsort((cs, cd))
    cs, cd, cm = cs[order], cd[order], cm[order]
    ptr = np.searchsorted(cd, np.arange(n_d + 1))
    index: dict[tuple, int] = {}
    of_demand = np.empty(n_d, dtype=np.int64)
    sites: list[np.ndarray] = []
    mins: list[np.ndarray] = []
    fallback: list[float] = []
    for i in range(n_d):
        sl, ml = cs[ptr[i] : ptr[i + 1]], cm[ptr[i] : ptr[i + 1]]
        sig = (float(near[i]), sl.tobytes(), ml.tobytes())
        g = index.get(sig)
        if g is None:
            g = index[sig] = len(sites)
            sites.append(sl)
            mins.append(ml)
            fallback.append(float(near[i]))
        of_demand[i] = g
    return AccessGroups(
        key=key,
        of_demand=of_demand,
        population=np.bincount(of_demand, weights=pop, minlength=len(sites)),
        fallback=np.asarray(fallback),
        sites=tuple(sites),
        minutes=tuple(mins),
        horizon=float(horizon),
    )
