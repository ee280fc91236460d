"""Objective stages: least weighted shortfall, most weighted coverage, least cost — solved lexicographically."""

from __future__ import annotations

import time
from collections.abc import Callable

import pulp

from healthplan.optimizer.model import Model, expr
from healthplan.optimizer.solve import StageResult, solve
from healthplan.optimizer.status import Status

# (stage name, sense) in the order each mode solves them.
STAGES = {
    "optimize": (("shortfall", pulp.LpMinimize), ("coverage", pulp.LpMaximize), ("cost", pulp.LpMinimize)),
    "min_budget": (("hard", pulp.LpMinimize), ("shortfall", pulp.LpMinimize), ("cost", pulp.LpMinimize), ("coverage", pulp.LpMaximize)),
}
STAGE_SHARE = 0.8  # most of the remaining time a non-final stage may take
WEIGHTED_SHORTFALL = 1e4  # weighted mode: one share of a standard outweighs covering everyone
WEIGHTED_COST = 1e-6  # weighted mode: cost only breaks ties


def stage_expression(m: Model, stage: str) -> pulp.LpAffineExpression:
    """Stage objective: Σ σ/required of hard rows (min-budget), Σ w σ/required (shares), Σ weighted covered
    persons, or Σ capital (万元)."""
    return expr({"hard": m.elastic, "shortfall": m.shortfall, "coverage": m.coverage, "cost": m.cost}[stage])


def weighted_expression(m: Model) -> pulp.LpAffineExpression:
    """Weighted mode (one solve): 10⁴ × shortfall − coverage / population + 10⁻⁶ × cost / budget."""
    pop = max(float(m.data.instance.population), 1.0)
    scale = max(float(m.data.cfg.budget_wan or 0.0), 1.0)
    terms = [(v, WEIGHTED_SHORTFALL * c) for v, c in m.shortfall]
    terms += [(v, -c / pop) for v, c in m.coverage] + [(v, WEIGHTED_COST * c / scale) for v, c in m.cost]
    return expr(terms)


def solve_stages(
    m: Model,
    *,
    progress: Callable[[str], None] | None = None,
    start: dict[str, float] | None = None,
) -> list[tuple[str, StageResult]]:
    """Solve the stages in order, holding each optimum within ``cfg.objective.tolerance`` (row ``hold_<stage>``).

    The time limit covers all stages together; a stage that is not the last gets at most ``STAGE_SHARE`` of the
    time left. A stage that stops at its limit keeps its incumbent (reported TIME_LIMIT with its gap) and the
    next stages still run; the last usable solution stays in the variables.
    """
    cfg = m.data.cfg
    tol = cfg.objective.tolerance
    limit = cfg.solver.time_limit_s
    t0 = time.perf_counter()
    if cfg.objective.mode == "weighted":
        plan = [("weighted", pulp.LpMinimize, weighted_expression(m))]
    else:
        plan = [(n, s, stage_expression(m, n)) for n, s in STAGES[m.mode]]
        plan = [p for p in plan if len(p[2])] or [("cost", pulp.LpMinimize, stage_expression(m, "cost"))]
    results: list[tuple[str, StageResult]] = []
    good: dict[str, float] | None = None
    for k, (name, sense, obj) in enumerate(plan):
        if progress:
            progress(f"solving stage {name}")
        m.prob.sense = sense
        m.prob.setObjective(obj)
        remaining = limit - (time.perf_counter() - t0)
        # a stage that is not the last may use at most STAGE_SHARE of what is left, so later stages always run
        allowed = remaining if k == len(plan) - 1 else remaining * STAGE_SHARE
        res = solve(m.prob, cfg.solver, allowed, start)
        results.append((name, res))
        if not res.status.has_plan:
            break
        good = {v.name: v.varValue for v in m.prob.variables() if v.varValue is not None}
        start = good
        z = res.objective
        slack = tol * max(1.0, abs(z)) + 1e-7
        if sense == pulp.LpMinimize:
            m.add(obj <= z + slack, f"hold_{name}")
        else:
            m.add(obj >= z - slack, f"hold_{name}")
        if limit - (time.perf_counter() - t0) <= 0:
            break
    if good is not None and not results[-1][1].status.has_plan:
        for v in m.prob.variables():  # restore the last usable stage's solution
            if v.name in good:
                v.varValue = good[v.name]
    return results


def overall_status(results: list[tuple[str, StageResult]]) -> Status:
    """INFEASIBLE/ERROR/UNBOUNDED if the first stage failed; TIME_LIMIT if any stage stopped early; else OPTIMAL."""
    if not results:
        return Status.ERROR
    first = results[0][1].status
    if not first.has_plan:
        return first
    if any(r.status == Status.TIME_LIMIT or not r.status.has_plan for _, r in results):
        return Status.TIME_LIMIT
    return Status.OPTIMAL
