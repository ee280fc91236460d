"""What the print maps do to be drawn faster (issue 12 §3) leaves what they show unchanged: villages drawn as
one compound path per group look as scatter drew them, a figure reused for the next map gives the bytes of a
fresh one, and the glyph check sees every text of a page."""

from __future__ import annotations

import io
import re

import matplotlib.text
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from test_report_maps import make_case

from healthplan.reports import map_draw as md
from healthplan.reports import map_render as mr
from healthplan.reports import map_style as ms
from healthplan.reports.fonts import rc_params
from healthplan.reports.map_data import MapData
from healthplan.reports.maps import MapJob, map_jobs


def _page(draw) -> np.ndarray:  # noqa: ANN001
    """RGB pixels of a small map page (4 × 3 km on 4 × 3 inches at 300 dpi) after ``draw(ax)``."""
    fig = Figure(figsize=(4, 3), dpi=300)
    FigureCanvasAgg(fig)
    ax = md.map_axes(fig, (0.05, 0.05, 0.9, 0.9), (0, 0, 4000, 3000))
    draw(ax)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def _symbols() -> tuple[np.ndarray, np.ndarray]:
    """Villages on a jittered 400 m grid (no two symbols touch) and their symbol areas, square points."""
    rng = np.random.default_rng(1)
    grid = np.mgrid[200:3800:400, 200:2800:400].reshape(2, -1).T.astype(float)
    return grid + rng.uniform(-50, 50, grid.shape), rng.uniform(6, 40, len(grid))


@pytest.mark.parametrize(("marker", "scatter_style", "style"), [
    ("o", {"c": "#1f77b4", "linewidths": 0}, {"face": "#1f77b4", "edge": "none", "linewidth": 0}),
    ("x", {"c": "#333333", "linewidths": 0.7}, {"face": "none", "edge": "#333333", "linewidth": 0.7}),
])
def test_symbols_as_one_path_give_the_pixels_of_scatter(marker, scatter_style, style):
    xy, area = _symbols()
    by_scatter = _page(lambda ax: ax.scatter(xy[:, 0], xy[:, 1], s=area, marker=marker, zorder=5,
                                             **scatter_style))
    by_path = _page(lambda ax: md.add_symbols(ax, xy, area, marker, zorder=5, **style))
    assert (by_scatter != by_path).sum() == 0
    assert (by_path != _page(lambda ax: None)).any(axis=2).sum() > 1000  # something was drawn


def test_symbols_are_one_path_in_the_pdf_and_those_off_the_axes_are_left_out():
    xy, area = _symbols()
    off = np.array([[-900.0, 1500.0], [2000.0, 9000.0], [np.nan, 100.0]])  # far outside, or no position
    edge = np.array([[-0.5, 1500.0]])  # its centre just outside the axes, half of it inside
    fig = Figure(figsize=(4, 3), dpi=300)
    FigureCanvasAgg(fig)
    ax = md.map_axes(fig, (0.05, 0.05, 0.9, 0.9), (0, 0, 4000, 3000))
    md.add_symbols(ax, np.vstack([xy, off, edge]), np.r_[area, 30, 30, 30, 30], "o", face="#1f77b4",
                   edge="none", linewidth=0, zorder=5)
    (patch,) = [p for p in ax.patches if p.get_zorder() == 5]
    circle = len(md.MarkerStyle("o").get_path().vertices)
    assert len(patch.get_path().vertices) == (len(xy) + 1) * circle  # the grid and the one at the edge
    assert np.isfinite(patch.get_path().vertices).all()
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf", metadata=md.PDF_METADATA)
    assert buf.getvalue().startswith(b"%PDF-")
    md.add_symbols(ax, off, np.full(len(off), 30.0), "x", face="none", edge="#333333", linewidth=0.7,
                   zorder=6)
    assert not [p for p in ax.patches if p.get_zorder() == 6]  # nothing to draw: nothing added


@pytest.fixture(scope="module")
def demo_data() -> MapData:
    inst, plan = make_case()
    return MapData.build(inst, plan, None, "zh")


def _draw(data: MapData, job: MapJob, stem_dir) -> dict[str, bytes]:  # noqa: ANN001
    paths, _ = mr.render(job, data, "测试县", ["合成数据"], rc_params(), str(stem_dir), 0o644)
    return {re.sub(r".*/", "", p): open(p, "rb").read() for p in paths}


def test_a_reused_figure_gives_the_bytes_of_a_fresh_one(demo_data, tmp_path):
    jobs = {j.stem: j for j in map_jobs(demo_data)}
    kind_map = next(j for j in jobs.values() if j.kind is not None)
    mr.release()
    (tmp_path / "fresh").mkdir()
    fresh = _draw(demo_data, kind_map, tmp_path / "fresh")  # the first map of this thread: a new figure
    (tmp_path / "after").mkdir()
    for stem in ("current_vs_plan", "current"):  # other pages drawn into the same figure first
        _draw(demo_data, jobs[stem], tmp_path / "after")
    again = _draw(demo_data, kind_map, tmp_path / "after")
    assert again == fresh
    mr.release()


def test_the_glyph_check_reads_every_text_of_a_page(demo_data):
    for job in map_jobs(demo_data):
        with matplotlib.rc_context(rc_params()):
            fig = (mr._pair_map(demo_data, "测试县", ms.text("current_vs_plan", "zh"), ["合成数据"])
                   if job.mode == "pair" else mr._single_map(demo_data, job, "测试县", ["合成数据"]))
            found = sorted(t for t in mr._texts(fig) if t)
            every = sorted(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text())
        assert found == every, job.stem
    mr.release()
