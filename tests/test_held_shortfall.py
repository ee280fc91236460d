"""Holding the least shortfall group by group (optimizer.held_shortfall).

The probe's outcomes on hand-made models whose every plan is enumerated here.
"""

from __future__ import annotations

import itertools

import pulp
import pytest

from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.held_shortfall import hold_by_groups, initial_groups
from healthplan.optimizer.model import Model
from healthplan.optimizer.solve import constraints_of, solve

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
