"""Tests of reports/htmlmap.py: the self-contained offline map.html, as text and in headless chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
from healthplan.reports.htmlmap import map_payload, write_html_map
from healthplan.reports.maps import file_mode
from test_report_maps import make_case

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture(scope="module")
def case():
    return make_case()


@pytest.fixture(scope="module")
def projects(case):
    from healthplan.reports.projects import project_table

    inst, plan = case
    return project_table(inst, plan, report=ReportConfig(county="测试县"), opt=OptimizerConfig(), lang="zh")


@pytest.fixture(scope="module")
def page_path(case, projects, tmp_path_factory) -> Path:
    inst, plan = case
    out = tmp_path_factory.mktemp("html") / "map.html"
    return write_html_map(out, inst, plan, projects=projects, report=ReportConfig(title="测试县布局规划"), lang="zh")


def _payload(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<script id="hp-data" type="application/json">(.*?)</script>', text, re.S)
    assert m, "embedded data block missing"
    return json.loads(m.group(1))


def test_page_is_self_contained(page_path):
    text = page_path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    # Nothing is fetched: no external scripts, stylesheets, images or fonts.
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=", text)
    assert not re.search(r"url\((?!data:)[^)#]", text), "CSS url() that is not a data: URI"
    assert "cdn." not in text.lower() and "unpkg" not in text.lower()
    assert 'L.version' in text or 't.version="1.9.4"' in text  # Leaflet itself is inlined
    assert "@font-face" in text and "data:font/woff;base64," in text  # the CJK font travels with the page
    assert page_path.stat().st_mode & 0o777 == file_mode()


def test_payload_matches_plan_and_project_table(case, projects, page_path):
    inst, plan = case
    data = _payload(page_path)
    assert data["title"] == "测试县布局规划"
    got = pd.DataFrame(data["projects"]).set_index("id")
    items = plan.items.set_index("item_id")
    assert sorted(got.index) == sorted(items.index)
    for item_id, row in items.iterrows():
        g = got.loc[item_id]
        assert g["cost"] == pytest.approx(row["cost_wan"])
        assert g["newly"] == row["newly_covered"] and g["only"] == row["only_covered"]
        assert g["name"] == projects.loc[item_id, "name"]  # popups carry the appendix's names and 依据
        assert g["basis"] == projects.loc[item_id, "basis"]
        assert g["no"] == projects.loc[item_id, "no"]  # the 序号 of the per-site list
        assert (g["lat"], g["lon"]) == pytest.approx(tuple(inst.sites.loc[row["site_id"], ["lat", "lon"]]))
    assert len(data["townships"]["features"]) == len(inst.townships)
    assert [m["key"] for m in data["metrics"]] == ["combined", "ambulance", "fever", "blood", "subcentre"]
    # Township shares equal the plan's township table (persons covered / population).
    tc = plan.township_coverage
    for f in data["townships"]["features"]:
        tid = f["properties"]["id"]
        exp = tc.loc[tid, "fever_after"] / tc.loc[tid, "population"]
        assert f["properties"]["cov"]["fever"][1] == pytest.approx(exp, abs=1e-4)
    # Villages listed as uncovered are exactly those below half coverage after the plan.
    dc = plan.demand_coverage
    assert len(data["uncovered"]["blood"]) == int((dc["blood_after"] < 0.5).sum())


def test_rerun_gives_identical_bytes(case, projects, page_path, tmp_path):
    inst, plan = case
    again = write_html_map(tmp_path / "map.html", inst, plan, projects=projects,
                           report=ReportConfig(title="测试县布局规划"), lang="zh")
    assert again.read_bytes() == page_path.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]  # no temporary file left


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_characters_known_before_the_plan_cover_the_page(case, projects, page_path, tmp_path, lang):
    """The run has a map worker make one font subset of the maps' characters and those the page is expected to
    show (``expected_chars``) while it solves; the page's font is cut from it only if the page shows no other
    character (else the full 5 MB font is read again, ≈ 0.5 s). Every character of the page's data and title
    must be among them: a new text made of characters found nowhere else would show here."""
    from healthplan.reports.htmlmap import expected_chars
    from healthplan.reports.map_fonts import chars_of
    from healthplan.reports.maps import run_chars

    inst, plan = case
    report = ReportConfig(title="测试县布局规划")
    path = page_path if lang == "zh" else write_html_map(tmp_path / "map.html", inst, plan, projects=None,
                                                         report=report, lang="en")
    shown = chars_of([json.dumps(_payload(path), ensure_ascii=False),
                      re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8")).group(1)])
    known = run_chars(inst, report, lang) | expected_chars(inst, report, lang)
    assert shown <= known, "".join(sorted(shown - known))


def test_english_payload(case):
    inst, plan = case
    data = map_payload(inst, plan, None, ReportConfig(), "en")
    assert data["ui"]["new"] == "New"
    assert data["kinds"][0]["name"].startswith("Ambulances")
    assert all(p["name"] and p["basis"].startswith("newly covered") for p in data["projects"])


def test_plain_csv_instance_gives_a_page_without_map(tmp_path):
    inst, plan = make_case(geometry=False)
    path = write_html_map(tmp_path / "map.html", inst, plan, projects=None, report=ReportConfig())
    text = path.read_text(encoding="utf-8")
    assert "hp-message" in text and "hp-data" not in text


# ------------------------------------------------------------------------------------------------ browser


def _browser():
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    return sync_api


def test_map_in_headless_chromium(case, page_path):
    """Open map.html from file:// in chromium: layers present, a new project's popup opens, no console errors,
    no network request."""
    sync_api = _browser()
    inst, plan = case
    console: list[tuple[str, str]] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 850})
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            page.wait_for_function("window.healthplan && window.healthplan.ready", timeout=15_000)

            overlays = page.evaluate("Object.keys(window.healthplan.overlays)")
            bases = page.evaluate("Object.keys(window.healthplan.baseLayers)")
            for kind in ("救护车", "发热门诊", "固定采血点", "医疗卫生次中心"):
                assert any(o.startswith("新建") and kind in o for o in overlays), kind
                assert any(o.startswith("现有") and kind in o for o in overlays), kind
            assert "乡镇名称" in overlays
            assert len(bases) == 6 and any("（现状）" in b for b in bases)
            # The layer control lists them on the page; the choropleth and markers are drawn.
            control = page.inner_text(".leaflet-control-layers")
            assert all(name in control for name in overlays + bases)
            assert page.locator("path.leaflet-interactive").count() >= len(inst.townships)
            assert page.locator(".hp-new").count() == len(plan.items)

            # Click a new project's marker (zoomed in, as a reader would) and read its popup.
            item = plan.items.set_index("item_id").loc["blood-C2-2025"]
            page.evaluate(
                "id => { const m = healthplan.markers[id];"
                " healthplan.map.setView(m.getLatLng(), 15, {animate: false}); }",
                "blood-C2-2025",
            )
            page.locator('svg[data-item="blood-C2-2025"]').click()
            popup = page.locator('.leaflet-popup-content .hp-project[data-item="blood-C2-2025"]')
            popup.wait_for(timeout=5_000)
            text = popup.inner_text()
            assert "西部交通枢纽候选点" in text
            assert f"{int(item['newly_covered']):,}" in text
            assert "依据" in text
            # the new site carries its 序号 beside the symbol, as on the print maps
            assert page.locator(".hp-no").count() >= 1

            # Switching the base layer to another kind redraws the choropleth without errors.
            page.locator(".leaflet-control-layers-base label").nth(2).click()
            page.wait_for_timeout(200)
        finally:
            browser.close()
    errors = [c for c in console if c[0] in ("error", "pageerror", "warning")]
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


def test_english_map_in_headless_chromium(case, tmp_path):
    sync_api = _browser()
    inst, plan = case
    path = write_html_map(tmp_path / "map.html", inst, plan, projects=None, report=ReportConfig(), lang="en")
    console: list[tuple[str, str]] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
            page.goto(path.as_uri())
            page.wait_for_function("window.healthplan && window.healthplan.ready", timeout=15_000)
            overlays = page.evaluate("Object.keys(window.healthplan.overlays)")
            bases = page.evaluate("Object.keys(window.healthplan.baseLayers)")
        finally:
            browser.close()
    assert "New · Ambulances (pre-hospital emergency care)" in overlays
    assert "Township coverage: Mean of all kinds (current)" in bases  # 现状 / 规划, as the print maps say
    assert "Township coverage: Mean of all kinds (plan)" in bases
    assert not any(ch in "".join(overlays + bases) for ch in "（）：")  # no full-width punctuation in English
    assert [c for c in console if c[0] in ("error", "pageerror", "warning")] == []
