"""Reports on real optimizer output: the project list, totals and standards agree with optimize()'s Plan."""

import json
import re

import pytest
from openpyxl import load_workbook
from test_report_fixtures import make_instance

from healthplan.optimizer import api as optimizer
from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
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
    rows = list(wb["重点项目清单"].iter_rows(min_row=4, values_only=True))
    projects = [r for r in rows[: len(plan.items)]]
    total = rows[len(plan.items)]
    assert total[0] == "合计" and total[5] == pytest.approx(plan.spent_wan)
    items = plan.items.sort_values(["year", "site_id"])
    assert sorted(r[5] for r in projects) == sorted(items["cost_wan"].tolist())
    # every figure in each 依据 equals the plan's newly/only covered persons (as written: 万人 to 0.1, else 人)
    by_name = {r[1]: r for r in projects}
    assert len(by_name) == len(plan.items)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for it in plan.items.itertuples():
        basis = next(r[9] for r in projects if r[3] is not None and r[9] is not None
                     and _match(r, it, inst))
        shown = [it.newly_covered]
        if it.kind == "ambulance" and round(it.newly_covered) <= 0 and round(it.expected_gain) > 0:
            shown.append(it.expected_gain)  # a further vehicle: its gain in MEXCLP expected coverage
        expect = [_as_written(v) for v in (*shown, it.only_covered) if round(v) > 0]
        assert _numbers(basis) == expect, basis
    assert summary["spent_wan"] == pytest.approx(plan.spent_wan)


def _match(row, it, inst) -> bool:
    site = inst.sites.loc[it.site_id, "name"]
    return site in row[1] and row[7] == f"{it.year}年" and _kind_word(it.kind) in row[1]


def _kind_word(kind: str) -> str:
    return {"ambulance": "救护车", "fever_clinic": "发热门诊", "fever_room": "发热诊室", "blood": "采血点",
            "subcentre": "次中心"}[kind]


def test_standards_sheet_equals_summary(run):
    inst, plan, out = run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ws = load_workbook(out / "appendix.xlsx")["标准达标情况"]
    header = [c.value for c in ws[3]]
    rows = [dict(zip(header, r, strict=False))
            for r in ws.iter_rows(min_row=4, max_row=3 + len(summary["standards"]), values_only=True)]
    assert [r["代码"] for r in rows] == list(plan.standards["name"])
    for r, s in zip(rows, summary["standards"], strict=True):
        assert (r["要求"], r["现有"], r["规划后"], r["缺口"]) == (s["required"], s["existing"], s["planned"],
                                                            s["shortfall"])
