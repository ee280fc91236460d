"""The synthetic demo county generator (geodata.demo*) and the committed demo_county.gpkg."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from healthplan.geodata.config import DEFAULT_SPEEDS_KPH
from healthplan.geodata.demo import DEMO_PATH, LAYER_COLUMNS, DemoCounty, generate_cli, generate_county, generate_region
from healthplan.geodata.demo_geometry import build_geography
from healthplan.geodata.demo_names import N_NAMES, county_english, unique_name_indices
from healthplan.geodata.levels import Level

UTM = "EPSG:32650"  # UTM 50N holds the default centre (114.93 E)
CLASSES = {"expressway", "national", "provincial", "county", "township", "village"}


@pytest.fixture(scope="module")
def county() -> DemoCounty:
    return generate_county(seed=7)


def _graph(roads: gpd.GeoDataFrame) -> nx.Graph:
    """Undirected networkx graph whose nodes are the exact line-end coordinates (lon/lat, no snapping)."""
    starts = np.array([shapely.get_coordinates(g)[0] for g in roads.geometry.values])
    ends = np.array([shapely.get_coordinates(g)[-1] for g in roads.geometry.values])
    g = nx.Graph()
    g.add_edges_from(zip(map(tuple, starts), map(tuple, ends), strict=True))
    return g


def _travel_minutes(c: DemoCounty, sources: gpd.GeoDataFrame) -> np.ndarray:
    """Minutes from each source point to each village over the roads (one-way aware), with straight access
    legs × 1.6 at 20 km/h to the nearest road end — computed here with scipy, not the product's travel code."""
    r = c.roads.to_crs(UTM)
    seg = shapely.get_coordinates(r.geometry.values).reshape(-1, 2, 2)
    uniq, inv = np.unique(np.round(np.vstack([seg[:, 0], seg[:, -1]]), 3), axis=0, return_inverse=True)
    a, b = inv[: len(r)], inv[len(r):]
    speed = r["speed_kph"].fillna(r["class"].map(DEFAULT_SPEEDS_KPH)).to_numpy(float)
    minutes = r.geometry.length.to_numpy() / 1000.0 / speed * 60.0
    two = r["oneway"].to_numpy() == 0
    graph = coo_matrix(
        (np.concatenate([minutes, minutes[two]]), (np.concatenate([a, b[two]]), np.concatenate([b, a[two]]))),
        shape=(len(uniq), len(uniq)),
    ).tocsr()
    tree = cKDTree(uniq)
    dv, nv = tree.query(shapely.get_coordinates(c.villages.to_crs(UTM).geometry.values))
    ds, ns = tree.query(shapely.get_coordinates(sources.to_crs(UTM).geometry.values))

    def access(d: np.ndarray) -> np.ndarray:
        return d * 1.6 / 1000.0 / 20.0 * 60.0

    net = dijkstra(graph, directed=True, indices=ns)
    out = access(ds)[:, None] + net[:, nv] + access(dv)[None, :]
    out[:, dv > 5000.0] = np.inf  # off the network
    return out


def _assert_frames_equal(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, tol: float = 0.0) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    attrs = [c for c in a.columns if c != "geometry"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(a[attrs]).reset_index(drop=True).astype(object),
        pd.DataFrame(b[attrs]).reset_index(drop=True).astype(object),
        check_dtype=False,
    )
    assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=tol).all()


# -- determinism ---------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_data(county):
    again = generate_county(seed=7)
    for name in LAYER_COLUMNS:
        _assert_frames_equal(getattr(county, name), getattr(again, name))


def test_different_seed_gives_different_data(county):
    other = generate_county(seed=8)
    assert not county.townships.geometry.geom_equals(other.townships.geometry).all()
    assert county.villages["population"].tolist() != other.villages["population"].tolist()
    assert set(county.townships["name"]) != set(other.townships["name"])


# -- the layer contract --------------------------------------------------------------------------------------
def test_layers_have_contract_columns_and_types(county):
    for name, cols in LAYER_COLUMNS.items():
        gdf = getattr(county, name)
        assert list(gdf.columns) == [*cols, "geometry"], name
        assert gdf.crs.to_epsg() == 4326
        assert gdf["id"].is_unique
    assert set(county.townships.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (county.villages.geom_type == "Point").all()
    assert (county.roads.geom_type == "LineString").all()
    for name in ("townships", "villages", "facilities", "candidates"):
        gdf = getattr(county, name)
        for col in gdf.columns:
            if col in ("population", "urban", "beds", "amb_ord", "amb_np", "station_capacity"):
                assert pd.api.types.is_integer_dtype(gdf[col]), (name, col)
    assert county.townships["id"].iloc[0] == "T01" and county.villages["id"].iloc[0] == "V0001"
    assert county.facilities["id"].iloc[0] == "F01" and county.candidates["id"].iloc[0] == "C01"


def test_townships_counts_kinds_and_population(county):
    tw = county.townships
    assert len(tw) == 30
    assert int(tw["population"].sum()) == 1_000_000
    assert set(tw["kind"]) == {"街道", "镇", "乡"}
    assert 6 <= (tw["kind"] == "街道").sum() <= 8
    assert ((tw["kind"] == "街道") == (tw["urban"] == 1)).all()
    assert tw["name"].is_unique
    assert all(n.endswith(k) for n, k in zip(tw["name"], tw["kind"], strict=True))
    assert tw["name"].iloc[0] == "城关街道"
    assert tw["name_en"].str.match(r"^[A-Za-z' ]+$").all()
    # the seat 街道 are denser than the rural townships, and 乡 are the smallest
    dens = tw["population"] / tw.to_crs(UTM).area * 1e6
    assert dens[tw["urban"] == 1].min() > dens[tw["urban"] == 0].max()
    assert tw.loc[tw["kind"] == "乡", "population"].mean() < tw.loc[tw["kind"] == "镇", "population"].mean()


def test_villages_sum_to_township_totals(county):
    v, tw = county.villages, county.townships
    assert 400 <= len(v) <= 800
    assert len(v) == 600
    sums = v.groupby("township")["population"].sum()
    assert (sums.reindex(tw["id"]).to_numpy() == tw["population"].to_numpy()).all()
    assert (v["population"] > 0).all()
    assert set(v["urban"]) == {0, 1}
    # names unique within each township, with 村/社区 suffixes
    assert not v.duplicated(["township", "name"]).any()
    assert v["name"].str.endswith(("村", "社区")).all()
    # population thins towards the edges: villages far from the county seat are smaller
    seat = v.to_crs(UTM).geometry.iloc[0]
    dist = v.to_crs(UTM).distance(seat)
    rural = v["urban"] == 0
    near, far = dist[rural] < dist[rural].median(), dist[rural] >= dist[rural].median()
    assert v.loc[rural & near, "population"].median() > v.loc[rural & far, "population"].median()


def test_points_lie_in_their_township(county):
    tw = county.townships.set_index("id")
    for layer in ("villages", "facilities", "candidates"):
        gdf = getattr(county, layer)
        polys = tw.geometry.loc[gdf["township"]].to_numpy()
        assert shapely.contains(polys, gdf.geometry.to_numpy()).all(), layer


def test_townships_tile_the_outline_without_gaps_or_overlaps(county):
    # in the generator's own frame, the union of the cells is the outline
    geo = build_geography(np.random.default_rng(county.seed), 30, 1)
    union = shapely.union_all(geo.cells)
    assert union.symmetric_difference(geo.outline).area < 1e-9 * geo.outline.area
    # in the published lon/lat layer: valid, no overlaps, no holes
    tw = county.townships.to_crs(UTM)
    assert tw.is_valid.all()
    areas = tw.area.to_numpy()
    whole = shapely.union_all(tw.geometry.values)
    assert whole.geom_type == "Polygon" and len(whole.interiors) == 0
    assert abs(areas.sum() - whole.area) < 1e-6 * whole.area
    tree = shapely.STRtree(tw.geometry.values)
    i, j = tree.query(tw.geometry.values, predicate="intersects")
    pairs = i < j
    overlap = shapely.area(shapely.intersection(tw.geometry.values[i[pairs]], tw.geometry.values[j[pairs]]))
    assert overlap.max() < 1.0  # m², numerical noise only
    assert 2000 < whole.area / 1e6 < 4000  # a county of ~2,800 km²


def test_facilities_levels_and_stock(county):
    f = county.facilities
    counts = f["level"].value_counts()
    for lv in (Level.COUNTY_HOSPITAL, Level.SECONDARY_HOSPITAL, Level.TCM_HOSPITAL, Level.MCH_HOSPITAL):
        assert counts[lv.value] == 1
    assert 5 <= counts[Level.CENTRAL_THC.value] <= 7
    assert 15 <= counts[Level.THC.value] <= 20
    assert 5 <= counts[Level.CHC.value] <= 8
    assert set(f["level"]) <= {lv.value for lv in Level}
    assert f["name"].is_unique and f["name_en"].str.match(r"^[A-Za-z' ]+$").all()
    assert (f.loc[f["level"] == "county_hospital", "name"] == "示范县人民医院").all()
    assert (f["beds"] > 0).all()
    hosp = f["level"].isin(["county_hospital", "secondary_hospital", "tcm_hospital", "mch_hospital"])
    assert f.loc[hosp, "beds"].min() > f.loc[~hosp, "beds"].max()
    total = int(f["amb_ord"].sum() + f["amb_np"].sum())
    assert 20 <= total <= 25
    assert 2 <= f["amb_np"].sum() <= 6
    with_amb = f[(f["amb_ord"] + f["amb_np"]) > 0]
    assert with_amb["level"].isin(["central_thc", "thc"]).any() and hosp[with_amb.index].any()
    assert ((f["amb_ord"] + f["amb_np"]) <= f["station_capacity"]).all()
    assert f["fever_clinic"].sum() == 2
    assert set(f.loc[f["fever_clinic"] == 1, "level"]) == {"county_hospital", "secondary_hospital"}
    rooms = f.loc[f["fever_room"] == 1, "level"]
    assert set(rooms) <= {"central_thc", "thc", "chc"}
    assert 0 < len(rooms) < (~hosp).sum()
    assert f["blood_point"].sum() == 0 and f["subcentre"].sum() == 0


def test_candidates_are_greenfield(county):
    c = county.candidates
    assert 5 <= len(c) <= 15
    assert (c["level"] == "candidate").all()
    zero = ["beds", "amb_ord", "amb_np", "fever_clinic", "fever_room", "blood_point", "subcentre"]
    assert (c[zero] == 0).all().all()
    assert (c["station_capacity"] > 0).all()
    assert c["name"].str.contains("客运站|商业中心|交通枢纽|物流园|商贸中心|农贸市场").all()
    assert c["name"].is_unique


# -- roads ---------------------------------------------------------------------------------------------------
def test_roads_classes_and_attributes(county):
    r = county.roads
    assert set(r["class"]) == CLASSES
    assert 2000 <= len(r) <= 10_000
    assert set(r["oneway"]) == {0, 1}
    assert set(r.loc[r["oneway"] == 1, "class"]) == {"expressway"}  # two one-way carriageways
    sp = r["speed_kph"]
    assert sp.isna().any() and sp.notna().any()
    assert (sp.dropna() > 0).all()
    slower = sp.notna() & (sp < r["class"].map(DEFAULT_SPEEDS_KPH))
    assert slower[sp.notna()].all()  # a speed is only given where hills slow a road down
    assert r["name"].str.len().gt(0).all()


def test_road_graph_is_connected_and_villages_are_on_it(county):
    g = _graph(county.roads)
    assert nx.number_connected_components(g) == 1
    nodes = np.array(list(g.nodes))
    vxy = shapely.get_coordinates(county.villages.geometry.values)
    d, _ = cKDTree(nodes).query(vxy)
    on_net = d < 1e-9  # villages sit exactly on a road end
    assert (~on_net).sum() == 1  # … all but the off-network village


def test_off_network_village_is_far_from_every_road(county):
    roads = county.roads.to_crs(UTM)
    v = county.villages.to_crs(UTM)
    tree = shapely.STRtree(roads.geometry.values)
    _, dist = tree.query_nearest(v.geometry.values, return_distance=True, all_matches=False)
    assert (dist >= 6000.0).sum() == 1
    assert np.sort(dist)[-2] < 1.0  # every other village is on a road


def test_remote_village_is_reached_only_by_a_slow_village_road(county):
    r = county.roads.to_crs(UTM)
    track = r[r["name"].str.endswith("山路")]
    assert len(track) >= 3
    assert (track["class"] == "village").all() and (track["speed_kph"] <= 15.0).all()
    assert track.length.sum() > 5000.0  # a long track, m
    v = county.villages.to_crs(UTM)
    at_track = v[v.distance(shapely.union_all(track.geometry.values)) < 1e-6]
    others = r[~r.index.isin(track.index)]
    far = at_track[at_track.geometry.apply(lambda p: others.distance(p).min()) > 3000.0]
    assert len(far) == 1  # one village at the track's end, with no other road within 3 km
    assert far["name"].iloc[0] + "山路" == track["name"].iloc[0]


def test_today_coverage_is_incomplete_and_edges_are_far(county):
    f = county.facilities
    v = county.villages
    pop = v["population"].to_numpy()
    urban = v["urban"].to_numpy() == 1
    minutes = _travel_minutes(county, f)
    amb = (f["amb_ord"] + f["amb_np"]).to_numpy() > 0
    # default standards: 15 min urban / 30 min rural response minus 3 min dispatch
    covered = minutes[amb].min(axis=0) <= np.where(urban, 12.0, 27.0)
    share = pop[covered].sum() / pop.sum()
    assert 0.55 <= share <= 0.85, share
    primary = f["level"].isin(["central_thc", "thc", "chc"]).to_numpy()
    share_primary = pop[minutes[primary].min(axis=0) <= np.where(urban, 15.0, 30.0)].sum() / pop.sum()
    assert 0.75 <= share_primary < 1.0
    # hilly edge townships are 30-70 minutes from the county hospital (seat communities come first)
    hospital = np.flatnonzero(f["level"].to_numpy() == "county_hospital")[0]
    seats = v.groupby("township").head(1).index.to_numpy()
    to_seats = minutes[hospital, seats]
    assert 30.0 <= np.sort(to_seats)[-3] and to_seats.max() <= 70.0
    rural = county.townships["urban"].to_numpy() == 0
    assert np.median(to_seats[rural]) > np.median(to_seats[~rural])


# -- the committed GeoPackage --------------------------------------------------------------------------------
def test_committed_gpkg_equals_a_fresh_generation(county):
    if not DEMO_PATH.exists():
        pytest.fail(f"{DEMO_PATH} is missing: regenerate it with geodata.demo.write_demo()")
    assert DEMO_PATH.stat().st_size < 3_000_000
    layers = {name for name, _ in pyogrio.list_layers(DEMO_PATH)}
    assert layers == set(LAYER_COLUMNS)
    for name in LAYER_COLUMNS:
        disk = gpd.read_file(DEMO_PATH, layer=name)
        assert disk.crs.to_epsg() == 4326
        _assert_frames_equal(disk, getattr(county, name))
        meta = pyogrio.read_info(DEMO_PATH, layer=name)["layer_metadata"]
        assert meta["SYNTHETIC"] == "yes" and "SYNTHETIC" in meta["DESCRIPTION"]
        assert meta["seed"] == "7"


def test_to_gpkg_round_trips_and_is_atomic(tmp_path, county, monkeypatch):
    path = county.to_gpkg(tmp_path / "c.gpkg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.gpkg"]
    for name in LAYER_COLUMNS:
        _assert_frames_equal(gpd.read_file(path, layer=name), getattr(county, name))
    before = path.read_bytes()
    real = gpd.GeoDataFrame.to_file

    def fail_on_roads(self, filename, *args, **kw):
        if kw.get("layer") == "roads":
            raise OSError("disk full (simulated)")
        return real(self, filename, *args, **kw)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", fail_on_roads)
    with pytest.raises(OSError, match="simulated"):
        county.to_gpkg(path)
    assert path.read_bytes() == before  # the old file survives a failed write untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.gpkg"]  # and no temporary file is left


def test_generate_cli_writes_a_small_county(tmp_path):
    path = generate_cli(tmp_path, seed=3, townships=12, villages=300, population=200_000)
    assert path == tmp_path / "demo_county.gpkg"
    tw = gpd.read_file(path, layer="townships")
    v = gpd.read_file(path, layer="villages")
    assert len(tw) == 12 and len(v) == 300
    assert int(tw["population"].sum()) == 200_000 == int(v["population"].sum())
    out = generate_cli(tmp_path / "x.gpkg", seed=3, townships=12, villages=None, population=200_000)
    assert out.name == "x.gpkg" and len(gpd.read_file(out, layer="villages")) == 240


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="townships"):
        generate_county(townships=2)
    with pytest.raises(ValueError, match="villages"):
        generate_county(townships=30, villages=50)
    with pytest.raises(ValueError, match="sites"):
        generate_region(townships=60, villages=1500, sites=10)


def test_names_helpers():
    assert county_english("示范县") == "Shifan County"
    rng = np.random.default_rng(5)
    group = rng.integers(0, 4, 3000)
    skip = np.array([0, 1, 2, 3])
    idx = unique_name_indices(rng, group, 4, skip=skip)
    frame = pd.DataFrame({"g": group, "i": idx})
    per = frame.groupby("g")["i"]
    assert (per.nunique() == per.size()).all()  # unique within each group (< N_NAMES members)
    assert not (idx == skip[group]).any()
    assert idx.max() < N_NAMES


# -- province scale ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_region_scale_generates_fast_and_connected():
    t0 = time.perf_counter()
    r = generate_region(seed=11)
    elapsed = time.perf_counter() - t0
    assert elapsed < 30.0, f"region generation took {elapsed:.1f} s"
    assert len(r.townships) == 1500 and len(r.villages) == 20_000
    assert len(r.facilities) + len(r.candidates) == 2000
    assert len(r.roads) >= 200_000
    assert (r.villages.groupby("township")["population"].sum().reindex(r.townships["id"]).to_numpy()
            == r.townships["population"].to_numpy()).all()
    seg = shapely.get_coordinates(r.roads.geometry.values).reshape(-1, 2, 2)
    uniq, inv = np.unique(np.vstack([seg[:, 0], seg[:, 1]]), axis=0, return_inverse=True)
    n = len(r.roads)
    graph = coo_matrix((np.ones(n), (inv[:n], inv[n:])), shape=(len(uniq), len(uniq)))
    n_comp, _ = connected_components(graph, directed=False)
    assert n_comp == 1
    d, _ = cKDTree(uniq).query(shapely.get_coordinates(r.villages.geometry.values))
    assert (d > 1e-9).sum() == 1  # only the off-network village is off the graph
    assert (r.facilities.groupby("level").size() >= 50).all()
    assert Path(DEMO_PATH).suffix == ".gpkg"
