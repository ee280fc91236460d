"""load_instance / check_inputs: a small county end to end, the plain CSV instance, every error reported."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from healthplan.geodata import load as geodata_load
from healthplan.geodata.config import InputsConfig, LayerSpec, TravelConfig
from healthplan.geodata.crs import projection_note, utm_epsg
from healthplan.geodata.errors import InputError
from healthplan.geodata.instance import DEMAND_COLUMNS, SITE_COLUMNS
from healthplan.optimizer.kinds import SITE_STOCK
from pyproj import Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from shapely.geometry import LineString

# the runner reads the sites with the stock columns the resource kinds declare; so do these tests
load_instance = partial(geodata_load.load_instance, stock=SITE_STOCK)
check_inputs = partial(geodata_load.check_inputs, stock=SITE_STOCK)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "geodata" / "demo" / "demo_county.gpkg"
NOTE = "坐标已从 EPSG:4326 投影到 UTM 50N (EPSG:32650)"

# A two-township county at 115°E 28°N (UTM 50N): T1 an urban 街道, T2 a rural 镇; a road along 28.05°N.
VILLAGES = {
    "村编码": ["V1", "V2", "V3", "V4"],
    "村名": ["城东社区", "城西社区", "花桥村", "石岭村"],
    "人口": [1000, 2000, 1500, 500],
    "乡镇": ["T1", "T1", "", "T2"],
    "lon": [115.02, 115.05, 115.13, 115.18],
    "lat": [28.05, 28.06, 28.05, 28.04],
}


def _county(tmp_path: Path, *, villages: dict | None = None, facilities: dict | None = None,
            candidates: dict | None = None, metadata: dict | None = None) -> Path:
    path = tmp_path / "county.gpkg"
    tw = gpd.GeoDataFrame(
        {"id": ["T1", "T2"], "name": ["城关街道", "花桥镇"], "kind": ["街道", "镇"], "人口": [3000, 2000]},
        geometry=[shapely.box(115.0, 28.0, 115.1, 28.1), shapely.box(115.1, 28.0, 115.2, 28.1)],
        crs="EPSG:4326",
    )
    v = pd.DataFrame(villages or VILLAGES)
    vil = gpd.GeoDataFrame(v.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(v["lon"], v["lat"]),
                           crs="EPSG:4326")
    f = pd.DataFrame(facilities or {"id": ["F1", "F2"], "name": ["县人民医院", "花桥镇卫生院"],
                                    "level": ["县人民医院", "乡镇卫生院"], "beds": [500, 40], "amb_ord": [4, 1],
                                    "lon": [115.03, 115.14], "lat": [28.05, 28.05]})
    fac = gpd.GeoDataFrame(f.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(f["lon"], f["lat"]),
                           crs="EPSG:4326")
    c = pd.DataFrame(candidates or {"id": ["C1"], "name": ["高铁站"], "station_capacity": [4],
                                    "lon": [115.08], "lat": [28.05]})
    cand = gpd.GeoDataFrame(c.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(c["lon"], c["lat"]),
                            crs="EPSG:4326")
    xs = [115.0, 115.05, 115.1, 115.15, 115.2]
    roads = gpd.GeoDataFrame(
        {"id": [f"R{i}" for i in range(4)], "class": ["national", "county", "county", "township"],
         "oneway": 0, "speed_kph": [np.nan, 40.0, np.nan, np.nan]},
        geometry=[LineString([(a, 28.05), (b, 28.05)]) for a, b in zip(xs[:-1], xs[1:], strict=True)],
        crs="EPSG:4326",
    )
    for name, layer in (("townships", tw), ("villages", vil), ("facilities", fac), ("candidates", cand),
                        ("roads", roads)):
        pyogrio.write_dataframe(layer, path, layer=name, layer_metadata=metadata)
    return path


def _inputs(path: Path, **override) -> InputsConfig:
    spec = {
        "townships": LayerSpec(path=path, layer="townships", columns={"population": "人口"}),
        "demand": LayerSpec(path=path, layer="villages",
                            columns={"id": "村编码", "name": "村名", "population": "人口", "township": "乡镇"}),
        "facilities": LayerSpec(path=path, layer="facilities"),
        "candidates": LayerSpec(path=path, layer="candidates"),
        "roads": LayerSpec(path=path, layer="roads"),
    }
    spec.update(override)
    return InputsConfig(**{k: v for k, v in spec.items() if v is not None})


ROADS = TravelConfig(method="roads", speed_column="speed_kph")


def test_county_end_to_end(tmp_path):
    path = _county(tmp_path)
    said: list[str] = []
    inst = load_instance(_inputs(path), ROADS, cutoff_minutes=60, name="t", cache_dir=tmp_path / "cache",
                         progress=said.append)
    d, s = inst.demand, inst.sites
    assert list(d.columns) == list(DEMAND_COLUMNS) and d.index.name == "demand_id"
    stock = [c.name for c in SITE_STOCK]
    assert list(s.columns) == [*list(SITE_COLUMNS)[:5], *stock, *list(SITE_COLUMNS)[5:]]
    assert s.index.name == "site_id"
    assert d.index.tolist() == ["V1", "V2", "V3", "V4"]
    assert d["population"].dtype == np.int64 and inst.population == 5000
    assert d["township"].tolist() == ["T1", "T1", "T2", "T2"]  # V3 by spatial join
    assert d["urban"].tolist() == [True, True, False, False]  # from the township kind (街道 = urban)
    assert s.index.tolist() == ["F1", "F2", "C1"]  # facilities, then candidates
    assert s["level"].tolist() == ["county_hospital", "thc", "candidate"]
    assert s["candidate"].tolist() == [False, False, True]
    assert s["amb_ord"].tolist() == [4, 1, 0] and s["amb_np"].tolist() == [0, 0, 0]
    assert s["station_capacity"].tolist() == [0, 0, 4]  # 0 = use the scenario default
    assert s["fever_room"].dtype == bool and not s["fever_room"].any()
    assert s["township"].tolist() == ["T1", "T2", "T1"]
    assert inst.crs == "EPSG:32650" and inst.notes[0] == NOTE
    assert inst.meta["notes_en"][0] == "Coordinates projected from EPSG:4326 to UTM 50N (EPSG:32650)"
    # Coordinates agree with an independent projection of the lon/lat written to the file.
    x, y = Transformer.from_crs(4326, 32650, always_xy=True).transform(VILLAGES["lon"], VILLAGES["lat"])
    np.testing.assert_allclose(d["x"], x, atol=1e-6)
    np.testing.assert_allclose(d["y"], y, atol=1e-6)
    np.testing.assert_allclose(d["lon"], VILLAGES["lon"], atol=1e-9)
    assert inst.townships.index.name == "township_id" and inst.townships.crs.to_epsg() == 32650
    assert inst.townships["urban"].tolist() == [True, False]
    assert inst.roads is not None and inst.roads.crs.to_epsg() == 32650
    assert inst.travel.method == "roads" and inst.travel.n_pairs > 0
    assert set(inst.meta["timings"]) == {"read_s", "travel_s"}
    assert any("reading townships" in m for m in said) and any("travel times" in m for m in said)
    assert not inst.synthetic


def test_utm_zone_matches_pyproj(tmp_path):
    rng = np.random.default_rng(3)
    for lon, lat in zip(rng.uniform(74, 134, 6), rng.uniform(19, 52, 6), strict=True):
        lon, lat = float(lon) + 0.01, float(lat)
        if abs((lon + 180) % 6) < 0.02:  # a zone edge: two zones are both right
            continue
        infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
        assert f"{utm_epsg(lon, lat)}" in {i.code for i in infos}
    assert utm_epsg(-70.0, -33.0) == 32719  # Santiago: southern hemisphere


def test_other_input_crs_is_reprojected_and_said(tmp_path):
    path = _county(tmp_path)
    gk = tmp_path / "villages_gk.gpkg"  # CGCS2000 / 3-degree Gauss-Kruger CM 114E
    pyogrio.write_dataframe(pyogrio.read_dataframe(path, layer="villages").to_crs(4547), gk, layer="villages")
    inst = load_instance(_inputs(path, demand=LayerSpec(path=gk, columns={"id": "村编码", "population": "人口",
                                                                          "township": "乡镇"})),
                         TravelConfig(method="straight"), cutoff_minutes=60)
    assert inst.notes[0] == "坐标已从 EPSG:4326、EPSG:4547 投影到 UTM 50N (EPSG:32650)"
    x, _ = Transformer.from_crs(4326, 32650, always_xy=True).transform(VILLAGES["lon"], VILLAGES["lat"])
    np.testing.assert_allclose(inst.demand["x"], x, atol=0.01)
    note = projection_note(["EPSG:32650"], inst.townships.crs, lang="en")
    assert note.startswith("Coordinates are already")


def test_without_demand_layer_townships_become_demand_points(tmp_path):
    path = _county(tmp_path)
    inst = load_instance(_inputs(path, demand=None), TravelConfig(method="straight"), cutoff_minutes=60)
    d = inst.demand
    assert d.index.tolist() == ["T1", "T2"] and d["population"].tolist() == [3000, 2000]
    assert d["urban"].tolist() == [True, False] and d["township"].tolist() == ["T1", "T2"]
    pts = gpd.GeoSeries.from_xy(d["x"], d["y"], crs=inst.crs)
    assert pts.within(inst.townships.geometry, align=False).all()
    assert "代表点" in inst.notes[1]


def test_urban_column_of_the_demand_layer_wins(tmp_path):
    path = _county(tmp_path, villages={**VILLAGES, "城乡": [0, 1, 1, 0]})
    spec = LayerSpec(path=path, layer="villages",
                     columns={"id": "村编码", "population": "人口", "urban": "城乡"})
    inst = load_instance(_inputs(path, demand=spec), TravelConfig(method="straight"), cutoff_minutes=60)
    assert inst.demand["urban"].tolist() == [False, True, True, False]
    assert inst.demand["township"].tolist() == ["T1", "T1", "T2", "T2"]  # no township column: spatial join


def test_facility_outside_every_township_is_a_warning(tmp_path):
    fac = {"id": ["F1", "F2"], "level": ["thc", "chc"], "lon": [115.03, 115.25], "lat": [28.05, 28.05]}
    inst = load_instance(_inputs(_county(tmp_path, facilities=fac)), TravelConfig(method="straight"),
                         cutoff_minutes=60)
    (w,) = [p for p in inst.warnings if p.feature == "F2"]
    assert "the facility lies outside every township; nearest township T2 (4.9 km away) used" in w.message
    assert inst.sites.loc["F2", "township"] == "T2"


def test_unknown_township_id_of_a_demand_point(tmp_path):
    path = _county(tmp_path, villages={**VILLAGES, "乡镇": ["T1", "T9", "", "T2"]})
    with pytest.raises(InputError, match=r"feature 'V2', column '乡镇': township id 'T9' is not among the "
                                         r"townships — fix: use an id of the townships layer \(T1, T2\)"):
        load_instance(_inputs(path), TravelConfig(method="straight"), cutoff_minutes=60)


def test_every_error_of_every_file_in_one_report(tmp_path):
    path = _county(
        tmp_path,
        villages={**VILLAGES, "人口": [1000, -20, 1500, 500]},
        facilities={"id": ["F1", "F2"], "level": ["县人民医院", "诊所"], "lon": [115.03, 115.14],
                    "lat": [28.05, 28.05]},
        candidates={"id": ["C1", "C1"], "lon": [115.08, 115.09], "lat": [28.05, 28.05]},
    )
    with pytest.raises(InputError) as info:
        load_instance(_inputs(path), ROADS, cutoff_minutes=60)
    text = str(info.value)
    assert text.startswith("3 input errors:")
    assert "feature 'V2', column '人口': population (persons) is negative: -20" in text
    assert "feature 'F2', column 'level': unknown facility level '诊所'" in text
    assert "feature 'C1', column 'id': duplicate id: it appears 2 times (feature 1, feature 2)" in text
    # check_inputs reports the same, without raising.
    inst, report = check_inputs(_inputs(path), ROADS, cutoff_minutes=60)
    assert inst is None and len(report.errors) == 3


def test_missing_layer_and_missing_file_through_the_loader(tmp_path):
    path = _county(tmp_path)
    inputs = _inputs(path, roads=LayerSpec(path=path, layer="road"),
                     candidates=LayerSpec(path=tmp_path / "nope.csv"))
    inst, report = check_inputs(inputs, ROADS, cutoff_minutes=60)
    assert inst is None
    text = "\n".join(p.format() for p in report.errors)
    layers = "townships, villages, facilities, candidates, roads"
    assert f"has no layer 'road'; layers in the file: {layers}" in text
    assert "nope.csv: the candidates file does not exist" in text


def test_unreachable_demand_point_flows_into_the_report(tmp_path):
    path = _county(tmp_path)
    # An island road far east, with its own village: no site can reach it.
    island = gpd.GeoDataFrame({"id": ["R9"], "class": ["village"], "oneway": [0], "speed_kph": [np.nan]},
                              geometry=[LineString([(115.19, 28.09), (115.195, 28.095)])], crs="EPSG:4326")
    roads = pd.concat([pyogrio.read_dataframe(path, layer="roads"), island], ignore_index=True)
    pyogrio.write_dataframe(roads, path, layer="roads")
    extra = ["V9", "孤村", 80, "T2", 115.1951, 28.0951]
    vil = {k: [*v, x] for (k, v), x in zip(VILLAGES.items(), extra, strict=True)}
    v = pd.DataFrame(vil)
    pyogrio.write_dataframe(gpd.GeoDataFrame(v.drop(columns=["lon", "lat"]),
                                             geometry=gpd.points_from_xy(v["lon"], v["lat"]), crs=4326),
                            path, layer="villages")
    with pytest.raises(InputError, match=r"feature 'V9'.*cannot be reached from any site"):
        load_instance(_inputs(path), ROADS, cutoff_minutes=60)


def test_missing_crs_through_the_loader(tmp_path):
    path = _county(tmp_path)
    shp = tmp_path / "villages.shp"
    pyogrio.write_dataframe(pyogrio.read_dataframe(path, layer="villages"), shp)
    shp.with_suffix(".prj").unlink()
    cols = {"id": "村编码", "population": "人口", "township": "乡镇"}
    with pytest.raises(InputError, match=r"villages\.shp: the demand layer has no coordinate reference"):
        load_instance(_inputs(path, demand=LayerSpec(path=shp, columns=cols)), ROADS, cutoff_minutes=60)
    inst = load_instance(_inputs(path, demand=LayerSpec(path=shp, columns=cols, crs="EPSG:4326")),
                         TravelConfig(method="straight"), cutoff_minutes=60)
    assert inst.population == 5000


def test_synthetic_label_in_layer_metadata(tmp_path):
    path = _county(tmp_path, metadata={"synthetic": "true", "description": "合成数据 SYNTHETIC"})
    inst = load_instance(_inputs(path), TravelConfig(method="straight"), cutoff_minutes=60)
    assert inst.synthetic


# --- the plain "any instance" inputs (issue 3 §6) -----------------------------------------------------------


def _plain(tmp_path: Path, od_rows: list[tuple[str, str, object]] | None = None) -> InputsConfig:
    pd.DataFrame({"id": ["d1", "d2", "d3"], "population": [100, 250, 40], "urban": [1, 0, 0]}).to_csv(
        tmp_path / "demand.csv", index=False)
    pd.DataFrame({"id": ["n1", "s1", "s2"], "level": ["candidate", "thc", "县人民医院"], "beds": ["", "30", "400"],
                  "amb_np": [0, 0, 2]}).to_csv(tmp_path / "sites.csv", index=False)
    rows = od_rows or [("s1", "d1", 5.0), ("s1", "d2", 12.5), ("s2", "d3", 0.0), ("n1", "d2", 3.0)]
    pd.DataFrame(rows, columns=["site_id", "demand_id", "minutes"]).to_csv(tmp_path / "od.csv", index=False)
    return InputsConfig(demand=tmp_path / "demand.csv", sites=tmp_path / "sites.csv",
                        travel_times=tmp_path / "od.csv")


def test_plain_csv_instance_with_od_matrix(tmp_path):
    inst = load_instance(_plain(tmp_path), TravelConfig(), cutoff_minutes=30)
    assert inst.crs is None and inst.townships is None and inst.roads is None
    assert inst.demand["urban"].tolist() == [True, False, False]
    assert inst.demand["x"].isna().all() and inst.sites["lat"].isna().all()
    assert inst.sites.index.tolist() == ["s1", "s2", "n1"]  # the candidate goes last
    assert inst.sites["candidate"].tolist() == [False, False, True]
    assert inst.sites["beds"].tolist() == [30, 400, 0]
    assert inst.travel.method == "od"
    dense = inst.travel.dense()
    assert dense[0].tolist() == [5.0, 12.5, np.inf] and dense[1, 2] == 0.0 and dense[2, 1] == 3.0
    assert inst.site_travel is None  # no site → site pair in the OD file: unknown, not guessed


def test_od_rows_to_a_site_give_site_to_site_times(tmp_path):
    rows = [("s1", "d1", 5.0), ("s1", "d2", 12.5), ("s2", "d3", 0.0), ("n1", "d2", 3.0),
            ("s2", "s1", 22.0), ("s1", "n1", 7.5), ("n1", "s2", 45.0)]
    inst = load_instance(_plain(tmp_path, rows), TravelConfig(), cutoff_minutes=30)
    # the site rows stay out of the site → demand matrix
    assert inst.travel.n_pairs == 4 and inst.travel.demand_ids.tolist() == ["d1", "d2", "d3"]
    st = inst.site_travel
    assert st.site_ids.tolist() == st.demand_ids.tolist() == ["s1", "s2", "n1"] and st.method == "od"
    # rows s1, s2, n1 (from) × columns s1, s2, n1 (to); 45 min is beyond the 30-minute cutoff
    np.testing.assert_array_equal(st.dense(), [[0.0, np.inf, 7.5], [22.0, 0.0, np.inf], [np.inf, np.inf, 0.0]])
    # a bad row among the site rows is still named by its line in the file
    bad = rows[:4] + [("s2", "s1", -1.0)]
    with pytest.raises(InputError, match="feature 'line 6', column 'minutes': negative travel time"):
        load_instance(_plain(tmp_path, bad), TravelConfig(), cutoff_minutes=30)


def test_roads_instance_carries_site_to_site_times(tmp_path):
    inputs = _plain(tmp_path).model_copy(update={"travel_times": None})
    pd.DataFrame({"id": ["d1", "d2", "d3"], "population": [100, 250, 40], "urban": [1, 0, 0],
                  "lon": [114.00, 114.02, 114.05], "lat": [30.0, 30.0, 30.0]}).to_csv(
        tmp_path / "demand.csv", index=False)
    pd.DataFrame({"id": ["n1", "s1", "s2"], "level": ["candidate", "thc", "县人民医院"],
                  "lon": [114.01, 114.03, 114.04], "lat": [30.0, 30.0, 30.0]}).to_csv(
        tmp_path / "sites.csv", index=False)
    inst = load_instance(inputs, TravelConfig(method="straight"), cutoff_minutes=30)
    st = inst.site_travel
    assert st is not None and st.method == "straight" and st.cutoff_minutes == 30
    # straight line: same formula both ways, so symmetric, zero on the diagonal, and equal to a site → demand
    # time of a demand point at the same distance (d1 at 114.00 vs n1 at 114.01; s1 at 114.03 vs d2 at 114.02)
    dense = st.dense()
    np.testing.assert_allclose(dense, dense.T)
    assert np.diag(dense).tolist() == [0.0, 0.0, 0.0]
    n1, s1 = inst.sites.index.get_loc("n1"), inst.sites.index.get_loc("s1")
    assert dense[n1, s1] == pytest.approx(2 * inst.travel.dense()[n1, 0], rel=1e-3)


def test_plain_od_errors(tmp_path):
    inputs = _plain(tmp_path, [("s1", "d1", -4.0), ("s7", "d2", 3.0), ("s1", "d9", 1.0), ("s2", "d3", "x")])
    with pytest.raises(InputError) as info:
        load_instance(inputs, TravelConfig(), cutoff_minutes=30)
    text = str(info.value)
    assert "od.csv, feature 'line 2', column 'minutes': negative travel time: -4 minutes" in text
    assert "feature 's7', column 'site_id': unknown site id" in text
    assert "feature 'd9', column 'demand_id': unknown demand id" in text
    assert "feature 'line 5', column 'minutes': minutes is not a number: 'x'" in text


def test_plain_without_od_needs_coordinates(tmp_path):
    inputs = _plain(tmp_path).model_copy(update={"travel_times": None})
    inst, report = check_inputs(inputs, TravelConfig(), cutoff_minutes=30)
    assert inst is None
    text = "\n".join(p.format() for p in report.errors)
    assert "feature 'd1', column 'lon': the demand point has no coordinates, so travel times by" in text
    assert "feature 's1', column 'lon': the site has no coordinates" in text


def test_no_inputs_at_all():
    inst, report = check_inputs(InputsConfig(), TravelConfig(), cutoff_minutes=30)
    assert inst is None
    assert [p.message.split(":")[0] for p in report.errors] == ["no demand", "no sites"]


# --- the committed demo county ------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_county_loads_end_to_end(tmp_path):
    if not DEMO.exists():
        pytest.skip("geodata/demo/demo_county.gpkg absent: the demo generator has not committed it yet")
    layer = lambda name: LayerSpec(path=DEMO, layer=name)  # noqa: E731
    inputs = InputsConfig(townships=layer("townships"), demand=layer("villages"),
                          facilities=layer("facilities"), candidates=layer("candidates"),
                          roads=layer("roads"))
    inst, report = check_inputs(inputs, TravelConfig(method="roads", speed_column="speed_kph"),
                                cutoff_minutes=60, cache_dir=tmp_path)
    assert not report.errors, "\n".join(p.format() for p in report.errors)
    assert inst is not None
    tw = inst.townships
    assert inst.population == int(tw["population"].sum())
    assert 400 <= len(inst.demand) <= 800 and 20 <= len(tw) <= 40
    assert set(inst.demand["township"]) <= set(tw.index)
    assert inst.demand["urban"].any() and not inst.demand["urban"].all()
    assert inst.sites["candidate"].sum() >= 5 and not inst.sites["candidate"].iloc[0]
    assert inst.crs is not None and inst.crs.startswith("EPSG:326") and "UTM" in inst.notes[0]
    assert inst.travel.n_pairs > 0


@pytest.mark.parametrize("seed", range(4))
def test_check_inputs_never_raises_on_corrupted_csv(tmp_path, seed):
    rng = np.random.default_rng(seed)
    inputs = _plain(tmp_path)
    junk = np.array(["", "abc", "-7", "1e9", "是", "nan", "T99", "诊所", "  ", "0"], dtype=object)
    for name in ("demand.csv", "sites.csv", "od.csv"):
        frame = pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)
        cells = frame.to_numpy(dtype=object)
        hit = rng.random(cells.shape) < 0.3
        cells[hit] = rng.choice(junk, int(hit.sum()))
        pd.DataFrame(cells, columns=frame.columns).to_csv(tmp_path / name, index=False)
    inst, report = check_inputs(inputs, TravelConfig(), cutoff_minutes=30)
    assert (inst is None) == bool(report.errors)
    assert all(p.file.endswith((".csv", "scenario")) for p in report.problems)


def test_unknown_township_id_is_reported_once_per_id(tmp_path):
    path = _county(tmp_path, villages={**VILLAGES, "乡镇": ["T7", "T7", "T7", "T2"]})
    inst, report = check_inputs(_inputs(path), TravelConfig(method="straight"), cutoff_minutes=60)
    assert inst is None
    (err,) = report.errors
    assert err.feature == "V1"
    assert err.message == "township id 'T7' is not among the townships (also 2 more demand points: V2, V3)"


def test_a_township_without_polygon_does_not_push_its_villages_outside(tmp_path):
    path = _county(tmp_path)
    tw = pyogrio.read_dataframe(path, layer="townships")
    tw.loc[1, "geometry"] = None
    pyogrio.write_dataframe(tw, path, layer="townships")
    inst, report = check_inputs(_inputs(path), TravelConfig(method="straight"), cutoff_minutes=60)
    assert [(p.feature, p.column) for p in report.errors] == [("T2", "geometry")]
    # V4 names T2 in the file: no "outside every township" warning for it; V3 and the facility F2 name none.
    assert [p.feature for p in report.warnings if "outside every township" in p.message] == ["V3", "F2"]


def test_instance_frames_carry_plain_attrs_only(tmp_path):
    inst = load_instance(_inputs(_county(tmp_path)), ROADS, cutoff_minutes=60)
    for frame in (inst.demand, inst.sites, inst.townships, inst.roads):
        assert set(frame.attrs) == {"file"} and frame.attrs["file"].endswith("county.gpkg")
    both = pd.concat([inst.demand, inst.demand])  # attrs compared with == must not raise
    assert len(both) == 8


@pytest.mark.parametrize("kind,urban", [("街道", True), ("街道办事处", True), ("镇", False), ("民族乡", False),
                                        ("town", False), ("开发区", None)])
def test_township_kind_decides_urban(kind, urban):
    from healthplan.geodata.load import _kind_is_urban

    assert _kind_is_urban(kind) is urban


def test_demand_point_without_od_pair_is_unreachable(tmp_path):
    inputs = _plain(tmp_path, [("s1", "d1", 5.0), ("s1", "d2", 3.0)])
    with pytest.raises(InputError, match=r"demand\.csv, feature 'd3'.*cannot be reached from any site"):
        load_instance(inputs, TravelConfig(), cutoff_minutes=30)
