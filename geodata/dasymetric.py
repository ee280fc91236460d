"""A population raster (persons per cell) shares each township's total among villages or grid cells.

The census gives a total per township; a WorldPop or GHS-POP GeoTIFF says where within it people live. The
township's total (the official figure) is kept exactly and only its *distribution* is taken from the raster
(dasymetric mapping):

- **villages** (a demand layer without population): each village stands for the part of its township closer to
  it than to the township's other villages (Voronoi cell within the township polygon); its population is the
  township's total × the raster's persons in that cell ÷ the raster's persons in the township;
- **grid** (no demand layer): the township is cut by a ``grid_m`` square grid; each piece with people becomes a
  demand point at a point inside it, with the township's total × its raster share. Where the census gives
  城镇人口, the densest pieces are urban until that many persons are.

Zonal sums are exact-area weighted (exactextract: a cell half inside a polygon counts half). Persons are
whole numbers that add up to the township's total (largest remainder rounding).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from healthplan.geodata.config import RasterSpec
from healthplan.geodata.errors import ProblemReport
from healthplan.geodata.messages import say

# A person per square metre over a whole cell is beyond any city (Manila, the densest, has ~0.04/m²).
MAX_DENSITY_PER_M2 = 1.0


def check_raster(spec: RasterSpec, report: ProblemReport) -> dict[str, object] | None:
    """Open the raster and check it: band present, CRS known, values finite and ≥ 0 where not nodata.

    Returns the raster's ``crs`` (pyproj CRS), ``bounds`` and ``file``; ``None`` (with an error) when it is
    unusable.
    """
    import rasterio
    from pyproj import CRS
    from rasterio.errors import RasterioIOError

    file = str(spec.path)
    if not Path(spec.path).exists():
        report.error(file, say("raster.missing"), say("raster.missing.fix"))
        return None
    try:
        with rasterio.open(spec.path) as src:
            if spec.band > src.count:
                report.error(file, say("raster.band", count=src.count, band=spec.band),
                             say("raster.band.fix", count=src.count))
                return None
            crs = src.crs
            if crs is None and spec.crs is None:
                report.error(file, say("raster.no_crs"), say("raster.no_crs.fix"))
                return None
            crs = CRS.from_user_input(spec.crs if crs is None else crs.to_wkt())
            data = src.read(spec.band, masked=True)
            bounds = src.bounds
            cell_area = abs(src.transform.a * src.transform.e)
    except RasterioIOError as exc:
        report.error(file, say("raster.unreadable", detail=exc), say("raster.unreadable.fix"))
        return None
    values = np.ma.filled(data.astype(float), np.nan)
    valid = ~np.ma.getmaskarray(data)
    bad = valid & ~np.isfinite(values)
    if bad.any():
        report.error(file, say("raster.nonfinite", n=int(bad.sum()), band=spec.band),
                     say("raster.nonfinite.fix"))
        return None
    neg = valid & (values < 0)
    if neg.any():
        report.error(file, say("raster.negative", n=int(neg.sum()), band=spec.band, value=values[neg][0]),
                     say("raster.negative.fix"))
        return None
    if crs.is_projected and cell_area > 0 and np.nanmax(np.where(valid, values, 0), initial=0) / cell_area > (
            MAX_DENSITY_PER_M2):
        report.error(file, say("raster.too_dense"), say("raster.too_dense.fix"))
        return None
    if not np.nansum(np.where(valid, values, 0)) > 0:
        report.error(file, say("raster.empty"), say("raster.empty.fix"))
        return None
    return {"crs": crs, "bounds": bounds, "file": file}


def zonal_sums(spec: RasterSpec, polygons: gpd.GeoSeries, raster_crs: object) -> np.ndarray:
    """Persons of the raster within each polygon (exact cell-area weights; nodata counts 0)."""
    from exactextract import exact_extract

    if len(polygons) == 0:
        return np.zeros(0)
    geoms = gpd.GeoDataFrame(geometry=polygons.to_crs(raster_crs).values, crs=raster_crs)
    empty = np.asarray(geoms.geometry.is_empty | geoms.geometry.isna(), dtype=bool)
    out = np.zeros(len(geoms))
    if (~empty).any():
        res = exact_extract(str(spec.path), geoms[~empty].reset_index(drop=True), "sum",
                            output="pandas")
        out[~empty] = np.nan_to_num(res["sum"].to_numpy(dtype=float))
    return out


def largest_remainder(total: float, weights: np.ndarray) -> np.ndarray:
    """Whole persons proportional to ``weights`` that add up to ``round(total)`` (equal shares if all are 0)."""
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if not w.sum() > 0:
        w = np.ones(n)
    target = int(round(total))
    exact = target * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    rest = target - int(base.sum())
    if rest > 0:
        base[np.argsort(-(exact - base), kind="stable")[:rest]] += 1
    return base


def village_populations(
    villages: gpd.GeoDataFrame, township_of: np.ndarray, townships: gpd.GeoDataFrame, spec: RasterSpec,
    raster_crs: object, report: ProblemReport,
) -> np.ndarray:
    """Persons per village from its township's total and the raster (see the module); NaN where unknown.

    ``villages`` and ``townships`` share a projected CRS; ``township_of`` is each village's township id.
    """
    file = str(spec.path)
    xy = shapely.get_coordinates(villages.geometry.values)
    cells = np.empty(len(villages), dtype=object)
    tw_of = pd.Series(township_of)
    for tid, rows in tw_of.groupby(tw_of, sort=False).groups.items():
        if tid not in townships.index:
            continue
        pos = np.asarray(list(rows), dtype=np.int64)
        poly = townships.geometry.loc[tid]
        if len(pos) == 1:
            cells[pos] = poly
            continue
        pts = xy[pos]
        _, first = np.unique(np.round(pts, 3), axis=0, return_index=True)
        if len(first) < len(pos):  # villages at one place: moved apart by a millimetre so each gets a cell
            pts = pts + np.random.default_rng(0).normal(scale=1e-3, size=pts.shape)
        vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=poly, ordered=True)
        cells[pos] = shapely.intersection(np.asarray(shapely.get_parts(vor), dtype=object), poly)
    have = np.array([c is not None for c in cells], dtype=bool)
    weights = np.zeros(len(villages))
    weights[have] = zonal_sums(spec, gpd.GeoSeries(cells[have], crs=villages.crs), raster_crs)
    out = np.full(len(villages), np.nan)
    totals = pd.to_numeric(townships["population"], errors="coerce")
    zero = []
    for tid, rows in tw_of.groupby(tw_of, sort=False).groups.items():
        pos = np.asarray(list(rows), dtype=np.int64)
        total = float(totals.get(tid, np.nan))
        if not np.isfinite(total):
            continue
        if not weights[pos].sum() > 0:
            zero.append(str(tid))
        out[pos] = largest_remainder(total, weights[pos])
    if zero:
        report.warning(file, say("raster.zero_towns.villages", towns=", ".join(zero[:10]),
                                 more=" …" if len(zero) > 10 else ""),
                       say("raster.zero_towns.fix"), column="population")
    return out


def grid_points(
    townships: gpd.GeoDataFrame, spec: RasterSpec, raster_crs: object, report: ProblemReport,
) -> gpd.GeoDataFrame:
    """Demand points on a ``spec.grid_m`` grid within each township (see the module).

    ``townships`` is the canonical township frame (index township id; ``name``, ``urban``, ``population``,
    optional ``urban_population``) in a projected CRS. Returns points with ``id``, ``name``, ``township``,
    ``population`` (int), ``urban`` (bool), in the townships' CRS.
    """
    size = float(spec.grid_m)
    ok = ~(townships.geometry.is_empty | townships.geometry.isna()).to_numpy(dtype=bool)
    tw = townships[ok]
    x0, y0, x1, y1 = tw.total_bounds
    xs = np.arange(np.floor(x0 / size) * size, x1, size)
    ys = np.arange(np.floor(y0 / size) * size, y1, size)
    gx, gy = np.meshgrid(xs, ys)
    squares = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + size, gy.ravel() + size)
    tree = shapely.STRtree(squares)
    tw_pos, sq_pos = tree.query(tw.geometry.values, predicate="intersects")
    pieces = shapely.intersection(squares[sq_pos], tw.geometry.values[tw_pos])
    keep = ~np.asarray(shapely.is_empty(pieces), dtype=bool) & (shapely.area(pieces) > 0)
    tw_pos, sq_pos, pieces = tw_pos[keep], sq_pos[keep], pieces[keep]
    people = zonal_sums(spec, gpd.GeoSeries(pieces, crs=tw.crs), raster_crs)
    ids, names, towns, pops, urban, geoms = [], [], [], [], [], []
    zero = []
    urban_pop = tw["urban_population"].to_numpy(dtype=float) if "urban_population" in tw else np.full(len(tw), np.nan)
    for t in range(len(tw)):
        mine = np.flatnonzero(tw_pos == t)
        total = float(tw["population"].iloc[t])
        weights = people[mine]
        if not weights.sum() > 0:
            zero.append(str(tw.index[t]))
        else:
            mine, weights = mine[weights > 0], weights[weights > 0]
        persons = largest_remainder(total, weights)
        order = np.argsort(-weights / np.maximum(shapely.area(pieces[mine]), 1.0), kind="stable")
        is_urban = np.full(len(mine), bool(tw["urban"].iloc[t]))
        if np.isfinite(urban_pop[t]):
            # The densest pieces are urban until the census's urban population is reached.
            before = np.cumsum(persons[order]) - persons[order]
            is_urban[order] = before < urban_pop[t]
        tid, tname = str(tw.index[t]), str(tw["name"].iloc[t])
        for k, i in enumerate(mine):
            ids.append(f"{tid}-g{k + 1:04d}")
            names.append(f"{tname}网格{k + 1}" if tname else f"{tid}-g{k + 1}")
        towns += [tid] * len(mine)
        pops.append(persons)
        urban.append(is_urban)
        geoms.append(shapely.point_on_surface(pieces[mine]))
    if zero:
        report.warning(spec.path.as_posix(), say("raster.zero_towns.grid", towns=", ".join(zero[:10]),
                                                 more=" …" if len(zero) > 10 else ""),
                       say("raster.zero_towns.fix"))
    return gpd.GeoDataFrame(
        {"id": ids, "name": names, "township": towns,
         "population": np.concatenate(pops) if pops else np.zeros(0, dtype=np.int64),
         "urban": np.concatenate(urban) if urban else np.zeros(0, dtype=bool)},
        geometry=np.concatenate(geoms) if geoms else np.zeros(0, dtype=object), crs=tw.crs,
    )
