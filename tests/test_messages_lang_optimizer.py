"""The optimizer's explanations and the remaining input checks in the planner's language, through the real
CLI: Chinese by default, English with ``--lang en``; exit code 2 and nothing written.

Infeasible budgets name the standard by its registered Chinese label (never its internal key), how far short
the money is and the least budget that meets every hard standard; named decisions, road layers and census
tables that do not join are explained in both languages as well.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from test_messages_lang import _cli
from test_messages_lang import _run_fails as _fails
from test_opt_helpers import make, only


ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "demo.yaml"
OFF = "  ambulance: {enabled: false}\n  fever: {enabled: false}\n  subcentre: {enabled: false}\n"
EN = ["--lang", "en"]


def _county(folder: Path, scenario: str, **files: str) -> Path:
    """Two villages, one site, an OD matrix, and whatever else the case needs; the scenario's file."""
    base = {"demand.csv": "id,population,lon,lat\nV1,500,116.40,39.90\nV2,700,116.45,39.95\n",
            "sites.csv": "id,level,lon,lat\nS1,thc,116.41,39.91\n",
            "od.csv": "site_id,demand_id,minutes\nS1,V1,10\nS1,V2,12\n"}
    for name, text in {**base, **{k.replace("_", "."): v for k, v in files.items()}}.items():
        (folder / name).write_text(text, encoding="utf-8")
    scen = folder / "s.yaml"
    scen.write_text(scenario, encoding="utf-8")
    return scen


# --- infeasible budgets -------------------------------------------------------------------------------------


def _too_little_money(folder: Path) -> Path:
    return _county(folder, "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
                   "budget_wan: 5\nresources:\n  blood: {enabled: true, unit_cost_wan: 10, min_points: 1, "
                   "min_points_rule: {mode: hard}}\n" + OFF)


def test_infeasible_budget_in_chinese(tmp_path, capsys):
    text = _fails(_too_little_money(tmp_path), [], capsys, tmp_path)
    assert text.splitlines()[0] == "错误"
    assert ("方案不可行：规定的固定采血点（硬性标准「固定采血点数量」）需投资 10万元，超过预算 5万元，差 5万元；"
            "满足全部硬性标准的最低预算为 10万元") in text
    assert "blood_min_points" not in text and "infeasible" not in text


def test_infeasible_budget_in_english(tmp_path, capsys):
    text = _fails(_too_little_money(tmp_path), EN, capsys, tmp_path)
    assert text.splitlines()[0] == "error"
    assert ("infeasible: the required blood points cost 10万元 > budget 5万元 (blood_min_points 10万元; hard "
            "standards); the least budget meeting every hard standard is 10万元") in text
    assert "方案" not in text and "标准" not in text


def test_the_demo_with_a_budget_too_small_for_its_blood_points(tmp_path, capsys):
    scen = tmp_path / "poor.yaml"
    scen.write_text(f"extends: {DEMO}\nbudget_wan: 100\n"
                    "resources: {blood: {min_points_rule: {mode: hard}, min_points: 9}}\n", encoding="utf-8")
    text = _fails(scen, [], capsys, tmp_path)
    assert "方案不可行：规定的固定采血点（硬性标准「固定采血点数量」）需投资 720万元，超过预算 100万元，差 620万元" in text
    assert "满足全部硬性标准的最低预算为 16,575万元" in text
    assert "blood_min_points" not in text


def test_structural_limit_in_both_languages():
    from healthplan.optimizer import InfeasibleError, optimize
    from healthplan.optimizer.config import StandardRule

    inst = make([100_000], [[5.0]], ["thc"], station_capacity=[3])
    cfg = only("ambulance", budget=10_000, busy_fraction=0.2, fleet=StandardRule(mode="hard"),
               np_share_rule=StandardRule(mode="off"))
    with pytest.raises(InfeasibleError) as err:
        optimize(inst, cfg)
    assert err.value.render("zh") == ("方案不可行：「救护车配置数量」标准需要 10 辆救护车，但符合条件的急救站点最多只能容纳 3 辆"
                                      "（现有 0 辆 + 剩余容量 3 辆）——修改：提高 station_capacity，或允许更多站点级别设急救站")
    assert err.value.render("en") == str(err.value) == (
        "infeasible: the fleet standard needs 10 vehicles but the eligible stations hold at most 3 "
        "(existing 0 + free capacity 3); raise station_capacity or allow more station levels")


def test_standard_out_of_reach_at_any_budget_in_both_languages():
    from healthplan.optimizer import InfeasibleError, min_budget
    from healthplan.optimizer.config import EquityConfig, StandardRule

    inst = make([100, 100], [[5.0, float("inf")]], ["candidate"], township=["A", "B"])
    cfg = only("blood", unit_cost_wan=10).model_copy(
        update={"equity": EquityConfig(theta=0.5, kinds=["blood"], rule=StandardRule(mode="hard"))})
    with pytest.raises(InfeasibleError) as err:
        min_budget(inst, cfg)
    zh = err.value.render("zh")
    assert zh.startswith("硬性标准「乡镇覆盖率下限（") and "：乡镇 B」在任何预算下都无法满足：还差 50.00 人" in zh
    assert "equity_blood" not in zh and "修改：改为软性标准" in zh
    assert str(err.value).startswith("hard standard equity_blood_B cannot be met at any budget: short by "
                                     "50.00 persons")


# --- named decisions ----------------------------------------------------------------------------------------


def _decisions(folder: Path) -> Path:
    return _county(folder, "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
                   "budget_wan: 100\nresources:\n  blood: {enabled: true, unit_cost_wan: 10}\n" + OFF
                   + "decisions:\n  - {site: S9, kind: blood, action: must}\n"
                     "  - {site: S1, kind: fever_room, action: must}\n")


@pytest.mark.parametrize("lang,expected", [
    ([], ["输入错误", "s.yaml (decisions)，第 1 条决定（S9，blood，must）：站点 'S9' 不在 1 个站点之中——修改：使用现有机构或候选点"
                     "图层中的编号",
          "第 2 条决定（S1，fever_room，must）：资源类型「发热门诊/诊室」已关闭——修改：设 resources.fever.enabled: true，或删除该决定"]),
    (EN, ["input error", "s.yaml (decisions), feature 'decision 1 (S9, blood, must)': site 'S9' is not among "
                         "the 1 sites — fix: use an id of the facilities or candidates layer",
          "feature 'decision 2 (S1, fever_room, must)': the kind 'fever' is switched off — fix: set "
          "resources.fever.enabled: true or remove the decision"]),
])
def test_a_must_decision_at_an_unknown_site(tmp_path, capsys, lang, expected):
    text = _fails(_decisions(tmp_path), lang, capsys, tmp_path)
    assert text.splitlines()[0] == expected[0]
    for line in expected[1:]:
        assert line in text


@pytest.mark.parametrize("lang,expected", [
    ([], "phasing：取值有误：phasing.milestones 必须是 0 到 1 之间、不递减的比例，实际为 [0.5, 0.4]"),
    (EN, "phasing: Value error, phasing.milestones must be shares between 0 and 1 that never decrease, got "
         "[0.5, 0.4]"),
])
def test_a_phasing_validator_speaks_the_planners_language(tmp_path, capsys, lang, expected):
    scen = tmp_path / "ph.yaml"
    scen.write_text(f"extends: {DEMO}\nphasing: {{years: [2024, 2025], milestones: [0.5, 0.4]}}\n",
                    encoding="utf-8")
    code, text = _cli(["check", str(scen), *lang], capsys)
    assert code == 2 and expected in text


# --- a bad road layer ---------------------------------------------------------------------------------------


def _roads(folder: Path) -> Path:
    lines = [shapely.LineString([(116.40, 39.90), (116.45, 39.95)]), shapely.LineString([(116.41, 39.91),
                                                                                          (116.45, 39.95)])]
    gpd.GeoDataFrame({"id": ["R1", "R2"], "class": ["county", "高速路"]}, geometry=lines,
                     crs="EPSG:4326").to_file(folder / "roads.gpkg")
    return _county(folder, "inputs: {demand: demand.csv, sites: sites.csv, roads: roads.gpkg}\n"
                   "travel: {method: roads}\nbudget_wan: 100\n"
                   "resources:\n  blood: {enabled: true, unit_cost_wan: 10}\n" + OFF)


@pytest.mark.parametrize("lang,expected", [
    ([], "roads.gpkg，编号 'R2'，列 'class'：道路等级 '高速路' 未知，且该道路没有速度——修改：使用已知的等级（expressway, national, "
         "provincial, county, township, village），在 travel.speeds_kph 中添加该等级（千米/小时），或为该道路给出速度"),
    (EN, "roads.gpkg, feature 'R2', column 'class': road class '高速路' is unknown and the road has no speed "
         "— fix: use a known class"),
])
def test_a_road_layer_with_an_unknown_class(tmp_path, capsys, lang, expected):
    text = _fails(_roads(tmp_path), lang, capsys, tmp_path)
    assert expected in text


def test_the_road_networks_own_checks_in_both_languages():
    from healthplan.geodata.config import TravelConfig
    from healthplan.geodata.roads import build_road_network

    roads = gpd.GeoDataFrame({"class": ["county", "trail", "county"], "oneway": ["yes", "maybe", "0"]},
                             geometry=[shapely.LineString([(0, 0), (1000, 0)]),
                                       shapely.LineString([(0, 0), (0, 900)]), shapely.Point(5, 5)],
                             index=["R1", "R2", "R3"], crs="EPSG:32650")
    roads.attrs["file"] = "roads.gpkg"
    _, report = build_road_network(roads, TravelConfig(oneway_column="oneway"))
    lines = {p.format("zh") for p in report.problems} | {p.format("en") for p in report.problems}
    assert ("错误：roads.gpkg，编号 'R2'，列 'class'：道路等级 'trail' 没有速度（道路 R2）；已知的等级：expressway, national, "
            "provincial, county, township, village——修改：在 travel.speeds_kph 中添加该等级（千米/小时）、更正等级，或为这些道路给出速度"
            ) in lines
    assert ("警告：roads.gpkg，编号 'R2'，列 'oneway'：无法理解道路 R2的单行值（例如 'maybe'）；按双向通行处理——修改：沿线方向单行写 "
            "1/yes/是，逆线方向写 -1，双向写 0/no/否") in lines
    assert ("error: roads.gpkg, feature 'R2', column 'class': road class 'trail' has no speed (road R2); "
            "known classes: expressway, national, provincial, county, township, village — fix: add the class "
            "to travel.speeds_kph (km/h), fix the class, or give these roads a speed") in lines


# --- a census table that does not join ----------------------------------------------------------------------


def _census(folder: Path) -> Path:
    return _county(folder, "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv, "
                   "township_seats: seats.csv, census: census.csv}\nbudget_wan: 100\nresources:\n"
                   "  blood: {enabled: true, unit_cost_wan: 10}\n" + OFF,
                   seats_csv="id,name,lon,lat\nT1,城关镇,116.40,39.90\nT2,花桥镇,116.45,39.95\n",
                   census_csv="name,population\n城关镇,600\n花乔,700\n")


@pytest.mark.parametrize("lang,expected", [
    ([], ["census.csv，第 3 行，列 'name'：人口普查表中的“花乔”按代码或名称都匹配不到", "中的乡镇；最接近的：花桥镇 (T2)——修改：写出乡镇的 "
          "9 位代码（乡镇代码），或按乡镇图层的写法写出名称",
          "seats.csv，编号 'T2'，列 'name'：乡镇“花桥镇 (T2)”在人口普查表", "中没有对应的行；最接近的普查表名称：花乔——修改："
          "在人口普查表中添加该乡镇"]),
    (EN, ["census.csv, feature 'line 3', column 'name': census row 花乔 matches no township in",
          "by code or name; nearest: 花桥镇 (T2) — fix: write the township's 9-digit code",
          "seats.csv, feature 'T2', column 'name': township 花桥镇 (T2) has no row in the census table",
          "nearest census names: 花乔 — fix: add the township to the census table"]),
])
def test_a_census_table_that_does_not_join(tmp_path, capsys, lang, expected):
    text = _fails(_census(tmp_path), lang, capsys, tmp_path)
    assert text.splitlines()[0] == ("输入错误" if not lang else "input error")
    for part in expected:
        assert part in text
    if not lang:
        assert "matches no" not in text and "nearest" not in text
