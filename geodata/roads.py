"""Road graph from line geometry: snapped line ends as nodes, travel minutes as directed edge weights."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from healthplan.geodata.config import TravelConfig
from healthplan.geodata.errors import InputError, ProblemReport
from healthplan.geodata.messages import say
from healthplan.geodata.text import Text

if TYPE_CHECKING:
    import networkx as nx  # imported where a graph is built: a run's travel times use the CSR arrays only

# Values of the one-way column, compared case-insensitively after str(). OSM writes "yes"/"no"/"-1";
# Chinese attribute tables often write 是/否 or 单向/双向.
_FORWARD = frozenset({"1", "1.0", "true", "t", "yes", "y", "是", "单向", "forward"})
_REVERSE = frozenset({"-1", "-1.0", "reverse", "backward", "逆向"})
_TWO_WAY = frozenset({"0", "0.0", "false", "f", "no", "n", "否", "双向", "", "nan", "none", "<na>"})

# Edges shorter than this get this many minutes instead: a zero weight is legal for scipy's Dijkstra, but a strictly
# positive one keeps the graph well defined for every backend (networkx, csgraph) and costs < 1 ms over any route.
_MIN_EDGE_MINUTES = 1e-6

# How many offending ids one message lists before it says "and N more".
_MAX_IDS = 10


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road graph in array form: node coordinates and one row per directed edge.

    Edge ``k`` runs from node ``tail[k]`` to node ``head[k]`` and takes ``minutes[k]`` (ordinary traffic,
    length ÷ speed). A two-way road is two edges, a one-way road one edge in its direction of travel. Parallel
    roads between the same two nodes are collapsed to the fastest. Coordinates are metres in the roads' CRS.
    """

    node_xy: np.ndarray  # (n_nodes, 2) float64, metres
    tail: np.ndarray  # (n_edges,) int64, node index
    head: np.ndarray  # (n_edges,) int64, node index
    minutes: np.ndarray  # (n_edges,) float64, minutes
    length_m: np.ndarray  # (n_edges,) float64, metres
    speed_kph: np.ndarray  # (n_edges,) float64, km/h
    road_id: np.ndarray  # (n_edges,) object, id (index value) of the road feature the edge comes from

    @property
    def n_nodes(self) -> int:
        """Number of nodes (snapped line ends)."""
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.tail.size)

    @cached_property
    def adjacency(self) -> sparse.csr_matrix:
        """Node × node CSR matrix, entry (u, v) = minutes from u to v (the input of scipy.sparse.csgraph)."""
        n = self.n_nodes
        return sparse.csr_matrix((self.minutes, (self.tail, self.head)), shape=(n, n))

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(self.node_xy)

    def nearest_nodes(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest network node of each point.

        Parameters
        ----------
        xy
            (n, 2) coordinates in metres, same CRS as the roads; rows must be finite.

        Returns
        -------
        node, distance_m
            Node index (int64) and straight-line distance to it (metres) per point.
        """
        if self.n_nodes == 0:
            raise InputError(say("roads.no_nodes"), file="roads", fix=say("roads.no_nodes.fix"))
        dist, node = self._tree.query(np.asarray(xy, dtype=float).reshape(-1, 2))
        return node.astype(np.int64), dist

    def to_networkx(self) -> nx.DiGraph:
        """The same graph as a networkx DiGraph: node attributes ``x``/``y`` (metres), edge attributes
        ``minutes``, ``length_m``, ``speed_kph`` and ``road`` (the feature id)."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(
            (i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(self.node_xy.tolist())
        )
        g.add_edges_from(
            (u, v, {"minutes": w, "length_m": ln, "speed_kph": sp, "road": rid})
            for u, v, w, ln, sp, rid in zip(
                self.tail.tolist(),
                self.head.tolist(),
                self.minutes.tolist(),
                self.length_m.tolist(),
                self.speed_kph.tolist(),
                self.road_id.tolist(),
                strict=True,
            )
        )
        return g

    @classmethod
    def empty(cls) -> RoadNetwork:
        """A network without nodes or edges (returned alongside errors)."""
        z = np.zeros(0, dtype=np.int64)
        f = np.zeros(0, dtype=float)
        return cls(np.zeros((0, 2)), z, z.copy(), f, f.copy(), f.copy(), np.zeros(0, dtype=object))


def build_road_graph(roads: gpd.GeoDataFrame, cfg: TravelConfig) -> nx.DiGraph:
    """Road graph as a networkx DiGraph (nodes = snapped line ends with ``x``/``y`` in metres, edge ``minutes``).

    Parameters
    ----------
    roads
        LineStrings (or MultiLineStrings) in a projected metric CRS, columns as named in ``cfg``.
    cfg
        Speeds per class (km/h), speed / class / one-way columns and the snap tolerance (metres).

    Raises
    ------
    InputError
        When the roads have errors (unknown class, zero or negative speed, geographic CRS, no usable line).
    """
    network, report = build_road_network(roads, cfg)
    report.raise_if_errors()
    return network.to_networkx()


def build_road_network(roads: gpd.GeoDataFrame, cfg: TravelConfig) -> tuple[RoadNetwork, ProblemReport]:
    """Build the directed road graph in array form (vectorised; see :class:`RoadNetwork`).

    Lines join at their snapped ends and, with ``cfg.noding = "vertices"`` (the default), wherever two lines
    share a vertex: each line is cut there into edges (:func:`split_at_nodes`). Two roads that cross without a
    shared vertex never connect (an overpass); with ``noding = "ends"`` a shared interior vertex does not connect
    either (a layer already split at its junctions). An edge's weight is its length (metres) ÷ its speed (km/h),
    in minutes: the speed column when it holds a value, else the class speed from ``cfg.speeds_kph`` (Chinese
    class names through ``cfg.class_aliases``). A road whose one-way value is true (1/yes/是) is a single edge
    along its geometry, -1/reverse a single edge against it, anything false or empty two edges.

    Vertices closer than ``cfg.snap_tolerance_m`` share a node: they are clustered transitively (single linkage over
    a KD-tree), so a chain of ends each within the tolerance of the next merges into one node placed at their
    mean. A tolerance of 0 merges only identical coordinates.

    The file named in messages is ``roads.attrs["file"]`` when the loader set it, else ``"roads"``; features
    are named by their index value.

    Returns
    -------
    network, report
        The network (empty when errors prevent building it) and the problems found (errors and warnings).
    """
    report = ProblemReport()
    file = str(roads.attrs.get("file", "roads"))
    if roads.crs is not None and roads.crs.is_geographic:
        report.error(
            file,
            say("roads.geographic", crs=roads.crs.to_string()),
            say("roads.geographic.fix"),
        )
        return RoadNetwork.empty(), report

    speed = _road_speeds_kph(roads, cfg, file, report)
    oneway = _road_oneway(roads, cfg, file, report)
    if report.errors:
        return RoadNetwork.empty(), report

    # One row per line part: MultiLineStrings are split, each part keeps its feature's speed and direction.
    geoms = np.asarray(roads.geometry.values, dtype=object)
    if (shapely.get_type_id(geoms) == 1).all():  # all LineStrings: skip the (slower) split into parts
        parts, owner = geoms, np.arange(geoms.size)
    else:
        parts, owner = shapely.get_parts(geoms, return_index=True)
    ok = shapely.get_type_id(parts) == 1  # LineString
    ok &= ~shapely.is_empty(parts)
    ok &= shapely.get_num_coordinates(parts) >= 2
    _warn_unusable_features(roads, geoms, owner, ok, file, report)
    parts, owner = parts[ok], owner[ok]
    if parts.size == 0:
        report.error(
            file, say("roads.no_line"), say("roads.no_line.fix")
        )
        return RoadNetwork.empty(), report

    # Edges between junctions (line ends, and shared vertices when cfg.noding is "vertices").
    edge_part, u, v, length, node_xy = split_at_nodes(parts, cfg.snap_tolerance_m, cfg.noding)
    owner = owner[edge_part]
    sp = speed[owner]
    minutes = np.maximum(length / (sp * 1000.0 / 60.0), _MIN_EDGE_MINUTES)
    way = oneway[owner]
    road_id = np.asarray(roads.index.to_numpy(dtype=object))[owner]

    fwd = way >= 0  # two-way or one-way along the geometry
    back = way <= 0  # two-way or one-way against it
    tail = np.concatenate([u[fwd], v[back]])
    head = np.concatenate([v[fwd], u[back]])
    pick = np.concatenate([np.flatnonzero(fwd), np.flatnonzero(back)])
    tail, head, pick = _fastest_simple_edges(tail, head, minutes[pick], pick)
    network = RoadNetwork(
        node_xy=node_xy,
        tail=tail,
        head=head,
        minutes=minutes[pick],
        length_m=length[pick],
        speed_kph=sp[pick],
        road_id=road_id[pick],
    )
    return network, report


def class_speeds(cfg: TravelConfig) -> dict[str, float]:
    """Speed (km/h) per road class, lower-case, with ``cfg.class_aliases`` (国道 → national …) folded in.

    An alias the user also gave a speed of its own keeps that speed.
    """
    speeds = {str(k).strip().lower(): float(v) for k, v in cfg.speeds_kph.items()}
    for alias, target in cfg.class_aliases.items():
        key, to = str(alias).strip().lower(), str(target).strip().lower()
        if key not in speeds and to in speeds:
            speeds[key] = speeds[to]
    return speeds


def split_at_nodes(parts: np.ndarray, tolerance_m: float, noding: str) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                              np.ndarray, np.ndarray]:
    """Cut lines into edges at their junctions.

    Parameters
    ----------
    parts
        LineStrings (metres).
    tolerance_m
        Vertices at most this far apart share a node (transitively, :func:`snap_points`).
    noding
        ``ends``: a line joins others only at its two ends (one edge per line); ``vertices``: also at every
        interior vertex it shares with another line (or with itself, a loop), where it is cut.

    Returns
    -------
    part, tail_node, head_node, length_m, node_xy
        Per edge: the line it comes from, its end nodes and its length (metres); node coordinates (metres).
    """
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    n_coords = shapely.get_num_coordinates(parts)
    last = np.cumsum(n_coords) - 1
    first = np.r_[0, last[:-1] + 1]
    if noding == "ends":
        labels, node_xy = snap_points(np.vstack([coords[first], coords[last]]), tolerance_m)
        n = parts.size
        return np.arange(n), labels[:n], labels[n:], shapely.length(parts), node_xy
    labels, node_xy = snap_points(coords, tolerance_m)
    is_end = np.zeros(len(coords), dtype=bool)
    is_end[first] = True
    is_end[last] = True
    # A vertex is a junction when its node holds another vertex too (of another line, or of the same line again).
    is_node = is_end | (np.bincount(labels, minlength=len(node_xy))[labels] >= 2)
    # Each step (vertex k → k + 1 of one line) belongs to the edge started by the last node at or before k.
    is_last = np.zeros(len(coords), dtype=bool)
    is_last[last] = True
    step = np.flatnonzero(~is_last)
    starts = is_node & ~is_last
    edge_of_vertex = np.cumsum(starts) - 1
    edge_of_step = edge_of_vertex[step]
    step_len = np.hypot(*(coords[step + 1] - coords[step]).T)
    length = np.bincount(edge_of_step, weights=step_len, minlength=int(starts.sum()))
    start_vertex = np.flatnonzero(starts)
    # An edge ends at the next node after its start: the start vertex of the next edge of the same line, or the
    # line's last vertex.
    end_vertex = np.empty_like(start_vertex)
    end_vertex[:-1] = start_vertex[1:]
    end_vertex[-1] = len(coords) - 1
    line_last = last[owner[start_vertex]]
    end_vertex = np.minimum(end_vertex, line_last)
    # Only junction nodes stay: an interior vertex that joins nothing is no node (a point snapped to it would be
    # cut off from the network).
    used, compact = np.unique(np.r_[labels[start_vertex], labels[end_vertex]], return_inverse=True)
    compact = compact.reshape(-1)
    n_edges = start_vertex.size
    return owner[start_vertex], compact[:n_edges], compact[n_edges:], length, node_xy[used]


def components_check(network: RoadNetwork, demand_node: np.ndarray, population: np.ndarray
                     ) -> tuple[int, int, int, int]:
    """Connected pieces of the road network (ignoring direction) and the people on the small ones.

    The main piece is the one whose nearest-node demand points hold the most people (ties: the most nodes).

    Returns
    -------
    n_components, main_nodes, small_points, small_population
        Number of pieces, nodes of the main one, demand points and persons whose nearest node is elsewhere.
    """
    if network.n_nodes == 0:
        return 0, 0, 0, 0
    n, label = csgraph.connected_components(network.adjacency, directed=True, connection="weak")
    pop = np.bincount(label[demand_node], weights=np.asarray(population, dtype=float), minlength=n)
    size = np.bincount(label, minlength=n)
    main = int(np.lexsort((size, pop))[-1])
    off = label[demand_node] != main
    return int(n), int(size[main]), int(off.sum()), int(np.asarray(population)[off].sum())


def snap_points(xy: np.ndarray, tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Cluster points closer than ``tolerance_m`` (transitively) into nodes.

    Parameters
    ----------
    xy
        (n, 2) coordinates, metres.
    tolerance_m
        Points at most this far apart (metres) share a node; 0 merges identical coordinates only.

    Returns
    -------
    labels, node_xy
        Node index per point (int64, 0..k-1) and node coordinates (mean of the distinct member points), metres.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    # Exact duplicates first (most line ends meet at shared junction coordinates), then the KD-tree on the rest.
    # Points as complex numbers: a 1-D unique, ~7× faster than unique(axis=0), same lexicographic (x, y) order.
    uniq_c, inverse = np.unique(xy[:, 0] + 1j * xy[:, 1], return_inverse=True)
    uniq = np.column_stack([uniq_c.real, uniq_c.imag])
    inverse = inverse.reshape(-1)
    if tolerance_m <= 0 or len(uniq) < 2:
        return inverse.astype(np.int64), uniq
    pairs = cKDTree(uniq).query_pairs(tolerance_m, output_type="ndarray")
    if pairs.size == 0:
        return inverse.astype(np.int64), uniq
    n = len(uniq)
    link = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, cluster = csgraph.connected_components(link, directed=False)
    count = np.bincount(cluster)
    node_xy = np.column_stack(
        [np.bincount(cluster, weights=uniq[:, 0]) / count, np.bincount(cluster, weights=uniq[:, 1]) / count]
    )
    return cluster[inverse].astype(np.int64), node_xy


def _fastest_simple_edges(
    tail: np.ndarray, head: np.ndarray, minutes: np.ndarray, pick: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drop self-loops and keep the fastest of parallel edges (a CSR built from duplicates would sum them)."""
    keep = tail != head
    tail, head, minutes, pick = tail[keep], head[keep], minutes[keep], pick[keep]
    order = np.lexsort((minutes, head, tail))
    tail, head, pick = tail[order], head[order], pick[order]
    first = np.ones(tail.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    return tail[first].astype(np.int64), head[first].astype(np.int64), pick[first]


def _road_speeds_kph(roads: pd.DataFrame, cfg: TravelConfig, file: str, report: ProblemReport) -> np.ndarray:
    """Speed per road feature (km/h): the speed column where it has a value, else the class speed."""
    n = len(roads)
    speed = np.full(n, np.nan)
    has_speed_col = cfg.speed_column is not None and cfg.speed_column in roads.columns
    if cfg.speed_column is not None and not has_speed_col:
        report.error(
            file,
            say("roads.speed_column_gone", column=cfg.speed_column,
                columns=", ".join(map(str, roads.columns))),
            say("roads.speed_column_gone.fix"),
            column=cfg.speed_column,
        )
        return speed
    if has_speed_col:
        raw = roads[cfg.speed_column]
        speed = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = raw.notna().to_numpy() & np.isnan(speed)
        if bad.any():
            report.error(
                file,
                say("roads.speed_not_number", ids=_ids(roads.index[bad])),
                say("roads.speed_not_number.fix"),
                feature=roads.index[bad][0],
                column=cfg.speed_column,
            )
    need_class = np.isnan(speed)
    if need_class.any():
        if cfg.class_column not in roads.columns:
            report.error(
                file,
                say("roads.no_speed_no_class", ids=_ids(roads.index[need_class]), column=cfg.class_column),
                say("roads.no_speed_no_class.fix"),
                feature=roads.index[need_class][0],
                column=cfg.class_column,
            )
            return speed
        # Classes match case-insensitively ("Expressway" = "expressway"); Chinese class names work as written.
        cls = roads[cfg.class_column].astype("string").str.strip().str.lower()
        speeds = class_speeds(cfg)
        class_speed = cls.map(speeds).to_numpy(dtype=float, na_value=np.nan)
        unknown = need_class & np.isnan(class_speed)
        for value in pd.unique(cls[unknown]):
            same = cls.isna() if pd.isna(value) else (cls == value).fillna(False)
            hit = unknown & same.to_numpy(dtype=bool)
            report.error(
                file,
                say("roads.class_no_speed", value=value, ids=_ids(roads.index[hit]),
                    classes=", ".join(cfg.speeds_kph)),
                say("roads.class_no_speed.fix"),
                feature=roads.index[hit][0],
                column=cfg.class_column,
            )
        speed = np.where(need_class, class_speed, speed)
    bad = np.isfinite(speed) & (speed <= 0)
    if bad.any():
        column = cfg.speed_column if has_speed_col else cfg.class_column
        report.error(
            file,
            say("roads.speed_not_positive", ids=_ids(roads.index[bad])),
            say("roads.speed_not_positive.fix"),
            feature=roads.index[bad][0],
            column=column,
        )
    return speed


def _road_oneway(roads: pd.DataFrame, cfg: TravelConfig, file: str, report: ProblemReport) -> np.ndarray:
    """Direction per feature: +1 one-way along the geometry, -1 against it, 0 two-way."""
    n = len(roads)
    col = cfg.oneway_column
    if col is None or col not in roads.columns:
        return np.zeros(n, dtype=np.int8)
    text = roads[col].astype("string").str.strip().str.lower().fillna("")
    way = np.zeros(n, dtype=np.int8)
    way[text.isin(_FORWARD).to_numpy(dtype=bool)] = 1
    way[text.isin(_REVERSE).to_numpy(dtype=bool)] = -1
    unknown = ~text.isin(_FORWARD | _REVERSE | _TWO_WAY).to_numpy(dtype=bool)
    if unknown.any():
        report.warning(
            file,
            say("roads.oneway_unknown", ids=_ids(roads.index[unknown]), value=text[unknown].iloc[0]),
            say("roads.oneway_unknown.fix"),
            feature=roads.index[unknown][0],
            column=col,
        )
    return way


def _warn_unusable_features(
    roads: pd.DataFrame, geoms: np.ndarray, owner: np.ndarray, ok: np.ndarray, file: str, report: ProblemReport
) -> None:
    """Warn about features that contribute no line (missing, empty, not a line, a single point)."""
    used = np.zeros(len(roads), dtype=bool)
    used[owner[ok]] = True
    unused = ~used
    if unused.any():
        report.warning(
            file,
            say("roads.unusable", n=int(unused.sum()), ids=_ids(roads.index[unused]),
                first=_geom_kind(geoms[unused][0])),
            say("roads.unusable.fix"),
            feature=roads.index[unused][0],
            column="geometry",
        )


def _geom_kind(geom: object) -> Text:
    """Short description of a geometry for a message: its type, or why it is unusable."""
    if geom is None:
        return say("roads.geom.missing")
    if shapely.is_empty(geom):
        return say("roads.geom.empty")
    return Text.of(str(geom.geom_type))


def _ids(index: pd.Index) -> Text:
    """Readable list of feature ids, at most ``_MAX_IDS`` then a count (``道路 R1、R2 及另外 3 条``)."""
    vals = [str(v) for v in index[:_MAX_IDS]]
    more = len(index) - len(vals)
    word = "road" if len(index) == 1 else "roads"
    ids = Text("、".join(vals), ", ".join(vals))
    return say("roads.ids.more" if more > 0 else "roads.ids", word=word, ids=ids, more=more)
