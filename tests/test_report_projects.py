"""reports.projects: the 重点项目清单 rows — names, 建设性质, one row per project, 依据 figures parsed back."""

import re
from dataclasses import replace

import pandas as pd
import pytest
from test_report_fixtures import make_instance, make_items, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
from healthplan.reports.projects import (
    PROJECT_COLUMNS_EN,
    PROJECT_COLUMNS_ZH,
    fmt_persons_zh,
    group_projects,
    project_table,
)

OPT = OptimizerConfig()
REPORT = ReportConfig(county="示范县", funding_source="中央预算内", responsible_unit="示范县卫生健康局")


def _table(lang="zh", **kw):
    inst = make_instance()
    plan = make_plan(inst, **kw)
    return inst, plan, project_table(inst, plan, report=REPORT, opt=OPT, lang=lang)


def parse_persons_zh(text: str) -> list[float]:
    """Persons quoted in a Chinese 依据 (万人 → ×10,000; 人), ignoring the ratio phrase 每1万人口."""
    out = []
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)(万人|人)(?!口)", text):
        out.append(float(num) * (10_000 if unit == "万人" else 1))
    return out


def test_columns_and_one_row_per_project():
    inst, plan, t = _table()
    assert tuple(t.columns) == PROJECT_COLUMNS_ZH
    assert len(t) == len(plan.items) == 5
    assert t["序号"].tolist() == [1, 2, 3, 4, 5]
    assert t["总投资(万元)"].sum() == pytest.approx(plan.spent_wan)
    assert set(t.index) == set(plan.items["item_id"])  # maps join popups on item_id
    # ordered by year then kind
    years = [int(y.rstrip("年")) for y in t["建设年限"]]
    assert years == sorted(years)


def test_names_nature_content_follow_the_rules():
    inst, plan, t = _table()
    rows = t.set_index(t.index)
    amb = rows.loc["ambulance-S3-2025"]
    assert amb["项目名称"] == "示范县石笋中心卫生院急救站救护车购置项目（负压2辆、普通1辆）"
    assert amb["建设性质"] == "购置" and amb["建设内容及规模"] == "购置负压救护车2辆、普通救护车1辆（急救网络层级：中心卫生院急救站）"
    assert rows.loc["ambulance-C1-2026"]["建设性质"] == "新建"  # opens a new station
    assert rows.loc["fever_room-S3-2025"]["项目名称"] == "示范县石笋中心卫生院发热诊室建设项目"
    assert rows.loc["fever_room-S3-2025"]["建设性质"] == "改扩建"
    sub = rows.loc["subcentre-S2-2026"]
    assert sub["项目名称"] == "示范县花桥中心卫生院医疗卫生次中心建设项目"
    assert sub["建设性质"] == "改造升级" and "80张" in sub["建设内容及规模"]
    assert rows.loc["blood-C1-2025"]["建设性质"] == "新建"
    assert sub["建设地点(乡镇)"] == "花桥镇" and amb["建设地点(乡镇)"] == "石笋镇"
    assert set(t["资金来源"]) == {"中央预算内"} and set(t["责任单位"]) == {"示范县卫生健康局"}
    assert sub["建设年限"] == "2026年"


def test_county_prefix_not_doubled():
    inst = make_instance()
    plan = make_plan(inst)
    t = project_table(inst, plan, report=ReportConfig(county="花桥"), opt=OPT)
    assert "花桥中心卫生院医疗卫生次中心建设项目" in t["项目名称"].tolist()
    t2 = project_table(inst, plan, report=ReportConfig(), opt=OPT)
    assert "花桥中心卫生院医疗卫生次中心建设项目" in t2["项目名称"].tolist()


def test_every_basis_number_equals_the_plan():
    inst, plan, t = _table()
    items = plan.items.set_index("item_id")
    for item_id, basis in t["依据"].items():
        it = items.loc[item_id]
        expect = [it["newly_covered"]] + ([it["only_covered"]] if it["only_covered"] > 0 else [])
        got = parse_persons_zh(basis)
        assert len(got) == len(expect), basis
        for g, e in zip(got, expect, strict=True):
            if e >= 10_000:
                assert g == round(e / 10_000, 1) * 10_000, basis
            else:
                assert g == round(e), basis
    amb = t.loc["ambulance-S3-2025", "依据"]
    # township T2 is rural in the fixture: the rural ratio and the 30-minute rural response standard
    assert amb.startswith("落实农村地区每1万人口配置1辆救护车标准；落实负压救护车占比不低于40%要求")
    assert "新增30分钟急救覆盖人口1.2万人，其中8021人仅由本站覆盖" in amb


def test_basis_uses_scenario_figures():
    inst = make_instance()
    plan = make_plan(inst)
    opt = OptimizerConfig.model_validate({"resources": {"ambulance": {
        "rural_pop_per_vehicle": 15_000, "response_minutes_rural": 25, "np_share": 0.5}}})
    t = project_table(inst, plan, report=REPORT, opt=opt)
    amb = t.loc["ambulance-S3-2025", "依据"]
    assert "每1.5万人口" in amb and "不低于50%" in amb and "新增25分钟急救" in amb


def test_english_headers_and_text():
    inst, plan, t = _table(lang="en")
    assert tuple(t.columns) == PROJECT_COLUMNS_EN
    amb = t.loc["ambulance-S3-2025"]
    assert amb["Project"] == "Shisun CTHC: ambulance purchase (2 negative-pressure, 1 ordinary)"
    assert amb["Type"] == "Purchase"
    assert "12,345" in amb["Justification"] and "8,021" in amb["Justification"]
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(t["Justification"]))


def test_empty_plan_gives_empty_table_with_columns():
    inst, plan, t = _table(baseline=True)
    assert t.empty and tuple(t.columns) == PROJECT_COLUMNS_ZH


def test_split_rows_are_grouped_per_site_kind_year():
    items = make_items()
    amb = items.iloc[[0]].copy()
    split = pd.concat([amb.assign(quantity=2, quantity_ord=0, quantity_np=2, cost_wan=70.0, newly_covered=10_000),
                       amb.assign(quantity=1, quantity_ord=1, quantity_np=0, cost_wan=25.0, newly_covered=2_345,
                                  item_id="x")], ignore_index=True)
    g = group_projects(split)
    assert len(g) == 1
    row = g.iloc[0]
    assert (row.quantity_np, row.quantity_ord, row.cost_wan, row.newly_covered) == (2, 1, 95.0, 12_345)


@pytest.mark.parametrize(("n", "text"), [(12_345, "1.2万人"), (9_999.4, "9999人"), (9_999.6, "1.0万人"),
                                         (10_000, "1.0万人"), (950, "950人"), (0, "0人")])
def test_fmt_persons_zh(n, text):
    assert fmt_persons_zh(n) == text


def test_standard_families_get_sentences():
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["kind"] == "blood", "standards"] = "blood_min_points;blood_target_coverage;equity_blood"
    plan2 = type(plan)(**{**plan.__dict__, "items": items})
    opt = OptimizerConfig.model_validate({"resources": {"blood": {"target_coverage": 0.9}}, "equity": {"theta": 0.6}})
    basis = project_table(inst, plan2, report=REPORT, opt=opt).loc["blood-C1-2025", "依据"]
    assert "落实至少设1个固定采血点要求" in basis
    assert "落实献血服务覆盖率达到90%目标" in basis
    assert "落实各乡镇献血服务覆盖率不低于60%要求" in basis


def test_mixed_township_names_both_standards():
    inst = make_instance()
    first_t2 = inst.demand.index[inst.demand["township"] == "T2"][0]
    inst.demand.loc[first_t2, "urban"] = True  # T2 becomes mixed urban/rural
    plan = make_plan(inst)
    t = project_table(inst, plan, report=REPORT, opt=OPT)
    amb = t.loc["ambulance-S3-2025", "依据"]
    assert "落实城市地区每3万人口、农村地区每1万人口配置1辆救护车标准" in amb
    assert "新增15/30分钟（城市/农村）急救覆盖人口1.2万人" in amb
    en = project_table(inst, plan, report=REPORT, opt=OPT, lang="en").loc["ambulance-S3-2025", "Justification"]
    assert "within 15/30 min (urban/rural) of emergency response" in en


def _reliability_plan(gain: float):
    """The fixture plan with the 2026 ambulance at C1 newly covering nobody but adding ``gain`` expected persons."""
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items["expected_gain"] = float("nan")
    amb = items["kind"] == "ambulance"
    items.loc[amb, "expected_gain"] = [4_321.0, gain]
    c1 = items["item_id"] == "ambulance-C1-2026"
    items.loc[c1, ["newly_covered", "only_covered"]] = 0.0
    return inst, replace(plan, items=items)


@pytest.mark.parametrize(("gain", "quoted"), [(3_049.6, "3050人"), (12_960.0, "1.3万人")])
def test_ambulance_without_new_coverage_quotes_its_expected_gain(gain, quoted):
    inst, plan = _reliability_plan(gain)
    t = project_table(inst, plan, report=REPORT, opt=OPT)
    basis = t.loc["ambulance-C1-2026", "依据"]
    assert f"不新增覆盖人口，提高急救可靠覆盖（期望覆盖增加{quoted}）" in basis
    # the only person figure in it is the plan's expected gain, at the printed precision
    (got,) = parse_persons_zh(basis)
    assert got == (round(gain / 10_000, 1) * 10_000 if gain >= 10_000 else round(gain))
    # an ambulance that newly covers people keeps the newly-covered sentence (no gain clause)
    assert "期望覆盖" not in t.loc["ambulance-S3-2025", "依据"]
    en = project_table(inst, plan, report=REPORT, opt=OPT, lang="en").loc["ambulance-C1-2026", "Justification"]
    assert f"expected coverage +{round(gain):,} persons" in en


def test_ambulance_without_gain_keeps_the_reliability_sentence():
    inst, plan = _reliability_plan(0.0)
    basis = project_table(inst, plan, report=REPORT, opt=OPT).loc["ambulance-C1-2026", "依据"]
    assert "不新增覆盖人口，提高已覆盖地区急救保障能力（多车覆盖）" in basis and "期望覆盖" not in basis
