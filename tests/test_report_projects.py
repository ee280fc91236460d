"""reports.projects: the typed per-site list (the maps' contract), the plan-level list, 依据 figures parsed back."""

import re
from dataclasses import replace

import pandas as pd
import pytest
from test_report_fixtures import make_instance, make_items, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.config import ReportConfig
from healthplan.reports.projects import (
    PROGRAMME_DOC_COLUMNS,
    PROJECT_DOC_COLUMNS,
    PROJECT_FIELDS,
    fmt_persons_zh,
    group_projects,
    localised,
    programme_table,
    project_columns,
    project_table,
)
from healthplan.reports.summary import summary_dict

OPT = OptimizerConfig()
REPORT = ReportConfig(county="示范县", funding_source="中央预算内", responsible_unit="示范县卫生健康局", co_units=[])
CONTRACT = ("no", "item_ids", "site_id", "kind", "origin", "name", "nature", "location", "content", "cost_wan",
            "funding", "period", "responsible", "basis")


def _table(lang="zh", report=REPORT, **kw):
    inst = make_instance()
    plan = make_plan(inst, **kw)
    return inst, plan, project_table(inst, plan, report=report, opt=OPT, lang=lang)


def parse_persons_zh(text: str) -> list[float]:
    """Persons quoted in a Chinese 依据 (万人 → ×10,000; 人), ignoring the ratio phrase 每1万人口."""
    out = []
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)(万人|人)(?!口)", text):
        out.append(float(num) * (10_000 if unit == "万人" else 1))
    return out


# ---------------------------------------------------------------- the contract


def test_typed_columns_index_and_dtypes():
    inst, plan, t = _table()
    assert tuple(t.columns) == PROJECT_FIELDS == CONTRACT
    assert t.index.name == "item_id"
    assert t["no"].tolist() == list(range(1, len(t) + 1)) and t["no"].dtype.kind == "i"
    assert t["cost_wan"].dtype == float
    assert all(isinstance(v, list) for v in t["item_ids"])
    assert set(t["origin"]) <= {"optimized", "must", "committed"}
    assert t.attrs["units"] == {"cost_wan": "万元"}
    # every plan row belongs to exactly one project; the index is each project's first row
    ids = [i for v in t["item_ids"] for i in v]
    assert sorted(ids) == sorted(plan.items["item_id"])
    assert all(idx == v[0] for idx, v in zip(t.index, t["item_ids"], strict=True))
    assert t["cost_wan"].sum() == pytest.approx(plan.spent_wan)


def test_same_rows_and_numbers_in_both_languages():
    _, _, zh = _table()
    _, _, en = _table("en")
    for c in ("no", "item_ids", "site_id", "kind", "origin", "cost_wan"):
        assert zh[c].tolist() == en[c].tolist(), c
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(en[["name", "nature", "content", "basis", "period"]]
                                                        .astype(str).to_numpy().ravel()))


def test_localised_headers_only_at_the_output_edge():
    _, _, t = _table()
    doc = localised(t, PROJECT_DOC_COLUMNS, "zh")
    assert tuple(doc.columns) == project_columns("zh") == (
        "序号", "项目名称", "建设性质", "建设地点(乡镇)", "建设内容及规模", "总投资(万元)", "资金来源", "建设年限", "责任单位", "依据")
    assert tuple(localised(t, PROJECT_DOC_COLUMNS, "en").columns)[:2] == ("No.", "Project")
    assert "site_id" not in doc.columns and "站点编码" not in doc.columns  # no internal code in documents


def test_names_nature_content_follow_the_rules():
    inst, plan, t = _table()
    amb = t.loc["ambulance-S3-2025"]
    assert amb["name"] == "示范县石笋中心卫生院急救站救护车购置项目（负压2辆、普通1辆）"
    assert amb["nature"] == "购置" and amb["content"] == "购置负压救护车2辆、普通救护车1辆（急救网络层级：中心卫生院急救站）"
    assert t.loc["ambulance-C1-2026", "nature"] == "新建"  # opens a new station
    assert t.loc["fever_room-S3-2025", "name"] == "示范县石笋中心卫生院发热诊室建设项目"
    sub = t.loc["subcentre-S2-2026"]
    assert sub["name"] == "示范县花桥中心卫生院医疗卫生次中心建设项目"
    assert sub["nature"] == "改造升级" and "80张" in sub["content"]
    assert sub["location"] == "花桥镇" and amb["location"] == "石笋镇"
    assert set(t["funding"]) == {"中央预算内投资"}  # a Chinese alias resolves to the built-in source
    assert set(t["responsible"]) == {"示范县卫生健康局"}
    assert sub["period"] == "2026年"


def test_county_prefix_not_doubled():
    inst = make_instance()
    plan = make_plan(inst)
    t = project_table(inst, plan, report=ReportConfig(county="花桥"), opt=OPT)
    assert "花桥中心卫生院医疗卫生次中心建设项目" in t["name"].tolist()


def test_every_basis_number_equals_the_plan():
    inst, plan, t = _table()
    items = plan.items.set_index("item_id")
    for item_id, basis in t["basis"].items():
        it = items.loc[item_id]
        expect = [it["newly_covered"]] + ([it["only_covered"]] if it["only_covered"] > 0 else [])
        got = parse_persons_zh(basis)
        assert len(got) == len(expect), basis
        for g, e in zip(got, expect, strict=True):
            assert g == (round(e / 10_000, 1) * 10_000 if e >= 10_000 else round(e)), basis
    amb = t.loc["ambulance-S3-2025", "basis"]
    # township T2 is rural in the fixture: the rural ratio and the 30-minute rural response standard
    assert amb.startswith("落实农村地区每1万人口配置1辆救护车标准；落实负压救护车占比不低于40%要求")
    assert "新增30分钟急救覆盖人口1.2万人，其中8021人仅由本站覆盖" in amb


def test_basis_uses_scenario_figures():
    inst = make_instance()
    plan = make_plan(inst)
    opt = OptimizerConfig.model_validate({"resources": {"ambulance": {
        "rural_pop_per_vehicle": 15_000, "response_minutes_rural": 25, "np_share": 0.5}}})
    amb = project_table(inst, plan, report=REPORT, opt=opt).loc["ambulance-S3-2025", "basis"]
    assert "每1.5万人口" in amb and "不低于50%" in amb and "新增25分钟急救" in amb


def test_english_text():
    inst, plan, t = _table(lang="en")
    amb = t.loc["ambulance-S3-2025"]
    assert amb["name"] == "Shisun CTHC: ambulance purchase (2 negative-pressure, 1 ordinary)"
    assert amb["nature"] == "Purchase" and amb["funding"] == "Central government budget investment"
    assert "12,345" in amb["basis"] and "8,021" in amb["basis"]


def test_empty_plan_gives_empty_typed_table():
    inst, plan, t = _table(baseline=True)
    assert t.empty and tuple(t.columns) == CONTRACT and t.index.name == "item_id"


# ---------------------------------------------------------------- grouping


def test_vehicles_at_one_site_over_years_are_one_row_with_the_span_once():
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    later = items.iloc[[0]].assign(item_id="ambulance-S3-2026", year=2026, quantity=2, quantity_ord=2,
                                   quantity_np=0, cost_wan=50.0, newly_covered=0.0)
    plan = replace(plan, items=pd.concat([items, later], ignore_index=True))
    t = project_table(inst, plan, report=REPORT, opt=OPT)
    row = t.loc["ambulance-S3-2025"]
    assert row["item_ids"] == ["ambulance-S3-2025", "ambulance-S3-2026"]
    assert row["period"] == "2025—2026年" and row["cost_wan"] == 145.0
    assert "负压2辆、普通3辆" in row["name"]
    assert len(t) == 5 and t["cost_wan"].sum() == pytest.approx(plan.spent_wan)


def test_split_rows_are_grouped_per_site_and_kind():
    items = make_items()
    amb = items.iloc[[0]].copy()
    split = pd.concat([amb.assign(quantity=2, quantity_ord=0, quantity_np=2, cost_wan=70.0, newly_covered=10_000),
                       amb.assign(quantity=1, quantity_ord=1, quantity_np=0, cost_wan=25.0, newly_covered=2_345,
                                  item_id="x")], ignore_index=True)
    g = group_projects(split)
    assert len(g) == 1
    row = g.iloc[0]
    assert (row.quantity_np, row.quantity_ord, row.cost_wan, row.newly_covered) == (2, 1, 95.0, 12_345)


def test_committed_projects_are_listed_first_and_marked():
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["item_id"] == "blood-C1-2025", "origin"] = "committed"
    plan = replace(plan, items=items)
    opt = OptimizerConfig.model_validate({"decisions": [
        {"site": "C1", "kind": "blood", "action": "committed", "year": 2025, "funding": "省级补助",
         "note": "县政府常务会议审定"}]})
    t = project_table(inst, plan, report=REPORT, opt=opt)
    first = t.iloc[0]
    assert first["origin"] == "committed" and first.name == "blood-C1-2025" and first["no"] == 1
    assert first["nature"] == "新建（续建）"
    assert first["funding"] == "省级补助资金"  # the decision's own funding
    assert first["basis"].startswith("已批准的续建项目（县政府常务会议审定）")
    assert (t["origin"].iloc[1:] != "committed").all()


def test_must_projects_say_why():
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["item_id"] == "subcentre-S2-2026", "origin"] = "must"
    t = project_table(inst, replace(plan, items=items), report=REPORT, opt=OPT)
    assert t.loc["subcentre-S2-2026", "basis"].startswith("规划指定建设项目")


@pytest.mark.parametrize(("n", "text"), [(12_345, "1.2万人"), (9_999.4, "9999人"), (9_999.6, "1.0万人"),
                                         (10_000, "1.0万人"), (950, "950人"), (0, "0人")])
def test_fmt_persons_zh(n, text):
    assert fmt_persons_zh(n) == text


def test_standard_families_get_sentences():
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["kind"] == "blood", "standards"] = "blood_min_points;blood_target_coverage;equity_blood"
    plan2 = replace(plan, items=items)
    opt = OptimizerConfig.model_validate({"resources": {"blood": {"target_coverage": 0.9}}, "equity": {"theta": 0.6}})
    basis = project_table(inst, plan2, report=REPORT, opt=opt).loc["blood-C1-2025", "basis"]
    assert "落实至少设1个固定采血点要求" in basis
    assert "落实献血服务覆盖率达到90%目标" in basis
    assert "落实各乡镇献血服务覆盖率不低于60%要求" in basis


def test_mixed_township_names_both_standards():
    inst = make_instance()
    first_t2 = inst.demand.index[inst.demand["township"] == "T2"][0]
    inst.demand.loc[first_t2, "urban"] = True  # T2 becomes mixed urban/rural
    plan = make_plan(inst)
    amb = project_table(inst, plan, report=REPORT, opt=OPT).loc["ambulance-S3-2025", "basis"]
    assert "落实城市地区每3万人口、农村地区每1万人口配置1辆救护车标准" in amb
    assert "新增15/30分钟（城市/农村）急救覆盖人口1.2万人" in amb
    en = project_table(inst, plan, report=REPORT, opt=OPT, lang="en").loc["ambulance-S3-2025", "basis"]
    assert "within 15/30 min (urban/rural) of emergency response" in en


def test_a_vehicle_covering_nobody_new_says_what_it_adds():
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    s1 = items.iloc[[0]].assign(item_id="ambulance-S1-2025", site_id="S1", quantity=1, quantity_ord=1,
                                quantity_np=0, cost_wan=25.0, newly_covered=0.0, only_covered=0.0,
                                standards="amb_fleet_ratio")
    plan = replace(plan, items=pd.concat([items, s1], ignore_index=True))
    t = project_table(inst, plan, report=REPORT, opt=OPT)
    basis = t.loc["ambulance-S1-2025", "basis"]
    # S1 holds 3 + 1 vehicles today: the project adds the fifth, not "6 persons of expected coverage"
    assert "充实急救运力，站内救护车由4辆增至5辆" in basis and "期望覆盖" not in basis
    assert not parse_persons_zh(basis)
    en = project_table(inst, plan, report=REPORT, opt=OPT, lang="en").loc["ambulance-S1-2025", "basis"]
    assert "4 → 5 ambulances" in en


# ---------------------------------------------------------------- the plan-level list


def _programme(lang="zh", report=REPORT):
    inst = make_instance()
    plan = make_plan(inst)
    projects = project_table(inst, plan, report=report, opt=OPT, lang=lang)
    summary = summary_dict(inst, plan, timings={}, scenario_name="t", opt=OPT)
    return plan, programme_table(projects, plan, summary, report=report, opt=OPT, instance=inst, lang=lang)


def test_programme_has_one_row_per_kind_with_totals():
    plan, p = _programme()
    assert p["kind"].tolist() == ["ambulance", "fever", "blood", "subcentre"]
    assert p["no"].tolist() == [1, 2, 3, 4]
    assert p["cost_wan"].sum() == pytest.approx(plan.spent_wan)
    amb = p.iloc[0]
    assert amb["programme"] == "推进院前医疗急救网络建设"
    # vehicles over 2025 and 2026: the target year is the last, stations and vehicles counted
    assert amb["goal"].startswith("2025—2026年分年实施，到2026年底，新建急救站1个，购置救护车4辆（其中负压救护车2辆）")
    assert amb["goal"].endswith("〔责任单位：示范县卫生健康局〕")
    assert amb["cost_wan"] == 220.0 and amb["running_wan"] == pytest.approx(4 * 35.0)
    assert "总投资220万元" in amb["remarks"] and "新增年运行费用约140万元" in amb["remarks"]
    blood = p.iloc[2]
    assert blood["goal"].startswith("到2025年底，新建固定采血点1个（商贸中心候选点）")
    assert tuple(localised(p, PROGRAMME_DOC_COLUMNS, "zh").columns) == ("序号", "重点项目", "建设目标", "备注")


def test_programme_names_standards_still_short():
    _, p = _programme()
    fever = p[p["kind"] == "fever"].iloc[0]
    assert "发热诊室设置标准要求3个，规划后2个，仍差1个" in fever["remarks"]


def test_programme_in_english_has_no_chinese():
    _, p = _programme("en", ReportConfig())
    text = " ".join(p[["programme", "goal", "remarks"]].astype(str).to_numpy().ravel())
    assert not re.search(r"[\u4e00-\u9fff]", text)
    assert "Pre-hospital emergency network" in text
