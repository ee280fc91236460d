"""Site × demand (and site × site) travel times in minutes: by road network, OD matrix, or straight line × detour."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from healthplan.geodata.cache import (
    BYTES_PER_MB,
    ArraySpec,
    CacheLookup,
    Fingerprint,
    caching_enabled,
    evict,
    load_entry,
    save_entry,
)
from healthplan.geodata.config import TravelConfig
from healthplan.geodata.errors import InputError, Problem, ProblemReport
from healthplan.geodata.instance import TravelTimes
from healthplan.geodata.messages import say
from healthplan.geodata.text import Text
from healthplan.geodata.roads import RoadNetwork, build_road_network, components_check

# Dijkstra returns a dense (sources × nodes) float64 block; sources are processed in chunks so that block stays
# below this size. 24 MiB stays under glibc's largest mmap threshold (32 MiB), so the block is recycled from the
# heap instead of being page-faulted in afresh for every chunk: measured on the generated province (216,000 nodes,
# 2,000 sites) the path step took 2.4 s CPU with 24 MiB chunks against 5.0 s with 256 MiB chunks.
_CHUNK_BYTES = 24 * 2**20

_UNREACHABLE_FIX = say("travel.unreachable.fix")
_CACHE_PREFIX = "travel-"
_INT = np.dtype(np.int32).str
_FLOAT = np.dtype(np.float64).str
# What a travel-time entry must hold: checked on load whatever the entry's own manifest says.
_CACHE_SCHEMA = {
    "site_idx": ArraySpec(_INT, 1),
    "demand_idx": ArraySpec(_INT, 1),
    "minutes": ArraySpec(_FLOAT, 1),
    "method": ArraySpec("str", 0),
    "problems": ArraySpec("str", 0),
    "has_site_travel": ArraySpec(np.dtype(bool).str, 0),
    "ss_from_idx": ArraySpec(_INT, 1),
    "ss_to_idx": ArraySpec(_INT, 1),
    "ss_minutes": ArraySpec(_FLOAT, 1),
}


def _metres_per_minute(kph: float) -> float:
    return kph * 1000.0 / 60.0


def compute_travel_times(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    roads: gpd.GeoDataFrame | None,
    od: pd.DataFrame | None,
    cfg: TravelConfig,
    cutoff_minutes: float,
    cache_dir: Path | None = None,
) -> tuple[TravelTimes, ProblemReport]:
    """Travel times (minutes, ordinary traffic) from every site to every demand point, up to ``cutoff_minutes``.

    The method is ``cfg.method``; ``"auto"`` takes the OD matrix if given, else the roads if given, else the
    straight line. Times run FROM the site TO the demand point, the way an ambulance drives; on one-way roads the
    two directions differ. The ambulance speed factor is not applied here: the optimizer divides by it.

    - ``roads``: :func:`road_travel_times` (access leg + shortest road path + access leg);
    - ``od``: :func:`od_travel_times` (the user's minutes; a missing pair is unreachable);
    - ``straight``: :func:`straight_travel_times` (distance × ``cfg.detour_factor`` at ``cfg.straight_speed_kph``).

    Parameters
    ----------
    demand, sites
        Canonical frames (``geodata.instance.DEMAND_COLUMNS`` / ``SITE_COLUMNS``): index = ids, ``x``/``y`` in
        metres of a projected CRS (NaN allowed only with an OD matrix).
    roads
        LineStrings in the same CRS, columns as named in ``cfg``; ``None`` when there are no roads.
    od
        Columns ``site_id``, ``demand_id``, ``minutes`` (already validated); ``None`` when there is none.
    cfg
        Travel configuration (speeds in km/h, distances in metres).
    cutoff_minutes
        Longest time kept, minutes (the largest time standard needed); longer pairs are dropped.
    cache_dir
        Folder of the on-disk cache (the CLI passes ``.healthplan-cache``); ``None``, ``cfg.cache`` false or
        :func:`healthplan.geodata.cache.caching_disabled` = no cache (nothing read or written). The key is a
        sha256 of everything that changes the answer: ids and coordinates, the road geometry and the columns
        read from it, the OD matrix, the configuration fields the method uses and the cutoff. An entry is
        verified before use (see :func:`healthplan.geodata.cache.load_entry`, plus indices within the current
        sites and demand, minutes finite, ≥ 0 and ≤ the cutoff, the same ids); a rejected entry is
        recomputed and overwritten, with a warning saying why. After a write, the least recently used entries
        are evicted down to ``cfg.cache_max_mb``.

    Returns
    -------
    travel, report
        Sparse pairs within the cutoff, and the problems found: errors (a demand point that no site can ever
        reach, missing coordinates, bad roads) stop the caller's run; warnings (off-network points) do not.
        Messages name the file ``frame.attrs["file"]`` when the loader set it, else the layer name.
    """
    travel, _site_travel, report = compute_travel_times_with_sites(
        demand, sites, roads=roads, od=od, cfg=cfg, cutoff_minutes=cutoff_minutes, cache_dir=cache_dir
    )
    return travel, report


def compute_travel_times_with_sites(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    roads: gpd.GeoDataFrame | None,
    od: pd.DataFrame | None,
    cfg: TravelConfig,
    cutoff_minutes: float,
    cache_dir: Path | None = None,
    site_od: pd.DataFrame | None = None,
) -> tuple[TravelTimes, TravelTimes | None, ProblemReport]:
    """Site → demand travel times (as :func:`compute_travel_times`) and site → site times by the same method.

    The site × site matrix (``TravelTimes`` with site ids on both axes, ordinary-traffic minutes, same cutoff,
    0 minutes from a site to itself) is what the optimizer needs for "minutes from the county hospital" and the
    sub-centre spacing:

    - ``roads``: the same multi-source Dijkstra, with the site nodes (and their access legs) as extra targets;
    - ``straight``: the same formula between sites;
    - ``od``: only the user's site → site pairs (``site_od``: rows of the OD file whose ``demand_id`` is a site
      id; validated by the loader); ``None`` when there are none, since the matrix is then unknown.

    Parameters
    ----------
    site_od
        Columns ``site_id``, ``demand_id`` (a site id), ``minutes``; only read when the method is ``od``.

    Returns
    -------
    travel, site_travel, report
        ``site_travel`` is ``None`` when it cannot be computed (OD method without site pairs, or errors).
    """
    if not (np.isfinite(cutoff_minutes) and cutoff_minutes > 0):
        raise InputError(
            say("travel.cutoff", value=cutoff_minutes),
            file="scenario",
            fix=say("travel.cutoff.fix"),
        )
    method = choose_method(cfg.method, roads=roads, od=od)
    key = None
    rejected: CacheLookup | None = None
    if cache_dir is not None and cfg.cache and caching_enabled():
        key = travel_cache_key(
            demand, sites, roads=roads, od=od, cfg=cfg, cutoff_minutes=cutoff_minutes, method=method,
            site_od=site_od,
        )
        lookup = load_entry(cache_dir, key, prefix=_CACHE_PREFIX, schema=_CACHE_SCHEMA)
        if lookup.hit:
            reason = _check_cached(lookup, demand, sites, cutoff_minutes, method)
            if reason is None:
                return _from_cache(lookup.arrays, demand, sites, cutoff_minutes, method)
            lookup = CacheLookup(lookup.path, rejected=reason)
        if lookup.rejected is not None:
            rejected = lookup

    site_travel: TravelTimes | None = None
    if method == "od":
        travel, report = od_travel_times(demand, sites, od, cutoff_minutes=cutoff_minutes)
        site_travel = od_site_travel_times(sites, site_od, cutoff_minutes=cutoff_minutes)
    elif method == "roads":
        network, report = build_road_network(roads, cfg)
        if report.errors:
            travel = _empty(demand, sites, cutoff_minutes, method)
        else:
            travel, site_travel, rep = road_travel_times_with_sites(
                demand, sites, network, cfg=cfg, cutoff_minutes=cutoff_minutes,
                roads_file=str(roads.attrs.get("file", "roads")),
            )
            report.extend(rep)
    else:
        travel, report = straight_travel_times(demand, sites, cfg=cfg, cutoff_minutes=cutoff_minutes)
        if not report.errors:
            site_travel, _ = straight_travel_times(sites, sites, cfg=cfg, cutoff_minutes=cutoff_minutes)
    if report.errors:
        site_travel = None

    if key is not None and not report.errors:
        try:
            arrays = _to_cache(travel, site_travel, report)
            meta = _cache_meta(demand, sites)
            written = save_entry(cache_dir, key, arrays, prefix=_CACHE_PREFIX, meta=meta)
            evict(cache_dir, int(cfg.cache_max_mb * BYTES_PER_MB), keep=written)
        except OSError as exc:
            # The cache only saves time: a read-only or full disk must not stop a run that has its answer.
            report.warning(
                str(cache_dir),
                say("travel.cache_unwritable", detail=exc.strerror or exc),
                say("travel.cache_unwritable.fix"),
            )
    elif rejected is not None and rejected.path is not None:
        # Not replaced (this run has errors): remove it, so no later run reads it again.
        with contextlib.suppress(OSError):
            rejected.path.unlink()
    if rejected is not None:
        # Added after the write, so the note is about this run only and is not replayed by later cache hits.
        report.warning(
            str(rejected.path),
            say("travel.cache_rejected", detail=rejected.rejected),
            say("travel.cache_rejected.fix"),
        )
    return travel, site_travel, report


def choose_method(method: str, *, roads: gpd.GeoDataFrame | None, od: pd.DataFrame | None) -> str:
    """Resolve ``"auto"`` (OD if given, else roads if given, else straight) and check the inputs exist."""
    if method == "auto":
        return "od" if od is not None else "roads" if roads is not None else "straight"
    if method == "od" and od is None:
        raise InputError(
            say("travel.method_od"),
            file="scenario",
            fix=say("travel.method_od.fix"),
        )
    if method == "roads" and roads is None:
        raise InputError(
            say("travel.method_roads"),
            file="scenario",
            fix=say("travel.method_roads.fix"),
        )
    if method not in ("od", "roads", "straight"):
        raise InputError(say("travel.method_unknown", method=method), file="scenario",
                         fix=say("travel.method_unknown.fix"))
    return method


def road_travel_times(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    network: RoadNetwork,
    *,
    cfg: TravelConfig,
    cutoff_minutes: float,
) -> tuple[TravelTimes, ProblemReport]:
    """Site → demand minutes over the road network (see :func:`road_travel_times_with_sites`)."""
    travel, _site_travel, report = road_travel_times_with_sites(
        demand, sites, network, cfg=cfg, cutoff_minutes=cutoff_minutes
    )
    return travel, report


def road_travel_times_with_sites(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    network: RoadNetwork,
    *,
    cfg: TravelConfig,
    cutoff_minutes: float,
    roads_file: str = "roads",
) -> tuple[TravelTimes, TravelTimes, ProblemReport]:
    """Site → demand and site → site minutes over the road network, with an access leg at each end.

    t(s, d) = access(s) + path(node(s) → node(d)) + access(d), where node(·) is the nearest network node (KD-tree)
    and access(·) = straight-line distance × ``cfg.detour_factor`` at ``cfg.access_speed_kph``. The path runs in
    the direction of travel from the site to the demand point. Shortest paths are one multi-source Dijkstra
    (``scipy.sparse.csgraph.dijkstra(indices=…, limit=…)``) from the distinct site nodes, in chunks of sources;
    no Python loop over pairs.

    Off-network points (farther than ``cfg.max_access_m`` from every node) are joined the same way, by a long
    access leg to their nearest node, and reported as a warning with their id and distance: their times are
    estimates, and a point that is really served by a missing road should get that road.

    A demand point that no site reaches at any time (no directed path from any site node to its node, e.g. a
    road fragment not connected to the network) is an error, one per point. A site from which no demand point
    can be reached is a warning. Demand points that are merely farther than the cutoff are fine (no pair).

    Site → site times come from the same Dijkstra rows, read at the site nodes: t(a, b) = access(a) +
    path(node(a) → node(b)) + access(b), and 0 from a site to itself.

    The report also gets a note with the network's connected pieces (ignoring direction) and the demand points
    and persons nearest to a piece other than the main one, and a warning when there are any
    (``roads_file`` is the file these name).
    """
    report = ProblemReport()
    d_file = str(demand.attrs.get("file", "demand"))
    s_file = str(sites.attrs.get("file", "sites"))
    d_xy = _coordinates(demand, d_file, "demand point", report)
    s_xy = _coordinates(sites, s_file, "site", report)
    if report.errors:
        return _empty(demand, sites, cutoff_minutes, "roads"), _empty(sites, sites, cutoff_minutes, "roads"), report

    speed = _metres_per_minute(cfg.access_speed_kph)
    d_node, d_dist = network.nearest_nodes(d_xy)
    s_node, s_dist = network.nearest_nodes(s_xy)
    d_access = d_dist * cfg.detour_factor / speed
    s_access = s_dist * cfg.detour_factor / speed
    _warn_off_network(demand.index, d_dist, cfg, d_file, "demand point", report)
    _warn_off_network(sites.index, s_dist, cfg, s_file, "site", report)

    adj = network.adjacency
    _note_components(network, d_node, demand, roads_file, report)
    _check_reachability(adj, demand, sites, d_node, s_node, d_file, s_file, report)

    src_nodes, site_src = np.unique(s_node, return_inverse=True)
    site_src = site_src.reshape(-1)
    chunk = max(1, _CHUNK_BYTES // (8 * max(network.n_nodes, 1)))
    # The cheapest access leg at the far end, over demand points and (for site → site) sites.
    min_d_access = min(float(d_access.min()) if d_access.size else 0.0, float(s_access.min()))
    parts_s, parts_d, parts_m = [], [], []
    ss_a, ss_b, ss_m = [], [], []
    for lo in range(0, src_nodes.size, chunk):
        hi = min(lo + chunk, src_nodes.size)
        in_chunk = np.flatnonzero((site_src >= lo) & (site_src < hi))
        # Longest road leg any site of this chunk can still use within the cutoff.
        limit = cutoff_minutes - float(s_access[in_chunk].min()) - min_d_access
        if limit < 0:
            continue
        dist = csgraph.dijkstra(adj, directed=True, indices=src_nodes[lo:hi], limit=limit + 1e-9)
        road = dist[:, d_node]  # (chunk sources × demand points), minutes
        road_s = dist[:, s_node]  # (chunk sources × sites), minutes
        del dist
        total = s_access[in_chunk, None] + road[site_src[in_chunk] - lo] + d_access[None, :]
        si, di = np.nonzero(total <= cutoff_minutes + 1e-9)
        parts_s.append(in_chunk[si])
        parts_d.append(di)
        parts_m.append(total[si, di])
        total_s = s_access[in_chunk, None] + road_s[site_src[in_chunk] - lo] + s_access[None, :]
        total_s[np.arange(in_chunk.size), in_chunk] = 0.0  # a site is 0 minutes from itself
        ai, bi = np.nonzero(total_s <= cutoff_minutes + 1e-9)
        ss_a.append(in_chunk[ai])
        ss_b.append(bi)
        ss_m.append(total_s[ai, bi])
    travel = TravelTimes.from_pairs(
        sites.index,
        demand.index,
        _concat(parts_s, np.int64),
        _concat(parts_d, np.int64),
        _concat(parts_m, float),
        cutoff_minutes=cutoff_minutes,
        method="roads",
    )
    site_travel = TravelTimes.from_pairs(
        sites.index,
        sites.index,
        _concat(ss_a, np.int64),
        _concat(ss_b, np.int64),
        _concat(ss_m, float),
        cutoff_minutes=cutoff_minutes,
        method="roads",
    )
    return travel, site_travel, report


def od_travel_times(
    demand: pd.DataFrame, sites: pd.DataFrame, od: pd.DataFrame, *, cutoff_minutes: float
) -> tuple[TravelTimes, ProblemReport]:
    """Travel times from the user's OD matrix (``site_id``, ``demand_id``, ``minutes``).

    Ids are matched as text (an id 12 in the OD file matches site "12"). Pairs above the cutoff are dropped and a
    missing pair is unreachable. A demand point with no pair at all is an error (one per point); pairs whose ids
    are not in the instance are ignored with a warning (the loader normally rejects them first).
    """
    report = ProblemReport()
    od_file = str(od.attrs.get("file", "travel_times"))
    d_file = str(demand.attrs.get("file", "demand"))
    s = sites.index.astype(str).get_indexer(od["site_id"].astype(str))
    d = demand.index.astype(str).get_indexer(od["demand_id"].astype(str))
    minutes = pd.to_numeric(od["minutes"], errors="coerce").to_numpy(dtype=float)
    known = (s >= 0) & (d >= 0)
    if not known.all():
        first = od.loc[~known].iloc[0]
        report.warning(
            od_file,
            say("travel.od_unknown_ids", n=int((~known).sum()), site=first["site_id"], demand=first["demand_id"]),
            say("travel.od_unknown_ids.fix"),
            column="site_id" if s[~known][0] < 0 else "demand_id",
        )
    s, d, minutes = s[known], d[known], minutes[known]
    has_pair = np.zeros(len(demand), dtype=bool)
    has_pair[d] = True
    for vid in demand.index[~has_pair]:
        report.error(
            d_file,
            say("travel.od_no_pair", id=vid, od=od_file),
            say("travel.od_no_pair.fix"),
            feature=vid,
        )
    travel = TravelTimes.from_pairs(
        sites.index, demand.index, s, d, minutes, cutoff_minutes=cutoff_minutes, method="od"
    )
    return travel, report


def od_site_travel_times(
    sites: pd.DataFrame, site_od: pd.DataFrame | None, *, cutoff_minutes: float
) -> TravelTimes | None:
    """Site → site minutes from the OD file's rows whose ``demand_id`` is a site id; ``None`` without such rows.

    A missing pair is unreachable, as for site → demand; a site is 0 minutes from itself.
    """
    if site_od is None or not len(site_od):
        return None
    ids = sites.index.astype(str)
    a = ids.get_indexer(site_od["site_id"].astype(str))
    b = ids.get_indexer(site_od["demand_id"].astype(str))
    minutes = pd.to_numeric(site_od["minutes"], errors="coerce").to_numpy(dtype=float)
    known = (a >= 0) & (b >= 0)
    self_idx = np.arange(len(sites))
    return TravelTimes.from_pairs(
        sites.index,
        sites.index,
        np.concatenate([a[known], self_idx]),
        np.concatenate([b[known], self_idx]),
        np.concatenate([minutes[known], np.zeros(len(sites))]),
        cutoff_minutes=cutoff_minutes,
        method="od",
    )


def straight_travel_times(
    demand: pd.DataFrame, sites: pd.DataFrame, *, cfg: TravelConfig, cutoff_minutes: float
) -> tuple[TravelTimes, ProblemReport]:
    """Straight-line minutes: distance (metres) × ``cfg.detour_factor`` at ``cfg.straight_speed_kph``.

    Only pairs within the cutoff radius are formed (KD-tree ``sparse_distance_matrix``), never the full matrix.
    Defaults: detour 1.6 and 25 km/h (STANDARDS.md, grade B: Beijing measured ambulance speeds, 中国全科医学 2011).
    """
    report = ProblemReport()
    d_xy = _coordinates(demand, str(demand.attrs.get("file", "demand")), "demand point", report)
    s_xy = _coordinates(sites, str(sites.attrs.get("file", "sites")), "site", report)
    if report.errors or len(demand) == 0 or len(sites) == 0:
        return _empty(demand, sites, cutoff_minutes, "straight"), report
    speed = _metres_per_minute(cfg.straight_speed_kph)
    radius_m = cutoff_minutes * speed / cfg.detour_factor
    pairs = cKDTree(s_xy).sparse_distance_matrix(cKDTree(d_xy), radius_m, output_type="ndarray")
    minutes = pairs["v"] * cfg.detour_factor / speed
    travel = TravelTimes.from_pairs(
        sites.index, demand.index, pairs["i"], pairs["j"], minutes, cutoff_minutes=cutoff_minutes, method="straight"
    )
    return travel, report


def travel_cache_key(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    roads: gpd.GeoDataFrame | None,
    od: pd.DataFrame | None,
    cfg: TravelConfig,
    cutoff_minutes: float,
    method: str,
    site_od: pd.DataFrame | None = None,
) -> str:
    """sha256 of everything that changes the travel times of ``method`` (see :func:`compute_travel_times`).

    The entry holds the site → site times as well (``site_travel``, key part ``site_travel`` = 2 so that entries
    written before they existed are never read); for ``od`` the site → site rows (``site_od``) are hashed too.
    """
    fp = Fingerprint().add("method", method).add("cutoff_minutes", float(cutoff_minutes))
    fp.add("site_travel", 2)
    fp.add("demand_ids", demand.index).add("site_ids", sites.index)
    # Message file names are part of the cached report.
    fp.add("demand_file", str(demand.attrs.get("file", ""))).add("sites_file", str(sites.attrs.get("file", "")))
    if method == "od":
        fp.add("od", od[["site_id", "demand_id", "minutes"]]).add("od_file", str(od.attrs.get("file", "")))
        fp.add("site_od", None if site_od is None else site_od[["site_id", "demand_id", "minutes"]])
        return fp.hexdigest()
    fp.add("demand_xy", demand[["x", "y"]].to_numpy(dtype=float))
    fp.add("site_xy", sites[["x", "y"]].to_numpy(dtype=float))
    if method == "straight":
        fp.add("detour_factor", cfg.detour_factor).add("straight_speed_kph", cfg.straight_speed_kph)
        return fp.hexdigest()
    cols = [c for c in (cfg.class_column, cfg.speed_column, cfg.oneway_column) if c is not None and c in roads]
    fp.add("roads", gpd.GeoDataFrame(roads[cols], geometry=roads.geometry.values, crs=roads.crs))
    fp.add("roads_columns", "|".join(f"{c}" for c in (cfg.class_column, cfg.speed_column, cfg.oneway_column)))
    fp.add("roads_file", str(roads.attrs.get("file", "")))
    for name in ("speeds_kph", "snap_tolerance_m", "access_speed_kph", "detour_factor", "max_access_m", "noding",
                 "class_aliases"):
        fp.add(name, getattr(cfg, name))
    # The connected-pieces note counts the persons on small pieces.
    fp.add("demand_population", demand["population"].to_numpy(dtype=float) if "population" in demand else None)
    return fp.hexdigest()


def _coordinates(frame: pd.DataFrame, file: str, what: str, report: ProblemReport) -> np.ndarray:
    """(n, 2) x/y in metres; an error per row without finite coordinates (needed by roads and straight line)."""
    if "x" not in frame.columns or "y" not in frame.columns:
        report.error(file, say("travel.no_xy", what=_what(what), what_en=what), say("travel.no_xy.fix"), column="x")
        return np.zeros((0, 2))
    xy = frame[["x", "y"]].to_numpy(dtype=float)
    for fid in frame.index[~np.isfinite(xy).all(axis=1)]:
        report.error(
            file,
            say("travel.point_no_xy", what=_what(what), what_en=what, id=fid),
            say("travel.point_no_xy.fix"),
            feature=fid,
            column="geometry",
        )
    return xy


def _warn_off_network(
    ids: pd.Index, dist_m: np.ndarray, cfg: TravelConfig, file: str, what: str, report: ProblemReport
) -> None:
    for fid, dist in zip(ids[dist_m > cfg.max_access_m], dist_m[dist_m > cfg.max_access_m], strict=True):
        report.warning(
            file,
            say("travel.off_network", what=_what(what), what_en=what, id=fid, dist=dist, max=cfg.max_access_m,
                detour=cfg.detour_factor, speed=cfg.access_speed_kph),
            say("travel.off_network.fix"),
            feature=fid,
        )


def _note_components(network: RoadNetwork, d_node: np.ndarray, demand: pd.DataFrame, file: str,
                     report: ProblemReport) -> None:
    """Note the road network's connected pieces; warn when people live nearest to a piece that is not the main one.

    Such people still get times (their piece may hold a site), but a piece cut off by a missing junction is the
    usual sign of a road layer whose lines do not meet (travel.noding, travel.snap_tolerance_m).
    """
    pop = demand["population"].to_numpy(dtype=float) if "population" in demand else np.zeros(len(demand))
    n, main_nodes, points, persons = components_check(network, d_node, pop)
    total = float(np.nansum(pop))
    report.note(file, say("travel.network_note", nodes=network.n_nodes, n=n, points=points, persons=persons))
    if persons > 0:
        report.warning(file, say("travel.pieces", points=points, persons=persons, share=persons / max(total, 1),
                                 main=main_nodes, nodes=network.n_nodes, n=n),
                       say("travel.pieces.fix"), column="geometry")


def _check_reachability(
    adj: sparse.csr_matrix,
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    d_node: np.ndarray,
    s_node: np.ndarray,
    d_file: str,
    s_file: str,
    report: ProblemReport,
) -> None:
    """Error per demand point that no site reaches at any time; warning per site that reaches no demand point.

    Reachability is exact for one-way roads: a breadth-first search (directed) from a virtual source joined to
    every site node. A site that reaches nothing is found with the (weak) connected components.
    """
    n = adj.shape[0]
    if len(demand) == 0:
        return
    if s_node.size:
        # Virtual node n with an edge to each site node: one BFS gives every node some site can reach.
        src = np.unique(s_node)
        extra = sparse.csr_matrix((np.ones(src.size), (np.full(src.size, n), src)), shape=(n + 1, n + 1))
        aug = sparse.block_diag([adj, sparse.csr_matrix((1, 1))], format="csr") + extra
        reached = np.zeros(n + 1, dtype=bool)
        reached[csgraph.breadth_first_order(aug, n, directed=True, return_predecessors=False)] = True
        cut = ~reached[d_node]
    else:
        cut = np.ones(len(demand), dtype=bool)
    for vid in demand.index[cut]:
        report.error(
            d_file,
            say("travel.unreachable", id=vid),
            _UNREACHABLE_FIX,
            feature=vid,
        )
    if s_node.size:
        _, comp = csgraph.connected_components(adj, directed=True, connection="weak")
        lonely = ~np.isin(comp[s_node], comp[d_node])
        for sid in sites.index[lonely]:
            report.warning(
                s_file,
                say("travel.site_isolated", id=sid),
                say("travel.site_isolated.fix"),
                feature=sid,
            )


def _what(what: str) -> Text:
    """``demand point`` / ``site`` in both languages (any other word as it is)."""
    code = {"demand point": "what.demand", "site": "what.site"}.get(what)
    return say(code) if code else Text.of(what)


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _empty(demand: pd.DataFrame, sites: pd.DataFrame, cutoff_minutes: float, method: str) -> TravelTimes:
    z = np.zeros(0, dtype=np.int64)
    return TravelTimes.from_pairs(
        sites.index, demand.index, z, z, np.zeros(0), cutoff_minutes=cutoff_minutes, method=method
    )


def _to_cache(travel: TravelTimes, site_travel: TravelTimes | None, report: ProblemReport) -> dict[str, np.ndarray]:
    problems = [
        {"severity": p.severity, "file": p.file, "message": p.message, "fix": p.fix, "feature": p.feature,
         "column": p.column, "message_zh": p.message_zh, "fix_zh": p.fix_zh}
        for p in (*report.problems, *report.notes)
    ]
    ss_from, ss_to, ss_minutes = (
        (site_travel.site_idx, site_travel.demand_idx, site_travel.minutes) if site_travel is not None
        else (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    )
    return {
        "site_idx": travel.site_idx.astype(np.int32, copy=False),
        "demand_idx": travel.demand_idx.astype(np.int32, copy=False),
        "minutes": travel.minutes.astype(np.float64, copy=False),
        "method": np.array(travel.method),
        "problems": np.array(json.dumps(problems, ensure_ascii=False)),
        "has_site_travel": np.array(site_travel is not None),
        "ss_from_idx": ss_from.astype(np.int32, copy=False),
        "ss_to_idx": ss_to.astype(np.int32, copy=False),
        "ss_minutes": ss_minutes.astype(np.float64, copy=False),
    }


def _ids_digest(ids: pd.Index) -> str:
    return Fingerprint(format_tag="ids").add("ids", ids).hexdigest()


def _cache_meta(demand: pd.DataFrame, sites: pd.DataFrame) -> dict[str, object]:
    """What an entry must match besides its key: the ids (and counts) its indices refer to."""
    return {
        "n_sites": len(sites),
        "n_demand": len(demand),
        "site_ids": _ids_digest(sites.index),
        "demand_ids": _ids_digest(demand.index),
    }


def _check_cached(
    lookup: CacheLookup, demand: pd.DataFrame, sites: pd.DataFrame, cutoff_minutes: float, method: str
) -> str | None:
    """Why a structurally sound entry does not fit these inputs (ids, index ranges, minutes, pairs), or None.

    The key already covers ids, method and cutoff; these checks catch an entry whose contents were produced
    for something else or altered with a valid checksum, before any index is used. O(pairs), no copies.
    """
    a, meta = lookup.arrays or {}, lookup.meta
    if meta != _cache_meta(demand, sites):
        return "its site or demand ids are not those of these inputs"
    if str(a["method"]) != method:
        return f"it holds {str(a['method'])!r} travel times, this run uses {method!r}"
    n_s, n_d = len(sites), len(demand)
    has_ss = bool(a["has_site_travel"])
    groups = (("site → demand", "site_idx", "demand_idx", "minutes", n_s, n_d),
              ("site → site", "ss_from_idx", "ss_to_idx", "ss_minutes", n_s, n_s))
    for what, i_name, j_name, m_name, n_i, n_j in groups:
        i, j, m = a[i_name], a[j_name], a[m_name]
        if not (i.size == j.size == m.size):
            return f"its {what} arrays have different lengths ({i.size}, {j.size}, {m.size})"
        if what == "site → site" and not has_ss and m.size:
            return "it holds site → site times but says it has none"
        if not m.size:
            continue
        if i.min() < 0 or i.max() >= n_i or j.min() < 0 or j.max() >= n_j:
            return f"its {what} indices are out of range (this instance has {n_i} × {n_j})"
        if not np.isfinite(m).all() or m.min() < 0 or m.max() > cutoff_minutes + 1e-9:
            return f"its {what} minutes are not all finite and within 0–{cutoff_minutes:g}"
        # Sorted by (from, to) without duplicates; compared slice to slice, with no int64 copy of the pairs.
        if not ((i[1:] > i[:-1]) | ((i[1:] == i[:-1]) & (j[1:] > j[:-1]))).all():
            return f"its {what} pairs are not sorted and unique"
    try:
        problems = [Problem(**p) for p in json.loads(str(a["problems"]))]
    except (ValueError, TypeError) as exc:
        return f"its recorded warnings are unreadable ({type(exc).__name__})"
    if any(p.severity not in ("warning", "note") for p in problems):
        return "it records errors (only error-free results are cached)"
    return None


def _from_cache(
    hit: dict[str, np.ndarray], demand: pd.DataFrame, sites: pd.DataFrame, cutoff_minutes: float, method: str
) -> tuple[TravelTimes, TravelTimes | None, ProblemReport]:
    travel = TravelTimes(
        pd.Index(sites.index),
        pd.Index(demand.index),
        hit["site_idx"],
        hit["demand_idx"],
        hit["minutes"],
        float(cutoff_minutes),
        str(hit["method"]) if "method" in hit else method,
    )
    recorded = [Problem(**p) for p in json.loads(str(hit["problems"]))]
    report = ProblemReport([p for p in recorded if p.severity != "note"], [p for p in recorded if p.severity == "note"])
    site_travel = None
    if bool(hit["has_site_travel"]):
        site_travel = TravelTimes(
            pd.Index(sites.index),
            pd.Index(sites.index),
            hit["ss_from_idx"],
            hit["ss_to_idx"],
            hit["ss_minutes"],
            float(cutoff_minutes),
            travel.method,
        )
    return travel, site_travel, report


__all__ = [
    "choose_method",
    "compute_travel_times",
    "compute_travel_times_with_sites",
    "od_site_travel_times",
    "od_travel_times",
    "road_travel_times",
    "road_travel_times_with_sites",
    "straight_travel_times",
    "travel_cache_key",
]
