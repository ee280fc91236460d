"""reports.writer: the whole run folder, determinism, re-rendering (byte-identical), optional map modules."""

import json
import shutil
import sys
import types
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_report_fixtures import make_instance, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
from healthplan.reports.projects import PROJECT_COLUMNS_EN
from healthplan.reports.run_folder import OutputFolderError
from healthplan.reports.state import StateError
from healthplan.reports.writer import rerender_run, write_run

NO_MAPS = ReportConfig(county="示范县", maps=False, html_map=False)
TABLES = ("summary.json", "summary.md", "projects.csv", "new_items.csv", "facilities_after.csv",
          "demand_coverage.csv", "township_coverage.csv", "standards.csv", "spend.csv", "appendix.xlsx",
          "appendix.docx")


def _write(out: Path, *, report=NO_MAPS, geometry=True, lang="zh", **kw):
    inst = make_instance(geometry=geometry)
    plan = make_plan(inst, **kw)
    files = write_run(out, inst, plan, report=report, opt=OptimizerConfig(), timings={"read_s": 0.5},
                      scenario_name="测试情景", lang=lang)
    return inst, plan, files


def _bytes(d: Path) -> dict[str, bytes]:
    return {n: (d / n).read_bytes() for n in TABLES}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """One run folder written once for the module: (folder, plan, files, bytes of the tables)."""
    run = tmp_path_factory.mktemp("w") / "run"
    inst, plan, files = _write(run)
    return run, plan, files, _bytes(run)


def test_run_folder_contents(written):
    run, plan, files, _ = written
    names = {f.name for f in files}
    assert set(TABLES) | {"placements.gpkg", "run.json"} <= names
    assert all(f.exists() for f in files)
    s = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert s["spent_wan"] == plan.spent_wan and s["items"] == len(plan.items)
    assert "maps" not in " ".join(s["notes"])  # switched off, not "missing"
    assert s["title"] == "测试情景"  # no report title: the scenario name
    for f in ("projects.csv", "standards.csv", "spend.csv"):
        assert (run / f).read_bytes().startswith(b"\xef\xbb\xbf")
    assert not list(run.glob(".*tmp*"))  # no temporaries left behind


def test_two_writes_are_identical(written, tmp_path):
    run, _, _, a = written
    _write(tmp_path / "b")
    b = _bytes(tmp_path / "b")
    for name in TABLES:
        if name.endswith((".xlsx", ".docx")):
            continue  # they carry the run's timestamp
        assert a[name] == b[name], name


def test_rerender_is_byte_identical_then_english(written, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(written[0], run)
    before = written[3]
    files = rerender_run(run)
    assert {f.name for f in files} >= set(TABLES)
    after = _bytes(run)
    for name in TABLES:
        assert before[name] == after[name], name
    # English goes beside the Chinese run (run-en), never over it (issue 10 §6)
    files = rerender_run(run, lang="en")
    en = tmp_path / "run-en"
    assert all(en in f.parents for f in files)
    assert _bytes(run) == after
    ws = load_workbook(en / "appendix.xlsx")["Project list"]
    assert tuple(c.value for c in ws[3]) == PROJECT_COLUMNS_EN
    assert "Plan summary" in (en / "summary.md").read_text(encoding="utf-8")
    assert (en / "spend.csv").read_bytes() == before["spend.csv"]  # machine tables do not change with lang
    assert (en / "state" / "run.json").is_file()  # a run folder of its own, re-renderable
    rerender_run(run, lang="en")  # again: the earlier English folder is replaced
    assert "Plan summary" in (en / "summary.md").read_text(encoding="utf-8") and _bytes(run) == after
    (en / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="mine.txt"):
        rerender_run(run, lang="en")  # a file of yours in it: refused, nothing lost
    assert (en / "mine.txt").read_text(encoding="utf-8") == "keep"


def test_rerender_without_state_says_how_to_fix(tmp_path):
    with pytest.raises(StateError, match="no saved run state .* fix"):
        rerender_run(tmp_path)


def test_baseline_run(tmp_path):
    inst, plan, files = _write(tmp_path / "run", baseline=True)
    s = json.loads((tmp_path / "run/summary.json").read_text(encoding="utf-8"))
    assert s["status"] == "baseline" and s["items"] == 0
    wb = load_workbook(tmp_path / "run/appendix.xlsx")
    assert wb["标准达标情况"].max_row > 3 + len(plan.standards) - 1
    assert (tmp_path / "run/placements.gpkg").exists()


def test_no_geometry_run_notes_skipped_layers(tmp_path):
    _write(tmp_path / "run", geometry=False)
    assert not (tmp_path / "run/placements.gpkg").exists()
    s = json.loads((tmp_path / "run/summary.json").read_text(encoding="utf-8"))
    assert any("no coordinates" in n for n in s["notes"])
    assert (tmp_path / "run/new_items.csv").exists()


def test_documents_switch_off(tmp_path):
    _write(tmp_path / "run", report=NO_MAPS.model_copy(update={"documents": False}))
    assert not (tmp_path / "run/appendix.xlsx").exists()
    assert (tmp_path / "run/summary.json").exists()


def test_map_modules_called_with_the_contract(tmp_path, monkeypatch):
    calls = {}

    def write_maps(out_dir, instance, plan, *, projects, report, lang):
        calls["maps"] = (out_dir, len(projects), lang)
        p = Path(out_dir) / "maps" / "overview.png"
        p.parent.mkdir()
        p.write_bytes(b"png")
        return [p]

    def write_html_map(path, instance, plan, *, projects, report, lang):
        calls["html"] = (path.name, list(projects.index))
        Path(path).write_text("<html></html>", encoding="utf-8")
        return Path(path)

    monkeypatch.setitem(sys.modules, "healthplan.reports.maps", types.SimpleNamespace(write_maps=write_maps))
    monkeypatch.setitem(sys.modules, "healthplan.reports.htmlmap", types.SimpleNamespace(write_html_map=write_html_map))
    inst, plan, files = _write(tmp_path / "run", report=ReportConfig(), lang="en")
    assert calls["maps"] == (tmp_path / "run", len(plan.items), "en")
    assert calls["html"][0] == "map.html" and set(calls["html"][1]) == set(plan.items["item_id"])
    assert {"overview.png", "map.html"} <= {f.name for f in files}
    md = (tmp_path / "run/summary.md").read_text(encoding="utf-8")
    assert "`map.html`" in md and "`maps/overview.png`" in md


def test_missing_map_modules_are_skipped_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "healthplan.reports.maps", None)  # import raises ModuleNotFoundError
    monkeypatch.setitem(sys.modules, "healthplan.reports.htmlmap", None)
    _write(tmp_path / "run", report=ReportConfig())
    s = json.loads((tmp_path / "run/summary.json").read_text(encoding="utf-8"))
    assert any("maps skipped" in n for n in s["notes"]) and any("map.html skipped" in n for n in s["notes"])
