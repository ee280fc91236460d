"""Synthetic geography of a demo county in a local metric frame (metres): outline, seats, tiling, villages.

Everything here works in a plane centred on the county seat (x east, y north, metres); :mod:`geodata.demo`
projects the result to lon/lat. The construction guarantees the two special places the demo must contain:

* the *off-network* village sits at the tip of a narrow mountain lobe of the outline, ``OFFNET_CLEARANCE_M``
  beyond the disc that holds every other settlement and road, so it is at least that far from any road;
* the *remote* village sits near the outermost edge with no township seat within ``REMOTE_SEAT_GAP_M`` and no
  other village within ``REMOTE_VILLAGE_GAP_M``; :mod:`geodata.demo_roads` links it by one long, slow road.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPoint, Point, Polygon

# Settled area per township, km². ASSUMPTION: a southern-Jiangxi county of ~2,800 km² has ~30 townships.
KM2_PER_TOWNSHIP = 93.0
SETTLE_INSET_M = 800.0  # every settlement and road node stays this far inside the settled disc, m
OUTLINE_INSET_M = 500.0  # … and this far inside the county outline, m
MAX_WIND_M = 600.0  # largest sideways meander of a road (demo_roads.MAX_AMPLITUDE_M stays below), m
OFFNET_CLEARANCE_M = 7000.0  # off-network village: distance beyond the settled disc, m (contract: ≥ 6 km)
LOBE_EXTRA_M = 9500.0  # how far the lobe's tip reaches beyond the settled disc, m
LOBE_HALF_WIDTH_M = 6000.0  # angular width of the lobe, expressed as an arc at the settled radius, m
REMOTE_SEAT_GAP_M = 9000.0  # no township seat this close to the remote village, m
REMOTE_VILLAGE_GAP_M = 5000.0  # no other village this close to the remote village, m
CELL_MARGIN_M = 300.0  # villages keep this distance from township borders (robust to reprojection), m
VILLAGE_SPACING_M = 250.0  # two villages are at least this far apart, m


@dataclass(frozen=True)
class Terrain:
    """Hilliness in [0, 1]: 0 on the plain around a county seat, 1 in the mountains at the edges.

    It grows with the distance to the nearest county seat (relative to a county's radius) plus a smooth random
    field, so the edges are hilly but not uniformly so.
    """

    county_seats: np.ndarray  # (S, 2) m
    county_radius_m: float
    waves: np.ndarray  # (K, 4): kx, ky (rad/m), phase, amplitude

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        """Hilliness at points ``xy`` (N, 2), metres."""
        xy = np.atleast_2d(xy)
        d, _ = cKDTree(self.county_seats).query(xy)
        base = np.clip((d / self.county_radius_m - 0.3) / 0.7, 0.0, 1.0)
        base = base * base * (3.0 - 2.0 * base)  # smoothstep
        w = self.waves
        noise = (w[:, 3] * np.cos(xy[:, :1] * w[:, 0] + xy[:, 1:2] * w[:, 1] + w[:, 2])).sum(axis=1)
        return np.clip(base + noise, 0.0, 1.0)


@dataclass(frozen=True)
class Geography:
    """The county's shape and settlements in the local frame (metres)."""

    outline: Polygon
    settled: Polygon  # where settlements and road nodes may lie
    settled_radius_m: float
    offnet_xy: np.ndarray  # (2,)
    remote_xy: np.ndarray  # (2,)
    county_seats: np.ndarray  # (S, 2)
    seat_xy: np.ndarray  # (T, 2) township seats; county seat s is township seat_of_county[s]
    seat_county: np.ndarray  # (T,) index of the county seat each township belongs to
    seat_of_county: np.ndarray  # (S,) township index of each county seat
    urban: np.ndarray  # (T,) bool: 街道
    cells: np.ndarray  # (T,) shapely polygons tiling the outline
    terrain: Terrain

    @property
    def area_km2(self) -> np.ndarray:
        """Area of each township cell, km²."""
        return shapely.area(self.cells) / 1e6


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


def _uniform_in(rng: np.random.Generator, poly: Polygon, n: int) -> np.ndarray:
    """About ``n`` uniform random points inside ``poly`` (rejection from the bounding box), metres."""
    minx, miny, maxx, maxy = poly.bounds
    frac = max(poly.area / ((maxx - minx) * (maxy - miny)), 0.05)
    m = int(n / frac * 1.1) + 16
    xy = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
    return xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]


def _farthest_points(
    cands: np.ndarray, fixed: np.ndarray, n: int, scale: np.ndarray
) -> np.ndarray:
    """Greedy farthest-point sampling: ``n`` of ``cands`` spread away from ``fixed`` and each other.

    ``scale`` (per candidate) stretches distances: a candidate with scale 2 needs twice the gap (sparser seats
    in the hills). O(n × len(cands)) vectorised numpy.
    """
    if fixed.size:
        mind, _ = cKDTree(fixed).query(cands)
    else:
        mind = np.full(len(cands), np.inf)
    picked = np.empty(n, dtype=np.int64)
    for k in range(n):  # n seats, each step one vectorised pass over the candidates
        i = int(np.argmax(mind / scale)) if np.isfinite(mind).any() else 0
        picked[k] = i
        mind = np.minimum(mind, np.hypot(cands[:, 0] - cands[i, 0], cands[:, 1] - cands[i, 1]))
    return cands[picked]


def build_geography(rng: np.random.Generator, townships: int, n_counties: int) -> Geography:
    """Outline, county seats, township seats (街道 around each seat, then 镇/乡) and their Voronoi tiling."""
    if townships < 4:
        raise ValueError(f"townships={townships}: a demo county needs at least 4 townships")
    area_m2 = townships * KM2_PER_TOWNSHIP * 1e6
    radius = math.sqrt(area_m2 / math.pi)
    # -- outline: a wobbly disc (harmonics 2..6) plus one narrow mountain lobe
    n_vert = max(256, int(2 * math.pi * radius / 800.0))
    theta = np.linspace(0.0, 2 * np.pi, n_vert, endpoint=False)
    k = np.arange(2, 7)
    amp = rng.uniform(0.04, 0.09, k.size) / np.sqrt(k - 1)
    phase = rng.uniform(0, 2 * np.pi, k.size)
    r0 = radius * (1.0 + (amp[:, None] * np.cos(k[:, None] * theta + phase[:, None])).sum(axis=0))
    rb = float(r0.max())
    lobe = rng.uniform(0, 2 * np.pi)
    r0_lobe = float(np.interp(lobe, theta, r0, period=2 * np.pi))
    height = rb + LOBE_EXTRA_M - r0_lobe
    width = LOBE_HALF_WIDTH_M / rb
    r = r0 + height * np.exp(-((_wrap(theta - lobe) / width) ** 2))
    outline = Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    offnet = (rb + OFFNET_CLEARANCE_M) * np.array([math.cos(lobe), math.sin(lobe)])
    # settled area: inside the outline and inside the disc of radius rb, so the lobe's tip stays empty
    disc = Point(0.0, 0.0).buffer(rb - SETTLE_INSET_M, quad_segs=256)
    settled = shapely.intersection(outline.buffer(-OUTLINE_INSET_M), disc)
    shapely.prepare(settled)  # many point-in-polygon tests follow
    # -- remote village: the outermost rim point away from the lobe
    far = np.abs(_wrap(theta - lobe)) >= np.pi / 2
    iq = int(np.argmax(np.where(far, r0, -np.inf)))
    remote = (r0[iq] - 2500.0) * np.array([math.cos(theta[iq]), math.sin(theta[iq])])
    remote_hole = Point(*remote).buffer(REMOTE_SEAT_GAP_M)
    # -- county seats: the centre, or spread out for a multi-county region
    county_r = math.sqrt(area_m2 / (math.pi * n_counties))
    if n_counties == 1:
        cseats = np.zeros((1, 2))
    else:
        inner = shapely.difference(settled.buffer(-0.35 * county_r), remote_hole.buffer(3000.0))
        cands = _uniform_in(rng, inner, 40 * n_counties + 2000)
        first = cands[np.argmin(np.hypot(cands[:, 0], cands[:, 1]))][None, :]
        rest = _farthest_points(cands, first, n_counties - 1, np.ones(len(cands)))
        cseats = np.vstack([first, rest])
    waves_k = 2 * np.pi / (county_r * rng.uniform(0.4, 0.9, 4))
    waves_dir = rng.uniform(0, 2 * np.pi, 4)
    waves = np.column_stack(
        [waves_k * np.cos(waves_dir), waves_k * np.sin(waves_dir), rng.uniform(0, 2 * np.pi, 4),
         np.full(4, 0.07)]
    )
    terrain = Terrain(cseats, county_r, waves)
    # -- urban 街道 seats: the county seat itself plus a ring of 5-7 more at 2.6-4.2 km
    max_urban = max(1, townships // 3)
    u_per = rng.integers(6, 9, size=n_counties)
    u_per = np.minimum(u_per, max(1, max_urban // n_counties))
    seat_list, seat_county, seat_of_county = [], [], []
    for s, (cx, cy) in enumerate(cseats):  # a few dozen county seats at most
        seat_of_county.append(len(seat_list))
        seat_list.append((cx, cy))
        seat_county.append(s)
        m = int(u_per[s]) - 1
        if m <= 0:
            continue
        ang = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(m) / m + rng.uniform(-0.25, 0.25, m)
        rad = rng.uniform(2600.0, 4200.0, m)
        pts = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
        ok = shapely.contains_xy(settled, pts[:, 0], pts[:, 1]) & ~shapely.contains_xy(
            remote_hole, pts[:, 0], pts[:, 1]
        )
        for p in pts[ok]:
            seat_list.append((float(p[0]), float(p[1])))
            seat_county.append(s)
    urban_xy = np.array(seat_list)
    n_rural = townships - len(urban_xy)
    # -- rural seats: farthest-point sampling, sparser in the hills, none near the remote village
    spacing = math.sqrt(area_m2 / townships)
    region = shapely.difference(settled.buffer(-0.3 * spacing), remote_hole)
    cands = _uniform_in(rng, region, max(15 * n_rural, 6000))  # enough for even spacing, O(n²) beyond
    scale = 1.0 + 0.8 * terrain(cands)
    rural_xy = _farthest_points(cands, urban_xy, n_rural, scale)
    seat_xy = np.vstack([urban_xy, rural_xy])
    _, rural_county = cKDTree(cseats).query(rural_xy)
    # number rural townships county by county, clockwise from the east, as gazetteers list them
    rel = rural_xy - cseats[rural_county]
    order = np.lexsort((-np.arctan2(rel[:, 1], rel[:, 0]), rural_county))
    rural_xy, rural_county = rural_xy[order], rural_county[order]
    seat_county_arr = np.concatenate([np.array(seat_county, dtype=np.int64), rural_county.astype(np.int64)])
    urban = np.zeros(len(seat_xy), dtype=bool)
    urban[: len(urban_xy)] = True
    # -- township cells: Voronoi of the seats clipped to the outline (tiles it without gaps or overlaps)
    envelope = outline.envelope.buffer(radius)
    vor = shapely.voronoi_polygons(MultiPoint(seat_xy), extend_to=envelope, ordered=True)
    cells = shapely.intersection(np.asarray(vor.geoms, dtype=object), outline)
    return Geography(
        outline=outline,
        settled=settled,
        settled_radius_m=rb,
        offnet_xy=offnet,
        remote_xy=remote,
        county_seats=cseats,
        seat_xy=seat_xy,
        seat_county=seat_county_arr,
        seat_of_county=np.array(seat_of_county, dtype=np.int64),
        urban=urban,
        cells=cells,
        terrain=terrain,
    )


def sample_villages(
    rng: np.random.Generator, geo: Geography, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Village/community points per township, besides the seat community that sits on each seat.

    ``counts[t]`` villages (excluding the seat community) are drawn for township ``t``: uniformly over the
    settled area for rural townships and clustered around the seat (σ 1.5 km) for urban 街道. Each point keeps
    ``CELL_MARGIN_M`` from township borders and ``VILLAGE_SPACING_M`` from other villages, and stays
    ``REMOTE_VILLAGE_GAP_M`` away from the remote village. Returns ``(xy (N, 2) m, township (N,))``; a
    township whose cell cannot hold its count after 60 rounds gets fewer.
    """
    seats = geo.seat_xy
    n_t = len(seats)
    tree = cKDTree(seats)
    need = np.asarray(counts, dtype=np.int64).copy()
    acc_xy = np.empty((0, 2))
    acc_t = np.empty(0, dtype=np.int64)
    for _ in range(60):  # rejection rounds; each round is vectorised over its batch
        if (need <= 0).all():
            break
        rural_need = need[~geo.urban].clip(min=0).sum()
        parts = []
        if rural_need > 0:
            parts.append(_uniform_in(rng, geo.settled, int(6 * rural_need * 1.2) + 500))
        short_urban = np.flatnonzero(geo.urban & (need > 0))
        if short_urban.size:
            reps = np.repeat(short_urban, 6 * need[short_urban] + 10)
            parts.append(seats[reps] + rng.normal(0.0, 1500.0, (reps.size, 2)))
        xy = np.vstack(parts)
        ok = shapely.contains_xy(geo.settled, xy[:, 0], xy[:, 1])
        ok &= np.hypot(*(xy - geo.remote_xy).T) >= REMOTE_VILLAGE_GAP_M
        xy = xy[ok]
        d, idx = tree.query(xy, k=2)
        xy = xy[(d[:, 1] - d[:, 0] >= 2 * CELL_MARGIN_M) & (d[:, 0] >= VILLAGE_SPACING_M)]
        if len(acc_xy):
            dv, _ = cKDTree(acc_xy).query(xy)
            xy = xy[dv >= VILLAGE_SPACING_M]
        pairs = cKDTree(xy).query_pairs(VILLAGE_SPACING_M, output_type="ndarray")
        keep = np.ones(len(xy), dtype=bool)
        keep[pairs[:, 1]] = False  # drop the later point of each close pair
        xy = xy[keep]
        _, t = tree.query(xy)
        order = np.argsort(t, kind="stable")
        t_sorted = t[order]
        starts = np.searchsorted(t_sorted, np.arange(n_t))
        rank = np.empty(len(t), dtype=np.int64)
        rank[order] = np.arange(len(t)) - starts[t_sorted]
        take = rank < need[t]
        acc_xy = np.vstack([acc_xy, xy[take]])
        acc_t = np.concatenate([acc_t, t[take]])
        need -= np.bincount(t[take], minlength=n_t)
    return acc_xy, acc_t
