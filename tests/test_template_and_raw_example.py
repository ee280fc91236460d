"""``healthplan template DIR`` (filled in, it passes check) and the raw-data example run end to end through
``python -m healthplan run`` (issue 11 §4 and §6). Real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.filterwarnings("ignore:Use `@` matmul:PendingDeprecationWarning")


def healthplan(*args, cwd):
    return subprocess.run([sys.executable, "-m", "healthplan", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def fill(path, sheet, rows):
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)


def test_template_filled_in_passes_check(tmp_path):
    folder = tmp_path / "模板"
    proc = healthplan("template", folder, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in folder.iterdir()}
    assert {"乡镇驻地.xlsx", "乡镇人口.xlsx", "医疗机构.xlsx", "候选点.xlsx", "县界与道路.gpkg", "scenario.yaml"} <= names
    wb = openpyxl.load_workbook(folder / "医疗机构.xlsx")
    assert wb.sheetnames == ["医疗机构", "说明"]
    explained = [r[0] for r in wb["说明"].iter_rows(min_row=2, values_only=True)]
    assert [c.value for c in wb["医疗机构"][1]] == explained and "普通救护车" in explained
    # Empty, the templates fail check with what to fill.
    proc = healthplan("check", folder / "scenario.yaml", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 2 and "has no rows" in proc.stdout
    # Filled in (GCJ-02 coordinates as the template's scenario says), they pass.
    seats = [("360121001", "城关街道", 115.905, 28.622), ("360121100", "花桥镇", 115.81, 28.67),
             ("360121101", "石笋镇", 116.0, 28.57)]
    fill(folder / "乡镇驻地.xlsx", "乡镇驻地", [{"乡镇代码": c, "乡镇名称": n, "经度": x, "纬度": y} for c, n, x, y in seats])
    fill(folder / "乡镇人口.xlsx", "乡镇人口", [{"乡镇名称": "城关街道办事处", "常住人口": 52000, "城镇人口": 48000},
                                            {"乡镇名称": "花桥", "常住人口": 21000},
                                            {"乡镇代码": "360121101000", "常住人口": 15500}])
    fill(folder / "医疗机构.xlsx", "医疗机构", [
        {"机构编码": "H01", "机构名称": "县人民医院", "机构级别": "县人民医院", "床位数": 500, "普通救护车": 3,
         "发热门诊": "是", "经度": 115.906, "纬度": 28.621},
        {"机构编码": "T01", "机构名称": "花桥中心卫生院", "机构级别": "中心卫生院", "床位数": 60, "经度": 115.812,
         "纬度": 28.668},
        {"机构编码": "T02", "机构名称": "石笋镇卫生院", "机构级别": "卫生院", "经度": 116.001, "纬度": 28.571}])
    fill(folder / "候选点.xlsx", "候选点", [{"编码": "N01", "名称": "工业园区", "经度": 115.95, "纬度": 28.60}])
    gpd.GeoDataFrame({"名称": ["某某县"]}, geometry=[shapely.Point(115.9, 28.61).buffer(0.2)],
                     crs="EPSG:4326").to_file(folder / "县界与道路.gpkg", layer="县界", driver="GPKG", mode="a")
    roads = gpd.GeoDataFrame({"名称": ["105国道", "乡道", "村道"], "等级": ["国道", "乡道", "村道"],
                              "速度": [None, 35.0, None], "单行": [None, None, "否"]},
                             geometry=[shapely.LineString([(115.80, 28.67), (115.905, 28.62), (116.0, 28.57)]),
                                       shapely.LineString([(115.905, 28.62), (115.95, 28.60)]),
                                       shapely.LineString([(115.85, 28.645), (115.85, 28.60)])], crs="EPSG:4326")
    roads.to_file(folder / "县界与道路.gpkg", layer="道路", driver="GPKG", mode="a")
    proc = healthplan("check", folder / "scenario.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "检查通过" in proc.stdout and "GCJ-02" in proc.stdout and "近似" in proc.stdout


def test_template_refuses_a_folder_with_its_files(tmp_path):
    assert healthplan("template", tmp_path / "t", cwd=tmp_path).returncode == 0
    proc = healthplan("template", tmp_path / "t", cwd=tmp_path)
    assert proc.returncode == 2 and "nothing was written" in proc.stderr and "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def raw_example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    proc = subprocess.run([sys.executable, str(ROOT / "scenarios/examples/raw/make_raw_example.py"), "--out",
                           str(folder)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return folder


@pytest.fixture(scope="module")
def raw_plan(raw_example):
    """The raw example's plan, run once through ``python -m healthplan run``."""
    proc = healthplan("run", "raw.yaml", "--out", "plan", cwd=raw_example)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return raw_example / "plan"


@pytest.mark.slow
def test_raw_example_runs_end_to_end(raw_plan):
    plan = raw_plan
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and 0 < summary["spent_wan"] <= 3000
    notes = " ".join(summary["notes"])
    # every reader left its mark: datum conversion, census join, OSM roads, approximate townships, raster grid
    for text in ("facilities（医疗机构.xlsx）的坐标由 GCJ-02", "township_seats（乡镇驻地.xlsx）", "乡镇人口取自普查表",
                 "OpenStreetMap", "近似划分", "人口栅格", "道路网"):
        assert text in notes, text
    run = json.loads((plan / "state" / "run.json").read_text(encoding="utf-8"))
    meta = run["instance"]["meta"]
    assert meta["approximate_townships"]["clipped_to"] == "boundary"
    assert meta["datum_converted"] == {"facilities": "gcj02", "township_seats": "gcj02"}
    assert meta["osm"]["junctions"] > 100
    # The census total (214,950 persons) is kept exactly through the raster's grid.
    assert summary["coverage"]["fever"]["population"] == 214_950
    assert (plan / "maps" / "plan.png").is_file() and (plan / "appendix.xlsx").is_file()
    # The approximate partition is flagged on the maps: the HTML map's footer and every print map's note.
    flag = meta["approximate_townships"]["zh"]
    assert flag in (plan / "map.html").read_text(encoding="utf-8")


def test_print_maps_note_the_approximate_partition():
    from types import SimpleNamespace

    from healthplan.geodata.partition import APPROXIMATE_KEY, approximate_flag, approximate_note
    from healthplan.reports.config import ReportConfig
    from healthplan.reports.maps import data_note

    note = approximate_note("hull")
    meta = {APPROXIMATE_KEY: note}
    assert approximate_flag(meta, "en") == note["en"] and approximate_flag({}, "zh") is None
    for lang in ("zh", "en"):
        data = SimpleNamespace(lang=lang, instance=SimpleNamespace(synthetic=False, meta=meta, crs="EPSG:32650"))
        assert note[lang] in data_note(data, ReportConfig())
    data.instance.meta = {}
    assert not any("Voronoi" in line for line in data_note(data, ReportConfig()))


def test_raw_example_with_a_census_name_that_matches_nothing(raw_example, tmp_path):
    import shutil

    folder = tmp_path / "bad"
    shutil.copytree(raw_example, folder, ignore=shutil.ignore_patterns("plan", ".healthplan-cache"))
    wb = openpyxl.load_workbook(folder / "乡镇人口.xlsx")
    ws = wb.active
    ws["B5"] = "花乔"  # a typing slip for 花桥
    ws["B6"] = "石笋村"  # and not a township name at all
    wb.save(folder / "乡镇人口.xlsx")
    proc = healthplan("run", "raw.yaml", "--out", "plan", "--lang", "en", cwd=folder)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    err = proc.stderr.replace("\n", " ")
    assert "乡镇人口.xlsx" in err and "'row 5'" in err and "'row 6'" in err and "nearest" in err
    assert not (folder / "plan").exists()


@pytest.mark.slow
def test_gis_road_layer_gives_the_plan_the_osm_extract_gives(raw_example, raw_plan):
    """raw-gis.yaml: the same roads digitised in a GIS (long lines through the crossings, 道路等级 in Chinese,
    Gauss-Kruger) instead of the OSM extract. Joined at shared interior vertices (travel.noding default) they
    make the same network, so the plan is the same; joined at line ends only it falls apart."""
    proc = healthplan("run", "raw-gis.yaml", "--out", "plan-gis", cwd=raw_example)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    osm = json.loads((raw_plan / "summary.json").read_text(encoding="utf-8"))
    gis = json.loads((raw_example / "plan-gis" / "summary.json").read_text(encoding="utf-8"))
    assert "EPSG:4548" in " ".join(gis["notes"]) and "OpenStreetMap" not in " ".join(gis["notes"])
    network_note = [n for n in gis["notes"] if n.startswith("道路网")]
    assert network_note == [n for n in osm["notes"] if n.startswith("道路网")] and "1 个互不连通的部分" in network_note[0]
    assert gis["spent_wan"] == osm["spent_wan"]
    for key, cov in osm["coverage"].items():
        assert gis["coverage"][key] == pytest.approx(cov, abs=1.0), key  # persons

    from healthplan.geodata.config import LayerSpec, TravelConfig
    from healthplan.geodata.errors import ProblemReport
    from healthplan.geodata.readers import read_layer_into
    from healthplan.geodata.roads import build_road_network, components_check
    from healthplan.geodata.validate import validate_layer

    rep = ProblemReport()
    roads = validate_layer(read_layer_into(LayerSpec(path=raw_example / "县域道路.gpkg"), kind="roads", report=rep),
                           "roads", rep)
    net, _ = build_road_network(roads, TravelConfig(noding="ends"))
    n_pieces, *_ = components_check(net, np.zeros(0, dtype=np.int64), np.zeros(0))
    assert n_pieces > 10  # each long line on its own: the case noding: vertices is for
