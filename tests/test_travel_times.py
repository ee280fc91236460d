"""Travel times: road shortest paths vs networkx and hand-computed cases, OD, straight line, cutoff, cache."""

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from shapely.geometry import LineString

import healthplan.geodata.travel_times as tt_mod
from healthplan.geodata.config import TravelConfig
from healthplan.geodata.errors import InputError
from healthplan.geodata.roads import build_road_graph
from healthplan.geodata.travel_times import compute_travel_times, travel_cache_key

CRS = "EPSG:32650"
ACCESS = 20 * 1000 / 60  # default access speed, metres per minute
DETOUR = 1.6


def make_roads(lines, classes=None, oneway=None) -> gpd.GeoDataFrame:
    n = len(lines)
    data = {"class": classes or ["county"] * n}
    if oneway is not None:
        data["oneway"] = oneway
    return gpd.GeoDataFrame(
        data, geometry=[LineString(p) for p in lines], crs=CRS, index=[f"r{i}" for i in range(n)]
    )


def points(xy, prefix) -> pd.DataFrame:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return pd.DataFrame(
        {"x": xy[:, 0], "y": xy[:, 1], "population": 100}, index=[f"{prefix}{i}" for i in range(len(xy))]
    )


def run(demand, sites, roads=None, od=None, cutoff=120.0, **cfg):
    return compute_travel_times(demand, sites, roads=roads, od=od, cfg=TravelConfig(**cfg), cutoff_minutes=cutoff)


def test_three_node_line_with_access_legs_hand_computed():
    # Site 100 m beside A, demand 200 m beside C; A-B 1 km and B-C 2 km of county road (40 km/h).
    roads = make_roads([[(0, 0), (1000, 0)], [(1000, 0), (3000, 0)]])
    sites, demand = points([(0, 100)], "S"), points([(3000, -200), (1000, 0)], "V")
    tt, rep = run(demand, sites, roads)
    assert not rep.problems and tt.method == "roads"
    expected_v0 = 100 * DETOUR / ACCESS + 1.5 + 3.0 + 200 * DETOUR / ACCESS
    expected_v1 = 100 * DETOUR / ACCESS + 1.5  # on the node itself: no access leg at the demand end
    assert tt.dense()[0] == pytest.approx([expected_v0, expected_v1])


def test_one_way_road_forces_a_detour_in_the_direction_of_travel():
    # Square 1 km a side; the side A→B is one-way B→A, so from a site at A to a demand point at B the ambulance
    # goes round A→D→C→B (3 km); from B to A it takes the direct side (1 km).
    a, b, c, d = (0, 0), (1000, 0), (1000, 1000), (0, 1000)
    roads = make_roads([[b, a], [b, c], [c, d], [d, a]], oneway=[1, 0, 0, 0])
    tt, _ = run(points([b], "V"), points([a], "S"), roads)
    assert tt.minutes == pytest.approx([4.5])
    tt, _ = run(points([a], "V"), points([b], "S"), roads)
    assert tt.minutes == pytest.approx([1.5])


def test_snapped_ends_half_a_metre_apart_connect():
    roads = make_roads([[(0, 0), (1000, 0)], [(1000.5, 0), (2000, 0)]])
    tt, rep = run(points([(2000, 0)], "V"), points([(0, 0)], "S"), roads, snap_tolerance_m=1.0)
    assert not rep.errors
    assert tt.minutes == pytest.approx([(1000 + 999.5) / (40 * 1000 / 60)])  # drawn lengths, 40 km/h
    _, rep = run(points([(2000, 0)], "V"), points([(0, 0)], "S"), roads, snap_tolerance_m=0.1)
    assert [p.feature for p in rep.errors] == ["V0"]  # unsnapped, the second road is an island


def brute_force_times(roads, demand, sites, cfg) -> np.ndarray:
    """Independent answer: networkx single-source Dijkstra + nearest nodes by a dense distance matrix."""
    g = build_road_graph(roads, cfg)
    nodes = np.array(sorted(g.nodes))
    node_xy = np.array([[g.nodes[n]["x"], g.nodes[n]["y"]] for n in nodes])
    speed = cfg.access_speed_kph * 1000 / 60

    def attach(df):
        dist = cdist(df[["x", "y"]].to_numpy(), node_xy)
        k = dist.argmin(axis=1)
        return nodes[k], dist[np.arange(len(df)), k] * cfg.detour_factor / speed

    d_node, d_acc = attach(demand)
    s_node, s_acc = attach(sites)
    out = np.full((len(sites), len(demand)), np.inf)
    for i, (sn, sa) in enumerate(zip(s_node, s_acc, strict=True)):
        lengths = nx.single_source_dijkstra_path_length(g, int(sn), weight="minutes")
        road = np.array([lengths.get(int(n), np.inf) for n in d_node])
        out[i] = sa + road + d_acc
    return out


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    n_pts = 60
    pts = rng.uniform(0, 30_000, size=(n_pts, 2))
    # A spanning path keeps most of it connected; extra random roads add cycles; some are one-way.
    order = rng.permutation(n_pts)
    pairs = list(zip(order[:-1], order[1:], strict=True))
    extra = rng.integers(0, n_pts, size=(80, 2))
    pairs += [(i, j) for i, j in extra if i != j]
    lines = [[tuple(pts[i]), tuple(pts[j])] for i, j in pairs]
    classes = rng.choice(["national", "provincial", "county", "township"], len(lines)).tolist()
    oneway = rng.choice([0, 1], len(lines), p=[0.8, 0.2]).tolist()
    roads = make_roads(lines, classes=classes, oneway=oneway)
    demand = points(rng.uniform(0, 30_000, size=(70, 2)), "V")
    sites = points(rng.uniform(0, 30_000, size=(9, 2)), "S")
    sites.iloc[3, :2] = demand.iloc[5, :2].to_numpy()  # a site on a demand point
    return roads, demand, sites


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_road_times_agree_with_networkx_dijkstra(seed):
    roads, demand, sites = random_case(seed)
    cfg = TravelConfig(max_access_m=50_000)
    cutoff = 45.0
    tt, rep = compute_travel_times(demand, sites, roads=roads, od=None, cfg=cfg, cutoff_minutes=cutoff)
    expected = brute_force_times(roads, demand, sites, cfg)
    expected[expected > cutoff] = np.inf
    np.testing.assert_allclose(tt.dense(), expected, rtol=1e-9)
    assert 0 < tt.n_pairs < expected.size  # the cutoff bites but something is reachable
    # Errors exactly for the demand points no site reaches at any time (per the uncut brute force).
    unreachable = np.isinf(brute_force_times(roads, demand, sites, cfg)).all(axis=0)
    assert sorted(p.feature for p in rep.errors) == sorted(demand.index[unreachable])


def test_cutoff_keeps_exactly_the_pairs_within_it():
    roads, demand, sites = random_case(5)
    wide, _ = run(demand, sites, roads, cutoff=1e6, max_access_m=50_000)
    narrow, _ = run(demand, sites, roads, cutoff=20.0, max_access_m=50_000)
    full = wide.dense()
    assert narrow.minutes.max() <= 20.0
    np.testing.assert_array_equal(np.isfinite(narrow.dense()), full <= 20.0)
    np.testing.assert_allclose(narrow.minutes, full[narrow.site_idx, narrow.demand_idx])


def test_chunked_sources_give_the_same_answer(monkeypatch):
    roads, demand, sites = random_case(6)
    whole, _ = run(demand, sites, roads, cutoff=60.0)
    monkeypatch.setattr(tt_mod, "_CHUNK_BYTES", 1)  # one source per Dijkstra call
    chunked, _ = run(demand, sites, roads, cutoff=60.0)
    np.testing.assert_array_equal(whole.site_idx, chunked.site_idx)
    np.testing.assert_array_equal(whole.demand_idx, chunked.demand_idx)
    np.testing.assert_allclose(whole.minutes, chunked.minutes)


def test_disconnected_point_is_an_error_per_point_and_others_still_work():
    roads = make_roads([[(0, 0), (1000, 0)], [(50_000, 0), (51_000, 0)]])  # main road + an island
    demand = points([(1000, 0), (50_500, 10), (51_000, 0)], "V")
    tt, rep = run(demand, points([(0, 0)], "S"), roads)
    assert [p.feature for p in rep.errors] == ["V1", "V2"]
    msg = rep.errors[0].format()
    assert "demand point V1 cannot be reached from any site: its road is not connected to the network" in msg
    assert "connect the road, add an OD pair or remove the point" in msg
    assert tt.demand_idx.tolist() == [0]


def test_one_way_dead_end_is_unreachable_even_in_the_same_component():
    # The only road to V runs away from it: weakly connected, but no site can drive there.
    roads = make_roads([[(0, 0), (1000, 0)], [(2000, 0), (1000, 0)]], oneway=[0, 1])
    _, rep = run(points([(2000, 0)], "V"), points([(0, 0)], "S"), roads)
    assert [p.feature for p in rep.errors] == ["V0"]


def test_site_on_an_island_warns():
    roads = make_roads([[(0, 0), (1000, 0)], [(50_000, 0), (51_000, 0)]])
    _, rep = run(points([(1000, 0)], "V"), points([(0, 0), (51_000, 0)], "S"), roads)
    assert not rep.errors
    assert [p.feature for p in rep.warnings] == ["S1"] and "cannot reach any demand point" in rep.warnings[0].message


def test_off_network_point_warns_with_id_and_distance_and_is_still_connected():
    roads = make_roads([[(0, 0), (1000, 0)]])
    demand = points([(1000, 8000)], "V")  # 8 km from the nearest node, max_access_m = 5 km
    tt, rep = run(demand, points([(0, 0)], "S"), roads)
    (w,) = rep.warnings
    assert w.feature == "V0" and "8,000 m" in w.message and "off the road network" in w.message
    assert not rep.errors
    assert tt.minutes == pytest.approx([1.5 + 8000 * DETOUR / ACCESS])


def test_missing_coordinates_are_an_error_for_roads_and_straight():
    demand = points([(0, 0), (10, 10)], "V")
    demand.loc["V1", "x"] = np.nan
    for roads in (make_roads([[(0, 0), (1000, 0)]]), None):
        _, rep = run(demand, points([(0, 0)], "S"), roads)
        assert [p.feature for p in rep.errors] == ["V1"] and "has no coordinates" in rep.errors[0].message


def test_straight_line_agrees_with_cdist_and_keeps_zero_distance():
    rng = np.random.default_rng(3)
    demand = points(rng.uniform(0, 40_000, size=(300, 2)), "V")
    sites = points(rng.uniform(0, 40_000, size=(12, 2)), "S")
    sites.iloc[0, :2] = demand.iloc[7, :2].to_numpy()
    tt, rep = run(demand, sites, cutoff=30.0)
    assert tt.method == "straight" and not rep.problems
    expected = cdist(sites[["x", "y"]], demand[["x", "y"]]) * DETOUR / (25 * 1000 / 60)
    expected[expected > 30.0] = np.inf
    np.testing.assert_allclose(tt.dense(), expected, rtol=1e-12)
    assert tt.dense()[0, 7] == 0.0
    faster, _ = run(demand, sites, cutoff=30.0, straight_speed_kph=50.0, detour_factor=1.2)
    assert faster.n_pairs > tt.n_pairs


def test_od_matrix_drops_pairs_above_cutoff_and_flags_points_without_pairs():
    demand = points([(np.nan, np.nan)] * 3, "V")  # OD-only instances carry no coordinates
    sites = pd.DataFrame({"x": [np.nan, np.nan]}, index=pd.Index([1, 2]))
    od = pd.DataFrame(
        {"site_id": ["1", "2", "1", "2"], "demand_id": ["V0", "V0", "V1", "V1"], "minutes": [12.0, 5.0, 90.0, 0.0]}
    )
    od.attrs["file"] = "od.csv"
    tt, rep = run(demand, sites, od=od, cutoff=60.0)
    assert tt.method == "od"
    assert tt.dense().tolist() == [[12.0, np.inf, np.inf], [5.0, 0.0, np.inf]]
    (err,) = rep.errors
    assert err.feature == "V2" and "cannot be reached from any site" in err.message and "od.csv" in err.message


def test_od_pair_only_above_cutoff_is_not_an_error():
    od = pd.DataFrame({"site_id": ["S0"], "demand_id": ["V0"], "minutes": [500.0]})
    tt, rep = run(points([(0, 0)], "V"), points([(0, 0)], "S"), od=od, cutoff=60.0)
    assert tt.n_pairs == 0 and not rep.problems


def test_method_choice():
    demand, sites = points([(0, 0)], "V"), points([(0, 0)], "S")
    roads = make_roads([[(0, 0), (1000, 0)]])
    od = pd.DataFrame({"site_id": ["S0"], "demand_id": ["V0"], "minutes": [7.0]})
    assert run(demand, sites, roads, od)[0].method == "od"
    assert run(demand, sites, roads)[0].method == "roads"
    assert run(demand, sites, roads, od, method="straight")[0].method == "straight"
    with pytest.raises(InputError, match="no roads layer"):
        run(demand, sites, None, od, method="roads")
    with pytest.raises(InputError, match="cutoff"):
        run(demand, sites, roads, cutoff=0)


def test_road_errors_are_reported_not_raised():
    roads = make_roads([[(0, 0), (1000, 0)]], classes=["mule track"])
    tt, rep = run(points([(0, 0)], "V"), points([(0, 0)], "S"), roads)
    assert tt.n_pairs == 0 and "mule track" in rep.errors[0].message


def test_cache_hit_equals_miss_and_skips_the_work(tmp_path, monkeypatch):
    roads, demand, sites = random_case(8)
    demand.loc["V9", ["x", "y"]] = [1e6, 1e6]  # an off-network point, so the report has a warning to replay
    cfg = TravelConfig(max_access_m=2_000)
    kw = {"roads": roads, "od": None, "cfg": cfg, "cutoff_minutes": 40.0, "cache_dir": tmp_path}
    miss, rep_miss = compute_travel_times(demand, sites, **kw)
    if rep_miss.errors:  # unreachable points in this random case are not cached; drop them and retry
        demand = demand.drop([p.feature for p in rep_miss.errors])
        miss, rep_miss = compute_travel_times(demand, sites, **kw)
    assert not rep_miss.errors and rep_miss.warnings
    assert len(list(tmp_path.glob("travel-*.npz"))) == 1

    def boom(*a, **k):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(tt_mod, "road_travel_times", boom)
    monkeypatch.setattr(tt_mod, "road_travel_times_with_sites", boom)
    hit, rep_hit = compute_travel_times(demand, sites, **kw)
    for name in ("site_idx", "demand_idx", "minutes"):
        a, b = getattr(miss, name), getattr(hit, name)
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert hit.method == miss.method and hit.cutoff_minutes == miss.cutoff_minutes
    assert hit.site_ids.equals(miss.site_ids) and hit.demand_ids.equals(miss.demand_ids)
    assert rep_hit.problems == rep_miss.problems


def test_cache_key_changes_with_what_matters_only():
    roads, demand, sites = random_case(9)
    cfg = TravelConfig()

    def key(d=demand, r=roads, c=cfg, cutoff=60.0, method="roads"):
        return travel_cache_key(d, sites, roads=r, od=None, cfg=c, cutoff_minutes=cutoff, method=method)

    base = key()
    assert key() == base
    moved = demand.copy()
    moved.iloc[0, 0] += 0.001
    slower = roads.copy()
    slower.iloc[0, slower.columns.get_loc("class")] = "village"
    assert len({base, key(d=moved), key(r=slower), key(cutoff=61.0), key(c=TravelConfig(snap_tolerance_m=2))}) == 5
    # Straight-line keys ignore road settings; road keys ignore the straight-line speed.
    assert key(method="straight", c=TravelConfig(snap_tolerance_m=5)) == key(method="straight")
    assert key(c=TravelConfig(straight_speed_kph=40)) == base
    assert key(method="straight", c=TravelConfig(straight_speed_kph=40)) != key(method="straight")


def test_damaged_cache_entry_is_recomputed(tmp_path):
    demand, sites = points([(0, 0), (3000, 0)], "V"), points([(0, 0)], "S")
    kw = {"roads": None, "od": None, "cfg": TravelConfig(), "cutoff_minutes": 30.0, "cache_dir": tmp_path}
    first, _ = compute_travel_times(demand, sites, **kw)
    (entry,) = tmp_path.glob("travel-*.npz")
    entry.write_bytes(b"not a zip file")
    again, _ = compute_travel_times(demand, sites, **kw)
    np.testing.assert_array_equal(first.minutes, again.minutes)
    assert entry.stat().st_size > 20  # rewritten
    assert not list(tmp_path.glob("*.tmp"))


def test_unwritable_cache_warns_and_still_answers(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    demand, sites = points([(0, 0), (3000, 0)], "V"), points([(0, 0)], "S")
    tt, rep = compute_travel_times(
        demand, sites, roads=None, od=None, cfg=TravelConfig(), cutoff_minutes=30.0, cache_dir=blocker / "cache"
    )
    assert tt.n_pairs == 2 and not rep.errors
    assert "cache could not be written" in rep.warnings[0].message


def brute_force_site_times(roads, sites, cfg) -> np.ndarray:
    """Independent site → site answer: the same networkx single-source Dijkstra with sites as the targets."""
    out = brute_force_times(roads, sites, sites, cfg)
    np.fill_diagonal(out, 0.0)  # a site is 0 minutes from itself
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_site_to_site_road_times_agree_with_networkx_dijkstra(seed):
    roads, demand, sites = random_case(seed)
    cfg = TravelConfig(max_access_m=50_000)
    cutoff = 45.0
    _, site_tt, _ = tt_mod.compute_travel_times_with_sites(
        demand, sites, roads=roads, od=None, cfg=cfg, cutoff_minutes=cutoff
    )
    expected = brute_force_site_times(roads, sites, cfg)
    expected[expected > cutoff] = np.inf
    assert site_tt.site_ids.equals(sites.index) and site_tt.demand_ids.equals(sites.index)
    assert site_tt.method == "roads" and site_tt.cutoff_minutes == cutoff
    np.testing.assert_allclose(site_tt.dense(), expected, rtol=1e-9)
    assert np.isfinite(expected).sum() > len(sites)  # more than the diagonal is reachable


def test_site_to_site_on_a_one_way_square_hand_computed():
    # Square as in the one-way test: A→B is one-way B→A; sites at A and B on the nodes (no access legs).
    a, b, c, d = (0, 0), (1000, 0), (1000, 1000), (0, 1000)
    roads = make_roads([[b, a], [b, c], [c, d], [d, a]], oneway=[1, 0, 0, 0])
    _, site_tt, _ = tt_mod.compute_travel_times_with_sites(
        points([c], "V"), points([a, b], "S"), roads=roads, od=None, cfg=TravelConfig(), cutoff_minutes=60.0
    )
    assert site_tt.dense() == pytest.approx(np.array([[0.0, 4.5], [1.5, 0.0]]))  # county road 40 km/h


def test_site_to_site_straight_line_uses_the_same_formula():
    sites = points([(0, 0), (3000, 4000), (60_000, 0)], "S")
    demand = points([(0, 0)], "V")
    cfg = TravelConfig(method="straight")
    _, site_tt, _ = tt_mod.compute_travel_times_with_sites(
        demand, sites, roads=None, od=None, cfg=cfg, cutoff_minutes=30.0
    )
    five_km = 5000 * cfg.detour_factor / (cfg.straight_speed_kph * 1000 / 60)
    expected = np.array([[0.0, five_km, np.inf], [five_km, 0.0, np.inf], [np.inf, np.inf, 0.0]])
    np.testing.assert_allclose(site_tt.dense(), expected)


def test_site_to_site_from_od_only_with_site_pairs():
    demand, sites = points([(0, 0)], "V"), points([(0, 0), (1, 1)], "S")
    od = pd.DataFrame({"site_id": ["S0", "S1"], "demand_id": ["V0", "V0"], "minutes": [3.0, 4.0]})
    kw = {"roads": None, "cfg": TravelConfig(), "cutoff_minutes": 30.0}
    _, none, _ = tt_mod.compute_travel_times_with_sites(demand, sites, od=od, **kw)
    assert none is None  # the matrix says nothing about site → site
    site_od = pd.DataFrame({"site_id": ["S0", "S1"], "demand_id": ["S1", "S0"], "minutes": [12.0, 50.0]})
    _, site_tt, _ = tt_mod.compute_travel_times_with_sites(demand, sites, od=od, site_od=site_od, **kw)
    np.testing.assert_allclose(site_tt.dense(), [[0.0, 12.0], [np.inf, 0.0]])  # 50 > cutoff 30


def test_cache_keeps_site_to_site_times(tmp_path, monkeypatch):
    roads, demand, sites = random_case(1)
    demand = demand.iloc[:10]
    kw = {"roads": roads, "od": None, "cfg": TravelConfig(max_access_m=50_000), "cutoff_minutes": 45.0,
          "cache_dir": tmp_path}
    _, miss, rep = tt_mod.compute_travel_times_with_sites(demand, sites, **kw)
    if rep.errors:
        demand = demand.drop([p.feature for p in rep.errors])
        _, miss, rep = tt_mod.compute_travel_times_with_sites(demand, sites, **kw)

    def boom(*a, **k):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(tt_mod, "road_travel_times_with_sites", boom)
    _, hit, _ = tt_mod.compute_travel_times_with_sites(demand, sites, **kw)
    np.testing.assert_array_equal(hit.dense(), miss.dense())
    assert hit.site_ids.equals(sites.index) and hit.demand_ids.equals(sites.index)
    # An OD cache entry depends on the site → site rows as well.
    od = pd.DataFrame({"site_id": ["S0"], "demand_id": ["V0"], "minutes": [3.0]})
    site_od = pd.DataFrame({"site_id": ["S0"], "demand_id": ["S1"], "minutes": [12.0]})
    key = tt_mod.travel_cache_key
    args = {"roads": None, "od": od, "cfg": TravelConfig(), "cutoff_minutes": 30.0, "method": "od"}
    assert key(demand, sites, **args) != key(demand, sites, site_od=site_od, **args)
