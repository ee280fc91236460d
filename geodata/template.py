"""Empty input templates a planner fills in: XLSX tables and a GeoPackage with Chinese headers, and a scenario.

``healthplan template DIR`` (``scenarios/template_cli.py``) writes:

- ``乡镇驻地.xlsx`` — township seats: 乡镇代码, 乡镇名称, 经度, 纬度 (GCJ-02 as a map service gives them);
- ``乡镇人口.xlsx`` — the census table: 乡镇代码, 乡镇名称, 常住人口, 城镇人口;
- ``医疗机构.xlsx`` — existing facilities: code, name, level, beds and every stock column the resource kinds
  declare (``stock``), 经度, 纬度;
- ``候选点.xlsx`` — greenfield candidate sites;
- ``县界与道路.gpkg`` — layers ``县界`` (county boundary polygon) and ``道路`` (road lines: 名称, 等级 国道/省道/县道/
  乡道/村道, 速度 km/h, 单行);
- ``scenario.yaml`` — a scenario naming all of them, with the column maps and datums;
- ``填表说明.md`` — what goes where.

Each workbook's first sheet is the table, its second sheet ``说明`` explains every column: meaning, unit,
required or not, example. Filled in, the folder passes ``healthplan check DIR/scenario.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from healthplan.geodata.errors import HealthplanError
from healthplan.geodata.levels import LEVEL_NAMES_ZH
from healthplan.geodata.schemas import ColumnSchema


class TemplateExistsError(HealthplanError):
    """A template file would overwrite a file that is already there."""


@dataclass(frozen=True)
class TemplateColumn:
    """One column of a template: its Chinese header, the canonical name it maps to, meaning, unit, example."""

    header: str
    canonical: str | None
    meaning: str
    unit: str = ""
    required: bool = False
    example: object = ""


_LON = TemplateColumn("经度", None, "longitude of the place, degrees (east positive), as the map service gives it",
                      "度", True, 115.9123)
_LAT = TemplateColumn("纬度", None, "latitude, degrees", "度", True, 28.6215)
_LEVELS = "、".join(dict.fromkeys(LEVEL_NAMES_ZH.values()))

SEATS = (
    TemplateColumn("乡镇代码", "id", "9-digit township code (统计用区划代码 前9位)", "", True, "360121100"),
    TemplateColumn("乡镇名称", "name", "township name (乡镇/街道)", "", True, "花桥镇"),
    _LON,
    _LAT,
)
CENSUS = (
    TemplateColumn("乡镇代码", "id", "9-digit township code; or leave empty and give the name", "", False, "360121100"),
    TemplateColumn("乡镇名称", "name", "township name as in the seats table (镇/乡/街道 may be left out)", "", False,
                   "花桥镇"),
    TemplateColumn("常住人口", "population", "resident population (第七次人口普查 or the latest bulletin)", "人", True,
                   31750),
    TemplateColumn("城镇人口", "urban_population", "urban part of the resident population (optional)", "人", False,
                   9800),
)
CANDIDATES = (
    TemplateColumn("编码", "id", "unique id of the candidate site", "", True, "N01"),
    TemplateColumn("名称", "name", "name (e.g. 工业园区急救站 site)", "", False, "工业园区"),
    _LON,
    _LAT,
)
BOUNDARY = (TemplateColumn("名称", "name", "county name", "", False, "某某县"),)
ROADS = (
    TemplateColumn("名称", "name", "road name", "", False, "105国道"),
    TemplateColumn("等级", "class", "road class: 高速公路, 国道, 省道, 县道, 乡道, 村道", "", True, "国道"),
    TemplateColumn("速度", "speed_kph", "typical travel speed; empty = the class speed (travel.speeds_kph)", "km/h",
                   False, 60),
    TemplateColumn("单行", "oneway", "是 = one-way along the line as drawn; empty or 否 = two-way", "", False, ""),
)


def facility_columns(stock: tuple[ColumnSchema, ...]) -> tuple[TemplateColumn, ...]:
    """The facility template's columns: the site columns, then each stock column the resource kinds declare."""
    cols = [
        TemplateColumn("机构编码", "id", "unique id of the facility", "", True, "H01"),
        TemplateColumn("机构名称", "name", "facility name", "", True, "县人民医院"),
        TemplateColumn("机构级别", "level", f"level, one of: {_LEVELS}", "", True, "中心卫生院"),
        TemplateColumn("床位数", "beds", "beds", "张", False, 90),
    ]
    for col in stock:
        header = next((a for a in col.aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)), col.name)
        example: object = 1 if col.dtype == "int" else ("是" if col.dtype == "bool" else "")
        unit = {"vehicles": "辆"}.get(col.unit, col.unit)
        meaning = col.description + ("; 是 = yes, empty = no" if col.dtype == "bool" else "")
        cols.append(TemplateColumn(header, col.name, meaning, unit, False, example))
    return (*cols, _LON, _LAT)


def _explain(columns: tuple[TemplateColumn, ...], what: str) -> pd.DataFrame:
    return pd.DataFrame({
        "列名": [c.header for c in columns],
        "含义 meaning": [c.meaning for c in columns],
        "单位 unit": [c.unit for c in columns],
        "必填 required": ["是" if c.required else "否" for c in columns],
        "示例 example": [c.example for c in columns],
        "说明 table": [what] + [""] * (len(columns) - 1),
    })


def _write_xlsx(path: Path, sheet: str, columns: tuple[TemplateColumn, ...], what: str) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame(columns=[c.header for c in columns]).to_excel(xl, sheet_name=sheet, index=False)
        _explain(columns, what).to_excel(xl, sheet_name="说明", index=False)
        for ws in xl.book.worksheets:
            for k in range(1, 7):
                ws.column_dimensions[chr(64 + k)].width = 16 if ws.title != "说明" else 28


def _empty_layer(path: Path, layer: str, columns: tuple[TemplateColumn, ...], geometry_type: str) -> None:
    data = {c.header: pd.Series([], dtype=float if c.unit == "km/h" else object) for c in columns}
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", geometry_type=geometry_type)


def _columns_map(columns: tuple[TemplateColumn, ...]) -> str:
    pairs = [f"{c.canonical}: {c.header}" for c in columns if c.canonical is not None]
    return "{" + ", ".join(pairs) + "}"


def scenario_text(stock: tuple[ColumnSchema, ...]) -> str:
    """The template scenario: every template file with its column map and datum."""
    fac = facility_columns(stock)
    return f"""\
# 情景文件模板 · Scenario template written by `healthplan template`. Fill the tables, then run
#   python -m healthplan check scenario.yaml
#   python -m healthplan run scenario.yaml --out 结果
# Coordinates copied from 高德/腾讯 are GCJ-02 (datum: gcj02), from 百度 BD-09 (datum: bd09), from GPS or
# 天地图 WGS-84 (datum: wgs84). Every key is explained in scenarios/KEYS.md.
name: my-county
title: 某某县急救、发热诊疗、采血点与医疗次中心布局规划
inputs:
  township_seats: {{path: 乡镇驻地.xlsx, sheet: 乡镇驻地, datum: gcj02, columns: {_columns_map(SEATS)}}}
  census: {{path: 乡镇人口.xlsx, sheet: 乡镇人口, columns: {_columns_map(CENSUS)}}}
  facilities: {{path: 医疗机构.xlsx, sheet: 医疗机构, datum: gcj02, columns: {_columns_map(fac)}}}
  candidates: {{path: 候选点.xlsx, sheet: 候选点, datum: gcj02, columns: {_columns_map(CANDIDATES)}}}
  boundary: {{path: 县界与道路.gpkg, layer: 县界}}
  roads: {{path: 县界与道路.gpkg, layer: 道路, columns: {_columns_map(ROADS)}}}
  # population_raster: {{path: 人口栅格.tif, mode: grid, grid_m: 1000}}   # a WorldPop GeoTIFF, if you have one
travel:
  method: roads
  speed_column: speed_kph
budget_wan: 3000
plan_year: 2025
report:
  county: 某某县
"""


GUIDE = """\
# 填表说明

1. `乡镇驻地.xlsx`：每个乡镇（街道）一行：乡镇代码（9位）、名称、驻地经纬度。坐标可在高德地图拾取（GCJ-02，
   scenario.yaml 中已写 `datum: gcj02`）；若用百度地图拾取，改为 `datum: bd09`；若为 GPS 或天地图坐标，改为 `wgs84`。
2. `乡镇人口.xlsx`：统计公报或七普的乡镇人口表，可直接粘贴：乡镇代码或名称、常住人口，城镇人口可不填。
   名称写法可不同（“花桥”与“花桥镇”、全角字符均可匹配），对不上的会一次全部列出。
3. `医疗机构.xlsx`：现有医院、卫生院、社区卫生服务中心，每个机构一行；级别写中文（县人民医院、中医院、中心卫生院、
   卫生院、社区卫生服务中心……）；救护车填辆数，发热门诊等填“是”或留空。
4. `候选点.xlsx`：可新建站点的位置（没有可删除 scenario.yaml 中 candidates 一行）。
5. `县界与道路.gpkg`：用 QGIS 打开，在“县界”图层画出县界，在“道路”图层画出道路（或删除 roads 一行，改用
   OpenStreetMap 数据：`roads: 道路.osm.pbf`）。道路在交叉处共用一个节点即视为相连。
6. 每个表的“说明”工作表解释各列的含义和单位。

填好后运行 `python -m healthplan check scenario.yaml`，按提示修改直到“检查通过”。
"""


def write_templates(folder: Path, stock: tuple[ColumnSchema, ...]) -> list[Path]:
    """Write the templates into ``folder`` (created); returns the paths written.

    Raises
    ------
    TemplateExistsError
        When any of the files already exists (nothing is written then).
    """
    folder = Path(folder)
    names = ["乡镇驻地.xlsx", "乡镇人口.xlsx", "医疗机构.xlsx", "候选点.xlsx", "县界与道路.gpkg", "scenario.yaml",
             "填表说明.md"]
    if folder.exists() and not folder.is_dir():
        raise TemplateExistsError(f"{folder} is a file — fix: give a folder for the templates")
    there = [n for n in names if (folder / n).exists()]
    if there:
        raise TemplateExistsError(f"{folder} already holds {', '.join(there)}; nothing was written — fix: give a new "
                                  "or empty folder (the files there may be filled in already)")
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / n for n in names]
    _write_xlsx(paths[0], "乡镇驻地", SEATS, "乡镇（街道）驻地")
    _write_xlsx(paths[1], "乡镇人口", CENSUS, "乡镇人口（普查或统计公报）")
    _write_xlsx(paths[2], "医疗机构", facility_columns(stock), "现有医疗卫生机构")
    _write_xlsx(paths[3], "候选点", CANDIDATES, "新建站点候选位置")
    _empty_layer(paths[4], "县界", BOUNDARY, "MultiPolygon")
    _empty_layer(paths[4], "道路", ROADS, "LineString")
    paths[5].write_text(scenario_text(stock), encoding="utf-8")
    paths[6].write_text(GUIDE, encoding="utf-8")
    return paths
