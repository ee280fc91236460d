"""Critical-care centres (chest pain, stroke, trauma; issue 9 §3) on tiny hand-computed instances:
eligibility, several centre types at one site, the full-coverage standard's requirement and its soft unit,
min-budget as set covering, the standards table, the project list's 依据, the spend row, sweeps and compare.

Every figure here is worked out by hand in the test's comment (persons, 万元, minutes); the random cases
are in tests/test_correctness_bruteforce.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import build_instance

import independent as ind
from healthplan.geodata.errors import HealthplanError
from healthplan.optimizer import baseline, optimize
from healthplan.optimizer.build import build_model
from healthplan.optimizer.config import (
    AmbulanceConfig,
    BloodConfig,
    CriticalCareConfig,
    FeverConfig,
    OptimizerConfig,
    ResourcesConfig,
    SubcentreConfig,
)
from healthplan.optimizer.kinds import kind_standard
from healthplan.optimizer.prepare import prepare
from healthplan.optimizer.status import Status
from healthplan.reports.appendix import standards_frame
from healthplan.reports.config import ReportConfig
from healthplan.reports.projects import project_table
from healthplan.reports.summary import summary_dict
from healthplan.scenarios.compare import compare_runs
from healthplan.scenarios.runner import prepare_instance
from healthplan.scenarios.schema import load_scenario
from healthplan.scenarios.sweep import parse_budget, run_sweep

ROOT = Path(__file__).resolve().parents[1]
CSV_SCEN = ROOT / "scenarios" / "demo-csv.yaml"
CSV_DIR = ROOT / "scenarios" / "examples" / "csv"
OFF = {"enabled": False}
HARD = {"mode": "hard"}
INF = np.inf
TYPES = ("chest_pain", "stroke", "trauma")


def cc_only(budget: float | None = None, *, site_costs_wan: dict | None = None,
            **cc: object) -> OptimizerConfig:
    """Only critical care enabled, with the section's settings ``cc``."""
    res = ResourcesConfig(ambulance=AmbulanceConfig(**OFF), fever=FeverConfig(**OFF),
                          blood=BloodConfig(**OFF), subcentre=SubcentreConfig(**OFF),
                          critical_care=CriticalCareConfig(enabled=True, **cc))
    return OptimizerConfig(resources=res, budget_wan=budget, site_costs_wan=site_costs_wan or {})


def items_of(plan) -> set[tuple[str, str]]:
    """(site id, item kind) of every plan row."""
    return set(zip(plan.items["site_id"], plan.items["kind"], strict=True))


# --- eligibility --------------------------------------------------------------------------------------------


def eligibility_instance():
    """Six sites, one village each (1,000 persons, 10 minutes from its own site, out of every other's reach):

    A county hospital 300 beds with a chest pain centre; B secondary hospital 150 beds; C TCM hospital 80
    beds; D MCH hospital 200 beds; E central THC 150 beds; F greenfield site. Each eligible designation adds
    its own village, so an unlimited budget designates exactly the eligible (site, type) pairs.
    """
    demand = pd.DataFrame({"population": [1000] * 6}, index=pd.Index([f"v{i}" for i in range(6)]))
    sites = pd.DataFrame({
        "level": ["county_hospital", "secondary_hospital", "tcm_hospital", "mch_hospital", "central_thc",
                  "candidate"],
        "beds": [300, 150, 80, 200, 150, 0],
        "chest_pain_centre": [True, False, False, False, False, False],
    }, index=pd.Index(list("ABCDEF")))
    minutes = np.where(np.eye(6, dtype=bool), 10.0, INF)
    return build_instance(demand, sites, minutes)


def expected_designations(sites: str, types=TYPES) -> set[tuple[str, str]]:
    """Every (site, type) among ``sites`` except A's existing chest pain centre."""
    return {(s, f"{t}_centre") for s in sites for t in types} - {("A", "chest_pain_centre")}


@pytest.mark.parametrize(("settings", "sites"), [
    ({}, "AB"),  # default levels (county, secondary, TCM) and ≥ 100 beds: C has 80 beds, D is an MCH hospital
    ({"min_beds": 50}, "ABC"),
    ({"min_beds": 50, "levels": ["county_hospital", "secondary_hospital", "tcm_hospital", "mch_hospital"]},
     "ABCD"),
    ({"levels": ["central_thc"]}, "E"),
])
def test_eligibility_by_level_and_beds(opt, settings, sites):
    inst = eligibility_instance()
    plan = opt.optimize(inst, cc_only(None, **settings))
    assert plan.solve.status == Status.OPTIMAL
    assert items_of(plan) == expected_designations(sites)
    # the independent evaluator's reading of the same rules agrees
    prep = ind.prepare(inst, cc_only(None, **settings))
    assert {(inst.sites.index[j], k) for k in ind.CENTRE_KINDS for j in np.flatnonzero(prep.eligible[k])} == \
        expected_designations(sites)


def test_existing_centre_is_not_designated_again(opt):
    inst = eligibility_instance()
    plan = opt.optimize(inst, cc_only(None))
    assert ("A", "chest_pain_centre") not in items_of(plan)
    # A may still get the other types
    assert {("A", "stroke_centre"), ("A", "trauma_centre")} <= items_of(plan)
    assert bool(plan.after_stock.loc["A", "chest_pain_centre"])
    cov = plan.coverage_summary(inst.demand["population"])
    assert cov["chest_pain"]["before"] == pytest.approx(1000)  # A's existing centre covers v0
    assert cov["chest_pain"]["after"] == pytest.approx(2000)  # + B's new one covers v1
    # re-designating it would never pay (no coverage gained), so only the model can show it is not a decision
    model = build_model(prepare(inst, cc_only(None)))
    sites = inst.sites.index
    assert {sites[j] for j, _ in model.x["chest_pain_centre"]} <= {"B"}
    assert {sites[j] for j, _ in model.x["stroke_centre"]} <= {"A", "B"}
    # a hand-made item re-designating the existing centre is refused by the independent reading of the rules
    prep = ind.prepare(inst, cc_only(None))
    again = pd.DataFrame({"site_id": ["A"], "kind": ["chest_pain_centre"], "year": [2025], "quantity": [1],
                          "quantity_ord": [0], "quantity_np": [0]})
    with pytest.raises(AssertionError, match="not an allowed decision"):
        ind.items_to_plan(prep, again)


def test_a_type_switched_off_has_no_items_coverage_or_standard(opt):
    inst = eligibility_instance()
    cfg = cc_only(None, trauma={"enabled": False})
    plan = opt.optimize(inst, cfg)
    assert items_of(plan) == expected_designations("AB", ("chest_pain", "stroke"))
    assert "trauma_after" not in plan.demand_coverage and "trauma" not in plan.coverage_summary(
        inst.demand["population"])
    assert set(plan.standards["name"]) == {"chest_pain_full_coverage", "stroke_full_coverage"}
    assert not build_model(prepare(inst, cfg)).x.get("trauma_centre")  # no trauma decisions at all


def test_off_by_default(opt):
    assert OptimizerConfig().resources.critical_care.enabled is False
    inst = eligibility_instance()
    base = opt.baseline(inst, OptimizerConfig())
    assert not any(c.startswith(TYPES) for c in base.demand_coverage.columns)
    assert "critical_care" not in base.spend.index


# --- several types at one site ------------------------------------------------------------------------------


def test_one_site_holds_several_centre_types(opt):
    # one hospital 10 minutes from one village of 5,000: each type covers the same 5,000 persons.
    # 200 + 300 + 400 = 900万元 buys all three at the one site; 600万元 buys two, and of the two pairs that
    # fit (chest pain + stroke 500, chest pain + trauma 600) the cheaper one is kept (third stage: least
    # cost).
    demand = pd.DataFrame({"population": [5000]}, index=pd.Index(["v0"]))
    sites = pd.DataFrame({"level": ["county_hospital"], "beds": [300]}, index=pd.Index(["H"]))
    inst = build_instance(demand, sites, np.array([[10.0]]))
    costs = {"chest_pain": {"unit_cost_wan": 200.0}, "stroke": {"unit_cost_wan": 300.0},
             "trauma": {"unit_cost_wan": 400.0}}
    plan = opt.optimize(inst, cc_only(900.0, **costs))
    assert items_of(plan) == {("H", "chest_pain_centre"), ("H", "stroke_centre"), ("H", "trauma_centre")}
    assert plan.spent_wan == pytest.approx(900.0)
    plan = opt.optimize(inst, cc_only(600.0, **costs))
    assert items_of(plan) == {("H", "chest_pain_centre"), ("H", "stroke_centre")}
    assert plan.spent_wan == pytest.approx(500.0)


# --- the full-coverage standard -----------------------------------------------------------------------------


def reach_instance():
    """Five villages v0…v4 of 1,000, 2,000, 4,000, 8,000 and 16,000 persons (31,000); access 30 minutes.

    A county hospital (300 beds, eligible) reaches v0 (10 min) and v1 (25 min); v2 is 35 min from A.
    B MCH hospital (not an eligible level) holds a chest pain centre and reaches v2 (20 min).
    C central THC (not eligible) reaches v3; D secondary hospital with 50 beds (too few) reaches v4.
    Chest pain: A or B's centre can reach v0, v1, v2 → 7,000 persons; stroke and trauma: only A → 3,000.
    """
    demand = pd.DataFrame({"population": [1000, 2000, 4000, 8000, 16000]},
                          index=pd.Index([f"v{i}" for i in range(5)]))
    sites = pd.DataFrame({
        "level": ["county_hospital", "mch_hospital", "central_thc", "secondary_hospital"],
        "beds": [300, 200, 100, 50], "chest_pain_centre": [False, True, False, False],
    }, index=pd.Index(list("ABCD")))
    minutes = np.array([
        [10, 25, 35, INF, INF],
        [INF, INF, 20, INF, INF],
        [INF, INF, INF, 5, INF],
        [INF, INF, INF, INF, 5],
    ], dtype=float)
    return build_instance(demand, sites, minutes)


def test_full_coverage_requires_the_reachable_population(opt):
    inst = reach_instance()
    cfg = cc_only(None, chest_pain={"access_minutes": 30.0}, trauma={"access_minutes": 30.0},
                  stroke={"access_minutes": 30.0, "coverage_share": 0.5})
    data = prepare(inst, cfg)
    assert kind_standard("chest_pain_full_coverage").required(data) == pytest.approx(7000)
    assert kind_standard("stroke_full_coverage").required(data) == pytest.approx(0.5 * 3000)
    assert kind_standard("trauma_full_coverage").required(data) == pytest.approx(3000)
    prep = ind.prepare(inst, cfg)
    assert ind.coverable_population(prep, "chest_pain") == pytest.approx(7000)
    base = opt.baseline(inst, cfg)
    assert base.meta["coverable_population"]["chest_pain"] == pytest.approx(7000)
    assert base.meta["coverable_population"]["stroke"] == pytest.approx(3000)
    st = base.standards.set_index("name")
    # the table gives shares of the whole population (31,000)
    assert st.loc["chest_pain_full_coverage", "required"] == pytest.approx(7000 / 31000)
    assert st.loc["chest_pain_full_coverage", "existing"] == pytest.approx(4000 / 31000)  # B's centre: v2
    assert st.loc["stroke_full_coverage", "required"] == pytest.approx(1500 / 31000)
    assert st.loc["stroke_full_coverage", "existing"] == 0
    assert not st["met"].astype(bool).any()
    # designating A meets all three: v0 + v1 = 3,000 more persons within 30 minutes
    plan = opt.optimize(inst, cfg)
    st = plan.standards.set_index("name")
    assert st.loc["chest_pain_full_coverage", "planned"] == pytest.approx(7000 / 31000)
    assert st["met"].astype(bool).all(), st
    assert st["shortfall"].max() == pytest.approx(0.0)


def test_soft_full_coverage_counts_a_share_of_the_required_persons(opt):
    # Chest pain (30 min) reaches all 12,000 persons: v0 2,000 and v1 3,000 from H, v2 3,000 from G, v3
    # 4,000 from K; a centre at H closes 5,000 / 12,000 = 0.42 of its requirement. Stroke (15 min, coverage
    # share 0.2) asks 0.2 × (v0 + v2 + v3 = 9,000) = 1,800 persons; any one stroke centre (≥ 2,000) closes
    # all of it: 1.0. In persons the chest pain centre at H removes more shortfall (5,000 > 1,800); as shares
    # of the required persons (optimizer/standards.py add_standards) a stroke centre does (1.0 > 0.42), and of
    # the three the one at K covers most (4,000 persons) in the second stage.
    demand = pd.DataFrame({"population": [2000, 3000, 3000, 4000]},
                          index=pd.Index([f"v{i}" for i in range(4)]))
    sites = pd.DataFrame({"level": ["county_hospital", "secondary_hospital", "secondary_hospital"],
                          "beds": [300, 300, 300]}, index=pd.Index(["H", "G", "K"]))
    minutes = np.array([[10, 25, INF, INF], [INF, INF, 10, INF], [INF, INF, INF, 10]], dtype=float)
    inst = build_instance(demand, sites, minutes)
    cfg = cc_only(300.0, chest_pain={"access_minutes": 30.0}, trauma={"enabled": False},
                  stroke={"access_minutes": 15.0, "coverage_share": 0.2})
    plan = opt.optimize(inst, cfg)
    assert items_of(plan) == {("K", "stroke_centre")}
    st = plan.standards.set_index("name")
    assert bool(st.loc["stroke_full_coverage", "met"]) and not bool(st.loc["chest_pain_full_coverage", "met"])
    best = ind.brute_force(ind.prepare(inst, cfg))
    assert best.soft_shortfall == pytest.approx(1.0)  # chest pain entirely short, stroke met


# --- min-budget: the set-covering answer --------------------------------------------------------------------


def set_cover_instance():
    """Four villages of 1,000; four hospitals (300 beds). A reaches v0, v1; B v1, v2; C v2, v3; D all four.

    Chest pain full coverage, hard, within 25 minutes (everyone is reachable): the least capital is A + C =
    600万元 at 300万元 a centre, unless D alone costs less.
    """
    demand = pd.DataFrame({"population": [1000] * 4}, index=pd.Index([f"v{i}" for i in range(4)]))
    levels = ["county_hospital", "secondary_hospital", "tcm_hospital", "secondary_hospital"]
    sites = pd.DataFrame({"level": levels, "beds": [300] * 4}, index=pd.Index(list("ABCD")))
    minutes = np.array([[10, 10, INF, INF], [INF, 10, 10, INF], [INF, INF, 10, 10], [20, 20, 20, 20]],
                       dtype=float)
    return build_instance(demand, sites, minutes)


def set_cover_cfg(budget: float | None = None, d_cost: float = 700.0) -> OptimizerConfig:
    return cc_only(budget, chest_pain={"full_coverage": HARD, "access_minutes": 25.0, "unit_cost_wan": 300.0},
                   stroke={"enabled": False}, trauma={"full_coverage": {"mode": "off"}},
                   site_costs_wan={"D": {"chest_pain_centre": d_cost}})


@pytest.mark.parametrize(("d_cost", "least", "sites"), [(700.0, 600.0, {"A", "C"}), (500.0, 500.0, {"D"})])
def test_min_budget_is_the_set_cover(opt, d_cost, least, sites):
    inst = set_cover_instance()
    plan = opt.min_budget(inst, set_cover_cfg(d_cost=d_cost))
    assert plan.solve.status == Status.OPTIMAL
    assert plan.spent_wan == pytest.approx(least)
    assert plan.meta["least_budget_wan"] == pytest.approx(least)
    assert set(plan.items["site_id"]) == sites and set(plan.items["kind"]) == {"chest_pain_centre"}
    assert plan.coverage_summary(inst.demand["population"])["chest_pain"]["after"] == pytest.approx(4000)
    assert ind.brute_min_budget(ind.prepare(inst, set_cover_cfg(d_cost=d_cost))) == pytest.approx(least)


def test_hard_full_coverage_out_of_budget_names_the_standard_and_the_least_budget(opt):
    inst = set_cover_instance()
    with pytest.raises(HealthplanError) as exc:
        opt.optimize(inst, set_cover_cfg(500.0))
    text = str(exc.value)
    assert "chest_pain_full_coverage" in text and "600" in text, text


# --- standards table, project list, spend -------------------------------------------------------------------


def designated_plan(opt, access: float = 25.0):
    """The set-cover instance at 1,000万元: chest pain centres at A and C (hard), and a trauma centre at D."""
    inst = set_cover_instance()
    cfg = set_cover_cfg(1000.0).model_copy()
    cc = cfg.resources.critical_care
    cc = cc.model_copy(update={"chest_pain": cc.chest_pain.model_copy(update={"access_minutes": access})})
    cfg = cfg.model_copy(update={"resources": cfg.resources.model_copy(update={"critical_care": cc})})
    return inst, cfg, opt.optimize(inst, cfg)


def test_project_basis_names_the_centre_type_and_the_minutes(opt):
    inst, cfg, plan = designated_plan(opt)
    assert items_of(plan) == {("A", "chest_pain_centre"), ("C", "chest_pain_centre"), ("D", "trauma_centre")}
    zh = project_table(inst, plan, report=ReportConfig(county="示范县"), opt=cfg)
    row = zh.loc["chest_pain_centre-A-2025"]
    assert row["name"].endswith("胸痛中心建设项目")
    # the standard (25-minute full coverage) and the coverage figures: v0, v1 newly within 25 minutes
    assert "落实胸痛中心25分钟区域全覆盖要求" in row["basis"]
    assert "新增25分钟胸痛急救覆盖人口2000人" in row["basis"]
    trauma = zh.loc["trauma_centre-D-2025", "basis"]
    assert "创伤" in trauma and "60分钟" in trauma and "全覆盖" not in trauma  # trauma's standard is off
    en = project_table(inst, plan, report=ReportConfig(county="示范县"), opt=cfg, lang="en")
    basis = en.loc["chest_pain_centre-A-2025", "basis"]
    assert "chest pain centres within 25 min" in basis and "2,000 persons within 25 min" in basis
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in basis)


def test_standards_table_rows_name_the_centre_type(opt):
    inst, cfg, plan = designated_plan(opt, access=60.0)
    summary = summary_dict(inst, plan, timings={}, opt=cfg)
    rec = {s["name"]: s for s in summary["standards"]}
    assert set(rec) == {"chest_pain_full_coverage"}  # trauma's standard is off, stroke switched off
    assert rec["chest_pain_full_coverage"]["mode"] == "hard" and rec["chest_pain_full_coverage"]["met"]
    zh = standards_frame(summary, "zh")[0].iloc[0]  # the one standard; documents carry no internal code column
    assert zh["标准"] == "胸痛中心60分钟区域全覆盖"  # the scenario's minutes
    assert "60分钟" in " ".join(map(str, zh))
    en = standards_frame(summary, "en")[0].iloc[0]
    assert en["Standard"] == "Chest pain centre: full regional coverage within 60 min"


def test_standards_table_row_quotes_the_scenarios_minutes(opt):
    inst, cfg, plan = designated_plan(opt, access=25.0)
    zh = standards_frame(summary_dict(inst, plan, timings={}, opt=cfg), "zh")[0].iloc[0]
    text = " ".join(map(str, zh))
    assert "25分钟" in text and "60分钟" not in text, text


def test_english_standards_table_row_has_no_chinese(opt):
    inst, cfg, plan = designated_plan(opt, access=60.0)
    en = standards_frame(summary_dict(inst, plan, timings={}, opt=cfg), "en")[0].iloc[0]
    text = " ".join(map(str, en))
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


def test_spend_row_is_the_kind(opt):
    inst, cfg, plan = designated_plan(opt)
    assert list(plan.spend.index) == ["critical_care"]
    assert float(plan.spend.loc["critical_care"].sum()) == pytest.approx(900.0)
    assert plan.spent_wan == pytest.approx(900.0)
    # an earmark on the kind caps its spend: 600万元 allows the two chest pain centres, no trauma centre
    capped = cfg.model_copy(update={"earmarks_wan": {"critical_care": 600.0}})
    plan = opt.optimize(inst, capped)
    assert float(plan.spend.loc["critical_care"].sum()) == pytest.approx(600.0)
    assert set(plan.items["kind"]) == {"chest_pain_centre"}


# --- sweeps and compare -------------------------------------------------------------------------------------


def _covered_by_sites(sites: set[str], minutes: float) -> float:
    """Persons of the CSV example within ``minutes`` of any of ``sites`` (its OD matrix)."""
    demand = pd.read_csv(CSV_DIR / "demand.csv", dtype={"id": str})
    od = pd.read_csv(CSV_DIR / "od.csv", dtype={"site_id": str, "demand_id": str})
    reach = od.loc[od["site_id"].isin(sites) & (od["minutes"] <= minutes), "demand_id"].unique()
    return float(demand.loc[demand["id"].isin(reach), "population"].sum())


def test_sweep_and_compare_carry_the_centre_types(tmp_path):
    access = {"chest_pain": 30, "stroke": 40, "trauma": 20}
    scen = tmp_path / "cc.yaml"
    scen.write_text(
        f"extends: {CSV_SCEN.as_posix()}\nname: csv-critical-care\n"
        "resources:\n  critical_care:\n    enabled: true\n"
        + "".join(f"    {t}: {{access_minutes: {m}, unit_cost_wan: 300}}\n" for t, m in access.items()),
        encoding="utf-8")
    out = tmp_path / "sweep"
    res = run_sweep(scen, [parse_budget("300,1200")], out=out, executor="serial", progress=False)
    t = res.table.set_index("budget_wan")
    assert list(t["status"]) == ["optimal", "optimal"]
    for key in TYPES:
        for col in (f"coverage.{key}.after", f"coverage.{key}.before",
                    f"standards.{key}_full_coverage.planned"):
            assert col in t.columns, col
        assert (t[f"coverage.{key}.before"] == 0).all()  # the CSV sites hold no centre today
    # each point's coverage is the persons within the type's minutes of the sites that point designated
    for budget, slug in zip(t.index, t["slug"], strict=True):
        items = pd.read_csv(out / "points" / slug / "new_items.csv", dtype={"site_id": str})
        for key, minutes in access.items():
            sites = set(items.loc[items["kind"] == f"{key}_centre", "site_id"])
            expected = _covered_by_sites(sites, minutes)
            assert t.loc[budget, f"coverage.{key}.after"] == pytest.approx(expected), (budget, key)
    assert t.loc[1200, "coverage.chest_pain.after"] > 0
    header = (out / "sweep.md").read_text(encoding="utf-8")
    assert "胸痛中心覆盖" in header and "卒中中心覆盖" in header and "创伤中心覆盖" in header
    points = [out / "points" / slug for slug in t["slug"]]
    summary = json.loads((points[1] / "summary.json").read_text(encoding="utf-8"))
    assert summary["coverage"]["trauma"]["after"] == pytest.approx(t.loc[1200, "coverage.trauma.after"])
    cmp = compare_runs(points, out=tmp_path / "cmp", lang="en")
    assert {"chest_pain", "stroke", "trauma"} <= set(cmp.coverage.index)
    for key in TYPES:
        assert cmp.coverage.loc[key, "B − A persons"] == pytest.approx(
            t.loc[1200, f"coverage.{key}.after"] - t.loc[300, f"coverage.{key}.after"])
    assert {f"{k}_full_coverage" for k in TYPES} <= set(cmp.standards.index)


# --- existing centres from input files ----------------------------------------------------------------------


def test_existing_centre_in_the_sites_file_counts(tmp_path):
    # the CSV example with a chest pain centre at H01 (county hospital): its 60 minutes are covered today, and
    # it is not designated again however large the budget
    for name in ("demand.csv", "od.csv"):
        (tmp_path / name).write_bytes((CSV_DIR / name).read_bytes())
    sites = pd.read_csv(CSV_DIR / "sites.csv", dtype={"id": str})
    sites["chest_pain_centre"] = (sites["id"] == "H01").astype(int)
    sites.to_csv(tmp_path / "sites.csv", index=False)
    (tmp_path / "s.yaml").write_text(
        "inputs: {demand: demand.csv, sites: sites.csv, travel_times: od.csv}\n"
        f"travel: {{cache_dir: {(tmp_path / 'cache').as_posix()}}}\n"
        "resources:\n  blood: {enabled: false}\n  ambulance: {enabled: false}\n  fever: {enabled: false}\n"
        "  subcentre: {enabled: false}\n  critical_care: {enabled: true}\n", encoding="utf-8")
    scen = load_scenario(tmp_path / "s.yaml")
    inst = prepare_instance(scen)
    cfg = scen.optimizer_config()
    today = baseline(inst, cfg).coverage_summary(inst.demand["population"])
    assert today["chest_pain"]["after"] == pytest.approx(_covered_by_sites({"H01"}, 60.0))
    assert ("H01", "chest_pain_centre") not in items_of(optimize(inst, cfg))
