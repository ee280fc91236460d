"""Approximate township polygons from township seats: Voronoi cells clipped to the county boundary.

Many planners have no township boundaries, only the seat (乡镇驻地) of each township, e.g. copied from a map
service. Each seat's township is then taken to be the area closer to it than to any other seat (its Voronoi
cell), clipped to the county boundary. The cells are not the real boundaries: anything computed from them
(which township a facility lies in, coverage per township) is approximate, and the Instance says so in
``Instance.meta["approximate_townships"]`` (see :data:`APPROXIMATE_KEY`), which every map prints.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from healthplan.geodata.errors import ProblemReport
from healthplan.geodata.messages import say
from healthplan.geodata.validate import feature_ids, report_rows

# Instance.meta key of the approximate-partition flag: {"zh": sentence, "en": sentence, "method": "voronoi",
# "clipped_to": "boundary" | "hull"}. Maps and tables print meta[APPROXIMATE_KEY][lang] when the key is present.
APPROXIMATE_KEY = "approximate_townships"
# Without a county boundary the cells are clipped to the convex hull of every input point, widened by this much:
# a seat is rarely at the edge of its township, and a county's outer townships reach some kilometres beyond it.
HULL_BUFFER_M = 5000.0


def approximate_note(clipped_to: str) -> dict[str, str]:
    """The flag's sentences (Chinese and English) for ``meta[APPROXIMATE_KEY]`` and the notes."""
    if clipped_to == "boundary":
        zh = "乡镇范围为近似划分：按乡镇驻地的泰森多边形（Voronoi）并以县界裁剪，并非实际行政边界"
        en = ("Township areas are approximate: Voronoi cells of the township seats clipped to the county "
              "boundary, not the real administrative boundaries")
    else:
        zh = (f"乡镇范围为近似划分：按乡镇驻地的泰森多边形（Voronoi），未提供县界，以全部点位外包并外扩 "
              f"{HULL_BUFFER_M / 1000:g} 公里裁剪，并非实际行政边界")
        en = (f"Township areas are approximate: Voronoi cells of the township seats clipped to the hull of all "
              f"points widened by {HULL_BUFFER_M / 1000:g} km (no county boundary given), not the real "
              "administrative boundaries")
    return {"zh": zh, "en": en, "method": "voronoi", "clipped_to": clipped_to}


def approximate_flag(meta: dict | None, lang: str = "zh") -> str | None:
    """The sentence a map prints when the instance's townships are an approximate partition, else ``None``.

    ``meta`` is ``Instance.meta``; ``lang`` is ``zh`` or ``en``. Maps and notes call this rather than reading
    :data:`APPROXIMATE_KEY` themselves, so the flag has one spelling.
    """
    flag = (meta or {}).get(APPROXIMATE_KEY)
    if not isinstance(flag, dict):
        return None
    return str(flag.get("en" if lang == "en" else "zh") or flag.get("zh") or "") or None


def voronoi_townships(
    seats: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame | None, report: ProblemReport, *,
    other_points: list[np.ndarray] | None = None,
) -> tuple[gpd.GeoDataFrame | None, str]:
    """Township polygons from seats (projected CRS, metres).

    Parameters
    ----------
    seats
        The validated seats layer (``attrs["geometry_ok"]`` marks usable points).
    boundary
        County boundary polygons in the same CRS, or ``None`` (then the hull of the seats and ``other_points``,
        widened by :data:`HULL_BUFFER_M`).
    report
        Gets an error for two seats at one place and for a seat whose cell is empty (outside the boundary), a
        warning for a seat outside the boundary whose cell still reaches inside it.
    other_points
        (n, 2) coordinates of the demand points and sites, so the hull holds every one of them.

    Returns
    -------
    townships, clipped_to
        The seats with their cell as geometry (``attrs["seat_xy"]`` keeps the seat points), or ``None`` on
        errors; ``"boundary"`` or ``"hull"``.
    """
    file = str(seats.attrs.get("file", "township_seats"))
    ids = feature_ids(seats)
    ok = np.asarray(seats.attrs.get("geometry_ok", np.ones(len(seats), dtype=bool)), dtype=bool)
    if not ok.all():
        return None, ""  # the bad points were reported by the geometry check
    xy = shapely.get_coordinates(seats.geometry.values)
    dup = _duplicated_xy(xy)
    if dup.any():
        report_rows(report, file, ids[dup], say("seats.same_place"), say("seats.same_place.fix"),
                    column="geometry")
        return None, ""
    if boundary is not None:
        b_ok = np.asarray(boundary.attrs.get("geometry_ok", np.ones(len(boundary), dtype=bool)), dtype=bool)
        if not b_ok.any():
            return None, ""
        region = shapely.union_all(boundary.geometry.values[b_ok])
        clipped_to = "boundary"
    else:
        pts = np.vstack([xy, *(p for p in (other_points or []) if len(p))])
        pts = pts[np.isfinite(pts).all(axis=1)]
        region = shapely.convex_hull(shapely.multipoints(pts)).buffer(HULL_BUFFER_M)
        clipped_to = "hull"
    if len(xy) == 1:
        cells = np.array([region], dtype=object)
    else:
        vor = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=region, ordered=True)
        cells = np.asarray(shapely.get_parts(vor), dtype=object)
    cells = shapely.intersection(cells, region)
    empty = np.asarray(shapely.is_empty(cells) | (shapely.area(cells) <= 0), dtype=bool)
    if empty.any():
        where = boundary.attrs.get("file", "boundary") if boundary is not None else ""
        report_rows(report, file, ids[empty], say("seats.outside_all", boundary=where),
                    say("seats.outside_all.fix"), column="geometry")
        return None, ""
    outside = ~np.asarray(shapely.contains(region, shapely.points(xy)), dtype=bool)
    if outside.any() and boundary is not None:
        report_rows(report, file, ids[outside], say("seats.outside"), say("seats.outside.fix"),
                    column="geometry", severity="warning")
    cells = np.asarray(shapely.make_valid(cells), dtype=object)
    polys = np.array([_polygonal(c) for c in cells], dtype=object)
    out = gpd.GeoDataFrame(seats.drop(columns=seats.geometry.name), geometry=polys, crs=seats.crs)
    out.attrs = dict(seats.attrs)
    out.attrs["geometry_ok"] = np.ones(len(out), dtype=bool)
    out.attrs["seat_xy"] = xy
    out.attrs["approximate"] = clipped_to
    return out, clipped_to


def _duplicated_xy(xy: np.ndarray) -> np.ndarray:
    """Rows whose coordinates another row has too (within 1 m)."""
    key = np.round(xy, 0)
    _, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)] > 1


def _polygonal(geom: object) -> object:
    """The polygon part of a clipped cell (a clip can leave stray lines or points beside the polygons)."""
    if shapely.get_type_id(geom) in (3, 6):
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()
