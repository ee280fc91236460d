"""File I/O of the input layers: GeoPackage, Shapefile, GeoJSON, FlatGeobuf (pyogrio), CSV and Parquet.

A reader only reads: it opens the file (listing the layers when the one asked for is missing), decodes CSV
as UTF-8, UTF-8 with BOM or GB18030 (a superset of GBK, what Chinese Excel writes), finds each canonical
column through the scenario's ``columns:`` map and renames it, builds points from a CSV's lon/lat columns
and sets the CRS. Coercing and checking values is :mod:`geodata.validate`'s job; choosing the projection
is :mod:`geodata.crs`'s.

The frame returned carries ``attrs``: ``file`` (path as written), ``kind``, ``format`` (``gpkg`` …
``csv``, ``parquet``), ``columns`` (canonical → file column, for messages), ``row_label`` (``line`` for
CSV, where row 0 is line 2, else ``feature``), ``row_offset`` and ``metadata`` (GeoPackage metadata, e.g.
the synthetic label).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from healthplan.geodata.config import LayerSpec, TravelConfig
from healthplan.geodata.crs import crs_label
from healthplan.geodata.datum import DATUM_LABELS, frame_to_wgs84, in_china, shift_metres
from healthplan.geodata.errors import InputError, ProblemReport
from healthplan.geodata.excel import HEADER_SEARCH_ROWS, SheetError, find_header, preamble_text, read_xlsx
from healthplan.geodata.messages import layer, say
from healthplan.geodata.osm import is_osm, read_osm_roads
from healthplan.geodata.schemas import ColumnSchema, LayerSchema, schema_for
from healthplan.geodata.text import Text

# Reading must write nothing: GDAL's PAM would otherwise drop a "<file>.aux.xml" beside a GeoPackage
# whose dataset metadata pyogrio wrote (observed with GDAL 3.x on the demo county). The metadata stays
# readable from the file itself.
pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": "NO"})

VECTOR_SUFFIXES = {".gpkg": "gpkg", ".shp": "shp", ".geojson": "geojson", ".json": "geojson", ".fgb": "fgb"}
TABLE_SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
                  ".xlsx": "xlsx", ".xlsm": "xlsx"}
# GB18030 decodes everything GBK does; tried last because almost any byte string decodes as it.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
LON_ALIASES = ("lon", "lng", "longitude", "x", "经度", "X")
LAT_ALIASES = ("lat", "latitude", "y", "纬度", "Y")
# One column holding "longitude,latitude", as the map services' coordinate pickers (高德, 百度 坐标拾取) copy it.
LONLAT_ALIASES = ("经纬度", "坐标", "经纬度坐标", "lnglat", "lonlat", "location")
_PAIR_SPLIT = re.compile(r"\s*[,，;；\s]\s*")
# Cells read as missing: pandas' default NA spellings without its NaN spellings ('nan', 'NaN', '1.#QNAN' …).
# A written "nan" is a number that is not finite, and the validator says so instead of silently filling in the
# column default.
CSV_NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "<NA>", "N/A", "NA", "NULL", "None", "n/a", "null")
# Headers pandas gives to header cells left blank (Excel's trailing columns), and to repeated headers.
_UNNAMED = re.compile(r"^Unnamed: \d+$")
_REPEATED = re.compile(r"^(.*)\.(\d+)$")


def read_layer(spec: LayerSpec, *, kind: str, stock: tuple[ColumnSchema, ...] = ()) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read one input layer and rename its columns to healthplan's canonical names.

    Parameters
    ----------
    spec
        The layer as the scenario gives it (absolute ``path``, optional ``layer``, ``columns`` map, ``crs``,
        CSV ``lon``/``lat`` column names).
    kind
        Layer kind, one of :data:`geodata.schemas.SCHEMAS` (``townships``, ``demand``, ``facilities``,
        ``sites``,
        ``candidates``, ``roads``, ``travel_times``).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        A GeoDataFrame in the file's own CRS (or ``spec.crs``) when the file has geometry or a CSV has lon/lat
        columns; otherwise a DataFrame. Values are not yet coerced or checked (see :mod:`geodata.validate`).

    Raises
    ------
    InputError
        Missing file or layer, missing CRS, missing required or mapped columns — every such problem at once.
    """
    report = ProblemReport()
    frame = read_layer_into(spec, kind=kind, report=report, stock=stock)
    report.raise_if_errors()
    if frame is None:  # pragma: no cover - an unreadable layer always records an error
        raise InputError(say("file.not_read"), file=str(spec.path))
    return frame


def read_layer_into(
    spec: LayerSpec, *, kind: str, report: ProblemReport, stock: tuple[ColumnSchema, ...] = (),
    travel: TravelConfig | None = None, optional: tuple[str, ...] = (),
) -> pd.DataFrame | gpd.GeoDataFrame | None:
    """Like :func:`read_layer`, but record problems in ``report``; ``None`` when the layer cannot be used.

    ``stock``: the resource kinds' stock columns of a site layer (see :func:`geodata.schemas.schema_for`).
    ``travel``: the travel settings an OpenStreetMap road extract is read with (classes, maxspeed).
    ``optional``: columns the schema requires that this scenario supplies otherwise (a village population
    that a population raster will compute).
    """
    schema = schema_for(kind, stock)
    if optional:
        schema = replace(schema, columns=tuple(replace(c, required=False) if c.name in optional else c
                                               for c in schema.columns))
    path = Path(spec.path)
    file = str(path)
    if not path.exists():
        _missing_file(path, kind, report)
        return None
    if is_osm(path):
        if kind != "roads":
            report.error(file, say("file.osm_not_roads", kind=kind, layer=layer(kind)),
                         say("file.osm_not_roads.fix", kind=kind))
            return None
        return _read_osm(path, spec, travel or TravelConfig(), report)
    fmt = _format_of(path)
    if path.suffix.lower() == ".xls":
        report.error(file, say("file.xls"), say("file.xls.fix"))
        return None
    if path.is_file() and path.stat().st_size == 0:
        header = ", ".join(schema.required) or "id"
        report.error(file, say("file.empty", kind=kind, layer=layer(kind)),
                     say("file.empty.fix_csv", header=header) if fmt == "csv" else say("file.empty.fix"))
        return None
    try:
        if fmt in ("csv", "parquet", "xlsx"):
            frame, meta = _read_table(path, fmt, spec, schema, report), {}
        else:
            frame, meta = _read_vector(path, fmt, spec, schema, report)
    except pd.errors.EmptyDataError:
        report.error(file, say("file.no_header", kind=kind, layer=layer(kind)),
                     say("file.empty.fix_csv", header=", ".join(schema.required) or "id"))
        return None
    except SheetError as exc:
        report.error(file, say("file.sheet", detail=getattr(exc, "text", None) or str(exc)),
                     say("file.sheet.fix", kind=kind))
        return None
    except (zipfile.BadZipFile, KeyError) as exc:  # an .xlsx is a zip archive; a broken one fails in openpyxl
        report.error(file, say("file.bad_xlsx", kind=kind, layer=layer(kind), detail=exc),
                     say("file.bad_xlsx.fix"))
        return None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError) as exc:
        report.error(file, say("file.unreadable", kind=kind, layer=layer(kind), detail=exc),
                     say("file.unreadable.fix"))
        return None
    if frame is None:
        return None
    # The first data row as Excel numbers an .xlsx sheet's rows, or as an editor numbers a CSV's lines.
    first_row = int(frame.attrs.get("first_row", 2 if fmt == "csv" else 1))
    frame = _rename_columns(frame, spec, schema, file, report)
    if frame is None:
        return None
    if kind == "census":  # a bulletin's 万人 → persons, before the validator reads the figures as persons
        from healthplan.geodata.census import census_in_persons

        frame = census_in_persons(frame, file, report)
        if frame is None:
            return None
    label, offset = {"csv": ("line", first_row), "xlsx": ("row", first_row)}.get(fmt, ("feature", 1))
    frame.attrs.update(file=file, kind=kind, format=fmt, metadata=meta, row_label=label, row_offset=offset)
    if isinstance(frame, gpd.GeoDataFrame) and spec.datum != "wgs84":
        frame = _convert_datum(frame, spec, kind, report)
        if frame is None:
            return None
    if "row_numbers" in frame.attrs:  # rows were dropped: keep each remaining row's own line number
        frame.attrs["row_numbers"] = frame.attrs["row_numbers"] + frame.attrs["row_offset"]
    return frame


def _layer(kind: str) -> Text:
    return layer(kind)


def _description(col: ColumnSchema) -> Text:
    """A column's description; in Chinese its accepted Chinese names, which say what it holds."""
    chinese = [a for a in col.aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)]
    zh = say("columns.also_named", aliases="、".join(chinese)).zh if chinese else col.description
    return Text(zh, col.description)


def list_layers(path: Path | str) -> list[str]:
    """Names of the layers in a vector file (a GeoPackage may hold several). Within :func:`one_read` a file's
    list is read once."""
    seen = _LAYER_LISTS.get()
    key = str(path)
    if seen is not None and key in seen:
        return list(seen[key])
    names = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    if seen is not None:
        seen[key] = list(names)
    return names


# One GeoPackage holds every layer of a county, and opening it to list them took ≈ 9 ms a layer read. The lists
# are kept for one read of the inputs only: kept longer, an edit that leaves the file's size and time alone (a
# GeoPackage in WAL mode keeps new layers in its -wal file) would go unseen.
_LAYER_LISTS: ContextVar[dict[str, list[str]] | None] = ContextVar("healthplan_layer_lists", default=None)


@contextmanager
def one_read() -> Iterator[None]:
    """Within the block, each file's layers are listed once (one read of a scenario's inputs)."""
    token = _LAYER_LISTS.set({})
    try:
        yield
    finally:
        _LAYER_LISTS.reset(token)


def layer_metadata(path: Path | str, layer: str | None = None) -> dict[str, str]:
    """The dataset and layer metadata of a vector file (GeoPackage keeps e.g. ``synthetic: true`` there)."""
    info = pyogrio.read_info(path, layer=layer)
    meta: dict[str, str] = {}
    for key in ("dataset_metadata", "layer_metadata"):
        meta.update({str(k): str(v) for k, v in (info.get(key) or {}).items()})
    return meta


# --- formats -----------------------------------------------------------------------------------------------


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return TABLE_SUFFIXES.get(suffix) or VECTOR_SUFFIXES.get(suffix) or "vector"


def _missing_file(path: Path, kind: str, report: ProblemReport) -> None:
    folder = path.parent
    fix = say("file.missing.fix", kind=kind)
    if folder.is_dir():
        near = difflib.get_close_matches(path.name, [p.name for p in folder.iterdir()], n=3, cutoff=0.5)
        if near:
            fix += say("file.missing.similar", folder=folder, names=", ".join(near))
    else:
        fix += say("file.missing.no_folder", folder=folder)
    report.error(str(path), say("file.missing", kind=kind, layer=layer(kind)), fix)


def _read_vector(
    path: Path, fmt: str, spec: LayerSpec, schema: LayerSchema, report: ProblemReport
) -> tuple[gpd.GeoDataFrame | None, dict[str, str]]:
    file = str(path)
    layers = list_layers(path)
    layer = layer_name = spec.layer
    if layer is not None and layer not in layers:
        report.error(file, say("layer.unknown", layer=layer_name, layers=", ".join(layers) or "(none)"),
                     say("layer.unknown.fix", kind=schema.kind, layers=", ".join(layers)), column=None)
        return None, {}
    if layer is None and len(layers) > 1:
        layer = next((name for name in schema.layer_names if name in layers), None)
        if layer is None:
            report.error(file, say("layer.ambiguous", layers=", ".join(layers),
                                   names=" or ".join(repr(n) for n in schema.layer_names[:2])),
                         say("layer.ambiguous.fix", kind=schema.kind, what=_layer(schema.kind)))
            return None, {}
    frame = pyogrio.read_dataframe(path, layer=layer)
    meta = layer_metadata(path, layer)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        if schema.geometry_required:
            shape = say(f"shape.{schema.geometry or 'point'}")
            report.error(file, say("layer.no_geometry", kind=schema.kind, what=_layer(schema.kind),
                                   name=f" {layer!r}" if layer else "", shape=shape),
                         say("layer.no_geometry.fix", kind=schema.kind, what=_layer(schema.kind), shape=shape))
            return None, meta
        return pd.DataFrame(frame), meta  # a plain table (e.g. with an OD matrix): like a CSV without lon/lat
    if frame.crs is None and "geometry" in frame:
        crs = _spec_crs(spec, schema, file, report, missing_fix=True)
        if crs is None:
            return None, meta
        frame = frame.set_crs(crs)
        frame.attrs["crs_from"] = "scenario"
    elif frame.crs is not None:
        frame.attrs["crs_from"] = "file"
        if not _horizontal(frame.crs, file, schema.kind, report, declared_by=say("crs.by_file")):
            return None, meta
    if frame.attrs.get("crs_from") == "file" and spec.crs is not None:
        declared = _spec_crs(spec, schema, file, report)
        if declared is not None and not CRS.from_user_input(frame.crs).equals(declared):
            report.warning(file, say("crs.file_differs", crs=crs_label(frame.crs), kind=schema.kind, given=spec.crs),
                           say("crs.file_differs.fix", kind=schema.kind))
    return frame, meta


def _spec_crs(spec: LayerSpec, schema: LayerSchema, file: str, report: ProblemReport, *,
              missing_fix: bool = False) -> CRS | None:
    kind = schema.kind
    if spec.crs is None:
        if missing_fix:
            report.error(file, say("crs.missing", kind=kind, layer=_layer(kind)), say("crs.missing.fix", kind=kind))
        return None
    try:
        crs = CRS.from_user_input(spec.crs)
    except CRSError:
        report.error(file, say("crs.unknown", kind=kind, given=spec.crs), say("crs.unknown.fix"))
        return None
    return crs if _horizontal(crs, file, kind, report, declared_by=f"inputs.{kind}.crs") else None


def _horizontal(crs: CRS, file: str, kind: str, report: ProblemReport, *, declared_by: Text | str) -> bool:
    """Only a geographic (lon/lat) or projected CRS places features on the map; record an error otherwise."""
    crs = CRS.from_user_input(crs)
    if crs.is_geographic or crs.is_projected:
        return True
    report.error(file, say("crs.not_horizontal", by=Text.of(declared_by), crs=crs_label(crs), type=crs.type_name),
                 say("crs.not_horizontal.fix"))
    return False


def _read_csv(path: Path, report: ProblemReport, **kwargs: object) -> pd.DataFrame:
    for enc in CSV_ENCODINGS:
        try:
            # Blank lines are read as empty rows (dropped later with their line numbers kept right).
            return pd.read_csv(path, encoding=enc, sep=_separator(path, enc), skipinitialspace=True,
                               keep_default_na=False, na_values=list(CSV_NA_VALUES), skip_blank_lines=False,
                               **kwargs)
        except UnicodeDecodeError:
            continue
    msg = f"{path}: not UTF-8 or GBK text"  # pragma: no cover - gb18030 decodes nearly any bytes
    raise ValueError(msg)  # pragma: no cover


def _csv_header_line(path: Path, expected: list[str], header_row: int | None = None) -> tuple[int, str]:
    """1-based line of a CSV's header: as for an .xlsx sheet (:func:`~healthplan.geodata.excel.find_header`),
    the first of the first lines with the most expected names, else the first line with two or more cells;
    ``header_row`` when given. Also the text of the lines above it (title, ``单位：万人``)."""
    with path.open("rb") as f:
        head = f.read(65536)
    try:
        text = head.decode(CSV_ENCODINGS[0])
    except UnicodeDecodeError as exc:
        # A UTF-8 character cut at the end of the 64 KiB is still UTF-8; anything else is GBK (GB18030).
        cut = exc.start >= len(head) - 3
        text = head[:exc.start].decode(CSV_ENCODINGS[0]) if cut else head.decode(CSV_ENCODINGS[-1], "replace")
    lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    sep = _separator(path, CSV_ENCODINGS[0])
    rows = [[cell.strip() or None for cell in row] for row in csv.reader(io.StringIO("\n".join(lines)),
                                                                          delimiter=sep)]
    rows += [[]] * (len(lines) - len(rows))  # csv.reader yields nothing for a trailing blank line
    line = header_row or find_header(rows, expected, set())
    return line, preamble_text(rows[:line - 1])


def _read_table(
    path: Path, fmt: str, spec: LayerSpec, schema: LayerSchema, report: ProblemReport
) -> pd.DataFrame | gpd.GeoDataFrame | None:
    first_row = 2 if fmt == "csv" else 1  # a CSV's line 1 is its header
    if fmt == "parquet":
        frame = pd.read_parquet(path)
    elif fmt == "xlsx":
        frame, header_row, _sheet = read_xlsx(path, sheet=spec.sheet, header_row=spec.header_row,
                                              expected=_expected_headers(spec, schema))
        first_row = header_row + 1
        if frame.shape[1] == 0:
            raise pd.errors.EmptyDataError("no header row")
    elif schema.kind == "travel_times":
        # OD matrices can hold tens of millions of rows: read ids as text, minutes as numbers where they
        # parse.
        header = _read_csv(path, report, nrows=0).columns
        ids = [spec.columns.get(c, c) for c in ("site_id", "demand_id")]
        frame = _read_csv(path, report, dtype={c: str for c in ids if c in header})
    else:
        # Everything as text: ids keep their leading zeros, and the validator can name non-numeric cells.
        # A table saved from a bulletin's workbook keeps its title and unit lines above the header: skip them.
        header_row, preamble = _csv_header_line(path, _expected_headers(spec, schema), spec.header_row)
        frame = _read_csv(path, report, dtype=str, skiprows=header_row - 1)
        frame.attrs["preamble"] = preamble
        first_row = header_row + 1
    preamble = str(frame.attrs.get("preamble", ""))
    frame = _tidy_table(frame, str(path), fmt, report, first_row=first_row)
    if frame is None:
        return None
    frame.attrs["preamble"] = preamble
    frame.attrs["first_row"] = first_row
    if schema.geometry is None:
        return frame
    lon_col = _find_coord(frame, spec.columns.get("lon", spec.lon), LON_ALIASES)
    lat_col = _find_coord(frame, spec.columns.get("lat", spec.lat), LAT_ALIASES)
    file = str(path)
    pair_col = None
    if lon_col is None or lat_col is None:
        pair_col = _find_coord(frame, spec.columns.get("lonlat", "lonlat"), LONLAT_ALIASES)
    if pair_col is not None:
        lon_col = lat_col = pair_col
    elif lon_col is None or lat_col is None:
        if schema.geometry_required:
            report.error(file, say("csv.no_coordinates", kind=schema.kind, layer=_layer(schema.kind), lon=spec.lon,
                                   lat=spec.lat, columns=", ".join(map(str, frame.columns))),
                         say("csv.no_coordinates.fix", kind=schema.kind))
            return None
        return frame  # a plain table: coordinates optional when travel times come from an OD matrix
    crs = CRS.from_user_input("EPSG:4326") if spec.crs is None else _spec_crs(spec, schema, file, report)
    if crs is None:
        return None
    frame.attrs["crs_from"] = "default" if spec.crs is None else "scenario"
    if pair_col is not None:
        lon, lat = _split_pairs(frame[pair_col], file, schema.kind, pair_col, report)
    else:
        lon = pd.to_numeric(frame[lon_col], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(frame[lat_col], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    geom = gpd.GeoSeries.from_xy(lon, lat, crs=crs)
    geom[~ok] = None  # the validator reports these rows as missing coordinates
    out = gpd.GeoDataFrame(frame, geometry=geom.values, crs=crs)
    out.attrs["coord_columns"] = (lon_col, lat_col)
    return out


def _split_pairs(cells: pd.Series, file: str, kind: str, column: str,
                 report: ProblemReport) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) from cells like ``115.90,28.62`` (a comma, full-width comma, semicolon
    or space between). NaN where a cell is not two numbers (the validator names those rows).

    高德 and 百度 copy longitude first; 腾讯's picker copies latitude first: when every pair has its first number
    below 60 and its second above 70 (only latitude first fits China so), the pairs are swapped, with a warning.
    """
    parts = cells.astype("string").str.strip().str.split(_PAIR_SPLIT, n=1, expand=True, regex=True)
    if parts.shape[1] < 2:
        parts[1] = pd.NA
    first = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    second = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(first) & np.isfinite(second)
    if ok.any() and bool((first[ok] < 60).all() and (second[ok] > 70).all()):
        report.warning(file, say("csv.lat_first", kind=kind, layer=_layer(kind), column=column),
                       say("csv.lat_first.fix"), column=column)
        return second, first
    return first, second


def _expected_headers(spec: LayerSpec, schema: LayerSchema) -> list[str]:
    """Every header the layer could use: mapped names, canonical names and aliases, coordinate columns."""
    names = [*spec.columns.values(), spec.lon, spec.lat, *LON_ALIASES, *LAT_ALIASES, *LONLAT_ALIASES]
    for col in schema.columns:
        names += [col.name, *col.aliases]
    return names


def _read_osm(path: Path, spec: LayerSpec, travel: TravelConfig, report: ProblemReport) -> gpd.GeoDataFrame | None:
    """An OpenStreetMap extract's roads (:mod:`geodata.osm`), with the attrs every reader sets."""
    file = str(path)
    try:
        frame, counts = read_osm_roads(path, travel)
    except (RuntimeError, OSError, ValueError) as exc:  # libosmium reports a broken file as RuntimeError
        report.error(file, say("osm.unreadable", detail=exc), say("osm.unreadable.fix"))
        return None
    if frame.empty:
        report.error(file, say("osm.no_roads", classes=", ".join(travel.osm_classes)), say("osm.no_roads.fix"))
        return None
    frame.attrs.update(file=file, kind="roads", format="osm", metadata={}, row_label="feature", row_offset=1,
                       columns={c: c for c in ("id", "name", "class", "oneway", "speed_kph")},
                       osm_counts=counts, crs_from="file")
    if spec.datum != "wgs84":
        return _convert_datum(frame, spec, "roads", report)
    return frame


def _convert_datum(frame: gpd.GeoDataFrame, spec: LayerSpec, kind: str,
                   report: ProblemReport) -> gpd.GeoDataFrame | None:
    """Move a lon/lat layer from GCJ-02 or BD-09 to WGS-84; record how far the points moved (for the notes)."""
    file = str(frame.attrs.get("file", spec.path))
    if frame.crs is None or not CRS.from_user_input(frame.crs).is_geographic:
        crs = crs_label(frame.crs) if frame.crs is not None else say("datum.no_crs")
        report.error(file, say("datum.not_lonlat", kind=kind, datum=spec.datum, crs=crs),
                     say("datum.not_lonlat.fix", kind=kind))
        return None
    xy = shapely.get_coordinates(frame.geometry.values)
    xy = xy[np.isfinite(xy).all(axis=1)]
    inside = in_china(xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0, dtype=bool)
    if len(xy) and not inside.all():
        report.warning(file, say("datum.outside_china", n=int((~inside).sum()), total=len(xy),
                                 datum=DATUM_LABELS[spec.datum][1]),
                       say("datum.outside_china.fix", kind=kind), column="geometry")
    out = frame_to_wgs84(frame, spec.datum)
    moved = shift_metres(xy[:, 0], xy[:, 1], spec.datum) if len(xy) else np.zeros(0)
    out.attrs["datum"] = spec.datum
    out.attrs["datum_shift_m"] = float(np.median(moved)) if moved.size else 0.0
    return out


def _separator(path: Path, encoding: str) -> str:
    """Choose the CSV's separator: a tab for .tsv; else a comma, unless the header has none but ';' or tabs.

    (Excel writes ';' where the decimal mark is a comma.)
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open("rb") as f:
        head = f.read(65536)
    line = next((ln for ln in head.decode(encoding, errors="replace").splitlines() if ln.strip()), "")
    if "," in line:
        return ","
    return ";" if ";" in line else "\t" if "\t" in line else ","


def _tidy_table(frame: pd.DataFrame, file: str, fmt: str, report: ProblemReport, *,
                first_row: int = 1) -> pd.DataFrame | None:
    """Headers stripped; Excel's empty trailing columns and empty rows dropped, each with a note.

    Rows are dropped where every cell is empty (Excel leaves ``,,,,`` lines below a table); the line
    numbers of the rows kept go to ``attrs["row_numbers"]`` (0-based positions in the file, before the header
    offset) so messages still name the right line. ``None`` (with an error) when two headers are equal once
    stripped.
    """
    names = [str(c).strip() for c in frame.columns]
    seen: dict[str, int] = {}
    for pos, name in enumerate(names):
        if name in seen:
            report.error(file, say("header.twice", name=name, a=seen[name] + 1, b=pos + 1), say("header.twice.fix"),
                         column=name)
            return None
        seen[name] = pos
    frame.columns = names
    for name in names:
        m = _REPEATED.match(name)
        if m and m.group(1) in seen and not _UNNAMED.match(m.group(1)):
            report.warning(file, say("header.repeated", name=m.group(1), repeat=name), say("header.repeated.fix"),
                           column=m.group(1))
    blank = _blank_cells(frame)
    empty_cols = [c for i, c in enumerate(names) if _UNNAMED.match(c) and bool(blank[:, i].all())]
    if empty_cols:
        keep = [i for i, c in enumerate(names) if c not in empty_cols]
        frame = frame.iloc[:, keep]
        blank = blank[:, keep]
        report.warning(file, say("header.empty_columns", n=len(empty_cols), s="s" if len(empty_cols) > 1 else ""),
                       say("header.empty_columns.fix"))
    empty_rows = blank.all(axis=1) if blank.shape[1] else np.zeros(len(frame), dtype=bool)
    if empty_rows.any():
        n = int(empty_rows.sum())
        keep_pos = np.flatnonzero(~empty_rows)
        label, offset = ("line" if fmt == "csv" else "row", first_row)
        lines = np.flatnonzero(empty_rows) + offset
        shown = ", ".join(str(v) for v in lines[:5]) + (", …" if n > 5 else "")
        rows = f"{label}{'s' if n > 1 else ''}"
        report.warning(file, say("rows.empty", n=n, s="s" if n > 1 else "", rows=rows, shown=shown),
                       say("rows.empty.fix"))
        frame = frame.iloc[keep_pos].reset_index(drop=True)
        frame.attrs["row_numbers"] = keep_pos
    return frame


def _blank_cells(frame: pd.DataFrame) -> np.ndarray:
    """Rows × columns mask of empty cells (the CSV reader already made blank and space-only cells NA)."""
    return frame.isna().to_numpy(dtype=bool).reshape(len(frame), frame.shape[1])


def _find_coord(frame: pd.DataFrame, name: str, aliases: tuple[str, ...]) -> str | None:
    if name in frame.columns:
        return name
    return next((a for a in aliases if a in frame.columns), None)


# --- columns -----------------------------------------------------------------------------------------------


def _rename_columns(
    frame: pd.DataFrame, spec: LayerSpec, schema: LayerSchema, file: str, report: ProblemReport
) -> pd.DataFrame | None:
    """Rename file columns to canonical names (map, then own name, then an alias); report what is missing."""
    kind = schema.kind
    present = [c for c in frame.columns if c != "geometry"]
    ok = True
    if not schema.open_columns:
        extra = set(spec.columns) - set(schema.names) - {"lon", "lat", "lonlat"}
        for key in sorted(extra):
            guess = difflib.get_close_matches(key, schema.names, n=1)
            hint = say("file.did_you_mean", guess=guess[0]) if guess else ""
            report.error(file, say("columns.unknown_canonical", kind=kind, key=key, hint=Text.of(hint)),
                         say("columns.unknown_canonical.fix", names=", ".join(schema.names)), column=key)
            ok = False
    mapping: dict[str, str] = {}
    for col in schema.columns:
        wanted = spec.columns.get(col.name)
        if wanted is not None:
            if wanted in present:
                mapping[col.name] = wanted
                continue
            near = difflib.get_close_matches(wanted, present, n=1, cutoff=0.5)
            hint = say("file.did_you_mean", guess=near[0]) if near else ""
            report.error(file, say("columns.mapped_missing", wanted=wanted, canon=col.name, kind=kind,
                                   layer=_layer(kind), hint=Text.of(hint), columns=", ".join(map(str, present))),
                         say("columns.mapped_missing.fix", kind=kind, canon=col.name), column=wanted)
            ok = False
            continue
        found = next((c for c in (col.name, *col.aliases) if c in present), None)
        if found is None:
            lower = {c.lower(): c for c in present}
            found = lower.get(col.name.lower())
        if found is not None:
            mapping[col.name] = found
        elif col.required:
            report.error(file, say("columns.missing", kind=kind, layer=_layer(kind), canon=col.name,
                                   description=_description(col), columns=", ".join(map(str, present))),
                         say("columns.missing.fix", kind=kind, canon=col.name), column=col.name)
            ok = False
    if not ok:
        return None
    # Canonical columns are copied (two canonical names may share one file column). The file's columns stay
    # too, under their own names (travel.class_column may name '等级' directly), unless a canonical column
    # taken from elsewhere has that name.
    keep = [c for c in frame.columns if c not in mapping]
    out = frame[keep].copy()
    for canon, src in mapping.items():
        out[canon] = frame[src]  # same index: no copy to numpy (Arrow strings stay Arrow strings)
    out.attrs = {**frame.attrs, "columns": mapping}
    return out
