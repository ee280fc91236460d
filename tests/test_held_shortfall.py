"""Holding the least shortfall group by group (optimizer.held_shortfall).

The probe's outcomes on hand-made models whose every plan is enumerated here.
"""

from __future__ import annotations

import itertools
import time
import types

import numpy as np
import pulp
import pytest

from healthplan.optimizer import objective
from healthplan.optimizer.config import OptimizerConfig, SolverConfig
from healthplan.optimizer.held_shortfall import hold_by_groups, initial_groups, speculate
from healthplan.optimizer.model import Model
from healthplan.optimizer.solve import StageResult, constraints_of, solve, solve_in_background
from healthplan.optimizer.status import Status

SOLVER = SolverConfig()


def small_model(costs: list[float], budget: float, terms: list[tuple[int, float, int]]) -> tuple[Model, dict]:
    """Binary builds x_j (cost ``costs[j]``, Σ cost ≤ ``budget``) and soft standards "build j": σ ≥ 1 − x_j,
    one per ``(j, weight, year)`` in ``terms``; returns the model and its shortfall expression by name."""
    prob = pulp.LpProblem("held", pulp.LpMinimize)
    m = Model(prob=prob, data=None, mode="optimize")  # type: ignore[arg-type]
    x = [m.var(f"x_{j}", 0, 1, cat=pulp.LpBinary) for j in range(len(costs))]
    m.add(pulp.lpSum(c * v for c, v in zip(costs, x, strict=True)) <= budget, "budget_total")
    shortfall, build_of = [], {}
    for i, (j, w, t) in enumerate(terms):
        s = m.var(f"short_{i}_{t}", 0, cat=pulp.LpInteger)
        m.add(s + x[j] >= 1, f"std_{i}_{t}")
        shortfall.append((s, w))
        build_of[s.name] = j
        m.term_year[s.name] = t
    return m, {"x": x, "shortfall": pulp.LpAffineExpression(shortfall), "build_of": build_of}


def first_stage(m: Model, obj: pulp.LpAffineExpression) -> tuple[float, float]:
    """Solve the least shortfall; its optimum and the slack a stage holds it with."""
    m.prob.sense = pulp.LpMinimize
    m.prob.setObjective(obj)
    res = solve(m.prob, SOLVER, 30.0)
    return res.objective, 1e-6 * max(1.0, abs(res.objective)) + 1e-7


def plans_within(m: Model, parts: dict, costs: list[float], budget: float,
                 cap: float) -> set[tuple[int, ...]]:
    """Every build vector whose least shortfall (σ at its least: 1 − x_j) is ≤ ``cap`` and which obeys the
    model's bounds on the shortfall variables and its rows ``hold_*`` (checked by value)."""
    out = set()
    names = [v.name for v in parts["x"]]
    for xs in itertools.product((0, 1), repeat=len(costs)):
        if sum(c * b for c, b in zip(costs, xs, strict=True)) > budget + 1e-9:
            continue
        values = dict(zip(names, xs, strict=True))
        for v, _ in parts["shortfall"].items():
            values[v.name] = 1 - xs[parts["build_of"][v.name]]
        if sum(c * values[v.name] for v, c in parts["shortfall"].items()) > cap:
            continue
        terms = parts["shortfall"].items()
        if any(v.upBound is not None and values[v.name] > v.upBound + 1e-9 for v, _ in terms):
            continue
        if any(row.name.startswith("hold_") and not row.valid() for row in _with(m, values)):
            continue
        out.add(xs)
    return out


def _with(m: Model, values: dict) -> list:
    """The model's rows with the variables set to ``values`` (for ``LpConstraint.valid``)."""
    for v in m.prob.variables():
        v.varValue = values.get(v.name, 0.0)
    return constraints_of(m.prob)


def test_initial_groups_join_equal_weight_and_year():
    m, parts = small_model([1, 1, 1, 1], 2, [(0, 1.0, 0), (1, 1.0, 0), (2, 1.0, 1), (3, 0.2, 1)])
    terms = list(parts["shortfall"].items())
    assert sorted(map(sorted, initial_groups(terms, m.term_year))) == [[0, 1], [2], [3]]


def test_no_trade_bounds_every_group_and_keeps_the_plans():
    # two standards of different weight in different years, one build affordable: the heavy one is built, the
    # light one is short in every least-shortfall plan, so each can be held at its own value
    costs, budget = [1.0, 1.0], 1.0
    m, parts = small_model(costs, budget, [(0, 2.0, 0), (1, 1.0, 1)])
    z, slack = first_stage(m, parts["shortfall"])
    assert z == pytest.approx(1.0)
    before = plans_within(m, parts, costs, budget, z + slack)
    m.add(parts["shortfall"] <= z + slack, "hold_shortfall")
    held = hold_by_groups(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 30.0)
    assert held.held and held.probes == 1, held
    ups = {v.name: v.upBound for v, _ in parts["shortfall"].items()}
    assert ups == {"short_0_0": 0.0, "short_1_1": 1.0}  # whole units: σ*_g + δ + (G − 1)η floored
    assert plans_within(m, parts, costs, budget, z + slack) == before == {(1, 0)}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_trade_merges_the_groups_and_a_second_probe_proves_the_rest(solver):
    # standards 0 (year 0) and 1 (year 1) of weight 1 compete for one build; standard 2 (weight 3) is always
    # met: the first probe finds the trade between 0 and 1, which are merged; the second proves the groups
    costs, budget = [1.0, 1.0, 1.0], 2.0
    m, parts = small_model(costs, budget, [(0, 1.0, 0), (1, 1.0, 1), (2, 3.0, 1)])
    z, slack = first_stage(m, parts["shortfall"])
    assert z == pytest.approx(1.0)
    before = plans_within(m, parts, costs, budget, z + slack)
    assert before == {(1, 0, 1), (0, 1, 1)}
    m.add(parts["shortfall"] <= z + slack, "hold_shortfall")
    held = hold_by_groups(m, "shortfall", parts["shortfall"], z, slack, SolverConfig(name=solver), 0.1, 30.0)
    assert held.held and held.probes == 2, held
    assert sorted(map(sorted, held.groups)) == [["short_0_0", "short_1_1"], ["short_2_1"]]
    assert sum(r.name.startswith("hold_shortfall_group_") for r in constraints_of(m.prob)) == 1
    assert plans_within(m, parts, costs, budget, z + slack) == before  # no plan of the held set removed


def test_every_term_trading_leaves_the_total_alone():
    costs, budget = [1.0, 1.0], 1.0
    m, parts = small_model(costs, budget, [(0, 1.0, 0), (1, 1.0, 1)])
    z, slack = first_stage(m, parts["shortfall"])
    rows = [r.name for r in constraints_of(m.prob)]
    held = hold_by_groups(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 30.0)
    assert not held.held and "trade" in held.reason, held
    assert [r.name for r in constraints_of(m.prob)] == rows
    assert all(v.upBound is None for v, _ in parts["shortfall"].items())
    assert "held as a total" in held.note()


def test_a_first_stage_short_of_its_optimum_is_not_split():
    # the first stage's plan builds nothing (shortfall 2, not the least 1): the probe finds a better plan
    costs, budget = [1.0, 1.0], 1.0
    m, parts = small_model(costs, budget, [(0, 1.0, 0), (1, 2.0, 1)])
    for v in parts["x"]:
        v.varValue = 0.0
    for v, _ in parts["shortfall"].items():
        v.varValue = 1.0
    held = hold_by_groups(m, "shortfall", parts["shortfall"], 3.0, 1e-6, SOLVER, 0.1, 30.0)
    assert not held.held and "less shortfall" in held.reason, held
    assert [v.varValue for v in parts["x"]] == [0.0, 0.0]  # the probe's plan does not stay in the variables
    # … but comes back for the caller to hold the stage at: a total below the claimed 3, and a plan that has it
    total, plan = held.better
    assert total < 3.0 - 1e-6
    assert sum(c * plan[v.name] for v, c in parts["shortfall"].items()) == pytest.approx(total)
    assert sum(plan[v.name] for v in parts["x"]) <= budget


@pytest.mark.parametrize("speculation", [False, True])
def test_a_probe_with_less_shortfall_becomes_the_stage_s_plan(monkeypatch, speculation):
    """The first stage stops within its gap at a plan that builds nothing (shortfall 3 against the least 1: one
    build of two for budget 1, standards of weight 1 and 2). The probe finds a plan with less: the stage is held
    at that plan's value instead, reports it, and the next stage starts from it (beside the next stage: the
    attempt is dropped and the stage solved again from it)."""
    m, parts = small_model([1.0, 1.0], 1.0, [(0, 1.0, 0), (1, 2.0, 1)])
    m.data = types.SimpleNamespace(cfg=OptimizerConfig(), years=[2025, 2026])
    m.shortfall = list(parts["shortfall"].items())
    cover = [m.var(f"cover_{j}", 0, 1) for j in range(2)]
    for j, (c, x) in enumerate(zip(cover, parts["x"], strict=True)):
        m.add(c - x <= 0, f"cover_{j}")
    m.coverage = list(zip(cover, (1.0, 1.0), strict=True))
    m.cost = [(x, 1.0) for x in parts["x"]]
    real_solve, calls = objective.solve, []

    def first_stops_short(prob, cfg, limit, *a, **k):
        calls.append(prob.objective)
        if len(calls) > 1:
            return real_solve(prob, cfg, limit, *a, **k)
        for v in prob.variables():  # build nothing: every standard short by one
            v.varValue = 1.0 if v.name.startswith("short_") else 0.0
        # "optimal" within a (large) solver gap, as HiGHS says of a plan within mip_rel_gap
        return StageResult(Status.OPTIMAL, "highs", 3.0, 1.0, 2.0 / 3.0, 0.01, "stopped short (test)")

    monkeypatch.setattr(objective, "solve", first_stops_short)
    if not speculation:
        monkeypatch.setattr(objective, "speculate", lambda *a, **k: None)
    res = dict(objective.solve_stages(m, fold=False))
    short = res["shortfall"]
    assert short.objective == pytest.approx(1.0)  # build x_1: the weight-2 standard met
    assert "held at the probe's plan instead, 3 → 1" in short.message, short.message
    assert short.gap == pytest.approx(0.0)  # against the first stage's bound of 1
    hold = next(c for c in constraints_of(m.prob) if c.name == "hold_shortfall")
    assert -hold.constant == pytest.approx(1.0, abs=1e-5)
    assert res["coverage"].status.has_plan and res["coverage"].objective == pytest.approx(1.0)
    assert [round(v.varValue) for v in parts["x"]] == [0, 1]


# --- the first probe beside the next stage (Speculation) ---------------------------------------------------------


def _model_state(m: Model, parts: dict) -> tuple:
    """What holding by groups changes: the shortfall variables' bounds and the model's rows (name, text)."""
    return ({v.name: v.upBound for v, _ in parts["shortfall"].items()},
            [(r.name, str(r)) for r in constraints_of(m.prob)])


def test_a_speculation_that_holds_leaves_the_model_the_sequential_proof_leaves():
    costs, budget, terms = [1.0, 1.0], 1.0, [(0, 2.0, 0), (1, 1.0, 1)]
    states = []
    for way in ("sequential", "speculation"):
        m, parts = small_model(costs, budget, terms)
        z, slack = first_stage(m, parts["shortfall"])
        m.add(parts["shortfall"] <= z + slack, "hold_shortfall")
        if way == "sequential":
            held = hold_by_groups(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 30.0)
        else:
            spec = speculate(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 30.0)
            assert spec is not None
            applied = _model_state(m, parts)  # bounded at once, before the probe is settled
            held = spec.settle()
            assert held is not None and held.alongside and "beside the next stage" in held.note()
            assert _model_state(m, parts) == applied
        assert held.held and held.probes == 1, held
        states.append(_model_state(m, parts))
    assert states[0] == states[1]


def test_a_speculation_that_meets_a_trade_takes_its_bounds_back():
    costs, budget, terms = [1.0, 1.0, 1.0], 2.0, [(0, 1.0, 0), (1, 1.0, 1), (2, 3.0, 1)]
    m, parts = small_model(costs, budget, terms)
    z, slack = first_stage(m, parts["shortfall"])
    m.add(parts["shortfall"] <= z + slack, "hold_shortfall")
    before = _model_state(m, parts)
    values = {v.name: v.varValue for v in m.prob.variables()}
    spec = speculate(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 30.0)
    assert spec is not None and _model_state(m, parts) != before
    assert spec.settle() is None  # the first probe finds the trade between standards 0 and 1
    assert _model_state(m, parts) == before
    assert {v.name: v.varValue for v in m.prob.variables()} == values  # the probe's plan stays out of them
    assert spec.first is not None and spec.first[0].status.has_plan
    held = hold_by_groups(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 30.0, spec.first)
    assert held.held and held.probes == 2, held  # the first probe counted, not solved again
    assert sorted(map(sorted, held.groups)) == [["short_0_0", "short_1_1"], ["short_2_1"]]
    assert plans_within(m, parts, costs, budget, z + slack) == {(1, 0, 1), (0, 1, 1)}


def test_no_speculation_with_cbc_or_several_threads():
    m, parts = small_model([1.0, 1.0], 1.0, [(0, 2.0, 0), (1, 1.0, 1)])
    z, slack = first_stage(m, parts["shortfall"])
    for solver in (SolverConfig(name="cbc"), SolverConfig(threads=2)):
        assert speculate(m, "shortfall", parts["shortfall"], z, slack, solver, 0.1, 30.0) is None


def test_a_background_solve_reads_the_model_once_and_writes_no_values():
    prob = pulp.LpProblem("bg", pulp.LpMaximize)
    x = [prob.add_variable(f"x_{j}", 0, 1, cat=pulp.LpBinary) for j in range(4)]
    prob.setObjective(pulp.lpSum((j + 1) * v for j, v in enumerate(x)))
    prob.addConstraint(pulp.lpSum(x) <= 2, "two")
    result = solve_in_background(prob, SOLVER, 30.0)
    x[3].upBound = 0  # after it started: does not reach the solve
    res, values = result()
    assert res.status == Status.OPTIMAL and res.objective == pytest.approx(7.0)
    assert values == {"x_0": 0.0, "x_1": 0.0, "x_2": 1.0, "x_3": 1.0}
    assert all(v.varValue is None for v in x)
    again = solve(prob, SOLVER, 30.0)  # the edited model, solved the usual way
    assert again.objective == pytest.approx(5.0)


def test_two_background_solves_side_by_side_agree_with_one_after_the_other():
    """Two multi-dimensional knapsacks (HiGHS branches for ≈ 0.3–0.8 s on each) solved in threads of their own
    at the same time give the optima they give one after the other; the second starts while the first runs."""
    def knapsack(seed: int) -> pulp.LpProblem:
        rng = np.random.default_rng(seed)
        w = rng.integers(10, 100, size=(5, 40))
        p = (w.sum(axis=0) / 5 + rng.integers(0, 20, 40)).astype(int)
        prob = pulp.LpProblem(f"k{seed}", pulp.LpMaximize)
        x = [prob.add_variable(f"x_{j}", 0, 1, cat=pulp.LpBinary) for j in range(40)]
        prob.setObjective(pulp.lpSum(int(p[j]) * x[j] for j in range(40)))
        for i in range(5):
            prob.addConstraint(pulp.lpSum(int(w[i, j]) * x[j] for j in range(40)) <= int(w[i].sum() // 2), f"c{i}")
        return prob

    alone = [solve(knapsack(seed), SOLVER, 60.0).objective for seed in (1, 2)]
    second_model = knapsack(2)
    t0 = time.perf_counter()
    first = solve_in_background(knapsack(1), SOLVER, 60.0)
    second = solve_in_background(second_model, SOLVER, 60.0)
    second_started = time.perf_counter() - t0  # its model read and its thread started
    (res1, _), (res2, _) = first(), second()
    assert [res1.objective, res2.objective] == pytest.approx(alone)
    assert res1.status == res2.status == Status.OPTIMAL
    assert second_started < res1.seconds, "the second solve began after the first had ended: nothing overlapped"


@pytest.mark.parametrize("people", [(5.0, 7.0, 1.0), (7.0, 5.0, 1.0)])
def test_solve_stages_solves_the_next_stage_again_after_a_failed_speculation(people):
    # standards 0 and 1 (weight 1, years 0 and 1) compete for one build, standard 2 (weight 3) is always met.
    # The speculation bounds the groups at the first stage's plan, which builds 0 or 1; in one of the two orders
    # of people that is the build that covers fewer. The probe finds the trade, so the coverage stage is solved
    # again on the sequential model and builds the one that covers more
    best = [0, 1, 1] if people[1] > people[0] else [1, 0, 1]
    for speculation in (True, False):
        m, parts = small_model([1.0, 1.0, 1.0], 2.0, [(0, 1.0, 0), (1, 1.0, 1), (2, 3.0, 1)])
        m.data = types.SimpleNamespace(cfg=OptimizerConfig(), years=[2025, 2026])
        m.shortfall = list(parts["shortfall"].items())
        cover = [m.var(f"cover_{j}", 0, 1) for j in range(3)]
        for j, (c, x) in enumerate(zip(cover, parts["x"], strict=True)):
            m.add(c - x <= 0, f"cover_{j}")
        m.coverage = list(zip(cover, people, strict=True))
        m.cost = [(x, 1.0) for x in parts["x"]]
        real = objective.speculate
        made = []

        def spy(*a, **k):
            spec = real(*a, **k) if speculation else None
            made.append(spec)
            return spec

        removed = []
        real_remove = objective.remove_budget_caps
        objective.speculate = spy
        objective.remove_budget_caps = lambda model: removed.append(model) or real_remove(model)
        try:
            res = dict(objective.solve_stages(m))
        finally:
            objective.speculate = real
            objective.remove_budget_caps = real_remove
        assert len(made) == 1 and (made[0] is not None) == speculation
        # the groups taken back: caps made from them go before the sequential probes (budget_caps)
        assert removed == ([m] if speculation else [])
        assert ("solved again after the shortfall probe" in res["coverage"].message) == speculation
        assert res["shortfall"].objective == pytest.approx(1.0)
        assert res["coverage"].objective == pytest.approx(8.0)
        assert [round(v.varValue) for v in parts["x"]] == best
        assert "by 2 probe(s)" in res["shortfall"].message, res["shortfall"].message


def test_a_large_next_stage_waits_for_the_probe(monkeypatch):
    """Before a stage that searches windows (a large phased model) the groups are held the sequential way: no
    speculation, the probe's proof in the shortfall stage's message, and not "run beside the next stage"."""
    from healthplan.optimizer.config import ObjectiveConfig

    made = []
    monkeypatch.setattr(objective, "speculate", lambda *a, **k: made.append(a) or None)
    # the window search itself is not what this test is about: it finds nothing
    monkeypatch.setattr(objective, "improve_start", lambda *a, **k: (None, None))
    monkeypatch.setattr(objective, "_site_of", lambda model: {})
    monkeypatch.setattr(objective, "_site_xy", lambda model: None)
    for large in (False, True):
        m, parts = small_model([1.0, 1.0, 1.0], 2.0, [(0, 1.0, 0), (1, 1.0, 1), (2, 3.0, 1)])
        cfg = OptimizerConfig(objective=ObjectiveConfig(relaxation_support=False))
        m.data = types.SimpleNamespace(cfg=cfg, years=[2025, 2026])
        m.shortfall = list(parts["shortfall"].items())
        m.coverage = [(x, 1.0) for x in parts["x"]]
        m.cost = [(x, 1.0) for x in parts["x"]]
        monkeypatch.setattr(objective, "_searches_windows", lambda model, large=large: large)
        made.clear()
        res = dict(objective.solve_stages(m, fold=False))
        assert len(made) == (0 if large else 1)
        assert res["coverage"].status.has_plan
        if large:
            assert "probe(s)" in res["shortfall"].message and "beside" not in res["shortfall"].message


def test_a_first_probe_that_ran_counts_even_without_time_for_another():
    costs, budget, terms = [1.0, 1.0, 1.0], 2.0, [(0, 1.0, 0), (1, 1.0, 1), (2, 3.0, 1)]
    m, parts = small_model(costs, budget, terms)
    z, slack = first_stage(m, parts["shortfall"])
    m.add(parts["shortfall"] <= z + slack, "hold_shortfall")
    spec = speculate(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 30.0)
    assert spec is not None and spec.settle() is None
    held = hold_by_groups(m, "shortfall", parts["shortfall"], z, slack, SOLVER, 0.1, 0.0, spec.first)
    assert not held.held and held.probes == 1 and held.reason == "no time left for a probe", held


def test_removing_a_row_that_is_not_there_is_an_error():
    m, _ = small_model([1.0], 1.0, [(0, 1.0, 0)])
    m.remove("budget_total")
    assert "budget_total" not in [r.name for r in constraints_of(m.prob)]
    with pytest.raises(KeyError):
        m.remove("budget_total")
