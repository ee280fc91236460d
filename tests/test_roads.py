"""Road graph: snapping, speeds, one-way roads, parallel edges, errors; CSR and networkx agree."""

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csgraph
from scipy.spatial.distance import pdist, squareform
from shapely.geometry import LineString, MultiLineString

from healthplan.geodata.config import TravelConfig
from healthplan.geodata.errors import InputError
from healthplan.geodata.roads import build_road_graph, build_road_network, snap_points

CRS = "EPSG:32650"  # UTM 50N, metres


def make_roads(lines, classes=None, oneway=None, ids=None, **cols) -> gpd.GeoDataFrame:
    n = len(lines)
    data = {"class": classes or ["county"] * n, **cols}
    if oneway is not None:
        data["oneway"] = oneway
    geoms = [g if g is None or not isinstance(g, list) else LineString(g) for g in lines]
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS, index=ids or [f"r{i}" for i in range(n)])


def node_at(g: nx.DiGraph, x: float, y: float) -> int:
    return min(g.nodes, key=lambda n: (g.nodes[n]["x"] - x) ** 2 + (g.nodes[n]["y"] - y) ** 2)


def test_three_node_line_hand_computed():
    # 1 km at 40 km/h = 1.5 min, 2 km at 40 km/h = 3 min; two-way roads give both directions.
    roads = make_roads([[(0, 0), (1000, 0)], [(1000, 0), (3000, 0)]])
    g = build_road_graph(roads, TravelConfig())
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 4
    a, b, c = node_at(g, 0, 0), node_at(g, 1000, 0), node_at(g, 3000, 0)
    assert g.edges[a, b]["minutes"] == pytest.approx(1.5)
    assert g.edges[c, b]["minutes"] == pytest.approx(3.0)
    assert nx.shortest_path_length(g, a, c, weight="minutes") == pytest.approx(4.5)
    assert g.edges[a, b]["road"] == "r0" and g.edges[a, b]["length_m"] == pytest.approx(1000)


def test_length_follows_the_geometry_not_the_chord():
    # An L-shaped road 2 km long between ends 1.414 km apart: the weight uses the drawn length.
    roads = make_roads([[(0, 0), (1000, 0), (1000, 1000)]], classes=["township"])
    net, rep = build_road_network(roads, TravelConfig())
    assert not rep.problems
    assert net.minutes == pytest.approx([4.0, 4.0])  # 2 km at 30 km/h


def test_speed_column_overrides_class_and_empty_speed_falls_back():
    roads = make_roads(
        [[(0, 0), (1000, 0)], [(1000, 0), (2000, 0)]], classes=["village", "village"], kph=[60.0, None]
    )
    net, rep = build_road_network(roads, TravelConfig(speed_column="kph"))
    assert not rep.problems
    by_road = dict(zip(net.road_id, net.minutes, strict=True))
    assert by_road["r0"] == pytest.approx(1.0)  # 1 km at 60 km/h
    assert by_road["r1"] == pytest.approx(3.0)  # 1 km at the village speed, 20 km/h


def test_class_names_match_case_insensitively_and_in_chinese():
    cfg = TravelConfig(speeds_kph={"高速公路": 90, "county": 40})
    roads = make_roads([[(0, 0), (1500, 0)], [(1500, 0), (2500, 0)]], classes=["高速公路", "County"])
    net, rep = build_road_network(roads, cfg)
    assert not rep.problems
    assert sorted(set(net.speed_kph)) == [40.0, 90.0]


@pytest.mark.parametrize(
    ("value", "forward", "backward"),
    [(1, True, False), ("yes", True, False), ("是", True, False), (-1, False, True), ("0", True, True),
     (None, True, True), (False, True, True)],
)
def test_oneway_values(value, forward, backward):
    roads = make_roads([[(0, 0), (1000, 0)]], oneway=pd.Series([value], dtype=object, index=["r0"]))
    g = build_road_graph(roads, TravelConfig())
    a, b = node_at(g, 0, 0), node_at(g, 1000, 0)
    assert g.has_edge(a, b) is forward
    assert g.has_edge(b, a) is backward


def test_unknown_oneway_value_warns_and_is_two_way():
    roads = make_roads([[(0, 0), (1000, 0)]], oneway=["sometimes"])
    net, rep = build_road_network(roads, TravelConfig())
    assert net.n_edges == 2
    assert len(rep.warnings) == 1 and "one-way value not understood for road r0" in rep.warnings[0].message


def test_snap_tolerance_merges_ends_half_a_metre_apart():
    lines = [[(0, 0), (1000, 0)], [(1000.5, 0), (2000, 0)]]
    merged, _ = build_road_network(make_roads(lines), TravelConfig(snap_tolerance_m=1.0))
    apart, _ = build_road_network(make_roads(lines), TravelConfig(snap_tolerance_m=0.25))
    assert merged.n_nodes == 3 and apart.n_nodes == 4
    assert merged.node_xy[:, 0].tolist() == pytest.approx([0, 1000.25, 2000])  # the node sits at the mean
    assert csgraph.connected_components(merged.adjacency, connection="weak")[0] == 1
    assert csgraph.connected_components(apart.adjacency, connection="weak")[0] == 2


def test_snap_points_equals_brute_force_single_linkage():
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 30, size=(200, 2))
    xy[100:120] = xy[:20]  # some exact duplicates, as at shared junctions
    labels, nodes = snap_points(xy, 1.5)
    close = squareform(pdist(xy)) <= 1.5
    n_expected, expected = csgraph.connected_components(close, directed=False)
    assert labels.max() + 1 == n_expected == len(nodes)
    # Same partition: labels map one-to-one onto the brute-force components.
    pairs = set(zip(labels.tolist(), expected.tolist(), strict=True))
    assert len(pairs) == n_expected


def test_zero_tolerance_merges_identical_points_only():
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 1e-6]])
    labels, nodes = snap_points(xy, 0.0)
    assert labels[0] == labels[1] != labels[2] and len(nodes) == 2


def test_parallel_roads_keep_the_fastest_and_self_loops_go():
    roads = make_roads(
        [[(0, 0), (1000, 0)], [(0, 0), (500, 500), (1000, 0)], [(0, 0), (0.2, 0.2)]],
        classes=["village", "expressway", "county"],
    )
    net, rep = build_road_network(roads, TravelConfig())
    assert not rep.problems
    assert net.n_nodes == 2 and net.n_edges == 2  # the loop snapped onto one node is dropped
    expected = 2 * np.hypot(500, 500) / (90 * 1000 / 60)  # expressway, 1.414 km at 90 km/h beats 1 km at 20
    assert net.minutes == pytest.approx([expected, expected])
    assert set(net.road_id) == {"r1"}


def test_multilinestring_parts_become_edges_and_missing_geometry_warns():
    geoms = [MultiLineString([[(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)]]), None]
    roads = gpd.GeoDataFrame({"class": ["county", "county"]}, geometry=geoms, crs=CRS, index=["m", "gone"])
    net, rep = build_road_network(roads, TravelConfig())
    assert net.n_nodes == 3 and net.n_edges == 4
    assert [p.feature for p in rep.warnings] == ["gone"] and "missing" in rep.warnings[0].message


def test_unknown_class_is_an_error_naming_feature_and_column():
    roads = make_roads([[(0, 0), (10, 0)], [(10, 0), (20, 0)]], classes=["county", "track"], ids=["A", "B"])
    net, rep = build_road_network(roads, TravelConfig())
    assert net.n_edges == 0
    (err,) = rep.errors
    assert (err.feature, err.column) == ("B", "class")
    assert "road class 'track' has no speed (road B)" in err.message and "speeds_kph" in err.fix
    with pytest.raises(InputError, match="track"):
        build_road_graph(roads, TravelConfig())


@pytest.mark.parametrize("kph", [0.0, -30.0])
def test_zero_or_negative_speed_is_an_error(kph):
    roads = make_roads([[(0, 0), (10, 0)], [(10, 0), (20, 0)]], kph=[50.0, kph])
    _, rep = build_road_network(roads, TravelConfig(speed_column="kph"))
    (err,) = rep.errors
    assert (err.feature, err.column) == ("r1", "kph") and "zero or negative speed" in err.message


def test_missing_speed_column_and_geographic_crs_are_errors():
    roads = make_roads([[(0, 0), (10, 0)]])
    _, rep = build_road_network(roads, TravelConfig(speed_column="速度"))
    assert "speed column '速度' is missing" in rep.errors[0].message
    _, rep = build_road_network(roads.set_crs("EPSG:4326", allow_override=True), TravelConfig())
    assert "geographic CRS" in rep.errors[0].message


def test_file_name_comes_from_attrs():
    roads = make_roads([[(0, 0), (10, 0)]], classes=["track"])
    roads.attrs["file"] = "roads.gpkg"
    _, rep = build_road_network(roads, TravelConfig())
    assert rep.errors[0].format().startswith("error: roads.gpkg, feature 'r0', column 'class'")


def random_roads(seed: int, n_points: int = 40, n_lines: int = 90) -> gpd.GeoDataFrame:
    """Random straight roads between random points (some one-way, mixed classes), seeded."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 20_000, size=(n_points, 2))
    a = rng.integers(0, n_points, n_lines)
    b = (a + rng.integers(1, n_points, n_lines)) % n_points  # never a == b
    classes = rng.choice(["national", "county", "township", "village"], n_lines).tolist()
    oneway = rng.choice([0, 1, -1], n_lines, p=[0.7, 0.2, 0.1]).tolist()
    lines = [[tuple(pts[i]), tuple(pts[j])] for i, j in zip(a, b, strict=True)]
    return make_roads(lines, classes=classes, oneway=oneway)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_csr_and_networkx_give_the_same_shortest_paths(seed):
    roads = random_roads(seed)
    cfg = TravelConfig()
    net, rep = build_road_network(roads, cfg)
    assert not rep.errors
    g = net.to_networkx()
    dist = csgraph.dijkstra(net.adjacency, directed=True, indices=[0, 5])
    for row, src in enumerate([0, 5]):
        nx_len = nx.single_source_dijkstra_path_length(g, src, weight="minutes")
        expected = np.full(net.n_nodes, np.inf)
        expected[list(nx_len)] = list(nx_len.values())
        np.testing.assert_allclose(dist[row], expected, rtol=1e-12)


def test_graph_weights_recomputed_from_the_input_rows():
    # Independent recomputation per road: length / class speed, one direction for one-way roads.
    roads = random_roads(11, n_points=30, n_lines=25)
    g = build_road_graph(roads, TravelConfig())
    speeds = TravelConfig().speeds_kph
    for rid, row in roads.iterrows():
        (x0, y0), (x1, y1) = row.geometry.coords
        u, v = node_at(g, x0, y0), node_at(g, x1, y1)
        minutes = row.geometry.length / (speeds[row["class"]] * 1000 / 60)
        if row["oneway"] == -1:
            u, v = v, u
        assert g.edges[u, v]["minutes"] <= minutes + 1e-9  # equal unless a faster parallel road exists
        if g.edges[u, v]["road"] == rid:
            assert g.edges[u, v]["minutes"] == pytest.approx(minutes)
        assert g.has_edge(v, u) or row["oneway"] != 0
