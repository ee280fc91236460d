"""A large maximising stage's start from the MILP on its relaxation's support (optimizer.relaxation_support).

The hand-made maximal-covering models of tests/test_neighbourhoods.py, whose every plan is enumerated there: the
support's plan is a plan of the whole model, never better than the optimum, and the relaxation's value is a bound
on it; through the stages the optimum stays the enumerated one.
"""

from __future__ import annotations

import types

import numpy as np
import pulp
import pytest
from test_neighbourhoods import brute_force, covering, feasible, returns_of, stage_model, value_of

from healthplan.optimizer import objective
from healthplan.optimizer.config import ObjectiveConfig, OptimizerConfig, SolverConfig
from healthplan.optimizer.model import Model
from healthplan.optimizer.neighbourhoods import Improvement
from healthplan.optimizer.relaxation_support import Support, support_plan
from healthplan.optimizer.solve import StageResult
from healthplan.optimizer.status import Status

SOLVER = SolverConfig()


@pytest.mark.parametrize("seed", range(6))
def test_the_supports_plan_is_a_plan_and_the_relaxation_bounds_the_optimum(seed):
    prob, parts, xy = covering(seed, n_sites=7, budget=2)
    best = brute_force(prob, parts, len(xy))
    plan, sup = support_plan(prob, SOLVER, 30.0)
    assert sup is not None and sup.integer == 14 and 0 < sup.free <= sup.integer
    assert sup.bound >= best - 1e-6  # the relaxation bounds every plan
    assert plan is not None and feasible(prob, plan)
    assert value_of(prob, plan) == pytest.approx(sup.objective)
    assert sup.objective <= best + 1e-6
    assert all(float(plan[v.name]).is_integer() for v in parts["x"].values())


def test_the_relaxation_is_not_the_plan():
    # three sites of 2 units each, budget 3, three villages of 10 persons each covered by two sites in a cycle:
    # the relaxation builds half of every site and covers everyone (30); a plan builds one site and covers two
    # villages (20). The step reports 30 as its bound and 20 as its plan
    prob = pulp.LpProblem("cycle", pulp.LpMaximize)
    x = [prob.add_variable(f"x_{j}", 0, 1, cat=pulp.LpInteger) for j in range(3)]
    c = [prob.add_variable(f"c_{h}", 0, 1) for h in range(3)]
    prob.addConstraint(pulp.lpSum(2 * v for v in x) <= 3, "budget")
    for h in range(3):
        prob.addConstraint(c[h] - x[h] - x[(h + 1) % 3] <= 0, f"cover_{h}")
    prob.setObjective(pulp.lpSum(10 * v for v in c))
    plan, sup = support_plan(prob, SOLVER, 30.0)
    assert sup.bound == pytest.approx(30.0) and sup.objective == pytest.approx(20.0) and sup.free == 3
    assert sum(plan[v.name] for v in x) == 1 and feasible(prob, plan)


def test_no_time_gives_no_plan():
    # HiGHS 1.16 stops the relaxation at a limit of 0 s (nothing at all); HiGHS 1.10 still finishes so small an
    # LP, and then no time is left for the MILP: a bound without a plan
    prob, _, _ = covering(0, n_sites=7, budget=2)
    plan, sup = support_plan(prob, SOLVER, 0.0)
    assert plan is None and np.isnan(sup.objective) and (np.isnan(sup.bound) or sup.bound > 0)
    if np.isnan(sup.bound):  # the relaxation did not finish: its seconds are what it had
        assert sup.relaxation_s == sup.seconds and "gave no bound" in sup.note() and sup.ended != "Optimal"


def test_the_step_reports_while_it_runs(monkeypatch):
    # reports come about every WATCH_PERIOD_S; at 0.1 ms, with each solve held back 20 ms before it starts, both
    # of the small model's solves report. First the relaxation (nothing known), then the MILP on its support with
    # the relaxation's value as the bound, and every plan it reports is within that bound; the reports change
    # nothing in what the step returns
    import time

    from healthplan.optimizer import solve as solve_module

    prob, parts, xy = covering(3, n_sites=7, budget=2)
    quiet_plan, quiet = support_plan(prob, SOLVER, 30.0)
    monkeypatch.setattr(solve_module, "WATCH_PERIOD_S", 1e-4)
    run = solve_module.run_highs
    monkeypatch.setattr(solve_module, "run_highs", lambda h: (time.sleep(0.02), run(h)))
    seen: list[tuple[float, float]] = []
    plan, sup = support_plan(prob, SOLVER, 30.0, watch=lambda z, b: seen.append((z, b)))
    assert plan == quiet_plan
    assert (sup.bound, sup.objective) == (quiet.bound, quiet.objective)
    bounded = [i for i, (_, b) in enumerate(seen) if not np.isnan(b)]
    assert bounded and len(bounded) < len(seen), "both solves report"
    # the relaxation's reports (no bound) all come before the MILP's (the relaxation's bound)
    assert all(np.isnan(z) and np.isnan(b) for z, b in seen[:bounded[0]])
    assert all(seen[i][1] == sup.bound for i in bounded) and bounded == list(range(len(seen) - len(bounded), len(seen)))
    assert all(z <= sup.bound + 1e-6 for z, _ in seen if not np.isnan(z))


def test_through_the_stages_the_optimum_is_the_enumerated_one(monkeypatch):
    # the support step and the windows switched on for any size: the coverage stage still ends at the optimum
    monkeypatch.setattr(objective, "NEIGHBOURHOOD_MIN_ROWS", 0)
    seen = returns_of(monkeypatch, objective, "support_plan")
    for seed in range(3):
        prob, parts, xy = covering(seed, n_sites=7, budget=2)
        m = stage_model(prob, parts, xy)
        res = dict(objective.solve_stages(m, start={v.name: 0.0 for v in prob.variables()}))
        assert res["coverage"].objective == pytest.approx(brute_force(prob, parts, len(xy)))
        assert "the MILP on its support" in res["coverage"].message
    assert len(seen) == 3 and all(s is not None and np.isfinite(s.objective) for s in seen)


def test_the_stage_can_switch_it_off(monkeypatch):
    monkeypatch.setattr(objective, "NEIGHBOURHOOD_MIN_ROWS", 0)
    monkeypatch.setattr(objective, "support_plan", lambda *a, **k: pytest.fail("the step ran"))
    prob, parts, xy = covering(0, n_sites=7, budget=2)
    m = stage_model(prob, parts, xy, OptimizerConfig(objective=ObjectiveConfig(relaxation_support=False)))
    res = dict(objective.solve_stages(m, start={v.name: 0.0 for v in prob.variables()}))
    assert res["coverage"].objective == pytest.approx(brute_force(prob, parts, len(xy)))


@pytest.mark.parametrize("highs_bound, expected_gap", [
    (float("nan"), 0.30),  # HiGHS stopped before its bound: the relaxation's
    (125.0, 0.25),  # HiGHS's bound is the lower
    (140.0, 0.30),  # the relaxation's is the lower
])
def test_the_gap_is_measured_against_the_lower_bound(highs_bound, expected_gap):
    prob = pulp.LpProblem("k", pulp.LpMaximize)
    x = prob.add_variable("x", 0, 10)
    prob.setObjective(x)
    x.varValue = 1.0
    m = Model(prob=prob, data=types.SimpleNamespace(), mode="optimize")  # type: ignore[arg-type]
    res = StageResult(Status.TIME_LIMIT, "highs", 60.0, highs_bound, np.nan, 3.0, "HiGHS")
    sup = Support(bound=130.0, free=4, integer=10, objective=90.0, seconds=4.0)
    out = objective._keep_better(m, res, {"x": 7.0}, Improvement(4, 3, 90.0, 100.0, 2.0), sup)
    assert x.varValue == 7.0 and out.objective == 100.0
    assert out.gap == pytest.approx(expected_gap) and out.bound == pytest.approx(min(130.0, highs_bound)
                                                                                 if np.isfinite(highs_bound) else 130.0)
    assert out.seconds == pytest.approx(9.0) and "relaxation 130.0" in out.message


def test_highs_is_not_run_when_its_root_could_not_finish(monkeypatch):
    # with less time left than HIGHS_ROOT_FACTOR × the relaxation's seconds, the stage keeps the plan in hand and
    # measures its gap against the relaxation
    monkeypatch.setattr(objective, "NEIGHBOURHOOD_MIN_ROWS", 0)
    monkeypatch.setattr(objective, "HIGHS_ROOT_FACTOR", 1e12)
    monkeypatch.setattr(objective, "solve", lambda *a, **k: pytest.fail("HiGHS ran on the coverage stage")
                        if a[0].sense == pulp.LpMaximize else real_solve(*a, **k))
    prob, parts, xy = covering(1, n_sites=7, budget=2)
    m = stage_model(prob, parts, xy)
    res = dict(objective.solve_stages(m, start={v.name: 0.0 for v in prob.variables()}))["coverage"]
    best = brute_force(prob, parts, len(xy))
    coverage, _, _ = covering(1, n_sites=7, budget=2)  # its objective (prob's is now the folded one)
    assert res.objective == pytest.approx(best)
    assert value_of(coverage, {v.name: v.varValue for v in prob.variables()}) == pytest.approx(best)
    # the gap is the relaxation's: its coverage is integral here, its folded cost tie-break is not (a few 10⁻⁴)
    assert res.status == Status.TIME_LIMIT and 0.0 <= res.gap < 1e-3
    assert "HiGHS not run" in res.message and "this plan kept" in res.message


def test_highs_is_not_run_when_the_relaxation_did_not_finish(monkeypatch):
    # the relaxation ran out of its share: HiGHS's root needs more than that too, so with less than
    # HIGHS_ROOT_FACTOR × those seconds left HiGHS is not run; the plan in hand is kept without a bound
    monkeypatch.setattr(objective, "NEIGHBOURHOOD_MIN_ROWS", 0)
    monkeypatch.setattr(objective, "HIGHS_ROOT_FACTOR", 1e12)
    monkeypatch.setattr(objective, "support_plan",
                        lambda *a, **k: (None, Support(np.nan, 0, 14, np.nan, 0.5, 0.5, "Time limit reached")))
    monkeypatch.setattr(objective, "solve", lambda *a, **k: pytest.fail("HiGHS ran on the coverage stage")
                        if a[0].sense == pulp.LpMaximize else real_solve(*a, **k))
    prob, parts, xy = covering(2, n_sites=7, budget=2)
    coverage, _, _ = covering(2, n_sites=7, budget=2)
    m = stage_model(prob, parts, xy)
    res = dict(objective.solve_stages(m, start={v.name: 0.0 for v in prob.variables()}))["coverage"]
    assert feasible(coverage, {v.name: v.varValue for v in prob.variables()})
    assert res.status == Status.TIME_LIMIT and np.isinf(res.gap) and np.isinf(res.bound)
    assert res.objective <= brute_force(prob, parts, len(xy)) + 1e-6
    assert "HiGHS not run (" in res.message and "s left); the relaxation gave no bound in 0.5 s (Time limit" \
        in res.message


def test_highs_runs_when_the_support_milp_found_no_plan(monkeypatch):
    # a relaxation that finished but a restricted MILP without a plan: the rule does not apply (its relaxation
    # time says nothing about what HiGHS's search would find), and HiGHS runs
    monkeypatch.setattr(objective, "NEIGHBOURHOOD_MIN_ROWS", 0)
    monkeypatch.setattr(objective, "HIGHS_ROOT_FACTOR", 1e12)
    monkeypatch.setattr(objective, "support_plan", lambda *a, **k: (None, Support(1e9, 0, 14, np.nan, 0.5, 0.5)))
    ran = []
    monkeypatch.setattr(objective, "solve", lambda *a, **k: ran.append(a[0].sense) or real_solve(*a, **k))
    prob, parts, xy = covering(2, n_sites=7, budget=2)
    m = stage_model(prob, parts, xy)
    res = dict(objective.solve_stages(m, start={v.name: 0.0 for v in prob.variables()}))["coverage"]
    assert pulp.LpMaximize in ran and "HiGHS not run" not in res.message
    assert res.objective == pytest.approx(brute_force(prob, parts, len(xy)))


def test_the_window_search_has_the_time_highs_will_not_use(monkeypatch):
    # after a relaxation without a bound HiGHS is not run (above): the window search may take the stage to its
    # end, not only NEIGHBOURHOOD_SHARE of it (at 40,000 villages it was left nothing)
    monkeypatch.setattr(objective, "NEIGHBOURHOOD_MIN_ROWS", 0)
    given = {}
    real_improve = objective.improve_start
    for skips in (False, True):
        monkeypatch.setattr(objective, "HIGHS_ROOT_FACTOR", 1e12 if skips else 0.0)
        monkeypatch.setattr(objective, "support_plan",
                            lambda *a, **k: (None, Support(np.nan, 0, 14, np.nan, 0.5, 0.5, "Time limit reached")))
        monkeypatch.setattr(objective, "improve_start",
                            lambda *a, skips=skips, **k: given.setdefault(skips, a[5]) and real_improve(*a, **k))
        prob, parts, xy = covering(2, n_sites=7, budget=2)
        objective.solve_stages(stage_model(prob, parts, xy), start={v.name: 0.0 for v in prob.variables()})
    assert given[True] > 1.8 * given[False] > 0  # the whole stage against NEIGHBOURHOOD_SHARE (0.5) of it


real_solve = objective.solve
