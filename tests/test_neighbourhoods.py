"""Improving a stage's start window by window (optimizer.neighbourhoods).

Hand-made maximal-covering models whose every plan is enumerated here: the improved start is a plan of the
model, never worse than the start, and with one window holding every site it is the optimum.
"""

from __future__ import annotations

import itertools

import numpy as np
import pulp
import pytest

from healthplan.optimizer import objective
from healthplan.optimizer.config import SolverConfig
from healthplan.optimizer.neighbourhoods import improve_start, site_windows
from healthplan.optimizer.solve import constraints_of, run_highs, solve

SOLVER = SolverConfig()


def covering(seed: int, n_sites: int = 8, n_points: int = 30, budget: int = 3, years: int = 2
             ) -> tuple[pulp.LpProblem, dict, np.ndarray]:
    """Sites on a line, points covered by sites within 1.5 units, x_jt whole builds (cumulative over years,
    at most one unit per site), year budgets of ``budget`` units (carried over), coverage c_ht ≤ Σ x."""
    rng = np.random.default_rng(seed)
    xy = np.column_stack([np.arange(n_sites, dtype=float) * 1.0, np.zeros(n_sites)])
    pts = rng.uniform(-1, n_sites, n_points)
    pop = rng.integers(1, 50, n_points).astype(float)
    prob = pulp.LpProblem("cover", pulp.LpMaximize)
    x = {(j, t): prob.add_variable(f"x_{j}_{t}", 0, 1, cat=pulp.LpInteger) for j in range(n_sites)
         for t in range(years)}
    for j in range(n_sites):
        prob.addConstraint(pulp.lpSum(x[j, t] for t in range(years)) <= 1, f"once_{j}")
    for t in range(years):
        prob.addConstraint(pulp.lpSum(x[j, s] for j in range(n_sites) for s in range(t + 1)) <= budget * (t + 1),
                           f"budget_{t}")
    terms, nears = [], []
    for h in range(n_points):
        near = [j for j in range(n_sites) if abs(xy[j, 0] - pts[h]) <= 1.5]
        nears.append(near)
        for t in range(years):
            c = prob.add_variable(f"c_{h}_{t}", 0, 1)
            prob.addConstraint(c - pulp.lpSum(x[j, s] for j in near for s in range(t + 1)) <= 0, f"cover_{h}_{t}")
            terms.append((c, pop[h] * (years - t)))
    prob.setObjective(pulp.lpSum(w * c for c, w in terms))
    return prob, {"x": x, "pts": pts, "pop": pop, "near": nears, "years": years, "budget": budget}, xy


def value_of(prob: pulp.LpProblem, values: dict) -> float:
    return sum(c * values[v.name] for v, c in prob.objective.items())


def feasible(prob: pulp.LpProblem, values: dict) -> bool:
    for v in prob.variables():
        v.varValue = values[v.name]
    return all(row.valid(1e-7) for row in constraints_of(prob))


def completed(prob: pulp.LpProblem, parts: dict, builds: dict[tuple[int, int], int]) -> dict[str, float]:
    """A full plan: the builds, each coverage variable at what they cover."""
    values = {v.name: float(builds.get(key, 0)) for key, v in parts["x"].items()}
    for row in constraints_of(prob):
        if row.name.startswith("cover_"):
            c = next(v for v in row.keys() if v.name.startswith("c_"))
            supply = sum(values[v.name] for v in row.keys() if v.name.startswith("x_"))
            values[c.name] = min(1.0, supply)
    return values


def brute_force(prob: pulp.LpProblem, parts: dict, n_sites: int) -> float:
    """The optimum over every build plan (each site: never, or in one year), counted without the model."""
    years, budget, pop = parts["years"], parts["budget"], parts["pop"]
    near = np.zeros((len(pop), n_sites), dtype=bool)
    for h, sites in enumerate(parts["near"]):
        near[h, sites] = True
    best = -1.0
    for choice in itertools.product(range(years + 1), repeat=n_sites):
        year = np.array(choice)
        if any((year <= t).sum() > budget * (t + 1) for t in range(years)):
            continue
        value = sum(float(pop @ (near & (year <= t)).any(axis=1)) * (years - t) for t in range(years))
        best = max(best, value)
    return best


def site_of(parts: dict) -> dict[str, int]:
    return {v.name: j for (j, _), v in parts["x"].items()}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_window_of_every_site_reaches_the_optimum(seed):
    prob, parts, xy = covering(seed)
    start = completed(prob, parts, {(0, 0): 1, (1, 0): 1, (2, 1): 1})  # a poor plan that spends the budget
    assert feasible(prob, start)
    out, imp = improve_start(prob, start, site_of(parts), xy, SOLVER, 30.0, window_sites=len(xy))
    assert imp is not None and imp.before == pytest.approx(value_of(prob, start))
    assert feasible(prob, out)
    assert value_of(prob, out) == pytest.approx(imp.after)
    assert imp.after == pytest.approx(brute_force(prob, parts, len(xy)))
    assert imp.after > imp.before  # the start was not the optimum


@pytest.mark.parametrize("seed", [3, 4])
def test_small_windows_improve_and_keep_a_plan(seed):
    prob, parts, xy = covering(seed, n_sites=10, budget=2)
    start = completed(prob, parts, {(0, 0): 1, (9, 0): 1, (5, 1): 1, (4, 1): 1})
    assert feasible(prob, start)
    out, imp = improve_start(prob, start, site_of(parts), xy, SOLVER, 30.0, window_sites=3)
    assert imp is not None and imp.windows >= 6  # two partitions of 10 sites into cells of at most 3
    assert imp.improved > 0 and imp.after > imp.before  # the start builds at both ends: windows move units
    assert feasible(prob, out)
    assert imp.before <= value_of(prob, out) == pytest.approx(imp.after)
    assert imp.after <= brute_force(prob, parts, len(xy)) + 1e-6


def test_a_start_that_is_not_a_plan_is_left_alone():
    prob, parts, xy = covering(0)
    start = completed(prob, parts, {(j, 0): 1 for j in range(5)})  # 5 builds in year 0, budget 3
    out, imp = improve_start(prob, start, site_of(parts), xy, SOLVER, 30.0)
    assert imp is None and out == start
    partial = {k: v for k, v in completed(prob, parts, {}).items() if not k.startswith("c_")}
    out, imp = improve_start(prob, partial, site_of(parts), xy, SOLVER, 30.0)
    assert imp is None and out == partial


@pytest.mark.parametrize("plan", [False, True])
def test_a_window_whose_highs_stays_past_its_limit_ends_the_search(monkeypatch, plan):
    """A window solve that does not return (solve.run_guarded gives its last plan, or none) is the last one
    tried: its plan is taken if it is better and feasible, and no further window starts while it runs."""
    from healthplan.optimizer import neighbourhoods

    prob, parts, xy = covering(3, n_sites=10, budget=2)
    start = completed(prob, parts, {(0, 0): 1, (9, 0): 1, (5, 1): 1, (4, 1): 1})
    calls = []

    def stuck(h, limit, lp, grace):  # noqa: ANN001
        calls.append(grace)
        if not plan:
            return {}
        run_highs(h)  # the plan HiGHS would have reported before it stalled (scheduler reset if needed)
        return {"x": list(h.getSolution().col_value), "bound": float("nan")}

    monkeypatch.setattr(neighbourhoods, "run_guarded", stuck)
    out, imp = improve_start(prob, start, site_of(parts), xy, SOLVER, 30.0, window_sites=3)
    assert calls == [neighbourhoods.WINDOW_GRACE_S] and imp is not None and imp.windows == 1
    assert feasible(prob, out)
    if plan:  # this start's first window improves (1,168 → 1,333 weighted persons): its plan is taken
        assert imp.improved == 1 and imp.after > imp.before == pytest.approx(value_of(prob, start))
        assert value_of(prob, out) == pytest.approx(imp.after)
    else:
        assert out == start and imp.after == imp.before


def grid(seed: int, side: int = 7, n_points: int = 150, budget: int = 4, years: int = 2, radius: float = 1.3
         ) -> tuple[pulp.LpProblem, dict, np.ndarray]:
    """Sites on a side × side grid (unit spacing), points anywhere in it covered by sites within ``radius``,
    otherwise as :func:`covering`: a plane, where one pass over the windows leaves later windows' gains for the
    earlier ones (on a line it does not)."""
    rng = np.random.default_rng(seed)
    xy = np.array([(i, j) for i in range(side) for j in range(side)], dtype=float)
    pts = rng.uniform(-0.5, side - 0.5, (n_points, 2))
    pop = rng.integers(1, 50, n_points).astype(float)
    prob = pulp.LpProblem("grid", pulp.LpMaximize)
    x = {(j, t): prob.add_variable(f"x_{j}_{t}", 0, 1, cat=pulp.LpInteger) for j in range(len(xy))
         for t in range(years)}
    for j in range(len(xy)):
        prob.addConstraint(pulp.lpSum(x[j, t] for t in range(years)) <= 1, f"once_{j}")
    for t in range(years):
        prob.addConstraint(pulp.lpSum(x[j, s] for j in range(len(xy)) for s in range(t + 1)) <= budget * (t + 1),
                           f"budget_{t}")
    terms = []
    for h in range(n_points):
        near = [j for j in range(len(xy)) if np.hypot(*(xy[j] - pts[h])) <= radius]
        for t in range(years):
            c = prob.add_variable(f"c_{h}_{t}", 0, 1)
            prob.addConstraint(c - pulp.lpSum(x[j, s] for j in near for s in range(t + 1)) <= 0, f"cover_{h}_{t}")
            terms.append((c, pop[h] * (years - t)))
    prob.setObjective(pulp.lpSum(w * c for c, w in terms))
    return prob, {"x": x}, xy


@pytest.mark.parametrize("seed", [22, 29])
def test_passes_repeat_until_no_window_improves(seed):
    """On a plane one pass is not enough: the search passes over the windows again (only those that see a
    changed value) until a whole pass finds nothing better, so a second search from its plan improves nothing;
    its plan stays feasible and at most the optimum (HiGHS on the whole model)."""
    prob, parts, xy = grid(seed)
    start = completed(prob, parts, {(j, 0): 1 for j in range(4)} | {(j + 4, 1): 1 for j in range(4)})
    assert feasible(prob, start)
    out, imp = improve_start(prob, start, site_of(parts), xy, SOLVER, 60.0, window_sites=5)
    assert imp is not None and imp.passes > 1 and "passes" in imp.note()
    assert feasible(prob, out) and value_of(prob, out) == pytest.approx(imp.after) and imp.after > imp.before
    again, imp2 = improve_start(prob, out, site_of(parts), xy, SOLVER, 60.0, window_sites=5)
    assert imp2 is not None and imp2.improved == 0 and imp2.passes == 1 and again == out
    best = solve(prob, SOLVER, 60.0)
    assert best.objective >= imp.after - 1e-6


def test_windows_cover_every_site_once_per_partition():
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 1000, (203, 2))
    xy[[7, 50], :] = np.nan  # no geometry
    cells = site_windows(xy, size=10)
    assert all(1 <= len(c) <= 10 for c in cells)
    counts = np.bincount(np.concatenate(cells), minlength=len(xy))
    assert counts[[7, 50]].tolist() == [1, 1]  # their own window, once
    assert set(np.delete(counts, [7, 50]).tolist()) == {2}  # once in each of the two partitions
    spans = [np.ptp(xy[c, 0]) for c in cells[: len(cells) // 2] if not np.isnan(xy[c]).any()]
    assert max(spans) < 1000 / 4  # cells are local, not strips across the region


def test_a_multi_year_stage_from_an_improved_start_keeps_the_optimum(monkeypatch):
    # the brute-force two-year case of tests/test_held_shortfall.py's kind, through solve_stages with the
    # search switched on for any size: same optimum as without it (the support step off: from its plan, the
    # optimum here, the windows would have nothing to improve; tests/test_relaxation_support.py)
    from healthplan.optimizer.config import ObjectiveConfig, OptimizerConfig

    results = []
    searches = returns_of(monkeypatch, objective, "improve_start")
    for on in (True, False):
        monkeypatch.setattr(objective, "NEIGHBOURHOOD_MIN_ROWS", 0 if on else 10**9)
        prob, parts, xy = covering(1, n_sites=7, budget=2)
        m = stage_model(prob, parts, xy, OptimizerConfig(objective=ObjectiveConfig(relaxation_support=False)))
        res = dict(objective.solve_stages(m, start={v.name: 0.0 for v in prob.variables()}))
        results.append(res["coverage"].objective)
        assert ("re-solving" in res["coverage"].message) == on, res["coverage"].message
    assert results[0] == pytest.approx(results[1])
    assert results[0] == pytest.approx(brute_force(*covering(1, n_sites=7, budget=2)[:2], 7))
    # the search ran once (switched on), from the all-zero start, and improved it
    assert len(searches) == 1 and searches[0].improved > 0 and searches[0].after > searches[0].before


def _sites(xy: np.ndarray):
    import pandas as pd

    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})


def stage_model(prob: pulp.LpProblem, parts: dict, xy: np.ndarray, cfg=None):  # noqa: ANN001, ANN201
    """A two-year stage model around a :func:`covering` problem, as ``objective.solve_stages`` reads it (the
    default configuration unless ``cfg``); its coverage is the problem's objective as it is now."""
    import types

    from healthplan.optimizer.config import OptimizerConfig
    from healthplan.optimizer.model import Model

    m = Model(prob=prob, data=None, mode="optimize")  # type: ignore[arg-type]
    m.data = types.SimpleNamespace(cfg=cfg or OptimizerConfig(), years=[2025, 2026], n_sites=len(xy),
                                   instance=types.SimpleNamespace(sites=_sites(xy)))
    m.x = {"site": dict(parts["x"])}
    m.coverage = list(prob.objective.items())
    m.cost = [(v, 1.0) for v in parts["x"].values()]
    return m


def returns_of(monkeypatch, module, name: str) -> list:  # noqa: ANN001
    """Wrap ``module.name`` (a function returning a pair) for this test: the list it returns fills with the
    second item of each call's result, the call itself unchanged."""
    real, seen = getattr(module, name), []

    def spy(*a, **k):
        out = real(*a, **k)
        seen.append(out[1])
        return out

    monkeypatch.setattr(module, name, spy)
    return seen



@pytest.mark.parametrize("status, objective_value, kept", [
    ("time_limit", 90.0, "search"),  # HiGHS stopped with a worse plan: the search's plan, gap to HiGHS's bound
    ("optimal", 90.0, "highs"),  # HiGHS proved its plan within the solver gap: kept, the same in every run
    ("time_limit", 120.0, "highs"),  # HiGHS found better
    ("error", float("nan"), "search"),  # HiGHS has no plan
])
def test_the_better_plan_is_kept_unless_highs_proved_its_own(status, objective_value, kept):
    import types

    from healthplan.optimizer.model import Model
    from healthplan.optimizer.neighbourhoods import Improvement
    from healthplan.optimizer.solve import StageResult
    from healthplan.optimizer.status import Status

    prob = pulp.LpProblem("k", pulp.LpMaximize)
    x = prob.add_variable("x", 0, 10)
    prob.setObjective(x)
    x.varValue = 1.0
    m = Model(prob=prob, data=types.SimpleNamespace(), mode="optimize")  # type: ignore[arg-type]
    res = StageResult(Status(status), "highs", objective_value, 125.0, 0.2, 3.0, "HiGHS")
    out = objective._keep_better(m, res, {"x": 7.0}, Improvement(4, 3, 50.0, 100.0, 2.0))
    assert out.seconds == pytest.approx(5.0)
    if kept == "search":
        assert x.varValue == 7.0 and out.objective == 100.0 and out.gap == pytest.approx(0.25)
        assert out.status == Status.TIME_LIMIT and "this plan kept" in out.message
    else:
        assert x.varValue == 1.0 and out.objective == objective_value and out.status == Status(status)
        assert "HiGHS's plan kept" in out.message
