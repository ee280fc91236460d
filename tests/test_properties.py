"""Properties of the optimizer on seeded random instances, re-checked independently (issue 3, §7).

- more budget never lowers the optimum (lexicographic: soft shortfall never rises; at equal shortfall,
  weighted coverage never falls);
- adding an existing facility never lowers coverage (baseline per point, and the optimum);
- the plan never exceeds the budget (total, per year, per earmark);
- hard standards always hold in a feasible plan, recomputed from ``Plan.items`` + the instance (PyPSA-style);
  when the optimizer says infeasible, enumeration confirms no plan exists.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import independent as ind
from healthplan.geodata.errors import HealthplanError
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
from healthplan.optimizer.status import Status

OFF, SOFT, HARD = StandardRule(mode="off"), StandardRule(mode="soft"), StandardRule(mode="hard")
LEVELS = ["county_hospital", "secondary_hospital", "central_thc", "central_thc", "thc", "candidate"]


def instance(make_random_instance, seed: int, **kw):
    """Six sites (one of each role), nine villages; ambulance stations take one new vehicle each."""
    cols = {
        "amb_ord": [1, 0, 0, 0, 0, 0], "station_capacity": [2, 1, 1, 1, 1, 1],
        "fever_clinic": [True, False, False, False, False, False],
        "fever_room": [False, False, False, False, True, False],
    }
    cols.update(kw.pop("cols", {}))
    return make_random_instance(seed, LEVELS, n_demand=9, urban_share=0.4, **cols, **kw)


def config(*, budget: float | None, amb: dict | None = None, fever: dict | None = None,
           blood: dict | None = None, sub: dict | None = None, **top) -> OptimizerConfig:
    """All four kinds on, every standard off unless given; small unit costs so budgets bind."""
    res = ResourcesConfig(
        ambulance=AmbulanceConfig(**{"busy_fraction": 0.35, "coverage_depth": 2, "fleet": OFF,
                                     "np_share_rule": OFF,
                                     "station_levels": ["county_hospital", "central_thc", "candidate"],
                                     **(amb or {})}),
        fever=FeverConfig(**{"clinic_cost_wan": 300.0, "room_cost_wan": 60.0, "clinic_mandate": OFF,
                             "room_mandate": OFF, **(fever or {})}),
        blood=BloodConfig(**{"unit_cost_wan": 80.0, "access_minutes": 20.0,
                             "candidates": ["s01", "s04", "s05"],
                             "min_points_rule": OFF, **(blood or {})}),
        subcentre=SubcentreConfig(**{"unit_cost_wan": 400.0, "access_minutes": 25.0, **(sub or {})}),
    )
    return OptimizerConfig(resources=res, budget_wan=budget, **top)


def remeasure(inst, cfg, plan) -> ind.Measures:
    """The plan's items measured by the independent evaluator; also checks the plan's own coverage figures."""
    prep = ind.prepare(inst, cfg)
    m = ind.measure(prep, ind.items_to_plan(prep, plan.items))
    summary = plan.coverage_summary(inst.demand["population"])
    enabled = set(cfg.resources.enabled())
    owner = {"ambulance": "ambulance", "ambulance_single": "ambulance", "fever": "fever", "blood": "blood",
             "secondary": "subcentre"}
    # only the enabled kinds' services are measured
    assert set(summary) == {key for key, kind in owner.items() if kind in enabled}
    for key in summary:
        assert summary[key]["after"] == pytest.approx(m.covered[key][0, -1], abs=0.01), key
    assert plan.spent_wan == pytest.approx(m.cost[0], abs=1e-6)
    return m


def solve_or_infeasible(opt, inst, cfg):
    """The plan, or ``None`` when the optimizer reports infeasibility (status or InfeasibleError)."""
    try:
        plan = opt.optimize(inst, cfg)
    except HealthplanError:
        return None
    return None if plan.solve.status == Status.INFEASIBLE else plan


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_more_budget_never_lowers_the_optimum(opt, make_random_instance, seed):
    inst = instance(make_random_instance, seed)
    prev = None
    for budget in (0.0, 100.0, 250.0, 500.0, 900.0, 1500.0):
        cfg = config(budget=budget, fever={"room_mandate": SOFT})
        plan = opt.optimize(inst, cfg)
        assert plan.solve.status == Status.OPTIMAL
        m = remeasure(inst, cfg, plan)
        assert m.cost[0] <= budget + 1e-6 and plan.spent_wan <= budget + 1e-6  # never over budget
        cur = (m.soft_shortfall[0], m.weighted_coverage[0])
        if prev is not None:
            assert cur[0] <= prev[0] + 1e-9, f"shortfall rose from {prev[0]} to {cur[0]} at budget {budget}"
            if abs(cur[0] - prev[0]) <= 1e-9:
                fell = f"coverage fell {prev[1]} → {cur[1]} at {budget}"
                assert cur[1] >= prev[1] * (1 - 1e-6) - 1e-6, fell
        prev = cur


ADDITIONS = {
    "blood_point": ("blood_point", 2, True),  # an existing blood point at a central THC
    "fever_room": ("fever_room", 3, True),  # an existing fever room at the other central THC
    "subcentre": ("subcentre", 2, True),  # a central THC that is already a sub-centre
    "ambulance": ("amb_ord", 5, 1),  # one existing ordinary vehicle at the greenfield site (capacity 1)
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("what", sorted(ADDITIONS))
def test_existing_facility_never_lowers_coverage(opt, make_random_instance, seed, what):
    column, pos, value = ADDITIONS[what]
    before = instance(make_random_instance, seed)
    sites = before.sites.copy()
    sites.iloc[pos, sites.columns.get_loc(column)] = value
    after = dataclasses.replace(before, sites=sites)
    cfg = config(budget=300.0)
    b0, b1 = opt.baseline(before, cfg), opt.baseline(after, cfg)
    for key in ("ambulance", "ambulance_single", "fever", "blood", "secondary"):
        lo, hi = b0.demand_coverage[f"{key}_after"], b1.demand_coverage[f"{key}_after"]
        assert (hi >= lo - 1e-9).all(), key
    p0, p1 = opt.optimize(before, cfg), opt.optimize(after, cfg)
    m0, m1 = remeasure(before, cfg, p0), remeasure(after, cfg, p1)
    assert m1.weighted_coverage[0] >= m0.weighted_coverage[0] * (1 - 1e-6) - 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_phased_and_earmarked_spend_stays_within_limits(opt, make_random_instance, seed):
    inst = instance(make_random_instance, seed)
    cfg = config(
        budget=None, earmarks_wan={"fever": 130.0, "ambulance": 60.0},
        phasing=PhasingConfig(years=[2025, 2026], budgets_wan=[200.0, 150.0], year_weights=[1.5, 1.0]),
        sub={"enabled": False},
    )
    plan = opt.optimize(inst, cfg)
    assert plan.solve.status == Status.OPTIMAL
    m = remeasure(inst, cfg, plan)
    assert m.budget_ok[0], (m.cost_year[0], {k: v[0] for k, v in m.cost_kind.items()})
    assert m.cost_kind["fever"][0] <= 130.0 + 1e-6 and m.cost_kind["ambulance"][0] <= 60.0 + 1e-6
    by_year = plan.items.groupby(plan.items["year"].astype(int))["cost_wan"].sum()
    assert by_year.get(2025, 0.0) <= 200.0 + 1e-6 and by_year.get(2026, 0.0) <= 150.0 + 1e-6


HARD_CASES = [
    # (budget, standards made hard); populations are small so the fleet ratio is reachable
    (400.0, {"amb": {"fleet": HARD, "np_share_rule": HARD}}),
    (700.0, {"fever": {"clinic_mandate": HARD, "room_mandate": HARD}, "blood": {"min_points_rule": HARD}}),
    (900.0, {"sub": {"target_count": 1, "target_rule": HARD}, "amb": {"np_share_rule": HARD}}),
    (1500.0, {"amb": {"fleet": HARD, "np_share_rule": HARD}, "fever": {"room_mandate": HARD},
              "blood": {"min_points": 2, "min_points_rule": HARD},
              "sub": {"target_count": 1, "target_rule": HARD}}),
    (300.0, {"fever": {"clinic_mandate": HARD, "room_mandate": HARD}}),  # 300 + 2 × 60 > 300: infeasible
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("case", range(len(HARD_CASES)))
def test_hard_standards_hold_in_every_feasible_plan(opt, make_random_instance, seed, case):
    budget, hard = HARD_CASES[case]
    inst = instance(make_random_instance, seed, pop_range=(500, 4_000))
    cfg = config(budget=budget, **hard)
    plan = solve_or_infeasible(opt, inst, cfg)
    prep = ind.prepare(inst, cfg)
    if plan is None:
        assert ind.brute_force(prep) is None, "optimizer says infeasible, enumeration finds a feasible plan"
        return
    assert plan.solve.status.has_plan
    m = remeasure(inst, cfg, plan)
    assert m.hard_ok[0], {k: float(v[0]) for k, v in m.shortfall.items()}
    assert m.budget_ok[0]
    table = plan.standards[plan.standards["mode"] == "hard"]
    assert table["met"].astype(bool).all(), table


def test_random_configs_respect_budget_and_hard_rules(opt, make_random_instance):
    # a seeded loop over random budgets, rule modes and weights (hypothesis-style, fixed seed)
    rng = np.random.default_rng(2026)
    modes = [OFF, SOFT, HARD]
    for trial in range(6):
        inst = instance(make_random_instance, 100 + trial, pop_range=(500, 4_000))
        pick = lambda: modes[rng.integers(3)]  # noqa: E731
        cfg = config(
            budget=float(rng.integers(0, 16) * 100),
            amb={"np_share_rule": pick(), "fleet": pick(), "weight": float(rng.uniform(0.5, 2))},
            fever={"room_mandate": pick(), "clinic_mandate": OFF, "weight": float(rng.uniform(0.5, 2))},
            blood={"min_points_rule": pick()},
        )
        plan = solve_or_infeasible(opt, inst, cfg)
        if plan is None:
            assert ind.brute_force(ind.prepare(inst, cfg)) is None, f"trial {trial}: feasible plan exists"
            continue
        m = remeasure(inst, cfg, plan)
        assert m.hard_ok[0] and m.budget_ok[0], f"trial {trial}"


@pytest.mark.parametrize("seed", [0, 1])
def test_same_inputs_same_plan_and_baseline_matches_independent(opt, make_random_instance, seed):
    inst = instance(make_random_instance, seed)
    cfg = config(budget=600.0, fever={"room_mandate": SOFT})
    a, b = opt.optimize(inst, cfg), opt.optimize(inst, cfg)
    cols = ["site_id", "kind", "year", "quantity", "quantity_ord", "quantity_np", "cost_wan"]
    assert a.items[cols].reset_index(drop=True).equals(b.items[cols].reset_index(drop=True))
    base = opt.baseline(inst, cfg)
    assert base.solve.status == Status.BASELINE and len(base.items) == 0 and base.spent_wan == 0.0
    prep = ind.prepare(inst, cfg)
    today = ind.measure(prep, np.zeros((1, len(prep.decisions)), dtype=int))
    for key in ("ambulance", "ambulance_single", "fever", "blood", "secondary"):
        # per demand point: MEXCLP share 1 − q^min(n, K) for "ambulance", 0/1 for the others
        assert base.demand_coverage[f"{key}_after"].to_numpy() == pytest.approx(today.share[key][0]), key
        assert a.demand_coverage[f"{key}_before"].to_numpy() == pytest.approx(today.share[key][0]), key
