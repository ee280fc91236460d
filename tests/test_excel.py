"""XLSX table layers: sheet choice, Chinese headers, merged title rows, Excel row numbers (issue 11 §4)."""

from __future__ import annotations

import openpyxl
import pytest

from healthplan.geodata.config import LayerSpec
from healthplan.geodata.errors import ProblemReport
from healthplan.geodata.readers import read_layer_into
from healthplan.geodata.validate import validate_layer


def bulletin(path, rows, *, title=True, unit=True, first_sheet=None, sheet="表3"):
    """A workbook like a statistics bulletin: a merged title, a unit line, the header, the rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if first_sheet:
        ws.title = first_sheet
        ws.append(["说明：见下一页"])
        ws = wb.create_sheet(sheet)
    else:
        ws.title = sheet
    if title:
        ws.append(["表3  某县各乡镇常住人口"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    if unit:
        ws.append(["单位：人"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_merged_title_and_unit_rows_are_skipped(tmp_path):
    path = bulletin(tmp_path / "人口.xlsx", [["乡镇代码", "乡镇名称", "常住人口", "城镇人口"],
                                             [360121100, "花桥镇", 31750, 9800], ["360121101", "石笋镇", 27300, None]])
    rep = ProblemReport()
    frame = read_layer_into(LayerSpec(path=path), kind="census", report=rep)
    assert not rep.problems
    out = validate_layer(frame, "census", rep)
    assert not rep.problems
    assert out["id"].tolist() == ["360121100", "360121101"]  # a number cell reads as its digits
    assert out["population"].tolist() == [31750, 27300]
    assert out["urban_population"].iloc[0] == 9800 and out["urban_population"].isna().iloc[1]


def test_bad_cell_is_named_by_its_excel_row(tmp_path):
    path = bulletin(tmp_path / "人口.xlsx", [["乡镇名称", "常住人口"], ["花桥镇", 31750], [None, None],
                                             ["石笋镇", "两万"]])
    rep = ProblemReport()
    validate_layer(read_layer_into(LayerSpec(path=path), kind="census", report=rep), "census", rep)
    [err] = rep.errors
    assert err.feature == "row 6" and err.column == "常住人口" and "'两万'" in err.message  # title, unit, header
    assert any("empty row" in w.message and "row 5" in w.message for w in rep.warnings)


def test_sheet_by_name_and_number_and_a_missing_sheet(tmp_path):
    path = bulletin(tmp_path / "机构.xlsx", [["编号", "名称", "级别"], ["H1", "县人民医院", "县人民医院"]],
                    first_sheet="填表说明", sheet="机构名单")
    for sheet in ("机构名单", 2):
        rep = ProblemReport()
        frame = read_layer_into(LayerSpec(path=path, sheet=sheet), kind="sites", report=rep)
        assert not rep.errors and frame["level"].tolist() == ["县人民医院"]
    rep = ProblemReport()
    assert read_layer_into(LayerSpec(path=path, sheet="机构明单"), kind="sites", report=rep) is None
    [err] = rep.errors
    assert "did you mean '机构名单'" in err.message and "填表说明" in err.message and "sheet" in err.fix


def test_explicit_header_row(tmp_path):
    path = bulletin(tmp_path / "t.xlsx", [["a", "b"], ["乡镇", "人数"], ["花桥镇", 5]])
    rep = ProblemReport()
    frame = read_layer_into(LayerSpec(path=path, header_row=4, columns={"name": "乡镇", "population": "人数"}),
                            kind="census", report=rep)
    assert not rep.errors and frame["population"].tolist() == ["5"]


def test_xlsx_points_from_chinese_coordinate_headers(tmp_path):
    path = bulletin(tmp_path / "驻地.xlsx", [["乡镇代码", "乡镇名称", "经度", "纬度"], [1, "花桥镇", 115.9, 28.6]],
                    unit=False)
    rep = ProblemReport()
    frame = read_layer_into(LayerSpec(path=path), kind="township_seats", report=rep)
    assert not rep.errors and frame.geometry.x.iloc[0] == pytest.approx(115.9)


def test_old_xls_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    rep = ProblemReport()
    assert read_layer_into(LayerSpec(path=path), kind="census", report=rep) is None
    assert ".xlsx" in rep.errors[0].fix


def test_a_broken_workbook_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "人口.xlsx"
    path.write_bytes(b"not a zip archive")
    rep = ProblemReport()
    assert read_layer_into(LayerSpec(path=path), kind="census", report=rep) is None
    [err] = rep.errors
    assert err.file == str(path) and "not an intact .xlsx" in err.message and "save it again" in err.fix


def test_census_without_code_or_name_column(tmp_path):
    from healthplan.geodata.census import join_census

    path = bulletin(tmp_path / "人口.xlsx", [["序号", "常住人口"], [1, 100]], title=False, unit=False)
    rep = ProblemReport()
    census = validate_layer(read_layer_into(LayerSpec(path=path), kind="census", report=rep), "census", rep)
    import pandas as pd

    join_census(census, pd.DataFrame({"id": ["1"], "name": ["花桥镇"], "population": [1.0]}), rep)
    assert any("neither a township code nor a township name" in e.message for e in rep.errors)


# --- the same table saved as CSV from the bulletin's workbook: title and unit lines kept above the header ------

@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
@pytest.mark.parametrize("trailing", [",,,", ""])  # Excel's "save as CSV" writes the merged cells' commas
def test_csv_title_and_unit_lines_are_skipped_and_lines_named(tmp_path, encoding, trailing):
    text = (f"表3  某县各乡镇常住人口{trailing}\n单位：人{trailing}\n序号,乡镇名称,常住人口,城镇人口\n"
            "1,花桥镇,31750,9800\n\n2,石笋镇,两万,\n")
    path = tmp_path / "人口.csv"
    path.write_bytes(text.encode(encoding))
    rep = ProblemReport()
    out = validate_layer(read_layer_into(LayerSpec(path=path), kind="census", report=rep), "census", rep)
    [err] = rep.errors
    # line 6: title, unit, header, 花桥镇, a blank line, then 石笋镇 — as a text editor numbers the lines
    assert err.feature == "line 6" and err.column == "常住人口" and "'两万'" in err.message
    assert any("empty row" in w.message and "line 5" in w.message for w in rep.warnings)
    assert out["name"].tolist() == ["花桥镇", "石笋镇"]


def test_csv_header_line_given_and_a_plain_csv_unchanged(tmp_path):
    path = tmp_path / "人口.csv"
    path.write_text("某县人口,,\n,,\nA,B,C\n花桥镇,31750,1\n", encoding="utf-8")
    rep = ProblemReport()
    spec = LayerSpec(path=path, header_row=3, columns={"name": "A", "population": "B"})
    out = validate_layer(read_layer_into(spec, kind="census", report=rep), "census", rep)
    assert not rep.errors and out["population"].tolist() == [31750]
    plain = tmp_path / "plain.csv"
    plain.write_text("乡镇名称,常住人口\n花桥镇,x\n", encoding="utf-8")
    rep = ProblemReport()
    validate_layer(read_layer_into(LayerSpec(path=plain), kind="census", report=rep), "census", rep)
    assert rep.errors[0].feature == "line 2"
