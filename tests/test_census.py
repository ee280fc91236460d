"""Township census tables joined by code or normalised name; every mismatch listed at once (issue 11 §3)."""

from __future__ import annotations

import pandas as pd
import pytest

from healthplan.geodata.census import join_census, match_census, name_stem, normalise_code, normalise_name
from healthplan.geodata.errors import ProblemReport


def frame(rows, file):
    out = pd.DataFrame(rows, columns=["id", "name", "population", "urban_population"][: len(rows[0])])
    for col in ("population", "urban_population"):
        if col not in out:
            out[col] = float("nan")
    out.attrs = {"file": file, "row_label": "row", "row_offset": 4,
                 "columns": {"name": "乡镇（街道）", "population": "常住人口", "urban_population": "城镇人口"}}
    return out


@pytest.mark.parametrize(("raw", "name", "stem"), [
    ("城关镇", "城关镇", "城关"), ("花桥", "花桥", "花桥"), ("石\u3000笋镇", "石笋镇", "石笋"),
    ("城关街道办事处", "城关街道办事处", "城关"), ("白马畲族乡", "白马畲族乡", "白马畲族"),
    ("ＡＢ镇", "AB镇", "AB"), ("东华民族乡", "东华民族乡", "东华"), ("镇", "镇", "镇"),
])
def test_name_normalisation(raw, name, stem):
    assert normalise_name(raw) == name and name_stem(raw) == stem


def test_code_normalisation():
    assert normalise_code("360121100000") == "360121100"  # 12-digit 统计用区划代码
    assert normalise_code(" ３６０１２１１００ ") == "360121100"
    assert normalise_code(None) == ""


def test_three_rounds_code_name_stem():
    townships = pd.DataFrame({"id": ["360121001", "360121100", "360121101", "360121102"],
                              "name": ["城关街道", "花桥镇", "石笋镇", "悦来镇"]})
    census = pd.DataFrame({"id": ["", "360121100000", "", ""],
                           "name": ["悦来镇", "花桥", "石 笋", "城关街道办事处"]})
    assert match_census(census, townships).tolist() == [3, 1, 2, 0]


def test_ambiguous_stem_is_not_guessed():
    townships = pd.DataFrame({"id": ["1", "2"], "name": ["城关镇", "城关街道"]})
    census = pd.DataFrame({"id": ["", ""], "name": ["城关", "花桥"]})
    assert match_census(census, townships).tolist() == [-1, -1]  # 城关 could be either
    census = pd.DataFrame({"id": ["", ""], "name": ["城关", "城关街道"]})
    assert match_census(census, townships).tolist() == [0, 1]  # once 城关街道 is taken, 城关 can only be 城关镇


def test_every_mismatch_listed_at_once_with_nearest_names():
    townships = frame([["360121100", "花桥镇"], ["360121101", "石笋镇"], ["360121102", "悦来镇"],
                       ["360121103", "恒升镇"]], "驻地.xlsx")
    census = frame([["", "花桥镇", 31750, 9800], ["", "石筍镇", 27300, 6100], ["", "悦莱镇", 24100, 5400],
                    ["", "合计", 83150, 21300]], "人口.xlsx")
    rep = ProblemReport()
    out = join_census(census, townships, rep)
    errors = rep.errors
    by_file = {f: [e for e in errors if e.file == f] for f in ("人口.xlsx", "驻地.xlsx")}
    assert len(by_file["人口.xlsx"]) == 2 and len(by_file["驻地.xlsx"]) == 3
    first = by_file["人口.xlsx"][0]
    assert first.feature == "row 5" and first.column == "乡镇（街道）"
    assert "石筍镇" in first.message and "nearest:" in first.message and "石笋镇 (360121101)" in first.message
    assert any("恒升镇 (360121103) has no row" in e.message for e in by_file["驻地.xlsx"])
    assert any("total row" in w.message and "合计" in w.message for w in rep.warnings)
    assert out["population"].iloc[0] == 31750 and out["urban_population"].iloc[0] == 9800


def test_urban_above_resident_and_own_population_differs():
    townships = frame([["1", "花桥镇", 30000]], "t.gpkg")
    census = frame([["1", "花桥镇", 31750, 40000]], "c.xlsx")
    rep = ProblemReport()
    out = join_census(census, townships, rep)
    assert any("城镇人口" in e.message for e in rep.errors)
    assert any("differs from the census" in w.message for w in rep.warnings)
    assert out["population"].iloc[0] == 31750


# --- bulletins that count in 万人 ------------------------------------------------------------------------------

def _wan_table(tmp_path, unit_line, header="常住人口", suffix=".xlsx"):
    rows = [["乡镇名称", header, "城镇人口"], ["花桥镇", 3.175, 0.98], ["石笋镇", 2.73, None]]
    if suffix == ".xlsx":
        return _with_unit(tmp_path, rows, unit_line)
    path = tmp_path / "人口.csv"
    lines = ([] if unit_line is None else [f"{unit_line},,"]) + [",".join(map(str, r)).replace("None", "")
                                                                  for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _with_unit(tmp_path, rows, unit_line):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["表3  某县各乡镇常住人口"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    if unit_line is not None:
        ws.append([unit_line])
    for row in rows:
        ws.append(row)
    path = tmp_path / "人口.xlsx"
    wb.save(path)
    return path


def _joined(path, columns=None):
    from healthplan.geodata.config import LayerSpec
    from healthplan.geodata.readers import read_layer_into
    from healthplan.geodata.validate import validate_layer

    rep = ProblemReport()
    census = read_layer_into(LayerSpec(path=path, columns=columns or {}), kind="census", report=rep)
    if census is None:  # refused on reading
        return None, rep
    census = validate_layer(census, "census", rep)
    towns = pd.DataFrame({"id": ["1", "2"], "name": ["花桥镇", "石笋镇"]})
    return join_census(census, towns, rep), rep


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_census_in_wan_ren_by_its_unit_line(tmp_path, suffix):
    out, rep = _joined(_wan_table(tmp_path, "单位：万人", suffix=suffix))
    assert not rep.errors
    assert out["population"].tolist() == [31_750, 27_300] and out["urban_population"].iloc[0] == 9_800
    assert any("万人" in w.message and "10,000" in w.message for w in rep.warnings)


def test_census_in_wan_ren_by_its_header(tmp_path):
    out, rep = _joined(_wan_table(tmp_path, None, header="常住人口（万人）"), columns={"population": "常住人口（万人）"})
    assert not rep.errors and out["population"].tolist() == [31_750, 27_300]


def test_census_with_decimals_and_no_unit_is_an_error(tmp_path):
    _out, rep = _joined(_wan_table(tmp_path, "单位：人"))  # a unit line that is wrong
    [err] = rep.errors
    assert "look like 万人" in err.message and "单位：万人" in err.fix and err.file.endswith("人口.xlsx")
