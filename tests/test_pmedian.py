"""The p-median without PuLP (optimizer/pmedian.py) and its dispatch from optimize()
(optimizer/pmedian_plan.py).

Checked against enumeration of every p-subset on small random instances (with fallbacks from existing points
and pairs missing beyond the horizon), against the full PuLP model through the public API, and against the
published OR-Library optima pmed1–pmed5 (these read ../shared and skip when it is absent).
"""

from __future__ import annotations

import itertools

import independent as ind
import numpy as np
import pandas as pd
import pytest
from healthplan.optimizer import pmedian_plan
from healthplan.optimizer.config import (
    BloodConfig,
    OptimizerConfig,
    PhasingConfig,
    ResourcesConfig,
    StandardRule,
)
from healthplan.optimizer.pmedian import (
    Lagrangian,
    PMedianProblem,
    _gap_open,
    greedy,
    nearest,
    perturbed_swaps,
    popmusic,
    solve_pmedian,
    subgradient,
    swap_search,
)
from healthplan.optimizer.status import Status
from test_correctness_benchmarks import PMED_OPT, pmed, pmedian_instance


def random_case(seed: int, n: int = 14, m: int = 8, horizon: float = 40.0, existing: int = 0):
    """Weights (persons), site × demand minutes (inf beyond the horizon) and which sites hold a facility
    today."""
    rng = np.random.default_rng(seed)
    dxy, sxy = rng.uniform(0, 50, (n, 2)), rng.uniform(0, 50, (m, 2))
    minutes = np.hypot(*(sxy[:, None, :] - dxy[None, :, :]).transpose(2, 0, 1))
    minutes[minutes > horizon] = np.inf
    weight = rng.integers(1, 101, n).astype(float)
    has = np.zeros(m, dtype=bool)
    has[rng.choice(m, existing, replace=False)] = True
    return weight, minutes, has


def brute_force(weight: np.ndarray, minutes: np.ndarray, has: np.ndarray, horizon: float, p: int
                ) -> tuple[float, tuple[int, ...]]:
    """Least Σ w_i min(horizon, nearest existing or chosen minutes) over every set of p new sites."""
    cand = np.flatnonzero(~has)
    base = np.minimum(horizon, np.where(has[:, None], minutes, np.inf).min(axis=0))
    best, arg = np.inf, ()
    for combo in itertools.combinations(cand.tolist(), min(p, cand.size)):
        value = float(weight @ np.minimum(base, minutes[list(combo)].min(axis=0)))
        if value < best - 1e-9:
            best, arg = value, combo
    return best, arg


def problem_of(weight, minutes, has, horizon, p) -> tuple[PMedianProblem, np.ndarray]:
    """The candidates' problem (fallback: nearest existing site or the horizon) and the candidate site
    indices."""
    cand = np.flatnonzero(~has)
    fallback = np.minimum(horizon, np.where(has[:, None], minutes, np.inf).min(axis=0))
    s, d = np.nonzero(np.isfinite(minutes[cand]))
    return PMedianProblem.from_pairs(weight, fallback, s, d, minutes[cand][s, d], cand.size, p), cand


def blood_cfg(p: int, horizon: float, *, objective: str = "access_time", min_points: int = 1,
              min_points_mode: str = "off", **extra) -> OptimizerConfig:
    """Blood points only, access_time objective, budget p × 1万元 (a count p), min-points standard off."""
    blood = BloodConfig(objective=objective, unit_cost_wan=1.0, access_minutes=horizon / 3,
                        min_points=min_points, min_points_rule=StandardRule(mode=min_points_mode))
    res = ResourcesConfig(blood=blood,
                          ambulance={"enabled": False}, fever={"enabled": False},
                          subcentre={"enabled": False})
    return OptimizerConfig(resources=res, budget_wan=float(p), **extra)


def instance_of(make_instance, weight, minutes, has, horizon):
    ids = pd.Index([f"d{i}" for i in range(len(weight))])
    demand = pd.DataFrame({"population": weight.astype(int)}, index=ids)
    sites = pd.DataFrame({"level": ["candidate"] * len(has), "blood_point": has},
                         index=pd.Index([f"s{j}" for j in range(len(has))]))
    return make_instance(demand, sites, minutes, cutoff_minutes=horizon)


def person_minutes(plan, inst) -> float:
    return plan.meta["blood_mean_minutes"]["after"] * float(inst.demand["population"].sum())


class TestAgainstEnumeration:
    @pytest.mark.parametrize("seed", range(8))
    def test_optimum_equals_brute_force_and_bound_brackets_it(self, seed):
        horizon, p = 30.0, 3
        weight, minutes, has = random_case(seed, existing=seed % 3)
        best, _ = brute_force(weight, minutes, has, horizon, p)
        problem, cand = problem_of(weight, minutes, has, horizon, p)
        res = solve_pmedian(problem, time_limit_s=30)
        assert res.optimal and res.gap <= 1e-9
        assert res.bound <= best + 1e-6 * best <= res.cost + 1e-6 * best
        assert res.cost == pytest.approx(best, rel=1e-9)
        # the reported cost is the cost of the sites it reports, priced independently
        base = np.minimum(horizon, np.where(has[:, None], minutes, np.inf).min(axis=0))
        value = float(weight @ np.minimum(base, minutes[cand[res.open_sites]].min(axis=0, initial=np.inf)))
        assert value == pytest.approx(res.cost, rel=1e-12)

    @pytest.mark.parametrize("seed", range(6))
    def test_lagrangian_bound_never_above_the_optimum_at_any_radius(self, seed):
        horizon, p = 30.0, 2
        weight, minutes, has = random_case(100 + seed, existing=1)
        best, _ = brute_force(weight, minutes, has, horizon, p)
        problem, _ = problem_of(weight, minutes, has, horizon, p)
        rng = np.random.default_rng(seed)
        for radius in (problem.fallback, rng.uniform(0, 1.2, problem.n_demand) * problem.fallback,
                       np.full(problem.n_demand, 3.0)):
            lag = Lagrangian(problem, np.minimum(problem.fallback, radius), p)
            # aim far above the optimum: big steps that would overshoot if the bound were not a bound
            bound, *_ = subgradient(lag, 3 * best, deadline=np.inf, target_gap=0.0, max_iter=400)
            assert bound <= best * (1 + 1e-9)
            for lam in (lag.lam, lag.project(rng.uniform(0, 60, problem.n_demand))):
                assert lag.evaluate(lam)[0] <= best * (1 + 1e-9)

    def test_nearest_and_greedy(self):
        weight, minutes, has = random_case(7)
        problem, _ = problem_of(weight, minutes, has, 30.0, 3)
        is_open = np.zeros(problem.n_sites, dtype=bool)
        is_open[[0, 3]] = True
        d1, near, d2 = nearest(problem, is_open)
        dense = np.minimum(np.where(is_open[:, None], minutes[~has], np.inf), 30.0)
        srt = np.sort(np.vstack([dense, np.full((1, dense.shape[1]), 30.0)]), axis=0)
        assert np.allclose(d1, srt[0]) and np.allclose(d2, np.where(near >= 0, srt[1], 30.0))
        assert len(greedy(problem, 3)) == 3

    def test_plan_improvers_never_worsen_and_report_true_costs(self):
        weight, minutes, has = random_case(21, n=120, m=30, horizon=45.0)
        problem, _ = problem_of(weight, minutes, has, 45.0, 5)
        start = greedy(problem, 5)
        cost0 = problem.cost(start)
        for sites, cost, _ in (popmusic(problem, start, cost0, parts=3, deadline=np.inf, sub_time_s=5.0),
                               perturbed_swaps(problem, start, cost0, np.arange(problem.n_sites), rounds=5,
                                               deadline=np.inf)):
            assert cost <= cost0 and cost == pytest.approx(problem.cost(sites), rel=1e-12) and len(sites) <= 5
        local, cost1 = swap_search(problem, start)
        assert cost1 <= cost0 and cost1 == pytest.approx(problem.cost(local), rel=1e-12)

    def test_deterministic(self):
        weight, minutes, has = random_case(11, n=40, m=14)
        problem, _ = problem_of(weight, minutes, has, 30.0, 4)
        a, b = solve_pmedian(problem), solve_pmedian(problem)
        assert np.array_equal(a.open_sites, b.open_sites) and a.cost == b.cost and a.bound == b.bound

    def test_bad_input_is_refused(self):
        with pytest.raises(ValueError, match="weights must be"):
            PMedianProblem.from_pairs(np.array([-1.0]), np.array([5.0]), [0], [0], [1.0], 1, 1)


class TestThroughOptimize:
    """optimize() takes the new path for a pure p-median above the pair threshold (here lowered to 0)."""

    @pytest.mark.parametrize("seed", range(4))
    def test_same_optimum_as_the_full_model(self, opt, make_instance, monkeypatch, seed):
        horizon, p = 30.0, 3
        weight, minutes, has = random_case(200 + seed, existing=seed % 2)
        best, _ = brute_force(weight, minutes, has, horizon, p)
        inst = instance_of(make_instance, weight, minutes, has, horizon)
        cfg = blood_cfg(p, horizon)
        full = opt.optimize(inst, cfg)
        assert full.solve.solver != pmedian_plan.SOLVER_NAME  # few pairs: the PuLP model
        monkeypatch.setattr(pmedian_plan, "PMEDIAN_MIN_PAIRS", 0)
        fast = opt.optimize(inst, cfg)
        assert fast.solve.solver == pmedian_plan.SOLVER_NAME
        assert fast.solve.status == Status.OPTIMAL and fast.solve.gap <= 1e-9
        assert person_minutes(fast, inst) == pytest.approx(best, rel=1e-9)
        assert person_minutes(full, inst) == pytest.approx(best, rel=1e-9)
        assert fast.solve.objective == pytest.approx(best, rel=1e-9)
        assert len(fast.items) <= p and (fast.items["origin"] == "optimized").all()
        assert fast.spent_wan == pytest.approx(len(fast.items))

    def test_same_plan_twice(self, opt, make_instance, monkeypatch):
        monkeypatch.setattr(pmedian_plan, "PMEDIAN_MIN_PAIRS", 0)
        weight, minutes, has = random_case(5, n=30, m=12)
        inst = instance_of(make_instance, weight, minutes, has, 30.0)
        a, b = opt.optimize(inst, blood_cfg(4, 30.0)), opt.optimize(inst, blood_cfg(4, 30.0))
        assert a.items["site_id"].tolist() == b.items["site_id"].tolist()

    def test_summary_reads_the_plan_unchanged(self, opt, make_instance, monkeypatch):
        from healthplan.reports.summary import summary_dict, summary_markdown

        monkeypatch.setattr(pmedian_plan, "PMEDIAN_MIN_PAIRS", 0)
        weight, minutes, has = random_case(9, n=30, m=12)
        inst = instance_of(make_instance, weight, minutes, has, 30.0)
        plan = opt.optimize(inst, blood_cfg(4, 30.0))
        summary = summary_dict(inst, plan, timings={})
        assert summary["status"] == "optimal" and summary["gap"] == pytest.approx(0.0, abs=1e-9)
        assert summary["items"] == len(plan.items) and summary["solver"] == pmedian_plan.SOLVER_NAME
        assert summary["stages"] == [{"stage": "coverage", "status": "optimal"}]
        assert "采血点" in summary_markdown(summary, lang="zh")

    def test_what_the_pure_form_cannot_express_keeps_the_full_model(self, opt, make_instance, monkeypatch):
        monkeypatch.setattr(pmedian_plan, "PMEDIAN_MIN_PAIRS", 0)
        weight, minutes, has = random_case(3)
        inst = instance_of(make_instance, weight, minutes, has, 30.0)
        two_years = blood_cfg(2, 30.0, phasing=PhasingConfig(years=[2025, 2026]))
        assert opt.optimize(inst, two_years).solve.solver != pmedian_plan.SOLVER_NAME
        cover = blood_cfg(2, 30.0, objective="coverage")
        assert opt.optimize(inst, cover).solve.solver != pmedian_plan.SOLVER_NAME

    def test_a_standard_the_plan_misses_goes_to_the_full_model(self, opt, make_instance, monkeypatch):
        # min_points 3 (soft) with a budget of 3 points: the p-median of 3 opens only useful sites; where one
        # of them serves nobody the full model must decide (it meets the standard first)
        monkeypatch.setattr(pmedian_plan, "PMEDIAN_MIN_PAIRS", 0)
        weight = np.array([10.0, 10.0])
        minutes = np.array([[1.0, 2.0], [5.0, 5.0], [6.0, 6.0]])
        inst = instance_of(make_instance, weight, minutes, np.zeros(3, dtype=bool), 30.0)
        cfg = blood_cfg(3, 30.0, min_points=3, min_points_mode="soft")
        plan = opt.optimize(inst, cfg)
        assert plan.solve.solver != pmedian_plan.SOLVER_NAME
        assert len(plan.items) == 3


@pytest.mark.parametrize("name", sorted(PMED_OPT))
def test_orlib_optimum_through_the_new_path(opt, make_instance, shared_dir, monkeypatch, name):
    monkeypatch.setattr(pmedian_plan, "PMEDIAN_MIN_PAIRS", 0)
    dist, p = pmed(shared_dir, name)
    horizon = float(dist.max()) + 1.0  # every pair stored: the pure p-median
    inst = pmedian_instance(make_instance, dist, horizon)
    plan = opt.optimize(inst, blood_cfg(p, horizon))
    assert plan.solve.solver == pmedian_plan.SOLVER_NAME
    assert plan.solve.status == Status.OPTIMAL and plan.solve.gap == pytest.approx(0.0, abs=1e-9)
    assert plan.solve.objective == pytest.approx(PMED_OPT[name])
    cols = np.array([inst.sites.index.get_loc(s) for s in plan.items["site_id"]])
    assert ind.pmedian_value(dist.T, cols) == pytest.approx(PMED_OPT[name])


def test_a_bound_within_floating_point_of_the_plan_closes_the_gap():
    """HiGHS proves the 2,000 × 300 anchor's optimum with a bound 10⁻⁹ below the plan's cost: that is a closed
    gap (it used to start 26 s of searches for a better plan after the proof)."""
    assert not _gap_open(853_548.9207723609, 853_548.9207723599, 0.0)
    assert _gap_open(853_548.92, 853_540.0, 0.0)
    assert not _gap_open(853_548.92, 853_540.0, 1e-4)
    assert _gap_open(1.0, 0.0, 0.5)
