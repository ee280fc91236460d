"""Geometry simplified to what a printed map can show: vertices closer together than a printed pixel are
dropped before drawing, so a county's official boundaries (often a vertex every metre or two) and an
OpenStreetMap road network cost what the page can show, not what the survey recorded.

The tolerance is a length on the ground, tied to the map's resolution and extent: ``PRINT_TOLERANCE_PX``
device pixels (at 300 dpi, one pixel is 0.085 mm of paper) times the metres one pixel covers on the
finest-scale map of the run (:func:`metres_per_pixel` of the main map and, where there is one, of the
county-seat inset; see ``reports.map_render.print_tolerance_m``). In the demo county the main map shows
≈ 38 m a pixel and the inset ≈ 23 m (an 18 km seat on 780 px), so the tolerance is ≈ 11 m. The drawing uses
the simplified shapes, and so do the cells of the covered area (clipped to the simplified outline) and the
check that the inset leaves the county free; coverage figures, label positions and the HTML map use the
originals.
"""

from __future__ import annotations

import numpy as np
import shapely

PRINT_TOLERANCE_PX = 0.5  # device pixels: half a pixel at 300 dpi (0.042 mm on paper) is below what prints


def metres_per_pixel(extent_m: float, axes_px: float) -> float:
    """Ground metres one device pixel covers on a map showing at least ``extent_m`` metres across an axes
    ``axes_px`` device pixels wide (a lower bound: fitting the extent to the axes' shape only zooms out)."""
    return float(extent_m) / max(float(axes_px), 1.0)


def simplify_townships(geoms: np.ndarray, tolerance_m: float) -> tuple[np.ndarray, object | None]:
    """The township polygons with details below ``tolerance_m`` (metres) removed, each valid and non-empty,
    and the county outline (their union) simplified alike.

    Townships that form a valid coverage (no overlaps, shared borders with the same vertices: what a GIS
    partition of a county gives) are simplified together (GEOS coverage simplification, Visvalingam–Whyatt:
    a vertex goes when the triangle it forms with its neighbours is smaller than ``tolerance_m``²), so
    neighbouring townships keep one common border, without gaps or overlaps, and the outline is their union.
    Otherwise each is simplified on its own (Douglas–Peucker, topology preserved: no vertex moves by more than
    ``tolerance_m``), and so is the union of the originals (a union of the simplified pieces would keep the
    slivers between them as rings). A shape that would come out invalid or empty is kept as it was.

    Parameters
    ----------
    geoms
        Polygons and MultiPolygons (metric CRS, metres); missing entries stay missing.
    tolerance_m
        Ground distance in metres (:data:`PRINT_TOLERANCE_PX` × :func:`metres_per_pixel`).

    Returns
    -------
    (townships, outline)
        The simplified shapes aligned with ``geoms``, and the outline (``None`` without any shape).
    """
    geoms = np.asarray(geoms, dtype=object)
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    out = geoms.copy()
    if not ok.any():
        return out, None
    given = geoms[ok]
    if tolerance_m <= 0:
        return out, shapely.union_all(given)
    simple = _coverage_simplify(given, tolerance_m)
    coverage = simple is not None
    if simple is None:
        simple = _one_by_one(given, tolerance_m)
    keep = shapely.is_empty(simple) | ~shapely.is_valid(simple) | (shapely.area(simple) <= 0)
    out[ok] = np.where(keep, given, simple)
    if coverage and not keep.any():
        outline = shapely.coverage_union_all(out[ok])
    else:
        outline = _one_by_one(np.array([shapely.union_all(given)], dtype=object), tolerance_m)[0]
    return out, outline


def _coverage_simplify(geoms: np.ndarray, tolerance_m: float) -> np.ndarray | None:
    """GEOS coverage simplification, or ``None`` when the shapes are no valid coverage (or GEOS < 3.12)."""
    if not hasattr(shapely, "coverage_simplify") or not bool(np.all(shapely.is_valid(geoms))):
        return None
    try:
        if not bool(shapely.coverage_is_valid(geoms)):
            return None
        return shapely.coverage_simplify(geoms, tolerance_m, simplify_boundary=True)
    except (shapely.errors.GEOSException, shapely.errors.UnsupportedGEOSVersionError):
        return None


def _one_by_one(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Douglas–Peucker per shape, topology preserved; an invalid or empty result keeps the original."""
    simple = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    keep = shapely.is_empty(simple) | ~shapely.is_valid(simple) | (shapely.area(simple) <= 0)
    return np.where(keep, geoms, simple)


def simplify_lines(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Lines (roads) with no vertex moved by more than ``tolerance_m`` metres (Douglas–Peucker); a line never
    shrinks below its two end points, so every road stays drawn and joined to the ones it met."""
    geoms = np.asarray(geoms, dtype=object)
    if tolerance_m <= 0 or not len(geoms):
        return geoms
    return shapely.simplify(geoms, tolerance_m, preserve_topology=False)
