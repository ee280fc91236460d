"""reports.summary: summary.json schema (issue 3 §5), summary.md and the console tables."""

import json
import re

import numpy as np
from rich.console import Console
from test_report_fixtures import make_instance, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.status import Status
from healthplan.reports.summary import summary_console, summary_dict, summary_markdown

SCHEMA_KEYS = ["status", "gap", "objective", "budget_wan", "spent_wan", "items", "coverage", "standards", "timings"]


def _summary(**kw):
    inst = make_instance()
    plan = make_plan(inst, **kw)
    s = summary_dict(inst, plan, timings={"read_s": 0.5, "travel_s": 0.25}, scenario_name="测试", opt=OptimizerConfig())
    return inst, plan, s


def test_schema_keys_first_and_json_safe():
    inst, plan, s = _summary()
    assert list(s)[: len(SCHEMA_KEYS)] == SCHEMA_KEYS
    text = json.dumps(s, ensure_ascii=False, allow_nan=False)  # NaN would raise
    assert json.loads(text) == s
    assert s["status"] == "optimal" and s["items"] == 5
    assert list(s["timings"]) == ["read_s", "travel_s", "build_s", "solve_s"]
    assert s["timings"]["solve_s"] == 0.34  # from the plan when the caller gave none


def test_coverage_is_persons_recomputed_independently():
    inst, plan, s = _summary()
    pop = inst.demand["population"].to_numpy(float)
    for key, c in s["coverage"].items():
        assert c["population"] == int(pop.sum())
        assert c["before"] == np.round(np.dot(plan.demand_coverage[f"{key}_before"].to_numpy(), pop), 3)
        assert c["after"] == np.round(np.dot(plan.demand_coverage[f"{key}_after"].to_numpy(), pop), 3)


def test_spend_totals_equal_plan():
    inst, plan, s = _summary()
    assert s["spent_wan"] == plan.spent_wan == 2150.0
    assert s["spend_by_kind_year"]["ambulance"] == {"2025": 95.0, "2026": 125.0}
    assert sum(s["spend_by_year"].values()) == plan.spent_wan
    assert list(s["spend_by_kind_year"]) == ["ambulance", "fever_room", "blood", "subcentre"]


def test_standards_records_match_plan():
    inst, plan, s = _summary()
    assert [r["name"] for r in s["standards"]] == list(plan.standards["name"])
    assert all(isinstance(r["met"], bool) for r in s["standards"])
    assert s["standards"][1]["planned"] == 0.333


def test_assumptions_flag_unset_defaults_and_plan_ones():
    inst, plan, s = _summary()
    text = "\n".join(s["assumptions"])
    assert "room_cost_wan" in text  # the plan's own sentence (a unit cost without a source)
    assert "new_station_cost_wan" in text  # ASSUMPTION default the user did not set
    assert sum("room_cost_wan" in a for a in s["assumptions"]) == 1  # plan's own + config default deduplicated
    assert len(s["assumptions_zh"]) == len(s["assumptions"])  # the same sentences in Chinese, same order
    assert "新建急救站造价取默认值100万元（无来源依据，请核实）" in s["assumptions_zh"]
    assert not any(re.search(r"[A-Za-z]{3,}", a) for a in s["assumptions_zh"]), s["assumptions_zh"]
    set_cost = OptimizerConfig.model_validate({"resources": {"ambulance": {"new_station_cost_wan": 90}}})
    s2 = summary_dict(inst, plan, timings={}, opt=set_cost)
    assert not any("new_station_cost_wan" in a for a in s2["assumptions"])
    assert not any("新建急救站造价" in a for a in s2["assumptions_zh"])


def test_baseline_summary():
    inst = make_instance()
    plan = make_plan(inst, baseline=True)
    s = summary_dict(inst, plan, timings={})
    assert s["status"] == "baseline" and s["items"] == 0 and s["spent_wan"] == 0.0
    assert s["gap"] is None and s["budget_wan"] is None
    assert all(c["before"] == c["after"] for c in s["coverage"].values())
    md = summary_markdown(s)
    assert "现状" in md


def test_markdown_time_limit_says_so_with_gap():
    inst, plan, s = _summary(status=Status.TIME_LIMIT)
    md = summary_markdown(s, lang="zh")
    assert "时间上限" in md and "4.32%" in md
    en = summary_markdown(s, lang="en")
    assert "time limit" in en and "4.32%" in en
    assert "optimal" not in en.split("## Coverage")[0].replace("not proven optimal", "")


def test_markdown_tables_and_files(tmp_path):
    inst, plan, s = _summary()
    md = summary_markdown(s, files=[tmp_path / "appendix.xlsx"])
    assert "## 覆盖人口（规划前后）" in md
    assert "appendix.xlsx" not in md and "附件文档1份" in md  # zh: files described by what they hold
    assert "| 负压救护车占比 | 40.0% | 20.0% | 33.3% | 6.7% |" in md  # shares as percentages
    assert "`appendix.xlsx`" in summary_markdown(s, lang="en", files=[tmp_path / "appendix.xlsx"])
    assert "| 合计 | 225 | 1,925 | 2,150 |" in md  # spend totals row: 2025, 2026, total
    assert "合成" in md  # synthetic data note


def test_console_renders():
    inst, plan, s = _summary(status=Status.TIME_LIMIT)
    con = Console(record=True, width=300)
    con.print(summary_console(s, lang="en"))
    out = con.export_text()
    assert "Relative gap" in out and "4.32%" in out and "Ambulance (expected coverage)" in out


def test_console_assumptions_hang_under_their_bullet():
    """A long Chinese assumption (no spaces) wraps under itself; the bullet never stands alone on a line."""
    inst, plan, s = _summary()
    long_zh = "次中心按二级综合医院标准补足床位至100张" * 6 + "（情景设定）。"
    s = {**s, "assumptions_zh": [long_zh, "每千人每年急救呼叫次数取默认值30次（无来源依据，请核实）"]}
    con = Console(record=True, width=60)
    con.print(summary_console(s, lang="zh"))
    lines = con.export_text().splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("•"))
    block = lines[start:]
    assert all(ln.strip() != "•" for ln in block)
    first = block[0].index("•")
    wrapped = block[1:4]  # the long sentence's continuation lines start right of the bullet, not at column 0
    assert all(ln[: first + 1].strip() == "" and ln.strip() for ln in wrapped)
    joined = "".join(ln.strip().lstrip("• ").strip() for ln in block if ln.strip())
    assert long_zh in joined


def test_a_gap_without_a_bound_is_a_dash_not_inf():
    # a stage stopped with a plan and no bound (a province-size plan whose relaxation did not finish) has an
    # infinite gap: the planner reads "—", as for an unknown one, never "inf%"
    from healthplan.reports.summary import fmt_gap

    assert [fmt_gap(g) for g in (float("inf"), float("nan"), None, 0.0651)] == ["—", "—", "—", "6.51%"]
