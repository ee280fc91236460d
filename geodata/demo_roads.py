"""Synthetic road network of a demo county: trunk roads between seats, village trees, an expressway.

Roads are built as *links* between settlements (township seats, villages, expressway interchanges), then cut
into short segments so that every segment is one graph edge and segments meet exactly at shared end
coordinates. All coordinates are metres in the local frame of :mod:`geodata.demo_geometry`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree
from scipy.spatial import Delaunay

from healthplan.geodata.config import DEFAULT_SPEEDS_KPH
from healthplan.geodata.demo_geometry import MAX_WIND_M, Geography

CLASSES = ("expressway", "national", "provincial", "county", "township", "village")
# How much each class meanders in the hills (fraction of MAX_AMPLITUDE_M): engineered roads barely do.
WIND = {
    "expressway": 0.0, "national": 0.15, "provincial": 0.3, "county": 0.6, "township": 0.8, "village": 1.0,
}
MAX_AMPLITUDE_M = 0.9 * MAX_WIND_M
INTERCHANGE_OFFSET_M = 3000.0  # expressway interchange to county seat, m
REMOTE_SPEED_KPH = 15.0  # the remote village's mountain track. ASSUMPTION: a winding single-lane 村道.
HILL_SLOWDOWN = 0.4  # speed on the hilliest county/township/village roads = class speed × (1 − this)
REMOTE_CLEARANCE_M = 4000.0  # trunk roads keep this far from the remote village, m


@dataclass(frozen=True)
class RoadNet:
    """Road segments over a node array (metres); segment ``k`` runs from ``seg_from[k]`` to ``seg_to[k]``."""

    node_xy: np.ndarray  # (M, 2)
    seg_from: np.ndarray  # (E,) int
    seg_to: np.ndarray  # (E,) int
    seg_class: np.ndarray  # (E,) str
    seg_oneway: np.ndarray  # (E,) int 0/1
    seg_speed: np.ndarray  # (E,) float km/h, NaN = class speed
    seg_name: np.ndarray  # (E,) str
    seg_link: np.ndarray  # (E,) link index
    remote_link: int  # index of the remote village's slow road


@dataclass
class _Links:
    """Growing table of links between global nodes."""

    a: list[np.ndarray]
    b: list[np.ndarray]
    cls: list[np.ndarray]
    name: list[np.ndarray]
    speed: list[np.ndarray]

    def add(self, a, b, cls, name, speed=None) -> None:
        a = np.atleast_1d(np.asarray(a, dtype=np.int64))
        self.a.append(a)
        self.b.append(np.atleast_1d(np.asarray(b, dtype=np.int64)))
        self.cls.append(np.broadcast_to(np.asarray(cls, dtype=object), a.shape).copy())
        self.name.append(np.broadcast_to(np.asarray(name, dtype=object), a.shape).copy())
        sp = np.full(a.shape, np.nan) if speed is None else np.broadcast_to(np.asarray(speed, float), a.shape)
        self.speed.append(np.array(sp, dtype=float))

    def count(self) -> int:
        return int(sum(x.size for x in self.a))

    def arrays(self):
        cat = np.concatenate
        return cat(self.a), cat(self.b), cat(self.cls), cat(self.name), cat(self.speed)


def _village_trees(
    node_xy: np.ndarray, node_t: np.ndarray, seat_node: np.ndarray, pop: np.ndarray, avoid_xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parent of each node in its township's road tree (−1 for seats) and the population behind each link.

    A village links to a node nearer its seat, choosing the one minimising ``distance + 0.25 × that node's
    distance to the seat`` — short links that still head for the seat, as village roads do. Links passing within
    ``REMOTE_CLEARANCE_M`` of ``avoid_xy`` (the remote village) are taken only when there is no other choice.
    """
    parent = np.full(len(node_xy), -1, dtype=np.int64)
    order_t = np.argsort(node_t, kind="stable")
    bounds = np.searchsorted(node_t[order_t], np.arange(len(seat_node) + 1))
    for t in range(len(seat_node)):  # one small dense problem per township (≤ a few dozen villages)
        members = order_t[bounds[t] : bounds[t + 1]]
        members = np.concatenate([[seat_node[t]], members[members != seat_node[t]]])
        pts = node_xy[members]
        r = np.hypot(*(pts - pts[0]).T)
        d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
        cost = d + 0.25 * r[None, :]
        # distance from the remote village to each candidate link (point-to-segment, vectorised)
        ab = pts[None, :, :] - pts[:, None, :]
        ap = avoid_xy[None, None, :] - pts[:, None, :]
        u = np.clip((ab * ap).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-9), 0.0, 1.0)
        near = np.hypot(*(ap - u[..., None] * ab).transpose(2, 0, 1)) < REMOTE_CLEARANCE_M
        cost = cost + np.where(near, 1e9, 0.0)
        cost[r[None, :] >= r[:, None]] = np.inf
        cost[0, :] = np.inf
        best = np.argmin(cost, axis=1)
        parent[members[1:]] = members[best[1:]]
    # population behind each link: accumulate from the leaves (largest distance to seat first)
    load = pop.astype(float).copy()
    dist = np.hypot(*(node_xy - node_xy[seat_node[node_t]]).T)
    for i in np.argsort(-dist, kind="stable"):  # one pass over villages; sequential by nature
        if parent[i] >= 0:
            load[parent[i]] += load[i]
    return parent, load


def _delaunay_edges(pts: np.ndarray) -> np.ndarray:
    """Unique (i < j) edges of the Delaunay triangulation of ``pts``; every pair when there are under 4."""
    if len(pts) < 4:
        i, j = np.triu_indices(len(pts), k=1)
        return np.column_stack([i, j]).astype(np.int64)
    s = Delaunay(pts).simplices
    e = np.sort(np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]]), axis=1)
    return np.unique(e, axis=0).astype(np.int64)


def _trunk(rng: np.random.Generator, geo: Geography) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Trunk links between township seats (a Delaunay subset): ``(from, to, class, name)`` per link.

    The minimum spanning tree keeps every seat connected; a share of the other short Delaunay links and each
    seat's most direct link towards its county seat add the loops real networks have.
    """
    seats = geo.seat_xy
    e = _delaunay_edges(seats)
    length = np.hypot(*(seats[e[:, 0]] - seats[e[:, 1]]).T)
    lines = shapely.linestrings(np.stack([seats[e[:, 0]], seats[e[:, 1]]], axis=1))
    area = geo.settled.buffer(200.0)
    shapely.prepare(area)
    inside = shapely.within(lines, area)
    clear = shapely.distance(lines, shapely.points(geo.remote_xy)) >= REMOTE_CLEARANCE_M
    penal = length + np.where(inside & clear, 0.0, 1e9)
    n = len(seats)
    mst = minimum_spanning_tree(coo_matrix((penal, (e[:, 0], e[:, 1])), shape=(n, n))).tocoo()
    in_mst = np.zeros(len(e), dtype=bool)
    key = {(int(a), int(b)): k for k, (a, b) in enumerate(e)}
    for a, b in zip(mst.row, mst.col, strict=True):  # n − 1 tree edges
        in_mst[key[(min(a, b), max(a, b))]] = True
    median = np.median(length[in_mst]) if in_mst.any() else 0.0
    extra = ~in_mst & inside & clear & (length <= 1.5 * median) & (rng.random(len(e)) < 0.6)
    # every seat also gets its most direct link towards its county seat, so no town is reached by a detour
    d_cs = np.hypot(*(seats - geo.county_seats[geo.seat_county]).T)
    frm = np.concatenate([e[:, 0], e[:, 1]])
    to = np.concatenate([e[:, 1], e[:, 0]])
    edge = np.concatenate([np.arange(len(e))] * 2)
    ok = np.concatenate([inside & clear] * 2) & (d_cs[to] < d_cs[frm])
    ok &= geo.seat_county[to] == geo.seat_county[frm]
    score = np.where(ok, np.concatenate([length] * 2) + d_cs[to], np.inf)
    order = np.lexsort((score, frm))
    first = order[np.searchsorted(frm[order], np.arange(n))]
    inward = np.zeros(len(e), dtype=bool)
    inward[edge[first[np.isfinite(score[first])]]] = True
    keep = in_mst | extra | inward
    e, length = e[keep], length[keep]
    # the shortest-path tree from the county seats: county roads (县道) on it reach every seat; extra links in
    # the hills are township roads (乡道)
    graph = coo_matrix((length, (e[:, 0], e[:, 1])), shape=(n, n)).tocsr()
    _, pred = dijkstra(graph, directed=False, indices=geo.seat_of_county, min_only=True,
                       return_predecessors=True)[:2]
    tree_child = np.where(pred[e[:, 0]] == e[:, 1], e[:, 0], np.where(pred[e[:, 1]] == e[:, 0], e[:, 1], -1))
    h_mid = geo.terrain((seats[e[:, 0]] + seats[e[:, 1]]) / 2)
    cls = np.where((tree_child < 0) & (h_mid > 0.55), "township", "county").astype(object)
    nums = rng.permutation(len(e)) + 1
    names = np.array([f"X{k:03d}县道" if c == "county" else f"Y{k + 500:03d}乡道" for k, c in zip(nums, cls,
                                                                                             strict=True)],
                     dtype=object)
    # national and provincial routes run from each county seat to its farthest town in a few directions, along
    # the tree: two national roads crossing the county (four arms) and three provincial radials
    edge_of = {(int(a), int(b)): k for k, (a, b) in enumerate(e)}
    n_c = len(geo.county_seats)
    g_pool, s_pool = np.arange(105, 360), np.arange(201, 400)
    g_num = rng.choice(g_pool, size=2 * n_c, replace=2 * n_c > g_pool.size)
    s_num = rng.choice(s_pool, size=3 * n_c, replace=3 * n_c > s_pool.size)
    for c in range(n_c):  # a few routes per county
        towns = np.flatnonzero((geo.seat_county == c) & ~geo.urban)
        if towns.size == 0:
            continue
        rel = seats[towns] - geo.county_seats[c]
        ang, dist = np.arctan2(rel[:, 1], rel[:, 0]), np.hypot(rel[:, 0], rel[:, 1])
        phi = rng.uniform(0, 2 * np.pi)
        routes = [("national", phi + k * np.pi / 2, f"G{g_num[2 * c + k % 2]}国道") for k in range(4)]
        routes += [
            ("provincial", phi + np.pi / 4 + k * 2 * np.pi / 3, f"S{s_num[3 * c + k]}省道") for k in range(3)
        ]
        used = np.zeros(towns.size, dtype=bool)
        for klass, theta, name in routes:  # national first; a provincial road never takes over a national one
            delta = np.abs((ang - theta + np.pi) % (2 * np.pi) - np.pi)
            score = np.where((delta < np.pi / 3) & ~used, dist * np.cos(delta), -np.inf)
            if not np.isfinite(score).any():
                continue
            v = int(towns[np.argmax(score)])
            while pred[v] >= 0:  # walk the tree back to the county seat (≤ a dozen links)
                used[towns == v] = True
                k = edge_of[(min(v, int(pred[v])), max(v, int(pred[v])))]
                if cls[k] != "national":
                    cls[k], names[k] = klass, name
                v = int(pred[v])
    return e[:, 0], e[:, 1], cls, names


def _gateway(settled: shapely.Geometry, angle: float, reach: float) -> np.ndarray:
    """Farthest point of the settled area along a ray from the centre (a county-border exit), metres."""
    ray = shapely.linestrings([[0.0, 0.0], [reach * math.cos(angle), reach * math.sin(angle)]])
    pts = shapely.get_coordinates(shapely.intersection(ray, settled))
    return pts[np.argmax(np.hypot(pts[:, 0], pts[:, 1]))]


def build_roads(
    rng: np.random.Generator,
    geo: Geography,
    village_xy: np.ndarray,
    village_t: np.ndarray,
    village_pop: np.ndarray,
    village_names: np.ndarray,
    remote: int,
    township_pop: np.ndarray,
    road_edges: int,
) -> RoadNet:
    """Build the road network.

    Parameters
    ----------
    village_xy, village_t, village_pop, village_names
        Every village/community (metres, township index, persons, Chinese name), the seat communities first
        (village ``t`` sits on township seat ``t``). The off-network village must not be in these arrays.
    remote
        Index of the remote village in these arrays: it gets one long, slow road and nothing else.
    township_pop
        Persons per township.
    road_edges
        Target number of road segments (graph edges); the result has at least this many.
    """
    n_t = len(geo.seat_xy)
    nodes = [village_xy]
    links = _Links([], [], [], [], [])
    # -- village trees (the remote village is left out and linked separately)
    is_remote = np.zeros(len(village_xy), dtype=bool)
    is_remote[remote] = True
    others = np.flatnonzero(~is_remote)
    parent_o, load_o = _village_trees(
        village_xy[others], village_t[others], np.arange(n_t), village_pop[others], village_xy[remote]
    )
    child = others[parent_o >= 0]
    par = others[parent_o[parent_o >= 0]]
    load = load_o[parent_o >= 0]
    big = (par < n_t) & (load >= 0.12 * township_pop[village_t[child]])
    village_road = np.char.add(village_names[child[~big]].astype(str), "通村公路")
    links.add(child[~big], par[~big], "village", village_road)
    num = rng.permutation(np.arange(1, big.sum() + 1)) + 100
    links.add(par[big], child[big], "township", [f"Y{k:03d}乡道" for k in num])
    # -- trunk roads between township seats
    a, b, cls, names = _trunk(rng, geo)
    links.add(a, b, cls, names)
    # -- the remote village: one long, slow road to the nearest village of its township
    same = np.flatnonzero((village_t == village_t[remote]) & ~is_remote)
    near = same[np.argmin(np.hypot(*(village_xy[same] - village_xy[remote]).T))]
    remote_link = links.count()
    links.add(near, remote, "village", f"{village_names[remote]}山路", REMOTE_SPEED_KPH)
    # -- expressway with interchanges
    base = len(village_xy)
    extra_xy: list[np.ndarray] = []
    hw_name = f"G{int(rng.integers(11, 99))}高速"
    if len(geo.county_seats) == 1:
        # exits as far (in angle) from the mountain lobe and the remote corner as possible: best of 72 headings
        avoid = np.array([math.atan2(*geo.offnet_xy[::-1]), math.atan2(*geo.remote_xy[::-1])])
        heads = rng.uniform(0, 2 * np.pi) + np.arange(72) * (2 * np.pi / 72)
        ends = np.stack([heads, heads + np.pi + 0.3], axis=1)
        sep = np.abs((ends[:, :, None] - avoid[None, None, :] + np.pi) % (2 * np.pi) - np.pi)
        ang_a, ang_b = ends[int(np.argmax(sep.min(axis=(1, 2))))]
        reach = 3 * geo.settled_radius_m
        ga, gb = _gateway(geo.settled, ang_a, reach), _gateway(geo.settled, ang_b, reach)
        d = (gb - ga) / np.hypot(*(gb - ga))
        side = 1.0 if rng.random() < 0.5 else -1.0
        inter = geo.county_seats[0] + side * INTERCHANGE_OFFSET_M * np.array([-d[1], d[0]])
        # a second interchange where the expressway passes closest to a rural seat
        rural = np.flatnonzero(~geo.urban)
        legs = shapely.linestrings([[ga, inter], [inter, gb]])
        dist_leg = shapely.distance(legs[:, None], shapely.points(geo.seat_xy[rural])[None, :])
        dmin = dist_leg.min(axis=0)
        cand = np.flatnonzero(dmin >= 1500.0)
        town = rural[cand[np.argmin(dmin[cand])]] if cand.size else rural[0]
        leg = int(np.argmin(dist_leg[:, np.flatnonzero(rural == town)[0]]))
        proj = shapely.line_interpolate_point(legs[leg], shapely.line_locate_point(legs[leg], shapely.points(
            geo.seat_xy[town])))
        i2 = shapely.get_coordinates(proj)[0]
        seq = [ga, i2, inter, gb] if leg == 0 else [ga, inter, i2, gb]
        extra_xy = [np.array(seq)]
        ids = base + np.arange(4)
        links.add(ids[:-1], ids[1:], "expressway", hw_name)
        j_inter = base + (2 if leg == 0 else 1)
        j_i2 = base + (1 if leg == 0 else 2)
        links.add(j_inter, geo.seat_of_county[0], "national", "高速连接线")
        links.add(j_i2, town, "county", f"X{int(rng.integers(100, 999))}县道")
    else:
        cs = geo.county_seats
        to_c = -cs / np.maximum(np.hypot(cs[:, 0], cs[:, 1]), 1.0)[:, None]
        rot = rng.uniform(-0.9, 0.9, len(cs))
        u = np.column_stack([to_c[:, 0] * np.cos(rot) - to_c[:, 1] * np.sin(rot),
                             to_c[:, 0] * np.sin(rot) + to_c[:, 1] * np.cos(rot)])
        inter = cs + INTERCHANGE_OFFSET_M * u
        extra_xy = [inter]
        e = _delaunay_edges(inter)
        length = np.hypot(*(inter[e[:, 0]] - inter[e[:, 1]]).T)
        lines = shapely.linestrings(np.stack([inter[e[:, 0]], inter[e[:, 1]]], axis=1))
        inside = shapely.within(lines, geo.settled)
        mst = minimum_spanning_tree(
            coo_matrix((length + np.where(inside, 0, 1e9), (e[:, 0], e[:, 1])), shape=(len(cs),) * 2)
        ).tocoo()
        keep = {(min(a, b), max(a, b)) for a, b in zip(mst.row, mst.col, strict=True)}
        extra = inside & (length <= 1.2 * np.median(length)) & (rng.random(len(e)) < 0.3)
        keep |= {tuple(x) for x in e[extra]}
        ea = np.array(sorted(keep), dtype=np.int64).reshape(-1, 2)
        nums = rng.integers(11, 99, size=len(cs))
        links.add(base + ea[:, 0], base + ea[:, 1], "expressway",
                  [f"G{nums[min(x, y)]}高速" for x, y in ea])
        links.add(base + np.arange(len(cs)), geo.seat_of_county, "national", "高速连接线")
    node_xy = np.vstack([*nodes, *extra_xy])
    la, lb, lcls, lname, lspeed = links.arrays()
    return _segments(rng, geo, node_xy, la, lb, lcls, lname, lspeed, road_edges, remote_link)


def _segments(rng, geo, node_xy, la, lb, lcls, lname, lspeed, road_edges, remote_link) -> RoadNet:
    """Cut links into segments (≥ ``road_edges`` in all), meandering in the hills; expressways get two
    one-way carriageways."""
    p0, p1 = node_xy[la], node_xy[lb]
    vec = p1 - p0
    length = np.hypot(vec[:, 0], vec[:, 1])
    hw = lcls == "expressway"
    total = length.sum() + length[hw].sum()
    seg_len = total / max(road_edges, 1)
    n_seg = np.maximum(1, np.ceil(length / seg_len)).astype(np.int64)
    h = geo.terrain((p0 + p1) / 2)
    h[remote_link] = 1.0
    wind = np.array([WIND[c] for c in lcls])
    amp = MAX_AMPLITUDE_M * wind * h * np.minimum(1.0, length / 3000.0)
    wavelength = rng.uniform(1500.0, 3500.0, len(la))
    phase = rng.uniform(0, 2 * np.pi, len(la))
    # interior nodes: positions along each link, vectorised over all links at once
    n_int = n_seg - 1
    link_of = np.repeat(np.arange(len(la)), n_int)
    first = np.cumsum(n_int) - n_int
    k = np.arange(n_int.sum()) - first[link_of] + 1
    t = k / n_seg[link_of]
    unit = vec[link_of] / np.maximum(length[link_of], 1e-9)[:, None]
    off = amp[link_of] * np.sin(np.pi * t) * np.sin(2 * np.pi * t * length[link_of] / wavelength[link_of]
                                                    + phase[link_of])
    normal = np.column_stack([-unit[:, 1], unit[:, 0]])
    inner = p0[link_of] + t[:, None] * vec[link_of] + off[:, None] * normal
    base = len(node_xy)
    all_xy = np.vstack([node_xy, inner])
    # segment endpoints: link start, its interior nodes in order, link end
    seg_link = np.repeat(np.arange(len(la)), n_seg)
    seg_first = np.cumsum(n_seg) - n_seg
    j = np.arange(n_seg.sum()) - seg_first[seg_link]  # segment number within its link
    int_base = base + first[seg_link] - 1  # interior node j (1-based) of the link is int_base + j
    frm = np.where(j == 0, la[seg_link], int_base + j)
    to = np.where(j == n_seg[seg_link] - 1, lb[seg_link], int_base + j + 1)
    cls = lcls[seg_link]
    # hill roads are slower; everywhere else the class speed applies (empty speed)
    speed = lspeed[seg_link].copy()
    class_speed = np.array([DEFAULT_SPEEDS_KPH[c] for c in cls])
    factor = 1.0 - HILL_SLOWDOWN * np.clip((h[seg_link] - 0.5) / 0.5, 0.0, 1.0)
    slow = np.isin(cls, ["county", "township", "village"]) & (factor <= 0.95) & np.isnan(speed)
    speed[slow] = np.round(class_speed[slow] * factor[slow], 1)
    oneway = np.zeros(len(frm), dtype=np.int64)
    name = lname[seg_link]
    hw_seg = np.flatnonzero(cls == "expressway")
    oneway[hw_seg] = 1
    # the opposite carriageway: the same segments reversed
    frm, to = np.concatenate([frm, to[hw_seg]]), np.concatenate([to, frm[hw_seg]])
    cls = np.concatenate([cls, cls[hw_seg]])
    speed = np.concatenate([speed, speed[hw_seg]])
    oneway = np.concatenate([oneway, oneway[hw_seg]])
    name = np.concatenate([name, name[hw_seg]])
    seg_link = np.concatenate([seg_link, seg_link[hw_seg]])
    return RoadNet(all_xy, frm, to, cls, oneway, speed, name, seg_link, remote_link)


def nearest_road_distance(net: RoadNet, xy: np.ndarray) -> np.ndarray:
    """Distance from points to the nearest road segment, metres (for placing and checking the demo)."""
    lines = shapely.linestrings(np.stack([net.node_xy[net.seg_from], net.node_xy[net.seg_to]], axis=1))
    tree = shapely.STRtree(lines)
    _, dist = tree.query_nearest(shapely.points(xy), return_distance=True, all_matches=False)
    return dist

