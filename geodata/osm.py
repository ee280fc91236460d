"""OpenStreetMap extracts (``.osm.pbf``, ``.osm`` XML) as a road layer: one line per road between junctions.

Read with pyosmium (libosmium's Python bindings, the library made for both formats). Only ways whose
``highway=*`` value is in ``travel.osm_classes`` are roads (footways, cycleways, steps, construction … are
not); ways tagged ``access=no``/``private`` for motor vehicles and pedestrian squares (``area=yes``) are left
out. A junction is a node that two
road ways share (or one way visits twice); each way is cut at its junctions, so roads connect exactly where
OSM connects them and a bridge over a road without a shared node stays a bridge.

Per road: ``class`` from ``highway=*`` through ``travel.osm_classes``, overridden by the letter of a Chinese
road number (``ref=G105`` national, ``S`` provincial, ``X`` county, ``Y`` township, ``C`` village:
``travel.osm_ref_classes``) except on motorways; ``oneway`` from ``oneway=*`` (``yes/1/true`` along the way,
``-1/reverse`` against it; motorways and roundabouts are one-way unless ``oneway=no``); ``speed_kph`` from
``maxspeed=*`` (km/h; ``mph`` converted; ``CN:urban``-style and ``none`` read as no limit) by
``travel.osm_maxspeed``: ``cap`` (default) min(class speed, limit), ``use`` the limit, ``ignore`` nothing. An
empty ``speed_kph`` means the class speed (``travel.speeds_kph``).

A clipped extract references nodes outside it; a way is cut where its nodes are missing, never drawn straight
across the gap.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from healthplan.geodata.config import TravelConfig

OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2", ".o5m")
_MPH_KPH = 1.609344
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$", re.IGNORECASE)
_REF_LETTER = re.compile(r"^\s*([A-Za-z])\s*\d")
_ONEWAY_YES = frozenset({"yes", "1", "true"})
_ONEWAY_REVERSE = frozenset({"-1", "reverse"})
_ONEWAY_NO = frozenset({"no", "0", "false"})
_IMPLIED_ONEWAY = frozenset({"motorway", "motorway_link"})
_NO_ACCESS = frozenset({"no", "private"})
_MOTORWAYS = frozenset({"motorway", "motorway_link"})
_TAGS = ("highway", "name", "name:zh", "ref", "oneway", "maxspeed", "junction", "access", "motor_vehicle",
         "motorcar", "area")


def is_osm(path: Path | str) -> bool:
    """True when the file name ends like an OpenStreetMap extract."""
    name = Path(path).name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def parse_maxspeed(values: pd.Series) -> np.ndarray:
    """``maxspeed=*`` values → km/h (NaN where there is no numeric limit: empty, ``none``, ``CN:urban`` …).

    Several values (``60;80``, lanes or directions) give the lowest.
    """
    out = np.full(len(values), np.nan)
    for k, raw in enumerate(values.to_numpy(dtype=object)):
        if raw is None or raw != raw:
            continue
        speeds = []
        for part in str(raw).split(";"):
            m = _MAXSPEED.match(part)
            if m:
                v = float(m.group(1))
                speeds.append(v * _MPH_KPH if (m.group(2) or "").lower() == "mph" else v)
        if speeds:
            out[k] = min(speeds)
    return out


def _collect(path: Path) -> tuple[list[dict[str, str]], list[int], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Road ways' tags and ids, and per vertex: way position, node id, lon, lat (NaN where the node is missing)."""
    import osmium

    tags: list[dict[str, str]] = []
    way_ids: list[int] = []
    owner: list[np.ndarray] = []
    refs: list[list[int]] = []
    lons: list[list[float]] = []
    lats: list[list[float]] = []
    nan = float("nan")
    # The location cache sees every node; the filters after it (in C++) pass on only ways tagged highway=*, so
    # Python never iterates the nodes (a county extract has millions of them).
    processor = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                 .with_filter(osmium.filter.KeyFilter("highway")))
    for obj in processor:
        if not obj.is_way() or "highway" not in obj.tags:
            continue
        nodes = obj.nodes
        if len(nodes) < 2:
            continue
        locs = [n.location for n in nodes]
        refs.append([n.ref for n in nodes])
        lons.append([loc.lon if loc.valid() else nan for loc in locs])
        lats.append([loc.lat if loc.valid() else nan for loc in locs])
        owner.append(np.full(len(nodes), len(tags), dtype=np.int64))
        tags.append({t: obj.tags.get(t) for t in _TAGS if t in obj.tags})
        way_ids.append(int(obj.id))
    if not tags:
        z = np.zeros(0)
        return tags, way_ids, z.astype(np.int64), z.astype(np.int64), z, z
    return (tags, way_ids, np.concatenate(owner), np.fromiter((r for rr in refs for r in rr), dtype=np.int64),
            np.fromiter((v for vv in lons for v in vv), dtype=float),
            np.fromiter((v for vv in lats for v in vv), dtype=float))


def read_osm_roads(path: Path | str, travel: TravelConfig) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Read an OSM extract's roads, cut at junctions (see the module).

    Returns
    -------
    roads, counts
        Lines in EPSG:4326 with columns ``id`` (``w<way id>`` or ``w<way id>-<k>``), ``name`` (``name:zh``
        else ``name``), ``class``, ``oneway`` (1, -1 or 0), ``speed_kph`` (km/h, NaN = class speed),
        ``highway``, ``ref``, ``maxspeed``; and counts for the notes: ``ways`` read as roads, ``skipped`` other
        highway ways, ``junctions``, ``segments``.
    """
    tags, way_ids, owner, refs, lon, lat = _collect(Path(path))
    frame = pd.DataFrame(tags, columns=list(_TAGS), dtype=object)
    highway = frame["highway"].astype("string").str.strip().str.lower()
    classes = {str(k).strip().lower(): v for k, v in travel.osm_classes.items()}
    cls = highway.map(classes)
    access = frame[["access", "motor_vehicle", "motorcar"]].apply(
        lambda c: c.astype("string").str.strip().str.lower().isin(_NO_ACCESS)).any(axis=1)
    area = frame["area"].astype("string").str.strip().str.lower().eq("yes").fillna(False).to_numpy(dtype=bool)
    road = cls.notna().to_numpy(dtype=bool) & ~access.to_numpy(dtype=bool) & ~area
    counts = {"ways": int(road.sum()), "skipped": int((~road).sum())}
    # Junctions among the road ways only: a footway crossing a road is no junction for a car.
    keep_vertex = road[owner] if owner.size else np.zeros(0, dtype=bool)
    owner, refs, lon, lat = owner[keep_vertex], refs[keep_vertex], lon[keep_vertex], lat[keep_vertex]
    _, inverse, uses = np.unique(refs, return_inverse=True, return_counts=True)
    shared = uses[inverse] >= 2
    counts["junctions"] = int((uses >= 2).sum())

    # Runs of vertices with locations, within one way; a missing node ends a run.
    valid = np.isfinite(lon) & np.isfinite(lat)
    new_way = np.r_[True, owner[1:] != owner[:-1]] if owner.size else np.zeros(0, dtype=bool)
    after_gap = np.r_[False, ~valid[:-1]] if owner.size else np.zeros(0, dtype=bool)
    run_start = (new_way | after_gap) & valid
    run = np.cumsum(run_start) - 1
    owner, refs, lon, lat, shared, run = (a[valid] for a in (owner, refs, lon, lat, shared, run))
    run_start = run_start[valid]
    run_end = np.r_[run[1:] != run[:-1], True] if run.size else np.zeros(0, dtype=bool)
    single = run_start & run_end  # a lone vertex between two gaps: no line
    owner, refs, lon, lat, shared, run_start, run_end = (
        a[~single] for a in (owner, refs, lon, lat, shared, run_start, run_end))
    # Segments: a run cut at every shared node. Each vertex belongs to the segment started by the last node
    # before it (a run's last vertex ends the segment it is in); an interior junction also ends the one before.
    starts = (run_start | shared) & ~run_end
    seg = np.cumsum(starts) - 1
    interior = shared & ~run_start & ~run_end
    idx = np.r_[np.arange(seg.size), np.flatnonzero(interior)]
    seg_of = np.r_[seg, seg[interior] - 1]
    order = np.lexsort((idx, seg_of))
    idx, seg_of = idx[order], seg_of[order]
    n_vertices = np.bincount(seg_of, minlength=int(seg.max()) + 1 if seg.size else 0)
    ok_seg = n_vertices >= 2
    keep = ok_seg[seg_of]
    idx, seg_of = idx[keep], seg_of[keep]
    seg_ids, seg_index = np.unique(seg_of, return_inverse=True)
    lines = shapely.linestrings(np.column_stack([lon[idx], lat[idx]]), indices=seg_index.reshape(-1))
    first_vertex = idx[np.r_[0, np.flatnonzero(np.diff(seg_index.reshape(-1))) + 1]] if idx.size else idx
    way_pos = owner[first_vertex]
    counts["segments"] = int(lines.size)

    w = frame.iloc[way_pos].reset_index(drop=True)
    seg_class = cls.iloc[way_pos].reset_index(drop=True)
    ref_letter = w["ref"].astype("string").str.extract(_REF_LETTER, expand=False).str.upper()
    ref_classes = {str(k).strip().upper(): v for k, v in travel.osm_ref_classes.items()}
    by_ref = ref_letter.map(ref_classes)
    motorway = highway.iloc[way_pos].reset_index(drop=True).isin(_MOTORWAYS).fillna(False)
    use_ref = by_ref.notna() & ~motorway
    seg_class = seg_class.where(~use_ref.to_numpy(dtype=bool), by_ref)
    oneway = _oneway(w, highway.iloc[way_pos].reset_index(drop=True))
    speed = _speeds(w["maxspeed"], seg_class, travel)
    name = w["name:zh"].where(w["name:zh"].notna(), w["name"])
    ids = np.array([f"w{way_ids[p]}" for p in way_pos], dtype=object)
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dup.any():
        nth = pd.Series(ids).groupby(ids).cumcount().to_numpy() + 1
        ids = np.where(dup, [f"{i}-{k}" for i, k in zip(ids, nth, strict=True)], ids)
    out = gpd.GeoDataFrame(
        {"id": ids, "name": name.fillna("").to_numpy(dtype=object), "class": seg_class.to_numpy(dtype=object),
         "oneway": oneway, "speed_kph": speed, "highway": w["highway"].to_numpy(dtype=object),
         "ref": w["ref"].fillna("").to_numpy(dtype=object), "maxspeed": w["maxspeed"].fillna("").to_numpy(dtype=object)},
        geometry=lines, crs="EPSG:4326",
    )
    return out, counts


def _oneway(ways: pd.DataFrame, highway: pd.Series) -> np.ndarray:
    """+1 one-way along the way, -1 against it, 0 both ways."""
    tag = ways["oneway"].astype("string").str.strip().str.lower()
    roundabout = ways["junction"].astype("string").str.strip().str.lower().isin({"roundabout", "circular"})
    implied = (highway.isin(_IMPLIED_ONEWAY) | roundabout).fillna(False).to_numpy(dtype=bool)
    way = np.where(implied, 1, 0).astype(np.int8)
    way[tag.isin(_ONEWAY_YES).to_numpy(dtype=bool)] = 1
    way[tag.isin(_ONEWAY_REVERSE).to_numpy(dtype=bool)] = -1
    way[tag.isin(_ONEWAY_NO).to_numpy(dtype=bool)] = 0
    return way


def _speeds(maxspeed: pd.Series, classes: pd.Series, travel: TravelConfig) -> np.ndarray:
    """``speed_kph`` per road by ``travel.osm_maxspeed`` (NaN = use the class speed)."""
    limit = parse_maxspeed(maxspeed)
    if travel.osm_maxspeed == "ignore":
        return np.full(len(limit), np.nan)
    if travel.osm_maxspeed == "use":
        return limit
    from healthplan.geodata.roads import class_speeds

    class_kph = classes.astype("string").str.strip().str.lower().map(class_speeds(travel)).to_numpy(
        dtype=float, na_value=np.nan)
    return np.where(np.isfinite(limit) & np.isfinite(class_kph), np.fmin(limit, class_kph), np.nan)
