"""Labels that never overprint one another: facility names and project numbers next to their symbols.

Each label tries eight slots around its symbol, then rings of slots farther out joined to its symbol by a leader
line, and takes the nearest that covers neither another label nor a symbol (failing that, the free slot covering
the least of the symbols); what is left goes to adjustText (a force-directed label placer, deterministic: its
only randomness has a fixed seed), also with leader lines. A label that still overlaps another after all that is left out and counted, so the map
can say how many names it could not show. Labels are placed in the caller's order (most important first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from healthplan.reports.map_draw import HALO

LEADER = dict(arrowstyle="-", color="#444444", linewidth=0.5, shrinkA=0, shrinkB=1)
# Rings of slots tried in turn (distance as a multiple of the symbol's radius; beyond the first, a leader line
# joins the label to its symbol): a crowded cluster spreads outwards before adjustText is asked.
RINGS: tuple[tuple[float, bool], ...] = ((1.0, False), (2.6, True), (4.5, True), (7.0, True))
ADJUST_ITERATIONS = 150  # adjustText's iteration cap (a time cap would make the result machine-dependent)


@dataclass
class Label:
    """A label to place: text, anchor (data coordinates, metres), the anchor symbol's radius (points) and the
    text's style (``fontsize``, ``color``, ``fontweight``, ``bbox`` …)."""

    text: str
    x: float
    y: float
    radius_pt: float = 5.0
    style: dict[str, Any] = field(default_factory=dict)


@dataclass
class Placed:
    """What :func:`place_labels` drew: the text artists, their display boxes, and the labels left out."""

    artists: list[Annotation]
    boxes: list[Bbox]
    dropped: list[Label]


def _slots(r: float) -> list[tuple[float, float, str, str]]:
    # (dx, dy, ha, va) in points around a symbol of radius r: right, left, above, below, then the diagonals.
    d = r * 0.75
    return [(r + 2, 0, "left", "center"), (-r - 2, 0, "right", "center"), (0, r + 2, "center", "bottom"),
            (0, -r - 2, "center", "top"), (d + 2, d + 1, "left", "bottom"), (d + 2, -d - 1, "left", "top"),
            (-d - 2, d + 1, "right", "bottom"), (-d - 2, -d - 1, "right", "top")]


def _ring_slots(r: float) -> list[tuple[float, float, str, str]]:
    """Sixteen slots at distance ``r`` (points) around a symbol, the text aligned away from it."""
    out = []
    for a in np.arange(16) * np.pi / 8:
        c, s = math.cos(a), math.sin(a)
        ha = "left" if c > 0.3 else "right" if c < -0.3 else "center"
        va = "bottom" if s > 0.3 else "top" if s < -0.3 else "center"
        out.append((r * c, r * s, ha, va))
    return out


def place_labels(ax: Axes, labels: list[Label], obstacles: list[Bbox], placed: list[Bbox] | None = None,
                 *, adjust: bool = True) -> Placed:
    """Draw ``labels`` on ``ax`` where none overlaps another label (``placed`` holds boxes of labels drawn
    before, display pixels); overlapping a symbol (``obstacles``) is avoided where possible.

    Each label's text is laid out once; its box in every slot is computed from that size (laying text out is
    the slow part of drawing a map), and only the chosen slot becomes an artist.
    """
    renderer = ax.figure.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    scale = ax.figure.dpi / 72
    taken: list[Bbox] = list(placed or [])
    own: list[Bbox] = []
    artists: list[Annotation] = []
    left: list[Label] = []
    sizes: dict[int, tuple[float, float, float]] = {}
    leaders: list[tuple[float, float, float, float]] = []  # (anchor x, y, end x, y), display pixels
    for lab in labels:
        if id(lab) not in sizes:
            sizes[id(lab)] = _size(ax, lab, renderer)
        w, h, pad = sizes[id(lab)]
        px, py = ax.transData.transform((lab.x, lab.y))
        # The nearest slot that covers neither a label nor a symbol, ring by ring; failing that, the slot
        # covering the least of the symbols (a nearer ring wins a tie).
        # Every free slot of every ring (no label under it), ranked: covers no symbol, then its leader crosses
        # no label and no leader crosses it, then the nearer ring, then the least of the symbols covered.
        best = None
        for k, (ring, leader) in enumerate(RINGS):
            slots = _slots(lab.radius_pt) if not leader else _ring_slots(lab.radius_pt * ring + 4)
            for dx, dy, ha, va in slots:
                bb = _box(px + dx * scale, py + dy * scale, w, h, ha, va, pad)
                if not _inside(bb, axbox) or _hits(bb, taken):
                    continue
                crossing = (leader and _crosses(px, py, bb, taken)) or any(_on_line(g, bb) for g in leaders)
                cost = sum(_overlap(bb, o) for o in obstacles)
                rank = (cost > 0, crossing, k, cost)
                if best is None or rank < best[1]:
                    best = ((dx, dy, ha, va, leader), rank, bb)
            if best is not None and best[1][:2] == (False, False):
                break
        if best is None:
            left.append(lab)
        else:
            if best[0][4]:
                b = best[2]
                leaders.append((px, py, min(max(px, b.x0), b.x1), min(max(py, b.y0), b.y1)))
            artists.append(_annotate(ax, lab, *best[0]))
            taken.append(best[2])
            own.append(best[2])
    dropped: list[Label] = []
    if left and adjust:
        moved = _adjust(ax, left, taken, obstacles)
        for lab, t in zip(left, moved, strict=True):
            bb = extent(t, renderer)
            if _hits(bb, taken) or not _inside(bb, axbox):
                t.remove()
                dropped.append(lab)
                continue
            artists.append(t)
            taken.append(bb)
            own.append(bb)
    else:
        dropped = left
    return Placed(artists, own, dropped)


def place_centred(ax: Axes, labels: list[Label], offsets_pt: tuple[float, ...], avoid: list[Bbox],
                  taken: list[Bbox]) -> list[Bbox]:
    """Labels centred on their anchor, moved up or down by the first of ``offsets_pt`` (points) where they
    overlap neither a box of ``avoid`` nor one of ``taken``; a label with no such place is left out. Returns the
    boxes of the labels drawn (``taken`` grows with them)."""
    renderer = ax.figure.canvas.get_renderer()
    axbox = ax.get_window_extent(renderer)
    scale = ax.figure.dpi / 72
    out = []
    for lab in labels:
        w, h, pad = _size(ax, lab, renderer)
        px, py = ax.transData.transform((lab.x, lab.y))
        for dy in offsets_pt:
            bb = _box(px, py + dy * scale, w, h, "center", "center", pad)
            if _inside(bb, axbox) and not _hits(bb, taken) and not _hits(bb, avoid):
                _annotate(ax, lab, 0, dy, "center", "center", False)
                taken.append(bb)
                out.append(bb)
                break
    return out


def _size(ax: Axes, lab: Label, renderer: Any) -> tuple[float, float, float]:
    """Width and height (display pixels) of the label's text, and the padding :func:`extent` adds."""
    t = _annotate(ax, lab, 0, 0, "left", "bottom", False)
    bb = t.get_window_extent(renderer)
    pad = _pad(t)
    t.remove()
    return bb.width, bb.height, pad


def _box(x: float, y: float, w: float, h: float, ha: str, va: str, pad: float) -> Bbox:
    x0 = x - (w if ha == "right" else w / 2 if ha == "center" else 0.0)
    y0 = y - (h if va == "top" else h / 2 if va == "center" else 0.0)
    return Bbox.from_extents(x0 - pad, y0 - pad, x0 + w + pad, y0 + h + pad)


def _annotate(ax: Axes, lab: Label, dx: float, dy: float, ha: str, va: str, leader: bool) -> Annotation:
    style = {"fontsize": 8, "color": "#111111", "zorder": 9, **lab.style}
    return ax.annotate(lab.text, (lab.x, lab.y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                       path_effects=None if "bbox" in style else HALO,
                       arrowprops=LEADER if leader else None, annotation_clip=False, **style)


def _adjust(ax: Axes, labels: list[Label], taken: list[Bbox], obstacles: list[Bbox]) -> list[Annotation]:
    """adjustText on the labels no slot could hold; placed labels and symbols are fixed objects to avoid."""
    from adjustText import adjust_text

    texts = [ax.text(lab.x, lab.y, lab.text, ha="center", va="center", path_effects=None if "bbox" in lab.style
                     else HALO, **{"fontsize": 8, "color": "#111111", "zorder": 9, **lab.style}) for lab in labels]
    xs = np.array([lab.x for lab in labels])
    ys = np.array([lab.y for lab in labels])
    fixed = list(taken) + list(obstacles)
    adjust_text(texts, x=xs, y=ys, objects=fixed or None, ax=ax, iter_lim=ADJUST_ITERATIONS,
                ensure_inside_axes=True, expand=(1.1, 1.25), arrowprops=None)
    # Leader lines drawn here (adjustText's own arrows are separate artists we could not drop with the text).
    out = []
    for lab, t in zip(labels, texts, strict=True):
        tx, ty = t.get_position()
        style = {"fontsize": 8, "color": "#111111", "zorder": 9, **lab.style}
        ann = ax.annotate(lab.text, (lab.x, lab.y), xytext=(tx, ty), textcoords="data", ha="center",
                          va="center", path_effects=None if "bbox" in style else HALO,
                          arrowprops=LEADER if math.hypot(tx - lab.x, ty - lab.y) > 0 else None,
                          annotation_clip=False, **style)
        t.remove()
        out.append(ann)
    return out


def extent(t: Annotation, renderer: Any) -> Bbox:
    """Display box of a label: its text (not its leader line, which may pass between labels), grown by its box's
    padding (or the white halo) so that two labels' boxes that do not overlap print apart."""
    bb = Text.get_window_extent(t, renderer)
    pad = _pad(t)
    return Bbox.from_extents(bb.x0 - pad, bb.y0 - pad, bb.x1 + pad, bb.y1 + pad)


def _pad(t: Annotation) -> float:
    pad_pt = 0.3 * t.get_fontsize() if t.get_bbox_patch() is not None else 1.2
    return pad_pt * t.figure.dpi / 72


def _crosses(px: float, py: float, bb: Bbox, boxes: list[Bbox], steps: int = 12) -> bool:
    """Whether the leader from the anchor (px, py) to the nearest point of ``bb`` passes through a box."""
    ex, ey = min(max(px, bb.x0), bb.x1), min(max(py, bb.y0), bb.y1)
    t = np.linspace(0.0, 1.0, steps)[1:-1]
    xs, ys = px + (ex - px) * t, py + (ey - py) * t
    return any(bool(((xs >= o.x0) & (xs <= o.x1) & (ys >= o.y0) & (ys <= o.y1)).any()) for o in boxes)


def _on_line(seg: tuple[float, float, float, float], bb: Bbox, steps: int = 12) -> bool:
    """Whether the leader ``seg`` passes through ``bb``."""
    t = np.linspace(0.0, 1.0, steps)[1:-1]
    xs, ys = seg[0] + (seg[2] - seg[0]) * t, seg[1] + (seg[3] - seg[1]) * t
    return bool(((xs >= bb.x0) & (xs <= bb.x1) & (ys >= bb.y0) & (ys <= bb.y1)).any())


def _hits(bb: Bbox, boxes: list[Bbox]) -> bool:
    return any(bb.overlaps(o) for o in boxes)


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def _inside(a: Bbox, box: Bbox) -> bool:
    return a.x0 >= box.x0 and a.y0 >= box.y0 and a.x1 <= box.x1 and a.y1 <= box.y1


def marker_box(ax: Axes, x: float, y: float, size_pt: float, dx_pt: float = 0.0) -> Bbox:
    """Display box of a marker of ``size_pt`` points at (x, y) data, shifted ``dx_pt`` points sideways."""
    fig = ax.figure
    cx, cy = ax.transData.transform((x, y))
    cx += dx_pt * fig.dpi / 72
    h = size_pt * fig.dpi / 72 / 2
    return Bbox.from_extents(cx - h, cy - h, cx + h, cy + h)


def overlapping_pairs(boxes: list[Bbox]) -> int:
    """How many pairs of ``boxes`` overlap (0 for labels placed by :func:`place_labels`)."""
    n = 0
    for i, a in enumerate(boxes):
        n += sum(a.overlaps(b) for b in boxes[i + 1:])
    return n
