"""One local metric CRS for all layers: the UTM zone of the data's centre; reproject and say so."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer

WGS84 = CRS.from_epsg(4326)


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone holding (``lon``, ``lat``) in degrees: 326zz north, 327zz south.

    Zones are 6° wide starting at 180° W (zone 1); the Norway/Svalbard exceptions do not touch China.
    """
    zone = int(np.floor((float(lon) + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def utm_label(epsg: int) -> str:
    """Short name of a WGS 84 UTM EPSG code, e.g. 32650 → ``UTM 50N``."""
    zone, south = epsg % 100, epsg // 100 == 327
    return f"UTM {zone}{'S' if south else 'N'}"


def crs_label(crs: object) -> str:
    """``EPSG:nnnn`` when the CRS has an EPSG code, else its name."""
    c = CRS.from_user_input(crs)
    code = c.to_epsg()
    return f"EPSG:{code}" if code else c.name


def lonlat_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a layer in WGS 84 degrees; ``None`` when it has no usable geometry."""
    geom = gdf.geometry
    geom = geom[geom.notna() & ~geom.is_empty]
    if geom.empty or gdf.crs is None:
        return None
    bounds = geom.total_bounds
    if not np.all(np.isfinite(bounds)):
        return None
    tr = Transformer.from_crs(gdf.crs, WGS84, always_xy=True)
    return tuple(float(v) for v in tr.transform_bounds(*bounds))  # type: ignore[return-value]


def choose_utm(layers: Iterable[gpd.GeoDataFrame]) -> CRS | None:
    """The UTM zone of the centre of all layers' combined WGS 84 bounds; ``None`` without geometry."""
    boxes = [b for b in (lonlat_bounds(g) for g in layers) if b is not None]
    if not boxes:
        return None
    arr = np.asarray(boxes)
    lon = (arr[:, 0].min() + arr[:, 2].max()) / 2.0
    lat = (arr[:, 1].min() + arr[:, 3].max()) / 2.0
    return CRS.from_epsg(utm_epsg(lon, lat))


def reproject(gdf: gpd.GeoDataFrame, target: CRS) -> gpd.GeoDataFrame:
    """``gdf`` in ``target`` (a no-op copy when it already is); attrs are kept."""
    out = gdf if CRS.from_user_input(gdf.crs).equals(target) else gdf.to_crs(target)
    out.attrs = dict(gdf.attrs)
    return out


def projection_note(sources: Iterable[object], target: CRS, *, lang: str = "zh") -> str:
    """The sentence reports print about the projection, e.g. ``坐标已从 EPSG:4326 投影到 UTM 50N (EPSG:32650)``.

    ``sources`` are the input layers' CRSs (duplicates ignored); ``lang`` is ``zh`` or ``en``.
    """
    code = target.to_epsg()
    dest = f"{utm_label(code)} (EPSG:{code})" if code and code // 100 in (326, 327) else crs_label(target)
    labels = list(dict.fromkeys(crs_label(s) for s in sources))
    moved = [lab for lab in labels if lab != crs_label(target)]
    if not moved:
        return f"坐标已是 {dest}，无需投影" if lang == "zh" else f"Coordinates are already in {dest}; not reprojected"
    if lang == "zh":
        return f"坐标已从 {'、'.join(moved)} 投影到 {dest}"
    return f"Coordinates projected from {', '.join(moved)} to {dest}"
