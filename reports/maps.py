"""Print maps (PNG 300 dpi, PDF): overview, before/after pair and one map per resource kind, CJK font."""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox

from healthplan.geodata.instance import Instance
from healthplan.geodata.partition import approximate_flag
from healthplan.optimizer.plan import Plan
from healthplan.reports import map_style as ms
from healthplan.reports.config import ReportConfig
from healthplan.reports.fonts import missing_glyphs, rc_params

log = logging.getLogger(__name__)

# A4 landscape at 300 dpi = 3508 × 2480 px, the page size of a plan document (GB/T 9704 uses A4).
DPI = 300
PAGE_PX = (3508, 2480)
FIGSIZE = (PAGE_PX[0] / DPI, PAGE_PX[1] / DPI)  # inches

NEW_MARKER_PT = 11.0  # marker size of a new facility, points
EXISTING_MARKER_PT = 8.0
CONTEXT_MARKER_PT = 3.5
PNG_METADATA = {"Software": None}  # no matplotlib version in the file: reruns give identical bytes
PDF_METADATA = {"CreationDate": None, "Producer": None, "Creator": None}

# Projects table columns (reports.projects.project_table) that name a project and give its justification,
# in Chinese (default) and English headers; the first present wins.
PROJECT_ID_COLUMNS = ("item_id", "项目编号", "Item id", "Item ID")
PROJECT_NAME_COLUMNS = ("项目名称", "Project name", "Project", "name")
PROJECT_BASIS_COLUMNS = ("依据", "Justification", "Basis", "basis")
PROJECT_CONTENT_COLUMNS = ("建设内容及规模", "Content and scale", "Content", "content")


def maps_unavailable_reason(instance: Instance, lang: str = "zh") -> str | None:
    """Why no map can be drawn for ``instance`` (plain CSV inputs without coordinates), or ``None``."""
    has_xy = {"x", "y"} <= set(instance.demand)
    xy = instance.demand[["x", "y"]].to_numpy(dtype=float) if has_xy else np.empty((0, 2))
    if instance.townships is None and not np.isfinite(xy).all(axis=1).any():
        return ms.text("no_maps", lang)
    return None


@dataclass
class MapData:
    """What every map draws, assembled once: labelled layers in the instance CRS (metres), joined projects."""

    instance: Instance
    plan: Plan
    lang: str
    townships: gpd.GeoDataFrame | None  # index township id; column "label"
    demand: pd.DataFrame  # x, y, population, township + "{key}_before/_after" coverage shares
    sites: pd.DataFrame  # x, y, label, level, stock flags
    items: pd.DataFrame  # Plan.items + x, y, site_label, project_name, content, basis, map_kind
    kinds: list[str]  # map kinds drawn (KIND_STYLES keys), canonical order
    bounds: tuple[float, float, float, float]
    _cells: np.ndarray | None = None

    @classmethod
    def build(cls, instance: Instance, plan: Plan, projects: pd.DataFrame | None, lang: str) -> MapData:
        """Assemble the layers of ``instance`` and ``plan`` (``projects`` gives project names and 依据 text)."""
        en = str(lang).startswith("en")
        sites = instance.sites.copy()
        sites["label"] = _pick_label(sites, "name", "name_en", en)
        demand = instance.demand.copy()
        cov = plan.demand_coverage.reindex(demand.index)
        for col in cov.columns:
            demand[col] = pd.to_numeric(cov[col], errors="coerce").fillna(0.0).to_numpy()
        townships = None
        if instance.townships is not None and len(instance.townships):
            townships = instance.townships.copy()
            if instance.crs is not None and townships.crs is not None and townships.crs != instance.crs:
                townships = townships.to_crs(instance.crs)
            ids = pd.Series(townships.index, index=townships.index)
            base = townships["name"] if "name" in townships else ids
            townships["label"] = _pick_label(townships.assign(name=base), "name", "name_en", en)
        items = project_records(instance, plan, projects, lang)
        kinds = [
            k for k in ms.MAP_KIND_ORDER
            if _coverage_key(k, demand) is not None or items["kind"].isin(ms.KIND_STYLES[k].item_kinds).any()
        ]
        pts = demand[["x", "y"]].to_numpy(dtype=float)
        pts = pts[np.isfinite(pts).all(axis=1)]
        if townships is not None:
            x0, y0, x1, y1 = (float(v) for v in townships.total_bounds)
        else:
            allpts = np.vstack([pts, sites[["x", "y"]].to_numpy(dtype=float)])
            allpts = allpts[np.isfinite(allpts).all(axis=1)]
            x0, y0 = allpts.min(axis=0)
            x1, y1 = allpts.max(axis=0)
        pad = 0.04 * max(x1 - x0, y1 - y0, 1000.0)
        bounds = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        return cls(instance, plan, lang, townships, demand, sites, items, kinds, bounds)

    def village_cells(self) -> np.ndarray | None:
        """Voronoi cell of each demand point (the land nearest to it) clipped to the county; aligned with
        ``demand``, missing where a point has no coordinates. ``None`` with fewer than two located points."""
        if self._cells is not None:
            return self._cells
        xy = self.demand[["x", "y"]].to_numpy(dtype=float)
        ok = np.isfinite(xy).all(axis=1)
        uniq, inverse = np.unique(xy[ok], axis=0, return_inverse=True)
        if len(uniq) < 2:
            return None
        if self.townships is not None:
            clip = shapely.union_all(self.townships.geometry.to_numpy())
        else:
            clip = shapely.box(*self.bounds)
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(uniq), extend_to=clip, ordered=True)
        )
        if len(cells) != len(uniq):  # degenerate input (collinear points): fall back to nothing drawn
            return None
        cells = shapely.intersection(cells, clip)
        out = np.full(len(xy), None, dtype=object)
        out[np.flatnonzero(ok)] = cells[inverse.ravel()]
        self._cells = out
        return out

    def coverage_key(self, kind: str) -> str | None:
        """The coverage key drawn for a map kind (first of its keys present in the plan), or ``None``."""
        return _coverage_key(kind, self.demand)

    def point_share(self, kind: str | None, when: str) -> pd.Series:
        """Covered share (0–1) of each demand point: one kind's key, or (``kind=None``) the mean of kinds."""
        keys = [self.coverage_key(k) for k in self.kinds] if kind is None else [self.coverage_key(kind)]
        cols = [f"{k}_{when}" for k in keys if k is not None]
        if not cols:
            return pd.Series(np.nan, index=self.demand.index)
        return self.demand[cols].mean(axis=1)

    def township_share(self, kind: str | None, when: str) -> pd.Series:
        """Share of each township's population covered (index township id), from Plan.township_coverage."""
        key = None if kind is None else self.coverage_key(kind)
        tc = self.plan.township_coverage
        col = f"{key}_{when}"
        if key is not None and col in tc and "population" in tc:
            pop = pd.to_numeric(tc["population"], errors="coerce")
            share = pd.to_numeric(tc[col], errors="coerce") / pop.where(pop > 0)
            share.index = share.index.astype(str)
            return share
        pop = self.demand["population"].astype(float)
        covered = (self.point_share(kind, when) * pop).groupby(self.demand["township"].astype(str)).sum()
        total = pop.groupby(self.demand["township"].astype(str)).sum()
        return covered / total.where(total > 0)

    def summary(self, kind: str | None) -> list[tuple[str, float, float, float]]:
        """(name, population, covered before, covered after) in persons, per kind (all when ``None``)."""
        pop = self.demand["population"].astype(float)
        kinds = self.kinds if kind is None else [kind]
        out = []
        for k in kinds:
            key = self.coverage_key(k)
            if key is None:
                continue
            name = ms.KIND_STYLES[k].names[_i(self.lang)].split("（")[0].split(" (")[0]
            out.append((name, float(pop.sum()), float((self.demand[f"{key}_before"] * pop).sum()),
                        float((self.demand[f"{key}_after"] * pop).sum())))
        return out


def project_records(
    instance: Instance, plan: Plan, projects: pd.DataFrame | None, lang: str = "zh"
) -> pd.DataFrame:
    """Plan.items joined with site coordinates and the project name, content and 依据 text of ``projects``.

    ``projects`` is ``reports.projects.project_table``'s output; rows are matched by an item-id column when it
    has one, else by position when it has one row per item. Without it, names come from the site and kind.
    """
    en = str(lang).startswith("en")
    items = plan.items.copy().reset_index(drop=True)
    sites = instance.sites
    site_label = _pick_label(sites, "name", "name_en", en)
    sid = items["site_id"].astype(str) if len(items) else pd.Series([], dtype=str)
    sites_by_id = sites.set_axis(sites.index.astype(str))
    items["x"] = sid.map(sites_by_id["x"]).astype(float)
    items["y"] = sid.map(sites_by_id["y"]).astype(float)
    items["lon"] = sid.map(sites_by_id["lon"]).astype(float) if "lon" in sites else np.nan
    items["lat"] = sid.map(sites_by_id["lat"]).astype(float) if "lat" in sites else np.nan
    items["site_label"] = sid.map(site_label.set_axis(site_label.index.astype(str))).fillna(sid)
    items["map_kind"] = items["kind"].map(ms.ITEM_TO_MAP_KIND)
    items["project_name"] = [
        f"{s}{ms.ITEM_SYMBOLS[k].names[_i(lang)] if k in ms.ITEM_SYMBOLS else k}" if not en
        else f"{s}: {ms.ITEM_SYMBOLS[k].names[1] if k in ms.ITEM_SYMBOLS else k}"
        for s, k in zip(items["site_label"], items["kind"], strict=True)
    ]
    items["content"] = ""
    items["basis"] = [_fallback_basis(r, lang) for r in items.itertuples(index=False)]
    if projects is not None and len(projects) and len(items):
        matched = _match_projects(items, projects)
        for src_cols, dst in (
            (PROJECT_NAME_COLUMNS, "project_name"),
            (PROJECT_CONTENT_COLUMNS, "content"),
            (PROJECT_BASIS_COLUMNS, "basis"),
        ):
            col = next((c for c in src_cols if c in matched), None)
            if col is not None:
                vals = matched[col]
                items[dst] = np.where(vals.notna() & (vals.astype(str) != ""), vals.astype(str), items[dst])
    return items


def _match_projects(items: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    # One row of `projects` per item, aligned with `items` (NaN where no match).
    proj = projects.reset_index()
    idcol = next((c for c in PROJECT_ID_COLUMNS if c in proj), None)
    if idcol is not None:
        first = proj.drop_duplicates(idcol).set_index(proj.drop_duplicates(idcol)[idcol].astype(str))
        return first.reindex(items["item_id"].astype(str)).reset_index(drop=True)
    if len(proj) == len(items):
        return proj.reset_index(drop=True)
    log.warning("project table has %d rows for %d items and no item id column: popups use plan figures",
                len(proj), len(items))
    return pd.DataFrame(index=items.index)


def _fallback_basis(row: object, lang: str) -> str:
    new = float(getattr(row, "newly_covered", 0) or 0)
    only = float(getattr(row, "only_covered", 0) or 0)
    if str(lang).startswith("en"):
        return f"newly covered {new:,.0f} persons, of whom {only:,.0f} only by this project"
    return f"新增覆盖人口{new:,.0f}人，其中{only:,.0f}人仅由本项目覆盖"


def write_maps(
    out_dir: Path,
    instance: Instance,
    plan: Plan,
    *,
    projects: pd.DataFrame | None,
    report: ReportConfig,
    lang: str = "zh",
) -> list[Path]:
    """Draw the print maps into ``out_dir/maps``: PNG (300 dpi, A4 landscape) and PDF (font embedded) each.

    Writes ``overview``, ``overview_before_after`` and one map per resource kind present in the plan
    (``ambulance``, ``fever``, ``blood``, ``subcentre``). Files are written atomically and rerunning gives
    identical bytes.

    Parameters
    ----------
    out_dir
        Run folder; maps go to its ``maps/`` subfolder.
    instance, plan
        The instance (geometry in a metric CRS, metres) and its plan (coverage shares, items).
    projects
        Project table of ``reports.projects.project_table`` (project names), or ``None``.
    report
        Report settings: ``title`` and ``data_note`` are printed on every map.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    list[Path]
        The files written; empty when the inputs have no geometry (see :func:`maps_unavailable_reason`).
    """
    reason = maps_unavailable_reason(instance, lang)
    if reason is not None:
        log.info("maps skipped: %s", reason)
        return []
    data = MapData.build(instance, plan, projects, lang)
    maps_dir = Path(out_dir) / "maps"
    maps_dir.mkdir(parents=True, exist_ok=True)
    title = report.title or ms.text("default_title", lang, name=report.county or instance.name)
    note = _data_note(data, report)
    written: list[Path] = []
    jobs: list[tuple[str, Callable[[], Figure]]] = [
        ("overview", lambda: _single_map(data, None, title, ms.text("overview", lang), note)),
        ("overview_before_after", lambda: _pair_map(data, title, ms.text("overview_pair", lang), note)),
    ]
    for kind in data.kinds:
        sub = ms.text("kind_map", lang, kind=ms.KIND_STYLES[kind].name(lang))
        jobs.append((kind, lambda kind=kind, sub=sub: _single_map(data, kind, title, sub, note)))
    with matplotlib.rc_context(rc_params()):
        for stem, build in jobs:  # one figure at a time: an A4 page at 300 dpi holds a 35 MB raster
            fig = build()
            _check_glyphs(fig, stem)
            written += _save(fig, maps_dir / stem)
            fig.clear()
    return written


def _data_note(data: MapData, report: ReportConfig) -> list[str]:
    lang = data.lang
    parts = []
    if data.instance.synthetic:
        parts.append(ms.text("synthetic", lang))
    if (approximate := approximate_flag(data.instance.meta, lang)) is not None:  # seats-only townships
        parts.append(approximate)
    if report.data_note:
        parts.append(report.data_note)
    parts.append(ms.text("covered_def", lang))
    if data.instance.crs:
        parts.append(ms.text("crs", lang, crs=data.instance.crs))
    return parts


# ---------------------------------------------------------------------------------------------------- layout


def _new_figure() -> Figure:
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    return fig


def _frame(fig: Figure, title: str, subtitle: str, note: list[str], lang: str) -> None:
    fig.text(0.5, 0.958, title, ha="center", va="center", fontsize=18, color="#111111")
    fig.text(0.5, 0.918, subtitle, ha="center", va="center", fontsize=12, color="#333333")
    lines = _pack(note, NOTE_WIDTH)[:3]
    for k, line in enumerate(lines):
        fig.text(0.025, 0.04 - k * 0.0145, line, ha="left", va="center", fontsize=7, color="#333333")
    fig.text(0.985, 0.04, ms.text("made_with", lang), ha="right", va="center", fontsize=7, color="#666666")


NOTE_WIDTH = 150  # width units per note line: a CJK character counts 2, other characters 1 (7 pt on A4 width)


def _units(text: str) -> int:
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def _pack(parts: list[str], width: int) -> list[str]:
    """Lines of at most ``width`` units holding whole ``parts`` where they fit (a long part is wrapped)."""
    lines: list[str] = []
    cur = ""
    for part in parts:
        cand = f"{cur}  {part}" if cur else part
        if _units(cand) <= width:
            cur = cand
            continue
        if cur:
            lines.append(cur)
        wrapped = _wrap(part, width)
        lines += wrapped[:-1]
        cur = wrapped[-1] if wrapped else ""
    if cur:
        lines.append(cur)
    return lines


def _wrap(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` units (CJK characters are double width), at spaces or
    between CJK characters."""
    lines: list[str] = []
    cur, w, last_break = "", 0, -1
    for ch in text:
        cw = 2 if ord(ch) >= 0x2E80 else 1
        if w + cw > width and cur:
            cut = last_break if last_break > 0 else len(cur)
            lines.append(cur[:cut].rstrip())
            cur = cur[cut:].lstrip()
            w = _units(cur)
            last_break = -1
        cur += ch
        w += cw
        if ch == " " or cw == 2:
            last_break = len(cur)
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def _single_map(data: MapData, kind: str | None, title: str, subtitle: str, note: list[str]) -> Figure:
    fig = _new_figure()
    _frame(fig, title, subtitle, note, data.lang)
    ax = fig.add_axes((0.025, 0.065, 0.655, 0.82))
    dropped = _draw_map(ax, data, kind, "after", labels=True)
    side = fig.add_axes((0.695, 0.065, 0.29, 0.82))
    _legend(side, data, kind, combined=kind is None, unlabelled=dropped)
    return fig


def _pair_map(data: MapData, title: str, subtitle: str, note: list[str]) -> Figure:
    fig = _new_figure()
    _frame(fig, title, subtitle, note, data.lang)
    # Panel height follows the county's shape (a wide county gets short panels, centred vertically).
    x0, y0, x1, y1 = data.bounds
    w_frac, max_h = 0.33, 0.76
    h_frac = min(max_h, w_frac * FIGSIZE[0] / FIGSIZE[1] * (y1 - y0) / (x1 - x0))
    bottom = 0.065 + (max_h - h_frac) / 2
    for i, when in enumerate(("before", "after")):
        ax = fig.add_axes((0.015 + i * 0.34, bottom, w_frac, h_frac))
        _draw_map(ax, data, None, when, labels=False, plan_items=when == "after")
        ax.set_title(ms.text(when, data.lang), fontsize=13, pad=6)
    side = fig.add_axes((0.695, 0.065, 0.29, 0.82))
    _legend(side, data, None, combined=True, pair=True)
    return fig


# ---------------------------------------------------------------------------------------------------- drawing


def _draw_map(
    ax: Axes, data: MapData, kind: str | None, when: str, *, labels: bool, plan_items: bool = True
) -> int:
    """Draw one map panel; returns how many new sites were left unlabelled for lack of room."""
    limits = _fit_limits(ax, data.bounds)
    _set_limits(ax, limits)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color("#444444")
        s.set_linewidth(0.8)
    ax.set_facecolor("#f7fbff")

    if data.townships is not None:
        share = data.township_share(kind, when).reindex(data.townships.index.astype(str))
        colours = ms.coverage_colour(share.to_numpy())
        paths = [_polygon_path(g) for g in data.townships.geometry.to_numpy()]
        coll = PathCollection(paths, facecolors=colours, edgecolors=ms.BOUNDARY_COLOUR, linewidths=0.6,
                              zorder=1)
        ax.add_collection(coll, autolim=False)
        outline = shapely.union_all(data.townships.geometry.to_numpy())
        _add_fixed(ax, PathPatch(_polygon_path(outline), facecolor="none", edgecolor="#222222", linewidth=1.4,
                               zorder=3))
    _draw_roads(ax, data)
    kinds = data.kinds if kind is None else [kind]
    if kind is not None:
        _draw_cover_area(ax, data, kind)
        _draw_demand(ax, data, kind)
    _draw_context_sites(ax, data, kinds)
    obstacles = _draw_facilities(ax, data, kinds, new=plan_items)
    dropped = _place_labels(ax, data, kind, obstacles) if labels else 0
    _scale_bar(ax, data.lang)
    _north_arrow(ax, data.lang)
    return dropped


def _add_fixed(ax: Axes, patch: PathPatch) -> None:
    """Add a data-coordinate patch without growing the data limits (they are fixed; ``add_patch`` would walk
    every vertex of a road network to update them: seconds per map)."""
    patch.set_transform(ax.transData)
    ax.add_artist(patch)


def _polygon_path(geom: object) -> MplPath:
    """A matplotlib path of a (multi)polygon: every ring a closed sub-path, holes included (even-odd fill)."""
    polys = shapely.get_parts(np.asarray([geom], dtype=object))
    polys = polys[shapely.get_type_id(polys) == 3]  # Polygons (from MultiPolygons and GeometryCollections)
    # Exterior counter-clockwise, holes clockwise: enclaves stay unfilled whatever the fill rule.
    polys = np.asarray([shapely.geometry.polygon.orient(p, 1.0) for p in polys], dtype=object)
    rings = []
    for poly in polys:
        rings.append(shapely.get_exterior_ring(poly))
        rings += list(shapely.get_interior_ring(poly, i) for i in range(shapely.get_num_interior_rings(poly)))
    if not rings:
        return MplPath(np.zeros((1, 2)), [MplPath.MOVETO])
    coords, index = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    ends = np.r_[starts[1:] - 1, len(coords) - 1]
    codes[starts] = MplPath.MOVETO
    codes[ends] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _fit_limits(ax: Axes, bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Grow ``bounds`` (metres) to the aspect of the axes box so that one metre is as long in x as in y."""
    x0, y0, x1, y1 = bounds
    fw, fh = ax.figure.get_size_inches()
    pos = ax.get_position()
    ratio = (pos.height * fh) / (pos.width * fw)
    w, h = x1 - x0, y1 - y0
    if h / w < ratio:
        cy, h = (y0 + y1) / 2, w * ratio
        y0, y1 = cy - h / 2, cy + h / 2
    else:
        cx, w = (x0 + x1) / 2, h / ratio
        x0, x1 = cx - w / 2, cx + w / 2
    return x0, y0, x1, y1


def _set_limits(ax: Axes, limits: tuple[float, float, float, float]) -> None:
    ax.set_autoscale_on(False)
    ax.set_xlim(limits[0], limits[2])
    ax.set_ylim(limits[1], limits[3])
    ax.set_aspect("equal", adjustable="box")


def _draw_roads(ax: Axes, data: MapData) -> None:
    roads = data.instance.roads
    if roads is None or not len(roads):
        return
    geoms = roads.geometry
    if roads.crs is not None and data.instance.crs is not None and roads.crs != data.instance.crs:
        geoms = geoms.to_crs(data.instance.crs)
    parts = shapely.get_parts(geoms.to_numpy())
    parts = parts[shapely.get_type_id(parts) == 1]  # LineStrings only
    if not len(parts):
        return
    # One compound path for the whole network: a PDF with one path per segment is slow to write and to open.
    coords, index = shapely.get_coordinates(parts, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    codes[np.r_[0, np.flatnonzero(np.diff(index)) + 1]] = MplPath.MOVETO
    road_path = MplPath(coords, codes)
    _add_fixed(ax, PathPatch(road_path, facecolor="none", edgecolor=ms.ROAD_COLOUR, linewidth=0.45,
                           zorder=2))


def _draw_cover_area(ax: Axes, data: MapData, kind: str) -> None:
    """Hatch the land nearest to a covered village (Voronoi cells of the villages, clipped to the county)."""
    share = data.point_share(kind, "after").to_numpy()
    cells = data.village_cells()
    if cells is None:
        return
    covered = cells[(share >= ms.COVERED_THRESHOLD) & ~shapely.is_missing(cells)]
    if not len(covered):
        return
    area = shapely.union_all(covered)
    colour = ms.KIND_STYLES[kind].colour
    with matplotlib.rc_context({"hatch.linewidth": 0.5}):
        _add_fixed(ax, PathPatch(_polygon_path(area), facecolor="none", edgecolor=colour, linewidth=0.9,
                                 hatch="///",
                               alpha=0.5, zorder=4))


def _demand_classes(data: MapData, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    before = data.point_share(kind, "before").to_numpy() >= ms.COVERED_THRESHOLD
    after = data.point_share(kind, "after").to_numpy() >= ms.COVERED_THRESHOLD
    return before, after & ~before, ~after


def _draw_demand(ax: Axes, data: MapData, kind: str) -> None:
    xy = data.demand[["x", "y"]].to_numpy(dtype=float)
    size = np.clip(np.sqrt(data.demand["population"].to_numpy(dtype=float)) / 6.0, 2.5, 14.0) ** 2 / 4
    before, new, unc = _demand_classes(data, kind)
    colour = ms.KIND_STYLES[kind].colour
    ax.scatter(xy[before, 0], xy[before, 1], s=size[before], c=ms.COVERED_BEFORE_COLOUR, linewidths=0,
               zorder=5)
    ax.scatter(xy[new, 0], xy[new, 1], s=size[new], c=colour, linewidths=0, zorder=5)
    ax.scatter(xy[unc, 0], xy[unc, 1], s=size[unc] * 1.4, c=ms.UNCOVERED_COLOUR, marker="x", linewidths=0.7,
               zorder=5)


def _draw_context_sites(ax: Axes, data: MapData, kinds: Sequence[str]) -> None:
    item_kinds = [ik for k in kinds for ik in ms.KIND_STYLES[k].item_kinds]
    shown = np.zeros(len(data.sites), dtype=bool)
    for ik in item_kinds:
        shown |= ms.existing_mask(data.sites, ik, data.plan.site_units)
    candidate = data.sites.get("candidate", pd.Series(False, index=data.sites.index)).astype(bool).to_numpy()
    other = ~shown & ~candidate
    xy = data.sites[["x", "y"]].to_numpy(dtype=float)[other]
    ax.scatter(xy[:, 0], xy[:, 1], s=CONTEXT_MARKER_PT**2, c=ms.CONTEXT_SITE_COLOUR, edgecolors="white",
               linewidths=0.3, zorder=6)


def _draw_facilities(ax: Axes, data: MapData, kinds: Sequence[str], *, new: bool) -> list[Bbox]:
    """Existing (hollow) and new (filled) facilities; returns the display boxes of new markers (obstacles)."""
    xy_sites = data.sites[["x", "y"]].to_numpy(dtype=float)
    obstacles: list[Bbox] = []
    # Offsets keep two kinds at one site side by side instead of on top of each other (points).
    item_kinds = [ik for k in kinds for ik in ms.KIND_STYLES[k].item_kinds]
    for j, ik in enumerate(item_kinds):
        colour = ms.KIND_STYLES[ms.ITEM_TO_MAP_KIND[ik]].colour
        sym = ms.ITEM_SYMBOLS[ik]
        dx = _stack_offset(j, len(item_kinds))
        mask = ms.existing_mask(data.sites, ik, data.plan.site_units)
        pts = xy_sites[mask]
        ax.scatter(pts[:, 0], pts[:, 1], s=EXISTING_MARKER_PT**2, marker=sym.marker, facecolors="white",
                   edgecolors=colour, linewidths=1.3, zorder=7, transform=_offset(ax, dx))
        if not new:
            continue
        its = data.items[data.items["kind"] == ik]
        pts = its[["x", "y"]].drop_duplicates().to_numpy(dtype=float)
        ax.scatter(pts[:, 0], pts[:, 1], s=NEW_MARKER_PT**2, marker=sym.marker, facecolors=colour,
                   edgecolors="#111111", linewidths=0.9, zorder=8, transform=_offset(ax, dx))
        obstacles += [_marker_box(ax, p, NEW_MARKER_PT, dx) for p in pts]
    return obstacles


def _stack_offset(j: int, n: int) -> float:
    # Overview: each item kind nudged sideways by a few points so co-located symbols stay readable.
    return 0.0 if n <= 2 else (j - (n - 1) / 2) * 3.0


def _offset(ax: Axes, dx_pt: float):
    from matplotlib.transforms import offset_copy

    return offset_copy(ax.transData, fig=ax.figure, x=dx_pt, y=0.0, units="points")


def _marker_box(ax: Axes, p: np.ndarray, size_pt: float, dx_pt: float = 0.0) -> Bbox:
    fig = ax.figure
    cx, cy = ax.transData.transform(p)
    cx += dx_pt * fig.dpi / 72
    h = size_pt * fig.dpi / 72 / 2
    return Bbox.from_extents(cx - h, cy - h, cx + h, cy + h)


# Label positions around a marker, in points: (dx, dy, ha, va); first that fits wins.
_LABEL_SLOTS = (
    (7, 5, "left", "bottom"), (7, -5, "left", "top"), (-7, 5, "right", "bottom"), (-7, -5, "right", "top"),
    (0, 9, "center", "bottom"), (0, -9, "center", "top"),
    (10, 0, "left", "center"), (-10, 0, "right", "center"),
)
_HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]


def _place_labels(ax: Axes, data: MapData, kind: str | None, obstacles: list[Bbox]) -> int:
    """Township names at their centres (dropped when they would cover another one), then new-site labels in
    the first slot around their marker that covers no other label (markers are avoided when possible).

    Returns the number of new sites left unlabelled because every slot would cover another label; a label is
    never drawn over another one.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    placed: list[Bbox] = []
    if data.townships is not None:
        reps = data.townships.geometry.representative_point()
        for label, pt in zip(data.townships["label"], reps, strict=True):
            # At the centre, else just above or below it when a new facility's symbol sits there.
            chosen = None
            for dy in (0, 9, -9):
                t = ax.annotate(str(label), (pt.x, pt.y), xytext=(0, dy), textcoords="offset points",
                                fontsize=8, color="#3a3a3a", ha="center", va="center", zorder=6.5,
                                path_effects=_HALO)
                bb = t.get_window_extent(renderer)
                if any(bb.overlaps(o) for o in placed) or any(bb.overlaps(o) for o in obstacles):
                    t.remove()
                    continue
                chosen = bb
                break
            if chosen is None:  # crowded: keep the name at the centre unless it would cover another name
                t = ax.annotate(str(label), (pt.x, pt.y), xytext=(0, 0), textcoords="offset points",
                                fontsize=8, color="#3a3a3a", ha="center", va="center", zorder=6.5,
                                path_effects=_HALO)
                chosen = t.get_window_extent(renderer)
                if any(chosen.overlaps(o) for o in placed):
                    t.remove()
                    continue
            placed.append(chosen)
    items = data.items
    if kind is not None:
        items = items[items["map_kind"] == kind]
    if not len(items):
        return 0
    sites = items.groupby("site_id", sort=False).agg(
        x=("x", "first"), y=("y", "first"), label=("site_label", "first"), quantity=("quantity", "sum"),
        cost=("cost_wan", "sum"),
    )
    # Costliest projects first: they get the best slots.
    sites = sites.sort_values(["cost", "label"], ascending=[False, True], kind="stable")
    dropped = 0
    for r in sites.itertuples():
        if not (np.isfinite(r.x) and np.isfinite(r.y)):
            continue
        label = str(r.label)
        if kind == "ambulance":
            label += " " + ms.text("vehicles", data.lang, n=int(r.quantity))
        best, best_cost = None, math.inf
        for dx, dy, ha, va in _LABEL_SLOTS:
            t = ax.annotate(label, (r.x, r.y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=8.5, color="#111111", zorder=9, path_effects=_HALO)
            bb = t.get_window_extent(renderer)
            if not _inside(bb, axbox) or any(bb.overlaps(o) for o in placed):
                t.remove()
                continue
            cost = sum(_overlap(bb, o) for o in obstacles)
            if cost < best_cost:
                if best is not None:
                    best[0].remove()
                best, best_cost = (t, bb), cost
            else:
                t.remove()
            if cost == 0:
                break
        if best is None:
            dropped += 1
        else:
            placed.append(best[1])
    return dropped


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def _inside(a: Bbox, box: Bbox) -> bool:
    return a.x0 >= box.x0 and a.y0 >= box.y0 and a.x1 <= box.x1 and a.y1 <= box.y1


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^n metres) close to a fifth of the map width."""
    target = span_m / 5
    exp = 10 ** math.floor(math.log10(target))
    return max(m * exp for m in (1, 2, 5) if m * exp <= target)


def _scale_bar(ax: Axes, lang: str) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    h = (y1 - y0) * 0.008
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.045
    # White backing so the bar reads over any township colour.
    ax.add_patch(Rectangle((bx - (x1 - x0) * 0.015, by - h * 2.2), length * 1.2 + (x1 - x0) * 0.03, h * 7.5,
                           facecolor="white", edgecolor="none", alpha=0.8, zorder=9.5))
    for k in range(4):
        face = "black" if k % 2 == 0 else "white"
        ax.add_patch(Rectangle((bx + k * length / 4, by), length / 4, h, facecolor=face, edgecolor="black",
                               linewidth=0.6, zorder=10))
    ty = by + h * 1.6
    ax.text(bx, ty, "0", ha="center", va="bottom", fontsize=7, zorder=10)
    ax.text(bx + length, ty, f"{length / 1000:g} {ms.text('km', lang)}", ha="center", va="bottom", fontsize=7,
            zorder=10)


def _north_arrow(ax: Axes, lang: str) -> None:
    # Grid north of the projected CRS (UTM grid convergence in a county is well under 2°).
    cx, top, h, w = 0.95, 0.955, 0.075, 0.022
    tr = ax.transAxes
    ax.add_patch(Polygon([(cx, top), (cx - w, top - h), (cx, top - h * 0.72)], closed=True, facecolor="black",
                         edgecolor="black", linewidth=0.6, transform=tr, zorder=10))
    ax.add_patch(Polygon([(cx, top), (cx + w, top - h), (cx, top - h * 0.72)], closed=True, facecolor="white",
                         edgecolor="black", linewidth=0.6, transform=tr, zorder=10))
    ax.text(cx, top - h - 0.012, ms.text("north", lang), transform=tr, ha="center", va="top", fontsize=10,
            zorder=10, path_effects=_HALO)


# ---------------------------------------------------------------------------------------------------- legend


LEGEND_WIDTH = 52  # width units of a legend text line (CJK = 2) at 8 pt in the side panel


class _LegendPanel:
    """Draws a legend top-down in an axes with 0–1 coordinates (deterministic; no matplotlib legend)."""

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.y = 0.975
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="#888888", linewidth=0.6,
                               transform=ax.transAxes))

    def heading(self, text: str) -> None:
        self.y -= 0.012
        self.ax.text(0.05, self.y, text, fontsize=10, va="top", color="#111111")
        self.y -= 0.042

    def marker(self, text: str, marker: str, face: str, edge: str, size: float, lw: float = 1.0) -> None:
        if marker in ("x", "+", "|", "_"):  # unfilled markers take one colour
            self.ax.scatter([0.1], [self.y], s=size**2, marker=marker, c=face, linewidths=lw)
        else:
            self.ax.scatter([0.1], [self.y], s=size**2, marker=marker, facecolors=face, edgecolors=edge,
                            linewidths=lw)
        self._label(text)

    def patch(self, text: str, face: object, edge: str, lw: float = 0.6, ls: object = "solid",
              hatch: str | None = None) -> None:
        self.ax.add_patch(Rectangle((0.06, self.y - 0.011), 0.08, 0.022, facecolor=face, edgecolor=edge,
                                    linewidth=lw, linestyle=ls, hatch=hatch, alpha=0.55 if hatch else None))
        self._label(text)

    def columns(self, left: str, right: str) -> None:
        """Column heads over the existing (hollow) and new (filled) symbols of :meth:`pair`."""
        self.ax.text(0.08, self.y + 0.004, left, fontsize=6.5, ha="center", va="center", color="#444444")
        self.ax.text(0.17, self.y + 0.004, right, fontsize=6.5, ha="center", va="center", color="#444444")
        self.y -= 0.03

    def pair(self, text: str, marker: str, colour: str) -> None:
        """One facility kind: existing (white) and new (kind colour) symbols side by side, then its name."""
        self.ax.scatter([0.08], [self.y], s=(EXISTING_MARKER_PT * 0.9) ** 2, marker=marker,
                        facecolors="white", edgecolors=colour, linewidths=1.3)
        self.ax.scatter([0.17], [self.y], s=(NEW_MARKER_PT * 0.9) ** 2, marker=marker, facecolors=colour,
                        edgecolors="#111111", linewidths=0.9)
        self.ax.text(0.23, self.y, text, fontsize=8, va="center", color="#222222")
        self.y -= 0.034

    def line(self, text: str, colour: str, lw: float) -> None:
        self.ax.plot([0.06, 0.14], [self.y, self.y], color=colour, linewidth=lw)
        self._label(text)

    def _label(self, text: str) -> None:
        self.ax.text(0.18, self.y, text, fontsize=8, va="center", color="#222222")
        self.y -= 0.034

    def lines(self, rows: Iterable[str]) -> None:
        for row in rows:
            for part in _wrap(row, LEGEND_WIDTH):
                self.ax.text(0.06, self.y, part, fontsize=8, va="center", color="#222222")
                self.y -= 0.03


def _legend(
    ax: Axes, data: MapData, kind: str | None, *, combined: bool, pair: bool = False, unlabelled: int = 0
) -> None:
    lang = data.lang
    p = _LegendPanel(ax)
    p.heading(ms.text("legend", lang))
    kinds = data.kinds if kind is None else [kind]
    item_kinds = [ik for k in kinds for ik in ms.KIND_STYLES[k].item_kinds]
    p.heading(ms.text("facilities", lang))
    p.columns(ms.text("existing_short", lang), ms.text("new_short", lang))
    for ik in item_kinds:
        colour = ms.KIND_STYLES[ms.ITEM_TO_MAP_KIND[ik]].colour
        sym = ms.ITEM_SYMBOLS[ik]
        name = sym.names[_i(lang)]
        if ik == "subcentre":  # hollow = hospitals already giving secondary care, filled = new sub-centre
            name = ms.text("subcentre_row", lang)
        p.pair(name, sym.marker, colour)
    p.marker(ms.text("other_sites", lang), "o", ms.CONTEXT_SITE_COLOUR, "white", CONTEXT_MARKER_PT, 0.3)
    if kind is not None:
        colour = ms.KIND_STYLES[kind].colour
        p.heading(ms.text("villages", lang))
        p.marker(ms.text("covered_before", lang), "o", ms.COVERED_BEFORE_COLOUR, "none", 4.5, 0)
        p.marker(ms.text("newly_covered", lang), "o", colour, "none", 4.5, 0)
        p.marker(ms.text("uncovered", lang), "x", ms.UNCOVERED_COLOUR, ms.UNCOVERED_COLOUR, 4.5, 0.8)
        p.patch(ms.text("cover_area", lang), "none", colour, 0.9, "solid", hatch="///")
    p.heading(ms.text("combined_heading" if combined else "share_heading", lang)
              + ("" if pair else f"（{ms.text('after', lang)}）" if lang == "zh" else ""))
    for colour, lab in zip(ms.COVERAGE_COLOURS[::-1], ms.coverage_class_labels(lang)[::-1], strict=True):
        p.patch(lab, colour, ms.BOUNDARY_COLOUR)
    if data.instance.roads is not None and len(data.instance.roads):
        p.line(ms.text("roads", lang), ms.ROAD_COLOUR, 1.0)
    p.line(ms.text("boundary", lang), ms.BOUNDARY_COLOUR, 0.8)
    p.heading(ms.text("figures", lang))
    rows = []
    for name, pop, b, a in data.summary(kind):
        rows.append(ms.text("cov_line", lang, name=name, b=_pct(b, pop), a=_pct(a, pop)))
    its = data.items if kind is None else data.items[data.items["map_kind"] == kind]
    rows.append(ms.text("projects_line", lang, n=len(its), c=f"{its['cost_wan'].sum():,.0f}"))
    if unlabelled:
        rows.append(ms.text("unlabelled", lang, n=unlabelled))
    p.lines(rows)


def _pct(v: float, pop: float) -> str:
    return f"{100 * v / pop:.1f}" if pop > 0 else "–"


# ---------------------------------------------------------------------------------------------------- output


def _check_glyphs(fig: Figure, stem: str) -> None:
    # A label the bundled font cannot draw would print as an empty box: say which, so the name can be fixed.
    bad = set()
    for t in fig.findobj(matplotlib.text.Text):
        bad |= missing_glyphs(t.get_text())
    if bad:
        log.warning("map %s: the bundled font has no glyph for %s; these characters print as boxes",
                    stem, "".join(sorted(bad)))


def _save(fig: Figure, stem: Path) -> list[Path]:
    out = []
    for ext, meta in ((".png", PNG_METADATA), (".pdf", PDF_METADATA)):
        path = stem.with_suffix(ext)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        try:
            fig.savefig(tmp, format=ext[1:], dpi=DPI, metadata=meta, facecolor="white")
            os.chmod(tmp, file_mode())  # mkstemp makes 0600 files; maps are for sharing
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        out.append(path)
    return out


# ---------------------------------------------------------------------------------------------------- helpers


def file_mode() -> int:
    """Permissions of a new output file under the process umask (0644 with the usual umask 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _coverage_key(kind: str, demand: pd.DataFrame) -> str | None:
    return next((k for k in ms.KIND_STYLES[kind].coverage_keys if f"{k}_after" in demand), None)


def _pick_label(df: pd.DataFrame, zh_col: str, en_col: str, en: bool) -> pd.Series:
    zh = df[zh_col].astype(str) if zh_col in df else pd.Series(df.index.astype(str), index=df.index)
    if en and en_col in df:
        given = df[en_col].notna() & (df[en_col].astype(str).str.strip() != "")
        return df[en_col].astype(str).where(given, zh)
    return zh


def _i(lang: str) -> int:
    return 1 if str(lang).lower().startswith("en") else 0
