"""Checks of the input layers that record EVERY problem (file, feature, column, fix) in a ProblemReport.

Nothing here raises for bad input: each check coerces what it can, records what it cannot, and returns a frame
the next check can still use, so one ``healthplan check`` lists all problems of all files at once. The loader
(:mod:`geodata.load`) raises a single :class:`~geodata.errors.InputError` at the end when any error was
recorded.
Checks are vectorised over rows; Python loops run only over the offending rows, and at most
:data:`MAX_LISTED` rows of one kind of problem are listed one by one before a summary line gives the count.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from healthplan.geodata.config import TravelConfig
from healthplan.geodata.crs import crs_label
from healthplan.geodata.errors import ProblemReport
from healthplan.geodata.messages import layer, reason, row_text, say, unit
from healthplan.geodata.levels import LEVEL_NAMES_ZH, Level, parse_level
from healthplan.geodata.roads import class_speeds
from healthplan.geodata.schemas import ColumnSchema, LayerSchema, schema_for
from healthplan.geodata.text import Text

# One message per offending row up to this many rows of the same problem, then one summary line.
MAX_LISTED = 20

_TRUE = frozenset({"1", "1.0", "true", "t", "yes", "y", "是", "urban", "城市", "城镇", "街道"})
_FALSE = frozenset({"0", "0.0", "false", "f", "no", "n", "否", "rural", "农村", "乡村"})
# Spaces around a value, including the full-width space (U+3000), no-break space and the zero-width characters
# that copying from a web page or Word leaves behind (U+200B, U+FEFF).
_EDGE_SPACE = r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$"
# How a number that is not finite is written (Python, pandas, Excel and the C runtime of old Windows tools).
_NONFINITE_TEXT = frozenset({
    "nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity",
    "1.#ind", "-1.#ind", "1.#qnan", "-1.#qnan", "1.#inf", "-1.#inf", "#num!", "#div/0!",
})
_NAN_TEXT = frozenset({"nan", "+nan", "-nan"})
_GEOM_TYPES = {
    "point": ("Point",),
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
}
_GEOM_FIX = {kind: say(f"geom.fix.{kind}") for kind in ("point", "polygon", "line")}


# --- reporting helpers --------------------------------------------------------------------------------------


def row_labels(frame: pd.DataFrame, where: np.ndarray | None = None) -> np.ndarray:
    """Label of each row (or of the rows where ``where`` is true) for messages: ``line 7`` (CSV; the header is
    line 1) or ``feature 7`` (vector files)."""
    label = frame.attrs.get("row_label", "row")
    offset = int(frame.attrs.get("row_offset", 1))
    pos = np.arange(len(frame)) if where is None else np.flatnonzero(where)
    numbers = frame.attrs.get("row_numbers")  # the reader dropped empty rows: each row's own line number
    if numbers is not None and len(numbers) == len(frame):
        return np.array([f"{label} {n}" for n in np.asarray(numbers)[pos]], dtype=object)
    return np.array([f"{label} {i + offset}" for i in pos], dtype=object)


def feature_ids(frame: pd.DataFrame, ids: pd.Series | None = None) -> np.ndarray:
    """Id of each row for messages, or its row label where the id is missing."""
    labels = row_labels(frame)
    if ids is None:
        if "id" not in frame:
            return labels
        ids = _text(frame["id"])
    vals = ids.to_numpy(dtype=object)
    blank = np.array([v == "" for v in vals], dtype=bool)
    return np.where(blank, labels, vals)


def report_rows(
    report: ProblemReport,
    file: str,
    features: Sequence[object] | np.ndarray,
    messages: Sequence[Text | str] | np.ndarray | Text | str,
    fix: Text | str,
    *,
    column: str | None = None,
    severity: str = "error",
) -> None:
    """One problem per offending row (``messages`` per row or one for all), capped at :data:`MAX_LISTED`."""
    feats = list(features)
    if not feats:
        return
    msgs = [messages] * len(feats) if isinstance(messages, str | Text) else list(messages)
    add = report.error if severity == "error" else report.warning
    for feat, msg in zip(feats[:MAX_LISTED], msgs[:MAX_LISTED], strict=True):
        add(file, msg, fix, feature=feat, column=column)
    rest = len(feats) - MAX_LISTED
    if rest > 0:
        more = ", ".join(str(f) for f in feats[MAX_LISTED:MAX_LISTED + 5])
        ell = ", …" if rest > 5 else ""
        add(file, say("rows.more", rest=rest, more=more, ell=ell, last=Text.of(msgs[-1])), fix, column=column)


def _file_column(frame: pd.DataFrame, canonical: str) -> str:
    """The column's name in the user's file (e.g. ``人口`` for ``population``), for messages."""
    return str(frame.attrs.get("columns", {}).get(canonical, canonical))


# --- value coercion -----------------------------------------------------------------------------------------


def _text(series: pd.Series) -> pd.Series:
    """Values as stripped text, ``""`` where missing; integral floats print without ``.0`` (shapefile ids)."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(str)
    if pd.api.types.is_numeric_dtype(series):
        vals = series.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(vals)
        integral = finite & (vals == np.floor(vals))
        out = np.array([""] * len(vals), dtype=object)
        out[integral] = vals[integral].astype(np.int64).astype(str)
        other = finite & ~integral
        out[other] = vals[other].astype(str)
        return pd.Series(out, index=series.index, dtype=object)
    text = series.astype("string").str.replace(_EDGE_SPACE, "", regex=True).fillna("")
    return pd.Series(text.to_numpy(dtype=object), index=series.index, dtype=object)


def _cells(series: pd.Series) -> pd.Series:
    """Return the cells as :func:`_text` does, but a NaN spelling (``nan``) as an empty cell.

    ``nan`` is what ``astype(str)`` makes of a missing value before a table is saved: for text, yes/no and
    level columns it means empty; number columns keep it, to report it as a number that is not finite.
    """
    text = _text(series)
    return text.mask(text.str.lower().isin(_NAN_TEXT), "")


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(values, missing, non-numeric, non-finite) for a column of numbers; thousands separators are accepted.

    Non-finite values (``inf``, ``nan`` written in a CSV cell, ``1e999``, an infinite float in a GeoPackage or
    Parquet column) are flagged, and NaN in ``values``, so no caller ever computes with them. A NaN float in a
    numeric column is a missing value (a GeoPackage NULL reads as NaN).
    """
    n = len(series)
    if pd.api.types.is_bool_dtype(series):
        vals = series.to_numpy(dtype=float, na_value=np.nan)
        return vals, np.isnan(vals), np.zeros(n, bool), np.zeros(n, bool)
    if pd.api.types.is_numeric_dtype(series):
        vals = series.to_numpy(dtype=float, na_value=np.nan)
        nonfinite = np.isinf(vals)
        return np.where(nonfinite, np.nan, vals), np.isnan(vals), np.zeros(n, bool), nonfinite
    text = _text(series)
    missing = (text == "").to_numpy(dtype=bool)
    named = text.str.lower().isin(_NONFINITE_TEXT).to_numpy(dtype=bool)
    plain = text.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    vals = pd.to_numeric(plain, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    # pandas before 3 coerces a number too large for a float ("1e999") to NaN, not inf: read those cells again
    for i in np.flatnonzero(~missing & ~named & np.isnan(vals)):
        try:
            vals[i] = float(plain.iat[i])
        except ValueError:
            pass
    nonfinite = ~missing & (named | np.isinf(vals))
    bad = ~missing & ~nonfinite & np.isnan(vals)
    return np.where(nonfinite, np.nan, vals), missing, bad, nonfinite


def _nonfinite_message(what: Text | str, raw: object) -> Text:
    return say("value.nonfinite", what=Text.of(what), value=raw)


def _coerce_number(
    frame: pd.DataFrame, col: ColumnSchema, ids: np.ndarray, report: ProblemReport
) -> pd.Series:
    file = frame.attrs.get("file", frame.attrs.get("kind", "input"))
    name = _file_column(frame, col.name)
    kind = frame.attrs.get("kind", "")
    vals, missing, bad, nonfinite = _numbers(frame[col.name])
    units = unit(col.unit)
    if bad.any() or nonfinite.any():
        raw = _raw_values(frame[col.name])
    if bad.any():
        report_rows(report, file, ids[bad],
                    [say("value.not_number", column=col.name, unit=units, value=v) for v in raw[bad]],
                    say("value.not_number.fix", name=name), column=name)
    if nonfinite.any():
        what = Text(f"{col.name}{units.zh}", f"{col.name}{units.en}")
        report_rows(report, file, ids[nonfinite], [_nonfinite_message(what, v) for v in raw[nonfinite]],
                    say("value.nonfinite.fix." + ("required" if col.required else "optional"), name=name),
                    column=name)
    if col.required and missing.any():
        report_rows(report, file, ids[missing], say("value.missing", column=col.name, unit=units),
                    say("value.missing.fix", name=name), column=name)
    if col.minimum is not None:
        low = np.isfinite(vals) & (vals < col.minimum)
        if low.any():
            report_rows(report, file, ids[low],
                        [say("value.negative", column=col.name, unit=units, value=v) for v in vals[low]],
                        say("value.negative.fix", name=name, column=col.name, minimum=col.minimum), column=name)
    _check_bounds(report, file, ids, vals, col, name, kind)
    if col.dtype == "int":
        fin = np.isfinite(vals)
        frac = fin & (np.abs(vals - np.round(vals)) > 1e-9)
        if frac.any():
            report.warning(file, say("value.non_integer", n=int(frac.sum()), layer=layer(kind), column=col.name,
                                     unit=units, first=ids[frac][0], value=vals[frac][0],
                                     units=unit(col.unit, brackets=False) or "units"),
                           say("value.non_integer.fix", name=name), column=name)
            vals = np.where(fin, np.round(vals), vals)
    fill = np.nan if col.default is None else float(col.default)  # type: ignore[arg-type]
    vals = np.where(np.isnan(vals), fill, vals)
    if col.dtype == "int" and col.default is not None:
        vals = np.where(np.isfinite(vals), vals, 0).astype(np.int64)
    return pd.Series(vals, index=frame.index)


def _raw_values(series: pd.Series) -> np.ndarray:
    """The cells as the user wrote them (floats such as ``inf`` keep their spelling), for messages."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return np.array([format(v, "g") if isinstance(v, float) else str(v)
                         for v in series.to_numpy(dtype=object)], dtype=object)
    return _text(series).to_numpy(dtype=object)


def _check_bounds(report: ProblemReport, file: str, ids: np.ndarray, vals: np.ndarray, col: ColumnSchema,
                  name: str, kind: str) -> None:
    """Values above the column's plausible ``maximum`` are errors, above ``warn_above`` warnings."""
    word = unit(col.unit, brackets=False)
    units = Text(f" {word.zh}", f" {word.en}") if col.unit else Text("", "")
    high = np.zeros(len(vals), dtype=bool)
    if col.maximum is not None:
        high = np.isfinite(vals) & (vals > col.maximum)
        if high.any():
            why = Text("；", "; ") + reason(col.bound_reason) if col.bound_reason else ""
            report_rows(report, file, ids[high],
                        [say("value.implausible", column=col.name, value=v, unit=units, layer=layer(kind),
                             maximum=col.maximum, why=Text.of(why)) for v in vals[high]],
                        say("value.implausible.fix", name=name, units=word or "units"), column=name)
    if col.warn_above is not None:
        warn = np.isfinite(vals) & (vals > col.warn_above) & ~high
        if warn.any():
            why = Text("；", "; ") + reason(col.warn_reason) if col.warn_reason else ""
            report_rows(report, file, ids[warn],
                        [say("value.large", column=col.name, value=v, unit=units, layer=layer(kind),
                             maximum=col.warn_above, why=Text.of(why)) for v in vals[warn]],
                        say("value.large.fix", name=name), column=name, severity="warning")


def parse_bool(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(values as pandas ``boolean`` with <NA> where missing, mask of values not understood).

    Understood: 1/0, true/false, yes/no, t/f, y/n, 是/否, urban/rural, 城市/农村 (case-insensitive).
    """
    text = _cells(series).str.lower()
    is_true = text.isin(_TRUE).to_numpy(dtype=bool)
    is_false = text.isin(_FALSE).to_numpy(dtype=bool)
    missing = (text == "").to_numpy(dtype=bool)
    out = pd.array(np.where(is_true, True, False), dtype="boolean")
    out[missing | ~(is_true | is_false)] = pd.NA
    return pd.Series(out, index=series.index), ~(is_true | is_false | missing)


def _coerce_bool(frame: pd.DataFrame, col: ColumnSchema, ids: np.ndarray, report: ProblemReport) -> pd.Series:
    file = frame.attrs.get("file", "input")
    name = _file_column(frame, col.name)
    vals, bad = parse_bool(frame[col.name])
    if bad.any():
        raw = _text(frame[col.name]).to_numpy(dtype=object)
        report_rows(report, file, ids[bad], [say("value.not_bool", column=col.name, value=v) for v in raw[bad]],
                    say("value.not_bool.fix", name=name), column=name)
    if col.default is not None:
        vals = vals.fillna(bool(col.default)).astype(bool)
    return vals


def accepted_levels() -> str:
    """The accepted facility levels with their Chinese names, for messages."""
    return ", ".join(f"{lv.value} ({LEVEL_NAMES_ZH[lv]})" for lv in Level)


def _coerce_level(
    frame: pd.DataFrame, col: ColumnSchema, ids: np.ndarray, report: ProblemReport
) -> pd.Series:
    file = frame.attrs.get("file", "input")
    name = _file_column(frame, col.name)
    text = _cells(frame[col.name])
    missing = (text == "").to_numpy(dtype=bool)
    # Few distinct spellings: parse each once, then map the column.
    parsed = {v: parse_level(v) for v in pd.unique(text[~missing])}
    levels = np.array([parsed.get(v) for v in text.to_numpy(dtype=object)], dtype=object)
    unknown = ~missing & np.array([lv is None for lv in levels], dtype=bool)
    if unknown.any():
        raw = text.to_numpy(dtype=object)
        report_rows(report, file, ids[unknown], [say("level.unknown", value=v) for v in raw[unknown]],
                    say("level.unknown.fix", levels=accepted_levels(), name=name), column=name)
    if missing.any():
        if col.default is None:
            report_rows(report, file, ids[missing], say("level.missing"),
                        say("level.missing.fix", name=name, levels=accepted_levels()), column=name)
        else:
            levels[missing] = Level(str(col.default))
    out = np.array(["" if lv is None else str(Level(lv).value) for lv in levels], dtype=object)
    return pd.Series(out, index=frame.index, dtype=object)


def coerce_columns(frame: pd.DataFrame, schema: LayerSchema, report: ProblemReport) -> pd.DataFrame:
    """Every schema column typed (``int`` → int64 or float with NaN, ``bool`` → bool or ``boolean``,
    ``level`` → Level value, text → str); absent optional columns get their default (``None`` → missing).
    Problems go to ``report``.
    """
    ids = feature_ids(frame)
    cols: dict[str, object] = {}
    for col in schema.columns:
        if col.name not in frame:
            if col.dtype == "bool" and col.default is not None:
                cols[col.name] = np.full(len(frame), bool(col.default))
            elif col.dtype in ("int", "float"):
                val = np.nan if col.default is None else col.default
                cols[col.name] = np.full(len(frame), val, dtype=np.int64 if col.dtype == "int"
                                         and col.default is not None else float)
            elif col.dtype == "bool":
                cols[col.name] = pd.array([pd.NA] * len(frame), dtype="boolean")
            else:
                text = "" if col.default is None else str(col.default)
                cols[col.name] = np.full(len(frame), text, dtype=object)
            continue
        if col.dtype in ("int", "float"):
            cols[col.name] = _coerce_number(frame, col, ids, report).to_numpy()
        elif col.dtype == "bool":
            cols[col.name] = _coerce_bool(frame, col, ids, report).array
        elif col.dtype == "level":
            cols[col.name] = _coerce_level(frame, col, ids, report).to_numpy()
        else:
            cols[col.name] = _cells(frame[col.name]).to_numpy(dtype=object)
    out = pd.DataFrame(cols, index=frame.index)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        out = gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)
    out.attrs = dict(frame.attrs)
    return out


# --- row checks ---------------------------------------------------------------------------------------------


def check_ids(frame: pd.DataFrame, report: ProblemReport, *, column: str = "id",
              raw: pd.Series | None = None) -> None:
    """Missing and duplicate ids (every duplicate is listed with the rows it appears on).

    ``raw`` is the id column as the file wrote it: ids with spaces around them are normalised with a note, and
    a duplicate that only exists once the spaces are removed says so.
    """
    file = frame.attrs.get("file", "input")
    name = _file_column(frame, column)
    ids = _text(frame[column])
    labels = row_labels(frame)
    blank = (ids == "").to_numpy(dtype=bool)
    spelled = _spellings(raw, ids)
    if spelled is not None:
        _note_spaced_ids(report, file, spelled, ids.to_numpy(dtype=object), name, say("id.what.ids"), labels)
    if blank.any():
        report_rows(report, file, labels[blank], say("id.missing"), say("id.missing.fix", name=name), column=name)
    dup = ids.duplicated(keep=False).to_numpy(dtype=bool) & ~blank
    if dup.any():
        where = pd.Series(labels[dup]).groupby(ids[dup].to_numpy(), sort=False).agg(list)
        as_written = (pd.Series(spelled[dup] if spelled is not None else ids[dup].to_numpy(dtype=object))
                      .groupby(ids[dup].to_numpy(), sort=False).agg(lambda v: list(dict.fromkeys(v))))
        msgs = []
        for key, rows in where.items():
            forms = as_written[key]
            how = (say("id.duplicate.spaces", forms=", ".join(repr(f) for f in forms)) if len(forms) > 1
                   else Text("", ""))
            shown = Text.join(Text("、", ", "), [row_text(r) for r in rows[:5]])
            msgs.append(say("id.duplicate", n=len(rows), rows=shown, how=how))
        report_rows(report, file, list(where.index), msgs, say("id.duplicate.fix", name=name), column=name)


def _spellings(raw: pd.Series | None, ids: pd.Series) -> np.ndarray | None:
    """The ids as written (text), or ``None`` when the column holds no text (numbers cannot carry spaces)."""
    if raw is None or len(raw) != len(ids):
        return None
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return None
    return raw.astype("string").fillna("").to_numpy(dtype=object)


def _note_spaced_ids(report: ProblemReport, file: str, written: np.ndarray | None, text: np.ndarray,
                     column: str, what: Text, labels: np.ndarray | None = None) -> None:
    """One note when ids had spaces (or zero-width characters) around them, which are removed.

    ``written`` holds the ids as written (see :func:`_spellings`), ``text`` the same ids normalised.
    """
    if written is None or not len(text):
        return
    spaced = (written != text) & (text != "")
    if not spaced.any():
        return
    first = int(np.flatnonzero(spaced)[0])
    at = f"{labels[first]}: " if labels is not None else ""
    n = int(spaced.sum())
    report.warning(file, say("id.spaces", n=n, what=what, at=at, written=written[first], text=text[first]),
                   say("id.spaces.fix"), column=column)


def check_geometry(frame: gpd.GeoDataFrame, schema: LayerSchema, report: ProblemReport) -> np.ndarray:
    """Missing/empty, wrong-type and invalid geometries, lon/lat out of range; returns the good-rows mask."""
    file = frame.attrs.get("file", "input")
    ids = feature_ids(frame)
    geom = frame.geometry.values
    empty = np.asarray(shapely.is_missing(geom) | shapely.is_empty(geom), dtype=bool)
    coords = frame.attrs.get("coord_columns")
    if empty.any():
        if coords:
            pair = coords[0] == coords[1]  # one "longitude,latitude" column
            report_rows(report, file, ids[empty],
                        say("geom.coords_missing", columns=f"{coords[0]}{'' if pair else ', ' + coords[1]}"),
                        say("geom.coords_missing.fix_pair", column=coords[0]) if pair else
                        say("geom.coords_missing.fix", lon=coords[0], lat=coords[1]), column=coords[0])
        else:
            report_rows(report, file, ids[empty], say("geom.missing"),
                        _GEOM_FIX[schema.geometry or "point"], column="geometry")
    ok = ~empty
    allowed = _GEOM_TYPES[schema.geometry or "point"]
    types = np.asarray(shapely.get_type_id(geom))
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                      "MultiPolygon", "GeometryCollection"], dtype=object)
    type_names = np.where(types >= 0, names[np.clip(types, 0, 7)], "none")
    wrong = ok & ~pd.Series(type_names).isin(allowed).to_numpy(dtype=bool)
    multi = wrong & (type_names == "MultiPoint") & (schema.geometry == "point")
    if multi.any():  # single-part MultiPoints were made points by _single_points
        parts = np.asarray(shapely.get_num_geometries(geom[multi]), dtype=int)
        report_rows(report, file, ids[multi],
                    [say("geom.multipoint", k=k, layer=layer(schema.kind)) for k in parts],
                    say("geom.multipoint.fix"), column="geometry")
    other = wrong & ~multi
    if other.any():
        expected = Text(" 或 ".join(allowed), " or ".join(allowed))
        report_rows(report, file, ids[other],
                    [say("geom.wrong_type", found=t, expected=expected) for t in type_names[other]],
                    _GEOM_FIX[schema.geometry or "point"], column="geometry")
    ok &= ~wrong
    nonfinite = ok & _nonfinite_coordinates(geom)
    if nonfinite.any():
        report_rows(report, file, ids[nonfinite], say("geom.nonfinite"), say("geom.nonfinite.fix"),
                    column=coords[0] if coords else "geometry")
    ok &= ~nonfinite
    valid = np.asarray(shapely.is_valid(geom), dtype=bool)
    invalid = ok & ~valid
    if invalid.any():
        reasons = shapely.is_valid_reason(geom[invalid])
        report_rows(report, file, ids[invalid], [say("geom.invalid", reason=r) for r in reasons],
                    say("geom.invalid.fix"),
                    column="geometry")
    ok &= ~invalid
    if frame.crs is not None and ok.any():
        ok &= _check_coordinate_scale(frame, schema, ids, ok, report)
    return ok


# Projected coordinates (metres) of any place on Earth stay within this, Gauss-Krüger with the zone number in
# front of the easting included (at most ~4.5e7 m).
MAX_PROJECTED_M = 1e8
# A province spans at most ~15 degrees; a layer in degrees spreads over less than this.
MAX_DEGREE_SPREAD = 20.0


def _nonfinite_coordinates(geom: np.ndarray) -> np.ndarray:
    """Mask of geometries with any coordinate that is inf or nan."""
    coords, index = shapely.get_coordinates(geom, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    return np.bincount(index[bad], minlength=len(geom)) > 0


def _crs_fix(frame: gpd.GeoDataFrame, kind: str, right: Text) -> Text:
    """How to give the right CRS: in the scenario (CSV, or a file without CRS), or in the file itself."""
    if frame.attrs.get("crs_from") == "file":
        return say("crs.fix.file", crs=crs_label(frame.crs), right=right)
    return say("crs.fix.scenario", kind=kind, right=right)


def _check_coordinate_scale(frame: gpd.GeoDataFrame, schema: LayerSchema, ids: np.ndarray, ok: np.ndarray,
                            report: ProblemReport) -> np.ndarray:
    """Check that the coordinates' size fits the declared CRS; return the rows still usable.

    Records metres declared as degrees, degrees declared as metres (the whole layer within ±180/±90) and
    swapped longitude and latitude.
    """
    file = frame.attrs.get("file", "input")
    coords = frame.attrs.get("coord_columns")
    column = coords[0] if coords else "geometry"
    geom = frame.geometry.values
    bounds = shapely.bounds(geom)
    kind = schema.kind
    good = np.ones(len(frame), dtype=bool)
    if frame.crs.is_geographic:
        xs, ys = np.abs(bounds[:, [0, 2]]), np.abs(bounds[:, [1, 3]])
        beyond = ok & ((xs > 180).any(axis=1) | (ys > 90).any(axis=1))
        if beyond.any():
            first = bounds[beyond][0]
            swapped = bool((xs[ok] <= 90).all() and (ys[ok] <= 180).all())
            if swapped:
                report_rows(report, file, ids[beyond], say("crs.swapped", lat=first[1]),
                            say("crs.swapped.fix_columns" if coords else "crs.swapped.fix_geometry"),
                            column=column)
            else:
                report_rows(report, file, ids[beyond],
                            say("crs.looks_projected", x=first[0], y=first[1], crs=frame.crs.to_string()),
                            _crs_fix(frame, kind, say("crs.right.projected")), column=column)
            good &= ~beyond
        return good
    if not frame.crs.is_projected:
        return good
    huge = ok & (np.abs(bounds) > MAX_PROJECTED_M).any(axis=1)
    if huge.any():
        first = bounds[huge][0]
        report_rows(report, file, ids[huge], say("crs.beyond_earth", x=first[0], y=first[1], crs=crs_label(frame.crs)),
                    say("crs.beyond_earth.fix"), column=column)
        good &= ~huge
    rest = ok & good
    if rest.any():
        lo, hi = bounds[rest, :2].min(axis=0), bounds[rest, 2:].max(axis=0)
        inside = abs(lo[0]) <= 180 and abs(hi[0]) <= 180 and abs(lo[1]) <= 90 and abs(hi[1]) <= 90
        if inside and (hi - lo).max() <= MAX_DEGREE_SPREAD:
            # A whole layer within 360 × 180 m of the projection's origin and at most 20 m across is no county
            # (nor a province, which spans ~15 degrees): the numbers are degrees.
            report.error(file, say("crs.looks_degrees", x0=lo[0], x1=hi[0], y0=lo[1], y1=hi[1],
                                   crs=crs_label(frame.crs)),
                         _crs_fix(frame, kind, say("crs.right.lonlat")), column=column)
            good &= ~rest
    return good


def validate_layer(frame: pd.DataFrame, kind: str, report: ProblemReport,
                   stock: tuple[ColumnSchema, ...] = ()) -> pd.DataFrame:
    """Coerce and check one layer read by :func:`geodata.readers.read_layer`: columns, ids, geometry.

    Returns the layer with exactly its schema's canonical columns (plus ``geometry`` when it has one), in the
    file's row order. ``attrs["geometry_ok"]`` is the mask of rows whose geometry is usable.
    """
    schema = schema_for(kind, stock)
    out = coerce_columns(frame, schema, report)
    if schema.column("id").dtype == "id":
        check_ids(out, report, raw=frame["id"] if "id" in frame else None)
    if isinstance(out, gpd.GeoDataFrame):
        if schema.geometry == "point":
            out = _single_points(out)
        out.attrs["geometry_ok"] = check_geometry(out, schema, report)
    return out


def _single_points(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A MultiPoint of one point is that point (some tools write every point layer as MultiPoint)."""
    geom = frame.geometry.values
    multi = np.asarray(shapely.get_type_id(geom) == 4, dtype=bool) & ~np.asarray(shapely.is_empty(geom), bool)
    if not multi.any():
        return frame
    parts = np.asarray(shapely.get_num_geometries(geom), dtype=int)
    one = multi & (parts == 1)
    if one.any():
        fixed = np.array(geom, dtype=object)
        fixed[one] = shapely.get_geometry(fixed[one], 0)
        attrs = dict(frame.attrs)
        frame = frame.set_geometry(gpd.array.from_shapely(fixed, crs=frame.crs))
        frame.attrs = attrs
    return frame  # MultiPoints of several points are left to check_geometry, which names them


# --- roads --------------------------------------------------------------------------------------------------


def validate_roads(roads: gpd.GeoDataFrame, cfg: TravelConfig, report: ProblemReport) -> gpd.GeoDataFrame:
    """Check the road layer's geometry and the columns named by ``cfg`` (class, speed, one-way).

    Records: non-line or empty geometry; a speed that is not a number, zero or negative; a road with no speed
    whose class is missing or not in ``cfg.speeds_kph``. Returns the roads indexed by id (text; ``feature N``
    when the file has no ids), with only usable lines kept and the speed column parsed to km/h floats.
    """
    file = roads.attrs.get("file", "roads")
    out = roads.copy()
    out.attrs = dict(roads.attrs)
    ids = feature_ids(out, _text(out["id"]) if "id" in out else None)
    if len(set(ids)) == len(ids):
        out.index = pd.Index(ids, name="road_id")
    ok = check_geometry(out, schema_for("roads"), report)
    n = len(out)
    speed = np.full(n, np.nan)
    if cfg.speed_column is not None:
        if cfg.speed_column not in out:
            report.error(file, say("roads.speed_column_missing", column=cfg.speed_column,
                                   columns=", ".join(c for c in out.columns if c != "geometry")),
                         say("roads.speed_column_missing.fix"), column=cfg.speed_column)
            return out[ok]
        speed, _missing, bad, nonfinite = _numbers(out[cfg.speed_column])
        raw = _raw_values(out[cfg.speed_column])
        if bad.any():
            report_rows(report, file, ids[bad],
                        [say("value.not_number", column=say("roads.speed_what"), unit="", value=v)
                         for v in raw[bad]],
                        say("roads.speed_not_number.fix"), column=cfg.speed_column)
        if nonfinite.any():
            report_rows(report, file, ids[nonfinite],
                        [_nonfinite_message(say("roads.speed_what"), v) for v in raw[nonfinite]],
                        say("roads.speed_nonfinite.fix"), column=cfg.speed_column)
        _check_speeds(report, file, ids, speed, cfg.speed_column)
        bad = bad | nonfinite
        nonpos = np.isfinite(speed) & (speed <= 0)
        if nonpos.any():
            report_rows(report, file, ids[nonpos],
                        [say("roads.speed_nonpositive", value=v) for v in speed[nonpos]],
                        say("roads.speed_nonpositive.fix"), column=cfg.speed_column)
        out[cfg.speed_column] = speed
        # Already reported: a speed that is not a number gets no class fallback (and no second message).
        speed = np.where(bad, -1.0, speed)
    need_class = np.isnan(speed)
    if need_class.any():
        known = class_speeds(cfg)
        if cfg.class_column not in out:
            report.error(file, say("roads.no_class_column", n=int(need_class.sum()), column=cfg.class_column,
                                   first=ids[need_class][0]),
                         say("roads.no_class_column.fix"), column=cfg.class_column)
        else:
            cls = _text(out[cfg.class_column]).str.lower()
            class_speed = cls.map(known).to_numpy(dtype=float, na_value=np.nan)
            unknown = need_class & np.isnan(class_speed)
            if unknown.any():
                raw = _text(out[cfg.class_column]).to_numpy(dtype=object)
                report_rows(report, file, ids[unknown],
                            [say("roads.class_unknown", value=v) for v in raw[unknown]],
                            say("roads.class_unknown.fix", classes=", ".join(cfg.speeds_kph)),
                            column=cfg.class_column)
            bad_class = need_class & np.isfinite(class_speed) & (class_speed <= 0)
            if bad_class.any():
                report_rows(report, file, ids[bad_class],
                            say("roads.class_speed_nonpositive"), say("roads.class_speed_nonpositive.fix"),
                            column=cfg.class_column)
    return out[ok]


# China's expressway limit is 120 km/h; no vehicle on a road goes 300 km/h (a speed in m/min would: 60 km/h is
# 1,000 m/min).
WARN_SPEED_KPH = 130.0
MAX_SPEED_KPH = 300.0


def _check_speeds(report: ProblemReport, file: str, ids: np.ndarray, speed: np.ndarray, column: str) -> None:
    """Speeds above :data:`MAX_SPEED_KPH` are errors, above :data:`WARN_SPEED_KPH` warnings."""
    fast = np.isfinite(speed) & (speed > MAX_SPEED_KPH)
    if fast.any():
        report_rows(report, file, ids[fast],
                    [say("roads.speed_implausible", value=v, maximum=MAX_SPEED_KPH) for v in speed[fast]],
                    say("roads.speed_implausible.fix"), column=column)
    quick = np.isfinite(speed) & (speed > WARN_SPEED_KPH) & ~fast
    if quick.any():
        report_rows(report, file, ids[quick],
                    [say("roads.speed_fast", value=v) for v in speed[quick]],
                    say("roads.speed_fast.fix"), column=column, severity="warning")


# --- OD matrix ----------------------------------------------------------------------------------------------


def validate_od(
    od: pd.DataFrame, site_ids: pd.Index, demand_ids: pd.Index, report: ProblemReport
) -> pd.DataFrame:
    """Check an OD travel-time matrix: minutes numeric and ≥ 0, ids present and known; duplicate pairs warn.

    Ids are factorised first, so the text work runs over the distinct ids only (an OD matrix can hold tens of
    millions of rows but only sites + demand points distinct ids).

    Returns
    -------
    pandas.DataFrame
        The usable rows: ``site_id``, ``demand_id`` (text), ``minutes`` (float), and ``site_idx`` /
        ``demand_idx`` (int32 positions in ``site_ids`` / ``demand_ids``, ready for
        :meth:`TravelTimes.from_pairs <geodata.instance.TravelTimes.from_pairs>`).
    """
    file = od.attrs.get("file", "travel_times")
    minutes, missing, bad, nonfinite = _numbers(od["minutes"])
    mcol = _file_column(od, "minutes")
    # Labels only for offending rows: row_labels over every row would dominate the run time.
    if bad.any():
        raw = _text(od["minutes"][bad]).to_numpy(dtype=object)
        report_rows(report, file, row_labels(od, bad), [say("od.minutes_not_number", value=v) for v in raw],
                    say("od.minutes_not_number.fix", column=mcol), column=mcol)
    if nonfinite.any():
        raw = _raw_values(od["minutes"][nonfinite])
        report_rows(report, file, row_labels(od, nonfinite),
                    [_nonfinite_message(say("od.minutes_what"), v) for v in raw],
                    say("od.minutes_nonfinite.fix"), column=mcol)
    if missing.any():
        report_rows(report, file, row_labels(od, missing), say("od.minutes_missing"),
                    say("od.minutes_missing.fix"), column=mcol)
    neg = np.isfinite(minutes) & (minutes < 0)
    if neg.any():
        report_rows(report, file, row_labels(od, neg),
                    [say("od.minutes_negative", value=v) for v in minutes[neg]],
                    say("od.minutes_negative.fix", column=mcol), column=mcol)
    ok = np.isfinite(minutes) & (minutes >= 0)
    cols: dict[str, object] = {}
    checks = ((site_ids, "site_id", "site"), (demand_ids, "demand_id", "demand"))
    for known, canon, what in checks:
        col = _file_column(od, canon)
        codes, uniques = pd.factorize(od[canon])  # missing → code -1
        text = _text(pd.Series(uniques)).to_numpy(dtype=object)
        written = _spellings(pd.Series(uniques), pd.Series(text))
        _note_spaced_ids(report, file, written, text, col, say(f"id.what.od_{what}"))
        pos_u = _first_positions(known, text)
        blank_u = np.append(text == "", True)  # the extra last entry stands for code -1 (missing)
        blank = blank_u[codes]
        if blank.any():
            report_rows(report, file, row_labels(od, blank), say(f"od.id_missing.{what}"),
                        say("od.id_missing.fix", column=col), column=col)
        bad_u = np.flatnonzero((pos_u < 0) & (text != ""))
        if bad_u.size:
            # One problem per unknown id (not per row): an id missing from the sites shows up in many rows.
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            listed = bad_u[: MAX_LISTED + 5]
            firsts = [row_labels(od, codes == k)[0] for k in listed]  # uniques come in order of appearance
            report_rows(report, file, list(text[bad_u]),
                        [say(f"od.id_unknown.{what}", n=counts[k], row=row_text(row))
                         for k, row in zip(listed, firsts, strict=True)]
                        + [say("od.id_unknown.short")] * (bad_u.size - listed.size),
                        say(f"od.id_unknown.fix.{what}", column=col), column=col)
        pos = np.where(codes >= 0, pos_u[np.maximum(codes, 0)], -1)
        ok &= pos >= 0
        cols[f"{what}_idx"] = pos
    s_idx = cols["site_idx"][ok].astype(np.int32)  # type: ignore[index]
    d_idx = cols["demand_idx"][ok].astype(np.int32)  # type: ignore[index]
    out = pd.DataFrame({
        "site_id": _take_text(site_ids, s_idx),
        "demand_id": _take_text(demand_ids, d_idx),
        "minutes": minutes[ok],
        "site_idx": s_idx,
        "demand_idx": d_idx,
    })
    # Duplicate pairs by sorting one int64 key per row (faster than hashing tens of millions of rows).
    n_dem = max(len(demand_ids), 1)
    keys = np.sort(s_idx.astype(np.int64) * n_dem + d_idx)
    same = keys[1:] == keys[:-1]
    if same.any():
        k = int(keys[1:][same][0])
        first = f"{site_ids[k // n_dem]} → {demand_ids[k % n_dem]}"
        report.warning(file, say("od.duplicate_pairs", n=int(same.sum()), first=first), say("od.duplicate_pairs.fix"))
    return out


def _first_positions(known: pd.Index, text: np.ndarray) -> np.ndarray:
    """Position of each of ``text`` in ``known`` (its first occurrence; -1 when absent).

    ``known`` may repeat an id: the duplicate is reported by :func:`check_ids`, and the OD check still runs.
    """
    idx = pd.Index(known).astype(str)
    if idx.is_unique:
        return idx.get_indexer(text)
    first = np.flatnonzero(~idx.duplicated(keep="first"))
    found = idx[first].get_indexer(text)
    return np.where(found >= 0, first[np.maximum(found, 0)], -1)


def _take_text(ids: pd.Index, idx: np.ndarray) -> pd.Series:
    """``ids[idx]`` as a pandas ``str`` column, gathered by Arrow (no Python string per row)."""
    table = pa.array(np.asarray(pd.Index(ids).astype(str), dtype=object).astype(str))
    return pd.Series(pd.array(table.take(pa.array(idx)), dtype=pd.StringDtype("pyarrow", na_value=np.nan)))
