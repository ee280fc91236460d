"""Township seats without polygons (Voronoi partition, flagged approximate) and population rasters
(dasymetric villages and grid demand), through the loader (issue 11 §3). Rasters are made here."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from healthplan.geodata.config import InputsConfig, LayerSpec, RasterSpec, TravelConfig
from healthplan.geodata.dasymetric import largest_remainder
from healthplan.geodata.errors import InputError
from healthplan.geodata.load import load_instance
from healthplan.geodata.partition import APPROXIMATE_KEY

rasterio = pytest.importorskip("rasterio")
# rasterio 1.4's from_origin multiplies affine matrices with `*`, which affine 3 marks for deprecation.
pytestmark = pytest.mark.filterwarnings("ignore:Use `@` matmul:PendingDeprecationWarning")
from rasterio.transform import from_origin  # noqa: E402

CRS = "EPSG:32650"
X0, Y0 = 500_000.0, 3_160_000.0  # a corner in UTM 50N (Jiangxi)
STRAIGHT = TravelConfig(method="straight", cache=False)


def write_raster(path, values, *, cell=100.0, crs=CRS, nodata=-99999.0, origin=(X0, Y0 + 2000)):
    values = np.asarray(values, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                       dtype="float32", crs=crs, transform=from_origin(*origin, cell, cell), nodata=nodata) as dst:
        dst.write(values, 1)
    return path


def gpkg(path, layer, frame):
    frame.to_file(path, layer=layer, driver="GPKG")
    return LayerSpec(path=path, layer=layer)


def townships(path, pops=(1000, 3000), urban=(None, None)):
    """Two 2 km squares side by side: A (west) and B (east)."""
    frame = gpd.GeoDataFrame({"id": ["A", "B"], "name": ["甲镇", "乙镇"], "population": list(pops)},
                             geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 2000),
                                       shapely.box(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)], crs=CRS)
    if any(u is not None for u in urban):
        frame["urban_population"] = [np.nan if u is None else u for u in urban]
    return gpkg(path, "townships", frame)


def facilities(path):
    frame = gpd.GeoDataFrame({"id": ["H1"], "level": ["county_hospital"]},
                             geometry=[shapely.Point(X0 + 1000, Y0 + 1000)], crs=CRS)
    return gpkg(path, "facilities", frame)


def load(inputs):
    return load_instance(inputs, STRAIGHT, cutoff_minutes=120)


def test_largest_remainder_keeps_the_total():
    assert largest_remainder(1000, np.array([3.0, 1.0])).tolist() == [750, 250]
    assert largest_remainder(10, np.array([1.0, 1.0, 1.0])).sum() == 10
    assert largest_remainder(7, np.zeros(2)).tolist() == [4, 3]


def test_villages_share_the_township_total_by_the_raster(tmp_path):
    f = tmp_path / "c.gpkg"
    # 20 × 40 cells of 100 m over both townships; A: west half 3 persons/cell, east half 1; B: 2 everywhere.
    values = np.full((20, 40), 2.0)
    values[:, :10], values[:, 10:20] = 3.0, 1.0
    raster = write_raster(tmp_path / "pop.tif", values)
    villages = gpd.GeoDataFrame({"id": ["a1", "a2", "b1"]}, crs=CRS, geometry=[
        shapely.Point(X0 + 500, Y0 + 1000), shapely.Point(X0 + 1500, Y0 + 1000), shapely.Point(X0 + 3000, Y0 + 500)])
    inst = load(InputsConfig(townships=townships(f), demand=gpkg(f, "villages", villages), facilities=facilities(f),
                             population_raster=RasterSpec(path=raster)))
    assert inst.demand["population"].to_dict() == {"a1": 750, "a2": 250, "b1": 3000}
    assert any("人口栅格" in n for n in inst.notes)


def test_villages_with_their_own_population_keep_it(tmp_path):
    f = tmp_path / "c.gpkg"
    raster = write_raster(tmp_path / "pop.tif", np.ones((20, 40)))
    villages = gpd.GeoDataFrame({"id": ["a1", "b1"], "population": [1000, 3000]}, crs=CRS,
                                geometry=[shapely.Point(X0 + 500, Y0 + 1000), shapely.Point(X0 + 3000, Y0 + 500)])
    inst = load(InputsConfig(townships=townships(f), demand=gpkg(f, "villages", villages), facilities=facilities(f),
                             population_raster=RasterSpec(path=raster)))
    assert inst.demand["population"].tolist() == [1000, 3000]
    assert any("raster is not used" in w.message for w in inst.warnings)


def test_grid_demand_points_where_people_live(tmp_path):
    f = tmp_path / "c.gpkg"
    values = np.zeros((20, 40))
    values[:10, :10] = 5.0  # A: people only in its north-west km²
    values[:, 20:] = 1.0  # B: everywhere, denser in the east
    values[:, 30:] = 4.0
    raster = write_raster(tmp_path / "pop.tif", values)
    inst = load(InputsConfig(townships=townships(f, urban=(None, 2000)), facilities=facilities(f),
                             population_raster=RasterSpec(path=raster, grid_m=1000)))
    d = inst.demand
    a, b = d[d["township"] == "A"], d[d["township"] == "B"]
    assert len(a) == 1 and a["population"].iloc[0] == 1000  # the empty km² make no points
    assert len(b) == 4 and b["population"].sum() == 3000
    assert b["population"].tolist() == pytest.approx([300, 1200, 300, 1200], abs=1)
    # 城镇人口 2,000: the densest cells (east, 1,200 each) are urban, the sparse ones rural.
    assert set(b.loc[b["urban"], "population"]) == {1200} and b["urban"].sum() == 2
    assert (a["x"] < X0 + 1000).all() and (a["y"] > Y0 + 1000).all()


def test_raster_in_lonlat_is_reprojected(tmp_path):
    f = tmp_path / "c.gpkg"
    # A WorldPop-like raster in EPSG:4326 over the two townships: uniform, so B's grid cells share equally.
    from pyproj import Transformer

    tr = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    w, s, e, n = tr.transform_bounds(X0 - 500, Y0 - 500, X0 + 4500, Y0 + 2500)
    cell = 0.001
    values = np.ones((int((n - s) / cell) + 1, int((e - w) / cell) + 1))
    raster = write_raster(tmp_path / "pop.tif", values, cell=cell, crs="EPSG:4326", origin=(w, n))
    inst = load(InputsConfig(townships=townships(f), facilities=facilities(f),
                             population_raster=RasterSpec(path=raster, grid_m=1000)))
    assert inst.demand.groupby("township")["population"].sum().to_dict() == {"A": 1000, "B": 3000}
    spread = inst.demand.groupby("township")["population"].agg(lambda p: p.max() - p.min())
    assert (spread <= 0.05 * inst.demand.groupby("township")["population"].max()).all()


def test_ghs_pop_raster_in_mollweide_is_read(tmp_path):
    """GHS-POP ships in World Mollweide (ESRI:54009) at 100 m: people in the west half of each township only."""
    f = tmp_path / "c.gpkg"
    from pyproj import Transformer

    tr = Transformer.from_crs(CRS, "ESRI:54009", always_xy=True)
    w, s, e, n = tr.transform_bounds(X0 - 500, Y0 - 500, X0 + 4500, Y0 + 2500)
    cell = 100.0
    cols, rows = int((e - w) / cell) + 1, int((n - s) / cell) + 1
    cx = w + (np.arange(cols) + 0.5) * cell
    cy = n - (np.arange(rows) + 0.5) * cell
    ux, _uy = Transformer.from_crs("ESRI:54009", CRS, always_xy=True).transform(*np.meshgrid(cx, cy))
    west = ((ux - X0) % 2000) < 1000  # the west half of township A and of township B
    raster = write_raster(tmp_path / "ghs.tif", np.where(west, 7.0, 0.0), cell=cell, crs="ESRI:54009",
                          origin=(w, n))
    inst = load(InputsConfig(townships=townships(f), facilities=facilities(f),
                             population_raster=RasterSpec(path=raster, grid_m=500)))
    assert inst.demand.groupby("township")["population"].sum().to_dict() == {"A": 1000, "B": 3000}
    east = ((inst.demand["x"] - X0) % 2000) > 1000
    # Only raster cells cut by a seam (sheared 100 m Mollweide cells, area-weighted) put people east: < 5 %.
    assert inst.demand.loc[east, "population"].sum() < 0.05 * 4000


@pytest.mark.parametrize(("values", "crs", "nodata", "expected"), [
    (np.full((20, 40), -5.0), CRS, None, "negative"),
    (np.ones((20, 40)), None, None, "no coordinate reference system"),
    (np.zeros((20, 40)), CRS, None, "holds no people"),
])
def test_bad_rasters_are_errors_naming_the_file(tmp_path, values, crs, nodata, expected):
    f = tmp_path / "c.gpkg"
    raster = write_raster(tmp_path / "pop.tif", values, crs=crs, nodata=nodata)
    with pytest.raises(InputError) as err:
        load(InputsConfig(townships=townships(f), facilities=facilities(f), population_raster=RasterSpec(path=raster)))
    assert expected in str(err.value) and str(raster) in str(err.value)


def seats_xlsx(path, rows):
    pd.DataFrame(rows, columns=["乡镇代码", "乡镇名称", "常住人口", "经度", "纬度"]).to_excel(path, index=False)
    return LayerSpec(path=path)


SEATS = [["360121001", "城关街道", 50000, 115.90, 28.62], ["360121100", "花桥镇", 20000, 115.80, 28.66],
         ["360121101", "石笋镇", 15000, 116.00, 28.57]]


def boundary(path):
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    cx, cy = tr.transform(115.90, 28.62)
    frame = gpd.GeoDataFrame({"name": ["县"]}, geometry=[shapely.Point(cx, cy).buffer(16_000)], crs=CRS)
    return gpkg(path, "boundary", frame)


def test_seats_only_give_an_approximate_partition(tmp_path):
    f = tmp_path / "c.gpkg"
    inst = load(InputsConfig(township_seats=seats_xlsx(tmp_path / "驻地.xlsx", SEATS), boundary=boundary(f),
                             facilities=facilities(f)))
    flag = inst.meta[APPROXIMATE_KEY]
    assert flag["clipped_to"] == "boundary" and "近似" in flag["zh"] and "approximate" in flag["en"]
    assert flag["zh"] in inst.notes and flag["en"] in inst.meta["notes_en"]
    tw = inst.townships
    assert list(tw.index) == ["360121001", "360121100", "360121101"]
    assert tw.geometry.area.sum() == pytest.approx(shapely.Point(0, 0).buffer(16_000).area, rel=1e-6)
    assert not shapely.union_all(tw.geometry.values).is_empty and tw.geometry.is_valid.all()
    # Each township's demand point is its seat, inside its own cell, with its population; 街道 is urban.
    assert inst.demand["population"].tolist() == [50000, 20000, 15000]
    assert inst.demand["urban"].tolist() == [True, False, False]
    seats = shapely.points(inst.demand[["x", "y"]].to_numpy())
    assert shapely.contains(tw.geometry.values, seats).all()


def test_seats_without_boundary_are_clipped_to_a_widened_hull(tmp_path):
    f = tmp_path / "c.gpkg"
    inst = load(InputsConfig(township_seats=seats_xlsx(tmp_path / "驻地.xlsx", SEATS), facilities=facilities(f)))
    assert inst.meta[APPROXIMATE_KEY]["clipped_to"] == "hull" and "外扩" in inst.meta[APPROXIMATE_KEY]["zh"]


def test_two_seats_at_one_place_are_an_error(tmp_path):
    rows = [*SEATS, ["360121102", "悦来镇", 9000, 115.80, 28.66]]
    with pytest.raises(InputError) as err:
        load(InputsConfig(township_seats=seats_xlsx(tmp_path / "驻地.xlsx", rows), facilities=facilities(tmp_path / "c.gpkg")))
    text = str(err.value)
    assert "same place" in text and "360121100" in text and "360121102" in text


def test_urban_population_splits_a_township_point(tmp_path):
    f = tmp_path / "c.gpkg"
    inst = load(InputsConfig(townships=townships(f, urban=(400, 3000)), facilities=facilities(f)))
    d = inst.demand
    assert d.loc["A-urban", "population"] == 400 and d.loc["A-rural", "population"] == 600
    assert d.loc["A-urban", "urban"] and not d.loc["A-rural", "urban"]
    assert d.loc["B", "urban"] and d.loc["B", "population"] == 3000  # all urban: one urban point
    assert inst.population == 4000
