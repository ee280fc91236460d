"""reports.map_geometry and the print tolerance of reports.map_render: township polygons, the county outline
and roads simplified to half a printed pixel stay valid, non-empty, edge-matched, and within the tolerance."""

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon
from test_report_maps import make_case

from healthplan.reports.map_data import MapData
from healthplan.reports.map_geometry import (
    PRINT_TOLERANCE_PX,
    metres_per_pixel,
    simplify_lines,
    simplify_townships,
)

TOL = 10.0  # metres


def _wiggle(coords: np.ndarray) -> np.ndarray:
    """Move every vertex by up to 1 m, as a function of its own coordinates (shared vertices move alike)."""
    return coords + np.column_stack([np.sin(coords[:, 0] * 0.731 + coords[:, 1] * 0.377),
                                     np.cos(coords[:, 0] * 0.513 - coords[:, 1] * 0.911)])


def dense_partition(seed: int = 5, n: int = 12) -> np.ndarray:
    """A county of ``n`` townships (Voronoi cells) whose borders carry a vertex every 2 m, wiggled by up to
    1 m, each border drawn once and shared vertex for vertex by its two townships: a valid coverage, like a
    surveyed partition."""
    rng = np.random.default_rng(seed)
    county = shapely.Polygon([(0, 0), (20_000, 1_000), (19_000, 18_000), (1_000, 20_000)])
    seeds = shapely.points(rng.uniform(1_000, 19_000, size=(n, 2)))
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=county)), county)
    lines = shapely.union_all(shapely.boundary(cells))  # every border once, noded
    dense = shapely.transform(shapely.segmentize(lines, 2.0), _wiggle)
    polys = shapely.get_parts(shapely.polygonize(shapely.get_parts(dense)))
    assert len(polys) == n
    return polys


def test_a_surveyed_partition_keeps_one_border_between_neighbours():
    given = dense_partition()
    assert bool(shapely.coverage_is_valid(given))
    simple, outline = simplify_townships(given, TOL)
    assert len(simple) == len(given)
    assert shapely.is_valid(simple).all() and not shapely.is_empty(simple).any()
    assert bool(shapely.coverage_is_valid(simple))  # no gap, no overlap between neighbours
    before, after = shapely.get_num_coordinates(given).sum(), shapely.get_num_coordinates(simple).sum()
    assert after < 0.1 * before  # a vertex every 2 m is far more than a printed pixel of 10 m shows
    for g, s in zip(given, simple, strict=True):
        assert shapely.hausdorff_distance(g, s) <= 2 * TOL
        assert abs(s.area - g.area) <= 1e-3 * g.area
    # the outline is the union of the drawn townships: it lies exactly on their outer borders
    assert shapely.is_valid(outline) and shapely.equals(outline, shapely.union_all(simple))
    assert shapely.hausdorff_distance(outline, shapely.union_all(given)) <= 2 * TOL


def test_polygons_that_overlap_are_simplified_one_by_one_within_the_tolerance():
    a = shapely.segmentize(Polygon([(0, 0), (5_000, 0), (5_000, 4_000), (0, 4_000)]), 3.0)
    # b overlaps a by 10 m
    b = shapely.segmentize(Polygon([(4_990, 0), (9_000, 0), (9_000, 4_000), (4_990, 4_000)]), 3.0)
    given = shapely.transform(np.array([a, b], dtype=object), _wiggle)
    assert not shapely.coverage_is_valid(given)
    simple, outline = simplify_townships(given, TOL)
    assert shapely.is_valid(simple).all() and not shapely.is_empty(simple).any()
    for g, s in zip(given, simple, strict=True):
        assert shapely.hausdorff_distance(g, s) <= TOL + 1e-9  # Douglas–Peucker: no vertex moves farther
        assert shapely.get_num_coordinates(s) < shapely.get_num_coordinates(g) / 10
    # the outline comes from the union of the originals: no ring left between the two
    assert shapely.is_valid(outline) and shapely.get_num_interior_rings(outline) == 0
    assert shapely.hausdorff_distance(outline, shapely.union_all(given)) <= TOL + 1e-9


def test_a_township_smaller_than_a_pixel_stays_drawn_and_missing_stays_missing():
    big = Polygon([(0, 0), (1_000, 0), (1_000, 1_000), (0, 1_000)])
    tiny = Polygon([(2_000, 0), (2_003, 0), (2_001, 2)])  # 3 m², below a pixel of 10 m
    given = np.array([big, None, tiny, shapely.Polygon()], dtype=object)
    simple, outline = simplify_townships(given, TOL)
    assert simple[1] is None and simple[3].is_empty
    assert not simple[2].is_empty and simple[2].is_valid and simple[2].area > 0
    assert shapely.equals(simple[0], big) and outline.is_valid


def test_zero_tolerance_draws_the_data_as_it_is():
    given = dense_partition(n=4)
    simple, outline = simplify_townships(given, 0.0)
    assert all(shapely.equals_exact(g, s, 0) for g, s in zip(given, simple, strict=True))
    assert shapely.equals(outline, shapely.union_all(given))


def test_roads_keep_their_ends():
    line = shapely.LineString([(0, 0), (3_000, 0), (3_000, 2_000)])
    road = shapely.transform(shapely.segmentize(line, 2.0), _wiggle)
    (simple,) = simplify_lines(np.array([road], dtype=object), TOL)
    assert shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(road) / 50
    assert shapely.hausdorff_distance(road, simple) <= TOL + 1e-9
    ends = shapely.get_coordinates(road)[[0, -1]]
    assert np.array_equal(shapely.get_coordinates(simple)[[0, -1]], ends)  # still joined to its neighbours


def test_the_tolerance_is_half_a_pixel_of_the_finest_map():
    from healthplan.reports import map_draw as md
    from healthplan.reports.map_page import DPI, FIGSIZE
    from healthplan.reports.map_render import INSET_WIDTH, print_tolerance_m

    inst, plan = make_case()
    data = MapData.build(inst, plan, None, "zh")
    x0, y0, x1, y1 = data.bounds
    axes_w = md.MAP_BOX[2] * FIGSIZE[0] * DPI  # device pixels of the main map's width: 2,298 at 300 dpi
    axes_h = md.MAP_BOX[3] * FIGSIZE[1] * DPI
    main = max((x1 - x0) / axes_w, (y1 - y0) / axes_h)
    seat = data.urban_extent()
    finest = main if seat is None else min(main, (seat[2] - seat[0]) / (INSET_WIDTH * axes_w))
    assert print_tolerance_m(data) == pytest.approx(PRINT_TOLERANCE_PX * finest)
    assert PRINT_TOLERANCE_PX == 0.5 and metres_per_pixel(2_298.0, 2_298.0) == 1.0
    # the case's townships, simplified at it: every one valid and non-empty
    simple, outline = simplify_townships(data.townships.geometry.to_numpy(), print_tolerance_m(data))
    assert shapely.is_valid(simple).all() and not shapely.is_empty(simple).any() and outline.is_valid
