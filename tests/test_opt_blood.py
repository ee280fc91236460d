"""Blood points: MCLP against brute force, min points, dominated candidates, access_time (p-median), set cover."""

import itertools

import numpy as np
import pytest
from test_opt_helpers import make, only

from healthplan.optimizer import min_budget, optimize
from healthplan.optimizer.build import build_model
from healthplan.optimizer.config import StandardRule
from healthplan.optimizer.prepare import prepare

OFFR = StandardRule(mode="off")


def random_blood(seed: int, n_d: int = 14, n_s: int = 7):
    rng = np.random.default_rng(seed)
    m = np.round(rng.uniform(0, 60, (n_s, n_d)), 1)
    return make(list(rng.integers(100, 5000, n_d)), m, ["candidate"] * n_s), m


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_mclp_equals_brute_force(seed, p):
    inst, m = random_blood(seed)
    pop = inst.demand["population"].to_numpy()
    cover = m <= 30
    best = max(pop[cover[list(c)].any(axis=0)].sum() for c in itertools.combinations(range(len(m)), p))
    plan = optimize(inst, only("blood", budget=100 * p, unit_cost_wan=100, min_points_rule=OFFR))
    assert plan.coverage_summary(inst.demand["population"])["blood"]["after"] == best
    assert len(plan.items) <= p


def test_dominated_candidate_dropped_without_changing_the_optimum():
    # s1 covers a subset of s0's points at the same cost → dropped when min points cannot bind
    m = [[10, 10, 60], [10, 60, 60], [60, 60, 10]]
    inst = make([100, 200, 250], m, ["candidate"] * 3)
    cfg = only("blood", budget=100, unit_cost_wan=100, min_points_rule=OFFR)
    model = build_model(prepare(inst, cfg))
    assert sorted(j for j, _ in model.x["blood"]) == [0, 2]
    plan = optimize(inst, cfg)
    assert plan.items["site_id"].tolist() == ["s0"]  # 100 + 200 > 250
    assert plan.coverage_summary(inst.demand["population"])["blood"]["after"] == 300


def test_dominance_kept_when_min_points_binds():
    inst = make([100, 200], [[10, 10], [10, 60]], ["candidate"] * 2)
    cfg = only("blood", budget=200, unit_cost_wan=100, min_points=2, min_points_rule=StandardRule(mode="hard"))
    plan = optimize(inst, cfg)
    assert len(plan.items) == 2


def test_access_time_is_p_median():
    # 4 points on a line at 0, 10, 20, 60 minutes; candidates at the points; p = 2 → {10, 60}: 10+0+10+0 = 20
    pos = np.array([0.0, 10.0, 20.0, 60.0])
    m = np.abs(pos[:, None] - pos[None, :])
    inst = make([1, 1, 1, 1], m, ["candidate"] * 4)
    cfg = only("blood", budget=2, unit_cost_wan=1, min_points=2, min_points_rule=StandardRule(mode="hard"),
               objective="access_time", access_minutes=20)
    plan = optimize(inst, cfg)
    assert sorted(plan.items["site_id"]) == ["s1", "s3"]
    assert plan.meta["blood_mean_minutes"]["after"] == pytest.approx(20 / 4)


def test_min_budget_is_set_cover_of_reachable_population():
    # d3 is reachable by nobody: target 1.0 means everyone reachable; the least cover is {s0, s2}
    m = [[10, 10, 99, np.inf], [99, 10, 99, np.inf], [99, 99, 10, np.inf]]
    inst = make([10, 20, 30, 40], m, ["candidate"] * 3)
    cfg = only("blood", budget=0, unit_cost_wan=100, target_coverage=1.0, access_minutes=30)
    plan = min_budget(inst, cfg)
    assert plan.meta["least_budget_wan"] == 200
    assert sorted(plan.items["site_id"]) == ["s0", "s2"]
    capped = [t for t in plan.assumptions if "capped" in t.en]
    assert len(capped) == 1  # the English note names the service in English (not its key) like the Chinese
    assert capped[0].en.startswith("Blood") and "blood coverage" not in capped[0].en
    assert capped[0].zh.startswith("采血") or "采血" in capped[0].zh
    # the standards table shows the target asked, the most reachable and why (d3's 40 of 100 persons)
    row = plan.standards.set_index("name").loc["blood_target_coverage"]
    assert row["required"] == pytest.approx(0.6)
    assert "要求100%" in row["label_zh"] and "可达上限60.0%" in row["label_zh"] and "其余40人" in row["label_zh"]
    assert "asked 100%" in row["label_en"] and "40 persons" in row["label_en"]


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_dominance_with_binding_min_points_keeps_the_optimum(seed):
    # many nested candidates (coarse minutes make supersets common); min 2 points, budget for 3 or 4
    rng = np.random.default_rng(seed)
    m = rng.choice([10.0, 60.0], size=(11, 6), p=[0.35, 0.65])
    inst = make(list(rng.integers(100, 1000, 6)), m, ["candidate"] * 11)
    costs = {f"s{j}": float(c) for j, c in enumerate(rng.choice([50, 80, 100], 11))}
    for budget in (240, 330):
        cfg = only("blood", budget=budget, unit_cost_wan=100, min_points=2).model_copy(
            update={"site_costs_wan": {s: {"blood": c} for s, c in costs.items()}})
        plan = optimize(inst, cfg)
        assert len(build_model(prepare(inst, cfg)).x["blood"]) < 11  # some candidates were dropped
        pop, cover, cost = inst.demand["population"].to_numpy(), m <= 30, np.array(list(costs.values()))
        best = None
        for r in range(0, 12):
            for combo in itertools.combinations(range(11), r):
                c = cost[list(combo)].sum()
                if c > budget:
                    continue
                key = (max(2 - r, 0), -pop[cover[list(combo)].any(axis=0)].sum() if r else 0, c)
                best = key if best is None or key < best else best
        got = (max(2 - len(plan.items), 0), -plan.coverage_summary(inst.demand["population"])["blood"]["after"],
               plan.spent_wan)
        assert got == pytest.approx(best)
