"""The demo county end to end through the CLI: a run folder with the promised files, deterministic tables."""

import json
from pathlib import Path

import pytest

from healthplan.scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"
KEYS = ("ambulance", "ambulance_single", "fever", "blood", "secondary")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "demo"
    code = main(["run", str(DEMO), "--out", str(out)])
    assert code == 0
    return out


def test_demo_run_writes_the_summary_contract(demo_run):
    summary = json.loads((demo_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal"
    assert summary["spent_wan"] <= summary["budget_wan"] + 1e-6
    assert set(KEYS) <= set(summary["coverage"])
    for key in KEYS:
        cov = summary["coverage"][key]
        assert 0 <= cov["before"] <= cov["after"] <= cov["population"]
    names = {s["name"] for s in summary["standards"]}
    assert names and all({"required", "existing", "planned", "shortfall", "met"} <= set(s) for s in summary["standards"])
    assert names
    for key in ("read_s", "travel_s", "build_s", "solve_s"):
        assert summary["timings"][key] >= 0


def test_demo_run_writes_documents_and_maps(demo_run):
    for name in ("summary.md", "placements.gpkg", "appendix.xlsx", "appendix.docx", "map.html"):
        assert (demo_run / name).stat().st_size > 0, name
    assert list((demo_run / "maps").glob("*.png")) and list((demo_run / "maps").glob("*.pdf"))


def test_existing_run_folder_is_not_overwritten(demo_run, capsys):
    before = (demo_run / "summary.json").read_bytes()
    code = main(["run", str(DEMO), "--out", str(demo_run)])
    assert code == 2
    assert "already exists" in capsys.readouterr().err
    assert (demo_run / "summary.json").read_bytes() == before


def test_same_inputs_give_byte_identical_tables(demo_run, tmp_path):
    again = tmp_path / "again"
    assert main(["run", str(DEMO), "--out", str(again)]) == 0
    tables = sorted(p.relative_to(demo_run) for p in demo_run.rglob("*.csv"))
    assert tables
    for rel in tables:
        assert (again / rel).read_bytes() == (demo_run / rel).read_bytes(), rel
    # the maps too, drawn by other worker processes seconds later (a font subset once carried "now")
    drawn = sorted(p.relative_to(demo_run) for p in (demo_run / "maps").iterdir())
    assert drawn and drawn == sorted(p.relative_to(again) for p in (again / "maps").iterdir())
    for rel in drawn:
        assert (again / rel).read_bytes() == (demo_run / rel).read_bytes(), rel
    strip = lambda d: {k: v for k, v in d.items() if k != "timings"}  # noqa: E731
    a = json.loads((demo_run / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((again / "summary.json").read_text(encoding="utf-8"))
    assert strip(a) == strip(b)


def test_baseline_after_equals_before(tmp_path):
    out = tmp_path / "base"
    assert main(["baseline", str(DEMO), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["items"] == 0 and summary["spent_wan"] == 0
    for key in KEYS:
        assert summary["coverage"][key]["after"] == summary["coverage"][key]["before"]


def test_newly_covered_adds_up_to_each_services_gain(demo_run):
    """Issue 10 §1: per kind, new_items.csv's additive newly_covered sums to coverage after − before in summary.json
    (ambulances: the single-coverage gain, ``ambulance_single``)."""
    import pandas as pd

    from healthplan.optimizer.kinds import item_type

    summary = json.loads((demo_run / "summary.json").read_text(encoding="utf-8"))
    items = pd.read_csv(demo_run / "new_items.csv")
    service = items["kind"].map(lambda key: item_type(key)[1].service)
    sums = items.groupby(service)["newly_covered"].sum()
    # every kind of the demo plan: the critical-care centre types are services of their own
    assert set(sums.index) == {"ambulance_single", "fever", "blood", "secondary", "chest_pain", "stroke"}
    for key, total in sums.items():
        cov = summary["coverage"][key]
        assert total == pytest.approx(cov["after"] - cov["before"], abs=0.5), key


def test_demo_appendix_renders_on_a4_in_a_few_pages(demo_run, tmp_path):
    """Issue 10 §7: LibreOffice renders the demo's appendix.docx on A4 pages (portrait list, landscape annexes)
    in a handful of pages, not one page per vehicle."""
    from test_report_render import SOFFICE, is_a4, page_sizes, render_pdf

    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer (.ci/run does)")
    sizes = page_sizes(render_pdf(demo_run / "appendix.docx", tmp_path / "pdf"))
    assert all(is_a4(s) for s in sizes), sizes
    portrait = [w < h for w, h in sizes]
    first_landscape = portrait.index(False)
    # 重点项目清单 portrait (one or two pages), then 附表1 landscape
    assert portrait[0] and 1 <= first_landscape <= 2, portrait
    assert 5 <= len(sizes) <= 14, len(sizes)  # 46 projects of the demo plan; 11 pages when measured


def test_a_centre_type_switched_off_is_named_nowhere(demo_run):
    """The demo switches trauma centres off: no map title, legend, programme row or HTML map layer names them,
    while chest-pain and stroke centres stay named (they were, wrongly, all three before)."""
    import re

    import pandas as pd

    from healthplan.optimizer.kinds.critical_care import CRITICAL_CARE

    programme = pd.read_csv(demo_run / "programme.csv", encoding="utf-8-sig")
    row = programme[programme["重点项目"].str.contains("胸痛")]["重点项目"].tolist()
    assert row == ["支持县级医院建设胸痛中心、卒中中心"]
    html = (demo_run / "map.html").read_text(encoding="utf-8")
    # the layer and metric names (the symbol table still defines every item type's shape, unused)
    assert '"name":"胸痛、卒中中心"' in html and "胸痛、卒中、创伤中心" not in html
    layers = re.findall(r'"itemKinds":\[[^\]]*\]', html)
    assert any("chest_pain_centre" in x for x in layers) and not any("trauma_centre" in x for x in layers)
    # the kind's own texts: the full title with no types given, the shown types otherwise
    assert CRITICAL_CARE.map_name("zh") == "胸痛、卒中、创伤中心"
    shown = CRITICAL_CARE.shown_items({"chest_pain", "stroke"})
    assert [it.key for it in shown] == ["chest_pain_centre", "stroke_centre"]
    assert CRITICAL_CARE.map_name("en", shown) == "Chest pain and stroke centres"
    assert [it.key for it in CRITICAL_CARE.shown_items({"chest_pain"}, held={"trauma_centre"})] == [
        "chest_pain_centre", "trauma_centre"]  # a type some site already holds stays on the map
