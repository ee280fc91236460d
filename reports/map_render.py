"""Drawing one print map page (现状/规划, a kind or all kinds, or the two side by side) with matplotlib.

What is drawn comes from :class:`~healthplan.reports.map_data.MapData`; which maps a run has, and the
processes that draw them, are :mod:`reports.maps`. This module names no resource kind: symbols, colours and names come
from the kind registry. A county seat that is small against the county gets an inset (城区放大图). No label
overprints another (``reports.map_labels``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import matplotlib
import matplotlib.text
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.transforms import Bbox

from healthplan.optimizer.kinds import ITEM_KEYS
from healthplan.optimizer.text import is_en
from healthplan.reports import map_draw as md
from healthplan.reports import map_style as ms
from healthplan.reports.fonts import missing_glyphs
from healthplan.reports.map_data import MapData, legend_name, site_numbers
from healthplan.reports.map_labels import Label, marker_box, place_centred, place_labels, spread
from healthplan.reports.map_geometry import PRINT_TOLERANCE_PX, metres_per_pixel, simplify_lines, simplify_townships
from healthplan.reports.map_page import DPI, FIGSIZE
from healthplan.reports.maps import MapJob

INSET_WIDTH = 0.34  # inset width, share of the map axes
INSET_MAX_HEIGHT = 0.46
INSET_TITLE_BAND = 0.075  # height of the inset's title band, share of the inset
SYMBOL_SPACING = 0.85  # symbols of several item types at one site: centre distance, share of the marker size


def render(job: MapJob, data: MapData, title: str, note: list[str], rc: dict, folder: str,
           mode: int) -> tuple[list[str], set[str]]:
    """Draw and save one map (``folder/<stem>.png`` and ``.pdf``, permissions ``mode``) with the matplotlib
    settings ``rc``; returns its files and the characters of its texts that the bundled font lacks."""
    lang = data.lang
    with matplotlib.rc_context(rc):
        if job.mode == "pair":
            fig = _pair_map(data, title, ms.text("current_vs_plan", lang), note)
        else:
            fig = _single_map(data, job, title, note)
        bad: set[str] = set()
        for text in _texts(fig):
            bad |= missing_glyphs(text)
        paths = md.save(fig, Path(folder) / job.stem, mode)
        page = getattr(_PAGES, "single", None)
        if page is not None and page.fig is fig and page.use == md.figure_use():
            page.empty()  # kept, with its axes and furniture, for the next map of the same data
        else:
            md.clear_figure(fig)
    return [str(p) for p in paths], bad


def _texts(fig: Figure) -> list[str]:
    """Every text of a map page: the page's own, each axes' texts, labels and titles (``fig.findobj`` would
    find the same, but makes every axes create the tick marks the maps do not draw: ≈ 3 % of a map)."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title(loc) for loc in ("left", "center", "right")]
    return out


# ---------------------------------------------------------------------------------------------- pages


def _single_map(data: MapData, job: MapJob, title: str, note: list[str]) -> Figure:
    lang = data.lang
    if job.kind is None:
        subtitle = ms.text(job.mode, lang)
    else:
        name = data.kind_title(job.kind)
        subtitle = ms.text("kind_current" if job.mode == "current" else "kind_plan", lang, kind=name)
    page = _SinglePage.get(data, title, note)
    page.subtitle.set_text(subtitle)
    extent, ax, inset_ax = data.urban_extent(), page.ax, page.inset
    view = _View(data, job.kind, job.mode)
    furniture = md.furniture_boxes(ax) + ([inset_ax.get_window_extent()] if inset_ax is not None else [])
    dropped = view.draw(ax, labels=True, skip=extent if inset_ax is not None else None, avoid=furniture)
    if inset_ax is not None:
        _mark_inset(ax, extent, lang)
        dropped += view.draw(inset_ax, labels=True, inset=True,
                             avoid=[_inset_title_box(inset_ax), *md.furniture_boxes(inset_ax, north=False)])
    _legend(page.side, data, job.kind, job.mode, dropped, new=False)
    return page.fig


_PAGES = threading.local()  # the _SinglePage kept in this thread's reused figure


def release() -> None:
    """Free this thread's figure and the page kept in it (a process that draws maps only now and then)."""
    _PAGES.single = None
    md.release_figure()


class _SinglePage:
    """The page of a single map without what depends on the map: title block, map axes (limits set, the
    county moved right of the inset), scale bar and north arrow, the inset with its title band and scale bar,
    the legend panel's frame. Made once per thread and map data, in the reused figure; each map adds its own
    layers to it and :meth:`empty` removes them after it is saved (≈ 5 % of drawing a map: no axes made).

    Its artists come first in every container whether the page is new or reused, so a map gives the same bytes
    either way; the furniture's z-order puts it where it always was (above the layers, below the inset).
    """

    def __init__(self, data: MapData, title: str, note: list[str]) -> None:
        lang = data.lang
        self.data, self.key = data, (title, tuple(note))
        self.fig = md.reused_figure()
        self.use = md.figure_use()
        self.subtitle = md.frame(self.fig, title, "", note, lang)
        extent = data.urban_extent()
        # The inset shows the seat below its title band: its extent grows upwards by the band.
        framed = None if extent is None else (*extent[:3], extent[3] + (extent[3] - extent[1])
                                              * INSET_TITLE_BAND / (1 - INSET_TITLE_BAND))
        self.ax = md.map_axes(self.fig, md.MAP_BOX, data.bounds)
        if extent is not None:
            _make_room(self.ax, data, framed)
        self.inset = _inset_axes(self.fig, self.ax, framed, lang) if framed is not None else None
        md.scale_bar(self.ax, lang)
        md.north_arrow(self.ax, lang)
        if self.inset is not None:
            md.scale_bar(self.inset, lang, at=(0.06, 0.06), fontsize=6)
        self.side = self.fig.add_axes(md.SIDE_BOX)
        md.LegendPanel(self.side)
        self.base = {id(a) for a in self._artists()}
        self.limits = [(a.get_xlim(), a.get_ylim()) for a in self.fig.axes]

    @classmethod
    def get(cls, data: MapData, title: str, note: list[str]) -> _SinglePage:
        """This thread's page for ``data``, emptied, or a new one (the figure was used for another page)."""
        page = getattr(_PAGES, "single", None)
        if (page is None or page.data is not data or page.key != (title, tuple(note))
                or page.use != md.figure_use()):
            _PAGES.single = None
            page = _PAGES.single = cls(data, title, note)
        else:
            page.empty()  # (already empty unless the last map failed half-way)
        return page

    def _artists(self) -> list:
        out = [*self.fig.texts, *self.fig.patches, *self.fig.lines, *self.fig.images, *self.fig.artists]
        for a in self.fig.axes:
            out += [*a.texts, *a.patches, *a.collections, *a.lines, *a.images, *a.artists]
        return out

    def empty(self) -> None:
        """Remove what the last map added (its layers, labels and legend entries); the page stays."""
        for artist in self._artists():
            if id(artist) not in self.base:
                artist.remove()
        for a, (xlim, ylim) in zip(self.fig.axes, self.limits, strict=True):
            a.set_xlim(xlim)
            a.set_ylim(ylim)


def _pair_map(data: MapData, title: str, subtitle: str, note: list[str]) -> Figure:
    fig = md.reused_figure()
    md.frame(fig, title, subtitle, note, data.lang)
    # Panel height follows the county's shape (a wide county gets short panels, centred vertically).
    x0, y0, x1, y1 = data.bounds
    w_frac, max_h = 0.33, 0.76
    h_frac = min(max_h, w_frac * FIGSIZE[0] / FIGSIZE[1] * (y1 - y0) / (x1 - x0))
    bottom = 0.065 + (max_h - h_frac) / 2
    for i, mode in enumerate(("current", "plan")):
        ax = md.map_axes(fig, (0.015 + i * 0.34, bottom, w_frac, h_frac), data.bounds)
        _View(data, None, mode).draw(ax, labels=False)
        md.scale_bar(ax, data.lang)
        md.north_arrow(ax, data.lang)
        ax.set_title(ms.text("before" if mode == "current" else "after", data.lang), fontsize=13, pad=6)
    side = fig.add_axes(md.SIDE_BOX)
    _legend(side, data, None, "pair", 0)
    return fig


# ---------------------------------------------------------------------------------------------- one map view


class _View:
    """The layers of one map (a kind or all, current or plan), drawn into the main axes or the inset."""

    def __init__(self, data: MapData, kind: str | None, mode: str) -> None:
        self.data = data
        self.kind = kind
        self.mode = mode
        self.when = "before" if mode == "current" else "after"
        self.kinds = data.kinds if kind is None else [kind]
        self.items = data.items[data.items["map_kind"].isin(self.kinds)] if mode != "current" else \
            data.items.iloc[:0]
        self.symbols = self._symbols()
        self.shift = pd.DataFrame(columns=["dx", "dy"], dtype=float)  # set by _spread for each axes drawn

    def _symbols(self) -> pd.DataFrame:
        """One row per (site, item type) drawn: x, y, item, new (filled) or existing (hollow), colour, marker,
        slot (position among the site's symbols) and n (symbols at the site)."""
        d = self.data
        rows = []
        new_at = set(zip(self.items["site_id"].astype(str), self.items["kind"].astype(str), strict=True))
        sid = d.sites.index.astype(str)
        for name in self.kinds:
            k = d.kind(name)
            firsts = {it.service: it for it in reversed(k.items)}
            for it in d.items_of(name):
                existing = d.held.get(it.key, np.zeros(len(sid), dtype=bool)).copy()
                if firsts[it.service] is it:
                    existing |= d.providers.get(name, np.zeros(len(sid), dtype=bool))
                new = np.array([(s, it.key) in new_at for s in sid], dtype=bool)
                for j in np.flatnonzero(existing | new):
                    rows.append((sid[j], it.key, bool(new[j]), k.colour, it.symbol.marker))
        cols = ["site_id", "item", "new", "colour", "marker"]
        sym = pd.DataFrame(rows, columns=cols)
        xy = d.sites.set_axis(sid)[["x", "y"]]
        sym = sym.join(xy, on="site_id")
        sym = sym[np.isfinite(sym[["x", "y"]].to_numpy(dtype=float)).all(axis=1)]
        rank = {k: i for i, k in enumerate(ITEM_KEYS)}
        sym = sym.assign(_r=sym["item"].map(rank)).sort_values(["site_id", "_r"], kind="stable")
        sym["slot"] = sym.groupby("site_id").cumcount()
        sym["n"] = sym.groupby("site_id")["item"].transform("size")
        return sym.drop(columns="_r").reset_index(drop=True)

    # ------------------------------------------------------------------ drawing

    def draw(self, ax: Axes, *, labels: bool, skip: tuple | None = None, inset: bool = False,
             avoid: list[Bbox] | None = None) -> int:
        """Draw every layer into ``ax``; labels for anchors inside ``skip`` (the inset's extent) are left to the
        inset, and no label covers a box of ``avoid`` (display pixels: the inset's title band). Returns how many
        labels were left out for lack of room."""
        d = self.data
        if d.townships is not None:
            share = d.township_share(self.kind, self.when).reindex(d.townships.index.astype(str))
            md.draw_townships(ax, _township_paths(d), ms.coverage_colour(share.to_numpy()), _outline_path(d))
        md.draw_roads(ax, _roads_path(d))
        if self.kind is not None:
            self._cover_area(ax)
            self._villages(ax)
        self._context_sites(ax)
        obstacles = self._facilities(ax)
        if not labels:
            return 0
        return self._labels(ax, obstacles, skip, inset, avoid or [])

    def _cover_area(self, ax: Axes) -> None:
        """Hatch the land nearest to a covered village (Voronoi cells of the villages, clipped to the county)."""
        share = self.data.point_share(self.kind, self.when).to_numpy()
        cells = _print_cells(self.data)
        if cells is None:
            return
        covered = cells[(share >= ms.COVERED_THRESHOLD) & ~shapely.is_missing(cells)]
        if not len(covered):
            return
        key = ("cover", self.kind, self.when)
        path = self.data.cache.get(key)
        if path is None:
            path = self.data.cache[key] = md.polygon_path(shapely.union_all(covered))
        with matplotlib.rc_context({"hatch.linewidth": 0.5}):
            md.add_fixed(ax, PathPatch(path, facecolor="none", edgecolor=self.data.kind(self.kind).colour,
                                       linewidth=0.9, hatch="///", alpha=0.5, zorder=4))

    def _villages(self, ax: Axes) -> None:
        d = self.data
        xy = d.demand[["x", "y"]].to_numpy(dtype=float)
        size = np.clip(np.sqrt(d.demand["population"].to_numpy(dtype=float)) / 6.0, 2.5, 14.0) ** 2 / 4
        before = d.point_share(self.kind, "before").to_numpy() >= ms.COVERED_THRESHOLD
        if self.mode == "current":
            groups = [(before, ms.COVERED_BEFORE_COLOUR), (~before, None)]
        else:
            after = d.point_share(self.kind, "after").to_numpy() >= ms.COVERED_THRESHOLD
            groups = [(before, ms.COVERED_BEFORE_COLOUR), (after & ~before, d.kind(self.kind).colour),
                      (~after, None)]
        for mask, colour in groups:
            if colour is None:
                md.add_symbols(ax, xy[mask], size[mask] * 1.4, "x", face="none", edge=ms.UNCOVERED_COLOUR,
                               linewidth=0.7, zorder=5)
            else:
                md.add_symbols(ax, xy[mask], size[mask], "o", face=colour, edge="none", linewidth=0, zorder=5)

    def _context_sites(self, ax: Axes) -> None:
        d = self.data
        shown = d.sites.index.astype(str).isin(self.symbols["site_id"])
        candidate = d.sites.get("candidate", pd.Series(False, index=d.sites.index)).fillna(False).astype(bool)
        xy = d.sites[["x", "y"]].to_numpy(dtype=float)[~shown & ~candidate.to_numpy()]
        ax.scatter(xy[:, 0], xy[:, 1], s=md.CONTEXT_MARKER_PT**2, c=ms.CONTEXT_SITE_COLOUR, edgecolors="white",
                   linewidths=0.3, zorder=6)

    def _facilities(self, ax: Axes) -> list[Bbox]:
        """Existing (hollow) and new (filled) symbols, several at one site side by side; returns their boxes."""
        sym = self.symbols
        if not len(sym):
            return []
        m_per_pt = md.metres_per_point(ax)
        size = np.where(sym["new"], md.NEW_MARKER_PT, md.EXISTING_MARKER_PT)
        shift = self._spread(ax, sym, m_per_pt)
        dx_pt = (sym["slot"] - (sym["n"] - 1) / 2).to_numpy() * md.NEW_MARKER_PT * SYMBOL_SPACING
        moved = shift.reindex(sym["site_id"]).to_numpy()
        x = sym["x"].to_numpy(dtype=float) + dx_pt * m_per_pt + moved[:, 0]
        y = sym["y"].to_numpy(dtype=float) + moved[:, 1]
        for (marker, new), idx in sym.groupby(["marker", "new"], sort=True).groups.items():
            i = np.asarray([sym.index.get_loc(v) for v in idx])
            colours = sym["colour"].to_numpy()[i]
            if new:
                ax.scatter(x[i], y[i], s=md.NEW_MARKER_PT**2, marker=marker, facecolors=colours,
                           edgecolors=ms.NEW_EDGE_COLOUR, linewidths=0.9, zorder=8)
            else:
                ax.scatter(x[i], y[i], s=md.EXISTING_MARKER_PT**2, marker=marker, facecolors="white",
                           edgecolors=colours, linewidths=1.3, zorder=7)
        return [marker_box(ax, xi, yi, s) for xi, yi, s in zip(x, y, size, strict=True)]

    def _spread(self, ax: Axes, sym: pd.DataFrame, m_per_pt: float) -> pd.DataFrame:
        """Per site, how far (metres) its symbol group is moved so that no two groups overprint; a moved group
        is joined to its true place (a small dot) by a thin line. Kept for the labels (``self.shift``)."""
        group = sym.groupby("site_id", sort=False).agg(x=("x", "first"), y=("y", "first"), n=("n", "first"))
        px_per_pt = ax.figure.dpi / 72
        centres = ax.transData.transform(group[["x", "y"]].to_numpy(dtype=float))
        half = np.column_stack([(group["n"].to_numpy() * SYMBOL_SPACING + 0.2) * md.NEW_MARKER_PT / 2,
                                np.full(len(group), md.NEW_MARKER_PT / 2)]) * px_per_pt
        offset = spread(centres, half) / px_per_pt * m_per_pt
        shift = pd.DataFrame(offset, index=group.index, columns=["dx", "dy"])
        moved = np.hypot(offset[:, 0], offset[:, 1]) > 0.5 * m_per_pt
        if moved.any():
            gx, gy = group["x"].to_numpy()[moved], group["y"].to_numpy()[moved]
            for x, y, (dx, dy) in zip(gx, gy, offset[moved], strict=True):
                ax.plot([x, x + dx], [y, y + dy], color=ms.BOUNDARY_COLOUR, linewidth=0.6, zorder=6.8)
            ax.scatter(gx, gy, s=2.2**2, c="#111111", linewidths=0, zorder=6.9)
        self.shift = shift
        return shift

    def _labels(self, ax: Axes, obstacles: list[Bbox], skip: tuple | None, inset: bool, avoid: list[Bbox]) -> int:
        d = self.data
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        sym = self.symbols
        moved = self.shift.reindex(sym["site_id"]).to_numpy()
        sym = sym.assign(x=sym["x"].to_numpy(dtype=float) + moved[:, 0],
                         y=sym["y"].to_numpy(dtype=float) + moved[:, 1])
        group = sym.groupby("site_id", sort=False).agg(x=("x", "first"), y=("y", "first"), n=("n", "first"),
                                                       new=("new", "any"))
        radius = (group["n"] * md.NEW_MARKER_PT * SYMBOL_SPACING / 2 + 1).to_numpy()
        labels: list[Label] = []
        if self.mode == "current":
            names = d.sites.set_axis(d.sites.index.astype(str))["label"]
            beds = pd.to_numeric(d.sites.set_axis(d.sites.index.astype(str)).get("beds"), errors="coerce")
            order = group.assign(_b=beds.reindex(group.index).fillna(0).to_numpy()).sort_values(
                ["n", "_b"], ascending=False, kind="stable")
            for sid, r in order.iterrows():
                labels.append(Label(str(names.get(sid, sid)), r.x, r.y, float(radius[group.index.get_loc(sid)]),
                                    {"fontsize": 7 if inset else 7.5, "color": "#222222"}))
        else:
            numbers = site_numbers(self.items)
            edge = ms.NEW_EDGE_COLOUR if self.kind is None else d.kind(self.kind).colour
            box = {**md.NUMBER_BOX, "edgecolor": edge}
            for sid, text in numbers.items():
                if sid not in group.index:
                    continue
                r = group.loc[sid]
                labels.append(Label(text, r.x, r.y, float(radius[group.index.get_loc(sid)]),
                                    {"fontsize": 7, "color": "#111111", "bbox": box}))
        labels = [lab for lab in labels if x0 <= lab.x <= x1 and y0 <= lab.y <= y1
                  and not (skip is not None and _within(lab.x, lab.y, skip))]
        placed = place_labels(ax, labels, obstacles, list(avoid))
        # Township names at their centres (just above or below when a symbol sits there), never over a label.
        self._township_names(ax, placed.boxes + obstacles + avoid, placed.boxes, skip, inset)
        return len(placed.dropped)

    def _township_names(self, ax: Axes, avoid: list[Bbox], placed: list[Bbox], skip: tuple | None,
                        inset: bool) -> None:
        d = self.data
        if d.townships is None:
            return
        style = {"fontsize": 7 if inset else 7.5, "color": "#3a3a3a", "zorder": 6.5}
        labels = [Label(str(name), pt.x, pt.y, 0.0, style)
                  for name, pt, urban in zip(d.townships["label"], _label_points(d), d.townships["urban"],
                                             strict=True)
                  if not (skip is not None and urban and _within(pt.x, pt.y, skip))]
        place_centred(ax, labels, (0, 9, -9), avoid, list(placed))


def print_tolerance_m(data: MapData) -> float:
    """How far (metres on the ground) the drawn geometry may depart from the data: ``PRINT_TOLERANCE_PX``
    device pixels at the finest scale of the run's maps, the main map (the county's extent on ``MAP_BOX`` at
    ``DPI``) or the county-seat inset (the seat's extent on ``INSET_WIDTH`` of it) when there is one (see
    :mod:`reports.map_geometry`)."""
    x0, y0, x1, y1 = data.bounds
    axes_w, axes_h = md.MAP_BOX[2] * FIGSIZE[0] * DPI, md.MAP_BOX[3] * FIGSIZE[1] * DPI  # device pixels
    finest = max(metres_per_pixel(x1 - x0, axes_w), metres_per_pixel(y1 - y0, axes_h))
    seat = data.urban_extent()
    if seat is not None:
        finest = min(finest, metres_per_pixel(seat[2] - seat[0], INSET_WIDTH * axes_w))
    return PRINT_TOLERANCE_PX * finest


def _print_shapes(d: MapData) -> tuple[np.ndarray, object]:
    """The township polygons and the county outline as drawn: simplified to :func:`print_tolerance_m` (once
    per process)."""
    key = "print_shapes"
    if key not in d.cache:
        d.cache[key] = simplify_townships(d.townships.geometry.to_numpy(), print_tolerance_m(d))
    return d.cache[key]


def _print_outline(d: MapData) -> object:
    """The county as drawn (the simplified outline), or the map's extent without townships."""
    return _print_shapes(d)[1] if d.townships is not None else shapely.box(*d.bounds)


def _print_cells(d: MapData) -> np.ndarray | None:
    """The villages' cells (:meth:`MapData.village_cells`) clipped to the drawn outline."""
    key = "print_cells"
    if key not in d.cache:
        d.cache[key] = d.village_cells(clip=_print_outline(d))
    return d.cache[key]


def _township_paths(d: MapData) -> list:
    key = "townships"
    if key not in d.cache:
        d.cache[key] = [md.polygon_path(g) for g in _print_shapes(d)[0]]
    return d.cache[key]


def _outline_path(d: MapData):
    key = "outline"
    if key not in d.cache:
        d.cache[key] = md.polygon_path(_print_shapes(d)[1]) if d.townships is not None else None
    return d.cache[key]


def _roads_path(d: MapData):
    key = "roads"
    if key not in d.cache:
        roads = d.instance.roads
        path = None
        if roads is not None and len(roads):
            geoms = roads.geometry
            if roads.crs is not None and d.instance.crs is not None and roads.crs != d.instance.crs:
                geoms = geoms.to_crs(d.instance.crs)
            path = md.lines_path(simplify_lines(geoms.to_numpy(), print_tolerance_m(d)))
        d.cache[key] = path
    return d.cache[key]


def _label_points(d: MapData) -> list:
    key = "labelpts"
    if key not in d.cache:
        d.cache[key] = list(d.townships.geometry.representative_point())
    return d.cache[key]


def _within(x: float, y: float, box: tuple) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


# ---------------------------------------------------------------------------------------------- inset


def _inset_box(ax: Axes, extent: tuple) -> tuple[float, float, float, float]:
    """Figure box (x, y, w, h) of the inset: top left of the map, the seat's aspect, at most
    ``INSET_MAX_HEIGHT`` of the map's height."""
    pos = ax.get_position()
    ex0, ey0, ex1, ey1 = extent
    w = INSET_WIDTH * pos.width
    h = min(w * FIGSIZE[0] / FIGSIZE[1] * (ey1 - ey0) / (ex1 - ex0), INSET_MAX_HEIGHT * pos.height)
    m = 0.012
    return pos.x0 + m * pos.width, pos.y1 - h - m * pos.height, w, h


def _make_room(ax: Axes, data: MapData, extent: tuple) -> None:
    """Move the county right (zooming out only as far as needed) until the inset in the top left covers at
    most 2 % of its own area of the county."""
    x0, y0, x1, y1 = data.bounds
    outline = _print_outline(data)
    pos = ax.get_position()
    fx, fy, w, h = _inset_box(ax, extent)
    for share in np.linspace(0.0, INSET_WIDTH + 0.02, 8):
        lx0, ly0, lx1, ly1 = md.fit_limits(ax, (x1 - (x1 - x0) / (1 - share), y0, x1, y1))
        lx0, lx1 = x1 - (lx1 - lx0), x1  # right-aligned
        sx, sy = (lx1 - lx0) / pos.width, (ly1 - ly0) / pos.height  # metres per figure fraction
        bx0, by0 = lx0 + (fx - pos.x0) * sx, ly0 + (fy - pos.y0) * sy
        box = shapely.box(bx0, by0, bx0 + w * sx, by0 + h * sy)
        if shapely.area(shapely.intersection(box, outline)) <= 0.02 * box.area:
            break
    ax.set_xlim(lx0, lx1)
    ax.set_ylim(ly0, ly1)


def _inset_axes(fig: Figure, ax: Axes, extent: tuple, lang: str) -> Axes:
    """Axes of the county-seat inset in the top left of the map (the county is drawn to the right of it)."""
    inset = md.map_axes(fig, _inset_box(ax, extent), extent, face="#ffffff")
    for s in inset.spines.values():
        s.set_color(ms.INSET_EDGE_COLOUR)
        s.set_linewidth(1.4)
    inset.set_zorder(20)
    # The title in a white band across the top: nothing drawn in the inset runs under it.
    inset.add_patch(Rectangle((0, 1 - INSET_TITLE_BAND), 1, INSET_TITLE_BAND, transform=inset.transAxes,
                              facecolor="white", edgecolor=ms.INSET_EDGE_COLOUR, linewidth=0.8, zorder=29))
    inset.text(0.03, 1 - INSET_TITLE_BAND / 2, ms.text("inset", lang), transform=inset.transAxes, ha="left",
               va="center", fontsize=8.5, color=ms.INSET_EDGE_COLOUR, zorder=30)
    return inset


def _inset_title_box(inset: Axes) -> Bbox:
    """Display box of the inset's title band (labels keep out of it)."""
    return Bbox(inset.transAxes.transform([(0, 1 - INSET_TITLE_BAND), (1, 1)]))


def _mark_inset(ax: Axes, extent: tuple, lang: str) -> None:
    x0, y0, x1, y1 = extent
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="none", edgecolor=ms.INSET_EDGE_COLOUR,
                           linewidth=1.1, linestyle=(0, (4, 2)), zorder=9))


# ---------------------------------------------------------------------------------------------- legend


def _legend(ax: Axes, data: MapData, kind: str | None, mode: str, dropped: int, *, new: bool = True) -> None:
    lang = data.lang
    p = md.LegendPanel(ax, new=new)
    p.heading(ms.text("legend", lang))
    kinds = data.kinds if kind is None else [kind]
    p.heading(ms.text("facilities", lang))
    with_new = mode != "current" and len(data.items) > 0
    if with_new:
        p.columns(ms.text("existing_short", lang), ms.text("new_short", lang))
    for name in kinds:
        k = data.kind(name)
        for it in data.items_of(name):
            p.pair(legend_name(k, it, lang), it.symbol.marker, k.colour, new=with_new)
    p.marker(ms.text("other_sites", lang), "o", ms.CONTEXT_SITE_COLOUR, "white", md.CONTEXT_MARKER_PT, 0.3)
    if with_new and mode != "pair":
        p.number(ms.text("number_row", lang))
    if kind is not None:
        colour = data.kind(kind).colour
        p.heading(ms.text("villages", lang))
        p.marker(ms.text("covered_before", lang), "o", ms.COVERED_BEFORE_COLOUR, "none", 4.5, 0)
        if mode == "current":
            p.marker(ms.text("uncovered_now", lang), "x", ms.UNCOVERED_COLOUR, ms.UNCOVERED_COLOUR, 4.5, 0.8)
        else:
            p.marker(ms.text("newly_covered", lang), "o", colour, "none", 4.5, 0)
            p.marker(ms.text("uncovered", lang), "x", ms.UNCOVERED_COLOUR, ms.UNCOVERED_COLOUR, 4.5, 0.8)
        p.patch(ms.text("cover_area", lang), "none", colour, 0.9, "solid", hatch="///")
    when = "" if mode == "pair" else ms.text("before" if mode == "current" else "after", lang)
    head = ms.text("combined_heading" if kind is None else "share_heading", lang)
    p.heading(head + (f"（{when}）" if when and not is_en(lang) else f" ({when})" if when else ""))
    for colour, lab in zip(ms.COVERAGE_COLOURS[::-1], ms.coverage_class_labels(lang)[::-1], strict=True):
        p.patch(lab, colour, ms.BOUNDARY_COLOUR)
    if data.instance.roads is not None and len(data.instance.roads):
        p.line(ms.text("roads", lang), ms.ROAD_COLOUR, 1.0)
    p.line(ms.text("boundary", lang), ms.BOUNDARY_COLOUR, 0.8)
    if data.urban_extent() is not None and mode != "pair":
        p.line(ms.text("inset", lang), ms.INSET_EDGE_COLOUR, 1.1, "--")
    p.heading(ms.text("figures", lang))
    rows = []
    for label, pop, b, a in data.summary(kind):
        rows.append(ms.text("cov_now", lang, name=label, b=_pct(b, pop)) if mode == "current" or not with_new
                    else ms.text("cov_line", lang, name=label, b=_pct(b, pop), a=_pct(a, pop)))
    its = data.items if kind is None else data.items[data.items["map_kind"] == kind]
    if with_new:
        rows.append(ms.text("projects_line", lang, n=len(its), c=f"{its['cost_wan'].sum():,.0f}"))
    if dropped:
        rows.append(ms.text("unlabelled", lang, n=dropped))
    p.lines(rows, fontsize=7.5, step=0.026)
    if with_new and kind is not None and len(its):  # the overview's projects are too many: see the list
        p.heading(ms.text("project_list", lang))
        p.table(_project_rows(its, lang), more=ms.TEXT["more_projects"][1 if is_en(lang) else 0],
                width=30, columns=2)


def _project_rows(items: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(序号, site name) per numbered project, in number order (the map's kind says what is built)."""
    rows = []
    numbered = items.dropna(subset=["no"]).sort_values("no", kind="stable")
    for no, g in numbered.groupby("no", sort=True):
        first = g.iloc[0]
        text = str(first["site_label"])
        if (g["origin"] == "committed").any():
            text += ms.text("committed", lang)
        rows.append((str(int(no)), text))
    return rows


def _pct(v: float, pop: float) -> str:
    return f"{100 * v / pop:.1f}" if pop > 0 else "–"
