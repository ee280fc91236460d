"""Readers: every format round-trips with a Chinese column map; missing files, layers, columns, CRS named."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from healthplan.geodata.config import LayerSpec
from healthplan.geodata.errors import InputError, ProblemReport
from healthplan.geodata.readers import layer_metadata, list_layers, read_layer, read_layer_into

# The file's headers, and the scenario's map from canonical names to them.
CN_COLUMNS = {"id": "村编码", "name": "村名", "population": "人口", "township": "乡镇", "urban": "城乡"}


def _villages(n: int = 12, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = 115.0 + rng.uniform(0, 0.5, n)
    lat = 28.0 + rng.uniform(0, 0.5, n)
    return gpd.GeoDataFrame(
        {
            "村编码": [f"V{i:04d}" for i in range(n)],
            "村名": [f"第{i}村" for i in range(n)],
            "人口": rng.integers(100, 5000, n),
            "乡镇": rng.choice(["T01", "T02"], n),
            "城乡": rng.integers(0, 2, n),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _write(gdf: gpd.GeoDataFrame, path, fmt: str) -> LayerSpec:
    if fmt == "csv":
        df = pd.DataFrame(gdf.drop(columns="geometry"))
        df["经度"], df["纬度"] = gdf.geometry.x, gdf.geometry.y
        df.to_csv(path, index=False, encoding="utf-8-sig")
        return LayerSpec(path=path, columns=CN_COLUMNS, lon="经度", lat="纬度")
    pyogrio.write_dataframe(gdf, path, layer="villages" if fmt == "gpkg" else None)
    return LayerSpec(path=path, columns=CN_COLUMNS, layer="villages" if fmt == "gpkg" else None)


@pytest.mark.parametrize("fmt,suffix", [("gpkg", ".gpkg"), ("shp", ".shp"), ("geojson", ".geojson"),
                                        ("fgb", ".fgb"), ("csv", ".csv")])
def test_every_format_round_trips_with_chinese_headers(tmp_path, fmt, suffix):
    src = _villages()
    spec = _write(src, tmp_path / f"villages{suffix}", fmt)
    got = read_layer(spec, kind="demand")
    assert isinstance(got, gpd.GeoDataFrame)
    assert got.crs.to_epsg() == 4326
    if fmt == "fgb":  # FlatGeobuf stores features in spatial-index order
        got = got.set_index(got["id"].astype(str).to_numpy()).loc[src["村编码"]]
    assert got["id"].astype(str).tolist() == src["村编码"].tolist()
    assert got["name"].astype(str).tolist() == src["村名"].tolist()
    assert pd.to_numeric(got["population"]).tolist() == src["人口"].tolist()
    assert got["township"].astype(str).tolist() == src["乡镇"].tolist()
    assert pd.to_numeric(got["urban"]).tolist() == src["城乡"].tolist()
    np.testing.assert_allclose(got.geometry.x, src.geometry.x, atol=1e-9)
    np.testing.assert_allclose(got.geometry.y, src.geometry.y, atol=1e-9)
    assert got.attrs["columns"]["population"] == "人口"
    assert got.attrs["format"] == fmt


def test_csv_reads_gbk_and_keeps_leading_zeros(tmp_path):
    path = tmp_path / "demand.csv"
    path.write_bytes("编号,人口,lon,lat\n007,1200,115.1,28.2\n010,800,115.2,28.3\n".encode("gbk"))
    got = read_layer(LayerSpec(path=path, columns={"population": "人口"}), kind="demand")
    assert got["id"].tolist() == ["007", "010"]  # 编号 is a recognised id header
    assert got["population"].tolist() == ["1200", "800"]  # text until validated
    assert got.attrs["row_label"] == "line" and got.attrs["row_offset"] == 2


def test_csv_with_projected_coordinates_uses_the_declared_crs(tmp_path):
    path = tmp_path / "sites.csv"
    frame = pd.DataFrame({"id": ["S1"], "level": ["thc"], "x": [38_500_000.0], "y": [3_100_000.0]})
    frame.to_csv(path, index=False)
    got = read_layer(LayerSpec(path=path, crs="EPSG:4526", lon="x", lat="y"), kind="sites")
    assert got.crs.to_epsg() == 4526
    assert got.geometry.iloc[0].equals(Point(38_500_000.0, 3_100_000.0))


def test_plain_csv_without_coordinates_is_a_table(tmp_path):
    path = tmp_path / "demand.csv"
    pd.DataFrame({"id": ["d1"], "population": [10], "urban": [1]}).to_csv(path, index=False)
    got = read_layer(LayerSpec(path=path), kind="demand")
    assert not isinstance(got, gpd.GeoDataFrame)
    assert list(got["id"]) == ["d1"]


def test_od_matrix_from_parquet_and_csv(tmp_path):
    od = pd.DataFrame({"站点": ["S1", "S2"], "需求点": ["0001", "0002"], "分钟": [3.5, 12.0]})
    od.to_parquet(tmp_path / "od.parquet")
    od.to_csv(tmp_path / "od.csv", index=False)
    cols = {"site_id": "站点", "demand_id": "需求点", "minutes": "分钟"}
    for name in ("od.parquet", "od.csv"):
        got = read_layer(LayerSpec(path=tmp_path / name, columns=cols), kind="travel_times")
        assert got["minutes"].tolist() == [3.5, 12.0]
        assert got["demand_id"].astype(str).tolist() == ["0001", "0002"]


def test_missing_file_is_named_with_similar_files(tmp_path):
    (tmp_path / "villages.gpkg").write_bytes(b"")
    with pytest.raises(InputError, match=r"villagse\.gpkg.*the demand file does not exist.*villages\.gpkg"):
        read_layer(LayerSpec(path=tmp_path / "villagse.gpkg"), kind="demand")


def test_missing_layer_lists_the_layers(tmp_path):
    path = tmp_path / "county.gpkg"
    pyogrio.write_dataframe(_villages(), path, layer="villages")
    pyogrio.write_dataframe(_villages(), path, layer="other")
    assert list_layers(path) == ["villages", "other"]
    with pytest.raises(InputError, match=r"has no layer 'vilages'; layers in the file: villages, other"):
        read_layer(LayerSpec(path=path, layer="vilages", columns=CN_COLUMNS), kind="demand")
    # Without a layer name, the layer named like the kind is taken …
    got = read_layer(LayerSpec(path=path, columns=CN_COLUMNS), kind="demand")
    assert len(got) == 12
    # … and when none matches, the layers are listed.
    with pytest.raises(InputError, match=r"several layers \(villages, other\).*inputs\.facilities\.layer"):
        read_layer(LayerSpec(path=path), kind="facilities")


def test_missing_crs_says_how_to_set_it(tmp_path):
    path = tmp_path / "villages.shp"
    pyogrio.write_dataframe(_villages(), path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match=r"no coordinate reference system.*inputs\.demand\.crs: 'EPSG:4326'"):
        read_layer(LayerSpec(path=path, columns=CN_COLUMNS), kind="demand")
    got = read_layer(LayerSpec(path=path, columns=CN_COLUMNS, crs="EPSG:4326"), kind="demand")
    assert got.crs.to_epsg() == 4326


def test_bad_declared_crs(tmp_path):
    path = tmp_path / "d.csv"
    pd.DataFrame({"id": ["a"], "population": [1], "lon": [115.0], "lat": [28.0]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"inputs\.demand\.crs 'EPSG:99999999' is not a CRS"):
        read_layer(LayerSpec(path=path, crs="EPSG:99999999"), kind="demand")


def test_column_problems_are_all_reported_together(tmp_path):
    path = tmp_path / "villages.gpkg"
    pyogrio.write_dataframe(_villages(), path, layer="villages")
    report = ProblemReport()
    spec = LayerSpec(path=path, columns={"id": "村编码", "populaton": "人口", "township": "乡真"})
    assert read_layer_into(spec, kind="demand", report=report) is None
    text = "\n".join(p.format() for p in report.errors)
    assert "unknown canonical name 'populaton' (did you mean 'population'?)" in text
    assert "column '乡真' (mapped from 'township') is not in the demand file (did you mean" in text
    assert "the demand layer has no 'population' column" not in text  # 人口 is a recognised alias
    assert len(report.errors) == 2


def test_required_column_missing(tmp_path):
    path = tmp_path / "f.csv"
    pd.DataFrame({"id": ["F1"], "名字": ["县医院"]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"has no 'level' column.*inputs\.sites\.columns: \{level: "):
        read_layer(LayerSpec(path=path), kind="sites")


def test_layer_metadata_is_read(tmp_path):
    path = tmp_path / "county.gpkg"
    pyogrio.write_dataframe(_villages(), path, layer="villages", layer_metadata={"synthetic": "true"})
    assert layer_metadata(path, "villages")["synthetic"] == "true"
    got = read_layer(LayerSpec(path=path, columns=CN_COLUMNS), kind="demand")
    assert got.attrs["metadata"]["synthetic"] == "true"


def test_unknown_kind_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="unknown layer kind 'village'"):
        read_layer(LayerSpec(path=tmp_path / "x.csv"), kind="village")


def test_reading_writes_nothing_beside_the_inputs(tmp_path):
    path = tmp_path / "county.gpkg"
    ours = pyogrio.get_gdal_config_option("GDAL_PAM_ENABLED")  # what geodata.readers set
    pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": "YES"})  # written as GDAL does by default
    try:
        pyogrio.write_dataframe(_villages(), path, layer="villages", dataset_metadata={"synthetic": "yes"})
    finally:
        pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": ours})
    before = sorted(p.name for p in tmp_path.iterdir())
    got = read_layer(LayerSpec(path=path, columns=CN_COLUMNS), kind="demand")
    assert got.attrs["metadata"]["synthetic"] == "yes"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no county.gpkg.aux.xml


def test_declared_crs_does_not_override_the_files_own(tmp_path):
    path = tmp_path / "villages.gpkg"
    pyogrio.write_dataframe(_villages(), path, layer="villages")
    report = ProblemReport()
    got = read_layer_into(LayerSpec(path=path, columns=CN_COLUMNS, crs="EPSG:4490"), kind="demand", report=report)
    assert got.crs.to_epsg() == 4326
    (warn,) = report.warnings
    assert "the file's own CRS (EPSG:4326) differs from inputs.demand.crs (EPSG:4490)" in warn.message


def test_layers_are_listed_once_per_read_and_afresh_after(tmp_path, monkeypatch):
    """Within one read of the inputs (readers.one_read) a GeoPackage's layers are listed once; a later read
    sees a layer added in between (nothing is kept across reads)."""
    from healthplan.geodata import readers

    path = tmp_path / "county.gpkg"
    gpd.GeoDataFrame({"id": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326").to_file(path, layer="a")
    calls = []
    real = pyogrio.list_layers
    monkeypatch.setattr(readers.pyogrio, "list_layers", lambda p: calls.append(p) or real(p))
    with readers.one_read():
        assert list_layers(path) == ["a"] and list_layers(path) == ["a"]
    assert len(calls) == 1
    gpd.GeoDataFrame({"id": [2]}, geometry=[Point(1, 1)], crs="EPSG:4326").to_file(path, layer="b")
    with readers.one_read():
        assert sorted(list_layers(path)) == ["a", "b"]
    assert sorted(list_layers(path)) == ["a", "b"] and len(calls) == 3
