"""Validation: every bad value is reported with file, feature, column and fix, all at once, no raising."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from healthplan.geodata.config import LayerSpec, TravelConfig
from healthplan.geodata.errors import ProblemReport
from healthplan.geodata.levels import Level
from healthplan.geodata.readers import read_layer
from healthplan.geodata.validate import MAX_LISTED, parse_bool, validate_layer, validate_od, validate_roads
from healthplan.optimizer.kinds import SITE_STOCK
from shapely.geometry import LineString, Point, Polygon


def _csv(tmp_path, name: str, df: pd.DataFrame, kind: str, **spec) -> pd.DataFrame:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return read_layer(LayerSpec(path=path, **spec), kind=kind)


def _texts(report: ProblemReport, severity: str = "error") -> list[str]:
    return [p.format() for p in report.problems if p.severity == severity]


def test_population_missing_non_numeric_negative_all_reported(tmp_path):
    df = pd.DataFrame({"村编码": ["V1", "V2", "V3", "V4", "V5"], "人口": ["120", "", "三百", "-5", "1,200"],
                       "lon": 115.0, "lat": 28.0})
    frame = _csv(tmp_path, "villages.csv", df, "demand", columns={"id": "村编码", "population": "人口"})
    report = ProblemReport()
    out = validate_layer(frame, "demand", report)
    errs = report.errors
    assert [(p.feature, p.column) for p in errs] == [("V3", "人口"), ("V2", "人口"), ("V4", "人口")]
    text = "\n".join(_texts(report))
    assert "villages.csv, feature 'V3', column '人口': population (persons) is not a number: '三百'" in text
    assert "feature 'V2', column '人口': population (persons) is missing — fix: fill column '人口'" in text
    assert "feature 'V4', column '人口': population (persons) is negative: -5" in text
    assert out["population"].iloc[4] == 1200  # thousands separators are accepted
    assert out["population"].iloc[0] == 120


def test_fractional_population_is_rounded_with_a_warning(tmp_path):
    df = pd.DataFrame({"id": ["a", "b"], "population": [10.4, 20.6]})
    report = ProblemReport()
    out = validate_layer(_csv(tmp_path, "d.csv", df, "demand"), "demand", report)
    assert out["population"].tolist() == [10, 21]
    assert not report.errors
    assert "non-integer population" in _texts(report, "warning")[0]


def test_duplicate_and_missing_ids(tmp_path):
    df = pd.DataFrame({"id": ["F1", "F2", "F1", "", "F2", "F1"], "level": "thc"})
    report = ProblemReport()
    validate_layer(_csv(tmp_path, "fac.csv", df, "sites"), "sites", report)
    text = _texts(report)
    assert "fac.csv, feature 'line 5', column 'id': the id is missing" in text[0]
    assert "feature 'F1', column 'id': duplicate id: it appears 3 times (line 2, line 4, line 7)" in text[1]
    assert "feature 'F2', column 'id': duplicate id: it appears 2 times (line 3, line 6)" in text[2]
    assert "make the ids in column 'id' unique" in text[1]


def test_unknown_level_lists_accepted_values_and_chinese_aliases_count(tmp_path):
    df = pd.DataFrame({"id": ["F1", "F2", "F3", "F4"], "级别": ["县人民医院", "中心卫生院", "诊所", "thc"]})
    report = ProblemReport()
    out = validate_layer(_csv(tmp_path, "fac.csv", df, "facilities"), "facilities", report)
    assert out["level"].tolist()[:2] == [Level.COUNTY_HOSPITAL.value, Level.CENTRAL_THC.value]
    assert [p.feature for p in report.errors] == ["F3"]
    msg = report.errors[0].format()
    assert "column '级别': unknown facility level '诊所'" in msg
    assert "county_hospital (县级人民医院)" in msg and "central_thc (中心卫生院)" in msg


def test_candidate_level_defaults_and_stock_defaults(tmp_path):
    df = pd.DataFrame({"id": ["C1"], "lon": [115.0], "lat": [28.0]})
    report = ProblemReport()
    out = validate_layer(_csv(tmp_path, "cand.csv", df, "candidates"), "candidates", report, SITE_STOCK)
    assert not report.problems
    row = out.iloc[0]
    assert row["level"] == "candidate"
    assert row["amb_ord"] == 0 and row["station_capacity"] == 0 and row["fever_room"] is np.False_


def test_bool_spellings():
    vals, bad = parse_bool(pd.Series(["1", "0", "是", "否", "True", "", "maybe", "urban"]))
    assert vals.tolist()[:5] == [True, False, True, False, True]
    assert vals.isna().tolist() == [False] * 5 + [True, True, False]
    assert bad.tolist() == [False] * 6 + [True, False]


def test_bad_bool_is_reported(tmp_path):
    df = pd.DataFrame({"id": ["V1"], "population": [5], "urban": ["sometimes"]})
    report = ProblemReport()
    validate_layer(_csv(tmp_path, "d.csv", df, "demand"), "demand", report)
    assert "urban is not a yes/no value: 'sometimes'" in _texts(report)[0]


def test_invalid_empty_and_wrong_geometry(tmp_path):
    bowtie = Polygon([(115.0, 28.0), (115.1, 28.1), (115.1, 28.0), (115.0, 28.1)])
    tw = gpd.GeoDataFrame(
        {"id": ["T1", "T2", "T3", "T4"]},
        geometry=[shapely.box(115, 28, 115.1, 28.1), bowtie, Polygon(), Point(115.2, 28.2)],
        crs="EPSG:4326",
    )
    path = tmp_path / "tw.gpkg"
    pyogrio.write_dataframe(tw, path, layer="townships", promote_to_multi=False, geometry_type="Unknown")
    report = ProblemReport()
    out = validate_layer(read_layer(LayerSpec(path=path), kind="townships"), "townships", report)
    by_feature = {p.feature: p.format() for p in report.errors}
    assert set(by_feature) == {"T2", "T3", "T4"}
    assert "invalid geometry: Self-intersection" in by_feature["T2"]
    assert "Fix geometries" in by_feature["T2"]
    assert "the geometry is missing or empty" in by_feature["T3"]
    assert "the geometry is a Point, expected Polygon or MultiPolygon" in by_feature["T4"]
    assert out.attrs["geometry_ok"].tolist() == [True, False, False, False]


def test_csv_missing_coordinates_and_projected_numbers_in_lonlat(tmp_path):
    df = pd.DataFrame({"id": ["V1", "V2", "V3"], "population": [1, 2, 3], "lon": ["115.0", "", "500000"],
                       "lat": ["28.0", "28.1", "3100000"]})
    report = ProblemReport()
    validate_layer(_csv(tmp_path, "d.csv", df, "demand"), "demand", report)
    text = _texts(report)
    assert "feature 'V2', column 'lon': missing or non-numeric coordinates (lon, lat)" in text[0]
    assert "feature 'V3', column 'lon': coordinates are outside lon/lat range" in text[1]
    assert "inputs.demand.crs" in text[1]


def test_many_bad_rows_are_listed_up_to_a_cap_then_counted(tmp_path):
    n = MAX_LISTED + 30
    df = pd.DataFrame({"id": [f"V{i}" for i in range(n)], "population": -1})
    report = ProblemReport()
    validate_layer(_csv(tmp_path, "d.csv", df, "demand"), "demand", report)
    assert len(report.errors) == MAX_LISTED + 1
    assert report.errors[-1].message.startswith("… and 30 more rows with the same problem (V20, V21")


# --- roads --------------------------------------------------------------------------------------------------


def _roads(tmp_path, speeds, classes, geoms=None) -> gpd.GeoDataFrame:
    n = len(speeds)
    geoms = geoms or [LineString([(i * 100.0, 0.0), (i * 100.0 + 100.0, 0.0)]) for i in range(n)]
    gdf = gpd.GeoDataFrame({"id": [f"R{i}" for i in range(n)], "等级": classes, "speed_kph": speeds},
                           geometry=geoms, crs="EPSG:32650")
    path = tmp_path / "roads.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="roads", geometry_type="Unknown")
    return read_layer(LayerSpec(path=path, columns={"class": "等级"}), kind="roads")


def test_roads_zero_negative_non_numeric_speed_and_unknown_class(tmp_path):
    roads = _roads(tmp_path, [40.0, 0.0, -10.0, None, None, None],
                   ["county", "county", "county", "village", "cart track", None])
    roads["speed_kph"] = roads["speed_kph"].astype(object)
    roads.loc[5, "speed_kph"] = "fast"
    report = ProblemReport()
    out = validate_roads(roads, TravelConfig(speed_column="speed_kph"), report)
    text = _texts(report)
    assert "feature 'R5', column 'speed_kph': speed (km/h) is not a number: 'fast'" in text[0]
    assert "feature 'R1', column 'speed_kph': zero or negative speed: 0 km/h" in text[1]
    assert "feature 'R2', column 'speed_kph': zero or negative speed: -10 km/h" in text[2]
    assert "feature 'R4', column 'class': road class 'cart track' is unknown and the road has no" in text[3]
    assert "travel.speeds_kph" in text[3]
    assert len(text) == 4  # R3 (village, no speed) takes the class speed
    assert out.index.tolist() == [f"R{i}" for i in range(6)]


def test_roads_non_line_geometry(tmp_path):
    geoms = [LineString([(0, 0), (100, 0)]), Point(5, 5), LineString()]
    roads = _roads(tmp_path, [30.0, 30.0, 30.0], ["county"] * 3, geoms)
    report = ProblemReport()
    out = validate_roads(roads, TravelConfig(speed_column="speed_kph"), report)
    text = _texts(report)
    expected = "the geometry is a Point, expected LineString or MultiLineString"
    assert f"feature 'R1', column 'geometry': {expected}" in text[1]
    assert "feature 'R2', column 'geometry': the geometry is missing or empty" in text[0]
    assert out.index.tolist() == ["R0"]


def test_roads_without_class_or_speed_column(tmp_path):
    roads = _roads(tmp_path, [None], ["county"]).drop(columns=["class"])
    report = ProblemReport()
    validate_roads(roads, TravelConfig(), report)
    assert "have no speed and the class column 'class' is missing" in _texts(report)[0]
    report = ProblemReport()
    validate_roads(roads, TravelConfig(speed_column="限速"), report)
    assert "travel.speed_column '限速' is not a column of the roads layer" in _texts(report)[0]


# --- OD matrix ----------------------------------------------------------------------------------------------


def test_od_negative_non_numeric_and_unknown_ids(tmp_path):
    od = pd.DataFrame({"site_id": ["S1", "S1", "S2", "S9", "S9", "S1"],
                       "demand_id": ["D1", "D2", "D1", "D1", "D2", "D7"],
                       "minutes": ["5", "-3", "abc", "4", "6", "8"]})
    frame = _csv(tmp_path, "od.csv", od, "travel_times")
    report = ProblemReport()
    out = validate_od(frame, pd.Index(["S1", "S2"]), pd.Index(["D1", "D2"]), report)
    text = _texts(report)
    assert "od.csv, feature 'line 4', column 'minutes': minutes is not a number: 'abc'" in text[0]
    assert "feature 'line 3', column 'minutes': negative travel time: -3 minutes" in text[1]
    assert "feature 'S9', column 'site_id': unknown site id (in 2 rows, first line 5)" in text[2]
    assert "feature 'D7', column 'demand_id': unknown demand id (in 1 rows, first line 7)" in text[3]
    assert out.to_dict("list") == {"site_id": ["S1"], "demand_id": ["D1"], "minutes": [5.0], "site_idx": [0],
                                   "demand_idx": [0]}


def test_od_missing_ids_and_positions(tmp_path):
    od = pd.DataFrame({"site_id": ["S2", "", "S1", "S2"], "demand_id": ["D3", "D1", "D2", "D1"],
                       "minutes": [1.0, 2.0, 3.0, 4.0]})
    report = ProblemReport()
    out = validate_od(_csv(tmp_path, "od.csv", od, "travel_times"), pd.Index(["S1", "S2"]),
                      pd.Index(["D1", "D2", "D3"]), report)
    assert [p.format().split("od.csv, ")[1] for p in report.errors] == [
        "feature 'line 3', column 'site_id': the site id is missing — fix: fill column 'site_id', or delete the row"]
    assert out["site_idx"].tolist() == [1, 0, 1] and out["demand_idx"].tolist() == [2, 1, 0]
    assert out["site_id"].tolist() == ["S2", "S1", "S2"]


def test_od_duplicate_pairs_warn(tmp_path):
    od = pd.DataFrame({"site_id": ["S1", "S1"], "demand_id": ["D1", "D1"], "minutes": [5.0, 4.0]})
    report = ProblemReport()
    frame = _csv(tmp_path, "od.csv", od, "travel_times")
    out = validate_od(frame, pd.Index(["S1"]), pd.Index(["D1"]), report)
    assert not report.errors and len(out) == 2
    assert "repeat a (site, demand) pair" in _texts(report, "warning")[0]


@pytest.mark.parametrize("seed", [0, 1])
def test_od_validation_is_vectorised_on_a_large_matrix(tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = 200_000
    sites = pd.Index([f"S{i}" for i in range(200)])
    dem = pd.Index([f"D{i}" for i in range(1000)])
    od = pd.DataFrame({"site_id": sites[rng.integers(0, 200, n)], "demand_id": dem[rng.integers(0, 1000, n)],
                       "minutes": rng.uniform(0, 60, n)})
    od.attrs.update(file="od.parquet", row_label="row", row_offset=1)
    bad = rng.choice(n, 3, replace=False)
    od.loc[bad, "minutes"] = -1.0
    report = ProblemReport()
    out = validate_od(od, sites, dem, report)
    assert sorted(p.feature for p in report.errors) == sorted(f"row {i + 1}" for i in bad)
    assert len(out) == n - 3


def test_schemas_cover_the_instance_contract():
    from healthplan.geodata.instance import DEMAND_COLUMNS, SITE_COLUMNS
    from healthplan.geodata.schemas import describe, schema_for

    coords = {"x", "y", "lon", "lat"}
    assert set(DEMAND_COLUMNS) - coords <= set(schema_for("demand").names)
    for kind in ("facilities", "sites", "candidates"):
        assert set(SITE_COLUMNS) - coords <= set(schema_for(kind).names)
        # geodata names no resource kind: the kinds' stock columns come with the call
        assert not {c.name for c in SITE_STOCK} & set(schema_for(kind).names)
        assert {c.name for c in SITE_STOCK} <= set(schema_for(kind, SITE_STOCK).names)
    assert schema_for("candidates").column("level").default == "candidate"
    # 0 = scenario default
    assert schema_for("facilities", SITE_STOCK).column("station_capacity").default == 0
    assert "| population | int | persons | yes |" in describe("demand")


def test_roads_columns_named_by_the_travel_config_in_chinese(tmp_path):
    roads = _roads(tmp_path, [None, 35.0], ["county", "乡道"])
    report = ProblemReport()
    out = validate_roads(roads, TravelConfig(class_column="等级", speeds_kph={"county": 40.0, "乡道": 30.0}), report)
    assert not report.problems
    assert out["等级"].tolist() == ["county", "乡道"]
