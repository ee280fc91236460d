"""GIS road lines joined at shared interior vertices (travel.noding) and the connected-pieces check (issue 11 §2)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from healthplan.geodata.config import TravelConfig
from healthplan.geodata.roads import build_road_network, class_speeds, components_check
from healthplan.geodata.travel_times import compute_travel_times

CRS = "EPSG:32650"


def roads(lines, classes=None, ids=None):
    return gpd.GeoDataFrame({"class": classes or ["county"] * len(lines)},
                            geometry=[LineString(c) for c in lines], crs=CRS, index=ids or [f"r{k}" for k in range(len(lines))])


# A horizontal road drawn through the vertex (1000, 0) where a vertical road passes: a GIS layer digitised
# with a shared vertex at the crossing, but no line ends there.
CROSS = [[(0, 0), (1000, 0), (2000, 0)], [(1000, -1000), (1000, 0), (1000, 1000)]]


def test_shared_interior_vertex_is_a_junction_by_default():
    net, rep = build_road_network(roads(CROSS), TravelConfig())
    assert not rep.problems
    assert net.n_nodes == 5 and net.n_edges == 8  # four arms, both directions
    assert net.length_m.sum() == pytest.approx(2 * 4000)


def test_ends_noding_keeps_the_crossing_apart():
    net, _ = build_road_network(roads(CROSS), TravelConfig(noding="ends"))
    assert net.n_nodes == 4 and net.n_edges == 4


def test_crossing_without_shared_vertex_never_joins():
    lines = [[(0, 0), (2000, 0)], [(1000, -1000), (1000, 1000)]]  # an overpass: no vertex at the crossing
    net, _ = build_road_network(roads(lines), TravelConfig())
    assert net.n_nodes == 4


def test_vertex_within_snap_tolerance_joins_and_lengths_add_up():
    lines = [[(0, 0), (400, 300), (1000, 0), (2000, 0)], [(1000.4, 0.3), (1000, 1000)]]
    net, _ = build_road_network(roads(lines), TravelConfig(snap_tolerance_m=1.0))
    lengths = sorted(np.round(net.length_m[net.tail < net.head], 1))
    assert lengths == pytest.approx(sorted([500 + np.hypot(600, 300), 1000.0, np.hypot(0.4, 999.7)]), abs=0.2)


def test_travel_times_through_the_shared_vertex():
    # A site at the west end, a village at the north end: reachable only through the crossing.
    demand = pd.DataFrame({"population": [100], "x": [1000.0], "y": [1000.0]}, index=pd.Index(["V"], name="demand_id"))
    sites = pd.DataFrame({"x": [0.0], "y": [0.0]}, index=pd.Index(["S"], name="site_id"))
    cfg = TravelConfig()
    tt, rep = compute_travel_times(demand, sites, roads=roads(CROSS), od=None, cfg=cfg, cutoff_minutes=60)
    assert not rep.errors
    assert tt.minutes[0] == pytest.approx(2000 / (40 * 1000 / 60))  # 2 km of county road at 40 km/h
    _, rep_ends = compute_travel_times(demand, sites, roads=roads(CROSS), od=None,
                                       cfg=TravelConfig(noding="ends"), cutoff_minutes=60)
    assert any("cannot be reached" in p.message for p in rep_ends.errors)


def test_components_note_and_population_on_small_pieces():
    lines = [*CROSS, [(5000, 0), (6000, 0)]]  # a fragment 3 km away
    demand = pd.DataFrame({"population": [700, 300], "x": [0.0, 6000.0], "y": [0.0, 0.0]},
                          index=pd.Index(["V1", "V2"], name="demand_id"))
    sites = pd.DataFrame({"x": [2000.0, 5000.0], "y": [0.0, 0.0]}, index=pd.Index(["S1", "S2"], name="site_id"))
    tt, rep = compute_travel_times(demand, sites, roads=roads(lines), od=None, cfg=TravelConfig(),
                                   cutoff_minutes=60)
    [note] = rep.notes
    assert "2 connected piece(s)" in note.message and "300 persons" in note.message
    warn = [w for w in rep.warnings if "not connected to the main network" in w.message]
    assert warn and "1 demand points with 300 persons (30.0%)" in warn[0].message and "noding" in warn[0].fix
    net, _ = build_road_network(roads(lines), TravelConfig())
    assert components_check(net, net.nearest_nodes(demand[["x", "y"]].to_numpy())[0], np.array([700, 300])) == (
        2, 5, 1, 300)


def test_chinese_class_names_get_their_class_speed():
    net, rep = build_road_network(roads([[(0, 0), (1000, 0)], [(1000, 0), (2000, 0)]], classes=["国道", "村道"]),
                                  TravelConfig())
    assert not rep.problems and sorted(set(net.speed_kph)) == [20.0, 60.0]
    assert class_speeds(TravelConfig(speeds_kph={"national": 70, "国道": 65}))["国道"] == 65  # own speed wins
