"""GCJ-02 / BD-09 → WGS-84 (geodata.datum) and the per-layer ``datum`` setting (issue 11 §1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from healthplan.geodata import datum as dm
from healthplan.geodata.config import LayerSpec
from healthplan.geodata.errors import ProblemReport
from healthplan.geodata.readers import read_layer_into
from healthplan.geodata.validate import validate_layer

M_PER_DEG = 111_195.0  # metres per degree on the sphere of radius 6,371 km


def metres(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    lat = np.radians((np.asarray(lat_a) + np.asarray(lat_b)) / 2)
    return np.hypot((np.asarray(lon_a) - lon_b) * M_PER_DEG * np.cos(lat), (np.asarray(lat_a) - lat_b) * M_PER_DEG)


# Published pairs of other implementations: (function, input lon/lat, expected lon/lat, source).
KNOWN = [
    (dm.wgs84_to_gcj02, (116.404, 39.915), (116.41024449916938, 39.91640428150164), "hutool CoordinateUtilTest"),
    (dm.wgs84_to_gcj02, (116.0, 40.0), (116.006141221789, 40.001213650174), "geoToolbox test_wgs84_to_gcj02"),
    (dm.gcj02_to_wgs84, (123.0, 45.0), (122.99395597, 44.99804071), "gcoord GCJ02.spec.js"),
    (dm.gcj02_to_bd09, (123.0, 45.0), (123.00636499, 45.00636899), "gcoord GCJ02.spec.js"),
    (dm.gcj02_to_bd09, (116.404, 39.915), (116.41036949371029, 39.92133699351021), "hutool gcj02ToBd09Test"),
    (dm.bd09_to_gcj02, (116.404, 39.915), (116.39762729119315, None), "hutool bd09toGcj02Test (longitude)"),
]


@pytest.mark.parametrize(("func", "given", "expected", "source"), KNOWN, ids=[k[3] + "-" + k[0].__name__ for k in KNOWN])
def test_known_pairs_within_half_a_metre(func, given, expected, source):
    lon, lat = func(*given)
    exp_lon, exp_lat = expected
    assert metres(lon, lat, exp_lon, lat if exp_lat is None else exp_lat) < 0.5, source


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_round_trip_under_a_millimetre_over_china(datum):
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(74, 134, 20_000), rng.uniform(18, 53, 20_000)
    there = dm.from_wgs84(lon, lat, datum)
    back = dm.to_wgs84(*there, datum)
    assert metres(*back, lon, lat).max() < 1e-3  # the issue asks < 1 m
    shift = metres(*there, lon, lat)
    assert 50 < np.median(shift) < 1500  # the datums really move points by hundreds of metres


def test_agrees_with_an_independent_library_over_china():
    """eviltransform (googollee's Python port, MIT) is written independently from the same published formula."""
    evil = pytest.importorskip("eviltransform", reason="eviltransform (test extra) is not installed")
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(74, 134, 500), rng.uniform(18, 53, 500)
    theirs = np.array([evil.wgs2gcj(b, a) for a, b in zip(lon, lat, strict=True)])  # (lat, lon) order
    assert metres(*dm.wgs84_to_gcj02(lon, lat), theirs[:, 1], theirs[:, 0]).max() < 0.05
    theirs = np.array([evil.wgs2bd(b, a) for a, b in zip(lon, lat, strict=True)])
    assert metres(*dm.wgs84_to_bd09(lon, lat), theirs[:, 1], theirs[:, 0]).max() < 0.05
    g_lon, g_lat = dm.wgs84_to_gcj02(lon, lat)
    theirs = np.array([evil.gcj2wgs_exact(b, a) for a, b in zip(g_lon, g_lat, strict=True)])
    # its inverse stops at 0.5 m by design; ours is exact to a millimetre (round-trip test above)
    assert metres(*dm.gcj02_to_wgs84(g_lon, g_lat), theirs[:, 1], theirs[:, 0]).max() < 1.0


def test_outside_china_nothing_moves():
    lon, lat = np.array([2.35, -74.0]), np.array([48.85, 40.7])
    assert np.array_equal(dm.wgs84_to_gcj02(lon, lat)[0], lon)
    assert np.allclose(dm.gcj02_to_wgs84(lon, lat)[1], lat)


def _points_csv(tmp_path, lon, lat):
    path = tmp_path / "seats.csv"
    pd.DataFrame({"id": ["A", "B"], "经度": lon, "纬度": lat}).to_csv(path, index=False)
    return path


def test_a_gcj02_csv_layer_is_moved_to_wgs84_on_read(tmp_path):
    wgs_lon, wgs_lat = np.array([115.9, 116.1]), np.array([28.6, 28.7])
    g_lon, g_lat = dm.wgs84_to_gcj02(wgs_lon, wgs_lat)
    path = _points_csv(tmp_path, g_lon, g_lat)
    rep = ProblemReport()
    frame = read_layer_into(LayerSpec(path=path, datum="gcj02"), kind="candidates", report=rep)
    assert not rep.problems
    assert frame.attrs["datum"] == "gcj02" and 300 < frame.attrs["datum_shift_m"] < 900
    assert metres(frame.geometry.x, frame.geometry.y, wgs_lon, wgs_lat).max() < 0.01
    plain = read_layer_into(LayerSpec(path=path), kind="candidates", report=ProblemReport())
    assert metres(plain.geometry.x, plain.geometry.y, wgs_lon, wgs_lat).min() > 300  # taken as is: off


def test_a_datum_on_projected_coordinates_is_an_error(tmp_path):
    path = tmp_path / "sites.csv"
    pd.DataFrame({"id": ["A"], "x": [500_000.0], "y": [3_160_000.0]}).to_csv(path, index=False)
    rep = ProblemReport()
    out = read_layer_into(LayerSpec(path=path, crs="EPSG:32650", datum="bd09", lon="x", lat="y"),
                          kind="candidates", report=rep)
    assert out is None
    [err] = rep.errors
    assert "not in longitude/latitude" in err.message and "EPSG:32650" in err.message
    assert "datum" in err.fix and err.file == str(path)


def test_points_outside_china_under_gcj02_are_a_warning(tmp_path):
    path = _points_csv(tmp_path, [2.35, 115.9], [48.85, 28.6])
    rep = ProblemReport()
    read_layer_into(LayerSpec(path=path, datum="gcj02"), kind="candidates", report=rep)
    [warn] = rep.warnings
    assert "outside China" in warn.message and "1 of 2" in warn.message


# --- one "longitude,latitude" column, as the map services' coordinate pickers copy it -----------------------

@pytest.mark.parametrize(("header", "cells", "swapped"), [
    ("经纬度", ["115.900000,28.620000", "116.1，28.7"], False),  # 高德/百度 picker; a full-width comma
    ("坐标", ["28.62,115.9", "28.7 116.1"], True),  # 腾讯's picker: latitude first
])
def test_one_lonlat_column_is_split(tmp_path, header, cells, swapped):
    path = tmp_path / "驻地.csv"
    pd.DataFrame({"id": ["A", "B"], header: cells}).to_csv(path, index=False)
    rep = ProblemReport()
    frame = validate_layer(read_layer_into(LayerSpec(path=path, datum="bd09"), kind="candidates", report=rep),
                           "candidates", rep)
    assert not rep.errors
    assert any("latitude first" in w.message for w in rep.warnings) == swapped
    w_lon, w_lat = dm.bd09_to_wgs84(np.array([115.9, 116.1]), np.array([28.62, 28.7]))
    assert metres(frame.geometry.x, frame.geometry.y, w_lon, w_lat).max() < 0.01


def test_a_bad_lonlat_cell_is_named_with_the_fix(tmp_path):
    path = tmp_path / "驻地.csv"
    pd.DataFrame({"id": ["A", "B"], "位置": ["115.9,28.6", "花桥镇政府"]}).to_csv(path, index=False)
    rep = ProblemReport()
    spec = LayerSpec(path=path, columns={"lonlat": "位置"})
    validate_layer(read_layer_into(spec, kind="candidates", report=rep), "candidates", rep)
    [err] = rep.errors
    assert err.feature == "B" and err.column == "位置" and "115.90,28.62" in err.fix
