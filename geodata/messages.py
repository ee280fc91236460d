"""The texts of the input checks, in Chinese and English: one catalogue, looked up by code.

Every message a planner meets about their input files (missing or unknown columns, values that are not
numbers, duplicate ids, coordinates in the wrong CRS, unreadable files, places no road reaches, OD matrix
problems …) is a template here, ``code → (中文, English)``. The checks build a message with both languages,
``say("value.not_number", column="population", unit=…, value="abc")``, and the CLI prints the planner's
language (``--lang``, Chinese by default). File names, ids, column names and values are the user's own and stay
as written in both languages.
"""

from __future__ import annotations

import re
from typing import Any

from healthplan.geodata.text import Text, is_en

# code → (Chinese, English); str.format fields, the same in both.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- problem lines (errors.py) ---
    "input.n_errors": ("{n} 个输入错误：", "{n} input error{s}:"),
    "input.invalid": ("输入无效", "invalid input"),
    "rows.more": ("……另有 {rest} 行有同样的问题（{more}{ell}）：{last}",
                  "… and {rest} more rows with the same problem ({more}{ell}): {last}"),
    # --- files and layers (readers.py, excel.py) ---
    "file.osm_not_roads": ("OpenStreetMap 数据只能作为道路图层，不能作为{layer}",
                           "an OpenStreetMap extract can only be the roads layer, not {kind}"),
    "file.osm_not_roads.fix": ("将 inputs.{kind} 提供为 GeoPackage、Shapefile、CSV 或 XLSX 文件",
                               "give inputs.{kind} as a GeoPackage, Shapefile, CSV or XLSX file"),
    "file.xls": ("无法读取旧版 Excel 文件（.xls）", "an old-style Excel file (.xls) cannot be read"),
    "file.xls.fix": ("在 Excel 或 WPS 中打开并另存为 .xlsx（Excel 工作簿），再让情景文件指向它",
                     "open it in Excel or WPS and save it as .xlsx (Excel 工作簿), then point the scenario at it"),
    "file.empty": ("{layer}文件是空的（0 字节）", "the {kind} file is empty (0 bytes)"),
    "file.empty.fix_csv": ("重新导出表格，并带上表头行（{header} …）",
                           "export the table again with its header row ({header} …)"),
    "file.empty.fix": ("重新导出该图层", "export the layer again"),
    "file.no_header": ("{layer}文件是空的：没有表头行", "the {kind} file is empty: it has no header row"),
    "file.sheet": ("工作簿{detail}", "the workbook {detail}"),
    "file.sheet.fix": ("将 inputs.{kind}.sheet 设为工作表的名称或序号", "set inputs.{kind}.sheet to the sheet's name or number"),
    "file.sheet.number": ("没有第 {sheet} 个工作表；共有 {n} 个工作表：{names}",
                          "has no sheet number {sheet}; it has {n} sheet(s): {names}"),
    "file.sheet.name": ("没有名为 {sheet!r} 的工作表{hint}；工作表：{names}", "has no sheet {sheet!r}{hint}; sheets: {names}"),
    "file.did_you_mean": ("（是否想写 {guess!r}？）", " (did you mean {guess!r}?)"),
    "file.bad_xlsx": ("无法读取{layer}工作簿：它不是完整的 .xlsx 文件（{detail}）",
                      "cannot read the {kind} workbook: it is not an intact .xlsx file ({detail})"),
    "file.bad_xlsx.fix": ("在 Excel 或 WPS 中打开并重新另存为 .xlsx（Excel 工作簿）",
                          "open it in Excel or WPS and save it again as .xlsx (Excel 工作簿)"),
    "file.unreadable": ("无法读取{layer}文件：{detail}", "cannot read the {kind} file: {detail}"),
    "file.unreadable.fix": ("确认文件是 GeoPackage、Shapefile、GeoJSON、FlatGeobuf、CSV、XLSX 或 Parquet 文件，且没有被其他程序打开",
                            "check that the file is a GeoPackage, Shapefile, GeoJSON, FlatGeobuf, CSV, XLSX or "
                            "Parquet file and is not open in another program"),
    "file.not_read": ("无法读取该文件", "could not be read"),
    "file.missing": ("{layer}文件不存在", "the {kind} file does not exist"),
    "file.missing.fix": ("检查情景文件中的 inputs.{kind}.path（相对路径从情景文件所在文件夹算起）",
                         "check inputs.{kind}.path in the scenario (relative paths start from the scenario file's "
                         "folder)"),
    "file.missing.similar": ("；{folder} 中相似的文件：{names}", "; similar files in {folder}: {names}"),
    "file.missing.no_folder": ("；文件夹 {folder} 也不存在", "; the folder {folder} does not exist either"),
    "layer.unknown": ("没有图层 {layer!r}；文件中的图层：{layers}", "has no layer {layer!r}; layers in the file: {layers}"),
    "layer.unknown.fix": ("将 inputs.{kind}.layer 设为以下之一：{layers}", "set inputs.{kind}.layer to one of: {layers}"),
    "layer.ambiguous": ("包含多个图层（{layers}），但没有一个叫 {names}",
                        "holds several layers ({layers}) and none is called {names}"),
    "layer.ambiguous.fix": ("将 inputs.{kind}.layer 设为{what}图层", "set inputs.{kind}.layer to the {kind} layer"),
    "layer.no_geometry": ("{what}图层{name}没有几何：它是普通表格，{what}必须是{shape}",
                          "the {kind} layer{name} has no geometry: it is a plain table, the {kind} must be {shape}"),
    "layer.no_geometry.fix": ("以{shape}给出{what}", "give the {kind} as {shape}"),
    "shape.point": ("点", "points"),
    "shape.polygon": ("面", "polygons"),
    "shape.line": ("线", "lines"),
    "crs.file_differs": ("文件自身的坐标系（{crs}）与 inputs.{kind}.crs（{given}）不同；使用文件自身的坐标系",
                         "the file's own CRS ({crs}) differs from inputs.{kind}.crs ({given}); the file's CRS is "
                         "used"),
    "crs.file_differs.fix": ("删除 inputs.{kind}.crs（它只用于不带坐标系的文件）",
                             "remove inputs.{kind}.crs (it only applies to files that carry no CRS)"),
    "crs.missing": ("{layer}图层没有坐标参考系（CRS）（缺少 .prj 的 Shapefile，或投影 x/y 的 CSV）",
                    "the {kind} layer has no coordinate reference system (CRS) (a Shapefile without .prj, or a CSV "
                    "of projected x/y)"),
    "crs.missing.fix": ("在情景文件中写出文件的坐标系，例如经纬度写 inputs.{kind}.crs: 'EPSG:4326'，"
                        "CGCS2000 / 3 度带高斯-克吕格 中央经线 114E 写 'EPSG:4547'",
                        "write the file's CRS in the scenario, e.g. inputs.{kind}.crs: 'EPSG:4326' for lon/lat or "
                        "'EPSG:4547' for CGCS2000 / 3-degree Gauss-Kruger CM 114E"),
    "crs.unknown": ("inputs.{kind}.crs {given!r} 不是 pyproj 认识的坐标系", "inputs.{kind}.crs {given!r} is not a CRS pyproj knows"),
    "crs.unknown.fix": ("写成 'EPSG:<代码>'（例如 'EPSG:4326'；CGCS2000 经纬度为 'EPSG:4490'）",
                        "write it as 'EPSG:<code>' (e.g. 'EPSG:4326', 'EPSG:4490' for CGCS2000 lon/lat)"),
    "crs.not_horizontal": ("{by}给出的坐标系（{crs}，{type} 类型）既不是经纬度也不是地图投影",
                           "the CRS given by {by} ({crs}, a {type} CRS) is neither longitude/latitude nor a map "
                           "projection"),
    "crs.by_file": ("文件", "the file"),
    "crs.not_horizontal.fix": ("给出图层的平面坐标系，例如经纬度用 'EPSG:4326' 或 'EPSG:4490'，"
                               "CGCS2000 / 3 度带高斯-克吕格 中央经线 114E 用 'EPSG:4547'",
                               "give the layer's horizontal CRS, e.g. 'EPSG:4326' or 'EPSG:4490' for lon/lat, "
                               "'EPSG:4547' for CGCS2000 / 3-degree Gauss-Kruger CM 114E"),
    "csv.no_coordinates": ("{layer} CSV 没有坐标列（{lon!r}, {lat!r}）；现有列：{columns}",
                           "the {kind} CSV has no coordinate columns ({lon!r}, {lat!r}); columns present: {columns}"),
    "csv.no_coordinates.fix": ("将 inputs.{kind}.lon / .lat 设为坐标列（或映射一个“经度,纬度”列："
                               "inputs.{kind}.columns: {{lonlat: <列名>}}），或改用 GeoPackage",
                               "set inputs.{kind}.lon / .lat to the coordinate columns (or map one '经度,纬度' "
                               "column: inputs.{kind}.columns: {{lonlat: <column>}}), or give a GeoPackage"),
    "csv.lat_first": ("{layer}的列 {column!r} 写的是“纬度,经度”（纬度在前，腾讯坐标拾取器就是这样复制的）；已按此读取",
                      "the {kind} column {column!r} holds latitude,longitude (latitude first, as 腾讯's coordinate "
                      "picker copies it); read as such"),
    "csv.lat_first.fix": ("如果这些点在地图上的位置正确，无需处理", "nothing to do if the points land where they should on the map"),
    "osm.unreadable": ("无法读取 OpenStreetMap 数据：{detail}", "cannot read the OpenStreetMap extract: {detail}"),
    "osm.unreadable.fix": ("重新导出为 .osm.pbf 或 .osm（XML），例如从 Geofabrik/BBBike 下载后用 osmium extract 裁剪",
                           "export the extract again as .osm.pbf or .osm (XML), e.g. from a Geofabrik/BBBike "
                           "download clipped with osmium extract"),
    "osm.no_roads": ("OpenStreetMap 数据中没有道路（没有 highway=* 取值为 {classes} 之一的 way）",
                     "the OpenStreetMap extract holds no road (no way whose highway=* value is one of {classes})"),
    "osm.no_roads.fix": ("确认数据覆盖本县，或将其 highway 取值加入 travel.osm_classes",
                         "check the extract covers the county, or add its highway values to travel.osm_classes"),
    "datum.not_lonlat": ("inputs.{kind}.datum 为 {datum!r}，但图层不是经纬度（{crs}）；GCJ-02 和 BD-09 是经纬度基准",
                         "inputs.{kind}.datum is {datum!r}, but the layer is not in longitude/latitude ({crs}); "
                         "GCJ-02 and BD-09 are longitude/latitude datums"),
    "datum.no_crs": ("无坐标系", "no CRS"),
    "datum.not_lonlat.fix": ("删除 inputs.{kind}.datum（投影坐标不是 GCJ-02），或给出地图服务提供的经纬度",
                             "remove inputs.{kind}.datum (projected coordinates are not GCJ-02), or give the layer "
                             "in the lon/lat the map service gave"),
    "datum.outside_china": ("{n} / {total} 个坐标位于中国境外，那里 {datum} 与 WGS-84 相同；这些坐标未作改动",
                            "{n} of {total} coordinates lie outside China, where {datum} equals WGS-84; they are "
                            "not moved"),
    "datum.outside_china.fix": ("检查 inputs.{kind}.datum，并确认经度和纬度没有写反",
                                "check inputs.{kind}.datum and that longitude and latitude are not swapped"),
    "header.twice": ("表头中列 {name!r} 出现两次（第 {a} 列和第 {b} 列，去掉名称前后的空格后）",
                     "the header has the column {name!r} twice (columns {a} and {b}, once spaces around the names "
                     "are removed)"),
    "header.twice.fix": ("重命名或删除两列中的一列", "rename or delete one of the two columns"),
    "header.repeated": ("表头中列 {name!r} 出现不止一次；读取第一列，重复的列读作 {repeat!r}",
                        "the header has the column {name!r} more than once; the first is read, the repeat is read "
                        "as {repeat!r}"),
    "header.repeated.fix": ("删除或重命名重复的列", "delete or rename the repeated column"),
    "header.empty_columns": ("删除了 {n} 个没有表头的空列（Excel 会在最后一列之后留下空列）",
                             "{n} empty column{s} without a header dropped (Excel leaves them after the last column)"),
    "header.empty_columns.fix": ("无需处理；在表格中删除这些空列即可消除此提示",
                                 "nothing to do; delete the empty columns in the spreadsheet to silence this note"),
    "rows.empty": ("删除了 {n} 个空行（第 {shown} 行）", "{n} empty row{s} dropped ({rows} {shown})"),
    "rows.empty.fix": ("无需处理；在表格中删除这些空行即可消除此提示",
                       "nothing to do; delete the empty rows in the spreadsheet to silence this note"),
    "columns.unknown_canonical": ("inputs.{kind}.columns 中有未知的标准列名 {key!r}{hint}",
                                  "inputs.{kind}.columns has an unknown canonical name {key!r}{hint}"),
    "columns.unknown_canonical.fix": ("左侧请使用标准列名：{names}", "use the canonical names on the left: {names}"),
    "columns.mapped_missing": ("列 {wanted!r}（由 {canon!r} 映射）不在{layer}文件中{hint}；现有列：{columns}",
                               "column {wanted!r} (mapped from {canon!r}) is not in the {kind} file{hint}; columns "
                               "present: {columns}"),
    "columns.mapped_missing.fix": ("更正 inputs.{kind}.columns.{canon}", "correct inputs.{kind}.columns.{canon}"),
    "columns.missing": ("{layer}图层没有 {canon!r} 列（{description}）；现有列：{columns}",
                        "the {kind} layer has no {canon!r} column ({description}); columns present: {columns}"),
    "columns.missing.fix": ("添加该列，或在情景文件中映射：inputs.{kind}.columns: {{{canon}: <文件中的列名>}}",
                            "add the column, or map it in the scenario: inputs.{kind}.columns: {{{canon}: <column "
                            "in the file>}}"),
    "columns.also_named": ("也可用列名：{aliases}", "also accepted: {aliases}"),
    # --- assembling the inputs (load.py) ---
    "load.sites_and_facilities": ("同时给出了 inputs.facilities 和 inputs.sites；忽略 sites",
                                  "both inputs.facilities and inputs.sites are given; sites is ignored"),
    "load.sites_and_facilities.fix": ("机构只给一次（sites 是 facilities 在纯 CSV 中的别名）",
                                      "give the facilities once (sites is the plain-CSV alias of facilities)"),
    "load.no_demand": ("没有需求：inputs.demand、inputs.townships、inputs.township_seats 都没有给出",
                       "no demand: none of inputs.demand, inputs.townships, inputs.township_seats is given"),
    "load.no_demand.fix": ("添加 inputs.demand（带人口的村）、inputs.townships（带人口的乡镇面）或 inputs.township_seats"
                           "（带人口或普查表的乡镇驻地点）",
                           "add inputs.demand (villages with population), inputs.townships (polygons with "
                           "population) or inputs.township_seats (seat points with population or a census table)"),
    "load.no_sites": ("没有站点：inputs.facilities、inputs.sites、inputs.candidates 都没有给出",
                      "no sites: none of inputs.facilities, inputs.sites, inputs.candidates is given"),
    "load.no_sites.fix": ("添加 inputs.facilities（现有机构）和/或 inputs.candidates（候选点）",
                          "add inputs.facilities (existing facilities) and/or inputs.candidates"),
    "load.layer_no_rows": ("{layer}图层没有数据行", "the {kind} layer has no rows"),
    "load.layer_no_rows.fix": ("填入数据（每个{unit}一行），或从情景文件中删除 inputs.{kind}",
                               "fill it in (one row per {unit_en}), or remove inputs.{kind} from the scenario"),
    "load.census_alone": ("给出了人口普查表，但没有可以与之关联的图层", "a census table is given but nothing to join it to"),
    "load.census_alone.fix": ("添加编码或名称相同的 inputs.townships（乡镇面）或 inputs.township_seats（乡镇驻地点）",
                              "add inputs.townships (polygons) or inputs.township_seats (seat points) with the same "
                              "codes or names"),
    "load.seats_unused": ("未使用乡镇驻地：乡镇由乡镇面（inputs.townships）给出",
                          "township seats are not used: the township polygons (inputs.townships) give the townships"),
    "load.seats_unused.fix": ("删除 inputs.township_seats；或删除 inputs.townships 以使用驻地",
                              "remove inputs.township_seats, or inputs.townships to use the seats"),
    "load.layer_empty.demand": ("没有需求点：图层是空的", "there are no demand points: the layer is empty"),
    "load.layer_empty.sites": ("没有站点：图层是空的", "there are no sites: the layer is empty"),
    "load.layer_empty.fix": ("检查 inputs.{kind}（文件对吗？图层对吗？）", "check inputs.{kind} (right file, right layer?)"),
    "load.population_zero": ("{n:,} 个需求点的总人口为 0：没有需要规划服务的人",
                             "the total population of the {n:,} demand points is 0: there is nobody to plan for"),
    "load.population_zero.fix": ("填写 inputs.{kind} 的人口列（人），或映射正确的列：inputs.{kind}.columns: {{population: 人口}}",
                                 "fill the population column of inputs.{kind} (persons), or map the right column: "
                                 "inputs.{kind}.columns: {{population: 人口}}"),
    "load.population_country": ("需求点的总人口为 {total:,}：超过了全国人口（2020 年人口普查为 14.1 亿）",
                                "the total population of the demand points is {total:,}: more than China's (1.41 "
                                "billion in the 2020 census)"),
    "load.population_country.fix": ("更正人口列（单位写错了吗？）", "correct the population column (a unit mistake?)"),
    "load.method_od": ("travel.method 为 'od'，但没有给出 OD 矩阵", "travel.method is 'od' but no OD matrix is given"),
    "load.method_od.fix": ("添加 inputs.travel_times（site_id, demand_id, minutes），或选择其他 travel.method",
                           "add inputs.travel_times (site_id, demand_id, minutes) or choose another travel.method"),
    "load.method_roads": ("travel.method 为 'roads'，但没有给出道路图层", "travel.method is 'roads' but no roads layer is given"),
    "load.method_roads.fix": ("添加 inputs.roads，或将 travel.method 设为 'straight' 或 'auto'",
                              "add inputs.roads or choose travel.method 'straight' or 'auto'"),
    "load.urban_missing": ("{n} 个需求点没有城乡标记（第一个：{first}），且没有乡镇给出标记；按农村处理",
                           "{n} demand points have no urban/rural flag (first: {first}) and no township "
                           "gives one; treated as rural"),
    "load.urban_missing.fix": ("给出列 {column!r}（1 = 城市，0 = 农村），或带 urban/kind 的乡镇",
                               "give column {column!r} (1 = urban, 0 = rural), or townships with urban/kind"),
    "load.why.no_demand": ("没有需求点图层，因此每个乡镇的人口就是其需求",
                           "there is no demand layer, so each township's population is its demand"),
    "load.why.villages": ("人口栅格要把它分配给各村", "the population raster shares it among the villages"),
    "load.why.grid": ("人口栅格要把它分布到网格上", "the population raster spreads it over a grid"),
    "load.town_no_population": ("乡镇必须带有人口（{why}），但该图层没有人口列",
                                "the townships must carry a population ({why}), but the layer has no "
                                "population column"),
    "load.town_no_population.fix": ("为乡镇添加人口列（或映射：inputs.townships.columns: {{population: 人口}}），给出 "
                                    "inputs.census（乡镇人口表），或给出 inputs.demand",
                                    "add a population column to the townships (or map it: "
                                    "inputs.townships.columns: {{population: 人口}}), give inputs.census "
                                    "(乡镇人口 table), or give inputs.demand"),
    "load.town_population_missing": ("人口为空（{why}）", "population is missing ({why})"),
    "load.town_population_missing.fix": ("填写该乡镇的人口", "fill the township's population"),
    "load.raster_grid_with_demand": ("inputs.population_raster.mode 为 grid（网格需求点），但给出了需求点图层",
                                     "inputs.population_raster.mode is grid (demand points on a grid), but "
                                     "a demand layer is given"),
    "load.raster_grid_with_demand.fix": ("网格需求点请删除 inputs.demand，或设 mode: villages",
                                         "remove inputs.demand for grid demand points, or set mode: "
                                         "villages"),
    "load.raster_unused": ("未使用人口栅格：需求点图层 {file} 给出了每个村的人口",
                           "the population raster is not used: the demand layer {file} gives each village's "
                           "population"),
    "load.raster_unused.fix": ("删除 inputs.population_raster，或设其 mode: villages 以按栅格分配乡镇总数",
                               "remove inputs.population_raster, or set its mode: villages to share the "
                               "township totals by the raster instead"),
    "load.raster_needs_polygons": ("人口栅格把每个乡镇的人口分配给其各村，因此需要乡镇面和村点",
                                   "the population raster shares each township's population among its "
                                   "villages, so it needs township polygons and village points"),
    "load.raster_needs_polygons.fix": ("添加带人口的 inputs.townships（或 inputs.township_seats），并给出村的坐标",
                                       "add inputs.townships (or inputs.township_seats) with population, "
                                       "and give the villages coordinates"),
    "load.raster_replaces": ("各村自身的人口被人口栅格分配的乡镇总数取代（inputs.population_raster.mode: villages）",
                             "the villages' own populations are replaced by the township totals shared by "
                             "the population raster (inputs.population_raster.mode: villages)"),
    "load.raster_replaces.fix": ("设 mode: auto 以保留各村自身的数字",
                                 "set mode: auto to keep the villages' own figures"),
    "load.raster_villages_no_demand": ("inputs.population_raster.mode 为 villages，但没有给出需求点图层（村）",
                                       "inputs.population_raster.mode is villages, but no demand layer "
                                       "(villages) is given"),
    "load.raster_villages_no_demand.fix": ("添加 inputs.demand（村点），或设 mode: grid",
                                           "add inputs.demand (village points), or set mode: grid"),
    "load.what.demand_point": ("需求点", "demand point"),
    "load.what.candidate_site": ("候选点", "candidate site"),
    "load.what.facility": ("机构", "facility"),
    "load.what.site": ("站点", "site"),
    "load.town_urban_unknown": ("乡镇的城乡标记为空，且其类型不是街道/镇/乡；按农村处理",
                                "the township's urban flag is missing and its kind is not 街道/镇/乡; treated "
                                "as rural"),
    "load.town_urban_unknown.fix": ("填写 urban 列（1/0）或类型（街道/镇/乡）", "fill the urban column (1/0) or the kind "
                                    "(街道/镇/乡)"),
    "load.town_id_unknown": ("乡镇编号 {town!r} 不在乡镇图层中{also}",
                             "township id {town!r} is not among the townships{also}"),
    "load.town_id_unknown.also": ("（另有 {n} 个{what}：{ids}{ell}）", " (also {n} more {what}s: {ids}{ell})"),
    "load.town_id_unknown.fix": ("在列 {column!r} 中使用乡镇图层的编号（{sample}）",
                                 "use an id of the townships layer ({sample}) in column {column!r}"),
    "load.outside_towns.used": ("该{what}不在任何乡镇范围内；使用最近的乡镇 {town}（相距 {km:.1f} 千米）",
                                "the {what} lies outside every township; nearest township {town} ({km:.1f} "
                                "km away) used"),
    "load.outside_towns.kept": ("该{what}不在任何乡镇范围内（最近的是 {town}，相距 {km:.1f} 千米）；保留文件中的乡镇 {own!r}",
                                "the {what} lies outside every township (nearest {town}, {km:.1f} km); its "
                                "township {own!r} from the file is kept"),
    "load.outside_towns.fix": ("检查其坐标，或乡镇边界", "check its coordinates, or the township boundaries"),
    "load.town_sum_far": ("乡镇人口 {town:,} 与 {file} 中其需求点人口之和（{sum:,} "
                          "人）相差{factor}：单位写错了（万人或千人当作人？）、列不对，或该乡镇缺少需求点",
                          "the township's population {town:,} and the sum of its demand points in {file} "
                          "({sum:,} persons) differ by {factor}: a unit mistake (万人 or 千人 for persons?), a "
                          "wrong column, or demand points missing from the township"),
    "load.town_sum_far.fix": ("更正这些数字（有需求点图层时，乡镇人口只用于此项核对：如果该列是别的内容，请在乡镇文件中重命名该列）",
                              "correct the figures (with a demand layer the township population is only "
                              "this cross-check: if the column holds something else, rename it in the "
                              "townships file)"),
    "load.factor": (" {factor:,.0f} 倍", "a factor of {factor:,.0f}"),
    "load.factor.all": ("全部（一方为 0）", "all of it (one side is 0)"),
    "load.town_sum_near": ("该乡镇的需求点人口之和为 {sum:,} 人，乡镇给出的是 {town:,}（{diff:+.1%}）",
                           "the demand points of this township sum to {sum:,} persons, the township says "
                           "{town:,} ({diff:+.1%})"),
    "load.town_sum_near.fix": ("核对人口（使用需求点的数字）",
                               "check the populations (the demand points' figures are used)"),
    "load.site_id_twice": ("该站点编号同时被现有机构和候选点使用",
                           "the site id is used both by a facility and by a candidate site"),
    "load.site_id_twice.fix": ("站点编号在现有机构和候选点之间必须唯一：重命名候选点",
                               "site ids must be unique across facilities and candidates: rename the "
                               "candidate"),
    "load.no_coordinates": ("该{what}没有坐标，因此无法按 {method} 计算到它的通行时间",
                            "the {what} has no coordinates, so travel times by {method} cannot reach it"),
    "load.no_coordinates.fix": ("为每一行给出经纬度列，或提供 OD 矩阵（inputs.travel_times）",
                                "give lon/lat columns for every row, or supply an OD matrix "
                                "(inputs.travel_times)"),
    # --- township areas from their seats (partition.py) ---
    "seats.same_place": ("两个乡镇驻地在同一位置，因此都没有自己的乡镇范围",
                         "two township seats are at the same place, so neither has a township area of its "
                         "own"),
    "seats.same_place.fix": ("更正坐标（每个乡镇有自己的驻地）", "correct the coordinates (each township has its own seat)"),
    "seats.outside_all": ("乡镇驻地位于县界（{boundary}）之外，其范围没有任何部分在县界之内",
                          "the township seat lies outside the county boundary ({boundary}) and no part of "
                          "its area is inside it"),
    "seats.outside_all.fix": ("检查驻地的坐标和坐标基准（高德/腾讯写 inputs.township_seats.datum: gcj02，百度写 bd09），或县界",
                              "check the seat's coordinates and datum (inputs.township_seats.datum: gcj02 "
                              "for 高德/腾讯, bd09 for 百度), or the boundary"),
    "seats.outside": ("乡镇驻地位于县界之外；其近似范围取其单元在县界之内的部分",
                      "the township seat lies outside the county boundary; its approximate area is the "
                      "part of its cell inside the boundary"),
    "seats.outside.fix": ("检查驻地的坐标和坐标基准", "check the seat's coordinates and datum"),
    "load.not_assembled": ("无法组装输入数据", "the inputs could not be assembled"),
    # --- travel times (travel_times.py) ---
    "travel.cutoff": ("通行时间上限必须是正的分钟数，实际为 {value!r}",
                      "the travel-time cutoff must be a positive number of minutes, got {value!r}"),
    "travel.cutoff.fix": ("设 travel.cutoff_minutes > 0，或给出正的时间标准",
                          "set travel.cutoff_minutes > 0 or give positive time standards"),
    "travel.method_od": ("travel.method 为 'od'，但没有给出 OD 矩阵",
                         "travel.method is 'od' but no OD matrix was given"),
    "travel.method_od.fix": ("添加 inputs.travel_times（site_id, demand_id, minutes），或选择其他 travel.method",
                             "add inputs.travel_times (site_id, demand_id, minutes) or choose another "
                             "travel.method"),
    "travel.method_roads": ("travel.method 为 'roads'，但没有给出道路图层",
                            "travel.method is 'roads' but no roads layer was given"),
    "travel.method_roads.fix": ("添加 inputs.roads，或将 travel.method 设为 'straight' 或 'auto'",
                                "add inputs.roads or choose travel.method 'straight' or 'auto'"),
    "travel.method_unknown": ("未知的 travel.method {method!r}", "unknown travel.method {method!r}"),
    "travel.method_unknown.fix": ("使用 auto、roads、od 或 straight", "use auto, roads, od or straight"),
    "travel.cache_unwritable": ("无法写入通行时间缓存（{detail}）；通行时间已照常计算",
                                "the travel-time cache could not be written ({detail}); times were "
                                "computed anyway"),
    "travel.cache_unwritable.fix": ("让缓存文件夹可写、释放磁盘空间，或将 travel.cache_dir 设到别处",
                                    "make the cache folder writable, free disk space, or set "
                                    "travel.cache_dir elsewhere"),
    "travel.cache_rejected": ("通行时间缓存条目被拒绝，已重新计算通行时间：{detail}",
                              "the travel-time cache entry was rejected and the times were recomputed: "
                              "{detail}"),
    "travel.cache_rejected.fix": ("无需处理（该条目已被替换）；`healthplan cache clear` 可清空缓存",
                                  "nothing to do (the entry has been replaced); `healthplan cache clear` "
                                  "empties the cache"),
    "travel.network_note": ("道路网：{nodes:,} 个节点，{n:,} 个互不连通的部分；主网之外的部分上有 {points:,} 个需求点、{persons:,} 人",
                            "road network: {nodes:,} nodes in {n:,} connected piece(s); {points:,} demand "
                            "points with {persons:,} persons are nearest to a piece other than the main one"),
    "travel.od_unknown_ids": ("{n} 个 OD 点对中的站点或需求点编号不在实例中（第一个：站点 {site!r}，需求点 {demand!r}）；已忽略",
                              "{n} OD pair(s) name a site or demand id that is not in the instance (first: site "
                              "{site!r}, demand {demand!r}); ignored"),
    "travel.od_unknown_ids.fix": ("对照站点和需求点图层核对编号", "check the ids against the sites and demand layers"),
    "travel.od_no_pair": ("需求点 {id} 从任何站点都无法到达：OD 矩阵 {od} 中没有它的点对",
                          "demand point {id} cannot be reached from any site: the OD matrix {od} has no pair for it"),
    "travel.od_no_pair.fix": ("为它添加 OD 点对，或删除该点", "add OD pairs for it or remove the point"),
    "travel.no_xy": ("{what}没有 x/y 坐标", "the {what_en}s have no x/y coordinates"),
    "travel.no_xy.fix": ("给出坐标或 OD 矩阵", "give coordinates or an OD matrix"),
    "travel.point_no_xy": ("{what} {id} 没有坐标，因此无法按道路或距离计算通行时间",
                           "{what_en} {id} has no coordinates, so its travel time cannot be computed from roads or "
                           "distance"),
    "travel.point_no_xy.fix": ("给出它的位置（几何或经纬度），或提供 OD 通行时间矩阵",
                               "give its location (geometry or lon/lat) or supply an OD travel-time matrix"),
    "travel.off_network": ("{what} {id} 不在道路网上：距最近的道路节点 {dist:,.0f} 米（超过 travel.max_access_m = {max:,.0f} 米）；"
                           "以直线接入段 × {detour} 按 {speed} 千米/小时连到该节点",
                           "{what_en} {id} is off the road network: {dist:,.0f} m from the nearest road node (more "
                           "than travel.max_access_m = {max:,.0f} m); it is joined to that node by a straight "
                           "access leg × {detour} at {speed} km/h"),
    "travel.off_network.fix": ("添加为它服务的道路，或核对它的坐标", "add the road that serves it, or check its coordinates"),
    "travel.pieces": ("{points:,} 个需求点（{persons:,} 人，占 {share:.1%}）最近的道路段与主路网不连通（主网 {main:,} / "
                      "{nodes:,} 个节点；共 {n:,} 个部分）：它们的通行时间只用这一段道路计算",
                      "{points:,} demand points with {persons:,} persons ({share:.1%}) are nearest to a road piece "
                      "that is not connected to the main network ({main:,} of {nodes:,} nodes; {n:,} pieces in "
                      "all): their travel times use only that piece"),
    "travel.pieces.fix": ("检查道路在应相交处是否相连（travel.noding: vertices 在共享顶点处连接；travel.snap_tolerance_m "
                          "连接几乎相接的端点），或补上缺少的道路",
                          "check the roads meet where they should (travel.noding: vertices joins lines at shared "
                          "vertices; travel.snap_tolerance_m joins ends that nearly touch), or add the missing road"),
    "travel.unreachable": ("需求点 {id} 从任何站点都无法到达：它所在的道路与路网不连通",
                           "demand point {id} cannot be reached from any site: its road is not connected to the "
                           "network"),
    "travel.unreachable.fix": ("连接这条道路、添加 OD 点对，或删除该点", "connect the road, add an OD pair or remove the point"),
    "travel.site_isolated": ("站点 {id} 无法到达任何需求点：它所在的道路与需求点的道路不连通",
                             "site {id} cannot reach any demand point: its road is not connected to theirs"),
    "travel.site_isolated.fix": ("将它的道路连到路网，或核对它的坐标", "connect its road to the network or check its coordinates"),
    "what.demand": ("需求点", "demand point"),
    "what.site": ("站点", "site"),
    # --- population projection (projection.py) ---
    "projection.unknown_townships": ("population.by_township 中的 {names} 不在需求点所属的乡镇中",
                                     "population.by_township names {names}, not among the demand points' townships"),
    "projection.unknown_townships.fix": ("使用乡镇编号或名称：{known}", "use township ids or names: {known}"),
    # --- values (validate.py) ---
    "value.not_number": ("{column}{unit}不是数字：{value!r}", "{column}{unit} is not a number: {value!r}"),
    "value.not_number.fix": ("在列 {name!r} 中填写纯数字（不带单位或文字）",
                             "write a plain number in column {name!r} (no units or text)"),
    "value.nonfinite": ("{what}不是有限的数：{value!r}", "{what} is not a finite number: {value!r}"),
    "value.nonfinite.fix.required": ("在列 {name!r} 中填写纯数字；inf 和 nan 不是数值（请填写真实数值）",
                                     "write a plain number in column {name!r}; inf and nan are not values (fill "
                                     "in the real number)"),
    "value.nonfinite.fix.optional": ("在列 {name!r} 中填写纯数字；inf 和 nan 不是数值（未知时请留空）",
                                     "write a plain number in column {name!r}; inf and nan are not values "
                                     "(leave the cell empty where it is unknown)"),
    "value.missing": ("{column}{unit}为空", "{column}{unit} is missing"),
    "value.missing.fix": ("为每一行填写列 {name!r}（可以填 0）", "fill column {name!r} for every row (0 is allowed)"),
    "value.negative": ("{column}{unit}为负数：{value:g}", "{column}{unit} is negative: {value:g}"),
    "value.negative.fix": ("更正列 {name!r}；{column} 必须 ≥ {minimum:g}",
                           "correct column {name!r}; {column} must be ≥ {minimum:g}"),
    "value.non_integer": ("{layer}中有 {n} 行的{column}{unit}不是整数（第一个：{first} = {value:g}）；已四舍五入为整数",
                          "{n} {layer} rows have a non-integer {column}{unit} (first: {first} = {value:g}); "
                          "rounded to whole {units}"),
    "value.non_integer.fix": ("在列 {name!r} 中填写整数", "write whole numbers in column {name!r}"),
    "value.implausible": ("一行{layer}的{column}为 {value:,.0f}{unit}，不合理：超过 {maximum:,.0f}{why}",
                          "{column} {value:,.0f}{unit} is implausible for one {layer} row: more than "
                          "{maximum:,.0f}{why}"),
    "value.implausible.fix": ("更正列 {name!r}（是单位或录入错误吗？单位应为{units}）",
                              "correct column {name!r} (a unit or typing mistake? it must be in {units})"),
    "value.large": ("一行{layer}的{column}为 {value:,.0f}{unit}，异常偏大：超过 {maximum:,.0f}{why}",
                    "{column} {value:,.0f}{unit} is unusually large for one {layer} row: more than "
                    "{maximum:,.0f}{why}"),
    "value.large.fix": ("核对列 {name!r}；该值按原样使用", "check column {name!r}; the value is used as it is"),
    "value.not_bool": ("{column} 不是“是/否”值：{value!r}", "{column} is not a yes/no value: {value!r}"),
    "value.not_bool.fix": ("在列 {name!r} 中填写 1 或 0（也可写 true/false、是/否）",
                           "write 1 or 0 (also true/false, 是/否) in column {name!r}"),
    "level.unknown": ("未知的机构级别 {value!r}", "unknown facility level {value!r}"),
    "level.unknown.fix": ("请使用以下之一：{levels}（列 {name!r}）", "use one of: {levels} (in column {name!r})"),
    "level.missing": ("机构级别为空", "facility level is missing"),
    "level.missing.fix": ("填写列 {name!r}；可用的级别：{levels}", "fill column {name!r}; accepted: {levels}"),
    # --- ids ---
    "id.missing": ("编号为空", "the id is missing"),
    "id.missing.fix": ("在列 {name!r} 中为每一行填写唯一的编号", "give every row a unique id in column {name!r}"),
    "id.duplicate": ("编号重复：出现 {n} 次（{rows}）{how}", "duplicate id: it appears {n} times ({rows}){how}"),
    "id.duplicate.spaces": ("——去掉前后空格后相同：{forms}",
                            " — equal once the spaces around them are removed: {forms}"),
    "id.duplicate.fix": ("使列 {name!r} 中的编号互不相同", "make the ids in column {name!r} unique"),
    "id.spaces": ("{n} 个{what}前后带有空格，已去除（第一个：{at}{written!r} → {text!r}）",
                  "{n} {what} had spaces around them, which are removed (first: {at}{written!r} → {text!r})"),
    "id.spaces.fix": ("除非因此使两个编号相同，否则无需处理；在文件中去掉编号前后的空格即可消除此提示",
                      "nothing to do unless this makes two ids equal; trim the ids in the file to silence this "
                      "note"),
    "id.what.ids": ("编号", "ids"),
    "id.what.od_site": ("OD 矩阵中不同的站点编号", "distinct site ids of the OD matrix"),
    "id.what.od_demand": ("OD 矩阵中不同的需求点编号", "distinct demand ids of the OD matrix"),
    # --- geometry and coordinates ---
    "geom.coords_missing": ("坐标为空或不是数字（{columns}）", "missing or non-numeric coordinates ({columns})"),
    "geom.coords_missing.fix_pair": ("在列 {column!r} 中填写“经度,纬度”，例如 115.90,28.62",
                                     "write 'longitude,latitude' in column {column!r}, e.g. 115.90,28.62"),
    "geom.coords_missing.fix": ("在列 {lon!r} 和 {lat!r} 中填写数字", "fill columns {lon!r} and {lat!r} with numbers"),
    "geom.missing": ("几何为空", "the geometry is missing or empty"),
    "geom.fix.point": ("为每个要素给出一个点（面要素可在 QGIS 中用：矢量 ▸ 几何工具 ▸ 面内点）",
                       "give each feature a point (in QGIS: Vector ▸ Geometry ▸ Point on surface for polygons)"),
    "geom.fix.polygon": ("将乡镇边界绘制为面", "draw the township boundary as a polygon"),
    "geom.fix.line": ("为每条道路给出线（LineString）几何（拆分几何集合，删除点）",
                      "give each road a LineString geometry (explode collections, drop points)"),
    "geom.multipoint": ("几何是包含 {k} 个点的 MultiPoint；{layer}要素必须是一个点",
                        "the geometry is a MultiPoint of {k} points; a {layer} feature must be one point"),
    "geom.multipoint.fix": ("拆分为单点，每点有自己的编号（QGIS：矢量 ▸ 几何工具 ▸ 多部件转单部件），或只保留所需的点",
                            "split it into single points, each with its own id (QGIS: Vector ▸ Geometry ▸ "
                            "Multipart to Singleparts), or keep only the point meant"),
    "geom.wrong_type": ("几何类型为 {found}，应为 {expected}", "the geometry is a {found}, expected {expected}"),
    "geom.nonfinite": ("坐标不是有限的数（inf 或 nan）", "the coordinates are not finite numbers (inf or nan)"),
    "geom.nonfinite.fix": ("为该要素给出真实坐标，或删除该要素", "give the feature real coordinates, or delete it"),
    "geom.invalid": ("几何无效：{reason}", "invalid geometry: {reason}"),
    "geom.invalid.fix": ("修复几何（QGIS：矢量 ▸ 几何工具 ▸ 修复几何；或 shapely.make_valid）",
                         "repair it (QGIS: Vector ▸ Geometry ▸ Fix geometries; or shapely.make_valid)"),
    "crs.swapped": ("纬度 {lat:.4f} 超出 ±90°，而所有经度都在 ±90° 以内：经度和纬度似乎写反了",
                    "latitude {lat:.4f} is beyond ±90° while every longitude is within ±90°: longitude and latitude "
                    "look swapped"),
    "crs.swapped.fix_columns": ("交换两个坐标列（经度在前：x = 经度，y = 纬度）",
                                "swap the two coordinate columns (longitude first: x = lon, y = lat)"),
    "crs.swapped.fix_geometry": ("交换几何的 x 和 y（x = 经度，y = 纬度）",
                                 "swap x and y of the geometries (x = longitude, y = latitude)"),
    "crs.looks_projected": ("坐标超出经纬度范围（例如 {x:.1f}, {y:.1f}），而图层的坐标系是 {crs}：它们像是投影坐标（米）",
                            "coordinates are outside lon/lat range (e.g. {x:.1f}, {y:.1f}) although the layer's "
                            "CRS is {crs}: they look projected"),
    "crs.beyond_earth": ("坐标 ({x:.4g}, {y:.4g}) 以 {crs} 的米计超出了地球上任何地方",
                         "coordinates ({x:.4g}, {y:.4g}) are beyond any place on Earth in metres of {crs}"),
    "crs.beyond_earth.fix": ("更正坐标或坐标系", "correct the coordinates or the CRS"),
    "crs.looks_degrees": ("所有坐标都在 ±180 / ±90 以内（x {x0:.4g} … {x1:.4g}，y {y0:.4g} … {y1:.4g}），而图层的坐标系 "
                          "{crs} 是以米为单位的投影坐标系：它们像是经纬度（度）",
                          "every coordinate is within ±180 / ±90 (x {x0:.4g} … {x1:.4g}, y {y0:.4g} … {y1:.4g}) "
                          "although the layer's CRS {crs} is projected in metres: they look like "
                          "longitude/latitude degrees"),
    "crs.right.projected": ("投影坐标系，例如 'EPSG:4547'", "a projected CRS such as 'EPSG:4547'"),
    "crs.right.lonlat": ("经纬度用 'EPSG:4326' 或 'EPSG:4490'", "'EPSG:4326' or 'EPSG:4490' for lon/lat"),
    "crs.fix.file": ("文件本身声明的是 {crs}：请以其真实坐标系（{right}）重新保存（QGIS：图层 ▸ 设置图层坐标系，然后导出）",
                     "the file itself declares {crs}: save it again with its real CRS ({right}) (QGIS: Layer ▸ Set "
                     "CRS of layer, then export)"),
    "crs.fix.scenario": ("将 inputs.{kind}.crs 设为文件的真实坐标系（{right}）",
                         "set inputs.{kind}.crs to the file's real CRS ({right})"),
    # --- roads (validate.py) ---
    "roads.speed_column_missing": ("travel.speed_column {column!r} 不是道路图层的列（现有列：{columns}）",
                                   "travel.speed_column {column!r} is not a column of the roads layer (columns: "
                                   "{columns})"),
    "roads.speed_column_missing.fix": ("在 travel.speed_column 中写正确的列名，或删除它以使用道路等级速度",
                                       "name the right column in travel.speed_column, or remove it to use class "
                                       "speeds"),
    "roads.speed_what": ("速度（千米/小时）", "speed (km/h)"),
    "roads.speed_not_number.fix": ("以数字填写速度（千米/小时），或留空以使用道路等级速度",
                                   "write the speed in km/h as a number, or leave it empty to use the class speed"),
    "roads.speed_nonfinite.fix": ("以纯数字填写速度（千米/小时）；inf 和 nan 不是速度（留空则使用道路等级速度）",
                                  "write the speed in km/h as a plain number; inf and nan are not speeds (leave "
                                  "the cell empty to use the class speed)"),
    "roads.speed_nonpositive": ("速度为零或负数：{value:g} 千米/小时", "zero or negative speed: {value:g} km/h"),
    "roads.speed_nonpositive.fix": ("填写正的速度（千米/小时），或留空以使用道路等级速度（封闭的道路请从图层中删除）",
                                    "give a positive speed in km/h, or leave it empty to use the class speed "
                                    "(remove closed roads from the layer)"),
    "roads.no_class_column": ("{n} 条道路没有速度，且缺少道路等级列 {column!r}（第一条：{first}）",
                              "{n} roads have no speed and the class column {column!r} is missing (first: "
                              "{first})"),
    "roads.no_class_column.fix": ("在 travel.class_column 中写出等级列（或映射：inputs.roads.columns: {{class: <列名>}}），"
                                  "或为每条道路给出速度（travel.speed_column）",
                                  "name the class column in travel.class_column (or map it: inputs.roads.columns: "
                                  "{{class: <column>}}), or give every road a speed (travel.speed_column)"),
    "roads.class_unknown": ("道路等级 {value!r} 未知，且该道路没有速度",
                            "road class {value!r} is unknown and the road has no speed"),
    "roads.class_unknown.fix": ("使用已知的等级（{classes}），在 travel.speeds_kph 中添加该等级（千米/小时），或为该道路给出速度",
                                "use a known class ({classes}), add the class to travel.speeds_kph (km/h), or "
                                "give the road a speed"),
    "roads.class_speed_nonpositive": ("travel.speeds_kph 中该等级的速度为零或负数",
                                      "the class speed in travel.speeds_kph is zero or negative"),
    "roads.class_speed_nonpositive.fix": ("在 travel.speeds_kph 中为每个等级给出正的速度",
                                          "give every class a positive speed in travel.speeds_kph"),
    "roads.speed_implausible": ("速度 {value:g} 千米/小时不合理：比任何道路车辆都快（超过 {maximum:g} 千米/小时）",
                                "speed {value:g} km/h is implausible: faster than any vehicle on a road (over "
                                "{maximum:g} km/h)"),
    "roads.speed_implausible.fix": ("以千米/小时填写速度（不是米/分钟或米/秒）",
                                    "write the speed in km/h (not m/min or m/s)"),
    "roads.speed_fast": ("速度 {value:g} 千米/小时高于我国高速公路限速（120 千米/小时）",
                         "speed {value:g} km/h is above China's expressway limit (120 km/h)"),
    "roads.speed_fast.fix": ("核对速度；该值按原样使用", "check the speed; it is used as it is"),
    # --- the census table (census.py) ---
    "census.no_key": ("人口普查表既没有乡镇代码列，也没有乡镇名称列", "the census table has neither a township code nor a township "
                      "name column"),
    "census.no_key.fix": ("添加“乡镇代码”或“乡镇名称”列，或映射：inputs.census.columns: {{id: <代码列>, name: <名称列>}}",
                          "add 乡镇代码 or 乡镇名称, or map them: inputs.census.columns: {{id: <code column>, name: "
                          "<name column>}}"),
    "census.row_unmatched": ("人口普查表中的“{row}”按代码或名称都匹配不到 {file} 中的乡镇；最接近的：{nearest}",
                             "census row {row} matches no township in {file} by code or name; nearest: "
                             "{nearest}"),
    "census.row_unmatched.fix": ("写出乡镇的 9 位代码（乡镇代码），或按乡镇图层的写法写出名称；所有不匹配的行都在此一并列出",
                                 "write the township's 9-digit code (乡镇代码) or its name as the township layer "
                                 "writes it; every mismatch is listed here at once"),
    "census.town_unmatched": ("乡镇“{town}”在人口普查表 {file} 中没有对应的行；最接近的普查表名称：{nearest}",
                              "township {town} has no row in the census table {file}; nearest census "
                              "names: {nearest}"),
    "census.town_unmatched.fix": ("在人口普查表中添加该乡镇（代码或名称，以及常住人口）",
                                  "add the township to the census table (code or name and 常住人口)"),
    "census.none_left": ("没有剩余未匹配的", "none left unmatched"),
    "census.no_name": ("（无名称）", "(no name)"),
    "census.differs": ("图层自身的人口 {own:,} 与人口普查表的 {census:,} 不同；使用普查数",
                       "the layer's own population {own:,} differs from the census table's {census:,}; the "
                       "census figure is used"),
    "census.differs.fix": ("如果人口普查表是较新的来源，无需处理", "nothing to do if the census table is the newer source"),
    "census.urban_over": ("城镇人口大于常住人口", "城镇人口 (urban population) is larger than 常住人口 (resident population)"),
    "census.urban_over.fix": ("更正这两列（城镇人口是常住人口的一部分）", "correct the two columns (城镇人口 is part of 常住人口)"),
    "census.wan_ren": ("人口普查表以万人为单位（标题或表头如此写明）：{column} 的数字已乘以 10,000{example}",
                       "the census table counts in 万人 (10,000 persons), as its title or header says: "
                       "{column} figures multiplied by 10,000{example}"),
    "census.wan_ren.example": ("（例如 {a:g} → {b:,.0f} 人）", " (e.g. {a:g} → {b:,.0f} persons)"),
    "census.wan_ren.fix": ("无需处理；如需精确数字请以“人”为单位填写", "nothing to do; give persons for exact figures"),
    "census.looks_wan": ("{column} 的数字最大为 {max:g} 且带小数：看起来是以万人计，而不是人",
                         "{column} figures are at most {max:g} with decimals: they look like 万人 (10,000 "
                         "persons), not persons"),
    "census.looks_wan.fix": ("在表头上方写“单位：万人”（会被读取），或将列命名为“常住人口（万人）”，或以“人”为单位填写",
                             "write 单位：万人 above the header (it is then read), or name the column 常住人口（万人）, "
                             "or give persons"),
    "census.totals": ("删除了 {n} 个合计行（{names}，位于 {rows}）", "{n} total row(s) left out ({names} at {rows})"),
    "census.totals.fix": ("无需处理；使用各乡镇自己的行", "nothing to do; the townships' own rows are used"),
    # --- the population raster (dasymetric.py) ---
    "raster.missing": ("人口栅格文件不存在", "the population raster does not exist"),
    "raster.missing.fix": ("检查 inputs.population_raster.path（相对路径从情景文件所在文件夹算起）",
                           "check inputs.population_raster.path (relative paths start from the scenario "
                           "file's folder)"),
    "raster.band": ("栅格有 {count} 个波段，没有第 {band} 个波段", "the raster has {count} band(s), no band {band}"),
    "raster.band.fix": ("将 inputs.population_raster.band 设为 1…{count}",
                        "set inputs.population_raster.band to 1…{count}"),
    "raster.no_crs": ("人口栅格没有坐标参考系（CRS）", "the population raster has no coordinate reference system (CRS)"),
    "raster.no_crs.fix": ("设置 inputs.population_raster.crs，例如 WorldPop 的 GeoTIFF 写 'EPSG:4326'",
                          "set inputs.population_raster.crs, e.g. 'EPSG:4326' for a WorldPop GeoTIFF"),
    "raster.unreadable": ("无法读取人口栅格：{detail}", "cannot read the population raster: {detail}"),
    "raster.unreadable.fix": ("给出每个像元人数的 GeoTIFF（.tif），例如从 WorldPop 或 GHS-POP 下载的文件",
                              "give a GeoTIFF (.tif) of persons per cell, e.g. a WorldPop or GHS-POP "
                              "download"),
    "raster.nonfinite": ("第 {band} 波段有 {n} 个像元不是有限数（inf 或 nan），且未标记为无数据（nodata）",
                         "{n} cells of band {band} are not finite numbers (inf or nan) and not marked "
                         "nodata"),
    "raster.nonfinite.fix": ("设置栅格的 nodata 值（gdal_edit.py -a_nodata）或填补这些像元",
                             "set the raster's nodata value (gdal_edit.py -a_nodata) or fill them"),
    "raster.negative": ("第 {band} 波段有 {n} 个像元为负数（例如 {value:g}）：每个像元的人数不能为负",
                        "{n} cells of band {band} are negative (e.g. {value:g}): persons per cell cannot "
                        "be negative"),
    "raster.negative.fix": ("将无数据值标记为 nodata（WorldPop 用 -99999：gdal_edit.py -a_nodata -99999 "
                            "file.tif），或更正这些像元",
                            "mark the no-data value as nodata (WorldPop uses -99999: gdal_edit.py "
                            "-a_nodata -99999 file.tif) or correct the cells"),
    "raster.too_dense": ("有的像元每平方米超过一人：该栅格不是每个像元的人数",
                         "some cells hold more than one person per square metre: the raster is not persons "
                         "per cell"),
    "raster.too_dense.fix": ("给出人口计数栅格（每个像元的人数），而不是其他单位的密度",
                             "give a population count raster (persons per cell), not a density in other "
                             "units"),
    "raster.empty": ("人口栅格中没有人（每个像元都是 0 或无数据）", "the population raster holds no people (every cell is 0 "
                     "or nodata)"),
    "raster.empty.fix": ("检查波段和栅格的范围", "check the band and the raster's extent"),
    "raster.zero_towns.villages": ("栅格在乡镇 {towns}{more} 中没有人；这些乡镇的人口在其村之间平均分配",
                                   "the raster has no people in township(s) {towns}{more}; their "
                                   "population is shared equally among their villages"),
    "raster.zero_towns.grid": ("栅格在乡镇 {towns}{more} 中没有人；这些乡镇的人口平均分布到其网格单元",
                               "the raster has no people in township(s) {towns}{more}; their population is "
                               "spread evenly over their grid cells"),
    "raster.zero_towns.fix": ("检查栅格是否覆盖全县（以及其坐标系）", "check the raster covers the whole county (and its CRS)"),
    # --- the road network (roads.py) ---
    "roads.no_nodes": ("道路网没有节点", "the road network has no nodes"),
    "roads.no_nodes.fix": ("给出含有线要素的道路图层", "give a roads layer with lines"),
    "roads.geographic": ("道路图层使用经纬度坐标系（{crs}），长度会以“度”计", "roads are in a geographic CRS ({crs}), lengths "
                         "would be degrees"),
    "roads.geographic.fix": ("将道路投影到实例的米制坐标系（加载程序使用当地的 UTM 带）",
                             "project the roads to the instance's metric CRS (the loader uses the local "
                             "UTM zone)"),
    "roads.no_line": ("道路图层中没有可用的线", "the roads layer has no usable line"),
    "roads.no_line.fix": ("给出线（LineString）要素，每条至少两个点", "give LineString features of two or more points"),
    "roads.speed_column_gone": ("缺少速度列 {column!r}（现有列：{columns}）",
                                "the speed column {column!r} is missing (columns: {columns})"),
    "roads.speed_column_gone.fix": ("在 travel.speed_column 中写正确的列名，或删除该设置以使用道路等级速度",
                                    "name the right column in travel.speed_column or remove the setting to "
                                    "use class speeds"),
    "roads.speed_not_number": ("{ids}的速度不是数字", "speed is not a number for {ids}"),
    "roads.no_speed_no_class": ("{ids}没有速度，且缺少道路等级列 {column!r}",
                                "{ids} have no speed and the class column {column!r} is missing"),
    "roads.no_speed_no_class.fix": ("在 travel.class_column 中写出等级列，或为每条道路给出速度（travel.speed_column）",
                                    "name the class column in travel.class_column or give every road a speed "
                                    "(travel.speed_column)"),
    "roads.class_no_speed": ("道路等级 {value!r} 没有速度（{ids}）；已知的等级：{classes}",
                             "road class {value!r} has no speed ({ids}); known classes: {classes}"),
    "roads.class_no_speed.fix": ("在 travel.speeds_kph 中添加该等级（千米/小时）、更正等级，或为这些道路给出速度",
                                 "add the class to travel.speeds_kph (km/h), fix the class, or give these "
                                 "roads a speed"),
    "roads.speed_not_positive": ("{ids}的速度为零或负数", "zero or negative speed for {ids}"),
    "roads.speed_not_positive.fix": ("填写正的速度（千米/小时），封闭的道路请从图层中删除",
                                     "give a positive speed in km/h (or remove closed roads from the layer)"),
    "roads.oneway_unknown": ("无法理解{ids}的单行值（例如 {value!r}）；按双向通行处理",
                             "one-way value not understood for {ids} (e.g. {value!r}); treated as two-way"),
    "roads.oneway_unknown.fix": ("沿线方向单行写 1/yes/是，逆线方向写 -1，双向写 0/no/否",
                                 "write 1/yes/是 for one-way along the line, -1 against it, 0/no/否 for "
                                 "two-way"),
    "roads.unusable": ("跳过了 {n} 个没有可用线几何的道路要素：{ids}（第一个是 {first}）",
                       "{n} road feature(s) without a usable line were skipped: {ids} (the first is "
                       "{first})"),
    "roads.unusable.fix": ("为这些要素给出至少两个点的线（LineString）几何，或删除它们",
                           "give these features a LineString geometry of two or more points, or remove them"),
    "roads.ids": ("道路 {ids}", "{word} {ids}"),
    "roads.ids.more": ("道路 {ids} 及另外 {more} 条", "{word} {ids} and {more} more"),
    "roads.geom.missing": ("缺失", "missing"),
    "roads.geom.empty": ("空几何", "empty"),
    # --- OD matrix (validate.py) ---
    "od.minutes_what": ("分钟数", "minutes"),
    "od.minutes_not_number": ("分钟数不是数字：{value!r}", "minutes is not a number: {value!r}"),
    "od.minutes_not_number.fix": ("在列 {column!r} 中以纯数字填写通行时间（分钟）",
                                  "write travel times as plain numbers of minutes in column {column!r}"),
    "od.minutes_nonfinite.fix": ("以纯数字填写时间（分钟）；不可达的点对请删除该行（缺少的点对即表示不可达）",
                                 "write the time as a plain number of minutes; for an unreachable pair delete the "
                                 "row (a missing pair means unreachable)"),
    "od.minutes_missing": ("分钟数为空", "minutes is missing"),
    "od.minutes_missing.fix": ("填写时间，或删除该行（缺少的点对即表示不可达）",
                               "fill the time, or delete the row (a missing pair means unreachable)"),
    "od.minutes_negative": ("通行时间为负数：{value:g} 分钟", "negative travel time: {value:g} minutes"),
    "od.minutes_negative.fix": ("更正列 {column!r}：时间以分钟计且 ≥ 0", "correct column {column!r}: times are minutes ≥ 0"),
    "od.id_missing.site": ("站点编号为空", "the site id is missing"),
    "od.id_missing.demand": ("需求点编号为空", "the demand id is missing"),
    "od.id_missing.fix": ("填写列 {column!r}，或删除该行", "fill column {column!r}, or delete the row"),
    "od.id_unknown.site": ("未知的站点编号（出现在 {n} 行，第一处 {row}）：它不在机构/候选点/站点中",
                           "unknown site id (in {n} rows, first {row}): it is not among the "
                           "facilities/candidates/sites"),
    "od.id_unknown.demand": ("未知的需求点编号（出现在 {n} 行，第一处 {row}）：它不在需求点中",
                             "unknown demand id (in {n} rows, first {row}): it is not among the demand points"),
    "od.id_unknown.short": ("未知的编号", "unknown id"),
    "od.id_unknown.fix.site": ("在列 {column!r} 中使用站点图层中的编号，或补上缺少的站点",
                               "use ids from the site layer in column {column!r}, or add the missing site"),
    "od.id_unknown.fix.demand": ("在列 {column!r} 中使用需求点图层中的编号，或补上缺少的需求点",
                                 "use ids from the demand layer in column {column!r}, or add the missing demand"),
    "od.duplicate_pairs": ("{n} 行重复了已给出的（站点, 需求点）点对（第一个：{first}）；取最短时间",
                           "{n} rows repeat a (site, demand) pair already given (first: {first}); the shortest "
                           "time is used"),
    "od.duplicate_pairs.fix": ("每个点对只保留一行", "keep one row per pair"),
}

# Layer kinds as a planner calls them.
LAYERS: dict[str, tuple[str, str]] = {
    "demand": ("需求点", "demand"),
    "sites": ("站点", "sites"),
    "facilities": ("现有机构", "facilities"),
    "candidates": ("候选点", "candidates"),
    "townships": ("乡镇", "townships"),
    "township_seats": ("乡镇驻地", "township_seats"),
    "roads": ("道路", "roads"),
    "travel_times": ("OD 矩阵（通行时间）", "travel_times"),
    "census": ("人口普查表", "census"),
    "population_raster": ("人口栅格", "population_raster"),
}

# Units of the schema's columns.
UNITS: dict[str, tuple[str, str]] = {
    "persons": ("人", "persons"),
    "beds": ("张", "beds"),
    "vehicles": ("辆", "vehicles"),
    "minutes": ("分钟", "minutes"),
    "km/h": ("千米/小时", "km/h"),
}

# Why a column's plausible bound is where it is (geodata/schemas.py and the kinds' stock columns).
REASONS: dict[str, str] = {
    "the largest county-level unit of China, Bao'an in Shenzhen, had 4.5 million in the 2020 census":
        "全国人口最多的县级单位深圳宝安区在 2020 年人口普查中为 450 万人",
    "the largest villages, communities, 街道 and towns of China have ~0.7 million":
        "全国最大的村、社区、街道和镇约 70 万人",
    "five times the largest hospital of China": "全国最大医院的五倍",
    "the largest hospital of China has about 10,000": "全国最大的医院约有 1 万张床位",
}


def say(code: str, **params: Any) -> Text:
    """The catalogue's message ``code`` in both languages, formatted with ``params`` (a Text parameter gives
    each language its own words)."""
    return Text.entry(CATALOGUE, code, **params)


def layer(kind: str) -> Text:
    """A layer kind (``demand``, ``sites`` …) in both languages; an unknown kind as it is."""
    zh, en = LAYERS.get(str(kind), (str(kind), str(kind)))
    return Text(zh, en)


def unit(name: str | None, *, brackets: bool = True) -> Text:
    """A column's unit: ``" (persons)"`` / ``"（人）"`` with ``brackets``, else the bare word; empty for none."""
    if not name:
        return Text("", "")
    zh, en = UNITS.get(name, (name, name))
    return Text(f"（{zh}）", f" ({en})") if brackets else Text(zh, en)


def reason(text: str) -> Text:
    """A bound's reason in both languages (English only when the catalogue does not know it)."""
    return Text(REASONS.get(text, text), text)


# --- one problem as a line --------------------------------------------------------------------------------

_SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning"), "note": ("说明", "note")}
_ROW_LABEL = re.compile(r"^(line|row|feature) (\d+)$")
_DECISION = re.compile(r"^decision (\d+) \((.*)\)$")  # a scenario's named decision (optimizer/decisions.py)


def row_text(label: object) -> Text:
    """A row label of a message (``line 7``, ``row 7``, ``feature 7``) in both languages; an id as it is."""
    m = _ROW_LABEL.match(str(label))
    if not m:
        return Text.of(str(label))
    return Text(f"第 {m.group(2)} {'个要素' if m.group(1) == 'feature' else '行'}", str(label))


def feature_label(feature: str, lang: str | None) -> str:
    """Where in the file: ``feature 'V012'`` / ``编号 'V012'``; a row label ``line 7`` reads ``第 7 行``."""
    if is_en(lang):
        return f"feature {feature!r}"
    m = _ROW_LABEL.match(feature)
    if m:
        return f"第 {m.group(2)} {'个要素' if m.group(1) == 'feature' else '行'}"
    m = _DECISION.match(feature)
    if m:
        return f"第 {m.group(1)} 条决定（{m.group(2).replace(', ', '，')}）"
    return f"编号 {feature!r}"


def format_problem(severity: str, file: str, message: str, fix: str, feature: str | None, column: str | None,
                   lang: str | None) -> str:
    """``error: demand.csv, feature 'V012', column '人口': … — fix: …`` or
    ``错误：demand.csv，编号 'V012'，列 '人口'：……——修改：……``."""
    en = is_en(lang)
    sev = _SEVERITY.get(severity, (severity, severity))[1 if en else 0]
    where = [file]
    if feature is not None:
        where.append(feature_label(feature, lang))
    if column is not None:
        where.append(f"column {column!r}" if en else f"列 {column!r}")
    if en:
        text = f"{sev}: {', '.join(where)}: {message}"
        return text + (f" — fix: {fix}" if fix else "")
    text = f"{sev}：{'，'.join(where)}：{message}"
    return text + (f"——修改：{fix}" if fix else "")
