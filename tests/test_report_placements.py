"""reports.placements: GeoPackage layers and their CSV copies (UTF-8 with BOM); instances without geometry."""

import geopandas as gpd
import pyogrio
import pytest
from test_report_fixtures import CRS, make_instance, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
from healthplan.reports.placements import LAYERS, frames_to_csv, placement_frames, placements_to_gpkg
from healthplan.reports.projects import project_table


def _frames(geometry=True, **kw):
    inst = make_instance(geometry=geometry)
    plan = make_plan(inst, **kw)
    projects = project_table(inst, plan, report=ReportConfig(), opt=OptimizerConfig())
    return inst, plan, placement_frames(inst, plan, projects)


def test_gpkg_layers_rows_and_crs(tmp_path):
    inst, plan, frames = _frames()
    layers, notes = placements_to_gpkg(tmp_path / "p.gpkg", inst, frames)
    assert layers == list(LAYERS) and notes == []
    listed = {name for name, _ in pyogrio.list_layers(tmp_path / "p.gpkg")}
    assert listed == set(LAYERS)
    items = gpd.read_file(tmp_path / "p.gpkg", layer="new_items")
    assert len(items) == len(plan.items) and items.crs == CRS
    assert items.geometry.geom_type.eq("Point").all()
    s3 = items.set_index("item_id").loc["ambulance-S3-2025"]
    assert (s3.geometry.x, s3.geometry.y) == (inst.sites.loc["S3", "x"], inst.sites.loc["S3", "y"])
    assert s3["newly_covered"] == 12_345 and s3["only_covered"] == 8_021 and s3["cost_wan"] == 95.0
    assert s3["wan_per_1000"] == pytest.approx(95.0 / 12.345)
    assert "1.2万人" in s3["basis"] and s3["project_name"].endswith("（负压2辆、普通1辆）")
    tw = gpd.read_file(tmp_path / "p.gpkg", layer="township_coverage")
    assert tw.geometry.geom_type.eq("Polygon").all() and len(tw) == 2
    tc = plan.township_coverage
    for _, r in tw.iterrows():
        assert r["fever_after"] == pytest.approx(tc.loc[r["township_id"], "fever_after"])
        assert r["fever_after_share"] == pytest.approx(tc.loc[r["township_id"], "fever_after"]
                                                       / tc.loc[r["township_id"], "population"])
    dem = gpd.read_file(tmp_path / "p.gpkg", layer="demand_coverage")
    assert len(dem) == len(inst.demand)
    fac = gpd.read_file(tmp_path / "p.gpkg", layer="facilities_after").set_index("site_id")
    assert fac.loc["S3", "added_amb_np"] == 2 and fac.loc["S3", "added_amb_ord"] == 1
    assert fac.loc["S3", "added_kinds"] == "ambulance;fever_room" and not fac.loc["S1", "new"]


def test_csv_copies_start_with_bom_and_keep_chinese(tmp_path):
    inst, plan, frames = _frames()
    paths = frames_to_csv(tmp_path, frames)
    assert [p.name for p in paths] == [f"{n}.csv" for n in LAYERS]
    for p in paths:
        raw = p.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), p.name
        assert b"\r\n" not in raw
    assert "花桥镇" in (tmp_path / "township_coverage.csv").read_text(encoding="utf-8-sig")


def test_instance_without_geometry_writes_csv_only(tmp_path):
    inst, plan, frames = _frames(geometry=False)
    assert inst.townships is None
    layers, notes = placements_to_gpkg(tmp_path / "p.gpkg", inst, frames)
    assert layers == [] and not (tmp_path / "p.gpkg").exists()
    assert any("no coordinates" in n.en for n in notes) and any("township polygons" in n.en for n in notes)
    # township coverage still computed (from the plan) and written as CSV
    assert len(frames["township_coverage"]) == 2
    assert all(p.exists() for p in frames_to_csv(tmp_path, frames))


def test_baseline_has_empty_items_layer(tmp_path):
    inst, plan, frames = _frames(baseline=True)
    assert frames["new_items"].empty
    layers, _ = placements_to_gpkg(tmp_path / "p.gpkg", inst, frames)
    assert "new_items" in layers
    assert len(gpd.read_file(tmp_path / "p.gpkg", layer="new_items")) == 0
    assert not frames["facilities_after"]["new"].any()
