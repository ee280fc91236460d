"""Error messages a planner meets, through the real CLI: Chinese by default, English with ``--lang en``.

Each class of message (scenario validation, YAML syntax, extends, input columns and values, ids, coordinates,
missing files, OD matrix, unreachable points) is checked in both languages: exit code 2, the file, the row or
feature, the value found and the fix are named, only the chosen language's header is printed, and nothing is
written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from healthplan.scenarios.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def _csv_case(folder: Path, demand: str, sites: str = "id,level\nS1,thc\n",
              od: str = "site_id,demand_id,minutes\nS1,V1,10\n", extra: str = "") -> Path:
    (folder / "demand.csv").write_text(demand, encoding="utf-8")
    (folder / "sites.csv").write_text(sites, encoding="utf-8")
    (folder / "od.csv").write_text(od, encoding="utf-8")
    scen = folder / "s.yaml"
    scen.write_text("inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\nbudget_wan: 100\n"
                    "resources:\n  blood: {enabled: true, unit_cost_wan: 10}\n  ambulance: {enabled: false}\n"
                    "  fever: {enabled: false}\n  subcentre: {enabled: false}\n" + extra, encoding="utf-8")
    return scen


def _run_fails(scen: Path, lang: list[str], capsys, tmp_path: Path) -> str:
    out = tmp_path / "out"
    code, text = _cli(["run", str(scen), "--out", str(out), *lang], capsys)
    assert code == 2, text
    assert not out.exists(), "nothing may be written when the inputs are wrong"
    assert "Traceback" not in text
    return text


# --- scenario validation (pydantic error types) ---------------------------------------------------------------


def _bad_scenario(tmp_path: Path) -> Path:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {DEMO}\nbudget_wan: -5\nfoo: 1\nbudgt_wan: 3\nsolver: {{name: gurobi}}\n"
                   "plan_year: 2025.5\n", encoding="utf-8")
    return bad


def test_scenario_problems_in_chinese_by_default(tmp_path, capsys):
    code, text = _cli(["check", str(_bad_scenario(tmp_path))], capsys)
    assert code == 2
    assert "错误" in text and "error" not in text.lower().replace("bad.yaml", "")
    assert "bad.yaml：情景文件中有 5 个问题：" in text
    assert "budget_wan：应不小于 0（实际为 -5）" in text
    assert "solver.name：应为以下之一：'highs' 或 'cbc'（实际为 'gurobi'）" in text
    assert "plan_year：应为整数，不能带小数（实际为 2025.5）" in text
    assert "未知的键 'budgt_wan'——是否想写 'budget_wan'？" in text
    assert "未知的键 'foo'——此处允许的键：resources, budget_wan" in text
    assert "source_path" not in text  # set by the loader, never a key a planner writes


def test_scenario_problems_in_english_with_lang_en(tmp_path, capsys):
    code, text = _cli(["check", str(_bad_scenario(tmp_path)), "--lang", "en"], capsys)
    assert code == 2
    assert "错误" not in text and "情景" not in text
    assert "bad.yaml: 5 problems in the scenario:" in text
    assert "budget_wan: Input should be greater than or equal to 0 (got -5)" in text
    assert "unknown key 'budgt_wan' — did you mean 'budget_wan'?" in text
    assert "unknown key 'foo' — allowed here: resources, budget_wan" in text


def test_scenario_problems_of_run_write_nothing(tmp_path, capsys):
    text = _run_fails(_bad_scenario(tmp_path), ["--lang=en"], capsys, tmp_path)
    assert text.splitlines()[0] == "error"
    text = _run_fails(_bad_scenario(tmp_path), [], capsys, tmp_path)
    assert text.splitlines()[0] == "错误"


def test_unknown_pydantic_type_falls_back_to_its_english_text():
    from healthplan.scenarios.validation_text import pydantic_text

    err = {"type": "some_new_type", "msg": "Input is odd", "ctx": {}}
    assert pydantic_text(err).zh == pydantic_text(err).en == "Input is odd"
    err = {"type": "greater_than", "msg": "Input should be greater than 0", "ctx": {"gt": 0.0}}
    assert pydantic_text(err).zh == "应大于 0"


# --- scenario files: YAML syntax, extends ---------------------------------------------------------------------


@pytest.mark.parametrize("lang,expected", [
    ([], "broken.yaml：不是有效的 YAML（第 3 行，第 1 列）："),
    (["--lang", "en"], "broken.yaml: not valid YAML at line 3, column 1: "),
])
def test_yaml_syntax_error_names_the_line(tmp_path, capsys, lang, expected):
    bad = tmp_path / "broken.yaml"
    bad.write_text("budget_wan: 100\nresources: {blood: [\n", encoding="utf-8")
    code, text = _cli(["check", str(bad), *lang], capsys)
    assert code == 2
    assert expected in text
    assert ("修改：检查缩进和冒号" if not lang else "fix: check indentation and colons") in text


@pytest.mark.parametrize("lang,expected", [
    ([], "'extends: nowhere.yaml' 指向的文件不存在"),
    (["--lang", "en"], "'extends: nowhere.yaml' names a file that does not exist"),
])
def test_extends_of_a_missing_file(tmp_path, capsys, lang, expected):
    bad = tmp_path / "child.yaml"
    bad.write_text("extends: nowhere.yaml\n", encoding="utf-8")
    code, text = _cli(["check", str(bad), *lang], capsys)
    assert code == 2 and expected in text


@pytest.mark.parametrize("lang,expected", [
    ([], "同一映射中有一个键写了两次：'budget_wan'（第 1 行和第 2 行）"),
    (["--lang", "en"], "a key is written twice in the same mapping: 'budget_wan' (lines 1 and 2)"),
])
def test_duplicate_yaml_key(tmp_path, capsys, lang, expected):
    bad = tmp_path / "dup.yaml"
    bad.write_text("budget_wan: 1\nbudget_wan: 2\n", encoding="utf-8")
    code, text = _cli(["check", str(bad), *lang], capsys)
    assert code == 2 and expected in text


# --- input files ----------------------------------------------------------------------------------------------


def test_bad_values_and_duplicate_ids_in_chinese(tmp_path, capsys):
    scen = _csv_case(tmp_path, "id,population,urban\nV1,-5,0\nV2,abc,1\nV2,10,1\n")
    text = _run_fails(scen, [], capsys, tmp_path)
    assert text.splitlines()[0] == "输入错误"
    assert "input error" not in text
    assert "demand.csv，编号 'V1'，列 'population'：population（人）为负数：-5——修改：更正列 'population'" in text
    assert "编号 'V2'，列 'population'：population（人）不是数字：'abc'——修改：在列 'population' 中填写纯数字" in text
    assert "编号重复：出现 2 次（第 3 行、第 4 行）——修改：使列 'id' 中的编号互不相同" in text


def test_bad_values_and_duplicate_ids_in_english(tmp_path, capsys):
    scen = _csv_case(tmp_path, "id,population,urban\nV1,-5,0\nV2,abc,1\nV2,10,1\n")
    text = _run_fails(scen, ["--lang", "en"], capsys, tmp_path)
    assert text.splitlines()[0] == "input error"
    assert "输入" not in text and "修改" not in text
    assert ("demand.csv, feature 'V1', column 'population': population (persons) is negative: -5 — fix: "
            "correct column 'population'") in text
    assert "population (persons) is not a number: 'abc'" in text
    assert "duplicate id: it appears 2 times (line 3, line 4)" in text


@pytest.mark.parametrize("lang,expected,fix", [
    ([], "需求点图层没有 'population' 列（也可用列名：人口、常住人口）；现有列：id, 人数",
     "修改：添加该列，或在情景文件中映射：inputs.demand.columns: {population: <文件中的列名>}"),
    (["--lang", "en"], "the demand layer has no 'population' column (resident population); columns present: id, 人数",
     "fix: add the column, or map it in the scenario: inputs.demand.columns: {population: <column in the file>}"),
])
def test_missing_column(tmp_path, capsys, lang, expected, fix):
    scen = _csv_case(tmp_path, "id,人数\nV1,5\n")
    text = _run_fails(scen, lang, capsys, tmp_path)
    assert expected in text and fix in text


@pytest.mark.parametrize("lang,expected", [
    ([], "需求点文件不存在——修改：检查情景文件中的 inputs.demand.path"),
    (["--lang", "en"], "the demand file does not exist — fix: check inputs.demand.path in the scenario"),
])
def test_missing_input_file(tmp_path, capsys, lang, expected):
    scen = _csv_case(tmp_path, "id,population\nV1,5\n")
    (tmp_path / "demand.csv").unlink()
    text = _run_fails(scen, lang, capsys, tmp_path)
    assert "demand.csv" in text and expected in text


@pytest.mark.parametrize("lang,expected", [
    ([], "纬度 116.4000 超出 ±90°，而所有经度都在 ±90° 以内：经度和纬度似乎写反了——修改：交换两个坐标列"),
    (["--lang", "en"], "latitude 116.4000 is beyond ±90° while every longitude is within ±90°: longitude and "
                       "latitude look swapped — fix: swap the two coordinate columns"),
])
def test_swapped_lon_lat(tmp_path, capsys, lang, expected):
    scen = _csv_case(tmp_path, "id,population,lon,lat\nV1,5,39.9,116.4\n",
                     sites="id,level,lon,lat\nS1,thc,116.4,39.9\n")
    text = _run_fails(scen, lang, capsys, tmp_path)
    assert "demand.csv" in text and expected in text
    assert ("编号 'V1'" if not lang else "feature 'V1'") in text


@pytest.mark.parametrize("lang,expected", [
    ([], "坐标超出经纬度范围（例如 500000.0, 4400000.0），而图层的坐标系是 EPSG:4326：它们像是投影坐标（米）"
         "——修改：将 inputs.demand.crs 设为文件的真实坐标系（投影坐标系，例如 'EPSG:4547'）"),
    (["--lang", "en"], "coordinates are outside lon/lat range (e.g. 500000.0, 4400000.0) although the layer's CRS "
                       "is EPSG:4326: they look projected — fix: set inputs.demand.crs to the file's real CRS"),
])
def test_metres_in_a_lonlat_layer(tmp_path, capsys, lang, expected):
    scen = _csv_case(tmp_path, "id,population,lon,lat\nV1,5,500000,4400000\n",
                     sites="id,level,lon,lat\nS1,thc,116.4,39.9\n")
    text = _run_fails(scen, lang, capsys, tmp_path)
    assert expected in text


@pytest.mark.parametrize("lang,expected", [
    ([], ["od.csv，第 3 行，列 'minutes'：分钟数不是数字：'x'",
          "od.csv，编号 'V9'，列 'demand_id'：未知的需求点编号（出现在 1 行，第一处 第 3 行）"]),
    (["--lang", "en"], ["od.csv, feature 'line 3', column 'minutes': minutes is not a number: 'x'",
                        "od.csv, feature 'V9', column 'demand_id': unknown demand id (in 1 rows, first line 3)"]),
])
def test_od_matrix_problems(tmp_path, capsys, lang, expected):
    scen = _csv_case(tmp_path, "id,population\nV1,5\n", od="site_id,demand_id,minutes\nS1,V1,10\nS1,V9,x\n")
    text = _run_fails(scen, lang, capsys, tmp_path)
    for line in expected:
        assert line in text


@pytest.mark.parametrize("lang,expected", [
    ([], "demand.csv，编号 'V2'：需求点 V2 从任何站点都无法到达：OD 矩阵"),
    (["--lang", "en"], "demand.csv, feature 'V2': demand point V2 cannot be reached from any site: the OD matrix"),
])
def test_demand_no_od_pair_reaches(tmp_path, capsys, lang, expected):
    scen = _csv_case(tmp_path, "id,population\nV1,5\nV2,7\n")
    text = _run_fails(scen, lang, capsys, tmp_path)
    assert expected in text
    assert ("为它添加 OD 点对，或删除该点" if not lang else "add OD pairs for it or remove the point") in text


def test_check_prints_problems_in_the_chosen_language(tmp_path, capsys):
    scen = _csv_case(tmp_path, "id,population\nV1,-5\n")
    code, text = _cli(["check", str(scen)], capsys)
    assert code == 2
    assert "错误：" in text and "population（人）为负数：-5" in text and "检查未通过" in text
    code, text = _cli(["check", str(scen), "--lang", "en"], capsys)
    assert code == 2
    assert "error: " in text and "population (persons) is negative: -5" in text and "check failed" in text
    assert "为负数" not in text


def test_scenario_report_lang_chooses_the_language_of_input_errors(tmp_path, capsys):
    scen = _csv_case(tmp_path, "id,population\nV1,-5\n", extra="report: {lang: en}\n")
    text = _run_fails(scen, [], capsys, tmp_path)
    assert text.splitlines()[0] == "input error" and "is negative: -5" in text


def test_real_subprocess_prints_chinese_without_traceback(tmp_path):
    scen = _csv_case(tmp_path, "id,population\nV1,-5\n")
    proc = subprocess.run([sys.executable, "-m", "healthplan", "run", str(scen), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, cwd=ROOT, check=False, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == "输入错误"
    assert "population（人）为负数：-5" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_problems_keep_both_languages_through_pickling():
    import pickle

    from healthplan.geodata.errors import InputError, ProblemReport
    from healthplan.geodata.messages import say

    rep = ProblemReport()
    rep.error("d.csv", say("id.missing"), say("id.missing.fix", name="id"), feature="line 3", column="id")
    err = pickle.loads(pickle.dumps(InputError(rep)))
    assert err.render("zh") == "错误：d.csv，第 3 行，列 'id'：编号为空——修改：在列 'id' 中为每一行填写唯一的编号"
    assert err.render("en") == str(err) == ("error: d.csv, feature 'line 3', column 'id': the id is missing — fix: "
                                            "give every row a unique id in column 'id'")
