"""reports.appendix: appendix.xlsx and appendix.docx opened back with openpyxl and python-docx."""

import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from test_report_fixtures import make_instance, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.status import Status
from healthplan.reports.appendix import SHEETS_EN, SHEETS_ZH, appendix_tables, appendix_to_docx, appendix_to_xlsx
from healthplan.reports.config import ReportConfig
from healthplan.reports.i18n import label
from healthplan.reports.placements import township_frame
from healthplan.reports.projects import PROJECT_COLUMNS_EN, PROJECT_COLUMNS_ZH, project_table
from healthplan.reports.summary import summary_dict

OPT = OptimizerConfig()
STAMP = "2026-01-02T03:04:05Z"


def _tables(lang="zh", **kw):
    inst = make_instance()
    plan = make_plan(inst, **kw)
    projects = project_table(inst, plan, report=ReportConfig(county="示范县"), opt=OPT, lang=lang)
    summary = summary_dict(inst, plan, timings={}, scenario_name="t", opt=OPT)
    tables = appendix_tables(projects, summary, township_frame(inst, plan), opt=OPT, title="示范县规划", lang=lang)
    return inst, plan, summary, tables


def _sheet_rows(ws):
    """Header (row 3) and the data rows up to the first empty row."""
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    header = rows[0]
    data = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        data.append(dict(zip(header, r, strict=False)))
    return list(header), data


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory):
    inst, plan, summary, tables = _tables()
    path = appendix_to_xlsx(tmp_path_factory.mktemp("x") / "appendix.xlsx", tables, timestamp=STAMP)
    return plan, summary, load_workbook(path)


def test_xlsx_sheets_and_project_headers(xlsx):
    plan, summary, wb = xlsx
    assert wb.sheetnames == list(SHEETS_ZH)
    header, rows = _sheet_rows(wb["重点项目清单"])
    assert tuple(header) == PROJECT_COLUMNS_ZH
    projects, total = rows[:-1], rows[-1]
    assert len(projects) == len(plan.items)
    assert total["序号"] == "合计"
    assert total["总投资(万元)"] == pytest.approx(plan.spent_wan)
    assert sum(r["总投资(万元)"] for r in projects) == pytest.approx(plan.spent_wan)
    assert wb["重点项目清单"]["A1"].value == "《示范县规划》重点项目清单"  # caption as in seed 000
    assert wb["重点项目清单"]["A2"].value == "单位：万元"


def test_xlsx_standards_equal_summary_json(xlsx):
    plan, summary, wb = xlsx
    header, rows = _sheet_rows(wb["标准达标情况"])
    assert len(rows) == len(summary["standards"])
    for r, s in zip(rows, summary["standards"], strict=True):
        assert r["代码"] == s["name"]
        assert (r["要求"], r["现有"], r["规划后"], r["缺口"]) == (s["required"], s["existing"], s["planned"],
                                                            s["shortfall"])
        assert r["是否达标"] == ("达标" if s["met"] else "未达标")
        assert r["依据来源"] == s["source"]


def test_xlsx_investment_kind_by_year_totals(xlsx):
    plan, summary, wb = xlsx
    header, rows = _sheet_rows(wb["投资汇总"])
    assert header == ["类别", "2025", "2026", "合计"]
    body, total = rows[:-1], rows[-1]
    by_kind = plan.items.groupby("kind")["cost_wan"].sum()
    assert {r["类别"]: r["合计"] for r in body} == {
        "救护车": by_kind["ambulance"], "发热诊室": by_kind["fever_room"], "固定采血点": by_kind["blood"],
        "医疗卫生次中心": by_kind["subcentre"]}
    by_year = plan.items.groupby("year")["cost_wan"].sum()
    assert (total["2025"], total["2026"], total["合计"]) == (by_year[2025], by_year[2026], plan.spent_wan)


def test_xlsx_township_sheet_persons(xlsx):
    plan, summary, wb = xlsx
    header, rows = _sheet_rows(wb["乡镇覆盖情况"])
    tc = plan.township_coverage
    body = {r["乡镇编码"]: r for r in rows[:-1]}
    assert set(body) == set(tc.index)
    col = "固定采血点覆盖规划后(人)"
    for tid, r in body.items():
        assert r[col] == pytest.approx(tc.loc[tid, "blood_after"])
        assert r["固定采血点覆盖规划后覆盖率"] == pytest.approx(tc.loc[tid, "blood_after"] / tc.loc[tid, "population"])
    assert rows[-1][col] == pytest.approx(tc["blood_after"].sum())


def test_footnotes_cite_sources_and_flag_assumptions(xlsx):
    plan, summary, wb = xlsx
    ws = wb["重点项目清单"]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("注")]
    text = "\n".join(notes)
    assert "ASSUMPTION" in text and "room_cost_wan" in text and "new_station_cost_wan" in text
    assert "Chongqing Xiushan 2020" in text  # unit-cost source of ordinary ambulances
    std_notes = "\n".join(str(c.value) for c in wb["标准达标情况"]["A"] if c.value)
    assert "国卫医发〔2020〕19号" in std_notes


def test_docx_tables(tmp_path):
    inst, plan, summary, tables = _tables()
    path = appendix_to_docx(tmp_path / "appendix.docx", tables, title="示范县规划", timestamp=STAMP)
    doc = Document(path)
    assert len(doc.tables) == 4
    proj = doc.tables[0]
    assert tuple(c.text for c in proj.rows[0].cells) == PROJECT_COLUMNS_ZH
    assert len(proj.rows) == 1 + len(plan.items) + 1  # header, projects, totals
    total = proj.rows[-1].cells
    assert total[0].text == "合计" and total[5].text == "2,150"
    assert all(c.runs[0].bold for c in total[0].paragraphs)
    names = [r.cells[1].text for r in proj.rows[1:-1]]
    assert "示范县花桥中心卫生院医疗卫生次中心建设项目" in names
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "表1" in text and "单位：万元" in text and "ASSUMPTION" in text
    std = doc.tables[1]
    assert len(std.rows) == 1 + len(summary["standards"])
    assert [r.cells[0].text for r in std.rows[1:]] == [s["name"] for s in summary["standards"]]
    assert "→" in doc.tables[3].rows[1].cells[2].text  # township shares before → after
    assert doc.core_properties.created.year == 2026


def test_english_headers(tmp_path):
    inst, plan, summary, tables = _tables(lang="en")
    x = load_workbook(appendix_to_xlsx(tmp_path / "a.xlsx", tables))
    assert x.sheetnames == list(SHEETS_EN)
    header, rows = _sheet_rows(x["Project list"])
    assert tuple(header) == PROJECT_COLUMNS_EN
    assert rows[-1]["No."] == "Total" and rows[-1]["Investment (10k CNY)"] == pytest.approx(plan.spent_wan)
    header, _ = _sheet_rows(x["Standards"])
    assert header[:3] == ["Code", "Standard", "Required"]
    d = Document(appendix_to_docx(tmp_path / "a.docx", tables, lang="en"))
    assert tuple(c.text for c in d.tables[0].rows[0].cells) == PROJECT_COLUMNS_EN


def test_baseline_has_empty_project_list_and_filled_standards(tmp_path):
    inst, plan, summary, tables = _tables(baseline=True)
    wb = load_workbook(appendix_to_xlsx(tmp_path / "a.xlsx", tables))
    header, rows = _sheet_rows(wb["重点项目清单"])
    assert tuple(header) == PROJECT_COLUMNS_ZH
    assert len(rows) == 1 and rows[0]["序号"] == "合计" and rows[0]["总投资(万元)"] == 0
    _, std = _sheet_rows(wb["标准达标情况"])
    assert len(std) == len(plan.standards) > 0
    doc = Document(appendix_to_docx(tmp_path / "a.docx", tables))
    assert len(doc.tables[0].rows) == 2


def test_time_limited_run_is_flagged(tmp_path):
    inst, plan, summary, tables = _tables(status=Status.TIME_LIMIT)
    assert any("4.32%" in n and "时间上限" in n for n in tables[0].notes)


def test_documents_are_byte_stable(tmp_path):
    inst, plan, summary, tables = _tables()
    a = appendix_to_xlsx(tmp_path / "a.xlsx", tables, timestamp=STAMP).read_bytes()
    b = appendix_to_xlsx(tmp_path / "b.xlsx", tables, timestamp=STAMP).read_bytes()
    assert a == b
    c = appendix_to_docx(tmp_path / "c.docx", tables, timestamp=STAMP).read_bytes()
    d = appendix_to_docx(tmp_path / "d.docx", tables, timestamp=STAMP).read_bytes()
    assert c == d
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert STAMP in z.read("docProps/core.xml").decode()
    assert label("total", "en") == "Total"


def test_standards_unit_column_when_the_plan_gives_units():
    from healthplan.reports.appendix import standards_frame

    inst = make_instance()
    plan = make_plan(inst)
    std = plan.standards.assign(unit=["vehicles", "share", "sites", "sites"])
    plan = type(plan)(**{**plan.__dict__, "standards": std})
    s = summary_dict(inst, plan, timings={})
    f = standards_frame(s, "zh")
    assert f["单位"].tolist() == ["辆", "比例", "个", "个"]
    assert f["要求"].tolist() == [r["required"] for r in s["standards"]]
    assert standards_frame(s, "en")["Unit"].tolist() == ["vehicles", "share", "sites", "sites"]


def test_unit_cost_note_cites_default_source_or_scenario():
    from healthplan.reports.appendix import cost_notes

    inst = make_instance()
    plan = make_plan(inst)
    s = summary_dict(inst, plan, timings={})
    default = cost_notes(s, OptimizerConfig(), "zh")[0]
    assert "普通救护车25万元（C: Chongqing Xiushan 2020）" in default
    assert "发热诊室50万元（ASSUMPTION）" in default and "次中心改造升级1,800万元（C: Hubei Tongcheng 2024 tender）" in default
    own = OptimizerConfig.model_validate({"resources": {"ambulance": {"unit_cost_ord_wan": 22},
                                                        "fever": {"room_cost_wan": 45}}})
    text = cost_notes(s, own, "zh")[0]
    assert "普通救护车22万元（情景设定）" in text and "发热诊室45万元（情景设定）" in text
    assert "set by the scenario" in cost_notes(s, own, "en")[0]
