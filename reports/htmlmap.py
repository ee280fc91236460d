"""The interactive map: one self-contained offline ``map.html`` (Leaflet 1.9.4 inlined, data as JSON).

Why not folium: folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs (ten URLs in its default
template), names every element with a random id (so reruns differ) and writes one script block per feature.
This module inlines Leaflet itself (read at run time from the installed PyPI package ``django-js-lib-leaflet``,
a plain repackaging of Leaflet 1.9.4, BSD-2-Clause, that needs no Django), embeds the data once as JSON and draws it with a short script
(``reports/static/htmlmap.js``): the page needs no server and no network, and the same run gives the same
bytes. A subset of the bundled CJK font is embedded too, so the Chinese text looks the same on any machine.

Layers: township coverage choropleths (one per resource kind and the mean of all kinds after the plan, and the
mean before it) as base layers; per kind, existing facilities, new projects and the villages still not covered
as overlays; township names. Clicking a new project opens its popup: project name, content, investment, year
and its 依据 text with the plan's figures (newly covered persons, persons covered only by it). A background
tile layer is optional (``tiles=``, off by default) and never required.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import math
import os
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from healthplan.geodata.instance import Instance
from healthplan.geodata.levels import LEVEL_NAMES_ZH, Level
from healthplan.geodata.partition import approximate_flag
from healthplan.optimizer.kinds import KINDS
from healthplan.optimizer.plan import Plan
from healthplan.optimizer.text import is_en
from healthplan.reports import map_style as ms
from healthplan.reports.config import ReportConfig
from healthplan.reports.map_data import MapData, legend_name, maps_unavailable_reason, stock_text
from healthplan.reports.map_fonts import chars_of, text_chars
from healthplan.reports.map_page import file_mode

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
COORD_DECIMALS = 6  # degrees: 6 decimals ≈ 0.1 m, finer than any input
SIMPLIFY_M = 15.0  # township outlines simplified to 15 m (invisible at county zoom, keeps the file small)

UI = ms.HTML_TEXT


def write_html_map(
    path: Path,
    instance: Instance,
    plan: Plan,
    *,
    projects: pd.DataFrame | None,
    report: ReportConfig,
    lang: str = "zh",
    tiles: str | None = None,
) -> Path:
    """Write ``map.html``: one self-contained file that works offline (file://, no server, no CDN).

    Parameters
    ----------
    path
        Output file (written atomically).
    instance, plan
        The instance (WGS84 ``lon``/``lat`` columns, township polygons in a metric CRS) and its plan.
    projects
        Project table of ``reports.projects.project_table`` (names and 依据 text for popups), or ``None`` to
        build names from the plan.
    report
        ``title`` and ``data_note`` are shown on the page.
    lang
        ``"zh"`` (default) or ``"en"``.
    tiles
        Optional XYZ tile URL template for a background layer (off by default; needs network when on).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    title = report.title or ms.text("default_title", lang, name=report.county or instance.name)
    reason = maps_unavailable_reason(instance, lang)
    data = None if reason is not None else map_payload(instance, plan, projects, report, lang, tiles=tiles)
    page = render_page(title, data, lang, message=reason)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(page)
        os.chmod(tmp, file_mode())  # mkstemp makes 0600 files; the map is for sharing
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def map_payload(
    instance: Instance, plan: Plan, projects: pd.DataFrame | None, report: ReportConfig, lang: str = "zh",
    *, tiles: str | None = None,
) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data (WGS84 degrees, persons, 万元)."""
    data = MapData.build(instance, plan, projects, lang)
    t = _ui(lang)
    metrics = [{"key": "combined", "name": t["combined"]}]
    metrics += [{"key": k, "name": data.kind_title(k)} for k in data.kinds]
    payload: dict[str, Any] = {
        "lang": lang,
        "title": report.title or ms.text("default_title", lang, name=report.county or instance.name),
        "note": _notes(instance, report, lang),
        "ui": t,
        "classes": [
            {"min": ms.COVERAGE_BINS[i], "max": ms.COVERAGE_BINS[i + 1], "colour": c, "label": lab}
            for i, (c, lab) in enumerate(
                zip(ms.COVERAGE_COLOURS, ms.coverage_class_labels(lang), strict=True)
            )
        ],
        "noDataColour": ms.NO_DATA_COLOUR,
        "metrics": metrics,
        "kinds": [
            {"key": k, "name": data.kind_title(k), "colour": data.kind(k).colour,
             "itemKinds": [it.key for it in data.items_of(k)]}
            for k in data.kinds
        ],
        "symbols": {
            it.key: {"points": it.symbol.svg_points, "name": it.label(lang), "legend": legend_name(k, it, lang)}
            for k in KINDS for it in k.items
        },
        "townships": _townships(data, metrics),
        "existing": _existing(data, lang),
        "projects": _projects(data),
        "uncovered": _uncovered(data),
        "tiles": tiles,
    }
    payload["bounds"] = _bounds(payload, data)
    return payload


def expected_chars(instance: Instance, report: ReportConfig, lang: str) -> frozenset[str]:
    """Characters the page is likely to show, known before the plan: its fixed texts and notes, every text of
    the message catalog, every character of the package's own texts beyond ASCII
    (``reports.map_fonts.text_chars``: projects' names, contents and 依据 are made of them and of names), the
    report's own texts (units, funding sources) and the names of villages and sites.

    A map worker makes the font subset of these (with the maps' characters) while the run solves;
    :func:`font_face_css` cuts the page's font from it when the page shows no other character, else it reads
    the full font."""
    from healthplan.reports.i18n import catalog

    def strings(obj: object) -> list[str]:
        if isinstance(obj, str):
            return [obj]
        if isinstance(obj, dict):
            return [t for v in obj.values() for t in strings(v)]
        if isinstance(obj, (list, tuple)):
            return [t for v in obj for t in strings(v)]
        return []

    texts: list[object] = [*_notes(instance, report, lang), *_ui(lang).values(), *catalog(lang).values(),
                           "".join(text_chars())]
    texts += strings(report.model_dump())
    if not is_en(lang):
        texts += list(LEVEL_NAMES_ZH.values())
    for frame in (instance.demand, instance.sites):
        if "name" in frame:
            texts += list(frame["name"].astype(str))
    return chars_of(texts)


def _ui(lang: str) -> dict[str, str]:
    return {k: v[_i(lang)] for k, v in UI.items()}


def _notes(instance: Instance, report: ReportConfig, lang: str) -> list[str]:
    out = []
    if instance.synthetic:
        out.append(ms.text("synthetic", lang))
    if (approximate := approximate_flag(instance.meta, lang)) is not None:  # seats-only townships
        out.append(approximate)
    if report.data_note:
        out.append(report.data_note)
    out.append(ms.text("covered_def", lang))
    return out


def _round(v: float, nd: int = COORD_DECIMALS) -> float | None:
    return None if v is None or not math.isfinite(float(v)) else round(float(v), nd)


def _townships(data: MapData, metrics: list[dict[str, str]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the townships (WGS84), with coverage shares before/after per metric."""
    tw = data.townships
    if tw is None:
        return {"type": "FeatureCollection", "features": []}
    crs = tw.crs or data.instance.crs
    if crs is None:
        log.warning("map.html: township polygons have no CRS; they are left out of the HTML map")
        return {"type": "FeatureCollection", "features": []}
    geoms = tw.geometry.to_numpy()
    if pyproj.CRS.from_user_input(crs).is_projected:
        geoms = shapely.simplify(geoms, SIMPLIFY_M, preserve_topology=True)
    wgs_geoms = gpd.GeoSeries(geoms, crs=crs, index=tw.index).to_crs("EPSG:4326").to_numpy()
    wgs_geoms = shapely.set_precision(wgs_geoms, 10.0 ** -COORD_DECIMALS)
    # Label points inside each township (representative points, computed before simplification).
    label_at = gpd.GeoSeries(tw.geometry.representative_point(), crs=crs).to_crs("EPSG:4326")
    shares: dict[str, dict[str, pd.Series]] = {}
    for m in metrics:
        kind = None if m["key"] == "combined" else m["key"]
        shares[m["key"]] = {
            w: data.township_share(kind, w).reindex(tw.index.astype(str)) for w in ("before", "after")
        }
    pop = data.demand["population"].astype(float).groupby(data.demand["township"].astype(str)).sum()
    features = []
    for j, (tid, geom) in enumerate(zip(tw.index.astype(str), wgs_geoms, strict=True)):
        cov = {k: [_round(v["before"].iloc[j], 4), _round(v["after"].iloc[j], 4)] for k, v in shares.items()}
        features.append({
            "type": "Feature",
            "properties": {"id": tid, "name": str(tw["label"].iloc[j]), "population": int(pop.get(tid, 0)),
                           "cov": cov, "label_at": [_round(label_at.iloc[j].x), _round(label_at.iloc[j].y)]},
            "geometry": shapely.geometry.mapping(geom),
        })
    return {"type": "FeatureCollection", "features": features}


def _existing(data: MapData, lang: str) -> list[dict[str, Any]]:
    """Existing facilities with the item types they hold (or whose service they give), one entry per site, and
    how each stock is worded in the popup."""
    sites = data.sites
    shown: list[tuple[Any, Any, np.ndarray, bool]] = []  # (kind, item, mask, as provider)
    for name in data.kinds:
        k = data.kind(name)
        firsts = {it.service: it for it in reversed(k.items)}
        for it in k.items:
            shown.append((k, it, data.held[it.key], False))
            if firsts[it.service] is it:
                shown.append((k, it, data.providers[name] & ~data.held[it.key], True))
    out = []
    en = is_en(lang)
    for j, (sid, row) in enumerate(sites.iterrows()):
        lat, lon = float(row.get("lat", np.nan)), float(row.get("lon", np.nan))
        here = [(k, it, prov) for k, it, mask, prov in shown if mask[j]]
        if not here or not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        level = str(row.get("level", ""))
        try:
            level_name = level.replace("_", " ") if en else LEVEL_NAMES_ZH[Level(level)]
        except ValueError:
            level_name = level
        kinds = list(dict.fromkeys(it.key for _, it, _ in here))
        stock = {it.key: stock_text(k, it, row, prov, lang) for k, it, prov in here}
        out.append({"id": str(sid), "name": str(row["label"]), "level": level_name, "kinds": kinds,
                    "stock": stock, "lat": _round(lat), "lon": _round(lon)})
    return out


def _projects(data: MapData) -> list[dict[str, Any]]:
    out = []
    for r in data.items.itertuples(index=False):
        if not (math.isfinite(float(r.lat)) and math.isfinite(float(r.lon))):
            continue
        out.append({
            "id": str(r.item_id), "site": str(r.site_id), "siteName": str(r.site_label), "kind": str(r.kind),
            "mapKind": str(r.map_kind), "lat": _round(r.lat), "lon": _round(r.lon),
            "no": None if pd.isna(r.no) else int(r.no), "origin": str(r.origin),
            "name": str(r.name), "content": str(r.content), "basis": str(r.basis),
            "cost": _round(r.cost_wan, 4), "year": int(r.year),
            "quantity": int(r.quantity), "newly": int(round(float(r.newly_covered))),
            "only": int(round(float(r.only_covered))),
        })
    return out


def _uncovered(data: MapData) -> dict[str, list[list[Any]]]:
    """Per kind, villages still not covered after the plan: [lat, lon, name, persons]."""
    out = {}
    missing = np.full(len(data.demand), np.nan)
    lat = data.demand["lat"].to_numpy(dtype=float) if "lat" in data.demand else missing
    lon = data.demand["lon"].to_numpy(dtype=float) if "lon" in data.demand else missing
    ok = np.isfinite(lat) & np.isfinite(lon)
    ids = data.demand.index.astype(str)
    names = data.demand["name"].astype(str).to_numpy() if "name" in data.demand else ids
    pop = data.demand["population"].to_numpy(dtype=float)
    for k in data.kinds:
        mask = ok & (data.point_share(k, "after").to_numpy() < ms.COVERED_THRESHOLD)
        out[k] = [[_round(lat[i]), _round(lon[i]), str(names[i]), int(pop[i])] for i in np.flatnonzero(mask)]
    return out


def _bounds(payload: dict[str, Any], data: MapData) -> list[list[float]]:
    lats, lons = [], []
    for f in payload["townships"]["features"]:
        b = shapely.geometry.shape(f["geometry"]).bounds
        lons += [b[0], b[2]]
        lats += [b[1], b[3]]
    if not lats:
        lat = data.demand.get("lat", pd.Series(dtype=float)).astype(float)
        lon = data.demand.get("lon", pd.Series(dtype=float)).astype(float)
        lats, lons = list(lat.dropna()), list(lon.dropna())
    if not lats:
        return [[0.0, 0.0], [1.0, 1.0]]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


# ---------------------------------------------------------------------------------------------------- page


@cache
def _leaflet() -> tuple[str, str]:
    """Leaflet's JS and CSS, the CSS's images turned into data: URIs (no file next to map.html needed)."""
    from importlib.resources import files

    base = files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    # the source map is not inlined, so drop the comment that points to it
    js = re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", js)
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match[str]) -> str:
        img = base / m.group(1)
        return f"url(data:image/png;base64,{base64.b64encode(img.read_bytes()).decode('ascii')})"

    css = re.sub(r"url\((images/[A-Za-z0-9_\-]+\.png)\)", inline, css)
    return js, css


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element ("</" and U+2028/2029 escaped)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def font_face_css(text: str) -> str:
    """``@font-face`` rule embedding the bundled CJK font, subset to the characters of ``text`` (WOFF).

    The page then shows its Chinese the same way on any machine, even one without Chinese fonts.
    Subsetting keeps it small (≈ 60 B per character instead of the 5 MB font).
    """
    from healthplan.reports.map_fonts import subset_bytes

    woff = subset_bytes(chars_of([text, " 0123456789%.,:;+-–→·/()（）：，、"]), flavor="woff")
    data = base64.b64encode(woff).decode("ascii")
    return (
        '@font-face { font-family: "HP CJK"; font-style: normal; font-weight: 400; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); }}\n'
        'body, .leaflet-container { font-family: "HP CJK", sans-serif; }'
    )


def render_page(title: str, data: dict[str, Any] | None, lang: str, *, message: str | None = None) -> str:
    """The HTML text of the page (``data=None`` gives a page with ``message`` and no map)."""
    js, css = _leaflet()
    app_js = (STATIC / "htmlmap.js").read_text(encoding="utf-8")
    app_css = (STATIC / "htmlmap.css").read_text(encoding="utf-8")
    shown = title + (message or "") + (json.dumps(data, ensure_ascii=False) if data else "")
    app_css += "\n" + font_face_css(shown)
    head = (
        "<!DOCTYPE html>\n"
        f'<html lang="{"en" if str(lang).startswith("en") else "zh-CN"}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{css}\n</style>\n<style>\n{app_css}\n</style>\n</head>\n"
    )
    if data is None:
        return head + (
            f'<body>\n<header id="hp-header"><h1>{html.escape(title)}</h1></header>\n'
            f'<p id="hp-message">{html.escape(message or "")}</p>\n</body>\n</html>\n'
        )
    return head + (
        f'<body>\n<header id="hp-header"><h1>{html.escape(title)}</h1></header>\n'
        '<div id="hp-map"></div>\n<footer id="hp-note"></footer>\n'
        f"<script>\n{js}\n</script>\n"
        f'<script id="hp-data" type="application/json">{_script_json(data)}</script>\n'
        f"<script>\n{app_js}\n</script>\n</body>\n</html>\n"
    )


def _i(lang: str) -> int:
    return 1 if str(lang).lower().startswith("en") else 0
