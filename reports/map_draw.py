"""The furniture of a plan map, shared by the run's maps (``reports.maps``) and the compare map
(``scenarios.compare``): A4 page, title block and notes, township fills and boundaries, roads, scale bar, north
arrow, the side legend panel, and writing PNG/PDF files atomically with identical bytes on every rerun."""

from __future__ import annotations

import math
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import matplotlib
import matplotlib.text
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.patches import PathPatch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from healthplan.reports import map_style as ms
from healthplan.reports.map_page import DPI, FIGSIZE, PAGE_PX, file_mode  # noqa: F401  (public names)

MAP_BOX = (0.025, 0.065, 0.655, 0.82)  # map axes of a single map, figure fraction
SIDE_BOX = (0.695, 0.065, 0.29, 0.82)  # legend panel

NEW_MARKER_PT = 11.0  # marker size of a new facility, points
EXISTING_MARKER_PT = 8.0
CONTEXT_MARKER_PT = 3.5
PDF_METADATA = {"CreationDate": None, "Producer": None, "Creator": None}
# zlib level of the PDF content streams: 3 writes a map page ≈ 10 % faster than matplotlib's default 6, for
# ≈ 7 % more bytes (≈ 370 instead of 345 kB for a plan map)
PDF_COMPRESSION = 3
HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]
NOTE_WIDTH = 150  # width units per note line: a CJK character counts 2, other characters 1 (7 pt on A4 width)
LEGEND_WIDTH = 52  # width units of a legend text line (CJK = 2) at 8 pt in the side panel


def new_figure() -> Figure:
    """An A4 landscape figure at 300 dpi on the Agg canvas (no pyplot state)."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    return fig


_PAGE = threading.local()  # the figure of reused_figure, one per thread


def reused_figure() -> Figure:
    """:func:`new_figure`, made once per thread and cleared for each map: its Agg raster (35 MB) is allocated
    once, and matplotlib keeps the measured size of a text per canvas, so the names and legend lines every map
    shows are laid out once (≈ 5 % of drawing a map). The same figure gives the same bytes, fresh or reused.
    :func:`release_figure` frees it."""
    fig = getattr(_PAGE, "figure", None)
    if fig is None:
        fig = _PAGE.figure = new_figure()
    clear_figure(fig)
    fig.patch.set_facecolor("white")
    _PAGE.uses = getattr(_PAGE, "uses", 0) + 1
    return fig


def figure_use() -> int:
    """How many times this thread's :func:`reused_figure` was handed out (a page kept in it for the next map
    is still there while this count has not changed)."""
    return getattr(_PAGE, "uses", 0)


def clear_figure(fig: Figure) -> None:
    """Empty ``fig``: its axes are taken out as they are (``Figure.clear`` first resets each axes to a new
    one, tick marks included, only to throw it away: ≈ 2 % of drawing a map), then the rest is cleared."""
    for ax in list(fig.axes):
        fig.delaxes(ax)
    fig.clear()


def release_figure() -> None:
    """Free this thread's :func:`reused_figure` (a process that draws maps only now and then)."""
    _PAGE.figure = None
    _PAGE.uses = getattr(_PAGE, "uses", 0) + 1  # a page kept in it is gone too


def frame(fig: Figure, title: str, subtitle: str, note: list[str], lang: str) -> matplotlib.text.Text:
    """Title, subtitle, up to three lines of notes and the maker's line; returns the subtitle."""
    fig.text(0.5, 0.958, title, ha="center", va="center", fontsize=18, color="#111111")
    sub = fig.text(0.5, 0.918, subtitle, ha="center", va="center", fontsize=12, color="#333333")
    lines = pack(note, NOTE_WIDTH)[:3]
    for k, line in enumerate(lines):
        fig.text(0.025, 0.04 - k * 0.0145, line, ha="left", va="center", fontsize=7, color="#333333")
    fig.text(0.985, 0.04, ms.text("made_with", lang), ha="right", va="center", fontsize=7, color="#666666")
    return sub


def units(text: str) -> int:
    """Width of ``text`` in units: a CJK character counts 2, others 1."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def pack(parts: list[str], width: int) -> list[str]:
    """Lines of at most ``width`` units holding whole ``parts`` where they fit (a long part is wrapped)."""
    lines: list[str] = []
    cur = ""
    for part in parts:
        cand = f"{cur}  {part}" if cur else part
        if units(cand) <= width:
            cur = cand
            continue
        if cur:
            lines.append(cur)
        wrapped = wrap(part, width)
        lines += wrapped[:-1]
        cur = wrapped[-1] if wrapped else ""
    if cur:
        lines.append(cur)
    return lines


def wrap(text: str, width: int) -> list[str]:
    """Split ``text`` into lines of at most ``width`` units, at spaces or between CJK characters."""
    lines: list[str] = []
    cur, w, last_break = "", 0, -1
    for ch in text:
        cw = 2 if ord(ch) >= 0x2E80 else 1
        if w + cw > width and cur:
            cut = last_break if last_break > 0 else len(cur)
            lines.append(cur[:cut].rstrip())
            cur = cur[cut:].lstrip()
            w = units(cur)
            last_break = -1
        cur += ch
        w += cw
        if ch == " " or cw == 2:
            last_break = len(cur)
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` units with an ellipsis."""
    if units(text) <= width:
        return text
    out, w = "", 0
    for ch in text:
        cw = 2 if ord(ch) >= 0x2E80 else 1
        if w + cw > width - 2:
            break
        out += ch
        w += cw
    return out + "…"


# ---------------------------------------------------------------------------------------------- axes and layers


def fit_limits(ax: Axes, bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Grow ``bounds`` (metres) to the aspect of the axes box so that one metre is as long in x as in y."""
    x0, y0, x1, y1 = bounds
    fw, fh = ax.figure.get_size_inches()
    pos = ax.get_position()
    ratio = (pos.height * fh) / (pos.width * fw)
    w, h = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    if h / w < ratio:
        cy, h = (y0 + y1) / 2, w * ratio
        y0, y1 = cy - h / 2, cy + h / 2
    else:
        cx, w = (x0 + x1) / 2, h / ratio
        x0, x1 = cx - w / 2, cx + w / 2
    return x0, y0, x1, y1


def map_axes(fig: Figure, box: tuple[float, float, float, float], bounds: tuple[float, float, float, float],
             *, face: str = "#f7fbff") -> Axes:
    """Axes for a map of ``bounds`` (metres) in ``box``: equal scale, no ticks, fixed limits."""
    ax = fig.add_axes(box)
    x0, y0, x1, y1 = fit_limits(ax, bounds)
    ax.set_autoscale_on(False)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    # no ticks: the axes are hidden rather than given empty tick lists, so no tick mark is ever made
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    for s in ax.spines.values():
        s.set_color("#444444")
        s.set_linewidth(0.8)
    ax.set_facecolor(face)
    return ax


def add_fixed(ax: Axes, patch: PathPatch) -> None:
    """Add a data-coordinate patch without growing the data limits (they are fixed; ``add_patch`` would walk
    every vertex of a road network to update them: seconds per map)."""
    patch.set_transform(ax.transData)
    ax.add_artist(patch)


def polygon_path(geom: object) -> MplPath:
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


def lines_path(geoms: np.ndarray) -> MplPath | None:
    """One compound path of the LineStrings in ``geoms`` (a PDF with one path per segment is slow to write)."""
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[shapely.get_type_id(parts) == 1]
    if not len(parts):
        return None
    coords, index = shapely.get_coordinates(parts, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    codes[np.r_[0, np.flatnonzero(np.diff(index)) + 1]] = MplPath.MOVETO
    return MplPath(coords, codes)


def metres_per_point(ax: Axes) -> float:
    """Ground metres per printed point (1/72 inch) in the map axes ``ax`` (fixed limits, equal scale)."""
    x0, x1 = ax.get_xlim()
    return (x1 - x0) / (ax.get_position().width * ax.figure.get_size_inches()[0] * 72)


def add_symbols(ax: Axes, xy: np.ndarray, area_pt2: np.ndarray, marker: str, *, face: str, edge: str,
                linewidth: float, zorder: float) -> None:
    """Draw the symbols ``marker`` of ``area_pt2`` (square points, as ``scatter``'s ``s``) centred at ``xy``
    (metres) as one compound path: what ``scatter`` draws, but written to a PDF as one path instead of one
    path with its own graphics state per symbol (the villages of a kind map were ≈ a fifth of writing it).

    Symbols whose centre is farther outside the axes than their own size are left out (the county-seat inset
    shows a few of the county's villages; the others would be clipped away in the PNG and written, unseen,
    into the PDF).
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    side_m = np.sqrt(np.asarray(area_pt2, dtype=float)) * metres_per_point(ax)  # the symbol's size, metres
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    keep = (np.isfinite(xy).all(axis=1) & (xy[:, 0] >= x0 - side_m) & (xy[:, 0] <= x1 + side_m)
            & (xy[:, 1] >= y0 - side_m) & (xy[:, 1] <= y1 + side_m))
    if not keep.any():
        return
    style = MarkerStyle(marker)
    unit = style.get_path().transformed(style.get_transform())  # 1 point wide, as scatter scales it
    verts = xy[keep, None, :] + unit.vertices[None, :, :] * side_m[keep, None, None]
    unit_codes = unit.codes if unit.codes is not None else _line_codes(len(unit.vertices))
    codes = np.tile(unit_codes, int(keep.sum()))
    path = MplPath(verts.reshape(-1, 2), codes)
    path.should_simplify = False  # scatter does not simplify its symbols either
    # scatter's defaults: round joins, butt caps; an unfilled marker (x) is stroked in its colour
    add_fixed(ax, PathPatch(path, facecolor=face, edgecolor=edge, linewidth=linewidth, joinstyle="round",
                            capstyle="butt", zorder=zorder))


def _line_codes(n: int) -> np.ndarray:
    codes = np.full(n, MplPath.LINETO, dtype=np.uint8)
    codes[0] = MplPath.MOVETO
    return codes


def draw_townships(ax: Axes, paths: list[MplPath], colours: list[str], outline: MplPath | None) -> None:
    """Township fills with their boundaries, and the county outline on top."""
    coll = PathCollection(paths, facecolors=colours, edgecolors=ms.BOUNDARY_COLOUR, linewidths=0.6, zorder=1)
    ax.add_collection(coll, autolim=False)
    if outline is not None:
        add_fixed(ax, PathPatch(outline, facecolor="none", edgecolor="#222222", linewidth=1.4, zorder=3))


def draw_roads(ax: Axes, roads: MplPath | None) -> None:
    """The road network as one thin grey path."""
    if roads is not None:
        add_fixed(ax, PathPatch(roads, facecolor="none", edgecolor=ms.ROAD_COLOUR, linewidth=0.45, zorder=2))


def nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^n metres) close to a fifth of the map width."""
    target = span_m / 5
    exp = 10 ** math.floor(math.log10(target))
    return max(m * exp for m in (1, 2, 5) if m * exp <= target)


def scale_bar(ax: Axes, lang: str, *, at: tuple[float, float] = (0.04, 0.045), fontsize: float = 7) -> None:
    """A four-segment scale bar at ``at`` (axes fraction), labelled in km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    h = (y1 - y0) * 0.008
    bx, by = x0 + (x1 - x0) * at[0], y0 + (y1 - y0) * at[1]
    # White backing so the bar reads over any township colour.
    ax.add_patch(Rectangle((bx - (x1 - x0) * 0.015, by - h * 2.2), length * 1.2 + (x1 - x0) * 0.03, h * 7.5,
                           facecolor="white", edgecolor="none", alpha=0.8, zorder=9.5))
    for k in range(4):
        face = "black" if k % 2 == 0 else "white"
        ax.add_patch(Rectangle((bx + k * length / 4, by), length / 4, h, facecolor=face, edgecolor="black",
                               linewidth=0.6, zorder=10))
    ty = by + h * 1.6
    ax.text(bx, ty, "0", ha="center", va="bottom", fontsize=fontsize, zorder=10)
    ax.text(bx + length, ty, f"{length / 1000:g} {ms.text('km', lang)}", ha="center", va="bottom",
            fontsize=fontsize, zorder=10)


def north_arrow(ax: Axes, lang: str, *, cx: float = 0.95, top: float = 0.955, scale: float = 1.0) -> None:
    """Grid north of the projected CRS (UTM grid convergence in a county is well under 2°)."""
    h, w = 0.075 * scale, 0.022 * scale
    tr = ax.transAxes
    ax.add_patch(Polygon([(cx, top), (cx - w, top - h), (cx, top - h * 0.72)], closed=True, facecolor="black",
                         edgecolor="black", linewidth=0.6, transform=tr, zorder=10))
    ax.add_patch(Polygon([(cx, top), (cx + w, top - h), (cx, top - h * 0.72)], closed=True, facecolor="white",
                         edgecolor="black", linewidth=0.6, transform=tr, zorder=10))
    ax.text(cx, top - h - 0.012, ms.text("north", lang), transform=tr, ha="center", va="top",
            fontsize=10 * max(scale, 0.7), zorder=10, path_effects=HALO)


# Where the scale bar and the north arrow stand (axes fraction, as drawn above): labels keep out.
SCALE_BAR_AREA = ((0.0, 0.0), (0.32, 0.12))
NORTH_ARROW_AREA = ((0.9, 0.83), (1.0, 1.0))


def furniture_boxes(ax: Axes, *, north: bool = True) -> list:
    """Display boxes (``Bbox``) of the scale bar and (``north``) the north arrow of ``ax``."""
    from matplotlib.transforms import Bbox

    areas = [SCALE_BAR_AREA, NORTH_ARROW_AREA] if north else [SCALE_BAR_AREA]
    return [Bbox(ax.transAxes.transform(a)) for a in areas]


# ---------------------------------------------------------------------------------------------- legend panel


class LegendPanel:
    """Draws a legend top-down in an axes with 0–1 coordinates (deterministic; no matplotlib legend)."""

    def __init__(self, ax: Axes, *, new: bool = True) -> None:
        """A panel in ``ax``, written from the top; ``new=False``: ``ax`` is a panel already (its frame drawn,
        the previous map's entries removed), reused for the next map."""
        self.ax = ax
        self.y = 0.975
        if not new:
            return
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="#888888", linewidth=0.6,
                               transform=ax.transAxes))

    def heading(self, text: str) -> None:
        self.y -= 0.010
        self.ax.text(0.05, self.y, text, fontsize=9.5, va="top", color="#111111")
        self.y -= 0.038

    def marker(self, text: str, marker: str, face: str, edge: str, size: float, lw: float = 1.0) -> None:
        if marker in ("x", "+", "|", "_"):  # unfilled markers take one colour
            self.ax.scatter([0.1], [self.y], s=size**2, marker=marker, c=face, linewidths=lw)
        else:
            self.ax.scatter([0.1], [self.y], s=size**2, marker=marker, facecolors=face, edgecolors=edge,
                            linewidths=lw)
        self._label(text)

    def patch(self, text: str, face: object, edge: str, lw: float = 0.6, ls: object = "solid",
              hatch: str | None = None) -> None:
        self.ax.add_patch(Rectangle((0.06, self.y - 0.010), 0.08, 0.020, facecolor=face, edgecolor=edge,
                                    linewidth=lw, linestyle=ls, hatch=hatch, alpha=0.55 if hatch else None))
        self._label(text)

    def columns(self, left: str, right: str) -> None:
        """Column heads over the existing (hollow) and new (filled) symbols of :meth:`pair`."""
        self.ax.text(0.08, self.y + 0.004, left, fontsize=6.5, ha="center", va="center", color="#444444")
        self.ax.text(0.17, self.y + 0.004, right, fontsize=6.5, ha="center", va="center", color="#444444")
        self.y -= 0.028

    def pair(self, text: str, marker: str, colour: str, *, new: bool = True) -> None:
        """One facility type: existing (white) and new (kind colour) symbols side by side, then its name."""
        self.ax.scatter([0.08], [self.y], s=(EXISTING_MARKER_PT * 0.9) ** 2, marker=marker,
                        facecolors="white", edgecolors=colour, linewidths=1.3)
        if new:
            self.ax.scatter([0.17], [self.y], s=(NEW_MARKER_PT * 0.9) ** 2, marker=marker, facecolors=colour,
                            edgecolors=ms.NEW_EDGE_COLOUR, linewidths=0.9)
        self.ax.text(0.23, self.y, text, fontsize=8, va="center", color="#222222")
        self.y -= 0.031

    def number(self, text: str) -> None:
        """The number tag of new projects (as drawn on the map)."""
        self.ax.text(0.10, self.y, "12", fontsize=7, ha="center", va="center", color="#111111",
                     bbox=NUMBER_BOX)
        self._label(text)

    def line(self, text: str, colour: str, lw: float, ls: str = "solid") -> None:
        self.ax.plot([0.06, 0.14], [self.y, self.y], color=colour, linewidth=lw, linestyle=ls)
        self._label(text)

    def _label(self, text: str) -> None:
        self.ax.text(0.18, self.y, text, fontsize=8, va="center", color="#222222")
        self.y -= 0.031

    def lines(self, rows: Iterable[str], *, fontsize: float = 8, step: float = 0.028) -> None:
        for row in rows:
            for part in wrap(row, LEGEND_WIDTH):
                self.ax.text(0.06, self.y, part, fontsize=fontsize, va="center", color="#222222")
                self.y -= step

    def table(self, rows: list[tuple[str, str]], *, more: str | None, width: int, bottom: float = 0.02,
              fontsize: float = 6.5, step: float = 0.0205, columns: int = 2) -> int:
        """Numbered rows (number, text) in up to ``columns`` columns down to ``bottom``; returns how many fit
        (the rest are summed up by ``more``, formatted with ``n``)."""
        room = max(int((self.y - bottom) / step), 0)
        capacity = room * columns
        fits = len(rows) if len(rows) <= capacity else max(capacity - 1, 0)
        per_col = max(math.ceil(min(fits + (fits < len(rows)), capacity) / columns), 1)
        col_w = 0.9 / columns
        shown = rows[:fits]
        for i, (no, text) in enumerate(shown):
            c, r = divmod(i, per_col)
            x, y = 0.05 + c * col_w, self.y - r * step
            self.ax.text(x + 0.035, y, no, fontsize=fontsize, ha="right", va="center", color="#111111",
                         )
            self.ax.text(x + 0.045, y, clip(text, width), fontsize=fontsize, va="center", color="#222222")
        if fits < len(rows) and more:
            c, r = divmod(fits, per_col)
            self.ax.text(0.05 + c * col_w + 0.01, self.y - r * step, more.format(n=len(rows) - fits),
                         fontsize=fontsize, va="center", color="#444444")
        self.y -= per_col * step
        return fits


NUMBER_BOX = dict(boxstyle="round,pad=0.18", facecolor="white", edgecolor="#111111", linewidth=0.6)


# ---------------------------------------------------------------------------------------------- output


def save(fig: Figure, stem: Path, mode: int) -> list[Path]:
    """Write ``stem``.png (300 dpi) and ``stem``.pdf atomically with permissions ``mode``; the same figure gives
    the same bytes."""
    out = []
    for ext in (".png", ".pdf"):
        path = stem.with_suffix(ext)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        try:
            if ext == ".png":
                _save_png(fig, tmp)
            else:
                with matplotlib.rc_context({"pdf.compression": PDF_COMPRESSION}):
                    fig.savefig(tmp, format="pdf", dpi=DPI, metadata=PDF_METADATA, facecolor="white")
            os.chmod(tmp, mode)  # mkstemp makes 0600 files; maps are for sharing
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        out.append(path)
    return out


def _save_png(fig: Figure, path: str) -> None:
    """The Agg raster as an RGB PNG (the page is opaque: an alpha channel would add a quarter to the bytes to
    compress) with its 300 dpi resolution and no other metadata (same figure, same bytes), written by
    :mod:`reports.png` (no row filter: ≈ 3 × faster than Pillow for a map page, and smaller)."""
    from healthplan.reports.png import write_png

    fig.canvas.draw()
    write_png(path, np.asarray(fig.canvas.buffer_rgba()), DPI)


def text_colour_ok(colour: str) -> str:
    """A text colour readable on white for a kind colour (the colour itself unless it is very light)."""
    r, g, b = matplotlib.colors.to_rgb(colour)
    return colour if 0.299 * r + 0.587 * g + 0.114 * b < 0.7 else "#333333"
