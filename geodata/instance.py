"""The Instance: demand points, sites and travel times, typed and checked, as the optimizer receives them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from healthplan.geodata.errors import Problem

# Canonical columns (units in brackets). Readers produce exactly these; the optimizer relies on nothing else.
DEMAND_COLUMNS: dict[str, str] = {
    "name": "village/community name",
    "population": "persons (int)",
    "urban": "bool, True = urban (城市/街道)",
    "township": "township id (str, '' when unknown)",
    "x": "easting in the instance CRS, metres (NaN without geometry)",
    "y": "northing in the instance CRS, metres",
    "lon": "longitude WGS84, degrees (NaN without geometry)",
    "lat": "latitude WGS84, degrees",
}
SITE_COLUMNS: dict[str, str] = {
    "name": "Chinese name",
    "name_en": "English alias",
    "level": "geodata.levels.Level value",
    "township": "township id (str)",
    "beds": "beds (int)",
    # ... then the resource kinds' stock columns (vehicles, a fever room …), declared by each kind
    "candidate": "greenfield candidate site (bool)",
    "x": "easting, metres",
    "y": "northing, metres",
    "lon": "longitude WGS84, degrees",
    "lat": "latitude WGS84, degrees",
}


@dataclass(frozen=True)
class TravelTimes:
    """Sparse site × demand travel times in minutes (ordinary traffic), kept only up to ``cutoff_minutes``.

    Stored as parallel arrays of pairs (``site_idx``, ``demand_idx``, ``minutes``), sorted by site then demand;
    a pair that is absent is unreachable within the cutoff. Zero minutes is a real value (a site at the point).
    Indices refer to the order of ``site_ids`` and ``demand_ids`` (the Instance's ``sites`` and ``demand`` index).
    """

    site_ids: pd.Index
    demand_ids: pd.Index
    site_idx: np.ndarray  # int32
    demand_idx: np.ndarray  # int32
    minutes: np.ndarray  # float64, minutes
    cutoff_minutes: float
    method: str  # "roads" | "od" | "straight"

    @property
    def n_pairs(self) -> int:
        """Number of stored (reachable) pairs."""
        return int(self.minutes.size)

    def to_csr(self, *, offset: float = 0.0) -> sparse.csr_matrix:
        """Site × demand CSR matrix of minutes + ``offset`` (use offset > 0 to keep zero-minute pairs stored)."""
        shape = (len(self.site_ids), len(self.demand_ids))
        return sparse.csr_matrix((self.minutes + offset, (self.site_idx, self.demand_idx)), shape=shape)

    def within(self, limit_minutes: float | np.ndarray, *, factor: float = 1.0) -> np.ndarray:
        """Boolean mask over pairs with ``minutes / factor <= limit``; ``limit`` may be per demand point."""
        lim = np.asarray(limit_minutes, dtype=float)
        if lim.ndim:
            lim = lim[self.demand_idx]
        return self.minutes / factor <= lim + 1e-9

    def dense(self, fill: float = np.inf) -> np.ndarray:
        """Dense site × demand array of minutes (``fill`` where unreachable); for small instances and tests."""
        out = np.full((len(self.site_ids), len(self.demand_ids)), fill, dtype=float)
        out[self.site_idx, self.demand_idx] = self.minutes
        return out

    @classmethod
    def from_pairs(
        cls,
        site_ids: pd.Index,
        demand_ids: pd.Index,
        site_idx: np.ndarray,
        demand_idx: np.ndarray,
        minutes: np.ndarray,
        *,
        cutoff_minutes: float,
        method: str,
    ) -> TravelTimes:
        """Build from unsorted pairs: drops pairs above the cutoff, keeps the shortest of duplicates, sorts."""
        s = np.asarray(site_idx, dtype=np.int64)
        d = np.asarray(demand_idx, dtype=np.int64)
        m = np.asarray(minutes, dtype=float)
        keep = np.isfinite(m) & (m <= cutoff_minutes + 1e-9)
        s, d, m = s[keep], d[keep], m[keep]
        order = np.lexsort((m, d, s))
        s, d, m = s[order], d[order], m[order]
        if s.size:
            first = np.ones(s.size, dtype=bool)
            first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
            s, d, m = s[first], d[first], m[first]
        return cls(
            pd.Index(site_ids),
            pd.Index(demand_ids),
            s.astype(np.int32),
            d.astype(np.int32),
            m,
            float(cutoff_minutes),
            method,
        )


@dataclass(frozen=True)
class Instance:
    """Everything the optimizer needs, in canonical columns (see ``DEMAND_COLUMNS`` and ``SITE_COLUMNS``).

    ``demand`` is indexed by demand id, ``sites`` by site id (existing facilities first, then candidates),
    ``townships`` by township id (polygons, may be ``None`` for plain CSV instances). All geometry is in ``crs``
    (a projected, metric CRS). ``travel`` holds ordinary-traffic minutes; ambulance minutes are
    ``minutes / ambulance_speed_factor``. ``site_travel`` holds site → site ordinary-traffic minutes (the same
    ``TravelTimes`` type with site ids on both axes: ``site_idx`` = from, ``demand_idx`` = to; same cutoff and
    method as ``travel``), or ``None`` when unknown (an OD matrix without site → site pairs, or an Instance
    built by hand).
    """

    name: str
    demand: pd.DataFrame
    sites: pd.DataFrame
    travel: TravelTimes
    townships: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    crs: str | None = None
    ambulance_speed_factor: float = 1.0
    synthetic: bool = False
    notes: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    site_travel: TravelTimes | None = None

    @property
    def population(self) -> int:
        """Total population of the demand points, persons."""
        return int(self.demand["population"].sum())

    def township_names(self, lang: str = "zh") -> dict[str, str]:
        """Township id → name from the townships layer (``name``; with ``lang='en'`` the optional ``name_en``
        where given); empty without a layer."""
        tw = self.townships
        if tw is None or "name" not in tw:
            return {}
        names = {str(k): str(v) for k, v in tw["name"].items()}
        if lang == "en" and "name_en" in tw:  # optional English alias of a township
            names.update({str(k): str(v) for k, v in tw["name_en"].items() if isinstance(v, str) and v.strip()})
        return names
