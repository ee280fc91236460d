"""Labels that never overprint one another: facility names and project numbers next to their symbols.

Each label tries eight slots around its symbol, then rings of slots farther out joined to its symbol by a leader
line, and takes the nearest that covers neither another label nor a symbol (failing that, the free slot covering
the least of the symbols); what is left goes to adjustText (a force-directed label placer, deterministic: its
only randomness has a fixed seed), also with leader lines. A label that still overlaps another after all that
is left out and counted, so the map can say how many names it could not show. Labels are placed in the caller's order (most important first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib import rcParams
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
    # Boxes as arrays (x0, y0, x1, y1), display pixels: every slot of a label is tested at once.
    taken_a = _array(taken)
    obst_a = _array(obstacles)
    leaders = np.zeros((0, 4))  # (anchor x, y, end x, y) of the leader lines drawn
    for lab in labels:
        if id(lab) not in sizes:
            sizes[id(lab)] = _size(ax, lab, renderer)
        w, h, pad = sizes[id(lab)]
        px, py = ax.transData.transform((lab.x, lab.y))
        # Every free slot of every ring (inside the map, no label under it), ranked: covers no symbol, then
        # its leader crosses no label and no leader crosses it, then the nearer ring, then the least of the
        # symbols covered.
        slots, ring_no = [], []
        for k, (ring, leader) in enumerate(RINGS):
            ring_slots = _slots(lab.radius_pt) if not leader else _ring_slots(lab.radius_pt * ring + 4)
            slots += ring_slots
            ring_no += [k] * len(ring_slots)
        boxes = np.array([_box(px + dx * scale, py + dy * scale, w, h, ha, va, pad).extents
                          for dx, dy, ha, va in slots])
        ring_no = np.array(ring_no)
        free = ((boxes[:, 0] >= axbox.x0) & (boxes[:, 1] >= axbox.y0) & (boxes[:, 2] <= axbox.x1)
                & (boxes[:, 3] <= axbox.y1) & ~_overlaps(boxes, taken_a).any(axis=1))
        if not free.any():
            left.append(lab)
            continue
        has_leader = np.array([RINGS[k][1] for k in ring_no])
        ends = np.column_stack([np.clip(px, boxes[:, 0], boxes[:, 2]), np.clip(py, boxes[:, 1], boxes[:, 3])])
        own_leader = np.column_stack([np.full(len(boxes), px), np.full(len(boxes), py), ends])
        crossing = (has_leader & _segments_hit(own_leader, taken_a).any(axis=1)) \
            | _segments_hit(leaders, boxes).any(axis=0)
        cost = _overlap_area(boxes, obst_a).sum(axis=1)
        order = np.lexsort((cost, ring_no, crossing, cost > 0))  # last key first
        i = int(order[free[order]][0])
        dx, dy, ha, va = slots[i]
        if has_leader[i]:
            leaders = np.vstack([leaders, [px, py, *ends[i]]])
        bb = Bbox.from_extents(*boxes[i])
        artists.append(_annotate(ax, lab, dx, dy, ha, va, bool(has_leader[i])))
        taken.append(bb)
        own.append(bb)
        taken_a = np.vstack([taken_a, boxes[i]])
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
    """Width and height (display pixels) of the label's text, and the padding :func:`extent` adds.

    Laying text out is the slow part of placing labels, and every map of a run names the same townships and
    sites: sizes are kept per text, style, resolution and font for the life of the process. The text is
    measured at the figure's origin, not at its anchor, so that the size (floating-point rounding included)
    does not depend on which map measured it first: the same labels land in the same places whichever worker
    draws which map.
    """
    key = (lab.text, repr(sorted(lab.style.items())), ax.figure.dpi, tuple(rcParams["font.family"]),
           rcParams["font.size"])
    size = _SIZES.get(key)
    if size is None:
        style = {"fontsize": 8, "color": "#111111", "zorder": 9, **lab.style}
        t = ax.annotate(lab.text, (0, 0), xycoords="figure pixels", ha="left", va="bottom",
                        annotation_clip=False, **style)
        bb = t.get_window_extent(renderer)
        size = _SIZES[key] = (bb.width, bb.height, _pad(t))
        t.remove()
    return size


_SIZES: dict[tuple, tuple[float, float, float]] = {}


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


def _array(boxes: list[Bbox]) -> np.ndarray:
    return np.array([b.extents for b in boxes], dtype=float).reshape(-1, 4)


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether box i of ``a`` overlaps box j of ``b`` (interiors, as ``Bbox.overlaps``): len(a) × len(b)."""
    return ((a[:, None, 0] < b[None, :, 2]) & (b[None, :, 0] < a[:, None, 2])
            & (a[:, None, 1] < b[None, :, 3]) & (b[None, :, 1] < a[:, None, 3]))


def _overlap_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _segments_hit(segs: np.ndarray, boxes: np.ndarray, steps: int = 12) -> np.ndarray:
    """Whether segment i (x0, y0, x1, y1) passes through box j (sampled at ``steps`` − 2 inner points):
    len(segs) × len(boxes)."""
    t = np.linspace(0.0, 1.0, steps)[1:-1]
    xs = segs[:, None, 0] + (segs[:, None, 2] - segs[:, None, 0]) * t  # segments × points
    ys = segs[:, None, 1] + (segs[:, None, 3] - segs[:, None, 1]) * t
    inside = ((xs[:, :, None] >= boxes[None, None, :, 0]) & (xs[:, :, None] <= boxes[None, None, :, 2])
              & (ys[:, :, None] >= boxes[None, None, :, 1]) & (ys[:, :, None] <= boxes[None, None, :, 3]))
    return inside.any(axis=1)


def _hits(bb: Bbox, boxes: list[Bbox]) -> bool:
    return any(bb.overlaps(o) for o in boxes)


def _inside(a: Bbox, box: Bbox) -> bool:
    return a.x0 >= box.x0 and a.y0 >= box.y0 and a.x1 <= box.x1 and a.y1 <= box.y1


def marker_box(ax: Axes, x: float, y: float, size_pt: float, dx_pt: float = 0.0) -> Bbox:
    """Display box of a marker of ``size_pt`` points at (x, y) data, shifted ``dx_pt`` points sideways."""
    fig = ax.figure
    cx, cy = ax.transData.transform((x, y))
    cx += dx_pt * fig.dpi / 72
    h = size_pt * fig.dpi / 72 / 2
    return Bbox.from_extents(cx - h, cy - h, cx + h, cy + h)


def spread(centres: np.ndarray, half: np.ndarray, *, gap: float = 2.0, iterations: int = 80) -> np.ndarray:
    """Offsets (display pixels) that move apart the symbol groups of sites so close that they would overprint.

    ``centres`` (n × 2) and ``half`` (n × 2, half width and height) are the groups' boxes in display pixels;
    each overlapping pair is pushed apart along the axis that needs the smaller move, half each, until no two
    boxes overlap (or ``iterations`` passes). Deterministic; groups that do not touch stay where they are.
    """
    pos = np.asarray(centres, dtype=float).copy()
    half = np.asarray(half, dtype=float) + gap / 2
    n = len(pos)
    if n < 2:
        return np.zeros_like(pos)
    iu, ju = np.triu_indices(n, 1)
    for _ in range(iterations):
        d = pos[ju] - pos[iu]
        need = half[iu] + half[ju] - np.abs(d)  # overlap per axis (positive on both: the boxes overlap)
        hit = (need > 0).all(axis=1)
        if not hit.any():
            break
        i, j, d, need = iu[hit], ju[hit], d[hit], need[hit]
        axis = np.argmin(need, axis=1)  # the cheaper way apart
        sign = np.where(np.take_along_axis(d, axis[:, None], 1)[:, 0] >= 0, 1.0, -1.0)
        tie = np.take_along_axis(d, axis[:, None], 1)[:, 0] == 0  # same place: split by index parity
        sign = np.where(tie, np.where(i % 2 == 0, 1.0, -1.0), sign)
        move = np.zeros((len(i), 2))
        move[np.arange(len(i)), axis] = sign * (np.take_along_axis(need, axis[:, None], 1)[:, 0] / 2 + 0.5)
        delta = np.zeros_like(pos)
        np.add.at(delta, j, move)
        np.add.at(delta, i, -move)
        pos += delta
    return pos - np.asarray(centres, dtype=float)


def overlapping_pairs(boxes: list[Bbox]) -> int:
    """How many pairs of ``boxes`` overlap (0 for labels placed by :func:`place_labels`)."""
    n = 0
    for i, a in enumerate(boxes):
        n += sum(a.overlaps(b) for b in boxes[i + 1:])
    return n
