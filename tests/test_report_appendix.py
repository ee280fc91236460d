"""reports.appendix: appendix.xlsx and appendix.docx opened back with openpyxl and python-docx — the five tables,
their totals, the official layout (A4, margins, fonts, landscape sections, widths, repeated headers, page numbers)
and the print setup of the workbook."""

import re
import zipfile
from dataclasses import replace

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from test_report_fixtures import make_instance, make_plan

from healthplan.optimizer.config import OptimizerConfig
from healthplan.optimizer.status import Status
from healthplan.reports.appendix import (
    FONT_BODY,
    FONT_HEADING,
    TABLE_KEYS,
    TAIL_ROWS_KEPT,
    appendix_tables,
    appendix_to_docx,
    appendix_to_xlsx,
    cost_notes,
    standards_frame,
)
from healthplan.reports.config import ReportConfig
from healthplan.reports.projects import project_columns
from healthplan.reports.summary import summary_dict

OPT = OptimizerConfig()
STAMP = "2026-01-02T03:04:05Z"
REPORT = ReportConfig(county="示范县")
SHEETS_ZH = ["重点项目清单", "附表1 项目明细", "附表2 投资汇总", "附表3 标准达标情况", "附表4 乡镇覆盖情况"]


def _tables(lang="zh", plan=None, **kw):
    inst = make_instance()
    plan = plan or make_plan(inst, **kw)
    summary = summary_dict(inst, plan, timings={}, scenario_name="t", opt=OPT, report=REPORT)
    tables = appendix_tables(inst, plan, summary, report=REPORT, opt=OPT, title="示范县规划", lang=lang)
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


@pytest.fixture(scope="module")
def docx(tmp_path_factory):
    inst, plan, summary, tables = _tables()
    path = appendix_to_docx(tmp_path_factory.mktemp("d") / "appendix.docx", tables, title="示范县规划",
                            timestamp=STAMP)
    return plan, summary, tables, Document(path), path


def test_five_tables_in_order():
    _, _, _, tables = _tables()
    assert [t.key for t in tables] == list(TABLE_KEYS)
    assert [t.label for t in tables] == ["", "附表1", "附表2", "附表3", "附表4"]
    assert tables[0].heading == "《示范县规划》重点项目清单"  # caption as in seed 000


def test_xlsx_plan_level_list(xlsx):
    plan, summary, wb = xlsx
    assert wb.sheetnames == SHEETS_ZH
    ws = wb["重点项目清单"]
    header, rows = _sheet_rows(ws)
    assert header == ["序号", "重点项目", "建设目标", "备注"]
    assert [r["重点项目"] for r in rows[:-1]] == ["推进院前医疗急救网络建设", "推进发热门诊（诊室）建设",
                                                "加强采供血服务能力建设", "推进医疗卫生次中心建设"]
    assert rows[-1]["序号"] == "合计" and "总投资2,150万元" in rows[-1]["备注"]
    assert ws["A1"].value == "《示范县规划》重点项目清单"


def test_xlsx_per_site_list(xlsx):
    plan, summary, wb = xlsx
    header, rows = _sheet_rows(wb["附表1 项目明细"])
    assert tuple(header) == project_columns("zh")
    projects, total = rows[:-1], rows[-1]
    assert len(projects) == len(plan.items)
    assert total["序号"] == "合计" and total["总投资(万元)"] == pytest.approx(plan.spent_wan)
    assert sum(r["总投资(万元)"] for r in projects) == pytest.approx(plan.spent_wan)
    assert [r["序号"] for r in projects] == list(range(1, len(projects) + 1))
    assert wb["附表1 项目明细"]["A1"].value == "附表1\u3000重点项目明细表（按站点）"


def test_xlsx_print_setup(xlsx):
    plan, summary, wb = xlsx
    for ws in wb:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$3"
        assert ws.freeze_panes == "A4"
        assert "&P" in ws.oddFooter.center.text
    assert wb["附表1 项目明细"].page_setup.orientation == "landscape"
    assert wb["重点项目清单"].page_setup.orientation == "portrait"


def test_xlsx_notes_span_the_table_and_rows_fit_their_lines(xlsx):
    plan, summary, wb = xlsx
    for ws in wb:
        notes = [c for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("注")]
        assert notes, ws.title
        merged = {str(m) for m in ws.merged_cells.ranges}
        last = get_column_letter(ws.max_column)
        for c in notes:  # a long unmerged note would set the printed width and shrink the table to fit it
            assert f"A{c.row}:{last}{c.row}" in merged, (ws.title, c.row)
            assert c.alignment.wrap_text and ws.row_dimensions[c.row].height >= 12
    ws = wb["附表1 项目明细"]
    heads = [c.value for c in ws[3]]
    basis = heads.index("依据") + 1
    for r in range(4, 4 + len(plan.items)):
        text = ws.cell(row=r, column=basis).value
        if isinstance(text, str) and len(text) > 40:  # wraps in its column: the row is taller than one line
            assert ws.row_dimensions[r].height >= 2 * 13.5, (r, text)


def test_xlsx_standards_equal_summary_json_without_codes(xlsx):
    plan, summary, wb = xlsx
    header, rows = _sheet_rows(wb["附表3 标准达标情况"])
    assert "代码" not in header and "Code" not in header
    assert len(rows) == len(summary["standards"])
    for r, s in zip(rows, summary["standards"], strict=True):
        assert (r["要求"], r["现有"], r["规划后"], r["缺口"]) == (s["required"], s["existing"], s["planned"],
                                                            s["shortfall"])
        assert r["是否达标"] == ("达标" if s["met"] else "未达标")
    ws = wb["附表3 标准达标情况"]
    share_row = next(i for i, s in enumerate(summary["standards"]) if s["unit"] == "share")
    assert ws.cell(row=4 + share_row, column=3).number_format == "0.0%"  # shares print as percentages


def test_xlsx_township_sheet_has_no_id_column(xlsx):
    plan, summary, wb = xlsx
    header, rows = _sheet_rows(wb["附表4 乡镇覆盖情况"])
    assert "乡镇编码" not in header and header[0] == "乡镇"
    tc = plan.township_coverage
    col = "固定采血点覆盖规划后(人)"
    names = {"T1": "花桥镇", "T2": "石笋镇"}
    body = {r["乡镇"]: r for r in rows[:-1]}
    for tid, name in names.items():
        assert body[name][col] == pytest.approx(tc.loc[tid, "blood_after"])
    assert rows[-1][col] == pytest.approx(tc["blood_after"].sum())


def test_footnotes_explain_figures_cite_sources_and_flag_assumptions(xlsx):
    plan, summary, wb = xlsx
    notes = "\n".join(c.value for c in wb["附表1 项目明细"]["A"] if isinstance(c.value, str) and c.value.startswith("注"))
    assert "按本表顺序逐项计算" in notes  # how the additive figures are computed
    assert "假设值" in notes and "发热诊室单位造价未设定" in notes
    assert "重庆市秀山县2020年采购" in notes  # unit-cost source of ordinary ambulances, in Chinese
    assert not re.search(r"[A-Za-z]{3,}", notes)
    assert "请核实）；" not in notes  # the lead-in says it once; the listed defaults do not repeat it


def test_split_funding_and_units_print_one_per_line(tmp_path):
    report = ReportConfig(county="示范县", funding={"ambulance": [{"source": "provincial_subsidy", "share": 0.5},
                                                                   {"source": "county_budget", "share": 0.5}]},
                          responsible={"ambulance": {"lead": "emergency_centre",
                                                     "co": ["health_commission", "finance_bureau"]}})
    inst = make_instance()
    plan = make_plan(inst)
    summary = summary_dict(inst, plan, timings={}, scenario_name="t", opt=OPT, report=report)
    tables = appendix_tables(inst, plan, summary, report=report, opt=OPT, title="示范县规划")
    path = appendix_to_docx(tmp_path / "appendix.docx", tables, title="示范县规划", timestamp=STAMP)
    row = Document(path).tables[1].rows[1].cells  # project 1: the ambulances at S3 (95万元)
    assert row[6].text == "省级补助资金47.5万元\n县级财政资金47.5万元"
    assert row[8].text == "县急救中心、\n县卫生健康局、\n县财政局"


def test_docx_is_a4_with_official_margins_and_landscape_tables(docx):
    plan, summary, tables, doc, path = docx
    assert len(doc.sections) == len(tables)
    for s, t in zip(doc.sections, tables, strict=True):
        w, h = round(s.page_width.cm, 1), round(s.page_height.cm, 1)
        assert {w, h} == {21.0, 29.7}
        assert (s.orientation == WD_ORIENT.LANDSCAPE) == t.wide == (w > h)
    first = doc.sections[0]
    assert (round(first.top_margin.cm, 1), round(first.bottom_margin.cm, 1), round(first.left_margin.cm, 1),
            round(first.right_margin.cm, 1)) == (3.7, 3.5, 2.8, 2.6)  # GB/T 9704-2012
    assert tables[1].wide and not tables[0].wide


def test_docx_tables_fonts_widths_headers_and_page_numbers(docx):
    plan, summary, tables, doc, path = docx
    assert len(doc.tables) == 5
    proj = doc.tables[1]
    assert tuple(c.text for c in proj.rows[0].cells) == project_columns("zh")
    assert len(proj.rows) == 1 + len(plan.items) + 1
    assert proj.rows[-1].cells[0].text == "合计" and proj.rows[-1].cells[5].text == "2,150"
    tbl = proj._tbl
    assert tbl.find(qn("w:tblPr")).find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    widths = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid"))]
    text_width = (29.7 - 2.5 - 2.5) / 2.54 * 1440
    assert sum(widths) == pytest.approx(text_width, rel=0.01) and widths[-1] == max(widths)  # 依据 widest
    header_tr = tbl.findall(qn("w:tr"))[0]
    assert header_tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None  # repeated on every page
    fonts = {r.get(qn("w:eastAsia")) for r in tbl.iter(qn("w:rFonts"))}
    assert fonts == {FONT_BODY, FONT_HEADING}
    with zipfile.ZipFile(path) as z:
        footer = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
        font_table = z.read("word/fontTable.xml").decode()
    assert "PAGE" in footer and "— " in footer
    assert 'w:name="仿宋_GB2312"' in font_table and 'w:altName w:val="仿宋"' in font_table
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.startswith("附件") and "《示范县规划》重点项目清单" in text and "附表1\u3000重点项目明细表（按站点）" in text
    assert "→" in doc.tables[4].rows[1].cells[2].text  # township shares before → after
    assert doc.core_properties.created.year == 2026


def _keeps(row) -> bool:
    """Whether every cell paragraph of a table row asks to be kept with the next row."""
    ps = row._tr.findall(".//" + qn("w:pPr"))
    return bool(ps) and all(p.find(qn("w:keepNext")) is not None for p in ps)


def test_docx_total_row_never_alone_on_a_page(docx):
    """Widow control: the last TAIL_ROWS_KEPT rows keep with the closing total, and no other data row does."""
    plan, summary, tables, doc, path = docx
    checked = 0
    for tbl, t in zip(doc.tables, tables, strict=True):
        n = len(t.data)
        if n == 0 or (n - 1) not in t.total_rows:
            continue
        keeps = [_keeps(r) for r in tbl.rows[1:]]  # data rows, the header excluded
        tail = list(range(max(n - 1 - TAIL_ROWS_KEPT, 0), n - 1))
        assert [i for i, k in enumerate(keeps) if k and i not in t.section_rows] == tail
        assert not keeps[-1]  # the total itself ends the chain
        checked += 1
    assert checked >= 2  # the per-site list and the township table close with 合计


def test_docx_group_heading_keeps_with_its_first_row(tmp_path):
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["item_id"] == "blood-C1-2025", "origin"] = "committed"
    _, _, _, tables = _tables(plan=replace(plan, items=items))
    doc = Document(appendix_to_docx(tmp_path / "a.docx", tables))
    rows = doc.tables[1].rows[1:]
    for i in tables[1].section_rows:
        assert _keeps(rows[i])


def test_docx_standards_shares_as_percentages(docx):
    plan, summary, tables, doc, path = docx
    std = doc.tables[3]
    rows = [[c.text for c in r.cells] for r in std.rows[1:]]
    share = next(r for r, s in zip(rows, summary["standards"], strict=True) if s["unit"] == "share")
    assert share[2] == "40.0%" and share[3] == "20.0%"
    assert [r[0] for r in rows] == [s.get("label_zh") or r[0] for r, s in zip(rows, summary["standards"],
                                                                               strict=True)]


def test_committed_projects_are_a_group_apart(tmp_path):
    inst = make_instance()
    plan = make_plan(inst)
    items = plan.items.copy()
    items.loc[items["item_id"] == "blood-C1-2025", "origin"] = "committed"
    plan = replace(plan, items=items)
    _, _, _, tables = _tables(plan=plan)
    per_site = tables[1]
    first = per_site.data.iloc[:, 0].tolist()
    assert first[0] == "一、续建（已批）项目" and 0 in per_site.section_rows
    assert "二、规划新增项目" in first and first.count("小计") == 2 and first[-1] == "合计"
    doc = Document(appendix_to_docx(tmp_path / "a.docx", tables))
    cell = doc.tables[1].rows[1]._tr.find(qn("w:tc"))
    assert cell.find(qn("w:tcPr")).find(qn("w:gridSpan")).get(qn("w:val")) == "10"  # heading across the table
    wb = load_workbook(appendix_to_xlsx(tmp_path / "a.xlsx", tables))
    assert "A4:J4" in {str(r) for r in wb["附表1 项目明细"].merged_cells.ranges}
    assert "另有续建（已批）项目投资80万元" in tables[0].data.iloc[-1, 3]


def test_english_documents(tmp_path):
    inst, plan, summary, tables = _tables(lang="en")
    x = load_workbook(appendix_to_xlsx(tmp_path / "a.xlsx", tables, lang="en"))
    assert x.sheetnames[0] == "Key projects"
    header, rows = _sheet_rows(x["Annex 1 Projects"])
    assert tuple(header) == project_columns("en")
    assert rows[-1]["No."] == "Total" and rows[-1]["Investment (10k CNY)"] == pytest.approx(plan.spent_wan)
    d = Document(appendix_to_docx(tmp_path / "a.docx", tables, lang="en"))
    assert tuple(c.text for c in d.tables[1].rows[0].cells) == project_columns("en")


def test_baseline_has_empty_lists_and_filled_standards(tmp_path):
    inst, plan, summary, tables = _tables(baseline=True)
    wb = load_workbook(appendix_to_xlsx(tmp_path / "a.xlsx", tables))
    header, rows = _sheet_rows(wb["附表1 项目明细"])
    assert tuple(header) == project_columns("zh")
    assert len(rows) == 1 and rows[0]["序号"] == "合计" and rows[0]["总投资(万元)"] == 0
    _, std = _sheet_rows(wb["附表3 标准达标情况"])
    assert len(std) == len(plan.standards) > 0
    doc = Document(appendix_to_docx(tmp_path / "a.docx", tables))
    assert len(doc.tables[1].rows) == 2
    assert any("未新增项目" in n for n in tables[0].notes)


def test_time_limited_run_is_flagged():
    inst, plan, summary, tables = _tables(status=Status.TIME_LIMIT)
    assert any("4.32%" in n and "时间上限" in n for n in tables[1].notes)


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


def test_standards_frame_units_and_percentages():
    inst = make_instance()
    plan = make_plan(inst)
    s = summary_dict(inst, plan, timings={})
    f, cells = standards_frame(s, "zh")
    assert f["单位"].tolist() == ["辆", "比例", "个", "个"]
    assert f["要求"].tolist() == [r["required"] for r in s["standards"]]
    assert cells[(1, "要求")] == "share" and (0, "要求") not in cells
    assert standards_frame(s, "en")[0]["Unit"].tolist() == ["vehicles", "share", "sites", "sites"]


def test_unit_cost_note_cites_default_source_or_scenario():
    inst = make_instance()
    plan = make_plan(inst)
    s = summary_dict(inst, plan, timings={})
    default = cost_notes(s, OptimizerConfig(), "zh")[0]
    assert "普通救护车25万元（C级：单一地方项目；重庆市秀山县2020年采购" in default
    assert "发热诊室50万元（假设值（无来源依据））" in default
    assert "次中心改造升级1,800万元（C级：单一地方项目；湖北省通城县2024年招标" in default
    own = OptimizerConfig.model_validate({"resources": {"ambulance": {"unit_cost_ord_wan": 22},
                                                        "fever": {"room_cost_wan": 45}}})
    text = cost_notes(s, own, "zh")[0]
    assert "普通救护车22万元（情景设定）" in text and "发热诊室45万元（情景设定）" in text
    en = cost_notes(s, own, "en")[0]
    assert "set by the scenario" in en and "Hubei Tongcheng" in en
