"""Generate the raw-data example: a SYNTHETIC county as a planner receives it, and its scenario file.

Issue 11 §6: every input in the form it arrives in, none of it tidy:

- ``乡镇驻地.xlsx`` — township seats copied from a Chinese map service: 乡镇代码, 乡镇名称, 经度, 纬度 in **GCJ-02**,
  under a merged title row;
- ``乡镇人口.xlsx`` — the census bulletin's table: a merged title, a unit line, then 序号, 乡镇（街道）, 常住人口,
  城镇人口, with names written as bulletins write them (``城关街道办事处``, ``花桥`` without 镇, full-width spaces);
- ``医疗机构.xlsx`` — the facility list in Excel, on the sheet ``机构名单`` behind a ``填表说明`` sheet, Chinese
  headers and levels, coordinates in **GCJ-02**;
- ``县域道路.osm`` — an OpenStreetMap XML extract: national road G105, provincial S203, county and village
  roads with Chinese names, a one-way street, a speed limit, an expressway that crosses the grid on its own
  nodes (bridges) and meets it at two interchanges;
- ``县域道路.gpkg`` — the same roads as a GIS layer (one long line per road through the crossings, 道路等级 in
  Chinese, CGCS2000 Gauss-Kruger), for ``raw-gis.yaml``, which is ``raw.yaml`` with it instead of the extract;
- ``县界.geojson`` — the county boundary;
- ``人口栅格.tif`` — a WorldPop-style population GeoTIFF (persons per cell, EPSG:4326, nodata −99999);
- ``raw.yaml`` — the scenario: no township polygons and no demand layer, so townships are the seats' Voronoi
  cells clipped to the boundary (approximate, flagged) and demand points a 1 km grid from the raster.

Nothing is copied from real data: the county, its names and every figure are invented (seeded).
Run ``python scenarios/examples/raw/make_raw_example.py --out DIR`` and then ``healthplan run DIR/raw.yaml
--out DIR/plan``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

SEED = 20250611
CENTRE_LON, CENTRE_LAT = 115.90, 28.62  # a hill county of Jiangxi (location only; the data are invented)
M_PER_DEG_LAT = 111_320.0
HALF_W_KM, HALF_H_KM = 16.0, 12.0
GRID_KM = 2.0  # spacing of the road lattice
CELL_DEG = 0.005  # raster cell, degrees (~500 m)
NODATA = -99999.0

# code, name as the map service writes it, name as the census bulletin writes it, 常住人口, 城镇人口, seat (km)
TOWNSHIPS = [
    ("360121001", "城关街道", "城关街道办事处", 86_400, 71_200, (0.0, 0.0)),
    ("360121100", "花桥镇", "花桥", 31_750, 9_800, (-9.0, 5.5)),
    ("360121101", "石笋镇", "石\u3000笋镇", 27_300, 6_100, (8.5, 6.0)),
    ("360121102", "悦来镇", "悦来镇", 24_100, 5_400, (10.5, -5.0)),
    ("360121103", "恒升镇", "恒升镇", 22_950, 4_300, (-2.0, -8.5)),
    ("360121200", "龙台乡", "龙台乡", 12_600, 900, (-11.5, -4.5)),
    ("360121201", "白马畲族乡", "白马畲族乡", 9_850, 600, (1.5, 9.0)),
]
# id, name, level (as the list writes it), township index, beds, 普通救护车, 负压救护车, 发热门诊, 发热诊室, offset (km)
FACILITIES = [
    ("H01", "县人民医院", "县人民医院", 0, 650, 4, 1, "是", "", (0.6, 0.4)),
    ("H02", "县中医院", "中医院", 0, 320, 2, 0, "", "", (-0.8, -0.5)),
    ("C01", "城关社区卫生服务中心", "社区卫生服务中心", 0, 30, 0, 0, "", "是", (1.5, -1.2)),
    ("T01", "花桥中心卫生院", "中心卫生院", 1, 90, 1, 0, "", "是", (0.3, 0.2)),
    ("T02", "石笋中心卫生院", "中心卫生院", 2, 70, 1, 0, "", "", (-0.3, 0.3)),
    ("T03", "悦来镇卫生院", "卫生院", 3, 35, 0, 0, "", "", (0.2, -0.2)),
    ("T04", "恒升镇卫生院", "卫生院", 4, 30, 1, 0, "", "", (-0.2, 0.2)),
    ("T05", "龙台乡卫生院", "卫生院", 5, 15, 0, 0, "", "", (0.2, 0.2)),
    ("T06", "白马畲族乡卫生院", "卫生院", 6, 15, 0, 0, "", "", (0.2, -0.3)),
]

SCENARIO = """\
# 原始数据示例县（合成数据）· Raw-data example county (SYNTHETIC), written by make_raw_example.py.
# Inputs as a planner receives them: GCJ-02 seats and facilities in Excel, a census bulletin table, an
# OpenStreetMap extract, a county boundary and a population raster; no township polygons, no village layer.
name: raw-example
title: 原始数据示例县急救、发热诊疗、采血点与医疗次中心布局规划（合成数据）
synthetic: true
inputs:
  township_seats: {path: 乡镇驻地.xlsx, datum: gcj02}
  census: {path: 乡镇人口.xlsx}
  boundary: 县界.geojson
  facilities:
    path: 医疗机构.xlsx
    sheet: 机构名单
    datum: gcj02
    columns: {id: 机构编码, name: 机构名称, level: 机构级别, beds: 床位数}
  roads: 县域道路.osm
  population_raster: {path: 人口栅格.tif, mode: grid, grid_m: 1000}
travel:
  method: roads
resources:
  fever:
    room_cost_wan: 60            # ASSUMPTION for the example
  blood:
    unit_cost_wan: 80            # ASSUMPTION for the example
    candidates: all
    min_points: 1
  subcentre:
    target_count: 1
    eligibility: {min_beds: 40, min_minutes_from_county_hospital: 15}
budget_wan: 3000
plan_year: 2025
solver: {name: highs, time_limit_s: 120, gap: 0}
report:
  county: 原始数据示例县
  data_note: 合成数据，仅用于演示 · SYNTHETIC data, for demonstration only
"""


def _lonlat(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x_km, y_km = np.asarray(x_km, dtype=float), np.asarray(y_km, dtype=float)
    lat = CENTRE_LAT + y_km * 1000 / M_PER_DEG_LAT
    lon = CENTRE_LON + x_km * 1000 / (M_PER_DEG_LAT * np.cos(np.radians(CENTRE_LAT)))
    return lon, lat


def _boundary_km(rng: np.random.Generator) -> np.ndarray:
    """A wobbly ellipse round the county, km (closed ring)."""
    t = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    wobble = 1 + 0.06 * np.sin(3 * t + rng.uniform(0, 6)) + 0.04 * np.sin(5 * t + rng.uniform(0, 6))
    ring = np.column_stack([HALF_W_KM * wobble * np.cos(t), HALF_H_KM * wobble * np.sin(t)])
    return np.vstack([ring, ring[:1]])


def _title_sheet(ws: object, title: str, width: int, extra: list[str] = ()) -> int:
    """A merged title row (and optional lines) above the table; returns the header's row number."""
    ws.append([title])  # type: ignore[attr-defined]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)  # type: ignore[attr-defined]
    for line in extra:
        ws.append([line])  # type: ignore[attr-defined]
    return 2 + len(extra)


def write_seats(out: Path) -> Path:
    """乡镇驻地.xlsx: code, name, GCJ-02 longitude/latitude under a merged title."""
    import openpyxl

    from healthplan.geodata.datum import from_wgs84

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "乡镇驻地"
    _title_sheet(ws, "原始数据示例县乡镇（街道）驻地坐标（高德地图拾取，GCJ-02）", 4)
    ws.append(["乡镇代码", "乡镇名称", "经度", "纬度"])
    for code, name, _census, _pop, _urb, (x, y) in TOWNSHIPS:
        lon, lat = from_wgs84(*_lonlat(x, y), "gcj02")
        ws.append([int(code), name, round(float(lon), 6), round(float(lat), 6)])
    path = out / "乡镇驻地.xlsx"
    wb.save(path)
    return path


def write_census(out: Path) -> Path:
    """乡镇人口.xlsx: the bulletin's table (merged title, unit line, names as the bulletin writes them)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表3"
    _title_sheet(ws, "表3  原始数据示例县各乡镇（街道）常住人口", 4, ["单位：人"])
    ws.append(["序号", "乡镇（街道）", "常住人口", "城镇人口"])
    for k, (_code, _name, census_name, pop, urban, _xy) in enumerate(TOWNSHIPS, start=1):
        ws.append([k, census_name, pop, urban])
    ws.append([None, "合计", sum(t[3] for t in TOWNSHIPS), sum(t[4] for t in TOWNSHIPS)])
    path = out / "乡镇人口.xlsx"
    wb.save(path)
    return path


def write_facilities(out: Path) -> Path:
    """医疗机构.xlsx: a 填表说明 sheet first, the list on 机构名单 (Chinese headers and levels, GCJ-02)."""
    import openpyxl

    from healthplan.geodata.datum import from_wgs84

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填表说明"
    ws.append(["坐标为高德地图拾取（GCJ-02）；是/空 表示有/无"])
    ws = wb.create_sheet("机构名单")
    headers = ["机构编码", "机构名称", "机构级别", "床位数", "普通救护车", "负压救护车", "发热门诊", "发热诊室", "经度", "纬度"]
    _title_sheet(ws, "原始数据示例县医疗卫生机构名单（2024年底）", len(headers))
    ws.append(headers)
    for fid, name, level, tw, beds, amb, np_amb, clinic, room, (dx, dy) in FACILITIES:
        x, y = TOWNSHIPS[tw][5]
        lon, lat = from_wgs84(*_lonlat(x + dx, y + dy), "gcj02")
        ws.append([fid, name, level, beds, amb, np_amb, clinic or None, room or None, round(float(lon), 6),
                   round(float(lat), 6)])
    path = out / "医疗机构.xlsx"
    wb.save(path)
    return path


def write_boundary(out: Path, ring_km: np.ndarray) -> Path:
    """县界.geojson (WGS-84)."""
    lon, lat = _lonlat(ring_km[:, 0], ring_km[:, 1])
    feature = {"type": "Feature", "properties": {"name": "原始数据示例县"},
               "geometry": {"type": "Polygon", "coordinates": [[[round(float(a), 6), round(float(b), 6)]
                                                                for a, b in zip(lon, lat, strict=True)]]}}
    path = out / "县界.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _inside(ring_km: np.ndarray, x: np.ndarray, y: np.ndarray, margin_km: float = 0.0) -> np.ndarray:
    import shapely

    poly = shapely.Polygon(ring_km).buffer(margin_km)
    return np.asarray(shapely.contains_xy(poly, x, y), dtype=bool)


def road_network(ring_km: np.ndarray) -> tuple[list[tuple[int, float, float]], list[tuple[list[int], dict[str, str]]]]:
    """The county's roads as OSM has them: nodes (id, lon, lat) and ways (node ids, tags). A 2 km lattice of
    roads within the county, main roads through the county seat, an expressway on its own nodes meeting the
    lattice at two interchanges."""
    xs = np.arange(-HALF_W_KM - 2, HALF_W_KM + 2 + 1e-9, GRID_KM)
    ys = np.arange(-HALF_H_KM - 2, HALF_H_KM + 2 + 1e-9, GRID_KM)
    node_id: dict[tuple[int, int], int] = {}
    nodes: list[tuple[int, float, float]] = []

    def node(i: int, j: int) -> int | None:
        if (i, j) in node_id:
            return node_id[(i, j)]
        if not _inside(ring_km, np.array([xs[i]]), np.array([ys[j]]), margin_km=1.0)[0]:
            return None
        nid = 1000 + len(nodes)
        lon, lat = _lonlat(xs[i], ys[j])
        nodes.append((nid, float(lon), float(lat)))
        node_id[(i, j)] = nid
        return nid

    ci, cj = int(np.argmin(np.abs(xs))), int(np.argmin(np.abs(ys)))
    ways: list[tuple[list[int], dict[str, str]]] = []

    def add_line(cells: list[tuple[int, int]], tags: dict[str, str]) -> None:
        run: list[int] = []
        for i, j in cells:
            nid = node(i, j)
            if nid is None:
                if len(run) >= 2:
                    ways.append((run, tags))
                run = []
            else:
                run.append(nid)
        if len(run) >= 2:
            ways.append((run, tags))

    for j in range(len(ys)):
        if j == cj:
            tags = {"highway": "primary", "ref": "S203", "name": "省道203线"}
        elif (j - cj) % 3 == 0:
            tags = {"highway": "secondary", "ref": f"X0{j:02d}", "name": f"县道X0{j:02d}"}
        else:
            tags = {"highway": "unclassified", "name": "村道"}
        add_line([(i, j) for i in range(len(xs))], tags)
    for i in range(len(xs)):
        if i == ci:
            tags = {"highway": "trunk", "ref": "G105", "name": "105国道"}
        elif (i - ci) % 4 == 0:
            tags = {"highway": "tertiary", "ref": f"Y{i:03d}", "name": f"乡道Y{i:03d}"}
        else:
            tags = {"highway": "track", "name": "机耕路"}
        add_line([(i, j) for j in range(len(ys))], tags)
    # A one-way street and a speed limit in the county seat; a footway (not a road) across it.
    town = [node(ci + k, cj + 1) for k in range(-1, 2)]
    if all(town):
        ways.append((town, {"highway": "residential", "name": "解放路", "oneway": "yes", "maxspeed": "15"}))
        ways.append((town, {"highway": "footway", "name": "步行街"}))
    # The expressway: its own nodes every 500 m on a slanted line (bridges over the lattice), two interchanges.
    ex_nodes = []
    for t in np.arange(-HALF_W_KM, HALF_W_KM + 1e-9, 0.5):
        x, y = t, 0.35 * t + 3.3
        if _inside(ring_km, np.array([x]), np.array([y]), margin_km=1.0)[0]:
            nid = 1000 + len(nodes)
            lon, lat = _lonlat(x, y)
            nodes.append((nid, float(lon), float(lat)))
            ex_nodes.append((nid, x, y))
    ways.append(([n for n, _x, _y in ex_nodes], {"highway": "motorway", "ref": "G60", "name": "沪昆高速",
                                                "maxspeed": "120"}))
    for target_x in (-8.0, 8.0):
        nid, x, y = min(ex_nodes, key=lambda e: abs(e[1] - target_x))
        i, j = int(np.argmin(np.abs(xs - x))), int(np.argmin(np.abs(ys - y)))
        lattice = node(i, j)
        if lattice is not None:
            ways.append(([nid, lattice], {"highway": "motorway_link", "name": "互通匝道"}))
            ways.append(([lattice, nid], {"highway": "motorway_link", "name": "互通匝道"}))
    return nodes, ways


def write_osm(out: Path, ring_km: np.ndarray) -> Path:
    """县域道路.osm: :func:`road_network` as an OpenStreetMap XML extract."""
    from xml.sax.saxutils import quoteattr

    nodes, ways = road_network(ring_km)
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", "<osm version='0.6' generator='make_raw_example.py'>"]
    lines += [f"  <node id='{n}' version='1' lat='{lat:.7f}' lon='{lon:.7f}'/>" for n, lon, lat in nodes]
    for k, (refs, tags) in enumerate(ways, start=1):
        lines.append(f"  <way id='{k}' version='1'>")
        lines += [f"    <nd ref='{r}'/>" for r in refs]
        lines += [f"    <tag k={quoteattr(a)} v={quoteattr(b)}/>" for a, b in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path = out / "县域道路.osm"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# How a GIS road layer names the classes that OSM's highway=* and ref=* give (the reader's default tables).
GIS_CLASS = {"motorway": "高速公路", "motorway_link": "高速公路", "trunk": "国道", "primary": "省道",
             "secondary": "县道", "tertiary": "乡道", "unclassified": "村道", "track": "村道", "residential": "村道"}
GIS_CRS = "EPSG:4548"  # CGCS2000 / 3-degree Gauss-Kruger CM 117E, as a county's surveying office draws


def write_gis_roads(out: Path, ring_km: np.ndarray) -> Path:
    """县域道路.gpkg: the same roads as a layer digitised in a GIS — one long line per road that passes through
    the crossings as shared interior vertices (never split there), Chinese classes in 道路等级, 单行 and 限速
    columns, in a Gauss-Kruger projection. The expressway crosses the lattice without a shared vertex (bridges)."""
    import geopandas as gpd
    import shapely

    nodes, ways = road_network(ring_km)
    where = {n: (lon, lat) for n, lon, lat in nodes}
    uses = Counter(r for refs, _tags in ways for r in refs)
    rows = []
    for refs, tags in ways:
        if tags["highway"] not in GIS_CLASS:
            continue  # the footway: no road for a vehicle
        if tags["highway"] == "motorway":
            # A straight expressway is drawn with its ends and interchanges only: a vertex of its own that
            # happens to lie on a crossing road's vertex would join them, where OSM has a bridge.
            refs = [r for k, r in enumerate(refs) if k in (0, len(refs) - 1) or uses[r] > 1]
        one_way = tags["highway"] in ("motorway", "motorway_link") or tags.get("oneway") == "yes"
        limit = float(tags["maxspeed"]) if tags.get("maxspeed") and float(tags["maxspeed"]) < 60 else None
        rows.append({"道路名称": tags.get("name", ""), "道路编号": tags.get("ref", ""),
                     "道路等级": GIS_CLASS[tags["highway"]], "单行": int(one_way), "限速": limit,
                     "geometry": shapely.LineString([where[r] for r in refs])})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").to_crs(GIS_CRS)
    path = out / "县域道路.gpkg"
    frame.to_file(path, layer="道路", driver="GPKG")
    return path


def write_raster(out: Path, ring_km: np.ndarray, rng: np.random.Generator) -> Path:
    """人口栅格.tif: persons per ~500 m cell round the seats, nodata outside the county."""
    import rasterio
    from rasterio.transform import from_origin

    lon0, lat0 = _lonlat(-HALF_W_KM - 3, HALF_H_KM + 3)
    lon1, lat1 = _lonlat(HALF_W_KM + 3, -HALF_H_KM - 3)
    width = int(np.ceil((lon1 - lon0) / CELL_DEG))
    height = int(np.ceil((lat0 - lat1) / CELL_DEG))
    lon = lon0 + (np.arange(width) + 0.5) * CELL_DEG
    lat = lat0 - (np.arange(height) + 0.5) * CELL_DEG
    glon, glat = np.meshgrid(lon, lat)
    x_km = (glon - CENTRE_LON) * M_PER_DEG_LAT * np.cos(np.radians(CENTRE_LAT)) / 1000
    y_km = (glat - CENTRE_LAT) * M_PER_DEG_LAT / 1000
    density = np.full(glon.shape, 3.0)
    for _code, _n, _c, pop, _u, (sx, sy) in TOWNSHIPS:
        spread = 1.2 + 2.5 * (pop < 50_000)
        density += pop / 2000 * np.exp(-((x_km - sx) ** 2 + (y_km - sy) ** 2) / (2 * spread**2))
    density *= rng.uniform(0.7, 1.3, size=density.shape)
    inside = _inside(ring_km, x_km.ravel(), y_km.ravel()).reshape(density.shape)
    data = np.where(inside, density, NODATA).astype("float32")
    path = out / "人口栅格.tif"
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(lon0, lat0, CELL_DEG, CELL_DEG), nodata=NODATA) as dst:
        dst.write(data, 1)
    return path


def make(out: Path, seed: int = SEED) -> list[Path]:
    """Write every input file and ``raw.yaml`` into ``out`` (created); returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ring = _boundary_km(rng)
    files = [write_seats(out), write_census(out), write_facilities(out), write_boundary(out, ring),
             write_osm(out, ring), write_gis_roads(out, ring), write_raster(out, ring, rng)]
    scenario = out / "raw.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    # The same county with the GIS road layer instead of the OSM extract (travel.noding: vertices, the default).
    gis = out / "raw-gis.yaml"
    gis.write_text(SCENARIO.replace("  roads: 县域道路.osm\n", "  roads: 县域道路.gpkg\n").replace(
        "travel:\n  method: roads\n", "travel:\n  method: roads\n  speed_column: speed_kph  # 限速 where the layer has one\n"
    ).replace("name: raw-example\n", "name: raw-example-gis\n"), encoding="utf-8")
    return [*files, scenario, gis]


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--out DIR`` (default ``raw-example`` in the current folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("raw-example"), help="folder to write (created)")
    args = parser.parse_args(argv)
    for path in make(args.out):
        print(path)


if __name__ == "__main__":
    main()
