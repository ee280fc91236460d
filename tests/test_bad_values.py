"""Every bad value is caught with a precise message (file, row/feature, column), never an internal error.

Test names start with their bad-input class (``test_<class>_…``); ``tests/bad_input_table.py`` counts them
by class for the README's "Bad input" table. Most tests run the real ``healthplan check`` (in-process) on the
small valid instances of :mod:`hostile` with one thing broken, and assert the exact message.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import hostile
from hostile import Outcome, assert_contract, run_cli, write_layers, write_tables


def _replace(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text[:300])
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _inputs(scen) -> list:
    """The scenario and every file beside it (one of them must be named by an error)."""
    folder = scen.parent if scen.is_file() else scen
    return [scen, *sorted(p for p in folder.iterdir() if p.is_file())]


def _check(scen) -> Outcome:
    files = _inputs(scen)
    outcome = run_cli(["check", scen])
    assert_contract(outcome, files=files)
    return outcome


def _run(scen) -> Outcome:
    files = _inputs(scen)
    out = scen.parent / "out"
    outcome = run_cli(["run", scen, "--out", out])
    assert_contract(outcome, files=files, out=out)
    return outcome


def _line(outcome: Outcome, *parts: str) -> str:
    """The one problem line holding every part (the console's wrapping undone)."""
    text = outcome.flat.replace("error:", "\nerror:").replace("warning:", "\nwarning:")
    lines = [ln for ln in text.split("\n") if all(p in ln for p in parts)]
    assert lines, f"no line with {parts} in:\n{outcome.text}"
    return lines[0]


# --- non-finite numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["inf", "-inf", "nan", "NaN", "1e999", "Infinity", "1.#QNAN"])
def test_nonfinite_population_in_csv(tmp_path, cell):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "V3,3000,", f"V3,{cell},")
    out = _check(scen)
    assert out.code == 2
    line = _line(out, "demand.csv", "feature 'V3'", "column 'population'")
    assert f"population (persons) is not a finite number: {cell!r}" in line


@pytest.mark.parametrize(("column", "old", "new"), [
    ("beds", "H1,县人民医院,county_hospital,500,", "H1,县人民医院,county_hospital,inf,"),
    ("amb_ord", "county_hospital,500,3,", "county_hospital,500,nan,"),
    ("station_capacity", "central_thc,60,1,2,", "central_thc,60,1,-inf,"),
])
def test_nonfinite_site_stock_in_csv(tmp_path, column, old, new):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "sites.csv", old, new)
    out = _check(scen)
    assert out.code == 2
    assert "is not a finite number" in _line(out, "sites.csv", f"column '{column}'")


@pytest.mark.parametrize("cell", ["inf", "nan", "-inf", "1e999"])
def test_nonfinite_od_minutes_csv(tmp_path, cell):
    """inf minutes were silently dropped before (NaN was an error): both are errors now, naming the line."""
    scen = write_tables(tmp_path)
    od = scen.parent / "od.csv"
    lines = od.read_text(encoding="utf-8").splitlines()
    site, dem, _ = lines[4].split(",")
    lines[4] = f"{site},{dem},{cell}"
    od.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _check(scen)
    assert out.code == 2
    line = _line(out, "od.csv", "line 5", "column 'minutes'")
    # a reader that parses the column as numbers hands 1e999 as inf; one that reads it as text, the cell itself
    shown = {repr(cell)} if cell != "1e999" else {repr("inf"), repr("1e999")}
    assert any(f"minutes is not a finite number: {s}" in line for s in shown), line
    assert "delete the row" in line


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_nonfinite_od_minutes_parquet(tmp_path, value):
    scen = write_tables(tmp_path)
    od = hostile.od_matrix()
    od.loc[3, "minutes"] = value
    od.to_parquet(scen.parent / "od.parquet")
    _replace(scen, "travel_times: od.csv", "travel_times: od.parquet")
    out = _check(scen)
    assert out.code == 2
    assert "minutes is not a finite number" in _line(out, "od.parquet", "feature 'feature 4'")


def test_nonfinite_population_in_geopackage(tmp_path):
    scen = write_layers(tmp_path)
    layer = hostile.village_layer()
    layer["population"] = layer["population"].astype(float)
    layer.loc[2, "population"] = math.inf
    pyogrio.write_dataframe(layer, scen.parent / "villages.gpkg", layer="villages")
    out = _check(scen)
    assert out.code == 2
    assert "population (persons) is not a finite number: 'inf'" in _line(out, "villages.gpkg", "feature 'V3'")


def test_nonfinite_township_population_in_geopackage(tmp_path):
    """(GeoJSON cannot hold inf: GDAL writes it as null, which is a missing population.)"""
    scen = write_layers(tmp_path)
    layer = hostile.township_layer()
    layer["population"] = [math.inf, 5450.0]
    pyogrio.write_dataframe(layer, scen.parent / "townships.gpkg", layer="townships")
    _replace(scen, "townships: townships.geojson", "townships: townships.gpkg")
    out = _check(scen)
    assert out.code == 2
    assert "is not a finite number" in _line(out, "townships.gpkg", "feature 'T1'", "column 'population'")


def test_nonfinite_road_speed(tmp_path):
    scen = write_layers(tmp_path)
    roads = hostile.road_layer()
    roads.loc[1, "speed_kph"] = math.inf
    pyogrio.write_dataframe(roads, scen.parent / "roads.gpkg", layer="roads")
    _replace(scen, "travel: {", "travel: {speed_column: speed_kph, ")
    out = _check(scen)
    assert out.code == 2
    assert "speed (km/h) is not a finite number" in _line(out, "roads.gpkg", "feature 'R1'")


@pytest.mark.parametrize("cell", ["inf", "nan"])
def test_nonfinite_csv_coordinates(tmp_path, cell):
    scen = write_layers(tmp_path)
    _replace(scen.parent / "candidates.csv", "106.68,", f"{cell},")
    out = _check(scen)
    assert out.code == 2
    line = _line(out, "candidates.csv", "feature 'C1'", "column 'lon'")
    assert "missing or non-numeric coordinates" in line


def test_nonfinite_point_in_geojson(tmp_path):
    scen = write_layers(tmp_path)
    layer = hostile.facility_layer()
    layer.geometry = [shapely.Point(math.inf, 30.5), *layer.geometry.iloc[1:]]
    pyogrio.write_dataframe(layer, scen.parent / "facilities.gpkg")
    _replace(scen, "facilities: facilities.geojson", "facilities: facilities.gpkg")
    out = _check(scen)
    assert out.code == 2
    assert "not finite numbers" in _line(out, "facilities.gpkg", "feature 'H1'", "column 'geometry'")


@pytest.mark.parametrize(("old", "new"), [
    ("budget_wan: 200", "budget_wan: .inf"),
    ("budget_wan: 200", "budget_wan: .nan"),
    ("budget_wan: 200", "budget_wan: 200\nsite_costs_wan: {H1: {blood: .nan}}"),
    ("budget_wan: 200", "budget_wan: 200\nearmarks_wan: {blood: -.inf}"),
    ("travel: {", "travel: {detour_factor: .inf, "),
    ("access_minutes: 30", "access_minutes: .inf"),
])
def test_nonfinite_scenario_values(tmp_path, old, new):
    """(pydantic's allow_inf_nan=False in every config section; ``run`` is refused before any work.)"""
    scen = write_tables(tmp_path)
    _replace(scen, old, new)
    out = _run(scen)
    assert out.code == 2
    assert "finite number" in out.flat and "scenario.yaml" in out.flat


# --- implausible values -------------------------------------------------------------------------------------


def test_implausible_village_of_a_trillion_people(tmp_path):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "V3,3000,", "V3,1000000000000,")
    out = _run(scen)
    assert out.code == 2
    line = _line(out, "demand.csv", "feature 'V3'", "column 'population'")
    assert ("population 1,000,000,000,000 persons is implausible for one demand row: more than 10,000,000"
            in line)


def test_implausible_large_village_is_a_warning(tmp_path):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "V3,3000,", "V3,2500000,")
    out = _check(scen)
    assert out.code == 0
    assert "unusually large for one demand row" in _line(out, "warning:", "demand.csv", "feature 'V3'")


@pytest.mark.parametrize(("column", "old", "new"), [
    ("beds", "county_hospital,500,", "county_hospital,80000,"),
    ("amb_ord", "county_hospital,500,3,", "county_hospital,500,30000,"),
])
def test_implausible_site_stock(tmp_path, column, old, new):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "sites.csv", old, new)
    out = _check(scen)
    assert out.code == 2
    assert "is implausible" in _line(out, "sites.csv", "feature 'H1'", f"column '{column}'")


def test_implausible_total_population_zero(tmp_path):
    scen = write_tables(tmp_path)
    demand = hostile.DEMAND.assign(population=0)
    demand.to_csv(scen.parent / "demand.csv", index=False)
    out = _run(scen)
    assert out.code == 2
    assert "the total population of the 8 demand points is 0" in _line(out, "demand.csv")


@pytest.mark.parametrize(("t1", "severity", "expect"), [
    (5600, "warning", "(-2.7%)"),       # 3 % off: census year, rounding — a warning
    (2700, "warning", "(+101.9%)"),     # half: resident vs registered population — still a warning
    (54, "error", "a factor of 101"),   # 万人 or 千人 for persons — an error
    (0, "error", "all of it"),
])
def test_implausible_township_total(tmp_path, t1, severity, expect):
    scen = write_layers(tmp_path)
    layer = hostile.township_layer()
    layer["population"] = [t1, 5450]
    pyogrio.write_dataframe(layer, scen.parent / "townships.geojson")
    out = _check(scen)
    assert out.code == (2 if severity == "error" else 0)
    assert expect in _line(out, f"{severity}:", "feature 'T1'", "column 'population'")


@pytest.mark.parametrize("speed", [500.0, 150.0])
def test_implausible_road_speed(tmp_path, speed):
    scen = write_layers(tmp_path)
    roads = hostile.road_layer()
    roads.loc[0, "speed_kph"] = speed
    pyogrio.write_dataframe(roads, scen.parent / "roads.gpkg", layer="roads")
    _replace(scen, "travel: {", "travel: {speed_column: speed_kph, ")
    out = _check(scen)
    if speed > 300:
        assert out.code == 2
        assert "faster than any vehicle" in _line(out, "error:", "roads.gpkg", "feature 'R0'")
    else:
        assert out.code == 0
        assert "above China's expressway limit" in _line(out, "warning:", "roads.gpkg", "feature 'R0'")


# --- CRS and coordinates ------------------------------------------------------------------------------------


def test_crs_degrees_declared_projected_csv(tmp_path):
    scen = write_layers(tmp_path)
    _replace(scen, "candidates: candidates.csv", "candidates: {path: candidates.csv, crs: 'EPSG:4547'}")
    out = _check(scen)
    assert out.code == 2
    line = _line(out, "candidates.csv", "column 'lon'")
    assert "they look like longitude/latitude degrees" in line and "set inputs.candidates.crs" in line


def test_crs_degrees_declared_projected_geopackage(tmp_path):
    scen = write_layers(tmp_path)
    layer = hostile.village_layer().set_crs("EPSG:4547", allow_override=True)
    pyogrio.write_dataframe(layer, scen.parent / "villages.gpkg", layer="villages")
    out = _check(scen)
    assert out.code == 2
    line = _line(out, "villages.gpkg", "they look like longitude/latitude degrees")
    assert "the file itself declares EPSG:4547" in line


def test_crs_metres_declared_as_degrees(tmp_path):
    scen = write_layers(tmp_path)
    layer = hostile.facility_layer().to_crs("EPSG:32648").set_crs("EPSG:4326", allow_override=True)
    pyogrio.write_dataframe(layer, scen.parent / "facilities.geojson")
    out = _check(scen)
    assert out.code == 2
    assert "outside lon/lat range" in _line(out, "facilities.geojson", "feature 'H1'")


def test_crs_metres_in_a_csv_without_crs(tmp_path):
    scen = write_tables(tmp_path)
    pts = gpd.GeoSeries.from_xy(hostile.DEMAND["lon"], hostile.DEMAND["lat"], crs="EPSG:4326").to_crs(32648)
    metres = hostile.DEMAND.assign(lon=pts.x.round(1), lat=pts.y.round(1))
    metres.to_csv(scen.parent / "demand.csv", index=False)
    out = _check(scen)
    assert out.code == 2
    assert "set inputs.demand.crs" in _line(out, "demand.csv", "feature 'V1'", "they look projected")


def test_crs_swapped_lon_lat(tmp_path):
    scen = write_tables(tmp_path)
    swapped = hostile.DEMAND.rename(columns={"lon": "lat", "lat": "lon"})
    swapped.to_csv(scen.parent / "demand.csv", index=False)
    out = _check(scen)
    assert out.code == 2
    assert "longitude and latitude look swapped" in _line(out, "demand.csv", "feature 'V1'")


def test_crs_vertical_crs_is_refused(tmp_path):
    scen = write_layers(tmp_path)
    _replace(scen, "candidates: candidates.csv", "candidates: {path: candidates.csv, crs: 'EPSG:5773'}")
    out = _check(scen)
    assert out.code == 2
    assert "neither longitude/latitude nor a map projection" in _line(out, "candidates.csv")


# --- geometry ---------------------------------------------------------------------------------------------


def test_geometry_single_part_multipoint_is_a_point(tmp_path):
    scen = write_layers(tmp_path)
    layer = hostile.village_layer()
    layer.geometry = [shapely.MultiPoint([p]) for p in layer.geometry]
    pyogrio.write_dataframe(layer, scen.parent / "villages.gpkg", layer="villages")
    out = _run(scen)
    assert out.code == 0, out.text


def test_geometry_multipart_multipoint_names_the_feature(tmp_path):
    scen = write_layers(tmp_path)
    layer = hostile.facility_layer()
    p = layer.geometry.iloc[1]
    layer.geometry = [layer.geometry.iloc[0], shapely.MultiPoint([p, (p.x + 0.01, p.y)]),
                      layer.geometry.iloc[2]]
    pyogrio.write_dataframe(layer, scen.parent / "facilities.geojson")
    out = _run(scen)
    assert out.code == 2
    line = _line(out, "facilities.geojson", "feature 'S1'", "column 'geometry'")
    assert "the geometry is a MultiPoint of 2 points; a facilities feature must be one point" in line
    assert "Multipart to Singleparts" in line


def test_geometry_layer_without_geometry(tmp_path):
    scen = write_layers(tmp_path)
    (scen.parent / "townships.gpkg").unlink(missing_ok=True)
    pyogrio.write_dataframe(pd.DataFrame(hostile.township_layer().drop(columns="geometry")),
                            scen.parent / "townships.gpkg", layer="townships")
    _replace(scen, "townships: townships.geojson", "townships: townships.gpkg")
    out = _check(scen)
    assert out.code == 2
    assert "has no geometry: it is a plain table" in _line(out, "townships.gpkg")


# --- scenario YAML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "expect"), [
    ("budget_wan: 300\n", "'budget_wan' (lines 7 and 11)"),
    ("resources:\n  blood: {enabled: true}\n", "'resources' (lines 2 and 11)"),
])
def test_yaml_duplicate_top_level_key(tmp_path, extra, expect):
    scen = write_tables(tmp_path)
    scen.write_text(scen.read_text(encoding="utf-8") + extra, encoding="utf-8")
    out = _run(scen)
    assert out.code == 2
    assert expect in out.flat and "scenario.yaml" in out.flat
    assert "written twice in the same mapping" in out.flat


def test_yaml_duplicate_nested_keys_all_listed(tmp_path):
    scen = write_tables(tmp_path)
    _replace(scen, "ambulance: {enabled: false}", "ambulance: {enabled: false, enabled: true}")
    _replace(scen, "solver: {name: highs,", "solver:\n  name: highs\n  name: cbc\n  time_limit_s: 3\nx: {")
    out = _check(scen)
    assert out.code == 2
    assert "2 keys are written twice" in out.flat
    assert "'resources.ambulance.enabled' (lines 4 and 4)" in out.flat
    assert "'solver.name' (lines 9 and 10)" in out.flat


def test_yaml_merge_keys_may_override(tmp_path):
    scen = write_tables(tmp_path)
    text = scen.read_text(encoding="utf-8").replace(
        "solver: {name: highs, time_limit_s: 30, gap: 0}",
        "solver: &s {name: highs, time_limit_s: 30, gap: 0}\nreport:\n  <<: {lang: zh}\n  lang: en")
    scen.write_text(text.replace("report: {maps: false, html_map: false, documents: false}\n", ""),
                    encoding="utf-8")
    out = _check(scen)
    assert out.code == 0, out.text


@pytest.mark.parametrize("text", ["", "\n\n", "# a comment only\n", "~\n", "---\n"])
def test_yaml_empty_scenario_says_it_is_empty(tmp_path, text):
    scen = tmp_path / "empty.yaml"
    scen.write_text(text, encoding="utf-8")
    for verb in (["check", scen], ["run", scen, "--out", tmp_path / "out"]):
        out = run_cli(verb)
        assert_contract(out, files=[scen], out=tmp_path / "out" if verb[0] == "run" else None)
        assert out.code == 2
        assert "the scenario file is empty" in out.flat and "empty.yaml" in out.flat


def test_yaml_empty_parent_scenario(tmp_path):
    scen = write_tables(tmp_path)
    (tmp_path / "base.yaml").write_text("# nothing yet\n", encoding="utf-8")
    scen.write_text("extends: base.yaml\n" + scen.read_text(encoding="utf-8"), encoding="utf-8")
    out = _check(scen)
    assert out.code == 2
    assert "base.yaml: the scenario file is empty" in out.flat


def test_yaml_gbk_encoded_scenario_is_read(tmp_path):
    scen = write_tables(tmp_path)
    scen.write_bytes(("# 采血点情景（GBK 编码）\n" + scen.read_text(encoding="utf-8")).encode("gbk"))
    out = _check(scen)
    assert out.code == 0, out.text


@pytest.mark.parametrize(("content", "expect"), [
    (b"\x00\x01\x02binary", "not text"),
    (b"budget_wan: [1,\n", "not valid YAML at line"),
    (b"- a\n- b\n", "a scenario must be a mapping"),
])
def test_yaml_unreadable_scenarios(tmp_path, content, expect):
    scen = tmp_path / "s.yaml"
    scen.write_bytes(content)
    out = _check(scen)
    assert out.code == 2 and expect in out.flat


def test_yaml_scenario_path_is_a_folder(tmp_path):
    out = _check(tmp_path)
    assert out.code == 2 and "is a folder, not a scenario file" in out.flat


# --- ids --------------------------------------------------------------------------------------------------


def test_ids_with_stray_spaces_are_normalised_with_a_note(tmp_path):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "V3,3000,", "V3 ,3000,")
    _replace(scen.parent / "demand.csv", "V4,450,", "V4\u3000,450,")
    _replace(scen.parent / "od.csv", "H1,V1,", "H1 ,V1\u200b,")
    out = _run(scen)
    assert out.code == 0, out.text
    line = _line(out, "warning:", "demand.csv", "column 'id'")
    assert "2 ids had spaces around them, which are removed (first: line 4: 'V3 ' → 'V3')" in line
    assert "had spaces around them" in _line(out, "warning:", "od.csv", "column 'site_id'")
    assert "had spaces around them" in _line(out, "warning:", "od.csv", "column 'demand_id'")


def test_ids_equal_once_normalised_are_an_error(tmp_path):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "V2,800,", "V1 ,800,")
    out = _run(scen)
    assert out.code == 2
    line = _line(out, "error:", "demand.csv", "feature 'V1'")
    assert ("duplicate id: it appears 2 times (line 2, line 3) — equal once the spaces around them are "
            "removed: 'V1', 'V1 '") in line


def test_ids_duplicate_demand_ids_with_od_matrix(tmp_path):
    """Used to end in an internal error (pandas InvalidIndexError) when an OD matrix was given."""
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "V2,800,", "V1,800,")
    out = _run(scen)
    assert out.code == 2
    assert "duplicate id: it appears 2 times (line 2, line 3)" in _line(out, "demand.csv", "feature 'V1'")


def test_ids_duplicate_site_ids_with_od_matrix(tmp_path):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "sites.csv", "S2,", "S1,")
    out = _run(scen)
    assert out.code == 2
    assert "duplicate id" in _line(out, "sites.csv", "feature 'S1'")


def test_ids_numeric_ids_in_geopackage_match_csv_text(tmp_path):
    scen = write_layers(tmp_path)
    layer = hostile.village_layer()
    layer["id"] = np.arange(1, 9)
    pyogrio.write_dataframe(layer, scen.parent / "villages.gpkg", layer="villages")
    out = _run(scen)
    assert out.code == 0, out.text


# --- Excel-style tables -------------------------------------------------------------------------------------


def test_excel_trailing_empty_rows_are_dropped_with_a_note(tmp_path):
    """Trailing ',,,,' rows used to be blank ids → duplicate-id InvalidIndexError (an internal error)."""
    scen = write_tables(tmp_path)
    with (scen.parent / "demand.csv").open("a", encoding="utf-8") as f:
        f.write(",,,,,\n,,,,,\n  , ,,,,\n")
    out = _run(scen)
    assert out.code == 0, out.text
    assert "3 empty rows dropped (lines 10, 11, 12)" in _line(out, "warning:", "demand.csv")


def test_excel_trailing_empty_columns_are_dropped_with_a_note(tmp_path):
    scen = write_tables(tmp_path)
    path = scen.parent / "sites.csv"
    path.write_text("\n".join(line + ",," for line in path.read_text(encoding="utf-8").splitlines()) + "\n",
                    encoding="utf-8")
    out = _check(scen)
    assert out.code == 0, out.text
    assert "2 empty columns without a header dropped" in _line(out, "warning:", "sites.csv")


def test_excel_empty_rows_keep_line_numbers_right(tmp_path):
    scen = write_tables(tmp_path)
    path = scen.parent / "demand.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[6] = lines[6].replace("950", "-5")          # V6 on line 7 ...
    lines.insert(3, ",,,,,")                           # ... moves to line 8 below an empty row
    lines.insert(2, "")                                # ... and to line 9 below a blank line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = _check(scen)
    assert out.code == 2
    assert "population (persons) is negative: -5" in _line(out, "demand.csv", "feature 'V6'")
    assert "2 empty rows dropped (lines 3, 5)" in out.flat
    od = scen.parent / "od.csv"
    od_lines = od.read_text(encoding="utf-8").splitlines()
    od_lines[10] = od_lines[10].rsplit(",", 1)[0] + ",abc"
    od_lines.insert(5, ",,")
    od.write_text("\n".join(od_lines) + "\n", encoding="utf-8")
    out = _check(scen)
    assert "minutes is not a number: 'abc'" in _line(out, "od.csv", "feature 'line 12'")


def test_excel_header_repeated_after_trimming(tmp_path):
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "id,population,urban,", "id,population,urban ,urban,")
    _replace(scen.parent / "demand.csv", "\nV1,1200,1,", "\nV1,1200,1,1,")
    out = _check(scen)
    assert out.code == 2
    assert "the header has the column 'urban' twice (columns 3 and 4" in _line(out, "demand.csv")


@pytest.mark.parametrize(("content", "expect"), [
    (b"", "the demand file is empty (0 bytes)"),
    (b"\n\n", "the demand file is empty: it has no header row"),
    (b"id,population,urban\n", "there are no demand points: the layer is empty"),
])
def test_excel_empty_tables(tmp_path, content, expect):
    scen = write_tables(tmp_path)
    (scen.parent / "demand.csv").write_bytes(content)
    out = _run(scen)
    assert out.code == 2
    assert expect in out.flat


def test_excel_gbk_csv_with_trailing_rows(tmp_path):
    scen = write_tables(tmp_path)
    path = scen.parent / "sites.csv"
    text = path.read_text(encoding="utf-8") + ",,,,,,,\n"
    path.write_bytes(text.encode("gbk"))
    out = _run(scen)
    assert out.code == 0, out.text


def test_excel_semicolon_separated_csv(tmp_path):
    """Excel where the decimal mark is a comma saves CSV with ';' — read as such, not as one column."""
    scen = write_tables(tmp_path)
    hostile.DEMAND.to_csv(scen.parent / "demand.csv", index=False, sep=";")
    out = _run(scen)
    assert out.code == 0, out.text


def test_excel_empty_geojson_file(tmp_path):
    scen = write_layers(tmp_path)
    (scen.parent / "facilities.geojson").write_bytes(b"")
    out = _check(scen)
    assert out.code == 2
    assert "the facilities file is empty (0 bytes) — fix: export the layer again" in out.flat


def test_nonfinite_nan_in_a_text_column_is_an_empty_cell(tmp_path):
    """``nan`` is what pandas' ``astype(str)`` writes for a missing value: in text and yes/no columns it means
    empty (the township comes from elsewhere, the urban flag is missing); in number columns it is an error."""
    scen = write_tables(tmp_path)
    _replace(scen.parent / "demand.csv", "V3,3000,1,T1,", "V3,3000,nan,nan,")
    out = _run(scen)
    assert out.code == 0, out.text
    assert "1 demand points have no urban/rural flag (first: V3)" in _line(out, "warning:", "demand.csv")
