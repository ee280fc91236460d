"""reports.funding and reports.config: funding splits (shares, fixed 万元), per-kind and per-site rules, committed
decisions' own funding, 责任单位, running costs; the investment table adds up."""

from dataclasses import replace

import pytest
from pydantic import ValidationError
from test_report_fixtures import make_instance, make_plan

from healthplan.geodata.errors import InputError
from healthplan.optimizer.config import OptimizerConfig
from healthplan.reports.appendix import appendix_tables
from healthplan.reports.config import ReportConfig, report_problems
from healthplan.reports.funding import project_money, running_costs
from healthplan.reports.projects import group_projects, programme_table, project_table
from healthplan.reports.summary import summary_dict
from healthplan.reports.writer import write_run

OPT = OptimizerConfig()


def _money(report: ReportConfig, opt: OptimizerConfig = OPT, plan=None):
    inst = make_instance()
    plan = plan or make_plan(inst)
    g = group_projects(plan.items)
    return g, project_money(g, plan.items, report, opt)


def _by_project(frame):
    return frame.groupby("no")["wan"].sum()


def test_default_source_carries_every_project():
    g, money = _money(ReportConfig())
    assert set(money.frame["source"]) == {"county_budget"}
    assert _by_project(money.frame).to_numpy() == pytest.approx(g["cost_wan"].to_numpy())
    assert money.project_text(1, "zh") == "县级财政资金" and money.project_text(1, "en") == "County budget"


def test_shares_of_a_kind_split_each_project():
    report = ReportConfig(funding={"ambulance": [{"source": "central_budget", "share": 0.6},
                                                  {"source": "县级财政", "share": 0.4}]})
    g, money = _money(report)
    s3 = int(g.loc[g["item_id"] == "ambulance-S3-2025", "no"].iloc[0])
    rows = money.frame[money.frame["no"] == s3].set_index("source")["wan"]
    assert rows["central_budget"] == pytest.approx(57.0) and rows["county_budget"] == pytest.approx(38.0)
    assert money.project_text(s3, "zh") == "中央预算内投资57万元、县级财政资金38万元"
    assert _by_project(money.frame).to_numpy() == pytest.approx(g["cost_wan"].to_numpy())


def test_fixed_amounts_are_shared_over_the_scope_in_proportion_to_cost():
    report = ReportConfig(funding={"ambulance": [{"source": "special_bonds", "wan": 110},
                                                  {"source": "county_budget", "share": 1.0}]})
    g, money = _money(report)
    amb = g[g["kind"] == "ambulance"]
    bonds = money.frame[money.frame["source"] == "special_bonds"].groupby("no")["wan"].sum()
    assert bonds.sum() == pytest.approx(110.0)
    for no, cost in zip(amb["no"], amb["cost_wan"], strict=True):
        assert bonds[no] == pytest.approx(110.0 * cost / amb["cost_wan"].sum())
    assert _by_project(money.frame).to_numpy() == pytest.approx(g["cost_wan"].to_numpy())


def test_fixed_amounts_above_the_cost_are_scaled_down_with_a_note():
    report = ReportConfig(funding={"blood": [{"source": "central_budget", "wan": 500}]})
    g, money = _money(report)
    blood = int(g.loc[g["kind"] == "blood", "no"].iloc[0])
    assert _by_project(money.frame)[blood] == pytest.approx(80.0)
    assert money.notes and "已按比例调减" in money.notes[0].zh


def test_site_override_beats_the_kind_and_a_committed_decision_beats_both():
    report = ReportConfig(funding={"blood": [{"source": "central_budget", "share": 1.0}]},
                          sites={"C1": {"funding": [{"source": {"zh": "彩票公益金", "en": "Lottery fund"}, "share": 1.0}]}})
    g, money = _money(report)
    blood = int(g.loc[g["kind"] == "blood", "no"].iloc[0])
    assert money.project_text(blood, "zh") == "彩票公益金" and money.project_text(blood, "en") == "Lottery fund"
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["item_id"] == "blood-C1-2025", "origin"] = "committed"
    opt = OptimizerConfig.model_validate({"decisions": [
        {"site": "C1", "kind": "blood", "action": "committed", "year": 2025, "funding": "地方政府专项债"}]})
    g2, money2 = _money(report, opt, replace(plan, items=items))
    c = int(g2.loc[g2["kind"] == "blood", "no"].iloc[0])
    assert money2.project_text(c, "zh") == "地方政府专项债券"


def test_money_follows_the_years_of_a_projects_rows():
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["item_id"] == "ambulance-C1-2026", "site_id"] = "S3"  # S3 buys in 2025 and 2026
    g, money = _money(ReportConfig(), plan=replace(plan, items=items))
    s3 = g[(g["kind"] == "ambulance") & (g["site_id"] == "S3")].iloc[0]
    years = money.frame[money.frame["no"] == s3["no"]].groupby("year")["wan"].sum()
    assert years.to_dict() == {2025: pytest.approx(95.0), 2026: pytest.approx(125.0)}


def test_splits_are_validated():
    with pytest.raises(ValidationError, match="sum to 0.9"):
        ReportConfig(funding={"ambulance": [{"source": "central_budget", "share": 0.5},
                                             {"source": "county_budget", "share": 0.4}]})
    with pytest.raises(ValidationError, match="did you mean 'ambulance'"):
        ReportConfig(funding={"ambulanse": [{"source": "central_budget", "share": 1.0}]})
    with pytest.raises(ValidationError, match="either share"):
        ReportConfig(funding={"blood": [{"source": "central_budget", "share": 0.5, "wan": 10}]})
    with pytest.raises(ValidationError, match="at least one source"):
        ReportConfig(sites={"S1": {"funding": []}})


def test_responsible_units_by_kind_and_site_lead_first():
    report = ReportConfig(responsible={"blood": {"lead": "blood_centre", "co": ["health_commission"]}},
                          sites={"S2": {"responsible": {"lead": {"zh": "花桥镇人民政府", "en": "Huaqiao Town"},
                                                        "co": ["finance_bureau"]}}})
    inst = make_instance()
    plan = make_plan(inst)
    t = project_table(inst, plan, report=report, opt=OPT)
    assert t.loc["blood-C1-2025", "responsible"] == "市中心血站、县卫生健康局"
    assert t.loc["subcentre-S2-2026", "responsible"] == "花桥镇人民政府、县财政局"
    assert t.loc["fever_room-S3-2025", "responsible"] == "县卫生健康局、县财政局"  # the defaults
    en = project_table(inst, plan, report=report, opt=OPT, lang="en")
    assert en.loc["subcentre-S2-2026", "responsible"] == "Huaqiao Town, County Finance Bureau"


def test_running_costs_use_the_kinds_figure_or_the_flagged_rate():
    g, _ = _money(ReportConfig())
    run = running_costs(g, ReportConfig(running_cost_share=0.1), OPT).set_index("no")
    amb = g[g["kind"] == "ambulance"]
    for no, q in zip(amb["no"], amb["quantity"], strict=True):
        assert run.loc[no, "running_wan"] == pytest.approx(q * 35.0) and not run.loc[no, "assumed"]
    sub = int(g.loc[g["kind"] == "subcentre", "no"].iloc[0])
    assert run.loc[sub, "running_wan"] == pytest.approx(180.0) and run.loc[sub, "assumed"]


def test_investment_table_adds_up_by_source_year_and_kind():
    inst = make_instance()
    plan = make_plan(inst)
    report = ReportConfig(funding={"ambulance": [{"source": "central_budget", "share": 0.5},
                                                  {"source": "county_budget", "share": 0.5}]})
    summary = summary_dict(inst, plan, timings={}, scenario_name="t", opt=OPT, report=report)
    inv = next(t for t in appendix_tables(inst, plan, summary, report=report, opt=OPT) if t.key == "investment")
    d = inv.data
    total = d.iloc[-1]
    assert total["合计"] == pytest.approx(plan.spent_wan)
    assert total["2025年"] + total["2026年"] == pytest.approx(plan.spent_wan)
    body = d[~d.index.isin(inv.total_rows)]
    by_source = body[body["类别"] != "按资金来源合计"]
    # the ambulance rows: one per source, each half of the kind's 220万元
    amb = by_source.iloc[:2]
    assert amb["资金来源"].tolist() == ["中央预算内投资", "县级财政资金"]
    assert amb["合计"].tolist() == pytest.approx([110.0, 110.0])
    assert total["年运行费用(万元/年)"] == pytest.approx(4 * 35.0 + 0.05 * (50 + 1800 + 80))
    assert any("假设值" in n for n in inv.notes) and any("通州" in n for n in inv.notes)


def test_unknown_site_override_stops_the_writer(tmp_path):
    inst = make_instance()
    plan = make_plan(inst)
    report = ReportConfig(sites={"NOPE": {"responsible": {"lead": "health_commission"}}}, maps=False,
                          html_map=False)
    assert report_problems(report, inst.sites.index).errors
    with pytest.raises(InputError, match="NOPE"):
        write_run(tmp_path / "run", inst, plan, report=report, opt=OPT, timings={}, scenario_name="t")
    assert not any((tmp_path / "run").glob("*.csv"))


def test_programme_remarks_name_each_kinds_sources():
    report = ReportConfig(funding={"ambulance": [{"source": "central_budget", "share": 0.6},
                                                  {"source": "county_budget", "share": 0.4}]})
    inst = make_instance()
    plan = make_plan(inst)
    summary = summary_dict(inst, plan, timings={}, scenario_name="t", opt=OPT, report=report)
    for lang, amb, blood in (
        ("zh", "总投资220万元（中央预算内投资132万元、县级财政资金88万元）", "总投资80万元（县级财政资金）"),
        ("en", "investment 220 (10k CNY; Central government budget investment 132, County budget 88)",
         "investment 80 (10k CNY; County budget)"),
    ):
        projects = project_table(inst, plan, report=report, opt=OPT, lang=lang)
        p = programme_table(projects, plan, summary, report=report, opt=OPT, instance=inst, lang=lang)
        remarks = p.set_index("kind")["remarks"]
        assert remarks["ambulance"].startswith(amb), remarks["ambulance"]
        assert remarks["blood"].startswith(blood), remarks["blood"]
