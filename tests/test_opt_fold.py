"""Folding the last lexicographic stage into the one before (issue 12 §1): same optimum, one solve fewer.

The folded path (``solve_stages(fold=True)``, the default) and the staged path (``fold=False``) are solved on
the same seeded random instances; their stage objectives and their items must agree. Instances have whole
populations and distinct random unit costs per site, so the lexicographic optimum is unique and the items can
be compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import random_instance
from healthplan.optimizer.build import build_model
from healthplan.optimizer.config import (
    AmbulanceConfig,
    BloodConfig,
    FeverConfig,
    OptimizerConfig,
    PhasingConfig,
    ResourcesConfig,
    StandardRule,
    SubcentreConfig,
)
from healthplan.optimizer.fold import granularity, make_fold
from healthplan.optimizer.objective import STAGES, fold_last_stage, solve_stages
from healthplan.optimizer.prepare import prepare
from healthplan.optimizer.solution import read_items
from healthplan.optimizer.status import Status

OFF = StandardRule(mode="off")


def blood_only(budget: float | None, target: float | None = None, **top: object) -> OptimizerConfig:
    res = ResourcesConfig(ambulance=AmbulanceConfig(enabled=False), fever=FeverConfig(enabled=False),
                          blood=BloodConfig(min_points_rule=OFF, unit_cost_wan=50, target_coverage=target),
                          subcentre=SubcentreConfig(enabled=False))
    return OptimizerConfig(resources=res, budget_wan=budget, **top)


def fever_and_blood(budget: float, **top: object) -> OptimizerConfig:
    res = ResourcesConfig(ambulance=AmbulanceConfig(enabled=False),
                          fever=FeverConfig(clinic_mandate=OFF, room_mandate=OFF, room_cost_wan=60),
                          blood=BloodConfig(min_points_rule=OFF, unit_cost_wan=80),
                          subcentre=SubcentreConfig(enabled=False))
    return OptimizerConfig(resources=res, budget_wan=budget, **top)


def case(seed: int, n_sites: int = 9, n_demand: int = 30):
    """Township health centres and a candidate; distinct whole unit costs per site (a unique least cost)."""
    rng = np.random.default_rng(seed)
    levels = ["thc"] * (n_sites - 3) + ["central_thc", "chc", "candidate"]
    inst = random_instance(seed, levels, n_demand=n_demand, side_minutes=50)
    costs = {sid: {"blood": float(c), "fever_room": float(c + 7)}
             for sid, c in zip(inst.sites.index, rng.permutation(np.arange(41, 41 + n_sites)), strict=True)}
    return inst, costs


def solved(inst, cfg, mode: str, fold: bool):
    data = prepare(inst, cfg)
    m = build_model(data, mode)
    results = solve_stages(m, fold=fold)
    return results, read_items(m)


def same_plan(inst, cfg, mode: str = "optimize") -> list:
    folded, items_f = solved(inst, cfg, mode, True)
    staged, items_s = solved(inst, cfg, mode, False)
    assert [n for n, _ in folded] == [n for n, _ in staged] == [n for n, _ in staged]
    assert any("folded" in r.message for _, r in folded), [r.message for _, r in folded]
    assert not any("folded" in r.message for _, r in staged)
    for (name, rf), (_, rs) in zip(folded, staged, strict=True):
        assert rf.status is Status.OPTIMAL and rs.status is Status.OPTIMAL, name
        assert rf.objective == pytest.approx(rs.objective, rel=1e-9, abs=1e-6), name
    cols = ["site_id", "kind", "year", "quantity"]
    key = [c for c in cols if c in items_f.columns]
    a = items_f[key].sort_values(key).reset_index(drop=True)
    b = items_s[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    return folded


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_folded_single_kind_mclp_equals_staged(seed):
    inst, costs = case(seed)
    budget = float(np.random.default_rng(seed).integers(100, 260))
    same_plan(inst, blood_only(budget, site_costs_wan=costs))


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_folded_two_kinds_equals_staged(seed):
    inst, costs = case(seed)
    same_plan(inst, fever_and_blood(330.0, site_costs_wan=costs))


@pytest.mark.parametrize("seed", [10, 11])
def test_folded_phased_plan_equals_staged(seed):
    """Year weights 3/6, 2/6, 1/6: coverage is a whole multiple of 1/6 person, folded all the same."""
    inst, costs = case(seed, n_sites=7, n_demand=20)
    ph = PhasingConfig(years=[2024, 2025, 2026], budgets_wan=[120, 80, 60], carry_over=True)
    same_plan(inst, blood_only(260.0, site_costs_wan=costs, phasing=ph))


@pytest.mark.parametrize("seed", [12, 13])
def test_folded_min_budget_equals_staged(seed):
    """Min-budget mode: coverage folded into the cost stage (least capital, then most coverage)."""
    inst, costs = case(seed)
    cfg = blood_only(None, 0.6, site_costs_wan=costs)
    results = same_plan(inst, cfg, "min_budget")
    assert [n for n, _ in results][-2:] == ["cost", "coverage"]


def test_equal_unit_costs_fold_and_report_both_stages():
    """The benchmark's case: one kind, equal unit costs, whole populations — folded, both stages reported."""
    inst, _ = case(21)
    results, _ = solved(inst, blood_only(150.0), "optimize", True)
    names = [n for n, _ in results]
    assert names[-2:] == ["coverage", "cost"]
    cost = results[-1][1]
    assert cost.seconds == 0.0 and "folded into coverage" in cost.message
    assert cost.objective <= 150.0 + 1e-9


def test_no_fold_when_coverage_has_no_known_granularity_and_no_plan_in_hand():
    """MEXCLP weights (1 − q) q^k with a measured q: no granularity, and coverage is the first stage (no soft
    standard), so there is no plan to size the stage tolerance from: the cost stage is solved alone."""
    inst, _ = case(22)
    res = ResourcesConfig(ambulance=AmbulanceConfig(fleet=OFF, np_share_rule=OFF, one_per_thc=OFF,
                                                    busy_fraction=0.2371),
                          fever=FeverConfig(enabled=False), blood=BloodConfig(enabled=False),
                          subcentre=SubcentreConfig(enabled=False))
    cfg = OptimizerConfig(resources=res, budget_wan=200.0)
    m = build_model(prepare(inst, cfg), "optimize")
    terms = [m.shortfall, m.coverage, m.cost]
    plan = [(n, s, e) for (n, s), e in zip(STAGES["optimize"], terms, strict=True)]
    from healthplan.optimizer.model import expr

    plan = [(n, s, expr(e)) for n, s, e in plan if e]
    assert fold_last_stage(m, plan) is None
    results = solve_stages(m)
    assert not any("folded" in r.message for _, r in results)


def test_no_fold_with_a_solver_gap():
    inst, costs = case(23)
    cfg = blood_only(150.0, site_costs_wan=costs)
    cfg = cfg.model_copy(update={"solver": cfg.solver.model_copy(update={"gap": 0.01})})
    results, _ = solved(inst, cfg, "optimize", True)
    assert not any("folded" in r.message for _, r in results)


def test_granularity():
    assert granularity(np.array([1200.0, 35.0, 5.0])) == 5.0
    assert granularity(np.array([1.0, 2.0, 3.0])) == 1.0
    pops = np.array([1234.0, 777.0, 50.0])
    assert granularity(np.concatenate([pops * 3 / 6, pops * 2 / 6, pops / 6])) == pytest.approx(1 / 6)
    assert granularity(np.array([0.185637, 1.0])) is None
    assert granularity(np.array([np.pi])) is None


def test_fold_epsilon_bound():
    """ε·R < g: no cost saving outweighs one step of coverage; the gap stays below what separates plans."""
    f = make_fold(np.array([1000.0, 2001.0]), np.array([25.0, 35.0]), 6000.0)
    assert f is not None
    assert f.granularity == 1.0 and f.epsilon * f.secondary_range < f.granularity
    assert f.abs_gap < f.epsilon * 5.0 and f.abs_gap < f.granularity / 2
    assert make_fold(np.array([1000.0]), np.array([0.001, 1.0]), 1e9) is None  # too many cost steps


def test_folded_with_cbc_equals_staged():
    """The fallback solver gets the same absolute gap (PuLP's gapAbs) and gives the same plan."""
    inst, costs = case(3)
    cfg = blood_only(200.0, site_costs_wan=costs)
    same_plan(inst, cfg.model_copy(update={"solver": cfg.solver.model_copy(update={"name": "cbc"})}))


@pytest.mark.parametrize("seed", [14, 15])
def test_a_zero_stage_fixes_its_terms_and_keeps_the_optimum(seed):
    """A minimising stage with optimum 0 over nonnegative terms (no elastic needed in min-budget) fixes those
    terms at 0 instead of a hold row; the least-cost cover is the same as the brute force's (tests/independent)."""
    import independent as ind

    inst, costs = case(seed)
    cfg = blood_only(None, 1.0, site_costs_wan=costs)
    m = build_model(prepare(inst, cfg), "min_budget")
    results = solve_stages(m, fold=False)
    assert results[0][0] == "hard" and results[0][1].objective == pytest.approx(0.0, abs=1e-9)
    elastic = [v for v, _ in m.elastic]
    assert elastic and all(v.upBound == 0 for v in elastic)
    assert m.prob.get_constraint_by_name("hold_hard") is None
    assert dict(results)["cost"].objective == pytest.approx(ind.brute_min_budget(ind.prepare(inst, cfg)), abs=1e-6)


def mexclp(budget: float, fleet: StandardRule = OFF) -> OptimizerConfig:
    """Ambulances only, a measured busy fraction (no granularity), optionally a soft fleet standard (a first
    stage whose plan buys vehicles when the budget cannot meet it)."""
    res = ResourcesConfig(ambulance=AmbulanceConfig(fleet=fleet, np_share_rule=OFF, one_per_thc=OFF,
                                                    busy_fraction=0.2371),
                          fever=FeverConfig(enabled=False), blood=BloodConfig(enabled=False),
                          subcentre=SubcentreConfig(enabled=False))
    return OptimizerConfig(resources=res, budget_wan=budget)


@pytest.mark.parametrize("seed", [24, 25, 26, 27])
def test_fold_within_tolerance_is_the_least_cost_plan_covering_as_much(seed):
    """No granularity but a plan in hand (the shortfall stage's): the cost stage is folded within the stage
    tolerance. Checked against separate solves: coverage within the reported loss of the most coverage there is
    (a coverage-only solve), and cost equal to the least cost of any plan covering at least as much (a
    least-cost solve with that coverage as a hard row)."""
    import pulp

    from healthplan.optimizer.model import expr

    inst, _ = case(seed)
    budget = float(np.random.default_rng(seed).integers(150, 400))
    cfg = mexclp(budget, StandardRule(mode="soft"))
    cfg = cfg.model_copy(update={"resources": cfg.resources.model_copy(update={
        "ambulance": cfg.resources.ambulance.model_copy(update={"rural_pop_per_vehicle": 2_000.0,
                                                                "urban_pop_per_vehicle": 2_000.0})})})
    m = build_model(prepare(inst, cfg), "optimize")
    results = dict(solve_stages(m))
    assert "within the stage tolerance" in results["cost"].message
    covered, cost = results["coverage"].objective, results["cost"].objective
    loss = results["coverage"].bound - covered
    assert 0 < loss < cfg.objective.tolerance * covered
    shortfall = results["shortfall"].objective

    def fresh():
        mm = build_model(prepare(inst, cfg), "optimize")
        mm.add(expr(mm.shortfall) <= shortfall + 1e-6, "held")
        return mm

    most = fresh()  # the most coverage there is
    most.prob.sense = pulp.LpMaximize
    most.prob.setObjective(expr(most.coverage))
    from healthplan.optimizer.solve import solve

    best = solve(most.prob, cfg.solver, 60.0)
    assert best.status is Status.OPTIMAL
    assert covered >= best.objective - loss - 1e-6
    cheapest = fresh()  # the least cost of a plan covering as much as the folded plan
    cheapest.add(expr(cheapest.coverage) >= covered - 1e-6, "as_much")
    cheapest.prob.sense = pulp.LpMinimize
    cheapest.prob.setObjective(expr(cheapest.cost))
    least = solve(cheapest.prob, cfg.solver, 60.0)
    assert least.status is Status.OPTIMAL
    assert cost == pytest.approx(least.objective, abs=1e-6)


def test_fold_within_tolerance_needs_the_tolerance():
    """With ``objective.tolerance`` 0 the staged path holds coverage exactly: nothing to fold within."""
    assert make_fold(np.array([0.185637, 1.0]), np.array([25.0, 35.0]), 6000.0) is None
    f = make_fold(np.array([0.185637, 1.0]), np.array([25.0, 35.0]), 6000.0, primary_tolerance=2.0)
    assert f is not None and not f.exact
    assert 0 < f.primary_loss < 2.0 and f.abs_gap < f.epsilon * 5.0
    exact = make_fold(np.array([1000.0, 2001.0]), np.array([25.0, 35.0]), 6000.0)
    assert exact is not None and exact.exact and exact.primary_loss == 0.0


def test_a_gapped_runs_tie_break_is_bounded_and_said(monkeypatch):
    """With a solver gap the least-cost stage may take only a share of the stages before it: stopped at that
    bound it keeps the plan it has (it starts from the coverage stage's), says so in its message, and neither makes
    the plan TIME_LIMIT nor lends the plan its gap (the 3-year demo at a 1 % gap, the bound squeezed to 0.05 s)."""
    from pathlib import Path

    import healthplan.optimizer.objective as objective
    from healthplan.optimizer.api import plan_gap
    from healthplan.optimizer.objective import overall_status
    from healthplan.scenarios.runner import prepare_instance
    from healthplan.scenarios.schema import load_scenario

    monkeypatch.setattr(objective, "TIE_BREAK_MIN_S", 0.05)
    scen = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "demo-phased-2024-2026.yaml")
    inst, cfg = prepare_instance(scen), scen.optimizer_config()
    cfg = cfg.model_copy(update={"solver": cfg.solver.model_copy(update={"gap": 0.01}),
                                 "objective": cfg.objective.model_copy(update={"tie_break_share": 0.0})})
    m = build_model(prepare(inst, cfg), "optimize")
    results = solve_stages(m)
    cost = dict(results)["cost"]
    assert cost.bounded and cost.status is Status.TIME_LIMIT and "tie-break bounded to 0.1 s" in cost.message
    assert overall_status(results) is Status.OPTIMAL
    assert plan_gap(results) == max(r.gap for n, r in results if n != "cost") <= 0.01
    assert cost.objective <= cfg.budget_wan + 1e-6  # a plan in hand (the coverage stage's, or cheaper)
    from healthplan.reports.i18n import status_name

    assert status_name("bounded", "zh") == "限时结束（费用未证明为最低）"  # what summary.md says of that stage
