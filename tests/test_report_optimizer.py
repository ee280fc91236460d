"""Reports on real optimizer output: the project list, totals and standards agree with optimize()'s Plan."""

import json
import re

import pytest
from openpyxl import load_workbook
from test_report_fixtures import make_instance

from healthplan.optimizer import api as optimizer
from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
from healthplan.reports.projects import project_table
from healthplan.reports.writer import write_run

CFG = OptimizerConfig.model_validate({
    "budget_wan": 2500,
    "resources": {"fever": {"room_cost_wan": 50}, "blood": {"unit_cost_wan": 80}, "subcentre": {"target_count": 1}},
    "phasing": {"years": [2025, 2026], "budgets_wan": [1500, 1000]},
})


def _numbers(text: str) -> list[float]:
    return [float(n) * (10_000 if u == "万人" else 1) for n, u in re.findall(r"(\d+(?:\.\d+)?)(万人|人)(?!口)", text)]


def _as_written(x: float) -> float:
    n = round(x)
    return round(n / 10_000, 1) * 10_000 if n >= 10_000 else n


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    inst = make_instance(n_demand=40, seed=11)
    plan = optimizer.optimize(inst, CFG)
    out = tmp_path_factory.mktemp("opt") / "run"
    write_run(out, inst, plan, report=ReportConfig(county="示范县", maps=False, html_map=False), opt=CFG,
              timings={}, scenario_name="optimizer")
    return inst, plan, out


def test_project_list_matches_the_plan(run):
    inst, plan, out = run
    assert len(plan.items) > 0
    wb = load_workbook(out / "appendix.xlsx")
    rows = list(wb["附表1 项目明细"].iter_rows(min_row=4, values_only=True))
    end = next(i for i, r in enumerate(rows) if r[0] == "合计")
    projects, total = rows[:end], rows[end]
    assert total[5] == pytest.approx(plan.spent_wan)
    assert sum(r[5] for r in projects) == pytest.approx(plan.spent_wan)
    table = project_table(inst, plan, report=ReportConfig(county="示范县"), opt=CFG)
    assert [r[1] for r in projects] == list(dict.fromkeys(table["name"]))  # one row a project, in list order
    items = plan.items.set_index("item_id")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_no = {r[0]: r for r in projects}
    for no, part in table.groupby("no"):
        ids = [i for ids_ in part["item_ids"] for i in ids_]  # a site's vehicles over the years are one row
        row = by_no[no]
        assert row[5] == pytest.approx(items.loc[ids, "cost_wan"].sum())  # vehicles over years: one row
        if len(ids) > 1:
            continue
        # a one-item project: every figure in its 依据 is the plan's newly/only covered persons (万人 to 0.1)
        it = items.loc[ids[0]]
        if it["kind"] == "ambulance" and round(it["newly_covered"]) <= 0:
            assert "增至" in row[9], row[9]  # a further vehicle says what it adds to its station, not "+6 persons"
        expect = [_as_written(v) for v in (it["newly_covered"], it["only_covered"]) if round(v) > 0]
        assert _numbers(row[9]) == expect, row[9]
    assert summary["spent_wan"] == pytest.approx(plan.spent_wan)


def test_standards_sheet_equals_summary(run):
    inst, plan, out = run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ws = load_workbook(out / "appendix.xlsx")["附表3 标准达标情况"]
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, r, strict=False))
            for r in ws.iter_rows(min_row=4, max_row=3 + len(summary["standards"]), values_only=True)]
    assert [r["标准"] for r in rows] == [s.get("label_zh") for s in summary["standards"]]  # no internal codes
    for r, s in zip(rows, summary["standards"], strict=True):
        assert (r["要求"], r["现有"], r["规划后"], r["缺口"]) == (s["required"], s["existing"], s["planned"],
                                                            s["shortfall"])


def test_standards_of_every_year_in_summary_markdown_and_appendix(run):
    """Issue 13 §3: a phased plan writes the standards table of every year (summary.json ``standards_by_year``,
    summary.md, the appendix's 附表5), and the final year's records are the standards table."""
    inst, plan, out = run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    recs = summary["standards_by_year"]
    names = [s["name"] for s in summary["standards"]]
    assert [(r["year"], r["name"]) for r in recs] == [(y, n) for y in (2025, 2026) for n in names]
    for r in recs:
        assert set(r) >= {"year", "name", "required", "existing", "planned", "met"}
    final = {r["name"]: r for r in recs if r["year"] == 2026}
    for s in summary["standards"]:
        assert final[s["name"]]["planned"] == pytest.approx(s["planned"], abs=1e-6)
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "分年度达标情况" in md and "| 2025 |" in md
    wb = load_workbook(out / "appendix.xlsx")
    assert "附表5 分年度达标情况" in wb.sheetnames
    ws = wb["附表5 分年度达标情况"]
    years = [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0] in ("2025", "2026", 2025, 2026)]
    assert len(years) == len(recs)
    assert summary["call_satisfaction"]["after"] >= summary["call_satisfaction"]["before"] > 0
    assert "急救呼叫满足率（估算）" in md
