"""Tests of reports/maps.py, map_data.py, map_draw.py, map_labels.py, fonts.py and map_style.py: print maps (现状/规划)
in the bundled CJK font."""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon

from healthplan.geodata.instance import Instance, TravelTimes
from healthplan.optimizer.plan import ITEM_COLUMNS, Plan, SolveInfo
from healthplan.optimizer.status import Status
from healthplan.reports import map_style as ms
from healthplan.reports.config import ReportConfig
from healthplan.reports.fonts import cjk_font, font_name, font_path, missing_glyphs, rc_params, resolved_font_file
from healthplan.reports.map_data import (
    PROJECT_FIELDS,
    MapData,
    ProjectTableError,
    existing_providers,
    maps_unavailable_reason,
    project_records,
    site_numbers,
)
from healthplan.reports.map_draw import nice_length
from healthplan.reports.maps import DPI, FIGSIZE, PAGE_PX, file_mode, maps_folder, write_maps

CRS = "EPSG:32649"
TOWNS = ["花桥镇", "石笋镇", "悦来乡", "恒升镇", "协兴街道"]
# Time standards of the hand-built case, minutes (tighter than the defaults, so the maps show gaps).
STANDARD_MIN = {"ambulance": 17.0, "fever": 15.0, "blood": 20.0, "secondary": 25.0}


def make_case(seed: int = 11, *, n_villages: int = 90, geometry: bool = True) -> tuple[Instance, Plan]:
    """A 40 × 30 km county of five townships (Voronoi cells), villages, nine sites, two roads and a plan whose
    coverage is computed here from straight-line minutes (1.6 min/km), so every share is checkable."""
    rng = np.random.default_rng(seed)
    county = Polygon([(0, 2_000), (8_000, 0), (40_000, 3_000), (38_000, 30_000), (4_000, 28_000)])
    seeds = shapely.points(np.array([[8e3, 8e3], [30e3, 8e3], [10e3, 22e3], [30e3, 22e3], [20e3, 15e3]]))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=county))
    cells = [shapely.intersection(c, county) for c in cells]
    order = [int(np.argmax([c.contains(s) for c in cells])) for s in seeds]
    polys = [cells[k] for k in order]
    tids = pd.Index([f"T{i + 1}" for i in range(5)], name="id")
    # Villages: uniform inside the county (rejection sampling, seeded).
    pts = []
    while len(pts) < n_villages:
        x, y = rng.uniform(0, 40_000), rng.uniform(0, 30_000)
        if county.contains(shapely.Point(x, y)):
            pts.append((x, y))
    xy = np.array(pts)
    town = np.array([tids[next(k for k, p in enumerate(polys) if p.covers(shapely.Point(*q)))] for q in xy])
    vids = pd.Index([f"V{i:03d}" for i in range(n_villages)], name="id")
    demand = pd.DataFrame(
        {
            "name": [f"村{i}" for i in range(n_villages)],
            "population": rng.integers(300, 6_000, n_villages),
            "urban": town == "T5",
            "township": town,
            "x": xy[:, 0] if geometry else np.nan,
            "y": xy[:, 1] if geometry else np.nan,
            "lon": 108 + xy[:, 0] / 1e5 if geometry else np.nan,
            "lat": 30 + xy[:, 1] / 1e5 if geometry else np.nan,
        },
        index=vids,
    )
    sid = pd.Index(["S1", "S2", "S3", "S4", "S5", "S6", "S7", "C1", "C2"], name="id")
    sxy = np.array([[20e3, 15e3], [21e3, 16.5e3], [8e3, 8e3], [30e3, 8e3], [10e3, 22e3], [30e3, 22e3],
                    [36e3, 27e3], [34e3, 14e3], [4e3, 15e3]])
    sites = pd.DataFrame(
        {
            "name": ["县人民医院", "县中医院", "花桥中心卫生院", "石笋中心卫生院", "悦来乡卫生院", "恒升镇卫生院",
                     "协兴社区卫生服务中心", "物流园候选点", "西部交通枢纽候选点"],
            "name_en": ["County Hospital", "County TCM Hospital", "Huaqiao CTHC", "Shisun CTHC", "Yuelai THC",
                        "Hengsheng THC", "Xiexing CHC", "Logistics park site", "West hub site"],
            "level": ["county_hospital", "tcm_hospital", "central_thc", "central_thc", "thc", "thc", "chc",
                      "candidate", "candidate"],
            "township": ["T5", "T5", "T1", "T2", "T3", "T4", "T4", "T2", "T1"],
            "beds": [500, 200, 90, 70, 30, 25, 10, 0, 0],
            "amb_ord": [4, 1, 1, 0, 0, 0, 0, 0, 0],
            "amb_np": [2, 0, 0, 0, 0, 0, 0, 0, 0],
            "fever_clinic": [True, False, False, False, False, False, False, False, False],
            "fever_room": [False, False, True, False, False, False, False, False, False],
            "blood_point": [False] * 9,
            "subcentre": [False] * 9,
            "station_capacity": [10, 4, 4, 4, 2, 2, 2, 4, 4],
            "candidate": [False] * 7 + [True, True],
            "x": sxy[:, 0] if geometry else np.nan,
            "y": sxy[:, 1] if geometry else np.nan,
            "lon": 108 + sxy[:, 0] / 1e5 if geometry else np.nan,
            "lat": 30 + sxy[:, 1] / 1e5 if geometry else np.nan,
        },
        index=sid,
    )
    minutes = np.hypot(sxy[:, None, 0] - xy[None, :, 0], sxy[:, None, 1] - xy[None, :, 1]) / 1000 * 1.6
    si, di = np.nonzero(minutes <= 90)
    travel = TravelTimes.from_pairs(sid, vids, si, di, minutes[si, di], cutoff_minutes=90, method="straight")
    items = pd.DataFrame(
        [
            dict(item_id="ambulance-S4-2025", site_id="S4", kind="ambulance", year=2025, quantity=3,
                 quantity_ord=1, quantity_np=2, new_station=False, cost_wan=95.0,
                 standards="amb_fleet_ratio;amb_np_share"),
            dict(item_id="ambulance-C1-2026", site_id="C1", kind="ambulance", year=2026, quantity=1,
                 quantity_ord=1, quantity_np=0, new_station=True, cost_wan=125.0,
                 standards="amb_fleet_ratio"),
            dict(item_id="fever_room-S4-2025", site_id="S4", kind="fever_room", year=2025, quantity=1,
                 quantity_ord=0, quantity_np=0, new_station=False, cost_wan=50.0,
                 standards="fever_room_mandate"),
            dict(item_id="fever_room-S6-2025", site_id="S6", kind="fever_room", year=2025, quantity=1,
                 quantity_ord=0, quantity_np=0, new_station=False, cost_wan=50.0,
                 standards="fever_room_mandate"),
            dict(item_id="fever_clinic-S2-2026", site_id="S2", kind="fever_clinic", year=2026, quantity=1,
                 quantity_ord=0, quantity_np=0, new_station=False, cost_wan=1600.0,
                 standards="fever_clinic_mandate"),
            dict(item_id="blood-C2-2025", site_id="C2", kind="blood", year=2025, quantity=1, quantity_ord=0,
                 quantity_np=0, new_station=False, cost_wan=80.0, standards="blood_min_points"),
            dict(item_id="subcentre-S6-2026", site_id="S6", kind="subcentre", year=2026, quantity=1,
                 quantity_ord=0, quantity_np=0, new_station=False, cost_wan=1800.0,
                 standards="subcentre_target"),
        ]
    )
    # Coverage: a village is covered by a kind when a site holding it is within the standard
    # (before the plan: existing holders only).
    pos = {s: i for i, s in enumerate(sid)}

    def covered(holders: np.ndarray, limit: float) -> np.ndarray:
        return (minutes[holders] <= limit).any(axis=0) if holders.any() else np.zeros(n_villages, dtype=bool)

    held, providers = existing_providers(sites, secondary_units(sites))

    def holders(item_kinds: list[str], after: bool) -> np.ndarray:
        h = np.zeros(len(sid), dtype=bool)
        for ik in item_kinds:
            h |= held[ik] | (providers["subcentre"] if ik == "subcentre" else False)
            if after:
                h[[pos[s] for s in items.loc[items["kind"] == ik, "site_id"]]] = True
        return h

    groups = {"ambulance": ["ambulance"], "fever": ["fever_clinic", "fever_room"], "blood": ["blood"],
              "secondary": ["subcentre"]}
    cov = {}
    for key, iks in groups.items():
        for when in ("before", "after"):
            cov[f"{key}_{when}"] = covered(holders(iks, when == "after"), STANDARD_MIN[key]).astype(float)
    cov["ambulance_single_before"] = cov["ambulance_before"]
    cov["ambulance_single_after"] = cov["ambulance_after"]
    dc = pd.DataFrame(cov, index=vids)
    pop = demand["population"].astype(float)
    newly = []
    for r in items.itertuples():
        key = next(k for k, v in groups.items() if r.kind in v)
        near = minutes[pos[r.site_id]] <= STANDARD_MIN[key]
        newly.append(int((pop.to_numpy() * (near & (dc[f"{key}_before"].to_numpy() < 0.5))).sum()))
    items["newly_covered"] = newly
    items["only_covered"] = [n // 2 for n in newly]
    covered_k = items["newly_covered"].where(items["newly_covered"] > 0) / 1000
    items["wan_per_1000"] = items["cost_wan"] / covered_k
    items["expected_gain"] = np.nan  # ambulance reliability gain: not drawn on maps
    items["beds_added"] = np.nan
    items["origin"] = "optimized"
    items = items[list(ITEM_COLUMNS)]
    tw = dc.mul(pop, axis=0).groupby(demand["township"]).sum()
    tw.insert(0, "population", pop.groupby(demand["township"]).sum())
    townships = roads = None
    if geometry:
        townships = gpd.GeoDataFrame({"name": TOWNS, "population": tw["population"].reindex(tids).to_numpy()},
                                     geometry=polys, index=tids, crs=CRS)
        roads = gpd.GeoDataFrame({"class": ["national", "county"]},
                                 geometry=[LineString([(1e3, 4e3), (20e3, 15e3), (37e3, 28e3)]),
                                           LineString([(5e3, 26e3), (20e3, 15e3), (36e3, 6e3)])], crs=CRS)
    inst = Instance(name="测试县", demand=demand, sites=sites, travel=travel, townships=townships, roads=roads,
                    crs=CRS if geometry else None, synthetic=True)
    spend = items.pivot_table(index="kind", columns="year", values="cost_wan", aggfunc="sum", fill_value=0.0)
    plan = Plan(items=items, demand_coverage=dc, township_coverage=tw, standards=pd.DataFrame(), spend=spend,
                after_stock=sites.copy(), solve=SolveInfo(Status.OPTIMAL, solver="highs", gap=0.0),
                site_units=secondary_units(sites), budget_wan=4000.0)
    return inst, plan


def secondary_units(sites: pd.DataFrame) -> pd.DataFrame:
    """Plan.site_units of the secondary-care service: the default secondary levels give it today."""
    levels = ("county_hospital", "secondary_hospital", "tcm_hospital")
    return pd.DataFrame({"secondary_before": sites["level"].isin(levels).astype(float)}, index=sites.index)


@pytest.fixture(scope="module")
def case() -> tuple[Instance, Plan]:
    return make_case()


# ------------------------------------------------------------------------------------------------ fonts


def test_font_comes_from_the_pypi_package_not_the_system():
    path = font_path()
    assert path.name == "wqy-microhei.ttc"
    assert "site-packages" in path.parts or "dist-packages" in path.parts
    assert "paperang_p2_fonts_cjk" in path.parts
    assert font_name() == "WenQuanYi Micro Hei"
    # What matplotlib resolves for the family is exactly that file (no system fallback).
    assert resolved_font_file(cjk_font()) == path


def test_font_covers_all_gb2312_hanzi():
    # GB 2312 hanzi are rows 16–87 (3,755 level-1 + 3,008 level-2 = 6,763): decode every code point.
    chars = []
    for row in range(16, 88):
        for col in range(1, 95):
            try:
                chars.append(bytes([0xA0 + row, 0xA0 + col]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(chars) == 6763
    assert missing_glyphs("".join(chars)) == set()


def test_missing_glyphs_reports_characters_the_font_lacks():
    assert missing_glyphs("花桥中心卫生院 ≥ 95% → km") == set()
    assert missing_glyphs("\U0001F691 救护车") == {"\U0001F691"}  # an emoji ambulance is not in the font


def test_rc_params_embed_font_as_type42():
    rc = rc_params()
    assert rc["pdf.fonttype"] == 42
    assert rc["font.family"] == ["WenQuanYi Micro Hei"]


@pytest.fixture(scope="module")
def rendered(case, tmp_path_factory) -> tuple[Path, list[Path], list[tuple[str, Path, set[str]]], dict]:
    """Render the Chinese maps once (serially, so the spy sees every figure); while each PNG is saved, record
    every text, the font file matplotlib resolves for it, the characters the bundled font lacks, and per map
    how many pairs of labels overlap in each map axes."""
    from matplotlib.text import Annotation, Text

    from healthplan.reports import map_draw
    from healthplan.reports.map_labels import extent, overlapping_pairs

    inst, plan = case
    out = tmp_path_factory.mktemp("run")
    texts: list[tuple[str, Path, set[str]]] = []
    overlaps: dict[str, list[int]] = {}
    real = map_draw._save_png

    def spy(fig, path):
        real(fig, path)  # draws the canvas first: text extents are final
        renderer = fig.canvas.get_renderer()
        for t in fig.findobj(Text):
            if t.get_text():
                texts.append((t.get_text(), resolved_font_file(t.get_fontproperties()),
                              missing_glyphs(t.get_text())))
        name = Path(path).name.split(".")[1]  # mkstemp name ".<stem>.png.<random>"
        overlaps[name] = [overlapping_pairs([extent(a, renderer) for a in ax.texts
                                             if isinstance(a, Annotation) and a.get_visible()])
                          for ax in fig.axes]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(map_draw, "_save_png", spy)
        paths = write_maps(out, inst, plan, projects=None, report=ReportConfig(title="测试县卫生资源布局规划"),
                           lang="zh", workers=1)
    return out, paths, texts, overlaps


def project_list(plan: Plan, lang: str = "zh") -> pd.DataFrame:
    """A per-site project list in the canonical layout of reports.projects.project_table (PROJECT_FIELDS,
    index item_id): one row per site and item type, numbered in reverse item order so that the maps' numbers
    can only come from it."""
    items = plan.items.iloc[::-1]
    rows = []
    for (site, kind), g in items.groupby(["site_id", "kind"], sort=False):
        rows.append({"no": len(rows) + 1, "item_ids": list(g["item_id"]), "site_id": site, "kind": kind,
                     "origin": "optimized", "name": f"项目{site}{kind}", "nature": "新建", "location": "",
                     "content": f"内容{site}", "cost_wan": float(g["cost_wan"].sum()), "funding": "县级财政",
                     "period": "2025年", "responsible": "县卫生健康局", "basis": f"依据{site}"})
    df = pd.DataFrame(rows, columns=list(PROJECT_FIELDS))
    return df.set_index(pd.Index([r[0] for r in df["item_ids"]], name="item_id"))


# ------------------------------------------------------------------------------------------------ style


def test_coverage_classes_match_bins():
    shares = np.array([0.0, 0.49, 0.5, 0.7, 0.849, 0.95, 1.0, np.nan])
    assert ms.coverage_class(shares).tolist() == [0, 0, 1, 2, 2, 4, 4, -1]
    assert ms.coverage_colour(shares)[-1] == ms.NO_DATA_COLOUR
    assert ms.coverage_class_labels("zh")[0] == "< 50%"


def test_existing_facilities_per_item_type_and_providers(case):
    inst, plan = case
    s = inst.sites
    held, providers = existing_providers(s, plan.site_units)
    assert s.index[held["ambulance"]].tolist() == ["S1", "S2", "S3"]
    assert s.index[held["fever_clinic"]].tolist() == ["S1"]
    assert s.index[held["fever_room"]].tolist() == ["S3"]
    # secondary-care hospitals count as the model counts them (Plan.site_units), not by a list in the maps
    assert s.index[providers["subcentre"]].tolist() == ["S1", "S2"]
    assert not held["subcentre"].any() and not held["blood"].any()
    assert not existing_providers(s, None)[1]["subcentre"].any()


def test_every_style_text_has_glyphs():
    from healthplan.optimizer.kinds import KINDS

    for zh, en in [*ms.TEXT.values(), *ms.HTML_TEXT.values()]:
        assert missing_glyphs(zh) == set(), zh
        assert missing_glyphs(en) == set(), en
    for k in KINDS:
        for it in k.items:
            assert missing_glyphs(it.label("zh") + k.map_title("zh")) == set()


def test_nice_scale_length():
    assert nice_length(40_000) == 5_000
    assert nice_length(100_000) == 20_000
    assert nice_length(9_000) == 1_000


def test_titles_say_current_and_plan():
    assert ms.text("current", "zh").startswith("现状") and ms.text("plan", "zh").startswith("规划")
    # what current-state maps say
    for key in ("current", "kind_current", "before", "uncovered_now", "cov_now"):
        assert "规划" not in ms.TEXT[key][0], key


# ------------------------------------------------------------------------------------------------ data


def test_project_records_number_sites_from_the_project_list(case):
    inst, plan = case
    own = project_records(inst, plan, None, "zh")
    assert len(own) == len(plan.items)
    r = own.set_index("item_id").loc["blood-C2-2025"]
    assert (r["x"], r["y"]) == (4e3, 15e3)
    assert r["site_label"] == "西部交通枢纽候选点"
    assert f"{int(r['newly_covered']):,}" in r["basis"]
    assert sorted(own["no"].dropna().astype(int)) == list(range(1, len(plan.items) + 1))
    # The canonical list wins, matched by item id whatever its row order: its 序号, names, content, 依据.
    proj = project_list(plan)
    rec = project_records(inst, plan, proj, "zh").set_index("item_id")
    for row in proj.itertuples():
        for item in row.item_ids:
            assert rec.loc[item, "no"] == row.no
            assert rec.loc[item, "name"] == row.name and rec.loc[item, "basis"] == row.basis
    # Two rows at one site: both numbers on the site's tag, in order.
    numbers = site_numbers(rec.reset_index())
    s4 = sorted(int(proj.loc[proj["site_id"] == "S4", "no"].iloc[i]) for i in range(2))
    assert numbers["S4"] == f"{s4[0]},{s4[1]}"


def test_project_list_without_canonical_columns_is_refused_with_the_fix(case):
    inst, plan = case
    bad = pd.DataFrame({"序号": [1], "项目名称": ["x"]}, index=pd.Index([plan.items["item_id"][0]]))
    with pytest.raises(ProjectTableError, match="canonical column.*fix: pass reports.projects.project_table"):
        project_records(inst, plan, bad, "zh")


def test_township_share_equals_plan_figures(case):
    inst, plan = case
    data = MapData.build(inst, plan, None, "zh")
    got = data.township_share("fever", "after")
    tc = plan.township_coverage
    expected = (tc["fever_after"] / tc["population"]).to_numpy()
    np.testing.assert_allclose(got.reindex(tc.index).to_numpy(), expected)
    # Combined share (mean over the kinds): recomputed independently from the demand table.
    dc = plan.demand_coverage
    keys = ["ambulance_single", "fever", "blood", "secondary"]
    allc = sum(dc[f"{k}_after"] for k in keys) / len(keys) * inst.demand["population"]
    exp = allc.groupby(inst.demand["township"]).sum() / inst.demand.groupby("township")["population"].sum()
    combined = data.township_share(None, "after").reindex(exp.index).to_numpy()
    np.testing.assert_allclose(combined, exp.to_numpy())
    assert data.kinds == ["ambulance", "fever", "blood", "subcentre"]


def test_urban_extent_only_for_a_small_dense_seat(case):
    inst, plan = case
    # The case's seat (T5, a Voronoi cell of a fifth of the county) is too large for an inset.
    assert MapData.build(inst, plan, None, "zh").urban_extent() is None
    small = inst.townships.copy()
    small.loc["T5", "geometry"] = shapely.box(19_000, 14_000, 22_000, 17_500)
    sites = pd.concat([inst.sites, inst.sites.loc[["S7"]].rename(index={"S7": "S8"}).assign(x=20_500.0,
                                                                                          y=15_500.0)])
    seat = Instance(name=inst.name, demand=inst.demand, sites=sites, travel=inst.travel, townships=small,
                    roads=inst.roads, crs=inst.crs, synthetic=True)
    ext = MapData.build(seat, plan, None, "zh").urban_extent()
    assert ext is not None and ext[0] < 19_000 and ext[2] > 22_000  # the seat with a margin


# ------------------------------------------------------------------------------------------------ rendering


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:32]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _png_dpi(path: Path) -> float:
    raw = path.read_bytes()
    i = raw.index(b"pHYs")
    ppm = int.from_bytes(raw[i + 4:i + 8], "big")
    return ppm * 0.0254


STEMS = ["current", "plan", "current_vs_plan", "plan_ambulance", "plan_fever", "plan_blood", "plan_subcentre"]


def test_writes_every_map_as_png_and_pdf(rendered):
    out, paths, _, _ = rendered
    assert sorted(p.relative_to(out).as_posix() for p in paths) == sorted(
        f"maps/{s}.{e}" for s in STEMS for e in ("png", "pdf")
    )
    assert PAGE_PX == (3508, 2480) and DPI == 300
    assert FIGSIZE[0] * DPI == pytest.approx(3508)
    for p in paths:
        assert p.stat().st_size > 20_000, p
        assert p.stat().st_mode & 0o777 == file_mode(), p  # not mkstemp's 0600: maps are shared
        if p.suffix == ".png":
            assert _png_size(p) == PAGE_PX, p
            assert _png_dpi(p) == pytest.approx(300, abs=0.5)


def test_no_label_overprints_another(rendered):
    _, _, _, overlaps = rendered
    assert set(overlaps) == set(STEMS)
    for stem, per_axes in overlaps.items():
        assert per_axes and all(n == 0 for n in per_axes), (stem, per_axes)


def test_png_is_not_blank_and_shows_the_choropleth(case, rendered):
    from matplotlib.image import imread

    out, _, _, _ = rendered
    img = imread(out / "maps" / "plan_fever.png")[::3, ::3, :3]
    assert img.std() > 0.05
    # Every coverage class colour used for a township appears in the image (matched exactly, 8-bit).
    rgb = (img * 255).round().astype(np.int64).reshape(-1, 3)
    present = set(np.unique(rgb @ np.array([65536, 256, 1])).tolist())
    inst, plan = case
    share = MapData.build(inst, plan, None, "zh").township_share("fever", "after")
    used = set(ms.coverage_colour(share.to_numpy()))
    assert len(used) >= 2  # the case is built so that townships differ
    for colour in used:
        r, g, b = (int(round(v * 255)) for v in matplotlib.colors.to_rgb(colour))
        assert r * 65536 + g * 256 + b in present, colour


def _pdf_fonts(path: Path) -> set[str]:
    raw = path.read_bytes()
    return {m.decode() for m in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", raw)}


def test_pdf_embeds_the_cjk_font_and_no_other(rendered):
    out, paths, _, _ = rendered
    for p in paths:
        if p.suffix != ".pdf":
            continue
        raw = p.read_bytes()
        assert raw.startswith(b"%PDF-")
        assert len(re.findall(rb"/Type\s*/Page[^s]", raw)) == 1, p  # one page
        fonts = _pdf_fonts(p)
        assert fonts, p
        assert all(f.endswith("+WenQuanYiMicroHei") for f in fonts), fonts  # subset tag + the bundled font
        assert b"/Subtype /Type3" not in raw  # fonttype 42: real embedded font, not Type 3 outlines
        assert b"/Subtype /CIDFontType2" in raw and b"/FontFile2" in raw  # TrueType outlines, embedded


def test_every_text_on_the_maps_uses_the_bundled_font_and_has_glyphs(rendered):
    _, _, texts, _ = rendered
    assert len(texts) > 100
    for s, path, missing in texts:
        # the bundled font or its subset made for the run (reports.map_fonts), no system fallback
        assert path == font_path() or path.parent.name.startswith("healthplan-fonts-"), (s, path)
        assert missing == set(), s  # no empty boxes
    joined = "\n".join(s for s, _, _ in texts)
    # Current-state maps name the existing facilities; plan maps number the new sites.
    for expected in ["测试县卫生资源布局规划", "花桥镇", "县人民医院", "花桥中心卫生院", "5 公里", "北", "图例",
                     "合成演示数据", "现状图", "规划图", "现状", "规划", "新建项目序号", "固定采血点"]:
        assert expected in joined, expected
    assert "规划前" not in joined


def test_english_maps_of_a_baseline_plan(case, tmp_path):
    inst, plan = case
    base = Plan(items=plan.items.iloc[:0], demand_coverage=plan.demand_coverage,
                township_coverage=plan.township_coverage, standards=plan.standards, spend=pd.DataFrame(),
                after_stock=plan.after_stock, solve=SolveInfo(Status.BASELINE), site_units=plan.site_units)
    paths = write_maps(tmp_path, inst, base, projects=None, report=ReportConfig(), lang="en")
    # a baseline: the current-state overview and one current-state map per kind
    assert sorted(p.name for p in paths if p.suffix == ".png") == sorted(
        f"{s}.png" for s in ["current", "current_ambulance", "current_fever", "current_blood",
                             "current_subcentre"])
    assert all(p.parent == maps_folder(tmp_path) for p in paths)
    assert _png_size(tmp_path / "maps" / "current.png") == PAGE_PX


@pytest.mark.slow
def test_reruns_give_identical_bytes_with_any_number_of_workers(case, rendered, tmp_path):
    inst, plan = case
    out, paths, _, _ = rendered
    again = write_maps(tmp_path, inst, plan, projects=None, report=ReportConfig(title="测试县卫生资源布局规划"),
                       lang="zh", workers=2)
    assert len(again) == len(paths)
    for a in again:
        b = out / a.relative_to(tmp_path)
        digest_a, digest_b = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b))
        assert digest_a == digest_b, a.name
    assert not list((tmp_path / "maps").glob(".*"))  # no temporary files left behind


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers are forked on Linux only")
def test_workers_started_before_the_data_write_the_same_files_in_the_same_order(case, rendered, tmp_path):
    """As a run does it: workers forked first (before the plan exists), asked for the run's font subset when
    the inputs are read (the maps' and map.html's characters: the maps' own subset is cut from it), handed the
    maps later; every file byte-identical to the serial rendering (the PDFs embed the subset's family name),
    listed in the same order."""
    from healthplan.reports.maps import MapWorkers, start_maps

    inst, plan = case
    out, paths, _, _ = rendered
    report = ReportConfig(title="测试县卫生资源布局规划")
    pool = MapWorkers(2)
    try:
        pool.prepare(inst, report, "zh")
        assert pool.chars is not None
        drawing = start_maps(tmp_path, inst, plan, projects=None, report=report, lang="zh", pool=pool)
        again = drawing.result()
        assert not pool.take()  # the workers drew them
    finally:
        pool.close()
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(out) for p in paths]
    for a in again:
        assert a.read_bytes() == (out / a.relative_to(tmp_path)).read_bytes(), a.name


def test_plain_csv_instance_gives_no_maps(tmp_path):
    inst, plan = make_case(geometry=False)
    assert maps_unavailable_reason(inst) is not None
    assert write_maps(tmp_path, inst, plan, projects=None, report=ReportConfig()) == []
    assert not (tmp_path / "maps").exists()


def test_label_placer_keeps_labels_apart_with_leaders():
    """Thirty labels crowded round one point: none overlaps another; those pushed off their symbol get a
    leader line, and what cannot be placed is counted, not overprinted."""
    from matplotlib.text import Annotation

    from healthplan.reports import map_draw as md
    from healthplan.reports.map_labels import Label, extent, overlapping_pairs, place_labels

    with matplotlib.rc_context(rc_params()):
        fig = md.new_figure()
        ax = md.map_axes(fig, md.MAP_BOX, (0, 0, 10_000, 10_000))
        rng = np.random.default_rng(3)
        labels = [Label(f"卫生院{i}", 5_000 + rng.normal(0, 300), 5_000 + rng.normal(0, 300), 5.0)
                  for i in range(30)]
        placed = place_labels(ax, labels, [])
        renderer = fig.canvas.get_renderer()
        boxes = [extent(a, renderer) for a in ax.texts if isinstance(a, Annotation)]
    assert overlapping_pairs(boxes) == 0
    assert len(placed.artists) + len(placed.dropped) == 30 and len(placed.artists) >= 20
    assert any(a.arrow_patch is not None for a in placed.artists)  # leader lines where labels moved away


def test_spread_moves_overlapping_symbol_groups_apart_and_leaves_the_others():
    from healthplan.reports.map_labels import spread

    centres = np.array([[100.0, 100.0], [104.0, 101.0], [100.0, 100.0], [500.0, 500.0]])
    half = np.array([[20.0, 8.0], [10.0, 8.0], [10.0, 8.0], [10.0, 8.0]])
    moved = centres + spread(centres, half)
    for i in range(4):
        for j in range(i + 1, 4):
            gap = np.abs(moved[i] - moved[j]) - (half[i] + half[j])
            assert (gap >= 0).any(), (i, j)  # apart along at least one axis
    assert np.allclose(moved[3], centres[3])  # far from the others: not moved
    assert np.array_equal(spread(centres, half), spread(centres, half))  # deterministic


ROOT = Path(__file__).resolve().parents[1]
DEMO_GPKG = ROOT / "geodata" / "demo" / "demo_county.gpkg"


@pytest.mark.slow
def test_demo_county_maps(tmp_path):
    """The bundled demo county, solved, drawn with its project list: every map at 300 dpi, in the font, the
    new sites numbered with the list's 序号."""
    if not DEMO_GPKG.exists():
        pytest.skip("geodata/demo/demo_county.gpkg absent: the demo county is not built")
    from healthplan.scenarios import runner, schema
    scen = schema.load_scenario(ROOT / "scenarios" / "demo.yaml")
    inst = runner.prepare_instance(scen)
    plan = runner.solve_scenario(scen, inst)
    proj = project_list(plan)
    rec = project_records(inst, plan, proj, "zh")
    assert set(rec["no"].dropna().astype(int)) == set(proj["no"])
    report = scen.report.model_copy(update={"title": scen.display_title})
    paths = write_maps(tmp_path, inst, plan, projects=proj, report=report, lang="zh")
    pngs = [p for p in paths if p.suffix == ".png"]
    assert len(pngs) == 3 + len(MapData.build(inst, plan, proj, "zh").kinds)
    for p in pngs:
        assert _png_size(p) == PAGE_PX
    for name in inst.townships["name"]:
        assert missing_glyphs(name) == set(), name
    for name in inst.sites["name"]:
        assert missing_glyphs(name) == set(), name
