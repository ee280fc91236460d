"""healthplan compare: tables side by side, projects that differ, the map, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from healthplan.scenarios.compare import CompareError, compare_runs, load_run

ROOT = Path(__file__).resolve().parents[1]
CSV_SCEN = ROOT / "scenarios" / "demo-csv.yaml"


def _fake_run(folder: Path, *, name: str, spent: float, blood_after: float, items: list[dict],
              met: bool, seed: int) -> Path:
    """A run folder with the files compare reads (summary.json, new_items.csv, demand_coverage.csv)."""
    folder.mkdir(parents=True)
    summary = {
        "status": "optimal", "gap": 0.0, "objective": 1.0, "budget_wan": 1000.0, "spent_wan": spent,
        "items": len(items), "coverage": {"blood": {"population": 1000, "before": 0.0, "after": blood_after}},
        "standards": [{"name": "blood_min_points", "required": 2, "existing": 0, "planned": len(items), "shortfall": 0,
                       "met": met}],
        "timings": {}, "scenario": name, "spend_by_kind": {"blood": spent},
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    pd.DataFrame(items, columns=["item_id", "site_id", "kind", "year", "quantity", "cost_wan", "x", "y"]).to_csv(
        folder / "new_items.csv", index=False, encoding="utf-8-sig")
    rng = np.random.default_rng(seed)
    pd.DataFrame({"demand_id": [f"D{i}" for i in range(30)], "population": rng.integers(10, 100, 30),
                  "x": rng.uniform(0, 1000, 30), "y": rng.uniform(0, 1000, 30)}).to_csv(
        folder / "demand_coverage.csv", index=False, encoding="utf-8-sig")
    return folder


def _item(site: str, qty: int = 1, cost: float = 100.0) -> dict:
    return {"item_id": f"blood-{site}-2025", "site_id": site, "kind": "blood", "year": 2025, "quantity": qty,
            "cost_wan": cost, "x": 100.0 * int(site[1:]), "y": 50.0}


@pytest.fixture
def two_runs(tmp_path):
    a = _fake_run(tmp_path / "a", name="low", spent=200, blood_after=600, met=True, seed=1,
                  items=[_item("S1"), _item("S2")])
    b = _fake_run(tmp_path / "b", name="high", spent=300, blood_after=800, met=True, seed=1,
                  items=[_item("S1"), _item("S3"), _item("S4")])
    return a, b


def test_tables_side_by_side_and_projects_that_differ(two_runs, tmp_path):
    a, b = two_runs
    cmp = compare_runs([a, b], out=tmp_path / "cmp", lang="en")
    assert cmp.coverage.loc["blood", "A %"] == pytest.approx(60.0)
    assert cmp.coverage.loc["blood", "B %"] == pytest.approx(80.0)
    assert cmp.coverage.loc["blood", "B − A persons"] == pytest.approx(200.0)
    assert list(cmp.spend.loc["total"]) == [200.0, 300.0]
    assert list(cmp.overview.loc["items"]) == [2, 3]
    # S1 is in both with the same quantity: not a difference; S2 only in A; S3, S4 only in B
    assert list(cmp.projects["site_id"]) == ["S2", "S3", "S4"]
    assert cmp.projects.loc[0, "A: low"] == "1" and cmp.projects.loc[0, "B: high"] == ""
    names = {f.name for f in cmp.files}
    assert {"compare.md", "compare_map.png", "compare_projects.csv", "compare_coverage.csv"} <= names
    assert (tmp_path / "cmp" / "compare_map.png").stat().st_size > 5_000
    from PIL import Image

    with Image.open(tmp_path / "cmp" / "compare_map.png") as im:  # a plan map: A4 landscape at 300 dpi
        assert im.size == (3508, 2480) and im.info["dpi"] == pytest.approx((300, 300), abs=0.5)
    md = (tmp_path / "cmp" / "compare.md").read_text(encoding="utf-8")
    assert "Projects that differ" in md and "S3" in md and "| S1 |" not in md


def test_a_changed_quantity_is_a_difference(tmp_path):
    a = _fake_run(tmp_path / "a", name="x", spent=100, blood_after=1, met=True, seed=2, items=[_item("S1", 1)])
    b = _fake_run(tmp_path / "b", name="y", spent=200, blood_after=1, met=True, seed=2, items=[_item("S1", 2)])
    cmp = compare_runs([a, b])
    assert len(cmp.projects) == 1 and list(cmp.projects.iloc[0][["A: x", "B: y"]]) == ["1", "2"]


def test_identical_runs_have_no_differing_projects(two_runs):
    a, _ = two_runs
    cmp = compare_runs([a, a])
    assert cmp.projects.empty


def test_errors_name_the_folder_and_the_fix(two_runs, tmp_path):
    a, b = two_runs
    with pytest.raises(CompareError, match="at least two"):
        compare_runs([a])
    (tmp_path / "empty").mkdir()
    with pytest.raises(CompareError, match="no summary.json") as exc:
        load_run(tmp_path / "empty")
    assert "empty" in str(exc.value)
    with pytest.raises(CompareError, match="not a folder"):
        load_run(tmp_path / "nope")
    (tmp_path / "exists").mkdir()
    with pytest.raises(CompareError, match="already exists"):
        compare_runs([a, b], out=tmp_path / "exists")


def test_cli_compare_exit_codes(two_runs, tmp_path, capsys):
    from healthplan.scenarios.cli import main

    a, b = two_runs
    assert main(["compare", str(a), str(b), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Projects that differ" in out and "S4" in out
    assert main(["compare", str(a), str(tmp_path / "missing")]) == 2
    assert "not a folder" in " ".join(capsys.readouterr().err.split())


def test_compare_real_run_folders(tmp_path):
    from healthplan.scenarios.runner import run_scenario
    from healthplan.scenarios.schema import load_scenario

    runs = []
    for budget in (300, 800):
        scen = load_scenario(CSV_SCEN, overrides={"budget_wan": budget})
        res = run_scenario(scen, out=tmp_path / f"b{budget}", write_reports=False)
        runs.append(res)
    cmp = compare_runs([tmp_path / "b300", tmp_path / "b800"], out=tmp_path / "cmp", lang="zh")
    pop = runs[0].summary["coverage"]["blood"]["population"]
    assert cmp.coverage.loc["blood", "A persons"] == pytest.approx(runs[0].summary["coverage"]["blood"]["after"])
    assert cmp.coverage.loc["blood", "B %"] == pytest.approx(
        round(100 * runs[1].summary["coverage"]["blood"]["after"] / pop, 2))
    sites_a = set(runs[0].plan.items["site_id"].astype(str))
    sites_b = set(runs[1].plan.items["site_id"].astype(str))
    assert set(cmp.projects["site_id"]) == sites_a ^ sites_b
    assert (tmp_path / "cmp" / "compare_map.png").is_file()


def test_compare_map_is_a_plan_map_with_legend_scale_and_north_arrow(two_runs, tmp_path, monkeypatch):
    """The differences map carries the furniture of a plan map: legend headings, a km scale bar, the north
    arrow, one label per differing site and no two labels overprinting."""
    from matplotlib.text import Annotation

    from healthplan.reports import map_draw
    from healthplan.reports.map_labels import extent, overlapping_pairs
    from healthplan.scenarios.compare import plot_differences

    seen: dict[str, object] = {}
    real = map_draw._save_png

    def spy(fig, path):
        real(fig, path)
        renderer = fig.canvas.get_renderer()
        seen["texts"] = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]
        seen["labels"] = [extent(a, renderer) for ax in fig.axes for a in ax.texts
                          if isinstance(a, Annotation)]

    monkeypatch.setattr(map_draw, "_save_png", spy)
    a, b = two_runs
    cmp = compare_runs([a, b], out=tmp_path / "cmp", lang="zh")
    assert plot_differences(cmp, tmp_path / "map.png", lang="zh") == tmp_path / "map.png"
    texts = seen["texts"]
    for expected in ("方案差异图", "图例", "仅方案A", "仅方案B", "北", "公里", "固定采血点"):
        assert any(expected in t for t in texts), expected
    assert len(seen["labels"]) == 3 and overlapping_pairs(seen["labels"]) == 0  # S2, S3, S4
